"""Review 145 hfdatasets9: Hugging Face ``datasets`` (5.2) with rebalance.

Reviewed: in-memory ``Dataset.from_dict`` sets with a ``ClassLabel`` and a
string label column, viewed through ``shuffle``/``filter``/``select`` (an
indices mapping that differs from the table) and ``train_test_split``, in
the formats None/torch/numpy/pandas/polars/arrow; ``RebalanceSampler``,
``BalancedBatchSampler``, ``RebalancedLoader`` and ``IndexBatchSampler``
in a ``DataLoader`` (``__getitems__`` batches, a collate function), each
drawn index checked against the label of the row the DataLoader reads;
``IterableDataset``/``DatasetDict``/a Dataset as labels or as X (refused
clearly); ClassLabel names as ``sampling_strategy`` keys (refused naming
``str2int``); ClassLabel -1 (missing) in every entry point taking ``y``.

Found: ``class_weights``/``sample_weights`` and ``ThresholdMover.fit``
given a ClassLabel column (``ds["label"]``) holding -1 take -1 as a class
of its own, silently (the samplers and ``fit_resample`` refuse it).

No bugs: index/label alignment through every indices mapping and format,
string labels, the errors for streaming/Dataset/DatasetDict inputs. A
polars/arrow-formatted dataset cannot be batched by a DataLoader at all
(datasets' own ``__getitems__``), and a pandas/polars/arrow-formatted
column no longer says it is a ClassLabel (documented): both left alone.
"""

import collections

import numpy as np
import pytest

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("datasets")

from torch.utils.data import DataLoader  # noqa: E402

from rebalance import RandomUnderSampler, ThresholdMover  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)
from rebalance.weights import class_weights, sample_weights  # noqa: E402

datasets.disable_caching()
datasets.disable_progress_bars()

NAMES = ["neg", "pos", "neu"]
LABELS = [0] * 20 + [1] * 6 + [2] * 4
FEATURES = datasets.Features(
    {
        "x": datasets.Value("int64"),
        "label": datasets.ClassLabel(names=NAMES),
        "s": datasets.Value("string"),
    }
)


def _view():
    """A shuffled, filtered, selected view: its indices mapping differs from
    the order of the underlying table."""
    ds = datasets.Dataset.from_dict(
        {"x": list(range(30)), "label": LABELS, "s": [NAMES[i] for i in LABELS]},
        features=FEATURES,
    )
    return ds.shuffle(seed=1).filter(lambda r: r["x"] % 7 != 0).select(range(5, 22))


def _with_missing():
    labels = [0] * 8 + [1] * 4 + [-1] * 2
    features = datasets.Features({"label": datasets.ClassLabel(names=["a", "b"])})
    return datasets.Dataset.from_dict({"label": labels}, features=features)


@pytest.mark.parametrize("fmt", [None, "torch", "numpy", "pandas", "polars"])
def test_sampler_indices_match_the_rows_of_a_view(fmt):
    view = _view()
    shown = view.with_format(fmt) if fmt else view
    truth = view["label"][:]
    for column in ("label", "s"):
        values = view[column][:]
        sampler = RebalanceSampler(shown[column], RandomUnderSampler(), seed=0)
        counts = collections.Counter(values[i] for i in sampler)
        assert len(set(counts.values())) == 1 and len(counts) == 3
    batches = BalancedBatchSampler(shown["label"], batch_size=6, seed=0)
    for batch in batches:
        assert sorted(collections.Counter(truth[i] for i in batch).values()) == [2] * 3


def test_dataloader_batch_sampler_rows_are_the_ones_counted():
    view = _view().with_format("torch")
    sampler = BalancedBatchSampler(view["label"], batch_size=6, seed=0)
    loader = DataLoader(view, batch_sampler=sampler, collate_fn=lambda rows: rows)
    label_of_x = dict(zip(view["x"][:].tolist(), view["label"][:].tolist()))
    batches = list(loader)
    assert len(batches) == len(sampler)
    for rows in batches:
        labels = [int(r["label"]) for r in rows]
        assert labels == [label_of_x[int(r["x"])] for r in rows]
        assert sorted(collections.Counter(labels).values()) == [2] * 3


def test_rebalanced_loader_train_split_balanced():
    ds = _view().flatten_indices()
    train = ds.train_test_split(test_size=0.3, seed=0, stratify_by_column="label")
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(
        train["train"].with_format("torch"), batch_size=4
    )
    labels = torch.cat([batch["label"] for batch in loader])
    assert len(set(labels.bincount().tolist())) == 1


def test_streaming_and_dataset_inputs_refused_clearly():
    ds = _view()
    stream = ds.to_iterable_dataset()
    with pytest.raises(TypeError, match="streaming"):
        RebalanceSampler(stream["label"])
    with pytest.raises(TypeError, match="map-style"):
        RebalancedLoader()(stream, batch_size=4)
    with pytest.raises(TypeError, match=r'dataset\["label"\]'):
        BalancedBatchSampler(ds, batch_size=6)
    with pytest.raises(TypeError, match="to_pandas"):
        RandomUnderSampler().fit_resample(ds, ds["label"])
    with pytest.raises(ValueError, match="str2int"):
        RebalanceSampler(ds["label"], RandomUnderSampler(sampling_strategy={"neg": 2}))


@pytest.mark.parametrize("weigh", [class_weights, sample_weights])
def test_weights_refuse_class_label_missing(weigh):
    ds = _with_missing()
    with pytest.raises(ValueError, match="-1"):
        weigh(ds["label"])


def test_threshold_mover_refuses_class_label_missing():
    from sklearn.linear_model import LogisticRegression

    ds = _with_missing()
    X = np.arange(len(ds), dtype=float)[:, None]
    with pytest.raises(ValueError, match="-1"):
        ThresholdMover(LogisticRegression()).fit(X, ds["label"])
