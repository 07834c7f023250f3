"""Write scikit-learn's bundled diabetes data as the sample CSV (data/diabetes/diabetes.csv).

Run from the repository root: `python -m diabetes_regression.make_sample_data`.
The data ships with scikit-learn (no download), so the output is the same on every machine.
Sample only: it writes the sample project's data; delete it with `data/diabetes/` when you bring
your own data (docs/bring_your_own_code.md, step 8).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from diabetes_regression.data import FEATURE_COLUMNS, TARGET_COLUMN

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT = Path("data/diabetes/diabetes.csv")


def sample_frame() -> pd.DataFrame:
    """The diabetes data: sklearn's (scaled) feature columns plus the target column `Y`."""
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    frame = pd.DataFrame(bunch.data, columns=bunch.feature_names)
    frame[TARGET_COLUMN] = bunch.target
    return frame.loc[:, [*FEATURE_COLUMNS, TARGET_COLUMN]]


def build_parser() -> argparse.ArgumentParser:
    """The command line: where to write the CSV."""
    parser = argparse.ArgumentParser(
        prog="python -m diabetes_regression.make_sample_data", description=__doc__
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"CSV file to write ({DEFAULT_OUTPUT})"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Write the CSV.

    Args:
        argv: Command-line arguments; None reads sys.argv.

    Returns:
        The exit code, 0.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    frame = sample_frame()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.output, index=False, lineterminator="\n")
    logger.info("wrote %d rows to %s", len(frame), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
