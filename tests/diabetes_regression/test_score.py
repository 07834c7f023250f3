"""score.py's request checks, without a server (the online tests run it in one)."""

from __future__ import annotations

import pytest

from diabetes_regression.score import request_problem

ROW = [0.01] * 10


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([ROW], None),
        ([ROW, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], None),
        ("x", '"data" must be a list of rows, got str'),
        ({"a": 1}, '"data" must be a list of rows, got dict'),
        ([], '"data" is empty: send at least one row'),
        ([ROW[:9]], "row 0 has 9 values; the model expects 10"),
        ([ROW, (1,) * 10], "row 1 must be a list of 10 numbers, got tuple"),
        ([[None, *ROW[1:]]], "row 0, value 0 is not a number: None"),
        ([[*ROW[:9], False]], "row 0, value 9 is not a number: False"),
        ([[float("nan"), *ROW[1:]]], "row 0, value 0 is not finite: nan"),
        ([ROW] * 10_001, '"data" has 10001 rows; send at most 10000 per request'),
    ],
)
def test_request_problem_names_what_is_wrong(data, problem) -> None:
    assert request_problem(data, 10) == problem
