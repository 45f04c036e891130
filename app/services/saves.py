"""What a save changes on a row, read from the session's history before the flush writes it."""

from sqlalchemy import inspect


def changes_of(obj) -> dict[str, tuple]:
    """Column → (old, new) for every column the save changes."""
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = (old, new)
    return changes


def relations_changed(obj) -> bool:
    """A related row set through the relationship (its key column is written only at the flush)."""
    state = inspect(obj)
    return any(state.attrs[relation.key].history.has_changes() for relation in state.mapper.relationships)
