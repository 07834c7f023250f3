"""How `mlops validate` agrees with azure-ai-ml on YAML files nobody here wrote.

For each Azure ML YAML under the given folders (for example a clone of Azure/azureml-examples'
`cli/`), azure-ai-ml's verdict -- its loader for the file's kind, and for a job its own
`_validate()` -- beside `mlops validate`'s. Files mlops rejects and azure-ai-ml accepts are
"stricter" (a difference to explain: a check of what the service rejects, or a mistake);
files mlops accepts and azure-ai-ml rejects are "looser" (a bug). Warnings (what Azure
accepts but is a likely mistake, or cannot be checked offline) do not make a file rejected.
Conda files and YAML that is not Azure ML's are skipped, as `mlops validate` skips them.

Usage: .venv/bin/python benchmarks/public_corpus.py FOLDER [FOLDER ...] [--list]
"""

from __future__ import annotations

import argparse
import collections
import logging
from pathlib import Path

from mlops.azure.kinds import is_conda_file, is_not_azure_ml, kind_from_schema
from mlops.azure.loaders import entity_errors, load_entity
from mlops.documents import read_document
from mlops.errors import ProblemsFound, errors_only
from mlops.validation.files import check_file, yaml_files


def azure_verdict(file: Path, kind: str) -> str:
    """ "" when azure-ai-ml loads (and, for a job, validates) the file; else its first reason."""
    try:
        entity = load_entity(file, kind)
    except ProblemsFound as found:
        return found.problems[0].message
    errors = entity_errors(entity) if kind == "job" else {}
    return next(iter(errors.values()), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--list", action="store_true", help="name every file that differs")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    outcomes: dict[str, list[str]] = collections.defaultdict(list)
    for file in yaml_files(args.folders):
        try:
            data = read_document(file).data
        except ProblemsFound:
            outcomes["not YAML"].append(str(file))
            continue
        kind = kind_from_schema(data)
        if is_conda_file(data) or is_not_azure_ml(data) or kind is None:
            outcomes["skipped (not an Azure ML file)"].append(str(file))
            continue
        azure = azure_verdict(file, kind)
        problems = check_file(file)
        errors = errors_only(problems)
        ours = errors[0].message if errors else ""
        if not azure and not ours:
            warned = " (mlops warns)" if problems else ""
            outcomes[f"both accept{warned}"].append(str(file))
        elif azure and ours:
            outcomes["both reject"].append(str(file))
        elif ours:
            outcomes["stricter: mlops rejects, azure-ai-ml accepts"].append(f"{file}: {ours}")
        else:
            outcomes["looser: mlops accepts, azure-ai-ml rejects"].append(f"{file}: {azure}")
    total = sum(len(files) for files in outcomes.values())
    print(f"{total} YAML files")
    for outcome, files in sorted(outcomes.items()):
        print(f"{len(files):5d}  {outcome}")
        if args.list and outcome.startswith(("stricter", "looser")):
            for line in files:
                print(f"         {line}")


if __name__ == "__main__":
    main()
