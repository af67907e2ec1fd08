"""The HTML reports' template environment: Jinja2 templates shipped with the package, autoescaped,
with filters for the numbers people read (percentages, fixed decimals, yuan, Chinese labels)."""
from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from zc_pipeline.reports import common


def _yuan(value) -> str:
    return "—" if common.missing(value) else f"{int(value):,}"


def _int(value) -> str:
    return "—" if common.missing(value) else f"{int(value)}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("zc_pipeline.reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(
        pct=common.percent, num=common.fixed, yuan=_yuan, int=_int, month_zh=common.month_zh,
        date_zh=common.date_zh, svg=Markup,  # the charts are built by reports/svg.py, escaped there
    )
    env.globals.update(zh=common.zh, en=common.en, labels=common, missing=common.missing,
                       what_if_reason=common.what_if_reason)
    return env


def render(template: str, **context) -> bytes:
    """A template rendered to UTF-8 bytes (the same context gives the same bytes)."""
    return environment().get_template(template).render(**context).encode("utf-8")
