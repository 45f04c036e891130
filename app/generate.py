"""Realistic complaints in bulk, for trials and benchmarks (`flask --app run complaints generate`).

The rows are written with SQLAlchemy Core (PostgreSQL: ``COPY``), not through the
session, so the policy hooks and the audit listener do not run: the generator
writes what they would have written instead. Each complaint gets a valid number
of its local day (continuing the day's ``NumberSequence``), its signature, its
deadlines, a status that fits its age, and the timeline, dispatch and refund that
status implies. Waves of same-content complaints come as incidents opened by the
§3.5 rule that would have fired, holding their complaints. Background topics name
the customer's street as well as the fault, so they rarely form waves of their own.
Open complaints look as if the periodic scan had run until now: progress mails
counted, overdue dispatches flagged. No audit rows, alerts or outbox rows are
written (they follow the live work, not the history).

Ids are given by the generator (the next free ones) and PostgreSQL's sequences
are moved past them: run it while nobody records complaints.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import func, select, text

from app import clock
from app.extensions import db
from app.models import (
    Category,
    Complaint,
    ComplaintEvent,
    Department,
    Dispatch,
    Incident,
    NumberSequence,
    RefundRequest,
    RefundType,
    StaffProfile,
)
from app.policy import authority, deadlines, fast, leadership
from app.policy import complaints as policy
from app.policy.flow import CLOSED, DISPATCHED, IN_PROGRESS, RECEIVED, REPLIED, RESOLVED

# Complaints a day at most: the number's daily sequence has four digits.
PER_DAY = 4000
MIN_DAYS = 30
# Complaints of the last days are mostly still open; older ones mostly closed.
RECENT_DAYS = 3
RECENT_OPEN_SHARE = 0.8
BATCH = 5000

CHANNELS = [
    ("hotline_10086", 70),
    ("service_hall", 15),
    ("website", 6),
    ("email", 3),
    ("letter", 2),
    ("visit", 4),
]
ESCALATION_SOURCES = ["miit", "group_hq", "provincial_ca", "provincial_company", "consumer_association", "media"]
ESCALATED_SHARE = 0.03
CUSTOMER_VALUES = [("normal", 70), ("silver", 18), ("gold", 9), ("diamond", 3)]
CAUSES = [("individual", 40), ("unknown", 35), ("product_defect", 10), ("service_defect", 10), ("system_defect", 5)]
OPEN_STATUSES = [(RECEIVED, 30), (DISPATCHED, 40), (IN_PROGRESS, 15), (REPLIED, 15)]
CALLBACKS = [("satisfied", 70), ("basically_satisfied", 22), ("dissatisfied", 8)]
DISPATCH_SHARE = 0.6
LATE_REPLY_SHARE = 0.1
REFUND_SHARE = 0.05
MAJOR_SHARE = 0.005
# A wave of same-content complaints starts on this share of days (per rule), with this many complaints.
WAVE_DAY_SHARE = 0.3
WAVE_SIZE = (3, 80)

ISSUES = {
    "network_coverage": ["家中室内无信号", "地下停车场无信号", "小区信号弱", "办公室信号时有时无"],
    "call_quality": ["通话断断续续", "通话有杂音", "经常掉话", "对方听不到声音"],
    "mobile_data": ["4G网速慢", "5G频繁切换4G", "无法上网", "流量用得太快"],
    "bill_dispute": ["话费突然增多", "重复扣费", "国际漫游费用异常", "套餐外费用有争议"],
    "tariff": ["套餐变更未生效", "资费与宣传不符", "流量包未到账", "合约到期资费上涨"],
    "value_added": ["梦网业务被扣费", "未定制SP业务扣费", "彩铃业务扣费", "手机报扣费"],
    "promotion": ["营销活动礼品未赠送", "充值送话费未到账", "积分兑换未到账", "预存返还未到账"],
    "transaction": ["补卡手续繁琐", "过户办理失败", "携号转网受阻", "停机保号未办理"],
    "topup": ["充值未到账", "智能网余额不准", "充值卡无法使用", "自动充值失败"],
    "hall_service": ["营业员态度差", "排队时间太长", "业务办理出错", "营业厅提前关门"],
    "hotline_service": ["10086无法接通", "客服答复不一致", "承诺回电未回电", "人工服务等待太久"],
    "group_customer": ["集团专线中断", "集团短信发不出去", "集团V网资费有误", "集团业务开通延误"],
    "handset_sim": ["SIM卡无法识别", "定制手机故障", "换卡后无法使用", "手机无法注册网络"],
    "other": ["垃圾短信骚扰", "个人信息泄露", "骚扰电话频繁", "其他问题"],
}
TOWNS = ["莞城", "南城", "东城", "万江", "长安", "虎门", "常平", "塘厦", "厚街", "寮步", "大朗", "凤岗"]
STREETS = ["东路", "西路", "南路", "北路", "大道", "新村", "花园", "广场", "工业区", "社区"]


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _weight in choices], [weight for _value, weight in choices])[0]


@dataclass
class Staff:
    user_id: int
    department_id: int


@dataclass
class Reference:
    """What the rows refer to: catalogues, departments and the staff who receive and decide."""

    categories: list  # (id, code, Limits)
    hotline: list[Staff]
    halls: list[Staff]
    responsible: list[int]
    refund_types: list  # (id, frontline_eligible)
    deciders: dict[str, int]  # level → a user id of that authority

    @classmethod
    def load(cls, session) -> Reference:
        categories = [
            (category.id, category.code, deadlines.limits_of(category))
            for category in session.scalars(select(Category).order_by(Category.id))
        ]
        staff = session.execute(
            select(StaffProfile.user_id, StaffProfile.department_id, Department.kind)
            .join(Department, Department.id == StaffProfile.department_id)
            .join(User, User.id == StaffProfile.user_id)
            .where(User.active.is_(True))
            .order_by(StaffProfile.user_id)
        ).all()
        hotline = [Staff(user, department) for user, department, kind in staff if kind == "team"]
        halls = [Staff(user, department) for user, department, kind in staff if kind == "hall"]
        everyone = [Staff(user, department) for user, department, _kind in staff]
        responsible = list(
            session.scalars(
                select(Department.id).where(Department.kind.in_(("center", "room", "department", "branch")))
            )
        )
        refund_types = session.execute(select(RefundType.id, RefundType.frontline_eligible)).all()
        deciders = {}
        for user_id, role in session.execute(
            select(User.id, Role.name).join(User.roles).where(User.active.is_(True)).order_by(User.id)
        ):
            level = authority.authority_of([role])
            if level is not None:
                deciders.setdefault(level, user_id)
        if not categories or not everyone:
            raise RuntimeError("Seed the organisation and catalogues first: flask --app run complaints demo")
        return cls(
            categories=categories,
            hotline=hotline or everyone,
            halls=halls or hotline or everyone,
            responsible=responsible,
            refund_types=list(refund_types),
            deciders=deciders,
        )


class Ids:
    """The next free id of each table (ids are given here, not by the database)."""

    TABLES = (Complaint, Dispatch, ComplaintEvent, RefundRequest, Incident)

    def __init__(self, session):
        self.next = {
            model.__tablename__: (session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1
            for model in self.TABLES
        }

    def take(self, model) -> int:
        value = self.next[model.__tablename__]
        self.next[model.__tablename__] = value + 1
        return value


class Writer:
    """Rows collected per table and written in batches: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, session):
        self.session = session
        self.connection = session.connection()
        self.postgresql = self.connection.dialect.name == "postgresql"
        self.rows: dict[str, list[dict]] = {}
        self.tables = {model.__tablename__: model.__table__ for model in Ids.TABLES}

    def add(self, model, row: dict) -> None:
        rows = self.rows.setdefault(model.__tablename__, [])
        rows.append(row)
        if model is Complaint and len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Every table, parents first: complaints refer to incidents, the others to complaints."""
        for name in ("incident", "complaint", "dispatch", "complaint_event", "refund"):
            rows = self.rows.pop(name, [])
            if rows:
                self._write(self.tables[name], rows)

    def _write(self, table, rows: list[dict]) -> None:
        columns = list(rows[0])
        if not self.postgresql:
            self.connection.execute(table.insert(), rows)
            return
        cursor = self.connection.connection.driver_connection.cursor()
        names = ", ".join(f'"{column}"' for column in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])


def _days(count: int, now: datetime) -> list[date]:
    """The local days the complaints fall on, oldest first, ending yesterday."""
    span = max(MIN_DAYS, math.ceil(count / PER_DAY))
    today = clock.to_local(now).date()
    return [today - timedelta(days=offset) for offset in range(span, 0, -1)]


def _spread(count: int, days: int) -> list[int]:
    base, extra = divmod(count, days)
    return [base + (1 if index < extra else 0) for index in range(days)]


class Generator:
    def __init__(self, session, count: int, *, seed: int = 8, open_share: float = 0.1, now: datetime | None = None):
        self.session = session
        self.count = count
        self.rng = random.Random(seed)
        self.now = now or clock.now()
        self.zone = clock.local_zone()
        self.ref = Reference.load(session)
        self.ids = Ids(session)
        self.writer = Writer(session)
        self.days = _days(count, self.now)
        recent = min(count, count * RECENT_DAYS // len(self.days))
        self.recent_since = self.days[-RECENT_DAYS] if len(self.days) >= RECENT_DAYS else self.days[0]
        older = max(count - recent, 1)
        self.old_open_share = max(0.0, min(1.0, (open_share * count - RECENT_OPEN_SHARE * recent) / older))
        self.open_share = open_share
        self.sequences: dict[str, int] = {}
        self.made = {"complaints": 0, "dispatches": 0, "events": 0, "refunds": 0, "incidents": 0}

    # -- one complaint -----------------------------------------------------------------

    def _staff_for(self, channel: str) -> Staff:
        pool = self.ref.halls if channel in ("service_hall", "visit") else self.ref.hotline
        return self.rng.choice(pool)

    def _number(self, local_day: date) -> str:
        key = f"complaint:{local_day:%Y%m%d}"
        if key not in self.sequences:
            self.sequences[key] = (
                self.session.scalar(select(NumberSequence.value).where(NumberSequence.name == key)) or 0
            )
        self.sequences[key] += 1
        return policy.number(local_day, self.sequences[key])

    def _topic(self, code: str) -> str:
        rng = self.rng
        street = f"{rng.choice(TOWNS)}{rng.choice(STREETS)}{rng.randint(1, 300)}号"
        return f"{street}{rng.choice(ISSUES.get(code, ISSUES['other']))}"

    def _is_open(self, local_day: date) -> bool:
        share = RECENT_OPEN_SHARE if local_day >= self.recent_since else self.old_open_share
        return self.rng.random() < share

    def complaint(
        self,
        received_at: datetime,
        *,
        category=None,
        topic: str | None = None,
        channel: str | None = None,
        staff: Staff | None = None,
        incident_id: int | None = None,
        volume: int = 0,
        is_open: bool | None = None,
    ) -> int:
        rng = self.rng
        category_id, code, limits = category or rng.choice(self.ref.categories)
        channel = channel or _weighted(rng, CHANNELS)
        staff = staff or self._staff_for(channel)
        topic = topic or self._topic(code)
        local_day = received_at.astimezone(self.zone).date()
        source = rng.choice(ESCALATION_SOURCES) if rng.random() < ESCALATED_SHARE else None
        severity = "major" if rng.random() < MAJOR_SHARE else "normal"
        cause = _weighted(rng, CAUSES)
        lawsuit = rng.random() < 0.001
        joint = rng.choice((4, 5, 8)) if rng.random() < 0.002 else 1
        criteria = leadership.criteria(leadership.Facts(volume=volume, lawsuit=lawsuit, joint_complainants=joint))
        is_open = self._is_open(local_day) if is_open is None else is_open
        status = _weighted(rng, OPEN_STATUSES) if is_open else (CLOSED if rng.random() < 0.9 else RESOLVED)
        complaint_id = self.ids.take(Complaint)
        dispatched = status in (DISPATCHED, IN_PROGRESS, REPLIED) or (
            status in (RESOLVED, CLOSED) and rng.random() < DISPATCH_SHARE
        )
        responsible = rng.choice(self.ref.responsible) if dispatched and self.ref.responsible else None
        events = []
        next_due_at = None
        if responsible is not None:
            next_due_at = self._dispatch(complaint_id, staff, responsible, received_at, status, limits, events)
        resolved_at = closed_at = callback = None
        if status in (RESOLVED, CLOSED):
            resolved_at = received_at + timedelta(hours=rng.uniform(2, 60))
            events.append(("resolve", staff.user_id, None, resolved_at))
            if status == CLOSED:
                closed_at = resolved_at + timedelta(hours=rng.uniform(1, 24))
                callback = _weighted(rng, CALLBACKS)
                events.append(("close", staff.user_id, None, closed_at))
        progress_sent, next_progress_at = 0, None
        if status not in (RESOLVED, CLOSED):
            next_progress_at = fast.progress_due(received_at, 0)
            while next_progress_at <= self.now:  # the scans until now sent these
                progress_sent += 1
                next_progress_at = fast.progress_due(received_at, progress_sent)
        temporary_plan_due = None
        if fast.needs_temporary_plan(severity, cause):
            temporary_plan_due = received_at + fast.TEMPORARY_PLAN_WITHIN
        self.writer.add(
            Complaint,
            {
                "id": complaint_id,
                "number": self._number(local_day),
                "channel": channel,
                "source": source,
                "escalated": policy.is_escalated(source),
                "category_id": category_id,
                "topic": topic,
                "signature": fast.signature(category_id, topic),
                "summary": f"客户反映{topic},要求尽快处理并给予答复。",
                "customer_phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                "customer_prepaid": rng.random() < 0.3,
                "customer_value": _weighted(rng, CUSTOMER_VALUES),
                "received_at": received_at,
                "receiver_id": staff.user_id,
                "receiving_department_id": staff.department_id,
                "responsible_department_id": responsible,
                "disputed_amount": Decimal(rng.randint(1, 50000)) / 100 if code == "bill_dispute" else None,
                "cause": cause,
                "severity": severity,
                "major_type": "general" if severity == "major" else None,
                "lawsuit": lawsuit,
                "joint_complainants": joint,
                "status": status,
                "incident_id": incident_id,
                "temporary_plan": "临时处理方案已制定。" if temporary_plan_due else None,
                "temporary_plan_at": temporary_plan_due - timedelta(minutes=20) if temporary_plan_due else None,
                "temporary_plan_due": temporary_plan_due,
                "temporary_plan_alerted": False,
                "leadership_criteria": ",".join(map(str, criteria)),
                "first_reply_due": deadlines.first_reply_due(received_at, limits),
                "resolve_due": deadlines.resolve_due(received_at, limits),
                "next_due_at": next_due_at,
                "next_progress_at": next_progress_at,
                "progress_sent": progress_sent,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
                "callback": callback,
                "created_on": received_at,
                "changed_on": closed_at or resolved_at or received_at,
                **dict.fromkeys(fast.CONFLICT_CHECKLIST, False),
            },
        )
        for action, actor, department, when in events:
            self.writer.add(
                ComplaintEvent,
                {
                    "id": self.ids.take(ComplaintEvent),
                    "complaint_id": complaint_id,
                    "action": action,
                    "actor_id": actor,
                    "department_id": department,
                    "text": None,
                    "created_on": when,
                },
            )
        self.made["events"] += len(events)
        if rng.random() < REFUND_SHARE and self.ref.refund_types:
            self._refund(complaint_id, staff, received_at, status, customer_prepaid=False)
        self.made["complaints"] += 1
        return complaint_id

    def _dispatch(self, complaint_id, staff, department_id, received_at, status, limits, events) -> datetime | None:
        """The dispatch a complaint of this status has had; returns the scan's next due time."""
        rng = self.rng
        dispatched_at = received_at + timedelta(minutes=rng.uniform(10, 360))
        reply_due = deadlines.dispatch_reply_due(dispatched_at, limits)
        row = {
            "id": self.ids.take(Dispatch),
            "complaint_id": complaint_id,
            "department_id": department_id,
            "note": None,
            "dispatched_by_id": staff.user_id,
            "dispatched_at": dispatched_at,
            "reply_due": reply_due,
            "status": "open",
            "accepted_at": None,
            "replied_at": None,
            "returned_at": None,
            "overdue": False,
        }
        events.append(("dispatch", staff.user_id, department_id, dispatched_at))
        if status != DISPATCHED:
            row["status"], row["accepted_at"] = "accepted", dispatched_at + timedelta(minutes=rng.uniform(5, 120))
            events.append(("accept", None, department_id, row["accepted_at"]))
        if status not in (DISPATCHED, IN_PROGRESS):
            late = rng.random() < LATE_REPLY_SHARE
            delay = reply_due - dispatched_at
            replied_at = dispatched_at + (delay * rng.uniform(1.05, 1.5) if late else delay * rng.uniform(0.1, 0.95))
            row.update(status="replied", replied_at=replied_at, overdue=late)
            events.append(("reply", None, department_id, replied_at))
        next_due_at = None
        if row["status"] in ("open", "accepted"):
            if reply_due <= self.now:
                row["overdue"] = True  # the scan has alerted it already
            else:
                next_due_at = reply_due
        self.writer.add(Dispatch, row)
        self.made["dispatches"] += 1
        return next_due_at

    def _refund(self, complaint_id, staff, received_at, status, *, customer_prepaid) -> None:
        rng = self.rng
        type_id, eligible = rng.choice(self.ref.refund_types)
        amount = Decimal(rng.choice((rng.randint(500, 10000), rng.randint(10000, 300000)))) / 100
        level = authority.required_level(amount, customer_prepaid=customer_prepaid, frontline_eligible=eligible)
        decided = status in (RESOLVED, CLOSED) or rng.random() < 0.5
        higher = authority.LEVELS[authority.LEVELS.index(level) :]
        decider = next((self.ref.deciders[other] for other in higher if other in self.ref.deciders), None)
        requested_at = received_at + timedelta(hours=rng.uniform(1, 20))
        self.writer.add(
            RefundRequest,
            {
                "id": self.ids.take(RefundRequest),
                "complaint_id": complaint_id,
                "amount": amount,
                "refund_type_id": type_id,
                "liability": "yes",
                "considerations": "",
                "note": "核实后退还",
                "status": ("approved" if rng.random() < 0.9 else "rejected") if decided and decider else "pending",
                "required_level": level,
                "requested_by_id": staff.user_id,
                "decided_by_id": decider if decided else None,
                "decided_at": requested_at + timedelta(hours=rng.uniform(1, 30)) if decided and decider else None,
                "decision_note": None,
                "created_on": requested_at,
                "version": 1,
            },
        )
        self.made["refunds"] += 1

    # -- a wave of the same content --------------------------------------------------------

    def wave(self, local_day: date, size: int) -> int:
        """§3.5: ``size`` same-content complaints; the 3rd of one agent in a shift opens the incident."""
        rng = self.rng
        category = rng.choice(self.ref.categories)
        topic = f"{rng.choice(TOWNS)}片区{rng.choice(ISSUES.get(category[1], ISSUES['other']))}"
        start = datetime.combine(local_day, time(rng.choice((8, 16))), self.zone).astimezone(UTC)
        times = sorted(start + timedelta(minutes=rng.uniform(0, 470)) for _ in range(size))
        first = rng.choice(self.ref.hotline)
        discovered_at = times[2]
        incident_id = self.ids.take(Incident)
        old = discovered_at < self.now - timedelta(days=RECENT_DAYS)
        reported_at = discovered_at + timedelta(minutes=rng.uniform(5, 30))
        first_reply_at = reported_at + timedelta(minutes=rng.uniform(10, 55))
        volume = size
        responsible = rng.choice(self.ref.responsible) if self.ref.responsible else None
        self.writer.add(
            Incident,
            {
                "id": incident_id,
                "signature": fast.signature(category[0], topic),
                "rule": "hotline_shift_3",
                "topic": topic,
                "discovered_at": discovered_at,
                "responsible_department_id": responsible,
                "reported_at": reported_at,
                "first_reply_due": fast.first_reply_due(reported_at),
                "first_reply_at": first_reply_at,
                "first_reply_text": "已初步查明原因,正在处理。",
                "resolved_at": first_reply_at + timedelta(hours=rng.uniform(2, 48)) if old else None,
                "resolution_text": "问题已解决。" if old else None,
                "volume": volume,
                "status": "resolved" if old else "replied",
                "leadership_criteria": ",".join(
                    str(c) for c in leadership.criteria(leadership.Facts(volume=volume)) if c == 2
                ),
                "first_reply_alerted": 0,
                "next_progress_at": None if old else fast.progress_due(discovered_at, 0),
                "progress_sent": 0,
                "created_on": discovered_at,
            },
        )
        self.made["incidents"] += 1
        for index, received_at in enumerate(times):
            staff = first if index < 3 else None
            self.complaint(
                received_at,
                category=category,
                topic=topic,
                channel="hotline_10086",
                staff=staff,
                incident_id=incident_id,
                volume=volume,
                is_open=None if old else True,
            )
        return size

    # -- the whole run ---------------------------------------------------------------------

    def run(self, progress: Callable[[int], None] = lambda done: None) -> dict[str, int]:
        for local_day, planned in zip(self.days, _spread(self.count, len(self.days)), strict=True):
            left = planned
            if left >= WAVE_SIZE[0] and self.rng.random() < WAVE_DAY_SHARE:
                size = min(left, self.rng.randint(*WAVE_SIZE))
                left -= self.wave(local_day, size)
                progress(size)
            day_start = datetime.combine(local_day, time(0), self.zone).astimezone(UTC)
            for received_at in sorted(day_start + timedelta(seconds=self.rng.uniform(0, 86399)) for _ in range(left)):
                self.complaint(received_at)
            progress(left)
        self.writer.flush()
        self._finish()
        return self.made

    def _finish(self) -> None:
        """The day's sequences continue after the generated numbers; PostgreSQL's id sequences too."""
        table = NumberSequence.__table__
        for name, value in self.sequences.items():
            updated = self.session.execute(
                table.update().where(table.c.name == name, table.c.value < value).values(value=value)
            )
            if not updated.rowcount and self.session.scalar(select(table.c.value).where(table.c.name == name)) is None:
                self.session.execute(table.insert().values(name=name, value=value))
        if self.writer.postgresql:
            for model in Ids.TABLES:
                name = model.__tablename__
                self.session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :value)"),
                    {"value": self.ids.next[name] - 1},
                )


def generate(count: int, *, seed: int = 8, open_share: float = 0.1, progress=lambda done: None) -> dict[str, int]:
    """Write ``count`` complaints (and what they imply) in the current session and commit."""
    generator = Generator(db.session, count, seed=seed, open_share=open_share)
    made = generator.run(progress)
    db.session.commit()
    if generator.writer.postgresql:
        # Statistics for the planner, and the visibility map that lets counts read indexes only.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for model in Ids.TABLES:
                connection.execute(text(f'VACUUM ANALYZE "{model.__tablename__}"'))
    return made
