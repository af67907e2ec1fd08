"""Every rule number lives in the rulebook: the package's code and its column comments restate none.

Small integers (weights 40/30/20/10, grades 85/70/60, day 10) are everywhere in code for other
reasons, so the code scan takes the numbers a line of code could only mean as the rule: fractions
(factors, thresholds, rates, limits) and amounts of 1,000 or more (budget, caps, file limits).
The column comments, which reach the database and the data dictionary, are held to the numbers of
the scoring, grading, rebound, spot-check, funding and quality rules.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import zc_pipeline
from zc_pipeline.standards import load_standard
from zc_pipeline.warehouse.tables import TABLES

PACKAGE = Path(zc_pipeline.__file__).parent
STD = load_standard()
# numbers that equal a rulebook value by coincidence, each for its own reason
NOT_RULES = {
    ("domain/funding.py", "YUAN_PER_10K_YUAN = 10_000"),  # 万元 -> yuan, the definition of the unit
    ("warehouse/writer.py", "CHUNK_ROWS = 10_000"),  # rows per statement
    ("warehouse/writer.py", "IN_CHUNK = 10_000"),  # values per IN (...) filter
    ("intake/receipts.py", "ws.page_margins"),  # print margins of the receipt workbook, inches
}
RULE_PREFIXES = ("weight.", "grade.", "threshold.", "rebound.", "spot_check.", "funding.rate.",
                 "quality.", "warning.")


def _numeric(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _distinctive_values() -> dict[float, list[str]]:
    out: dict[float, list[str]] = {}
    for key, entry in STD.entries.items():
        v = _numeric(entry["value"])
        if v is not None and (v != int(v) or abs(v) >= 1000):
            out.setdefault(v, []).append(key)
    return out


def test_no_line_of_the_package_restates_a_rulebook_factor_threshold_or_amount():
    values = _distinctive_values()
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("standards/"):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if tok.type != tokenize.NUMBER:
                continue
            try:
                number = float(tok.string.replace("_", ""))
            except ValueError:  # complex or other literal forms
                continue
            line = lines[tok.start[0] - 1].strip()
            if number in values and not any(relative == f and line.startswith(p) for f, p in NOT_RULES):
                hits.append(f"{relative}:{tok.start[0]}: {line}  (= {', '.join(values[number])})")
    assert hits == []


def test_no_column_comment_carries_a_rule_number():
    rule_values = {_numeric(e["value"]) for k, e in STD.entries.items() if k.startswith(RULE_PREFIXES)}
    rule_values.discard(None)
    # small integers name other things in comments ("10^4 yuan", "<3 digits>"): the rule's months
    # and weights there are named by key, which the dictionary test reads
    rule_values = {v for v in rule_values if v != int(v) or v > 12}
    hits = []
    for name, table in TABLES.items():
        for column in table.columns:
            for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])", column.comment or ""):
                if float(number) in rule_values:
                    hits.append(f"{name}.{column.name}: {column.comment}")
    assert hits == []
