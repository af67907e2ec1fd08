"""Small inline SVG charts for the HTML reports: line charts and stacked bars, text kept as text.

Deterministic (no ids, no clock, values formatted the same way every time) and self-contained (no
scripts, no fonts, no network), so a bulletin prints and archives as one file. Every plotted point
and bar carries its value in `data-value` (and a `<title>` a browser shows on hover), so what a
chart draws can be read back and checked against the warehouse.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Colours readable in print and for the common colour-vision deficiencies (Okabe–Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GRADE_COLOURS = {"A": "#009E73", "B": "#56B4E9", "C": "#E69F00", "D": "#D55E00"}
FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif\""


@dataclass(frozen=True)
class Series:
    """One line: a value per x label (None = no data, drawn as a gap)."""

    name: str
    values: Sequence[float | None]
    colour: str = PALETTE[0]
    dashed: bool = False  # thresholds and target paths: a reference, not a measurement
    markers: bool = True


def number(value: float) -> str:
    """A value as `data-value` text: the float's shortest round-trip form."""
    return repr(float(value))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _nice_step(span: float, ticks: int) -> float:
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _axis(lo: float, hi: float, ticks: int = 5, floor_zero: bool = True) -> list[float]:
    """Tick values covering [lo, hi], at round steps."""
    if floor_zero:
        lo = min(lo, 0.0)
    if hi <= lo:
        hi = lo + 1.0
    step = _nice_step(hi - lo, ticks)
    first = math.floor(lo / step) * step
    out, t = [], first
    while t < hi + step * 0.999:
        out.append(round(t, 10))
        t += step
    return out


def _fmt(fmt: Callable[[float], str] | None, value: float) -> str:
    return fmt(value) if fmt else f"{value:g}"


def line_chart(x_labels: Sequence[str], series: Sequence[Series], *, title: str, y_label: str = "",
               y_format: Callable[[float], str] | None = None, width: int = 640, height: int = 260,
               floor_zero: bool = True) -> str:
    """An SVG line chart; each series' points carry `data-series`, `data-x` and `data-value`."""
    left, right, top, bottom = 58, 16, 34, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if not _missing(v)]
    ticks = _axis(min(values, default=0.0), max(values, default=1.0), floor_zero=floor_zero)
    lo, hi = ticks[0], ticks[-1]
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else 0)

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    out = [_open(width, height, title)]
    out.append(f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>')
    if y_label:
        out.append(f'<text x="{width - right}" y="18" font-size="11" text-anchor="end" fill="#555">{escape(y_label)}</text>')
    for t in ticks:
        y = y_at(t)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#444">'
                   f'{escape(_fmt(y_format, t))}</text>')
    every = max(1, math.ceil(n / max(1, plot_w // 40)))  # ~40 px per label
    for i, label in enumerate(x_labels):
        if i % every == 0:
            out.append(f'<text x="{x_at(i):.1f}" y="{top + plot_h + 16}" font-size="10" text-anchor="middle" '
                       f'fill="#444">{escape(label)}</text>')
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(f'<g class="series" data-series="{escape(s.name)}">')
        run: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(s.values):
            if _missing(v):
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{x_at(i):.1f},{y_at(float(v)):.1f}")
        if run:
            runs.append(run)
        for points in runs:
            out.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="2"{dash} points="{" ".join(points)}"/>')
        for i, v in enumerate(s.values):
            if _missing(v):
                continue
            label = f"{s.name} {x_labels[i]}: {_fmt(y_format, float(v))}"
            radius = 3 if s.markers else 0.01  # invisible points still carry the value
            out.append(f'<circle class="point" cx="{x_at(i):.1f}" cy="{y_at(float(v)):.1f}" r="{radius}" '
                       f'fill="{s.colour}" data-x="{escape(x_labels[i])}" data-value="{number(v)}">'
                       f'<title>{escape(label)}</title></circle>')
        out.append("</g>")
    out.append(_legend([(s.name, s.colour, s.dashed) for s in series], left, height - 14))
    out.append("</svg>")
    return "".join(out)


def stacked_bars(categories: Sequence[str], stacks: Sequence[tuple[str, Sequence[float], str]], *, title: str,
                 width: int = 640, bar_height: int = 18) -> str:
    """Horizontal stacked bars, one per category; each segment carries `data-category`,
    `data-series` and `data-value`. `stacks`: (series name, value per category, colour)."""
    left, right, top = 118, 40, 34
    height = top + len(categories) * (bar_height + 8) + 40
    totals = [sum(float(s[1][i]) for s in stacks) for i in range(len(categories))]
    hi = max(totals, default=0.0) or 1.0
    plot_w = width - left - right
    out = [_open(width, height, title)]
    out.append(f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>')
    for i, category in enumerate(categories):
        y = top + i * (bar_height + 8)
        out.append(f'<text x="{left - 6}" y="{y + bar_height - 5}" font-size="11" text-anchor="end">{escape(category)}</text>')
        x = float(left)
        for name, values, colour in stacks:
            v = float(values[i])
            w = plot_w * v / hi
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}" '
                       f'data-category="{escape(category)}" data-series="{escape(name)}" data-value="{number(v)}">'
                       f'<title>{escape(f"{category} {name}: {v:g}")}</title></rect>')
            if v and w >= 14:
                out.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_height - 5}" font-size="10" text-anchor="middle" '
                           f'fill="#fff">{v:g}</text>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + bar_height - 5}" font-size="10" fill="#444">{totals[i]:g}</text>')
    out.append(_legend([(name, colour, False) for name, _, colour in stacks], left, height - 14))
    out.append("</svg>")
    return "".join(out)


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" {FONT}>')


def _legend(items: Sequence[tuple[str, str, bool]], x: float, y: float) -> str:
    out = []
    for name, colour, dashed in items:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<line x1="{x:.1f}" x2="{x + 22:.1f}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="3"{dash}/>')
        out.append(f'<text x="{x + 27:.1f}" y="{y}" font-size="11">{escape(name)}</text>')
        x += 34 + 7.5 * _text_width(name)
    return "".join(out)


def _text_width(text: str) -> float:
    """Rough width in half-em units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
