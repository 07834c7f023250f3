"""The one datastore the local store has: `workspaceblobstore`, az ml's default for uploads."""

from __future__ import annotations

from mlops.errors import MlopsError

DEFAULT_DATASTORE = "workspaceblobstore"


def check_datastore(name: str | None) -> None:
    """Accept `--datastore` when it names the default datastore (with or without `azureml:`).

    Raises:
        MlopsError: Another datastore: datastores other than the default exist only on Azure.
    """
    if name is None or name.removeprefix("azureml:") == DEFAULT_DATASTORE:
        return
    raise MlopsError(
        f"--datastore {name}: only {DEFAULT_DATASTORE} exists locally; other datastores exist "
        f"only on Azure ML. Fix: leave out --datastore (the default is {DEFAULT_DATASTORE})."
    )
