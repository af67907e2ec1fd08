"""GX suites are registered once per process and survive another process re-registering them."""
import subprocess
import sys
import textwrap

import pandas as pd

from zc_pipeline.quality import gx
from zc_pipeline.quality.expectations import Expectation
from zc_pipeline.quality.gx import Batch, _forget, validate

NON_NEGATIVE = [Expectation("non_negative", "ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0})]
AT_MOST_TEN = [Expectation("non_negative", "ExpectColumnValuesToBeBetween", {"column": "x", "max_value": 10})]


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
        e = [Expectation("non_negative", "ExpectColumnValuesToBeBetween", {{"column": "x", "max_value": 10}})]
        validate({str(tmp_path)!r}, [Batch("t", pd.DataFrame({{"x": [1.0]}}), e, "other")], build_docs=False)
    """)
    subprocess.run([sys.executable, "-c", other], check=True, timeout=300)
    # this process's held definition is now stale; the validation still runs, on the current suites
    assert _validate(tmp_path, NON_NEGATIVE, [5.0, 6.0]).success
    assert forgotten == [tmp_path]  # GX reported the held suite as not fresh once; the stores were re-read
    assert not _validate(tmp_path, AT_MOST_TEN, [11.0]).success
