"""Early termination: Azure ML's bandit, median stopping and truncation selection policies,
applied to the primary metric values trials log as they run.

Each value a trial logs for the primary metric is one interval (Azure: "each time the training
script logs the primary metric counts as one interval"). A policy looks at a trial at every
interval that is a multiple of `evaluation_interval` and at least `delay_evaluation`, and
compares it with the other trials at that same interval.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from mlops.sweep.space import SpaceError

POLICY_TYPES = ("bandit", "median_stopping", "truncation_selection")


@dataclass(frozen=True)
class Policy:
    """An early termination policy, as a sweep's `early_termination` gives it."""

    type: str
    evaluation_interval: int = 1
    delay_evaluation: int = 0
    slack_factor: float = 0.0
    slack_amount: float = 0.0
    truncation_percentage: int = 0
    exclude_finished_jobs: bool = False

    def applies_at(self, interval: int) -> bool:
        """Whether the policy looks at a trial at this (1-based) interval."""
        every = max(1, self.evaluation_interval)
        return interval % every == 0 and interval >= self.delay_evaluation


def parse_policy(spec: dict | None) -> Policy | None:
    """The policy of an `early_termination` mapping (None: no early termination).

    Raises:
        SpaceError: An unknown type, or a bandit policy without slack.
    """
    if not spec:
        return None
    kind = str(spec.get("type", "")).lower()
    if kind not in POLICY_TYPES:
        raise SpaceError(f"early_termination.type {kind!r}: use one of {', '.join(POLICY_TYPES)}.")
    policy = Policy(
        type=kind,
        evaluation_interval=int(spec.get("evaluation_interval") or 1),
        delay_evaluation=int(spec.get("delay_evaluation") or 0),
        slack_factor=float(spec.get("slack_factor") or 0.0),
        slack_amount=float(spec.get("slack_amount") or 0.0),
        truncation_percentage=int(spec.get("truncation_percentage") or 0),
        exclude_finished_jobs=bool(spec.get("exclude_finished_jobs") or False),
    )
    if kind == "bandit" and not (policy.slack_factor or policy.slack_amount):
        raise SpaceError("early_termination: a bandit policy needs slack_factor or slack_amount.")
    if kind == "truncation_selection" and not 1 <= policy.truncation_percentage <= 99:
        raise SpaceError("early_termination.truncation_percentage: give a number from 1 to 99.")
    return policy


def to_stop(
    policy: Policy,
    maximize: bool,
    histories: dict[str, list[float]],
    running: set[str],
    checked: dict[str, int],
) -> list[str]:
    """The running trials the policy terminates now.

    Args:
        policy: The policy.
        maximize: The objective's goal.
        histories: Every trial's primary metric values so far, in the order logged.
        running: The trials still running (only these can be terminated).
        checked: Per trial, the last interval already evaluated; updated here.

    Returns:
        The trials to cancel.
    """
    stopped = []
    for trial in sorted(running):
        values = histories.get(trial, [])
        for interval in range(checked.get(trial, 0) + 1, len(values) + 1):
            checked[trial] = interval
            if policy.applies_at(interval) and _fails(
                policy, maximize, trial, interval, histories, running
            ):
                stopped.append(trial)
                break
    return stopped


def _fails(
    policy: Policy,
    maximize: bool,
    trial: str,
    interval: int,
    histories: dict[str, list[float]],
    running: set[str],
) -> bool:
    reached = {name: values for name, values in histories.items() if len(values) >= interval}
    mine = histories[trial][interval - 1]
    sign = 1.0 if maximize else -1.0
    if policy.type == "bandit":
        at_interval = [values[interval - 1] for values in reached.values()]
        best = max(at_interval) if maximize else min(at_interval)
        if policy.slack_factor:
            # Azure: a run is cancelled when its value plus the slack ratio does not reach the
            # best one (maximize); for minimize the same ratio above the best.
            bound = (
                best / (1 + policy.slack_factor) if maximize else best * (1 + policy.slack_factor)
            )
        else:
            bound = best - sign * policy.slack_amount
        return sign * mine < sign * bound
    if policy.type == "median_stopping":
        averages = [statistics.fmean(values[:interval]) for values in reached.values()]
        own = histories[trial][:interval]
        best_so_far = max(own) if maximize else min(own)
        return sign * best_so_far < sign * statistics.median(averages)
    # truncation_selection: the lowest truncation_percentage % of the trials at this interval.
    pool = {
        name: values[interval - 1]
        for name, values in reached.items()
        if not (policy.exclude_finished_jobs and name not in running)
    }
    cut = int(len(pool) * policy.truncation_percentage / 100)
    worst_first = sorted(pool, key=lambda name: (sign * pool[name], name))
    return trial in worst_first[:cut]
