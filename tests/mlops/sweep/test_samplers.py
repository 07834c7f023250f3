"""The samplers: random (seeded, Sobol), grid (exhaustive, choice only), bayesian (Optuna)."""

from __future__ import annotations

import pytest

from mlops.sweep.samplers import make_sampler
from mlops.sweep.space import SpaceError, parse_space

SPACE = {
    "alpha": {"type": "uniform", "min_value": 0, "max_value": 1},
    "kind": {"type": "choice", "values": ["a", "b", "c"]},
}


def _draw(algorithm: dict, space: dict = SPACE, n: int = 8, score=None) -> list[dict]:
    sampler = make_sampler(algorithm, parse_space(space), "maximize")
    drawn = []
    for _ in range(n):
        suggestion = sampler.suggest()
        if suggestion is None:
            break
        drawn.append(suggestion.parameters)
        sampler.tell(suggestion, score(suggestion.parameters) if score else None)
    return drawn


def test_random_sampling_is_repeatable_with_a_seed_and_differs_without():
    first = _draw({"type": "random", "seed": 5})
    assert first == _draw({"type": "random", "seed": 5})
    assert first != _draw({"type": "random", "seed": 6})
    assert all(0 <= p["alpha"] <= 1 and p["kind"] in "abc" for p in first)


def test_sobol_spreads_points_evenly():
    points = _draw({"type": "random", "seed": 1, "rule": "sobol"}, n=16)
    assert points == _draw({"type": "random", "seed": 1, "rule": "sobol"}, n=16)
    # A scrambled Sobol sequence of 16 points puts exactly 4 in each quarter of [0, 1).
    quarters = [int(p["alpha"] * 4) for p in points]
    assert sorted(quarters) == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4


def test_an_unknown_rule_is_refused():
    with pytest.raises(SpaceError, match="random or sobol"):
        _draw({"type": "random", "rule": "halton"})


def test_grid_is_exhaustive_and_ends():
    space = {
        "a": {"type": "choice", "values": [1, 2, 3]},
        "b": {"type": "choice", "values": ["x", "y"]},
    }
    points = _draw({"type": "grid"}, space, n=100)
    assert len(points) == 6
    assert {(p["a"], p["b"]) for p in points} == {(a, b) for a in (1, 2, 3) for b in "xy"}


def test_grid_refuses_a_non_choice_expression():
    with pytest.raises(SpaceError, match=r"search_space.alpha: grid sampling takes choice"):
        _draw({"type": "grid"})


def test_bayesian_learns_towards_the_better_region():
    space = {"x": {"type": "uniform", "min_value": 0, "max_value": 10}}
    points = _draw({"type": "bayesian", "seed": 3}, space, n=30, score=lambda p: -abs(p["x"] - 8))
    assert points == _draw(
        {"type": "bayesian", "seed": 3}, space, n=30, score=lambda p: -abs(p["x"] - 8)
    )
    late = [abs(p["x"] - 8) for p in points[20:]]
    early = [abs(p["x"] - 8) for p in points[:10]]
    assert sum(late) / len(late) < sum(early) / len(early)


def test_bayesian_quantises_and_refuses_log_expressions():
    space = {"x": {"type": "quniform", "min_value": 0, "max_value": 10, "q": 2}}
    assert all(p["x"] % 2 == 0 for p in _draw({"type": "bayesian", "seed": 1}, space))
    with pytest.raises(SpaceError, match="choice, uniform and quniform"):
        _draw({"type": "bayesian"}, {"x": {"type": "loguniform", "min_value": 0, "max_value": 1}})
