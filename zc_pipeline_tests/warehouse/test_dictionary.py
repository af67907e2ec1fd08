"""docs/data_dictionary.md is generated: it must match the table definitions."""
from zc_pipeline.warehouse.dictionary import DICTIONARY_PATH, render_data_dictionary
from zc_pipeline.warehouse.tables import TABLES


def test_dictionary_file_is_in_sync():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render_data_dictionary(), (
        "docs/data_dictionary.md is stale: run `python -m zc_pipeline.warehouse.dictionary`"
    )


def test_dictionary_lists_every_column_with_its_comment():
    text = render_data_dictionary()
    for name, table in TABLES.items():
        assert f"## {name}\n" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    assert "| `grade` | text | yes | Published (capped) grade: A \\| B \\| C (score at or above the rulebook's grade.A" in text


def test_dictionary_documents_the_views_and_their_columns():
    text = render_data_dictionary()
    views = text[text.index("\n## Views\n"):]
    assert "on SQLite and on PostgreSQL alike" in views
    assert "| [`v_latest_grade`](#v_latest_grade) | Latest grade_history row per park, level and period" in views
    # each column with its type, the table it comes from and that table's comment
    assert "| `issued_at` | timestamp (UTC) | `grade_history` | When this grade was published (UTC, the wall clock). |" in views
    assert "| `name_zh` | text | `dim_league_city` | Chinese name, e.g. 包头市. |" in views
    assert "| `open_rebounds` | integer | `city_quarter_summary` |" in views.split("### v_city_quarter_dashboard")[1]
