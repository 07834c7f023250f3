"""What src/mlops/azure relies on in azure-ai-ml, private API included: each test names the
symbol, so an upgrade that removes or changes one fails here, in one place, by name."""

from __future__ import annotations

import inspect
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from mlops.azure import files, loaders
from mlops.errors import ProblemsFound

ROOT = Path(__file__).resolve().parents[3]


def test_the_installed_azure_ai_ml_is_the_pinned_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pin = next(
        Requirement(line)
        for line in project["project"]["dependencies"]
        if line.startswith("azure-ai-ml")
    )
    installed = metadata.version("azure-ai-ml")
    assert pin.specifier.contains(installed), f"azure-ai-ml {installed} is outside {pin}"
    # A pin without an upper bound would let an untested version in.
    assert any(spec.operator == "<" for spec in pin.specifier), str(pin)


@pytest.mark.parametrize(
    "name", sorted({*loaders.LOADERS.values(), *loaders.BATCH_DEPLOYMENT_LOADERS.values()})
)
def test_each_loader_exists_and_takes_source_and_overrides(name: str) -> None:
    from azure.ai.ml.entities import _load_functions

    loader = getattr(_load_functions, name, None)
    assert loader is not None, f"azure.ai.ml.entities._load_functions.{name} is gone"
    parameters = inspect.signature(loader).parameters
    assert "source" in parameters, f"_load_functions.{name} no longer takes source="
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    assert "params_override" in parameters or takes_kwargs, (
        f"_load_functions.{name} no longer takes params_override="
    )
    # A document with a top-level field removed (--remove) is loaded from a stream, with the
    # file's own folder as the origin of its relative paths.
    assert "relative_origin" in parameters or takes_kwargs, (
        f"_load_functions.{name} no longer takes relative_origin="
    )


def test_the_experimental_notice_switch_is_still_what_the_notices_consult() -> None:
    from azure.ai.ml._utils import _experimental

    assert callable(getattr(_experimental, "_should_skip_warning", None)), (
        "azure.ai.ml._utils._experimental._should_skip_warning is gone: "
        "loaders.quiet_azure_ai_ml patches it"
    )
    # The decorators look the function up by name at call time, so the patch takes effect.
    assert "_should_skip_warning()" in inspect.getsource(_experimental), (
        "azure.ai.ml._utils._experimental no longer calls _should_skip_warning()"
    )
    loaders.quiet_azure_ai_ml()
    assert _experimental._should_skip_warning() is True


def test_errors_raised_by_loaders_are_the_types_the_adapter_catches() -> None:
    from azure.ai.ml.exceptions import MlException
    from marshmallow.exceptions import ValidationError

    assert issubclass(MlException, Exception)
    assert issubclass(ValidationError, Exception)


def test_schema_errors_still_name_the_field_and_line(tmp_path: Path) -> None:
    # The adapter parses azure-ai-ml's error text (a JSON block inside a message).
    component = tmp_path / "component.yml"
    component.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
        "type: command\n"
        "name: prep\n"
        "inputs:\n"
        "  rows: {type: intger}\n"
        "environment: azureml:sklearn:1\n"
        "command: python prep.py --rows ${{inputs.rows}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsFound) as found:
        loaders.load_entity(component)
    [problem] = found.value.problems
    assert (problem.field, problem.line) == ("inputs.rows", 5)
    assert "Value 'intger' passed is not in set" in problem.message


def test_a_missing_code_folder_is_named_by_its_field(tmp_path: Path) -> None:
    # marshmallow's `{field: [messages]}` form, flattened to one problem per field.
    component = tmp_path / "component.yml"
    component.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
        "type: command\n"
        "name: prep\n"
        "code: ./src\n"
        "environment: azureml:sklearn:1\n"
        "command: python prep.py\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsFound) as found:
        loaders.load_entity(component)
    [problem] = found.value.problems
    assert (problem.field, problem.line) == ("code", 4)
    assert problem.message.startswith("Can't find directory or file in resolved absolute path")


def test_pipeline_jobs_still_validate_themselves(tmp_path: Path) -> None:
    # `_validate()` is private; entity_errors reads its `error_messages`.
    (tmp_path / "step.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
        "type: command\n"
        "name: step\n"
        "inputs:\n"
        "  rows: {type: integer}\n"
        "environment: azureml:sklearn:1\n"
        "command: echo ${{inputs.rows}}\n",
        encoding="utf-8",
    )
    job = tmp_path / "job.yml"
    job.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\n"
        "type: pipeline\n"
        "settings: {default_compute: azureml:cpu}\n"
        "jobs:\n"
        "  step:\n"
        "    component: ./step.yml\n",
        encoding="utf-8",
    )
    errors = loaders.entity_errors(loaders.load_entity(job))
    assert list(errors) == ["jobs.step.inputs.rows"], errors


def _tree(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "main.py").write_text("print('hi')\n", encoding="utf-8")
    (root / "pkg" / "util.py").write_text("X = 1\n", encoding="utf-8")
    (root / "notes.tmp").write_text("scratch\n", encoding="utf-8")
    (root / ".amlignore").write_text("*.tmp\n", encoding="utf-8")
    return root


def test_ignore_files_still_decide_what_is_uploaded(tmp_path: Path) -> None:
    # _asset_utils.get_ignore_file / IgnoreFile.is_file_excluded / get_upload_files_from_folder
    root = _tree(tmp_path / "code")
    names = [file.relative_to(root).as_posix() for file in files.code_files(root)]
    assert names == [".amlignore", "main.py", "pkg/util.py"]
    uploaded = sorted(relative for _, relative in files.upload_files(root))
    assert uploaded == [".amlignore", "main.py", "pkg/util.py"]


def test_code_files_match_azure_ml_ignore_rules_without_importing_it(tmp_path: Path) -> None:
    # _pathspec.GitWildMatchPattern / normalize_file, loaded from its file alone, must decide as
    # _asset_utils.IgnoreFile.is_file_excluded does (a warm start lists code without azure-ai-ml).
    root = _tree(tmp_path / "code")
    for name in ("build/out.bin", "pkg/__pycache__/u.pyc", "pkg/keep.tmp", "docs/a.md", "x.log"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n", encoding="utf-8")
    (root / ".amlignore").write_text(
        "\ufeff# comment\n*.tmp\n!pkg/keep.tmp\nbuild/\n__pycache__/\n/docs\n  \n*.log   \n",
        encoding="utf-8",
    )
    (root / ".gitignore").write_text("main.py\n", encoding="utf-8")  # .amlignore wins
    script = (
        "import sys; from pathlib import Path; from mlops.azure.files import code_files; "
        "root = Path(sys.argv[1]); "
        "print([f.relative_to(root).as_posix() for f in code_files(root)]); "
        "print('azure.ai.ml' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(root)], capture_output=True, text=True, check=True
    )
    listed, imported = done.stdout.splitlines()
    from azure.ai.ml._utils._asset_utils import get_ignore_file

    ignore = get_ignore_file(root)
    walked = sorted(
        (p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).parts
    )
    expected = [p.relative_to(root).as_posix() for p in walked if not ignore.is_file_excluded(p)]
    assert listed == str(expected)
    assert expected == [".amlignore", ".gitignore", "main.py", "pkg/keep.tmp", "pkg/util.py"]
    assert imported == "False"


def test_the_content_hash_is_still_azure_mls(tmp_path: Path) -> None:
    # _asset_utils.get_content_hash (version 202208): the hash names stored blobs, so a change
    # of algorithm would make every stored asset look new.
    from azure.ai.ml._utils._asset_utils import get_content_hash_version

    assert get_content_hash_version() == 202208
    root = _tree(tmp_path / "code")
    before = files.content_hash(root)
    assert before == files.content_hash(_tree(tmp_path / "again"))
    (root / "notes.tmp").write_text("ignored change\n", encoding="utf-8")
    assert files.content_hash(root) == before
    (root / "main.py").write_text("print('changed')\n", encoding="utf-8")
    assert files.content_hash(root) != before


ENTERED_WITHOUT_CLIENT = """
import sys
from pathlib import Path
from mlops.azure import loaders

for path, kind in [(Path(sys.argv[1]), "job"), (Path(sys.argv[2]), "component")]:
    loaders.load_entity(path, kind)
package = sys.modules["azure.ai.ml"]
print("client" if "MLClient" in package.__dict__ else "no client")
print("azure.ai.ml._ml_client" in sys.modules)
from azure.ai.ml import MLClient, load_job, __version__
print(MLClient.__name__, load_job.__name__, bool(__version__))
"""


def test_yaml_loads_without_azure_ai_ml_s_client_and_the_package_completes_on_demand(
    tmp_path: Path,
) -> None:
    """mlops.azure.package: the loaders run without azure/ai/ml/__init__.py (which imports
    MLClient and every operations class); asking the package for any name runs it then."""
    component = tmp_path / "component.yml"
    component.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
        "name: echo\nversion: '1'\ntype: command\n"
        "inputs:\n  data: {type: uri_folder}\noutputs:\n  out: {type: uri_folder}\n"
        "command: echo ${{inputs.data}} ${{outputs.out}}\n"
        "environment: azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest\n"
    )
    job = tmp_path / "pipeline.yml"
    job.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\n"
        "type: pipeline\nsettings: {default_compute: azureml:cpu-cluster}\n"
        "jobs:\n  echo:\n    type: command\n    component: ./component.yml\n"
        "    inputs: {data: {type: uri_folder, path: .}}\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", ENTERED_WITHOUT_CLIENT, str(job), str(component)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.splitlines() == ["no client", "False", "MLClient load_job True"], run.stderr
