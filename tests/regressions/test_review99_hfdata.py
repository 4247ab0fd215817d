"""Review 99 hfdata: Hugging Face ``datasets`` and Accelerate with the samplers.

The label column of a ``datasets.Dataset`` (a lazy ``Column``, read whole in
the dataset's format) after ``shuffle``/``filter``/``select``/``sort``/
``train_test_split`` (indices mappings), read in the DataLoader through
``__getitems__``; ``fit_resample`` on the dataset's exports; Accelerate's
``prepare`` in one process.
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("datasets")

from torch.utils.data import DataLoader, Subset  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

N = 40
NAMES = ["a", "b", "c"]


def _labels():
    labels = np.array([0] * 30 + [1] * 6 + [2] * 4)
    return labels[np.random.default_rng(0).permutation(N)]


LABELS = _labels()  # LABELS[x] is the class of the row whose "x" is x


def _dataset(class_label=True):
    if class_label:
        features = datasets.Features(
            {"x": datasets.Value("int64"), "label": datasets.ClassLabel(names=NAMES)}
        )
        label = LABELS.tolist()
    else:
        features = None
        label = [NAMES[v] for v in LABELS]
    return datasets.Dataset.from_dict(
        {"x": list(range(N)), "label": label}, features=features
    )


def _views():
    ds = _dataset()
    split = ds.train_test_split(test_size=0.25, seed=0, stratify_by_column="label")
    return {
        "shuffle": ds.shuffle(seed=1),
        "filter": ds.filter(lambda row: row["x"] % 3 != 0),
        "select": ds.select([5, 3, 9, 1, 0, 22, 33, 11, 12, 39, 38, 37, 20, 21]),
        "sort": ds.sort("x", reverse=True),
        "train": split["train"],
        "chain": ds.shuffle(seed=2).filter(lambda r: r["x"] % 2 == 0).shuffle(seed=3),
    }


def _epoch(sampler, epoch=0):
    sampler.set_epoch(epoch)
    items = list(sampler)
    sampler.set_epoch(epoch)
    return items


def test_sampler_rows_in_loader_are_the_rows_of_its_indices():
    # Indices mappings (shuffle, filter, select, sort, split): the label
    # column is read in the dataset's logical order, the rows loaded are the
    # rows the indices point to, and their labels are the balanced ones.
    for name, view in _views().items():
        ds = view.with_format("torch")
        x = ds["x"][:].numpy()
        sampler = RebalanceSampler(ds["label"], RandomOverSampler(), seed=0)
        indices = _epoch(sampler, 3)
        batches = list(DataLoader(ds, sampler=sampler, batch_size=5))
        xs = torch.cat([b["x"] for b in batches]).numpy()
        ys = torch.cat([b["label"] for b in batches]).numpy()
        assert xs.tolist() == x[indices].tolist(), name
        assert ys.tolist() == LABELS[xs].tolist(), name
        counts = np.bincount(ys, minlength=3)
        assert (counts == counts.max()).all(), name


@pytest.mark.parametrize("fmt", [None, "torch", "numpy", "arrow", "pandas", "polars"])
def test_label_column_in_every_format_gives_the_same_epoch(fmt):
    ds = _dataset().shuffle(seed=4)
    expected = list(RebalanceSampler(ds["label"][:], RandomUnderSampler(), seed=0))
    column = ds.with_format(fmt)["label"]
    got = list(RebalanceSampler(column, RandomUnderSampler(), seed=0))
    assert got == expected
    plain = np.asarray(ds["label"][:])
    assert np.bincount(plain[got]).tolist() == [4, 4, 4]


@pytest.mark.parametrize("class_label", [True, False])
def test_balanced_batch_sampler_batches_through_getitems(class_label):
    ds = _dataset(class_label).shuffle(seed=4).filter(lambda r: r["x"] != 7)
    ds = ds.with_format("torch")
    x = ds["x"][:].numpy()
    sampler = BalancedBatchSampler(ds["label"], batch_size=6, seed=0)
    batches = _epoch(sampler, 1)
    loaded = list(DataLoader(ds, batch_sampler=sampler))
    assert len(loaded) == len(batches)
    for rows, batch in zip(batches, loaded):
        assert batch["x"].tolist() == x[np.asarray(rows)].tolist()
        assert np.bincount(LABELS[batch["x"].numpy()], minlength=3).tolist() == [
            2,
            2,
            2,
        ]


@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
def test_index_batch_sampler_over_dataset_both_forms(index_type):
    ds = _dataset().shuffle(seed=7).with_format("torch")
    x = ds["x"][:].numpy()
    for form in ("sampler", "batch_sampler"):
        inner = RebalanceSampler(ds["label"], RandomUnderSampler(), seed=0)
        expected = _epoch(inner)
        # 12 rows in batches of 11: the last batch holds one row.
        batches = IndexBatchSampler(inner, 11, index_type=index_type)
        if form == "sampler":
            loader = DataLoader(ds, sampler=batches, batch_size=None)
            xs = torch.cat([b["x"].reshape(-1) for b in loader]).numpy()
        else:
            loader = DataLoader(ds, batch_sampler=batches, collate_fn=lambda b: b)
            xs = np.array([int(row["x"]) for b in loader for row in b])
        assert xs.tolist() == x[expected].tolist(), form


def test_rebalanced_loader_reads_the_label_column_in_order():
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    shuffled = _dataset().shuffle(seed=7).with_format("torch")
    for ds in (shuffled, Subset(shuffled, list(range(5, 35)))):
        batches = list(make(ds, batch_size=4))
        xs = torch.cat([b["x"] for b in batches]).numpy()
        ys = torch.cat([b["label"] for b in batches]).numpy()
        assert ys.tolist() == LABELS[xs].tolist()
        counts = np.bincount(ys)
        assert (counts == counts.max()).all()
    texts = _dataset(class_label=False).shuffle(seed=7)
    rows = [row for batch in make(texts, batch_size=4) for row in batch["label"]]
    assert sorted(set(rows)) == NAMES
    assert [rows.count(name) for name in NAMES] == [4, 4, 4]


def test_sampler_on_full_labels_refuses_a_split_loader():
    ds = _dataset().with_format("torch")
    train = ds.train_test_split(test_size=0.25, seed=0)["train"]
    sampler = RebalanceSampler(ds["label"], RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError, match="40 labels.*30 rows"):
        list(DataLoader(train, sampler=sampler, batch_size=4))
    batches = BalancedBatchSampler(ds["label"], 6, seed=0)
    with pytest.raises(ValueError, match="40 labels.*30 rows"):
        list(DataLoader(train, batch_sampler=batches))


@pytest.mark.parametrize("fmt", [None, "torch", "numpy", "arrow", "polars"])
def test_missing_labels_in_a_column_are_refused(fmt):
    ds = datasets.Dataset.from_dict({"label": [None] + LABELS[1:].tolist()})
    with pytest.raises(ValueError, match="missing labels"):
        RebalanceSampler(ds.with_format(fmt)["label"], seed=0)


def test_fit_resample_on_dataset_exports_keeps_rows_and_labels_aligned():
    a = _dataset().select(range(25))
    b = _dataset().select(range(25, N))
    ds = datasets.concatenate_datasets([a, b]).shuffle(seed=5)
    ids = np.asarray(ds["x"][:])
    labels = np.asarray(ds["label"][:])
    frame, polars_frame = ds.to_pandas(), ds.to_polars()
    numpy_ds = ds.with_format("numpy")
    table = datasets.concatenate_datasets([a, b]).with_format("arrow")[:]
    assert table.column("label").num_chunks == 2
    table_ids = table.column("x").to_numpy()
    table_labels = table.column("label").to_numpy()
    cases = [
        (frame[["x"]], frame["label"], lambda X: X["x"], ids, labels),
        (
            polars_frame.select("x"),
            polars_frame["label"],
            lambda X: X["x"],
            ids,
            labels,
        ),
        (
            numpy_ds["x"][:].reshape(-1, 1),
            numpy_ds["label"],
            lambda X: X[:, 0],
            ids,
            labels,
        ),
        (
            table.select(["x"]),
            table.column("label"),
            lambda X: X.column("x"),
            table_ids,
            table_labels,
        ),
    ]
    for sampler in (
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ):
        for X, y, x_of, x_ids, y_values in cases:
            X_res, y_res = sampler.fit_resample(X, y)
            rows = sampler.sample_indices_
            assert type(X_res) is type(X)
            assert np.asarray(x_of(X_res)).tolist() == x_ids[rows].tolist()
            assert np.asarray(y_res).tolist() == y_values[rows].tolist()


def test_accelerate_prepare_single_process_draws_each_epoch_once():
    accelerate = pytest.importorskip("accelerate")
    ds = _dataset().shuffle(seed=7).with_format("torch")
    x = ds["x"][:].numpy()
    sampler = RebalanceSampler(ds["label"], RandomUnderSampler(), seed=0)
    expected = [_epoch(sampler, e) for e in range(2)]
    sampler.set_epoch(0)
    loader = accelerate.Accelerator(cpu=True).prepare(
        DataLoader(ds, sampler=sampler, batch_size=5)
    )
    assert len(loader) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for epoch in range(2):
            xs = torch.cat([b["x"] for b in loader]).numpy()
            assert xs.tolist() == x[expected[epoch]].tolist()


def test_accelerate_index_batches_and_skip_first_batches():
    accelerate = pytest.importorskip("accelerate")
    ds = _dataset().shuffle(seed=7).with_format("torch")
    x = ds["x"][:].numpy()
    sampler = RebalanceSampler(ds["label"], RandomOverSampler(), seed=0)
    expected = [x[_epoch(sampler, e)] for e in (1, 0)][::-1]
    batches = IndexBatchSampler(sampler, 8, index_type="list")
    loader = accelerate.Accelerator(cpu=True).prepare(
        DataLoader(ds, batch_sampler=batches)
    )
    xs = torch.cat([b["x"] for b in loader]).numpy()
    assert xs.tolist() == expected[0].tolist()
    # Resuming inside the prepared loader's next epoch (its iteration, 1).
    rest = list(accelerate.skip_first_batches(loader, 3))
    xs = np.array([int(v) for b in rest for v in b["x"]])
    assert xs.tolist() == expected[1][24:].tolist()


def test_class_label_minus_one_is_a_missing_label():
    # datasets.ClassLabel: "You can use -1 to represent unknown/missing
    # labels". RebalancedLoader reads the column of a dataset whose features
    # say so, yet balances the unlabelled rows as a class of their own
    # (README: a missing label is an error, never a class).
    features = datasets.Features({"label": datasets.ClassLabel(names=NAMES)})
    labels = [-1] * 4 + LABELS[4:].tolist()
    ds = datasets.Dataset.from_dict({"label": labels}, features=features)
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError, match="missing"):
        make(ds, batch_size=4)


def test_fit_resample_names_a_dataset_passed_as_x():
    # np.asarray(dataset) reads every row as a dict (decoding images, audio)
    # and the error then tells the user to reshape X.
    ds = _dataset()
    with pytest.raises(TypeError, match="Dataset"):
        RandomUnderSampler(random_state=0).fit_resample(ds, ds["label"][:])


def test_dataset_dict_errors_name_the_split():
    dd = datasets.DatasetDict({"train": _dataset(), "test": _dataset()})
    with pytest.raises(TypeError, match=r"\[.train.\]"):
        RebalancedLoader(seed=0)(dd, batch_size=4)
    with pytest.raises(TypeError, match=r"\[.train.\]"):
        RebalanceSampler(dd, seed=0)
