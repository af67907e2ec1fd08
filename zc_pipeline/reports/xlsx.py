"""An xlsx being written with XlsxWriter: a titled sheet, a bordered table with zh/en headers,
A4 landscape printing, native charts over cell ranges, and the bytes that are the same for the same
content. XlsxWriter writes each part as XML text in one pass, where a tree of objects per cell and
per chart would be built and walked again to save (BENCHMARKS.md, "The realistic month").

Rows and columns are counted from 1 here, as Excel shows them and as openpyxl reads them back.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from zc_pipeline.reports.common import missing

HEADER_FILL = "#DDEBF7"
BORDER_COLOUR = "#999999"
RATIO = "0.0%"
CPE = "0.0000"
POINTS = "0.0"
TONNES = "#,##0.0"
DATE = "yyyy-mm-dd"
CM = 96 / 2.54  # pixels per centimetre, the unit chart sizes are given in


@dataclass(frozen=True)
class Col:
    """One table column: header in Chinese and English, the value of a row, Excel number format."""

    zh: str
    en: str
    value: Callable[[dict], object]
    number_format: str | None = None
    width: float = 12


def cell_value(value):
    """A value as a cell holds it: missing or not finite (a rise from zero) -> empty; numpy scalars -> Python."""
    if missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def ref(sheet: str, first_row: int, col: int, last_row: int | None = None) -> str:
    """An absolute reference to a cell or a column's rows, the sheet's name quoted: ='S'!$B$5:$B$8."""
    first = f"${xl_col_to_name(col - 1)}${first_row}"
    cells = first if last_row is None else f"{first}:${xl_col_to_name(col - 1)}${last_row}"
    quoted = sheet.replace("'", "''")
    return f"='{quoted}'!{cells}"


class Book:
    """One workbook in memory, its cell formats each made once."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self._formats: dict[tuple, object] = {}

    def sheet(self, name: str) -> Worksheet:
        return self.wb.add_worksheet(name)

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def put(self, ws: Worksheet, row: int, col: int, value, fmt=None) -> None:
        """One cell, written by its type: text stays text (a name starting with '=' is no formula)."""
        value = cell_value(value)
        r, c = row - 1, col - 1
        if value is None or value == "":  # an empty text is an empty cell, not a shared string ''
            done = ws.write_blank(r, c, None, fmt)
        elif isinstance(value, str):
            done = ws.write_string(r, c, value, fmt)
        elif isinstance(value, bool):
            done = ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            done = ws.write_datetime(r, c, value, fmt)
        else:
            done = ws.write_number(r, c, value, fmt)
        if done < 0:  # XlsxWriter cuts text over 32,767 characters and drops cells past the sheet's end
            raise ValueError(f"{ws.name}!{xl_rowcol_to_cell(r, c)}: the cell cannot hold {value!r:.80} (XlsxWriter {done})")

    def title(self, ws: Worksheet, heading: str, subtitle: str) -> None:
        self.put(ws, 1, 1, heading, self.fmt(bold=True, font_size=14))
        self.note(ws, 2, subtitle)

    def note(self, ws: Worksheet, row: int, text: str) -> None:
        self.put(ws, row, 1, text, self.fmt(italic=True, font_color="#555555"))

    def table(self, ws: Worksheet, header_row: int, columns: Sequence[Col], rows: Iterable[dict]) -> int:
        """Headers (Chinese over English) at `header_row`, one line per row; returns the last row written."""
        box = {"border": 1, "border_color": BORDER_COLOUR}
        header = self.fmt(bold=True, bg_color=HEADER_FILL, text_wrap=True, valign="vcenter", align="center", **box)
        styles = [self.fmt(num_format=col.number_format, **box) if col.number_format else self.fmt(**box)
                  for col in columns]
        for j, col in enumerate(columns, start=1):
            self.put(ws, header_row, j, f"{col.zh}\n{col.en}", header)
            ws.set_column(j - 1, j - 1, col.width)
        ws.set_row(header_row - 1, 48)  # room for a wrapped Chinese and English header
        r = header_row
        for row in rows:
            r += 1
            for j, (col, style) in enumerate(zip(columns, styles), start=1):
                self.put(ws, r, j, col.value(row), style)
        return r

    def chart(self, ws: Worksheet, anchor: tuple[int, int], kind: dict, series: Sequence[dict], *,
              title: str | None, size_cm: tuple[float, float], x_axis: dict | None = None,
              y_axis: dict | None = None, legend: bool = True, blanks_as_gaps: bool = False) -> None:
        """A native chart at (row, col) over the given series (XlsxWriter's series options)."""
        chart = self.wb.add_chart(kind)
        for s in series:
            chart.add_series(s)
        if title:
            chart.set_title({"name": title})
        if x_axis:
            chart.set_x_axis(x_axis)
        if y_axis:
            chart.set_y_axis(y_axis)
        if not legend:
            chart.set_legend({"none": True})
        if blanks_as_gaps:
            chart.show_blanks_as("gap")
        chart.set_size({"width": round(size_cm[0] * CM), "height": round(size_cm[1] * CM)})
        ws.insert_chart(xl_rowcol_to_cell(anchor[0] - 1, anchor[1] - 1), chart)

    def print_setup(self, ws: Worksheet, header_row: int | None = None) -> None:
        """A4 landscape, one page wide; the header row repeated on every printed page."""
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        if header_row:
            ws.repeat_rows(header_row - 1)
            ws.freeze_panes(header_row, 0)

    def bytes(self, when: dt.datetime, title_text: str) -> bytes:
        """The workbook as xlsx bytes, its document properties stamped `when`. Compressed once, as
        XlsxWriter writes it: an in-memory workbook's zip entries carry its fixed 1980-01-01 stamp,
        never the clock, so the same content gives the same bytes."""
        self.wb.set_properties({"title": title_text, "author": "zc_pipeline", "created": when})
        self.wb.close()
        return self._buffer.getvalue()
