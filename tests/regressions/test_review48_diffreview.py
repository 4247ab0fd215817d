"""Review 48 (review of this session's diff): regressions."""

import numpy as np
import pandas as pd
import pytest

from rebalance.threshold import adjust_priors

PROBA = np.array([[0.2, 0.8], [0.6, 0.4]])


def _frames():
    frames = [pd.DataFrame(PROBA, columns=["1", "0"])]
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    frames.append(pl.DataFrame(PROBA, schema=["1", "0"]))
    frames.append(pa.table({"1": PROBA[:, 0], "0": PROBA[:, 1]}))
    return frames


@pytest.mark.parametrize("which", [0, 1, 2])
def test_range_series_priors_next_to_text_columns_in_another_order_refused(which):
    # Columns '1', '0' (a polars or pyarrow frame's names are text): a Series
    # indexed 0..1 was read by position, class 0's prior going to column '1'.
    proba = _frames()[which]
    with pytest.raises(ValueError, match="train_priors is a Series indexed 0..1"):
        adjust_priors(proba, pd.Series([0.5, 0.5]), pd.Series([0.9, 0.1]))


def test_range_series_priors_next_to_text_columns_in_order_still_by_position():
    pl = pytest.importorskip("polars")
    proba = pl.DataFrame(PROBA, schema=["0", "1"])
    got = adjust_priors(proba, pd.Series([0.5, 0.5]), pd.Series([0.9, 0.1]))
    np.testing.assert_allclose(got, adjust_priors(PROBA, [0.5, 0.5], [0.9, 0.1]))
    # and by the column names, as a dict
    got = adjust_priors(
        pl.DataFrame(PROBA, schema=["1", "0"]),
        {"0": 0.5, "1": 0.5},
        {"1": 0.9, "0": 0.1},
    )
    np.testing.assert_allclose(got, adjust_priors(PROBA, [0.5, 0.5], [0.9, 0.1]))


@pytest.mark.parametrize("alpha", [1e39, [1e39, 1.0]])
def test_focal_alpha_beyond_its_dtype_names_the_dtype_it_is_used_in(alpha):
    # A loss Module keeps alpha as a float32 buffer: the scalar's error said
    # float32 was "the dtype the loss is computed in" (float64 logits are
    # computed in float64); now as the per-class alpha's error.
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import SoftmaxFocalLoss, softmax_focal_loss

    match = r"alpha must fit torch.float32 \(the dtype it is used in"
    with pytest.raises(ValueError, match=match):
        SoftmaxFocalLoss(alpha=alpha)
    with pytest.raises(ValueError, match=match):
        softmax_focal_loss(torch.zeros(2, 2), torch.tensor([0, 1]), alpha=alpha)
