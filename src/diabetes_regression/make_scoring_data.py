"""Write the sample batch scoring data: the diabetes features without the target, in files.

Run from the repository root: `python -m diabetes_regression.make_scoring_data`.
Writes data/diabetes_scoring/part-000.csv ... (one CSV per slice of rows), the folder the
batch scoring pipeline and `mlops batch-endpoint invoke` read.
Sample only: it writes the sample project's scoring data; delete it with `data/diabetes_scoring/`
when you bring your own data (docs/bring_your_own_code.md, step 8).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from diabetes_regression.data import FEATURE_COLUMNS
from diabetes_regression.make_sample_data import sample_frame

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT = Path("data/diabetes_scoring")
DEFAULT_FILES = 6


def build_parser() -> argparse.ArgumentParser:
    """The command line: where to write, and into how many files."""
    parser = argparse.ArgumentParser(
        prog="python -m diabetes_regression.make_scoring_data", description=__doc__
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"Folder to write ({DEFAULT_OUTPUT})"
    )
    parser.add_argument(
        "--files", type=int, default=DEFAULT_FILES, help=f"Number of CSV files ({DEFAULT_FILES})"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Write the CSV files.

    Args:
        argv: Command-line arguments; None reads sys.argv.

    Returns:
        The exit code, 0.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    frame = sample_frame().loc[:, list(FEATURE_COLUMNS)]
    args.output.mkdir(parents=True, exist_ok=True)
    size = -(-len(frame) // args.files)
    for number, start in enumerate(range(0, len(frame), size)):
        part = frame.iloc[start : start + size]
        part.to_csv(args.output / f"part-{number:03d}.csv", index=False, lineterminator="\n")
    logger.info("wrote %d rows in %d files to %s", len(frame), args.files, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
