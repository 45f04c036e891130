"""Where one request spends its time: pyinstrument over REPEAT calls through the whole app.

    .venv/bin/python bench/profile.py [--database URL] [--user agent1] [--post] URL_PATH

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
    profiler = Profiler(interval=0.0005)
    with profiler:
        for index in range(1, options.repeat + 1):
            assert call(index).status_code in (200, 201)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
