"""Attachments (附件): files on complaints, incidents, handling-group meetings and refunds.

One door for the pages and the REST API: ``owner_for`` finds the row a file belongs to
(only a row the user may see; else NotFound, shown as 404), ``store`` checks and saves
an upload, ``download`` answers a file as a download that no browser renders.
"""

import hashlib
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, send_file
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import appbuilder, db
from app.models import Attachment, AuditLog
from app.models.attachment import OWNERS
from app.models.audit import acting_username
from app.policy import NotAllowed, NotFound, ValidationFailed
from app.policy import attachments as policy
from app.policy.i18n import _
from app.security import COMPLAINT, HANDLING_GROUP, INCIDENT, REFUND, current_viewer
from app.views.mixins import is_id

# Who may read and who may add files, by owner kind: the owner's own permissions.
READ_PERMISSION = {
    "complaint": (COMPLAINT, "can_show"),
    "incident": (INCIDENT, "can_show"),
    "group": (HANDLING_GROUP, "can_show"),
    "refund": (REFUND, "can_show"),
}
UPLOAD_PERMISSION = {
    "complaint": (COMPLAINT, "can_act"),
    "incident": (INCIDENT, "can_act"),
    "group": (HANDLING_GROUP, "can_act"),
    "refund": (REFUND, "can_add"),
}
# The owner's page, for the links back.
OWNER_PAGES = {
    "complaint": "ComplaintView.show",
    "incident": "IncidentView.show",
    "group": "HandlingGroupView.show",
    "refund": "RefundView.show",
}
CHUNK_BYTES = 64 * 1024
_NEW_FILES = "attachment_files"


def folder() -> Path:
    return Path(current_app.config["ATTACHMENT_FOLDER"])


def _path(stored_name: str) -> Path:
    # Spread over 256 sub-folders so no folder grows without bound.
    return folder() / stored_name[:2] / stored_name


def _may(permission: tuple[str, str]) -> bool:
    view, name = permission
    return appbuilder.sm.has_access(name, view)


def owner_for(kind: str, owner_id, *, upload: bool = False):
    """The row ``kind``/``owner_id`` when the current user may see it (and add files to it)."""
    model = OWNERS.get(kind)
    viewer = current_viewer()
    if model is None or viewer is None or not is_id(owner_id) or not _may(READ_PERMISSION[kind]):
        raise NotFound(_("Not found"))
    owner = db.session.scalar(select(model).where(model.id == int(owner_id), model.visible_to(viewer)))
    if owner is None:
        raise NotFound(_("Not found"))
    if upload and not _may(UPLOAD_PERMISSION[kind]):
        raise NotAllowed(_("You may not attach files here."))
    return owner


def listing(kind: str, owner_id: int | str) -> list[Attachment]:
    """The files of a row (a page's ``pk`` may come as text)."""
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_kind == kind, Attachment.owner_id == int(owner_id))
            .order_by(Attachment.id)
        )
    )


def _read_limited(stream, target: Path) -> tuple[int, bytes, str]:
    """Copy at most MAX_ATTACHMENT_BYTES + 1 bytes to ``target``: (size, head, sha256)."""
    digest, size, head = hashlib.sha256(), 0, b""
    with open(target, "wb") as out:
        while size <= policy.MAX_ATTACHMENT_BYTES:
            chunk = stream.read(CHUNK_BYTES)
            if not chunk:
                break
            if len(head) < policy.SNIFF_BYTES:
                head += chunk[: policy.SNIFF_BYTES - len(head)]
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return size, head, digest.hexdigest()


def store(kind: str, owner, upload, user) -> Attachment:
    """Check and keep an uploaded file (werkzeug FileStorage) for ``owner``; the caller commits."""
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationFailed({"file": _("Choose a file to attach.")})
    policy.clean_name(upload.filename)  # a name with folders is refused before anything is written
    stored_name = uuid.uuid4().hex
    target = _path(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        size, head, sha256 = _read_limited(upload.stream, target)
        whole = (
            target.read_bytes()
            if head.startswith(policy.ZIP_SIGNATURE) and size <= policy.MAX_ATTACHMENT_BYTES
            else None
        )
        filename, content_type = policy.check_file(upload.filename, size, head, whole)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    attachment = Attachment(
        owner_kind=kind,
        owner_id=owner.id,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        stored_name=stored_name,
        uploaded_by=user,
        created_on=datetime.now(UTC),
    )
    db.session.add(attachment)
    # A rolled-back row leaves no file behind.
    db.session.info.setdefault(_NEW_FILES, []).append(target)
    return attachment


@event.listens_for(Session, "after_rollback")
def _forget_files_of_rollback(session):
    for target in session.info.pop(_NEW_FILES, []):
        target.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _keep_files_of_commit(session):
    session.info.pop(_NEW_FILES, None)


def visible_attachment(pk) -> Attachment:
    """A file the current user may read (the owner's page is theirs to see), or NotFound."""
    attachment = db.session.get(Attachment, int(pk)) if is_id(pk) else None
    if attachment is None:
        raise NotFound(_("Not found"))
    owner_for(attachment.owner_kind, attachment.owner_id)
    return attachment


def download(attachment: Attachment):
    """The file as a download: never rendered by the browser, whatever it holds."""
    path = _path(attachment.stored_name)
    if not path.is_file():
        raise NotFound(_("The file is missing from the attachment folder."))
    # A download is recorded beside the changes (SPEC.md §8): who read which file, when.
    db.session.execute(
        AuditLog.__table__.insert().values(
            table_name=Attachment.__tablename__,
            row_id=attachment.id,
            action="download",
            user=acting_username(),
            changes={"filename": [attachment.filename, attachment.filename]},
            created_on=datetime.now(UTC),
        )
    )
    db.session.commit()
    response = send_file(
        os.fspath(path),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
