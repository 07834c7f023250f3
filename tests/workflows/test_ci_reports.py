"""scripts/junit_summary.py on a real pytest JUnit report: what ci.yml writes to the job summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SAMPLE_TESTS = """
import pytest

def test_passes():
    assert 1 + 1 == 2

def test_fails():
    assert "gate" == "kept", "the gate kept production"

@pytest.mark.skip(reason="not on this machine")
def test_skipped():
    pass
"""


def test_the_summary_counts_the_report_and_names_each_failure(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE_TESTS)
    report = tmp_path / "reports" / "junit.xml"
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        # JUnit is pytest's own; the installed plugins (xdist, cov, timeout) only slow it.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert tests.returncode == 1, tests.stdout

    summary = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "junit_summary.py"), str(report)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert summary.startswith("## Tests\n")
    assert "1 passed, 1 failed, 0 errors, 1 skipped in " in summary
    assert "- `test_sample::test_fails`: AssertionError: the gate kept production" in summary
    assert "test_passes" not in summary
