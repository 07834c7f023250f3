"""`azureml:` references as Azure YAML holds them: `azureml:name:version`, `azureml:name@latest`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops.errors import MlopsError

# An ARM id as az ml prints it: azureml:/subscriptions/.../workspaces/<ws>/data/<name>/versions/<v>
_ARM_ID = re.compile(
    r"^(?:azureml:)?/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
    r"Microsoft\.MachineLearningServices/workspaces/[^/]+/"
    r"(?:data|models|environments|components)/(?P<name>[^/]+)/versions/(?P<version>[^/]+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    """A parsed reference: a name and either a version or a label (only `latest` exists here)."""

    name: str
    version: str | None = None
    label: str | None = None

    def __str__(self) -> str:
        return (
            f"azureml:{self.name}@{self.label}"
            if self.label
            else f"azureml:{self.name}:{self.version}"
        )


def parse(reference: str, kind: str) -> Reference:
    """Parse `azureml:name:version`, `azureml:name@latest` (the prefix optional) or an ARM id.

    Args:
        reference: The reference as written in YAML or on the command line.
        kind: The asset kind, for the message.

    Returns:
        The parsed reference.

    Raises:
        MlopsError: A registry reference (not reachable offline), an unknown label, or no version.
    """
    text = str(reference).strip()
    if text.startswith("azureml://registries/"):
        raise MlopsError(
            f"{text}: registry {kind} assets cannot be reached offline. Fix: register the {kind} "
            f"locally (mlops {kind} create) and refer to it as azureml:<name>:<version>."
        )
    arm = _ARM_ID.match(text)
    if arm:
        return Reference(arm["name"], version=arm["version"])
    body = text.removeprefix("azureml:")
    if "@" in body:
        name, _, label = body.partition("@")
        if label != "latest":
            raise MlopsError(
                f"{text}: label {label!r} is not supported locally; only @latest is. "
                f"Fix: use azureml:{name}@latest or azureml:{name}:<version>."
            )
        return Reference(name, label="latest")
    name, separator, version = body.partition(":")
    if not separator or not name or not version:
        raise MlopsError(
            f"{text}: not a {kind} reference. Fix: write azureml:<name>:<version> or "
            "azureml:<name>@latest."
        )
    return Reference(name, version=version)
