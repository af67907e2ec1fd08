"""The units a quantity may be written in are the rulebook's `unit.<quantity>.*` entries, not a list in code."""
from __future__ import annotations

import datetime as dt

import openpyxl

from zc_pipeline.intake.parse import parse_landing_file
from zc_pipeline.intake.validate import write_blank_template
from zc_pipeline.standards import load_standard, load_standard_file, standard_path

MONTH = "2026-03"


def _workbook_with_diesel(tmp_path, amount: float, unit: str):
    path = write_blank_template(tmp_path / MONTH / "p.xlsx", park_code="150100-P001",
                                park_name="测试园区", period=MONTH)
    wb = openpyxl.load_workbook(path)
    wb["基本信息"]["B5"] = "2026-04-03"  # 填报日期
    ws = wb["能源消费"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "柴油":
            row[1].value, row[2].value = unit, amount
        elif row[0].value is not None:
            row[2].value = 0
    wb["经济与改造"]["B2"] = 100  # value added, so no warning fires
    wb.save(path)
    return path


def _parse(path, std):
    return parse_landing_file(path, folder_month=MONTH, registry=None, std=std,
                              as_of=dt.date(2026, 12, 31))


def test_a_spelling_the_rulebook_does_not_list_is_an_unknown_unit(tmp_path):
    parsed = _parse(_workbook_with_diesel(tmp_path, 2, "万t"), load_standard())
    assert parsed.issues["rule_id"].tolist() == ["R005"]
    assert "t" in parsed.issues["message_en"].iloc[0]


def test_a_unit_added_to_the_rulebook_is_accepted_with_its_factor(tmp_path):
    text = standard_path().read_text(encoding="utf-8").replace(
        "  - {key: unit.gasoline_t.t,",
        '  - {key: unit.diesel_t.万t, value: 10000, unit: t per unit, source: "test"}\n'
        "  - {key: unit.gasoline_t.t,")
    (tmp_path / "IM-ZCP-2026.1.yaml").write_text(text, encoding="utf-8")
    std = load_standard_file(tmp_path / "IM-ZCP-2026.1.yaml", load_standard())
    parsed = _parse(_workbook_with_diesel(tmp_path, 2, "万t"), std)
    assert parsed.issues.empty
    # 2 万t x 10,000 t per 万t = 20,000 t
    assert parsed.records["diesel_t"].tolist() == [20000.0]
