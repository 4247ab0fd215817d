"""Review 101 diff21: reject_dataset, ClassLabel -1 checks, compare names.

Covers the changes since 6290564: ``reject_dataset`` (fit_resample's X and
y), ``check_class_labels`` / ``check_class_label_column`` and their callers
in the torch samplers, ``compare``'s ``_names_given`` and
``ComparisonResult.table(width=)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

datasets = pytest.importorskip("datasets")
torch = pytest.importorskip("torch")

from datasets import ClassLabel, Dataset, DatasetDict, Features, Value  # noqa: E402
from torch.utils.data import (  # noqa: E402
    ConcatDataset,
    DataLoader,
    Subset,
    TensorDataset,
)

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.compare import _names_given, compare  # noqa: E402
from rebalance.torch import RebalancedLoader, RebalanceSampler  # noqa: E402

X = np.arange(24.0).reshape(12, 2)
Y = np.array([0] * 8 + [1] * 4)
Y_MISSING = Y.copy()
Y_MISSING[3] = -1
CLASS_LABEL = Features({"a": Value("float64"), "label": ClassLabel(names=["n", "p"])})
INT_LABEL = Features({"a": Value("float64"), "label": Value("int64")})


def _hf(labels, features=CLASS_LABEL):
    return Dataset.from_dict(
        {"a": X[:, 0].tolist(), "label": list(labels)}, features=features
    )


def _resample(X_, y_):
    return RandomUnderSampler(random_state=0).fit_resample(X_, y_)


def test_fit_resample_takes_every_array_like():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    sparse = pytest.importorskip("scipy.sparse")
    pairs = [
        (X, Y),
        (pd.DataFrame(X), pd.Series(Y)),
        (pl.DataFrame(X), pl.Series(Y)),
        (pa.table({"a": X[:, 0], "b": X[:, 1]}), pa.chunked_array([Y])),
        (sparse.csr_matrix(X), Y),
        (torch.tensor(X), torch.tensor(Y)),
        (X.tolist(), Y.tolist()),
        (X, _hf(Y)["label"]),
    ]
    for X_, y_ in pairs:
        _, y_res = _resample(X_, y_)
        assert len(y_res) == 8
    # a plain int -1 is a class of its own (1 row): one row of each of 3
    _, y_res = _resample(X, _hf(Y_MISSING, INT_LABEL)["label"])
    assert sorted(y_res) == [-1, 0, 1]


def test_fit_resample_refuses_datasets_of_samples_naming_the_argument():
    tensors = TensorDataset(torch.tensor(X), torch.tensor(Y))
    ds = _hf(Y)
    refused = [
        tensors,
        DataLoader(tensors),
        Subset(tensors, [0, 1]),
        ConcatDataset([tensors, tensors]),
        ds,
        DatasetDict(train=ds),
        ds.to_iterable_dataset(),
    ]
    for data in refused:
        for name, args in (("X", (data, Y)), ("y", (X, data))):
            with pytest.raises(TypeError, match=rf"^{name} is a .*dataset of samples"):
                _resample(*args)


@pytest.mark.parametrize("fmt", [None, "numpy", "torch"])
def test_class_label_minus_one_refused_from_a_column(fmt):
    column = _hf(Y_MISSING).with_format(fmt)["label"]
    with pytest.raises(ValueError, match="missing label.*position 3"):
        RebalanceSampler(column)
    with pytest.raises(ValueError, match="missing label"):
        _resample(X, column)


@pytest.mark.parametrize("fmt", ["torch", "pandas", "polars"])
def test_class_label_minus_one_refused_by_the_loader_in_any_format(fmt):
    ds = _hf(Y_MISSING).with_format(fmt)
    # (marked missing where read: a Subset may leave those rows out)
    with pytest.raises(ValueError, match="ClassLabel\\) holds -1.*position 3"):
        RebalancedLoader()(ds, batch_size=4)
    renamed = _hf(Y_MISSING).rename_column("label", "labels").with_format(fmt)
    with pytest.raises(ValueError, match="ClassLabel\\) holds -1"):
        RebalancedLoader()(renamed, batch_size=4)


def test_class_label_minus_one_refused_through_subset_and_concat():
    missing = _hf(Y_MISSING).with_format("torch")
    whole = _hf(Y).with_format("torch")
    for dataset in (Subset(missing, range(10)), ConcatDataset([whole, missing])):
        with pytest.raises(ValueError, match="missing label"):
            RebalancedLoader()(dataset, batch_size=4)


def test_no_false_refusal_of_class_label_columns():
    RebalanceSampler(_hf(Y)["label"])  # ClassLabel without -1
    RebalanceSampler(_hf(Y_MISSING, INT_LABEL)["label"])  # plain int: a class
    RebalancedLoader()(_hf(Y_MISSING, INT_LABEL).with_format("torch"), batch_size=4)
    kept = _hf(Y_MISSING).filter(lambda row: row["label"] != -1)
    RebalanceSampler(kept.shuffle(seed=0).select(range(8))["label"])
    text = Features({"a": Value("float64"), "label": Value("string")})
    RebalanceSampler(_hf([str(v) for v in Y], text)["label"])
    whole = _hf(Y).with_format("torch")
    RebalancedLoader()(Subset(whole, range(10)), batch_size=4)
    RebalancedLoader()(ConcatDataset([whole, whole]), batch_size=4)


def test_dataset_dict_names_its_splits():
    splits = DatasetDict(train=_hf(Y), test=_hf(Y))
    with pytest.raises(
        TypeError, match=r"\['train', 'test'\].*dataset_dict\['train'\]"
    ):
        RebalancedLoader()(splits, batch_size=4)
    with pytest.raises(TypeError, match=r"splits: \['train', 'test'\]"):
        RebalanceSampler(splits)


def test_subset_without_the_missing_rows_is_not_refused():
    missing = _hf(Y_MISSING).with_format("torch")
    rows = [i for i in range(12) if Y_MISSING[i] != -1]
    loader = RebalancedLoader()(Subset(missing, rows), batch_size=4)
    assert len(loader.dataset) == 11


def _count_column_reads(monkeypatch):
    reads = []
    original = datasets.arrow_dataset.Dataset._getitem

    def spy(self, key, **kwargs):
        if not isinstance(key, (int, np.integer, str)):
            reads.append(key)
        return original(self, key, **kwargs)

    monkeypatch.setattr(datasets.arrow_dataset.Dataset, "_getitem", spy)
    return reads


def test_label_column_read_once(monkeypatch):
    ds = _hf(Y).shuffle(seed=0)
    reads = _count_column_reads(monkeypatch)
    RebalanceSampler(ds["label"])
    assert len(reads) == 1
    reads.clear()
    RebalancedLoader()(ds.with_format("torch"), batch_size=4)
    assert len(reads) == 1


def test_names_given_reads_names_as_a_user_means_them():
    assert _names_given("none", "method_names", text=True) == ["none"]
    assert _names_given(("none", "under"), "method_names", text=True) == [
        "none",
        "under",
    ]
    with pytest.raises(TypeError, match=r"method_names= must be a name"):
        _names_given(0, "method_names", text=True)
    for one in ("id", b"id", 0, np.int64(3)):
        assert _names_given(one, "drop", text=False) == [one]
    assert _names_given(("a", "b"), "drop", text=False) == ["a", "b"]
    assert _names_given(("a", "b"), "drop", text=False, tuple_is_one=True) == [
        ("a", "b")
    ]
    for many in (["a", "b"], np.array(["a", "b"]), pd.Index(["a", "b"])):
        assert list(_names_given(many, "drop", text=False)) == ["a", "b"]
    assert _names_given((c for c in "ab"), "drop", text=False) == ["a", "b"]
    assert _names_given({"a": 1}, "drop", text=False) == ["a"]
    with pytest.raises(TypeError, match=r"drop= must be a name or a list"):
        _names_given([["a"]], "drop", text=False)


def test_compare_drop_one_int_column_and_table_width():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 2)), columns=[0, 1])
    frame["id"] = np.arange(40)
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    kwargs = dict(folds=2, method_names=["none"], progress=False)
    one = compare(frame, y, drop=0, **kwargs)
    listed = compare(frame, y, drop=[0], **kwargs)
    assert one.table() == listed.table()
    assert one.table(width=np.int64(200)) == one.table()
    assert len(one.table(width=40).splitlines()[0]) <= 40
    for bad in (True, 1.5, "80"):
        with pytest.raises(TypeError, match="width must be a whole number"):
            one.table(width=bad)
