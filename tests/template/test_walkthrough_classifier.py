"""The guide walked with iris data and a random forest that answers text labels (see
walkthrough.py). Its `make test` runs the fast tier of the project's own tests, test_any_model.py
included (other model families, whatever the project's). Not the tool's tests (tests/mlops): they
never read the project (tests/mlops/check_independent_of_sample.py), so a user's changes cannot
fail them, and running them here cost the suite about 4 minutes of CPU."""

from __future__ import annotations

import pytest
from walkthrough import iris, walk_the_guide

# A user's whole journey (make test, train, deploy, batch): past the suite's 600 s per test on a
# loaded 2-core machine (its inner make test alone took 600 s at load 20).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def test_the_guide_walked_with_a_classifier_and_text_labels(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    walk_the_guide(tmp_path_factory, iris(), tests="tests --ignore=tests/mlops")
