"""What a search box query asks for: a complaint number, a phone number or Chinese text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.policy.complaints import NUMBER_PREFIX
from app.policy.errors import ValidationFailed
from app.policy.i18n import _

# The trigram index finds substrings of 3 characters or more; a shorter text
# (most 2-character Chinese words) would read every row, so it is refused.
TEXT_MIN_LENGTH = 3
# Digits: a prefix of a phone number or of a number's date and sequence.
DIGITS_MIN_LENGTH = 3
PHONE_LENGTH = 11
NUMBER_DIGITS = 12  # the local date and the 4-digit daily sequence
QUERY_MAX_LENGTH = 100
# Results: newest first, one page at a time, counted up to this many.
PAGE_SIZE = 20
RESULT_LIMIT = 1000

_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(rf"{NUMBER_PREFIX}[0-9]*", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    """What to look for; each part set is one way to match, any of them will do."""

    text: str | None = None
    number_prefix: str | None = None
    phone_prefix: str | None = None


def parse(value: str | None) -> Query:
    """The query typed in the search box, or ``ValidationFailed`` saying what to type."""
    query = " ".join((value or "").split())
    if len(query) > QUERY_MAX_LENGTH:
        raise ValidationFailed({"text": _("At most %(count)s characters.", count=QUERY_MAX_LENGTH)})
    if _NUMBER.fullmatch(query) and len(query) > len(NUMBER_PREFIX):
        return Query(number_prefix=query.upper())
    if _DIGITS.fullmatch(query):
        if len(query) < DIGITS_MIN_LENGTH:
            raise ValidationFailed({"text": _too_short()})
        return Query(
            number_prefix=NUMBER_PREFIX + query if len(query) <= NUMBER_DIGITS else None,
            phone_prefix=query if len(query) <= PHONE_LENGTH else None,
        )
    if len(query) < TEXT_MIN_LENGTH:
        raise ValidationFailed({"text": _too_short()})
    return Query(text=query)


def _too_short():
    return _(
        "Type at least %(count)s characters of the topic or summary, a complaint number "
        "or the start of a phone number.",
        count=TEXT_MIN_LENGTH,
    )


def successor(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (ASCII prefixes)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def page_count(found: int) -> int:
    return max(1, -(-min(found, RESULT_LIMIT) // PAGE_SIZE))
