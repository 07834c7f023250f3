"""The Makefile and the docs agree: every `make` command a page shows exists, and `make help`
lists every target with its one line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAKEFILE = (REPO / "Makefile").read_text()
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def _phony() -> set[str]:
    [line] = [line for line in MAKEFILE.splitlines() if line.startswith(".PHONY:")]
    return set(line.removeprefix(".PHONY:").split())


def test_every_make_command_a_page_shows_is_a_target() -> None:
    shown = {
        (page.relative_to(REPO).as_posix(), target)
        for page in PAGES
        for target in re.findall(r"(?:^|`|\$ )make ([a-z][a-z-]*)", page.read_text(), re.M)
    }
    assert {target for _, target in shown} >= {"train", "test", "test-fast", "deploy"}
    assert [(page, target) for page, target in shown if target not in _phony()] == []


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target_with_one_line() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    listed = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert set(listed) == _phony()
    assert all(description.strip() for description in listed.values())


def test_the_fast_tier_runs_every_test_not_marked_slow_and_the_suite_runs_in_parallel() -> None:
    [fast] = re.findall(r"^test-fast:.*\n\t(.+)$", MAKEFILE, re.M)
    assert '-m "not slow"' in fast
    assert "$(PARALLEL)" in fast
    assert re.search(r"^test:.*\n\t.*\$\(PARALLEL\)", MAKEFILE, re.M)
    assert re.search(r"^PARALLEL := .*-n auto", MAKEFILE, re.M)


def test_auto_starts_one_worker_per_core_and_one_more() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    one_test = "tests/test_makefile.py::test_every_make_command_a_page_shows_is_a_target"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "auto", "-p", "no:cacheprovider", one_test],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    cores = len(os.sched_getaffinity(0))
    assert f"created: {cores + 1}/{cores + 1} workers" in result.stdout, result.stdout[-2000:]


def test_setup_leaves_only_never_imported_trees_without_bytecode() -> None:
    [line] = [line for line in MAKEFILE.splitlines() if line.startswith("NO_BYTECODE :=")]
    excluded = re.compile(line.removeprefix("NO_BYTECODE :=").strip().replace("$$", "$"))
    site = "/clone/.venv/lib/python3.11/site-packages/"
    skipped = [
        "pandas/tests/frame/test_api.py",
        "scipy/linalg/tests/test_basic.py",
        "sklearn/datasets/tests/data/openml/id_1/conftest.py",
        "databricks/sdk/core.py",
    ]
    # sklearn's walk of its packages imports every tests/__init__.py; the rest runs everywhere.
    compiled = [
        "sklearn/ensemble/tests/__init__.py",
        "sklearn/datasets/tests/data/openml/id_1/__init__.py",
        "numpy/testing/_private/utils.py",
        "pandas/_testing/__init__.py",
        "databricks/__init__.py",
        "mlflow/store/db/utils.py",
        "tests_helper/util.py",
    ]
    assert [path for path in skipped if not excluded.search(site + path)] == []
    assert [path for path in compiled if excluded.search(site + path)] == []


def test_setup_installs_from_uvs_cache_first_then_online_with_the_same_arguments() -> None:
    recipe = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", MAKEFILE, re.M)
    assert recipe is not None
    lines = recipe[1].replace("\\\n", " ")
    offline = re.search(r"\$\(UV\) pip install (.*) --offline (.*?) 2>/dev/null\s+\|\|", lines)
    online = re.search(r"\|\|\s+\$\(UV\) pip install (.*)\n", lines)
    assert offline and online, lines
    assert f"{offline[1]} {offline[2]}" == online[1].strip()
    assert online[1].strip() == "--quiet --python $(BIN)/python -e '.[dev]'"


def _fake_tools(folder: Path) -> Path:
    """A BIN folder whose `mlops` and `pytest` print what PYTHONDONTWRITEBYTECODE they see."""
    folder.mkdir()
    for tool in ("mlops", "pytest"):
        script = folder / tool
        script.write_text(f'#!/bin/sh\necho "{tool}: [$PYTHONDONTWRITEBYTECODE]"\n')
        script.chmod(0o755)
    return folder


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_train_writes_its_bytecode_as_it_imports_and_the_test_suite_keeps_the_variable(
    tmp_path: Path,
) -> None:
    stamps = [tmp_path / "installed", tmp_path / "compiled"]
    for stamp in stamps:
        stamp.touch()
    overrides = [f"BIN={_fake_tools(tmp_path / 'bin')}", f"STAMP={stamps[0]}"]
    outputs = {}
    for target in ("train", "test-fast"):
        result = subprocess.run(
            ["make", "--no-print-directory", "-s", target, *overrides, f"COMPILED={stamps[1]}"],
            cwd=REPO,
            capture_output=True,
            text=True,
            env={"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert result.returncode == 0, result.stderr
        outputs[target] = result.stdout.strip()
    assert outputs == {"train": "mlops: []", "test-fast": "pytest: [1]"}


def test_setup_compiles_the_listed_folders_and_the_test_suite_everything_first() -> None:
    recipe = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", MAKEFILE, re.M)
    compiled = re.search(r"^\$\(COMPILED\): \$\(STAMP\)\n((?:\t.*\n)+)", MAKEFILE, re.M)
    assert recipe and compiled
    [setup] = [line for line in recipe[1].splitlines() if "compile_bytecode.py" in line]
    [everything] = [line for line in compiled[1].splitlines() if "compile_bytecode.py" in line]
    assert "--only $(IMPORTED) $(SITE)" in setup
    assert everything.endswith("--exclude '$(NO_BYTECODE)' $(SITE) src")
    assert re.search(r"^test: \$\(COMPILED\) ", MAKEFILE, re.M)
    assert re.search(r"^test-fast: \$\(COMPILED\) ", MAKEFILE, re.M)
    assert re.search(r"^setup: \$\(COMPILED\) ", MAKEFILE, re.M)
    assert re.search(r"^\$\(LAZY\): export PYTHONDONTWRITEBYTECODE :=$", MAKEFILE, re.M)
