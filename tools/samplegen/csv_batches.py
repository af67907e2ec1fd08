"""Batch CSV files (FILES.md §3): one per league-city and month, in several encodings and header styles."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from tools.samplegen.region import (
    CARRIERS,
    ECONOMY,
    QUANTITY_FIELDS,
    SUBMIT_DAYS,
    Park,
    Region,
    Submission,
    following_day,
    round_to,
)
from zc_pipeline.standards import load_standard

CSV_ALIASES = {
    "park_code": "园区代码", "period": "报告期", "submitted_on": "填报日期",
    **{c[0]: c[1] for c in CARRIERS}, **{e[0]: e[1] for e in ECONOMY},
}
CSV_FIELDS = ["park_code", "period", "submitted_on"] + QUANTITY_FIELDS
# Chinese header with its unit in brackets (half- or full-width), canonical units only.
CSV_UNIT_HEADERS = {
    "grid_electricity_mwh": "电网购电(MWh)", "green_direct_mwh": "绿电直供（MWh）",
    "green_onsite_mwh": "自发自用绿电(MWh)", "green_certificate_mwh": "绿证电量（MWh）",
    "raw_coal_t": "原煤(t)", "natural_gas_10k_m3": "天然气(万m³)", "diesel_t": "柴油(t)",
    "gasoline_t": "汽油(t)", "purchased_heat_gj": "外购热力(GJ)",
}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

CSV_CITY_STYLE = {  # city -> (encoding, header style, thousands separators)
    "150200": ("utf-8-sig", "canonical", False),
    "150600": ("gb18030", "zh_units", True),
    "152500": ("utf-8", "zh", False),
}
EXTRA_CSV_STYLES = [("utf-8", "canonical", False), ("utf-8-sig", "zh", False),
                    ("gb18030", "zh_units", False), ("utf-8", "zh_units", True)]


def fmt_num(v, thousands: bool = False) -> str:
    """Plain decimal text of a (rounded) number: 12345.6, 18972, or 18,972 with separators."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = format(v, ",") if thousands else repr(v)
    if "e" in s or "E" in s:  # never scientific notation
        s = f"{Decimal(repr(v)):{',' if thousands else ''}f}"
    return s


def csv_row(R: Region, p: Park, m: str, v: dict, on: dt.date) -> None:
    """Queue a batch-CSV row; messy record cases are injected here."""
    code = p.code
    key = (p.city, m, 0)
    city_on = R.csv_rows.get(key, (None, []))[0]
    if city_on is None:  # the city sends its batch on one day
        lo, hi = SUBMIT_DAYS["normal"]
        city_on = following_day(m, R.rng.randint(lo, min(hi, 9)))
        R.csv_rows[key] = (city_on, [])
    rows = R.csv_rows[key][1]
    row = {"park_code": code, "period": m, "submitted_on": city_on, **v, "_flags": {}}
    fixed = None
    if code == "150200-P002" and m == "2025-04":
        row["diesel_t"] = -abs(v["diesel_t"])
        row["_flags"] = {"status": "rejected", "case": "record_error", "field": "diesel_t",
                         "why": "negative quantity"}
        fixed = following_day(m, 16)
    elif code == "150200-P003" and m == "2025-09":
        dup = dict(row)
        dup["grid_electricity_mwh"] = round_to(v["grid_electricity_mwh"] * 1.02, 1)
        flags = {"status": "rejected", "case": "record_error", "field": "park_code",
                 "why": "park-month repeated in one file (all its rows rejected)"}
        row["_flags"] = flags
        dup["_flags"] = dict(flags)
        rows.append(row)
        rows.append(dup)
        return
    elif code == "152500-P003" and m == "2025-11":
        row["green_certificate_mwh"] = round_to(v["grid_electricity_mwh"] * 1.2, 1)
        row["_flags"] = {"status": "rejected", "case": "record_error",
                         "field": "green_certificate_mwh", "why": "green certificates above grid electricity"}
    elif code == "150600-P003" and m == "2026-03":
        row["retrofit_completed"] = v["retrofit_planned"] + 2
        row["_flags"] = {"status": "rejected", "case": "record_error", "field": "retrofit_completed",
                         "why": "retrofit_completed above retrofit_planned"}
        fixed = following_day(m, 9)
    elif code == "152500-P002" and m == "2026-02":
        row["natural_gas_10k_m3"] = "约12"
        row["_flags"] = {"status": "rejected", "case": "record_error", "field": "natural_gas_10k_m3",
                         "why": "non-numeric value"}
        fixed = following_day(m, 13)
    elif code == "152500-P001" and m == "2025-05":
        row["_flags"] = {"fullwidth": ["grid_electricity_mwh", "raw_coal_t"],
                         "thousands": ["purchased_heat_gj"], "case": "number_format"}
    rows.append(row)
    if fixed is not None:
        fkey = (p.city, m, 1)
        if fkey not in R.csv_rows:
            R.csv_rows[fkey] = (fixed, [])
        R.csv_rows[fkey][1].append({"park_code": code, "period": m, "submitted_on": fixed, **v,
                                    "_flags": {"case": "correction"}})


def write_csvs(R: Region) -> None:
    """Write the queued rows as one batch file per league-city and month (plus correction files)."""
    deadline_day = load_standard().int("deadline_day")
    cities = sorted({k[0] for k in R.csv_rows})
    extra_style = {c: EXTRA_CSV_STYLES[i % len(EXTRA_CSV_STYLES)] for i, c in enumerate(cities)}
    for key in sorted(R.csv_rows):
        city, m, fileno = key
        on, rows = R.csv_rows[key]
        enc, style, thousands = CSV_CITY_STYLE.get(city, extra_style[city])
        name = f"{city}_batch_{m}.csv" if fileno == 0 else f"{city}_batch_{m}_fix{fileno}.csv"
        path = R.out / "landing" / m / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if style == "canonical":
            header = CSV_FIELDS
        elif style == "zh":
            header = [CSV_ALIASES[f] for f in CSV_FIELDS]
        else:
            header = [CSV_UNIT_HEADERS.get(f, CSV_ALIASES[f]) for f in CSV_FIELDS]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if enc == "gb18030" else "\n")
        w.writerow(header)
        rel = R.rel(path)
        seen_pm = {}
        for i, row in enumerate(rows):
            flags = row["_flags"]
            out = []
            for f in CSV_FIELDS:
                v = row[f]
                if isinstance(v, dt.date):
                    s = v.isoformat()
                elif f in ("park_code", "period"):
                    s = v
                else:
                    s = fmt_num(v, thousands=thousands and isinstance(v, float) and abs(v) >= 1000
                                or f in flags.get("thousands", ()))
                    if f in flags.get("fullwidth", ()):
                        s = s.translate(FULL_WIDTH)
                out.append(s)
            w.writerow(out)
            src_row = i + 2
            status = flags.get("status", "accepted")
            values = {f: row[f] for f in QUANTITY_FIELDS} if status == "accepted" else None
            R.subs.append(Submission(rel, m, "csv", row["park_code"], row["period"],
                                     row["submitted_on"], status, values, src_row,
                                     "record" if status == "rejected" else None,
                                     flags.get("why", "")))
            case = flags.get("case")
            if case == "record_error":
                pm = (row["park_code"], m)
                if pm in seen_pm:
                    R.cases[seen_pm[pm]]["rows"].append(src_row)
                    R.cases[seen_pm[pm]]["values"].append(out[CSV_FIELDS.index("grid_electricity_mwh")])
                else:
                    seen_pm[pm] = len(R.cases)
                    R.add_case(case="record_error", file=rel, park=row["park_code"], month=m,
                               rows=[src_row], field=flags["field"],
                               values=[out[CSV_FIELDS.index(flags["field"])]] if flags["field"] != "park_code"
                               else [out[CSV_FIELDS.index("grid_electricity_mwh")]],
                               expect="record_error: park-month rejected", why=flags["why"],
                               encoding=enc)
            elif case == "number_format":
                R.add_case(case="number_format", file=rel, park=row["park_code"], month=m,
                           row=src_row, encoding=enc,
                           written={f: out[CSV_FIELDS.index(f)] for f in
                                    flags["fullwidth"] + flags["thousands"]},
                           canonical={f: row[f] for f in flags["fullwidth"] + flags["thousands"]},
                           expect="full-width digits and thousands separators normalised; accepted")
            elif case == "correction":
                R.add_case(case="resubmission", park=row["park_code"], month=m, in_force_file=rel,
                           in_force_row=src_row, superseded_file=None,
                           submitted_on={"in_force": row["submitted_on"].isoformat()},
                           expect="correction of a rejected batch row: accepted and in force"
                                  + ("" if row["submitted_on"] <= following_day(m, deadline_day) else " (late)"))
        path.write_bytes(buf.getvalue().encode(enc))
    # record the encodings / header styles used
    styles = {}
    for key in sorted(R.csv_rows):
        city = key[0]
        enc, style, thousands = CSV_CITY_STYLE.get(city, extra_style[city])
        styles.setdefault((enc, style, thousands), f"landing/{key[1]}/{city}_batch_{key[1]}.csv"
                          if key[2] == 0 else None)
    for (enc, style, thousands), example in sorted(styles.items()):
        if example:
            R.add_case(case="csv_format", file=example, encoding=enc, header_style=style,
                       thousands_separators=thousands,
                       expect="parsed: encoding and header aliases recognised")


