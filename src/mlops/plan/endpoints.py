"""Endpoints and deployments (online and batch) as plain data: what `online-endpoint create`,
`online-deployment create/update` and the batch verbs read of their YAML, made once from
azure-ai-ml's entity (read by attribute, as plan/convert.py reads jobs) and kept in the plan
cache, so a YAML that did not change is loaded again without importing azure-ai-ml.

The field names are azure-ai-ml's own, so the code that reads a definition reads it as it read
the entity; every value is JSON's (`to_json` / `from_json` give back an equal definition).
"""

from __future__ import annotations

import types
import typing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

# A batch deployment's settings read from its entity (the rest keep Azure ML's defaults).
_BATCH_SETTINGS = (
    "mini_batch_size",
    "max_concurrency_per_instance",
    "output_action",
    "output_file_name",
    "error_threshold",
    "logging_level",
    "environment_variables",
)
T = TypeVar("T")
_REQUEST_SETTINGS = (
    "request_timeout_ms",
    "max_concurrent_requests_per_instance",
    "max_queue_wait_ms",
)


@dataclass(frozen=True)
class Endpoint:
    """An online or batch endpoint's YAML fields that a local endpoint keeps."""

    name: str | None
    auth_mode: str | None
    description: str | None
    tags: dict[str, Any]


@dataclass(frozen=True)
class CodeConfiguration:
    """A deployment's code folder (relative to its YAML) and scoring script."""

    code: str | None
    scoring_script: str | None


@dataclass(frozen=True)
class InlineModel:
    """A model given by its path (absolute once loaded) rather than a registered reference."""

    path: str | None
    name: str | None
    type: str | None


@dataclass(frozen=True)
class InlineEnvironment:
    """An environment written in the deployment YAML; `build` is its context's path."""

    name: str | None
    version: str | None
    image: str | None
    conda_file: dict[str, Any] | None
    build: str | None


@dataclass(frozen=True)
class Deployment:
    """An online or batch deployment's fields, as the local verbs use them.

    Attributes:
        base_path: The YAML's folder, absolute (code and model paths are relative to it).
        model: A registered reference as azure-ai-ml leaves it (`name@latest`), an inline model,
            or None.
        environment: A reference, an inline environment, or None.
        request_settings: An online deployment's request settings that were given, by name.
        settings: A batch deployment's settings that were given, by name (`retry_settings` as
            `{max_retries, timeout}`).
        instance_count: An online deployment's `instance_count`; a batch deployment's
            `resources.instance_count` (1 when not given).
    """

    name: str | None
    endpoint_name: str | None
    base_path: str
    description: str | None
    tags: dict[str, Any]
    model: str | InlineModel | None
    code_configuration: CodeConfiguration | None
    environment: str | InlineEnvironment | None
    environment_variables: dict[str, Any]
    instance_type: str | None
    instance_count: int | None
    compute: str | None
    request_settings: dict[str, Any] | None
    settings: dict[str, Any] | None


def endpoint_of(entity: Any) -> Endpoint:
    """An azure-ai-ml OnlineEndpoint or BatchEndpoint as plain data."""
    return Endpoint(
        name=entity.name,
        auth_mode=entity.auth_mode,
        description=entity.description,
        tags=dict(entity.tags or {}),
    )


def deployment_of(entity: Any, kind: str) -> Deployment:
    """An azure-ai-ml online or batch deployment as plain data.

    Args:
        entity: The loaded deployment.
        kind: `online_deployment` or `batch_deployment`.
    """
    configuration = entity.code_configuration
    batch = kind == "batch_deployment"
    return Deployment(
        name=entity.name,
        endpoint_name=entity.endpoint_name,
        # Absolute: the entry is read again from any working folder.
        base_path=str(Path(entity.base_path).resolve()),
        description=entity.description,
        tags=dict(entity.tags or {}),
        model=_model(entity.model),
        code_configuration=None
        if configuration is None
        else CodeConfiguration(
            _text(getattr(configuration, "code", None)),
            _text(getattr(configuration, "scoring_script", None)),
        ),
        environment=_environment(entity.environment),
        environment_variables=dict(getattr(entity, "environment_variables", None) or {}),
        instance_type=None if batch else entity.instance_type,
        instance_count=_batch_instances(entity) if batch else entity.instance_count,
        compute=_text(getattr(entity, "compute", None)),
        request_settings=None if batch else _request_settings(entity.request_settings),
        settings=_batch_settings(getattr(entity, "settings", None)) if batch else None,
    )


def endpoint_to_json(endpoint: Endpoint) -> dict[str, Any]:
    """The endpoint as JSON data (`endpoint_from_json` reads it back)."""
    return asdict(endpoint)


def endpoint_from_json(data: dict[str, Any]) -> Endpoint:
    """An endpoint from `endpoint_to_json`'s data.

    Raises:
        TypeError: A field is missing or of another type (a damaged cache entry).
    """
    return _checked(Endpoint, data)


def deployment_to_json(deployment: Deployment) -> dict[str, Any]:
    """The deployment as JSON data; a model or environment says which form it has."""
    data = asdict(deployment)
    for field in ("model", "environment"):
        value = getattr(deployment, field)
        data[field] = {"reference": value} if isinstance(value, str) else data[field]
    return data


def deployment_from_json(data: dict[str, Any]) -> Deployment:
    """A deployment from `deployment_to_json`'s data.

    Raises:
        TypeError: A field is missing or of another type (a damaged cache entry).
    """
    fields = dict(data)
    fields["model"] = _form(fields["model"], InlineModel)
    fields["environment"] = _form(fields["environment"], InlineEnvironment)
    configuration = fields["code_configuration"]
    fields["code_configuration"] = (
        None if configuration is None else _checked(CodeConfiguration, configuration)
    )
    return _checked(Deployment, fields)


def _form(value: dict[str, Any] | None, inline: type) -> Any:
    if value is None:
        return None
    if set(value) == {"reference"}:
        return value["reference"]
    return _checked(inline, value)


def _checked(cls: type[T], data: Any) -> T:
    """`cls(**data)` once every field of `data` has its annotated type: a cache entry is read
    from disk, and a wrong type would fail far from here (or not at all)."""
    hints = typing.get_type_hints(cls)
    if not isinstance(data, dict) or set(data) != set(hints):
        raise TypeError(f"{cls.__name__}: not its fields")
    for name, hint in hints.items():
        if not _fits(data[name], hint):
            raise TypeError(f"{cls.__name__}.{name}: {data[name]!r} is not {hint}")
    return cls(**data)


def _fits(value: Any, hint: Any) -> bool:
    if hint is Any:
        return True
    if isinstance(hint, types.UnionType):
        return any(_fits(value, member) for member in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if typing.get_origin(hint) is dict:
        return isinstance(value, dict) and all(isinstance(key, str) for key in value)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(hint, type) and isinstance(value, hint)


def _model(model: Any) -> str | InlineModel | None:
    if model is None or isinstance(model, str):
        return model
    return InlineModel(
        _text(getattr(model, "path", None)),
        getattr(model, "name", None),
        _text(getattr(model, "type", None)),
    )


def _environment(environment: Any) -> str | InlineEnvironment | None:
    if environment is None or isinstance(environment, str):
        return environment
    build = getattr(environment, "build", None)
    return InlineEnvironment(
        name=getattr(environment, "name", None),
        version=_text(getattr(environment, "version", None)),
        image=getattr(environment, "image", None),
        conda_file=getattr(environment, "conda_file", None),
        build=None if build is None else str(getattr(build, "path", build)),
    )


def _request_settings(settings: Any) -> dict[str, Any] | None:
    if not settings:
        return None
    return {key: getattr(settings, key, None) for key in _REQUEST_SETTINGS}


def _batch_instances(entity: Any) -> int:
    return int(getattr(entity.resources, "instance_count", 1) or 1)


def _batch_settings(settings: Any) -> dict[str, Any]:
    given = {key: getattr(settings, key, None) for key in _BATCH_SETTINGS}
    retry = getattr(settings, "retry_settings", None)
    if retry is not None:
        given["retry_settings"] = {"max_retries": retry.max_retries, "timeout": retry.timeout}
    return {key: value for key, value in given.items() if value is not None}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
