"""Review 45, area "scale": where rebalance scaled badly against its peers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import recall_score

import rebalance.metrics as metrics_module
from rebalance.metrics import g_mean_score


def _reference_g_mean(y_true, y_pred, labels, sample_weight):
    """The G-mean from scikit-learn's recalls of the raw labels."""
    recalls = recall_score(
        y_true,
        y_pred,
        labels=labels,
        average=None,
        sample_weight=sample_weight,
        zero_division=0.0,
    )
    return float(np.prod(recalls ** (1.0 / len(recalls))))


def test_string_g_mean_hands_recall_score_integer_labels(monkeypatch):
    # recall_score(labels=...) compared object labels with np.isin, one loop
    # over the classes per class: 10 s for 10^4 string classes.
    seen = []

    def spy(y_true, y_pred, *, labels, **kwargs):
        seen.append((np.asarray(y_true).dtype, np.asarray(labels).dtype))
        return recall_score(y_true, y_pred, labels=labels, **kwargs)

    monkeypatch.setattr(metrics_module, "recall_score", spy)
    y = np.array([f"class_{i % 50:04d}" for i in range(500)], dtype=object)
    g_mean_score(y, y[::-1])
    assert seen and all(t.kind == "i" and lab.kind == "i" for t, lab in seen)


@pytest.mark.parametrize("seed", range(40))
def test_string_g_mean_equals_recall_score_of_the_strings(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 200)), int(rng.integers(1, 30))
    names = np.array([f"c{i}" for i in range(k + 5)], dtype=object)
    y_true = names[rng.integers(0, k, n)]
    # predictions with classes y_true lacks, and a labels list with classes
    # no row has, or leaving classes of y_true out
    y_pred = names[rng.integers(0, k + 5, n)]
    labels = None
    if seed % 3 == 1:
        labels = list(
            rng.choice(names, size=int(rng.integers(1, k + 5)), replace=False)
        )
    weights = rng.random(n) * (rng.random(n) > 0.2) if seed % 2 else None
    if weights is not None and not weights.any():
        weights[0] = 1.0
    container = [list, np.asarray, lambda a: np.asarray(a, dtype=str)][seed % 3]
    expected = _reference_g_mean(
        y_true,
        y_pred,
        np.unique(y_true) if labels is None else labels,
        None if weights is None else weights / weights.max(),
    )
    got = g_mean_score(
        container(y_true), container(y_pred), labels=labels, sample_weight=weights
    )
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
