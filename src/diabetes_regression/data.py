"""The data contract and the train/test split: pure functions plus the one CSV reader."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

# BYOC: your feature columns (numbers), your target column, and what the target holds: "number"
# for a regression target, "label" for a classifier's class labels (integers or text, kept as
# they are so the model answers with them). The data contract every step relies on.
FEATURE_COLUMNS: tuple[str, ...] = (
    "age",
    "sex",
    "bmi",
    "bp",
    "s1",
    "s2",
    "s3",
    "s4",
    "s5",
    "s6",
)
TARGET_COLUMN = "Y"
TARGET_KIND: Literal["number", "label"] = "number"
EXPECTED_COLUMNS: tuple[str, ...] = (*FEATURE_COLUMNS, TARGET_COLUMN)


class DataContractError(ValueError):
    """The data does not meet the contract; the message names the file and what to fix."""


def check_contract(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check that `frame` has exactly the expected columns, none missing, some rows, numeric
    features and a numeric target (a label target may hold any values).

    Args:
        frame: The data as read from `source`.
        source: The file name to put in error messages.

    Returns:
        The frame with its columns in contract order: features as floats, a number target as
        floats, a label target as read (integers stay integers, text stays text).

    Raises:
        DataContractError: Naming the first broken rule, the column and the row.
    """
    missing = [column for column in EXPECTED_COLUMNS if column not in frame.columns]
    if missing:
        raise DataContractError(
            f"{source}: missing columns: {', '.join(missing)}. "
            f"Expected columns: {', '.join(EXPECTED_COLUMNS)}."
        )
    unexpected = [column for column in frame.columns if column not in EXPECTED_COLUMNS]
    if unexpected:
        raise DataContractError(
            f"{source}: unexpected columns: {', '.join(map(str, unexpected))}. "
            f"Expected columns: {', '.join(EXPECTED_COLUMNS)}."
        )
    if frame.empty:
        raise DataContractError(f"{source}: no rows; the data needs at least one row per split.")
    labels = TARGET_KIND == "label"
    for column in EXPECTED_COLUMNS:
        values = frame[column]
        if labels and column == TARGET_COLUMN:
            numeric = values
        else:
            numeric = pd.to_numeric(values, errors="coerce")
            not_numeric = numeric.isna() & values.notna()
            if not_numeric.any():
                row = int(np.flatnonzero(not_numeric.to_numpy())[0])
                raise DataContractError(
                    f"{source}: column '{column}' is not numeric: "
                    f"{values.iloc[row]!r} in data row {row + 1}."
                )
        if numeric.isna().any():
            count = int(numeric.isna().sum())
            row = int(np.flatnonzero(numeric.isna().to_numpy())[0])
            raise DataContractError(
                f"{source}: column '{column}' has {count} missing value"
                f"{'s' if count != 1 else ''}, the first in data row {row + 1}."
            )
    checked = frame.loc[:, list(EXPECTED_COLUMNS)].copy()
    numbers = list(FEATURE_COLUMNS) if labels else list(EXPECTED_COLUMNS)
    checked[numbers] = checked[numbers].apply(pd.to_numeric).astype(float)
    return checked


def read_data(location: Path) -> pd.DataFrame:
    """Read and check every CSV file in a folder (or one CSV file).

    Args:
        location: A folder of `.csv` files or a single `.csv` file.

    Returns:
        All rows, checked against the contract, in file-name order.

    Raises:
        DataContractError: When there is no CSV file, a file is empty or breaks the contract.
    """
    files = [location] if location.is_file() else sorted(location.glob("*.csv"))
    if not files:
        raise DataContractError(f"{location}: no .csv file found; put the data there as CSV.")
    frames = []
    for file in files:
        try:
            frame = pd.read_csv(file)
        except pd.errors.EmptyDataError:
            raise DataContractError(f"{file}: the file is empty.") from None
        frames.append(check_contract(frame, str(file)))
    return pd.concat(frames, ignore_index=True)


def split_data(
    frame: pd.DataFrame, test_size: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows at random, reproducibly, into train and test sets.

    Args:
        frame: The checked data.
        test_size: The share of rows for the test set, strictly between 0 and 1.
        seed: The random seed; the same seed and data give the same split.

    Returns:
        The train rows and the test rows, each with a fresh index.

    Raises:
        DataContractError: When test_size is out of range or leaves a split empty.
    """
    if not 0 < test_size < 1:
        raise DataContractError(f"test_size must be between 0 and 1 (exclusive), got {test_size}.")
    test_count = math.ceil(len(frame) * test_size)
    if test_count >= len(frame):
        raise DataContractError(
            f"test_size {test_size} of {len(frame)} rows leaves no training rows; "
            "use more data or a smaller test_size."
        )
    order = np.random.default_rng(seed).permutation(len(frame))
    test = frame.iloc[np.sort(order[:test_count])].reset_index(drop=True)
    train = frame.iloc[np.sort(order[test_count:])].reset_index(drop=True)
    return train, test


def features_and_target(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The feature columns and the target column of a checked frame."""
    return frame.loc[:, list(FEATURE_COLUMNS)], frame[TARGET_COLUMN]


def content_hash(location: Path) -> str:
    """A SHA-256 over the relative names and bytes of every file under `location`.

    Identifies the training data on a registered model when no data asset version is known.
    """
    digest = hashlib.sha256()
    root = location if location.is_dir() else location.parent
    files = sorted(p for p in root.rglob("*") if p.is_file()) if location.is_dir() else [location]
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()
