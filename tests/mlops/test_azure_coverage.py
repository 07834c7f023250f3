"""docs/azure_coverage.md is what scripts/azure_coverage.py makes of the code as it stands."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "azure_coverage.py"


def _coverage():
    spec = importlib.util.spec_from_file_location("azure_coverage", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_coverage_page_is_fresh() -> None:
    coverage = _coverage()
    page = coverage.PAGE.read_text(encoding="utf-8")
    assert page == coverage.render(), "stale: run .venv/bin/python scripts/azure_coverage.py"


def test_the_page_says_what_runs_and_what_is_refused() -> None:
    page = _coverage().render()
    assert "| `az ml compute` | refused: a compute exists only on Azure" in page
    assert "| `az ml online-endpoint` | supported: `mlops online-endpoint`" in page
    assert "| `automl` (AutoML job) | refused: an AutoML job runs on Azure ML only" in page
    (job_create,) = [line for line in page.splitlines() if line.startswith("| `mlops job create`")]
    assert job_create.startswith("| `mlops job create` | supported | `-f` `--file`,")
    (deployment_update,) = [
        line for line in page.splitlines() if line.startswith("| `mlops online-deployment update`")
    ]
    # As az ml: create verbs take --set; update verbs the whole generic update.
    assert "`--set`" in job_create and "`--add`" not in job_create
    for flag in ("`--set`", "`--add`", "`--remove`", "`--force-string`"):
        assert flag in deployment_update.split(" | ")[2]
    assert "| `mlops bootstrap` | mlops only: renames the template |" in page


def test_az_ml_verbs_with_no_mlops_command_are_listed_with_their_status() -> None:
    page = _coverage().render()
    assert "| `az ml model share` | refused: registries exist only on Azure | - | - |" in page
    # A verb mlops has is a row of its own, never also listed as missing.
    for verb in ("model update", "data update", "environment archive", "job restore"):
        assert f"`az ml {verb}`" not in page and f"| `mlops {verb}` | supported |" in page
