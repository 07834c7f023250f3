"""`mlops bootstrap` moves a package folder whole: the folder it leaves is removed, also when
Python's bytecode cache is all that is left in it (`make setup` compiles src/)."""

from __future__ import annotations

from pathlib import Path

from mlops.bootstrap.apply import apply_changes
from mlops.bootstrap.plan import FileChange


def test_a_moved_package_leaves_no_folder_even_with_a_bytecode_cache(tmp_path: Path) -> None:
    old = tmp_path / "src" / "old_name"
    (old / "__pycache__").mkdir(parents=True)
    (old / "__pycache__" / "data.cpython-311.pyc").write_bytes(b"stale")
    (old / "data.py").write_text("VALUE = 1\n")
    kept = tmp_path / "src" / "other"
    (kept / "__pycache__").mkdir(parents=True)
    (kept / "keep.py").write_text("")
    change = FileChange(Path("src/old_name/data.py"), Path("src/new_name/data.py"), "VALUE = 1\n")
    apply_changes(tmp_path, [change])
    assert (tmp_path / "src" / "new_name" / "data.py").read_text() == "VALUE = 1\n"
    assert not old.exists()
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == ["new_name", "other"]
    assert (kept / "keep.py").is_file()
