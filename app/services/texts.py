"""Every text saved within the length its column takes (app.policy.texts), whatever the door."""

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.policy import texts

_BOUNDS: dict[type, dict[str, int]] = {}


def _bounds(cls) -> dict[str, int]:
    """Attribute → the longest text its column takes (app.policy.texts), per model, read once."""
    if cls not in _BOUNDS:
        mapper = inspect(cls, raiseerr=False)
        _BOUNDS[cls] = {
            attr.key: column.info[texts.MAX_LENGTH]
            for attr in (mapper.column_attrs if mapper is not None else ())
            for column in attr.columns[:1]
            if texts.MAX_LENGTH in column.info
        }
    return _BOUNDS[cls]


def check_lengths(session: Session) -> None:
    """Text longer than its column takes: refused before any rule reads it."""
    for obj in (*session.new, *session.dirty):
        if bounds := _bounds(type(obj)):
            state = inspect(obj)
            texts.check_lengths(
                {key: (value, limit) for key, limit in bounds.items() for value in state.attrs[key].history.added}
            )
