"""Write where this process runs and which version of a package it imports, as JSON."""

import argparse
import importlib.metadata
import json
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--package", required=True)
parser.add_argument("--out", required=True)
args = parser.parse_args()
try:
    version = importlib.metadata.version(args.package)
except importlib.metadata.PackageNotFoundError:
    version = None
report = {"package": args.package, "version": version, "prefix": sys.prefix}
(Path(args.out) / "report.json").write_text(json.dumps(report), encoding="utf-8")
