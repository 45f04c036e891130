"""Attachments: upload and download with the owner row's rights, the limits, the names, the audit."""

import io
import zipfile
from pathlib import Path

import pytest

from app import clock
from app.extensions import db
from app.models import Attachment, AuditLog, HandlingGroup, Incident, RefundRequest
from app.policy import ValidationFailed
from app.policy import attachments as policy
from tests.helpers import new_complaint

API = "/api/v1/attachment/"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def upload(client, kind, owner, name, data):
    return client.post(
        API,
        data={"kind": kind, "owner": str(owner), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def upload_page(client, kind, owner, name, data):
    return client.web.post(
        f"/attachments/upload/{kind}/{owner}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored_files(app) -> set[Path]:
    return {path for path in Path(app.config["ATTACHMENT_FOLDER"]).rglob("*") if path.is_file()}


# -- the policy: kinds read from the content, names cleaned -------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("来信.pdf", PDF, "application/pdf"),
        ("营业厅.PNG", PNG, "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        ("剪报.gif", b"GIF89a" + b"\x00" * 16, "image/gif"),
        ("letter.docx", office("word/document.xml"), policy.DOCX.content_type),
        ("sheet.xlsx", office("xl/workbook.xml"), policy.XLSX.content_type),
        ("old.xls", policy.OLE_SIGNATURE + b"\x00" * 16, "application/vnd.ms-excel"),
        ("old.doc", policy.OLE_SIGNATURE + b"\x00" * 16, "application/msword"),
        ("说明.txt", "客户来电反映信号差。".encode(), "text/plain"),
        ("gbk.txt", "客户来电反映信号差。".encode("gb18030"), "text/plain"),
    ],
)
def test_accepted_kinds_are_read_from_the_content(name, data, content_type):
    assert policy.check_file(name, len(data), data[: policy.SNIFF_BYTES], data) == (name, content_type)


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("setup.exe", EXE, "not accepted"),  # a Windows executable
        ("合同.pdf", EXE, "not accepted"),  # an executable named as a PDF
        ("report.pdf", ELF, "not accepted"),  # a Linux executable
        ("page.txt", HTML, "not accepted"),  # a web page named as text
        ("archive.docx", office("other/file.bin"), "not accepted"),  # a ZIP that is no Office document
        ("image.pdf", PNG, "does not match its name"),  # a PNG named .pdf
        ("letter.pdf", b"", "empty"),
    ],
)
def test_other_content_is_refused_whatever_its_name(name, data, why):
    with pytest.raises(ValidationFailed, match=why):
        policy.check_file(name, len(data), data[: policy.SNIFF_BYTES], data)


@pytest.mark.parametrize(
    ("size", "accepted"),
    [(policy.MAX_ATTACHMENT_BYTES, True), (policy.MAX_ATTACHMENT_BYTES + 1, False)],  # 10 MB, a byte more
)
def test_the_size_limit(size, accepted):
    if accepted:
        assert policy.check_file("a.pdf", size, PDF)[1] == "application/pdf"
    else:
        with pytest.raises(ValidationFailed, match="larger than 10 MB"):
            policy.check_file("a.pdf", size, PDF)


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("来信 2026.pdf", "来信 2026.pdf"),
        ("bill\x00\x1b[31m.pdf", "bill[31m.pdf"),  # control characters dropped
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),  # a right-to-left override dropped
        ("a" * 300 + ".pdf", "a" * (policy.MAX_NAME_LENGTH - 4) + ".pdf"),
    ],
)
def test_names_are_cleaned(name, cleaned):
    assert policy.clean_name(name) == cleaned


@pytest.mark.parametrize("name", ["../../x.pdf", "..\\..\\x.pdf", "/etc/passwd", "C:\\Users\\x.pdf", "dir/x.pdf", ".."])
def test_a_name_with_folders_is_refused(name):
    with pytest.raises(ValidationFailed, match="must not contain folders"):
        policy.clean_name(name)


# -- through the API --------------------------------------------------------------------


def test_a_file_is_uploaded_listed_and_downloaded_as_an_attachment(app, login):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    before = stored_files(app)
    response = upload(agent, "complaint", complaint_id, "消协转来信函.pdf", PDF)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["result"]["filename"] == "消协转来信函.pdf"
    assert (created["result"]["content_type"], created["result"]["size"]) == ("application/pdf", len(PDF))
    # Stored under a generated name, not the user's.
    [path] = stored_files(app) - before
    assert path.name != "消协转来信函.pdf" and path.read_bytes() == PDF
    listed = agent.get(API, query_string={"q": f"(filters:!((col:owner_id,opr:eq,value:{complaint_id})))"})
    assert listed.get_json()["ids"] == [created["id"]]
    download = agent.get(f"{API}{created['id']}/download")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    with app.app_context():
        actions = [
            row.action
            for row in db.session.query(AuditLog)
            .filter_by(table_name="attachment", row_id=created["id"])
            .order_by(AuditLog.id)
        ]
    assert actions == ["create", "download"]


def test_another_department_neither_sees_nor_adds_files(app, login):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    attachment_id = upload(agent, "complaint", complaint_id, "a.pdf", PDF).get_json()["id"]
    stranger = login("hall1")  # a service hall of a branch: not the hotline's complaint
    assert stranger.get(f"{API}{attachment_id}").status_code == 404
    assert stranger.get(f"{API}{attachment_id}/download").status_code == 404
    assert stranger.get(API).get_json()["count"] == 0
    refused = upload(stranger, "complaint", complaint_id, "b.pdf", PDF)
    assert refused.status_code == 404
    assert stranger.web.get(f"/attachments/download/{attachment_id}").status_code == 404
    # Leadership sees everything.
    assert login("leader1").get(f"{API}{attachment_id}/download").data == PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", EXE, "This kind of file is not accepted"),
        ("合同.pdf", EXE, "This kind of file is not accepted"),
        ("../../x.pdf", PDF, "must not contain folders"),
        ("big.pdf", PDF + b"\x00" * policy.MAX_ATTACHMENT_BYTES, "larger than 10 MB"),
        ("page.html", HTML, "This kind of file is not accepted"),
    ],
)
def test_the_api_refuses_executables_large_files_and_folder_names(app, login, name, data, message):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    before = stored_files(app)
    response = upload(agent, "complaint", complaint_id, name, data)
    assert response.status_code == 422, response.get_json()
    assert message in response.get_json()["message"]["file"][0]
    with app.app_context():
        assert db.session.query(Attachment).count() == 0
    assert stored_files(app) == before


def test_a_far_larger_request_is_cut_off(app, login):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    before = stored_files(app)
    response = upload(agent, "complaint", complaint_id, "huge.pdf", PDF + b"\x00" * (2 * policy.MAX_ATTACHMENT_BYTES))
    assert response.status_code == 413
    assert stored_files(app) == before


def test_the_api_needs_multipart_and_a_known_owner(app, login):
    agent = login("agent1")
    assert agent.post(API, json={"kind": "complaint", "owner": 1}).status_code == 400
    assert upload(agent, "appraisal", 1, "a.pdf", PDF).status_code == 404
    assert upload(agent, "complaint", 999999, "a.pdf", PDF).status_code == 404
    assert upload(agent, "complaint", 2**31, "a.pdf", PDF).status_code == 404  # beyond any id column
    assert agent.get(f"{API}{2**31}/download").status_code == 404
    assert agent.web.get(f"/documents/complaint_result/{2**31}.pdf").status_code == 404


# -- through the pages ------------------------------------------------------------------


def test_the_complaint_page_lists_files_and_takes_uploads(app, login):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    response = upload_page(agent, "complaint", complaint_id, "营业厅照片.png", PNG)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/complaints/show/{complaint_id}#attachments")
    page = agent.web.get(f"/complaints/show/{complaint_id}").get_data(as_text=True)
    assert "营业厅照片.png" in page
    refused = upload_page(agent, "complaint", complaint_id, "virus.pdf", EXE)
    assert refused.status_code == 302
    page = agent.web.get(f"/complaints/show/{complaint_id}").get_data(as_text=True)
    assert "virus.pdf" not in page and "不接受此类文件" in page
    # A name with markup is shown as text.
    upload_page(agent, "complaint", complaint_id, "<img src=x onerror=alert(1)>.png", PNG)
    page = agent.web.get(f"/complaints/show/{complaint_id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in page and "<img src=x" not in page


def test_a_web_page_is_never_served_as_a_page(app, login):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    # Text that is not HTML passes; it comes back as a plain-text download, never rendered.
    attachment_id = upload(agent, "complaint", complaint_id, "note.txt", b"plain <b>text</b>").get_json()["id"]
    download = agent.web.get(f"/attachments/download/{attachment_id}")
    assert download.headers["Content-Type"].startswith("text/plain")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_files_on_incidents_groups_and_refunds(app, login):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    with app.app_context():
        incident = Incident(signature="x", rule="manual", topic="信号", discovered_at=clock.now(), volume=0)
        db.session.add(incident)
        db.session.commit()
        incident_id = incident.id
    center = login("center1")
    assert upload(center, "incident", incident_id, "事件.pdf", PDF).status_code == 201
    assert center.web.get(f"/incidents/show/{incident_id}").get_data(as_text=True).count("事件.pdf") == 1
    center.web.post("/handling-groups/convene", data={"complaint": str(complaint_id)})
    with app.app_context():
        group_id = db.session.query(HandlingGroup.id).order_by(HandlingGroup.id.desc()).scalar()
    assert upload(center, "group", group_id, "纪要附件.docx", office("word/document.xml")).status_code == 201
    assert "纪要附件.docx" in center.web.get(f"/handling-groups/show/{group_id}").get_data(as_text=True)
    # A front-line agent reads the group's files but does not add to a meeting.
    assert upload(agent, "group", group_id, "b.pdf", PDF).status_code == 403
    refund = agent.post(
        "/api/v1/refund/",
        json={"complaint": complaint_id, "amount": "20.00", "refund_type": 1, "liability": "yes", "considerations": []},
    )
    assert refund.status_code == 201, refund.get_json()
    refund_id = refund.get_json()["id"]
    assert upload(agent, "refund", refund_id, "账单.pdf", PDF).status_code == 201
    assert "账单.pdf" in agent.web.get(f"/refunds/show/{refund_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RefundRequest, refund_id) is not None
