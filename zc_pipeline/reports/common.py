"""What the report builders share: labels in Chinese and English, period names, number text, and
zip packages (xlsx, docx) with fixed timestamps, so the same inputs give the same bytes."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd

from zc_pipeline.standards import GRADES  # noqa: F401  (the builders' one list of grades, best first)

# label: (Chinese, English)
CATEGORY = {"national": ("国家级", "national"), "regional": ("自治区级", "regional"), "pilot": ("试点", "pilot")}
CAP = {
    "no_report": ("未报送", "no report"),
    "spot_check_failed": ("专家抽查未通过", "spot check failed"),
    "missing_report": ("存在缺报月份", "months missing"),
    "rebound_unrectified": ("碳排放强度反弹未整改", "rebound not rectified"),
}
REBOUND_STATUS = {"open": ("整改中", "open"), "rectified": ("已整改", "rectified"), "overdue": ("逾期未整改", "overdue")}
INTERVIEW_STATUS = {"on_time": ("按期约谈", "on time"), "late": ("逾期约谈", "held late"),
                    "overdue": ("逾期未约谈", "overdue"), "pending": ("待约谈", "pending")}
SPOT_CHECK = {"not_sampled": ("未抽中", "not sampled"), "pending": ("待核查", "pending"), "pass": ("通过", "pass"),
              "fail": ("未通过", "fail")}
OUTCOME = {"nominate_national": ("优先推荐申报国家级", "nominated to the national list"),
           "remove_from_list": ("调出培育名单", "removed from the list"), "keep": ("保留", "kept")}
MISSING_REASON = {"not_submitted": ("未报送", "not submitted"), "rejected": ("报送被退回", "rejected")}
FUNDING_REASON = {"eligible": ("符合条件", "eligible"), "not_on_list": ("不在培育名单", "not on the list"),
                  "grade_too_low": ("评价等级不足", "grade too low"),
                  "type_not_covered": ("项目类型不在支持范围", "type not covered"),
                  "park_unknown": ("园区不在名录", "park unknown")}
PROJECT_TYPE = {"green_direct_supply": ("绿电直供", "green direct supply"), "ccus_demo": ("碳捕集示范", "CCUS demo"),
                "other": ("其他", "other")}
WHAT_IF_REASON = {"top_grade": ("已是最高等级", "top grade"), "out_of_range": ("单项措施不足以提升", "out of range")}
CN_DIGITS = "一二三四"


def zh(table: dict, key) -> str:
    """The Chinese label of `key` (the key itself when unlabelled, '' when missing)."""
    return "" if missing(key) else table[key][0] if key in table else str(key)


def en(table: dict, key) -> str:
    return "" if missing(key) else table[key][1] if key in table else str(key)


def what_if_reason(reason) -> tuple[str, str]:
    """(zh, en) of a what-if reason: capped:<cap> | out_of_range | top_grade."""
    if missing(reason):
        return "", ""
    if str(reason).startswith("capped:"):
        cap = str(reason).split(":", 1)[1]
        return f"受等级上限限制（{zh(CAP, cap)}）", f"capped ({en(CAP, cap)})"
    return zh(WHAT_IF_REASON, reason), en(WHAT_IF_REASON, reason)


def month_zh(month: str) -> str:
    return f"{month[:4]}年{int(month[5:7])}月"


def quarter_zh(quarter: str) -> str:
    return f"{quarter[:4]}年第{CN_DIGITS[int(quarter[-1]) - 1]}季度"


def half_zh(half: str) -> str:
    """The region's assessment of a half: H1 the mid-year evaluation, H2 the year-end assessment (Jan–Dec)."""
    return f"{half[:4]}年中期评价" if half.endswith("H1") else f"{half[:4]}年度年终考核"


def half_en(half: str) -> str:
    return f"{half[:4]} mid-year evaluation (H1)" if half.endswith("H1") else f"{half[:4]} year-end assessment (H2)"


def date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def missing(value) -> bool:
    """None, NaN, NA or NaT (a scalar)."""
    return value is None or bool(pd.isna(value))


def fixed(value, digits: int = 4) -> str:
    """A number for running text; an empty value as '—'."""
    return "—" if missing(value) else f"{float(value):,.{digits}f}"


def percent(value, digits: int = 1) -> str:
    """A fraction 0–1 as a percentage for running text."""
    return "—" if missing(value) else f"{float(value) * 100:.{digits}f}%"


def document_time(as_of: dt.date) -> dt.datetime:
    """The timestamp stamped into a document: midnight of the as-of date its figures are judged on."""
    return dt.datetime(as_of.year, as_of.month, as_of.day)


def stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same zip package (a docx) with every entry stamped `when`: python-docx stamps the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
