"""Early termination policies on the intermediate values trials log."""

from __future__ import annotations

import pytest

from mlops.sweep.space import SpaceError
from mlops.sweep.termination import parse_policy, to_stop


def _stopped(spec: dict, histories: dict, maximize: bool = True, running=None) -> list[str]:
    policy = parse_policy(spec)
    assert policy is not None
    running = set(histories) if running is None else running
    return to_stop(policy, maximize, histories, running, {})


def test_bandit_slack_factor_stops_runs_outside_the_ratio_of_the_best():
    histories = {"best": [0.8], "close": [0.7], "far": [0.6]}
    # 0.7 * 1.2 = 0.84 reaches 0.8; 0.6 * 1.2 = 0.72 does not (Azure's example).
    assert _stopped({"type": "bandit", "slack_factor": 0.2}, histories) == ["far"]


def test_bandit_slack_amount_and_minimize():
    histories = {"best": [1.0], "close": [1.15], "far": [1.3]}
    assert _stopped({"type": "bandit", "slack_amount": 0.2}, histories, maximize=False) == ["far"]


def test_delay_and_interval_decide_when_a_policy_looks():
    spec = {"type": "bandit", "slack_amount": 0.1, "evaluation_interval": 2, "delay_evaluation": 3}
    # Bad at intervals 1-3, but the policy first looks at interval 4 (a multiple of 2, >= 3).
    histories = {"good": [1, 1, 1], "bad": [0, 0, 0]}
    assert _stopped(spec, histories) == []
    histories = {"good": [1, 1, 1, 1], "bad": [0, 0, 0, 0]}
    assert _stopped(spec, histories) == ["bad"]


def test_median_stopping_stops_runs_whose_best_is_below_the_median_of_averages():
    histories = {"a": [0.9, 0.9], "b": [0.6, 0.7], "c": [0.1, 0.2], "d": [0.6, 0.8]}
    # Interval 1: averages 0.9, 0.6, 0.1, 0.6, median 0.6: c (0.1) is below, b and d are not.
    # Interval 2: averages 0.9, 0.65, 0.15, 0.7, median 0.675: c's best, 0.2, is below.
    assert _stopped({"type": "median_stopping"}, histories) == ["c"]


def test_truncation_selection_cancels_the_lowest_percentage_at_the_interval():
    histories = {name: [value] for name, value in zip("abcde", [5, 4, 3, 2, 1], strict=True)}
    spec = {"type": "truncation_selection", "truncation_percentage": 40}
    assert sorted(_stopped(spec, histories)) == ["d", "e"]
    # Minimize: the largest values are the worst.
    assert sorted(_stopped(spec, histories, maximize=False)) == ["a", "b"]


def test_truncation_selection_can_exclude_finished_trials():
    histories = {"done": [0.0], "a": [1.0], "b": [2.0], "c": [3.0]}
    spec = {"type": "truncation_selection", "truncation_percentage": 50}
    running = {"a", "b", "c"}
    assert _stopped(spec, histories, running=running) == ["a"]
    excluded = {**spec, "exclude_finished_jobs": True}
    assert _stopped(excluded, histories, running=running) == ["a"]
    histories["done"] = [0.0]
    assert _stopped({**spec, "truncation_percentage": 25}, histories, running=running) == []


def test_finished_trials_are_not_stopped_and_intervals_are_checked_once():
    policy = parse_policy({"type": "bandit", "slack_amount": 0.1})
    assert policy is not None
    checked: dict[str, int] = {}
    histories = {"a": [1.0], "b": [0.0]}
    assert to_stop(policy, True, histories, {"a"}, checked) == []
    assert to_stop(policy, True, histories, {"a", "b"}, checked) == ["b"]
    assert to_stop(policy, True, histories, {"a", "b"}, checked) == []


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"type": "bandit"}, "slack_factor or slack_amount"),
        ({"type": "truncation_selection"}, "1 to 99"),
        ({"type": "hyperband"}, "use one of"),
    ],
)
def test_malformed_policies_are_refused(spec, words):
    with pytest.raises(SpaceError, match=words):
        parse_policy(spec)
