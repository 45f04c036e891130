"""The Chinese catalogue is complete and compiled: no English on a Chinese page."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES"
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]


def catalogue():
    with open(CATALOGUE / "messages.po", "rb") as source:
        return read_po(source)


def test_every_message_has_a_chinese_translation():
    untranslated = [message.id for message in catalogue() if message.id and (not message.string or message.fuzzy)]
    assert untranslated == []


def test_every_text_of_the_code_is_in_the_catalogue():
    ids = {message.id for message in catalogue() if message.id}
    keywords = {"_": None, "lazy_gettext": None}
    found = {
        message
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=keywords
        )
        if isinstance(message, str)
    }
    assert len(found) > 100
    assert sorted(found - ids) == []


def test_the_compiled_catalogue_matches_its_source():
    with open(CATALOGUE / "messages.mo", "rb") as compiled:
        shipped = {message.id: message.string for message in read_mo(compiled) if message.id}
    source = {message.id: message.string for message in catalogue() if message.id}
    assert shipped == source
