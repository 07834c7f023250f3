"""Sample only (delete or adapt with your own data): the scoring-data command the batch guide
shows writes exactly the committed sample scoring files. Moved here from tests/mlops/batch, which
tests the tool on its own fixtures."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from diabetes_regression.make_scoring_data import main as make_scoring_data

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.sample_only("data")
def test_the_documented_data_command_writes_the_committed_scoring_data(tmp_path: Path) -> None:
    guide = (REPO / "docs" / "batch_scoring.md").read_text()
    assert ".venv/bin/python -m diabetes_regression.make_scoring_data" in guide
    # In-process, as test_diabetes_data.py runs make_sample_data: the module's main() is what
    # `python -m` runs, without a second interpreter importing pandas and scikit-learn (1.8 s).
    assert make_scoring_data(["--output", str(tmp_path)]) == 0
    committed = REPO / "data" / "diabetes_scoring"
    names = sorted(path.name for path in committed.glob("*.csv"))
    assert names == sorted(path.name for path in tmp_path.glob("*.csv"))
    matched, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, names, shallow=False)
    assert (matched, mismatch, errors) == (names, [], [])
    header = (committed / names[0]).read_text().splitlines()[0]
    assert header == "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6"
