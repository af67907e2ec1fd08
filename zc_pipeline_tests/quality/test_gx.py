"""GX suites check only what the blocking pandera schema cannot say; they are registered once per
process and survive another process re-registering them."""
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from zc_pipeline.quality import gx
from zc_pipeline.quality.expectations import Expectation, expectations, table_checks
from zc_pipeline.quality.gx import Batch, _forget, validate
from zc_pipeline.quality.table_checks import Context, evaluate
from zc_pipeline.warehouse.schemas import NON_NEGATIVE_COLUMNS, RATIO_COLUMNS
from zc_pipeline.warehouse.tables import TABLES
from zc_pipeline_tests.support.frames import park_month

# a toy suite on a column x, reporting to a check named "toy"
NON_NEGATIVE = [Expectation("toy", "ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0})]
AT_MOST_TEN = [Expectation("toy", "ExpectColumnValuesToBeBetween", {"column": "x", "max_value": 10})]


def test_no_suite_restates_the_blocking_schema():
    """Keys, values ≥ 0 and ratios 0–1 are the pandera schema's (blocking): no GX expectation repeats them."""
    for table in TABLES:
        assert not {"unique_key", "non_negative", "ratios_in_0_1"} & set(table_checks(table)), table
        for e in expectations(table, budget=1):
            assert "Unique" not in e.type, (table, e)
            ranged = e.type == "ExpectColumnValuesToBeBetween"
            assert not (ranged and e.kwargs["column"] in NON_NEGATIVE_COLUMNS | RATIO_COLUMNS), (table, e)


@pytest.mark.parametrize(
    "breakage, column",
    [
        (lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True), "park_code"),  # was unique_key
        (lambda f: f.assign(co2_t=[100.0, -1.0, 100.0]), "co2_t"),  # was non_negative
        (lambda f: f.assign(green_share=[0.3, 1.3, 0.3]), "green_share"),  # was ratios_in_0_1
    ],
)
def test_the_blocking_schema_check_fails_on_what_the_suites_no_longer_restate(tmp_path, breakage, column):
    (schema,) = evaluate(tmp_path, "park_month", breakage(park_month()), Context(), "test", {"schema"})
    assert not schema.passed and schema.severity == "ERROR"
    assert column in schema.metadata["failure_cases"]


def _validate(state_dir, expectations, values):
    return validate(state_dir, [Batch("t", pd.DataFrame({"x": values}), expectations, "test")], build_docs=False)["t"]


def _suite_files(state_dir):
    return sorted((state_dir / "gx" / "gx" / "expectations").glob("*.json"))


def test_an_unchanged_suite_is_not_written_again(tmp_path):
    assert _validate(tmp_path, NON_NEGATIVE, [1.0, 2.0]).success
    (suite_file,) = _suite_files(tmp_path)
    written = suite_file.stat().st_mtime_ns, suite_file.read_text()
    gx._forget(tmp_path)  # as a fresh process would: the stored suite is found and reused
    assert not _validate(tmp_path, NON_NEGATIVE, [-1.0, 2.0]).success
    assert (suite_file.stat().st_mtime_ns, suite_file.read_text()) == written


def test_a_suite_rewritten_by_another_process_is_read_again(tmp_path, monkeypatch):
    forgotten = []
    monkeypatch.setattr(gx, "_forget", lambda state_dir: (forgotten.append(state_dir), _forget(state_dir)))
    assert _validate(tmp_path, NON_NEGATIVE, [5.0]).success  # registered and held by this process
    other = textwrap.dedent(f"""
        import pandas as pd
        from zc_pipeline.quality.expectations import Expectation
        from zc_pipeline.quality.gx import Batch, validate
        e = [Expectation("toy", "ExpectColumnValuesToBeBetween", {{"column": "x", "max_value": 10}})]
        validate({str(tmp_path)!r}, [Batch("t", pd.DataFrame({{"x": [1.0]}}), e, "other")], build_docs=False)
    """)
    subprocess.run([sys.executable, "-c", other], check=True, timeout=300)
    # this process's held definition is now stale; the validation still runs, on the current suites
    assert _validate(tmp_path, NON_NEGATIVE, [5.0, 6.0]).success
    assert forgotten == [tmp_path]  # GX reported the held suite as not fresh once; the stores were re-read
    assert not _validate(tmp_path, AT_MOST_TEN, [11.0]).success



RACE_WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import pandas as pd
    from zc_pipeline.quality import gx
    from zc_pipeline.quality.expectations import Expectation

    state, role, suites = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    done = state / "writer.done"
    e = [Expectation("toy", "ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0})]
    gx.validate(state, [gx.Batch(f"first_{role}", pd.DataFrame({"x": [1.0]}), e, role)], build_docs=False)
    (state / f"{role}.ready").touch()
    while not all((state / f"{r}.ready").exists() for r in ("writer", "reader")):
        time.sleep(0.001)
    if role == "writer":  # each new suite adds a data asset: GX rewrites great_expectations.yml
        for i in range(suites):
            out = gx.validate(state, [gx.Batch(f"s{i}", pd.DataFrame({"x": [1.0]}), e, role)], build_docs=False)
            assert out[f"s{i}"].success
        done.touch()
    else:  # meanwhile, open the project afresh again and again, as each new process does
        opened = 0
        while not done.exists():
            gx._forget(state)
            gx._context(state)
            opened += 1
        print(opened, file=sys.stderr)
    print("ok")
""")


def test_opening_the_gx_project_while_another_process_writes_it(tmp_path):
    """GX reads great_expectations.yml when a process opens the project and rewrites it when a
    suite is registered: one real process registers 30 suites while another keeps opening the
    project; neither may see a half-written file."""
    procs = [subprocess.Popen([sys.executable, "-c", RACE_WORKER, str(tmp_path), role, "30"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for role in ("writer", "reader")]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
        assert out.strip() == "ok"
    names = {f.stem for f in (tmp_path / "gx" / "gx" / "expectations").glob("*.json")}
    assert names == {"first_writer", "first_reader", *(f"s{i}" for i in range(30))}
