"""What a search box query asks for: a complaint number, a phone number (its start or its last
four digits) or Chinese text (one or more words, each found anywhere in the topic or summary)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from app.policy.complaints import NUMBER_PREFIX
from app.policy.errors import ValidationFailed
from app.policy.i18n import _

# The trigram index finds substrings of 3 characters or more (TEXT_MIN_LENGTH). A word of 2
# characters (梦网, 长安) is looked for beside the longer words of the query, among the rows they
# found; a query of 2-character words only reads the complaints received in SHORT_WORDS_WITHIN
# (the received-time index bounds it). A single character is no word.
TEXT_MIN_LENGTH = 3
WORD_MIN_LENGTH = 2
SHORT_WORDS_WITHIN = timedelta(days=90)
# Digits: a prefix of a phone number or of a number's date and sequence.
DIGITS_MIN_LENGTH = 3
PHONE_LENGTH = 11
# The customer reads the last four digits: a tail of this length finds the phone by its end.
PHONE_TAIL_LENGTH = 4
PHONE_TAIL_START = PHONE_LENGTH - PHONE_TAIL_LENGTH + 1  # 1-based, as SQL's substr counts
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
    phone_tail: str | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """Every word must be found (in any order); the query's spaces separate them."""
        return tuple((self.text or "").split())

    @property
    def long_words(self) -> tuple[str, ...]:
        return tuple(word for word in self.words if len(word) >= TEXT_MIN_LENGTH)

    @property
    def short_words(self) -> tuple[str, ...]:
        return tuple(word for word in self.words if len(word) < TEXT_MIN_LENGTH)

    @property
    def recent_only(self) -> bool:
        """Only 2-character words: no trigram narrows the rows, the received time does."""
        return bool(self.words) and not self.long_words


def parse(value: str | None) -> Query:
    """The query typed in the search box, or ``ValidationFailed`` saying what to type."""
    query = " ".join((value or "").split())
    if len(query) > QUERY_MAX_LENGTH:
        raise ValidationFailed({"text": _("At most %(count)s characters.", count=QUERY_MAX_LENGTH)})
    if _NUMBER.fullmatch(query):
        if len(query) == len(NUMBER_PREFIX):  # the prefix alone is every number
            raise ValidationFailed({"text": _too_short()})
        return Query(number_prefix=query.upper())
    if _DIGITS.fullmatch(query):
        if len(query) < DIGITS_MIN_LENGTH:
            raise ValidationFailed({"text": _too_short()})
        return Query(
            number_prefix=NUMBER_PREFIX + query if len(query) <= NUMBER_DIGITS else None,
            phone_prefix=query if len(query) <= PHONE_LENGTH else None,
            phone_tail=query if len(query) == PHONE_TAIL_LENGTH else None,
        )
    if any(len(word) < WORD_MIN_LENGTH for word in query.split()):
        raise ValidationFailed({"text": _too_short()})
    return Query(text=query)


def _too_short():
    return _(
        "Type words of at least %(count)s characters from the topic or summary, a complaint number, "
        "or the start or the last 4 digits of a phone number.",
        count=WORD_MIN_LENGTH,
    )


def pieces(text: str | None) -> tuple[str, ...]:
    """When a run of words finds nothing as typed ("退费未到账" in "退费80元仍未到账"), its pieces
    of two characters, the last taking an odd one: ("退费", "未到账"). Nothing for a short text."""
    words = (text or "").split()
    if len(words) != 1 or len(words[0]) < 2 * WORD_MIN_LENGTH:
        return ()
    word = words[0]
    cut = [word[start : start + WORD_MIN_LENGTH] for start in range(0, len(word), WORD_MIN_LENGTH)]
    if len(cut[-1]) < WORD_MIN_LENGTH:
        cut[-2:] = [cut[-2] + cut[-1]]
    return tuple(cut)


def successor(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (ASCII prefixes)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def page_count(found: int) -> int:
    return max(1, -(-min(found, RESULT_LIMIT) // PAGE_SIZE))
