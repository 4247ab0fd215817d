"""Review 29, priors3: ``train_priors='auto'`` and ``resampled_priors_`` must
be the priors of the rows the model that makes the probabilities was fitted
on (with its weights). Expected priors are computed here from the labels.

1. A scikit-learn ``TunedThresholdClassifierCV`` / ``FixedThresholdClassifier``
   gives its ``estimator_``'s probabilities, but its class weights or
   resampling were not looked for inside it: the priors of ``y`` were used
   (silently). ``refit=False`` (fitted on one split's rows) now raises.
2. A ResampledClassifier around another one (or around a ThresholdMover
   that moves its probabilities) reported the priors of its own draw, not
   those its classifier's probabilities follow.
3. A ThresholdMover around a fitted ThresholdMover read the priors of ``y``:
   the inner one's probabilities follow its class weights, or its
   ``deploy_priors``.
4. ``SVC(probability=True)`` fitted with ``sample_weight``: libsvm fits its
   Platt scaling on the labels alone (rows of weight 0 dropped), so its
   probabilities follow the unweighted shares; the priors were weighted.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    FixedThresholdClassifier,
    TunedThresholdClassifierCV,
)

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y


def _shares(y, weight=None):
    weight = np.ones(len(y)) if weight is None else np.asarray(weight, float)
    mass = np.array([weight[y == c].sum() for c in (0, 1)])
    return mass / mass.sum()


def _balanced():
    return LogisticRegression(class_weight="balanced")


def _under(strategy="auto"):
    return ResampledClassifier(
        RandomUnderSampler(sampling_strategy=strategy, random_state=0),
        LogisticRegression(),
    )


WRAPPERS = {
    "tuned": lambda model: TunedThresholdClassifierCV(model, cv=3),
    "fixed": lambda model: FixedThresholdClassifier(model, threshold=0.3),
}


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@pytest.mark.parametrize("inner", ["balanced", "resampled"])
def test_threshold_classifiers_give_their_estimators_priors(wrapper, inner):
    X, y = _data()
    model = _balanced() if inner == "balanced" else _under()
    mover = ThresholdMover(WRAPPERS[wrapper](model), "prior").fit(X, y)
    # Balanced by class_weight, or under-sampled to 1:1: not y's 0.87:0.13.
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5], atol=1e-12)
    # A dict class weight, read through the wrapper.
    weighted = WRAPPERS[wrapper](LogisticRegression(class_weight={0: 1.0, 1: 3.0}))
    mover = ThresholdMover(weighted, "prior").fit(X, y)
    expected = _shares(y) * [1.0, 3.0]
    np.testing.assert_allclose(mover.train_priors_, expected / expected.sum())


def test_resampled_classifier_of_a_tuned_class_weighted_model():
    X, y = _data()
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0),
        TunedThresholdClassifierCV(_balanced(), cv=3),
    ).fit(X, y)
    np.testing.assert_allclose(model.resampled_priors_, [0.5, 0.5], atol=1e-12)


def test_tuned_without_refit_is_fitted_on_unknown_rows():
    X, y = _data()
    tuned = TunedThresholdClassifierCV(_balanced(), cv=0.3, refit=False)
    with pytest.raises(ValueError, match=r"refit=False.*pass train_priors"):
        ThresholdMover(tuned, "prior").fit(X, y)
    # Not used by the strategy: it still fits.
    assert ThresholdMover(tuned, "argmax").fit(X, y).train_priors_ is None
    model = ResampledClassifier(RandomUnderSampler(random_state=0), tuned).fit(X, y)
    assert model.resampled_priors_ is None


def test_nested_resampled_classifier_gives_the_inner_priors():
    X, y = _data()
    # The outer draw is 2:1; the inner one under-samples it again to 1:1.
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0), _under()
    ).fit(X, y)
    np.testing.assert_allclose(model.resampled_priors_, [0.5, 0.5])
    mover = ThresholdMover(model, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])


def test_threshold_mover_inside_gives_the_priors_of_its_probabilities():
    X, y = _data()
    # No deploy priors: its estimator's probabilities (balanced).
    inner = ThresholdMover(_balanced(), "argmax")
    mover = ThresholdMover(inner, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5], atol=1e-12)
    # Moved to deploy priors: those.
    inner = ThresholdMover(_balanced(), "argmax", deploy_priors=[0.7, 0.3])
    mover = ThresholdMover(inner, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.7, 0.3])
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0), inner
    ).fit(X, y)
    np.testing.assert_allclose(model.resampled_priors_, [0.7, 0.3])
    # Estimated per call: unknown.
    inner = ThresholdMover(_balanced(), "argmax", deploy_priors="em")
    with pytest.raises(ValueError, match="deploy_priors='em'"):
        ThresholdMover(inner, "prior").fit(X, y)


def _svc():
    from sklearn.svm import SVC

    return SVC(probability=True, random_state=0)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_probability_svc_priors_ignore_sample_weight():
    X, y = _data(n=400)
    w = np.where(y == 1, 4.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        mover = ThresholdMover(_svc(), "prior").fit(X, y, sample_weight=w)
    # Platt scaling on the labels alone: the unweighted shares.
    np.testing.assert_allclose(mover.train_priors_, _shares(y))
    raw = mover.estimator_.predict_proba(X)[:, 1].mean()
    assert abs(raw - _shares(y)[1]) < abs(raw - _shares(y, w)[1])
    # Rows of weight 0 are dropped by libsvm: the shares of the others.
    rng = np.random.default_rng(1)
    w0 = np.where((y == 0) & (rng.random(len(y)) < 0.7), 0.0, 1.0)
    mover = ThresholdMover(_svc(), "prior").fit(X, y, sample_weight=w0)
    np.testing.assert_allclose(mover.train_priors_, _shares(y[w0 > 0]))
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _svc())
    model.fit(X, y, sample_weight=np.where(y == 1, 4.0, 1.0))
    np.testing.assert_allclose(model.resampled_priors_, [0.5, 0.5])


# 5. CalibratedClassifierCV(method='temperature') only divides the scores by
#    one number: around a resampled or class-weighted classifier its
#    probabilities keep that balance (not y's, as sigmoid / isotonic give),
#    but the priors of y were used.


@pytest.mark.parametrize("inner", ["balanced", "resampled"])
def test_temperature_calibration_of_a_reweighted_classifier_raises(inner):
    from sklearn.calibration import CalibratedClassifierCV

    X, y = _data(n=1500)
    model = _balanced() if inner == "balanced" else _under()
    (methods,) = CalibratedClassifierCV._parameter_constraints["method"]
    if "temperature" not in methods.options:
        pytest.skip("scikit-learn < 1.8 has no temperature calibration")
    calibrated = CalibratedClassifierCV(model, method="temperature", cv=3)
    # What the model does: its probabilities are far from y's 0.15.
    mean = calibrated.fit(X, y).predict_proba(X)[:, 1].mean()
    assert mean > _shares(y)[1] + 0.1
    with pytest.raises(ValueError, match="method='temperature'"):
        ThresholdMover(calibrated, "prior").fit(X, y)
    outer = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0), calibrated
    )
    assert outer.fit(X, y).resampled_priors_ is None
    # Sigmoid calibration is fitted on rows of y: y's priors. So is
    # temperature scaling of a classifier fitted on y as it is.
    for fine in (
        CalibratedClassifierCV(model, method="sigmoid", cv=3),
        CalibratedClassifierCV(LogisticRegression(), method="temperature", cv=3),
    ):
        mover = ThresholdMover(fine, "prior").fit(X, y)
        np.testing.assert_allclose(mover.train_priors_, _shares(y))
