"""Serve the complaint handling system.

``gunicorn -w 4 run:app`` serves the WSGI ``app`` in production. ``python run.py``
serves on ``PORT`` with embedded defaults: SQLite under ``instance/``, demo data
on the first start.
"""

import os

from app import create_app

app = create_app()


def main() -> None:
    from app.demo import USERS
    from app.setup import is_initialised, sync_permissions, upgrade_schema

    with app.app_context():
        first_start = not is_initialised()
        upgrade_schema()
        if first_start:
            from app import demo

            sync_permissions()
            demo.seed()
    port = int(os.environ.get("PORT", app.config["PORT"]))
    print(f"\n  投诉处理管理系统 — http://127.0.0.1:{port}/login/")
    print(f"  Users: {', '.join(name for name, *_ in USERS)}; password {app.config['DEMO_PASSWORD']!r}\n")
    app.run(host="0.0.0.0", port=port, debug=False, use_reloader=False, threaded=True)


if __name__ == "__main__":
    main()
