"""Catching waves of same-content complaints on save (SPEC.md §3.5, §4).

``before_flush`` runs the rules for every new complaint: it joins the open
incident of its content, or opens one when a rule fires; and it works out the
§3.5 leadership criteria of every saved complaint. The alerts wait in the
session until ``after_flush``, when the rows have ids; each fires once per key.
"""

import functools
from datetime import timedelta

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import bindparam, func, select, text

from app import clock, reference, repeats, round_trip
from app.models import Complaint, Incident, StaffProfile
from app.policy import fast, leadership
from app.policy.roles import LEADERSHIP

_PENDING = "fast_handling_pending"
# An open incident's escalated complaints, read with a complaint joining it (``evaluate_new``)
# for ``evaluate_incident`` in the same flush, before any row is written.
_ESCALATED_IN_INCIDENT = "fast_handling_escalated_in_incident"


def _count(session, *criteria) -> int:
    return session.scalar(select(func.count()).select_from(Complaint).where(*criteria)) or 0


def _holders(session, department_id: int, position: str) -> list[int]:
    """Who holds ``position`` (班长, 营销经理) in the department."""
    return list(
        session.scalars(
            select(StaffProfile.user_id).where(
                StaffProfile.department_id == department_id, StaffProfile.position == position
            )
        )
    )


def leadership_ids(session) -> list[int]:
    return list(
        session.scalars(
            select(User.id).join(User.roles).where(Role.name == LEADERSHIP, User.active.is_(True)).order_by(User.id)
        )
    )


def _later(session, **item) -> None:
    """An alert for ``after_flush``: its ``key`` is a callable, read once the rows have ids."""
    session.info.setdefault(_PENDING, []).append(item)


def _window(complaint: Complaint, window) -> list:
    return [
        Complaint.signature == complaint.signature,
        Complaint.received_at >= window.start,
        Complaint.received_at < window.end,
    ]


def _open(session, complaint: Complaint, rule: str, earlier: list, volume: int) -> Incident:
    """A new incident holding this complaint and the earlier ones its rule counted."""
    incident = Incident(
        signature=complaint.signature,
        rule=rule,
        topic=complaint.topic,
        discovered_at=clock.now(),
        status="open",
        volume=volume,
    )
    incident.next_progress_at = fast.progress_due(incident.discovered_at, 0)
    session.add(incident)
    complaint.incident = incident
    for counted in session.scalars(select(Complaint).where(*earlier, Complaint.incident_id.is_(None))):
        counted.incident = incident
    return incident


def _escalated_since():
    """§3.5 rule 6, criterion 6 outside an incident: escalated complaints count from this time on."""
    return clock.now() - timedelta(days=leadership.ESCALATED_WITHIN_DAYS)


def _escalated_recently(complaint: Complaint) -> list:
    """The escalated complaints of the same content lately (``_escalated_since``)."""
    return [
        Complaint.signature == complaint.signature,
        Complaint.escalated.is_(True),
        Complaint.received_at >= _escalated_since(),
    ]


@functools.cache
def _receipt_statement(hotline: bool, hall: bool, repeat: bool, numbering=None):
    """Everything the rules read of a complaint being received, in one statement of indexed
    lookups: the open incident's id, the counts of rules 1 and 2 (those that apply), the
    escalated complaints in the open incident and lately (rule 6), and the earlier complaint
    it repeats (app.repeats). Built once per shape; the values are bound parameters."""
    signature = bindparam("signature")
    incident_id = (
        select(Incident.id)
        .where(Incident.signature == signature, Incident.status != "resolved")
        .order_by(Incident.id)
        .limit(1)
        .scalar_subquery()
    )

    def count(*criteria):
        return select(func.count()).select_from(Complaint).where(Complaint.signature == signature, *criteria)

    def within(start: str, end: str) -> list:
        return [Complaint.received_at >= bindparam(start), Complaint.received_at < bindparam(end)]

    escalated = Complaint.escalated.is_(True)
    columns = {
        "incident_id": incident_id,
        "escalated_in_incident": count(escalated, Complaint.incident_id == incident_id),
        # The same without the signature, as evaluate_incident counts them.
        "escalated_of_incident": select(func.count())
        .select_from(Complaint)
        .where(escalated, Complaint.incident_id == incident_id),
        "escalated_recently": count(escalated, Complaint.received_at >= bindparam("escalated_since")),
    }
    if hotline:
        columns["shift"] = count(*within("shift_start", "shift_end"), Complaint.receiver_id == bindparam("receiver"))
    if hall:
        columns["hall"] = count(
            *within("hall_start", "hall_end"), Complaint.receiving_department_id == bindparam("department")
        )
    if repeat:
        columns["repeat_of"] = repeats.earlier_select(
            bindparam("phone"), bindparam("category"), bindparam("repeat_since"), bindparam("received_at")
        )
    if numbering is not None:
        columns["sequence"] = select(numbering.c.value)
    return select(
        *(
            column.scalar_subquery().label(name) if name != "incident_id" else column.label(name)
            for name, column in columns.items()
        )
    )


# Complaints of one content are judged one transaction at a time. Two receipts of the same
# content at the same instant would each count the other's row as missing and each open an
# incident and fire its alert. On PostgreSQL a transaction-scoped advisory lock on the signature
# makes the second wait for the first to commit, and then see its incident: it is taken just
# before the facts are read, in the same round trip (app.round_trip), and the read, a statement
# of its own, sees what the first committed. SQLite runs one writer at a time, and the complaint
# number was written before. The partial unique index ``uq_incident_open_signature`` is the
# database's last word.
#
# The facts are a dozen indexed lookups whose plan does not depend on the values: PostgreSQL plans
# the statement once per connection instead of at every receipt (a plan costs about as much as the
# lookups). The setting is taken with the lock and given back after the facts are read.
_HOLD = select(
    func.pg_advisory_xact_lock(func.hashtext(bindparam("key"))),
    func.set_config("plan_cache_mode", "force_generic_plan", True),
)
_PLAN_AS_USUAL = text("SET LOCAL plan_cache_mode = DEFAULT")


def _receipt_facts(session, complaint: Complaint, shift, hall, numbering) -> dict:
    """The facts of ``_receipt_statement`` for ``complaint``, read under the lock of its content."""
    values = {
        "signature": complaint.signature,
        "escalated_since": _escalated_since(),
    }
    if shift is not None:
        values.update(shift_start=shift.start, shift_end=shift.end, receiver=complaint.receiver_id)
    if hall is not None:
        values.update(hall_start=hall.start, hall_end=hall.end, department=complaint.receiving_department_id)
    comparable = repeats.comparable(complaint) if complaint.id is None else None
    if comparable is not None:
        values.update(zip(("phone", "category", "repeat_since", "received_at"), comparable, strict=True))
    numbering_cte = None
    if numbering is not None:
        numbering_cte, numbering_values = numbering
        values.update(numbering_values)
    statement = _receipt_statement(shift is not None, hall is not None, comparable is not None, numbering_cte)
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return session.execute(statement, values).one()._asdict()
    _locked, facts, _reset = round_trip.first_rows(
        connection, (_HOLD, {"key": f"incident:{complaint.signature}"}), (statement, values), (_PLAN_AS_USUAL, {})
    )
    return facts


def evaluate_new(session, complaint: Complaint, numbering=None) -> tuple[int, int | None]:
    """§3.5 rules 1–2 for a complaint being received (its own row is not in the table yet),
    and its repeat link (app.repeats), read together.

    Returns the escalated complaints of the same content for rule 6 (``evaluate_leadership``),
    read in the same statement: those of the open incident it joins, else those of lately;
    and the day's counter when ``numbering`` (a data-modifying WITH and its values) is given
    to be counted on in that statement too (app.services.intake)."""
    zone = clock.local_zone()
    department_id = complaint.receiving_department_id
    shift = fast.shift_of(complaint.received_at, zone) if complaint.channel == "hotline_10086" else None
    is_hall = reference.department_kind(session, department_id) == "hall"
    hall = fast.hall_window(complaint.received_at, zone) if is_hall else None
    facts = _receipt_facts(session, complaint, shift, hall, numbering)
    sequence = facts.get("sequence")
    repeats.link(session, complaint, facts.get("repeat_of"))
    if facts["incident_id"] is not None:
        incident = session.get(Incident, facts["incident_id"])
        complaint.incident = incident
        session.info.setdefault(_ESCALATED_IN_INCIDENT, {})[incident.id] = facts["escalated_of_incident"]
        if incident.first_reply_at is None:  # rule 4 counts until the preliminary reply
            incident.volume += 1
            check_volume(session, incident)
        return facts["escalated_in_incident"], sequence
    # A new incident (rules 1–2) counts, as no incident does, the escalated complaints lately.
    if shift is not None:
        count = facts["shift"] + 1
        if fast.hotline_rule_fires(count):
            in_shift = _window(complaint, shift)
            mine = [*in_shift, Complaint.receiver_id == complaint.receiver_id]
            # The team leader's check of the others, done for him: the whole team's count.
            team = _count(session, *in_shift, Complaint.receiving_department_id == department_id) + 1
            incident = _open(session, complaint, "hotline_shift_3", mine, count)
            key = f"hotline_shift_3:{complaint.receiver_id}:{complaint.signature}:{shift.label}"
            _later(
                session,
                rule="hotline_shift_3",
                key=lambda: key,
                users=_holders(session, department_id, "team_leader"),
                complaint=complaint,
                incident=incident,
                count=team,
                message=f"同一班次同内容投诉:本人 {count} 宗,全班组 {team} 宗。",
            )
            return facts["escalated_recently"], sequence
    if hall is not None:
        count = facts["hall"] + 1
        if fast.hall_rule_fires(count):
            here = [*_window(complaint, hall), Complaint.receiving_department_id == department_id]
            # Every counter of the hall together; the alert names those involved.
            counters = set(
                session.scalars(select(User.username).join(Complaint, Complaint.receiver_id == User.id).where(*here))
            )
            counters.add(session.get(User, complaint.receiver_id).username)
            incident = _open(session, complaint, "hall_2days", here, count)
            key = f"hall_2days:{department_id}:{complaint.signature}:{hall.label}"
            _later(
                session,
                rule="hall_2days",
                key=lambda: key,
                users=_holders(session, department_id, "marketing_manager"),
                complaint=complaint,
                incident=incident,
                count=count,
                message=f"营业厅两天内同内容投诉 {count} 宗;受理人:{'、'.join(sorted(counters))}。",
            )
    return facts["escalated_recently"], sequence


def check_volume(session, incident: Incident) -> None:
    """§3.5 rule 4: > 50 to the department's manager, > 200 to its supervising leader, each once."""
    department = incident.responsible_department
    if department is None:  # not reported yet: checked again when it is
        return
    for rule in fast.volume_alerts(incident.volume):
        user = department.manager_id if rule == "volume_50" else department.supervising_leader_id
        _later(
            session,
            rule=rule,
            key=lambda rule=rule: f"{rule}:{incident.id}",
            users=[user],
            incident=incident,
            count=incident.volume,
            message=f"事件投诉量已达 {incident.volume} 宗。",
        )


def evaluate_leadership(session, complaint: Complaint, escalated: int | None = None) -> None:
    """§3.5 rule 6: the criteria that hold, recorded by number; each newly holding one reported once.

    ``escalated``: the escalated complaints of the same content already counted (``evaluate_new``)."""
    incident = complaint.incident
    if escalated is None and incident is not None and incident.id is not None:
        escalated = _count(
            session,
            Complaint.signature == complaint.signature,
            Complaint.escalated.is_(True),
            Complaint.incident_id == incident.id,
        )
    elif escalated is None:
        escalated = _count(session, *_escalated_recently(complaint))
    if complaint.escalated and complaint.id is None:
        escalated += 1
    holding = leadership.criteria(
        leadership.Facts(
            media_level=complaint.media_level,
            media_status=complaint.media_status,
            volume=incident.volume if incident is not None else 0,
            hall_impact=complaint.hall_impact,
            lawsuit=bool(complaint.lawsuit),
            joint_complainants=complaint.joint_complainants or 1,
            escalated_same_content=escalated,
        )
    )
    before = set(complaint.leadership_criteria_list) if complaint.leadership_criteria else set()
    complaint.leadership_criteria = ",".join(map(str, holding))
    for criterion in sorted(set(holding) - before):
        _later(
            session,
            rule="leadership_report",
            key=lambda criterion=criterion: f"leadership_report:complaint:{complaint.id}:{criterion}",
            users=leadership_ids(session),
            complaint=complaint,
            criterion=criterion,
            message=f"符合上报公司领导条件第 {criterion} 条。",
        )


def forget_reads(session) -> None:
    """Drop what a flush read for later in that flush (a flush that failed leaves it behind)."""
    session.info.pop(_ESCALATED_IN_INCIDENT, None)


def after_flush(session) -> None:
    """Raise the alerts of the rules evaluated before the flush, now that the rows have ids."""
    from app.alerts import raise_alert

    forget_reads(session)

    with session.no_autoflush:
        for item in session.info.pop(_PENDING, []):
            incident = item.get("incident")
            raise_alert(
                item["rule"],
                item["key"](),
                item["users"],
                complaint=item.get("complaint"),
                incident_id=incident.id if incident is not None else None,
                criterion=item.get("criterion"),
                message=item["message"],
                count=item.get("count"),
            )


def evaluate_incident(session, incident: Incident) -> None:
    """§3.5 rule 6 for an incident: its volume (criterion 2) and its escalated complaints (6)."""
    known = session.info.get(_ESCALATED_IN_INCIDENT, {}).pop(incident.id, None)
    if known is not None:
        escalated = known
    elif incident.id is not None:
        escalated = _count(session, Complaint.incident_id == incident.id, Complaint.escalated.is_(True))
    else:
        escalated = 0
    holding = [
        criterion
        for criterion in leadership.criteria(leadership.Facts(volume=incident.volume, escalated_same_content=escalated))
        if criterion in (2, 6)
    ]
    before = set(incident.leadership_criteria_list)
    incident.leadership_criteria = ",".join(map(str, sorted(before | set(holding))))
    for criterion in sorted(set(holding) - before):
        _later(
            session,
            rule="leadership_report",
            key=lambda criterion=criterion: f"leadership_report:incident:{incident.id}:{criterion}",
            users=leadership_ids(session),
            incident=incident,
            criterion=criterion,
            count=incident.volume,
            message=f"事件符合上报公司领导条件第 {criterion} 条。",
        )
