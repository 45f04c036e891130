"""The home page: who you are, and where your work is."""

from flask import g
from flask_appbuilder import IndexView, expose
from sqlalchemy import func, select

from app.extensions import db
from app.models import Complaint
from app.policy.vocabulary import ROLE_LABELS, label
from app.security import current_viewer


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        viewer = current_viewer()
        open_count = None
        if viewer is not None and viewer.department_id is not None:
            open_count = db.session.scalar(
                select(func.count())
                .select_from(Complaint)
                .where(Complaint.receiver_id == viewer.user_id, Complaint.status != "closed")
            )
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            user=getattr(g, "user", None),
            viewer=viewer,
            role_labels=sorted(label(ROLE_LABELS, name) for name in viewer.role_names) if viewer else [],
            open_count=open_count,
        )
