"""Bounded work for any request: what nobody may make the app do at length or fail on.

Each test runs the default configuration: the guards are on for everyone, nothing is
switched on here. A refused request answers 4xx with a message and saves nothing.
"""

import io
import json
import re
import time
import zipfile

import pytest

from app.extensions import db
from app.models import Complaint, Dispatch
from app.policy import ValidationFailed
from app.policy.texts import TEXT_MAX_LENGTH
from tests.helpers import complaint_body, complaint_count, department_id, new_complaint
from tests.test_imports import _rows, _upload, xlsx_bytes
from tests.test_views_complaint import form_data, post_form

DEEP = "[" * 1000 + "]" * 1000


# -- JSON nested deeply ---------------------------------------------------------------


def test_json_nested_1000_deep_is_refused_at_the_sign_in_before_authentication(app):
    response = app.test_client().post(
        "/api/v1/security/login", data=DEEP, content_type="application/json", query_string={"_l_": "en"}
    )
    assert response.status_code == 400
    assert "nests deeper" in response.get_json()["message"]


@pytest.mark.parametrize("url", ["/api/v1/complaint/", "/api/v1/complaint/{id}/dispatch", "/api/v1/refund/"])
def test_json_nested_1000_deep_is_refused_by_every_post(app, login, url):
    client = login("agent1")
    complaint_id = new_complaint(app, client)
    response = client.post(url.format(id=complaint_id), data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nests deeper" in response.get_json()["message"]
    assert complaint_count(app) == 1
    nested = {"topic": {"a": [[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]}}
    assert client.post("/api/v1/complaint/", json=nested).status_code == 400


def test_json_as_nested_as_the_app_takes_still_works(app, login):
    client = login("agent1")
    assert client.post("/api/v1/complaint/", json=complaint_body(app)).status_code == 201


# -- lone surrogates --------------------------------------------------------------------


def _with_lone_surrogate(body: dict, field: str) -> str:
    body = dict(body, **{field: "SURROGATE"})
    return json.dumps(body).replace("SURROGATE", "\\ud800")


def test_a_lone_surrogate_in_a_topic_is_refused_and_nothing_saved(app, login):
    client = login("agent1")
    body = _with_lone_surrogate(complaint_body(app), "topic")
    response = client.post("/api/v1/complaint/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.get_json()["message"]
    assert complaint_count(app) == 0


def test_a_lone_surrogate_in_a_note_is_refused_and_nothing_saved(app, login):
    client = login("agent1")
    complaint_id = new_complaint(app, client)
    body = _with_lone_surrogate({"department": department_id(app, "NET")}, "note")
    response = client.post(f"/api/v1/complaint/{complaint_id}/dispatch", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.get_json()["message"]
    with app.app_context():
        assert db.session.query(Dispatch).count() == 0
        assert db.session.get(Complaint, complaint_id).status == "received"


# -- the edit form ----------------------------------------------------------------------


def test_the_edit_form_with_the_received_time_blank_keeps_the_form_with_the_error(app, login):
    client = login("agent1")
    complaint_id = new_complaint(app, client)
    with app.app_context():
        received_at = db.session.get(Complaint, complaint_id).received_at
    response = post_form(
        client, form_data(app, topic="改过的主题", received_at=""), url=f"/complaints/edit/{complaint_id}"
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert 'value="改过的主题"' in page  # what was typed is kept
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        assert (complaint.topic, complaint.received_at) == ("家中信号差", received_at)


# -- text lengths: form, API and model alike --------------------------------------------

LONG = "长" * 300_000


def test_a_long_temporary_plan_is_refused_by_the_api(app, login):
    client = login("agent1")
    complaint_id = new_complaint(app, client)
    response = client.put(f"/api/v1/complaint/{complaint_id}", json={"temporary_plan": LONG})
    assert response.status_code == 422
    assert response.get_json()["message"] == {"temporary_plan": [f"At most {TEXT_MAX_LENGTH} characters."]}
    with app.app_context():
        assert db.session.get(Complaint, complaint_id).temporary_plan is None


def test_a_long_temporary_plan_is_refused_by_the_form(app, login):
    client = login("agent1")
    complaint_id = new_complaint(app, client)
    response = post_form(
        client,
        form_data(app, temporary_plan=LONG, received_at="2026-11-20T09:30"),
        url=f"/complaints/edit/{complaint_id}",
    )
    assert response.status_code == 200
    assert f"At most {TEXT_MAX_LENGTH} characters." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Complaint, complaint_id).temporary_plan is None


def test_a_long_text_is_refused_by_the_model_whatever_the_door(app, login):
    complaint_id = new_complaint(app, login("agent1"))
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        complaint.callback_note = "x" * (TEXT_MAX_LENGTH + 1)
        with pytest.raises(ValidationFailed) as refused:
            db.session.commit()
        assert set(refused.value.errors) == {"callback_note"}
        db.session.rollback()
        complaint.callback_note = "x" * TEXT_MAX_LENGTH
        db.session.commit()


def test_a_long_note_or_answer_is_refused(app, login):
    client = login("agent1")
    complaint_id = new_complaint(app, client)
    dispatched = client.post(
        f"/api/v1/complaint/{complaint_id}/dispatch", json={"department": department_id(app, "NET"), "note": LONG}
    )
    assert dispatched.status_code == 422
    with app.app_context():
        assert db.session.query(Dispatch).count() == 0


# -- page sizes -------------------------------------------------------------------------


def test_a_list_page_shows_at_most_100_rows(login):
    client = login("agent1")
    refused = client.web.get("/complaints/list/", query_string={"psize_ComplaintView": "30000"})
    assert refused.status_code == 400
    assert client.web.get("/complaints/list/", query_string={"psize_ComplaintView": "0"}).status_code == 400
    assert client.web.get("/complaints/list/", query_string={"psize_ComplaintView": "100"}).status_code == 200


def test_the_api_answers_at_most_100_rows_a_page(app, login):
    client = login("agent1")
    for _ in range(3):
        new_complaint(app, client)
    response = client.get("/api/v1/complaint/", query_string={"q": "(page_size:30000)"})
    assert response.status_code == 200
    assert app.config["FAB_API_MAX_PAGE_SIZE"] == 100


# -- Excel imports: only the cells that exist -------------------------------------------


def _with_sheet_xml(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through ``change``."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            archive.writestr(entry, data)
    return target.getvalue()


def _declaring(ref: str):
    return lambda xml: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml)


def test_an_xlsx_declaring_the_whole_sheet_is_refused_at_once(app, login):
    content = _with_sheet_xml(xlsx_bytes(_rows(2)), _declaring("A1:XFD1048576"))
    assert len(content) < 10_000
    started = time.monotonic()
    page = _upload(login("room1"), content, "export.xlsx")
    assert time.monotonic() - started < 2
    assert page.status_code == 200
    assert "At most 5000 rows per file." in page.get_data(as_text=True)


def test_an_xlsx_declaring_too_many_columns_is_refused(app, login):
    content = _with_sheet_xml(xlsx_bytes(_rows(2)), _declaring("A1:XFD3"))
    page = _upload(login("room1"), content, "export.xlsx")
    assert "At most 100 columns per sheet." in page.get_data(as_text=True)


def test_an_xlsx_with_a_cell_far_beyond_its_declared_size_is_refused_while_read(app, login):
    far_cell = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    content = _with_sheet_xml(xlsx_bytes(_rows(2)), lambda xml: xml.replace("</sheetData>", far_cell))
    started = time.monotonic()
    page = _upload(login("room1"), content, "export.xlsx")
    assert time.monotonic() - started < 2
    assert "At most 5000 rows per file." in page.get_data(as_text=True)


def test_an_xlsx_whose_declared_size_is_wrong_but_small_is_read_by_its_cells(app, login):
    content = _with_sheet_xml(xlsx_bytes(_rows(2)), _declaring("A1:CV50"))
    page = _upload(login("room1"), content, "export.xlsx").get_data(as_text=True)
    assert "All 2 rows are valid" in page


# -- large exports: a worker and a progress bar -----------------------------------------


def _generate(app, count):
    from app.cli import generate_command

    result = app.test_cli_runner().invoke(generate_command, ["--count", str(count)])
    assert result.exit_code == 0, result.output


def test_a_large_export_is_written_by_a_worker_with_a_progress_bar(app, login, work):
    from openpyxl import load_workbook

    from app.views.export import INLINE_ROWS

    assert app.config["EXPORT_INLINE_ROWS"] == INLINE_ROWS == 2000
    _generate(app, INLINE_ROWS + 50)
    leader = login("leader1")
    with app.app_context():
        visible = db.session.query(Complaint).count()
    assert visible > INLINE_ROWS
    started = leader.web.get("/complaints/export", query_string={"_l_": "en"})
    assert started.status_code == 302 and "/complaints/export/progress/" in started.headers["Location"]
    page = leader.web.get(started.headers["Location"]).get_data(as_text=True)
    assert "import_progress.js" in page and "<progress" in page
    status_url = started.headers["Location"].replace("/progress/", "/status/")
    status = leader.web.get(status_url).get_json()
    assert status["state"] == "queued" and status["total"] == visible and status["download_url"] is None
    # Another user's export is no one else's business, even with the same rights.
    assert login("admin").web.get(status_url).status_code in (403, 404)
    work()
    status = leader.web.get(status_url, query_string={"_l_": "en"}).get_json()
    assert status["state"] == "finished" and status["done"] == visible
    assert status["message"] == f"{visible} complaints written."
    file = leader.web.get(status["download_url"])
    assert file.status_code == 200 and file.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(file.data), read_only=True).worksheets[0]
    assert sum(1 for _row in sheet.iter_rows(values_only=True)) == visible + 1


def test_a_short_export_is_still_written_within_the_request(app, login):
    client = login("agent1")
    new_complaint(app, client)
    response = client.web.get("/complaints/export")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")


# -- Admin's email templates: bounded rendering -----------------------------------------

NESTED_LOOPS = (
    "{% for a in complaint.topic %}{% for b in complaint.topic %}{% for c in complaint.topic %}"
    "{% for d in complaint.topic %}{{ a }}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)


def test_a_request_raising_a_notice_never_renders_and_the_worker_falls_back_from_a_costly_template(
    app, login, urge_template, work, monkeypatch
):
    from app import notices
    from app.models import EmailTemplate, Outbox

    saved = login("admin").web.post(
        f"/email-templates/edit/{urge_template}", data={"subject": "催办", "body": NESTED_LOOPS}
    )
    assert saved.status_code == 302  # with nothing given it loops over nothing: it saves
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    with app.app_context():
        db.session.get(Complaint, complaint_id).topic = "信号差" * 60  # 180 characters: 180⁴ steps
        db.session.commit()
    assert agent.post(f"/api/v1/complaint/{complaint_id}/dispatch", json={"department": department_id(app, "NET")})
    renders = []
    render_notice = notices.render_notice
    monkeypatch.setattr(notices, "render_notice", lambda *args: renders.append(args) or render_notice(*args))
    for note in ("请尽快处理", "再次催办"):
        started = time.monotonic()
        response = agent.post(f"/api/v1/complaint/{complaint_id}/urge", json={"note": note})
        assert time.monotonic() - started < 1
        assert response.status_code == 200
    assert renders == []  # the requests stored the notices' values, nothing more
    with app.app_context():
        urges = db.session.query(Outbox).filter_by(template="urge").order_by(Outbox.id).all()
        assert [(urge.status, urge.subject, urge.body, urge.last_error) for urge in urges] == [
            ("queued", None, None, None)
        ] * 2
    work()
    assert [code for code, _context in renders] == ["dispatch", "urge", "urge"]
    with app.app_context():
        for urge in db.session.query(Outbox).filter_by(template="urge").order_by(Outbox.id):
            assert urge.subject.startswith("【投诉催办】")  # the shipped template
            assert "信号差" in urge.body
            assert "'urge' failed" in urge.last_error and "longer than" in urge.last_error
            assert urge.status == "stored"  # no MAIL_SERVER: kept in the outbox
        assert db.session.get(EmailTemplate, urge_template).body == NESTED_LOOPS


@pytest.mark.parametrize(
    "body",
    [
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "{{ 'x' * 999999999 }}",
        "{{ '-'|center(999999999) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ 9 ** 99999999 }}",
    ],
)
def test_a_template_too_costly_with_nothing_given_is_not_saved(app, login, urge_template, body):
    from app.models import EmailTemplate

    started = time.monotonic()
    response = login("admin").web.post(
        f"/email-templates/edit/{urge_template}", data={"subject": "催办", "body": body}, query_string={"_l_": "en"}
    )
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert "This template takes too long or writes too much" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EmailTemplate, urge_template).subject.startswith("【投诉催办】")
