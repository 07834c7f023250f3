"""Choosing each trial's parameters: Azure ML's random (with `seed`, `rule: sobol`), grid and
bayesian sampling.

Bayesian sampling here is Optuna's TPE (tree-structured Parzen estimator), not Azure's own
(Gaussian-process based) optimiser: same inputs and rules -- choice, uniform and quniform
only, no early termination -- but a different model, so the points it proposes differ.
"""

from __future__ import annotations

import itertools
import logging
import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops.sweep.space import Expression, SpaceError

BAYESIAN_TYPES = {"choice", "uniform", "quniform"}


@dataclass(frozen=True)
class Suggestion:
    """The parameters of one trial, and the sampler's handle to tell it the result."""

    parameters: dict[str, Any]
    token: Any = None


class RandomSampler:
    """Independent draws; `rule: sobol` draws a scrambled Sobol sequence (scipy's) instead."""

    def __init__(self, space: dict[str, Expression], seed: int | None, rule: str | None) -> None:
        self.space = space
        self.rule = (rule or "random").lower()
        if self.rule not in {"random", "sobol"}:
            raise SpaceError(f"sampling_algorithm.rule {rule!r}: use random or sobol.")
        if self.rule == "sobol":
            # Deferred: scipy's import is heavy and only the sobol rule needs it.
            from scipy.stats import qmc

            self._sobol = qmc.Sobol(d=len(space), scramble=True, seed=seed)
        self._random = random.Random(seed)

    def suggest(self) -> Suggestion | None:
        """The next trial's parameters."""
        if self.rule == "sobol":
            with warnings.catch_warnings():  # scipy's note that 2**m points balance best
                warnings.simplefilter("ignore")
                point = list(self._sobol.random(1)[0])
        else:
            point = [self._random.random() for _ in self.space]
        return Suggestion(
            {name: e.value(u) for (name, e), u in zip(self.space.items(), point, strict=True)}
        )

    def tell(self, suggestion: Suggestion, value: float | None) -> None:
        """Random sampling learns nothing from results."""


class GridSampler:
    """Every combination of the choices, in order; Azure's grid takes `choice` only."""

    def __init__(self, space: dict[str, Expression]) -> None:
        others = [e.name for e in space.values() if not e.discrete]
        if others:
            raise SpaceError(
                f"search_space.{others[0]}: grid sampling takes choice expressions only "
                "(Azure's rule); use random sampling or make it a choice."
            )
        self.size = 1
        for expression in space.values():
            self.size *= len(expression.values)
        self._points: Iterator[tuple[Any, ...]] = itertools.product(
            *(e.values for e in space.values())
        )
        self._names = list(space)

    def suggest(self) -> Suggestion | None:
        """The next combination, or None when every one has been suggested."""
        point = next(self._points, None)
        return None if point is None else Suggestion(dict(zip(self._names, point, strict=True)))

    def tell(self, suggestion: Suggestion, value: float | None) -> None:
        """Grid sampling learns nothing from results."""


class BayesianSampler:
    """Optuna's TPE, asked for one trial at a time and told each finished trial's metric."""

    def __init__(self, space: dict[str, Expression], goal: str, seed: int | None) -> None:
        unsupported = [e for e in space.values() if e.type not in BAYESIAN_TYPES]
        if unsupported:
            raise SpaceError(
                f"search_space.{unsupported[0].name}: bayesian sampling takes choice, uniform "
                f"and quniform expressions only (Azure's rule), not {unsupported[0].type}."
            )
        # Deferred: optuna's import is heavy and only bayesian sampling needs it.
        import optuna

        logging.getLogger("optuna").setLevel(logging.WARNING)
        with warnings.catch_warnings():  # constant_liar is marked experimental
            warnings.simplefilter("ignore")
            # constant_liar: trials still running count as bad guesses, so concurrent trials
            # spread out instead of all proposing the same point.
            sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=True)
        self._optuna = optuna
        self.space = space
        self.study = optuna.create_study(
            direction="maximize" if goal == "maximize" else "minimize", sampler=sampler
        )

    def suggest(self) -> Suggestion | None:
        """The next trial's parameters, from what the finished trials scored."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trial = self.study.ask()
            parameters = {}
            for name, e in self.space.items():
                if e.type == "choice":
                    index = trial.suggest_categorical(f"{name}#", list(range(len(e.values))))
                    parameters[name] = e.values[index]
                else:
                    raw = trial.suggest_float(name, float(e.min_value), float(e.max_value))
                    parameters[name] = e.quantise(raw) if e.q is not None else raw
        return Suggestion(parameters, trial)

    def tell(self, suggestion: Suggestion, value: float | None) -> None:
        """Record a finished trial's primary metric (None: it failed or logged none)."""
        state = self._optuna.trial.TrialState
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if value is None:
                self.study.tell(suggestion.token, state=state.FAIL)
            else:
                self.study.tell(suggestion.token, value)


Sampler = RandomSampler | GridSampler | BayesianSampler


def make_sampler(algorithm: dict[str, Any], space: dict[str, Expression], goal: str) -> Sampler:
    """The sampler a sweep's `sampling_algorithm` names.

    Raises:
        SpaceError: An unknown algorithm, or a space the algorithm cannot sample.
    """
    kind = str(algorithm.get("type", "random")).lower()
    seed = algorithm.get("seed")
    if kind == "random":
        return RandomSampler(space, seed, algorithm.get("rule"))
    if kind == "grid":
        return GridSampler(space)
    if kind == "bayesian":
        return BayesianSampler(space, goal, seed)
    raise SpaceError(f"sampling_algorithm.type {kind!r}: use random, grid or bayesian.")
