"""RQ workers: the jobs (workers.jobs), the cron table (workers.cron) and `python -m workers`."""
