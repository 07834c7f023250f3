"""The guide walked with iris data and a random forest that answers text labels (see
walkthrough.py): the copy's `make test` runs the fast tier of every test, the tool's included,
which a user's changes must never fail."""

from __future__ import annotations

import pytest
from walkthrough import iris, walk_the_guide

# A user's whole journey (make test, train, deploy, batch): past the suite's 600 s per test on a
# loaded 2-core machine (its inner make test alone took 600 s at load 20).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def test_the_guide_walked_with_a_classifier_and_text_labels(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    walk_the_guide(tmp_path_factory, iris(), tests="tests")
