"""Review 28 (lead): changes made by the lead while merging the round.

Each test failed on the reviewed code."""

import numpy as np
import pytest

from rebalance import RandomUnderSampler, class_weights
from rebalance.metrics import g_mean_score


@pytest.mark.parametrize(
    "labels",
    [
        [0, "a", 0, "0"],  # 0 and '0' were one class
        ("a", b"a", "a", "b"),  # text and bytes
        [True, "a", "a", "b"],
        [1.5, "a", "a", "b"],
    ],
)
def test_sequence_mixing_text_and_other_labels_is_refused(labels):
    # Before: numpy wrote every label as text without a word, so 0 and '0'
    # (or True and 'True') were one class: counts, weights and scores silently
    # merged them. The same labels as an object array were already refused.
    X = np.zeros((len(labels), 1))
    with pytest.raises(TypeError, match="y mixes label types"):
        RandomUnderSampler(random_state=0).fit_resample(X, labels)
    with pytest.raises(TypeError, match="y mixes label types"):
        class_weights(labels)
    with pytest.raises(TypeError, match="y mixes label types"):
        RandomUnderSampler(random_state=0).fit_resample(
            X, np.array(labels, dtype=object)
        )


def test_g_mean_of_mixed_sequence_is_refused():
    # Before: 1.0, the label 0 of y_true read as '0' of y_pred.
    with pytest.raises(TypeError, match="y_true mixes label types"):
        g_mean_score([0, "a"], ["0", "a"])


def test_sequences_of_one_text_type_are_unchanged():
    labels = ["a", np.str_("b"), "a", "b"]
    X = np.arange(4.0).reshape(-1, 1)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, labels)
    assert sorted(y_res) == ["a", "a", "b", "b"]
    assert [labels[int(i)] for i in X_res[:, 0]] == list(y_res)
    assert class_weights([b"x", b"y", b"y"]) == {b"x": 1.5, b"y": 0.75}


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_masked_labels_are_refused_as_missing(shape):
    # Before: a masked label was read as the value under its mask, a class it
    # is not (and the output labels dropped the mask).
    y = np.ma.array([0, 0, 0, 1, 1, 1], mask=[0, 1, 0, 0, 0, 0]).reshape(shape)
    X = np.zeros((6, 1))
    with pytest.raises(ValueError, match="y has missing labels .* position 1"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="y has missing labels"):
        class_weights(y)
    # Nothing masked: the values.
    kept = np.ma.array([0, 0, 0, 1, 1, 1], mask=False).reshape(shape)
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(X, kept)
    assert sorted(np.asarray(y_res).ravel().tolist()) == [0, 0, 0, 1, 1, 1]
