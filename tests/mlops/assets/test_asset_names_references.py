"""Azure's naming rules per asset kind, and parsing of azureml: references."""

from __future__ import annotations

import pytest

from mlops.assets.names import check_name, check_version, next_version
from mlops.assets.references import Reference, parse
from mlops.errors import MlopsError


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("data", "diabetes"),
        ("data", "Sales.2024-v2"),
        ("model", "diabetes_regression_model"),
        ("environment", "sklearn-1.5"),
        ("component", "diabetes_regression_train_model"),
    ],
)
def test_valid_names_pass(kind: str, name: str):
    assert check_name(kind, name) == name


@pytest.mark.parametrize(
    ("kind", "name", "rule"),
    [
        ("data", "-leading-dash", "start with a letter or digit"),
        ("data", "has space", "use only letters, digits"),
        ("model", "ends.with.dot.", "do not end with '.'"),
        ("environment", "x" * 256, "at most 255 characters"),
        ("component", "Train-Model", "should only contain lower letter, number, underscore"),
        ("component", "1st_step", "start with a lower letter"),
    ],
)
def test_bad_names_quote_the_rule(kind: str, name: str, rule: str):
    with pytest.raises(MlopsError) as error:
        check_name(kind, name, "asset.yml")
    assert str(error.value).startswith("asset.yml: name: ")
    assert rule in str(error.value)


def test_missing_name_says_how_to_fix():
    with pytest.raises(MlopsError, match="needs a name"):
        check_name("data", None)


@pytest.mark.parametrize("version", ["1", "2.0", "v3_beta"])
def test_valid_versions(version: str):
    assert check_version(version) == version


@pytest.mark.parametrize("version", ["latest", "-1", "a b", "x" * 31])
def test_bad_versions(version: str):
    with pytest.raises(MlopsError, match="not a valid version"):
        check_version(version)


def test_next_version_is_one_more_than_the_highest_integer():
    assert next_version([]) == "1"
    assert next_version(["1", "3", "beta", "2"]) == "4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("azureml:diabetes:3", Reference("diabetes", version="3")),
        ("azureml:diabetes@latest", Reference("diabetes", label="latest")),
        (
            "diabetes_regression_train@latest",
            Reference("diabetes_regression_train", label="latest"),
        ),
        ("diabetes:1", Reference("diabetes", version="1")),
        (
            "azureml:/subscriptions/0/resourceGroups/rg/providers/"
            "Microsoft.MachineLearningServices/workspaces/ws/models/m/versions/2",
            Reference("m", version="2"),
        ),
    ],
)
def test_references_parse(text: str, expected: Reference):
    assert parse(text, "data") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("azureml:diabetes", "not a data reference"),
        ("azureml:diabetes@prod", "only @latest is"),
        ("azureml://registries/azureml/data/x/versions/1", "cannot be reached offline"),
    ],
)
def test_bad_references(text: str, message: str):
    with pytest.raises(MlopsError, match=message):
        parse(text, "data")
