"""`mlops validate` remembers clean files: unchanged ones are not checked again, changed ones
(or ones naming a changed file) are, and a file with problems always is."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import project_copy

from mlops import validation
from mlops.validation import files


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return project_copy(tmp_path / "project")


def _checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files `validate` really checks from now on (their names)."""
    seen: list[str] = []
    real = files.check_file

    def spy(file: Path):
        seen.append(Path(file).name)
        return real(file)

    monkeypatch.setattr(files, "check_file", spy)
    return seen


def test_unchanged_clean_files_are_not_checked_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = [project / "components", project / "pipelines"]
    assert validation.validate_paths(folders) == []
    seen = _checked(monkeypatch)

    assert validation.validate_paths(folders) == []
    assert seen == []


def test_a_changed_component_is_checked_again_with_the_pipelines_naming_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = [project / "components", project / "pipelines"]
    validation.validate_paths(folders)
    seen = _checked(monkeypatch)
    component = project / "components" / "train_model.yml"
    component.write_text(component.read_text() + "\n# edited\n")

    assert validation.validate_paths(folders) == []
    assert "train_model.yml" in seen
    assert "train.yml" in seen
    assert "score_batch.yml" not in seen


def test_a_file_with_problems_is_always_checked(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    component = project / "components" / "train_model.yml"
    component.write_text(component.read_text() + "retries: 3\n")
    first = validation.validate_paths([component])
    seen = _checked(monkeypatch)

    assert validation.validate_paths([component]) == first != []
    assert seen == ["train_model.yml"]


_WORKFLOW = """\
name: train
on: workflow_dispatch
permissions: {}
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: az ml job create -f pipelines/train.yml
"""


def test_a_workflow_is_checked_again_when_a_file_it_gives_az_ml_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".git").mkdir(exist_ok=True)  # the root az ml paths start from
    workflow = project / ".github" / "workflows" / "train.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(_WORKFLOW)
    first = validation.validate_paths([workflow])
    seen = _checked(monkeypatch)
    pipeline = project / "pipelines" / "train.yml"
    pipeline.write_text(pipeline.read_text() + "\n# edited\n")

    assert validation.validate_paths([workflow]) == first
    assert seen == ["train.yml"]  # the pipeline, checked again for the workflow
