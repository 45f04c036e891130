"""Complaints: the HTML views and the ``complaint`` REST resource (API.md)."""

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.api import protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.urltools import get_filter_args
from flask_appbuilder.widgets import ListWidget
from flask_babel import get_locale
from flask_babel import lazy_gettext as _
from marshmallow import Schema, fields
from redis import RedisError
from rq.job import Job
from sqlalchemy import select
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, Optional

from app import clock, history, imports, queue, reference, suggestions
from app import search as complaint_search
from app.extensions import db
from app.models import Category, Complaint, Department
from app.models.org import person_name
from app.policy import PolicyError, ValidationFailed, deadlines, repeats
from app.policy import complaints as policy
from app.policy import search as search_policy
from app.policy.fast import CONFLICT_CHECKLIST
from app.policy.imports import may_import
from app.policy.vocabulary import (
    CAUSES,
    CHANNELS,
    CUSTOMER_VALUES,
    ESCALATION_SOURCES,
    HALL_IMPACTS,
    MAJOR_TYPES,
    MEDIA_LEVELS,
    MEDIA_STATUSES,
    SEVERITIES,
    STATUSES,
    label,
)
from app.security import API_METHOD_PERMISSIONS, COMPLAINT, RESOURCE_PERMISSIONS, current_viewer
from app.views import actions, complaint_filters, export
from app.views.fields import AmountField, CheckedTextField, LocalDateTimeField, NumberWidget, ShownField, choice_field
from app.views.filters import (
    DispatchedToMyDepartment,
    DispatchOverdueAtMyDepartment,
    OpenOnly,
    Overdue,
    ReceivedByMe,
    VisibleRows,
)
from app.views.formatting import or_blank, yes_no, yuan
from app.views.lists import CappedCountInterface, NameOrderedInterface, NumberLinkedListWidget
from app.views.mixins import PolicyApiMixin, PolicyFormMixin, flash_policy_error, is_id
from app.views.related import RelatedChoicesMixin, RelatedInfoApiMixin
from app.views.schemas import Amount, Code, RelatedId, Time
from app.views.search import page_argument
from app.views.story import story

# A worker writes an export of up to EXPORT_LIMIT rows well within this.
EXPORT_JOB_SECONDS = 600

LABELS = {
    "id": _("ID"),
    "number": _("Number"),
    "channel": _("Channel"),
    "source": _("Escalation source"),
    "escalated": _("Escalated"),
    "category": _("Category"),
    "topic": _("Topic"),
    "summary": _("Summary"),
    "customer_phone": _("Customer phone"),
    "customer_prepaid": _("Prepaid (IN) customer"),
    "customer_value": _("Customer value"),
    "received_at": _("Received at"),
    "receiver": _("Receiver"),
    "receiving_department": _("Receiving department"),
    "responsible_department": _("Responsible department"),
    "disputed_amount": _("Disputed amount (yuan)"),
    "cause": _("Cause"),
    "severity": _("Severity"),
    "major_type": _("Major complaint type"),
    "media_level": _("Media level"),
    "media_status": _("Media status"),
    "hall_impact": _("Service hall impact"),
    "lawsuit": _("Customer has sued"),
    "joint_complainants": _("Joint complainants"),
    "conflict_calmed": _("Customer calmed"),
    "conflict_police_called": _("Police (110) called"),
    "conflict_superior_informed": _("Superior informed"),
    "conflict_party_reported": _("Reported to Party & Public Affairs"),
    "conflict_group_formed": _("Temporary group formed"),
    "temporary_plan": _("Temporary handling plan"),
    "temporary_plan_due": _("Temporary plan due"),
    "status": _("Status"),
    "is_repeat": _("Repeat complaint"),
    "repeat_of": _("Repeat of"),
    "first_reply_due": _("First contact due"),
    "resolve_due": _("Result due"),
    "created_on": _("Created"),
    "changed_on": _("Changed"),
}

WRITABLE = [
    "channel",
    "source",
    "category",
    "topic",
    "summary",
    "customer_phone",
    "customer_prepaid",
    "customer_value",
    "received_at",
    "responsible_department",
    "disputed_amount",
    "cause",
    "severity",
    "major_type",
    "media_level",
    "media_status",
    "hall_impact",
    "lawsuit",
    "joint_complainants",
    *CONFLICT_CHECKLIST,
    "temporary_plan",
]

# The timeline names an edit by the labels of these fields, by column: the ones people change.
EDITED_FIELD_LABELS = {
    (f"{field}_id" if f"{field}_id" in Complaint.__table__.columns else field): LABELS[field] for field in WRITABLE
}

# Fields of major complaints only: the form shows them when the severity is major.
MAJOR_FIELDS = ["major_type", "media_level", "media_status", "hall_impact", *CONFLICT_CHECKLIST, "temporary_plan"]

# The form's fields in the order of the call: who calls (the number first, beside their history),
# what about, how it came in; the first-contact side (首问), shown but set by the system; the assessment.
FORM_COLUMNS = [
    "customer_phone",
    "category",
    "topic",
    "summary",
    "channel",
    "source",
    "customer_value",
    "customer_prepaid",
    "received_at",
    "receiver",
    "receiving_department",
]
FORM_COLUMNS += [name for name in WRITABLE if name not in FORM_COLUMNS]


def _receiver(user) -> str:
    return person_name(user if user is not None else g.user)


def _receiving_department(department) -> str:
    if department is None:
        profile = getattr(g.user, "profile", None)
        department = profile.department if profile is not None else None
    return department.name if department is not None else ""


FORM_FIELDS = {
    "receiver": ShownField(LABELS["receiver"], _receiver),
    "receiving_department": ShownField(
        LABELS["receiving_department"],
        _receiving_department,
        description=_("The first-contact side: set when the complaint is recorded, never changed."),
    ),
    "customer_phone": CheckedTextField(
        LABELS["customer_phone"],
        policy.MOBILE_NUMBER,
        _("Give an 11-digit mainland mobile number, such as 13800138000."),
        input_mode="numeric",
        validators=[InputRequired()],
        render_kw={"autocomplete": "tel", "maxlength": 11, "autofocus": True},
    ),
    "channel": choice_field(LABELS["channel"], CHANNELS, required=True),
    "source": choice_field(
        LABELS["source"],
        ESCALATION_SOURCES,
        required=False,
        description=_("Set when an outside body forwarded the complaint: it is then escalated."),
    ),
    "customer_value": choice_field(LABELS["customer_value"], CUSTOMER_VALUES, required=True),
    "received_at": LocalDateTimeField(LABELS["received_at"], description=_("Local time; leave empty for now.")),
    "disputed_amount": AmountField(LABELS["disputed_amount"]),
    "cause": choice_field(LABELS["cause"], CAUSES, required=True),
    "severity": choice_field(LABELS["severity"], SEVERITIES, required=True),
    "major_type": choice_field(LABELS["major_type"], MAJOR_TYPES, required=False),
    "media_level": choice_field(LABELS["media_level"], MEDIA_LEVELS, required=False),
    "media_status": choice_field(LABELS["media_status"], MEDIA_STATUSES, required=False),
    "hall_impact": choice_field(LABELS["hall_impact"], HALL_IMPACTS, required=False),
    "customer_prepaid": BooleanField(LABELS["customer_prepaid"]),
    "lawsuit": BooleanField(LABELS["lawsuit"]),
    **{item: BooleanField(LABELS[item]) for item in CONFLICT_CHECKLIST},
    "joint_complainants": IntegerField(
        LABELS["joint_complainants"], default=1, validators=[InputRequired()], widget=NumberWidget()
    ),
}


class ComplaintPolicy:
    """What both doors do before saving a complaint."""

    def prepare(self, item: Complaint, new: bool) -> None:
        if new:
            viewer = current_viewer()
            # The category's deadlines from the process's copy (app.reference): no statement.
            category = item.category or reference.category(db.session, item.category_id)
            receipt = policy.receive(
                viewer.user_id if viewer else None,
                viewer.department_id if viewer else None,
                item.received_at,
                clock.now(),
                deadlines.limits_of(category),
            )
            item.receiver_id = receipt.receiver_id
            item.receiving_department_id = receipt.receiving_department_id
            item.received_at = receipt.received_at
            item.first_reply_due = receipt.first_reply_due
            item.resolve_due = receipt.resolve_due
        elif item.received_at is None:
            # An edit may not blank the received time.
            raise ValidationFailed({"received_at": _("This field is required.")})


def may_edit(pk) -> bool:
    """Whether the current user stands on the complaint's receiving side (only it edits)."""
    editable = select(Complaint.id).where(Complaint.id == int(pk), Complaint.editable_by(current_viewer()))
    return db.session.scalar(editable) is not None


NOT_EDITABLE = _("Only the receiving side edits a complaint; the department it is dispatched to answers the dispatch.")


# The related columns of the lists sort by the related row's name.
NAMES_OF_RELATED = {"category": "name", "receiving_department": "name", "responsible_department": "name"}


class ComplaintView(ComplaintPolicy, RelatedChoicesMixin, PolicyFormMixin, ModelView):
    """Complaints visible to me; each complaint's page tells its whole story and holds its actions."""

    route_base = "/complaints"
    datamodel = NameOrderedInterface(Complaint, by_name=NAMES_OF_RELATED)
    class_permission_name = COMPLAINT
    base_permissions = [*RESOURCE_PERMISSIONS[COMPLAINT]]
    base_filters = [["id", VisibleRows, None]]
    base_order = ("received_at", "desc")
    list_title = _("Complaints")
    show_title = _("Complaint")
    add_title = _("Record a complaint")
    edit_title = _("Edit complaint")
    label_columns = LABELS
    list_columns = [
        "number",
        "received_at",
        "channel",
        "category",
        "topic",
        "customer_phone",
        "receiving_department",
        "responsible_department",
        "status",
        "is_repeat",
    ]
    order_columns = [*list_columns]
    search_columns = [
        "number",
        "channel",
        "category",
        "topic",
        "customer_phone",
        "received_at",
        "receiving_department",
        "responsible_department",
        "status",
        "escalated",
        "severity",
        "is_repeat",
    ]
    show_fieldsets = [
        (
            _("Complaint"),
            {
                "fields": [
                    "number",
                    "status",
                    "channel",
                    "source",
                    "escalated",
                    "category",
                    "topic",
                    "summary",
                    "received_at",
                ]
            },
        ),
        (_("Customer"), {"fields": ["customer_phone", "customer_prepaid", "customer_value"]}),
        (
            _("Responsibility"),
            {
                "fields": [
                    "receiver",
                    "receiving_department",
                    "responsible_department",
                    "first_reply_due",
                    "resolve_due",
                ]
            },
        ),
        (
            _("Assessment"),
            {
                "fields": [
                    "disputed_amount",
                    "cause",
                    "severity",
                    "major_type",
                    "media_level",
                    "media_status",
                    "hall_impact",
                    "lawsuit",
                    "joint_complainants",
                ]
            },
        ),
    ]
    formatters_columns = {
        "responsible_department": or_blank,
        "disputed_amount": yuan,
        "escalated": yes_no,
        "is_repeat": yes_no,
        "customer_prepaid": yes_no,
        "lawsuit": yes_no,
        "received_at": clock.format_local,
        "first_reply_due": clock.format_local,
        "resolve_due": clock.format_local,
        "channel": lambda code: label(CHANNELS, code),
        "source": lambda code: label(ESCALATION_SOURCES, code),
        "customer_value": lambda code: label(CUSTOMER_VALUES, code),
        "cause": lambda code: label(CAUSES, code),
        "severity": lambda code: label(SEVERITIES, code),
        "major_type": lambda code: label(MAJOR_TYPES, code),
        "media_level": lambda code: label(MEDIA_LEVELS, code),
        "media_status": lambda code: label(MEDIA_STATUSES, code),
        "hall_impact": lambda code: label(HALL_IMPACTS, code),
        "status": lambda code: label(STATUSES, code),
    }
    add_template = "complaints/add.html"
    list_template = "complaints/list.html"
    list_widget = NumberLinkedListWidget
    add_columns = FORM_COLUMNS
    edit_columns = FORM_COLUMNS
    add_form_extra_fields = FORM_FIELDS
    edit_form_extra_fields = FORM_FIELDS
    validators_columns = {
        "topic": [InputRequired()],
        "summary": [InputRequired()],
        "disputed_amount": [Optional()],
    }

    @expose("/list/")
    @has_access
    def list(self):
        """The list under the filter panel; a filter that names nothing is refused (400), not ignored."""
        status = 200
        try:
            g.complaint_filters = complaint_filters.read(request.args)
        except complaint_filters.FilterInvalid as error:
            for message in error.messages:
                flash(message, "danger")
            g.complaint_filters, status = [], 400
        widgets = self._list()
        page = self.render_template(
            self.list_template,
            title=self.list_title,
            widgets=widgets,
            filter_panel=self._filter_panel(),
        )
        return page, status

    def _filter_panel(self) -> dict:
        args = request.args
        departments = complaint_filters.departments()
        choices = {"category": complaint_filters.categories()}
        return {
            "active": [(item, complaint_filters.without(args, item.argument)) for item in g.complaint_filters],
            "clear_all": complaint_filters.without(args, None),
            "kept": [(key, value) for key, value in args.items(multi=True) if key not in complaint_filters.ARGUMENTS],
            "codes": {
                argument: (complaint_filters.CODE_LABELS[argument], vocabulary)
                for argument, vocabulary in complaint_filters.CODES.items()
            },
            "related": {
                argument: (title, choices.get(argument, departments))
                for argument, (_column, title) in complaint_filters.RELATED.items()
            },
            "dates": complaint_filters.DATES,
            "args": args,
        }

    def _get_list_widget(self, filters, **kwargs):
        complaint_filters.apply(filters, g.get("complaint_filters", []))
        return super()._get_list_widget(filters=filters, **kwargs)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        widget = self._add()
        if not widget:
            return self.post_add_redirect()
        return self.render_template(
            self.add_template,
            title=self.add_title,
            widgets=widget,
            major_fields=MAJOR_FIELDS,
            repeat_days=repeats.REPEAT_WITHIN.days,
        )

    def _init_forms(self):
        super()._init_forms()
        # No category is chosen for the agent: one left as it came would be saved without a word.
        for form in (self.add_form, self.edit_form):
            form.category.kwargs.update(allow_blank=True, blank_text="—")

    def saved_message(self, item: Complaint, new: bool) -> str:
        if new:
            # The number is what the agent reads to the customer: say it, then open the complaint.
            g.added_complaint_id = item.id
            return str(_("Complaint recorded: number %(number)s.", number=item.number))
        return super().saved_message(item, new)

    def post_add_redirect(self):
        added = g.get("added_complaint_id")
        if added is not None:
            return redirect(url_for("ComplaintView.show", pk=added))
        return super().post_add_redirect()

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        departments = db.session.scalars(select(Department).order_by(Department.code)).all()
        checklist = [(name, LABELS[name]) for name in CONFLICT_CHECKLIST]
        # The earlier complaint is linked only for those who may open it.
        earlier = select(Complaint.id).where(Complaint.id == item.repeat_of_id, Complaint.visible_to(current_viewer()))
        repeat_visible = item.repeat_of_id is not None and db.session.scalar(earlier) is not None
        return self.render_template(
            "complaints/show.html",
            title=item.number,
            departments=departments,
            checklist=checklist,
            history=history.customer_history(item.customer_phone, current_viewer(), clock.now(), exclude_id=item.id),
            repeat_visible=repeat_visible,
            may_edit=may_edit(item.id),
            **story(item, g.user, EDITED_FIELD_LABELS),
        )

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        if is_id(pk) and self.datamodel.get(pk, self._base_filters) is not None and not may_edit(pk):
            flash(str(NOT_EDITABLE), "danger")
            return redirect(url_for(f"{self.__class__.__name__}.show", pk=pk))
        return super().edit(pk)

    @expose("/export")
    @has_access
    @permission_name("list")
    def export(self):
        """This list, with its filters, as an Excel workbook: written here when short, else by a
        worker while a progress bar runs."""
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        try:
            complaint_filters.apply(self._filters, complaint_filters.read(request.args))
        except complaint_filters.FilterInvalid as error:
            abort(400, description="; ".join(error.messages))
        filters = self._filters.get_joined_filters(self._base_filters)
        order_column, order_direction = self.base_order
        _count, rows = self.datamodel.query(
            filters, order_column, order_direction, page=0, page_size=export.EXPORT_LIMIT, select_columns=["id"]
        )
        ids = [row.id for row in rows]
        title = str(self.list_title)
        if len(ids) <= export.inline_rows():
            content = export.complaints_workbook(
                export.complaints_in_order(ids, current_viewer()), title, export.headers()
            )
            return export.download(content, export.filename())
        from workers import jobs

        try:
            job = queue.queue().enqueue(
                jobs.export_complaints,
                ids,
                g.user.id,
                title,
                str(get_locale()),
                meta={"user_id": g.user.id, "total": len(ids)},
                job_timeout=EXPORT_JOB_SECONDS,
            )
        except RedisError:
            flash(str(_("The export could not be started. Try again in a minute.")), "danger")
            return redirect(url_for(f"{type(self).__name__}.list"))
        return redirect(url_for(f"{type(self).__name__}.export_progress", job_id=job.id))

    def _export_job(self, job_id: str) -> Job:
        return export.own_job(job_id, "workers.jobs.export_complaints")

    @expose("/export/progress/<job_id>")
    @has_access
    @permission_name("list")
    def export_progress(self, job_id):
        job = self._export_job(job_id)
        return self.render_template(
            "complaints/export_progress.html",
            title=_("Export to Excel"),
            status_url=url_for(f"{type(self).__name__}.export_status", job_id=job.id),
            list_url=url_for(f"{type(self).__name__}.list"),
            total=job.meta.get("total", 0),
        )

    @expose("/export/status/<job_id>")
    @has_access
    @permission_name("list")
    def export_status(self, job_id):
        """The export's progress as JSON, for the progress bar; the download's address when done."""
        job = self._export_job(job_id)
        state = job.get_status().value
        done, total = job.meta.get("done", 0), job.meta.get("total", 0)
        download_url = None
        if state == "finished":
            message = str(_("%(count)s complaints written.", count=total))
            download_url = url_for(f"{type(self).__name__}.export_file", job_id=job.id)
        elif state == "failed":
            message = str(_("The export failed. Try again in a minute."))
        else:
            message = str(_("%(done)s of %(total)s rows written …", done=done, total=total))
        return jsonify(state=state, done=done, total=total, message=message, download_url=download_url)

    @expose("/export/file/<job_id>")
    @has_access
    @permission_name("list")
    def export_file(self, job_id):
        job = self._export_job(job_id)
        content = queue.connection().get(export.FILE_KEY.format(job_id=job.id))
        if content is None:
            abort(404)
        return export.download(content, export.filename())

    @expose("/act/<int:pk>/<action>", methods=["POST"])
    @has_access
    @permission_name("act")
    def act(self, pk, action):
        if action not in actions.ACTIONS:
            abort(404)
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        data = {key: value for key, value in request.form.items() if key not in ("csrf_token", "go") and value != ""}
        if data.get("department", "").isdigit():  # a form sends the chosen department's id as text
            data["department"] = int(data["department"])
        try:
            actions.perform(item, action, actions.parse(action, data))
        except PolicyError as error:
            flash_policy_error(error)
        else:
            flash(str(_("Done: %(status)s.", status=label(STATUSES, item.status))), "success")
        return redirect(url_for("ComplaintView.show", pk=pk))


class MyComplaintsView(ComplaintView):
    route_base = "/complaints/mine"
    list_title = _("My complaints")
    base_filters = [["id", VisibleRows, None], ["id", ReceivedByMe, None]]


class QueueListWidget(ListWidget):
    template = "complaints/queue_widget.html"


class DepartmentQueueView(ComplaintView):
    """派给本部门的投诉: the department answers here (on each complaint's page); it neither adds nor edits."""

    route_base = "/complaints/dispatched"
    list_title = _("Dispatched to my department")
    list_widget = QueueListWidget
    base_filters = [["id", VisibleRows, None], ["id", DispatchedToMyDepartment, None]]
    base_order = ("received_at", "desc")
    list_columns = [*ComplaintView.list_columns, "reply_due"]
    label_columns = {**LABELS, "reply_due": _("Reply due")}
    formatters_columns = {**ComplaintView.formatters_columns, "reply_due": clock.format_local}


class OverdueComplaintsView(ComplaintView):
    route_base = "/complaints/overdue"
    list_title = _("Overdue complaints")
    base_filters = [["id", VisibleRows, None], ["id", Overdue, None]]
    base_order = ("resolve_due", "asc")


class MyOpenComplaintsView(ComplaintView):
    """The home page's "my open complaints", soonest due first."""

    route_base = "/complaints/mine/open"
    list_title = _("My open complaints")
    base_filters = [["id", VisibleRows, None], ["id", ReceivedByMe, None], ["id", OpenOnly, None]]
    base_order = ("resolve_due", "asc")


class MyOverdueComplaintsView(ComplaintView):
    """The home page's "my overdue complaints": those I received, past their deadline."""

    route_base = "/complaints/mine/overdue"
    list_title = _("My overdue complaints")
    base_filters = [["id", VisibleRows, None], ["id", ReceivedByMe, None], ["id", Overdue, None]]
    base_order = ("resolve_due", "asc")


class DepartmentOverdueView(ComplaintView):
    """The home page's "overdue dispatches of my department"."""

    route_base = "/complaints/dispatched/overdue"
    list_title = _("Dispatches to my department past their reply deadline")
    base_filters = [["id", VisibleRows, None], ["id", DispatchOverdueAtMyDepartment, None]]
    base_order = ("received_at", "asc")


class ComplaintInput(Schema):
    """Types only: what the values mean is the policy's business."""

    channel = Code()
    source = Code(allow_none=True)
    category_id = RelatedId(Category, data_key="category", allow_none=False)
    topic = fields.String()
    summary = fields.String()
    customer_phone = fields.String()
    customer_prepaid = fields.Boolean()
    customer_value = Code()
    received_at = Time(allow_none=True)
    responsible_department_id = RelatedId(Department, data_key="responsible_department")
    disputed_amount = Amount(allow_none=True)
    cause = Code()
    severity = Code()
    major_type = Code(allow_none=True)
    media_level = Code(allow_none=True)
    media_status = Code(allow_none=True)
    hall_impact = Code(allow_none=True)
    lawsuit = fields.Boolean()
    joint_complainants = fields.Integer(strict=True)
    conflict_calmed = fields.Boolean()
    conflict_police_called = fields.Boolean()
    conflict_superior_informed = fields.Boolean()
    conflict_party_reported = fields.Boolean()
    conflict_group_formed = fields.Boolean()
    temporary_plan = fields.String(allow_none=True)  # its length: the column's (app.policy.texts)


class ComplaintOutput(Schema):
    id = fields.Integer()
    number = fields.String()
    channel = fields.String()
    source = fields.String(allow_none=True)
    escalated = fields.Boolean()
    category = fields.Integer(attribute="category_id")
    topic = fields.String()
    summary = fields.String()
    customer_phone = fields.String()
    customer_prepaid = fields.Boolean()
    customer_value = fields.String()
    received_at = Time()
    receiver = fields.Integer(attribute="receiver_id")
    receiving_department = fields.Integer(attribute="receiving_department_id")
    responsible_department = fields.Integer(attribute="responsible_department_id")
    disputed_amount = Amount()
    cause = fields.String()
    severity = fields.String()
    major_type = fields.String(allow_none=True)
    media_level = fields.String(allow_none=True)
    media_status = fields.String(allow_none=True)
    hall_impact = fields.String(allow_none=True)
    lawsuit = fields.Boolean()
    joint_complainants = fields.Integer()
    conflict_calmed = fields.Boolean()
    conflict_police_called = fields.Boolean()
    conflict_superior_informed = fields.Boolean()
    conflict_party_reported = fields.Boolean()
    conflict_group_formed = fields.Boolean()
    temporary_plan = fields.String(allow_none=True)
    temporary_plan_due = Time()
    status = fields.String()
    incident = fields.Integer(attribute="incident_id")
    is_repeat = fields.Boolean()
    repeat_of = fields.Integer(attribute="repeat_of_id")
    leadership_criteria = fields.Function(lambda complaint: complaint.leadership_criteria_list)
    first_reply_due = Time()
    resolve_due = Time()
    created_on = Time()
    changed_on = Time()


class ComplaintApi(ComplaintPolicy, RelatedInfoApiMixin, PolicyApiMixin, ModelRestApi):
    resource_name = "complaint"
    datamodel = CappedCountInterface(Complaint)
    class_permission_name = COMPLAINT
    base_permissions = [*RESOURCE_PERMISSIONS[COMPLAINT]]
    method_permission_name = {
        **API_METHOD_PERMISSIONS,
        **{
            name: "act"
            for name in ("dispatch", "respond", "accept", "reply", "urge", "escalate", "resolve", "close", "reopen")
        },
        "suggest": "list",
        "history": "list",
        "search": "list",
        "import_file": "import",
    }
    include_route_methods = {
        "get",
        "get_list",
        "post",
        "put",
        "info",
        "suggest",
        "history",
        "search",
        "import_file",
        *("dispatch", "respond", "accept", "reply", "urge", "escalate", "resolve", "close", "reopen"),
    }
    base_filters = [["id", VisibleRows, None]]
    base_order = ("received_at", "desc")
    allow_browser_login = True
    input_schema = ComplaintInput()
    output_schema = ComplaintOutput()
    list_model_schema = output_schema
    show_model_schema = output_schema
    read_only = (
        "id",
        "number",
        "escalated",
        "receiver",
        "receiving_department",
        "status",
        "incident",
        "is_repeat",
        "repeat_of",
        "leadership_criteria",
        "first_reply_due",
        "resolve_due",
        "created_on",
        "changed_on",
    )
    list_columns = ["id", "number", "received_at", "status"]
    show_columns = list_columns
    order_columns = ["id", "number", "received_at", "created_on"]
    search_columns = [
        "number",
        "channel",
        "source",
        "escalated",
        "category",
        "customer_phone",
        "received_at",
        "receiver",
        "receiving_department",
        "responsible_department",
        "severity",
        "status",
        "incident_id",
        "is_repeat",
        "repeat_of_id",
    ]

    @expose("/suggest", methods=["GET"])
    @protect()
    @safe
    @permission_name("list")
    def suggest(self):
        """Topics and recent complaints like the one being typed: ``?category=<id>&topic=<text>``."""
        category = request.args.get("category", "")
        result = suggestions.suggest(
            int(category) if category.isdigit() else None, request.args.get("topic", "")[:200], current_viewer()
        )
        return self.response(200, **result)

    @expose("/history", methods=["GET"])
    @protect()
    @safe
    @permission_name("list")
    def history(self):
        """The customer's earlier complaints, refunds and callbacks: ``?phone=<11 digits>[&exclude=<id>]``.

        Lists only what the caller may open; ``hidden`` counts the others. With ``category=<id>``,
        ``will_repeat`` says whether a complaint saved now would be a repeat, and of which (``repeat_of``).
        """
        exclude, category = request.args.get("exclude", ""), request.args.get("category", "")
        result = history.customer_history(
            request.args.get("phone", "").strip(),
            current_viewer(),
            clock.now(),
            exclude_id=int(exclude) if is_id(exclude) else None,
            category_id=int(category) if is_id(category) else None,
        )
        return self.response(200, result=result)

    @expose("/search", methods=["GET"])
    @protect()
    @safe
    @permission_name("list")
    def search(self):
        """The search box: ``?text=<number, phone or text>&page=<n>``, newest first, among the visible rows.

        ``text``, not ``q``: throughout the API ``q`` is Rison, and a search text is not."""
        try:
            results = complaint_search.search(request.args.get("text", ""), current_viewer(), page_argument())
        except PolicyError as error:
            return self.policy_error_response(error)
        return self.response(
            200,
            count=min(results.found, search_policy.RESULT_LIMIT),
            more=results.more_than_limit,
            page=results.page,
            pages=results.pages,
            ids=[row.id for row in results.rows],
            pieces=list(results.pieces),
            result=[self.output_schema.dump(row) for row in results.rows],
        )

    @expose("/import", methods=["POST"])
    @protect()
    @safe
    @permission_name("import")
    def import_file(self):
        """Import the 10086 export (multipart ``file``, .csv or .xlsx) all or nothing; ``dry_run=1`` only checks.

        201 ``{"count", "ids"}``; 422 ``{"message": {"rows": {"<row>": {"<header>": message}}}}`` and nothing saved.
        """
        if not may_import(role.name for role in g.user.roles):
            return self.response(403, message=str(_("Room managers and above import complaints.")))
        file = request.files.get("file")
        if file is None or not file.filename:
            return self.response_400(message=str(_("Send the file as multipart form data, named file.")))
        try:
            rows, _ignored = imports.load(file.stream.read(imports.max_bytes() + 1), file.filename)
            if any(row.errors for row in rows):
                raise imports.RowsInvalid(rows)
            if request.form.get("dry_run") in ("1", "true"):
                return self.response(200, count=len(rows), ids=[])
            ids = imports.run(rows, g.user)
        except imports.RowsInvalid as error:
            return self.response_422(message={"rows": {str(line): errors for line, errors in error.rows.items()}})
        except PolicyError as error:
            return self.policy_error_response(error)
        return self.response(201, count=len(ids), ids=ids)

    def put_headless(self, pk):
        if is_id(pk) and self.datamodel.get(pk, self._base_filters) is not None and not may_edit(pk):
            return self.response(403, message=str(NOT_EDITABLE))
        return super().put_headless(pk)

    def _act(self, pk: int, action: str):
        return self.act_on(pk, lambda item, body: actions.perform(item, action, actions.parse(action, body)))

    @expose("/<int:pk>/dispatch", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def dispatch(self, pk):
        """Dispatch to the responsible department: ``{"department": id, "note": str}``."""
        return self._act(pk, "dispatch")

    @expose("/<int:pk>/respond", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def respond(self, pk):
        """The responsible department's response: ``{"text": str, "accept": bool}``; returning needs a reason."""
        return self._act(pk, "respond")

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def accept(self, pk):
        """受理: the responsible department takes the dispatch on: ``{"text": str}`` (optional)."""
        return self._act(pk, "accept")

    @expose("/<int:pk>/reply", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def reply(self, pk):
        """答复: facts found and a proposed solution, by the responsible department: ``{"text": str}``."""
        return self._act(pk, "reply")

    @expose("/<int:pk>/urge", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def urge(self, pk):
        """Urge the responsible department (receiving side): ``{"note": str}``."""
        return self._act(pk, "urge")

    @expose("/<int:pk>/escalate", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def escalate(self, pk):
        """Escalate a returned or overdue dispatch (receiving side): ``{"note": str}``."""
        return self._act(pk, "escalate")

    @expose("/<int:pk>/resolve", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def resolve(self, pk):
        """Record the result: ``{"text": str}``."""
        return self._act(pk, "resolve")

    @expose("/<int:pk>/close", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def close(self, pk):
        """Close with the customer callback (receiving side): ``{"callback": str, "note": str}``."""
        return self._act(pk, "close")

    @expose("/<int:pk>/reopen", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def reopen(self, pk):
        """Reopen a resolved or closed complaint (receiving side): ``{"note": str}``."""
        return self._act(pk, "reopen")
