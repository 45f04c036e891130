"""Translatable text for the policy package.

``lazy_gettext`` resolves when the text is shown, in the reader's language; with
no Flask app around (plain policy tests) it is the English source text.
"""

from flask_babel import lazy_gettext

_ = lazy_gettext
