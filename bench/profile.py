"""Where one request spends its time: pyinstrument over REPEAT calls through the whole app.

    .venv/bin/python bench/profile.py [--database URL] [--user agent1] [--post] [--statements] [--all] URL_PATH

``--statements`` lists the SQL statements of one request instead (with their time); those
sent together by app.round_trip go past SQLAlchemy's events and are not listed.

The database must have been prepared by bench/run.py (demo users with its password).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--database", default="postgresql://root@127.0.0.1:5432/bench_quick")
    parser.add_argument("--user", default="agent1")
    parser.add_argument("--post", action="store_true", help="POST complaint bodies to the path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--statements", action="store_true", help="list the SQL statements of one request")
    parser.add_argument("--all", action="store_true", help="show the libraries' frames too")
    options = parser.parse_args()
    from pyinstrument import Profiler

    app = run._make_app(options.database, "")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {run._token(client, options.user)}"}
    if options.path.startswith("/api/"):
        web = client
    else:
        web, headers = run._signed_in(app, options.user), {}
    bodies = run._complaint_bodies(app, options.repeat + 1) if options.post else None

    def call(index):
        if bodies:
            return web.post(options.path, json=bodies[index], headers=headers)
        return web.get(options.path, headers=headers)

    call(0)
    if options.statements:
        print_statements(app, lambda: call(1))
        return
    profiler = Profiler(interval=0.0005)
    with profiler:
        for index in range(1, options.repeat + 1):
            assert call(index).status_code in (200, 201)
    print(profiler.output_text(unicode=True, color=False, show_all=options.all))


def print_statements(app, request) -> None:
    """Each statement one request sends to the database, in order, with its time."""
    import time

    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        sent.append((time.perf_counter() - conn.info.pop("started"), " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    started = time.perf_counter()
    try:
        response = request()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    elapsed = time.perf_counter() - started
    for number, (seconds, statement) in enumerate(sent, 1):
        print(f"{number:3} {seconds * 1000:6.2f} ms  {statement[:160]}")
    in_database = sum(seconds for seconds, _statement in sent) * 1000
    print(f"{len(sent)} statements, {in_database:.1f} ms of {elapsed * 1000:.1f} ms; {response.status}")


if __name__ == "__main__":
    main()
