"""The monthly 月度自测表 workbook (FILES.md §2), written deterministically through openpyxl's public API."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.xml.functions import tostring

from tools.samplegen.region import CARRIER_FIELDS, CARRIER_ZH, CARRIERS, ECONOMY, Park
from zc_pipeline.standards import load_standard

FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 0, 0, 0)
# The creator every committed workbook carries (docProps/core.xml): renaming it changes their bytes.
CREATOR = "zc_pipeline.samplegen"
CORE_PROPERTIES = "docProps/core.xml"


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as xlsx bytes that depend on its content only.

    `Workbook.save` stamps the save time into the document's modified date and each zip entry,
    so the archive is rewritten with a fixed date on every entry and the core properties
    re-serialised with the fixed timestamps.
    """
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.creator = CREATOR
    saved = io.BytesIO()
    wb.save(saved)
    wb.properties.modified = FIXED_TIMESTAMP
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for entry in src.infolist():
            data = tostring(wb.properties.to_tree()) if entry.filename == CORE_PROPERTIES else src.read(entry)
            fixed = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def write_workbook(path, *, park_code, park_name, period, submitted_on, reporter, energy_rows,
                   economy, omit_sheets=(), info_order=None) -> Path:
    """Write one 月度自测表 (FILES.md §2) deterministically.

    period: 'YYYY-MM' text or a date/datetime (written as an Excel date); submitted_on: date;
    energy_rows: [(能源品种, 计量单位, 消费量), ...]; economy: [(项目, 数值), ...] or a dict.
    omit_sheets: sheet names left out (for invalid-file fixtures); info_order: order of the
    基本信息 rows (default 园区代码, 园区名称, 报告期, 填报日期, 填报人).
    """
    wb = Workbook()
    wb.remove(wb.active)
    info = {"园区代码": park_code, "园区名称": park_name, "报告期": period,
            "填报日期": submitted_on, "填报人": reporter}
    if "基本信息" not in omit_sheets:
        ws = wb.create_sheet("基本信息")
        ws.append(["项目", "内容"])
        for key in info_order or list(info):
            ws.append([key, info[key]])
            cell = ws.cell(row=ws.max_row, column=2)
            if isinstance(info[key], (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions["A"].width = 12
        ws.column_dimensions["B"].width = 36
    if "能源消费" not in omit_sheets:
        ws = wb.create_sheet("能源消费")
        ws.append(["能源品种", "计量单位", "消费量"])
        for row in energy_rows:
            ws.append(list(row))
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["C"].width = 16
    if "经济与改造" not in omit_sheets:
        ws = wb.create_sheet("经济与改造")
        ws.append(["项目", "数值"])
        items = economy.items() if isinstance(economy, dict) else economy
        for k, v in items:
            ws.append([k, v])
        ws.column_dimensions["A"].width = 26
    data = workbook_bytes(wb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def unit_for(park: Park, f: str) -> str:
    """The unit the park writes a carrier in (its profile's, else the canonical one)."""
    fam = {c[0]: c[2] for c in CARRIERS}[f]
    canonical = {c[0]: c[3] for c in CARRIERS}[f]
    return park.profile.units.get(f) or park.profile.units.get(fam) or canonical


def as_written(value: float, unit: str, f: str) -> float | int:
    """A canonical quantity as the park writes it in `unit` (the rulebook's unit factor, exact decimals)."""
    factor = load_standard().unit_factors(f)[unit]
    w = Decimal(repr(float(value))) / Decimal(repr(factor))
    w = w.normalize()
    return int(w) if w == w.to_integral_value() else float(w)


def energy_rows_for(park: Park, values: dict, units: dict | None = None) -> list:
    rows = []
    for f in CARRIER_FIELDS:
        v = values[f]
        if v == 0 and not park.profile.zero_rows:
            continue
        unit = (units or {}).get(f) or unit_for(park, f)
        rows.append((CARRIER_ZH[f], unit, as_written(v, unit, f)))
    return rows


def economy_rows_for(values: dict) -> list:
    rows = []
    for f, label in ECONOMY:
        v = values.get(f)
        if v is None:
            continue
        rows.append((label, int(v) if f != "value_added_10k_yuan" and float(v).is_integer() else v))
    return rows
