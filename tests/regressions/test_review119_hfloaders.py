"""Review 119 (hfloaders): how ``RebalancedLoader``, ``RebalanceSampler`` and
``IndexBatchSampler`` read labels from Hugging Face ``datasets.Dataset``
objects (transforms with ``columns=``/``output_all_columns``, ``select`` and
``shuffle`` views with indices mappings, ``ClassLabel`` -1 rows left out by a
``Subset``, streaming columns) and from torch ``Subset``/``TensorDataset``
objects, checking that the labels balanced are those the ``DataLoader``
yields, row for row; plus the private ``TorchMLPClassifier`` of
``rebalance compare --model mlp`` on tiny data."""

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("datasets")

from torch.utils.data import DataLoader, Dataset, Subset  # noqa: E402

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

LABELS = [0] * 8 + [1] * 2 + [2] * 2


def _hf():
    return datasets.Dataset.from_dict({"x": list(range(12)), "label": LABELS})


def _yielded(loader, x_key="x"):
    xs, ys = [], []
    for batch in loader:
        xs += np.atleast_1d(np.asarray(batch[x_key])).tolist()
        ys += np.atleast_1d(np.asarray(batch["label"])).tolist()
    return np.array(xs), np.array(ys)


def test_transform_that_relabels_is_balanced_by_the_labels_it_yields():
    def binarize(batch):
        return {"x": batch["x"], "label": [int(v > 0) for v in batch["label"]]}

    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    xs, ys = _yielded(make(_hf().with_transform(binarize), batch_size=4))
    # 8 rows of class 0 against 4 of the merged class 1: 4 + 4.
    assert np.bincount(ys).tolist() == [4, 4]
    assert (ys == (np.asarray(LABELS)[xs] > 0)).all()


def test_transform_on_some_columns_with_output_all_columns_keeps_labels():
    def scale(batch):
        return {"xx": [v * 10 for v in batch["x"]]}

    data = _hf().with_transform(scale, columns=["x"], output_all_columns=True)
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    xx, ys = _yielded(make(data, batch_size=4), x_key="xx")
    assert np.bincount(ys).tolist() == [2, 2, 2]
    assert (ys == np.asarray(LABELS)[xx // 10]).all()


@pytest.mark.parametrize("mode", ["sampler", "batch_sampler"])
@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
def test_index_batches_over_shuffled_torch_view_read_their_rows(mode, index_type):
    view = _hf().shuffle(seed=2).with_format("torch")
    plain = view.with_format(None)
    x_of, y_of = np.asarray(plain["x"][:]), np.asarray(plain["label"][:])

    def batches():
        return IndexBatchSampler(
            RebalanceSampler(y_of, RandomOverSampler(), seed=0),
            3,
            index_type=index_type,
        )

    ids = np.concatenate([np.atleast_1d(np.asarray(b)) for b in batches()])
    if mode == "sampler":
        loader = DataLoader(view, sampler=batches(), batch_size=None)
    else:
        loader = DataLoader(view, batch_sampler=batches())
    xs, ys = _yielded(loader)
    assert xs.tolist() == x_of[ids].tolist()
    assert ys.tolist() == y_of[ids].tolist()
    assert np.bincount(ys).tolist() == [8, 8, 8]


def _class_label_data():
    features = datasets.Features(
        {"x": datasets.Value("int64"), "label": datasets.ClassLabel(names=["a", "b"])}
    )
    return datasets.Dataset.from_dict(
        {"x": list(range(6)), "label": [0, 0, 1, -1, 1, 0]}, features=features
    )


@pytest.mark.parametrize("how", ["subset", "select"])
def test_missing_class_label_rows_left_out_of_a_view_are_not_refused(how):
    data = _class_label_data()
    rows = [0, 1, 2, 4]
    view = Subset(data, rows) if how == "subset" else data.select(rows)
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    xs, ys = _yielded(make(view, batch_size=2))
    assert sorted(np.bincount(ys).tolist()) == [2, 2]
    assert (ys == np.array([0, 0, 1, -1, 1, 0])[xs]).all()


def test_missing_class_label_in_the_rows_is_refused():
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError, match="missing label"):
        make(_class_label_data())


class _SeriesRows(Dataset):
    def __init__(self, y):
        self.y = y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return i, int(self.y.iloc[i])


def test_subset_of_series_labels_with_a_foreign_index_reads_by_position():
    y = pd.Series(LABELS, index=np.arange(12)[::-1])  # index 11..0
    part = Subset(_SeriesRows(y), [0, 1, 2, 8, 9, 10, 11])
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    ids, ys = [], []
    for a, b in make(part, batch_size=4):
        ids += a.tolist()
        ys += b.tolist()
    assert np.bincount(ys).tolist() == [2, 2, 2]
    assert ys == [LABELS[i] for i in ids]


def test_streaming_dataset_is_refused_by_the_loader():
    make = RebalancedLoader(sampler=RandomUnderSampler())
    with pytest.raises(TypeError, match="IterableDataset"):
        make(_hf().to_iterable_dataset())


def test_streaming_column_as_labels_is_refused_as_a_stream():
    column = _hf().to_iterable_dataset()["label"]
    with pytest.raises(TypeError, match="(?i)stream|IterableDataset"):
        RebalanceSampler(column, RandomUnderSampler())


def test_compare_mlp_balanced_batch_on_string_classes():
    from rebalance.torch._compare_model import TorchMLPClassifier

    rng = np.random.default_rng(0)
    y = np.array(["a"] * 30 + ["b"] * 6 + ["c"] * 4)
    X = rng.normal(size=(40, 3)) + np.unique(y, return_inverse=True)[1][:, None]
    model = TorchMLPClassifier(
        loss="balanced-softmax",
        sampler="balanced-batch",
        epochs=1,
        batch_size=8,
        random_state=0,
    ).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (40, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert set(model.predict(X)) <= {"a", "b", "c"}
