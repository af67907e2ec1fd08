"""The rectification notice (整改通知) a league-city office sends a park for a carbon-intensity
rebound (STANDARD §7): a docx with the figures, the rectify-by date, what counts as rectified and,
once known, the status."""
from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from zc_pipeline.reports.common import (
    INTERVIEW_STATUS, REBOUND_STATUS, date_zh, document_time, en, fixed, missing, month_zh, percent, stable_zip, zh,
)

BODY_FONT, HEADING_FONT = "仿宋", "黑体"  # the fonts of Chinese official documents (Word substitutes if absent)
LATIN_FONT = "Times New Roman"
FIGURES_TITLE = "反弹情况"  # the figures table's heading row: tests and readers find the table by it


@dataclass(frozen=True)
class ReboundNotice:
    """One rebound_alert row and what the notice needs around it."""

    alert: dict  # rebound_alert row: period, previous_period, carbon_per_energy, previous_carbon_per_energy, increase, rectify_by, status, rectified_in, as_of
    park_name: str
    city_zh: str
    city_en: str
    rectified_carbon_per_energy: float | None  # carbon_per_energy of the rectifying month, when rectified
    standard_version: str
    rebound_factor: float  # rulebook rebound.factor: a rebound is above this multiple of the previous month
    rectify_window: tuple[str, str]  # the months m+1 .. m+3 (rulebook rebound.rectify_months) a rectification may come in
    cap_limit: str  # the grade a window with this alert unrectified gets at most (cap.rebound_unrectified)


def _fonts(run, size: float | None = None, bold: bool = False, east_asia: str = BODY_FONT) -> None:
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _paragraph(doc, text: str, *, size: float = 12, bold: bool = False, align=None, indent: bool = True,
               east_asia: str = BODY_FONT, colour: RGBColor | None = None):
    para = doc.add_paragraph()
    if align is not None:
        para.alignment = align
    if indent:
        para.paragraph_format.first_line_indent = Pt(size * 2)
    para.paragraph_format.space_after = Pt(4)
    run = para.add_run(text)
    _fonts(run, size, bold, east_asia)
    if colour is not None:
        run.font.color.rgb = colour
    return para


def figures(n: ReboundNotice) -> list[tuple[str, str]]:
    """The notice's table: (item, value) lines, every figure of the alert."""
    a = n.alert
    as_of = a["as_of"]
    status = zh(REBOUND_STATUS, a["status"])
    if a["status"] == "rectified":
        status += f"（{month_zh(a['rectified_in'])}，{fixed(n.rectified_carbon_per_energy)} tCO2/tce）"
    return [
        ("园区 park", f"{n.park_name}（{a['park_code']}）"),
        ("所属盟市 league-city", f"{n.city_zh}（{n.city_en}）"),
        ("反弹月份 month", month_zh(a["period"])),
        ("反弹前碳排放强度 before", f"{fixed(a['previous_carbon_per_energy'])} tCO2/tce（{month_zh(a['previous_period'])}）"),
        ("反弹后碳排放强度 after", f"{fixed(a['carbon_per_energy'])} tCO2/tce（{month_zh(a['period'])}）"),
        ("升幅 increase", percent(a["increase"], 2)),
        ("整改期限 rectify by", date_zh(a["rectify_by"])),
        ("整改状态 status", f"{status} {en(REBOUND_STATUS, a['status'])}（截至{date_zh(as_of)}）"),
        ("约谈 interview", _interview(a)),
    ]


def _interview(a: dict) -> str:
    """When the league-city's interview is due, when it was held, and whether in time (STANDARD §13)."""
    held = a.get("interviewed_on")
    text = f"应于{date_zh(a['interview_due'])}前约谈"
    if not missing(held):
        text += f"，{date_zh(held)}已约谈"
    status = a["interview_status"]
    return f"{text}（{zh(INTERVIEW_STATUS, status)} {en(INTERVIEW_STATUS, status)}）"


def _status_text(n: ReboundNotice) -> str:
    a = n.alert
    if a["status"] == "rectified":
        return (f"你园区{month_zh(a['rectified_in'])}碳排放强度为 {fixed(n.rectified_carbon_per_energy)} tCO2/tce，"
                f"已不高于反弹前水平，整改已完成。")
    if a["status"] == "overdue":
        return (f"截至{date_zh(a['as_of'])}，整改期限已过，碳排放强度仍未回落到反弹前水平，为逾期未整改。"
                "请尽快书面报送原因分析和整改措施。")
    return (f"截至{date_zh(a['as_of'])}，碳排放强度尚未回落到反弹前水平，整改进行中。"
            f"请于{date_zh(a['rectify_by'])}前完成整改，并按时报送月度自测数据。")


def build_notice(n: ReboundNotice) -> bytes:
    """The notice as docx bytes (same alert, same bytes)."""
    a = n.alert
    first, last = n.rectify_window
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    _paragraph(doc, f"关于{n.park_name}碳排放强度反弹限期整改的通知", size=18, bold=True,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, east_asia=HEADING_FONT)
    _paragraph(doc, f"编号：ZG-{a['park_code']}-{a['period']}", size=12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, f"{n.park_name}：", indent=False)
    _paragraph(doc, (
        f"根据你园区报送的月度自测数据，{month_zh(a['period'])}碳排放强度为 {fixed(a['carbon_per_energy'])} tCO2/tce，"
        f"较{month_zh(a['previous_period'])}的 {fixed(a['previous_carbon_per_energy'])} tCO2/tce 上升 {percent(a['increase'], 2)}，"
        f"超过上月水平的 {n.rebound_factor * 100:g}%，构成碳排放强度反弹（评价规则 {n.standard_version} 第七条）。"
        f"按照自治区零碳园区建设考核要求，经约谈，现通知你园区于{date_zh(a['rectify_by'])}前完成整改。"))

    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    head = table.rows[0].cells
    head[0].merge(head[1])
    _fonts(head[0].paragraphs[0].add_run(FIGURES_TITLE), 12, True, HEADING_FONT)
    for item, value in figures(n):
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(5.2), Cm(10.4)
        _fonts(cells[0].paragraphs[0].add_run(item), 12)
        _fonts(cells[1].paragraphs[0].add_run(value), 12)

    _paragraph(doc, "一、整改认定标准", bold=True, indent=False, east_asia=HEADING_FONT).paragraph_format.space_before = Pt(8)
    _paragraph(doc, (
        f"在{month_zh(first)}至{month_zh(last)}期间（整改期限{date_zh(a['rectify_by'])}），任一月份碳排放强度"
        f"不高于反弹前水平 {fixed(a['previous_carbon_per_energy'])} tCO2/tce 的，视为完成整改，以首个达到该水平的月份为整改完成月份。"
        f"{month_zh(last)}数据已报送或该月已结束仍未达到的，为逾期未整改。"
        f"反弹未整改期间，相关季度评估和半年评价中你园区等级最高为 {n.cap_limit} 级。"))
    _paragraph(doc, "二、整改状态", bold=True, indent=False, east_asia=HEADING_FONT)
    _paragraph(doc, _status_text(n))
    _paragraph(doc, "三、工作要求", bold=True, indent=False, east_asia=HEADING_FONT)
    _paragraph(doc, "请你园区巩固整改成效，防止碳排放强度再次反弹。" if a["status"] == "rectified" else
               "请你园区认真分析碳排放强度反弹原因，制定整改措施，明确责任人和完成时限，整改情况随月度自测数据一并报送。")

    _paragraph(doc, f"{n.city_zh}零碳园区建设工作主管部门", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(doc, date_zh(a["as_of"]), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    rectified = "" if missing(a.get("rectified_in")) else f" in {a['rectified_in']}"
    _paragraph(doc, (
        f"Rectification notice (English summary): {a['park_code']}, {a['period']}: carbon per energy "
        f"{fixed(a['previous_carbon_per_energy'])} → {fixed(a['carbon_per_energy'])} tCO2/tce "
        f"(+{percent(a['increase'], 2)}); rectified when a month up to {last} is back at or below "
        f"{fixed(a['previous_carbon_per_energy'])}; rectify by {a['rectify_by'].isoformat()}; "
        f"status as of {a['as_of'].isoformat()}: {a['status']}{rectified}."),
        size=9, indent=False, colour=RGBColor(0x55, 0x55, 0x55))

    when = document_time(a["as_of"])
    props = doc.core_properties
    props.title = f"整改通知 {a['park_code']} {a['period']}"
    props.author = props.last_modified_by = f"{n.city_zh}零碳园区建设工作主管部门"
    props.created = props.modified = when
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip(buffer.getvalue(), when)
