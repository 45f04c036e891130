"""The department tree (SPEC.md §1) as plain data: subtrees and cycles."""

import re
from collections import defaultdict
from collections.abc import Iterable

from app.policy.errors import ValidationFailed
from app.policy.i18n import _
from app.policy.vocabulary import DEPARTMENT_KINDS

DEPARTMENT_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,31}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def subtree(root: int, edges: Iterable[tuple[int, int | None]]) -> set[int]:
    """``root`` and every department below it; ``edges`` are (id, parent id) pairs."""
    children = defaultdict(list)
    for node, parent in edges:
        children[parent].append(node)
    found, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children[node])
    return found


def unit_of(department: int, edges: Iterable[tuple[int, int | None]]) -> int:
    """The unit a department belongs to: its ancestor just below the company (or itself).

    (decided) A manager decides the refunds of their unit: the room manager of the
    complaint support room (CSC-ZY) those of the whole customer service centre.
    """
    parents = dict(edges)
    node = department
    while parents.get(node) is not None and parents.get(parents[node]) is not None:
        node = parents[node]
    return node


def approval_scope(department: int, edges: Iterable[tuple[int, int | None]]) -> set[int]:
    """The departments whose complaints' refunds a manager of ``department`` decides."""
    edges = list(edges)
    return subtree(unit_of(department, edges), edges)


def validate_department(
    department_id: int | None,
    code: str | None,
    name: str | None,
    kind: str | None,
    parent_id: int | None,
    email: str | None,
    edges: Iterable[tuple[int, int | None]],
) -> None:
    errors = {}
    if not code or not DEPARTMENT_CODE.fullmatch(code):
        errors["code"] = _("Use capital letters, digits and hyphens, such as CSC-HOT.")
    if not name or not name.strip():
        errors["name"] = _("This field is required.")
    if kind not in DEPARTMENT_KINDS:
        errors["kind"] = _("Not a valid choice: use one of %(codes)s.", codes=", ".join(DEPARTMENT_KINDS))
    if email and not EMAIL.fullmatch(email):
        errors["email"] = _("Not a valid email address.")
    if department_id is not None and parent_id is not None and parent_id in subtree(department_id, edges):
        errors["parent"] = _("A department cannot sit below itself.")
    if errors:
        raise ValidationFailed(errors)
