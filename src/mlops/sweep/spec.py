"""A sweep job's settings, read from azure-ai-ml's serialisation of the loaded YAML."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from mlops.sweep.samplers import BAYESIAN_TYPES
from mlops.sweep.space import Expression, SpaceError, parse_space
from mlops.sweep.termination import Policy, parse_policy

# Used when `limits` leaves them out: Azure's service defaults are not written down in the
# YAML reference, so a local sweep is bounded by these (a grid by its size).
DEFAULT_MAX_TOTAL_TRIALS = 1000


@dataclass(frozen=True)
class Limits:
    """How many trials, how many at once, and how long (seconds; None: unbounded)."""

    max_total_trials: int
    max_concurrent_trials: int
    timeout: float | None = None
    trial_timeout: float | None = None


@dataclass(frozen=True)
class SweepSpec:
    """Everything about a sweep except its trial: space, sampling, objective, limits, policy."""

    space: dict[str, Expression]
    sampling: dict[str, Any]
    primary_metric: str
    maximize: bool
    limits: Limits
    policy: Policy | None


def parse_spec(document: dict[str, Any], cores: int | None = None) -> SweepSpec:
    """Read a sweep's settings.

    Args:
        document: The sweep job (or node) as a mapping (`job._to_dict()`).
        cores: The machine's cores, which bound the concurrent trials (default: os.cpu_count()).

    Raises:
        SpaceError: A field is malformed, or the sampling algorithm cannot take the space.
    """
    space = parse_space(document.get("search_space") or {})
    if not space:
        raise SpaceError("search_space: give at least one hyperparameter.")
    sampling = document.get("sampling_algorithm") or {"type": "random"}
    # Azure accepts the short form `sampling_algorithm: random` as well as a mapping.
    sampling = {"type": sampling} if isinstance(sampling, str) else dict(sampling)
    if isinstance(document.get("sampling_algorithm"), str):
        sampling = {"type": document["sampling_algorithm"]}
    objective = document.get("objective") or {}
    if not objective.get("primary_metric"):
        raise SpaceError("objective.primary_metric: name the metric each trial logs to MLflow.")
    goal = str(objective.get("goal", "")).lower()
    if goal not in {"maximize", "minimize"}:
        raise SpaceError(f"objective.goal {goal!r}: use maximize or minimize.")
    policy = parse_policy(document.get("early_termination"))
    kind = str(sampling.get("type", "random")).lower()
    if kind == "bayesian" and policy is not None:
        raise SpaceError(
            "early_termination: bayesian sampling takes no early termination policy "
            "(Azure's rule); remove it or sample at random."
        )
    if kind == "grid":
        others = [e.name for e in space.values() if not e.discrete]
        if others:
            raise SpaceError(
                f"search_space.{others[0]}: grid sampling takes choice expressions only "
                "(Azure's rule); use random sampling or make it a choice."
            )
    if kind == "bayesian":
        odd = [e for e in space.values() if e.type not in BAYESIAN_TYPES]
        if odd:
            raise SpaceError(
                f"search_space.{odd[0].name}: bayesian sampling takes choice, uniform and "
                f"quniform expressions only (Azure's rule), not {odd[0].type}."
            )
    return SweepSpec(
        space,
        sampling,
        str(objective["primary_metric"]),
        goal == "maximize",
        parse_limits(document.get("limits") or {}, space, kind, cores),
        policy,
    )


def parse_limits(
    limits: dict[str, Any], space: dict[str, Expression], kind: str, cores: int | None = None
) -> Limits:
    """The sweep's limits; concurrency is also bounded by the machine's cores."""
    total = limits.get("max_total_trials")
    if total is None:
        total = DEFAULT_MAX_TOTAL_TRIALS
    if kind == "grid":
        size = 1
        for expression in space.values():
            size *= len(expression.values) if expression.discrete else 1
        total = min(int(total), size)
    cores = cores or os.cpu_count() or 1
    concurrent = int(limits.get("max_concurrent_trials") or cores)
    if int(total) < 1 or concurrent < 1:
        raise SpaceError("limits: max_total_trials and max_concurrent_trials must be >= 1.")
    return Limits(
        int(total),
        max(1, min(concurrent, cores, int(total))),
        _seconds(limits.get("timeout")),
        _seconds(limits.get("trial_timeout")),
    )


def _seconds(value: Any) -> float | None:
    return float(value) if value not in (None, 0, "") else None
