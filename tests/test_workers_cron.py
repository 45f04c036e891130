"""RQ's cron table: the scan every minute, the monthly bulletin on the 1st; a worker runs what cron enqueues."""

from rq.cron import CronScheduler
from sqlalchemy import func, select

from app import clock, queue
from app.extensions import db
from app.models import Department, Outbox


def cron_jobs(app):
    with app.app_context():
        scheduler = CronScheduler(connection=queue.connection())
    scheduler.load_config_from_file("workers.cron")
    return {job.func_name: job for job in scheduler.get_jobs()}


def test_the_scan_runs_every_minute_and_the_bulletin_on_the_first_of_the_month(app):
    assert [(job.func_name, job.cron, job.queue_name) for job in cron_jobs(app).values()] == [
        ("workers.jobs.scan", "* * * * *", queue.QUEUE_NAME),
        ("workers.jobs.monthly_bulletin", "0 8 1 * *", queue.QUEUE_NAME),
    ]


def test_a_worker_runs_the_scan_that_cron_enqueues(app, work):
    with app.app_context():
        job = cron_jobs(app)["workers.jobs.scan"].enqueue(queue.connection())
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


def test_the_bulletin_job_mails_the_month_just_ended_to_every_department_mailbox_once(app, work):
    with app.app_context():
        job = cron_jobs(app)["workers.jobs.monthly_bulletin"].enqueue(queue.connection())
        mailboxes = db.session.scalar(select(func.count()).where(Department.email.is_not(None)))
    work()
    assert job.get_status(refresh=True) == "finished"
    assert job.return_value() == mailboxes
    ended = clock.previous_month(clock.current_month(clock.now()))
    with app.app_context():
        keys = db.session.scalars(select(Outbox.key).where(Outbox.template == "monthly_bulletin")).all()
    assert len(keys) == mailboxes
    assert all(key.startswith(f"monthly_bulletin:{ended:%Y-%m}:") for key in keys)

    # Run twice (a retried job, a second cron process): nothing new.
    with app.app_context():
        second = cron_jobs(app)["workers.jobs.monthly_bulletin"].enqueue(queue.connection())
    work()
    assert second.return_value() == 0
