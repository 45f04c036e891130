"""Notices (SPEC.md §7): templated emails kept in the outbox and sent by RQ workers.

``notify`` is the one door: it adds the outbox row to the current transaction,
so a rolled-back change leaves no notice. The row holds the template's code and
the plain values it reads (JSON), not the text: no request waits on a template,
Admin's included. After the commit the new rows are put on the queue; if Redis
is down then, they stay ``queued`` and the scan enqueues them later. ``deliver``
(a worker's job, one per notice) writes its notice and, on the same SMTP
connection, the others that are due, at most once each: one conditional UPDATE
claims the batch, one commit keeps the subjects and bodies rendered for it, one
more writes its outcomes, and the batch's other jobs are taken off the queue.
A notice is rendered once: a retry sends the text of its first attempt.
"""

import logging
import re
import smtplib
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import date, datetime
from decimal import Decimal
from email.charset import BASE64, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache, wraps
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from jinja2 import ChainableUndefined, Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from redis import RedisError
from rq import Queue
from rq.job import Job, JobStatus
from rq.timeouts import BaseTimeoutException
from sqlalchemy import bindparam, event, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import clock, queue
from app.extensions import db, mail
from app.models import Complaint, EmailTemplate, Outbox
from app.models.org import person_name
from app.policy import ValidationFailed
from app.policy import notices as policy
from app.policy.i18n import _
from app.policy.texts import quoted
from app.policy.vocabulary import CHANNELS, NOTICE_TEMPLATES, STATUSES, label
from app.recipients import combine

log = logging.getLogger(__name__)

DEFAULTS = Path(__file__).parent / "templates" / "email"
DELIVER_JOB = "workers.jobs.deliver"
JOB_TIMEOUT_SECONDS = 60
FAILED_JOB_TTL_SECONDS = 7 * 24 * 3600
LIVE_JOB_STATUSES = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED}
NO_RECIPIENTS = "No recipient address: give the department a mailbox or the person an email address."
INTERRUPTED = "Interrupted while sending (the worker stopped); queued again."
TEMPLATE_FAILED = "The edited template {code!r} failed ({error}); the shipped template was used."
NOT_RENDERED = "The notice could not be written ({error}): its template or values are at fault."
_TO_ENQUEUE = "outbox_to_enqueue"

# A file a notice carries: (file name, content type, bytes).
Attachment = tuple[str, str, bytes]
# Builders of attachments by name: each takes the argument stored with the notice (an id, a month).
ATTACHMENT_BUILDERS: dict[str, Callable[[str], Attachment]] = {}


def attachment_builder(name: str) -> Callable:
    """Register ``function(argument) -> (file name, content type, bytes)`` as the builder ``name``.

    ``notify(..., attachments=[(name, argument)])`` stores only the pair; the file is built when
    the notice is sent, in the worker, so nothing large sits in the outbox and a retry is fresh.
    """

    def register(function: Callable[[str], Attachment]) -> Callable[[str], Attachment]:
        ATTACHMENT_BUILDERS[name] = function
        return function

    return register


def _local_time(value, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return clock.format_local(value, pattern) if isinstance(value, datetime) else str(value or "")


def _yuan(value) -> str:
    try:
        return f"¥{Decimal(value):,.2f}"
    except (ArithmeticError, TypeError, ValueError):
        return str(value or "")


class TooCostly(SecurityError):
    """A template that would take longer, or write more, than a notice may (app.policy.notices)."""


# A width or a count in a template (``'x' * n``, ``|center(n)``, ``'%9999999d' % 1``) may not
# ask for more text than a notice may hold: the string would be built before any check.
_WIDTH_IN_FORMAT = re.compile(rf"\d{{{len(str(policy.RENDERED_MAX_LENGTH)) + 1},}}")


def _check_sizes(values) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > policy.RENDERED_MAX_LENGTH:
            raise TooCostly(f"a width or count beyond {policy.RENDERED_MAX_LENGTH} in a template")


def _size_checked(function: Callable) -> Callable:
    """A filter refusing widths and counts beyond a notice's size (its value is not checked)."""
    skip = 2 if getattr(function, "jinja_pass_arg", None) else 1

    @wraps(function)  # keeps Jinja's pass_context and the like
    def checked(*args, **kwargs):
        _check_sizes((*args[skip:], *kwargs.values()))
        return function(*args, **kwargs)

    return checked


class NoticeSandbox(SandboxedEnvironment):
    """The sandbox for Admin's templates, with no operator, call or filter that builds more text
    than a notice may hold in one step; loops are bounded in time by ``_time_limit``."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options):
        super().__init__(**options)
        self.filters = {name: _size_checked(function) for name, function in self.filters.items()}

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int) and right > 64:
            raise TooCostly("an exponent beyond 64 in a template")
        if operator == "%" and isinstance(left, str) and _WIDTH_IN_FORMAT.search(left):
            raise TooCostly("a format width beyond what a notice may hold")
        if operator == "*":
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                _check_sizes([len(sequence) * count])
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # Jinja's own signature
        _check_sizes((*args, *kwargs.values()))
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        if getattr(method, "__name__", "") in ("format", "format_map") and _WIDTH_IN_FORMAT.search(
            str(getattr(method, "__self__", ""))
        ):
            raise TooCostly("a format width beyond what a notice may hold")
        return super().call(__context, __obj, *args, **kwargs)


# Admin edits the templates: they run sandboxed, and a missing value prints as nothing.
sandbox = NoticeSandbox(undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
sandbox.filters.update(local_time=_local_time, yuan=_yuan)  # the app's own: no widths to bound
# The file name Jinja gives the code of a template compiled from a string.
_TEMPLATE_CODE = "<template>"


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    return sandbox.from_string(source)


@contextmanager
def _time_limit(seconds: float):
    """Stop the template code running in this thread after ``seconds`` of its processor time (its
    loops included): a tracer runs on the template's own lines only, never on the app's. Processor
    time, not the clock: a busy machine does not make a template too costly."""
    deadline = time.thread_time() + seconds

    def on_line(frame, event, _arg):
        if event == "line" and time.thread_time() > deadline:
            raise TooCostly(f"rendering took longer than {seconds} s")
        return on_line

    def on_call(frame, _event, _arg):
        return on_line if frame.f_code.co_filename == _TEMPLATE_CODE else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        yield
    finally:
        sys.settrace(previous)


def _bounded(source: str, values: dict) -> str:
    """``source`` rendered with ``values`` within the time and length a notice may take."""
    pieces, length = [], 0
    template = _compiled(source)  # compiling is the app's work, not the template's
    with _time_limit(policy.RENDER_SECONDS):
        for piece in template.generate(values):
            length += len(piece)
            if length > policy.RENDERED_MAX_LENGTH:
                raise TooCostly(f"rendering wrote more than {policy.RENDERED_MAX_LENGTH} characters")
            pieces.append(piece)
    return "".join(pieces)


def default_template(code: str) -> tuple[str, str]:
    """The shipped Chinese subject and body: the file's first line, then the rest."""
    text = (DEFAULTS / f"{code}.txt").read_text(encoding="utf-8")
    subject, _newline, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def validate_template(code: str | None, subject: str | None, body: str | None) -> None:
    errors = {}
    # The shipped texts are the app's own code, rendered without a bound: nothing to judge.
    shipped = default_template(code) if code in NOTICE_TEMPLATES else ()
    if code not in NOTICE_TEMPLATES:
        errors["code"] = _("Not a valid choice: use one of %(codes)s.", codes=", ".join(NOTICE_TEMPLATES))
    for field, source in (("subject", subject), ("body", body)):
        if not source or not source.strip():
            errors[field] = _("This field is required.")
            continue
        try:
            sandbox.parse(source)
        except TemplateSyntaxError as error:
            errors[field] = _("Template error on line %(line)s: %(message)s", line=error.lineno, message=error.message)
            continue
        if source in shipped:
            continue
        try:
            _bounded(source, {})  # with nothing given, as every shipped template renders
        except TooCostly:
            errors[field] = _(
                "This template takes too long or writes too much (over %(seconds)s s or %(count)s characters).",
                seconds=policy.RENDER_SECONDS,
                count=policy.RENDERED_MAX_LENGTH,
            )
        except Exception:
            pass  # a value it needs is given when a notice is sent; a failure then falls back
    if errors:
        raise ValidationFailed(errors)


@event.listens_for(Session, "before_flush")
def _check_templates(session, flush_context, instances):
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, EmailTemplate):
            validate_template(obj.code, obj.subject, obj.body)


def seed_templates() -> None:
    """Add the shipped template of every code that has none; edited ones stay as they are."""
    existing = set(db.session.scalars(select(EmailTemplate.code)))
    for code in NOTICE_TEMPLATES:
        if code not in existing:
            subject, body = default_template(code)
            db.session.add(EmailTemplate(code=code, subject=subject, body=body))
    db.session.flush()


def in_notice_language() -> AbstractContextManager:
    """Notices are written in the default language (Chinese), whoever's request caused them."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def _plain(value, where: str = "context"):
    """The context as plain values: a template must not reach into model objects.

    A text is quoted up to the longest a typed text may be: one stored before the limits
    existed must not make a mail of hundreds of pages."""
    if isinstance(value, LazyString):
        value = str(value)
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, (int, float, Decimal, date)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(key): _plain(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{where}[{index}]") for index, item in enumerate(value)]
    raise TypeError(f"{where} is a {type(value).__name__}: give a notice plain values only")


# The stored context is JSON: times, days and amounts keep their type under these tags,
# so ``local_time`` and ``yuan`` read them as they were given.
_TAGS = {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$decimal": Decimal}


def _to_json(value):
    """Plain values (``_plain``'s) as JSON values."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    return value


def _from_json(value):
    """The plain values ``_to_json`` stored."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _TAGS:
            tag, text = next(iter(value.items()))
            return _TAGS[tag](text)
        return {key: _from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return value


def _render_with(subject: str, body: str, values: dict, render: Callable = _bounded) -> tuple[str, str]:
    # One line, as mail headers need; the column holds 255 characters.
    rendered_subject = " ".join(render(subject, values).split())[:255]
    return rendered_subject, render(body, values).strip() + "\n"


def _unbounded(source: str, values: dict) -> str:
    """The shipped templates are the app's own code: their length follows what they list."""
    return _compiled(source).render(values)


# Admin's versions found too costly, by their source: this process uses the shipped one at once
# rather than spend the time bound again on every notice.
_too_costly: dict[tuple[str, str], str] = {}
TOO_COSTLY_REMEMBERED = 256


def render_notice(code: str, context: Mapping) -> tuple[str, str, str | None]:
    """Subject and body of template ``code``, and why Admin's version was not used, if so.

    Admin's version renders within ``RENDER_SECONDS`` and ``RENDERED_MAX_LENGTH``; if it fails or
    exceeds them, the shipped template is used and the reason goes to the notice's last error."""
    with in_notice_language():
        values = {"now": clock.now(), **_plain(context)}
    edited = db.session.scalar(select(EmailTemplate).where(EmailTemplate.code == code))
    error = None
    if edited is not None:
        sources = (edited.subject, edited.body)
        error = _too_costly.get(sources)
        if error is None:
            try:
                return (*_render_with(*sources, values), None)
            except Exception as failure:
                # Admin's edit must never block the change that sends the notice.
                log.exception("Email template %r failed; the shipped default is used instead", code)
                error = TEMPLATE_FAILED.format(code=code, error=f"{type(failure).__name__}: {failure}")
                if isinstance(failure, TooCostly):
                    if len(_too_costly) >= TOO_COSTLY_REMEMBERED:
                        _too_costly.clear()
                    _too_costly[sources] = error
    return (*_render_with(*default_template(code), values, render=_unbounded), error)


def render(code: str, context: Mapping) -> tuple[str, str]:
    """Subject and body of template ``code``: Admin's version, or the shipped one if that fails."""
    subject, body, _error = render_notice(code, context)
    return subject, body


def complaint_context(complaint: Complaint) -> dict:
    """A complaint as the plain values its templates read (``complaint.number`` …)."""
    receiver = complaint.receiver
    with in_notice_language():
        return {
            "id": complaint.id,
            "number": complaint.number,
            "topic": complaint.topic,
            "summary": complaint.summary,
            "category": complaint.category.name if complaint.category else "",
            "channel": label(CHANNELS, complaint.channel),
            "customer_phone": complaint.customer_phone,
            "received_at": complaint.received_at,
            "receiver": person_name(receiver),
            "receiving_department": complaint.receiving_department.name if complaint.receiving_department else "",
            "responsible_department": (
                complaint.responsible_department.name if complaint.responsible_department else ""
            ),
            "status": label(STATUSES, complaint.status),
            "first_reply_due": complaint.first_reply_due,
            "resolve_due": complaint.resolve_due,
        }


def notify(
    template: str,
    recipients: Iterable[str],
    context: Mapping,
    key: str,
    *,
    complaint: Complaint | None = None,
    incident_id: int | None = None,
    attachments: Sequence[tuple[str, str]] = (),
) -> int | None:
    """Add a notice to the current transaction; it goes out after the commit, once per ``key``.

    ``key`` names the occasion (template, object, period), e.g. ``"dispatch:12:1"``:
    a notice whose key exists already is not created again, and None is returned.
    ``attachments`` names files to build at sending time: ``[(builder, argument), ...]``.
    """
    if template not in NOTICE_TEMPLATES:
        raise ValueError(f"No email template {template!r}: use one of {', '.join(NOTICE_TEMPLATES)}")
    unknown = [name for name, _argument in attachments if name not in ATTACHMENT_BUILDERS]
    if unknown:
        raise ValueError(f"No attachment builder {unknown[0]!r}: register it with @attachment_builder")
    session = db.session
    addresses = combine(recipients)
    now = clock.now()
    with in_notice_language():
        # The time it was raised, as the template's ``now``; the text is written when it is sent.
        stored = _to_json({"now": now, **_plain(context)})
    if complaint is not None and complaint.id is None:
        session.flush()
    values = {
        "template": template,
        "recipients": addresses,
        "context": stored,
        "key": key,
        "complaint_id": complaint.id if complaint is not None else None,
        "incident_id": incident_id,
        "status": policy.QUEUED if addresses else policy.FAILED,
        "attempts": 0,
        "last_error": None if addresses else NO_RECIPIENTS,
        "next_attempt_at": now if addresses else None,
        "created_on": now,
        "attachments": [[name, str(argument)] for name, argument in attachments] or None,
    }
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # The unique key decides, not a check before the insert: two at once create one.
    outbox_id = connection.execute(
        dialect.insert(Outbox.__table__)
        .values(values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Outbox.__table__.c.id)
    ).scalar()
    if outbox_id is not None and addresses:
        _enqueue_after_commit(session, [(outbox_id, 0)])
    return outbox_id


def _enqueue_after_commit(session, notices: Iterable[tuple[int, int]]) -> None:
    session.info.setdefault(_TO_ENQUEUE, []).extend(notices)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session):
    notices = session.info.pop(_TO_ENQUEUE, None)
    if notices:
        enqueue(notices)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_TO_ENQUEUE, None)


def job_id(outbox_id: int, attempts: int) -> str:
    """One RQ job per attempt, so the scan can tell a notice already on the queue."""
    return f"outbox-{outbox_id}-{attempts}"


def enqueue(notices: Iterable[tuple[int, int]]) -> int:
    """Put notices, as (id, attempts so far), on the queue; with Redis down they wait for the scan."""
    jobs = [
        Queue.prepare_data(
            DELIVER_JOB,
            args=(outbox_id,),
            job_id=job_id(outbox_id, attempts),
            timeout=JOB_TIMEOUT_SECONDS,
            failure_ttl=FAILED_JOB_TTL_SECONDS,
        )
        for outbox_id, attempts in notices
    ]
    try:
        queue.queue().enqueue_many(jobs)
    except RedisError as error:
        log.warning("Redis is unreachable (%s): %d notice(s) stay queued for the next scan", error, len(jobs))
        return 0
    return len(jobs)


def enqueue_due(now: datetime) -> int:
    """Scan check: enqueue the queued notices that are due and not on the queue already."""
    due = db.session.execute(
        select(Outbox.id, Outbox.attempts)
        .where(Outbox.status == policy.QUEUED, Outbox.next_attempt_at <= now)
        .order_by(Outbox.id)
    ).all()
    if not due:
        return 0
    jobs = Job.fetch_many([job_id(*notice) for notice in due], connection=queue.connection())
    waiting = [
        tuple(notice)
        for notice, job in zip(due, jobs, strict=True)
        if job is None or job.get_status(refresh=False) not in LIVE_JOB_STATUSES
    ]
    return enqueue(waiting) if waiting else 0


def release_stale(now: datetime) -> int:
    """Scan check: a notice left ``sending`` by a worker that stopped is queued again."""
    result = db.session.execute(
        update(Outbox)
        .where(Outbox.status == policy.SENDING, Outbox.attempted_at < now - policy.STALE_SENDING)
        .values(status=policy.QUEUED, next_attempt_at=now, last_error=INTERRUPTED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def resend(outbox_ids: Iterable[int]) -> int:
    """Queue failed or stored notices once more (Admin, from the outbox); returns how many."""
    notices = db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(list(outbox_ids)), Outbox.status.in_(policy.RESENDABLE))
        .values(status=policy.QUEUED, next_attempt_at=clock.now())
        .returning(Outbox.id, Outbox.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    _enqueue_after_commit(db.session, [tuple(notice) for notice in notices])
    db.session.commit()
    return len(notices)


# A job sends at most this many notices on one connection, claimed together.
BATCH = 50
# Outcomes are written every this many sends: a worker killed mid-batch (no chance to
# write) leaves at most this many sent but still ``sending``; the scan releases them
# (STALE_SENDING) and they go out again, with the same Message-ID.
RECORD_EVERY = 10
# Refusals of this one message; the connection stays usable for the next.
_MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)

# Take a batch's other notices off the queue: their jobs would only find them taken.
# A job is removed only while it waits (in the queue list, status queued), never one
# a worker has started.
_DROP_JOBS = """
local dropped = 0
for _, id in ipairs(ARGV) do
  if redis.call('LREM', KEYS[1], 0, id) > 0 then
    local key = KEYS[2] .. id
    if redis.call('HGET', key, 'status') == 'queued' then redis.call('DEL', key) end
    dropped = dropped + 1
  end
end
return dropped
"""


def deliver(outbox_id: int) -> str | None:
    """Send notice ``outbox_id`` and, on the same connection, other notices that are due (a worker's job).

    One conditional UPDATE claims the batch: this notice if it is still queued, and
    up to BATCH in all of the queued notices whose time has come, oldest first (on
    PostgreSQL, rows another worker is claiming are skipped). Whatever another job
    claimed or sent is not in it, so each notice goes out at most once however many
    workers drain at once. Returns this notice's outcome; None when another job had
    it or it went out already.
    """
    batch = _claim(outbox_id)
    if not batch:
        return None
    outcomes = _send_batch(batch)
    return outcomes.get(outbox_id, {}).get("status")


def _claim(outbox_id: int) -> list:
    now = clock.now()
    table = Outbox.__table__
    candidates = (
        select(table.c.id)
        .where(table.c.status == policy.QUEUED, or_(table.c.id == outbox_id, table.c.next_attempt_at <= now))
        .order_by((table.c.id == outbox_id).desc(), table.c.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
        # A CTE, run once: as a subquery PostgreSQL may run it again for each row it
        # updates, and each run skips the rows just claimed, taking BATCH more.
        .cte("claimable")
    )
    batch = db.session.execute(
        update(table)
        .where(table.c.id.in_(select(candidates.c.id)), table.c.status == policy.QUEUED)
        .values(status=policy.SENDING, attempts=table.c.attempts + 1, attempted_at=now)
        .returning(*(table.c[name] for name in Claimed._fields))
    ).all()
    db.session.commit()  # the claim: another job finds these taken
    batch.sort(key=lambda notice: (notice.id != outbox_id, notice.id))
    _drop_jobs([notice for notice in batch if notice.id != outbox_id])
    return batch


class Claimed(NamedTuple):
    """A notice a job claimed, as the job reads it."""

    id: int
    template: str
    context: dict | None
    subject: str | None
    recipients: list[str]
    body: str | None
    created_on: datetime
    attachments: list | None
    attempts: int
    last_error: str | None


def _written(batch: Sequence) -> list[Claimed]:
    """The batch with every notice's subject and body, rendered now for those that have none.

    Rendering happens here, in the worker, never in the request that raised the notice. What
    is rendered is kept (one commit) before anything is sent, so every attempt sends the same
    text. A notice whose template fails even in its shipped version is failed, for Admin."""
    batch = [Claimed(*notice) for notice in batch]
    rendered, failed = {}, {}
    for notice in batch:
        if notice.body is not None:
            continue
        try:
            subject, body, template_error = render_notice(notice.template, _from_json(notice.context or {}))
        except BaseTimeoutException:
            raise
        except Exception as error:
            log.exception("Notice %s could not be rendered", notice.id)
            failed[notice.id] = {
                "status": policy.FAILED,
                "last_error": NOT_RENDERED.format(error=f"{type(error).__name__}: {error}"),
                "next_attempt_at": None,
            }
            continue
        last_error = "\n".join(filter(None, (notice.last_error, template_error))) or None
        rendered[notice.id] = {"subject": subject, "body": body, "last_error": last_error}
    if not rendered and not failed:
        return batch
    db.session.rollback()  # what rendering read
    _update_outcomes({**rendered, **failed})
    db.session.commit()
    return [
        notice._replace(**rendered[notice.id]) if notice.id in rendered else notice
        for notice in batch
        if notice.id not in failed
    ]


def _drop_jobs(notices: Sequence) -> None:
    if not notices:
        return
    try:
        connection = queue.connection()
        connection.eval(
            _DROP_JOBS,
            2,
            queue.queue().key,
            Job.redis_job_namespace_prefix,
            *(job_id(notice.id, notice.attempts - 1) for notice in notices),
        )
    except RedisError as error:
        # Harmless: their jobs run later and find them taken.
        log.warning("Redis is unreachable (%s): the jobs of a sent batch stay queued", error)


def _send_batch(batch: Sequence) -> dict[int, dict]:
    """Write and send each notice of ``batch``; their outcomes are written together, even if the job is stopped."""
    outcomes: dict[int, dict] = {}
    written: set[int] = set()
    try:
        batch = _written(batch)
        if not current_app.config["MAIL_SERVER"]:
            # Nowhere to send them: kept in the outbox, readable there, never marked sent.
            outcomes.update((notice.id, {"status": policy.STORED}) for notice in batch)
            return outcomes
        for index, notice in enumerate(batch):
            try:
                message = _message(notice)  # its attachments are built now
            except BaseTimeoutException:
                raise
            except Exception as error:  # a builder's failure is this notice's only
                outcomes[notice.id] = _failure(notice, error)
                continue
            try:
                _send(message, list(notice.recipients))
            except BaseTimeoutException:
                raise
            except _MESSAGE_REFUSED as error:
                outcomes[notice.id] = _failure(notice, error)
            except OSError as error:
                # The server is unreachable: the rest of the batch cannot go either.
                outcomes.update((rest.id, _failure(rest, error)) for rest in batch[index:])
                break
            except Exception as error:  # e.g. an address the server's encoding cannot carry
                outcomes[notice.id] = _failure(notice, error)
            else:
                outcomes[notice.id] = {"status": policy.SENT, "sent_on": clock.now()}
            if len(outcomes) - len(written) >= RECORD_EVERY:
                _write({key: value for key, value in outcomes.items() if key not in written})
                written.update(outcomes)
    finally:
        _record(batch, {key: value for key, value in outcomes.items() if key not in written}, written)
    return outcomes


def _failure(notice, error: Exception) -> dict:
    log.warning("Notice %s not sent (attempt %s): %s", notice.id, notice.attempts, error)
    next_attempt_at = policy.next_attempt_at(notice.attempts, clock.now())
    return {
        "status": policy.QUEUED if next_attempt_at else policy.FAILED,
        "last_error": f"{type(error).__name__}: {error}",
        "next_attempt_at": next_attempt_at,
    }


def _write(outcomes: dict[int, dict]) -> None:
    """Commit these outcomes."""
    db.session.rollback()  # whatever a failed attachment builder left half done
    _update_outcomes(outcomes)
    db.session.commit()


def _update_outcomes(outcomes: dict[int, dict]) -> None:
    table = Outbox.__table__
    groups: dict[tuple, list[dict]] = {}
    for outbox_id, values in outcomes.items():
        row = {"outbox_id": outbox_id, **{f"new_{name}": value for name, value in values.items()}}
        groups.setdefault(tuple(sorted(values)), []).append(row)
    for names, rows in groups.items():
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("outbox_id"))
            .values({name: bindparam(f"new_{name}") for name in names}),
            rows,
        )


def _record(batch: Sequence, outcomes: dict[int, dict], written: set[int] = frozenset()) -> None:
    """The batch's last commit: the outcomes not yet written, and the notices not tried put back in the queue."""
    db.session.rollback()  # whatever a failed attachment builder left half done
    _update_outcomes(outcomes)
    untried = [notice for notice in batch if notice.id not in outcomes and notice.id not in written]
    if untried:
        # The job was stopped (a timeout) before it got to these: not an attempt.
        table = Outbox.__table__
        db.session.execute(
            update(table)
            .where(table.c.id.in_([notice.id for notice in untried]), table.c.status == policy.SENDING)
            .values(status=policy.QUEUED, attempts=table.c.attempts - 1, next_attempt_at=clock.now())
        )
    db.session.commit()
    if untried:
        enqueue([(notice.id, notice.attempts - 1) for notice in untried])


# This worker's SMTP connection (one per thread), kept open from one notice to the next:
# a worker sends many, and opening a connection costs more than sending a message on it.
_local = threading.local()


def _smtp() -> dict:
    if not hasattr(_local, "smtp"):
        _local.smtp = {}
    return _local.smtp


def _send(message: Message, recipients: list[str]) -> None:
    state = current_app.extensions["mail"]
    key = (id(state), state.server, state.port, state.use_ssl, state.use_tls, state.username, state.suppress)
    smtp = _smtp()
    reused = smtp.get("key") == key
    if not reused:
        close_smtp()
        connection = mail.connect()
        connection.__enter__()
        smtp.update(key=key, connection=connection)
    host = smtp["connection"].host
    if host is None:
        return  # MAIL_SUPPRESS_SEND: nothing leaves the process
    try:
        host.sendmail(message["From"], recipients, message.as_bytes(policy=_CRLF))
    except _MESSAGE_REFUSED:
        raise  # smtplib reset the transaction: the connection serves the next message
    except OSError:
        close_smtp()
        if not reused:
            raise
        _send(message, recipients)  # the server had closed the kept connection: once more, on a new one


def close_smtp() -> None:
    """Close this worker's SMTP connection, if one is open."""
    smtp = _smtp()
    connection = smtp.pop("connection", None)
    smtp.clear()
    if connection is not None:
        with suppress(OSError):
            connection.__exit__(None, None, None)


# UTF-8 in base64, body and headers alike, whatever another module made the default
# (Flask-Mail registers "utf-8" as 8bit bodies, which not every server takes).
_UTF8 = Charset("utf-8")
_UTF8.header_encoding = _UTF8.body_encoding = BASE64
# Lines end in CRLF on the wire (smtplib sends bytes as they are).
_CRLF = compat32.clone(linesep="\r\n")


@lru_cache(maxsize=8)
def _sender(sender: str) -> tuple[str, str]:
    """The From header of ``sender`` (a name encoded if it is not ASCII) and its mail domain."""
    name, address = parseaddr(sender)
    return formataddr((name, address), charset="utf-8"), address.rpartition("@")[2] or "localhost"


def _message(notice) -> Message:
    """The mail of a notice. Built with the email package's classic classes (as Flask-Mail
    builds it), which cost a fraction of ``EmailMessage``'s header parsing per message."""
    sender, domain = _sender(current_app.config["MAIL_DEFAULT_SENDER"])
    message = text = MIMEText(notice.body, "plain", _UTF8)
    if notice.attachments:
        message = MIMEMultipart()
        message.attach(text)
        for name, argument in notice.attachments:
            filename, content_type, data = ATTACHMENT_BUILDERS[name](argument)
            maintype, _slash, subtype = content_type.partition("/")
            part = MIMEBase(maintype, subtype or "octet-stream")
            part.set_payload(data)
            encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
            message.attach(part)
    message["Subject"] = Header(notice.subject, _UTF8)
    message["From"] = sender
    message["To"] = ", ".join(notice.recipients)
    message["Date"] = formatdate(localtime=True)
    # The same Message-ID on every attempt lets mail systems drop a repeat.
    message["Message-ID"] = f"<notice-{notice.id}-{int(notice.created_on.timestamp())}@{domain}>"
    return message
