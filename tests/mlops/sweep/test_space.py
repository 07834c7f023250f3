"""Search space expressions: every type within its bounds, quantised ones on their grid."""

from __future__ import annotations

import math
import random

import pytest

from mlops.sweep.space import SpaceError, parse_expression, parse_space

_RNG = random.Random(7)
_DRAWS = [_RNG.random() for _ in range(400)]


def _values(spec: dict) -> list:
    expression = parse_expression("p", spec, "search_space.p")
    return [expression.value(u) for u in [0.0, *_DRAWS]]


def _on_grid(value: float, q: float) -> bool:
    return math.isclose(value / q, round(value / q), abs_tol=1e-9)


def test_choice_takes_every_value_and_only_those():
    values = _values({"type": "choice", "values": ["a", "b", 3]})
    assert set(values) == {"a", "b", 3}


def test_randint_is_zero_up_to_upper_excluded():
    values = _values({"type": "randint", "upper": 4})
    assert set(values) == {0, 1, 2, 3}
    assert all(isinstance(v, int) for v in values)


def test_uniform_stays_within_its_bounds():
    values = _values({"type": "uniform", "min_value": -2, "max_value": 3})
    assert all(-2 <= v <= 3 for v in values)
    assert min(values) < -1.5 and max(values) > 2.5


def test_quniform_lies_on_its_grid_within_rounded_bounds():
    values = _values({"type": "quniform", "min_value": 0, "max_value": 10, "q": 3})
    assert set(values) <= {0, 3, 6, 9}
    assert all(isinstance(v, int) for v in values)
    fractional = _values({"type": "quniform", "min_value": 0, "max_value": 1, "q": 0.25})
    assert set(fractional) == {0.0, 0.25, 0.5, 0.75, 1.0}


def test_loguniform_bounds_are_exponents():
    values = _values({"type": "loguniform", "min_value": -3, "max_value": 1})
    assert all(math.exp(-3) <= v <= math.exp(1) for v in values)
    # Log-uniform: about half the draws fall below exp(-1), the midpoint of the exponents.
    below = sum(v < math.exp(-1) for v in values) / len(values)
    assert 0.4 < below < 0.6


def test_qloguniform_is_rounded_exp_of_uniform():
    values = _values({"type": "qloguniform", "min_value": 0, "max_value": 3, "q": 2})
    assert all(v % 2 == 0 and 0 <= v <= round(math.exp(3) / 2) * 2 for v in values)


def test_normal_has_its_mean_and_spread():
    values = _values({"type": "normal", "mu": 10, "sigma": 2})
    assert abs(sum(values) / len(values) - 10) < 0.5
    assert any(v < 8 for v in values) and any(v > 12 for v in values)


def test_qnormal_lies_on_its_grid():
    values = _values({"type": "qnormal", "mu": 0, "sigma": 1, "q": 0.5})
    assert all(_on_grid(v, 0.5) for v in values)


def test_lognormal_is_positive_with_log_mean_mu():
    values = _values({"type": "lognormal", "mu": 1, "sigma": 0.5})
    assert all(v > 0 for v in values)
    assert abs(sum(math.log(v) for v in values) / len(values) - 1) < 0.15


def test_qlognormal_lies_on_its_grid_and_is_not_negative():
    values = _values({"type": "qlognormal", "mu": 1, "sigma": 1, "q": 5})
    assert all(v >= 0 and v % 5 == 0 for v in values)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"type": "gaussian", "mu": 0}, "use one of"),
        ({"type": "uniform", "min_value": 1}, "needs max_value"),
        ({"type": "uniform", "min_value": 2, "max_value": 1}, "swap them"),
        ({"type": "choice", "values": []}, "at least one"),
        ({"type": "randint", "upper": 0}, "upper must be >= 1"),
        ({"type": "qnormal", "mu": 0, "sigma": 1, "q": 0}, "q: must be above 0"),
    ],
)
def test_malformed_expressions_name_the_field_and_fix(spec, words):
    with pytest.raises(SpaceError, match=words) as raised:
        parse_space({"lr": spec})
    assert "search_space.lr" in str(raised.value)
