"""Search space expressions, sampled exactly as Azure ML defines them.

Every expression turns one number `u` in (0, 1) into a value, so random and Sobol sampling
share one definition: `u` is the quantile of the expression's underlying uniform or normal
variable. Azure's definitions (azureml.train.hyperdrive.parameter_expressions):

* choice(values): one of the values; randint(upper): an integer in [0, upper)
* uniform(min, max); quniform(min, max, q) = round(uniform(min, max) / q) * q
* loguniform(min, max) = exp(uniform(min, max)) -- the bounds are exponents
* qloguniform(min, max, q) = round(exp(uniform(min, max)) / q) * q
* normal(mu, sigma); qnormal(mu, sigma, q) = round(normal(mu, sigma) / q) * q
* lognormal(mu, sigma) = exp(normal(mu, sigma)); qlognormal = round(exp(normal) / q) * q
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from mlops.errors import MlopsError

_FIELDS = {
    "choice": ("values",),
    "randint": ("upper",),
    "uniform": ("min_value", "max_value"),
    "quniform": ("min_value", "max_value", "q"),
    "loguniform": ("min_value", "max_value"),
    "qloguniform": ("min_value", "max_value", "q"),
    "normal": ("mu", "sigma"),
    "qnormal": ("mu", "sigma", "q"),
    "lognormal": ("mu", "sigma"),
    "qlognormal": ("mu", "sigma", "q"),
}
EXPRESSION_TYPES = tuple(_FIELDS)
# Quantiles this close to 0 or 1 would give an infinite normal value.
_EDGE = 1e-12


class SpaceError(MlopsError):
    """A search space expression is malformed."""


@dataclass(frozen=True)
class Expression:
    """One hyperparameter's expression, with only the fields its type uses set."""

    name: str
    type: str
    values: tuple[Any, ...] = ()
    upper: int = 0
    min_value: float = 0.0
    max_value: float = 0.0
    mu: float = 0.0
    sigma: float = 1.0
    q: float | None = None

    @property
    def discrete(self) -> bool:
        """Whether grid sampling can enumerate it (Azure's grid takes `choice` only)."""
        return self.type == "choice"

    def value(self, u: float) -> Any:
        """The expression's value at quantile `u` of its underlying variable.

        Args:
            u: A number in [0, 1).

        Returns:
            The sampled value: an element of `values`, an int, or a float (an int when the
            quantisation step `q` is an integer, so an integer input accepts it).
        """
        u = min(max(u, 0.0), 1.0 - _EDGE)
        if self.type == "choice":
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        if self.type == "randint":
            return min(int(u * self.upper), self.upper - 1)
        if self.type in {"uniform", "quniform", "loguniform", "qloguniform"}:
            raw = self.min_value + u * (self.max_value - self.min_value)
        else:
            raw = NormalDist(self.mu, self.sigma).inv_cdf(min(max(u, _EDGE), 1.0 - _EDGE))
        if self.type.removeprefix("q").startswith("log"):
            raw = math.exp(raw)
        return self.quantise(raw) if self.q is not None else raw

    def quantise(self, raw: float) -> float | int:
        """round(raw / q) * q, as Azure's q-expressions do."""
        assert self.q is not None
        stepped = round(raw / self.q) * self.q
        if float(self.q).is_integer():
            return round(stepped)
        # Keep the step's own decimals: 0.1 * 3 is 0.30000000000000004 otherwise.
        decimals = max(0, -math.floor(math.log10(abs(self.q)))) + 6
        return round(stepped, decimals)


def parse_space(search_space: dict[str, Any], where: str = "search_space") -> dict[str, Expression]:
    """The expressions of a sweep's `search_space`, as azure-ai-ml serialises it.

    Raises:
        SpaceError: An unknown type, a missing field, empty choices or reversed bounds.
    """
    return {
        name: parse_expression(name, spec, f"{where}.{name}") for name, spec in search_space.items()
    }


def parse_expression(name: str, spec: dict[str, Any], where: str) -> Expression:
    """One expression (see `parse_space`)."""
    kind = str(spec.get("type", "")).lower()
    if kind not in _FIELDS:
        raise SpaceError(f"{where}.type {kind!r}: use one of {', '.join(EXPRESSION_TYPES)}.")
    missing = [key for key in _FIELDS[kind] if spec.get(key) is None]
    if missing:
        raise SpaceError(f"{where}: a {kind} expression needs {', '.join(missing)}.")
    fields: dict[str, Any] = {key: spec[key] for key in _FIELDS[kind]}
    if kind == "choice":
        fields["values"] = tuple(spec["values"])
        if not fields["values"]:
            raise SpaceError(f"{where}.values: give at least one value.")
    if kind == "randint" and int(fields["upper"]) < 1:
        raise SpaceError(f"{where}.upper: randint draws from [0, upper); upper must be >= 1.")
    if "min_value" in fields and float(fields["min_value"]) > float(fields["max_value"]):
        raise SpaceError(f"{where}: min_value is above max_value; swap them.")
    if "sigma" in fields and float(fields["sigma"]) <= 0:
        raise SpaceError(f"{where}.sigma: must be above 0.")
    if "q" in fields and float(fields["q"]) <= 0:
        raise SpaceError(f"{where}.q: must be above 0.")
    return Expression(name=name, type=kind, **fields)
