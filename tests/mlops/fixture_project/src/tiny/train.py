"""The tests' training step: a ridge model on the CSV files of --data, saved to --model."""

import argparse
from pathlib import Path

import pandas as pd


def main(argv=None):
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import Ridge

    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--model", type=Path, required=True)
    args = parser.parse_args(argv)
    frame = pd.concat(pd.read_csv(path) for path in sorted(args.data.glob("*.csv")))
    features = frame.drop(columns="y").astype(float)
    model = Ridge(alpha=args.alpha).fit(features, frame["y"])
    signature = infer_signature(features, model.predict(features))
    # Requirements given: MLflow would otherwise infer them in a subprocess (seconds per run).
    mlflow.sklearn.save_model(
        model,
        str(args.model),
        signature=signature,
        pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
    )


if __name__ == "__main__":
    main()
