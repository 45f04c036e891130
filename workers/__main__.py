"""`python -m workers [--burst]`: an RQ worker, with RQ's scheduler, on the app's queue.

`python -m workers --cron` runs RQ's cron instead: it enqueues the jobs of
workers/cron.py on time, and a worker runs them. The worker runs its jobs in
its own process (RQ's SimpleWorker, no fork per job), in the one app it builds
at start.
"""

import argparse
import os
import time

from rq import SimpleWorker
from rq.cron import CronScheduler

from app import create_app, queue
from workers import jobs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--burst", action="store_true", help="empty the queue, then exit")
    mode.add_argument("--cron", action="store_true", help="run RQ's cron (workers/cron.py), not a worker")
    args = parser.parse_args(argv)

    app = create_app()
    jobs.use_app(app)
    with app.app_context():
        connection = queue.connection()
    if args.cron:
        # Cron expressions are read in the process's local zone: make it APP_TIMEZONE.
        os.environ["TZ"] = app.config["APP_TIMEZONE"]
        time.tzset()
        scheduler = CronScheduler(connection=connection)
        scheduler.load_config_from_file("workers.cron")
        scheduler.start()
    else:
        SimpleWorker([queue.QUEUE_NAME], connection=connection).work(burst=args.burst, with_scheduler=True)


if __name__ == "__main__":
    main()
