"""Review round 40, models: the algorithm-level estimators with scikit-learn's
meta tools.

* ``ThresholdMover(BaggingClassifier(bootstrap=False, max_samples<1))``
  fitted with ``sample_weight`` on scikit-learn 1.6/1.7 gave the weighted
  class shares of all of ``y`` as ``train_priors_``, where those versions fit
  each member on its own draw of the rows (weights 0 outside it): the
  members' mean differs. Without ``sample_weight`` (every version), the
  shares of ``y`` were given too, not those of the members' draws.
* ``ThresholdMover(FrozenEstimator(bagging))`` (or ``prefit=True``) of a
  ``BaggingClassifier(bootstrap=False)`` fitted with ``sample_weight`` on
  other rows (scikit-learn >= 1.8) read that bagging's draws as rows of the
  ``y`` given to ``fit``: priors of arbitrary rows instead of those of ``y``.
* ``ThresholdMover(strategy='tuned', scoring=scorer)`` called a scorer of
  one's own, ``scorer(estimator, X, y)``, with an X of zeros instead of the
  validation rows: a scorer that reads X (a profit by the amount of each
  row) scored every threshold on zeros and picked a wrong one, silently.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import BaggingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.tree import DecisionTreeClassifier

from rebalance import ThresholdMover

ROOT = Path(__file__).resolve().parents[2]


def _uninformative(n=400, seed=0):
    # X says nothing of the class: each member's probabilities are the
    # class priors it was fitted at, and the ensemble's are their mean.
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    weight = rng.random(n) * np.where(y == 1, 3.0, 1.0)
    return np.zeros((n, 1)), y, weight


def _bagging_priors_gap(inner, max_samples, weighted):
    """|train_priors_ - mean predicted probability| of a ThresholdMover
    around BaggingClassifier(bootstrap=False)."""
    X, y, weight = _uninformative()
    bagging = BaggingClassifier(
        inner, n_estimators=5, bootstrap=False, max_samples=max_samples, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sample_weight without bootstrap
        mover = ThresholdMover(bagging, "prior").fit(
            X, y, sample_weight=weight if weighted else None
        )
    follows = mover.estimator_.predict_proba(X).mean(axis=0)
    return float(np.abs(mover.train_priors_ - follows).max())


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("max_samples", [0.5, 150])
@pytest.mark.parametrize(
    "inner",
    [
        DecisionTreeClassifier(),
        DecisionTreeClassifier(class_weight="balanced"),
        LogisticRegression(),
    ],
    ids=["tree", "balanced-tree", "logistic"],
)
def test_bagging_subsample_priors_are_the_members(inner, max_samples, weighted):
    assert _bagging_priors_gap(inner, max_samples, weighted) < 1e-4


_OLD_SKLEARN_CHECK = textwrap.dedent(
    """
    import json, sys, warnings
    import numpy as np
    import sklearn
    sys.path.insert(0, sys.argv[1])
    sys.path.insert(0, sys.argv[2])
    from test_review40_models import _bagging_priors_gap
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier
    gaps = [
        _bagging_priors_gap(inner, max_samples, True)
        for inner in (DecisionTreeClassifier(), LogisticRegression(),
                      DecisionTreeClassifier(class_weight="balanced"))
        for max_samples in (0.5, 150)
    ]
    print(json.dumps({"version": sklearn.__version__, "gaps": gaps}))
    """
)


def _older_sklearn_python():
    """A Python with scikit-learn 1.6 or 1.7 (drawing bagging rows
    uniformly): $REBALANCE_OLD_SKLEARN_PYTHON, or the review venv."""
    given = os.environ.get("REBALANCE_OLD_SKLEARN_PYTHON")
    candidates = [given] if given else []
    candidates.append("/tmp/review38/venvs/mid/bin/python")
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def test_weighted_bagging_subsample_priors_on_sklearn_1_7():
    # scikit-learn 1.6/1.7 weight each member by sample_weight on its own
    # uniform draw; run the check there (skipped where no such Python is).
    python = _older_sklearn_python()
    if python is None:
        pytest.skip("no Python with scikit-learn 1.6/1.7 here")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [python, "-c", _OLD_SKLEARN_CHECK, str(ROOT), str(Path(__file__).parent)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the scikit-learn 1.7 check did not finish in 120 s")
    if done.returncode != 0:
        if "No module named" in done.stderr:
            pytest.skip(f"that Python lacks a package: {done.stderr[-300:]}")
        pytest.fail(done.stderr[-2000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["version"].startswith(("1.6.", "1.7.")):
        pytest.skip(f"that Python has scikit-learn {result['version']}")
    assert max(result["gaps"]) < 1e-4, result


@pytest.mark.parametrize("prefit", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_frozen_bagging_draws_are_not_rows_of_y(weighted, prefit):
    # Fitted on other rows (as many of them): its draws index those rows.
    X, y_other, weight = _uninformative(seed=1)
    bagging = BaggingClassifier(
        DecisionTreeClassifier(),
        n_estimators=4,
        bootstrap=False,
        max_samples=0.5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sample_weight without bootstrap
        bagging.fit(X, y_other, sample_weight=weight if weighted else None)
    rng = np.random.default_rng(2)
    y = (rng.random(len(y_other)) < 0.15).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # prefit=True
        mover = (
            ThresholdMover(bagging, "prior", prefit=True)
            if prefit
            else ThresholdMover(FrozenEstimator(bagging), "prior")
        ).fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, np.bincount(y) / len(y))


def _three_classes(n=150):
    rng = np.random.default_rng(0)
    y = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    return rng.normal(size=(n, 2)) + y[:, None], y


@pytest.mark.parametrize("wrap", ["one-vs-rest", "temperature"])
def test_unweighted_subsample_bagging_is_not_taken_for_class_weights(wrap):
    # Drawn uniformly, its members' shares differ from y's by chance only:
    # not the systematic reweighting these wrappers cannot carry.
    X, y = _three_classes()
    bagging = BaggingClassifier(
        LogisticRegression(),
        n_estimators=3,
        bootstrap=False,
        max_samples=0.5,
        random_state=0,
    )
    if wrap == "one-vs-rest":
        model = OneVsRestClassifier(bagging)
    else:
        _needs_temperature()
        model = CalibratedClassifierCV(bagging, method="temperature", cv=3)
    mover = ThresholdMover(model, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, np.bincount(y) / len(y))


def test_weighted_draws_under_temperature_scaling_are_still_refused():
    # scikit-learn >= 1.8 draws the members' rows by sample_weight and fits
    # them unweighted: a systematic reweighting temperature scaling keeps.
    _needs_temperature()
    if not _draws_weighted():
        pytest.skip("scikit-learn < 1.8 draws the rows uniformly")
    X, y = _three_classes()
    weight = np.where(y == 2, 3.0, 1.0)
    bagging = BaggingClassifier(
        LogisticRegression(),
        n_estimators=3,
        bootstrap=False,
        max_samples=0.5,
        random_state=0,
    )
    model = CalibratedClassifierCV(bagging, method="temperature", cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sample_weight without bootstrap
        with pytest.raises(ValueError, match="temperature"):
            ThresholdMover(model, "prior").fit(X, y, sample_weight=weight)


def _needs_temperature():
    try:
        CalibratedClassifierCV(method="temperature")._validate_params()
    except ValueError:  # InvalidParameterError
        pytest.skip("method='temperature' needs scikit-learn >= 1.8")


def _draws_weighted():
    """Whether this scikit-learn draws bagging rows by sample_weight."""
    bagging = BaggingClassifier(LogisticRegression(), n_estimators=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bagging.fit(*_three_classes(30), sample_weight=np.ones(30))
    return hasattr(bagging, "_sample_weight")


def _amounts(n=240):
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.25).astype(int)
    amount = rng.uniform(1, 100, n)
    return np.column_stack([amount, rng.normal(size=n) + 1.5 * y]), y


@pytest.mark.parametrize("frame", [False, True])
@pytest.mark.parametrize("frozen", [False, True])
def test_tuned_scorer_of_ones_own_gets_the_validation_rows(frozen, frame):
    X, y = _amounts()
    if frame:
        X = pd.DataFrame(X, columns=["amount", "signal"])
    seen = []

    def profit(estimator, X, y):
        seen.append(X)
        flagged = estimator.predict(X) == 1
        amount = np.asarray(X)[:, 0]
        return float((amount * (flagged & (y == 1))).sum() - 5.0 * flagged.sum())

    rows = np.arange(len(y))
    folds = [(rows[rows % 2 == 0], rows[rows % 2 == 1])]
    estimator = LogisticRegression()
    if frozen:
        estimator = FrozenEstimator(LogisticRegression().fit(X, y))
    ThresholdMover(estimator, "tuned", scoring=profit, cv=folds, thresholds=5).fit(X, y)
    expected = X if frozen else (X.iloc if frame else X)[folds[0][1]]
    assert len(seen) == 5
    for given in seen:
        assert type(given) is type(X)
        np.testing.assert_array_equal(np.asarray(given), np.asarray(expected))
