"""The tests' smoke test: the command-line contract scripts/rollout.sh relies on.

    python smoke.py --endpoint-name NAME [-d DEPLOYMENT]
    python smoke.py --scoring-uri URI --key KEY

Asks $AZ_ML (default mlops) for the scoring URI and key, posts the sample request, and exits 0
when every prediction falls in 0..100, else 1 with a line starting "SMOKE TEST FAILED".
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

REQUEST = Path(__file__).resolve().parents[2] / "endpoints" / "online" / "sample-request.json"
EXPECTED_RANGE = (0.0, 100.0)


def ask(*arguments):
    tool = shlex.split(os.environ.get("AZ_ML", "mlops"))
    done = subprocess.run([*tool, *arguments, "-o", "tsv"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def check(uri, key, deployment):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    if deployment:
        headers["azureml-model-deployment"] = deployment
    request = urllib.request.Request(uri, data=REQUEST.read_bytes(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            predictions = json.loads(response.read())["result"]
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"the service answered {error.code}") from error
    low, high = EXPECTED_RANGE
    outside = [p for p in predictions if not low <= p <= high]
    if outside:
        raise RuntimeError(f"predictions {outside} are outside the expected range {low}..{high}")
    return len(predictions)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint-name")
    parser.add_argument("--scoring-uri")
    parser.add_argument("--key")
    parser.add_argument("-d", "--deployment-name")
    args = parser.parse_args()
    try:
        if args.endpoint_name:
            uri = ask("online-endpoint", "show", "-n", args.endpoint_name, "--query", "scoring_uri")
            key = ask(
                "online-endpoint",
                "get-credentials",
                "-n",
                args.endpoint_name,
                "--query",
                "primaryKey",
            )
        else:
            uri, key = args.scoring_uri, args.key
        count = check(uri, key, args.deployment_name)
    except RuntimeError as error:
        print(f"SMOKE TEST FAILED: {error}", file=sys.stderr)
        return 1
    where = f"deployment {args.deployment_name}" if args.deployment_name else "endpoint"
    print(f"Smoke test passed ({where}): {count} predictions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
