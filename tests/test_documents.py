"""Printable notices (公文) as PDF: Chinese text with an embedded font, downloads by who may see
the row, and the same PDF attached to the notice's email."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from app import clock, documents
from app.extensions import db
from app.models import Appraisal, Complaint, Department
from tests.helpers import department_id, new_complaint
from tests.test_views_groups import convene

COMPLAINT_API = "/api/v1/complaint/"


def text_of(content: bytes) -> str:
    """The PDF's text, without the spaces (or, for an embedded CMap, NULs) pypdf puts between CJK characters."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


def embedded_fonts(content: bytes) -> list[str]:
    """Names of the fonts whose glyphs travel inside the file."""
    reader = PdfReader(io.BytesIO(content))
    names = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and any(
                    key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    names.append(str(font["/BaseFont"]))
    return names


def test_a_document_has_the_parts_of_an_official_notice_with_its_font_embedded(app):
    document = documents.OfficialDocument(
        title="关于2026年11月投诉处理情况的通报",
        number="东移通报〔2026〕11号",
        issued_on=date(2026, 12, 1),
        recipients=["各部门", "各区域分公司"],
        issuer="客户服务东莞中心",
        body=["现将11月投诉处理情况通报如下。"],
        sections=[
            documents.Section(heading="一、投诉受理情况", paragraphs=["本月共受理投诉128件。"]),
            documents.Section(
                heading="二、各部门答复情况",
                table=documents.Table(header=["部门", "按时", "超时", "退回"], rows=[["网维中心", 12, 1, 0]]),
            ),
        ],
        copy_to=["公司领导"],
    )
    with app.app_context():
        content = documents.render(document)
    assert content.startswith(b"%PDF-")
    text = text_of(content)
    for part in (
        "中国移动东莞分公司文件",  # the red header: DOCUMENT_ISSUER
        "东移通报〔2026〕11号",
        "关于2026年11月投诉处理情况的通报",
        "各部门、各区域分公司：",
        "本月共受理投诉128件。",
        "网维中心",  # a table cell
        "客户服务东莞中心",
        "2026年12月1日",
        "抄送：公司领导。",
    ):
        assert part in text, part
    assert embedded_fonts(content), "the CJK font is not embedded"


def test_a_missing_font_is_named_with_the_way_to_install_one(app, login, monkeypatch):
    complaint = resolved_complaint(app, login)
    monkeypatch.setitem(app.config, "DOCUMENT_FONT", "/nonexistent/font.ttf")
    with app.app_context(), pytest.raises(documents.DocumentFontMissing, match="scripts/ensure-fonts"):
        documents.font()
    # The page says what is missing instead of failing.
    response = login("agent1").web.get(f"/documents/complaint_result/{complaint}.pdf")
    assert response.status_code == 503
    assert "scripts/ensure-fonts" in response.get_data(as_text=True)


def resolved_complaint(app, login, **changes) -> int:
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    if changes:
        with app.app_context():
            row = db.session.get(Complaint, complaint)
            for name, value in changes.items():
                setattr(row, name, value)
            db.session.commit()
    response = agent.post(f"{COMPLAINT_API}{complaint}/resolve", json={"text": "已在客户小区新增室分设备,信号恢复。"})
    assert response.status_code == 200, response.get_json()
    return complaint


def test_the_final_result_notice_of_a_complaint_is_downloaded_by_who_sees_the_complaint(app, login):
    agent = login("agent1")
    pending = new_complaint(app, agent)
    assert agent.web.get(f"/documents/complaint_result/{pending}.pdf").status_code == 404  # not resolved yet
    complaint = resolved_complaint(app, login)
    response = agent.web.get(f"/documents/complaint_result/{complaint}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    with app.app_context():
        number = db.session.get(Complaint, complaint).number
    text = text_of(response.data)
    assert f"关于投诉工单{number}处理结果的通报" in text
    assert f"东移投结〔{clock.to_local(clock.now()).year}〕{complaint}号" in text
    assert "10086A班组：" in text  # the receiving department, addressed
    assert "已在客户小区新增室分设备" in text
    assert "138****8000" in text and "13800138000" not in text  # the customer's number masked
    assert "final_result_pdf" not in text
    # The page links to it.
    assert f"/documents/complaint_result/{complaint}.pdf" in agent.web.get(f"/complaints/show/{complaint}").text
    # A service hall of a branch does not see the hotline's complaint: no document either.
    assert login("hall1").web.get(f"/documents/complaint_result/{complaint}.pdf").status_code == 404
    assert login("leader1").web.get(f"/documents/complaint_result/{complaint}.pdf").status_code == 200
    assert agent.web.get("/documents/nothing/1.pdf").status_code == 404


def test_the_final_result_email_carries_the_pdf(app, login, mail_server, work):
    # §3.5 rule 5: a complaint that got progress mails ends with the final result notice.
    complaint = resolved_complaint(app, login, progress_sent=1)
    work()
    [message] = [m for m in mail_server.messages if "投诉处理结果通报" in m["Subject"]]
    [attached] = list(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename().startswith("投诉处理结果通报-")
    with app.app_context():
        number = db.session.get(Complaint, complaint).number
    assert f"关于投诉工单{number}处理结果的通报" in text_of(attached.get_content())


def test_meeting_minutes_are_printed_once_published_and_mailed_with_the_minutes(app, login, mail_server, work):
    center = login("center1")
    complaint = new_complaint(app, login("agent1"))
    group = convene(app, center, complaint)
    assert center.web.get(f"/documents/minutes/{group}.pdf").status_code == 404  # no minutes yet
    published = center.web.post(f"/handling-groups/act/{group}/minutes", data={"minutes": "决定:逐户回访受影响客户。"})
    assert published.status_code == 302
    response = center.web.get(f"/documents/minutes/{group}.pdf")
    assert response.status_code == 200
    text = text_of(response.data)
    assert "临时投诉处理小组会议纪要" in text and "决定:逐户回访受影响客户。" in text
    assert f"纪要〔{clock.to_local(clock.now()).year}〕{group}号" in text
    assert f"/documents/minutes/{group}.pdf" in center.web.get(f"/handling-groups/show/{group}").text
    work()
    [message] = [m for m in mail_server.messages if "纪要" in m["Subject"]]
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == f"会议纪要-{group}.pdf"
    assert "决定:逐户回访受影响客户。" in text_of(attached.get_content())


@pytest.mark.parametrize(("kind", "phrase"), [("criticism", "通报批评"), ("commendation", "通报表扬")])
def test_criticisms_and_commendations_are_printed_when_published(app, login, mail_server, work, kind, phrase):
    complaint = new_complaint(app, login("agent1"))  # received by the hotline: CSC's manager decides
    with app.app_context():
        net = db.session.get(Department, department_id(app, "NET"))
        appraisal = Appraisal(
            complaint_id=complaint,
            kind=kind,
            status="draft",
            department=net,
            reason="投诉工单答复及时、处理彻底",
            created_on=clock.now(),
        )
        db.session.add(appraisal)
        db.session.commit()
        appraisal_id = appraisal.id
    center = login("center1")
    assert center.web.get(f"/documents/appraisal/{appraisal_id}.pdf").status_code == 404  # a draft
    assert center.web.post(f"/appraisals/decide/{appraisal_id}", data={"decision": "publish"}).status_code == 302
    response = center.web.get(f"/documents/appraisal/{appraisal_id}.pdf")
    assert response.status_code == 200
    text = text_of(response.data)
    assert f"关于对网维中心予以{phrase}的通报" in text
    assert "各部门：" in text and "客户服务东莞中心" in text  # addressed, and issued by the publisher's department
    assert f"/documents/appraisal/{appraisal_id}.pdf" in center.web.get("/appraisals/list/").text
    assert login("hall1").web.get(f"/documents/appraisal/{appraisal_id}.pdf").status_code == 404
    work()
    [message] = mail_server.messages
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == f"{phrase}-{appraisal_id}.pdf"
    assert f"关于对网维中心予以{phrase}的通报" in text_of(attached.get_content())


def test_the_final_result_of_an_incident_lists_its_complaints_and_is_mailed(app, login, mail_server, work):
    from tests.test_api_incident import wave

    incident = wave(app, login, topic="5G 基站故障")
    login("room1").post(f"/api/v1/incident/{incident}/report", json={"department": department_id(app, "NET")})
    net = login("netroom1")
    net.post(f"/api/v1/incident/{incident}/first_reply", json={"text": "基站故障,正在抢修"})
    assert net.post(f"/api/v1/incident/{incident}/resolve", json={"text": "基站已修复"}).status_code == 200
    response = login("agent1").web.get(f"/documents/incident_result/{incident}.pdf")
    assert response.status_code == 200
    text = text_of(response.data)
    with app.app_context():
        numbers = [row.number for row in db.session.query(Complaint).filter_by(incident_id=incident)]
    assert "关于“5G基站故障”事件处理结果的通报" in text
    assert "基站故障,正在抢修" in text and "基站已修复" in text and "网维中心" in text
    assert len(numbers) == 3 and all(number in text for number in numbers)  # the table of its complaints
    assert f"/documents/incident_result/{incident}.pdf" in login("agent1").web.get(f"/incidents/show/{incident}").text
    work()
    [message] = [m for m in mail_server.messages if "投诉处理结果通报" in m["Subject"]]
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == f"事件处理结果通报-{incident}.pdf"


def test_a_resolution_stored_before_the_text_limits_prints_a_bounded_notice(app, login):
    """A 210,000-character resolution (stored before the caps existed) is quoted up to the text
    limit, with a note, instead of filling a hundred pages."""
    from sqlalchemy import update

    from app.models import ComplaintEvent
    from app.policy.texts import TEXT_MAX_LENGTH

    complaint = resolved_complaint(app, login)
    with app.app_context():
        # Past the flush hook, as rows written before it are.
        db.session.execute(
            update(ComplaintEvent.__table__)
            .where(ComplaintEvent.complaint_id == complaint, ComplaintEvent.action == "resolve")
            .values(text="信号" * 105_000)
        )
        db.session.commit()
    response = login("agent1").web.get(f"/documents/complaint_result/{complaint}.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) <= 8
    assert len(response.data) < 400_000
    text = text_of(response.data)
    # The beginning, then the note: 4,000 characters in all (the topic says 信号 once more).
    assert TEXT_MAX_LENGTH // 2 - 40 <= text.count("信号") <= TEXT_MAX_LENGTH // 2
    assert re.search(r"原文共210,000字，此处仅引前3,9\d\d字", text)
