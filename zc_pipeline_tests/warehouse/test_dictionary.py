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
    assert "| `grade` | text | yes | Published (capped) grade: A (≥85) \\| B" in text
