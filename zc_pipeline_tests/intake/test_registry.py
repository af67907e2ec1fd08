"""The park registry: read with Chinese aliases, every problem reported with its row and rule."""
import datetime as dt

import pytest

from zc_pipeline.intake.registry import RegistryError, read_registry

CITIES = "league_city_code,name_zh,name_en\n150600,鄂尔多斯市,Ordos\n150900,乌兰察布市,Ulanqab\n"
HEADER = ("park_code,park_name,league_city_code,category,scope,parent_park_code,on_cultivation_list,enrolled_on,"
          "baseline_year,baseline_carbon_per_energy,baseline_green_share,target_green_share,target_date\n")
GOOD = [
    "150600-P001,鄂尔多斯零碳产业园,150600,national,whole,,true,2025-01-01,2025,0.62,0.30,0.50,2026-12-31",
    "150900-P001,乌兰察布大数据产业园,150900,regional,whole,,是,2025-01-01,2025,0.55,0.40,0.60,2026-12-31",
    "150900-P002,数据中心园中园,150900,pilot,sub_park,150900-P001,否,2025-07-01,2025,0.50,0.60,0.80,2026-12-31",
]


def _write(tmp_path, rows, header=HEADER, cities=CITIES):
    (tmp_path / "league_cities.csv").write_text(cities, encoding="utf-8")
    (tmp_path / "parks.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path


def test_a_good_registry_is_typed(tmp_path):
    reg = read_registry(_write(tmp_path, GOOD))
    parks = reg.parks.set_index("park_code")
    assert list(parks.index) == ["150600-P001", "150900-P001", "150900-P002"]
    assert parks.loc["150900-P001", "on_cultivation_list"] == True  # noqa: E712  (是)
    assert parks.loc["150900-P002", "on_cultivation_list"] == False  # noqa: E712  (否)
    assert parks.loc["150900-P002", "parent_park_code"] == "150900-P001"
    assert parks.loc["150600-P001", "enrolled_on"] == dt.date(2025, 1, 1)
    assert len(reg.sha256) == 64


def test_chinese_headers_are_accepted(tmp_path):
    zh = ("园区代码,园区名称,盟市代码,培育类别,建设范围,所属园区代码,是否在培育名单,纳入日期,基准年,"
          "基准单位能耗碳排放,基准绿电占比,目标绿电占比,目标日期\n")
    reg = read_registry(_write(tmp_path, GOOD[:1], header=zh, cities="盟市代码,盟市名称,name_en\n150600,鄂尔多斯市,Ordos\n"))
    assert reg.parks["park_code"].tolist() == ["150600-P001"]


@pytest.mark.parametrize(
    "row, rule_id, column, value",
    [
        ("15060-P001,坏代码,150600,national,whole,,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31", "REG002", "park_code", "15060-P001"),
        ("150200-P001,未知盟市,150200,national,whole,,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31", "REG004", "league_city_code", "150200"),
        ("150900-P003,无上级园中园,150900,pilot,sub_park,,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31", "REG007", "parent_park_code", ""),
        ("150900-P003,上级不存在,150900,pilot,sub_park,150900-P099,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31", "REG008", "parent_park_code", "150900-P099"),
        ("150600-P009,错类别,150600,provincial,whole,,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31", "REG006", "category", "provincial"),
        ("150600-P009,盟市不符,150900,national,whole,,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31", "REG005", "league_city_code", "150900"),
        ("150600-P001,重复代码,150600,national,whole,,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31", "REG003", "park_code", "150600-P001"),
        ("150600-P009,坏日期,150600,national,whole,,true,2025-13-01,2025,0.6,0.3,0.5,2026-12-31", "REG010", "enrolled_on", "2025-13-01"),
        ("150600-P009,目标低于基准,150600,national,whole,,true,2025-01-01,2025,0.6,0.5,0.3,2026-12-31", "REG011", "target_green_share", "0.3"),
    ],
)
def test_each_registry_error_names_row_rule_column_and_value(tmp_path, row, rule_id, column, value):
    with pytest.raises(RegistryError) as exc:
        read_registry(_write(tmp_path, GOOD + [row]))
    issues = exc.value.issues
    hit = issues[issues["rule_id"] == rule_id]
    assert len(hit) >= 1, issues
    first = hit.iloc[-1]
    assert (first["file"], first["row"], first["column"], first["value"]) == ("parks.csv", 5, column, value)
    assert first["message_zh"] and first["message_en"]
    assert rule_id in str(exc.value)  # the error text a user sees lists the rule and the place


def test_a_missing_column_is_reported(tmp_path):
    with pytest.raises(RegistryError) as exc:
        read_registry(_write(tmp_path, ["150600-P001"], header="park_code\n"))
    assert set(exc.value.issues["rule_id"]) == {"REG001"}


def test_every_row_of_a_repeated_park_code_is_reported(tmp_path):
    # GOOD's first code again on rows 5 and 6 (header = row 1, GOOD = rows 2-4): rows 2, 5 and 6 all say REG003
    again = GOOD[0].replace("鄂尔多斯零碳产业园", "重复")
    with pytest.raises(RegistryError) as exc:
        read_registry(_write(tmp_path, GOOD + [again, again]))
    hits = exc.value.issues[exc.value.issues["rule_id"] == "REG003"]
    assert hits["row"].tolist() == [2, 5, 6]
    assert set(hits["value"]) == {"150600-P001"}


def test_rows_ending_in_a_stray_comma_are_named_not_read_one_column_off(tmp_path):
    # every data row has 14 fields (13 + an empty one after the trailing comma); the header has 13
    with pytest.raises(RegistryError) as exc:
        read_registry(_write(tmp_path, [row + "," for row in GOOD]))
    issues = exc.value.issues
    assert issues["rule_id"].tolist() == ["REG012", "REG012", "REG012"]
    assert issues["file"].tolist() == ["parks.csv"] * 3
    assert issues["row"].tolist() == [2, 3, 4]
    assert issues["value"].tolist() == [14, 14, 14]
    assert "14 fields, more than the header's 13 columns" in issues.iloc[0]["message_en"]
    assert "此行有 14 个字段，多于表头的 13 列" in issues.iloc[0]["message_zh"]


def test_a_long_row_is_named_by_its_line_and_blank_lines_and_quoted_commas_are_not(tmp_path):
    quoted = GOOD[0].replace("鄂尔多斯零碳产业园", '"鄂尔多斯, 零碳产业园"')  # a comma inside quotes: 13 fields
    extra = GOOD[2] + ",多余"  # 14 fields
    (tmp_path / "league_cities.csv").write_text(CITIES + "150100,呼和浩特市,Hohhot,多余\n", encoding="utf-8")
    # line 1 header, 2 quoted, 3 empty, 4 blanks only, 5 GOOD[1], 6 extra
    (tmp_path / "parks.csv").write_text(HEADER + quoted + "\n\n   \n" + GOOD[1] + "\n" + extra + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path)
    issues = exc.value.issues
    # league_cities.csv line 4 has 4 fields of 3
    assert list(zip(issues["file"], issues["row"], issues["value"])) == [("league_cities.csv", 4, 4), ("parks.csv", 6, 14)]
    assert set(issues["rule_id"]) == {"REG012"}


def test_a_short_row_reads_its_missing_fields_as_empty_and_they_are_judged_as_such(tmp_path):
    # a city without its optional English name, written without the trailing comma: accepted
    cities = CITIES + "150100,呼和浩特市\n"
    short_park = ",".join(GOOD[0].replace("150600-P001", "150600-P002").split(",")[:12])  # no target_date
    with pytest.raises(RegistryError) as exc:
        read_registry(_write(tmp_path, GOOD + [short_park], cities=cities))
    issues = exc.value.issues
    assert list(zip(issues["row"], issues["rule_id"], issues["column"], issues["value"])) == [
        (5, "REG010", "target_date", "")]


def test_rows_after_blank_lines_are_named_by_the_line_a_text_editor_shows(tmp_path):
    bad = "150600-P009,错类别,150600,provincial,whole,,true,2025-01-01,2025,0.6,0.3,0.5,2026-12-31"
    (tmp_path / "league_cities.csv").write_text(CITIES, encoding="utf-8")
    (tmp_path / "parks.csv").write_text(HEADER + GOOD[0] + "\n\n\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path)
    issues = exc.value.issues
    # header line 1, GOOD[0] line 2, two empty lines, the bad row on line 5 (pandas' third row would say 3)
    assert list(zip(issues["row"], issues["rule_id"], issues["column"])) == [(5, "REG006", "category")]


def test_a_quoted_comma_alone_reads_as_one_value(tmp_path):
    quoted = GOOD[0].replace("鄂尔多斯零碳产业园", '"鄂尔多斯, 零碳产业园"')
    reg = read_registry(_write(tmp_path, [quoted, *GOOD[1:]]))
    assert reg.parks.loc[reg.parks["park_code"] == "150600-P001", "park_name"].item() == "鄂尔多斯, 零碳产业园"


def test_an_empty_parks_file_is_a_registry_error_not_a_pandas_one(tmp_path):
    (tmp_path / "league_cities.csv").write_text(CITIES, encoding="utf-8")
    (tmp_path / "parks.csv").write_bytes(b"")
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path)
    issues = exc.value.issues
    assert list(zip(issues["file"], issues["row"], issues["rule_id"])) == [("parks.csv", 1, "REG013")]
    assert issues.iloc[0]["message_en"] == (
        "the file is empty, it has no header row: write the header and one row per park")
    assert issues.iloc[0]["message_zh"] == "文件为空，没有表头行：请写入表头和每个园区一行"


def test_a_league_cities_file_of_blank_lines_is_empty_too(tmp_path):
    _write(tmp_path, GOOD, cities="\n  \n")
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path)
    issues = exc.value.issues
    assert list(zip(issues["file"], issues["rule_id"])) == [("league_cities.csv", "REG013")]
    assert issues.iloc[0]["message_en"].endswith("one row per league-city")


def test_a_missing_registry_folder_names_both_files(tmp_path):
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path / "nowhere")
    issues = exc.value.issues
    assert list(zip(issues["file"], issues["rule_id"])) == [
        ("league_cities.csv", "REG014"), ("parks.csv", "REG014")]
    assert issues["row"].isna().all()


def test_a_parks_file_not_in_utf8_says_so(tmp_path):
    (tmp_path / "league_cities.csv").write_text(CITIES, encoding="utf-8")
    (tmp_path / "parks.csv").write_bytes(HEADER.encode() + GOOD[0].encode("gb18030"))
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path)
    issue = exc.value.issues.iloc[0]
    assert (issue["file"], issue["rule_id"]) == ("parks.csv", "REG015")
    # 鄂 is 0xb6 0xf5 in GB18030, at byte 12 of the first data line
    offset = len(HEADER.encode()) + len("150600-P001,")
    assert issue["value"] == f"byte 0xb6 at position {offset} is not UTF-8"


def test_a_quote_never_closed_is_named(tmp_path):
    _write(tmp_path, [GOOD[0].replace("鄂尔多斯零碳产业园", '"鄂尔多斯零碳产业园')])
    with pytest.raises(RegistryError) as exc:
        read_registry(tmp_path)
    issues = exc.value.issues
    # the broken line alone (line 2, the first park): reading goes on with the next line, which is sound
    assert list(zip(issues["rule_id"], issues["row"])) == [("REG015", 2)]
    assert "check its quotes" in issues.iloc[0]["message_en"]


def test_the_registry_error_is_a_user_error_headline_then_one_line_per_issue(tmp_path):
    from zc_pipeline.errors import UserError

    (tmp_path / "league_cities.csv").write_text(CITIES, encoding="utf-8")
    (tmp_path / "parks.csv").write_bytes(b"")
    with pytest.raises(UserError) as exc:
        read_registry(tmp_path)
    assert str(exc.value).splitlines() == [
        f"registry rejected: 1 problem(s) in {tmp_path}; fix them and run again / 园区登记表有 1 处错误，请改正后重试",
        "  parks.csv:1 [REG013] the file is empty, it has no header row: write the header and one row per park"
        " / 文件为空，没有表头行：请写入表头和每个园区一行",
    ]


def test_an_issue_line_names_a_whole_row_number_when_another_issue_has_no_row():
    """A missing file (no row) beside a row issue makes the row column float: still `parks.csv:3`."""
    import pandas as pd

    from zc_pipeline.intake.registry import _issue_line

    issues = pd.DataFrame({"file": ["league_cities.csv", "parks.csv"], "row": [None, 3], "column": [None, "category"],
                           "rule_id": ["REG014", "REG003"], "message_en": ["missing", "bad"], "message_zh": ["缺失", "错误"]})
    assert [_issue_line(r) for r in issues.itertuples()] == [
        "  league_cities.csv [REG014] missing / 缺失",
        "  parks.csv:3 [REG003] category: bad / 错误",
    ]
