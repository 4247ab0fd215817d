"""Review 19: the documentation read by a new user, every claim tried.

Each test runs what a docstring states and pins the corrected statement, so
the docstring and the behaviour cannot drift apart again. Expected values come
from a formula (``math.floor``), scikit-learn, or the per-index
``DataLoader`` path that the batch paths promise to equal.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pandas as pd
import pytest

from rebalance import class_weights
from rebalance.datasets import (
    load_breast_cancer_skewed,
    make_imbalance,
    thin_class,
)


def _doc(obj) -> str:
    """The docstring of ``obj`` with its whitespace collapsed."""
    return " ".join(inspect.getdoc(obj).split())


# ------------------------------------------------------------------ weights


def test_class_weights_of_a_categorical_follow_its_category_order():
    # The docstring said "classes in sorted order"; a pandas categorical's
    # classes come in category order. The weights themselves are keyed, and
    # equal scikit-learn's balanced weights.
    from sklearn.utils.class_weight import compute_class_weight

    codes = np.array([0] * 40 + [1] * 15 + [2] * 5)
    values = np.array(["z", "y", "x"])[codes]
    y = pd.Series(pd.Categorical(values, categories=["z", "y", "x"]))
    weights = class_weights(y)
    assert list(weights) == ["z", "y", "x"]
    classes = np.unique(values)
    expected = compute_class_weight("balanced", classes=classes, y=values)
    assert [weights[c] for c in classes] == pytest.approx(expected.tolist())
    assert "a pandas categorical's in its category order" in _doc(class_weights)


# ----------------------------------------------------------------- datasets


@pytest.mark.parametrize("ratio", [0.1, 0.105, 0.109, 0.0999, 0.01])
def test_thin_class_keeps_the_floor_of_ratio_times_the_majority(ratio):
    # "a ratio outside [1/n_majority, n_minority/n_majority] is a ValueError"
    # was not what happens: floor(ratio * n_majority) rows are kept, so 0.109
    # on 100 vs 10 keeps all 10 rows without an error.
    y = np.array([0] * 100 + [1] * 10)
    X = np.arange(110).reshape(-1, 1)
    _, y_thinned = thin_class(X, y, ratio, random_state=0)
    assert np.bincount(y_thinned).tolist() == [100, math.floor(ratio * 100)]


@pytest.mark.parametrize("ratio", [0.11, 0.0099])
def test_thin_class_refuses_a_ratio_asking_for_no_row_or_too_many(ratio):
    y = np.array([0] * 100 + [1] * 10)
    with pytest.raises(ValueError, match=r"pick a ratio between 0\.01 and 0\.1"):
        thin_class(np.zeros((110, 1)), y, ratio)


def test_thin_class_docstrings_state_the_rounding():
    assert "``floor(ratio * n_majority)`` rows are kept" in _doc(thin_class)
    assert "``floor(ratio * n_majority)`` rows are kept" in _doc(make_imbalance)
    assert "``floor(ratio * 357)`` malignant rows" in _doc(load_breast_cancer_skewed)


def test_breast_cancer_skewed_rounds_down_and_takes_a_randomstate():
    # 0.595 is above 212/357 (0.5938...) yet asks for floor(0.595 * 357) =
    # 212 rows, all there are: no error. random_state takes a RandomState
    # too (the docstring listed int, Generator and None only).
    _, y = load_breast_cancer_skewed(ratio=0.595)
    assert int(y.sum()) == math.floor(0.595 * 357) == 212
    _, y_seeded = load_breast_cancer_skewed(random_state=np.random.RandomState(0))
    assert int(y_seeded.sum()) == math.floor(0.05 * 357)
    with pytest.raises(ValueError, match="asks for 213 rows"):
        load_breast_cancer_skewed(ratio=213 / 357 + 1e-9)
    assert "numpy Generator, RandomState or None" in _doc(load_breast_cancer_skewed)


# ------------------------------------------------------------ torch loaders


def test_tensor_batch_loader_position_counts_batches_of_a_balanced_batch_sampler():
    # TensorBatchLoader's docs said its state_dict position counts rows; with
    # a BalancedBatchSampler it counts batches, as that sampler does on the
    # DataLoader path, and a checkpoint resumes across the two paths.
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    from rebalance.torch import (
        BalancedBatchSampler,
        RebalanceSampler,
        TensorBatchLoader,
    )

    y = torch.tensor([0] * 30 + [1] * 10)
    X = torch.arange(40.0)

    def batches():
        return BalancedBatchSampler(y, 8, class_counts=[6, 2], seed=0)

    reference = batches()
    it = iter(DataLoader(TensorDataset(X, y), batch_sampler=reference))
    head = [next(it)[0] for _ in range(2)]
    loader = TensorBatchLoader(X, y, sampler=batches())
    it = iter(loader)
    assert all(torch.equal(next(it)[0], h) for h in head)
    assert loader.state_dict()["position"] == reference.state_dict()["position"] == 2

    rows = TensorBatchLoader(X, y, sampler=RebalanceSampler(y, seed=0), batch_size=8)
    it = iter(rows)
    next(it), next(it)
    assert rows.state_dict()["position"] == 2 * 8

    resumed = TensorBatchLoader(X, y, sampler=batches())
    resumed.load_state_dict(reference.state_dict())
    whole = [xb for xb, _ in DataLoader(TensorDataset(X, y), batch_sampler=batches())]
    rest = [xb for xb, _ in resumed]
    assert len(head) + len(rest) == len(whole)
    assert all(torch.equal(a, b) for a, b in zip(head + rest, whole))

    assert "or batches with a ``BalancedBatchSampler``" in _doc(TensorBatchLoader)
    assert "batches with a ``BalancedBatchSampler``" in _doc(
        TensorBatchLoader.state_dict
    )


def test_index_batch_sampler_subset_of_a_range_needs_list_indices():
    # The docstring named a Subset whose indices are a list; a range (as
    # Subset(dataset, range(...)) is often written) fails the same way with
    # index tensors and works with index_type="list".
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, Subset, TensorDataset

    from rebalance.torch import IndexBatchSampler, RebalanceSampler

    y = torch.tensor([0] * 12 + [1] * 4)
    X = torch.arange(16.0) * 10
    part = Subset(TensorDataset(X, y), range(16))
    tensors = IndexBatchSampler(RebalanceSampler(y, seed=0), 8)
    with pytest.raises(TypeError):
        list(DataLoader(part, sampler=tensors, batch_size=None))
    lists = IndexBatchSampler(RebalanceSampler(y, seed=0), 8, index_type="list")
    got = [xb for xb, _ in DataLoader(part, sampler=lists, batch_size=None)]
    same_epoch = IndexBatchSampler(RebalanceSampler(y, seed=0), 8)
    expected = [X[b] for b in same_epoch]
    assert len(got) == len(expected) == 3
    assert all(torch.equal(a, b) for a, b in zip(got, expected))
    assert "whose ``indices`` are a list or a range" in _doc(IndexBatchSampler)
