"""A node's `./outputs` and `./logs` are its artifacts, as on Azure's compute, and
`mlops job download` lays them out as `az ml job download` does (`artifacts/`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tool_fixtures import Cli

pytestmark = pytest.mark.slow

JOB = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
type: command
experiment_name: artifact_tests
command: >-
  python write.py --out ${{outputs.table}}
code: ./src
environment: azureml:artifact_test@latest
compute: azureml:cpu-cluster
outputs:
  table:
    type: uri_folder
"""

SCRIPT = """\
import argparse, os, pathlib
parser = argparse.ArgumentParser()
parser.add_argument("--out")
out = parser.parse_args().out
pathlib.Path("outputs/report.txt").write_text("accuracy 0.9\\n")
pathlib.Path("logs/extra.log").write_text("detail\\n")
pathlib.Path(out, "table.csv").write_text("a,b\\n1,2\\n")
print("kept from the snapshot:", pathlib.Path("outputs/seed.txt").read_text().strip())
"""


@pytest.fixture
def job_file(tmp_path: Path, mlops_home: Path) -> Path:
    source = tmp_path / "src"
    (source / "outputs").mkdir(parents=True)
    (source / "write.py").write_text(SCRIPT)
    (source / "outputs" / "seed.txt").write_text("from the code folder\n")
    path = tmp_path / "job.yml"
    path.write_text(JOB)
    return path


def test_outputs_and_logs_are_the_jobs_artifacts(job_file: Path, tmp_path: Path) -> None:
    cli = Cli()
    record = cli.ok("job", "create", "-f", str(job_file), "-n", "arts")
    assert record["status"] == "Completed"
    # The user's code folder is untouched: ./outputs was a writable copy in the working folder.
    assert sorted(p.name for p in (tmp_path / "src" / "outputs").iterdir()) == ["seed.txt"]
    assert set(record["outputs"]) == {"table", "default"}
    artifacts = Path(record["outputs"]["default"]["path"])
    assert (artifacts / "outputs" / "report.txt").read_text() == "accuracy 0.9\n"

    everything = tmp_path / "all"
    listed = cli.ok("job", "download", "-n", "arts", "--all", "--download-path", str(everything))
    assert set(listed["outputs"]) == {"table", "default"}
    assert (everything / "named-outputs" / "table" / "table.csv").read_text() == "a,b\n1,2\n"
    assert (everything / "artifacts" / "outputs" / "report.txt").read_text() == "accuracy 0.9\n"
    assert (everything / "artifacts" / "outputs" / "seed.txt").is_file()
    assert (everything / "artifacts" / "logs" / "extra.log").read_text() == "detail\n"
    log = (everything / "artifacts" / "user_logs" / "std_log.txt").read_text()
    assert "kept from the snapshot: from the code folder" in log

    # az ml's `--output-name default` and a bare `job download` both fetch the artifacts alone.
    for extra, folder in ((["--output-name", "default"], "named"), ([], "bare")):
        target = tmp_path / folder
        cli.ok("job", "download", "-n", "arts", *extra, "--download-path", str(target))
        assert sorted(p.name for p in target.iterdir()) == ["artifacts"]
        assert (target / "artifacts" / "outputs" / "report.txt").is_file()
    streamed = cli.run("job", "stream", "-n", "arts")
    assert streamed.exit_code == 0
    assert "kept from the snapshot: from the code folder\n" in streamed.stdout
    shown = cli.ok("job", "show", "-n", "arts")
    assert json.dumps(shown["outputs"]["default"]).count("artifacts") == 1
