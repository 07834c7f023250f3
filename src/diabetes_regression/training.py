"""Model fitting: a pure function of the training rows and the hyperparameters."""

from __future__ import annotations

import pandas as pd
from sklearn.linear_model import Ridge

from diabetes_regression.data import features_and_target


def train_model(train: pd.DataFrame, alpha: float, fit_intercept: bool) -> Ridge:
    """Fit the regression model.

    Args:
        train: Training rows that passed the data contract.
        alpha: Ridge regularisation strength, >= 0.
        fit_intercept: Whether to fit an intercept term.

    Returns:
        The fitted model.

    Raises:
        ValueError: When alpha is negative.
    """
    if alpha < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha}.")
    features, target = features_and_target(train)
    # BYOC: your training function (model class and hyperparameters).
    return Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(features, target)
