"""What a registered asset is, and how az ml prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Asset:
    """One registered version of a data asset, model, environment or component.

    `path` is local: the data file or folder, the model file or folder, or for environments
    and components the stored YAML (loadable with azure-ai-ml, relative paths intact).
    """

    kind: str
    name: str
    version: str
    type: str
    path: Path
    tags: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    created_by: str = ""
    content_hash: str | None = None
    # Kind-specific fields az ml prints (image and conda_file, flavors and job_name, ...).
    details: dict[str, Any] = field(default_factory=dict)
    # Archived (az ml <kind> archive): left out of list and of the latest version.
    archived: bool = False

    @property
    def reference(self) -> str:
        """The `azureml:name:version` reference YAML files use for this version."""
        return f"azureml:{self.name}:{self.version}"

    def to_az(self) -> dict[str, Any]:
        """The asset as `az ml <kind> show` prints it, with a local path and id."""
        shown: dict[str, Any] = {
            "creation_context": {
                "created_at": self.created_at,
                "created_by": self.created_by,
                "created_by_type": "User",
                "last_modified_at": self.created_at,
                "last_modified_by": self.created_by,
                "last_modified_by_type": "User",
            },
            "description": self.description,
            "id": self.reference,
            "name": self.name,
            "path": str(self.path),
            "properties": dict(self.properties),
            "tags": dict(self.tags),
            "type": self.type,
            "version": self.version,
        }
        if self.kind in ("environment", "component"):
            shown.pop("path")
        if self.kind == "environment":
            shown.pop("type")
        shown.update(self.details)
        return dict(sorted(shown.items()))


def listed(archived: bool, which: str) -> bool:
    """Whether `list` shows a version that is (or is not) `archived` when asked for "exclude"
    (az ml's default), "include" or "only" archived versions."""
    return {"exclude": not archived, "only": archived}.get(which, True)
