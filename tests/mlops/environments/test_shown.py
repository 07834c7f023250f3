"""Environments as az ml shows them in JSON (`azureml:name:version`, or an inline one's YAML
fields), never as azure-ai-ml's repr."""

from __future__ import annotations

from pathlib import Path

from azure.ai.ml.entities import BuildContext, Environment

from mlops.environments.spec import shown


def test_references_named_and_inline_environments_are_shown_as_az_ml_shows_them(
    tmp_path: Path,
) -> None:
    assert shown(None) is None
    assert shown("azureml:train@latest") == "azureml:train@latest"
    assert shown(Environment(name="train", version="3", image="img")) == "azureml:train:3"
    inline = Environment(image="img", conda_file={"dependencies": ["python=3.11"]})
    assert shown(inline) == {"image": "img", "conda_file": {"dependencies": ["python=3.11"]}}
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\n")
    built = Environment(build=BuildContext(path=str(tmp_path)))
    assert shown(built) == {"build": {"path": str(tmp_path)}}
    assert "Environment(" not in str(shown(inline))
