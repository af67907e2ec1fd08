"""The `zc` command: a failure is one line on stderr and a non-zero exit, never a traceback.

The commands a user can mistype run as a separate process through the installed `zc` script (what
a user sees on the terminal); the others call `main` in-process.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from zc_pipeline.cli import main
from zc_pipeline.intake.validate import write_blank_template
from zc_pipeline.warehouse.engine import create_all, make_engine

ZC = Path(sys.executable).with_name("zc")
PARK, OTHER = "150100-P001", "150100-P002"
CITIES = "league_city_code,name_zh,name_en\n150100,呼和浩特市,Hohhot\n"
PARKS = ("park_code,park_name,league_city_code,category,scope,parent_park_code,on_cultivation_list,enrolled_on,"
         "baseline_year,baseline_carbon_per_energy,baseline_green_share,target_green_share,target_date\n"
         f"{PARK},测试园区,150100,regional,whole,,true,2025-01-01,2025,0.55,0.30,0.50,2026-12-31\n")
REG013 = ("  parks.csv:1 [REG013] the file is empty, it has no header row: write the header and one row per park"
          " / 文件为空，没有表头行：请写入表头和每个园区一行")


def zc(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed `zc` script, as a user runs it: no data folder named, state under `cwd`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ZC_", "DAGSTER_"))}
    base.update({"ZC_STATE_DIR": str(cwd / "state"), "ZC_AS_OF": "2026-04-20", **(env or {})})
    return subprocess.run([str(ZC), *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=120)


@pytest.fixture
def no_zc_env(monkeypatch, tmp_path):
    """In-process runs: no ZC_* variable from outside, state in the test's folder, as-of 2026-04-20."""
    for name in [k for k in os.environ if k.startswith("ZC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ZC_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ZC_AS_OF", "2026-04-20")
    monkeypatch.chdir(tmp_path)


def region(root: Path, parks: str = PARKS) -> Path:
    (root / "registry").mkdir(parents=True)
    (root / "registry" / "league_cities.csv").write_text(CITIES, encoding="utf-8")
    (root / "registry" / "parks.csv").write_text(parks, encoding="utf-8")
    return root


def filled_workbook(path: Path, park: str = PARK, grid_mwh: float = 1000) -> Path:
    """The blank template of 2026-03, filled in: 填报日期 2026-04-05, grid 1000 MWh, coal 50 t."""
    write_blank_template(path, park_code=park, park_name="测试园区", period="2026-03")
    wb = openpyxl.load_workbook(path)
    for row in wb["基本信息"].iter_rows(min_row=2):
        if row[0].value == "填报日期":
            row[1].value = dt.date(2026, 4, 5)
    quantities = {"电网购电": grid_mwh, "原煤": 50}
    for row in wb["能源消费"].iter_rows(min_row=2):
        row[2].value = quantities.get(row[0].value, 0)
    for row in wb["经济与改造"].iter_rows(min_row=2):
        row[1].value = {"工业增加值(万元)": 800, "节能改造计划项目数": 4, "节能改造完成项目数": 1}.get(row[0].value)
    wb.save(path)
    return path


def batch_csv(path: Path, codes: list[str]) -> Path:
    header = ("park_code,period,submitted_on,grid_electricity_mwh,green_direct_mwh,green_onsite_mwh,"
              "green_certificate_mwh,raw_coal_t,natural_gas_10k_m3,diesel_t,gasoline_t,purchased_heat_gj,"
              "value_added_10k_yuan,retrofit_planned,retrofit_completed,reported_co2_t\n")
    rows = "".join(f"{c},2026-03,2026-04-05,1000,0,0,0,50,0,0,0,0,800,4,1,\n" for c in codes)
    path.write_text(header + rows, encoding="utf-8")
    return path


# --- failures are one line --------------------------------------------------------------------------

def test_an_empty_parks_file_stops_validate_with_the_rule_not_a_pandas_traceback(tmp_path):
    data = region(tmp_path / "data", parks="")
    book = filled_workbook(tmp_path / "2026-03" / "park.xlsx")
    done = zc("--data-dir", str(data), "validate", str(book), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"zc validate: registry rejected: 1 problem(s) in {data / 'registry'}; fix them and run again"
        " / 园区登记表有 1 处错误，请改正后重试",
        REG013,
    ]
    assert done.stdout == ""


def test_an_empty_parks_file_stops_zc_run_with_the_rule_not_a_stack_trace(tmp_path):
    data = region(tmp_path / "data", parks="")
    filled_workbook(data / "landing" / "2026-03" / "park.xlsx")
    done = zc("--data-dir", str(data), "run", cwd=tmp_path)
    assert done.returncode == 2
    assert REG013 in done.stderr.splitlines()
    assert "Traceback" not in done.stdout + done.stderr and "Stack Trace" not in done.stdout + done.stderr


def test_a_registry_error_is_listed_line_by_line_not_raised(tmp_path, no_zc_env, capsys):
    data = region(tmp_path / "data", parks=PARKS.replace("2026-12-31\n", "2026-12-31,\n"))  # a stray comma
    book = filled_workbook(tmp_path / "park.xlsx")
    assert main(["--data-dir", str(data), "validate", str(book)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("zc validate: registry rejected: 1 problem(s)")
    assert err[1] == ("  parks.csv:2 [REG012] this row has 14 fields, more than the header's 13 columns (a stray comma?)"
                      " / 此行有 14 个字段，多于表头的 13 列（行尾多了逗号？）")


def test_an_unexpected_error_names_its_log_file_and_keeps_the_trace_there(tmp_path):
    # a fault the project did not foresee, planted in a command: the console gets one line, the log the trace
    code = ("import sys, zc_pipeline.cli as cli\n"
            "def broken(args):\n    return {}['missing']\n"
            "cli.cmd_history = broken\n"
            "sys.exit(cli.main(['history', 'X']))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZC_")}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**env, "ZC_STATE_DIR": str(tmp_path / "state")}, timeout=120)
    assert done.returncode == 3
    [line] = done.stderr.splitlines()
    logs = list((tmp_path / "state" / "logs").glob("zc-*.log"))
    assert len(logs) == 1
    assert line.startswith("zc history: unexpected error (KeyError: 'missing'); the trace is in "
                           f"{logs[0]}. Please send it with the command you ran")
    assert "Traceback" not in done.stderr
    trace = logs[0].read_text(encoding="utf-8")
    assert trace.startswith("zc history X\n")
    assert "Traceback (most recent call last)" in trace and "KeyError: 'missing'" in trace


@pytest.mark.parametrize("period", ["2026-13", "garbage"])
def test_template_with_a_bad_period_fails_and_writes_nothing(tmp_path, period):
    data = region(tmp_path / "data")
    done = zc("--data-dir", str(data), "template", "--park", PARK, "--period", period, "-o", "t.xlsx", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"zc template: --period '{period}' is not a month: write YYYY-MM, e.g. 2026-03 / --period 应为 YYYY-MM 格式的月份"]
    assert not (tmp_path / "t.xlsx").exists()


def test_template_of_an_unknown_park_says_so(tmp_path, no_zc_env, capsys):
    data = region(tmp_path / "data")
    assert main(["--data-dir", str(data), "template", "--park", OTHER, "--period", "2026-03", "-o", "t.xlsx"]) == 2
    assert capsys.readouterr().err.startswith(f"zc template: park {OTHER} is not in the registry")
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("args, message", [
    (["run", "--as-of", "garbage"],
     "zc run: as-of date 'garbage' is not a date: write YYYY-MM-DD (--as-of or ZC_AS_OF) / 基准日期应写作 YYYY-MM-DD"),
    (["run", "--from", "2026-13"], "zc run: --from '2026-13' is not a month: write YYYY-MM, e.g. 2026-03 / --from 应为 YYYY-MM 格式的月份"),
    (["spot-check", "redraw", "2026-Q1"],
     "zc spot-check: '2026-Q1' is not a half: write YYYY-H1 or YYYY-H2, e.g. 2026-H1 / 应为半年，如 2026-H1"),
    (["validate", "nowhere.xlsx"], "zc validate: no such file or folder: nowhere.xlsx / 找不到文件或目录"),
    (["--warehouse-url", "garbage", "history", PARK],
     "zc history: warehouse URL not usable: Could not parse SQLAlchemy URL from given URL string "
     "(--warehouse-url or ZC_WAREHOUSE_URL) / 数据仓库地址无效"),
])
def test_mistyped_arguments_are_one_line(tmp_path, no_zc_env, capsys, args, message):
    assert main(args) == 2
    assert capsys.readouterr().err.splitlines() == [message]


def test_a_warehouse_that_is_not_there_is_named_and_not_created(tmp_path, no_zc_env, capsys):
    assert main(["history", PARK]) == 2
    path = tmp_path / "state" / "warehouse.sqlite"
    assert capsys.readouterr().err.startswith(f"zc history: no warehouse at {path}: run `zc run` first")
    assert not path.exists()


def test_a_database_that_refuses_is_one_line_with_the_trace_logged(tmp_path, no_zc_env, capsys):
    url = "postgresql+psycopg://zc:secret@127.0.0.1:1/zc"  # port 1: nothing listens
    assert main(["--warehouse-url", url, "history", PARK]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("zc history: the warehouse cannot be used (")
    assert "check --warehouse-url or ZC_WAREHOUSE_URL and that the database is running; the trace is in" in line
    assert "secret" not in line


def test_an_instance_database_that_refuses_is_named_as_the_instance_not_the_warehouse(tmp_path):
    """DAGSTER_HOME's dagster.yaml names a PostgreSQL that nothing serves: dagster-postgres retries,
    gives up, and the user is sent to the instance's settings, not the warehouse's."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "storage:\n  postgres:\n    postgres_db:\n      username: zc\n      password: secret\n"
        "      hostname: 127.0.0.1\n      db_name: zc\n      port: 1\n", encoding="utf-8")
    data = region(tmp_path / "data")
    done = zc("--data-dir", str(data), "run", cwd=tmp_path, env={"DAGSTER_HOME": str(home)})
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.splitlines()[-1]
    assert last.startswith("zc run: the Dagster instance's storage cannot be used (too many retries for DB connection): "
                           "check DAGSTER_HOME's dagster.yaml")
    assert "Traceback" not in done.stderr and "secret" not in done.stderr


# --- explain and history ------------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "garbage"])
def test_explain_lists_the_accepted_forms(tmp_path, period):
    done = zc("explain", PARK, period, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"zc explain: period '{period}' is not one of the accepted forms: YYYY-MM (a month), YYYY-Qn (a quarter), "
        "YYYY-H1 (mid-year evaluation), YYYY-H2 or YYYY (year-end assessment, Jan-Dec) / "
        "期间格式应为 YYYY-MM（月）、YYYY-Qn（季度）、YYYY-H1（年中评估）、YYYY-H2 或 YYYY（年终考核，1–12 月）"]


def test_explain_help_names_the_same_forms(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # one line per argument
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    out = capsys.readouterr().out
    assert "YYYY-MM (a month), YYYY-Qn (a quarter), YYYY-H1 (mid-year evaluation), YYYY-H2 or YYYY (year-end" in out


def test_explain_of_a_year_is_the_year_end_assessment(tmp_path, no_zc_env, capsys):
    # an empty warehouse: the year is read as 2025-H2, which has no assessment of the park
    engine = make_engine(f"sqlite:///{tmp_path / 'state' / 'warehouse.sqlite'}")
    create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO dim_park (park_code) VALUES (:p)"), {"p": PARK})
    assert main(["explain", PARK, "2025"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"zc explain: {PARK} 在 2025-H2 没有考核结果 / no assessment of {PARK} for 2025-H2"]


def test_history_of_a_park_not_in_the_warehouse_says_so(tmp_path, no_zc_env, capsys):
    engine = make_engine(f"sqlite:///{tmp_path / 'state' / 'warehouse.sqlite'}")
    create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO dim_park (park_code) VALUES (:p)"), {"p": PARK})
    assert main(["history", OTHER]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"zc history: park {OTHER} is not among the warehouse's parks (dim_park): check the code / "
        f"园区 {OTHER} 不在数据仓库的园区表中，请核对园区代码"]
    assert main(["history", PARK]) == 0  # a known park with no grades yet
    assert capsys.readouterr().out.splitlines() == [f"{PARK} — grades published, latest / 最新", "  (none / 无)"]


# --- a park checks its own files alone ----------------------------------------------------------------

SKIPPED_ALONE = [
    "skipped F007 / 未检查 F007 (a workbook's park code is in the registry / 工作簿的园区代码在园区名录中): "
    "no registry here: name the region's data folder with --data-dir (or ZC_DATA_DIR) to check it / "
    "本机没有园区名录，可用 --data-dir（或 ZC_DATA_DIR）指定区域数据目录后检查",
    "skipped R001 / 未检查 R001 (a batch CSV's park codes are in the registry / 批量 CSV 的园区代码在园区名录中): "
    "no registry here: name the region's data folder with --data-dir (or ZC_DATA_DIR) to check it / "
    "本机没有园区名录，可用 --data-dir（或 ZC_DATA_DIR）指定区域数据目录后检查",
    "skipped W001 / 未检查 W001 (a sudden change against the park's previous month in force / 与本园区上月有效数据相比的突变): "
    "no previous month here: it comes with the region's data / 本机没有上月数据，需区域数据",
]


def test_a_park_alone_gets_every_rule_but_those_needing_the_region(tmp_path):
    month = tmp_path / "2026-03"
    month.mkdir()
    filled_workbook(month / "unregistered.xlsx", park="150100-P777")
    batch_csv(month / "batch.csv", ["150100-P777", ""])
    done = zc("validate", "2026-03", "--receipts", "receipts", cwd=tmp_path)  # no sample_data/ here
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines() == SKIPPED_ALONE + [
        # the empty code is in no registry at all: R001 still; the other record is accepted
        "2026-03/batch.csv: 部分接受 / partial — 2 records, 1 errors, 0 warnings; receipt receipts/batch.csv.receipt.xlsx",
        "2026-03/unregistered.xlsx: 接受 / accepted — 1 records, 0 errors, 0 warnings",
    ]


def test_with_the_region_s_registry_the_registry_rules_run(tmp_path, no_zc_env, capsys):
    data = region(tmp_path / "data")
    month = tmp_path / "2026-03"
    month.mkdir()
    filled_workbook(month / "unregistered.xlsx", park="150100-P777")
    batch_csv(month / "batch.csv", [PARK, "150100-P777"])
    assert main(["--data-dir", str(data), "validate", "2026-03", "--receipts", "receipts"]) == 1
    out = capsys.readouterr().out.splitlines()
    warehouse = tmp_path / "state" / "warehouse.sqlite"
    assert out == [
        f"skipped W001 / 未检查 W001 (a sudden change against the park's previous month in force / 与本园区上月有效数据相比的突变): "
        f"no warehouse at {warehouse}: run `zc run` first, or name the warehouse with --warehouse-url or "
        f"ZC_WAREHOUSE_URL / 找不到数据仓库，请先运行 zc run",
        "2026-03/batch.csv: 部分接受 / partial — 2 records, 1 errors, 0 warnings; receipt receipts/batch.csv.receipt.xlsx",
        "2026-03/unregistered.xlsx: 拒收 / rejected — 1 records, 1 errors, 0 warnings; "
        "receipt receipts/unregistered.xlsx.receipt.xlsx",
    ]
    rules = pd.read_excel(tmp_path / "receipts" / "unregistered.xlsx.receipt.xlsx", sheet_name="问题清单 issues", engine="openpyxl")["规则/rule"]
    assert rules.tolist() == ["F007"]
    assert not warehouse.exists()


def test_with_the_previous_month_in_the_warehouse_W001_runs(tmp_path, no_zc_env, capsys):
    data = region(tmp_path / "data")
    engine = make_engine(f"sqlite:///{tmp_path / 'state' / 'warehouse.sqlite'}")
    create_all(engine)
    with engine.begin() as conn:  # February in force: grid 50 MWh, coal 50 t; March's grid is 1000 (20x)
        conn.execute(sa.text("INSERT INTO park_month (park_code, period, grid_electricity_mwh, raw_coal_t) "
                             "VALUES (:p, '2026-02', 50, 50)"), {"p": PARK})
    filled_workbook(tmp_path / "2026-03" / "park.xlsx")
    assert main(["--data-dir", str(data), "validate", "2026-03/park.xlsx", "--receipts", "receipts"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2026-03/park.xlsx: 接受 / accepted — 1 records, 0 errors, 1 warnings; receipt receipts/park.xlsx.receipt.xlsx"]
    issues = pd.read_excel(tmp_path / "receipts" / "park.xlsx.receipt.xlsx", sheet_name="问题清单 issues", engine="openpyxl")
    assert issues[["工作表/sheet", "行/row", "规则/rule"]].values.tolist() == [["能源消费", 2, "W001"]]
