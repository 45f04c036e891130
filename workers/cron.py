"""The cron table: what RQ's cron enqueues, and when.

Cron expressions are read in APP_TIMEZONE (`python -m workers --cron` sets the
process's zone). A periodic job is one more row.
"""

from rq import cron

from app.queue import QUEUE_NAME
from workers import jobs

EVERY_MINUTE = "* * * * *"
# SPEC.md §6: the monthly bulletin of the month just ended, on the 1st at 08:00.
FIRST_OF_THE_MONTH = "0 8 1 * *"

TABLE = [
    (jobs.scan, EVERY_MINUTE),
    (jobs.monthly_bulletin, FIRST_OF_THE_MONTH),
]

for job, schedule in TABLE:
    cron.register(job, queue_name=QUEUE_NAME, cron=schedule)
