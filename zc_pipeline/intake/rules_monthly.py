"""Validation rules for monthly files (self-test workbooks and batch CSVs), FILES.md §2, §3."""
from __future__ import annotations

from zc_pipeline.intake.catalogue import Rule, register

# File errors: the whole file is rejected.
register(
    Rule("F001", "file", "both",
         "文件无法读取（{reason}）。请用 Excel 另存为 .xlsx 工作簿（批量报送另存为 CSV）后重新报送。",
         "The file cannot be read ({reason}). Save it again as an .xlsx workbook (or a CSV for "
         "batch files) and resubmit."),
    Rule("F002", "file", "xlsx",
         "工作簿已加密或设置了打开密码，无法读取。请取消密码保护后重新报送。",
         "The workbook is encrypted or password-protected. Remove the password and resubmit."),
    Rule("F003", "file", "xlsx",
         "缺少工作表“{sheet}”。请使用月度自测表模板，保留工作表“基本信息”“能源消费”“经济与改造”及其名称。",
         "Sheet '{sheet}' is missing. Use the monthly template and keep its sheets 基本信息, "
         "能源消费 and 经济与改造 with their names."),
    Rule("F004", "file", "both",
         "“{sheet}”缺少表头列“{column}”。请按模板恢复表头后重新报送。",
         "'{sheet}' has no header column '{column}'. Restore the template's header and resubmit."),
    Rule("F005", "file", "csv",
         "表头中“{column}”与其他列表示同一字段（{field}）。请删除重复的列。",
         "Header '{column}' names the same field ({field}) as another column. Remove the "
         "duplicate column."),
    Rule("F006", "file", "csv",
         "文件编码无法识别（{reason}）。请将 CSV 保存为 UTF-8 或 GB18030 编码后重新报送。",
         "The file's encoding is neither UTF-8 nor GB18030 ({reason}). Save the CSV as UTF-8 "
         "(or GB18030) and resubmit."),
    Rule("F007", "file", "xlsx",
         "园区代码“{value}”不在园区培育名录中。请填写名录中的园区代码（如 150100-P001）。",
         "Park code '{value}' is not in the park registry. Enter your registered park code "
         "(e.g. 150100-P001)."),
    Rule("F008", "file", "xlsx",
         "报告期“{value}”不是本次报送月份 {folder_month}（应为 YYYY-MM 或该月内的日期）。"
         "请填写 {folder_month}，其他月份请单独报送。",
         "Report period '{value}' is not the month being submitted, {folder_month} (expected "
         "YYYY-MM or a date in that month). Enter {folder_month}; submit other months separately."),
    Rule("F009", "file", "both",
         "报告期 {value} 尚未开始（数据截止日 {as_of}）。请在该月开始后再报送。",
         "Report period {value} has not begun by the as-of date {as_of}. Submit it once the "
         "month has started."),
    Rule("F010", "file", "both",
         "文件大小 {value} 字节，超过上限 {limit} 字节。请拆分文件后报送。",
         "The file is {value} bytes, above the limit of {limit} bytes. Split it into smaller "
         "files."),
    Rule("F011", "file", "xlsx",
         "工作簿解压后大小 {value} 字节，超过上限 {limit} 字节。请删除图片、多余工作表和空白格式后重新报送。",
         "The workbook unpacks to {value} bytes, above the limit of {limit} bytes. Remove "
         "pictures, extra sheets and blank formatting and resubmit."),
    Rule("F012", "file", "both",
         "“{sheet}”共 {value} 行，超过上限 {limit} 行。请拆分文件后报送。",
         "'{sheet}' has {value} rows, above the limit of {limit} rows. Split it into smaller "
         "files."),
    Rule("F013", "file", "csv",
         "列“{column}”的单位“{unit}”不是规定单位 {canonical}。请将该列数值换算为 {canonical} 并修改表头。",
         "Column '{column}' is in '{unit}', not the required unit {canonical}. Convert the "
         "column to {canonical} and correct the header."),
)

# Record errors: the park-month is rejected.
register(
    Rule("R001", "record", "csv",
         "第 {row} 行：园区代码“{value}”不在园区培育名录中。请核对园区代码。",
         "Line {row}: park code '{value}' is not in the park registry. Check the park code."),
    Rule("R002", "record", "csv",
         "第 {row} 行：报告期“{value}”不是本文件夹月份 {folder_month}。请填写 {folder_month}（YYYY-MM），"
         "其他月份请放入对应月份单独报送。",
         "Line {row}: period '{value}' is not the folder's month {folder_month}. Enter "
         "{folder_month} (YYYY-MM); submit other months in their own folder."),
    Rule("R003", "record", "both",
         "{label}：数值 {value} 为负数。消费量、增加值和项目数不能为负，请更正。",
         "{field}: value {value} is negative. Quantities, value added and project counts cannot "
         "be negative; correct it."),
    Rule("R004", "record", "xlsx",
         "“{value}”不是可识别的能源品种或项目。请使用模板中的名称：{accepted}。",
         "'{value}' is not a known energy carrier or item. Use one of the template's names: "
         "{accepted}."),
    Rule("R005", "record", "xlsx",
         "{label} 的计量单位“{value}”不被接受。可用单位：{accepted}。",
         "Unit '{value}' is not accepted for {field}. Accepted units: {accepted}."),
    Rule("R006", "record", "xlsx",
         "“{value}”重复填写（第 {first_row} 行已填写）。每个能源品种或项目只填一行，请合并后报送。",
         "'{value}' is entered twice (already on row {first_row}). Enter each carrier or item "
         "once; merge the rows."),
    Rule("R007", "record", "both",
         "绿证电量 {certificate} MWh 超过电网购电量 {grid} MWh。绿证只能抵扣电网购电，请核对。",
         "Green certificates {certificate} MWh exceed grid electricity {grid} MWh. Certificates can "
         "only cover grid electricity; check both figures."),
    Rule("R008", "record", "both",
         "节能改造完成项目数 {completed} 超过计划项目数 {planned}（均为本年累计）。请核对。",
         "Retrofit projects completed ({completed}) exceed those planned ({planned}); both are "
         "cumulative for the year. Check both figures."),
    Rule("R009", "record", "both",
         "{label}：“{value}”不是数字。请只填写数字（可用千位分隔符，如 1,234.5）。",
         "{field}: '{value}' is not a number. Enter digits only (thousands separators such as "
         "1,234.5 are fine)."),
    Rule("R010", "record", "both",
         "填报日期 {value} 晚于数据截止日 {as_of}。请填写实际填报日期。",
         "Submission date {value} is after the as-of date {as_of}. Enter the actual date of "
         "submission."),
    Rule("R011", "record", "both",
         "填报日期“{value}”缺失或无效。请填写日期，格式 YYYY-MM-DD。",
         "Submission date '{value}' is missing or not a date. Enter a date as YYYY-MM-DD."),
    Rule("R012", "record", "csv",
         "园区 {park_code} 报告期 {period} 在本文件中出现多次（第 {rows} 行），这些行全部拒收。"
         "请每个园区每月只保留一行后重新报送。",
         "Park {park_code}, period {period} appears more than once in this file (lines {rows}); "
         "all of them are rejected. Keep one line per park and month and resubmit."),
    Rule("R013", "record", "csv",
         "第 {row} 行有 {value} 个字段，与表头的 {expected} 列不符，各列数值会错位，此行拒收。"
         "含逗号的数字（如 21,420）请加英文双引号或去掉千位分隔符；缺少的字段请补齐。",
         "Line {row} has {value} fields, not the header's {expected}, so its values would land "
         "in the wrong columns; the line is rejected. Quote numbers that contain a comma "
         "(\"21,420\") or drop the thousands separator; fill in missing fields."),
    Rule("R014", "record", "csv",
         "第 {row} 行的引号不成对或引号后还有字符（{value}），此行无法可靠读取，已拒收；"
         "下一行照常读取。请删除多余的引号后重新报送。",
         "Line {row} has an unclosed quote or text after a closing quote ({value}); it cannot be "
         "read reliably and is rejected (the next line is read on its own). Remove the stray "
         "quote and resubmit."),
    Rule("R015", "record", "xlsx",
         "{label}：单元格是公式“{value}”，但文件中没有计算结果（或结果为错误值）。"
         "请在 Excel 中重新计算后保存，或直接填写数值。",
         "{field}: the cell holds the formula or error '{value}' with no computed value in the "
         "file. Recalculate and save it in Excel, or enter the number itself."),
    Rule("R016", "record", "both",
         "{label}：数值 {value} 超出合理范围（上限 {limit} {unit}），可能是单位或小数点错误，请核对。",
         "{field}: value {value} is beyond the plausible range (at most {limit} {unit}); the unit "
         "or decimal point may be wrong, please check."),
)

# Warnings: the record is accepted and flagged.
register(
    Rule("W001", "warning", "both",
         "{label} 本月 {current} {unit}，是上月 {previous} {unit} 的 {ratio} 倍"
         "（超出 {low}–{high} 倍），可能填错了单位，请核对。",
         "{field} is {current} {unit} this month, {ratio} times last month's {previous} {unit} "
         "(outside {low}–{high}); the unit may be wrong, please check."),
    Rule("W002", "warning", "both",
         "工业增加值为 0，但本月能源消费 {energy_tce} 吨标准煤。请核对工业增加值（万元）是否漏填。",
         "Value added is 0 although the month's energy use is {energy_tce} tce. Check whether "
         "value added (10k yuan) is missing."),
    Rule("W003", "warning", "both",
         "自报二氧化碳排放量 {reported} 吨与按能源消费核算的 {computed} 吨相差 {gap}（超过 {limit}）。"
         "请核对自报数或能源消费量。",
         "Reported CO2 {reported} t differs from the {computed} t computed from energy use by "
         "{gap} (more than {limit}). Check the reported figure or the energy quantities."),
)
