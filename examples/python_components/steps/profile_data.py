"""A pipeline step written as a Python function: mldesigner's `@command_component`.

`mldesigner compile --source examples/python_components/steps/profile_data.py --output components`
turns it into a typed command component (components/profile_data/profile_data.yaml, with a copy
of this file beside it) that `mlops validate`, `mlops job create` and `az ml` take like any
component YAML. See docs/python_components.md.
"""

# No `from __future__ import annotations`: mldesigner reads the Input/Output annotations as objects.
import json
from pathlib import Path

import pandas as pd
from mldesigner import Input, Output, command_component


def profile(frame: pd.DataFrame, max_missing: float) -> dict:
    """Rows, columns and the fraction of missing values of a data set.

    Args:
        frame: The data.
        max_missing: The largest fraction of missing values allowed in any column.

    Returns:
        {"rows": ..., "columns": [...], "missing": {column: fraction}}.

    Raises:
        ValueError: A column misses more values than `max_missing` allows.
    """
    missing = {column: float(frame[column].isna().mean()) for column in frame.columns}
    over = {column: share for column, share in missing.items() if share > max_missing}
    if over:
        raise ValueError(f"columns missing more than {max_missing:.0%} of their values: {over}")
    return {"rows": len(frame), "columns": list(frame.columns), "missing": missing}


@command_component(
    name="profile_data",
    version="1",
    display_name="Profile data",
    description="Counts the rows and missing values of a folder of CSV files; fails when a "
    "column misses too many values.",
    environment="azureml:python_components@latest",
    # Resolved: the local engine links the snapshot into the step's working folder, and
    # mldesigner requires the real path of this file to lie under the code folder.
    code=Path(__file__).resolve().parent,
)
def profile_data(
    data: Input(type="uri_folder", description="Folder of CSV files."),
    profile_folder: Output(type="uri_folder", description="profile.json."),
    max_missing: Input(
        type="number", min=0.0, max=1.0, default=0.0, description="Largest missing fraction."
    ) = 0.0,
):
    """Read every CSV file of `data`, write `profile.json` to `profile_folder`."""
    frame = pd.concat(pd.read_csv(path) for path in sorted(Path(data).glob("*.csv")))
    result = profile(frame, max_missing)
    Path(profile_folder).mkdir(parents=True, exist_ok=True)
    (Path(profile_folder) / "profile.json").write_text(json.dumps(result, indent=2))
