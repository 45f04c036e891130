"""Signing out: a POST carrying the CSRF token, which ends the session on the server (app.sessions).

A GET of ``/logout/`` only asks (another site's link or image cannot sign anyone
out, nor leave them believing they did). The classes keep Flask-AppBuilder's names,
so the endpoints stay ``AuthDBView.login``, ``AuthDBView.logout`` and so on.
"""

from flask import g, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.security import views as fab_views
from flask_babel import lazy_gettext as _

from app import sessions


class SignOutByPost:
    """The sign-out of Flask-AppBuilder's sign-in views, by POST only."""

    sign_out_template = "security/sign_out.html"

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        user = getattr(g, "user", None)
        if user is None or not user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        if request.method == "GET":
            return self.render_template(self.sign_out_template, title=_("Sign out"), appbuilder=self.appbuilder)
        # The page's token was checked before any view ran (app.csrf).
        sessions.end_this_session()
        return super().logout()


class AuthDBView(SignOutByPost, fab_views.AuthDBView):
    pass


class AuthLDAPView(SignOutByPost, fab_views.AuthLDAPView):
    pass
