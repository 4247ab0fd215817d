"""Review 104 hfdata2: Hugging Face ``datasets`` label columns and views.

Labels as ``Value("string"/"int8"/"bool"/"float32")`` columns; views made by
``map(batched=True)``, ``select``, ``shuffle``, ``filter``, ``sort``,
``shard``, ``train_test_split(stratify_by_column=...)``, ``flatten_indices``,
``cast_column``, ``rename_column``, ``with_transform``, ``set_format``;
streaming datasets and ``Sequence(ClassLabel)`` multi-label columns. Each
test compares the labels of the rows the loader yields with the class
balance the sampler promises.
"""

import collections

import numpy as np
import pytest

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("datasets")

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

datasets.disable_progress_bars()

N = 40
NAMES = ["neg", "pos", "neu"]
LABELS = np.array([0] * 30 + [1] * 6 + [2] * 4)[np.random.default_rng(0).permutation(N)]


def _dataset(feature=None, values=None):
    feature = feature or datasets.ClassLabel(names=NAMES)
    values = LABELS.tolist() if values is None else values
    features = datasets.Features({"x": datasets.Value("int64"), "label": feature})
    return datasets.Dataset.from_dict(
        {"x": list(range(N)), "label": values}, features=features
    )


def _epoch(dataset, key="label", collate_fn=None):
    """(x, label) of every row one epoch of a RebalancedLoader yields."""
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    loader = make(dataset, batch_size=4, collate_fn=collate_fn)
    rows = []
    for batch in loader:
        labels = [v.item() if hasattr(v, "item") else v for v in batch[key]]
        rows += list(zip([int(x) for x in batch["x"]], labels))
    return rows


def _check_balanced_and_aligned(rows, label_of_x, n_per_class):
    counts = collections.Counter(label for _, label in rows)
    assert len(counts) >= 2
    assert set(counts.values()) == {n_per_class}, counts
    assert all(label == label_of_x(x) for x, label in rows)


@pytest.mark.parametrize(
    "feature, values, label_of_x, n",
    [
        (
            datasets.Value("string"),
            [NAMES[v] for v in LABELS],
            lambda x: NAMES[LABELS[x]],
            4,
        ),
        (datasets.Value("int8"), LABELS.tolist(), lambda x: int(LABELS[x]), 4),
        (datasets.Value("bool"), (LABELS > 0).tolist(), lambda x: LABELS[x] > 0, 10),
        (
            datasets.Value("float32"),
            LABELS.astype(float).tolist(),
            lambda x: float(LABELS[x]),
            4,
        ),
    ],
    ids=["string", "int8", "bool", "float32"],
)
def test_value_label_columns_give_balanced_aligned_epochs(
    feature, values, label_of_x, n
):
    rows = _epoch(_dataset(feature, values))
    _check_balanced_and_aligned(rows, label_of_x, n)


def test_non_whole_float_label_column_is_refused():
    ds = _dataset(datasets.Value("float32"), (LABELS + 0.5).tolist())
    with pytest.raises(TypeError, match="class labels"):
        _epoch(ds)


def _views():
    ds = _dataset()
    shuffled = ds.shuffle(seed=1)
    return {
        "shuffle": (shuffled, 4),
        "select": (ds.select([5, 3, 1, 7, 9, 11, 13, 2, 4, 6, 8, 10, 12, 14]), None),
        "filter": (ds.filter(lambda row: row["x"] % 3 != 0), None),
        "sort": (ds.sort("label"), 4),
        "shard": (shuffled.shard(2, 1), None),
        "stratified_split": (
            ds.train_test_split(test_size=0.25, stratify_by_column="label", seed=0)[
                "train"
            ],
            3,
        ),
        "flatten_indices": (shuffled.flatten_indices(), 4),
        "shuffle_of_select": (ds.select(range(10, 40)).shuffle(seed=4), None),
    }


@pytest.mark.parametrize("view", list(_views()))
def test_views_with_indices_mappings_draw_the_rows_the_user_sees(view):
    ds, n = _views()[view]
    rows = _epoch(ds)
    seen = collections.Counter(ds["label"])
    expected = min(seen.values()) if n is None else n
    _check_balanced_and_aligned(rows, lambda x: int(LABELS[x]), expected)


def test_sampler_positions_index_a_shuffled_dataset_as_the_user_sees_it():
    ds = _dataset().shuffle(seed=3)
    sampler = RebalanceSampler(ds["label"], sampler=RandomUnderSampler(), seed=0)
    drawn = list(sampler)
    assert collections.Counter(ds[i]["label"] for i in drawn) == {0: 4, 1: 4, 2: 4}
    assert all(ds[i]["label"] == LABELS[ds[i]["x"]] for i in drawn)


def test_balanced_batch_sampler_over_shuffled_torch_format():
    ds = _dataset().shuffle(seed=3).with_format("torch")
    sampler = BalancedBatchSampler(ds["label"], batch_size=6, seed=0)
    loader = torch.utils.data.DataLoader(ds, batch_sampler=sampler)
    batches = list(loader)
    assert batches
    for batch in batches:
        assert sorted(batch["label"].tolist()) == [0, 0, 1, 1, 2, 2]
        assert batch["label"].tolist() == LABELS[batch["x"].numpy()].tolist()


def test_cast_column_to_class_label_keeps_the_classes():
    ds = _dataset(datasets.Value("string"), [NAMES[v] for v in LABELS])
    ds = ds.cast_column("label", datasets.ClassLabel(names=NAMES))
    _check_balanced_and_aligned(_epoch(ds), lambda x: int(LABELS[x]), 4)


def test_renamed_labels_column_is_found():
    ds = _dataset().rename_column("label", "labels")
    rows = _epoch(ds, key="labels")
    _check_balanced_and_aligned(rows, lambda x: int(LABELS[x]), 4)


def test_label_column_wins_over_labels_column():
    # "label" first, as documented ('its "label" (or "labels") column').
    ds = _dataset().add_column("labels", [0] * N)
    _check_balanced_and_aligned(_epoch(ds), lambda x: int(LABELS[x]), 4)


def test_missing_label_column_error_says_how_to_name_it():
    ds = _dataset().rename_column("label", "target")
    with pytest.raises(TypeError, match="labels_from") as info:
        _epoch(ds)
    message = str(info.value)
    assert '"labels"' in message or "'labels'" in message
    assert "target" in message  # the columns it has, so the user can rename one


def _tokenize(batch):
    ids = [[ord(c) for c in f"row {x}"] for x in batch["x"]]
    return {"input_ids": ids, "attention_mask": [[1] * len(i) for i in ids]}


def _pad_collate(rows):
    """A DataCollatorWithPadding-like collate_fn."""
    width = max(len(row["input_ids"]) for row in rows)
    ids = [row["input_ids"] + [0] * (width - len(row["input_ids"])) for row in rows]
    return {
        "input_ids": torch.tensor(ids),
        "x": torch.tensor([row["x"] for row in rows]),
        "label": torch.tensor([row["label"] for row in rows]),
    }


def test_batched_map_tokenized_dataset_with_padding_collate():
    ds = _dataset().map(_tokenize, batched=True).shuffle(seed=2)
    rows = _epoch(ds, collate_fn=_pad_collate)
    _check_balanced_and_aligned(rows, lambda x: int(LABELS[x]), 4)


def test_batched_map_removing_and_adding_the_label_column():
    def relabel(batch):
        out = _tokenize(batch)
        out["label"] = [int(LABELS[x]) for x in batch["x"]]
        return out

    ds = _dataset().map(relabel, batched=True, remove_columns=["label"])
    ds = ds.remove_columns(["attention_mask"]).shuffle(seed=7)
    rows = _epoch(ds, collate_fn=_pad_collate)
    _check_balanced_and_aligned(rows, lambda x: int(LABELS[x]), 4)


def test_with_transform_keeping_the_label_column():
    ds = _dataset().with_transform(
        lambda b: {"x": torch.tensor(b["x"]), "label": torch.tensor(b["label"])}
    )
    _check_balanced_and_aligned(_epoch(ds), lambda x: int(LABELS[x]), 4)


def test_label_only_made_by_a_transform_is_refused_naming_labels_from():
    ds = _dataset().rename_column("label", "target")
    ds = ds.with_transform(lambda b: {"x": b["x"], "label": b["target"]})
    with pytest.raises(TypeError, match="labels_from"):
        _epoch(ds)


def test_set_format_hiding_the_label_column():
    ds = _dataset().shuffle(seed=1)
    ds.set_format("torch", columns=["x"])
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    loader = make(ds, batch_size=4)  # the labels are read, the format kept
    batches = list(loader)
    assert all(set(batch) == {"x"} for batch in batches)
    assert ds.format["columns"] == ["x"]  # the user's dataset unchanged
    xs = torch.cat([batch["x"] for batch in batches]).tolist()
    assert collections.Counter(int(LABELS[x]) for x in xs) == {0: 4, 1: 4, 2: 4}


def test_streaming_datasets_are_refused_clearly():
    stream = _dataset().to_iterable_dataset()
    with pytest.raises(TypeError, match="map-style"):
        RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(stream, batch_size=4)
    with pytest.raises(TypeError, match="label column"):
        RebalanceSampler(stream, sampler=RandomUnderSampler())
    with pytest.raises(TypeError, match="dataset of samples"):
        RandomUnderSampler().fit_resample(np.zeros((N, 1)), stream)


def _multilabel(values):
    features = datasets.Features(
        {
            "x": datasets.Value("int64"),
            "label": datasets.Sequence(datasets.ClassLabel(names=["a", "b"])),
        }
    )
    return datasets.Dataset.from_dict(
        {"x": list(range(len(values))), "label": values}, features=features
    )


def test_ragged_multilabel_column_is_refused():
    ds = _multilabel([[0], [0, 1], [1], [0], [1, 0], [0]])
    with pytest.raises(ValueError, match="one class per row"):
        RebalanceSampler(ds["label"], sampler=RandomUnderSampler())
    with pytest.raises(ValueError, match="one class per row"):
        RebalancedLoader(sampler=RandomUnderSampler())(ds, batch_size=2)


def test_multilabel_class_ids_are_not_read_as_one_hot():
    # Each row tags both classes a and b: [0, 1] and [1, 0] are the same set
    # of class ids, not the one-hot rows of classes 1 and 0.
    ds = _multilabel([[0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [0, 1]])
    listed = "list of datasets ClassLabel ids per row"
    with pytest.raises(ValueError, match=listed):
        RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(ds, batch_size=2)
    with pytest.raises(ValueError, match=listed):
        RebalanceSampler(ds["label"], sampler=RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError, match=listed):
        RandomUnderSampler().fit_resample(np.zeros((6, 1)), ds["label"])


def test_fit_resample_on_shuffled_dataset_exports_keeps_rows_aligned():
    ds = _dataset(datasets.Value("string"), [NAMES[v] for v in LABELS])
    ds = ds.shuffle(seed=5)
    X = ds.remove_columns("label").to_pandas()
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, ds["label"])
    assert collections.Counter(list(y_res)) == {"neg": 4, "pos": 4, "neu": 4}
    assert all(NAMES[LABELS[x]] == y for x, y in zip(X_res["x"], y_res))
