"""Review 44, evaluation: ThresholdMover.fit with pandas labels or weights
holding X's index in another order (paired by position, silently)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover


def _frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    index = np.arange(n) + 100
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)}, index=index)
    y = pd.Series((rng.random(n) < 0.3).astype(int), index=index, name="y")
    y.iloc[:3] = [0, 1, 1]
    X["a"] += 1.5 * y
    w = pd.Series(rng.integers(1, 5, n).astype(float), index=index, name="w")
    return X, y, w


@pytest.mark.parametrize("strategy", ["prior", "argmax", "tuned"])
def test_threshold_mover_refuses_y_holding_x_index_in_another_order(strategy):
    # The samplers, ResampledClassifier, compare and thin_class refuse it;
    # ThresholdMover fitted the labels to other rows' features, silently.
    X, y, _ = _frame()
    shuffled = y.sample(frac=1, random_state=1)
    model = ThresholdMover(LogisticRegression(), strategy, cv=3)
    with pytest.raises(ValueError, match=r"y holds the index of X in another order"):
        model.fit(X, shuffled)
    assert not hasattr(model, "estimator_")


@pytest.mark.parametrize("frozen", [False, True])
def test_threshold_mover_refuses_sample_weight_holding_x_index_reordered(frozen):
    X, y, w = _frame()
    estimator = LogisticRegression()
    if frozen:
        estimator = FrozenEstimator(estimator.fit(X, y))
    model = ThresholdMover(estimator, "prior")
    shuffled = w.sample(frac=1, random_state=2)
    with pytest.raises(ValueError, match=r"sample_weight holds the index of X"):
        model.fit(X, y, sample_weight=shuffled)
    # numpy X: the weights are checked against y's index.
    with pytest.raises(ValueError, match=r"sample_weight holds the index of y"):
        model.fit(X.to_numpy(), y, sample_weight=shuffled)


def test_threshold_mover_weights_in_order_or_fresh_index_are_positional():
    X, y, w = _frame()
    reference = ThresholdMover(LogisticRegression(), "prior").fit(
        X.to_numpy(), y.to_numpy(), sample_weight=w.to_numpy()
    )
    for weights in (w, w.reset_index(drop=True), w.to_numpy()):
        model = ThresholdMover(LogisticRegression(), "prior").fit(
            X, y, sample_weight=weights
        )
        np.testing.assert_allclose(model.train_priors_, reference.train_priors_)
        np.testing.assert_allclose(
            model.predict_proba(X), reference.predict_proba(X.to_numpy())
        )


def test_frozen_classifier_deploy_train_with_auto_train_priors_warns_no_op():
    # A classifier fitted on under-sampled rows elsewhere, then frozen: 'auto'
    # takes the priors of the y given to fit (it cannot know the rows the
    # model saw), which are those of deploy_priors='train': the probabilities
    # were not moved, without a word.
    X, y, _ = _frame(n=400, seed=4)
    from rebalance import RandomUnderSampler

    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    fitted = LogisticRegression().fit(X_res, y_res)
    mover = ThresholdMover(FrozenEstimator(fitted), "argmax", deploy_priors="train")
    with pytest.warns(UserWarning, match=r"moves the probabilities nowhere"):
        mover.fit(X, y)
    np.testing.assert_allclose(mover.predict_proba(X), fitted.predict_proba(X))
    # Given the training priors, it corrects, without the warning.
    given = ThresholdMover(
        FrozenEstimator(fitted),
        "argmax",
        train_priors=[0.5, 0.5],
        deploy_priors="train",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        given.fit(X, y)
    assert given.predict_proba(X)[:, 1].mean() < fitted.predict_proba(X)[:, 1].mean()
