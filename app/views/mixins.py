"""One door to the policy for the HTML views and the REST APIs alike.

Both kinds of view turn typed input into attribute values, then hand the row to
``save``; the services bound to every flush (app/binding.py) validate it. A ``PolicyError``
rolls everything back and becomes a message: in the form, beside the field,
with what the user typed kept; in the API, a 4xx with a JSON ``message``.
"""

from flask import abort, flash, request
from flask_appbuilder.api import BaseApi
from flask_appbuilder.urltools import get_filter_args, get_order_args, get_page_args, get_page_size_args
from flask_babel import lazy_gettext as _
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.policy import Conflict, PolicyError, ValidationFailed

# Model attribute → the field name people and API clients use.
PUBLIC_NAMES = {
    "category_id": "category",
    "parent_id": "parent",
    "manager_id": "manager",
    "receiver_id": "receiver",
    "receiving_department_id": "receiving_department",
    "responsible_department_id": "responsible_department",
    "supervising_leader_id": "supervising_leader",
    "department_id": "department",
    "user_id": "user",
}


# The largest id an Integer column holds (PostgreSQL's integer): a larger one names no row.
MAX_ID = 2**31 - 1


def public_name(field: str) -> str:
    return PUBLIC_NAMES.get(field, field)


def is_id(pk) -> bool:
    """Whether ``pk`` (from a URL or a body) can name a row: querying a larger one fails in the database."""
    try:
        return 0 < int(pk) <= MAX_ID
    except (TypeError, ValueError):
        return False


def save(item, *, new: bool, keep_loaded: bool = False) -> None:
    """Commit ``item`` (and whatever else the session holds), or roll back and raise.

    ``keep_loaded``: the rows keep the values just written instead of being read
    again on the next access (the API answers with the row it saved)."""
    session = db.session
    try:
        if new:
            session.add(item)
        if keep_loaded:
            _commit_keeping_loaded(session())
        else:
            session.commit()
    except PolicyError:
        session.rollback()
        raise
    except IntegrityError as error:
        session.rollback()
        raise Conflict(_("This conflicts with an existing record: a code or name is already used.")) from error


def _commit_keeping_loaded(session) -> None:
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def delete(item) -> None:
    session = db.session
    try:
        session.delete(item)
        session.commit()
    except PolicyError:
        session.rollback()
        raise
    except IntegrityError as error:
        session.rollback()
        raise Conflict(_("Other records still refer to this one, so it cannot be deleted.")) from error


def flash_policy_error(error: PolicyError) -> None:
    """A page's action refused: each message at the top of the page it returns to."""
    for message in error.errors.values() if isinstance(error, ValidationFailed) else [error.message]:
        flash(str(message), "danger")


def _with_blank_choice(form):
    """An optional related-row select shows a dash for "none", not WTForms' "__None"."""
    for field in form:
        if getattr(field, "allow_blank", False) and not field.blank_text:
            field.blank_text = "—"
    return form


class PolicyFormMixin:
    """ModelView whose add and edit keep the typed form when the policy says no."""

    def prepare(self, item, new: bool) -> None:
        """Set what the user does not type (e.g. the receiver); may raise PolicyError."""

    def prefill_add(self, form) -> None:
        """Fill the empty add form, e.g. from the query string."""

    def saved_message(self, item, new: bool) -> str:
        """What the page says once the row is saved."""
        return str(self.add_row_message if new else self.edit_row_message)

    def _show_policy_error(self, form, error: PolicyError) -> None:
        errors = error.errors if isinstance(error, ValidationFailed) else {"_": error.message}
        for field, message in errors.items():
            name = public_name(field)
            if name in form:
                form[name].errors = [*form[name].errors, str(message)]
            else:
                flash(str(message), "danger")

    def _save_form(self, form, item, new: bool) -> bool:
        try:
            form.populate_obj(item)
            self.prepare(item, new)
            save(item, new=new)
        except PolicyError as error:
            # Refused before the commit too (``prepare``): the typed values must not be flushed
            # by the queries that draw the page again, so the session forgets them.
            db.session.rollback()
            self._show_policy_error(form, error)
            return False
        flash(self.saved_message(item, new), "success")
        return True

    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = _with_blank_choice(self.add_form.refresh())
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                if self._save_form(form, self.datamodel.obj(), new=True):
                    return None
        else:
            self.prefill_add(form)
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        if request.method == "POST":
            # With the row as well as the posted data, fields know their old values.
            form = _with_blank_choice(self.edit_form.refresh(obj=item))
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                self.process_form(form, False)
                if self._save_form(form, item, new=False):
                    return None
        else:
            form = _with_blank_choice(self.edit_form.refresh(obj=item))
            self.prefill_form(form, pk)
            self.update_redirect()
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        # Below the form, the related views' rows (a team's members), as Flask-AppBuilder's edit page has them.
        return self._get_related_views_widgets(
            item,
            orders=get_order_args(),
            pages=get_page_args(),
            page_sizes=get_page_size_args(),
            widgets=widgets,
        )

    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            delete(item)
        except PolicyError as error:
            flash(str(error), "danger")
        else:
            flash(str(self.delete_row_message), "success")
        self.update_redirect()


class PolicyApiMixin:
    """ModelRestApi whose writes go through a marshmallow schema, then the policy.

    Subclasses set ``input_schema`` (load: JSON → attribute values, types only)
    and ``output_schema`` (dump: row → JSON, API.md names); ``read_only`` names
    the fields a client may read but not write.
    """

    input_schema = None
    output_schema = None
    read_only: tuple[str, ...] = ()

    def prepare(self, item, new: bool) -> None:
        """Set what the client does not send (e.g. the receiver); may raise PolicyError."""

    def _init_properties(self) -> None:
        super()._init_properties()
        if self.output_schema is not None:
            # The output schema reads whole rows: select them whole. FAB would select
            # ``list_columns`` only and then load each other column row by row.
            self.list_select_columns = []
            self.show_select_columns = []

    def policy_error_response(self, error: PolicyError):
        if isinstance(error, ValidationFailed):
            message = {public_name(field): [str(text)] for field, text in error.errors.items()}
        else:
            message = str(error)
        return self.response(error.status, message=message)

    def _load(self, partial: bool):
        if not request.is_json:
            return None, self.response_400(message=str(_("Send a JSON object.")))
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return None, self.response_400(message=str(_("Send a JSON object.")))
        read_only = sorted(set(data) & set(self.read_only))
        if read_only:
            message = str(_("Read-only: set by the system."))
            return None, self.response_422(message={name: [message] for name in read_only})
        try:
            return self.input_schema.load(data, partial=partial), None
        except ValidationError as error:
            return None, self.response_422(message=error.messages)

    def _write(self, item, values: dict, new: bool):
        for field, value in values.items():
            setattr(item, field, value)
        try:
            self.prepare(item, new)
            save(item, new=new, keep_loaded=True)
        except PolicyError as error:
            return self.policy_error_response(error)
        result = self.output_schema.dump(item)
        if new:
            return self.response(201, id=item.id, result=result)
        return self.response(200, result=result)

    def act_on(self, pk, perform):
        """A POST action on a visible row: ``perform(row, body)``, then the row, or a 4xx."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=str(_("Send a JSON object.")))
        try:
            perform(item, body)
        except PolicyError as error:
            return self.policy_error_response(error)
        return self.response(200, result=self.output_schema.dump(item))

    def post_headless(self):
        values, error = self._load(partial=False)
        if error is not None:
            return error
        return self._write(self.datamodel.obj(), values, new=True)

    def put_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            return self.response_404()
        values, error = self._load(partial=True)
        if error is not None:
            return error
        return self._write(item, values, new=False)

    def delete_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            return self.response_404()
        try:
            delete(item)
        except PolicyError as error:
            return self.policy_error_response(error)
        return self.response(200, message="OK")

    def add_apispec_components(self, api_spec) -> None:
        """The OpenAPI spec describes what the API takes and gives, not the model's columns."""
        BaseApi.add_apispec_components(self, api_spec)
        converter = next(plugin.converter for plugin in api_spec.plugins if hasattr(plugin, "converter"))
        for name, schema in (
            (self.list_model_schema_name, self.output_schema),
            (self.show_model_schema_name, self.output_schema),
            (self.add_model_schema_name, self.input_schema),
            (self.edit_model_schema_name, self.input_schema),
        ):
            if schema is not None:  # read-only resources take nothing
                api_spec.components.schema(name, component=converter.schema2jsonschema(schema))
