"""Serve the complaint handling system.

``gunicorn -w 4 run:app`` serves the WSGI ``app`` in production: it needs
``SECRET_KEY``, as every process does. ``python run.py`` serves on ``HOST``
(127.0.0.1 unless told otherwise) and ``PORT`` with embedded defaults: SQLite
under ``instance/``, demo data on the first start, Redis embedded when
``REDIS_URL`` is unset, a random key of its own in ``instance/secret_key`` when
``SECRET_KEY`` is unset, and an RQ worker and RQ's cron running beside the web
process.
"""

import ipaddress
import os
import signal
import subprocess
import sys

from app import create_app
from config import INSTANCE_DIR, Config

# Written once, readable by its owner only.
SECRET_KEY_FILE = INSTANCE_DIR / "secret_key"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_secret_key() -> str:
    """The key of this installation's ``python run.py``, made at its first start."""
    import secrets

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SECRET_KEY_FILE.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return SECRET_KEY_FILE.read_text().strip()


def local_settings() -> dict:
    """What ``python run.py`` adds to the environment's settings: a key of its own, on loopback only."""
    if os.environ.get("SECRET_KEY"):
        return {}
    if not is_loopback(Config.HOST):
        sys.exit(
            f"HOST={Config.HOST} serves beyond this machine: set SECRET_KEY to a random value of at least "
            "32 characters (the key in instance/secret_key is for serving on 127.0.0.1 only)."
        )
    return {"SECRET_KEY": local_secret_key()}


app = create_app(**local_settings()) if __name__ == "__main__" else create_app()


def start_workers() -> list[subprocess.Popen]:
    """A worker (with the scheduler) and RQ's cron, on the web process's Redis."""
    from app import queue

    with app.app_context():
        environment = {**os.environ, "REDIS_URL": queue.url(), "SECRET_KEY": app.config["SECRET_KEY"]}
    command = [sys.executable, "-m", "workers"]
    return [subprocess.Popen(command, env=environment), subprocess.Popen([*command, "--cron"], env=environment)]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    from app.demo import USERS
    from app.extensions import db
    from app.notices import seed_templates
    from app.setup import is_initialised, sync_permissions, upgrade_schema

    with app.app_context():
        first_start = not is_initialised()
        upgrade_schema()
        if first_start:
            from app import demo

            sync_permissions()
            demo.seed()
        seed_templates()
        db.session.commit()
    host, port = app.config["HOST"], app.config["PORT"]
    workers = start_workers()
    # `kill` stops the worker and cron too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print(f"\n  投诉处理管理系统 — http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/login/")
    print(f"  Users: {', '.join(name for name, *_ in USERS)}; password {app.config['DEMO_PASSWORD']!r}\n")
    try:
        app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
    finally:
        stop(workers)


if __name__ == "__main__":
    main()
