"""Flask-AppBuilder's texts that its own Chinese catalogue lacks, marked here so that
``make translations`` puts them in the app's catalogue (which is merged with FAB's)."""

from flask_babel import lazy_gettext as _

FRAMEWORK_TEXTS = [
    _("List Groups"),
    _("Groups"),
    _("Cancel"),
    _("OK"),
    _("It's not a good policy to remove a user, just make it inactive"),
    _("The user group on the application"),
    _("The user's password for authentication"),
    _("this will associate with a list of roles associated with the group"),
    _("Add"),
    _("Show"),
    _("Edit"),
]
