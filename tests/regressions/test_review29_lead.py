"""Review 29 (lead): changes made by the lead while merging the round.

Each test failed on the reviewed code."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import RandomUnderSampler, ResampledClassifier
from rebalance.compare import encode_target
from rebalance.metrics import g_mean_score


@pytest.mark.parametrize(
    "y, error, message",
    [
        # Before: one class '0' (0 and '0' merged).
        ([0, "0", 1, 1, 1, 0], TypeError, "y mixes label types"),
        # Before: 'nan' a class of its own.
        (["a", float("nan"), "b", "b"], ValueError, "y has missing labels"),
        # Before: the masked label read as the 1 under its mask.
        (np.ma.array([0, 1, 1, 0], mask=[0, 1, 0, 0]), ValueError, "missing labels"),
    ],
)
def test_compare_target_labels_are_read_as_the_samplers_read_them(y, error, message):
    with pytest.raises(error, match=message):
        encode_target(y)


def test_compare_target_big_integers_stay_apart():
    # Before: 2**63 and 2**63 + 1 read as one float64 class.
    encoded = encode_target([2**63, 2**63 + 1, -1, -1, -1])
    assert len(encoded.labels) == 3


def test_g_mean_of_exact_integers_numpy_would_round_is_not_a_silent_score():
    # 2**53 and 2**53 + 1 are two classes; read back as floats they merged and
    # a perfect prediction scored 0.0.
    y = [2**53, 2**53 + 1, 1.0, 1.0]
    try:
        score = g_mean_score(y, y)
    except ValueError:
        return  # refused: scikit-learn cannot score these labels
    assert score == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["array", "series"])
def test_resampled_classifier_refuses_lazy_weights_naming_them(kind):
    # Before: failed after the sampler ran with "data is a Dask Series",
    # which names no argument.
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (rng.random(100) < 0.2).astype(int)
    w = rng.random(100) + 0.1
    lazy = (
        da.from_array(w, chunks=30)
        if kind == "array"
        else dd.from_pandas(pd.Series(w), npartitions=3)
    )
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    with pytest.raises(TypeError, match=r"^sample_weight is a Dask collection"):
        model.fit(da.from_array(X, chunks=30), y, sample_weight=lazy)
    assert not hasattr(model, "sampler_")
    fitted = model.fit(da.from_array(X, chunks=30), y, sample_weight=w)
    assert fitted.resampled_priors_ is not None
