"""Review 118, metrics5: ``rebalance.metrics.g_mean_score`` compared with
imbalanced-learn's ``geometric_mean_score`` on seeded fuzzed inputs (numbers and
strings, ``labels=`` subsets, zero-weight rows, pandas categoricals with unused
categories, predictions of another kind), and ``ThresholdMover(strategy='tuned')``
with scorer objects (``make_scorer(..., pos_label=...)``, ``greater_is_better=False``,
``response_method``) compared with scikit-learn's ``TunedThresholdClassifierCV``; the
fast confusion-count metrics are pinned against the same scorers called per threshold.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, get_scorer, make_scorer, zero_one_loss
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV

from rebalance import ThresholdMover
from rebalance.metrics import _threshold_metric, g_mean_score


def test_g_mean_matches_imblearn_multiclass_on_fuzzed_inputs():
    rng = np.random.default_rng(0)
    letters = np.array(list("abcd"))
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(300):
            k = int(rng.integers(2, 5))
            n = int(rng.integers(1, 12))
            y_true = rng.integers(0, k, n)
            y_pred = rng.integers(0, k, n)
            weights = None
            if rng.random() < 0.5:
                weights = rng.choice([0.0, 0.5, 1.0, 3.0], n)
                weights[0] = max(weights[0], 1.0)
            labels = None
            if rng.random() < 0.3:
                labels = rng.choice(k, int(rng.integers(1, k + 1)), replace=False)
                labels = labels.tolist()
            if rng.random() < 0.4:
                y_true, y_pred = letters[y_true], letters[y_pred]
                if labels is not None:
                    labels = [str(letters[v]) for v in labels]
            if labels is None and not set(y_pred.tolist()) <= set(y_true.tolist()):
                continue  # documented difference: extra predicted classes
            ours = g_mean_score(y_true, y_pred, labels=labels, sample_weight=weights)
            theirs = geometric_mean_score(
                y_true, y_pred, labels=labels, sample_weight=weights, correction=0.0
            )
            assert ours == pytest.approx(float(theirs), abs=1e-12)
            checked += 1
    assert checked > 100


def test_g_mean_categorical_unused_category_is_not_a_class():
    y_true = pd.Series(pd.Categorical(["a", "a", "b", "b"], categories=["a", "b", "z"]))
    y_pred = ["a", "b", "b", "b"]
    assert g_mean_score(y_true, y_pred) == pytest.approx(np.sqrt(0.5))


def test_g_mean_refuses_predictions_of_another_kind():
    with pytest.raises(ValueError, match="y_pred has strings"):
        g_mean_score([0, 0, 1, 1], ["0", "0", "1", "1"])
    with pytest.raises(ValueError, match="labels has numbers"):
        g_mean_score(["a", "a", "b"], ["a", "b", "b"], labels=["a", 1])


def test_g_mean_class_of_zero_weight_scores_zero_as_imblearn():
    y = [0, 0, 1, 1]
    weights = [1, 1, 0, 0]
    assert g_mean_score(y, y, sample_weight=weights) == 0.0
    assert geometric_mean_score(y, y, sample_weight=weights) == 0.0


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        160, weights=[0.8], random_state=0, flip_y=0.05, n_features=5
    )
    return X, np.where(y == 1, "yes", "no")


def _compare(X, y, scoring, pos_label=None):
    grid = np.linspace(0.05, 0.95, 19)
    cv = StratifiedKFold(3)
    ours = ThresholdMover(
        LogisticRegression(),
        strategy="tuned",
        scoring=scoring,
        thresholds=grid,
        cv=cv,
        pos_label=pos_label,
    ).fit(X, y)
    theirs = TunedThresholdClassifierCV(
        LogisticRegression(), scoring=scoring, thresholds=grid, cv=cv
    ).fit(X, y)
    assert ours.threshold_ == pytest.approx(theirs.best_threshold_)
    assert ours.best_score_ == pytest.approx(theirs.best_score_)
    return ours


def test_tuned_scorer_with_string_pos_label_matches_sklearn(data):
    _compare(*data, make_scorer(f1_score, pos_label="no"), pos_label="no")


def test_tuned_greater_is_better_false_matches_sklearn(data):
    ours = _compare(*data, make_scorer(zero_one_loss, greater_is_better=False))
    assert ours.best_score_ <= 0


def test_tuned_refuses_scorer_reading_probabilities(data):
    scoring = make_scorer(f1_score, response_method="predict_proba")
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", scoring=scoring)
    with pytest.raises(ValueError, match="cannot score predicted labels"):
        mover.fit(*data)


def test_tuned_scorer_pos_label_other_than_tuned_class_is_refused(data):
    scoring = make_scorer(f1_score, pos_label="no")
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", scoring=scoring)
    with pytest.raises(ValueError, match="pos_label='no'"):
        mover.fit(*data)


def test_confusion_metrics_match_scorers_per_threshold():
    rng = np.random.default_rng(1)
    thresholds = np.array([0.0, 0.2, 0.3, 0.5, 0.9])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(20):
            n = int(rng.integers(1, 10))
            truth = rng.random(n) < 0.4
            scores = rng.choice([0.1, 0.3, 0.5, np.nan, 0.7], n)
            weights = rng.choice([0.0, 1.0, 2.5], n)
            weights[0] = 1.0
            for name in ("f1", "balanced_accuracy", "g_mean", "recall", "precision"):
                ref = (
                    make_scorer(g_mean_score) if name == "g_mean" else get_scorer(name)
                )
                fast = _threshold_metric(name)(truth, scores, thresholds, weights)
                slow = _threshold_metric(ref)(truth, scores, thresholds, weights)
                np.testing.assert_allclose(fast, slow, atol=1e-12)
