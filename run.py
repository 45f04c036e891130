"""Serve the complaint handling system.

``gunicorn -w 4 run:app`` serves the WSGI ``app`` in production. ``python run.py``
serves on ``PORT`` with embedded defaults: SQLite under ``instance/``, demo data
on the first start, Redis embedded when ``REDIS_URL`` is unset, and an RQ
worker and RQ's cron running beside the web process.
"""

import os
import signal
import subprocess
import sys

from app import create_app

app = create_app()


def start_workers() -> list[subprocess.Popen]:
    """A worker (with the scheduler) and RQ's cron, on the web process's Redis."""
    from app import queue

    with app.app_context():
        environment = {**os.environ, "REDIS_URL": queue.url()}
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
    port = int(os.environ.get("PORT", app.config["PORT"]))
    workers = start_workers()
    # `kill` stops the worker and cron too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print(f"\n  投诉处理管理系统 — http://127.0.0.1:{port}/login/")
    print(f"  Users: {', '.join(name for name, *_ in USERS)}; password {app.config['DEMO_PASSWORD']!r}\n")
    try:
        app.run(host="0.0.0.0", port=port, debug=False, use_reloader=False, threaded=True)
    finally:
        stop(workers)


if __name__ == "__main__":
    main()
