"""Endpoint and deployment YAMLs are loaded as plain data through the plan cache: an unchanged
file loads without azure-ai-ml, a changed one is checked again and fails as it would uncached."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tool_fixtures import PROJECT

from mlops.azure.loaders import load_entity
from mlops.errors import ProblemsFound
from mlops.plan.endpoints import (
    CodeConfiguration,
    InlineEnvironment,
    InlineModel,
    deployment_from_json,
    deployment_of,
    deployment_to_json,
)
from mlops.validation import endpoints


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the tool's fixture project's endpoints and code."""
    root = tmp_path / "project"
    for folder in ("endpoints", "src"):
        shutil.copytree(PROJECT / folder, root / folder)
    return root


def _no_azure(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("the YAML went through azure-ai-ml instead of the cache")

    monkeypatch.setattr(endpoints, "load_entity", refuse)


def _problems(call) -> list[str]:
    with pytest.raises(ProblemsFound) as raised:
        call()
    return [str(problem) for problem in raised.value.problems]


def test_an_inline_deployment_is_plain_data_that_survives_json(project: Path) -> None:
    file = project / "endpoints" / "online" / "blue-deployment.yml"
    conda = project / "endpoints" / "online" / "conda.yml"
    conda.write_text("dependencies:\n  - python=3.11\n")
    params = [
        {"model": {"path": "../../src", "name": "inline"}},
        {"environment": {"image": "img:1", "conda_file": "conda.yml"}},
    ]

    deployment = endpoints.load_deployment(file, "online_deployment", params)

    assert deployment_from_json(json.loads(json.dumps(deployment_to_json(deployment)))) == (
        deployment
    )
    assert deployment.model == InlineModel(
        str((project / "src").resolve()), "inline", "custom_model"
    )
    assert isinstance(deployment.environment, InlineEnvironment)
    assert deployment.environment.conda_file == {"dependencies": ["python=3.11"]}
    assert deployment.environment.image == "img:1"
    assert deployment.code_configuration == CodeConfiguration("../../src", "tiny/score.py")
    assert deployment.request_settings == {
        "request_timeout_ms": 5000,
        "max_concurrent_requests_per_instance": 1,
        "max_queue_wait_ms": 500,
    }
    assert (deployment.name, deployment.endpoint_name, deployment.instance_count) == (
        "blue",
        "tiny-endpoint",
        1,
    )
    # The conda file is one the definition was made from: an edit is seen.
    conda.write_text("dependencies:\n  - python=3.12\n")
    again = endpoints.load_deployment(file, "online_deployment", params)
    assert again.environment.conda_file == {"dependencies": ["python=3.12"]}


def test_unchanged_yamls_are_read_from_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    online = project / "endpoints" / "online"
    batch = project / "endpoints" / "batch"
    first = (
        endpoints.load_endpoint(online / "endpoint.yml", "online_endpoint", []),
        endpoints.load_deployment(online / "blue-deployment.yml", "online_deployment", []),
        endpoints.load_endpoint(batch / "endpoint.yml", "batch_endpoint", []),
        endpoints.load_deployment(batch / "deployment.yml", "batch_deployment", []),
    )
    _no_azure(monkeypatch)

    cached = (
        endpoints.load_endpoint(online / "endpoint.yml", "online_endpoint", []),
        endpoints.load_deployment(online / "blue-deployment.yml", "online_deployment", []),
        endpoints.load_endpoint(batch / "endpoint.yml", "batch_endpoint", []),
        endpoints.load_deployment(batch / "deployment.yml", "batch_deployment", []),
    )

    assert cached == first
    assert cached[0].auth_mode == "key"
    assert cached[3].settings == {
        "mini_batch_size": 2,
        "max_concurrency_per_instance": 2,
        "output_action": "append_row",
        "output_file_name": "predictions.csv",
        "error_threshold": 10,
        "logging_level": "info",
        "retry_settings": {"max_retries": 2, "timeout": 60},
    }
    assert cached[3].instance_count == 1
    assert cached[3].compute == "cpu-cluster"


def test_an_edit_or_override_is_checked_again_and_a_broken_edit_fails_as_uncached(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = project / "endpoints" / "online" / "blue-deployment.yml"
    endpoints.load_deployment(file, "online_deployment", [])

    overridden = endpoints.load_deployment(file, "online_deployment", [{"instance_count": 3}])
    file.write_text(file.read_text().replace("instance_count: 1", "instance_count: 2"))
    edited = endpoints.load_deployment(file, "online_deployment", [])
    file.write_text(file.read_text().replace("instance_count: 2", "instance_count: many"))
    broken = _problems(lambda: endpoints.load_deployment(file, "online_deployment", []))

    assert (overridden.instance_count, edited.instance_count) == (3, 2)
    uncached = _problems(lambda: load_entity(file, "online_deployment", []))
    assert broken == uncached
    assert "instance_count" in broken[0] and str(file) in broken[0]
    # Not cached either: the next load fails the same way through azure-ai-ml.
    assert _problems(lambda: endpoints.load_deployment(file, "online_deployment", [])) == broken


def test_a_removed_scoring_script_fails_a_cached_deployment(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = project / "endpoints" / "online" / "blue-deployment.yml"
    endpoints.load_deployment(file, "online_deployment", [])
    (project / "src" / "tiny" / "score.py").unlink()
    _no_azure(monkeypatch)

    problems = _problems(lambda: endpoints.load_deployment(file, "online_deployment", []))

    assert len(problems) == 1
    assert "code_configuration.scoring_script" in problems[0]
    assert "scoring script tiny/score.py does not exist" in problems[0]


def test_a_cached_deployment_reads_the_same_from_another_working_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    relative = Path("endpoints/online/blue-deployment.yml")
    first = endpoints.load_deployment(relative, "online_deployment", [])
    monkeypatch.chdir(project / "endpoints")
    _no_azure(monkeypatch)

    again = endpoints.load_deployment(Path("online/blue-deployment.yml"), "online_deployment", [])

    assert again == first
    assert first.base_path == str(project.resolve() / "endpoints" / "online")


def test_partial_retry_settings_keep_azures_defaults(project: Path) -> None:
    from mlops.batch.deployments import _settings

    file = project / "endpoints" / "batch" / "deployment.yml"
    file.write_text(file.read_text().replace("    max_retries: 2\n", ""))

    settings = _settings(endpoints.load_deployment(file, "batch_deployment", []))

    assert settings["retry_settings"] == {"max_retries": 3, "timeout": 60}
    assert settings["environment_variables"] == {}


@pytest.mark.parametrize(
    ("kind", "file"),
    [
        ("online_deployment", "online/blue-deployment.yml"),
        ("batch_deployment", "batch/deployment.yml"),
    ],
)
def test_a_model_reference_override_gives_what_azure_ai_ml_gives(
    project: Path, monkeypatch: pytest.MonkeyPatch, kind: str, file: str
) -> None:
    path = project / "endpoints" / file
    references = ["azureml:tiny_model:3", "azureml:tiny_model@latest", "azureml:other.name-2:7"]
    expected = [
        deployment_of(load_entity(path, kind, [{"model": ref}, {"name": "n"}]), kind)
        for ref in references
    ]
    endpoints.load_deployment(path, kind, [{"name": "n"}])
    _no_azure(monkeypatch)  # a new version each rollout: the file is not loaded again

    mine = [
        endpoints.load_deployment(path, kind, [{"model": ref}, {"name": "n"}]) for ref in references
    ]

    assert mine == expected
    assert [deployment.model for deployment in mine] == [
        "tiny_model:3",
        "tiny_model@latest",
        "other.name-2:7",
    ]


def test_other_model_overrides_and_broken_files_go_through_azure_ai_ml(project: Path) -> None:
    path = project / "endpoints" / "online" / "blue-deployment.yml"
    for model in ("tiny_model:3", "azureml://registries/r/models/m/versions/1"):
        expected = _problems_or_model(
            lambda model=model: load_entity(path, "online_deployment", [{"model": model}])
        )
        mine = _problems_or_model(
            lambda model=model: endpoints.load_deployment(
                path, "online_deployment", [{"model": model}]
            )
        )
        assert mine == expected, model
    path.write_text(path.read_text().replace("instance_count: 1", "instance_count: many"))
    broken = _problems(
        lambda: endpoints.load_deployment(path, "online_deployment", [{"model": "azureml:m:1"}])
    )
    assert broken == _problems(
        lambda: load_entity(path, "online_deployment", [{"model": "azureml:m:1"}])
    )


def _problems_or_model(call) -> object:
    try:
        return call().model
    except ProblemsFound as found:
        return [str(problem) for problem in found.problems]


_LOAD = """
import json, sys
from pathlib import Path
from mlops.validation.endpoints import load_deployment
deployment = load_deployment(Path(sys.argv[1]), "online_deployment", [])
print(json.dumps({"name": deployment.name, "azure": "azure.ai.ml" in sys.modules}))
"""


@pytest.mark.slow
def test_a_second_load_of_an_unchanged_deployment_does_not_import_azure_ai_ml(
    project: Path,
) -> None:
    file = project / "endpoints" / "online" / "blue-deployment.yml"
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", _LOAD, str(file)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout.splitlines()[-1]))

    assert runs == [{"name": "blue", "azure": True}, {"name": "blue", "azure": False}]


def test_a_conda_file_named_without_a_yaml_suffix_is_seen_to_change(project: Path) -> None:
    # azure-ai-ml reads a conda file whatever its name (`conda.txt`, `environment.conda`).
    folder = project / "endpoints" / "online"
    file = folder / "blue-deployment.yml"
    conda = folder / "conda.txt"
    conda.write_text("dependencies:\n  - python=3.11\n")
    file.write_text(
        file.read_text().replace(
            "environment: azureml:tiny_score@latest",
            "environment:\n  image: img:1\n  conda_file: conda.txt",
        )
    )
    (folder / "other.conda").write_text("dependencies:\n  - python=3.11\n")
    override = [{"environment.conda_file": "other.conda"}]
    endpoints.load_deployment(file, "online_deployment", [])
    endpoints.load_deployment(file, "online_deployment", override)

    conda.write_text("dependencies:\n  - python=3.12\n")
    (folder / "other.conda").write_text("dependencies:\n  - python=3.10\n")

    again = endpoints.load_deployment(file, "online_deployment", [])
    overridden = endpoints.load_deployment(file, "online_deployment", override)
    assert again.environment.conda_file == {"dependencies": ["python=3.12"]}
    assert overridden.environment.conda_file == {"dependencies": ["python=3.10"]}


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: '{"files": {',
        lambda entry: json.dumps({**entry, "files": []}),
        lambda entry: json.dumps({**entry, "registered": []}),
        lambda entry: json.dumps({**entry, "value": []}),
        lambda entry: json.dumps({**entry, "value": {**entry["value"], "code_configuration": []}}),
        lambda entry: json.dumps({**entry, "value": {**entry["value"], "request_settings": "x"}}),
        lambda entry: json.dumps({**entry, "value": {**entry["value"], "model": {"path": 3}}}),
        lambda entry: json.dumps({**entry, "value": {**entry["value"], "tags": None}}),
        lambda entry: json.dumps({**entry, "value": {**entry["value"], "base_path": None}}),
    ],
)
def test_a_damaged_entry_is_loaded_again_not_a_crash(project: Path, damage) -> None:
    from mlops.home import mlops_home

    file = project / "endpoints" / "online" / "blue-deployment.yml"
    first = endpoints.load_deployment(file, "online_deployment", [{"instance_count": 2}])
    (entry_path,) = (mlops_home() / "plans").glob("*.json")
    entry_path.write_text(damage(json.loads(entry_path.read_text())))

    again = endpoints.load_deployment(file, "online_deployment", [{"instance_count": 2}])

    assert again == first


def test_a_linked_yaml_follows_the_conda_file_beside_the_link(project: Path) -> None:
    # azure-ai-ml reads a linked YAML's relative paths from the link's folder, not the target's.
    shared = project / "shared"
    shared.mkdir()
    source = project / "endpoints" / "online" / "blue-deployment.yml"
    (shared / "blue.yml").write_text(
        source.read_text().replace(
            "environment: azureml:tiny_score@latest",
            "environment:\n  image: img:1\n  conda_file: conda.yml",
        )
    )
    file = project / "endpoints" / "online" / "linked.yml"
    file.symlink_to(shared / "blue.yml")
    conda = project / "endpoints" / "online" / "conda.yml"
    conda.write_text("dependencies:\n  - python=3.11\n")
    endpoints.load_deployment(file, "online_deployment", [])

    conda.write_text("dependencies:\n  - python=3.12\n")

    again = endpoints.load_deployment(file, "online_deployment", [])
    assert again.environment.conda_file == {"dependencies": ["python=3.12"]}


@pytest.mark.parametrize(
    "params",
    [
        [{"model": {"path": "../../gone"}}],
        [{"environment": {"build": {"path": "../../gone"}}}],
    ],
)
def test_a_removed_local_path_fails_a_cached_deployment_as_uncached(
    project: Path, params: list
) -> None:
    # azure-ai-ml checks an inline model's path and a build context's at load.
    (project / "gone").mkdir()
    (project / "gone" / "Dockerfile").write_text("FROM python:3.11\n")
    file = project / "endpoints" / "online" / "blue-deployment.yml"
    endpoints.load_deployment(file, "online_deployment", params)
    shutil.rmtree(project / "gone")

    problems = _problems(lambda: endpoints.load_deployment(file, "online_deployment", params))

    assert problems == _problems(lambda: load_entity(file, "online_deployment", params))


def test_a_conda_file_edited_during_the_load_is_seen_next_time(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project / "endpoints" / "online"
    file = folder / "blue-deployment.yml"
    conda = folder / "conda.yml"
    conda.write_text("dependencies:\n  - python=3.11\n")
    params = [{"environment": {"image": "img:1", "conda_file": "conda.yml"}}]

    def load_then_edit(*args: object) -> object:
        entity = load_entity(*args)  # read 3.11; the user saves 3.12 before the entry is kept
        conda.write_text("dependencies:\n  - python=3.12\n")
        return entity

    monkeypatch.setattr(endpoints, "load_entity", load_then_edit)
    first = endpoints.load_deployment(file, "online_deployment", params)
    monkeypatch.setattr(endpoints, "load_entity", load_entity)

    again = endpoints.load_deployment(file, "online_deployment", params)

    assert first.environment.conda_file == {"dependencies": ["python=3.11"]}
    assert again.environment.conda_file == {"dependencies": ["python=3.12"]}
