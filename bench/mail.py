"""Mails per second: one RQ worker sending the outbox, next to raw smtplib.

Against a local SMTP server (aiosmtpd in its own process, discarding what it
gets), it writes COUNT notices to a scratch SQLite database, lets one worker
(as `python -m workers` runs it) deliver them, then sends the same number of
messages with plain smtplib, on one connection and on a connection each.

    .venv/bin/python bench/mail.py [--count 500]

Redis is an embedded server in the scratch folder, never a shared one. It is a
benchmark, not a test: it prints figures and checks only that every notice went
out. bench/run.py uses these functions on its own database for `make bench`.
"""

import argparse
import secrets
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.charset import BASE64, Charset
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SUBJECT = "【投诉派单】DG202611280001 家中信号差"
BODY = "网维中心：\n\n现将以下投诉派至贵部门处理，请于 2026-11-29 09:30 前答复。\n" * 5
RECIPIENTS = ["net@dg.example.com"]
SENDER = "complaints@dg.example.com"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the SMTP server did not start")


def outbox_rate(count: int, port: int | None, scratch: Path, database: str | None = None) -> tuple[float, float]:
    """Notices written and enqueued per second, then delivered per second by one worker.

    With no ``port`` there is no mail server: the worker only stores the notices,
    which measures what the queue and the database cost without SMTP. ``database``
    is a migrated database to use (default: a scratch SQLite file).
    """
    from flask_appbuilder import Model
    from rq import SimpleWorker

    from app import create_app, notices, queue
    from app.extensions import db
    from app.models import Outbox
    from config import DevConfig, database_url
    from workers import jobs

    redis = queue.embedded(scratch / "redis")
    redis_url = f"unix://{scratch / 'redis' / queue.SOCKET}"
    app = create_app(
        DevConfig,
        SQLALCHEMY_DATABASE_URI=database_url(database) if database else f"sqlite:///{scratch / 'bench.db'}",
        REDIS_URL=redis_url,
        MAIL_SERVER="127.0.0.1" if port else None,
        MAIL_PORT=port,
        MAIL_DEFAULT_SENDER=SENDER,
        SECRET_KEY=secrets.token_urlsafe(48),
    )
    jobs.use_app(app)
    with app.app_context():
        if database is None:
            Model.metadata.create_all(db.engine)
        notices.seed_templates()
        db.session.commit()
        connection = queue.connection()
        context = {"complaint": {"number": "DG202611280001", "topic": "家中信号差"}, "department": "网维中心"}
        run = f"bench:{time.time_ns()}"
        started = time.perf_counter()
        for number in range(count):
            notices.notify("dispatch", RECIPIENTS, context, f"{run}:{number}")
            db.session.commit()  # one change, one notice: the usual shape
        written = count / (time.perf_counter() - started)

    started = time.perf_counter()
    SimpleWorker([queue.QUEUE_NAME], connection=connection).work(burst=True, logging_level="WARNING")
    delivered = count / (time.perf_counter() - started)
    with app.app_context():
        done = (
            db.session.query(Outbox)
            .filter(Outbox.key.startswith(run), Outbox.status == ("sent" if port else "stored"))
            .count()
        )
        db.session.remove()
        db.engine.dispose()
    redis.shutdown(nosave=True)
    if done != count:
        raise RuntimeError(f"{done} of {count} notices went out")
    return written, delivered


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = SUBJECT, SENDER, ", ".join(RECIPIENTS)
    mail.set_content(BODY)
    return mail


def classic_message(number: int) -> bytes:
    """The same mail built as the worker builds it: the email package's classic classes, base64 UTF-8."""
    utf8 = Charset("utf-8")
    utf8.header_encoding = utf8.body_encoding = BASE64
    mail = MIMEText(BODY, "plain", utf8)
    mail["Subject"] = Header(SUBJECT, utf8)
    mail["From"], mail["To"] = SENDER, ", ".join(RECIPIENTS)
    mail["Date"], mail["Message-ID"] = formatdate(localtime=True), f"<bench-{number}@dg.example.com>"
    return mail.as_bytes(policy=compat32.clone(linesep="\r\n"))


def smtplib_rate(count: int, port: int, *, one_connection: bool, classic: bool = False) -> float:
    """Raw smtplib: ``EmailMessage`` per message (or, ``classic``, the worker's way of building it)."""
    started = time.perf_counter()
    if one_connection:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for number in range(count):
                if classic:
                    smtp.sendmail(SENDER, RECIPIENTS, classic_message(number))
                else:
                    smtp.send_message(message())
    else:
        for _ in range(count):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.send_message(message())
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="notices to send (default 500)")
    count = parser.parse_args().count
    port = free_port()
    server = start_smtp_server(port)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            written, delivered = outbox_rate(count, port, Path(scratch))
        with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            _written, stored = outbox_rate(count, None, Path(scratch))
        one = smtplib_rate(count, port, one_connection=True)
        classic = smtplib_rate(count, port, one_connection=True, classic=True)
        each = smtplib_rate(count, port, one_connection=False)
    finally:
        server.terminate()
        server.wait()
    print(f"{count} mails to a local SMTP server (aiosmtpd), per second:")
    print(f"  outbox: notify + commit + enqueue      {written:8.0f}")
    print(f"  outbox: one worker delivering          {delivered:8.0f}")
    print(f"  outbox: one worker, no mail server     {stored:8.0f}   (queue and database only)")
    print(f"  smtplib, one connection for all        {one:8.0f}")
    print(f"  smtplib, the same, classic messages    {classic:8.0f}   (built as the worker builds them)")
    print(f"  smtplib, a connection per message      {each:8.0f}")


if __name__ == "__main__":
    main()
