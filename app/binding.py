"""Every save runs the services, whatever the door: Flask-AppBuilder's forms, the REST API, the
importer, jobs, scripts and the shell.

Views call the services first to give a friendly error; this table makes sure no door skips them.
Each row is (the models the call looks at, the session event, the service call); SQLAlchemy runs
the calls of one event in the order of the rows. The calls take the session and do the work.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from app import appraisals, fast_handling, incidents, monitoring, workflow
from app.models import (
    Appraisal,
    Category,
    Complaint,
    Department,
    Incident,
    MonitoringThreshold,
    RefundRequest,
    RefundType,
    StaffProfile,
)
from app.services import configuration, intake, refunds, texts

BINDINGS = (
    # Before the flush: judge and complete the rows about to be written.
    ("every model", "before_flush", texts.check_lengths),
    (Complaint, "before_flush", intake.check_received),
    (Complaint, "before_flush", workflow.check_changed),
    ((Category, RefundType, StaffProfile, Department), "before_flush", configuration.check_saved),
    (Appraisal, "before_flush", appraisals.check_saved),
    (MonitoringThreshold, "before_flush", monitoring.check_thresholds),
    (RefundRequest, "before_flush", refunds.check_saved),
    (Incident, "before_flush", incidents.check_saved),
    # After the flush: the rows have ids; tell whom they concern.
    (RefundRequest, "after_flush", refunds.notify),
    ((Complaint, Incident), "after_flush", fast_handling.after_flush),
)


def _listener(call):
    """The session event's listener: the service call, given the session alone."""

    def listener(session, *_event_arguments):
        call(session)

    return listener


_LISTENERS = tuple((name, _listener(call)) for _models, name, call in BINDINGS)


def bind() -> None:
    """Listen on every session, once per process, in the order of ``BINDINGS``."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
