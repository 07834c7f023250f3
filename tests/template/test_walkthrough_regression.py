"""The guide walked with Friedman data and a scaling + gradient-boosting Pipeline (see
walkthrough.py). Its `make test` runs the fast tier of the project's own tests only: the tool's
tests (tests/mlops) never read the project (tests/mlops/check_independent_of_sample.py), so a
user's changes cannot fail them, and test_any_model.py tries other model families whatever the
project's, so the classifier walk runs it.
"""

from __future__ import annotations

import pytest
from walkthrough import friedman, walk_the_guide

# A user's whole journey (make test, train, deploy, batch): past the suite's 600 s per test on a
# loaded 2-core machine (its inner make test alone took 600 s at load 20).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

PROJECT_TESTS = "tests --ignore=tests/mlops --ignore-glob=*test_any_model.py"


def test_the_guide_walked_with_a_regression_pipeline(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    walk_the_guide(tmp_path_factory, friedman(), tests=PROJECT_TESTS)
