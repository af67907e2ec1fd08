"""Rules for the programme files: spot-check results (V0xx, FILES.md §4) and funding applications
(G0xx, FILES.md §5). The checks themselves live in `intake/programme_files.py` (pandera field rules).

Message fields: {file}, {column}, {value}, {limit}, {half}, {period}, {key}, {allowed}, {city}.
"""
from __future__ import annotations

from zc_pipeline.intake.catalogue import Rule, register


def _file_rules(prefix: str, kind: str) -> tuple[Rule, ...]:
    """The file errors both programme files share; they reject the whole file."""
    return (
        Rule(f"{prefix}001", "file", kind,
             "文件 {file} 无法读取（{value}）：请导出为普通 CSV 文本文件后重新报送。",
             "File {file} cannot be read ({value}): export it as a plain CSV text file and resend it."),
        Rule(f"{prefix}002", "file", kind,
             "文件 {file} 的编码无法识别：请另存为 UTF-8（可带 BOM）或 GB18030 编码的 CSV 后重新报送。",
             "File {file} is in an unknown encoding: save it as UTF-8 (BOM allowed) or GB18030 CSV and resend it."),
        Rule(f"{prefix}003", "file", kind,
             "文件 {file} 缺少列 {column}：请按模板在第 1 行填写全部列名（{allowed}）。",
             "File {file} has no column {column}: row 1 must name every column of the template ({allowed})."),
        Rule(f"{prefix}004", "file", kind,
             "文件 {file} 有 {value} 行数据，超过上限 {limit} 行：请拆分为多个文件报送。",
             "File {file} has {value} data rows, more than the limit of {limit}: split it into several files."),
        Rule(f"{prefix}005", "file", kind,
             "文件 {file} 大小 {value} 字节，超过上限 {limit} 字节：请拆分为多个文件报送。",
             "File {file} is {value} bytes, more than the limit of {limit} bytes: split it into several files."),
    )


register(
    *_file_rules("V", "verification"),
    Rule("V010", "record", "verification",
         "园区代码 {value} 不在园区名录中：请核对园区代码（格式 150100-P001）。",
         "Park code {value} is not in the park registry: check the code (format 150100-P001)."),
    Rule("V011", "record", "verification",
         "报告期 {value} 不是有效月份：请填写 YYYY-MM，例如 2026-03。",
         "Period {value} is not a month: write it as YYYY-MM, e.g. 2026-03."),
    Rule("V012", "record", "verification",
         "报告期 {value} 不属于本文件的半年 {half}：请把该月的核查结果放入对应半年的文件。",
         "Period {value} is not in this file's half {half}: put that month's result in the file of its own half."),
    Rule("V013", "record", "verification",
         "园区 {key} 在 {value} 没有有效的月度报送，无法比对核查结果：请核对园区代码和报告期。",
         "Park {key} has no submission in force for {value}, so the result cannot be compared: check the park code and period."),
    Rule("V014", "record", "verification",
         "{column} 的值 {value} 不是数字：请填写数字（单位见列名），不要留空或加文字。",
         "{column} value {value} is not a number: write a plain number in the column's unit, not blank or text."),
    Rule("V015", "record", "verification",
         "{column} 的值 {value} 为负数：核查值不能小于 0，请更正。",
         "{column} value {value} is negative: a verified value cannot be below 0, correct it."),
    Rule("V016", "record", "verification",
         "{column} 的值 {value} 不是有效日期：请填写 YYYY-MM-DD，例如 2026-07-15。",
         "{column} value {value} is not a date: write it as YYYY-MM-DD, e.g. 2026-07-15."),
    Rule("V017", "record", "verification",
         "园区 {key} 报告期 {value} 在文件中出现多次，相关各行均被退回：每个园区每月只填一行。",
         "Park {key}, period {value} appears more than once in the file; all those rows are rejected: give one row per park and month."),
)

register(
    *_file_rules("G", "funding"),
    # Not an error: STANDARD §10 gives such a project the outcome `park_unknown`, so it stays in.
    Rule("G010", "warning", "funding",
         "园区代码 {value} 不在园区名录中，该项目将不予资助（park_unknown）：如代码有误请更正后重新报送。",
         "Park code {value} is not in the park registry, so the project gets no funding (park_unknown): correct the code and resend if it is wrong."),
    Rule("G011", "record", "funding",
         "园区代码 {value} 格式不正确：请填写 6 位盟市代码-P3 位序号，例如 150100-P001。",
         "Park code {value} is malformed: write the 6-digit league-city code, -P and 3 digits, e.g. 150100-P001."),
    Rule("G012", "record", "funding",
         "项目编号为空：请为每个项目填写唯一的 project_id。",
         "project_id is empty: give every project a unique project_id."),
    Rule("G013", "record", "funding",
         "项目编号 {value} 在文件中出现多次，相关各行均被退回：每个项目只填一行。",
         "project_id {value} appears more than once in the file; all those rows are rejected: give one row per project."),
    Rule("G014", "record", "funding",
         "项目类型 {value} 无法识别：请填写 {allowed} 之一。",
         "Project type {value} is not known: write one of {allowed}."),
    Rule("G015", "record", "funding",
         "{column} 的值 {value} 不是数字：请以万元为单位填写数字，例如 123.45。",
         "{column} value {value} is not a number: write the amount in 10k yuan as a plain number, e.g. 123.45."),
    Rule("G016", "record", "funding",
         "{column} 的值 {value} 为负数：投资额不能小于 0，请更正。",
         "{column} value {value} is negative: an investment cannot be below 0, correct it."),
    Rule("G017", "record", "funding",
         "{column} 的值 {value} 不是有效日期：请填写 YYYY-MM-DD，例如 2026-03-15。",
         "{column} value {value} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-15."),
)

# FILES.md §6: a league-city's cultivation-list changes (L0xx) and the interviews held after rebounds (I0xx).
register(
    *_file_rules("L", "list"),
    Rule("L006", "file", "list",
         "文件名 {file} 不符合 <盟市代码>_<YYYY-MM-DD>.csv（如 150100_2026-03-15.csv）或盟市代码不在盟市名录中：请按规则命名后重新报送。",
         "File name {file} is not <league_city_code>_<YYYY-MM-DD>.csv (e.g. 150100_2026-03-15.csv) with a known league-city code: rename it and resend it."),
    Rule("L010", "record", "list",
         "园区代码 {value} 不在园区名录中：纳入或移出培育名单的园区须先在园区名录中登记。",
         "Park code {value} is not in the park registry: a park must be registered before it is added to or removed from the list."),
    Rule("L011", "record", "list",
         "园区 {value} 不属于报送本文件的盟市 {city}：各盟市只能调整本地区园区。",
         "Park {value} does not belong to league-city {city}, which sent this file: a league-city may only change its own parks."),
    Rule("L012", "record", "list",
         "操作 {value} 无法识别：请填写 {allowed} 之一。",
         "Action {value} is not known: write one of {allowed}."),
    Rule("L013", "record", "list",
         "{column} 的值 {value} 不是有效日期：请填写 YYYY-MM-DD，例如 2026-04-01。",
         "{column} value {value} is not a date: write it as YYYY-MM-DD, e.g. 2026-04-01."),
    Rule("L014", "record", "list",
         "园区 {value} 在文件中出现多次，相关各行均被退回：每个园区每个文件只填一行。",
         "Park {value} appears more than once in the file; all those rows are rejected: give one row per park."),
    Rule("L015", "record", "list",
         "生效日期 {value} 早于园区 {key} 在园区名录中的纳入日期：请核对生效日期或先更新园区名录。",
         "effective_on {value} is before park {key}'s enrolment in the registry: check the date, or update the registry first."),
)

register(
    *_file_rules("I", "interview"),
    Rule("I006", "file", "interview",
         "文件名 {file} 不符合 <YYYY>.csv（如 2026.csv）：请按年份命名后重新报送。",
         "File name {file} is not <YYYY>.csv (e.g. 2026.csv): name it by its year and resend it."),
    Rule("I010", "record", "interview",
         "园区代码 {value} 不在园区名录中：请核对园区代码（格式 150100-P001）。",
         "Park code {value} is not in the park registry: check the code (format 150100-P001)."),
    Rule("I011", "record", "interview",
         "反弹月份 {value} 不是有效月份：请填写 YYYY-MM，例如 2026-03。",
         "alert_period {value} is not a month: write it as YYYY-MM, e.g. 2026-03."),
    Rule("I012", "record", "interview",
         "园区 {key} 在 {value} 没有碳排放强度反弹预警，无法登记约谈：请核对园区代码和反弹月份。",
         "Park {key} has no rebound alert for {value}, so no interview can be recorded for it: check the park code and alert_period."),
    Rule("I013", "record", "interview",
         "{column} 的值 {value} 不是有效日期：请填写 YYYY-MM-DD，例如 2026-04-20。",
         "{column} value {value} is not a date: write it as YYYY-MM-DD, e.g. 2026-04-20."),
    Rule("I014", "record", "interview",
         "约谈日期 {value} 早于反弹月份结束：反弹在该月结束后才能确认，请核对日期。",
         "interviewed_on {value} is before the rebound month ended: a rebound is known only after its month, check the date."),
    Rule("I015", "record", "interview",
         "约谈日期 {value} 晚于数据截止日 {limit}：尚未发生的约谈不能登记，请核对日期。",
         "interviewed_on {value} is after the as-of date {limit}: an interview not yet held cannot be recorded, check the date."),
    Rule("I016", "record", "interview",
         "园区 {key} 反弹月份 {value} 在文件中出现多次，相关各行均被退回：每次约谈只填一行。",
         "Park {key}, alert_period {value} appears more than once in the file; all those rows are rejected: give one row per interview."),
)
