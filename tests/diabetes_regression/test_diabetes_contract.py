"""Component contract: YAML inputs/outputs, the command and the entry module's parser agree."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import pytest
import yaml

STEPS = ["prep_data", "train_model", "evaluate_model", "register_model"]
KEY_ORDER = [
    "$schema",
    "type",
    "name",
    "display_name",
    "version",
    "description",
    "is_deterministic",
    "inputs",
    "outputs",
    "code",
    "environment",
    "command",
]


@pytest.fixture(scope="module")
def components(repo_root: Path) -> dict[str, object]:
    """Each step's component, loaded by azure-ai-ml."""
    from azure.ai.ml import load_component

    return {step: load_component(repo_root / "components" / f"{step}.yml") for step in STEPS}


def _parser_options(step: str) -> dict[str, argparse.Action]:
    module = importlib.import_module(f"diabetes_regression.{step}")
    parser = module.build_parser()
    return {
        action.option_strings[0].removeprefix("--"): action
        for action in parser._actions
        if action.option_strings and action.option_strings[0] != "-h"
    }


@pytest.mark.parametrize("step", STEPS)
def test_every_input_and_output_is_one_flag_of_the_command_and_the_parser(
    components: dict[str, object], step: str
) -> None:
    component = components[step]
    ports = {f"inputs.{name}": name for name in component.inputs}
    ports.update({f"outputs.{name}": name for name in component.outputs})
    command = component.command
    assert command.startswith(f"python -m diabetes_regression.{step} ")
    for reference, name in ports.items():
        assert command.count("${{" + reference + "}}") == 1, reference
        assert f"--{name} ${{{{{reference}}}}}" in command, reference
    flags = re.findall(r"--(\w+)", command)
    assert sorted(flags) == sorted(ports.values())
    assert sorted(_parser_options(step)) == sorted(ports.values())


@pytest.mark.parametrize("step", STEPS)
def test_parser_defaults_and_choices_match_the_component(
    components: dict[str, object], step: str
) -> None:
    component = components[step]
    options = _parser_options(step)
    for name, port in component.inputs.items():
        action = options[name]
        if port.default is None:
            assert action.required, f"{step}: --{name} has no default in the YAML"
        else:
            assert action.default == port.default, f"{step}: --{name} default"
        if getattr(port, "enum", None):
            assert sorted(action.choices) == sorted(port.enum), f"{step}: --{name} choices"
    for name in component.outputs:
        assert options[name].required, f"{step}: output --{name} must be required"


@pytest.mark.parametrize("step", STEPS)
def test_component_yaml_layout(repo_root: Path, step: str) -> None:
    text = (repo_root / "components" / f"{step}.yml").read_text()
    document = yaml.safe_load(text)
    assert list(document) == [key for key in KEY_ORDER if key in document]
    assert document["name"] == f"diabetes_regression_{step}"
    assert document["code"] == "../src"
    assert document.get("is_deterministic", True) is (step in ("prep_data", "train_model"))
    block = text.split("command: >-\n", 1)[1].splitlines()
    assert block[0].strip() == f"python -m diabetes_regression.{step}"
    for line in block[1:]:
        assert re.fullmatch(r"  --(\w+) \$\{\{(inputs|outputs)\.\1\}\}", line), line
    numbers = [
        port for port in document["inputs"].values() if port["type"] in ("number", "integer")
    ]
    assert all("min" in port for port in numbers), f"{step}: numeric inputs need bounds"
