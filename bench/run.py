"""The performance bench: each measurement beside the bare stack or the small table, with its goal.

    .venv/bin/python bench/run.py [--quick] [--database URL] [--only NAME ...] [--write docs/PERFORMANCE.md]

It uses two databases on one server: ``<name>_small`` with 10,000 complaints and
``<name>`` with 1,000,000 (``--quick``: 1,000 and 20,000, in ``<name>_quick…``),
each filled by ``complaints generate`` the first time and reused afterwards. The
default database is PostgreSQL ``bench`` on 127.0.0.1:5432 when that server
answers (created when missing), else SQLite files in ``instance/bench``; the
runner says which it used. Redis is an embedded server in a scratch folder, the
mail server a local aiosmtpd. Every web measurement goes through the whole app
(Flask's test client: routing, security, views, policy hooks, audit, outbox),
in this one process, one request after another; figures are medians (p50).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES = "postgresql://root@127.0.0.1:5432/bench"
BENCH_USERS = ("agent1", "leader1", "netmgr1", "center1")
PASSWORD = "demo"  # the demo users' password (a bench database holds demo data only)


@dataclass(frozen=True)
class Size:
    small: int
    large: int
    requests: int  # per web measurement
    intakes: int
    mails: int
    open_share: float = 0.1
    suffix: str = ""


FULL = Size(small=10_000, large=1_000_000, requests=60, intakes=300, mails=500)
QUICK = Size(small=1_000, large=20_000, requests=20, intakes=60, mails=100, suffix="_quick")


@dataclass
class Result:
    name: str
    figure: str
    baseline: str
    ratio: float | None
    goal: str
    holds: bool | None
    note: str = ""


@dataclass
class Bench:
    size: Size
    small_url: str
    large_url: str
    scratch: Path
    redis_url: str = ""
    apps: dict = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)

    def app(self, which: str):
        if which not in self.apps:
            self.apps[which] = _make_app(self.small_url if which == "small" else self.large_url, self.redis_url)
        return self.apps[which]

    def record(self, result: Result) -> None:
        self.results.append(result)
        print(_line(result), flush=True)


# -- databases ---------------------------------------------------------------------------


def _postgres_answers(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    try:
        psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def _with_database(url: str, name: str) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{_sqlite_path(url).with_name(name + '.db')}"
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _sqlite_path(url: str) -> Path:
    """The file of ``sqlite:///relative.db`` or ``sqlite:////absolute.db``."""
    return Path(url.split(":///", 1)[1])


def _create_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _make_app(url: str, redis_url: str):
    from app import create_app
    from config import DevConfig, database_url

    return create_app(
        DevConfig,
        SQLALCHEMY_DATABASE_URI=database_url(url),
        REDIS_URL=redis_url,
        DEMO_PASSWORD=PASSWORD,
        SECRET_KEY=secrets.token_urlsafe(48),
        MAIL_SERVER=None,
        RATELIMIT_ENABLED=False,
        WTF_CSRF_ENABLED=False,
    )


def prepare(app, count: int, open_share: float) -> int:
    """Schema, roles, demo organisation, and ``count`` complaints (generated when short)."""
    from sqlalchemy import func, select
    from werkzeug.security import check_password_hash

    from app import demo
    from app.extensions import appbuilder, db
    from app.generate import generate
    from app.models import Complaint
    from app.setup import sync_permissions, upgrade_schema

    with app.app_context():
        upgrade_schema()
        sync_permissions()
        demo.seed(PASSWORD)
        for username in BENCH_USERS:  # a database seeded with another demo password signs in too
            user = appbuilder.sm.find_user(username=username)
            if not check_password_hash(user.password, PASSWORD):
                appbuilder.sm.reset_password(user.id, PASSWORD)
        have = db.session.scalar(select(func.count()).select_from(Complaint))
        if have < count:
            print(f"  generating {count - have:,} complaints …", flush=True)
            started = time.perf_counter()
            generate(count - have, open_share=open_share)
            print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        total = db.session.scalar(select(func.count()).select_from(Complaint))
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # The tables as autovacuum keeps a live database: fresh statistics and visibility map
            # (migrations and earlier intake runs leave pages a count would have to visit).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
    return total


# -- helpers -----------------------------------------------------------------------------


def _p50(call: Callable[[], object], repeat: int, warm: int = 3) -> float:
    for _ in range(warm):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


WARM_UP = 3


def _interleaved(calls: dict[str, Callable[[], None]], repeat: int, chunk: int = 5) -> dict[str, list[float]]:
    """Each call ``repeat`` times, taking turns in chunks, so that every side sees the same machine load.

    Returns the seconds of each call, after ``WARM_UP`` untimed calls of each.
    """
    for call in calls.values():
        for _ in range(WARM_UP):
            call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    while any(len(each) < repeat for each in times.values()):
        for name, call in calls.items():
            for _ in range(min(chunk, repeat - len(times[name]))):
                started = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - started)
    return times


def _token(client, username: str) -> str:
    response = client.post(
        "/api/v1/security/login", json={"username": username, "password": PASSWORD, "provider": "db"}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def _signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def _line(result: Result) -> str:
    verdict = {True: "holds", False: "MISSED", None: "—"}[result.holds]
    ratio = f"{result.ratio:.2f}" if result.ratio is not None else "—"
    figures = f"{result.figure:>16} {result.baseline:>16}"
    return f"  {result.name:<48} {figures}  ratio {ratio:>5}  goal {result.goal:<7} {verdict} {result.note}"


def _complaint_bodies(app, count: int) -> list[dict]:
    """Realistic intake bodies: hotline complaints on varied topics, as the CTI system sends them.

    New topics at every run: a run repeating the last one's topics within the shift would make
    every complaint the third of its content (an alert and an incident each), which no day is.
    """
    import random

    from app.extensions import db
    from app.generate import ISSUES, STREETS, TOWNS
    from app.models import Category

    rng = random.Random()
    with app.app_context():
        categories = db.session.execute(Category.__table__.select()).all()
        db.session.remove()
    bodies = []
    for _ in range(count):
        category = rng.choice(categories)
        topic = f"{rng.choice(TOWNS)}{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.choice(ISSUES[category.code])}"
        bodies.append(
            {
                "channel": "hotline_10086",
                "category": category.id,
                "topic": topic,
                "summary": f"客户反映{topic},要求尽快处理。",
                "customer_phone": f"13{rng.randrange(10**9):09d}",
            }
        )
    return bodies


# -- intake ------------------------------------------------------------------------------


def intake_poster(app, bodies: list[dict]) -> Callable[[], None]:
    """One complaint per call through ``POST /api/v1/complaint/``: every rule, the audit, the outbox."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {_token(client, 'agent1')}"}
    queue = iter(bodies)

    def post():
        response = client.post("/api/v1/complaint/", json=next(queue), headers=headers)
        assert response.status_code == 201, response.get_json()

    return post


def bare_app(url: str):
    """Flask + Flask-SQLAlchemy, nothing else: one endpoint inserting the same complaint row."""
    import itertools

    from flask import Flask, jsonify, request
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import select

    from app.models import Complaint, Department, StaffProfile
    from app.policy import deadlines, fast
    from config import database_url

    bare = Flask("bare")
    bare.config["SQLALCHEMY_DATABASE_URI"] = database_url(url)
    database = SQLAlchemy()
    database.init_app(bare)
    table = Complaint.__table__
    serial = itertools.count(int(time.time()) % 10**6 * 1000)
    with bare.app_context():
        receiver, department = database.session.execute(
            select(StaffProfile.user_id, StaffProfile.department_id)
            .join(Department, Department.id == StaffProfile.department_id)
            .where(Department.code == "CSC-HOT-A")
        ).first()

    @bare.post("/complaint")
    def add():
        data = request.get_json()
        now = datetime.now(UTC)
        row = {
            "number": f"BARE{next(serial):012d}",
            "channel": data["channel"],
            "escalated": False,
            "category_id": data["category"],
            "topic": data["topic"],
            "signature": fast.signature(data["category"], data["topic"]),
            "summary": data["summary"],
            "customer_phone": data["customer_phone"],
            "customer_prepaid": False,
            "customer_value": "normal",
            "received_at": now,
            "receiver_id": receiver,
            "receiving_department_id": department,
            "cause": "unknown",
            "severity": "normal",
            "lawsuit": False,
            "joint_complainants": 1,
            "status": "received",
            "leadership_criteria": "",
            "first_reply_due": deadlines.first_reply_due(now),
            "resolve_due": deadlines.resolve_due(now),
            "next_progress_at": fast.progress_due(now, 0),
            "progress_sent": 0,
            "temporary_plan_alerted": False,
            "created_on": now,
            "changed_on": now,
            **dict.fromkeys(fast.CONFLICT_CHECKLIST, False),
        }
        new_id = database.session.execute(table.insert().values(row).returning(table.c.id)).scalar_one()
        database.session.commit()
        return jsonify(id=new_id), 201

    return bare, database


def bare_poster(bare, bodies: list[dict]) -> Callable[[], None]:
    client = bare.test_client()
    queue = iter(bodies)

    def post():
        assert client.post("/complaint", json=next(queue)).status_code == 201

    return post


def remove_bare_rows(bare, database) -> None:
    from sqlalchemy import delete

    from app.models import Complaint

    with bare.app_context():
        database.session.execute(delete(Complaint.__table__).where(Complaint.__table__.c.number.like("BARE%")))
        database.session.commit()
        database.engine.dispose()


def measure_intake(bench: Bench) -> None:
    """REST intake with every rule on, against the bare endpoint; and on 1M against on 10k (interleaved)."""
    size = bench.size
    large, small = bench.app("large"), bench.app("small")
    bodies = _complaint_bodies(large, 3 * (size.intakes + WARM_UP))
    bare, database = bare_app(bench.large_url)
    count = size.intakes + WARM_UP
    calls = {
        "bare": bare_poster(bare, bodies[:count]),
        "large": intake_poster(large, bodies[count : 2 * count]),
        "small": intake_poster(small, bodies[2 * count :]),
    }
    try:
        times = _interleaved(calls, size.intakes)
    finally:
        remove_bare_rows(bare, database)
    rate = {name: len(each) / sum(each) for name, each in times.items()}
    ratio = rate["large"] / rate["bare"]
    bench.record(
        Result(
            "REST intake (rules, audit, notices) ÷ bare",
            f"{rate['large']:.0f}/s",
            f"{rate['bare']:.0f}/s",
            ratio,
            "≥ 0.5",
            ratio >= 0.5,
        )
    )
    ratio = rate["large"] / rate["small"]
    bench.record(
        Result(
            f"intake at {size.large:,} ÷ at {size.small:,}",
            f"{rate['large']:.0f}/s",
            f"{rate['small']:.0f}/s",
            ratio,
            "≥ 0.8",
            ratio >= 0.8,
        )
    )


# -- lists -------------------------------------------------------------------------------


FILTERED = "/api/v1/complaint/?q=(filters:!((col:status,opr:eq,value:dispatched)),page:0,page_size:25)"
LISTS = [
    ("list page, agent1", "agent1", "web", "/complaints/list/"),
    ("list page, leader1 (every complaint)", "leader1", "web", "/complaints/list/"),
    ("REST list, agent1", "agent1", "api", "/api/v1/complaint/?q=(page:0,page_size:25)"),
    ("REST list, leader1 (every complaint)", "leader1", "api", "/api/v1/complaint/?q=(page:0,page_size:25)"),
    ("REST list filtered by status, leader1", "leader1", "api", FILTERED),
    ("my complaints page, agent1", "agent1", "web", "/complaints/mine/list/"),
    ("dispatched to my department page, netmgr1", "netmgr1", "web", "/complaints/dispatched/list/"),
    ("overdue complaints page, center1", "center1", "web", "/complaints/overdue/list/"),
]


def _list_getter(app, username: str, kind: str, url: str) -> Callable[[], None]:
    if kind == "web":
        client = _signed_in(app, username)
        headers = {}
    else:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {_token(client, username)}"}

    def get():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)

    return get


def measure_lists(bench: Bench) -> None:
    """The lists people work from, p50 on 1M against 10k (interleaved)."""
    for name, username, kind, url in LISTS:
        calls = {which: _list_getter(bench.app(which), username, kind, url) for which in ("small", "large")}
        times = _interleaved(calls, bench.size.requests)
        small, large = (statistics.median(times[which]) for which in ("small", "large"))
        bench.record(
            Result(
                f"{name}, p50",
                f"{large * 1000:.1f} ms",
                f"{small * 1000:.1f} ms",
                large / small,
                "≤ 1.5",
                large / small <= 1.5,
            )
        )


# -- the monthly bulletin -------------------------------------------------------------


def raw_bulletin_aggregates(month_start: datetime, month_end: datetime) -> None:
    """The SQL aggregates a monthly bulletin needs over ``[month_start, month_end)`` (the month and
    the month before it), written by hand: the floor for the bulletin."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Alert, Appraisal, Complaint, Dispatch, Incident, RefundRequest

    received = Complaint.received_at.between(month_start, month_end)
    session = db.session
    for column in (Complaint.category_id, Complaint.channel, Complaint.escalated, Complaint.status, Complaint.callback):
        session.execute(select(column, func.count()).where(received).group_by(column)).all()
    # Issue 11: the repeat complaints by category.
    session.execute(
        select(Complaint.category_id, func.count(), func.count(Complaint.repeat_of_id))
        .where(received)
        .group_by(Complaint.category_id)
    ).all()
    session.execute(
        select(func.count()).where(received, Complaint.resolve_due < func.coalesce(Complaint.resolved_at, month_end))
    ).all()
    session.execute(
        select(Dispatch.department_id, Dispatch.status, Dispatch.overdue, func.count())
        .where(Dispatch.dispatched_at.between(month_start, month_end))
        .group_by(Dispatch.department_id, Dispatch.status, Dispatch.overdue)
    ).all()
    session.execute(
        select(Incident.status, func.count(), func.sum(Incident.volume))
        .where(Incident.discovered_at.between(month_start, month_end))
        .group_by(Incident.status)
    ).all()
    session.execute(select(func.count()).where(received, Complaint.severity == "major")).all()
    session.execute(
        select(Alert.rule, func.count()).where(Alert.created_on.between(month_start, month_end)).group_by(Alert.rule)
    ).all()
    session.execute(
        select(RefundRequest.required_level, RefundRequest.status, func.count(), func.sum(RefundRequest.amount))
        .where(RefundRequest.created_on.between(month_start, month_end))
        .group_by(RefundRequest.required_level, RefundRequest.status)
    ).all()
    session.execute(
        select(Appraisal.kind, func.count())
        .where(Appraisal.created_on.between(month_start, month_end))
        .group_by(Appraisal.kind)
    ).all()


def measure_bulletin(bench: Bench) -> None:
    """The monthly bulletin of the last full month on 1M, against the raw SQL aggregates it needs."""
    from app import clock

    app = bench.app("large")
    with app.app_context():
        last_month = clock.previous_month(clock.current_month(clock.now()))
        # The bulletin compares the month with the month before: the floor reads both months too.
        start, _end = clock.month_bounds(clock.previous_month(last_month))
        _start, end = clock.month_bounds(last_month)
        raw = _p50(lambda: raw_bulletin_aggregates(start, end), 5, warm=1)
        try:
            from app import bulletin
        except ImportError:
            bench.record(
                Result(
                    f"monthly bulletin on {bench.size.large:,} ÷ raw aggregates",
                    "—",
                    f"{raw * 1000:.0f} ms",
                    None,
                    "≤ 2.0",
                    None,
                    "not available: app.bulletin is not part of this build",
                )
            )
            return
        # app.bulletin builds the bulletin of a month from SQL aggregates (SPEC §6).
        build = bulletin.build
        full = _p50(lambda: build(last_month), 5, warm=1)
    bench.record(
        Result(
            f"monthly bulletin on {bench.size.large:,} ÷ raw aggregates",
            f"{full * 1000:.0f} ms",
            f"{raw * 1000:.0f} ms",
            full / raw,
            "≤ 2.0",
            full / raw <= 2.0,
        )
    )


# -- the scan ----------------------------------------------------------------------------


def measure_scan(bench: Bench) -> None:
    """The periodic scan (cron: every minute) with the open complaints of 1M (the generator leaves 10 % open)."""
    from sqlalchemy import func, select, update

    from app import clock, scan
    from app.extensions import db
    from app.models import Complaint, Outbox
    from app.policy.flow import OPEN_STATUSES
    from app.policy.notices import QUEUED, STORED

    app = bench.app("large")
    with app.app_context():
        open_count = db.session.scalar(select(func.count()).where(Complaint.status.in_(OPEN_STATUSES)))
        # First the work that came due since the rows were written (alerts, progress mails), untimed;
        # then the scan as cron runs it, minute after minute.
        now = clock.now()
        caught_up = scan.run(now)
        print(f"  (scan catching up first: {sum(caught_up.values())} things done)", flush=True)
        # The workers' part: between two scans they empty the queue. No worker runs here, so the
        # notices waiting are taken as handled (stored), else every scan would look for each one's job.
        db.session.execute(update(Outbox).where(Outbox.status == QUEUED).values(status=STORED))
        db.session.commit()
        times = []
        for minute in range(1, 4):
            started = time.perf_counter()
            scan.run(now + timedelta(minutes=minute))
            times.append(time.perf_counter() - started)
        db.session.remove()
    worst = max(times)
    bench.record(
        Result(
            f"scan, {open_count:,} open of {bench.size.large:,}",
            f"{worst * 1000:.0f} ms",
            "1000 ms",
            worst,
            "≤ 1 s",
            worst <= 1.0,
            "the slowest of 3 runs a minute apart",
        )
    )


# -- mail --------------------------------------------------------------------------------


def measure_mail(bench: Bench) -> None:
    """Mails per second of one worker against raw smtplib on one connection."""
    import mail  # bench/mail.py

    port = mail.free_port()
    server = mail.start_smtp_server(port)
    try:
        _written, delivered = mail.outbox_rate(bench.size.mails, port, bench.scratch / "mail", bench.large_url)
        one = mail.smtplib_rate(bench.size.mails, port, one_connection=True)
        classic = mail.smtplib_rate(bench.size.mails, port, one_connection=True, classic=True)
    finally:
        server.terminate()
        server.wait()
    bench.record(
        Result(
            "mails/s, one worker ÷ smtplib on one connection",
            f"{delivered:.0f}/s",
            f"{one:.0f}/s",
            delivered / one,
            "≥ 0.5",
            delivered / one >= 0.5,
        )
    )
    # The worker builds its messages with the email package's classic classes, cheaper than the
    # EmailMessage the line above gives smtplib: the same goal against smtplib building them so.
    bench.record(
        Result(
            "mails/s, one worker ÷ smtplib, messages built alike",
            f"{delivered:.0f}/s",
            f"{classic:.0f}/s",
            delivered / classic,
            "≥ 0.5",
            delivered / classic >= 0.5,
        )
    )


MEASUREMENTS = {
    "intake": measure_intake,
    "lists": measure_lists,
    "bulletin": measure_bulletin,
    "scan": measure_scan,
    "mail": measure_mail,
}


# -- the report --------------------------------------------------------------------------


def markdown(bench: Bench, database: str, elapsed: float) -> str:
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {database}, {os.cpu_count()} cores, "
        f"{bench.size.small:,} and {bench.size.large:,} complaints, {elapsed:.0f} s.",
        "",
        "| measurement | figure | beside | ratio | goal | |",
        "|---|---|---|---|---|---|",
    ]
    for result in bench.results:
        ratio = f"{result.ratio:.2f}" if result.ratio is not None else "—"
        verdict = {True: "holds", False: "**missed**", None: result.note}[result.holds]
        lines.append(f"| {result.name} | {result.figure} | {result.baseline} | {ratio} | {result.goal} | {verdict} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 20,000 complaints: a CI-sized check")
    parser.add_argument("--database", help=f"a database URL (default: {DEFAULT_POSTGRES} when it answers, else SQLite)")
    parser.add_argument("--only", nargs="*", choices=sorted(MEASUREMENTS), help="run only these measurements")
    parser.add_argument("--write", metavar="FILE", help="write the results table (Markdown) to FILE")
    options = parser.parse_args()
    size = QUICK if options.quick else FULL
    url = options.database
    if url is None:
        url = (
            DEFAULT_POSTGRES
            if _postgres_answers(DEFAULT_POSTGRES)
            else f"sqlite:///{ROOT / 'instance' / 'bench' / 'bench.db'}"
        )
    name = (_sqlite_path(url) if url.startswith("sqlite") else Path(urlsplit(url).path)).stem or "bench"
    large_url = _with_database(url, name + size.suffix)
    small_url = _with_database(url, name + size.suffix + "_small")
    if large_url.startswith("postgresql"):
        for each in (large_url, small_url):
            _create_postgres_database(each)
    else:
        _sqlite_path(large_url).parent.mkdir(parents=True, exist_ok=True)
    shown = urlsplit(large_url)._replace(netloc=urlsplit(large_url).hostname or "").geturl()
    print(f"Databases: {shown} ({size.large:,}) and …_small ({size.small:,})", flush=True)

    from app import queue

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        scratch = Path(scratch)
        redis = queue.embedded(scratch / "redis")
        bench = Bench(size, small_url, large_url, scratch, redis_url=f"unix://{scratch / 'redis' / queue.SOCKET}")
        print(f"  small: {prepare(bench.app('small'), size.small, size.open_share):,} complaints", flush=True)
        print(f"  large: {prepare(bench.app('large'), size.large, size.open_share):,} complaints", flush=True)
        print(f"  {'measurement':<46} {'figure':>16} {'beside':>16}", flush=True)
        for name_, measure in MEASUREMENTS.items():
            if options.only and name_ not in options.only:
                continue
            measure(bench)
        redis.shutdown(nosave=True)
    elapsed = time.perf_counter() - started
    missed = [result.name for result in bench.results if result.holds is False]
    print(
        f"{len(bench.results) - len(missed)} of {len(bench.results)} measured goals hold."
        if not missed
        else f"Missed: {'; '.join(missed)}"
    )
    if options.quick:
        # Fixed costs weigh more on small tables (the bulletin's sections on 20,000 rows, say).
        print(f"A quick run: the goals are set for {FULL.large:,} complaints against {FULL.small:,}.")
    if options.write:
        kind = "PostgreSQL" if large_url.startswith("postgresql") else "SQLite"
        if options.only:
            update_rows(Path(options.write), bench, kind)
        else:
            write_table(Path(options.write), markdown(bench, kind, elapsed))


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_table(path: Path, table: str) -> None:
    """Put ``table`` between the bench markers of ``path`` (the rest of the file is prose)."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{table}{END}{tail}", encoding="utf-8")


def update_rows(path: Path, bench: Bench, database: str) -> None:
    """After ``--only``: replace the rows of what was measured in the table of ``path``, keep the others,
    and say below the table when those rows were measured."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    table, tail = rest.split(END, 1)
    lines = table.strip("\n").split("\n")
    fresh = markdown(bench, database, 0).strip("\n").split("\n")[4:]
    names = {row.split(" | ")[0]: row for row in fresh}
    lines = [names.pop(line.split(" | ")[0], line) if line.startswith("| ") else line for line in lines]
    lines = [line for line in lines if not line.startswith("Re-measured ")]
    table_end = max(index for index, line in enumerate(lines) if line.startswith("| ")) + 1
    lines[table_end:table_end] = list(names.values())
    measured = ", ".join(result.name for result in bench.results)
    lines.append("")
    lines.append(f"Re-measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {database} alone (`--only`): {measured}.")
    path.write_text(f"{head}{START}\n" + "\n".join(lines) + f"\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
