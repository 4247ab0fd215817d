"""Review 113 (area ``priors3``): a white-box audit of ``rebalance/_priors.py``
through its public entry points (``adjust_priors``, ``em_priors`` and
``ThresholdMover``'s ``train_priors`` / ``deploy_priors``): the textbook
correction ``p'(c|x) ∝ p(c|x) · π'(c) / π(c)`` on multiclass, float32 and
zero-probability rows, priors given by label next to pandas / polars / Dask
frames whose columns are the classes, and the training priors read from
generative models, calibrated resampled classifiers and class weights."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from rebalance import ResampledClassifier, ThresholdMover
from rebalance.samplers import RandomUnderSampler
from rebalance.threshold import adjust_priors, em_priors

_RNG = np.random.default_rng(1)
_P = _RNG.dirichlet([0.3, 0.3, 0.3], size=40)
_P[:5, 0] = 0.0
_P[:5] /= _P[:5].sum(axis=1, keepdims=True)
_TRAIN = np.array([0.2, 0.3, 0.5])
_DEPLOY = np.array([0.6, 0.3, 0.1])
# proba's columns as labels: ['c', 'a', 'b'] carry the priors above.
_TRAIN_BY_LABEL = {"a": 0.3, "b": 0.5, "c": 0.2}
_DEPLOY_BY_LABEL = {"a": 0.3, "b": 0.1, "c": 0.6}


def _textbook(proba, train, deploy):
    moved = proba * deploy / train
    return moved / moved.sum(axis=1, keepdims=True)


def _naive_em(proba, train, n_iter=3000):
    priors = train / train.sum()
    for _ in range(n_iter):
        moved = proba * priors / train
        priors = (moved / moved.sum(axis=1, keepdims=True)).mean(axis=0)
    return priors


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(X[:, 0] + rng.normal(size=n) > 1.0, "b", "a")
    return X, y


class _ReversedClasses(ClassifierMixin, BaseEstimator):
    """A classifier whose classes_ (and predict_proba columns) are reversed."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_[::-1].copy()
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)[:, ::-1]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


# --------------------------------------------------------------------- pins


def test_adjust_priors_is_the_textbook_formula_multiclass_zeros_float32():
    want = _textbook(_P, _TRAIN, _DEPLOY)
    np.testing.assert_allclose(adjust_priors(_P, _TRAIN, _DEPLOY), want, atol=1e-15)
    got = adjust_priors(_P.astype(np.float32), _TRAIN, _DEPLOY)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, atol=1e-6)
    # Priors at any scale: only their ratios matter.
    np.testing.assert_allclose(
        adjust_priors(_P, _TRAIN * 7, _DEPLOY * 3), want, atol=1e-15
    )


def test_adjust_priors_reads_dict_and_series_priors_by_pandas_column_label():
    frame = pd.DataFrame(_P, columns=["c", "a", "b"])
    want = _textbook(_P, _TRAIN, _DEPLOY)
    np.testing.assert_allclose(
        adjust_priors(frame, _TRAIN_BY_LABEL, _DEPLOY_BY_LABEL), want, atol=1e-15
    )
    # As y.value_counts(normalize=True) gives them: in order of frequency.
    counts = pd.Series([0.5, 0.3, 0.2], index=pd.Index(["b", "a", "c"], name="y"))
    np.testing.assert_allclose(
        adjust_priors(frame, counts, _DEPLOY_BY_LABEL), want, atol=1e-15
    )


def test_adjust_priors_reads_dict_priors_by_polars_column_label():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"c": _P[:, 0], "a": _P[:, 1], "b": _P[:, 2]})
    np.testing.assert_allclose(
        adjust_priors(frame, _TRAIN_BY_LABEL, _DEPLOY_BY_LABEL),
        _textbook(_P, _TRAIN, _DEPLOY),
        atol=1e-15,
    )


def test_pandas_columns_0_n_in_another_order_read_a_range_series_by_label():
    proba = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
    frame = pd.DataFrame(proba, columns=[1, 0])
    got = adjust_priors(frame, pd.Series([0.8, 0.2]), [0.5, 0.5])
    # Column 1 holds class 1, of training prior 0.2.
    np.testing.assert_allclose(
        got, _textbook(proba, np.array([0.2, 0.8]), np.array([0.5, 0.5]))
    )


def test_em_priors_matches_the_plain_em_loop_by_position_and_by_label():
    want = _naive_em(_P, _TRAIN)
    np.testing.assert_allclose(em_priors(_P, _TRAIN), want, atol=1e-6)
    frame = pd.DataFrame(_P, columns=["c", "a", "b"])
    np.testing.assert_allclose(em_priors(frame, _TRAIN_BY_LABEL), want, atol=1e-6)


def test_auto_train_priors_of_gaussian_nb_given_priors_are_those_priors():
    X, y = _data()
    mover = ThresholdMover(
        GaussianNB(priors=[0.3, 0.7]), train_priors="auto", deploy_priors=[0.5, 0.5]
    ).fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.3, 0.7])


def test_auto_train_priors_of_calibrated_resampled_classifier_are_those_of_y():
    # Sigmoid calibration is fitted on rows of y: its probabilities follow
    # y's priors, not the resampled ones of the classifier inside.
    X, y = _data()
    resampled = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    mover = ThresholdMover(
        CalibratedClassifierCV(resampled, cv=3),
        train_priors="auto",
        deploy_priors=[0.5, 0.5],
    ).fit(X, y)
    np.testing.assert_allclose(
        mover.train_priors_, [np.mean(y == "a"), np.mean(y == "b")]
    )


def test_auto_train_priors_multiply_sample_weight_and_class_weight():
    X, y = _data()
    weight = np.where(y == "b", 3.0, 1.0)
    mover = ThresholdMover(
        LogisticRegression(class_weight={"a": 1, "b": 4}),
        train_priors="auto",
        deploy_priors=[0.5, 0.5],
    ).fit(X, y, sample_weight=weight)
    mass = np.array([np.sum(y == "a"), np.sum(y == "b") * 3 * 4], dtype=float)
    np.testing.assert_allclose(mover.train_priors_, mass / mass.sum())


def test_estimator_with_unsorted_classes_is_refused_not_misread():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="classes_"):
            ThresholdMover(
                _ReversedClasses(), train_priors="auto", deploy_priors=[0.5, 0.5]
            ).fit(X, y)


# --------------------------------------------------------------------- bugs


def test_dask_frame_reads_range_series_priors_as_the_pandas_frame_does():
    dd = pytest.importorskip("dask.dataframe")
    proba = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
    frame = pd.DataFrame(proba, columns=[1, 0])
    priors = pd.Series([0.8, 0.2])
    want = adjust_priors(frame, priors, [0.5, 0.5])
    got = adjust_priors(dd.from_pandas(frame, npartitions=1), priors, [0.5, 0.5])
    np.testing.assert_allclose(got, want)


def test_dask_frame_reads_dict_priors_by_column_label():
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame(_P, columns=["c", "a", "b"])
    got = adjust_priors(
        dd.from_pandas(frame, npartitions=1), _TRAIN_BY_LABEL, _DEPLOY_BY_LABEL
    )
    np.testing.assert_allclose(got, _textbook(_P, _TRAIN, _DEPLOY), atol=1e-15)
