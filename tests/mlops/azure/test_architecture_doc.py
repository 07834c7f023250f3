"""docs/architecture.md draws the same layers that import-linter enforces (pyproject.toml)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _contract_layers() -> list[set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    settings = project["tool"]["importlinter"]
    [contract] = [c for c in settings["contracts"] if c["type"] == "layers"]
    [container] = contract["containers"]
    return [
        {f"{container}.{name.strip()}" for name in layer.split("|")} for layer in contract["layers"]
    ]


def _drawn_layers() -> list[set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    [picture] = re.findall(r"## Layers\n.*?```\n(.*?)```", text, re.S)
    layers = []
    for line in picture.splitlines():
        names = re.match(r"^((?:mlops\.\w+)(?: \| mlops\.\w+)*)", line)
        assert names, f"docs/architecture.md layer line without a package: {line!r}"
        layers.append({name.strip() for name in names.group(1).split("|")})
    return layers


def test_the_documented_layers_are_the_enforced_ones() -> None:
    assert _drawn_layers() == _contract_layers()


def test_every_package_of_mlops_is_in_a_layer() -> None:
    placed = set().union(*_contract_layers())
    source = ROOT / "src" / "mlops"
    modules = {
        f"mlops.{path.stem if path.suffix else path.name}"
        for path in source.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }
    assert modules == placed
