"""The tests' batch scoring script: Azure ML's init() / run(mini_batch) contract.

The model comes from `--model <folder>` (a pipeline's program_arguments) or AZUREML_MODEL_DIR
(a batch deployment). Each input row becomes one line: file name, row number, prediction.
"""

import argparse
import os
from pathlib import Path

import pandas as pd

model = None


def init():
    global model
    import mlflow.pyfunc

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model", type=Path)
    args, _ = parser.parse_known_args()
    root = args.model or Path(os.environ["AZUREML_MODEL_DIR"])
    model = mlflow.pyfunc.load_model(str(sorted(root.rglob("MLmodel"))[0].parent))


def run(mini_batch):
    frames = []
    for path in map(Path, mini_batch):
        features = pd.read_csv(path)[["x1", "x2"]].astype(float)
        predictions = [round(float(p), 4) for p in model.predict(features)]
        rows = range(len(features))
        frames.append(pd.DataFrame({"file": path.name, "row": rows, "prediction": predictions}))
    return pd.concat(frames, ignore_index=True)
