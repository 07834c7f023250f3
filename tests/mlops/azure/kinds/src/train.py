import argparse

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--rows")
parser.add_argument("--learning_rate", type=float, default=0.1)
args = parser.parse_args()
mlflow.log_metric("rmse", 1.0 - args.learning_rate)
