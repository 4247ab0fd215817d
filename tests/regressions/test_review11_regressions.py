"""Review 11, regression review of the day's fixes (commits 2c38a53 and
e394954): what the new ``labels_seen`` / sampler-step priors and the scorer
``pos_label`` handling broke.

Each test reproduces one bug and fails on the current code."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer

from rebalance import ResampledClassifier, ThresholdMover

imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
over_sampling = pytest.importorskip("imblearn.over_sampling")
under_sampling = pytest.importorskip("imblearn.under_sampling")


def _binary(n=120, seed=0):
    return make_classification(n, n_features=5, weights=[0.8], random_state=seed)


# ---------------------------------------------------------------------------
# 1. train_priors='auto' is resolved (and now raises) for every strategy, also
#    those that never read train_priors_: tuning the threshold of a SMOTE
#    pipeline, or of a frozen imbalanced-learn pipeline, no longer fits.
# ---------------------------------------------------------------------------
def _smote_pipeline():
    return imblearn_pipeline.make_pipeline(
        over_sampling.SMOTE(random_state=0), LogisticRegression()
    )


def _frozen_undersampled_pipeline():
    X, y = _binary(seed=1)
    pipe = imblearn_pipeline.make_pipeline(
        under_sampling.RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(X, y)
    return FrozenEstimator(pipe)


@pytest.mark.parametrize(
    "make_estimator, strategy, params",
    [
        (_smote_pipeline, "tuned", {"cv": 3, "thresholds": 10}),
        (_smote_pipeline, "fixed", {"threshold": 0.3}),
        (_frozen_undersampled_pipeline, "tuned", {"thresholds": 10}),
        (_frozen_undersampled_pipeline, "cost", {"cost_matrix": [[0, 1], [5, 0]]}),
    ],
)
def test_strategies_that_ignore_train_priors_fit_a_resampling_pipeline(
    make_estimator, strategy, params
):
    # Without deploy_priors, 'tuned', 'fixed', 'cost' and 'argmax' never read
    # train_priors_ (only 'prior' and a deploy_priors correction do). Before
    # 2c38a53 these fitted; now auto_train_priors raises "pass train_priors"
    # for a SMOTE step (no sample_indices_) or a frozen pipeline, so the most
    # common imbalanced-learn use -- tune the threshold of a SMOTE pipeline --
    # fails, and a GridSearchCV over it scores every candidate as NaN.
    X, y = _binary()
    auto = ThresholdMover(make_estimator(), strategy, **params).fit(X, y)
    given = ThresholdMover(
        make_estimator(), strategy, train_priors=[0.5, 0.5], **params
    ).fit(X, y)
    np.testing.assert_array_equal(auto.predict(X), given.predict(X))


# ---------------------------------------------------------------------------
# 2. prefit=True (deprecated, still supported) is not treated as frozen by
#    _sampler_steps: the sampler's sample_indices_ from the ORIGINAL fit are
#    applied to the new y -> silently wrong train priors.
# ---------------------------------------------------------------------------
def test_prefit_pipeline_does_not_apply_stale_sample_indices_to_new_labels():
    X, y = _binary(n=200, seed=0)
    pipe = imblearn_pipeline.make_pipeline(
        under_sampling.RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(X, y)
    # The classifier saw balanced rows; y2 is other data (more rows than the
    # sampler kept, so its indices are "in range").
    X2, y2 = make_classification(300, n_features=5, weights=[0.5], random_state=1)
    # FrozenEstimator(pipe) raises "pass train_priors" (the priors are
    # unknown); prefit=True is the same situation but gives y2 taken at the
    # first fit's sample_indices_ -- rows unrelated to what the model saw
    # (train_priors_ ~ [0.56, 0.44] here, neither y2's nor [0.5, 0.5]).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(ValueError, match="train_priors"):
            ThresholdMover(pipe, prefit=True).fit(X2, y2)


# ---------------------------------------------------------------------------
# 3. ResampledClassifier now refuses to fit at all when its classifier is an
#    imbalanced-learn pipeline with a SMOTE-like step, only because the
#    informational resampled_priors_ cannot be computed.
# ---------------------------------------------------------------------------
def test_resampled_classifier_with_a_smote_pipeline_classifier_still_fits():
    # Under-sample the majority, then SMOTE inside the classifier's pipeline
    # (imbalanced-learn's "combine under- and over-sampling" recipe). Before
    # 2c38a53 fit and predict worked; now fit raises ValueError "...records no
    # sample_indices_...: give the classifier without its own sampler steps,
    # or fit without sample_weight" (no sample_weight was given). Nothing in
    # ResampledClassifier reads resampled_priors_; only ThresholdMover's
    # train_priors='auto' needs them, and it can raise there.
    X, y = _binary()
    model = ResampledClassifier(
        under_sampling.RandomUnderSampler(sampling_strategy=0.5, random_state=0),
        imblearn_pipeline.make_pipeline(
            over_sampling.SMOTE(random_state=0), LogisticRegression()
        ),
    ).fit(X, y)
    assert model.predict(X).shape == (len(y),)


# ---------------------------------------------------------------------------
# 4. scikit-learn's averaged scorers carry pos_label=None explicitly
#    (get_scorer('f1_macro')._kwargs == {'pos_label': None, 'average': 'macro'}),
#    which scorer_pos_label reads as "names a pos_label": the scorer object is
#    refused where its name is accepted (binary and multiclass).
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, n_classes",
    [("f1_macro", 2), ("recall_weighted", 2), ("f1_weighted", 3)],
)
def test_averaged_sklearn_scorer_objects_tune_like_their_names(name, n_classes):
    X, y = make_classification(
        150,
        n_features=6,
        n_informative=4,
        n_classes=n_classes,
        weights=[0.6, 0.3] if n_classes == 3 else [0.8],
        random_state=0,
    )
    params = {"strategy": "tuned", "cv": 3, "thresholds": 10}
    by_name = ThresholdMover(LogisticRegression(), scoring=name, **params).fit(X, y)
    # Raises now: "scores pos_label=None as the positive class, but
    # ThresholdMover tunes the threshold of the class np.int64(1): set
    # ThresholdMover(pos_label=None) too" (binary; pos_label is already None)
    # or "pass a scorer without pos_label" (multiclass). Both worked before.
    by_scorer = ThresholdMover(
        LogisticRegression(), scoring=get_scorer(name), **params
    ).fit(X, y)
    np.testing.assert_allclose(by_scorer.threshold_, by_name.threshold_)
    np.testing.assert_allclose(by_scorer.best_score_, by_name.best_score_)
