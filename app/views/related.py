"""Related rows offered to a user: a form's drop-down, a list's search filter, the API's ``_info``.

Each offers only the rows the user may see (``visible_rule``: the model's ``visible_to``), a page at
a time, found by what is typed; never a whole table. A related table with row-level rights
(complaints above all: 100,000 and more) is a Select2 box that asks ``<view>/choices`` for a page of
matches as the user types; a catalogue (departments, categories, people) stays a plain drop-down.
"""

from flask import current_app, jsonify, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.api import API_ADD_COLUMNS_RIS_KEY, API_EDIT_COLUMNS_RIS_KEY
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _
from markupsafe import Markup
from sqlalchemy import func, or_, select
from wtforms import Field
from wtforms.widgets import html_params

from app.extensions import db
from app.security import current_viewer
from app.views.filters import has_row_rights, visible_rule
from app.views.lists import COUNT_CAP, AtLeast
from app.views.mixins import is_id, public_name
from app.views.schemas import RelatedId

# Rows in one page of a drop-down's matches.
PAGE_SIZE = 20
# The longest text looked for: a complaint number is 14 characters, a name fewer.
TEXT_MAX_LENGTH = 100
# Where a typed text is looked for, per table; a table not named here is found by its name or code.
TEXT_COLUMNS = {
    "complaint": ("number",),
    "incident": ("topic", "signature"),
    "ab_user": ("username", "first_name", "last_name"),
}


def _text_columns(model):
    names = TEXT_COLUMNS.get(model.__tablename__) or [name for name in ("name", "code") if hasattr(model, name)]
    return [getattr(model, name) for name in names]


def choices(model, text: str = "", page: int = 0, page_size: int = PAGE_SIZE, viewer=None):
    """One page of the rows of ``model`` the viewer may see whose text contains ``text``.

    Returns ``(count, rows)``; the count stops at ``COUNT_CAP + 1`` like the lists' (app/views/lists.py).
    Rows with row-level rights come newest first, catalogues in their order of creation."""
    viewer = viewer if viewer is not None else current_viewer()
    query = select(model).where(visible_rule(model, viewer))
    text = (text or "").strip()[:TEXT_MAX_LENGTH]
    columns = _text_columns(model)
    if text and columns:
        query = query.where(or_(*(column.contains(text, autoescape=True) for column in columns)))
    counted = query.with_only_columns(model.id).limit(COUNT_CAP + 1).subquery()
    count = db.session.scalar(select(func.count()).select_from(counted))
    order = model.id.desc() if has_row_rights(model) else model.id
    rows = db.session.scalars(query.order_by(order).limit(page_size).offset(page * page_size)).all()
    return (AtLeast(count) if count > COUNT_CAP else count), rows


def visible_row(model, pk):
    """The row ``pk`` of ``model`` if the current user may see it, else None."""
    if not is_id(pk):
        return None
    return db.session.scalar(select(model).where(model.id == int(pk), visible_rule(model, current_viewer())))


# -- the HTML forms ------------------------------------------------------------------------


def choices_endpoint(model) -> str:
    """The ``choices`` endpoint of the first view of ``model`` that offers one."""
    for view in current_app.appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if isinstance(view, RelatedChoicesMixin) and datamodel is not None and datamodel.obj is model:
            return f"{view.endpoint}.choices"
    raise LookupError(f"no view offers choices of {model.__name__}")


class RelatedRowWidget:
    """A Select2 box that loads its options page by page (``data-ajax--url``): Flask-AppBuilder's
    own set-up of ``my_select2`` boxes reads these attributes, so no script of the page's own is needed."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        attributes = {
            "name": field.name,
            "class": f"my_select2 form-control {kwargs.pop('class', '')}".strip(),
            "multiple": field.multiple,
            "data-ajax--url": url_for(choices_endpoint(field.model)),
            "data-ajax--delay": 250,
            "data-ajax--cache": "true",
            "data-placeholder": str(_("Type to search")),
            "data-allow-clear": "true",
            **kwargs,
        }
        options = [] if field.multiple else [Markup('<option value=""></option>')]
        options += [
            Markup('<option selected value="{}">{}</option>').format(row.id, str(row)) for row in field.selected_rows()
        ]
        return Markup("<select {}>{}</select>").format(Markup(html_params(**attributes)), Markup("").join(options))


class RelatedRowField(Field):
    """A related row (or rows, ``multiple``) chosen among those the user may see; a row they may not
    see, or none at all, is refused like a wrong value, not saved."""

    widget = RelatedRowWidget()

    def __init__(self, label=None, validators=None, *, model, multiple: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.model = model
        self.multiple = multiple

    def selected_rows(self) -> list:
        if self.multiple:
            return list(self.data or [])
        return [] if self.data is None else [self.data]

    def _value(self):
        return ",".join(str(row.id) for row in self.selected_rows())

    def process_formdata(self, valuelist):
        ids = [value for value in valuelist if value not in ("", "__None")]
        self.data = [] if self.multiple else None
        rows = [visible_row(self.model, pk) for pk in ids]
        if any(row is None for row in rows):
            raise ValueError(_("No such record among yours."))
        self.data = rows if self.multiple else (rows[0] if rows else None)

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data)


class RelatedRowsViewMixin:
    """ModelView whose add, edit and search forms offer related rows with row-level rights as
    ``RelatedRowField``: only the user's own, a page at a time (never every complaint of the company)."""

    def _init_forms(self):
        datamodel = self.datamodel
        for columns, extra in (
            ("add_columns", "add_form_extra_fields"),
            ("edit_columns", "edit_form_extra_fields"),
            ("search_columns", "search_form_extra_fields"),
        ):
            fields = dict(getattr(self, extra) or {})
            for column in getattr(self, columns) or ():
                if column in fields or not datamodel.is_relation(column):
                    continue
                model = datamodel.get_related_model(column)
                if has_row_rights(model):
                    fields[column] = RelatedRowField(
                        self.label_columns.get(column, column),
                        model=model,
                        multiple=datamodel.is_relation_many_to_many(column)
                        or datamodel.is_relation_one_to_many(column),
                    )
            setattr(self, extra, fields)
        super()._init_forms()


class RelatedChoicesMixin:
    """A ModelView of a model with row-level rights that answers its rows' drop-downs:
    ``choices?q=<text>&page=<1, 2 …>`` → Select2's ``{"results": [{"id", "text"}], "pagination": {"more"}}``."""

    @expose("/choices")
    @has_access
    @permission_name("list")
    def choices(self):
        page = request.args.get("page", "1")
        page = int(page) - 1 if page.isdigit() and 0 < int(page) <= COUNT_CAP // PAGE_SIZE else 0
        count, rows = choices(self.datamodel.obj, request.args.get("q", ""), page)
        return jsonify(
            results=[{"id": row.id, "text": str(row)} for row in rows],
            pagination={"more": (page + 1) * PAGE_SIZE < count},
        )


# -- the REST API's ``_info`` ------------------------------------------------------------------


class RelatedInfoApiMixin:
    """ModelRestApi whose ``_info`` describes what a client may send (the ``input_schema``), not the
    model: ``add_columns`` when it takes POST, ``edit_columns`` when it takes PUT, nothing for a
    read-only resource. A related field lists the rows the caller may see, a page at a time
    (``add_columns:(complaint:(page:0,page_size:20,filter:'DG2026'))``)."""

    input_schema = None

    def _takes(self, method: str) -> bool:
        routes = self.include_route_methods
        return self.input_schema is not None and (routes is None or method in routes)

    def info_headless(self, **kwargs):
        rison = kwargs.get("rison", {})
        keys = rison.get("keys") or None
        writable = {API_ADD_COLUMNS_RIS_KEY: self._takes("post"), API_EDIT_COLUMNS_RIS_KEY: self._takes("put")}
        payload = {}
        for key, merge in self.info._response_key_func_mappings.items():
            if keys and key not in keys:
                continue
            if key in writable:
                payload[key] = self._input_fields_info(rison.get(key, {})) if writable[key] else []
            else:
                merge(self, payload, **rison)
        return self.response(200, **payload)

    def _related_page(self, options: dict) -> tuple[int, int]:
        """The page asked for, at most the API's largest page (uncapped, -1, is not offered here)."""
        largest = self.max_page_size or current_app.config.get("FAB_API_MAX_PAGE_SIZE") or PAGE_SIZE
        largest = largest if largest > 0 else COUNT_CAP
        page, size = options.get("page"), options.get("page_size")
        page = page if isinstance(page, int) and 0 <= page <= COUNT_CAP else 0
        size = min(size, largest) if isinstance(size, int) and size > 0 else min(PAGE_SIZE, largest)
        return page, size

    def _input_fields_info(self, arguments: dict) -> list[dict]:
        described = []
        for name, field in self.input_schema.fields.items():
            public = field.data_key or public_name(name)
            info = {
                "name": public,
                "label": str(self.label_columns.get(public, "")),
                "description": str(self.description_columns.get(public, "")),
                "type": type(field).__name__,
                "required": field.required,
                "unique": False,
            }
            if isinstance(field, RelatedId):
                options = arguments.get(public) or {}
                page, page_size = self._related_page(options)
                text = options.get("filter")
                count, rows = choices(field.model, text if isinstance(text, str) else "", page, page_size)
                info["count"] = count
                info["values"] = [{"id": row.id, "value": str(row)} for row in rows]
            described.append(info)
        return described
