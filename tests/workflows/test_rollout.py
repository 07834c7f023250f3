"""scripts/rollout.sh end to end against real local endpoints, with AZ_ML=mlops: it rolls out
the tool's tiny project (its endpoint, deployments, model and smoke test, passed through the
script's ENDPOINT, MODEL, DEPLOYMENTS and SMOKE_TEST), never the sample."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tool_fixtures import ENDPOINT, MODEL, ONLINE, REQUEST_FILE, SMOKE_TEST, register_model

REPO = Path(__file__).resolve().parents[2]

# Each test runs the rollout script end to end (deploy, smoke test, traffic): up to 9 minutes
# on a loaded 2-core machine, so the suite's 600 s per test is too close.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _interrupting_smoke_test(folder: Path, signal: str) -> str:
    """A smoke test that passes once, then sends `signal` to the rollout (its parent process)
    on its second call: right after the first traffic step, as a cancelled workflow would."""
    script = folder / f"smoke_{signal}.sh"
    calls = folder / f"smoke_{signal}.calls"
    script.write_text(
        f"#!/bin/sh\necho call >> {calls}\n"
        f"if [ $(wc -l < {calls}) -eq 2 ]; then kill -{signal} $PPID; fi\n"
    )
    script.chmod(0o755)
    return str(script)


def _rollout(version: int, smoke_test: str | None = None) -> subprocess.CompletedProcess[str]:
    python = sys.executable
    environment = {
        **os.environ,
        "AZ_ML": f"{python} -m mlops",
        "SMOKE_TEST": smoke_test or f"{python} {SMOKE_TEST}",
        "ENDPOINT": ENDPOINT,
        "MODEL": MODEL,
        "DEPLOYMENTS": str(ONLINE),
        "MIRROR_PERCENT": "0" if smoke_test else "20",
    }
    return subprocess.run(
        ["bash", "scripts/rollout.sh", str(version)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_good_rolls_out_bad_and_interrupted_roll_back_killed_recovers(mlops_home: Path) -> None:
    from mlops.online import deployments, endpoints

    # Version 3 answers 100 times too high: the smoke test rejects it.
    for slope, scale in ((1.0, 1.0), (2.0, 1.0), (1.0, 100.0)):
        register_model(mlops_home.parent, slope, scale)
    try:
        first = _rollout(1)
        assert first.returncode == 0, first.stderr
        assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"blue": 100}

        second = _rollout(2)
        assert second.returncode == 0, second.stderr
        assert "traffic: blue=90 green=10" in second.stderr
        assert "mirroring 20% of live traffic to green" in second.stderr
        assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"green": 100}
        assert [d["name"] for d in deployments.list_deployments(ENDPOINT)] == ["green"]
        assert deployments.show_deployment(ENDPOINT, "green")["model"] == f"azureml:{MODEL}:2"

        bad = _rollout(3)
        assert bad.returncode != 0
        assert "SMOKE TEST FAILED" in bad.stderr and "outside the expected" in bad.stderr
        assert "FAILED: putting traffic back on green and deleting blue" in bad.stderr
        assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"green": 100}
        assert [d["name"] for d in deployments.list_deployments(ENDPOINT)] == ["green"]
        assert endpoints.invoke(ENDPOINT, REQUEST_FILE)["result"]

        cancelled = _rollout(1, _interrupting_smoke_test(mlops_home.parent, "TERM"))
        assert cancelled.returncode == 130, cancelled.stderr
        assert "traffic: green=90 blue=10" in cancelled.stderr
        assert "interrupted" in cancelled.stderr
        assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"green": 100}
        assert [d["name"] for d in deployments.list_deployments(ENDPOINT)] == ["green"]

        killed = _rollout(1, _interrupting_smoke_test(mlops_home.parent, "KILL"))
        assert killed.returncode == -9
        assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"green": 90, "blue": 10}
        recovered = _rollout(1)
        assert recovered.returncode == 0, recovered.stderr
        assert "removing the blue left by an earlier rollout" in recovered.stderr
        assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"blue": 100}
        assert [d["name"] for d in deployments.list_deployments(ENDPOINT)] == ["blue"]
        assert deployments.show_deployment(ENDPOINT, "blue")["model"] == f"azureml:{MODEL}:1"
    finally:
        if endpoints.list_endpoints():
            endpoints.delete_endpoint(ENDPOINT)
