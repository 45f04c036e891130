"""Bulk import in the browser: upload → preview of every row → confirm, with a progress bar.

The uploaded file waits in Redis between the preview and the confirmation; a
small file is imported within the request, a larger one by an RQ job whose
progress the page polls (app/static/js/import_progress.js).
"""

import secrets

from flask import abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _
from rq.job import Job

from app import imports, queue
from app.policy import PolicyError, ValidationFailed
from app.policy import imports as policy
from app.security import COMPLAINT, RESOURCE_PERMISSIONS
from app.views import export

# How long an uploaded file waits for its confirmation.
PENDING_SECONDS = 3600
# Rows shown in the preview beside every bad one.
PREVIEW_GOOD_ROWS = 20
PENDING_KEY = "complaint-import:{token}"


def inline_rows() -> int:
    return current_app.config.get("IMPORT_INLINE_ROWS", policy.INLINE_ROWS)


def may_import(user) -> bool:
    return policy.may_import(role.name for role in user.roles)


def keep(content: bytes, filename: str, user_id: int) -> str:
    token = secrets.token_urlsafe(16)
    key = PENDING_KEY.format(token=token)
    connection = queue.connection()
    connection.hset(key, mapping={"content": content, "filename": filename, "user_id": user_id})
    connection.expire(key, PENDING_SECONDS)
    return token


def pending(token: str) -> tuple[bytes, str, int] | None:
    stored = queue.connection().hgetall(PENDING_KEY.format(token=token))
    if not stored:
        return None
    return stored[b"content"], stored[b"filename"].decode(), int(stored[b"user_id"])


def forget(token: str) -> None:
    queue.connection().delete(PENDING_KEY.format(token=token))


class ComplaintImportView(BaseView):
    """Room managers and above import the 10086 export into their own department."""

    route_base = "/complaints/import"
    class_permission_name = COMPLAINT
    base_permissions = [*RESOURCE_PERMISSIONS[COMPLAINT]]
    default_view = "upload"

    def _render_upload(self, error=None):
        return self.render_template(
            "complaints/import.html",
            title=_("Import complaints"),
            columns=policy.COLUMNS,
            error=error,
            max_rows=current_app.config.get("IMPORT_MAX_ROWS", policy.MAX_ROWS),
            max_megabytes=current_app.config.get("IMPORT_MAX_BYTES", policy.MAX_BYTES) // 2**20,
        )

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def upload(self):
        if not may_import(g.user):
            abort(403)
        if request.method == "GET":
            return self._render_upload()
        profile = getattr(g.user, "profile", None)
        if profile is None or profile.department_id is None:
            # §3 first contact: the importer receives the complaints, into their department.
            return self._render_upload(_("Your account belongs to no department, so it cannot receive complaints."))
        file = request.files.get("file")
        if file is None or not file.filename:
            return self._render_upload(_("Choose the file to import."))
        content = file.stream.read(imports.max_bytes() + 1)
        try:
            rows, ignored = imports.load(content, file.filename)
        except PolicyError as error:
            messages = error.errors.values() if isinstance(error, ValidationFailed) else [error.message]
            return self._render_upload(" ".join(str(message) for message in messages))
        bad = [row for row in rows if row.errors]
        token = None if bad else keep(content, file.filename, g.user.id)
        return self.render_template(
            "complaints/import_preview.html",
            title=_("Import complaints"),
            filename=file.filename,
            rows=rows,
            ignored=ignored,
            bad=bad,
            shown=bad or rows[:PREVIEW_GOOD_ROWS],
            token=token,
            queued=len(rows) > inline_rows(),
            describe=imports.describe,
        )

    @expose("/confirm", methods=["POST"])
    @has_access
    @permission_name("import")
    def confirm(self):
        token = request.form.get("token", "")
        kept = pending(token) if token else None
        if kept is None or kept[2] != g.user.id or not may_import(g.user):
            flash(str(_("This upload has expired: upload the file again.")), "danger")
            return redirect(url_for("ComplaintImportView.upload"))
        content, filename, _user_id = kept
        forget(token)
        rows, _ignored = imports.load(content, filename)
        if len(rows) > inline_rows():
            from workers import jobs

            job = queue.queue().enqueue(
                jobs.import_complaints, content, filename, g.user.id, meta={"user_id": g.user.id, "total": len(rows)}
            )
            return redirect(url_for("ComplaintImportView.progress", job_id=job.id))
        try:
            ids = imports.run(rows, g.user)
        except imports.RowsInvalid as error:
            for line, errors in error.rows.items():
                flash(str(_("Row %(line)s: %(errors)s", line=line, errors=imports.describe(errors))), "danger")
            flash(str(_("Nothing was imported.")), "danger")
            return redirect(url_for("ComplaintImportView.upload"))
        except PolicyError as error:
            flash(str(error), "danger")
            return redirect(url_for("ComplaintImportView.upload"))
        flash(str(_("Imported %(count)s complaints.", count=len(ids))), "success")
        return redirect(url_for("MyComplaintsView.list"))

    def _job(self, job_id: str) -> Job:
        return export.own_job(job_id, "workers.jobs.import_complaints")

    @expose("/progress/<job_id>")
    @has_access
    @permission_name("import")
    def progress(self, job_id):
        job = self._job(job_id)
        return self.render_template(
            "complaints/import_progress.html",
            title=_("Import complaints"),
            status_url=url_for("ComplaintImportView.status", job_id=job.id),
            total=job.meta.get("total", 0),
        )

    @expose("/status/<job_id>")
    @has_access
    @permission_name("import")
    def status(self, job_id):
        """The job's progress as JSON, for the progress bar."""
        job = self._job(job_id)
        state = job.get_status().value
        done, total = job.meta.get("done", 0), job.meta.get("total", 0)
        result = job.return_value() if state == "finished" else None
        if state == "finished" and result and result.get("errors"):
            lines = [str(_("Row %(line)s: %(errors)s", line=line, errors=text)) for line, text in result["errors"]]
            message, state = " ".join([str(_("Nothing was imported.")), *lines]), "refused"
        elif state == "finished":
            message = str(_("Imported %(count)s complaints.", count=result["imported"] if result else 0))
        elif state == "failed":
            message = str(_("The import failed; nothing was imported."))
        else:
            message = str(_("%(done)s of %(total)s rows imported …", done=done, total=total))
        return jsonify(state=state, done=done, total=total, message=message)

    @expose("/template")
    @has_access
    @permission_name("import")
    def template(self):
        """An empty workbook with the expected headers."""
        return export.download(imports.template_workbook(), "complaints-import-template.xlsx")
