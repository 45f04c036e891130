"""The rules of SPEC.md as plain Python.

Every number of the regulations lives in this package, once, with its section
beside it. Nothing here knows about HTTP requests or rendering: functions take
plain values or model objects and return decisions, or raise a ``PolicyError``.
"""

from app.policy.errors import (
    Conflict,
    NotAllowed,
    NotFound,
    PolicyError,
    ValidationFailed,
)

__all__ = ["Conflict", "NotAllowed", "NotFound", "PolicyError", "ValidationFailed"]
