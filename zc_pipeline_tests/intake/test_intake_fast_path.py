"""The workbook fast path builds exactly the frames of the full pandas/pandera path.

`parse._fast_workbook` handles plain, clean workbooks without pandas; for anything else it
returns None and the full path reports as before. These tests parse each workbook both ways —
the default (fast path first) and the full path alone — and compare every frame.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from intake_builders import GOOD_ECON, GOOD_ENERGY, MONTH, build_workbook

from zc_pipeline.intake import parse as parse_mod
from zc_pipeline.intake.ids import file_sha256
from zc_pipeline.intake.readers import read_plain_workbook, read_workbook
from zc_pipeline.intake.registry import read_registry

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SAMPLE_AS_OF = dt.date(2026, 7, 15)  # MANIFEST.json recommended_as_of


def _manifest() -> dict:
    return json.loads((SAMPLE / "MANIFEST.json").read_text(encoding="utf-8"))


def _sample_workbooks() -> list[Path]:
    """Every workbook named by a MANIFEST case (the messy ones), resubmissions and corrections,
    and all workbooks of three whole months."""
    if not (SAMPLE / "MANIFEST.json").exists():
        return []
    landing = SAMPLE / "landing"
    named = {SAMPLE / c["file"] for c in _manifest()["cases"]
             if str(c.get("file") or "").endswith(".xlsx")}
    months = {p for m in ("2025-01", "2025-10", "2026-03") for p in (landing / m).glob("*.xlsx")}
    odd = {p for p in landing.glob("*/*.xlsx") if p.stem.count("_") > 1}  # _v2, _更正, ...
    return sorted(named | months | odd)


SAMPLE_BOOKS = _sample_workbooks()


def _full_only(path, monkeypatch, **kw):
    with monkeypatch.context() as m:
        m.setattr(parse_mod, "_fast_workbook", lambda *a, **k: None)
        return parse_mod.parse_landing_file(path, **kw)


def assert_same(fast, full) -> None:
    for name in ("records", "values", "issues"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(full, name), check_exact=True,
                                      check_column_type=True, check_index_type=True)
    for name in ("source_sha256", "source_format", "file_error", "source_file"):
        assert getattr(fast, name) == getattr(full, name)


@pytest.fixture(scope="module")
def sample_registry():
    return read_registry(SAMPLE / "registry").parks


@pytest.mark.skipif(not SAMPLE_BOOKS, reason="sample_data not generated")
@pytest.mark.parametrize("path", SAMPLE_BOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_workbook_fast_equals_full(path, sample_registry, std, monkeypatch):
    kw = dict(folder_month=path.parent.name, registry=sample_registry, std=std,
              as_of=SAMPLE_AS_OF)
    assert_same(parse_mod.parse_landing_file(path, **kw), _full_only(path, monkeypatch, **kw))


@pytest.mark.skipif(not SAMPLE_BOOKS, reason="sample_data not generated")
def test_fast_path_takes_clean_sample_workbooks_and_leaves_the_messy_ones(sample_registry, std,
                                                                          monkeypatch):
    codes = parse_mod._registry_codes(sample_registry)
    taken, left = [], []
    for path in SAMPLE_BOOKS:
        fast = parse_mod._fast_workbook(path, file_sha256(path), path.parent.name, codes, std,
                                        SAMPLE_AS_OF)
        full = _full_only(path, monkeypatch, folder_month=path.parent.name,
                          registry=sample_registry, std=std, as_of=SAMPLE_AS_OF)
        if fast is None:
            left.append(path)
            continue
        taken.append(path)
        assert full.issues.empty, path  # the fast path only takes workbooks without issues
        assert_same(fast, full)
    messy = {SAMPLE / c["file"] for c in _manifest()["cases"]
             if c["case"] in ("invalid_file", "warning", "resubmission_rejected")
             and str(c.get("file") or "").endswith(".xlsx")}
    # warnings of the month-over-month stage (W001) are not parse issues; the rest must fall back
    for path in messy:
        full = _full_only(path, monkeypatch, folder_month=path.parent.name,
                          registry=sample_registry, std=std, as_of=SAMPLE_AS_OF)
        if not full.issues.empty:
            assert path in left, path
    assert len(taken) > 0.8 * len(SAMPLE_BOOKS)


@pytest.mark.skipif(not SAMPLE_BOOKS, reason="sample_data not generated")
def test_plain_reader_content_equals_the_pandas_reader(std):
    read = 0
    for path in SAMPLE_BOOKS:
        plain = read_plain_workbook(path, std)
        if plain is None:
            continue
        read += 1
        full = read_workbook(path, std)
        assert plain.info == full.info
        assert [tuple(r) for r in plain.energy] == [tuple(r) for r in full.energy]
        assert [tuple(r) for r in plain.econ] == [tuple(r) for r in full.econ]
        for a, b in zip([*plain.info.values(), *(c for r in plain.energy + plain.econ for c in r)],
                        [*full.info.values(), *(c for r in full.energy + full.econ for c in r)]):
            assert type(a.raw) is type(b.raw), (path, a, b)
    assert read > 0


def _replace(rows, label, new):
    return [new if r[0] == label else r for r in rows]


# Built workbooks: clean variants the fast path should take, and variants on which one rule fires
# (or the layout is unusual) so that it must leave them to the full path.
CASES = {
    "good": ({}, True),
    "kwh_and_gas_in_m3": (dict(energy=_replace(_replace(GOOD_ENERGY, "电网购电", ("电网购电", "kWh", 1_000_000)),
                                               "天然气", ("天然气", "m3", 100_000))), True),
    "missing_carriers_and_no_reported_co2": (dict(energy=GOOD_ENERGY[:3],
                                                  econ=GOOD_ECON[:3]), True),
    "period_as_excel_date": (dict(info={"报告期": dt.date(2026, 3, 1)}), True),
    "fractional_values": (dict(energy=_replace(GOOD_ENERGY, "原煤", ("原煤", "万t", 0.05123))), True),
    "negative": (dict(energy=_replace(GOOD_ENERGY, "柴油", ("柴油", "t", -2))), False),
    "text_value": (dict(energy=_replace(GOOD_ENERGY, "柴油", ("柴油", "t", "两吨"))), False),
    "number_as_text": (dict(energy=_replace(GOOD_ENERGY, "柴油", ("柴油", "t", "1,234.5"))), None),
    "unknown_carrier": (dict(energy=[*GOOD_ENERGY, ("木柴", "t", 1)]), False),
    "repeated_carrier": (dict(energy=[*GOOD_ENERGY, ("柴油", "t", 1)]), False),
    "bad_unit": (dict(energy=_replace(GOOD_ENERGY, "原煤", ("原煤", "kg", 500))), False),
    "blank_quantity": (dict(energy=_replace(GOOD_ENERGY, "柴油", ("柴油", "t", None))), False),
    "certificates_above_grid": (dict(energy=_replace(GOOD_ENERGY, "绿证电量", ("绿证电量", "MWh", 5000))), False),
    "completed_above_planned": (dict(econ=_replace(GOOD_ECON, "节能改造完成项目数", ("节能改造完成项目数", 40))), False),
    "value_added_zero": (dict(econ=_replace(GOOD_ECON, "工业增加值(万元)", ("工业增加值(万元)", 0))), False),
    "co2_gap": (dict(econ=_replace(GOOD_ECON, "自报二氧化碳排放量(吨)", ("自报二氧化碳排放量(吨)", 900))), False),
    "co2_gap_just_below_limit": (dict(econ=_replace(GOOD_ECON, "自报二氧化碳排放量(吨)", ("自报二氧化碳排放量(吨)", 1600))), True),
    "unknown_park": (dict(info={"园区代码": "150100-P999"}), False),
    "other_month": (dict(info={"报告期": "2026-02"}), False),
    "submitted_after_as_of": (dict(info={"填报日期": dt.date(2026, 5, 1)}), False),
    "submitted_on_missing": (dict(info={"填报日期": None}), False),
    "missing_sheet": (dict(drop_sheet="经济与改造"), False),
    "header_other_order": (dict(energy_header=("计量单位", "能源品种", "消费量")), False),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("folder_month", [MONTH, None])
def test_built_workbook_fast_equals_full(case, folder_month, month_dir, registry, std, monkeypatch):
    kwargs, fast_expected = CASES[case]
    if case == "other_month" and folder_month is None:
        fast_expected = True  # without a folder month the file's own period is taken
    path = build_workbook(month_dir / f"{case}.xlsx", **kwargs)
    as_of = dt.date(2026, 4, 20)
    kw = dict(folder_month=folder_month, registry=registry, std=std, as_of=as_of)
    full = _full_only(path, monkeypatch, **kw)
    assert_same(parse_mod.parse_landing_file(path, **kw), full)
    fast = parse_mod._fast_workbook(path, file_sha256(path), folder_month,
                                    parse_mod._registry_codes(registry), std, as_of)
    if fast is not None:
        assert_same(fast, full)
    if fast_expected is not None:
        assert (fast is not None) == fast_expected
    layout_only = ("header_other_order", "blank_quantity")  # unusual, but no rule fires
    if fast_expected is False and case not in layout_only:
        assert not full.issues.empty  # the variant really trips a rule on the full path
