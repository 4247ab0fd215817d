"""Review 47, lead: fixes from the helpers' reports in files they did not own."""

from __future__ import annotations

from enum import Enum

import numpy as np
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler, class_weights
from rebalance.metrics import g_mean_score


class _Sentiment(str, Enum):
    NEGATIVE = "neg"
    POSITIVE = "pos"


class _Tag(str):
    """A str subclass whose str() is not its value's text."""

    def __str__(self) -> str:
        return "tag"


# Bug: numpy writes a list of `(str, Enum)` members as their str() cut to the
# value's length ('_' for every member here): every member one class, so
# class_weights found one class and g_mean_score scored a constant predictor 1.
@pytest.mark.parametrize(
    "make", [lambda v: _Sentiment(v), lambda v: _Tag(v)], ids=["enum", "subclass"]
)
def test_list_of_str_subclass_labels_keeps_its_classes(make):
    neg, pos = make("neg"), make("pos")
    y = [neg] * 8 + [pos] * 2
    assert class_weights(y) == {neg: 0.625, pos: 2.5}
    assert class_weights(y) == class_weights(np.array(y, dtype=object))
    assert g_mean_score(y, [neg] * 10) == 0.0
    X = np.arange(10.0).reshape(-1, 1)
    for sampler in (
        RandomOverSampler(random_state=0),
        RandomUnderSampler(random_state=0),
    ):
        X_res, y_res = sampler.fit_resample(X, y)
        rows = sampler.sample_indices_
        assert [y[i] for i in rows] == list(y_res)
        assert sorted({str.__str__(v) for v in y_res}) == ["neg", "pos"]
        assert (X_res.ravel() == X.ravel()[rows]).all()


# Review 49: a list X of tensor rows that numpy cannot read (requires grad)
# named X.detach().cpu().numpy(), which a list does not have: the fix is per row.
def test_list_of_unreadable_tensor_rows_names_the_per_row_fix():
    torch = pytest.importorskip("torch")
    rows = [torch.tensor([float(i), 1.0], requires_grad=True) for i in range(6)]
    with pytest.raises(
        TypeError, match=r"\[row\.detach\(\)\.cpu\(\)\.numpy\(\) for row"
    ):
        RandomOverSampler(random_state=0).fit_resample(rows, [0, 0, 0, 0, 1, 1])
    with pytest.raises(TypeError, match=r"as X\.detach\(\)\.cpu\(\)\.numpy\(\) \("):
        RandomOverSampler(random_state=0).fit_resample(
            torch.stack(rows), [0, 0, 0, 0, 1, 1]
        )
