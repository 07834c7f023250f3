"""Entry module of the prep_data component: check the data contract, write a seeded split."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from diabetes_regression.data import DataContractError, read_data, split_data

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The component's command line; flag names are its input and output names."""
    parser = argparse.ArgumentParser(
        prog="python -m diabetes_regression.prep_data", description=__doc__
    )
    parser.add_argument(
        "--raw_data", type=Path, required=True, help="folder of CSV files (or one CSV)"
    )
    parser.add_argument("--test_size", type=float, default=0.2, help="share of rows held out, 0..1")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the split")
    parser.add_argument("--train_data", type=Path, required=True, help="output folder: train.csv")
    parser.add_argument("--test_data", type=Path, required=True, help="output folder: test.csv")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the step.

    Args:
        argv: Command-line arguments; None reads sys.argv.

    Returns:
        The exit code, 0.

    Raises:
        SystemExit: With a one-line message when the data breaks the contract.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        train, test = split_data(read_data(args.raw_data), args.test_size, args.seed)
    except DataContractError as error:
        raise SystemExit(f"ERROR: {error}") from None
    for frame, folder, name in (
        (train, args.train_data, "train.csv"),
        (test, args.test_data, "test.csv"),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_csv(folder / name, index=False)
    logger.info("wrote %d training rows and %d test rows", len(train), len(test))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
