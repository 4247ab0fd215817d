"""Review 57, docs: README claims checked against the code.

Each test runs a statement the README makes (after its correction in review
57) and checks that the README still makes it, so that the two cannot drift
apart again.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler, class_weights

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme() -> str:
    # one line per paragraph: claims wrap across lines
    return re.sub(r"\s+", " ", README.read_text())


# bug: the README said a shuffled pandas sample_weight is a ValueError
# "naming y.loc[X.index]"; the message names sample_weight.loc[X.index].
def test_shuffled_pandas_weights_error_names_their_own_fix():
    assert (
        "naming the fix, `y.loc[X.index]` (`sample_weight.loc[X.index]`)" in _readme()
    )
    X = pd.DataFrame({"a": np.arange(40.0)}, index=np.arange(100, 140))
    y = pd.Series([0] * 30 + [1] * 10, index=X.index)
    w = pd.Series(np.ones(40), index=X.index)
    sampler = RandomUnderSampler(random_state=0)
    with pytest.raises(ValueError, match=re.escape("y.loc[X.index]")):
        sampler.fit_resample(X, y.sample(frac=1, random_state=0))
    with pytest.raises(ValueError, match=re.escape("sample_weight.loc[X.index]")):
        sampler.fit_resample(X, y, sample_weight=w.sample(frac=1, random_state=0))


# bug: the README said imbalanced-learn returns resampled rows "grouped by
# class"; its RandomOverSampler returns the input rows in their order, then
# the copies class by class (only its under-sampler groups by class).
def test_imblearn_output_order_is_as_the_readme_says():
    from imblearn.over_sampling import RandomOverSampler as ImbOver
    from imblearn.under_sampling import RandomUnderSampler as ImbUnder

    text = _readme()
    assert "grouped by class, its over-sampler the input rows in their order" in text
    assert "yes (unshuffled output, no `sample_weight`)" in text
    assert "yes (grouped by class, no `sample_weight`)" not in text
    y = np.array([0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 0, 2, 0, 0])
    X = np.arange(len(y))[:, None]
    _, y_under = ImbUnder(random_state=0).fit_resample(X, y)
    assert np.array_equal(y_under, np.sort(y_under))  # grouped by class
    X_over, y_over = ImbOver(random_state=0).fit_resample(X, y)
    assert np.array_equal(X_over[: len(y), 0], X[:, 0])  # the input, in order
    copies = y_over[len(y) :]
    assert np.array_equal(copies, np.sort(copies))  # then the copies, by class
    assert not np.array_equal(y_over, np.sort(y_over))  # not grouped overall
    # ours: shuffled by default
    ours = RandomOverSampler(random_state=0)
    ours.fit_resample(X, y)
    assert not np.array_equal(ours.sample_indices_, np.sort(ours.sample_indices_))


# bug: the README said the losses take "class_weights(y) (keys 0…C−1)", as
# if its keys were always 0…C−1; they are the labels, and the losses refuse
# any key that is not a class index.
def test_class_weights_keys_are_the_labels_and_losses_need_indices():
    torch = pytest.importorskip("torch")
    from rebalance.torch import class_weighted_cross_entropy

    assert (
        "`class_weights(y)` (with labels 0…C−1: the losses read its keys as "
        "class indices, and refuse other keys)" in _readme()
    )
    logits = torch.zeros(4, 3)
    target = torch.tensor([0, 1, 2, 1])
    strings = class_weights(np.array(["a", "b", "c", "b"]))
    assert list(strings) == ["a", "b", "c"]
    with pytest.raises(TypeError, match="class indices"):
        class_weighted_cross_entropy(logits, target, strings)
    shifted = class_weights(np.array([1, 2, 3, 2]))
    assert list(shifted) == [1, 2, 3]
    with pytest.raises(ValueError, match="no entry for class 0"):
        class_weighted_cross_entropy(logits, target, shifted)
    indices = class_weights(target.numpy())
    assert list(indices) == [0, 1, 2]
    assert torch.isfinite(class_weighted_cross_entropy(logits, target, indices))


# bug: the README gave bench_losses.py's sizes as 2^10…2^24 only, then quoted
# its 2^28 GPU run: with --device cuda it times 2^20, 2^24 and 2^28 elements
# and (2^16, 1000), (2^18, 1000).
def test_bench_losses_sizes_are_as_the_readme_says():
    assert (
        "2^10…2^24 elements (sigmoid) and (2^10…2^16, 1000) (softmax) on CPU; "
        "2^20…2^28 and (2^16…2^18, 1000) with `--device cuda`" in _readme()
    )
    source = (README.parent / "benchmarks" / "bench_losses.py").read_text()
    # the sizes main() times, not in --quick mode: GPU, then CPU
    assert "[1 << 20, 1 << 24, 1 << 28]" in source
    assert "[(1 << 16, 1000), (1 << 18, 1000)]" in source
    assert "range(10, 25, 2)" in source
    assert "(10, 12, 14, 16))" in source
