"""Files attached to complaints, incidents, handling-group meetings and refunds (附件).

The bytes live outside the database, in ``ATTACHMENT_FOLDER``, under a generated name;
the row keeps the cleaned display name, the type read from the content and a checksum.
"""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, ForeignKey, Index, Integer, String, and_, false, or_, select
from sqlalchemy.orm import relationship

from app.models.complaint import Complaint, utcnow
from app.models.group import HandlingGroup
from app.models.incident import Incident
from app.models.refund import RefundRequest
from app.models.types import UTCDateTime

# The rows a file may belong to, by the owner kind stored with it.
OWNERS = {
    "complaint": Complaint,
    "incident": Incident,
    "group": HandlingGroup,
    "refund": RefundRequest,
}


class Attachment(Model):
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "owner_kind", "owner_id"),)
    audited = True

    id = Column(Integer, primary_key=True)
    # complaint, incident, group or refund (OWNERS)
    owner_kind = Column(String(12), nullable=False)
    owner_id = Column(Integer, nullable=False)
    filename = Column(String(200), nullable=False)
    content_type = Column(String(100), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    # The file's name in ATTACHMENT_FOLDER: generated, never the user's.
    stored_name = Column(String(64), nullable=False, unique=True)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    created_on = Column(UTCDateTime, nullable=False, default=utcnow)

    uploaded_by = relationship(User)

    @classmethod
    def visible_to(cls, viewer):
        """Whoever sees the row a file belongs to sees the file."""
        if viewer.sees_everything:
            return cls.owner_kind.in_(list(OWNERS))
        return or_(
            *(
                and_(cls.owner_kind == kind, cls.owner_id.in_(select(model.id).where(model.visible_to(viewer))))
                for kind, model in OWNERS.items()
            ),
            false(),
        )

    def __str__(self) -> str:
        return self.filename
