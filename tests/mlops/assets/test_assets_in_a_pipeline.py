"""A pipeline whose input is `azureml:training@latest` after `mlops data create` (engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import PROJECT

COUNT_ROWS = '''\
"""Count the data rows of every CSV file in a folder."""
import argparse
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--data", type=Path, required=True)
parser.add_argument("--counts", type=Path, required=True)
args = parser.parse_args()
rows = sum(len(f.read_text().splitlines()) - 1 for f in sorted(args.data.glob("*.csv")))
args.counts.mkdir(parents=True, exist_ok=True)
(args.counts / "rows.txt").write_text(str(rows))
'''

COMPONENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: count_rows
version: 1
inputs:
  data:
    type: uri_folder
outputs:
  counts:
    type: uri_folder
code: ./src
environment: azureml:tiny_train@latest
command: >-
  python count_rows.py
  --data ${{inputs.data}}
  --counts ${{outputs.counts}}
"""

PIPELINE = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
experiment_name: asset_references
settings:
  default_compute: azureml:cpu-cluster
inputs:
  training_data:
    type: uri_folder
    path: azureml:training@latest
outputs:
  counted:
    type: uri_folder
jobs:
  count_rows:
    type: command
    component: ./count_rows.yml
    inputs:
      data: ${{parent.inputs.training_data}}
    outputs:
      counts: ${{parent.outputs.counted}}
"""


@pytest.mark.slow
def test_pipeline_reads_the_latest_registered_data_asset(cli, mlops_home, tmp_path, make_csv):
    from mlops.engine import create_job
    from mlops.jobstore import output_path

    cli.ok("environment", "create", "-f", str(PROJECT / "environments" / "train.yml"))
    cli.ok("data", "create", "-f", str(PROJECT / "data" / "training.yml"))
    # A second version with other rows: @latest must pick it, not version 1.
    newer = make_csv(tmp_path / "newer", rows=7)
    assert cli.ok("data", "create", "-n", "training", "-p", str(newer))["version"] == "2"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "count_rows.py").write_text(COUNT_ROWS)
    (tmp_path / "count_rows.yml").write_text(COMPONENT)
    (tmp_path / "pipeline.yml").write_text(PIPELINE)

    job = create_job(tmp_path / "pipeline.yml")

    assert job["status"] == "Completed", job
    assert (output_path(job["name"], "counted") / "rows.txt").read_text() == "7"
    # A job's output registers as a model, the way az ml registers one.
    output = f"azureml://jobs/{job['name']}/outputs/counted"
    model = cli.ok("model", "create", "-n", "row_counts", "-p", output)
    assert model["job_name"] == job["name"]
    assert (Path(model["path"]) / "rows.txt").read_text() == "7"
