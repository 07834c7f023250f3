"""scripts/compile_bytecode.py, what `make setup` compiles site-packages with: the same .pyc
files compileall writes, the excluded paths left out, and a file that does not compile failing
the run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "compile_bytecode.py"


def _folder(root: Path) -> Path:
    site = root / "site-packages"
    for index in range(7):
        module = site / "lib" / f"module_{index}.py"
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(f"VALUE = {index}\n")
    (site / "lib" / "tests" / "test_x.py").parent.mkdir()
    (site / "lib" / "tests" / "test_x.py").write_text("X = 1\n")
    (site / "lib" / "tests" / "__init__.py").write_text("")
    return site


def _compiled(site: Path) -> list[str]:
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.py")
        if Path(importlib.util.cache_from_source(str(path))).is_file()
    )


def test_every_file_is_compiled_as_compileall_would_but_the_excluded(tmp_path: Path) -> None:
    site = _folder(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--exclude",
            r"/tests/(?!__init__\.py$)[^/]+\.py$",
            str(site),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    expected = [f"lib/module_{index}.py" for index in range(7)] + ["lib/tests/__init__.py"]
    assert _compiled(site) == sorted(expected)
    module = site / "lib" / "module_3.py"
    pyc = Path(importlib.util.cache_from_source(str(module))).read_bytes()
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[8:12], "little") == int(module.stat().st_mtime)


def test_a_file_that_does_not_compile_fails_the_run_and_the_rest_is_compiled(
    tmp_path: Path,
) -> None:
    site = _folder(tmp_path)
    (site / "lib" / "broken.py").write_text("def (:\n")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(site)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "broken.py" in result.stdout + result.stderr
    assert "lib/module_6.py" in _compiled(site)
    assert "lib/tests/test_x.py" in _compiled(site)


def test_bytecode_that_cannot_be_written_is_no_failure(tmp_path: Path) -> None:
    # A folder whose __pycache__ cannot be written (here a file where the folder would be; a
    # read-only or root-owned one for a user): Python compiles those modules in memory as it
    # imports them, so setup and `make test` must go on.
    site = _folder(tmp_path)
    (site / "other").mkdir()
    (site / "other" / "kept.py").write_text("K = 1\n")
    (site / "other" / "__pycache__").write_text("")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(site)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lib/module_6.py" in _compiled(site)
    assert "other/kept.py" not in _compiled(site)


def test_only_compiles_the_files_directly_in_the_listed_folders(tmp_path: Path) -> None:
    site = _folder(tmp_path)
    (site / "other").mkdir()
    (site / "other" / "unlisted.py").write_text("Y = 2\n")
    listing = tmp_path / "folders.txt"
    listing.write_text(
        "# a comment\nlib/tests\n\nlib/module_4.py\nmissing/folder  # not installed: skipped\n"
    )
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--only", str(listing), str(site)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert _compiled(site) == ["lib/module_4.py", "lib/tests/__init__.py", "lib/tests/test_x.py"]


def test_record_lists_the_folders_where_bytecode_was_written(tmp_path: Path) -> None:
    site = _folder(tmp_path)
    (site / "top.py").write_text("Z = 3\n")
    for module in ("top", "lib.module_2", "lib.tests.test_x"):
        subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=site,
            check=True,
            env={"PYTHONPATH": str(site)},
        )
    listing = tmp_path / "folders.txt"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--record", str(listing), str(site)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # lib: 1 of its 7 files imported, so that file; lib/tests: both, so the folder.
    assert listing.read_text().splitlines()[1:] == [".", "lib/module_2.py", "lib/tests"]
    assert _compiled(site) == [
        "lib/module_2.py",
        "lib/tests/__init__.py",
        "lib/tests/test_x.py",
        "top.py",
    ]


def test_the_project_list_names_what_train_and_deploy_import_and_it_is_installed() -> None:
    listed = set(
        line.split("#", 1)[0].strip()
        for line in (REPO / "scripts" / "bytecode_folders.txt").read_text().splitlines()
    )
    assert {"mlflow", "sklearn/linear_model", "azure/ai/ml", "pandas/core"} <= listed
    assert not {name for name in listed if name.split("/")[0] in {"pip", "setuptools", "optuna"}}
    site = Path(importlib.util.find_spec("mlflow").origin).parents[1]
    present = [name for name in listed - {""} if (site / name).exists()]
    assert len(present) >= 0.95 * len(listed - {""})
