"""The inline SVG charts: every point and bar carries its value; gaps stay gaps; same input, same text."""
from lxml import etree

from zc_pipeline.reports.svg import Series, line_chart, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"


def _points(svg: str) -> dict[str, list[tuple[str, float]]]:
    root = etree.fromstring(svg.encode())
    out = {}
    for group in root.iter(f"{SVG}g"):
        out[group.get("data-series")] = [(c.get("data-x"), float(c.get("data-value"))) for c in group.iter(f"{SVG}circle")]
    return out


def test_line_chart_carries_each_value_and_leaves_missing_months_out():
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    svg = line_chart(months, [Series("碳排放强度", [0.5, None, 0.25, 0.125]), Series("阈值", [0.4] * 4, dashed=True)],
                     title="t")
    points = _points(svg)
    assert points["碳排放强度"] == [("2026-01", 0.5), ("2026-03", 0.25), ("2026-04", 0.125)]
    assert points["阈值"] == [(m, 0.4) for m in months]
    root = etree.fromstring(svg.encode())
    # the gap: two polylines for the measured series (Jan; Mar–Apr), one for the threshold
    assert len(list(root.iter(f"{SVG}polyline"))) == 3
    assert line_chart(months, [Series("a", [1.0, 2.0, None, 3.0])], title="t") == \
        line_chart(months, [Series("a", [1.0, 2.0, None, 3.0])], title="t")


def test_stacked_bars_carry_each_segment():
    svg = stacked_bars(["包头市", "乌海市"], [("A", [1, 0], "#000"), ("D", [2, 3], "#111")], title="t")
    root = etree.fromstring(svg.encode())
    bars = {(r.get("data-category"), r.get("data-series")): float(r.get("data-value")) for r in root.iter(f"{SVG}rect")}
    assert bars == {("包头市", "A"): 1, ("包头市", "D"): 2, ("乌海市", "A"): 0, ("乌海市", "D"): 3}
