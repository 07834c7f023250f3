"""A sweep's settings: objective, limits bounded by the machine, Azure's sampling rules."""

from __future__ import annotations

import pytest

from mlops.sweep.space import SpaceError
from mlops.sweep.spec import parse_spec

BASE = {
    "search_space": {"a": {"type": "choice", "values": [1, 2, 3]}},
    "objective": {"primary_metric": "score", "goal": "maximize"},
}


def test_limits_bound_concurrency_by_cores_and_trials():
    spec = parse_spec(
        {**BASE, "limits": {"max_total_trials": 3, "max_concurrent_trials": 8, "timeout": 60}},
        cores=2,
    )
    assert spec.limits.max_total_trials == 3
    assert spec.limits.max_concurrent_trials == 2
    assert spec.limits.timeout == 60 and spec.limits.trial_timeout is None
    assert spec.maximize and spec.primary_metric == "score"


def test_a_grid_runs_at_most_its_size():
    spec = parse_spec({**BASE, "sampling_algorithm": {"type": "grid"}}, cores=2)
    assert spec.limits.max_total_trials == 3


def test_the_sampling_algorithm_may_be_written_as_its_type_alone():
    spec = parse_spec({**BASE, "sampling_algorithm": "grid"}, cores=2)
    assert spec.limits.max_total_trials == 3


def test_bayesian_takes_no_early_termination():
    with pytest.raises(SpaceError, match="bayesian sampling takes no early termination"):
        parse_spec(
            {
                **BASE,
                "sampling_algorithm": {"type": "bayesian"},
                "early_termination": {"type": "median_stopping"},
            }
        )


def test_the_objective_is_required():
    with pytest.raises(SpaceError, match=r"objective\.goal"):
        parse_spec({**BASE, "objective": {"primary_metric": "x", "goal": "up"}})
