"""Typed errors: each says what went wrong in words a user can read.

The web layer maps them to HTTP: ``ValidationFailed`` 422, ``NotAllowed`` 403,
``NotFound`` 404, ``Conflict`` 409.
"""

from collections.abc import Mapping


class PolicyError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class ValidationFailed(PolicyError):
    """One or more values are invalid; ``errors`` maps each field to its message."""

    status = 422

    def __init__(self, errors: Mapping[str, object]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))


class NotAllowed(PolicyError):
    status = 403


class NotFound(PolicyError):
    status = 404


class Conflict(PolicyError):
    status = 409
