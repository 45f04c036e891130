"""The cron table: what RQ's cron enqueues, and when.

Cron expressions are read in APP_TIMEZONE (`python -m workers --cron` sets the
process's zone). A periodic job of a later feature is one more row, e.g. the
monthly bulletin (SPEC.md §6) on the 1st: ``(jobs.bulletin, "0 8 1 * *")``.
"""

from rq import cron

from app.queue import QUEUE_NAME
from workers import jobs

EVERY_MINUTE = "* * * * *"

TABLE = [
    (jobs.scan, EVERY_MINUTE),
]

for job, schedule in TABLE:
    cron.register(job, queue_name=QUEUE_NAME, cron=schedule)
