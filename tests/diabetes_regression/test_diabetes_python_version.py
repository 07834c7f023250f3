"""The sample's code runs on the Python its Azure ML environments name (checked with vermin)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import diabetes_regression

PACKAGE = Path(diabetes_regression.__file__).resolve().parent
ENVIRONMENTS = Path(__file__).resolve().parents[2] / "environments"


def _vermin(target: str, path: Path) -> subprocess.CompletedProcess[str]:
    """vermin's verdict on `path`: exit 0 when it needs no Python newer than `target`."""
    vermin = Path(sys.executable).parent / "vermin"
    return subprocess.run(
        [str(vermin), "--no-config-file", f"-t={target}-", "--violations", "-q", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def _python(conda_file: Path) -> str:
    dependencies = yaml.safe_load(conda_file.read_text())["dependencies"]
    [python] = [d for d in dependencies if isinstance(d, str) and d.startswith("python=")]
    return python.removeprefix("python=")


@pytest.mark.parametrize("conda_file", sorted(p.name for p in ENVIRONMENTS.glob("*-conda.yml")))
def test_the_sample_code_runs_on_the_python_its_environment_names(conda_file: str) -> None:
    python = _python(ENVIRONMENTS / conda_file)
    result = _vermin(python, PACKAGE)
    assert result.returncode == 0, f"{conda_file} names python={python}, but:\n{result.stdout}"


def test_code_that_needs_a_newer_python_is_named(tmp_path: Path) -> None:
    newer = tmp_path / "step.py"
    newer.write_text("type Rows = list[dict[str, float]]\n")
    result = _vermin("3.11", newer)
    assert result.returncode == 1
    assert "type alias statement" in result.stdout
    assert "requires !2, 3.12" in result.stdout
