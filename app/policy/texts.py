"""How long typed text may be: one number per kind of text.

The model columns carry their limit (``info={"max_length": …}``, see ``bounded``), the
flush checks every typed value against it (app/services/texts.py), so the form, the API,
the import and any job are refused alike, with the field's name and this message. Text is
stored, shown on pages, quoted in mails and set in PDFs: a bound keeps each of those small.
"""

from collections.abc import Mapping

from app.policy.errors import ValidationFailed
from app.policy.i18n import _

# A complaint's topic and summary, a note, a plan, a reply or a resolution: about two pages.
TEXT_MAX_LENGTH = 4000
# Meeting minutes and the front line's assessment for a handling group (§5): about ten pages.
MINUTES_MAX_LENGTH = 20_000
# The key under which a column states its limit.
MAX_LENGTH = "max_length"
# What a mail or a PDF quotes of one text at most: the longest a typed text may be. A text
# stored before the limits existed (a 210,000-character resolution) is cut there, with a note.
QUOTE_MAX_LENGTH = MINUTES_MAX_LENGTH
# The note after a cut quotation; documents and mails are written in Chinese.
QUOTE_CUT_NOTE = "……（原文共 {length:,} 字，此处仅引前 {shown:,} 字，全文见投诉处理管理系统。）"


def bounded(max_length: int = TEXT_MAX_LENGTH) -> dict:
    """The ``info`` of a column people type into: ``Column(Text, info=bounded())``."""
    return {MAX_LENGTH: max_length}


def too_long(value, max_length: int) -> str | None:
    """The message for ``value`` longer than ``max_length``, or None."""
    if isinstance(value, str) and len(value) > max_length:
        return _("At most %(count)s characters.", count=max_length)
    return None


def quoted(text: str | None, max_length: int = QUOTE_MAX_LENGTH) -> str:
    """``text`` as a mail or a document quotes it: whole, or its beginning and a note, in
    ``max_length`` characters at most (so quoting a quotation changes nothing)."""
    text = text or ""
    if len(text) <= max_length:
        return text
    shown = max_length - len(QUOTE_CUT_NOTE.format(length=len(text), shown=max_length))
    return text[:shown] + QUOTE_CUT_NOTE.format(length=len(text), shown=shown)


def check_lengths(values: Mapping[str, tuple[object, int]]) -> None:
    """``{field: (value, max_length)}``: every field too long, in one ``ValidationFailed``."""
    errors = {field: message for field, (value, limit) in values.items() if (message := too_long(value, limit))}
    if errors:
        raise ValidationFailed(errors)
