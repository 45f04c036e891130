"""The monthly bulletin (SPEC.md §6): the figures of a month with known counts, and its boundaries."""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import insert, select

from app import bulletin, clock
from app.extensions import db
from app.models import Category, Complaint
from tests.bulletin_data import ANALYSIS_EN, EXPECTED, MONTH, NOW, insert_month
from tests.test_documents import text_of


def built(app, month=MONTH, now=NOW):
    with app.app_context(), force_locale("en"):
        return bulletin.build(clock.parse_month(month), now)


def test_each_section_counts_what_the_month_holds(app):
    insert_month(app)
    october = built(app)
    assert [section.key for section in october.sections] == list(EXPECTED)
    for key, rows in EXPECTED.items():
        assert october.section(key).rows == rows, key


def test_an_empty_month_has_every_section_and_no_rows_but_the_overview(app):
    empty = built(app, "2030-01")
    assert [section.key for section in empty.sections] == list(EXPECTED)
    assert all(row[1:] == [0, 0, 0] for row in empty.section("overview").rows)
    assert all(
        section.rows == [] for section in empty.sections if section.key not in ("overview", "handling_status", "rates")
    )
    # Every rate is there, with nothing to count: no figure rather than 0 %.
    assert [row[1:5] for row in empty.section("rates").rows] == [[0, 0, None, None]] * 4


# (received at, local time; the month whose bulletin counts it) — §6 months are local months.
BOUNDARIES = [
    ("2026-09-30T23:59", "2026-09"),  # the last local minute before October
    ("2026-10-01T00:00", "2026-10"),  # October's first local minute (2026-09-30 16:00 UTC)
    ("2026-10-31T23:59", "2026-10"),  # October's last local minute
    ("2026-11-01T00:00", "2026-11"),  # November's first local minute
]


@pytest.mark.parametrize(("received", "month"), BOUNDARIES)
def test_a_complaint_counts_in_the_local_month_it_was_received(app, received, month):
    with app.app_context():
        row = {
            "number": "DGBOUNDARY01",
            "channel": "hotline_10086",
            "category_id": db.session.scalar(select(Category.id).where(Category.code == "tariff")),
            "topic": "boundary",
            "summary": "boundary",
            "customer_phone": "13800138000",
            "received_at": clock.parse_time(received + "+08:00"),
            "receiver_id": 1,
            "receiving_department_id": 1,
        }
        db.session.execute(insert(Complaint).values(row))
        db.session.commit()
    for candidate in ("2026-09", "2026-10", "2026-11"):
        received_count = built(app, candidate).section("overview").rows[0][1]
        assert received_count == (1 if candidate == month else 0), candidate


@pytest.mark.parametrize(
    ("text", "month"),
    [("2026-10", date(2026, 10, 1)), ("2026-01", date(2026, 1, 1)), (" 2026-12 ", date(2026, 12, 1))],
)
def test_a_month_is_year_and_month(text, month):
    assert clock.parse_month(text) == month


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "202610", "", None, "2026-10-01", "0000-01"])
def test_anything_else_is_not_a_month(text):
    with pytest.raises(ValueError):
        clock.parse_month(text)


def test_the_month_before_january_is_december():
    assert clock.previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert clock.next_month(date(2026, 12, 1)) == date(2027, 1, 1)


# -- the page, the workbook and the mail agree -------------------------------------------------


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Each section's table on the page, as the cells' text."""
    import re

    tables = {}
    for key, body in re.findall(r'id="section-(\w+)".*?<tbody>(.*?)</tbody>', html, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        tables[key] = [[cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]
    return tables


def as_text(value) -> str:
    from decimal import Decimal

    from markupsafe import escape

    if value is None:
        return "—"
    return f"{value:,.2f}" if isinstance(value, Decimal) else str(escape(str(value)))


def as_cell(value):
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def workbook_rows(content: bytes) -> dict[str, list[list]]:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def assert_workbook_says(content: bytes, expected: bulletin.Bulletin) -> None:
    sheets = workbook_rows(content)
    # One sheet per section, in order, named by its title (Excel allows 31 characters).
    assert list(sheets) == [section.title[:31] for section in expected.sections]
    for section, (title, header, *rows) in zip(expected.sections, sheets.values(), strict=True):
        # The first row says what the sheet is and of which month.
        assert title[0] == f"{expected.title} · {section.title}"
        assert list(header) == section.headers
        # Numbers are numbers: the workbook sums and charts them.
        assert rows == [[as_cell(value) for value in row] for row in section.rows], section.key


def test_the_page_shows_the_figures_of_the_month(app, login):
    insert_month(app)
    response = login("center1").web.get(f"/bulletin/?month={MONTH}&_l_=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = built(app, now=clock.now())
    tables = page_tables(html)
    for section in expected.sections:
        assert tables.get(section.key, []) == [[as_text(value) for value in row] for row in section.rows], section.key
    assert 'href="/bulletin/download?month=2026-10"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert 'id="chart-by_category"' in html


def test_the_download_is_the_same_bulletin_as_a_workbook(app, login):
    insert_month(app)
    response = login("leader1").web.get(f"/bulletin/download?month={MONTH}&_l_=en")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=bulletin-2026-10.xlsx"
    assert_workbook_says(response.data, built(app, now=clock.now()))


def assert_pdf_says(content: bytes, expected, summary: list[str], analysis: str) -> None:
    """The printable bulletin: its title, the written analysis, every section's heading and the overview's lines."""
    text = text_of(content)
    assert f"{expected.month.year}年{expected.month.month}月投诉情况通报" in text
    assert analysis.replace(" ", "") in text
    for section in expected.sections[1:]:
        if section.rows:
            assert section.title.replace(" ", "") in text, section.key
    for line in summary:
        assert line.replace(" ", "") in text


def test_the_printable_bulletin_is_an_official_notice_of_the_same_figures(app, login):
    insert_month(app)
    response = login("room1").web.get(f"/bulletin/pdf?month={MONTH}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=bulletin-2026-10.pdf"
    with app.app_context(), force_locale("zh"):
        expected = bulletin.build(date(2026, 10, 1), clock.now())
        summary, analysis = expected.summary_lines(), expected.analysis
    assert_pdf_says(response.data, expected, summary, analysis)
    assert "东移通报〔2026〕10号" in text_of(response.data)
    assert login("room1").web.get("/bulletin/pdf?month=2026-13").status_code == 400
    assert login("agent1").web.get(f"/bulletin/pdf?month={MONTH}").status_code == 403


def test_the_command_writes_the_workbook_in_chinese(app, tmp_path):
    insert_month(app)
    out = tmp_path / "bulletin.xlsx"
    result = app.test_cli_runner().invoke(args=["complaints", "bulletin", "--month", MONTH, "--out", str(out)])
    assert result.exit_code == 0, result.output
    with app.app_context(), force_locale("zh"):
        expected = bulletin.build(date(2026, 10, 1))
    assert_workbook_says(out.read_bytes(), expected)
    overview = workbook_rows(out.read_bytes())["概况"]
    assert overview[0][0] == "2026年10月投诉情况通报 · 概况"
    assert overview[2] == ["受理投诉", 6, 2, 4]
    assert "受理投诉：6（上月 2，增减 +4）" in result.output


@pytest.mark.parametrize("month", ["2026-13", "october", "2026-1"])
def test_a_wrong_month_is_refused_with_a_readable_message(app, login, month):
    result = app.test_cli_runner().invoke(args=["complaints", "bulletin", "--month", month])
    assert result.exit_code == 2
    assert "give a month as YYYY-MM" in result.output
    client = login("center1")
    page = client.web.get(f"/bulletin/?month={month}&_l_=en")
    assert page.status_code == 400
    assert "Give a month as YYYY-MM, such as 2026-10." in page.get_data(as_text=True)
    assert client.web.get(f"/bulletin/download?month={month}").status_code == 400


# (user, status): managers and leadership read it; Frontline gets it by mail; Admin does no complaint work.
READERS = [("agent1", 403), ("room1", 200), ("center1", 200), ("leader1", 200), ("admin", 403)]


@pytest.mark.parametrize(("username", "status"), READERS)
def test_who_reads_the_bulletin(app, login, username, status):
    client = login(username)
    assert client.web.get("/bulletin/").status_code == status
    assert client.web.get("/bulletin/download?month=2026-10").status_code == status


def test_anonymous_is_sent_to_sign_in(app):
    assert app.test_client().get("/bulletin/").status_code == 302


def test_the_mail_goes_to_every_department_mailbox_once_with_the_workbook(app, mail_server, work):
    from app.models import Department

    insert_month(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["complaints", "bulletin", "--month", MONTH, "--send"])
    assert result.exit_code == 0, result.output
    work()
    with app.app_context():
        mailboxes = set(db.session.scalars(select(Department.email).where(Department.email.is_not(None))))
        with force_locale("zh"):
            expected = bulletin.build(date(2026, 10, 1))
            summary, analysis = expected.summary_lines(), expected.analysis
    assert len(mailboxes) > 10
    assert {message["To"] for message in mail_server.messages} == mailboxes
    assert len(mail_server.messages) == len(mailboxes)
    message = mail_server.messages[0]
    assert message["Subject"] == "【月度投诉通报】2026-10"
    body = message.get_body(("plain",)).get_content()
    assert "受理投诉：6（上月 2，增减 +4）" in summary
    for line in summary:
        assert line in body
    workbook, printable = list(message.iter_attachments())
    assert workbook.get_filename() == "bulletin-2026-10.xlsx"
    assert_workbook_says(workbook.get_content(), expected)
    assert printable.get_filename() == "bulletin-2026-10.pdf"
    assert_pdf_says(printable.get_content(), expected, summary, analysis)

    # A rerun (or the cron job on the same month) sends nothing twice.
    again = runner.invoke(args=["complaints", "bulletin", "--month", MONTH, "--send"])
    assert "0 notice(s)" in again.output
    work()
    assert len(mail_server.messages) == len(mailboxes)


def test_the_page_opens_on_the_last_complete_month(app, login):
    html = login("center1").web.get("/bulletin/?_l_=en").get_data(as_text=True)
    last = clock.previous_month(clock.current_month(clock.now()))
    assert f'href="/bulletin/download?month={last:%Y-%m}"' in html


# -- the rates, the analysis and the title -----------------------------------------------------


def test_the_rates_of_the_month_with_their_definitions(app):
    insert_month(app)
    rates = built(app).section("rates")
    assert rates.headers == ["Rate", "Counted", "Out of", "This month (%)", "Previous month (%)", "Definition"]
    assert rates.rows == EXPECTED["rates"]
    assert "by their reply deadline" in rates.rows[0][5]


def test_the_rates_read_the_same_in_the_page_the_workbook_and_the_pdf(app, login):
    insert_month(app)
    client = login("center1")
    html = client.web.get(f"/bulletin/?month={MONTH}").get_data(as_text=True)
    with app.app_context(), force_locale("zh"):
        expected = bulletin.build(date(2026, 10, 1), clock.now())
    rates = expected.section("rates")
    assert [row[:5] for row in rates.rows] == [
        ["及时答复率", 1, 4, 25.0, 0.0],
        ["满意率", 1, 2, 50.0, None],
        ["重复投诉率", 2, 6, 33.3, 0.0],
        ["越级投诉占比", 2, 6, 33.3, 50.0],
    ]
    assert page_tables(html)["rates"] == [[as_text(value) for value in row] for row in rates.rows]
    assert "回访结果为满意或基本满意" in html
    sheet = workbook_rows(client.web.get(f"/bulletin/download?month={MONTH}").data)["考核指标"]
    assert sheet[0] == ["2026年10月投诉情况通报 · 考核指标", None, None, None, None, None]
    assert sheet[2:] == rates.rows
    text = text_of(client.web.get(f"/bulletin/pdf?month={MONTH}").data)
    for name, counted, out_of, this, before, definition in rates.rows:
        assert f"{name}{counted}{out_of}{this}{'' if before is None else before}" in text
        assert definition.replace(" ", "") in text


def test_the_written_analysis_of_the_month(app):
    insert_month(app)
    with app.app_context(), force_locale("en"):
        assert bulletin.build(date(2026, 10, 1), NOW).analysis == ANALYSIS_EN
    with app.app_context(), force_locale("zh"):
        october = bulletin.build(date(2026, 10, 1), NOW)
        assert october.title == "2026年10月投诉情况通报"
        assert october.analysis == (
            "2026年10月共受理投诉6件，比上月（2件）增加4件。"
            "投诉最多的类别为网络覆盖、话费争议、资费套餐，2件（占33.3%）。"
            "及时答复率25.0%，满意率50.0%，重复投诉率33.3%，越级投诉占比33.3%。"
            "本月投诉中仍有1件超过办结时限未办结。"
        )
        september = bulletin.build(date(2026, 9, 1), NOW).analysis
    assert september.startswith("2026年9月共受理投诉2件，比上月（0件）增加2件。投诉最多的类别为")
    assert "满意率无可统计" in september


def test_the_pdf_opens_with_its_title_and_the_analysis(app, login):
    insert_month(app)
    text = text_of(login("leader1").web.get(f"/bulletin/pdf?month={MONTH}").data)
    assert "2026年10月投诉情况通报" in text
    assert "2026年10月共受理投诉6件，比上月（2件）增加4件。" in text
    assert "及时答复率25.0%，满意率50.0%，重复投诉率33.3%，越级投诉占比33.3%。" in text
    assert text.index("投诉情况通报") < text.index("共受理投诉6件") < text.index("考核指标")
