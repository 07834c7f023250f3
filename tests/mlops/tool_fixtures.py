"""The tool's own tiny project, for the tests of mlops and of the repository's workflows.

These tests never touch the sample project (src/diabetes_regression, components/, pipelines/,
endpoints/, data/ at the repository root), so a user's changes to it cannot fail them. The files
live in fixture_project/, laid out as the sample is; the model is fitted here on three rows.
Importable from any test folder: pytest puts tests/mlops on sys.path (pyproject's `pythonpath`).
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parent / "fixture_project"
ONLINE = PROJECT / "endpoints" / "online"
BATCH = PROJECT / "endpoints" / "batch"
REQUEST_FILE = ONLINE / "sample-request.json"
SMOKE_TEST = PROJECT / "src" / "tiny" / "smoke.py"
ENDPOINT = "tiny-endpoint"
BATCH_ENDPOINT = "tiny-batch"
MODEL = "tiny_model"
FEATURES = ["x1", "x2"]
_ROWS = [[1.0, 2.0], [2.0, 0.0], [3.0, 1.0]]
# The names the docs' examples use -> this project's. Docs tests run the documented commands
# here, on the same relative paths (endpoints/online/endpoint.yml, ...), with these names.
# In this order: the longer names first, the data asset's name last.
DOC_NAMES = {
    "diabetes-regression-batch": BATCH_ENDPOINT,
    "diabetes-regression": ENDPOINT,
    "diabetes_regression_model": MODEL,
    "diabetes_regression_train_model": "tiny_train_model",
    "diabetes_regression_train": "tiny_train",
    "data/diabetes_scoring": "data/scoring",
    "diabetes": "training",
}


def project_copy(folder: Path) -> Path:
    """A copy of the project in `folder`, marked as a repository root (`mlops validate` with no
    path checks it, not the repository holding the tests)."""
    copy = folder / "project"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / ".git").mkdir()
    return copy


def documented_commands(page: Path) -> list[str]:
    """The `mlops ...` lines of a page's bash blocks, with the docs' names made this project's."""
    import re

    blocks = re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    return [as_fixture(line) for line in lines if line.startswith("mlops ")]


def as_fixture(command: str) -> str:
    """`command` with the docs' sample names replaced by this project's."""
    for documented, ours in DOC_NAMES.items():
        command = command.replace(documented, ours)
    return command


@dataclass
class Live:
    """A running local endpoint: its state folder, scoring URI and key."""

    home: Path
    uri: str
    key: str


def auth(live: Live, **extra: str) -> dict[str, str]:
    """The headers of a request to `live` with its key (and `extra`)."""
    return {"Authorization": f"Bearer {live.key}", **extra}


def save_model(folder: Path, slope: float = 1.0, scale: float = 1.0) -> Path:
    """A linear model fitted on three rows to y = scale * (slope * x1 + x2), saved as an MLflow
    model with a signature. Different slopes give different answers to the same request."""
    import mlflow.sklearn
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    features = pd.DataFrame(_ROWS, columns=FEATURES)
    target = scale * (slope * features["x1"] + features["x2"])
    model = LinearRegression().fit(features, target)
    path = folder / f"tiny_model_{slope}_{scale}"
    mlflow.sklearn.save_model(
        model,
        str(path),
        signature=infer_signature(features, model.predict(features)),
        # Given, as train_model steps give them: MLflow would otherwise infer them in a
        # subprocess that imports the model (about 5 s on a loaded machine).
        pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
    )
    return path


def register_model(folder: Path, slope: float = 1.0, scale: float = 1.0) -> None:
    """`save_model`, registered as the next version of MODEL in the current MLOPS_HOME."""
    from mlops.assets.models import create_model

    path = save_model(folder, slope, scale)
    create_model(name=MODEL, path=str(path), model_type="mlflow_model")


def call(uri: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, dict, dict]:
    """POST `body` (default: the fixture's request) to `uri`: status, headers and JSON answer."""
    request = urllib.request.Request(
        uri,
        data=REQUEST_FILE.read_bytes() if body is None else body,
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def result(record: dict[str, Any], node: str) -> dict[str, Any]:
    """What an engine test step recorded about its run (its result.json)."""
    folder = Path(record["jobs"][node]["outputs"]["out"])
    return json.loads((folder / "result.json").read_text())


def statuses(record: dict[str, Any]) -> dict[str, str]:
    """Node -> status of a pipeline job record."""
    return {node: state["status"] for node, state in record["jobs"].items()}


class Cli:
    """Runs `mlops ...` in-process (click's CliRunner): `ok` parses stdout as JSON, `fails`
    returns the stderr of a command that must fail, `error` its one ERROR line."""

    def __init__(self) -> None:
        from click.testing import CliRunner

        self.runner = CliRunner()

    def run(self, *args: str):
        """The CliRunner result of `mlops ARGS`."""
        from mlops.cli import main

        return self.runner.invoke(main, list(args))

    def ok(self, *args: str) -> Any:
        """The JSON `mlops ARGS` prints (None for no output); the command must succeed."""
        result = self.run(*args)
        assert result.exit_code == 0, result.output + result.stderr
        if not result.stdout.strip():
            return None
        try:
            return json.loads(result.stdout)
        except ValueError:
            pytest.fail(f"stdout is not JSON: {result.stdout!r}")

    def fails(self, *args: str, code: int = 1) -> str:
        """The stderr of `mlops ARGS`, which must exit with `code` and no traceback."""
        result = self.run(*args)
        assert result.exit_code == code, result.output + result.stderr
        assert "Traceback" not in result.output
        return result.stderr

    def error(self, *args: str, code: int = 1) -> str:
        """The single `ERROR:` line of `mlops ARGS`, which must fail with `code`."""
        return one_line(self.fails(*args, code=code))


def one_line(stderr: str) -> str:
    """The single `ERROR:` line of a failed command's stderr (the test fails on any other)."""
    errors = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(errors) == 1 and errors[0].startswith("ERROR: "), stderr
    return errors[0]


@pytest.fixture
def cli() -> Cli:
    """`mlops` in-process (import this fixture into a conftest.py to use it)."""
    return Cli()


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    """A model's files: one small weights file."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.txt").write_text("1.5 2.5\n")
    return folder
