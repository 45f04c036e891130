"""The rules of SPEC.md as plain Python.

Every number of the regulations lives in this package, once, with its section
beside it. Nothing here knows about HTTP requests, the database or rendering: it
imports neither SQLAlchemy nor the models nor anything of the app outside this
package (tests/test_policy_pure.py). Functions take plain values and return
decisions, or raise a ``PolicyError``; the services (app/services, app/binding.py)
read the facts and write the outcome.
"""

from app.policy.errors import (
    Conflict,
    NotAllowed,
    NotFound,
    PolicyError,
    ValidationFailed,
)

__all__ = ["Conflict", "NotAllowed", "NotFound", "PolicyError", "ValidationFailed"]
