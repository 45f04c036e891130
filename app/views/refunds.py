"""Refund requests (the ``refund`` resource), the request form and the approvals inbox."""

from decimal import Decimal

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.api import protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _
from markupsafe import Markup
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from app import clock
from app.extensions import db
from app.models import Complaint, RefundRequest, RefundType
from app.models.org import person_name
from app.policy import Conflict, NotAllowed, PolicyError, ValidationFailed, authority
from app.policy import refunds as policy
from app.policy.authority import authority_of, levels_covered_by
from app.policy.vocabulary import CONSIDERATIONS, LIABILITIES, REFUND_LEVELS, REFUND_STATUSES, label
from app.security import API_METHOD_PERMISSIONS, REFUND, REFUND_INBOX, RESOURCE_PERMISSIONS, current_viewer
from app.services import refunds as service
from app.views.fields import AmountField, choice_field
from app.views.filters import VisibleRows
from app.views.formatting import or_blank, yuan
from app.views.lists import CappedCountInterface, complaint_link
from app.views.mixins import PolicyApiMixin, PolicyFormMixin, flash_policy_error
from app.views.related import RelatedInfoApiMixin, RelatedRowsViewMixin
from app.views.schemas import Amount, Code, RelatedId, Time

LABELS = {
    "complaint": _("Complaint"),
    "complaint_number": _("Complaint number"),
    "amount": _("Amount (yuan)"),
    "refund_type": _("Refund type"),
    "liability": _("Liability"),
    "considerations": _("Considerations"),
    "note": _("Note"),
    "status": _("Status"),
    "required_level": _("Decided at level"),
    "requested_by": _("Requested by"),
    "decided_by": _("Decided by"),
    "decided_at": _("Decided at"),
    "decision_note": _("Decision note"),
    "created_on": _("Requested at"),
    "id": _("Decide"),
}

FORMATTERS = {
    "complaint": complaint_link,
    "amount": yuan,
    "liability": lambda code: label(LIABILITIES, code),
    "considerations": lambda codes: "、".join(label(CONSIDERATIONS, code) for code in (codes or "").split(",") if code),
    "status": lambda code: label(REFUND_STATUSES, code),
    "required_level": lambda code: label(REFUND_LEVELS, code),
    "decided_at": clock.format_local,
    "created_on": clock.format_local,
    "requested_by": person_name,
    "decided_by": person_name,
    "decision_note": or_blank,
    "note": or_blank,
}


class RefundPolicy:
    """What both doors do before saving a request: who asks, and on which complaint."""

    def prepare(self, item: RefundRequest, new: bool) -> None:
        viewer = current_viewer()
        number = getattr(item, "complaint_number", None)
        if number:
            item.complaint_id = db.session.scalar(select(Complaint.id).where(Complaint.number == number.strip()))
        visible = item.complaint_id is not None and db.session.scalar(
            select(Complaint.id).where(Complaint.id == item.complaint_id, Complaint.visible_to(viewer))
        )
        if not visible:
            field = "complaint_number" if number is not None else "complaint"
            raise ValidationFailed({field: _("No such complaint among yours.")})
        if isinstance(item.considerations, list):
            item.considerations = ",".join(item.considerations)
        item.requested_by = g.user


class ConsiderationsField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


FORM_FIELDS = {
    "complaint_number": StringField(LABELS["complaint_number"], description=_("For example DG202611280001.")),
    "amount": AmountField(LABELS["amount"]),
    "liability": choice_field(LABELS["liability"], LIABILITIES, required=True),
    "considerations": ConsiderationsField(
        LABELS["considerations"],
        choices=list(CONSIDERATIONS.items()),
        description=_("Where the company is not at fault, give at least one, and explain in the note."),
    ),
    "note": TextAreaField(LABELS["note"]),
}


class RefundView(RefundPolicy, RelatedRowsViewMixin, PolicyFormMixin, ModelView):
    """Requests of my complaints: ask for a refund, follow its decision."""

    route_base = "/refunds"
    datamodel = CappedCountInterface(RefundRequest)
    class_permission_name = REFUND
    base_permissions = [*RESOURCE_PERMISSIONS[REFUND]]
    base_filters = [["id", VisibleRows, None]]
    base_order = ("created_on", "desc")
    list_title = _("Refund requests")
    show_title = _("Refund request")
    show_template = "refunds/show.html"
    add_title = _("Request a refund")
    label_columns = LABELS
    list_columns = ["complaint", "amount", "refund_type", "status", "required_level", "requested_by", "created_on"]
    show_columns = [
        "complaint",
        "amount",
        "refund_type",
        "liability",
        "considerations",
        "note",
        "status",
        "required_level",
        "requested_by",
        "created_on",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    add_columns = ["complaint_number", "amount", "refund_type", "liability", "considerations", "note"]
    add_form_extra_fields = FORM_FIELDS
    search_columns = ["status", "required_level", "refund_type", "created_on"]
    formatters_columns = FORMATTERS

    def _save_form(self, form, item, new: bool) -> bool:
        saved = super()._save_form(form, item, new)
        if saved and new:
            g.refund_requested = item.id
        return saved

    def post_add_redirect(self):
        """The requester sees at once whether the refund is approved or waits, and for whom."""
        refund = db.session.get(RefundRequest, g.pop("refund_requested", None) or 0)
        if refund is None:
            return super().post_add_redirect()
        if refund.status == policy.APPROVED:
            flash(str(_("Refund of %(amount)s approved: within your authority.", amount=yuan(refund.amount))), "info")
        else:
            flash(
                str(
                    _(
                        "Refund of %(amount)s pending: it needs a decision by %(level)s.",
                        amount=yuan(refund.amount),
                        level=label(REFUND_LEVELS, refund.required_level),
                    )
                ),
                "warning",
            )
        return redirect(url_for("RefundView.show", pk=refund.id))

    def prefill_add(self, form) -> None:
        number = request.args.get("complaint_number", "").strip()
        form.complaint_number.data = number
        if number and form.amount.data is None:
            # Most refunds give back what the customer disputed: start from that amount.
            disputed = db.session.scalar(
                select(Complaint.disputed_amount).where(
                    Complaint.number == number, Complaint.visible_to(current_viewer())
                )
            )
            form.amount.data = disputed


class DecidableByMe(VisibleRows):
    """Pending requests the current user may decide: within their authority and unit."""

    name = "Decidable by me"

    def apply(self, query, value):
        viewer = current_viewer()
        if viewer is None:
            return super().apply(query, value)
        levels = levels_covered_by(authority_of(viewer.role_names))
        query = query.filter(RefundRequest.status == policy.PENDING, RefundRequest.required_level.in_(levels))
        if viewer.sees_everything:
            return query
        in_unit = Complaint.receiving_department_id.in_(list(viewer.approval_department_ids))
        return query.filter(RefundRequest.complaint_id.in_(select(Complaint.id).where(in_unit)))


def decide_link(refund_id) -> Markup:
    return Markup('<a class="btn btn-sm btn-primary" href="{}">{}</a>').format(
        url_for("RefundInboxView.decide", pk=refund_id), _("Decide")
    )


class RefundInboxView(RelatedRowsViewMixin, ModelView):
    """The approvals inbox (审批): exactly the requests this manager may decide."""

    route_base = "/refund-inbox"
    datamodel = CappedCountInterface(RefundRequest)
    class_permission_name = REFUND_INBOX
    base_permissions = [*RESOURCE_PERMISSIONS[REFUND_INBOX]]
    base_filters = [["id", DecidableByMe, None]]
    base_order = ("created_on", "asc")
    list_title = _("Approvals inbox")
    label_columns = LABELS
    list_columns = [
        "id",
        "complaint",
        "amount",
        "refund_type",
        "liability",
        "required_level",
        "requested_by",
        "created_on",
    ]
    formatters_columns = {**FORMATTERS, "id": decide_link}
    search_columns = ["required_level", "refund_type", "created_on"]

    @expose("/decide/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("decide")
    def decide(self, pk):
        refund = self.datamodel.get(pk, self._base_filters)
        if refund is None:
            abort(404)
        if request.method == "POST":
            try:
                decide_and_save(refund, request.form.get("decision", ""), request.form.get("note"))
            except PolicyError as error:
                flash_policy_error(error)
            else:
                flash(str(label(REFUND_STATUSES, refund.status)), "success")
                return redirect(url_for("RefundInboxView.list"))
        return self.render_template(
            "refunds/decide.html",
            refund=refund,
            formatters=FORMATTERS,
            considerations=FORMATTERS["considerations"](refund.considerations),
            **approval_context(refund),
        )


# The customer's earlier refunds shown beside a request, newest first.
CUSTOMER_REFUNDS_SHOWN = 20


def approval_context(refund: RefundRequest) -> dict:
    """What a decider weighs: the complaint's refunds and running total, the customer's refunds
    on other complaints, and why the request needs this level (§2.5: the larger of the disputed
    amount and the running total)."""
    complaint = refund.complaint
    on_complaint = db.session.scalars(
        select(RefundRequest).where(RefundRequest.complaint_id == complaint.id).order_by(RefundRequest.id)
    ).all()
    counted = [row for row in on_complaint if row.status in (policy.APPROVED, policy.PENDING)]
    running_total = sum((row.amount for row in counted), Decimal("0.00"))
    basis = max(running_total, complaint.disputed_amount or Decimal("0.00"))
    customer = db.session.scalars(
        select(RefundRequest)
        .join(Complaint, Complaint.id == RefundRequest.complaint_id)
        .where(
            Complaint.customer_phone == complaint.customer_phone,
            RefundRequest.complaint_id != complaint.id,
            Complaint.visible_to(current_viewer()),
        )
        .order_by(RefundRequest.id.desc())
        .limit(CUSTOMER_REFUNDS_SHOWN)
    ).all()
    why = _(
        "The larger of the disputed amount (%(disputed)s) and the complaint's running total (%(total)s) is "
        "%(basis)s: %(level)s decides up to %(limit)s.",
        disputed=yuan(complaint.disputed_amount or Decimal("0.00")),
        total=yuan(running_total),
        basis=yuan(basis),
        level=label(REFUND_LEVELS, refund.required_level),
        limit=yuan(LEVEL_LIMITS[refund.required_level]) if LEVEL_LIMITS[refund.required_level] else "—",
    )
    return {"complaint_refunds": on_complaint, "running_total": running_total, "customer_refunds": customer, "why": why}


LEVEL_LIMITS = {
    authority.FRONTLINE: authority.FRONTLINE_LIMIT,
    authority.ROOM_MANAGER: authority.ROOM_MANAGER_LIMIT,
    authority.CENTER_MANAGER: authority.CENTER_MANAGER_LIMIT,
    authority.LEADERSHIP: None,
}


def decide_and_save(refund: RefundRequest, decision: str, note: str | None) -> None:
    """One decision, saved, or a PolicyError with nothing saved (409 if someone decided first)."""
    try:
        service.decide(db.session, refund, g.user, decision, note, clock.now())
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        # 小额赠费监控: an approval the running total put beyond the user is kept for the audit.
        if decision == "approve":
            service.record_refused_decision(refund.id, g.user)
        raise
    except PolicyError:
        db.session.rollback()
        raise
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("This request has already been decided.")) from None


class RefundInput(Schema):
    complaint_id = RelatedId(Complaint, data_key="complaint", allow_none=False)
    amount = Amount(allow_none=True)
    refund_type_id = RelatedId(RefundType, data_key="refund_type", allow_none=False)
    liability = Code(allow_none=True)
    considerations = fields.List(fields.String(), load_default=list)
    note = fields.String(allow_none=True)


class RefundOutput(Schema):
    id = fields.Integer()
    complaint = fields.Integer(attribute="complaint_id")
    amount = Amount()
    refund_type = fields.Integer(attribute="refund_type_id")
    liability = fields.String()
    considerations = fields.Function(lambda refund: refund.considerations_list)
    note = fields.String(allow_none=True)
    status = fields.String()
    required_level = fields.String()
    requested_by = fields.Integer(attribute="requested_by_id")
    decided_by = fields.Integer(attribute="decided_by_id")
    decided_at = Time()
    decision_note = fields.String(allow_none=True)
    created_on = Time()


class DecisionInput(Schema):
    decision = fields.String(required=True)
    note = fields.String(allow_none=True, load_default=None)


class RefundApi(RefundPolicy, RelatedInfoApiMixin, PolicyApiMixin, ModelRestApi):
    resource_name = "refund"
    datamodel = CappedCountInterface(RefundRequest)
    class_permission_name = REFUND
    base_permissions = [*RESOURCE_PERMISSIONS[REFUND]]
    method_permission_name = {**API_METHOD_PERMISSIONS, "decide": "decide"}
    include_route_methods = {"get", "get_list", "post", "info", "decide"}
    base_filters = [["id", VisibleRows, None]]
    base_order = ("created_on", "desc")
    allow_browser_login = True
    input_schema = RefundInput()
    output_schema = RefundOutput()
    list_model_schema = show_model_schema = output_schema
    read_only = ("id", "status", "required_level", "requested_by", "decided_by", "decided_at", "decision_note")
    list_columns = ["id", "complaint_id", "amount", "status", "required_level", "created_on"]
    show_columns = list_columns
    order_columns = ["id", "amount", "created_on"]
    search_columns = ["complaint", "status", "required_level", "refund_type", "requested_by", "decided_by"]

    @expose("/<int:pk>/decide", methods=["POST"])
    @protect()
    @safe
    @permission_name("decide")
    def decide(self, pk):
        """Approve or reject a pending request.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    decision: {type: string, enum: [approve, reject]}
                    note: {type: string}
          responses:
            200: {description: The decided request}
            403: {description: Beyond the caller's authority}
            404: {description: Not found or not visible}
            409: {description: Already decided}
        """
        refund = self.datamodel.get(pk, self._base_filters)
        if refund is None:
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=str(_("Send a JSON object.")))
        try:
            values = DecisionInput().load(body)
        except ValidationError as error:
            return self.response_422(message=error.messages)
        try:
            decide_and_save(refund, values["decision"], values["note"])
        except PolicyError as error:
            return self.policy_error_response(error)
        return self.response(200, result=self.output_schema.dump(refund))
