"""Review of 9564a81..HEAD: regressions and new bugs (each test fails on HEAD)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import RandomUnderSampler
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from rebalance import ResampledClassifier, ThresholdMover


def _data(n=60):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = np.r_[np.zeros(2 * n // 3, int), np.ones(n - 2 * n // 3, int)]
    return X, y


def _makers():
    return [
        lambda: ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        ),
        lambda: ThresholdMover(LogisticRegression()),
    ]


# as_classifier_target turns every non-nullable extension dtype into objects:
# a categorical of ints/floats/bools or a Sparse y then is an object array of
# numbers, which sklearn's type_of_target calls 'unknown' ("Unknown label
# type"). The old code (column_or_1d) gave int64/float64 and fitted.
@pytest.mark.parametrize("kind", ["cat_int", "cat_float", "cat_bool", "sparse"])
@pytest.mark.parametrize("make", _makers())
def test_extension_dtype_y_of_numbers_still_fits(kind, make):
    X, y = _data()
    target = {
        "cat_int": pd.Series(y, dtype="category"),
        "cat_float": pd.Series(y + 1.0, dtype="category"),
        "cat_bool": pd.Series(y.astype(bool), dtype="category"),
        "sparse": pd.Series(pd.arrays.SparseArray(y)),
    }[kind]
    model = make().fit(X, target)
    assert model.classes_.dtype != object
    assert len(model.classes_) == 2


def _search():
    return GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3)


# weights_as_rows treats every fit without a named sample_weight as taking
# none, but GridSearchCV.fit(X, y, **params) and FrozenEstimator.fit(X, y,
# **kwargs) take it through **kwargs: fractional weights, accepted before,
# now raise TypeError (and whole ones become repeated rows instead).
@pytest.mark.parametrize(
    "make",
    [
        lambda: ResampledClassifier(RandomUnderSampler(random_state=0), _search()),
        lambda: ThresholdMover(_search()),
        lambda: ResampledClassifier(
            RandomUnderSampler(random_state=0),
            FrozenEstimator(LogisticRegression().fit(*_data())),
        ),
    ],
)
def test_fractional_weights_reach_a_fit_taking_kwargs(make):
    X, y = _data()
    make().fit(X, y, sample_weight=np.linspace(0.5, 1.5, X.shape[0]))


# NumberInterval turns any Integral that is not int/np.number (sympy.Integer)
# into a float, which then fails the Integral type check: thresholds=
# sympy.Integer(20) was accepted before and is refused now.
def test_integral_constraint_accepts_other_integrals():
    sympy = pytest.importorskip("sympy")
    X, y = _data()
    mover = ThresholdMover(
        LogisticRegression(), strategy="tuned", thresholds=sympy.Integer(20), cv=3
    )
    mover.fit(X, y)


# fit now calls _uses_fitted_estimator twice when sample_weight is given, so
# the prefit=True deprecation warning is raised twice (once before).
def test_prefit_deprecation_warned_once_with_weights():
    X, y = _data()
    clf = LogisticRegression().fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ThresholdMover(clf, prefit=True).fit(X, y, sample_weight=np.ones(len(y)))
    future = [w for w in caught if issubclass(w.category, FutureWarning)]
    assert len(future) == 1


# strategy='tuned' with a classifier without sample_weight: the rows are
# repeated before the cross-validation, so a row's copies land in the train
# and the validation folds; uniform weights (2 for every row) then inflate
# the validation score (0.71 -> 0.81 here) instead of leaving it unchanged.
def test_tuned_uniform_weights_do_not_leak_copies_across_folds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = (X[:, 0] + rng.normal(size=90) > 0.8).astype(int)

    def mover():
        # 1-NN: a validation row whose copy is in the training rows is
        # predicted exactly, so a leak would show as perfect fold scores.
        return ThresholdMover(
            KNeighborsClassifier(1),
            strategy="tuned",
            scoring="balanced_accuracy",
            cv=StratifiedKFold(3, shuffle=True, random_state=0),
        )

    plain = mover().fit(X, y)
    # Whole-number weights: the folds split the rows, then each fold's
    # training rows are repeated (review 18), so no copy crosses a fold.
    doubled = mover().fit(X, y, sample_weight=np.full(90, 2.0))
    scores = np.asarray(doubled.cv_results_["scores"])
    assert scores.max() < 1.0
    np.testing.assert_allclose(scores, np.asarray(plain.cv_results_["scores"]))


# take_rows cannot index a COO matrix, so whole-number weights for a
# classifier without sample_weight fail on a COO X (which fits unweighted).
def test_weights_as_rows_with_coo_X():
    X, y = _data()
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), KNeighborsClassifier(3)
    )
    model.fit(sp.coo_matrix(X), y, sample_weight=np.full(len(y), 2.0))
