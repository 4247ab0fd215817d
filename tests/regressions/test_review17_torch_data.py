"""Review 17 (torch_data): the DataLoader samplers and the batch loaders."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import TensorDataset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    TensorBatchLoader,
)

LABELS = np.array([2, 0, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0] * 3)


def _nested(layout):
    with warnings.catch_warnings():  # "nested tensors are in prototype stage"
        warnings.simplefilter("ignore")
        rows = [torch.zeros(2), torch.zeros(3)] * 18
        return torch.nested.nested_tensor(rows, layout=layout)


# --- TensorBatchLoader: tensors whose rows index_select cannot gather ---------


def test_tensor_loader_refuses_a_nested_tensor_before_any_batch():
    # Before: torch's "Internal error: NestedTensorImpl doesn't support sizes".
    # (A jagged one, slow to build in a test, was refused only at the first
    # batch, with NotImplementedError; the same check catches it.)
    sampler = RebalanceSampler(LABELS, seed=0)
    with pytest.raises(TypeError, match=r"tensors\[0\] is a nested tensor.*padded"):
        TensorBatchLoader(_nested(torch.strided), sampler=sampler, batch_size=4)


@pytest.mark.parametrize("to_layout", ["to_sparse_csr", "to_sparse_csc"])
def test_tensor_loader_refuses_compressed_sparse_tensors_before_any_batch(to_layout):
    # Before: accepted, then NotImplementedError (aten::index_select) at the
    # first batch of the training loop.
    X = getattr(torch.eye(len(LABELS)), to_layout)()
    sampler = RebalanceSampler(LABELS, seed=0)
    with pytest.raises(TypeError, match=r"tensors\[1\] has layout.*to_sparse_coo"):
        TensorBatchLoader(torch.zeros(len(LABELS)), X, sampler=sampler, batch_size=4)


def test_tensor_loader_gathers_the_rows_of_a_sparse_coo_tensor():
    dense = torch.arange(len(LABELS) * 3.0).reshape(-1, 3) % 5
    loader = TensorBatchLoader(
        dense.to_sparse(), sampler=RebalanceSampler(LABELS, seed=1), batch_size=5
    )
    batches = IndexBatchSampler(RebalanceSampler(LABELS, seed=1), 5)
    got = [xb.to_dense() for (xb,) in loader]
    expected = [dense[index] for index in batches]
    assert len(got) == len(expected) == len(loader)
    assert all(torch.equal(a, b) for a, b in zip(got, expected))


# --- Label tensors that hold no plain values ----------------------------------


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        # Before: torch's "can't convert Sparse layout tensor to numpy".
        (lambda y: y.to_sparse(), TypeError, r"labels is a tensor of layout"),
        # Before: "labels is a torch.float32 tensor" for integer rows too.
        (
            lambda y: torch.nested.nested_tensor([y[:5], y[5:]]),
            TypeError,
            r"labels is a nested tensor",
        ),
        # Before: NotImplementedError "Cannot copy out of meta tensor".
        (lambda y: y.to("meta"), ValueError, r"labels is a tensor on the meta"),
    ],
)
@pytest.mark.parametrize(
    "sampler", [RebalanceSampler, lambda y: BalancedBatchSampler(y, 3)]
)
def test_label_tensors_without_plain_values_are_named(sampler, make, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = make(torch.from_numpy(LABELS))
    with pytest.raises(error, match=match):
        sampler(labels)


# --- One-hot labels, read as fit_resample reads them --------------------------


def _one_hot_forms():
    pd = pytest.importorskip("pandas")
    one_hot = torch.nn.functional.one_hot(torch.from_numpy(LABELS))
    return {
        "numpy int": one_hot.numpy(),
        "tensor int64": one_hot,
        "tensor float32": one_hot.float(),
        "tensor bfloat16": one_hot.bfloat16(),
        "tensor bool": one_hot.bool(),
        "pandas get_dummies": pd.get_dummies(LABELS),
        "pandas Int64 frame": pd.DataFrame(one_hot.numpy()).astype("Int64"),
        "list of rows": one_hot.tolist(),
    }


@pytest.mark.parametrize(
    "form",
    [
        "numpy int",
        "tensor int64",
        "tensor float32",
        "tensor bfloat16",
        "tensor bool",
        "pandas get_dummies",
        "pandas Int64 frame",
        "list of rows",
    ],
)
def test_one_hot_labels_give_the_epochs_of_their_class_ids(form):
    # Before: ValueError "labels must be 1-D", though fit_resample (and
    # imbalanced-learn) take a one-hot y.
    one_hot = _one_hot_forms()[form]
    class_ids = np.eye(3, dtype=np.int64)[LABELS].argmax(axis=1)
    sampler = RebalanceSampler(one_hot, RandomUnderSampler(), seed=4)
    sampler.set_epoch(1)
    # RebalanceSampler's contract: epoch e is fit_resample's sample_indices_
    # with random_state=default_rng([seed, e]), here on the same one-hot y.
    X = np.zeros((LABELS.shape[0], 1))
    core = RandomUnderSampler(random_state=np.random.default_rng([4, 1]))
    core.fit_resample(X, np.eye(3, dtype=np.int64)[LABELS])
    assert list(sampler) == core.sample_indices_.tolist()
    batches = BalancedBatchSampler(one_hot, 3, seed=2)
    expected = BalancedBatchSampler(class_ids, 3, seed=2)
    assert list(batches) == list(expected)
    assert all(
        np.bincount(class_ids[b], minlength=3).tolist() == [1, 1, 1] for b in batches
    )


@pytest.mark.parametrize(
    "matrix",
    [
        np.eye(3)[LABELS] * 0.9,  # label smoothing: not one-hot
        np.ones((LABELS.shape[0], 3), dtype=int),  # multilabel
        np.zeros((LABELS.shape[0], 3), dtype=int),  # rows without a class
    ],
)
def test_soft_and_multilabel_matrices_are_still_refused(matrix):
    for labels in (matrix, torch.from_numpy(matrix)):
        with pytest.raises(ValueError, match=r"one-hot matrix.*argmax\(1\)"):
            RebalanceSampler(labels)


# --- RebalancedLoader: a sampler given to the loader --------------------------


@pytest.mark.parametrize("key", ["sampler", "batch_sampler"])
@pytest.mark.parametrize("sampler_class", [RebalanceSampler, BalancedBatchSampler])
def test_rebalanced_loader_refuses_a_sampler_meant_for_the_loader(key, sampler_class):
    # Before: skorch's iterator_train__sampler=RandomUnderSampler() beside
    # iterator_train=RebalancedLoader() was silently replaced by the default
    # LabelShuffleSampler (or, as batch_sampler, a cryptic DataLoader error).
    dataset = TensorDataset(torch.arange(36), torch.from_numpy(LABELS))
    make_loader = RebalancedLoader(sampler_class, seed=0)
    with pytest.raises(TypeError, match=rf"{key}=.*iterator_train__{key}"):
        make_loader(dataset, batch_size=3, shuffle=True, **{key: RandomUnderSampler()})
    assert not hasattr(make_loader, "sampler_")  # refused before any work
    loader = make_loader(dataset, batch_size=3, sampler=None)  # skorch's default
    assert len(list(loader)) == len(loader)
