"""The rectification notice (docx): the alert's figures, the rectify-by date, what counts as rectified, the status."""
import io

from docx import Document

from zc_pipeline.reports.notice import FIGURES_TITLE, build_notice
from zc_pipeline_tests.reports import inputs


def read(content: bytes) -> tuple[dict[str, str], str]:
    doc = Document(io.BytesIO(content))
    (table,) = doc.tables
    assert table.rows[0].cells[0].text == FIGURES_TITLE
    figures = {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
    return figures, "\n".join(p.text for p in doc.paragraphs)


def test_the_notice_carries_the_alerts_figures():
    figures, text = read(build_notice(inputs.notice()))
    assert figures["园区 park"] == "包头一园（150200-P001）"
    assert figures["反弹月份 month"] == "2026年5月"
    assert figures["反弹前碳排放强度 before"] == "0.4000 tCO2/tce（2026年4月）"
    assert figures["反弹后碳排放强度 after"] == "0.5000 tCO2/tce（2026年5月）"
    assert figures["升幅 increase"] == "25.00%"
    assert figures["整改期限 rectify by"] == "2026年8月31日"
    assert figures["整改状态 status"] == "整改中 open（截至2026年7月15日）"
    assert figures["约谈 interview"] == "应于2026年6月25日前约谈，2026年6月20日已约谈（按期约谈 on time）"
    # what counts as rectified (STANDARD §7): a month m+1..m+3 back at or below the month before the rebound
    assert "在2026年6月至2026年8月期间" in text and "不高于反弹前水平 0.4000 tCO2/tce" in text
    assert "超过上月水平的 105%" in text and "等级最高为 B 级" in text
    assert "rectify by 2026-08-31" in text


def test_rectified_and_overdue_statuses():
    figures, text = read(build_notice(inputs.notice("rectified", "2026-07", 0.39)))
    assert figures["整改状态 status"] == "已整改（2026年7月，0.3900 tCO2/tce） rectified（截至2026年7月15日）"
    assert "整改已完成" in text
    figures, text = read(build_notice(inputs.notice("overdue")))
    assert figures["整改状态 status"].startswith("逾期未整改 overdue")
    assert "逾期未整改" in text


def test_same_alert_same_bytes():
    assert build_notice(inputs.notice()) == build_notice(inputs.notice())
    props = Document(io.BytesIO(build_notice(inputs.notice()))).core_properties
    assert props.created.date().isoformat() == props.modified.date().isoformat() == "2026-07-15"


def test_an_interview_not_held_by_its_due_day_is_named_overdue():
    # due 2026-06-25, none held by the as-of date 2026-07-15: overdue (STANDARD §13)
    figures, _ = read(build_notice(inputs.notice(interviewed_on=None)))
    assert figures["约谈 interview"] == "应于2026年6月25日前约谈（逾期未约谈 overdue）"
