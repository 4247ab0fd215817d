"""rebalance.metrics: the one G-mean, and scoring many thresholds at once."""

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    precision_score,
    recall_score,
)

from rebalance.metrics import _check_label_metric, _threshold_metric, g_mean_score


def _labels(n_classes, n=300, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, size=n)
    # right 70% of the time, else a random class
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, n_classes, size=n))
    return y_true, y_pred


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("weighted", [False, True])
def test_g_mean_equals_imblearn_geometric_mean(n_classes, weighted):
    y_true, y_pred = _labels(n_classes)
    weights = np.random.default_rng(1).random(len(y_true)) if weighted else None
    ours = g_mean_score(y_true, y_pred, sample_weight=weights)
    theirs = geometric_mean_score(y_true, y_pred, sample_weight=weights)
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_binary_g_mean_is_the_root_of_sensitivity_times_specificity():
    y_true, y_pred = _labels(2, seed=3)
    tpr = np.mean(y_pred[y_true == 1] == 1)
    tnr = np.mean(y_pred[y_true == 0] == 0)
    assert g_mean_score(y_true, y_pred) == pytest.approx(np.sqrt(tpr * tnr))


def test_g_mean_with_labels_counts_a_class_without_rows_as_recall_zero():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 0, 1, 0])
    assert g_mean_score(y_true, y_pred) == pytest.approx(np.sqrt(0.5))
    assert g_mean_score(y_true, y_pred, labels=[0, 1, 2]) == 0.0
    # string labels; the classes of y_true by default
    assert g_mean_score(["a", "b"], ["a", "a"]) == 0.0


def test_g_mean_is_re_exported_by_threshold():
    from rebalance.threshold import g_mean_score as from_threshold

    assert from_threshold is g_mean_score


def test_compare_reports_the_same_g_mean():
    compare = pytest.importorskip("rebalance.compare")
    y_true, y_pred = _labels(3, seed=4)
    proba = np.eye(3)[y_pred] * 0.8 + 0.2 / 3
    scores, _ = compare.score_fold(y_true, proba, y_pred)
    assert scores["g_mean"] == pytest.approx(
        g_mean_score(y_true, y_pred, labels=np.arange(3))
    )


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"y_true": []}, "y_true has shape"),
        ({"y_true": [[0, 1]], "y_pred": [[0, 1]]}, "y_true has shape"),
        ({"labels": []}, "labels has shape"),
    ],
)
def test_g_mean_bad_input(bad, match):
    args = {"y_true": [0, 1], "y_pred": [0, 1], **bad}
    labels = args.pop("labels", None)
    with pytest.raises(ValueError, match=match):
        g_mean_score(args["y_true"], args["y_pred"], labels=labels)


# The threshold kit: every named metric, computed from the confusion counts of
# all thresholds at once, equals the scikit-learn metric at each threshold.
SKLEARN = {
    "f1": lambda t, p: f1_score(t, p, zero_division=0.0),
    "balanced_accuracy": balanced_accuracy_score,
    "g_mean": g_mean_score,
    "accuracy": accuracy_score,
    "recall": lambda t, p: recall_score(t, p, zero_division=0.0),
    "precision": lambda t, p: precision_score(t, p, zero_division=0.0),
}


@pytest.mark.parametrize("name", sorted(SKLEARN))
def test_threshold_metric_equals_the_metric_at_each_threshold(name):
    rng = np.random.default_rng(5)
    truth = rng.random(80) < 0.2
    scores = truth * 0.5 + rng.random(80)
    # below every score (all positive), inside, and above (all negative)
    thresholds = np.concatenate([[-1.0], np.linspace(0, 1.5, 9), [2.0]])
    got = _threshold_metric(name)(truth, scores, thresholds)
    expected = [
        SKLEARN[name](truth.astype(int), (scores >= t).astype(int)) for t in thresholds
    ]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    # any scorer goes through the slow path and agrees
    slow = _threshold_metric(make_scorer(SKLEARN[name]))(truth, scores, thresholds)
    np.testing.assert_allclose(slow, expected, atol=1e-12)


def test_ranking_metrics_cannot_tune_a_threshold():
    with pytest.raises(ValueError, match="scoring='roc_auc' cannot score predicted"):
        _check_label_metric("roc_auc")
    _check_label_metric("g_mean")
