"""Reading an environment's specification, its content key, and the modes' choice (no build)."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlops.environments import cache
from mlops.environments.choose import prepare
from mlops.environments.interpreters import interpreter_for
from mlops.environments.key import build_key
from mlops.environments.modes import current_mode, mode_set_to
from mlops.environments.spec import Spec, Wanted, cache_token, from_entity, of_node, of_wanted
from mlops.errors import UsageError
from mlops.plan.model import Node


def _environment(dependencies: list, image: str | None = None) -> SimpleNamespace:
    conda = {"dependencies": dependencies} if dependencies is not None else None
    return SimpleNamespace(name="env", version="1", image=image, conda_file=conda)


def test_spec_reads_pip_conda_twins_python_and_names_what_is_left_out() -> None:
    spec = from_entity(
        _environment(
            [
                "python=3.10",
                "pip",
                "conda-forge::pyyaml",
                "numpy=1.26",
                "mkl",
                "cudatoolkit=11.8",
                {"pip": ["pyjokes==0.8.3", "azureml-mlflow==1.62.0", "--extra-index-url x"]},
            ],
            image="mcr.microsoft.com/azureml/base:latest",
        )
    )
    assert spec.label == "azureml:env:1"
    assert spec.python == "3.10"
    assert spec.requirements == ("PyYAML", "numpy==1.26.*", "pyjokes==0.8.3")
    assert spec.options == ("--extra-index-url x",)
    assert spec.buildable
    notes = "\n".join(spec.notes)
    assert "conda-only packages not installed locally: mkl, cudatoolkit=11.8" in notes
    assert "Azure-only packages left out locally: azureml-mlflow==1.62.0" in notes
    assert "image mcr.microsoft.com/azureml/base:latest is not used locally" in notes


def test_an_image_alone_is_accepted_and_noted_not_built() -> None:
    spec = from_entity(_environment(None, image="mcr.microsoft.com/azureml/base:latest"))
    assert not spec.buildable
    assert spec.notes == (
        "azureml:env:1: image mcr.microsoft.com/azureml/base:latest, nothing to build locally",
    )
    prepared = prepare(spec, "isolated", "node")
    assert (prepared.ran_in, prepared.reason) == ("engine", "nothing to build locally")


def _node(environment: str | None, reference: str | None, conda: dict | None) -> Node:
    return Node("n", "command", "echo", None, environment, reference, conda, None, True, {}, {})


def test_a_planned_nodes_environment_is_read_from_the_plans_own_fields(mlops_home) -> None:
    conda = {"dependencies": ["python=3.11", {"pip": ["pyjokes==0.8.3"]}]}
    inline = of_node(_node("{...}", None, conda))
    assert inline == Wanted(conda_file=conda)
    spec = of_wanted(inline)
    assert (spec.label, spec.python, spec.requirements) == ("inline", "3.11", ("pyjokes==0.8.3",))
    image_only = of_wanted(of_node(_node("{...}", None, None)))
    assert (image_only.buildable, image_only.notes) == (
        False,
        ("inline: no conda file, nothing to build locally",),
    )
    registered = of_wanted(of_node(_node("azureml:missing@latest", "azureml:missing@latest", None)))
    assert registered.label == "azureml:missing@latest"
    assert not registered.buildable
    assert "not in the local store" in registered.notes[0]
    assert of_node(_node(None, None, None)) is None
    assert of_wanted(None) is None
    assert cache_token(None) == "None"
    assert cache_token(Wanted(reference="azureml:e:1")) == "azureml:e:1"
    assert cache_token(inline) != cache_token(Wanted(conda_file={"dependencies": []}))


def test_the_key_ignores_order_and_names_but_not_versions_or_python() -> None:
    engine = interpreter_for(None)
    one = Spec("a", requirements=("six==1.16.0", "pyjokes"))
    same = Spec("b", requirements=("pyjokes", "six==1.16.0"))
    other = Spec("a", requirements=("six==1.17.0", "pyjokes"))
    assert build_key(one, engine, ()) == build_key(same, engine, ())
    assert build_key(one, engine, ()) != build_key(other, engine, ())
    assert build_key(one, engine, ()) != build_key(one, engine, ("mlflow",))
    moved = type(engine)(engine.path, "3.99")
    assert build_key(one, engine, ()) != build_key(one, moved, ())


def test_mode_comes_from_the_variable_and_a_bad_one_is_one_clear_line(monkeypatch) -> None:
    monkeypatch.delenv("MLOPS_ENV_MODE", raising=False)
    assert current_mode() == "auto"
    with mode_set_to("isolated"):
        assert current_mode() == "isolated"
    assert current_mode() == "auto"
    monkeypatch.setenv("MLOPS_ENV_MODE", "docker")
    with pytest.raises(UsageError, match="MLOPS_ENV_MODE='docker' is not an environment mode"):
        current_mode()


def test_auto_runs_in_the_engine_when_it_satisfies_every_requirement(mlops_home: Path) -> None:
    click_version = metadata.version("click")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    spec = Spec("ok", python=version, requirements=(f"click=={click_version}", "packaging"))
    prepared = prepare(spec, "auto", "node")
    assert (prepared.ran_in, prepared.key) == ("engine", None)
    assert prepared.reason == "the engine's interpreter satisfies it"
    assert cache.build_keys() == []


def test_shared_never_builds_even_when_a_package_is_missing(mlops_home: Path) -> None:
    prepared = prepare(Spec("x", requirements=("pyjokes==0.8.3",)), "shared", "node")
    assert (prepared.ran_in, prepared.reason) == ("engine", "shared mode never builds")
    assert cache.build_keys() == []


def test_a_deployment_gets_the_server_at_the_engines_versions_unless_listed() -> None:
    from mlops.environments.runtime import runtime_requirements

    server = metadata.version("azureml-inference-server-http")
    added = runtime_requirements("deployment", ("mlflow==3.0.0",))
    assert f"azureml-inference-server-http=={server}" in added
    assert not any(item.startswith("mlflow") for item in added)
    assert runtime_requirements("node", ("six",)) == ()


def test_python_is_honoured_when_present_else_the_nearest_with_a_note(monkeypatch) -> None:
    from mlops.environments import interpreters

    engine = f"{sys.version_info.major}.{sys.version_info.minor}"
    other = f"{sys.version_info.major}.{sys.version_info.minor - 1}"
    farther = f"{sys.version_info.major}.{sys.version_info.minor - 2}"
    found = {other: f"/machine/python{other}"}
    monkeypatch.setattr(interpreters, "_find", found.get)
    assert interpreters.interpreter_for(other) == interpreters.Interpreter(found[other], other)
    assert interpreters.interpreter_for(engine).note is None
    nearest = interpreters.interpreter_for(farther)
    assert (nearest.path, nearest.version) == (found[other], other)
    assert nearest.note == f"python={farther} is not on this machine: running on Python {other}"
