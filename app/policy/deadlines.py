"""When things are due (SPEC.md §3, decided; editable per category later)."""

from datetime import datetime, timedelta

# §3 (decided): first contact with the customer within 24 hours of receipt.
FIRST_CONTACT = timedelta(hours=24)
# §3 (decided): the final result within 48 hours of receipt.
FINAL_RESULT = timedelta(hours=48)


def first_reply_due(received_at: datetime) -> datetime:
    return received_at + FIRST_CONTACT


def resolve_due(received_at: datetime) -> datetime:
    return received_at + FINAL_RESULT
