"""Review 14: bugs found in the algorithm-level estimators and functions
(ThresholdMover, the priors, ResampledClassifier, weights, metrics).

Every test here fails on the code as reviewed; each is named after its bug.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from rebalance import RandomUnderSampler, ThresholdMover


class _NaNRowProba(ClassifierMixin, BaseEstimator):
    """Probabilities (1 - x, x) from the first feature, NaN where x is NaN
    (as GaussianNB(var_smoothing=0) gives on a zero-variance feature)."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        x = np.asarray(X, dtype=np.float64)[:, 0]
        return np.column_stack([1 - x, x])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


def _nan_row_data():
    rng = np.random.default_rng(0)
    x = rng.random(60)
    y = (x > 0.7).astype(int)
    X = np.column_stack([x, np.zeros(60)])
    X[5, 0] = np.nan  # one row of NaN probabilities
    return X, y


# --------------------------------------------------------------------------
# 1. strategy='tuned': one NaN score poisons the candidate grid
#    (np.linspace(nan, ...)): threshold_ becomes NaN and every row is then
#    predicted negative, silently. (rebalance/_tuning.py:best_thresholds)
# --------------------------------------------------------------------------
def test_tuned_threshold_becomes_nan_when_one_score_is_nan():
    X, y = _nan_row_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            mover = ThresholdMover(_NaNRowProba(), "tuned", cv=3).fit(X, y)
        except ValueError as exc:  # the fix: a clear error naming the NaN
            assert "nan" in str(exc).lower()
            return
    assert np.isfinite(mover.threshold_), mover.threshold_
    # the rows with a clear positive score are predicted positive
    assert mover.predict(X[y == 1]).sum() > 0


# --------------------------------------------------------------------------
# 2. strategies 'prior', 'argmax', 'cost': a row of NaN probabilities is
#    silently predicted as the first class (argmax of NaN is 0); the same
#    row with deploy_priors set raises a clear error
#    (rebalance/threshold.py:ThresholdMover._scores / predict).
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "strategy, kwargs",
    [
        ("prior", {}),
        ("argmax", {}),
        ("cost", {"cost_matrix": [[0, 1], [1, 0]]}),
    ],
)
def test_nan_probabilities_are_silently_predicted_as_the_first_class(strategy, kwargs):
    X, y = _nan_row_data()
    clean = np.isfinite(X[:, 0])
    mover = ThresholdMover(_NaNRowProba(), strategy, **kwargs).fit(X[clean], y[clean])
    with pytest.raises(ValueError, match="(?i)nan"):
        mover.predict(X[[5]])


# --------------------------------------------------------------------------
# 3. strategy='tuned' on a multiclass SVC(decision_function_shape='ovo'):
#    its decision_function has one column per PAIR of classes, which are
#    tuned as if they were the classes (3 classes: 3 pairwise columns,
#    silently wrong; 4 classes: the first 4 of 6 columns are tuned, then
#    predict crashes with a numpy broadcast error).
#    (rebalance/threshold.py:ThresholdMover._scores, no column check)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("n_classes", [3, 4])
def test_tuned_treats_ovo_pairwise_decision_columns_as_classes(n_classes):
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(n_classes), 30)
    X = rng.normal(size=(y.shape[0], 2)) + y[:, None]
    mover = ThresholdMover(
        SVC(decision_function_shape="ovo"), "tuned", cv=2, thresholds=10
    )
    with pytest.raises(ValueError, match="decision_function"):
        mover.fit(X, y)


# --------------------------------------------------------------------------
# 4. Priors as a dict keyed by numpy bools (dict(zip(np.unique(y), p))):
#    refused for bool classes with the message "has the keys ['False',
#    'True'] but the classes are [False, True]", and taken as the int
#    classes 0 and 1 (which Python bool keys are not, on purpose).
#    (rebalance/_priors.py:_key tests `type(label) is bool`, missing np.bool_)
# --------------------------------------------------------------------------
def _bool_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    return X, X[:, 0] > 0.3


@pytest.mark.parametrize("param", ["train_priors", "deploy_priors"])
def test_numpy_bool_prior_keys_are_refused_for_bool_classes(param):
    X, y = _bool_data()
    priors = dict(zip(np.unique(y), [0.8, 0.2]))  # {np.False_: .8, np.True_: .2}
    mover = ThresholdMover(LogisticRegression(), "argmax", **{param: priors})
    mover.fit(X, y)
    fitted = mover.train_priors_ if param == "train_priors" else mover.deploy_priors_
    np.testing.assert_allclose(fitted, [0.8, 0.2])


def test_numpy_bool_prior_keys_are_taken_as_int_classes():
    X, y = _bool_data()
    # Python bool keys for the classes 0 and 1 are refused (bools and ints are
    # kept apart); numpy bool keys must be too.
    with pytest.raises(ValueError, match="deploy_priors"):
        ThresholdMover(
            LogisticRegression(), "argmax", deploy_priors={False: 0.8, True: 0.2}
        ).fit(X, y.astype(int))
    with pytest.raises(ValueError, match="deploy_priors"):
        ThresholdMover(
            LogisticRegression(),
            "argmax",
            deploy_priors={np.False_: 0.8, np.True_: 0.2},
        ).fit(X, y.astype(int))


# --------------------------------------------------------------------------
# 5. strategy='cost' with a cost_matrix DataFrame labelled by class (index =
#    true class, columns = predicted class) in another order than classes_:
#    read by position, silently transposing the costs (priors Series are
#    read by label). (rebalance/threshold.py:ThresholdMover._check_cost_matrix)
# --------------------------------------------------------------------------
def test_cost_matrix_dataframe_labelled_by_class_is_read_by_position():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 1))
    y = np.where(X[:, 0] + rng.normal(size=100) > 1, "pos", "neg")
    # missing a 'pos' costs 10, a false alarm costs 1
    labelled = pd.DataFrame(
        [[0, 10], [1, 0]], index=["pos", "neg"], columns=["pos", "neg"]
    )
    aligned = ThresholdMover(
        LogisticRegression(), "cost", cost_matrix=[[0, 1], [10, 0]]
    ).fit(X, y)
    try:
        mover = ThresholdMover(LogisticRegression(), "cost", cost_matrix=labelled).fit(
            X, y
        )
    except ValueError as exc:  # refusing a labelled frame is fine too
        assert "cost_matrix" in str(exc)
        return
    np.testing.assert_array_equal(mover.predict(X), aligned.predict(X))


# --------------------------------------------------------------------------
# 6. train_priors=<fitted sampler> with sample_weight and an estimator whose
#    fit takes no sample_weight: the sampler's sample_indices_ (rows of the
#    y given to fit) are read against y with its rows repeated by the
#    weights, giving the priors of other rows (or a zero prior error).
#    (rebalance/threshold.py:ThresholdMover.fit calls given_train_priors
#    after weights_as_rows)
# --------------------------------------------------------------------------
def test_train_priors_sampler_indices_read_against_weight_repeated_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    y = np.array([0] * 8 + [1] * 4)
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, y)
    expected = np.bincount(y[sampler.sample_indices_]) / len(sampler.sample_indices_)
    weights = np.ones(12, dtype=np.int64)
    weights[0] = 2  # the first row twice: every later row shifts by one
    mover = ThresholdMover(
        KNeighborsClassifier(3), "argmax", train_priors=sampler, deploy_priors="train"
    ).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(mover.train_priors_, expected)
