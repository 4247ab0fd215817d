"""Review 17 (models): bugs found in the meta-estimators and metrics
(ThresholdMover, the priors, ResampledClassifier, weights, metrics).

Every test here fails on the code as reviewed; each is named after its bug.
Expected values come from the peers (scikit-learn, imbalanced-learn) or
from the formula, never from rebalance itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline as imblearn_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin, is_classifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, make_scorer
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.svm import SVC

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover
from rebalance.threshold import adjust_priors, em_priors


def _binary(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y


def _three_classes(n_per_class=30, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n_per_class)
    X = rng.normal(size=(y.shape[0], 2)) + y[:, None]
    return X, y


# --------------------------------------------------------------------------
# 1. A multiclass SVC(decision_function_shape='ovo') inside a GridSearchCV
#    (or a frozen fitted search): its three pairwise columns have the shape
#    of one per class, and were tuned as the classes, silently. The ovo
#    check looked at the last step of a pipeline, not into a search.
#    (rebalance/threshold.py:_checked_scores via _final_step)
# --------------------------------------------------------------------------
def test_tuned_takes_ovo_columns_of_a_searched_svc_for_classes():
    X, y = _three_classes()
    search = GridSearchCV(SVC(decision_function_shape="ovo"), {"C": [1.0]}, cv=2)
    mover = ThresholdMover(search, "tuned", cv=2, thresholds=10)
    with pytest.raises(ValueError, match="one-vs-one"):
        mover.fit(X, y)
    frozen = ThresholdMover(FrozenEstimator(search.fit(X, y)), "tuned", thresholds=10)
    with pytest.raises(ValueError, match="one-vs-one"):
        frozen.fit(X, y)


# --------------------------------------------------------------------------
# 2. A binary SVC(decision_function_shape='ovo') was refused ("one column
#    per pair of classes"), but a binary decision_function is the usual
#    single score whatever the shape setting (scikit-learn's
#    FixedThresholdClassifier takes it).
#    (rebalance/threshold.py:_checked_scores)
# --------------------------------------------------------------------------
def test_binary_ovo_svc_refused_though_its_score_is_one_column():
    X, y = _binary()
    ours = ThresholdMover(
        SVC(decision_function_shape="ovo"),
        "fixed",
        threshold=0.3,
        response_method="decision_function",
    ).fit(X, y)
    peer = FixedThresholdClassifier(
        SVC(decision_function_shape="ovo"),
        threshold=0.3,
        response_method="decision_function",
    ).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))


# --------------------------------------------------------------------------
# 3. adjust_priors / em_priors read a pandas Series of priors by position:
#    y.value_counts(normalize=True) is in order of frequency, so with the
#    majority class last the priors were swapped, silently.
#    (rebalance/_priors.py:_prior_vector)
# --------------------------------------------------------------------------
def test_adjust_priors_reads_value_counts_series_by_position():
    y = pd.Series([1] * 80 + [0] * 20)
    deploy = y.value_counts(normalize=True)  # index [1, 0]
    proba = np.array([[0.5, 0.5], [0.9, 0.1]])
    # p_c ∝ p'_c · π_c / π'_c with π' = (0.5, 0.5), π = (0.2, 0.8).
    expected = proba * np.array([0.2, 0.8])
    expected /= expected.sum(axis=1, keepdims=True)
    frame = pd.DataFrame(proba, columns=[0, 1])
    np.testing.assert_allclose(adjust_priors(frame, [0.5, 0.5], deploy), expected)
    # A plain array says nothing of the class order: refused, not guessed.
    with pytest.raises(ValueError, match="deploy_priors is given by class label"):
        adjust_priors(proba, [0.5, 0.5], deploy)


def test_em_priors_reads_train_priors_series_by_position():
    proba = np.array([[0.9, 0.1]] * 7 + [[0.1, 0.9]] * 3)
    # Columns (a, b); the training priors are a: 0.8, b: 0.2, given by label
    # in the other order.
    train = pd.Series({"b": 0.2, "a": 0.8})
    got = em_priors(pd.DataFrame(proba, columns=["a", "b"]), train)
    expected = em_priors(proba, np.array([0.8, 0.2]))
    np.testing.assert_allclose(got, expected)
    with pytest.raises(ValueError, match="train_priors is given by class label"):
        em_priors(proba, train)


# --------------------------------------------------------------------------
# 4. em_priors on no rows returned NaN priors (with numpy's "Mean of empty
#    slice" warning) instead of an error.
#    (rebalance/_priors.py:em_priors)
# --------------------------------------------------------------------------
def test_em_priors_returns_nan_priors_for_no_rows():
    with pytest.raises(ValueError, match="no rows"):
        em_priors(np.zeros((0, 2)), [0.5, 0.5])


# --------------------------------------------------------------------------
# 5. ThresholdMover did not compare the lengths of X and y: an
#    imbalanced-learn pipeline with a sampler step (which does not either)
#    was fitted on rows paired with the wrong labels, silently.
#    (rebalance/threshold.py:ThresholdMover.fit)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["prior", "fixed"])
def test_x_y_length_mismatch_fits_through_imblearn_pipeline(strategy):
    X, y = _binary()
    pipeline = imblearn_pipeline(ImbUnderSampler(random_state=0), LogisticRegression())
    with pytest.raises(ValueError, match="same length"):
        ThresholdMover(pipeline, strategy).fit(X, y[:-1])


# --------------------------------------------------------------------------
# 6. strategy='tuned' with a FrozenEstimator and a sample_weight of the
#    wrong length: a numpy IndexError ("boolean index did not match") from
#    the metric, after scoring, instead of an error naming sample_weight.
#    (rebalance/threshold.py:ThresholdMover.fit)
# --------------------------------------------------------------------------
def test_frozen_tuned_wrong_length_sample_weight_gives_index_error():
    X, y = _binary()
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match="sample_weight"):
        ThresholdMover(frozen, "tuned").fit(X, y, sample_weight=np.ones(len(y) - 1))


# --------------------------------------------------------------------------
# 7. A FrozenEstimator (already fitted, knowing both classes) fitted on rows
#    of one class only (a calibration subset, a fold) was refused ("y has
#    one class only") although y only gives the priors; scikit-learn's
#    FixedThresholdClassifier(FrozenEstimator(clf)) takes it.
#    (rebalance/threshold.py:ThresholdMover.fit)
# --------------------------------------------------------------------------
def test_frozen_fixed_threshold_refuses_one_class_y():
    X, y = _binary()
    fitted = LogisticRegression().fit(X, y)
    rows = y == 0
    ours = ThresholdMover(FrozenEstimator(fitted), "fixed", threshold=0.3)
    peer = FixedThresholdClassifier(FrozenEstimator(fitted), threshold=0.3)
    np.testing.assert_array_equal(
        ours.fit(X[rows], y[rows]).predict(X), peer.fit(X[rows], y[rows]).predict(X)
    )
    np.testing.assert_array_equal(ours.classes_, [0, 1])


# --------------------------------------------------------------------------
# 8. ResampledClassifier around a classifier that does not derive from
#    ClassifierMixin (a BaseEstimator with fit/predict/classes_, as some
#    third-party wrappers are): its tags have no classifier_tags, and
#    get_tags (so is_classifier, cross_val_score) crashed with
#    "'NoneType' object has no attribute 'multi_label'"; and score called
#    the classifier's score, which it does not have (NaN scores).
#    (rebalance/compose.py:ResampledClassifier.__sklearn_tags__, .score)
# --------------------------------------------------------------------------
class _NoMixinClassifier(BaseEstimator):
    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_resampled_classifier_tags_crash_without_classifier_mixin():
    X, y = _binary()
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), _NoMixinClassifier()
    )
    assert is_classifier(model)
    scores = cross_val_score(model, X, y, cv=StratifiedKFold(3))
    expected = [
        accuracy_score(
            y[test],
            ResampledClassifier(
                RandomUnderSampler(random_state=0), LogisticRegression()
            )
            .fit(X[train], y[train])
            .predict(X[test]),
        )
        for train, test in StratifiedKFold(3).split(X, y)
    ]
    np.testing.assert_allclose(scores, expected)


# --------------------------------------------------------------------------
# 9. Error messages printed numpy 2 scalar reprs for the classes ("for class
#    np.int64(1)", "y has 2 classes [np.int64(0), np.int64(1)]") instead of
#    the labels as the user wrote them.
#    (rebalance/_tuning.py:best_thresholds, rebalance/threshold.py,
#    rebalance/metrics.py, rebalance/_priors.py)
# --------------------------------------------------------------------------
class _ConstantProba(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.tile([0.6, 0.4], (len(X), 1))


def test_error_messages_show_numpy_scalar_reprs_of_classes():
    X, y = _binary()
    with pytest.raises(ValueError) as constant:
        ThresholdMover(_ConstantProba(), "tuned", cv=3).fit(X, y)
    with pytest.raises(ValueError) as cost:
        ThresholdMover(LogisticRegression(), "cost", cost_matrix=np.ones((3, 3))).fit(
            X, y
        )
    with pytest.raises(ValueError) as scorer:
        ThresholdMover(
            LogisticRegression(), "tuned", scoring=make_scorer(f1_score, pos_label=0)
        ).fit(X, y)
    assert "for class 1:" in str(constant.value)
    assert "2 classes [0, 1]" in str(cost.value)
    assert "the threshold of the class 1:" in str(scorer.value)
    for info in (constant, cost, scorer):
        assert "np.int64" not in str(info.value)
