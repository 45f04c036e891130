"""RQ's cron table: the scan every minute; a worker runs what cron enqueues."""

from rq.cron import CronScheduler

from app import queue


def test_the_scan_runs_every_minute(app):
    with app.app_context():
        scheduler = CronScheduler(connection=queue.connection())
    scheduler.load_config_from_file("workers.cron")
    assert [(job.func_name, job.cron, job.queue_name) for job in scheduler.get_jobs()] == [
        ("workers.jobs.scan", "* * * * *", queue.QUEUE_NAME)
    ]


def test_a_worker_runs_the_scan_that_cron_enqueues(app, work):
    with app.app_context():
        scheduler = CronScheduler(connection=queue.connection())
        scheduler.load_config_from_file("workers.cron")
        [cron_job] = scheduler.get_jobs()
        job = cron_job.enqueue(queue.connection())
    work()
    assert job.get_status(refresh=True) == "finished"
    assert job.return_value() == {
        "overdue dispatches alerted": 0,
        "late first replies alerted": 0,
        "late temporary plans alerted": 0,
        "progress mails": 0,
        "small-refund thresholds alerted": 0,
        "stale notices queued again": 0,
        "queued notices enqueued": 0,
    }
