"""openpyxl helpers shared by the workbooks: a titled sheet, a bordered table with zh/en headers,
A4 landscape printing, and the save that gives the same bytes for the same content."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from zc_pipeline.reports.common import missing, stable_zip

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="555555")
RATIO = "0.0%"
CPE = "0.0000"
POINTS = "0.0"
TONNES = "#,##0.0"
DATE = "yyyy-mm-dd"


@dataclass(frozen=True)
class Col:
    """One table column: header in Chinese and English, the value of a row, Excel number format."""

    zh: str
    en: str
    value: Callable[[dict], object]
    number_format: str | None = None
    width: float = 12


def cell_value(value):
    """A value as a cell holds it: missing -> empty; numpy scalars -> Python."""
    if missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def title(ws: Worksheet, heading: str, subtitle: str) -> None:
    ws["A1"] = heading
    ws["A1"].font = TITLE_FONT
    ws["A2"] = subtitle
    ws["A2"].font = NOTE_FONT


def _named(ws: Worksheet, name: str, **style) -> str:
    """A named style of the sheet's workbook, added on first use.

    A cell given a style by name copies the style's indices; assigning border and number format
    one by one makes openpyxl hash the style objects again for every cell."""
    workbook = ws.parent
    if name not in workbook.named_styles:
        workbook.add_named_style(NamedStyle(name=name, **style))
    return name


def table(ws: Worksheet, header_row: int, columns: Sequence[Col], rows: Iterable[dict]) -> int:
    """Write headers (Chinese over English) at `header_row` and one line per row; returns the last row written."""
    header = _named(ws, "zc header", font=BOLD, fill=HEADER_FILL, border=BOX,
                    alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"))
    styles = [_named(ws, f"zc cell {col.number_format or 'General'}", font=DEFAULT_FONT, border=BOX,
                     number_format=col.number_format or "General") for col in columns]
    for j, col in enumerate(columns, start=1):
        ws.cell(header_row, j, f"{col.zh}\n{col.en}").style = header
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[header_row].height = 48  # room for a wrapped Chinese and English header
    r = header_row
    for row in rows:
        r += 1
        for j, (col, style) in enumerate(zip(columns, styles), start=1):
            ws.cell(r, j, cell_value(col.value(row))).style = style
    return r


def note(ws: Worksheet, row: int, text: str) -> None:
    ws.cell(row, 1, text).font = NOTE_FONT


def print_setup(ws: Worksheet, header_row: int | None = None) -> None:
    """A4 landscape, one page wide; the header row repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.freeze_panes = ws.cell(header_row + 1, 1)


def workbook_bytes(wb: Workbook, when: dt.datetime, title_text: str) -> bytes:
    """The workbook as xlsx bytes stamped `when` (document properties and zip entries alike)."""
    wb.properties.creator = "zc_pipeline"
    wb.properties.lastModifiedBy = "zc_pipeline"
    wb.properties.title = title_text
    wb.properties.created = when
    wb.properties.modified = when
    buffer = io.BytesIO()
    from zipfile import ZIP_DEFLATED, ZipFile

    with ZipFile(buffer, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not `Workbook.save`: that stamps `modified` with the clock
    return stable_zip(buffer.getvalue(), when)
