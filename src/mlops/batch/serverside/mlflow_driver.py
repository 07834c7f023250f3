"""The scoring script of a no-code MLflow batch deployment: a deployment whose model is an MLflow
model and which names no code_configuration, for which Azure ML generates the batch driver.

As Azure's generated driver does, it calls the model's `predict` once per file: a `.csv` file is
read into a DataFrame, typed by the model's signature when it has column specs (a value that
does not parse fails that file, naming it). Each prediction becomes one append_row line,
`row,prediction,file` -- the row's position in its file, the prediction as the model returned it
and the file's name -- so `pd.read_csv(path, names=["row", "prediction", "file"])` reads the
output, as Azure's samples do. Other file types fail as Azure's driver fails them; images (which
Azure turns into tensors) are not scored locally.

It runs in the batch workers, in the deployment's Python: it imports nothing from mlops.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.pyfunc import PyFuncModel, load_model

model: PyFuncModel | None = None
column_types: dict[str, Any] = {}

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tiff", ".bmp", ".gif"}


def _model_folder(root: Path) -> Path:
    """The folder holding the MLmodel file under AZUREML_MODEL_DIR (Azure puts the model's
    folder one level down, under its own name)."""
    if (root / "MLmodel").is_file():
        return root
    found = sorted(path.parent for path in root.rglob("MLmodel"))
    if not found:
        raise RuntimeError(f"no MLmodel file under {root}: the model is not an MLflow model")
    return found[0]


def init() -> None:
    """Load the MLflow model once per worker, and the column types its signature names."""
    global model, column_types
    model = load_model(str(_model_folder(Path(os.environ["AZUREML_MODEL_DIR"]))))
    schema = model.metadata.get_input_schema()
    if schema is not None and schema.has_input_names() and not schema.is_tensor_spec():
        column_types = dict(zip(schema.input_names(), schema.pandas_types(), strict=True))


def _read(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            return pd.read_csv(path, dtype=column_types or None)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"Error processing input file: '{path}'. Exception: {error}"
            ) from error
    if suffix in IMAGE_SUFFIXES:
        raise ValueError(
            f"Error processing input file: '{path}'. Image files are scored by Azure's driver, "
            "not by the local one: give the deployment a scoring script (code_configuration)."
        )
    raise ValueError(
        f"Error processing input file: '{path}'. File type '{suffix.lstrip('.')}' is not supported."
    )


def _cell(value: Any) -> Any:
    """One prediction as a CSV cell: a scalar as it is, anything with parts as JSON."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    return json.dumps(value) if isinstance(value, list | dict) else value


def _lines(predictions: Any, file_name: str) -> list[str]:
    if isinstance(predictions, pd.DataFrame):
        rows = [row.tolist() if len(row) > 1 else row.iloc[0] for _, row in predictions.iterrows()]
    elif isinstance(predictions, pd.Series):
        rows = predictions.tolist()
    else:
        rows = list(predictions)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for position, prediction in enumerate(rows):
        writer.writerow([position, _cell(prediction), file_name])
    return buffer.getvalue().splitlines()


def run(mini_batch: list[str]) -> list[str]:
    """Score each file of the mini-batch; one `row,prediction,file` line per prediction."""
    assert model is not None, "init() runs before run()"
    lines: list[str] = []
    for item in mini_batch:
        path = Path(item)
        lines += _lines(model.predict(_read(path)), path.name)
    return lines
