"""Review 18 (models): bugs found in the meta-estimators and metrics
(ThresholdMover, the priors, ResampledClassifier, weights, metrics) used
inside scikit-learn and imbalanced-learn machinery.

Every test here fails on the code as reviewed; each is named after its bug.
Expected values come from the peers (scikit-learn, imbalanced-learn) or
from the formula, never from rebalance itself.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import BaggingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _binary(n=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + rng.normal(size=n) > 0.8).astype(int)
    return X, y


# --------------------------------------------------------------------------
# 1. strategy='tuned' with an estimator whose fit takes no sample_weight (a
#    Pipeline, KNeighborsClassifier): whole-number weights raised a
#    TypeError ("Drop sample_weight") although they are applied as repeated
#    rows for every other strategy. BaggingClassifier passes its bootstrap
#    as such counts, so BaggingClassifier(ThresholdMover(pipeline, 'tuned'))
#    could not be fitted at all (scikit-learn's TunedThresholdClassifierCV
#    can). Now the folds split the rows as given, each fold's training rows
#    are repeated by their counts and the validation rows weight the metric
#    by theirs (no copy of a row on both sides of a fold).
# --------------------------------------------------------------------------
def test_tuned_counts_for_estimator_without_sample_weight_repeat_fold_rows():
    X, y = _binary()
    counts = np.random.default_rng(1).integers(0, 4, y.shape[0])
    counts[y == 1] = np.maximum(counts[y == 1], 1)  # every fold sees class 1
    folds = list(StratifiedKFold(3).split(X, y))
    grid = np.linspace(0.05, 0.95, 19)
    mover = ThresholdMover(
        KNeighborsClassifier(5),
        "tuned",
        scoring="balanced_accuracy",
        thresholds=grid,
        cv=folds,
    ).fit(X, y, sample_weight=counts)

    # By hand: repeat each fold's training rows, weight its validation rows.
    per_fold = []
    for train, validation in folds:
        rows = np.repeat(train, counts[train])
        model = KNeighborsClassifier(5).fit(X[rows], y[rows])
        proba = model.predict_proba(X[validation])[:, 1]
        per_fold.append(
            [
                balanced_accuracy_score(
                    y[validation],
                    (proba >= t).astype(int),
                    sample_weight=counts[validation],
                )
                for t in grid
            ]
        )
    expected = np.mean(per_fold, axis=0)
    np.testing.assert_allclose(mover.cv_results_["scores"][0], expected)
    assert mover.threshold_ == pytest.approx(grid[np.argmax(expected)])
    # The final model: every row repeated by its count.
    rows = np.repeat(np.arange(y.shape[0]), counts)
    final = KNeighborsClassifier(5).fit(X[rows], y[rows])
    np.testing.assert_array_equal(
        mover.estimator_.predict_proba(X), final.predict_proba(X)
    )


def test_bagging_of_a_tuned_pipeline_mover_fits():
    X, y = _binary(120)
    mover = ThresholdMover(
        make_pipeline(StandardScaler(), LogisticRegression()),
        "tuned",
        cv=StratifiedKFold(3),
        thresholds=np.linspace(0.05, 0.95, 19),
    )
    bagging = BaggingClassifier(mover, n_estimators=2, random_state=0).fit(X, y)
    # Each member is the mover fitted on its bootstrap: its rows repeated
    # by their counts of the draw.
    first, drawn = bagging.estimators_[0], bagging.estimators_samples_[0]
    counts = np.bincount(drawn, minlength=y.shape[0])
    rows = np.repeat(np.arange(y.shape[0]), counts)
    by_hand = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        X[rows], y[rows]
    )
    np.testing.assert_allclose(
        first.estimator_.predict_proba(X), by_hand.predict_proba(X)
    )
    assert set(np.unique(bagging.predict(X))) <= {0, 1}


# --------------------------------------------------------------------------
# 2. Metadata routing on, the estimator a Pipeline whose final step does not
#    get sample_weight (only a scaler before it requests it), or gets another
#    parameter under an alias: the training priors (ThresholdMover's
#    train_priors_, ResampledClassifier's resampled_priors_) were weighted by
#    the pipeline's `sample_weight` all the same, so the probabilities were
#    moved from priors the classifier was never trained at. Now the weights
#    are those the pipeline's routing hands its final step.
#    (rebalance/_metadata.py: fit_weight_of)
# --------------------------------------------------------------------------
def _weights_for_class_one(y, value):
    return np.where(y == 1, value, 1.0)


@pytest.mark.parametrize("strategy", ["prior", "tuned"])
def test_routed_priors_ignore_weights_the_final_step_declines(strategy):
    X, y = _binary(120)
    w = _weights_for_class_one(y, 3.0)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True),
            LogisticRegression().set_fit_request(sample_weight=False),
        )
        mover = ThresholdMover(pipe, strategy, cv=3, thresholds=10)
        mover.fit(X, y, sample_weight=w)
    # The classifier was fitted unweighted: the priors of y as they are.
    np.testing.assert_allclose(mover.train_priors_, np.bincount(y) / y.shape[0])


def test_routed_priors_follow_the_final_steps_alias():
    X, y = _binary(120)
    w = _weights_for_class_one(y, 3.0)
    w_lr = _weights_for_class_one(y, 0.5)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True),
            LogisticRegression().set_fit_request(sample_weight="w_lr"),
        )
        mover = ThresholdMover(pipe, "prior").fit(X, y, sample_weight=w, w_lr=w_lr)
    np.testing.assert_allclose(
        mover.train_priors_, np.bincount(y, weights=w_lr) / w_lr.sum()
    )


def test_routed_resampled_priors_ignore_weights_the_final_step_declines():
    X, y = _binary(120)
    w = _weights_for_class_one(y, 3.0)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True),
            LogisticRegression().set_fit_request(sample_weight=False),
        )
        model = ResampledClassifier(
            RandomUnderSampler(sampling_strategy=0.5, random_state=0), pipe
        ).fit(X, y, sample_weight=w)
    drawn = y[model.sampler_.sample_indices_]
    np.testing.assert_allclose(
        model.resampled_priors_, np.bincount(drawn) / drawn.shape[0]
    )
