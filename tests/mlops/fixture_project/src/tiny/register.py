"""The tests' second step: the registration record of a model (its flavours and its folder)."""

import argparse
import json
from pathlib import Path

import yaml


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--registration", type=Path, required=True)
    args = parser.parse_args(argv)
    flavors = yaml.safe_load((args.model / "MLmodel").read_text())["flavors"]
    args.registration.mkdir(parents=True, exist_ok=True)
    record = {"model": str(args.model), "flavors": sorted(flavors)}
    (args.registration / "registration.json").write_text(json.dumps(record))


if __name__ == "__main__":
    main()
