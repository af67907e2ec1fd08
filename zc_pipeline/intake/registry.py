"""The park registry (FILES.md §1): league-cities and parks, read with Chinese aliases and validated.

The field rules of parks.csv are pandera checks (`park_rules`); the file rules (REG001, REG012–REG015)
are judged while reading.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from zc_pipeline.errors import UserError
from zc_pipeline.intake.catalogue import Rule, register
from zc_pipeline.intake.readers import csv_lines
from zc_pipeline.intake.schemas import FieldRule, every_value, rule_failures

CITY_ALIASES = {"盟市代码": "league_city_code", "盟市名称": "name_zh"}
PARK_ALIASES = {
    "园区代码": "park_code",
    "园区名称": "park_name",
    "盟市代码": "league_city_code",
    "培育类别": "category",
    "建设范围": "scope",
    "所属园区代码": "parent_park_code",
    "是否在培育名单": "on_cultivation_list",
    "纳入日期": "enrolled_on",
    "基准年": "baseline_year",
    "基准单位能耗碳排放": "baseline_carbon_per_energy",
    "基准绿电占比": "baseline_green_share",
    "目标绿电占比": "target_green_share",
    "目标日期": "target_date",
}
PARK_COLUMNS = ["park_code", "park_name", "league_city_code", "category", "scope", "parent_park_code",
                "on_cultivation_list", "enrolled_on", "baseline_year", "baseline_carbon_per_energy",
                "baseline_green_share", "target_green_share", "target_date"]
CITY_COLUMNS = ["league_city_code", "name_zh", "name_en"]
CATEGORIES = ("national", "regional", "pilot")
SCOPES = ("whole", "sub_park")
PARK_CODE = re.compile(r"^\d{6}-P\d{3}$")
TRUE = {"true", "1", "是", "yes", "y"}
FALSE = {"false", "0", "否", "no", "n"}

register(
    Rule("REG001", "file", "registry", "登记表缺少列 {column}", "registry file is missing column {column}"),
    Rule("REG002", "record", "registry", "园区代码 {value} 格式不符（应为 6 位盟市代码-P 三位数字，如 150600-P001）",
         "park code {value} is malformed (expected 6-digit league-city code, '-P', 3 digits, e.g. 150600-P001)"),
    Rule("REG003", "record", "registry", "园区代码 {value} 重复", "park code {value} appears more than once"),
    Rule("REG004", "record", "registry", "盟市代码 {value} 不是 12 个盟市之一",
         "league-city code {value} is not one of the 12 league-cities"),
    Rule("REG005", "record", "registry", "园区代码前 6 位与盟市代码 {value} 不一致",
         "the park code's first 6 digits do not match its league-city code {value}"),
    Rule("REG006", "record", "registry", "{column} 的值 {value} 不在允许范围内", "{column} has a value {value} that is not allowed"),
    Rule("REG007", "record", "registry", "园中园必须填写所属园区代码", "a sub-park (园中园) needs parent_park_code"),
    Rule("REG008", "record", "registry", "所属园区 {value} 不在登记表中或本身是园中园",
         "parent park {value} is not in the registry or is itself a sub-park"),
    Rule("REG009", "record", "registry", "整体园区不应填写所属园区代码", "a whole park must not have parent_park_code"),
    Rule("REG010", "record", "registry", "{column} 不是有效的数值或日期：{value}", "{column} is not a valid number or date: {value}"),
    Rule("REG011", "record", "registry", "目标绿电占比 {value} 低于基准绿电占比",
         "target_green_share {value} is below baseline_green_share"),
    Rule("REG012", "record", "registry", "此行有 {value} 个字段，多于表头的 {expected} 列（行尾多了逗号？）",
         "this row has {value} fields, more than the header's {expected} columns (a stray comma?)"),
    Rule("REG013", "file", "registry", "文件为空，没有表头行：请写入表头和每个{what}一行",
         "the file is empty, it has no header row: write the header and one row per {what_en}"),
    Rule("REG014", "file", "registry", "文件不存在：登记表目录应包含 league_cities.csv 和 parks.csv",
         "the file does not exist: the registry folder needs league_cities.csv and parks.csv"),
    Rule("REG015", "file", "registry", "无法按 UTF-8 编码的 CSV 读取（{value}）：请检查引号并另存为 UTF-8 CSV",
         "cannot be read as UTF-8 CSV ({value}): check its quotes and save it as UTF-8 CSV"),
)
_WHAT = {"league_cities.csv": ("盟市", "league-city"), "parks.csv": ("园区", "park")}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _parses(parse) -> pa.Check:
    """Element-wise: does `parse` take the text (int, float, ISO date)?"""
    def check(text: str) -> bool:
        try:
            parse(text)
        except ValueError:
            return False
        return True
    return every_value(check, element_wise=True)


def _in_range(ok) -> pa.Check:
    """Element-wise: the number is `ok`; text that is no number passes (REG010 names it)."""
    return every_value(lambda t: (x := _number(t)) is None or ok(x), element_wise=True)


def _well_formed(codes: pd.Series) -> pd.Series:
    return codes.str.match(PARK_CODE.pattern)


def _parent_not_whole(parks: pd.DataFrame) -> pd.Series:
    """The parent park is not in the registry or is itself a sub-park (the last row of a repeated code counts)."""
    scopes = parks.drop_duplicates("park_code", keep="last").set_index("park_code")["scope"]
    return parks["parent_park_code"].map(scopes) != "whole"  # NaN (not in the registry) too


def _target_below_baseline(parks: pd.DataFrame) -> pd.Series:
    """All three numbers read, and the target share is below the baseline share."""
    target, baseline = (parks[c].map(_number).astype(float) for c in ("target_green_share", "baseline_green_share"))
    below = target < baseline  # False where either is no number (NaN)
    carbon_read = parks.loc[below, "baseline_carbon_per_energy"].map(lambda t: _number(t) is not None).astype(bool)
    return below & carbon_read.reindex(parks.index, fill_value=False)


def park_rules(city_codes: set[str]) -> list[FieldRule]:
    """The field rules of parks.csv, in the order a row's issues are listed.

    The file is read as text, '' for an empty cell, never NaN: no check needs pandera to look for
    missing values (`ignore_na=False`, `every_value`), which would take a third of the time.
    """
    sub_park, parent = (lambda f: f["scope"] == "sub_park"), (lambda f: f["parent_park_code"] != "")
    shares = ("baseline_green_share", "target_green_share")
    numbers = ("baseline_carbon_per_energy", *shares)
    return [
        FieldRule("REG002", "park_code", pa.Check.str_matches(PARK_CODE.pattern, ignore_na=False)),
        # a repeated code that is malformed is REG002 only
        FieldRule("REG003", "park_code", every_value(lambda s: ~s.duplicated(keep=False) | ~_well_formed(s))),
        FieldRule("REG004", "league_city_code", pa.Check.isin(sorted(city_codes), ignore_na=False)),
        FieldRule("REG005", "league_city_code", every_value(
            lambda f: ~f["league_city_code"].isin(city_codes) | ~_well_formed(f["park_code"])
            | (f["park_code"].str[:6] == f["league_city_code"])), row=True),
        FieldRule("REG006", "category", pa.Check.isin(CATEGORIES, ignore_na=False)),
        FieldRule("REG006", "scope", pa.Check.isin(SCOPES, ignore_na=False)),
        FieldRule("REG007", "parent_park_code", every_value(lambda f: ~(sub_park(f) & ~parent(f))), row=True),
        FieldRule("REG008", "parent_park_code",
                  every_value(lambda f: ~(sub_park(f) & parent(f) & _parent_not_whole(f))), row=True),
        FieldRule("REG009", "parent_park_code", every_value(lambda f: ~(~sub_park(f) & parent(f))), row=True),
        FieldRule("REG006", "on_cultivation_list", every_value(lambda s: s.str.lower().isin(TRUE | FALSE))),
        *(FieldRule("REG010", c, _parses(dt.date.fromisoformat)) for c in ("enrolled_on", "target_date")),
        FieldRule("REG010", "baseline_year", _parses(int)),
        *(FieldRule("REG010", c, _parses(float)) for c in numbers),
        FieldRule("REG006", "baseline_carbon_per_energy", _in_range(lambda x: not x <= 0)),  # NaN passes
        *(FieldRule("REG006", c, _in_range(lambda x: 0 <= x <= 1)) for c in shares),
        FieldRule("REG011", "target_green_share", every_value(lambda f: ~_target_below_baseline(f)), row=True),
    ]


class RegistryError(UserError, ValueError):
    """The registry has errors; `issues` lists each (row as a text editor shows it, header = 1).

    The message is a headline (where, what to do) and one line per issue.
    """

    def __init__(self, issues: pd.DataFrame, registry_dir: str | Path | None = None):
        self.issues = issues
        where = f" in {registry_dir}" if registry_dir is not None else ""
        headline = (f"registry rejected: {len(issues)} problem(s){where}; fix them and run again / "
                    f"园区登记表有 {len(issues)} 处错误，请改正后重试")
        super().__init__("\n".join([headline, *map(_issue_line, issues.itertuples())]))


def _issue_line(r) -> str:
    place = r.file if pd.isna(r.row) else f"{r.file}:{int(r.row)}"  # a float column when some issue has no row
    column = f" {r.column}:" if isinstance(r.column, str) and r.column else ""
    return f"  {place} [{r.rule_id}]{column} {r.message_en} / {r.message_zh}"


@dataclass
class Registry:
    league_cities: pd.DataFrame
    parks: pd.DataFrame
    sha256: str
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256


@dataclass
class _Records:
    """A registry file as the batch CSV reader reads it: the header, and each record with its first
    line as a text editor shows it (a quoted field may span lines); blank lines are skipped."""

    header: list[str]
    records: list[tuple[int, list[str]]]
    broken: list[int]  # lines whose quoting is broken (an unclosed quote, text after a closing quote)

    def ragged(self) -> list[tuple[int, int]]:
        """(line, fields) of each record with more fields than the header. A short record reads as
        empty trailing fields, which the field rules then judge."""
        return [(line, len(cells)) for line, cells in self.records
                if len(cells) > len(self.header) and line not in self.broken]

    def frame(self, aliases: dict[str, str]) -> pd.DataFrame:
        """The records as text columns named by the header (aliases to canonical names, stripped);
        a name written twice is read from its first column."""
        names = [aliases.get(h.strip(), h.strip()) for h in self.header]
        first = {name: i for i, name in reversed(list(enumerate(names)))}
        width = len(names)
        rows = [[c.strip() for c in cells[:width]] + [""] * (width - len(cells)) for _, cells in self.records]
        columns = list(zip(*rows)) if rows else [()] * width
        return pd.DataFrame({name: pd.Series(columns[i], dtype=object) for name, i in first.items()})


def _records(path: Path) -> _Records:
    header, records, malformed = csv_lines(path.read_bytes().decode("utf-8-sig"), line_breaks=True)
    return _Records(header[1] if header else [], records, sorted(malformed))


def _reason(exc: Exception) -> str:
    """A short, single-line cause: `'utf-8' codec can't decode byte 0xb0 in position 12`."""
    if isinstance(exc, UnicodeDecodeError):
        return f"byte 0x{exc.object[exc.start]:02x} at position {exc.start} is not UTF-8"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def read_registry(registry_dir: str | Path) -> Registry:
    """Read and validate `league_cities.csv` and `parks.csv`; raise RegistryError listing every problem."""
    from zc_pipeline.intake.catalogue import Issues

    registry_dir = Path(registry_dir)
    cities_path, parks_path = registry_dir / "league_cities.csv", registry_dir / "parks.csv"
    found = Issues()
    issues = found.rows

    def add(file: Path, row, rule_id: str, column: str, value, **context) -> None:
        found.record(rule_id, {"file": file.name, "row": row, "column": column, "value": value},
                     column=column, value=value, **context)

    def rejected() -> RegistryError:
        return RegistryError(pd.DataFrame(issues).drop(columns="severity", errors="ignore"), registry_dir)

    frames, lines = {}, {}
    for path, aliases, columns in ((cities_path, CITY_ALIASES, CITY_COLUMNS), (parks_path, PARK_ALIASES, PARK_COLUMNS)):
        try:
            read = _records(path)
        except FileNotFoundError:
            add(path, None, "REG014", "", "")
            continue
        except (OSError, UnicodeDecodeError, csv.Error) as exc:  # csv.Error: the header line itself
            add(path, None, "REG015", "", _reason(exc))
            continue
        if not read.header:  # 0 bytes, or blank lines only
            what, what_en = _WHAT[path.name]
            add(path, 1, "REG013", "", "", what=what, what_en=what_en)
            continue
        for line in read.broken:
            add(path, line, "REG015", "", f"line {line}: a quote is not closed, or text follows a closing quote")
        for line, fields in read.ragged():
            add(path, line, "REG012", "", fields, expected=len(read.header))
        frames[path] = frame = read.frame(aliases)
        lines[path] = [line for line, _ in read.records]
        for col in columns:
            if col not in frame:
                add(path, 1, "REG001", col, "")
    if issues:
        raise rejected()
    cities, parks = frames[cities_path], frames[parks_path]
    cities = cities[CITY_COLUMNS]
    parks = parks[PARK_COLUMNS].copy()
    lines = lines[parks_path]
    # as Python objects: element-wise checks map them about twice as fast as pandas strings
    failed = rule_failures(park_rules(set(cities["league_city_code"])), parks.astype(object))
    cells = {c: parks[c].to_numpy() for c in set(failed["column"])}
    values = [cells[c][i] for c, i in zip(failed["column"], failed["index"])]
    for i, column, rule_id, value in zip(failed["index"], failed["column"], failed["rule_id"], values):
        add(parks_path, lines[i], rule_id, column, value)
    if issues:
        raise rejected()
    parks["parent_park_code"] = parks["parent_park_code"].replace("", None)
    parks["on_cultivation_list"] = parks["on_cultivation_list"].str.lower().isin(TRUE)
    for col in ("enrolled_on", "target_date"):
        parks[col] = parks[col].map(dt.date.fromisoformat)
    parks["baseline_year"] = parks["baseline_year"].astype(int)
    for col in ("baseline_carbon_per_energy", "baseline_green_share", "target_green_share"):
        parks[col] = parks[col].astype(float)
    files = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in (cities_path, parks_path)}
    # registry_sha256 of assessment rows: the parks file, checkable with `sha256sum parks.csv`
    return Registry(cities.reset_index(drop=True), parks.sort_values("park_code").reset_index(drop=True),
                    files[str(parks_path)], files)
