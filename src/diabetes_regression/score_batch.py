"""Batch scoring: the entry script of the parallel scoring component and the batch deployment.

Azure ML calls `init()` once per worker and `run(mini_batch)` for each mini-batch: a list of CSV
file paths. Each row of each file becomes one output line -- file name, row number (from 0),
prediction (a number rounded to 4 decimals, or the model's class label as it is) -- which
append_row joins into one file.

The model comes from `--model <folder>` (the pipeline's program_arguments) or, in a batch
deployment, from `AZUREML_MODEL_DIR`.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from diabetes_regression.data import FEATURE_COLUMNS, DataContractError
from diabetes_regression.model_types import check_saved_model

logger = logging.getLogger(__name__)

model = None


def model_folder(argv: list[str] | None = None) -> Path:
    """The MLflow model folder: `--model`, else the one under AZUREML_MODEL_DIR.

    Raises:
        RuntimeError: Neither names a folder with an MLmodel file.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model", type=Path)
    args, _ = parser.parse_known_args(argv)
    root = args.model or Path(os.environ.get("AZUREML_MODEL_DIR", ""))
    found = sorted(root.rglob("MLmodel")) if str(root) and root.is_dir() else []
    if not found:
        raise RuntimeError(
            f"no MLflow model (an MLmodel file) under {root or 'AZUREML_MODEL_DIR (unset)'}: "
            "pass --model <folder> or set AZUREML_MODEL_DIR"
        )
    return found[0].parent


def init() -> None:
    """Load the model once per worker."""
    global model
    import mlflow.pyfunc

    folder = model_folder()
    check_saved_model(folder)
    model = mlflow.pyfunc.load_model(str(folder))
    logger.info("loaded model from %s", folder)


def features(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The feature columns of a scoring file, in model order, as floats.

    Raises:
        DataContractError: A feature column is missing or not numeric.
    """
    missing = [column for column in FEATURE_COLUMNS if column not in frame.columns]
    if missing:
        raise DataContractError(f"{source}: missing feature columns: {', '.join(missing)}.")
    selected = frame.loc[:, list(FEATURE_COLUMNS)]
    numeric = selected.apply(pd.to_numeric, errors="coerce")
    if numeric.isna().to_numpy().any():
        raise DataContractError(f"{source}: feature values must be numbers and not empty.")
    return numeric.astype(float)


def score_file(path: Path) -> pd.DataFrame:
    """One output row per input row: file name, row number, prediction."""
    frame = features(pd.read_csv(path), str(path))
    return pd.DataFrame(
        {
            "file": path.name,
            "row": range(len(frame)),
            "prediction": prediction_values(model.predict(frame)),
        }
    )


def prediction_values(predictions: object) -> list[object]:
    """Floats rounded to 4 decimals; integer and text labels as the model gives them."""
    values = np.asarray(predictions)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()  # a one-column frame from a pyfunc model
    if values.dtype.kind == "f":
        return [round(value, 4) for value in values.tolist()]
    return values.tolist()


def run(mini_batch: list[str]) -> pd.DataFrame:
    """Score a mini-batch of CSV files; rows in file order, then row order."""
    # BYOC: your batch scoring: read each file, predict, return one row per input row.
    results = [score_file(Path(path)) for path in mini_batch]
    logger.info("scored %d files, %d rows", len(results), sum(len(r) for r in results))
    return pd.concat(results, ignore_index=True)
