"""Bulk import from the 10086 export: preview with every row's errors, then all or nothing."""

import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditLog, Complaint, Incident
from tests.helpers import complaint_count

API = "/api/v1/complaint/"
HEADER = ["客户号码", "投诉类别", "受理渠道", "投诉主题", "投诉内容", "受理时间"]


def _yesterday_morning() -> str:
    local = clock.to_local(clock.now()) - timedelta(days=1)
    return f"{local:%Y-%m-%d} 10:00"


def _rows(count=3, changes=None):
    """``count`` same-content hotline rows of one shift (§3.5 rule 1 fires on the 3rd)."""
    rows = []
    for index in range(count):
        row = {
            "客户号码": f"1380013800{index}",
            "投诉类别": "网络覆盖",  # a category by its name
            "受理渠道": "hotline_10086",  # a channel by its code
            "投诉主题": "家中信号差",
            "投诉内容": f"客户反映家中室内无信号(第{index + 1}位)。",
            "受理时间": _yesterday_morning(),
        }
        row.update((changes or {}).get(index, {}))
        rows.append(row)
    return rows


def csv_bytes(rows, encoding="utf-8-sig", header=HEADER) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import_cli(app, tmp_path, content, name="export.csv", *options, user="room1"):
    path = tmp_path / name
    path.write_bytes(content)
    # Messages in English, so that tests read like the code (operators read Chinese, the default).
    with app.app_context(), force_locale("en"):
        result = app.test_cli_runner().invoke(args=["complaints", "import", str(path), "--user", user, *options])
        db.session.remove()
    return result


def _imported(app):
    with app.app_context():
        return db.session.scalars(select(Complaint).order_by(Complaint.id).where(Complaint.topic == "家中信号差")).all()


def test_a_good_file_imports_every_row_with_numbers_and_rules(app, tmp_path):
    before = complaint_count(app)
    result = _import_cli(app, tmp_path, csv_bytes(_rows()))
    assert result.exit_code == 0, result.output
    assert "Imported 3 complaints." in result.output
    assert complaint_count(app) == before + 3
    with app.app_context():
        rows = db.session.scalars(select(Complaint).where(Complaint.topic == "家中信号差").order_by(Complaint.id)).all()
        assert all(row.number.startswith("DG") for row in rows)
        assert [row.receiver.username for row in rows] == ["room1"] * 3
        assert rows[0].received_at == clock.parse_time(_yesterday_morning().replace(" ", "T"))
        assert rows[0].first_reply_due is not None and rows[0].resolve_due is not None
        # §3.5 rule 1: the 3rd same-content complaint of a receiver in a shift opens an incident.
        incident = db.session.get(Incident, rows[2].incident_id)
        assert incident is not None and incident.rule == "hotline_shift_3"
        audited = db.session.scalars(
            select(AuditLog.user).where(
                AuditLog.table_name == "complaint",
                AuditLog.action == "create",
                AuditLog.row_id.in_([row.id for row in rows]),
            )
        ).all()
        assert audited == ["room1"] * 3


@pytest.mark.parametrize(
    ("changes", "row", "message"),
    [
        ({1: {"客户号码": "12345"}}, 3, "客户号码"),  # the 2nd data row is row 3 of the file
        ({2: {"投诉主题": ""}}, 4, "投诉主题"),
        ({0: {"投诉类别": "不存在的类别"}}, 2, "不存在的类别"),
        ({0: {"受理渠道": "telegram"}}, 2, "受理渠道"),
        ({1: {"受理时间": "昨天"}}, 3, "受理时间"),
        ({1: {"受理时间": "2099-01-01 10:00"}}, 3, "受理时间"),  # in the future
    ],
)
def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(app, tmp_path, changes, row, message):
    before = complaint_count(app)
    result = _import_cli(app, tmp_path, csv_bytes(_rows(3, changes)))
    assert result.exit_code != 0
    assert f"row {row}: " in result.output and message in result.output
    assert "nothing was imported" in result.output
    assert complaint_count(app) == before


def test_dry_run_checks_and_imports_nothing(app, tmp_path):
    before = complaint_count(app)
    result = _import_cli(app, tmp_path, csv_bytes(_rows()), "export.csv", "--dry-run")
    assert result.exit_code == 0 and "3 rows are valid" in result.output
    assert complaint_count(app) == before


def test_gbk_csv_without_bom_is_read(app, tmp_path):
    result = _import_cli(app, tmp_path, csv_bytes(_rows(2), encoding="gbk"))
    assert result.exit_code == 0, result.output
    summaries = [row.summary for row in _imported(app)]
    assert summaries == ["客户反映家中室内无信号(第1位)。", "客户反映家中室内无信号(第2位)。"]


def test_utf8_csv_without_bom_is_read(app, tmp_path):
    result = _import_cli(app, tmp_path, csv_bytes(_rows(1), encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert len(_imported(app)) == 1


def test_xlsx_is_read_with_numbers_and_times_as_excel_keeps_them(app, tmp_path):
    from datetime import datetime

    rows = _rows(2)
    rows[0]["客户号码"] = 13800138000  # a number cell
    rows[1]["受理时间"] = datetime.strptime(_yesterday_morning(), "%Y-%m-%d %H:%M")  # a date cell
    result = _import_cli(app, tmp_path, xlsx_bytes(rows), "export.xlsx")
    assert result.exit_code == 0, result.output
    imported = _imported(app)
    assert imported[0].customer_phone == "13800138000"
    assert imported[1].received_at == imported[0].received_at


def test_formulas_and_html_are_stored_as_typed(app, tmp_path):
    typed = {0: {"投诉内容": '=HYPERLINK("http://x","点击")'}, 1: {"投诉内容": "<script>alert(1)</script>"}}
    rows = _rows(2, typed)
    result = _import_cli(app, tmp_path, xlsx_bytes(rows), "export.xlsx")
    assert result.exit_code == 0, result.output
    assert [row.summary for row in _imported(app)] == [typed[0]["投诉内容"], typed[1]["投诉内容"]]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"x", "export.txt", ".csv or .xlsx"),
        (b"not a zip", "export.xlsx", "Excel workbook"),
        (csv_bytes([], header=HEADER), "export.csv", "no complaints"),
        (csv_bytes(_rows(1), header=HEADER[:-2]), "export.csv", "投诉内容"),  # a required column missing
    ],
)
def test_files_that_are_not_an_export_are_refused_with_a_reason(app, tmp_path, content, name, message):
    result = _import_cli(app, tmp_path, content, name)
    assert result.exit_code != 0
    assert message in result.output


def test_row_and_size_limits_are_settings(app, tmp_path, monkeypatch):
    before = complaint_count(app)
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 2)
    result = _import_cli(app, tmp_path, csv_bytes(_rows(3)))
    assert result.exit_code != 0 and "2" in result.output
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 10)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 100)
    result = _import_cli(app, tmp_path, csv_bytes(_rows(3)))
    assert result.exit_code != 0 and "MB" in result.output
    assert complaint_count(app) == before


def test_columns_a_complaint_does_not_have_are_left_out_and_named(app, tmp_path, login):
    rows = _rows(1, {0: {"坐席工号": "A0001"}})
    content = csv_bytes(rows, header=[*HEADER, "坐席工号"])
    html = _upload(login("room1"), content).get_data(as_text=True)
    assert "Columns left out: 坐席工号" in html and "All 1 rows are valid" in html
    result = _import_cli(app, tmp_path, content)
    assert result.exit_code == 0 and "Columns left out: 坐席工号" in result.output


@pytest.mark.parametrize(("user", "allowed"), [("agent1", False), ("room1", True), ("leader1", True)])
def test_room_managers_and_above_import(app, tmp_path, user, allowed):
    result = _import_cli(app, tmp_path, csv_bytes(_rows(1)), "export.csv", user=user)
    assert (result.exit_code == 0) is allowed, result.output


# The browser: upload → preview → confirm ---------------------------------------------------

PAGE = "/complaints/import/"


def _upload(client, content, name="export.csv"):
    return client.web.post(
        PAGE, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data", query_string={"_l_": "en"}
    )


def _token(html: str) -> str:
    import re

    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_the_preview_names_every_bad_row_and_offers_no_import(app, login):
    before = complaint_count(app)
    rows = _rows(3, {0: {"客户号码": "123"}, 2: {"投诉内容": ""}})
    page = _upload(login("room1"), csv_bytes(rows))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 of 3 rows are invalid" in html
    assert "<td>2</td>" in html and "<td>4</td>" in html and "<td>3</td>" not in html
    assert "客户号码: Give an 11-digit mainland mobile number" in html
    assert 'name="token"' not in html
    assert complaint_count(app) == before


def test_a_good_file_is_previewed_then_imported_on_confirmation(app, login):
    room = login("room1")
    before = complaint_count(app)
    html = _upload(room, xlsx_bytes(_rows(2)), "export.xlsx").get_data(as_text=True)
    assert "All 2 rows are valid" in html
    assert complaint_count(app) == before  # the preview saves nothing
    done = room.web.post(f"{PAGE}confirm", data={"token": _token(html)}, query_string={"_l_": "en"})
    assert done.status_code == 302 and "/complaints/mine/" in done.headers["Location"]
    assert complaint_count(app) == before + 2
    again = room.web.post(f"{PAGE}confirm", data={"token": _token(html)}, query_string={"_l_": "en"})
    assert again.status_code == 302 and complaint_count(app) == before + 2  # a token imports once


def test_another_user_cannot_confirm_my_upload(app, login):
    html = _upload(login("room1"), csv_bytes(_rows(1))).get_data(as_text=True)
    before = complaint_count(app)
    login("center1").web.post(f"{PAGE}confirm", data={"token": _token(html)})
    assert complaint_count(app) == before


def test_a_large_file_is_imported_by_a_job_with_progress(app, login, work, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_INLINE_ROWS", 2)
    room = login("room1")
    before = complaint_count(app)
    html = _upload(room, csv_bytes(_rows(3))).get_data(as_text=True)
    done = room.web.post(f"{PAGE}confirm", data={"token": _token(html)})
    assert done.status_code == 302 and "/progress/" in done.headers["Location"]
    progress_page = room.web.get(done.headers["Location"]).get_data(as_text=True)
    assert "import_progress.js" in progress_page and "onclick" not in progress_page
    status_url = done.headers["Location"].replace("/progress/", "/status/")
    assert room.web.get(status_url).get_json()["state"] == "queued"
    assert login("center1").web.get(status_url).status_code == 404  # not theirs
    work()
    status = room.web.get(status_url, query_string={"_l_": "en"}).get_json()
    assert status["state"] == "finished" and status["done"] == 3 and status["message"] == "Imported 3 complaints."
    assert complaint_count(app) == before + 3


def test_a_frontline_agent_cannot_import(app, login):
    assert login("agent1").web.get(PAGE).status_code == 403
    assert _upload(login("agent1"), csv_bytes(_rows(1))).status_code == 403


def test_the_upload_page_documents_the_columns_and_offers_the_template(app, login):
    html = login("room1").web.get(PAGE).get_data(as_text=True)
    assert all(header in html for header in HEADER)
    template = login("room1").web.get(f"{PAGE}template")
    assert template.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(template.data)).active
    assert [cell.value for cell in sheet[1]][: len(HEADER)] == HEADER


def _post_file(client, content, **form):
    data = {"file": (io.BytesIO(content), "export.csv"), **form}
    return client.post(f"{API}import", data=data, content_type="multipart/form-data")


def test_the_api_imports_all_or_nothing(app, login):
    room = login("room1")
    before = complaint_count(app)
    bad = _post_file(room, csv_bytes(_rows(3, {1: {"客户号码": "123"}})))
    assert bad.status_code == 422
    assert list(bad.get_json()["message"]["rows"]) == ["3"]
    assert "客户号码" in bad.get_json()["message"]["rows"]["3"]
    assert complaint_count(app) == before
    checked = _post_file(room, csv_bytes(_rows(2)), dry_run="1")
    assert checked.status_code == 200 and checked.get_json() == {"count": 2, "ids": []}
    assert complaint_count(app) == before
    good = _post_file(room, csv_bytes(_rows(2)))
    assert good.status_code == 201 and good.get_json()["count"] == 2
    assert complaint_count(app) == before + 2
    refused = _post_file(login("agent1"), csv_bytes(_rows(1)))
    assert refused.status_code == 403
