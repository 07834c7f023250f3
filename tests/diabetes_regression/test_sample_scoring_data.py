"""Sample only (delete or adapt with your own data): the scoring-data command the batch guide
shows writes exactly the committed sample scoring files. Moved here from tests/mlops/batch, which
tests the tool on its own fixtures."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.sample_only("data")
def test_the_documented_data_command_writes_the_committed_scoring_data(tmp_path: Path) -> None:
    guide = (REPO / "docs" / "batch_scoring.md").read_text()
    assert ".venv/bin/python -m diabetes_regression.make_scoring_data" in guide
    subprocess.run(
        [sys.executable, "-m", "diabetes_regression.make_scoring_data", "--output", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    committed = REPO / "data" / "diabetes_scoring"
    names = sorted(path.name for path in committed.glob("*.csv"))
    assert names == sorted(path.name for path in tmp_path.glob("*.csv"))
    matched, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, names, shallow=False)
    assert (matched, mismatch, errors) == (names, [], [])
    header = (committed / names[0]).read_text().splitlines()[0]
    assert header == "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6"
