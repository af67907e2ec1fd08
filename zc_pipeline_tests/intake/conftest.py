"""Fixtures for intake tests: a two-park registry, a landing month folder (the rulebook `std` is the
shared conftest's)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zc_pipeline_tests.intake.intake_builders import AS_OF, MONTH, OTHER_PARK, PARK


@pytest.fixture(scope="session")
def registry():
    return pd.DataFrame({"park_code": [PARK, OTHER_PARK], "park_name": ["测试园区", "另一园区"]})


@pytest.fixture
def month_dir(tmp_path) -> Path:
    d = tmp_path / "landing" / MONTH
    d.mkdir(parents=True)
    return d


@pytest.fixture
def parse(registry, std):
    from zc_pipeline.intake.parse import parse_landing_file

    def run(path, folder_month=MONTH, as_of=AS_OF, std_=None):
        return parse_landing_file(path, folder_month=folder_month, registry=registry,
                                  std=std_ or std, as_of=as_of)

    return run
