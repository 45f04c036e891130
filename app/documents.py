"""Printable notices (公文) as PDF: the final result notice, meeting minutes, commendations and
criticisms, and any report given as sections and tables (the monthly bulletin).

``render`` lays out one ``OfficialDocument`` in the style of a Chinese official document: the
issuing organisation in red over a red rule, the document number (文号), the title, the
recipients (主送), the body, the issuing department and date with a seal placeholder, and
copies (抄送). The ``*_document`` functions build the document of a row; the same PDF is
downloaded from the row's page and attached to its notice (``notices.attachment_builder``).
A CJK font is embedded (``DOCUMENT_FONT``, else the first one installed of FONT_CANDIDATES).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from app import clock, notices
from app.extensions import db
from app.models import Appraisal, Complaint, ComplaintEvent, HandlingGroup, Incident
from app.policy import NotFound
from app.policy.appraisals import REASON_MAX_LENGTH
from app.policy.i18n import _
from app.policy.texts import MINUTES_MAX_LENGTH, TEXT_MAX_LENGTH, quoted
from app.policy.vocabulary import CHANNELS, label

if TYPE_CHECKING:
    from fpdf import FPDF

# Installed by scripts/ensure-fonts (Debian's fonts-noto-cjk; WenQuanYi as a fallback).
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
FONT_FAMILY = "cjk"
PDF_TYPE = "application/pdf"
RED = (204, 0, 0)
BLACK = (0, 0, 0)
# Sizes in points and millimetres, after GB/T 9704 (official documents): A4, 2-character indents.
HEADER_SIZE = 26
TITLE_SIZE = 20
TEXT_SIZE = 14
SMALL_SIZE = 11
LINE_HEIGHT = 8
INDENT = "\u3000\u3000"
SEAL_RADIUS = 19


# Bitmap strikes in some CJK fonts cannot be subset; fontTools says so for every document.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class DocumentFontMissing(RuntimeError):
    """No CJK font to embed: the set-up (scripts/ensure-fonts) installs one."""


@dataclass
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    # Relative column widths; equal when empty.
    widths: Sequence[float] = ()


@dataclass
class Section:
    heading: str = ""
    paragraphs: Sequence[str] = ()
    table: Table | None = None


@dataclass
class OfficialDocument:
    """A notice in the shape of a 公文; ``sections`` carry headed paragraphs and tables."""

    title: str
    number: str
    issued_on: date
    recipients: Sequence[str]
    issuer: str
    body: Sequence[str] = ()
    sections: Sequence[Section] = ()
    copy_to: Sequence[str] = ()
    organisation: str = ""
    filename: str = "document.pdf"


# -- the font --------------------------------------------------------------------------------


def _chinese_face(path: str) -> int:
    """The face of a collection that holds Simplified Chinese (Noto's collections start with Japanese)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    with TTCollection(path, lazy=True) as collection:
        names = [face["name"].getDebugName(4) or "" for face in collection.fonts]
    for index, name in enumerate(names):
        if any(mark in f"{name} " for mark in (" SC ", " CN ", "WenQuanYi")):
            return index
    return 0


@lru_cache(maxsize=4)
def _font(configured: str | None) -> tuple[str, int]:
    candidates = (configured,) if configured else FONT_CANDIDATES
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate, _chinese_face(candidate)
    raise DocumentFontMissing(
        f"No Chinese font for the printable notices: looked for {', '.join(candidates)}. "
        "Run scripts/ensure-fonts (it installs Debian's fonts-noto-cjk) or set DOCUMENT_FONT to a .ttf/.otf/.ttc file."
    )


def font() -> tuple[str, int]:
    """(file, face in the collection) of the CJK font to embed."""
    return _font(current_app.config.get("DOCUMENT_FONT"))


# -- the layout ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _page_class() -> type:
    # fpdf2 is imported when the first document is printed, not at every process start.
    from fpdf import FPDF

    class Page(FPDF):
        def footer(self):
            self.set_y(-18)
            self.set_font(FONT_FAMILY, size=SMALL_SIZE)
            self.set_text_color(*BLACK)
            self.cell(0, 6, f"— {self.page_no()} —", align="C")

    return Page


def _paragraph(pdf: "FPDF", text: str, *, indent: bool = True, size: int = TEXT_SIZE) -> None:
    """Each line of ``text`` as a paragraph, its first line indented by two characters."""
    pdf.set_font(FONT_FAMILY, size=size)
    # Whatever a builder passed: no text stored before the limits fills hundreds of pages.
    for line in quoted(text).splitlines() or [""]:
        line = line.strip()
        # Written from an indented start, the text wraps back to the margin.
        pdf.set_x(pdf.l_margin + (pdf.get_string_width(INDENT) if indent and line else 0))
        pdf.write(LINE_HEIGHT, line, wrapmode="CHAR")
        pdf.ln(LINE_HEIGHT)


def _table(pdf: "FPDF", table: Table) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(FONT_FAMILY, size=SMALL_SIZE)
    widths = tuple(table.widths) or (1,) * len(table.header)
    with pdf.table(
        col_widths=widths,
        line_height=6,
        text_align="CENTER",
        wrapmode="CHAR",
        headings_style=FontFace(emphasis="", fill_color=(235, 235, 235)),
    ) as grid:
        heading = grid.row()
        for title in table.header:
            heading.cell(str(title))
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell("" if value is None else quoted(str(value), TEXT_MAX_LENGTH))
    pdf.ln(2)


def _seal(pdf: "FPDF", x_center: float, y_center: float) -> None:
    """Where the issuing department's seal goes: a red ring, stamped on paper."""
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.6)
    pdf.circle(x_center, y_center, SEAL_RADIUS)
    pdf.set_text_color(*RED)
    pdf.set_font(FONT_FAMILY, size=SMALL_SIZE)
    pdf.set_xy(x_center - SEAL_RADIUS, y_center + SEAL_RADIUS - 9)
    pdf.cell(2 * SEAL_RADIUS, 6, "（印章）", align="C")
    pdf.set_text_color(*BLACK)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render(document: OfficialDocument) -> bytes:
    """The PDF of ``document``, its CJK font embedded (subset)."""
    path, face = font()
    pdf = _page_class()(orientation="P", unit="mm", format="A4")
    pdf.set_margins(28, 30, 26)
    pdf.set_auto_page_break(True, margin=28)
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=face)
    pdf.set_lang("zh-CN")
    pdf.set_title(document.title)
    pdf.set_subject(document.number)
    pdf.set_creator(current_app.config.get("APP_NAME", ""))
    pdf.add_page()

    # The header: the issuing organisation in red, the number, a red rule.
    organisation = document.organisation or current_app.config.get("DOCUMENT_ISSUER", "")
    pdf.set_text_color(*RED)
    header = f"{organisation}文件"
    size = HEADER_SIZE
    pdf.set_font(FONT_FAMILY, size=size)
    while size > TEXT_SIZE and pdf.get_string_width(header) > pdf.epw:
        size -= 1
        pdf.set_font(FONT_FAMILY, size=size)
    pdf.multi_cell(0, 14, header, align="C", wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_text_color(*BLACK)
    pdf.set_font(FONT_FAMILY, size=TEXT_SIZE)
    pdf.cell(0, LINE_HEIGHT, document.number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    rule_y = pdf.get_y() + 2
    pdf.line(pdf.l_margin, rule_y, pdf.w - pdf.r_margin, rule_y)
    pdf.set_y(rule_y + 8)

    # Title, recipients, body.
    pdf.set_font(FONT_FAMILY, size=TITLE_SIZE)
    pdf.multi_cell(0, 11, document.title, align="C", wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if document.recipients:
        _paragraph(pdf, "、".join(document.recipients) + "：", indent=False)
    for text in document.body:
        _paragraph(pdf, text)
    for section in document.sections:
        if section.heading:
            pdf.ln(1)
            _paragraph(pdf, section.heading)
        for text in section.paragraphs:
            _paragraph(pdf, text)
        if section.table is not None:
            _table(pdf, section.table)

    # Signature: issuing department and date, right-aligned, over the seal.
    pdf.ln(12)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    signature_y = pdf.get_y()
    pdf.set_font(FONT_FAMILY, size=TEXT_SIZE)
    pdf.cell(0, LINE_HEIGHT, document.issuer + INDENT, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, LINE_HEIGHT, chinese_date(document.issued_on) + INDENT, align="R", new_x="LMARGIN", new_y="NEXT")
    _seal(pdf, pdf.w - pdf.r_margin - 40, signature_y + LINE_HEIGHT)

    if document.copy_to:
        pdf.set_y(max(pdf.get_y(), signature_y + LINE_HEIGHT + SEAL_RADIUS) + 10)
        pdf.set_draw_color(*BLACK)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        _paragraph(pdf, "抄送：" + "、".join(document.copy_to) + "。", indent=False, size=SMALL_SIZE)
    return bytes(pdf.output())


# -- the documents of rows ---------------------------------------------------------------------


def document_number(kind_word: str, issued_on: date, sequence: int) -> str:
    """文号: the organisation's prefix, the kind, the year in 〔〕, the number: 东移投结〔2026〕12号."""
    return f"{current_app.config.get('DOCUMENT_NUMBER_PREFIX', '')}{kind_word}〔{issued_on.year}〕{sequence}号"


def _local_day(value: datetime | None) -> date:
    return clock.to_local(value or clock.now()).date()


def _masked(phone: str | None) -> str:
    """A customer's number in a circulated notice: 138****8000."""
    phone = phone or ""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone


def _resolution_of(complaint: Complaint) -> str:
    text = db.session.scalar(
        select(ComplaintEvent.text)
        .where(ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.action == "resolve")
        .order_by(ComplaintEvent.id.desc())
        .limit(1)
    )
    return text or ""


def final_result_of_complaint(complaint: Complaint) -> OfficialDocument:
    if complaint.resolved_at is None:
        raise NotFound(_("There is no final result yet."))
    issued_on = _local_day(complaint.resolved_at)
    departments = [complaint.receiving_department.name]
    if complaint.responsible_department is not None and complaint.responsible_department.name not in departments:
        departments.append(complaint.responsible_department.name)
    return OfficialDocument(
        title=f"关于投诉工单{complaint.number}处理结果的通报",
        number=document_number("投结", issued_on, complaint.id),
        issued_on=issued_on,
        recipients=departments,
        issuer=complaint.receiving_department.name,
        body=[
            f"{clock.format_local(complaint.received_at, '%Y年%m月%d日 %H:%M')}，"
            f"{label(CHANNELS, complaint.channel)}受理客户{_masked(complaint.customer_phone)}的投诉"
            f"（{complaint.category.name if complaint.category else ''}）：{complaint.topic}。",
            quoted(complaint.summary, TEXT_MAX_LENGTH),
        ],
        sections=[
            Section(
                heading="一、处理结果",
                paragraphs=[quoted(_resolution_of(complaint), TEXT_MAX_LENGTH) or "已处理完毕。"],
            )
        ],
        copy_to=["客户服务中心综援室"],
        filename=f"投诉处理结果通报-{complaint.number}.pdf",
    )


def final_result_of_incident(incident: Incident) -> OfficialDocument:
    if incident.resolved_at is None:
        raise NotFound(_("There is no final result yet."))
    issued_on = _local_day(incident.resolved_at)
    complaints = db.session.execute(
        select(Complaint.number, Complaint.topic).where(Complaint.incident_id == incident.id).order_by(Complaint.id)
    ).all()
    issuer = incident.responsible_department.name if incident.responsible_department else "客户服务中心综援室"
    return OfficialDocument(
        title=f"关于“{incident.topic}”事件处理结果的通报",
        number=document_number("事结", issued_on, incident.id),
        issued_on=issued_on,
        recipients=["各投诉相关部门"],
        issuer=issuer,
        body=[
            f"{clock.format_local(incident.discovered_at, '%Y年%m月%d日 %H:%M')}发现同类投诉事件"
            f"“{incident.topic}”，期间共受理投诉{incident.volume}件。",
        ],
        sections=[
            Section(heading="一、初步答复", paragraphs=[quoted(incident.first_reply_text, TEXT_MAX_LENGTH) or "无。"]),
            Section(
                heading="二、处理结果", paragraphs=[quoted(incident.resolution_text, TEXT_MAX_LENGTH) or "已处理完毕。"]
            ),
            Section(
                heading="三、涉及投诉工单",
                table=Table(header=["工单编号", "投诉主题"], rows=[tuple(row) for row in complaints], widths=(1, 2)),
            ),
        ],
        filename=f"事件处理结果通报-{incident.id}.pdf",
    )


def meeting_minutes(group: HandlingGroup) -> OfficialDocument:
    if group.minutes_published_at is None:
        raise NotFound(_("The minutes are not published yet."))
    issued_on = _local_day(group.minutes_published_at)
    about = f"投诉工单{group.complaint.number}" if group.complaint else f"“{group.incident.topic}”事件"
    members = [str(member) for member in group.members]
    return OfficialDocument(
        title=f"关于{about}的临时投诉处理小组会议纪要",
        number=document_number("纪要", issued_on, group.id),
        issued_on=issued_on,
        recipients=members,
        issuer=group.lead_department.name,
        sections=[
            Section(
                heading="一、会议概况",
                paragraphs=[
                    f"时间：{clock.format_local(group.meeting_at, '%Y年%m月%d日 %H:%M') or '—'}",
                    f"地点：{group.meeting_place or '—'}",
                    f"主持：{group.lead_department.name}",
                    f"参会：{'、'.join(members)}",
                ],
            ),
            Section(
                heading="二、一线压力和初步严重程度评估",
                paragraphs=[quoted(group.assessment, MINUTES_MAX_LENGTH) or "无。"],
            ),
            Section(heading="三、会议纪要", paragraphs=[quoted(group.minutes, MINUTES_MAX_LENGTH)]),
        ],
        filename=f"会议纪要-{group.id}.pdf",
    )


APPRAISAL_WORDS = {"commendation": ("表扬", "通报表扬"), "criticism": ("批评", "通报批评")}


def appraisal_notice(appraisal: Appraisal) -> OfficialDocument:
    if appraisal.status != "published":
        raise NotFound(_("Only a published commendation or criticism is printed."))
    issued_on = _local_day(appraisal.decided_at)
    word, phrase = APPRAISAL_WORDS[appraisal.kind]
    complaint = appraisal.complaint
    about = f"在处理投诉工单{complaint.number}（{complaint.topic}）时，" if complaint else ""
    closing = "特予通报表扬，希望再接再厉。" if appraisal.kind == "commendation" else "现予通报批评，请引以为戒。"
    decider = appraisal.decided_by
    issuer = (
        decider.profile.department.name
        if decider is not None and getattr(decider, "profile", None) and decider.profile.department
        else current_app.config.get("DOCUMENT_ISSUER", "")
    )
    return OfficialDocument(
        title=f"关于对{appraisal.target}予以{phrase}的通报",
        number=document_number(word, issued_on, appraisal.id),
        issued_on=issued_on,
        recipients=["各部门"],
        issuer=issuer,
        body=[f"{appraisal.target}{about}{quoted(appraisal.reason, REASON_MAX_LENGTH).rstrip('。')}。", closing],
        filename=f"{phrase}-{appraisal.id}.pdf",
    )


# The documents by kind, each with the row it is about (the row's visible_to guards a download).
KINDS = {
    "complaint_result": (Complaint, final_result_of_complaint),
    "incident_result": (Incident, final_result_of_incident),
    "minutes": (HandlingGroup, meeting_minutes),
    "appraisal": (Appraisal, appraisal_notice),
}


def document_of(kind: str, row) -> OfficialDocument:
    return KINDS[kind][1](row)


def pdf_file(kind: str, row) -> notices.Attachment:
    document = document_of(kind, row)
    return document.filename, PDF_TYPE, render(document)


def _row(model, pk) -> object:
    row = db.session.get(model, int(pk))
    if row is None:
        raise NotFound(_("Not found"))
    return row


# Attached to the notices when they are sent (app/notices.py builds them in the worker).
@notices.attachment_builder("final_result_pdf")
def final_result_pdf(argument: str) -> notices.Attachment:
    """``complaint:<id>`` or ``incident:<id>``."""
    kind, _colon, pk = argument.partition(":")
    model = Complaint if kind == "complaint" else Incident
    return pdf_file("complaint_result" if kind == "complaint" else "incident_result", _row(model, pk))


@notices.attachment_builder("meeting_minutes_pdf")
def meeting_minutes_pdf(argument: str) -> notices.Attachment:
    return pdf_file("minutes", _row(HandlingGroup, argument))


@notices.attachment_builder("appraisal_pdf")
def appraisal_pdf(argument: str) -> notices.Attachment:
    return pdf_file("appraisal", _row(Appraisal, argument))
