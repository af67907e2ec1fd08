"""Settings: the as-of date, the data and state folders, and whether a registry is at hand."""
import datetime as dt
from pathlib import Path

import pytest

from zc_pipeline.errors import UserError
from zc_pipeline.settings import load_settings, parse_as_of, state_path


@pytest.fixture(autouse=True)
def no_zc_env(monkeypatch, tmp_path):
    for name in ("ZC_DATA_DIR", "ZC_STATE_DIR", "ZC_AS_OF", "ZC_WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_an_as_of_date_that_is_not_a_date_is_a_user_error():
    assert parse_as_of("2026-07-15") == dt.date(2026, 7, 15)
    with pytest.raises(UserError) as exc:
        parse_as_of("2026-13-01")
    assert str(exc.value) == ("as-of date '2026-13-01' is not a date: write YYYY-MM-DD (--as-of or ZC_AS_OF) / "
                              "基准日期应写作 YYYY-MM-DD")


def test_a_bad_ZC_AS_OF_is_caught_when_settings_are_loaded(monkeypatch):
    monkeypatch.setenv("ZC_AS_OF", "tomorrow")
    with pytest.raises(UserError, match="as-of date 'tomorrow' is not a date"):
        load_settings()


def test_the_state_folder(tmp_path, monkeypatch):
    assert state_path() == tmp_path / ".zc_state"
    monkeypatch.setenv("ZC_STATE_DIR", "elsewhere")
    assert load_settings(as_of="2026-07-15").state_dir == tmp_path / "elsewhere"


def test_a_registry_is_at_hand_when_a_data_folder_is_named_or_the_default_has_one(tmp_path, monkeypatch):
    alone = load_settings(as_of="2026-07-15")  # no sample_data/ here
    assert (alone.data_dir_named, alone.has_registry) == (False, False)
    named = load_settings(data_dir="region", as_of="2026-07-15")  # named, even if it holds nothing: its errors say so
    assert (named.data_dir_named, named.has_registry) == (True, True)
    monkeypatch.setenv("ZC_DATA_DIR", "region")
    assert load_settings(as_of="2026-07-15").data_dir_named
    monkeypatch.delenv("ZC_DATA_DIR")
    (tmp_path / "sample_data" / "registry").mkdir(parents=True)
    (tmp_path / "sample_data" / "registry" / "parks.csv").write_text("park_code\n")
    found = load_settings(as_of="2026-07-15")
    assert (found.data_dir, found.data_dir_named, found.has_registry) == (Path("sample_data").resolve(), False, True)


def test_an_unknown_rulebook_version_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ZC_STANDARD", "IM-ZCP-1999.9")
    with pytest.raises(UserError, match="no rulebook 'IM-ZCP-1999.9' .*installed: IM-ZCP-2026.1"):
        load_settings()
