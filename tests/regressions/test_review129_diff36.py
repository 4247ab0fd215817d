"""Review 129, area diff36: the lead's commits 01e7874..5c3549c
(``git diff 01e7874..5c3549c -- rebalance``), read and run path by path.

* ``ThresholdMover.fit`` snapshots ``self.__dict__`` before the fitted
  attributes change and restores it when a later step raises: each way a
  refit can fail there was run (training priors of weights 0 on a class,
  of a SMOTE pipeline, a tuning scorer that raises, a frozen model that
  cannot score the new rows, a warning turned into an error, an interrupt
  inside the tuning, routed weights) and the mover compared with its last
  fit (same attributes, same ``estimator_`` object, same predictions); a
  first fit failing there leaves an unfitted mover. The snapshot is not
  kept (old and failed estimators are freed), clone/pickle work after a
  failed refit, the frozen-model warning is shown once at the caller.
* ``ResampledClassifier.fit``: a classifier that fails after the sampler
  was refitted leaves the last ``sampler_``/``classifier_`` (clones).
* The samplers' all-or-nothing ``_check_inputs``: an interrupt from inside
  (a mocked ``validate_data``) in memory, and the Dask path (``_dask.fit``,
  ``_dask._prepare``), which does not go through it; a refusal after the
  checks (the output-memory check of ``fit_resample``).
"""

import gc
import pickle
import warnings
import weakref
from unittest import mock

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

import rebalance._dask as rdask
import rebalance.base as rbase
import rebalance.threshold as rthreshold
from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

RNG = np.random.RandomState(0)
X = RNG.randn(60, 3)
Y = (X[:, 0] + RNG.randn(60) * 0.5 > 0.5).astype(int)  # 32 / 28
X5 = RNG.randn(40, 5)
Y5 = np.r_[np.zeros(30, int), np.ones(10, int)]


def _state(est):
    """Fitted (``*_``) and private attributes, by name."""
    return {k: v for k, v in vars(est).items() if k.endswith("_") or k[0] == "_"}


def _same_fit(before, after):
    assert after.keys() == before.keys()
    for k, v in before.items():
        assert after[k] is v, k


class _Boom(ClassifierMixin, BaseEstimator):
    """A classifier whose fit can fail; records weak references to fits."""

    fitted: list = []

    def __init__(self, fail=False):
        self.fail = fail

    def fit(self, X, y):
        _Boom.fitted.append(weakref.ref(self))
        if self.fail:
            raise RuntimeError("boom")
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-np.asarray(X)[:, 0]))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


# -- ThresholdMover: a refit that fails after the snapshot -------------------


def _prior_mover():
    return ThresholdMover(LogisticRegression(), deploy_priors=[0.5, 0.5]).fit(X, Y)


def _expected_proba(mover):
    # Prior correction by hand from the kept estimator and priors.
    p = mover.estimator_.predict_proba(X) * (np.array([0.5, 0.5]) / [32 / 60, 28 / 60])
    return p / p.sum(axis=1, keepdims=True)


def test_refit_refused_by_zero_weight_class_keeps_last_fit():
    mover = _prior_mover()
    before = _state(mover)
    np.testing.assert_allclose(mover.train_priors_, [32 / 60, 28 / 60])
    with pytest.raises(ValueError, match="sample_weight is 0 on every row"):
        mover.fit(X5[:, :3], Y5, sample_weight=(Y5 == 1).astype(float))
    _same_fit(before, _state(mover))
    np.testing.assert_allclose(mover.predict_proba(X), _expected_proba(mover))


def test_refit_refused_by_smote_pipeline_priors_keeps_last_fit():
    pipe = pytest.importorskip("imblearn.pipeline")
    from imblearn.over_sampling import SMOTE

    mover = _prior_mover()
    before = _state(mover)
    mover.set_params(
        estimator=pipe.make_pipeline(SMOTE(random_state=0), LogisticRegression())
    )
    with pytest.raises(ValueError, match="SMOTE"):
        mover.fit(X5, Y5)
    _same_fit(before, _state(mover))
    assert mover.n_features_in_ == 3
    np.testing.assert_allclose(mover.predict_proba(X), _expected_proba(mover))


def test_first_fit_failing_after_snapshot_leaves_unfitted_mover():
    pipe = pytest.importorskip("imblearn.pipeline")
    from imblearn.over_sampling import SMOTE

    mover = ThresholdMover(
        pipe.make_pipeline(SMOTE(random_state=0), LogisticRegression())
    )
    params = dict(vars(mover))
    with pytest.raises(ValueError, match="SMOTE"):
        mover.fit(X, Y)
    assert vars(mover).keys() == params.keys()  # no stray attribute
    with pytest.raises(NotFittedError):
        check_is_fitted(mover)
    with pytest.raises(NotFittedError):
        mover.predict(X)


def test_tuned_refit_whose_scorer_raises_keeps_threshold():
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=3).fit(X, Y)
    before = _state(mover)
    proba = mover.estimator_.predict_proba(X)[:, 1]
    expected = (proba >= mover.threshold_).astype(int)

    def broken(estimator, X, y):
        raise RuntimeError("scorer broke")

    mover.set_params(scoring=broken)
    with pytest.raises(RuntimeError, match="scorer broke"):
        mover.fit(X5[:, :3], Y5)
    _same_fit(before, _state(mover))
    np.testing.assert_array_equal(mover.predict(X), expected)


def test_interrupt_inside_tuning_restores_last_fit():
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=3).fit(X, Y)
    before = _state(mover)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with mock.patch.object(rthreshold, "best_thresholds", interrupted):
        with pytest.raises(KeyboardInterrupt):
            mover.fit(X5, Y5)
    _same_fit(before, _state(mover))
    assert mover.n_features_in_ == 3


def test_frozen_tuned_refit_that_cannot_score_keeps_last_fit():
    from sklearn.frozen import FrozenEstimator

    frozen = FrozenEstimator(LogisticRegression().fit(X, Y))
    mover = ThresholdMover(frozen, strategy="tuned").fit(X, Y)
    before = _state(mover)
    expected = mover.predict(X)
    with pytest.raises(ValueError, match="features"):
        mover.fit(X5, Y5)  # 5 columns for a model of 3
    _same_fit(before, _state(mover))
    np.testing.assert_array_equal(mover.predict(X), expected)


def test_frozen_warning_shown_once_at_caller_and_as_error_restores():
    from sklearn.frozen import FrozenEstimator

    frozen = FrozenEstimator(LogisticRegression().fit(X, Y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ThresholdMover(frozen, deploy_priors="train").fit(X, Y)
    moved = [w for w in caught if "moves the probabilities nowhere" in str(w.message)]
    assert len(moved) == 1 and moved[0].filename == __file__
    mover = ThresholdMover(frozen, deploy_priors="train")
    params = dict(vars(mover))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with pytest.raises(UserWarning, match="moves the probabilities nowhere"):
            mover.fit(X, Y)
    assert vars(mover).keys() == params.keys()


def test_routed_weights_refit_refused_keeps_last_fit():
    with sklearn.config_context(enable_metadata_routing=True):
        est = LogisticRegression().set_fit_request(sample_weight=True)
        mover = ThresholdMover(est, deploy_priors=[0.5, 0.5])
        w = np.where(Y == 1, 2.0, 1.0)
        mover.fit(X, Y, sample_weight=w)
        # weighted priors: 32 rows of 1, 28 of 2
        np.testing.assert_allclose(mover.train_priors_, [32 / 88, 56 / 88])
        ref = LogisticRegression().fit(X, Y, sample_weight=w)
        np.testing.assert_allclose(mover.estimator_.coef_, ref.coef_)
        before = _state(mover)
        expected = mover.predict_proba(X)
        with pytest.raises(ValueError, match="sample_weight is 0"):
            mover.fit(X, Y, sample_weight=(Y == 1).astype(float))
    _same_fit(before, _state(mover))
    np.testing.assert_array_equal(mover.predict_proba(X), expected)


def test_snapshot_not_kept_and_failed_estimator_freed():
    _Boom.fitted.clear()
    mover = ThresholdMover(_Boom(), deploy_priors=[0.5, 0.5]).fit(X, Y)
    first = weakref.ref(mover.estimator_)
    mover.fit(X, Y)  # a good refit frees the first estimator_
    gc.collect()
    assert first() is None
    kept = mover.estimator_
    mover.set_params(train_priors="auto")
    with mock.patch.object(
        rthreshold, "auto_train_priors", side_effect=RuntimeError("x")
    ):
        with pytest.raises(RuntimeError):
            mover.fit(X, Y)
    failed = _Boom.fitted[-1]
    gc.collect()
    assert failed() is None and mover.estimator_ is kept
    assert not any(
        isinstance(v, dict) and "estimator_" in v for v in vars(mover).values()
    )


def test_clone_and_pickle_after_failed_refit():
    mover = _prior_mover()
    expected = mover.predict_proba(X)
    with pytest.raises(ValueError):
        mover.fit(X5[:, :3], Y5, sample_weight=(Y5 == 1).astype(float))
    loaded = pickle.loads(pickle.dumps(mover))
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    fresh = clone(mover)
    assert not hasattr(fresh, "estimator_")
    assert fresh.get_params()["deploy_priors"] == [0.5, 0.5]
    check_is_fitted(mover)


# -- ResampledClassifier -----------------------------------------------------


def test_resampled_classifier_failing_classifier_keeps_last_sampler():
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), _Boom()).fit(X, Y)
    before = dict(vars(rc))
    indices = rc.sampler_.sample_indices_.copy()
    assert np.bincount(Y[indices]).tolist() == [28, 28]
    rc.set_params(classifier__fail=True, sampler__sampling_strategy={1: 10})
    with pytest.raises(RuntimeError, match="boom"):
        rc.fit(X5, Y5)
    assert rc.sampler_ is before["sampler_"]
    assert rc.classifier_ is before["classifier_"]
    assert rc.sampler_.sampling_strategy_ == {0: 28}
    np.testing.assert_array_equal(rc.sampler_.sample_indices_, indices)
    assert rc.n_features_in_ == 3
    np.testing.assert_array_equal(rc.resampled_priors_, before["resampled_priors_"])


# -- samplers ------------------------------------------------------------------


def test_interrupt_after_validate_data_in_memory_restores():
    sampler = RandomOverSampler(random_state=0).fit(X, Y)
    before = _state(sampler)
    real = rbase.validate_data

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)  # n_features_in_ of the new X set, then stop
        raise KeyboardInterrupt

    with mock.patch.object(rbase, "validate_data", interrupted):
        with pytest.raises(KeyboardInterrupt):
            sampler.fit(X5, Y5)
    assert (
        _state(sampler)
        == before
        == {
            "n_features_in_": 3,
            "sampling_strategy_": {1: 4},
            "shrinkage_": None,
        }
    )


def test_dask_fit_with_good_inputs_sets_what_memory_sets():
    pytest.importorskip("dask.array")
    import dask.array as da

    lazy = RandomOverSampler(random_state=0).fit(da.from_array(X5, chunks=20), Y5)
    eager = RandomOverSampler(random_state=0).fit(X5, Y5)
    assert (
        _state(lazy)
        == _state(eager)
        == {
            "n_features_in_": 5,
            "sampling_strategy_": {1: 20},
            "shrinkage_": None,
        }
    )


def test_refused_dask_refit_keeps_sample_indices():
    pytest.importorskip("dask.array")
    import dask.array as da

    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, Y)
    indices = sampler.sample_indices_.copy()
    with pytest.raises(ValueError, match="one class only"):
        sampler.fit(da.from_array(X, chunks=20), da.zeros(60, chunks=20, dtype=int))
    assert sampler.sampling_strategy_ == {0: 28}
    np.testing.assert_array_equal(sampler.sample_indices_, indices)


def test_interrupt_in_dask_prepare_restores_last_fit():
    pytest.importorskip("dask.array")
    import dask.array as da

    sampler = RandomOverSampler(random_state=0).fit(X, Y)
    before = _state(sampler)
    real = rdask._set_feature_attributes

    def interrupted(sampler, X):
        real(sampler, X)
        raise KeyboardInterrupt

    with mock.patch.object(rdask, "_set_feature_attributes", interrupted):
        with pytest.raises(KeyboardInterrupt):
            sampler.fit(da.from_array(X5, chunks=20), Y5)
    assert _state(sampler) == before  # today: n_features_in_ 5, strategy {1: 4}


def test_memory_refusal_of_refit_keeps_last_fit():
    sampler = RandomOverSampler(random_state=0)
    sampler.fit_resample(X, Y)
    indices = sampler.sample_indices_.copy()
    before = _state(sampler)
    # A machine with 1000 bytes free: the small index arrays pass, X does not.
    short = mock.patch.object(
        rbase._indices,
        "memory_short_of",
        lambda needed: 1000 if needed > 1000 else None,
    )
    with short, pytest.raises(ValueError, match="of memory available"):
        sampler.fit_resample(RNG.randn(40, 50), Y5)
    assert sampler.n_features_in_ == 3  # today: 50
    assert sampler.sampling_strategy_ == before["sampling_strategy_"]
    np.testing.assert_array_equal(sampler.sample_indices_, indices)
