"""A node's artifacts, as Azure ML keeps a job's: `./outputs` and `./logs` in its working folder,
uploaded with its log as the job's default output (`default`, `az ml job download` puts it
under `artifacts/`).

On Azure the artifact store of a command job holds `outputs/`, `logs/` and
`user_logs/std_log.txt`. Here `nodes/<node>/artifacts/` holds the same three names, each a link:
`outputs` and `logs` to the real folders in the node's working folder (so a script sees plain
folders, and what it writes there is the artifact at once), `user_logs` to the node's log folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlops import jobstore as store
from mlops.plan.convert import ARTIFACTS_OUTPUT as DEFAULT_OUTPUT

__all__ = ["ARTIFACT_FOLDERS", "DEFAULT_OUTPUT", "artifacts_folder", "make_artifact_folders"]

# The folders Azure ML makes in a job's working directory and uploads as its artifacts.
ARTIFACT_FOLDERS = ("outputs", "logs")


def artifacts_folder(job: str, node: str) -> Path:
    """Where the artifacts of one node of a job are (which may not exist)."""
    return store.node_folder(job, node) / "artifacts"


def make_artifact_folders(job: str, node: str, workdir: Path, snapshot: Path | None) -> Path:
    """Create `./outputs` and `./logs` in a fresh working folder and the node's artifacts.

    A code folder that has its own `outputs/` or `logs/` gets a writable copy of it (Azure
    uploads the snapshot into the working directory); the snapshot itself stays read-only.

    Returns:
        The node's artifacts folder.
    """
    for name in ARTIFACT_FOLDERS:
        folder = workdir / name
        source = snapshot / name if snapshot is not None else None
        if source is not None and source.is_dir():
            shutil.copytree(source, folder, copy_function=shutil.copyfile)
        else:
            folder.mkdir()
    artifacts = artifacts_folder(job, node)
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    for name in ARTIFACT_FOLDERS:
        (artifacts / name).symlink_to(workdir / name, target_is_directory=True)
    (artifacts / "user_logs").symlink_to(store.log_path(job, node).parent, target_is_directory=True)
    return artifacts
