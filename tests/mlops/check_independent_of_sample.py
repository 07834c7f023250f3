"""Proof that the tool's tests never depend on the sample project.

Copies the repository (its tracked and new files) into a temporary folder, replaces the sample
with something else entirely -- the package src/diabetes_regression becomes one that cannot be
imported; components/, pipelines/, endpoints/, environments/ and data/ become another project
(two feature columns, another model, another metric, other asset names; only the file paths the
workflows name are kept) -- then runs the tool's tests (tests/mlops and tests/workflows) in the
copy, on the copy's code, in parallel as `make test` runs them (the Makefile's PARALLEL flags).

    .venv/bin/python tests/mlops/check_independent_of_sample.py [extra pytest arguments]

Exits with pytest's exit code. Takes as long as those tests (minutes on two cores).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = "diabetes_regression"

FIXTURE = REPO / "tests" / "mlops" / "fixture_project"
REPLACED = ["components", "pipelines", "endpoints", "environments", "data", f"src/{SAMPLE}"]
# The paths the workflows give `az ml` stay (a user edits the files, not the workflows), with
# another project's content: the files the tool's tests use, renamed "other", plus these.
KEPT_PATHS = {
    "data/diabetes.yml": "data/training.yml",
    "data/diabetes_scoring.yml": "data/training.yml",
    "environments/score.yml": "environments/train.yml",
}


def copy_repository(target: Path) -> None:
    """The files git tracks or would track (new ones included), as they are in the worktree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def replace_sample(root: Path) -> None:
    """Remove the sample's files and write another project in their place."""
    for folder in REPLACED:
        shutil.rmtree(root / folder, ignore_errors=True)
    for swagger in (root / "src").glob("swagger*.json"):
        swagger.unlink()
    package = root / "src" / SAMPLE / "__init__.py"
    package.parent.mkdir(parents=True)
    package.write_text("raise ImportError('the sample project was replaced')\n")
    for source in FIXTURE.rglob("*"):
        if not source.is_file() or "__pycache__" in source.parts or source.name == "README.md":
            continue
        target = root / source.relative_to(FIXTURE).as_posix().replace("tiny", "other")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text().replace("tiny", "other"))
    for kept, model in KEPT_PATHS.items():
        (root / kept).write_text((root / model).read_text())


def parallel_flags() -> list[str]:
    """The pytest-xdist flags `make test` uses (PARALLEL in the Makefile)."""
    [flags] = re.findall(r"^PARALLEL := (.+)$", (REPO / "Makefile").read_text(), re.M)
    return shlex.split(flags)


def main(arguments: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="no-sample-") as folder:
        root = Path(folder)
        copy_repository(root)
        replace_sample(root)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        # The copy's own src comes first, so no test can reach the original sample package.
        environment = {**os.environ, "PYTHONPATH": str(root / "src")}
        command = [sys.executable, "-m", "pytest", "tests/mlops", "tests/workflows", "-q"]
        command += ["-p", "no:cacheprovider", *parallel_flags(), *arguments]
        return subprocess.run(command, cwd=root, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
