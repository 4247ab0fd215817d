"""Review 106 hfdata3: Hugging Face ``datasets`` class names and data set makers.

``ClassLabel`` names as keys of ``class_counts`` / ``sampling_strategy`` /
class weights; labels ``fit_resample`` returns for a ``ClassLabel`` column;
``class_encode_column``, ``align_labels_with_mapping``,
``concatenate_datasets`` (both axes), ``interleave_datasets``,
``from_pandas`` with a categorical, ``from_generator``, a 50k-row 1000-class
data set (one column read), ``map(num_proc=2)`` cache files, a loader with
``num_workers=2``, ``with_format("torch", device="cpu")`` and
``train_test_split(stratify_by_column=...)``.
"""

import collections
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("datasets")
pd = pytest.importorskip("pandas")

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    ClassWeightedCrossEntropyLoss,
    RebalancedLoader,
    RebalanceSampler,
)
from rebalance.weights import class_weights, sample_weights  # noqa: E402

datasets.disable_progress_bars()

N = 40
NAMES = ["neg", "pos", "neu"]
LABELS = np.array([0] * 30 + [1] * 6 + [2] * 4)[np.random.default_rng(0).permutation(N)]
FEATURES = datasets.Features(
    {"x": datasets.Value("int64"), "label": datasets.ClassLabel(names=NAMES)}
)


def _dataset():
    return datasets.Dataset.from_dict(
        {"x": list(range(N)), "label": LABELS.tolist()}, features=FEATURES
    )


def _rows(loader, key="label"):
    rows = []
    for batch in loader:
        labels = [v.item() if hasattr(v, "item") else v for v in batch[key]]
        rows += list(zip([int(x) for x in batch["x"]], labels))
    return rows


def _epoch(dataset, **loader_kwargs):
    """(x, label) of every row one epoch of a RebalancedLoader yields."""
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    return _rows(make(dataset, batch_size=4, **loader_kwargs))


def _counts(rows):
    return collections.Counter(label for _, label in rows)


# --- class names as keys -------------------------------------------------


def _class_label_hint(message):
    """The error tells a ClassLabel name from its id (as the one-hot y's
    message does for column names: "column 'x' is class 1")."""
    return re.search(r"ClassLabel|str2int", message) is not None


@pytest.mark.parametrize("form", ["dict", "series", "loader"])
def test_class_counts_keyed_by_class_label_names_error_points_to_ids(form):
    ds = _dataset()
    counts = {"neg": 2, "pos": 1, "neu": 1}
    with pytest.raises(ValueError) as info:
        if form == "loader":
            RebalancedLoader(BalancedBatchSampler, class_counts=counts)(
                ds, batch_size=4
            )
        else:
            given = counts if form == "dict" else pd.Series(counts)
            BalancedBatchSampler(ds["label"], 4, class_counts=given)
    assert "Remove it" not in str(info.value)
    assert _class_label_hint(str(info.value)), str(info.value)


@pytest.mark.parametrize("form", ["sampler", "loader", "fit_resample"])
def test_sampling_strategy_keyed_by_class_label_names_error_points_to_ids(form):
    ds = _dataset()
    under = RandomUnderSampler(sampling_strategy={"neg": 4}, random_state=0)
    with pytest.raises(ValueError) as info:
        if form == "sampler":
            RebalanceSampler(ds["label"], under, seed=0)
        elif form == "loader":
            RebalancedLoader(sampler=under, seed=0)(ds, batch_size=4)
        else:
            under.fit_resample(np.arange(N).reshape(-1, 1), ds["label"])
    assert _class_label_hint(str(info.value)), str(info.value)


def test_sampling_strategy_names_error_names_the_argument_and_classes():
    ds = _dataset()
    under = RandomUnderSampler(sampling_strategy={"neg": 4})
    with pytest.raises(ValueError, match=r"sampling_strategy.*'neg'.*\[0, 1, 2\]"):
        RebalanceSampler(ds["label"], under, seed=0)


def test_class_ids_as_keys_work_for_class_counts_and_sampling_strategy():
    column = _dataset()["label"]
    batches = BalancedBatchSampler(column, 6, class_counts={0: 4, 1: 1, 2: 1})
    for batch in batches:
        assert collections.Counter(LABELS[batch].tolist()) == {0: 4, 1: 1, 2: 1}
    under = RandomUnderSampler(sampling_strategy={0: 4, 1: 4})
    rows = list(RebalanceSampler(column, under, seed=0))
    assert collections.Counter(LABELS[rows].tolist()) == {0: 4, 1: 4, 2: 4}


@pytest.mark.parametrize("fmt", [None, "torch", "numpy", "pandas", "polars", "arrow"])
def test_class_weights_of_a_class_label_column_are_keyed_by_ids(fmt):
    if fmt == "polars":
        pytest.importorskip("polars")
    column = _dataset().with_format(fmt)["label"]
    assert class_weights(column) == pytest.approx(class_weights(LABELS))
    assert list(class_weights(column)) == [0, 1, 2]
    np.testing.assert_allclose(sample_weights(column), sample_weights(LABELS))


def test_loss_weights_keyed_by_names_are_refused_naming_indices():
    with pytest.raises(TypeError, match=r"class indices 0\.\.C-1, got 'neg'"):
        ClassWeightedCrossEntropyLoss({"neg": 1.0, "pos": 2.0})


@pytest.mark.parametrize("fmt", [None, "torch", "numpy", "pandas", "polars", "arrow"])
def test_fit_resample_of_a_class_label_column_returns_its_ids(fmt):
    if fmt == "polars":
        pytest.importorskip("polars")
    column = _dataset().with_format(fmt)["label"]
    under = RandomUnderSampler(random_state=0)
    X_res, y_res = under.fit_resample(np.arange(N).reshape(-1, 1), column)
    rows = under.sample_indices_
    assert X_res[:, 0].tolist() == rows.tolist()
    assert np.asarray(y_res).tolist() == LABELS[rows].tolist()
    assert collections.Counter(np.asarray(y_res).tolist()) == {0: 4, 1: 4, 2: 4}


# --- data sets made by datasets' own tools --------------------------------


def test_class_encode_column_epoch_is_balanced_and_aligned():
    strings = datasets.Dataset.from_dict(
        {"x": list(range(N)), "label": [NAMES[v] for v in LABELS]}
    )
    ds = strings.class_encode_column("label")
    feature = ds.features["label"]
    rows = _epoch(ds)
    assert set(_counts(rows).values()) == {4}
    assert all(feature.int2str(label) == NAMES[LABELS[x]] for x, label in rows)


def test_align_labels_with_mapping_epoch_follows_the_new_ids():
    ds = _dataset().align_labels_with_mapping({"pos": 0, "neg": 1, "neu": 2}, "label")
    feature = ds.features["label"]
    assert ds["label"][:3] != _dataset()["label"][:3]
    rows = _epoch(ds)
    assert set(_counts(rows).values()) == {4}
    assert all(feature.int2str(label) == NAMES[LABELS[x]] for x, label in rows)


def test_concatenated_datasets_on_both_axes():
    ds = _dataset()
    rows_axis0 = _epoch(
        datasets.concatenate_datasets([ds.select(range(25)), ds.select(range(25, N))])
    )
    labels = datasets.Dataset.from_dict(
        {"label": LABELS.tolist()},
        features=datasets.Features({"label": FEATURES["label"]}),
    )
    xs = datasets.Dataset.from_dict({"x": list(range(N))})
    rows_axis1 = _epoch(datasets.concatenate_datasets([xs, labels], axis=1))
    for rows in (rows_axis0, rows_axis1):
        assert _counts(rows) == {0: 4, 1: 4, 2: 4}
        assert all(label == LABELS[x] for x, label in rows)


@pytest.mark.parametrize("strategy", ["first_exhausted", "all_exhausted"])
def test_interleaved_datasets_keep_rows_and_labels_aligned(strategy):
    ds = _dataset()
    mixed = datasets.interleave_datasets(
        [ds.select(range(25)), ds.select(range(25, N))],
        probabilities=[0.5, 0.5],
        seed=0,
        stopping_strategy=strategy,
    )
    mixed_labels = collections.Counter(mixed["label"][:])
    rows = _epoch(mixed)
    assert len(set(_counts(rows).values())) == 1
    assert _counts(rows)[0] == min(mixed_labels.values())
    assert all(label == LABELS[x] for x, label in rows)


def test_from_pandas_categorical_label_is_balanced_by_name():
    frame = pd.DataFrame(
        {
            "x": range(N),
            "label": pd.Categorical([NAMES[v] for v in LABELS], categories=NAMES),
        }
    )
    rows = _epoch(datasets.Dataset.from_pandas(frame))
    assert _counts(rows) == {"neg": 4, "pos": 4, "neu": 4}
    assert all(label == NAMES[LABELS[x]] for x, label in rows)


def test_from_generator_dataset():
    def rows():
        for i in range(N):
            yield {"x": i, "label": int(LABELS[i])}

    ds = datasets.Dataset.from_generator(rows, features=FEATURES)
    epoch = _epoch(ds)
    assert _counts(epoch) == {0: 4, 1: 4, 2: 4}
    assert all(label == LABELS[x] for x, label in epoch)


def test_large_dataset_labels_are_read_as_one_column(monkeypatch):
    n, n_classes = 50_000, 1000
    labels = np.random.default_rng(0).integers(0, n_classes, n)
    features = datasets.Features(
        {"x": datasets.Value("int64"), "label": datasets.ClassLabel(num_classes=1000)}
    )
    ds = datasets.Dataset.from_dict(
        {"x": np.arange(n), "label": labels}, features=features
    ).with_format("torch")
    ds["label"][:]  # warm
    read = []
    real_getitem = datasets.Dataset.__getitem__

    def counting(self, key):
        read.append(key if isinstance(key, str) else type(key).__name__)
        return real_getitem(self, key)

    monkeypatch.setattr(datasets.Dataset, "__getitem__", counting)
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    loader = make(ds, batch_size=64)
    monkeypatch.undo()
    assert read.count("label") == 1
    assert len(read) <= 2, read  # the column, then its values
    sampler = make.sampler_
    rows = np.fromiter(iter(sampler), dtype=np.int64)
    per_class = np.bincount(labels[rows], minlength=n_classes)
    assert (per_class == np.bincount(labels).min()).all()
    assert len(loader) == -(-len(rows) // 64)


def test_map_with_num_proc_cache_files_keeps_rows_aligned(tmp_path):
    _dataset().save_to_disk(str(tmp_path / "train"))
    splits = datasets.DatasetDict(
        {"train": datasets.load_from_disk(str(tmp_path / "train"))}
    )
    mapped = splits.map(lambda row: {"twice": row["x"] * 2}, num_proc=2)["train"]
    assert len(mapped.cache_files) == 2
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(
        mapped.with_format("torch"), batch_size=4
    )
    seen = 0
    for batch in loader:
        for x, label, twice in zip(batch["x"], batch["label"], batch["twice"]):
            assert int(label) == LABELS[int(x)] and int(twice) == 2 * int(x)
            seen += 1
    assert seen == 12


@pytest.mark.parametrize("sampler_class", [RebalanceSampler, BalancedBatchSampler])
def test_loader_with_two_workers_gives_the_same_epoch(sampler_class):
    ds = _dataset().with_format("torch")
    params = (
        {"sampler": RandomUnderSampler()} if sampler_class is RebalanceSampler else {}
    )
    make = RebalancedLoader(sampler_class, seed=0, **params)
    alone = _rows(make(ds, batch_size=6, num_workers=0))
    make = RebalancedLoader(sampler_class, seed=0, **params)
    workers = _rows(make(ds, batch_size=6, num_workers=2))
    assert workers == alone
    assert all(label == LABELS[x] for x, label in workers)
    assert len(set(_counts(workers).values())) == 1


def test_torch_format_on_cpu_device():
    ds = _dataset().with_format("torch", device="cpu")
    rows = _epoch(ds)
    assert _counts(rows) == {0: 4, 1: 4, 2: 4}
    assert all(label == LABELS[x] for x, label in rows)
    assert _epoch(ds) == _epoch(_dataset().with_format("torch"))


def test_stratified_train_test_split_both_splits_stay_aligned():
    parts = _dataset().train_test_split(
        test_size=0.25, stratify_by_column="label", seed=0
    )
    for name, per_class in (("train", 3), ("test", 1)):
        part = parts[name]
        rows = _epoch(part)
        assert _counts(rows) == {0: per_class, 1: per_class, 2: per_class}
        assert all(label == LABELS[x] for x, label in rows)
        for i in RebalanceSampler(part["label"], RandomUnderSampler(), seed=0):
            assert part[i]["label"] == LABELS[part[i]["x"]]
