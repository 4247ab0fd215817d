"""DataLoader samplers that draw a rebalanced epoch from the rebalance engine.

Every sampler here is a ``torch.utils.data.Sampler`` that:

* draws a fresh epoch from ``numpy.random.default_rng([seed, epoch])``:
  :meth:`set_epoch` works as in ``DistributedSampler``, and when it is never
  called each new iteration moves on to the next epoch by itself;
* splits the epoch between DistributedDataParallel ranks (``num_replicas``,
  ``rank``, by default read from the process group when the epoch is drawn):
  every rank computes the same global draw and takes the items ``rank``,
  ``rank + num_replicas``, ... of it, padded by wrapping around
  (``drop_last=False``) or trimmed (``drop_last=True``) to equal lengths.
  The index samplers are ``DistributedSampler`` subclasses, so Lightning,
  Fabric and other tools that re-shard every other sampler leave them as
  they are; Lightning rebuilds a :class:`BalancedBatchSampler` per rank;
* pickle (``torch.save``, ``copy.deepcopy``, ``ddp_spawn``): a copy yields
  the same epochs as the original, from the original's position on;
* records epoch, seed and position in :meth:`state_dict` so that a job
  restarted mid-epoch yields exactly the remaining items (the
  ``state_dict``/``load_state_dict`` protocol of torchdata's
  ``StatefulDataLoader``);
* keeps the epoch as one int32 array (int64 past 2**31 rows) and yields it in
  chunks, never as a Python list of the whole epoch.

**Per-index or batch-level.** These samplers hand a ``DataLoader`` one
Python int per index (tens of millions per second at most), and the loader
then calls ``dataset[i]`` and collates per row: right for datasets that load
or decode each item (files, augmentation), where that cost is hidden. For
data held in memory as tensors, use the batch-level path of
:mod:`rebalance.torch.loaders`, which yields the same epochs one index
tensor per batch: :class:`~rebalance.torch.TensorBatchLoader` (gathers the
rows itself) or :class:`~rebalance.torch.IndexBatchSampler` (for a
``DataLoader`` over a dataset that reads whole batches).

The labels are the dataset's targets, read without touching the samples:
``dataset.targets`` for torchvision's MNIST/CIFAR/``ImageFolder``,
``dataset.tensors[1]`` for a ``TensorDataset``, ``ds["label"]`` for a Hugging
Face dataset, ``numpy.asarray(full.targets)[subset.indices]`` for a ``Subset``.
Never loop over the dataset to collect them: that loads every sample.
"""

from __future__ import annotations

import contextlib
import inspect
import numbers
import sys
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    DistributedSampler,
    IterableDataset,
    Sampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
)

from rebalance._frames import (
    first_column,
    hf_dataset_kind,
    is_dataframe,
    is_hf_column,
    is_pandas,
    is_series,
    reject_lazy,
    reject_stream_column,
    take_rows,
    warn_outside,
)
from rebalance._indices import SMALL_SHUFFLE, EncodedLabels, shuffle_runs, shuffled
from rebalance._labels import (
    class_label_list_refused,
    class_label_missing,
    class_label_values,
    date_time_labels,
    encode_labels,
    hf_column_values,
    is_class_label_list,
    is_polars_enum,
    label_array,
    label_values,
    missing_labels,
    named_class_hint,
    own_codes,
    require_two_classes,
)
from rebalance._priors import series_by_label
from rebalance._validation import check_int as _check_int
from rebalance._validation import is_bool
from rebalance.base import BaseSampler
from rebalance.samplers import LabelShuffleSampler

__all__ = [
    "RebalanceSampler",
    "BalancedBatchSampler",
    "HardExampleSampler",
    "RebalancedLoader",
]

# Indices converted to Python ints at a time: big enough to amortise the numpy
# call, small enough that the list stays in cache (~2 MB).
_CHUNK_INDICES = 1 << 16
# The largest batch_size of a BalancedBatchSampler (torch's int32 sizes).
_MAX_BATCH_SIZE = 2**31 - 1
# Seed-sequence tag of the replay draw, so it never reuses the epoch's stream.
_REPLAY_STREAM = 1
# c10d keeps the world size in a 32-bit int.
_MAX_REPLICAS = 2**31 - 1
_REPLICA_FIX = "Pass num_replicas=world size and rank=this process's rank."


def _label_array(labels: Any) -> np.ndarray:
    """``labels`` as a 1-D numpy array of class labels, or a clear error.

    Tensors are read through ``.numpy()`` (no copy on CPU); nothing is modified.
    """
    column = labels
    if is_dataframe(labels) and labels.shape[1] == 1:
        column = first_column(labels)
    own = getattr(column, "dtype", None)
    if not isinstance(own, np.dtype) and getattr(own, "kind", None) in ("m", "M"):
        # pandas datetimes with a time zone: read as Timestamp objects
        raise date_time_labels("labels", column, own)
    array = _label_values(labels)
    if array.dtype.kind in "mM" and type(own).__name__ == "CategoricalDtype":
        # A pandas categorical of dates: its categories are the classes (as
        # fit_resample takes them), read as Timestamp objects.
        array = array.astype(object)
    if array.dtype.kind in "mM":  # as fit_resample says it
        raise date_time_labels("labels", column, array.dtype)
    # "T": numpy 2's StringDType, strings as fit_resample reads them.
    if array.dtype.kind not in "iubUSOT":
        module = type(column).__module__.split(".")[0]
        convert = {
            "torch": "labels.long()",
            "polars": "labels.cast(pl.Int64)",
            "pyarrow": "labels.cast(pa.int64())",
            "builtins": "numpy.asarray(labels).astype(int)",
        }.get(module, "labels.astype(int)")
        shown = own if own is not None and module != "numpy" else array.dtype
        raise TypeError(
            f"labels has dtype {shown}: samplers need class labels (ints, "
            f"bools or strings). Convert whole-number floats with {convert}."
        )
    if array.dtype.kind in "iO" and (ignored := _ignored_rows(array)).any():
        rows = np.flatnonzero(ignored)
        raise ValueError(
            f"labels holds -100 in {rows.size} row(s), the first at position "
            f"{rows[0]}: torch's ignore_index (cross_entropy and the losses of "
            "rebalance.torch skip those rows), not a class to balance; as a class "
            "it would be the one drawn most. Leave those rows out (e.g. a "
            "torch.utils.data.Subset of the labelled rows and their labels), or "
            "give a real class -100 another value."
        )
    return array


# torch's default ignore_index: a row without a class in a label tensor.
_IGNORE_INDEX = -100


def _ignored_rows(array: np.ndarray) -> np.ndarray:
    """Where integer labels (or Python numbers among objects: a pandas
    object column of ints) hold torch's ignore_index, -100 (not the text
    "-100", not a bool)."""
    if array.dtype.kind != "O":
        return array == _IGNORE_INDEX
    return np.fromiter(
        (
            isinstance(v, numbers.Number)
            and not isinstance(v, bool)
            and cast(Any, v) == _IGNORE_INDEX
            for v in array
        ),
        dtype=bool,
        count=array.size,
    )


def _label_values(labels: Any) -> np.ndarray:
    """The values of ``labels`` as :func:`_label_array` reads them (a 1-D
    numpy array; a one-hot matrix as the class of each row), of any dtype:
    missing labels, other shapes and empty labels are refused."""
    labels = _column_values(labels)
    _refuse_dataset(labels)
    if is_series(labels) and "class_label_column" in getattr(labels, "attrs", {}):
        missing = labels.isna().to_numpy()
        if missing.any():  # a ClassLabel's -1 among the rows drawn from
            column = labels.attrs["class_label_column"]
            raise class_label_missing(column, np.flatnonzero(missing))
    if isinstance(labels, torch.Tensor):
        labels = _label_tensor_values(labels)
    reject_lazy(labels, "labels")
    if is_dataframe(labels) and labels.shape[1] == 1:
        labels = first_column(labels)  # a column of labels, as a series
    if is_series(labels):
        # A column's nulls are missing labels (numpy would read an integer
        # column's nulls as NaN, and the labels as floats).
        array = label_values(labels, "labels")
    else:
        # Not np.asarray: a NaN among strings would become a 'nan' class, and
        # big integers mixed with negative ones floats (classes merged).
        array = label_array(labels, "labels")
    if array.dtype.hasobject and array.ndim == 1:
        missing = pd.isna(array)
        if missing.any():
            raise missing_labels("labels", missing)
    if array.ndim == 2 and array.shape[1] == 1:
        # A column of labels (BCEWithLogitsLoss targets), as scikit-learn
        # reads one.
        array = array[:, 0]
    elif (classes := _one_hot_classes(array)) is not None:
        # A one-hot matrix is read as fit_resample (and imbalanced-learn)
        # reads it: the class of a row is the column of its 1.
        array = classes
    if array.ndim != 1 and not (array.ndim == 2 and array.shape[0] == 0):
        raise ValueError(
            f"labels must be 1-D (one class label per dataset row) or a one-hot "
            f"matrix (exactly one 1 per row, 0 elsewhere); got shape "
            f"{array.shape}. Pass e.g. dataset.targets; for soft or multilabel "
            "targets pass the class of each row, e.g. targets.argmax(1)."
        )
    if array.shape[0] == 0:  # a one-hot matrix of 0 rows too
        raise ValueError(
            "labels is empty (0 rows): pass one class label per dataset row, "
            "e.g. dataset.targets."
        )
    if array.dtype.kind == "f" and (missing := np.isnan(array)).any():
        # Missing labels, not "floats": astype(int) makes a class of a NaN.
        raise missing_labels("labels", missing)
    return array


def _column_values(labels: Any) -> Any:
    """The values of a Hugging Face ``datasets`` column (``ds["label"]``, a
    lazy ``Column`` since datasets 4), read whole in the dataset's format (a
    list, or an array or tensor under ``with_format``); anything else as it
    is. Read item by item, a column costs a dataset lookup per row."""
    return hf_column_values(labels, "labels")  # a ClassLabel's -1: missing


def _refuse_dataset(labels: Any) -> None:
    """A clear error, before any sample is read, for a dataset or loader
    passed as ``labels`` (torch's own samplers take the dataset):
    ``numpy.asarray`` would load every sample, then fail or read the samples
    as labels."""
    reject_stream_column(labels, "labels")
    kind = type(labels).__name__
    hf = hf_dataset_kind(labels)  # (a column is read before: _column_values)
    if not isinstance(labels, (Dataset, DataLoader)) and hf is None:
        return
    if hf == "splits":
        fix = (
            f"the label column of one split, e.g. dataset_dict['train']['label'] "
            f"(splits: {list(labels)})"
        )
    elif isinstance(labels, DataLoader):
        fix = "the labels of its dataset, e.g. loader.dataset.targets"
    elif hf:
        fix = 'its label column, e.g. dataset["label"]'
    elif isinstance(labels, TensorDataset):
        fix = "its label tensor, e.g. dataset.tensors[1]"
    elif isinstance(labels, Subset):
        fix = (
            "the labels of its rows, e.g. "
            "numpy.asarray(subset.dataset.targets)[subset.indices]"
        )
    else:
        fix = "its class labels, e.g. dataset.targets"
    raise TypeError(
        f"labels is a {kind}, not its labels: unlike torch's RandomSampler, "
        f"rebalance samplers take the class label of every row. Pass {fix}; or "
        "build the DataLoader with RebalancedLoader(...)(dataset), which reads "
        "the labels of the dataset itself."
    )


def _label_tensor_values(labels: torch.Tensor) -> np.ndarray:
    """The values of a label tensor as a numpy array (no copy on CPU), or a
    clear error for tensors that hold no plain values or no class labels."""
    _check_label_tensor(labels)
    one_hot_shaped = labels.ndim == 2 and labels.shape[1] > 1
    if labels.is_floating_point() and labels.ndim == 1:
        # Missing, not "floats": labels.long() makes a class of a NaN.
        missing = labels.detach().isnan()
        if missing.any():
            raise missing_labels("labels", missing.cpu().numpy())
    if labels.is_complex() or (labels.is_floating_point() and not one_hot_shaped):
        raise TypeError(
            f"labels is a {labels.dtype} tensor: samplers need integer class "
            "labels. Pass labels.long() if the values are whole class ids."
        )
    labels = labels.detach().cpu()
    if labels.dtype not in _NUMPY_FLOATS and labels.is_floating_point():
        labels = labels.float()  # bfloat16, float8: no numpy dtype
    return labels.numpy()


def _check_label_tensor(
    labels: Any, name: str = "labels", what: str = "class label"
) -> None:
    """A clear error for a tensor ``name`` of one ``what`` per dataset row
    that holds no plain values (nested, sparse, on the meta device); anything
    else passes."""
    if not isinstance(labels, torch.Tensor):
        return
    if labels.is_nested:
        raise TypeError(
            f"{name} is a nested tensor: pass a 1-D tensor of one {what} per "
            "dataset row."
        )
    if labels.layout != torch.strided:
        raise TypeError(
            f"{name} is a tensor of layout {labels.layout}: pass the {what}s as "
            f"a dense tensor, one per dataset row ({name}.to_dense())."
        )
    if labels.device.type == "meta":
        raise ValueError(
            f"{name} is a tensor on the meta device, which holds no values: "
            f"pass the real {what}s."
        )


def _one_hot_classes(array: np.ndarray) -> np.ndarray | None:
    """The class (column of the 1) of each row of a one-hot matrix of several
    columns, numbers every one 0 or 1 with exactly one 1 per row (bools, ints,
    floats; numbers as objects, e.g. a frame of pandas nullable columns), or
    None for anything else."""
    if array.ndim != 2 or array.shape[1] < 2 or array.shape[0] == 0:
        return None
    if array.dtype.kind == "O":
        numbers = ("integer", "boolean", "floating", "mixed-integer-float")
        if pd.api.types.infer_dtype(array.ravel(), skipna=False) not in numbers:
            return None  # strings, missing values (pd.NA, None), mixtures
        array = array.astype(np.float64)
    if array.dtype.kind not in "biuf" or not np.isin(array, (0, 1)).all():
        return None
    if not (array.sum(axis=1, dtype=np.int64) == 1).all():
        return None
    return array.argmax(axis=1)


def _labels_to_encode(labels: Any) -> Any:
    """``labels`` checked by :func:`_label_array`, and what to encode: a
    pandas categorical or a polars ``Enum`` as given (its classes in category
    order, as ``fit_resample`` reads it: epoch ``e`` must equal its
    ``sample_indices_``), else the array."""
    array = _label_array(labels)
    if is_dataframe(labels) and labels.shape[1] == 1:
        labels = first_column(labels)
    if isinstance(labels, pd.Categorical):  # read as the Series holding it
        labels = pd.Series(labels, copy=False)
    if is_pandas(labels, "Series") and isinstance(labels.dtype, pd.CategoricalDtype):
        return labels
    if is_polars_enum(labels):  # encoded in its categories' order too
        return labels
    return array


def _encode(labels: Any) -> EncodedLabels:
    encoded, _, _ = encode_labels(labels, compact=True, name="labels")
    require_two_classes(encoded, name="labels", needs="rebalancing")
    return own_codes(encoded, labels)


def _check_replica_args(
    num_replicas: int | None, rank: int | None
) -> tuple[int | None, int | None]:
    """Check the given ``num_replicas`` and ``rank``; ``None`` stays ``None``."""
    if num_replicas is not None:
        num_replicas = _check_int(
            num_replicas, "num_replicas", minimum=1, fix=_REPLICA_FIX
        )
        if num_replicas > _MAX_REPLICAS:
            raise ValueError(
                f"num_replicas={num_replicas} is larger than any process group "
                f"(at most 2**31 - 1 ranks). {_REPLICA_FIX}"
            )
    if rank is not None:
        rank = _check_int(rank, "rank", minimum=0, fix=_REPLICA_FIX)
    if num_replicas is not None and rank is not None:
        _check_rank(num_replicas, rank)
    return num_replicas, rank


def _check_epoch_args(
    seed: Any, num_replicas: Any, rank: Any, drop_last: Any
) -> tuple[int, tuple[int | None, int | None], bool]:
    """Check the epoch arguments every sampler takes: ``(seed, (num_replicas,
    rank), drop_last)``, ``None`` replicas and rank staying ``None``."""
    seed = _check_int(
        seed, "seed", minimum=0, fix="Pass a non-negative int such as seed=0."
    )
    if not isinstance(drop_last, (bool, np.bool_)):
        raise TypeError(f"drop_last must be True or False; got {drop_last!r}.")
    return seed, _check_replica_args(num_replicas, rank), bool(drop_last)


def _check_base_sampler(sampler: Any) -> None:
    if not isinstance(sampler, BaseSampler):
        raise TypeError(
            "sampler must be a rebalance sampler such as LabelShuffleSampler() "
            f"or RandomUnderSampler(); got {_described(sampler)}."
        )
    if _adds_noise(getattr(sampler, "shrinkage", None)):
        raise ValueError(
            f"{type(sampler).__name__}(shrinkage={sampler.shrinkage!r}): a "
            "torch sampler yields row indices, so the smoothed bootstrap's "
            "noise cannot be added to the rows. Use shrinkage=None (plain "
            "copies), or resample in memory with fit_resample."
        )


def _described(sampler: Any) -> str:
    """``sampler`` (not a rebalance sampler) as the refusal names it: its
    repr (its type when long or failing), the library of another one's
    sampler (imbalanced-learn's prints as ours) and the fix where there is
    one: an instance for a class, rebalance's sampler of that name."""
    if isinstance(sampler, type):
        kind, shown = sampler, f"the class {sampler.__name__}"
        if issubclass(sampler, BaseSampler):
            return f"{shown}: pass an instance, {kind.__name__}()"
    else:
        kind = type(sampler)
        try:
            shown = repr(sampler)
        except Exception:  # a broken __repr__ must not hide the refusal
            shown = ""
        if not shown or len(shown) > 80:  # labels: their type, not every one
            shown = f"a {kind.__name__}"
    if inspect.getattr_static(sampler, "fit_resample", None) is None:
        return shown
    import rebalance

    shown = f"{shown} from {kind.__module__.split('.')[0]}"
    if kind.__name__ in getattr(rebalance, "__all__", ()):
        shown += (
            f": use rebalance.{kind.__name__}() with the same parameters (it "
            "yields the row indices a torch sampler needs)"
        )
    return shown


def _adds_noise(shrinkage: Any) -> bool:
    """Whether a ``shrinkage`` setting adds noise to the drawn rows (None and
    0, for every class, give plain copies: indices say all of it)."""
    if shrinkage is None:
        return False
    values = shrinkage.values() if isinstance(shrinkage, Mapping) else [shrinkage]
    return any(is_bool(v) or not isinstance(v, numbers.Real) or v != 0 for v in values)


def _check_rank(num_replicas: int, rank: int) -> None:
    if rank >= num_replicas:
        raise ValueError(
            f"rank={rank} is out of range for num_replicas={num_replicas}: rank "
            f"must be in [0, {num_replicas - 1}]. {_REPLICA_FIX}"
        )


def _replicas(num_replicas: int | None, rank: int | None) -> tuple[int, int]:
    """``(num_replicas, rank)``, ``None`` taken from the process group now."""
    if num_replicas is None or rank is None:
        group = torch.distributed.is_available() and torch.distributed.is_initialized()
        if num_replicas is None:
            num_replicas = torch.distributed.get_world_size() if group else 1
        if rank is None:
            rank = torch.distributed.get_rank() if group else 0
        _check_rank(num_replicas, rank)
    return num_replicas, rank


def _accelerate_processes() -> int:
    """How many processes HF Accelerate runs (1 where it is not in use)."""
    state = sys.modules.get("accelerate.state")
    shared = getattr(getattr(state, "PartialState", None), "_shared_state", None)
    try:
        return int(shared.get("num_processes", 1)) if shared else 1
    except (TypeError, ValueError, AttributeError):
        return 1


# Frames walked up from a sampler's __len__ / first next() to an HF Accelerate
# loader: its DataLoaderShard or DataLoaderDispatcher, BatchSamplerShard,
# SkipBatchSampler, then torch's BatchSampler or an IndexBatchSampler, the
# DataLoader iterator and workers' index feeding between them.
_ACCELERATE_DEPTH = 16


def _loader_kind(frame: Any) -> str | None:
    """What iterates (or measures) a sampler, from ``frame`` and the frames
    above it (up to ``_ACCELERATE_DEPTH``): ``"accelerate"`` when one of HF
    Accelerate's prepared loaders or batch samplers (module
    ``accelerate.data_loader``) is among them, else ``"torch"`` for a torch
    or torchdata ``DataLoader`` (or its ``BatchSampler``), else None (called
    directly)."""
    kind = None
    for _ in range(_ACCELERATE_DEPTH):
        if frame is None:
            break
        owner = frame.f_locals.get("self")
        module = type(owner).__module__ if owner is not None else ""
        if module == "accelerate.data_loader":
            return "accelerate"
        if module.startswith(("torch.utils.data", "torchdata")):
            kind = "torch"
        frame = frame.f_back
    return kind


def _per_rank(n_items: int, num_replicas: int, drop_last: bool) -> int:
    if drop_last:
        return n_items // num_replicas
    return -(-n_items // num_replicas)


def _rank_slice(
    items: np.ndarray, rank: int, num_replicas: int, n_per_rank: int
) -> np.ndarray:
    """Items ``rank, rank + num_replicas, ...`` of ``items``, ``n_per_rank`` of them.

    When ``n_per_rank * num_replicas`` exceeds ``len(items)`` the missing items
    wrap around to the start (``DistributedSampler``'s padding); when it is
    smaller, the tail is left out. Returns a view when no padding is needed.
    """
    n = items.shape[0]
    if n_per_rank * num_replicas <= n:
        return items[rank : n_per_rank * num_replicas : num_replicas]
    own = items[rank::num_replicas]
    wrapped = (rank + num_replicas * np.arange(own.shape[0], n_per_rank)) % n
    return np.concatenate([own, items[wrapped]])


# The BatchSampler a DataLoader (torch's, torchdata's StatefulDataLoader)
# wraps its sampler= in when given a batch_size.
_LOADER_BATCH_SAMPLERS = (
    ("torch.utils.data.sampler", "BatchSampler"),
    ("torchdata.stateful_dataloader.sampler", "BatchSampler"),
)


def _made_by_loader(index_sampler: Any) -> bool:
    """Whether ``index_sampler`` is the ``BatchSampler`` a ``DataLoader``
    wraps its ``sampler=`` in."""
    made = (type(index_sampler).__module__, type(index_sampler).__name__)
    return made in _LOADER_BATCH_SAMPLERS


def _loader_iterator(frame: Any, depth: int = 1) -> Any:
    """The torch or torchdata ``DataLoader`` iterator asking for the next
    index or batch: the owner of ``_next_index`` among ``frame`` and the
    ``depth - 1`` frames above it; None when there is none."""
    for _ in range(depth):
        if frame is None:
            return None
        if frame.f_code.co_name == "_next_index":
            owner = frame.f_locals.get("self")
            ours = type(owner).__module__.startswith(("torch.utils.data", "torchdata"))
            return owner if ours else None
        frame = frame.f_back
    return None


def _caller_frame(depth: int) -> Any:
    """The frame ``depth`` levels above the caller (``sys._getframe(depth)``
    there), or None when the stack is not that deep: an iteration driven from
    C with no Python frame above it (a thread started on ``list``)."""
    try:
        return sys._getframe(depth + 1)
    except ValueError:
        return None


def _undelivered(loader_iterator: Any) -> bool:
    """Whether a DataLoader iterator (or None) has sent its workers items
    the loop has not received from it (its counters, where it has them)."""
    received = getattr(loader_iterator, "_rcvd_idx", None)
    sent = getattr(loader_iterator, "_send_idx", None)
    return isinstance(received, int) and isinstance(sent, int) and received < sent


def _drawn_for_the_loop(progress: _Progress | None) -> bool:
    """Whether the iteration ``progress`` (or None) ran out inside its
    DataLoader iterator's prefetch, and that iterator, still alive and not
    finished, has handed the loop none of it yet: the loop is about to
    train on it (``set_epoch`` after ``iter(loader)``), not restarting it."""
    if progress is None or progress.live:
        return False
    loader_iterator = progress.loader()
    return (
        getattr(loader_iterator, "_rcvd_idx", None) == 0
        and getattr(loader_iterator, "_finished", None) is not True
        and _undelivered(loader_iterator)
    )


def _threw_away_batches(loader_iterator: Any) -> bool:
    """Whether a DataLoader iterator is finished with batches it sent to its
    workers never handed out: torchdata's ``StatefulDataLoader`` restored it
    as finished (its saved iterator had run out) after its prefetch, and
    replaces it. An iterator that ran out in the loop handed out all."""
    finished = getattr(loader_iterator, "_finished", None) is True
    return finished and _undelivered(loader_iterator)


def _restored_as_finished(owner: Any, frame: Any, depth: int = 12) -> bool:
    """Whether ``owner``, a torchdata ``StatefulDataLoader`` iterator, is
    being built (its ``__init__`` is among ``frame`` and the ``depth - 1``
    frames above it) from a saved state whose iterator had run out: the
    loader throws it away (or resets it, with persistent workers) before the
    training loop sees any of it, so what its prefetch drew is never used."""
    if owner is None:
        return False
    for _ in range(depth):
        if frame is None:
            return False
        if frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is owner:
            state = frame.f_locals.get("next_iter_state")
            return isinstance(state, Mapping) and (
                state.get("_iterator_finished") is True
            )
        frame = frame.f_back
    return False


def _no_loader() -> None:
    """The loader of an iteration drawn without one (see _Progress.loader)."""
    return None


class _Progress:
    """Where the running iteration is: its epoch and the chunk being yielded."""

    def __init__(self, epoch: int, position: int, restored: bool = False):
        self.epoch = epoch
        self.start = position
        # The first iteration after load_state_dict (see _start_epoch).
        self.restored = restored
        # Drawn by the prefetch of a StatefulDataLoader iterator restored as
        # finished (see _restored_as_finished) after set_epoch(epoch) asked
        # for this epoch again: the loop got all of it before the save.
        self.asked_again = False
        self.chunk_stop = position
        self.chunk_items: Any = iter(())
        # False once its generator is finished, closed or collected.
        self.live = True
        # (epoch, position) of a set_epoch of another epoch that came while
        # this iteration ran (see _warn_if_superseded).
        self.superseded: tuple[int, int] | None = None
        # The torch or torchdata DataLoader iterator drawing it (a weak
        # reference: never keeps a loader's workers alive), if known.
        self.loader: Callable[[], Any] = _no_loader

    @property
    def position(self) -> int:
        # A list iterator knows exactly how many items it has left.
        return self.chunk_stop - self.chunk_items.__length_hint__()


class _EpochSampler:
    """Epoch bookkeeping, rank split, chunked iteration and resume state.

    Subclasses give the number of items of a whole epoch (:meth:`_epoch_size`,
    before the rank split), the epoch's rank-local items
    (:meth:`_epoch_items`: a 1-D array of indices or a 2-D array of batches)
    and may rewrite each chunk (:meth:`_prepare_chunk`).
    """

    _chunk_len: int = _CHUNK_INDICES
    _item_name: str = "indices"

    def _init_epochs(
        self, seed: int, num_replicas: int | None, rank: int | None, drop_last: bool
    ) -> None:
        # None follows the process group at the time of use, so a sampler
        # built before init_process_group (e.g. pickled to ddp_spawn ranks)
        # still splits by rank.
        self.seed, self._replica_args, self.drop_last = _check_epoch_args(
            seed, num_replicas, rank, drop_last
        )
        _replicas(*self._replica_args)
        self._next_epoch = 0
        self._resume_position = 0
        self._progress: _Progress | None = None
        # A restored iteration that ran out from its start (see _replaceable).
        self._prefetched_restore: _Progress | None = None
        # set_epoch(e) came while an iteration of epoch e was running.
        self._restart_pending = False
        # load_state_dict ran and no iteration has started since.
        self._restored = False
        # The epoch whose iteration ran out, when nothing happened since
        # (state_dict()'s "previous_finished", see _saved_where).
        self._ended_epoch: int | None = None
        # The epoch of the latest set_epoch() since an iteration started.
        self._asked_epoch: int | None = None
        # The num_replicas a resume position was recorded under, when it may
        # differ from the split at the next iteration (_position_for_split).
        self._position_replicas: int | None = None
        # The latest iteration, if it started drawing with no set_epoch
        # since the one before (see _warn_if_prefetched).
        self._unasked_run: _Progress | None = None

    @property
    def num_replicas(self) -> int:
        """Ranks sharing each epoch: ``num_replicas`` as given, else the world
        size of the process group initialised now (1 without one, and 1 in a
        loader prepared by HF Accelerate, which splits it)."""
        return self._resolved_replicas()[0]

    @property
    def rank(self) -> int:
        """This process's share: ``rank`` as given, else the process group's
        (0 in a loader prepared by HF Accelerate)."""
        return self._resolved_replicas()[1]

    def _resolved_replicas(self) -> tuple[int, int]:
        """``(num_replicas, rank)`` now: ``(1, 0)`` for a sampler left to
        follow the process group (both None) that a loader prepared by HF
        Accelerate with several processes uses, since Accelerate shards that
        loader's batches itself (split once, not twice)."""
        if (
            self._replica_args == (None, None)
            and getattr(self, "_split_by_accelerate", False)
            and _accelerate_processes() > 1
        ):
            return 1, 0
        return _replicas(*self._replica_args)

    def _note_accelerate(self, frame: Any) -> None:
        """Follow what uses this sampler, from ``frame`` (the caller of
        ``len()`` or of the first ``next()``) up: in a loader HF Accelerate
        prepared (several processes) it draws each rank the whole epoch,
        which Accelerate splits between the ranks; in a plain ``DataLoader``
        it splits by the process group's ranks again; called directly, as it
        was last used."""
        if self._replica_args != (None, None) or _accelerate_processes() <= 1:
            return
        kind = _loader_kind(frame)
        if kind is not None:
            self._split_by_accelerate = kind == "accelerate"

    @property
    def epoch(self) -> int:
        """The epoch the next iteration draws."""
        return self._next_epoch

    @property
    def num_samples(self) -> int:
        """Items per rank and epoch, ``len(self)`` (``DistributedSampler``'s
        attribute)."""
        return len(self)

    @property
    def total_size(self) -> int:
        """Items of all ranks per epoch, ``num_samples * num_replicas``
        (``DistributedSampler``'s attribute: with ``drop_last=False`` the
        epoch padded to a multiple of ``num_replicas``)."""
        return len(self) * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Draw epoch ``epoch`` on the next iteration (as ``DistributedSampler``).

        Call it with the same value on every rank at the start of each epoch.
        Without it, every new iteration draws the epoch after the previous one.
        A position restored by :meth:`load_state_dict` is kept when ``epoch``
        is the restored epoch.

        Parameters
        ----------
        epoch : int
            The epoch number, >= 0; it seeds the epoch's draw together with
            ``seed``.
        """
        epoch = _check_int(
            epoch, "epoch", minimum=0, fix="Pass the training loop's epoch counter."
        )
        unasked = getattr(self, "_unasked_run", None)
        warned = self._warn_if_prefetched(epoch)
        self._asked_epoch = epoch
        self._prefetched_restore = None
        ended, self._ended_epoch = getattr(self, "_ended_epoch", None), None
        if ended == epoch and getattr(self, "_restored", False):
            # A restored state said epoch `epoch` had run out: the loop goes
            # back to it (its set_epoch on resume), and nothing is left of it.
            self._next_epoch, self._resume_position = epoch, len(self)
            return
        if ended == epoch and _drawn_for_the_loop(unasked):
            # The loader's workers drew all of epoch `epoch` at iter(loader),
            # before this set_epoch (Lightning's first epoch), and the loop
            # has received none of it yet: the loop is in that epoch, which
            # ran out, as when set_epoch came while it still ran. Else
            # state_dict() said "epoch `epoch` from its start" for the whole
            # epoch, and a checkpoint at its end resumed on it again.
            self._next_epoch, self._resume_position = epoch + 1, 0
            self._ended_epoch = epoch
            return
        running = self._progress
        if running is not None and running.live and running.epoch == epoch:
            # The epoch is already being iterated (Lightning calls iter(loader)
            # before set_epoch, and DataLoader workers start drawing at
            # iter()): that iteration goes on, and state_dict() keeps its
            # position. A new iteration started before it ends draws the
            # epoch from its start (a loop that broke off and restarts it);
            # if none does, the epoch after it follows (_end_epoch).
            self._next_epoch, self._resume_position = epoch, 0
            self._restart_pending = True
            return
        self._restart_pending = False
        if epoch != self._next_epoch:
            self._resume_position = 0
        self._next_epoch = epoch
        # An iteration broken off earlier (break, limit_train_batches) is
        # over: state_dict() and copies describe the next one from now on.
        if running is not None and running.live and not warned:
            running.superseded = (epoch, running.position)
        self._progress = None

    def _epoch_size(self) -> int:
        raise NotImplementedError

    def __len__(self) -> int:
        self._note_accelerate(_caller_frame(1))
        num_replicas = self.num_replicas
        n_items = self._epoch_size()
        n_per_rank = _per_rank(n_items, num_replicas, self.drop_last)
        if n_items == 0 and self._item_name == "indices":
            # An index sampler's draw is empty whatever drop_last (a batch
            # sampler's epoch is empty only when rounded down: drop_last).
            raise ValueError(
                f"Each epoch has 0 {self._item_name}: the sampler draws no row "
                "(e.g. a sampling_strategy asking for 0 rows of every class). "
                "Ask for at least one row."
            )
        if n_per_rank == 0:
            raise ValueError(
                f"Each epoch has {n_items} {self._item_name}, fewer than "
                f"num_replicas={num_replicas}: with drop_last=True every rank would "
                "get none. Use drop_last=False."
            )
        return n_per_rank

    def __iter__(self) -> Iterator[Any]:
        # The draw happens on the first next(), not here: DataLoader creates
        # iterators it never uses (twice per first epoch with workers).
        return self._items(self._replaceable())

    def _items(self, replaceable: _Progress | None) -> Iterator[Any]:
        progress, chunks = self._start_epoch(replaceable)
        try:
            for low, chunk in chunks:
                progress.chunk_items = iter(chunk.tolist())
                progress.chunk_stop = low + chunk.shape[0]
                yield from progress.chunk_items
        finally:
            progress.live = False
        self._end_epoch(progress)

    def _index_batches(self, batch_size: int, drop_last: bool) -> Iterator[np.ndarray]:
        """This rank's epoch as int64 arrays: the items :meth:`__iter__` yields,
        in the same order, ``batch_size`` at a time (the last batch shorter
        unless ``drop_last``). Items that are batches already (2-D) come one
        at a time. Progress, ``state_dict`` and resume count items as
        :meth:`__iter__` does, so the two paths continue each other.
        """
        return self._batch_items(self._replaceable(), batch_size, drop_last)

    def _batch_items(
        self, replaceable: _Progress | None, batch_size: int, drop_last: bool
    ) -> Iterator[np.ndarray]:
        progress, chunks = self._start_epoch(replaceable)
        try:
            yield from self._batches_of(progress, chunks, batch_size, drop_last)
        finally:
            progress.live = False
        self._end_epoch(progress)

    def _replaceable(self) -> _Progress | None:
        """The iteration a new iterator replaces (see :meth:`_start_epoch`),
        else None: the first iteration after :meth:`load_state_dict`, from
        the start of its epoch, still running (or run out already, an epoch
        no longer than the iterator's prefetch, with batches the loop never
        got), drawn by a torchdata ``StatefulDataLoader`` iterator that was
        restored as finished (its saved epoch had run out), which the loader
        throws away before the training loop sees any of it.

        Read when the new iterator is created, not at its first ``next()``:
        with persistent workers the loader assigns the new iterator over the
        restored one, which closes the restored iteration before the new one
        draws. A restored iteration the loop broke off (its loader iterator
        not finished) is not replaced: the next iteration draws the next
        epoch, as for any other.
        """
        running = getattr(self, "_progress", None)
        if running is None:
            # A restored epoch short enough for the restored iterator's
            # prefetch to draw all of it has run out already: replaced all
            # the same when that iterator threw its batches away unseen.
            running = getattr(self, "_prefetched_restore", None)
            if running is None or not (
                getattr(running, "asked_again", False)
                or _threw_away_batches(running.loader())
            ):
                return None
        elif not running.live:
            return None
        if (
            running.restored
            and (running.start == 0 or getattr(running, "asked_again", False))
            and getattr(running.loader(), "_finished", None) is True
        ):
            return running
        return None

    def _batches_of(
        self,
        progress: _Progress,
        chunks: Iterator[tuple[int, np.ndarray]],
        batch_size: int,
        drop_last: bool,
    ) -> Iterator[np.ndarray]:
        carry = np.empty(0, dtype=np.int64)  # a batch cut by a chunk's end
        for low, chunk in chunks:
            # A copy: the caller may write into a batch; it is never our state.
            chunk = chunk.astype(np.int64)
            if chunk.ndim == 2:
                for j in range(chunk.shape[0]):
                    progress.chunk_stop = low + j + 1
                    yield chunk[j]
                continue
            if carry.shape[0]:
                need = batch_size - carry.shape[0]
                carry = np.concatenate([carry, chunk[:need]])
                low, chunk = low + need, chunk[need:]
                if carry.shape[0] < batch_size:
                    continue
                progress.chunk_stop = low
                yield carry
                carry = carry[:0]
            n_full = chunk.shape[0] // batch_size * batch_size
            for j in range(0, n_full, batch_size):
                progress.chunk_stop = low + j + batch_size
                yield chunk[j : j + batch_size]
            carry = chunk[n_full:]
        if carry.shape[0] and not drop_last:
            progress.chunk_stop += carry.shape[0]
            yield carry

    def _start_epoch(
        self, replaceable: _Progress | None = None
    ) -> tuple[_Progress, Iterator[tuple[int, np.ndarray]]]:
        """Begin the next epoch: its progress and its chunks ``(low, items)``,
        ``items`` being the epoch's items from position ``low`` on, as yielded
        (past the resume position, replay applied). ``replaceable``: what
        :meth:`_replaceable` said when the iterator was created."""
        caller = _caller_frame(2)
        owner = _loader_iterator(caller, depth=6)
        self._check_loader_dataset(owner)
        self._before_epoch()
        self._note_accelerate(caller)
        self._warn_if_split_twice()
        epoch, start = self._next_epoch, self._resume_position
        start = self._position_for_split(epoch, start)
        restored = getattr(self, "_restored", False)  # pickles from before it
        running = self._progress
        if running is None:
            running = getattr(self, "_prefetched_restore", None)
        if (
            running is not None
            and running is replaceable
            and (epoch, start) == (running.epoch + 1, 0)
        ):
            # The first iteration after load_state_dict is replaced before it
            # ends: torchdata's StatefulDataLoader with workers restores into
            # an iterator, prefetches from it, and replaces it when the saved
            # one had run out (a checkpoint at an epoch's end); with
            # persistent workers the restored iteration is already closed
            # when the replacement draws (see _replaceable). The
            # replacement is the restored epoch again, from where it was
            # restored, not the epoch after it (which the prefetch would
            # otherwise have made the loop skip). Only for a restore at an
            # epoch's start (what an epoch-end checkpoint restores), or of an
            # epoch that ran out and was asked for again (nothing of it:
            # asked_again), and once: the replacement is an ordinary
            # iteration.
            epoch, start, restored = running.epoch, running.start, False
            if running.asked_again:
                start = len(self)
        asked = getattr(self, "_asked_epoch", None)
        self._next_epoch, self._resume_position = epoch + 1, 0
        self._restart_pending = False
        self._restored = False
        self._ended_epoch = self._asked_epoch = None
        self._prefetched_restore = None
        self._saves_as_epoch_end = False
        progress = _Progress(epoch, start, restored)
        # A loop resumed with set_epoch(e) from a state saved after epoch e
        # ran out gets nothing more of e. Its restored loader iterator is
        # thrown away when the saved one had finished, and the replacement
        # is the empty rest of e again, not the epoch after it (which the
        # loop would get twice). The rest drawn by the thrown-away iterator's
        # prefetch is empty (set_epoch(e) before the sampler's restore), or
        # e from the position of the loader's last snapshot
        # (snapshot_every_n_steps > 1). Only a restored iteration is looked
        # at (a walk up the stack).
        progress.asked_again = (
            restored
            and start > 0
            and asked == epoch
            and _restored_as_finished(owner, caller)
        )
        if owner is not None:
            with contextlib.suppress(TypeError):  # an owner without weakrefs
                progress.loader = weakref.ref(owner)
        self._unasked_run = progress if asked is None else None
        self._progress = progress
        items = self._epoch_items(epoch)
        return progress, self._chunks(items, epoch, start, self._epoch_state())

    def _position_for_split(self, epoch: int, start: int) -> int:
        """``start``, or 0 when it was recorded under another rank split.

        A pickled copy carries its position on (see :meth:`__getstate__`),
        counted in the items of the original's split. Under ``ddp_spawn`` the
        original, with ``num_replicas=None``, was split for 1 process (no
        process group yet, e.g. a batch looked at before ``trainer.fit``) and
        the copy for the world size: that position means nothing in the
        copy's share, and skipping it would silently lose rows of every rank.
        The same holds for a position loaded by :meth:`load_state_dict` before
        ``init_process_group`` (see :meth:`_restore`). The epoch is then drawn
        from its start, with a warning (``load_state_dict`` refuses a state
        of another split outright).
        """
        recorded = getattr(self, "_position_replicas", None)
        kept = self._resume_start()
        self._position_replicas = None
        if kept == start:
            return start
        warnings.warn(
            f"This {type(self).__name__} was stopped (or restored by "
            f"load_state_dict) at position {start} of epoch {epoch} while split "
            f"between {recorded} rank(s), and a copy (pickle, ddp_spawn) or the "
            "process group started since splits it between "
            f"{self.num_replicas}, where that position means nothing: epoch "
            f"{epoch} starts over. Call set_epoch() before the sampler is "
            "copied (e.g. after looking at a batch, before trainer.fit), or "
            "load_state_dict() after init_process_group, to silence this.",
            UserWarning,
            stacklevel=4,
        )
        return 0

    def _resume_start(self) -> int:
        """The position the next iteration starts its epoch at: the resume
        position, or 0 when it was recorded under another rank split
        (:meth:`_position_for_split` then warns)."""
        recorded = getattr(self, "_position_replicas", None)
        if recorded is None or recorded == self.num_replicas:
            return self._resume_position
        return 0

    def _chunks(
        self, items: np.ndarray, epoch: int, start: int, state: Any
    ) -> Iterator[tuple[int, np.ndarray]]:
        n_chunks = -(-items.shape[0] // self._chunk_len)
        for k in range(start // self._chunk_len, n_chunks):
            low = k * self._chunk_len
            chunk = self._prepare_chunk(
                items[low : low + self._chunk_len], epoch, k, state
            )
            skip = max(start - low, 0)
            yield low + skip, chunk[skip:]

    def _label_rows(self) -> int:
        """Number of labels (dataset rows) the sampler was built with."""
        raise NotImplementedError

    def _check_loader_dataset(self, owner: Any) -> None:
        """A clear error when the ``DataLoader`` iterating this sampler
        (``owner``, its iterator, found a few frames up by
        :func:`_loader_iterator`; None when there is none) reads a dataset of
        another number of rows than the labels: the indices are positions in
        the labels, so they would read other rows than the ones balanced
        (e.g. a sampler built on the full labels, the loader given a training
        ``Subset`` by skorch or cross-validation), or past the end."""
        if owner is None:
            return
        index_sampler = getattr(owner, "_index_sampler", None)
        wrapped = getattr(index_sampler, "sampler", None)
        self._check_not_batched_again(owner, index_sampler, wrapped)
        self._check_yields_batches(owner, index_sampler)
        self._warn_if_batches_empty(index_sampler, wrapped)
        if self is not index_sampler and self is not wrapped:
            return  # not certain the loader reads its rows through this sampler
        dataset = getattr(owner, "_dataset", None)
        if dataset is None or isinstance(dataset, IterableDataset):
            return
        try:
            n_dataset = len(dataset)
        except (TypeError, NotImplementedError):  # a dataset without __len__
            return
        n_labels = self._label_rows()
        if n_dataset != n_labels:
            name = type(self).__name__
            raise ValueError(
                f"{name} was built with {n_labels} labels but the DataLoader's "
                f"dataset ({type(dataset).__name__}) has {n_dataset} rows: the "
                "sampler yields positions in its labels, so it needs one label per "
                "row of the dataset it indexes (else the rows read are not the "
                "rows balanced). Build it from this dataset's labels; when the "
                "training loop builds the loader on a split of the data (skorch's "
                "train_split, cross-validation), use RebalancedLoader, which reads "
                "the labels of the dataset it is given (skorch: "
                "iterator_train=RebalancedLoader(...))."
            )

    def _check_yields_batches(self, owner: Any, index_sampler: Any) -> None:
        """A clear error when a ``DataLoader`` was given this index sampler
        (one int per row) as ``batch_sampler=``: the loader would read each
        int as a batch of indices and fail with a bare ``TypeError: 'int'
        object is not iterable`` (or hand a dataset's ``__getitems__`` one
        int), naming neither the sampler nor the fix."""
        if index_sampler is not self or self._item_name != "indices":
            return
        if getattr(owner, "_auto_collation", None) is not True:
            return  # sampler=..., batch_size=None: one row at a time, fine
        name = type(self).__name__
        raise TypeError(
            f"{name} was given to a DataLoader as batch_sampler=, but it yields "
            "one dataset index at a time, not batches of indices. Pass it as "
            f"DataLoader(dataset, sampler={name}(...), batch_size=...), or, for "
            "one index tensor per batch, as batch_sampler=IndexBatchSampler("
            f"{name}(...), batch_size) (rebalance.torch.IndexBatchSampler)."
        )

    def _warn_if_batches_empty(self, index_sampler: Any, wrapped: Any) -> None:
        """Warn when the ``BatchSampler`` a ``DataLoader`` wraps this sampler
        in drops every batch of the epoch (``drop_last=True``, fewer items
        per rank than ``batch_size``): the training loop would silently run
        on nothing. A warning, not an error: the loader yields what torch's
        ``BatchSampler`` would (nothing), as the batch paths do."""
        if _made_by_loader(index_sampler) and wrapped is self:
            if index_sampler.drop_last is True:
                message = _empty_epochs(self, index_sampler.batch_size, "the loader's ")
                if message:
                    _warn_at_caller(message)

    def _check_not_batched_again(
        self, owner: Any, index_sampler: Any, wrapped: Any
    ) -> None:
        """A clear error when a ``DataLoader`` batches this sampler's batches
        again: a :class:`BalancedBatchSampler`, or an ``IndexBatchSampler``
        wrapping this sampler, given as ``sampler=`` with a ``batch_size``
        (1 by default). The default collate would stack ``batch_size`` whole
        batches into one tensor of shape ``(batch_size, rows, ...)``, silently
        (with ``batch_size=1``, every batch gains a leading dimension of 1).
        A loader with a ``collate_fn`` of its own (e.g. ``lambda b: b[0]``) is
        left alone."""
        if not _made_by_loader(index_sampler):
            return  # not the BatchSampler a DataLoader makes from sampler=
        if getattr(owner, "_collate_fn", None) is not default_collate:
            return
        if wrapped is self and isinstance(self, BalancedBatchSampler):
            given, fix = (
                "BalancedBatchSampler",
                "pass it as batch_sampler=BalancedBatchSampler(...), without "
                "batch_size",
            )
        elif isinstance(wrapped, BatchSampler) and wrapped.sampler is self:
            given, fix = (
                type(wrapped).__name__,
                f"pass batch_size=None with sampler={type(wrapped).__name__}(...) "
                "(or give it as batch_sampler=...)",
            )
        else:
            return
        n = index_sampler.batch_size
        raise ValueError(
            f"{given} given to a DataLoader as sampler= with batch_size={n} "
            "(DataLoader's default is 1): it yields whole batches, which the "
            f"loader would batch again, stacking {n} of them into one batch of "
            f"shape ({n}, rows per batch, ...). To get its batches, {fix}."
        )

    def _warn_if_split_twice(self) -> None:
        """Warn once when this sampler splits by the process group's ranks
        while HF Accelerate runs several processes and no loader Accelerate
        prepared is seen using it (see :meth:`_note_accelerate`): should
        Accelerate shard it after all, every rank would see 1 / world_size²
        of the epoch."""
        if self._replica_args[0] is not None or getattr(self, "_warned_split", False):
            return
        if _accelerate_processes() <= 1 or self.num_replicas <= 1:
            return
        self._warned_split = True
        if self._replica_args[1] is not None:
            where = (
                "with rank given and num_replicas=None: Accelerate shards a "
                "loader it prepares"
            )
            fix = (
                "Leave rank and num_replicas both None in a loader Accelerate "
                "prepares (the sampler then leaves the split to Accelerate)"
            )
        else:
            where = (
                "iterated outside a loader prepared by Accelerate: if "
                "Accelerate shards this loader"
            )
            fix = (
                "Pass the DataLoader through accelerator.prepare() (the sampler "
                "then leaves the split to Accelerate)"
            )
        warnings.warn(
            f"{type(self).__name__} splits each epoch between the "
            f"{self.num_replicas} ranks of the process group (num_replicas=None) "
            f"while HF Accelerate runs several processes, {where} again, so each "
            f"rank sees 1/{self.num_replicas**2} of the epoch. {fix}, or pass "
            "num_replicas explicitly to split it yourself and silence this.",
            UserWarning,
            stacklevel=4,
        )

    def _warn_if_superseded(self, progress: _Progress) -> None:
        """Warn when an iteration went on to its end after a ``set_epoch`` of
        another epoch (one broken off is never pulled again): a
        ``DataLoader`` with workers draws its epoch at ``iter(loader)``, so
        under PyTorch Lightning resuming from a checkpoint without the
        loader's state (``iter()``, then ``set_epoch(e)``) the loop silently
        trained on the sampler's next epoch where epoch ``e`` was asked for."""
        if progress.superseded is None:
            return
        asked, position = progress.superseded
        if progress.position <= position:
            return  # nothing handed out after set_epoch
        _warn_at_caller(
            f"set_epoch({asked}) was called while an iteration of epoch "
            f"{progress.epoch} of this {type(self).__name__} was running, and "
            f"that iteration went on: the loop got epoch {progress.epoch}, not "
            f"epoch {asked} (which the next iteration draws). A DataLoader with "
            "workers draws its epoch at iter(loader): call set_epoch before "
            "iter(loader); when resuming (e.g. PyTorch Lightning from a "
            "checkpoint), restore the loader's state (torchdata's "
            "StatefulDataLoader) or call sampler.set_epoch(epoch) before "
            "training starts."
        )

    def _warn_if_prefetched(self, epoch: int) -> bool:
        """Warn (and return True) when ``set_epoch(epoch)`` asks for another
        epoch than the one the latest iteration, started with no
        ``set_epoch`` before it, has already sent to the loader's workers and
        the loop has not received yet: the loop gets those items as
        ``epoch``. PyTorch Lightning resuming from a checkpoint calls
        ``iter(loader)`` before ``set_epoch``, and workers draw at
        ``iter()``. An iteration still running then is also warned about at
        its end by :meth:`_warn_if_superseded`, but only when it hands out
        more after ``set_epoch``: an epoch no longer than the workers'
        prefetch is drawn whole before it."""
        run = getattr(self, "_unasked_run", None)
        self._unasked_run = None
        if run is None or run.epoch == epoch:
            return False
        loader = run.loader()
        if getattr(loader, "_finished", None) is True or not _undelivered(loader):
            return False
        _warn_at_caller(
            f"set_epoch({epoch}) was called after the loader's workers had "
            f"drawn items of epoch {run.epoch} of this {type(self).__name__} "
            f"that the loop has not received yet: it gets them as epoch "
            f"{epoch}. A DataLoader with workers draws its epoch at "
            "iter(loader), and PyTorch Lightning resuming from a checkpoint "
            "calls iter(loader) before set_epoch: call sampler.set_epoch("
            f"{epoch}) before training starts, restore the loader's state "
            "(torchdata's StatefulDataLoader) or use num_workers=0. With a "
            "restored loader state taken inside an epoch the loop treats as "
            "finished (limit_train_batches), resume without workers or "
            "checkpoint where the loader's epoch ends."
        )
        return True

    def _end_epoch(self, progress: _Progress) -> None:
        self._warn_if_superseded(progress)
        if self._progress is progress:
            self._progress = None
            # Its DataLoader iterator may still owe the loop batches of it
            # (workers read ahead): see _warn_read_ahead.
            self._ended_loader = progress.loader
            # A restored epoch can run out inside the restored loader
            # iterator's prefetch, which torchdata then throws away when the
            # saved iterator had finished (see _replaceable).
            self._prefetched_restore = (
                progress
                if progress.restored and (progress.start == 0 or progress.asked_again)
                else None
            )
            if (
                getattr(self, "_restart_pending", False)
                and self._next_epoch == progress.epoch
            ):
                # set_epoch(e) came while this iteration of e ran, and no new
                # iteration took it up: this one was epoch e.
                self._next_epoch, self._resume_position = progress.epoch + 1, 0
            self._restart_pending = False
            if (self._next_epoch, self._resume_position) == (progress.epoch + 1, 0):
                # Its last item may have gone out long before (torch's
                # BatchSampler pulls past the end to fill a short last
                # batch): state_dict() says "epoch e + 1 from its start,
                # after epoch e ran out", so a loop resumed with set_epoch(e)
                # gets nothing more of e rather than all of it again.
                self._ended_epoch = progress.epoch

    def _before_epoch(self) -> None:
        """Hook run as an epoch starts, before its number is read."""

    def _epoch_items(self, epoch: int) -> np.ndarray:
        raise NotImplementedError

    def _epoch_state(self) -> Any:
        """What :meth:`_prepare_chunk` needs of the epoch just drawn, kept by
        its own iteration (another may start before it ends)."""
        return None

    def _prepare_chunk(
        self, chunk: np.ndarray, epoch: int, k: int, state: Any
    ) -> np.ndarray:
        return chunk

    def _where(self) -> tuple[int, int]:
        """``(epoch, position)`` the next item comes from, past any iteration."""
        if self._progress is not None:
            # A running iteration that has handed out its last item is still
            # in its epoch: a resume from here yields nothing more of it, then
            # the next epoch (as torchdata's own samplers).
            return self._progress.epoch, self._progress.position
        epoch, position = self._next_epoch, self._resume_start()
        if position >= len(self):
            epoch, position = epoch + 1, 0
        return epoch, position

    def _reading_ahead(self) -> Any:
        """The plain torch ``DataLoader`` iterator of this sampler's latest
        iteration when its workers hold batches the loop has not received
        (None otherwise)."""
        progress = self._progress
        loader: Any = (
            progress.loader
            if progress is not None
            else getattr(self, "_ended_loader", _no_loader)
        )()
        kind = type(loader)
        if (
            kind.__module__ != "torch.utils.data.dataloader"
            or kind.__name__ != "_MultiProcessingDataLoaderIter"
            or not _undelivered(loader)
        ):
            return None
        return loader

    def _warn_read_ahead(self, what: str = "") -> bool:
        """Warn when the iteration's plain torch ``DataLoader`` iterator has
        sent its workers batches the loop has not received: the position
        counts them as consumed, so a resume from it would skip them,
        silently. (torchdata's ``StatefulDataLoader`` accounts for its
        workers itself; a loader without workers reads no further than the
        batch it hands out.) True when it warned."""
        loader = self._reading_ahead()
        if loader is None:
            return False
        ahead = loader._send_idx - loader._rcvd_idx
        if what:  # a copy
            fix = (
                f"{what} would resume past them: copy it once the loop has "
                "received every batch sent, or save state_dict() with its "
                "'position' set to the items the loop consumed"
            )
        else:
            fix = (
                "the saved position counts them as handed out, so a resume "
                "from it would skip them. Set the state's 'position' to the "
                "items the loop consumed (e.g. batches_done * batch_size) "
                "before saving"
            )
        action = "copied" if what else "state_dict()"
        warnings.warn(
            f"{type(self).__name__} {action} while a DataLoader with "
            f"num_workers={loader._num_workers} iterates it: its workers were "
            f"sent {ahead} batch(es) the loop has not received yet; {fix}, or "
            "use torchdata's StatefulDataLoader, whose state_dict() accounts "
            "for its workers.",
            UserWarning,
            stacklevel=4,
        )
        return True

    def _saved_where(self) -> tuple[int, int, bool]:
        """``(epoch, position, previous_finished)`` for :meth:`state_dict`.

        ``previous_finished``: the iteration of epoch ``epoch - 1`` ran out
        and nothing happened since (``position`` is then 0).
        """
        # (a copy made then saves as its original does: see __getstate__)
        in_flight = self._warn_read_ahead() or getattr(
            self, "_saves_as_epoch_end", False
        )
        ended = getattr(self, "_ended_epoch", None)
        if self._progress is None:
            if ended is None and self._resume_start() >= len(self):
                # A restored epoch with nothing left, asked for again by
                # set_epoch: it still ran out (a state saved again before
                # iterating must not replay it whole).
                ended = self._next_epoch
            if ended is not None and in_flight:
                # Ran out inside the workers' read-ahead: saved as the
                # epoch's end (restored as the state below), so that a
                # position set to the items consumed resumes that epoch.
                return ended, len(self), False
            if ended is not None:
                return ended + 1, 0, True
        return (*self._where(), False)

    def __getstate__(self) -> dict[str, Any]:
        # A copy (pickle, deepcopy, torch.save) resumes where this sampler is:
        # its next iteration yields the rest of a running epoch, as after
        # load_state_dict(state_dict()).
        # (workers holding batches the loop has not received: the copy's
        # position counts them, as state_dict()'s does, which warns; once a
        # sampler, as a model holding it may be deep-copied every step)
        if not getattr(self, "_warned_copy", False):
            self._warned_copy = self._warn_read_ahead(
                "A copy (pickle, deepcopy) of it made now"
            )
        state = self.__dict__.copy()
        if self._progress is not None:
            state["_next_epoch"], state["_resume_position"] = self._where()
        state["_progress"] = None
        state.pop("_ended_loader", None)  # a weak reference: not a copy's
        # A copy saves the state its original saves: an iteration that has
        # handed out every item, or ran out in a DataLoader's read-ahead,
        # saves as its epoch's end (see _saved_where).
        state["_saves_as_epoch_end"] = (
            getattr(self, "_saves_as_epoch_end", False)
            or self._ran_out() is not None
            or (self._progress is None and self._reading_ahead() is not None)
        )
        state["_prefetched_restore"] = None
        state["_unasked_run"] = None
        state["_restart_pending"] = False
        # The position counts items of this split (see _position_for_split),
        # or of the one a restored position was loaded under.
        restored_under = getattr(self, "_position_replicas", None)
        if self._progress is not None or restored_under is None:
            state["_position_replicas"] = self.num_replicas
        ended = self._ran_out()
        if ended is not None:
            # Every item of the epoch was handed out, the loader not yet told
            # it ran out: as load_state_dict(state_dict()) does, the copy is
            # at the next epoch's start after this one ran out
            # (set_epoch(ended) yields nothing more of it). Else an iteration
            # started before the loop's set_epoch(ended + 1) (Lightning calls
            # iter() first, and DataLoader workers draw at once) would be the
            # empty rest of this epoch, and the next epoch yield nothing.
            state["_next_epoch"], state["_resume_position"] = ended + 1, 0
            state["_ended_epoch"], state["_asked_epoch"] = ended, None
            state["_restored"] = True
        # An iteration that ran out (its generator finished) is not marked
        # restored in the copy: the copy does what the original does next
        # (set_epoch(ended) draws that epoch again, as a DistributedSampler
        # does). A ddp_spawn child must train epoch 0 in full when the parent
        # looked at a batch of a short epoch 0; resume a checkpoint through
        # state_dict()/load_state_dict() (review 85).
        return state

    def _ran_out(self) -> int | None:
        """The epoch of the running (or broken-off) iteration when it has
        handed out every item of its epoch, else None."""
        progress = self._progress
        if progress is not None and progress.position >= len(self):
            return progress.epoch
        return None

    def state_dict(self) -> dict[str, Any]:
        """Epoch, seed and position in the epoch of the latest iteration.

        ``position`` counts the items (indices, or batches for a batch sampler)
        this rank's iterator has handed out. With a plain ``DataLoader``, whose
        workers read ahead, set it to the number of items the training loop
        really consumed before saving (e.g. ``batches_done * batch_size``):
        this method warns when the workers hold batches the loop has not
        received.

        Once an epoch's iteration has run out (the loader pulled past its
        last item, e.g. to fill a short last batch), the state is the next
        epoch at position 0 with ``previous_finished=True``: restored,
        ``set_epoch(epoch - 1)``, called before or after
        :meth:`load_state_dict`, yields nothing more of the epoch that ran
        out (a loop resumed in the epoch it saved in: torchdata's
        ``StatefulDataLoader`` loads the sampler's state at ``iter()``, after
        the loop's ``set_epoch``); without it the next iteration draws
        ``epoch``. A state whose ``position`` is the epoch's length (every
        item handed out, the loader not yet told) is restored the same way.

        Returns
        -------
        dict
            Plain ints and a bool (and tensors for
            :class:`HardExampleSampler`'s pool), so ``torch.save`` /
            ``torch.load(weights_only=True)`` round-trip it.
        """
        epoch, position, previous_finished = self._saved_where()
        return {
            "epoch": epoch,
            "position": position,
            "seed": self.seed,
            "num_replicas": self.num_replicas,
            "length": len(self),
            "previous_finished": previous_finished,
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Continue from a :meth:`state_dict`: the next iteration yields the rest.

        The sampler must be built with the same labels, parameters and
        ``num_replicas`` as the one that saved the state. Every field is
        checked before anything changes.

        Parameters
        ----------
        state_dict : dict
            A dict returned by :meth:`state_dict` (possibly through
            ``torch.save`` / ``torch.load``).
        """
        self._restore(*self._check_state(state_dict))

    def _check_state(
        self, state_dict: Mapping[str, Any], extra_keys: tuple[str, ...] = ()
    ) -> tuple[int, int, int, bool]:
        """``(epoch, position, seed, previous_finished)`` of a saved state,
        or a clear error. ``previous_finished`` may be missing (states saved
        before it existed)."""
        name = type(self).__name__
        fix = f"Pass a dict returned by {name}.state_dict()."
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"state_dict must be a dict; got {type(state_dict).__name__}. {fix}"
            )
        keys = ("epoch", "position", "seed", "num_replicas", "length", *extra_keys)
        missing = [key for key in keys if key not in state_dict]
        if missing:
            raise KeyError(f"state_dict lacks {missing}: {fix}")
        epoch, position, seed, num_replicas, length = (
            _check_int(state_dict[key], f"state_dict[{key!r}]", minimum=low, fix=fix)
            for key, low in (
                ("epoch", 0),
                ("position", 0),
                ("seed", 0),
                ("num_replicas", 1),
                ("length", 1),
            )
        )
        if (
            num_replicas == 1
            and self._replica_args == (None, None)
            and _accelerate_processes() > 1
        ):
            # Saved where a loader HF Accelerate prepared drew the whole
            # epoch (accelerator.register_for_checkpointing): resumed there.
            self._split_by_accelerate = True
        if num_replicas != self.num_replicas:
            raise ValueError(
                f"state_dict was saved with num_replicas={num_replicas} but this "
                f"sampler has num_replicas={self.num_replicas}: resume with the same "
                "number of ranks."
            )
        if length != len(self):
            raise ValueError(
                f"state_dict was saved by a sampler of {length} items per epoch and "
                f"rank; this one has {len(self)}. Build it with the same labels and "
                "parameters as the saved one."
            )
        if position > length:
            raise ValueError(
                f"state_dict['position']={position} is past the end of the epoch "
                f"({length} items). {fix}"
            )
        finished = state_dict.get("previous_finished", False)
        if not isinstance(finished, (bool, np.bool_)):
            raise TypeError(
                f"state_dict['previous_finished'] must be True or False; got "
                f"{finished!r}. {fix}"
            )
        # It describes epoch - 1 only at the start of epoch (>= 1): a state
        # whose epoch or position was edited (the position the loop really
        # consumed, see state_dict) is that position.
        finished = bool(finished) and epoch >= 1 and position == 0
        if position == length:
            # Every item of the epoch was handed out, the loader not yet told
            # it ran out (a state taken at its last batch, before the loader
            # pulled past it): the same as the start of the next epoch after
            # it ran out. Otherwise an iteration started before the loop's
            # set_epoch(epoch + 1) (DataLoader workers draw at iter(), and
            # Lightning calls iter() first) would be the empty rest of the
            # saved epoch, and the next epoch yield nothing.
            epoch, position, finished = epoch + 1, 0, True
        return epoch, position, seed, finished

    def _restore(
        self, epoch: int, position: int, seed: int, previous_finished: bool
    ) -> None:
        self.seed = seed
        self._ended_epoch = None
        self._prefetched_restore = None
        self._saves_as_epoch_end = False
        self._ended_loader = _no_loader  # (another run's loader)
        if previous_finished:
            if getattr(self, "_asked_epoch", None) == epoch - 1:
                # The loop asked for the epoch that ran out (set_epoch before
                # this load; after it, see set_epoch): nothing is left of it.
                epoch, position = epoch - 1, len(self)
            else:
                self._ended_epoch = epoch - 1
        self._next_epoch, self._resume_position = epoch, position
        # A position inside the epoch counts items of this split: one
        # started after this (num_replicas=None, the process group
        # initialised later) starts the epoch over (_position_for_split).
        inside = 0 < position < len(self)
        self._position_replicas = self.num_replicas if inside else None
        self._progress = None
        self._restart_pending = False
        self._restored = True


# DistributedSampler's num_replicas, rank and epoch are plain attributes; here
# they are read-only properties (set_epoch moves the epoch; the ranks are fixed
# or read from the process group), which mypy reports as an unsafe override.
class RebalanceSampler(_EpochSampler, DistributedSampler[int]):  # type: ignore[override]
    """Rebalanced dataset indices for a ``DataLoader``, a new draw every epoch.

    Each epoch is one call of the estimator sampler's index generator — the
    same code ``fit_resample`` runs — seeded with
    ``numpy.random.default_rng([seed, epoch])``: epoch ``e`` of this sampler
    yields exactly the ``sample_indices_`` of
    ``sampler.set_params(random_state=numpy.random.default_rng([seed, e]))
    .fit_resample(X, labels)``.

    Parameters
    ----------
    labels : array-like or Tensor of shape (n_samples,)
        The dataset's class labels (ints, bools or strings; no floats; not
        -100, torch's ignore_index), e.g.
        ``dataset.targets``; or a one-hot matrix of shape
        ``(n_samples, n_classes)`` (any number type), read as
        ``fit_resample`` reads it: class ``j`` for a 1 in column ``j``.
        Read once, when the sampler is built (it keeps a copy): when the
        labels change (pseudo-labels, new data of the same size), build a
        new sampler, or use :class:`RebalancedLoader`, which reads them
        for every loader it builds.
    sampler : rebalance sampler, default=None
        Any of :class:`~rebalance.RandomUnderSampler`,
        :class:`~rebalance.RandomOverSampler`,
        :class:`~rebalance.ClassBalancedSampler`,
        :class:`~rebalance.LabelShuffleSampler` (the default). A copy is kept;
        its ``random_state`` is ignored in favour of ``seed``.
    seed : int, default=0
        Seed shared by all ranks; epoch ``e`` draws from ``[seed, e]``.
        It is the only source of randomness: ``torch.manual_seed`` and a
        ``DataLoader``'s ``generator=`` change nothing (there is no
        ``generator`` argument), so runs meant to differ need different seeds.
    num_replicas : int, default=None
        Number of DistributedDataParallel ranks; by default the world size of
        the process group initialised when the epoch is drawn, else 1 (so a
        sampler built before ``init_process_group``, e.g. in a
        ``LightningDataModule.__init__`` under ``ddp_spawn``, still splits).
    rank : int, default=None
        This process's rank; by default taken from the process group, else 0.
    drop_last : bool, default=False
        When the epoch does not split evenly between ranks: ``False`` pads it
        by wrapping around to its start, ``True`` drops the tail.

    Attributes
    ----------
    plan : SamplingPlan
        The estimator's prepared draw (``plan.n_output`` indices per epoch).

    Notes
    -----
    ``len(sampler)`` is this rank's exact number of indices per epoch. The
    union of all ranks' indices of one epoch is the single-process draw
    (plus the wrapped padding, or minus the dropped tail). Memory: the
    encoded labels, the rows of each class (int32) and one epoch's indices.

    It is a ``DistributedSampler`` (it splits itself by rank), so PyTorch
    Lightning and Fabric keep it as it is under their default
    ``use_distributed_sampler=True`` and call its :meth:`set_epoch`. Pass
    it as a ``DataLoader``'s ``sampler``. HF Accelerate shards the batches of
    every loader it prepares itself: in a prepared loader a sampler left at
    ``num_replicas=None`` draws each rank the whole epoch and leaves the split
    to Accelerate (once, not twice).
    For in-memory tensors, wrap it in
    :class:`~rebalance.torch.TensorBatchLoader` or
    :class:`~rebalance.torch.IndexBatchSampler`: the same epochs, one index
    tensor per batch instead of one Python int per row.
    A pickled copy (``pickle``, ``torch.save``, ``copy.deepcopy``) carries
    on from the original's position.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from rebalance.torch import RebalanceSampler
    >>> labels = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1])
    >>> dataset = TensorDataset(torch.arange(8.0), labels)
    >>> sampler = RebalanceSampler(labels, seed=0)  # label shuffle
    >>> len(sampler)
    12
    >>> loader = DataLoader(dataset, batch_size=4, sampler=sampler)
    >>> y = torch.cat([y for _, y in loader])
    >>> y.bincount().tolist()
    [6, 6]
    """

    def __init__(
        self,
        labels: Any,
        sampler: BaseSampler | None = None,
        *,
        seed: int = 0,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = False,
    ):
        if sampler is None:
            sampler = LabelShuffleSampler()
        if isinstance(labels, BaseSampler):
            raise TypeError(
                f"labels is a {type(labels).__name__}: RebalanceSampler takes the "
                "labels first, then the sampler: RebalanceSampler(y, "
                f"{type(labels).__name__}(...))."
            )
        _check_base_sampler(sampler)
        self._init_epochs(seed, num_replicas, rank, drop_last)
        encoded = _labels_to_encode(labels)
        self.sampler = clone(sampler)
        try:
            self.plan = self.sampler.plan(encoded, compact=True)
            # fit_resample's check of a shrinkage dict against the classes
            # (a typo, an over-sampled class left out): epoch e is its draw.
            check_shrinkage = getattr(self.sampler, "_shrinkage_per_class", None)
            if check_shrinkage is not None:
                check_shrinkage(self.plan)
        except (TypeError, ValueError) as exc:
            # An error about the labels (continuous, mixed types, one class)
            # names them: plan() calls them y, no argument of this sampler.
            _encode(encoded)
            # Else it is about the sampler's parameters (e.g.
            # sampling_strategy): say where it came from.
            where = f"RebalanceSampler(labels, {type(sampler).__name__}(...))"
            raise type(exc)(f"{where}: {exc}") from exc
        # plan() keeps codes of its own (own_codes): never a view of labels.
        # Every epoch reads the rows of each class: group them once.
        self.plan.labels.grouped_rows()
        len(self)  # too few indices for the ranks: say so now

    def _epoch_size(self) -> int:
        return self.plan.n_output

    def _label_rows(self) -> int:
        return self.plan.labels.n_samples

    def _epoch_items(self, epoch: int) -> np.ndarray:
        draw = self.plan.draw(np.random.default_rng([self.seed, epoch]))
        num_replicas, rank = self.num_replicas, self.rank
        return _rank_slice(draw, rank, num_replicas, len(self))


class _EpochLink:
    """A batch sampler's ``.sampler`` when none was injected: its ``set_epoch``
    sets the batch sampler's epoch (PyTorch Lightning calls
    ``loader.batch_sampler.sampler.set_epoch(epoch)`` at every epoch)."""

    def __init__(self, owner: Any):
        self._owner = owner

    @property
    def epoch(self) -> int:
        return self._owner.epoch

    def set_epoch(self, epoch: int) -> None:
        self._owner.set_epoch(epoch)

    def __repr__(self) -> str:
        return f"<set_epoch of {type(self._owner).__name__}>"


class BalancedBatchSampler(_EpochSampler, Sampler[list[int]]):
    """Batches with a fixed number of rows of each class (a ``batch_sampler``).

    Two forms:

    * **quotas** (default): every batch holds ``class_counts[c]`` rows of
      class ``c``, so the majority count per batch is fixed exactly.
      ``class_counts=None`` splits ``batch_size`` evenly between the classes.
    * **P × K** (metric learning): ``classes_per_batch`` (P) classes per batch,
      ``samples_per_class`` (K) rows each; give one and the other is
      ``batch_size`` divided by it.

    Rows of each class are walked without replacement — a random order of all
    its rows, then a new random order, and so on — so a class's rows all
    appear once before any repeats; small classes are recycled through their
    rows that way. A batch holds no row twice where the class has at least
    as many rows as the batch takes of it (its quota, or K). Batches are
    shuffled inside.

    **Epoch length.** Quotas: enough batches to walk once through the class
    that takes longest, i.e. ``max_c n_c / class_counts[c]`` batches, rounded
    down (``drop_last=True``: no row of that class repeats within the epoch)
    or up (``drop_last=False``: every row of every class appears). P × K:
    ``n_samples / batch_size`` batches, rounded the same way. Then rounded
    down (``drop_last``) or up to a multiple of ``num_replicas``; the extra
    batches of rounding up come from the same class walks.

    Parameters
    ----------
    labels : array-like or Tensor of shape (n_samples,)
        The dataset's class labels (ints, bools or strings; not -100,
        torch's ignore_index), or a one-hot matrix of shape
        ``(n_samples, n_classes)`` (class ``j`` for a 1 in column ``j``).
    batch_size : int
        Rows per batch, at most 2**31 - 1.
    class_counts : dict or sequence of int, default=None
        Rows of each class per batch, summing to ``batch_size``: a dict
        ``{class: rows}`` (classes left out get none) or one count per class
        in class order (sorted; a pandas categorical's category order), or a
        Series indexed by class. ``None``: ``batch_size / n_classes`` each.
    classes_per_batch : int, default=None
        P of the P × K form.
    samples_per_class : int, default=None
        K of the P × K form.
    seed : int, default=0
        Seed shared by all ranks; epoch ``e`` draws from ``[seed, e]``.
        It is the only source of randomness: ``torch.manual_seed`` and a
        ``DataLoader``'s ``generator=`` change nothing (there is no
        ``generator`` argument), so runs meant to differ need different seeds.
    num_replicas : int, default=None
        Number of ranks sharing each epoch, as in :class:`RebalanceSampler`.
    rank : int, default=None
        This process's rank, as in :class:`RebalanceSampler`; ranks get
        batches ``rank``, ``rank + num_replicas``, ... of the epoch.
    drop_last : bool, default=True
        Round the epoch length down (see above) instead of up.
    sampler : DistributedSampler, default=None
        Leave it None. PyTorch Lightning (``use_distributed_sampler=True``)
        rebuilds a batch sampler with the same arguments plus a
        ``DistributedSampler`` of its own: this sampler then takes
        ``num_replicas`` and ``rank`` from it and follows its ``set_epoch``;
        a state loaded into the original with :meth:`load_state_dict` and
        not yet iterated (a resumed job) goes on in the rebuilt one, whose
        :meth:`state_dict` then holds the progress. Without one, the
        attribute ``sampler`` is a small object whose ``set_epoch`` calls
        this sampler's, so that Lightning's
        ``loader.batch_sampler.sampler.set_epoch(epoch)`` reaches it.

    Notes
    -----
    Under HF Accelerate, which shards the batches of a prepared loader
    itself, a sampler left at ``num_replicas=None`` gives each rank every
    batch and leaves the split to Accelerate.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from rebalance.torch import BalancedBatchSampler
    >>> labels = torch.tensor([0] * 12 + [1] * 3)
    >>> batches = BalancedBatchSampler(labels, 4, class_counts={0: 3, 1: 1})
    >>> len(batches)  # 12 majority rows, 3 per batch
    4
    >>> loader = DataLoader(TensorDataset(labels), batch_sampler=batches)
    >>> [batch.bincount().tolist() for (batch,) in loader]
    [[3, 1], [3, 1], [3, 1], [3, 1]]
    """

    def __init__(
        self,
        labels: Any,
        batch_size: int,
        *,
        class_counts: Mapping[Any, int] | Sequence[int] | None = None,
        classes_per_batch: int | None = None,
        samples_per_class: int | None = None,
        seed: int = 0,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = True,
        sampler: DistributedSampler | None = None,
    ):
        self.batch_size = _check_batch_size(batch_size)
        pk_form = classes_per_batch is not None or samples_per_class is not None
        if pk_form and class_counts is not None:
            raise ValueError(
                "class_counts and classes_per_batch/samples_per_class are two "
                "different forms: pass class_counts for fixed counts of every "
                "class, or classes_per_batch/samples_per_class for P x K batches."
            )
        self._given_replicas = (num_replicas, rank)
        num_replicas, rank = _follow_injected(sampler, num_replicas, rank)
        self._init_epochs(seed, num_replicas, rank, drop_last)
        self._injected = sampler
        self._followed_epoch = None if sampler is None else sampler.epoch
        # One form or the other: quotas (class_counts), or P x K.
        self.classes_per_batch: int | None
        self.samples_per_class: int | None
        self.class_counts: np.ndarray | None
        # Lightning passes back the encoded labels when it rebuilds this.
        is_encoded = isinstance(labels, EncodedLabels)
        self.labels = labels if is_encoded else _encode(_labels_to_encode(labels))
        self._chunk_len = max(1, _CHUNK_INDICES // self.batch_size)
        per_batch: int | np.ndarray  # rows per batch of the classes counted
        if pk_form:
            self.classes_per_batch, self.samples_per_class = self._check_pk(
                classes_per_batch, samples_per_class
            )
            self.class_counts = None
            rows, per_batch = self.labels.counts.sum(keepdims=True), self.batch_size
        else:
            self.classes_per_batch = self.samples_per_class = None
            self.class_counts = self._check_quotas(class_counts)
            used = self.class_counts > 0
            rows, per_batch = self.labels.counts[used], self.class_counts[used]
        # Integer division: rows / per_batch rounded down or up, exactly.
        whole = rows // per_batch if self.drop_last else -(-rows // per_batch)
        self._n_rounded = int(whole.max())
        self._item_name = f"full batches of {self.batch_size}"
        len(self)  # too few batches for the ranks: say so now

    @property
    def sampler(self) -> DistributedSampler | _EpochLink:
        """The ``DistributedSampler`` Lightning injected, else a link whose
        ``set_epoch`` sets this sampler's epoch: Lightning sets the epoch of
        ``loader.batch_sampler.sampler``, never of the batch sampler itself."""
        return _EpochLink(self) if self._injected is None else self._injected

    def _epoch_size(self) -> int:
        return self._n_rounded

    def _label_rows(self) -> int:
        return self.labels.n_samples

    def _before_epoch(self) -> None:
        # Follow the set_epoch Lightning calls on its injected sampler.
        injected = self._injected
        if injected is not None and injected.epoch != self._followed_epoch:
            self._followed_epoch = injected.epoch
            self.set_epoch(injected.epoch)

    def _check_quotas(self, class_counts: Any) -> np.ndarray:
        classes = self.labels.classes
        n_classes = self.labels.n_classes
        if class_counts is None:
            if self.batch_size % n_classes:
                multiple = n_classes * -(-self.batch_size // n_classes)
                raise ValueError(
                    f"batch_size={self.batch_size} is not divisible by the "
                    f"{n_classes} classes: with class_counts=None every class gets "
                    f"batch_size / {n_classes} rows. Pass a multiple of {n_classes} "
                    f"(e.g. batch_size={multiple}) or give class_counts."
                )
            return np.full(n_classes, self.batch_size // n_classes, dtype=np.int64)
        # A Series labelled by class is read by label (as priors are).
        class_counts = series_by_label(class_counts, classes, "class_counts")
        if is_dataframe(class_counts):
            raise TypeError(
                "class_counts must be a dict {class: rows per batch}, a Series "
                "indexed by class or one count per class in class order "
                f"{classes.tolist()}; got a DataFrame. Pass frame.iloc[0] or a dict."
            )
        if isinstance(class_counts, Mapping):
            position = {c: i for i, c in enumerate(classes.tolist())}
            quotas = np.zeros(n_classes, dtype=np.int64)
            for cls, count in class_counts.items():
                key = cls.item() if isinstance(cls, (np.generic, torch.Tensor)) else cls
                count = self._check_count(count, cls)
                if key not in position:
                    if count == 0:  # no rows of a class without rows: fine
                        continue
                    hint = named_class_hint(key, classes)
                    raise ValueError(
                        f"class_counts asks for {count} rows of class {cls!r} per "
                        f"batch, but labels has no row of that class (classes: "
                        f"{classes.tolist()})."
                        + (hint or " Remove it from class_counts.")
                    )
                quotas[position[key]] = count
        else:
            if (
                isinstance(class_counts, (str, bytes))
                or not isinstance(class_counts, Iterable)
                or getattr(class_counts, "ndim", None) == 0  # 0-d array or tensor
            ):
                raise TypeError(
                    f"class_counts must be a dict {{class: rows per batch}} or one "
                    f"count per class in class order {classes.tolist()}; got "
                    f"{class_counts!r}."
                )
            # Tensors and arrays as Python ints (their 0-d items are not).
            counts = (
                class_counts.tolist()
                if isinstance(class_counts, (torch.Tensor, np.ndarray))
                and class_counts.ndim == 1
                else list(class_counts)
            )
            if len(counts) != n_classes:
                raise ValueError(
                    f"class_counts has {len(counts)} entries but labels has "
                    f"{n_classes} classes {classes.tolist()}: give one count per "
                    "class in this order, or a dict {class: count}."
                )
            quotas = np.array(
                [self._check_count(n, c) for n, c in zip(counts, classes.tolist())],
                dtype=np.int64,
            )
        if quotas.sum() != self.batch_size:
            raise ValueError(
                f"class_counts sums to {int(quotas.sum())} rows but batch_size="
                f"{self.batch_size}: the counts must add up to batch_size."
            )
        return quotas

    @staticmethod
    def _check_count(count: Any, cls: Any) -> int:
        return _check_int(
            count,
            f"class_counts[{cls!r}]",
            minimum=0,
            fix="Give a non-negative number of rows per batch.",
        )

    def _check_pk(self, p: int | None, k: int | None) -> tuple[int, int]:
        b = self.batch_size
        # As Python ints: numpy's (np.uint8(3)) would wrap in the arithmetic.
        p, k = (
            None
            if value is None
            else _check_int(value, name, minimum=1, fix="Pass a positive int.")
            for value, name in ((p, "classes_per_batch"), (k, "samples_per_class"))
        )
        derived_from = None  # the factor P x K was given, if only one
        if p is None or k is None:
            given, name = (
                (p, "classes_per_batch") if k is None else (k, "samples_per_class")
            )
            if given is None:  # not reached: __init__ passes one of the two
                raise TypeError("pass classes_per_batch or samples_per_class.")
            if b % given:
                raise ValueError(
                    f"batch_size={b} is not divisible by {name}={given}: the other "
                    f"factor of P x K is batch_size / {name}. Pass a batch_size "
                    f"that is a multiple of {given}."
                )
            p, k = (given, b // given) if k is None else (b // given, given)
            derived_from = name
        if p * k != b:
            raise ValueError(
                f"classes_per_batch * samples_per_class = {p} * {k} = {p * k} but "
                f"batch_size={b}: they must multiply to batch_size."
            )
        if p > self.labels.n_classes:
            n = self.labels.n_classes
            raise ValueError(
                f"classes_per_batch={p} but labels has only {n} classes: pass at "
                f"most {n}."
                if derived_from != "samples_per_class"
                else f"batch_size={b} / samples_per_class={k} = {p} classes per "
                f"batch but labels has only {n} classes: pass samples_per_class "
                f">= {-(-b // n)} (dividing batch_size) or a smaller batch_size."
            )
        return p, k

    def _epoch_items(self, epoch: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, epoch])
        num_replicas, rank = self.num_replicas, self.rank
        n_batches = len(self) * num_replicas
        if self.class_counts is None:
            batches = self._pk_batches(rng, n_batches)
        else:
            batches = self._quota_batches(rng, n_batches, self.class_counts)
        shuffle_runs(batches, self.batch_size, rng)  # each batch in random order
        return batches[rank::num_replicas]

    def _quota_batches(
        self, rng: np.random.Generator, n_batches: int, class_counts: np.ndarray
    ) -> np.ndarray:
        rows = self.labels.class_rows()
        batches = np.empty((n_batches, self.batch_size), dtype=self.labels.dtype)
        column = 0
        for c, quota in enumerate(class_counts.tolist()):
            if quota:
                walk = _class_walk(rows[c], n_batches * quota, rng, quota)
                batches[:, column : column + quota] = walk.reshape(n_batches, quota)
                column += quota
        return batches

    def _pk_batches(self, rng: np.random.Generator, n_batches: int) -> np.ndarray:
        p, k = self.classes_per_batch, self.samples_per_class
        assert p is not None and k is not None  # the P x K form: both set
        n_classes, rows = self.labels.n_classes, self.labels.class_rows()
        # Each round is a random order of all classes cut into groups of P (the
        # last n_classes % P classes of a round sit it out): distinct classes
        # per batch, every class equally often on average.
        groups_per_round = n_classes // p
        rounds = -(-n_batches // groups_per_round)
        order = np.tile(np.arange(n_classes, dtype=np.int32), (rounds, 1))
        shuffle_runs(order, n_classes, rng)
        groups = order[:, : groups_per_round * p].reshape(-1, p)[:n_batches].ravel()
        slots = np.argsort(groups, kind="stable")
        appearances = np.bincount(groups, minlength=n_classes)
        batches = np.empty((n_batches * p, k), dtype=self.labels.dtype)
        start = 0
        for c, m in enumerate(appearances.tolist()):
            if m:
                walk = _class_walk(rows[c], m * k, rng, k)
                batches[slots[start : start + m]] = walk.reshape(m, k)
                start += m
        return batches.reshape(n_batches, p * k)


# Why a batch sampler is rebuilt around a SequentialSampler (the only tool that
# does so), and the way out.
_PREDICT_REBUILD = (
    " PyTorch Lightning's trainer.predict rebuilds a DataLoader's batch_sampler "
    "around the loader's SequentialSampler: predict with a DataLoader that does "
    "not rebalance, e.g. DataLoader(dataset, batch_size=...)."
)


def _follow_injected(
    sampler: Any, num_replicas: int | None, rank: int | None
) -> tuple[int | None, int | None]:
    """``num_replicas`` and ``rank`` of the ``DistributedSampler`` Lightning
    passes to a rebuilt :class:`BalancedBatchSampler`."""
    if sampler is None:
        return num_replicas, rank
    if not isinstance(sampler, DistributedSampler) or isinstance(
        sampler, _EpochSampler
    ):
        predict = _PREDICT_REBUILD if isinstance(sampler, SequentialSampler) else ""
        raise TypeError(
            f"sampler must be None; got {sampler!r}. It only receives the "
            "DistributedSampler PyTorch Lightning passes when it rebuilds the "
            f"batch sampler; the batches always come from labels.{predict}"
        )
    for name, given, injected in (
        ("num_replicas", num_replicas, sampler.num_replicas),
        ("rank", rank, sampler.rank),
    ):
        if given is not None and given != injected:
            raise ValueError(
                f"{name}={given} but the DistributedSampler passed as sampler (by "
                f"PyTorch Lightning) has {name}={injected}. Leave num_replicas and "
                "rank as None under Lightning, or pass "
                "Trainer(use_distributed_sampler=False) to keep your own."
            )
    return sampler.num_replicas, sampler.rank


def _lightning_saved_kwargs(sampler: BalancedBatchSampler) -> dict[str, Any]:
    """The arguments PyTorch Lightning rebuilds a batch sampler with."""
    num_replicas, rank = sampler._given_replicas
    return {
        "labels": sampler.labels,
        "batch_size": sampler.batch_size,
        "class_counts": sampler.class_counts,
        "classes_per_batch": sampler.classes_per_batch,
        "samples_per_class": sampler.samples_per_class,
        "seed": sampler.seed,
        "num_replicas": num_replicas,
        "rank": rank,
        "drop_last": sampler.drop_last,
    }


# The epoch bookkeeping of a state loaded by load_state_dict (see _restore).
_RESTORED_FIELDS = (
    "_next_epoch",
    "_resume_position",
    "_restored",
    "_ended_epoch",
    "_asked_epoch",
    # The split its position counts items of: Lightning rebuilds the sampler
    # with the process group's, which a state loaded before it lacks.
    "_position_replicas",
)


def _keep_restored_state(
    rebuilt: BalancedBatchSampler, original: BalancedBatchSampler
) -> None:
    """Lightning's last step of a rebuild: a state loaded into the original
    and not yet iterated (a resumed job) goes on in the rebuilt sampler, which
    then yields the rest of the saved epoch, not all of it again."""
    if getattr(original, "_restored", False):
        for field in _RESTORED_FIELDS:
            setattr(rebuilt, field, getattr(original, field, None))


# Lightning re-instantiates a DataLoader's custom batch sampler from these
# attributes (lightning.fabric.utilities.data: _wrap_init_method, and
# _dataloader_init_kwargs_resolve_sampler), putting its DistributedSampler in
# the "sampler" argument. Without them it calls cls(sampler, batch_size=...,
# drop_last=...), which cannot rebuild this class. It then calls each
# ``fn(rebuilt, *args)`` of "__pl_attrs_record" (_reinstantiate_wrapped_cls).
for _name, _value in (
    ("__pl_saved_args", property(lambda self: ())),
    ("__pl_saved_kwargs", property(_lightning_saved_kwargs)),
    ("__pl_saved_default_kwargs", property(lambda self: {"sampler": None})),
    ("__pl_saved_arg_names", property(lambda self: ())),
    (
        "__pl_attrs_record",
        property(lambda self: [((self,), _keep_restored_state)]),
    ),
):
    setattr(BalancedBatchSampler, _name, _value)


def _class_walk(
    rows: np.ndarray, length: int, rng: np.random.Generator, group: int = 1
) -> np.ndarray:
    """``length`` rows: random orders of ``rows`` one after another, cut
    into groups of ``group`` (a batch's rows of the class). A group that
    spans the end of one order and the start of the next holds no row
    twice where the class has ``group`` rows or more (as
    pytorch-metric-learning's ``MPerClassSampler`` draws K distinct rows):
    rows of the next order that the group already holds are swapped with
    later ones of that order, which stays an order of all the rows."""
    n = rows.shape[0]
    n_walks = -(-length // n)
    if n > SMALL_SHUFFLE:
        walks = [shuffled(rows, rng) for _ in range(n_walks)]
        walk = np.concatenate(walks) if n_walks > 1 else walks[0]
    else:
        walk = np.tile(rows, n_walks)
        shuffle_runs(walk, n, rng)
    if 1 < group <= n and n_walks > 1 and n % group:
        _distinct_across_walks(walk, n, group, length)
    return walk[:length]


def _distinct_across_walks(walk: np.ndarray, n: int, group: int, length: int) -> None:
    """In place: each group of ``group`` positions of ``walk`` (orders of
    ``n`` rows one after another, ``group <= n``) that spans two orders, and
    lies within the first ``length`` positions, gets distinct rows (see
    :func:`_class_walk`)."""
    n_groups = length // group
    starts = np.arange(1, -(-walk.shape[0] // n)) * n  # each order's start
    starts = starts[(starts % group != 0) & (starts < n_groups * group)]
    for start in starts.tolist():
        first = start - start % group  # the group spanning ``start``
        end = first + group
        held = set(walk[first:start].tolist())
        later = start + n  # the next order ends here
        swap_from = end
        for position in range(start, end):
            if walk[position] not in held:
                held.add(walk[position])
                continue
            # A later row of this order not in the group (there are enough:
            # the order holds n >= group distinct rows).
            while walk[swap_from] in held:
                swap_from += 1
            assert swap_from < later
            walk[position], walk[swap_from] = walk[swap_from], walk[position]
            held.add(walk[position])
            swap_from += 1


# Read-only num_replicas, rank and epoch: see RebalanceSampler.
class HardExampleSampler(_EpochSampler, DistributedSampler[int]):  # type: ignore[override]
    """Replay the highest-loss rows (OHEM's hard example pool) in later epochs.

    Wraps a :class:`RebalanceSampler`. The training loop reports per-row
    losses through :meth:`update`; the sampler keeps the ``pool_size``
    distinct row ids with the highest most recent loss. Each epoch, a
    ``replay_ratio`` fraction of the wrapped sampler's positions (exactly
    ``round(replay_ratio * m)`` of every chunk of ``m`` of the whole epoch,
    before its split between ranks, at random positions) is replaced by ids
    drawn uniformly, with replacement, from the pool as it was when the epoch
    started. The epoch length is unchanged; the first epoch (empty pool) is
    the wrapped sampler's. In DDP each rank keeps the pool of the losses it
    reports and replays from it at its own positions of the epoch; gather the
    losses across ranks first to share one pool: the ranks' epochs are then
    the rank slices of the single-process epoch with that pool.

    Parameters
    ----------
    sampler : RebalanceSampler
        Gives the epoch's indices, seed and rank split.
    pool_size : int, default=1024
        Most row ids kept in the pool.
    replay_ratio : float in [0, 1], default=0.25
        Fraction of each epoch taken from the pool.

    Examples
    --------
    Report each batch's per-row losses with the batch's dataset indices:

    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from rebalance.torch import HardExampleSampler, RebalanceSampler
    >>> labels = torch.tensor([0] * 24 + [1] * 8)
    >>> X = torch.randn(32, 3, generator=torch.Generator().manual_seed(0))
    >>> dataset = TensorDataset(torch.arange(32), X, labels)
    >>> sampler = HardExampleSampler(RebalanceSampler(labels), pool_size=4)
    >>> model = torch.nn.Linear(3, 2)
    >>> for epoch in range(2):
    ...     sampler.set_epoch(epoch)
    ...     for ids, xb, yb in DataLoader(dataset, batch_size=8, sampler=sampler):
    ...         losses = torch.nn.functional.cross_entropy(
    ...             model(xb), yb, reduction="none")
    ...         sampler.update(ids, losses.detach())
    ...         # losses.mean().backward(); optimizer.step() ...
    >>> len(sampler.pool_ids)
    4
    """

    def __init__(
        self,
        sampler: RebalanceSampler,
        *,
        pool_size: int = 1024,
        replay_ratio: float = 0.25,
    ):
        if not isinstance(sampler, RebalanceSampler):
            raise TypeError(
                f"sampler must be a RebalanceSampler; got {sampler!r}. Wrap the "
                "labels first: HardExampleSampler(RebalanceSampler(labels))."
            )
        self.pool_size = _check_int(
            pool_size, "pool_size", minimum=1, fix="Pass the most ids to keep."
        )
        if (
            isinstance(replay_ratio, bool)
            or not isinstance(replay_ratio, numbers.Real)
            or not 0 <= replay_ratio <= 1
        ):
            raise ValueError(
                f"replay_ratio must be a number in [0, 1]; got {replay_ratio!r}. "
                "It is the fraction of each epoch drawn from the pool, e.g. 0.25."
            )
        self.sampler: RebalanceSampler = sampler
        self.replay_ratio: float = float(replay_ratio)
        self._init_epochs(
            sampler.seed, *sampler._replica_args, drop_last=sampler.drop_last
        )
        self._n_rows: int = sampler.plan.labels.n_samples
        self.pool_ids: np.ndarray = np.empty(0, dtype=np.int64)
        self.pool_losses: np.ndarray = np.empty(0, dtype=np.float64)
        self._epoch_pool: np.ndarray = self.pool_ids
        self._resumed_pool: tuple[int, np.ndarray] | None = None
        # The pool tensors state_dict() hands out, kept equal to the pool.
        self._live_pool: tuple[torch.Tensor, torch.Tensor] | None = None
        # Whether update() or load_state_dict() ever gave it a pool (see
        # _warn_if_pool_lost); set here so that every copy carries it.
        self._pool_fed: bool = False

    def _epoch_size(self) -> int:
        return self.sampler._epoch_size()

    def _label_rows(self) -> int:
        return self._n_rows

    def update(self, indices: Any, losses: Any) -> None:
        """Report the loss of rows ``indices``; keep the ``pool_size`` hardest.

        Parameters
        ----------
        indices : array-like or Tensor of shape (batch,)
            Dataset row ids of the batch (e.g. an index column of the dataset):
            positions in the labels the sampler was built with, the ids it
            yields. For a ``Subset``, positions in the subset, not the ids of
            its parent's rows (an index column of the parent gives those: map
            them back, or add an index column to the subset's rows).
        losses : array-like or Tensor of shape (batch,)
            Their per-row losses (``reduction='none'``; any float dtype,
            bfloat16 included). A row reported again keeps its latest loss.
        """
        ids = self._check_ids(indices, "indices")
        values = _check_losses(losses, "losses", ids.shape[0])
        self._pool_fed = True
        all_ids = np.concatenate([self.pool_ids, ids])
        all_losses = np.concatenate([self.pool_losses, values])
        # Keep the latest report of every id: unique over the reversed arrays.
        _, last = np.unique(all_ids[::-1], return_index=True)
        keep = all_ids.shape[0] - 1 - last
        if keep.shape[0] > self.pool_size:
            hardest = np.argpartition(-all_losses[keep], self.pool_size - 1)
            keep = keep[hardest[: self.pool_size]]
        self._set_pool(all_ids[keep], all_losses[keep])

    def _set_pool(self, ids: np.ndarray, losses: np.ndarray) -> None:
        """Make ``ids``/``losses`` the pool, and write them into the tensors
        earlier :meth:`state_dict` calls returned."""
        self.pool_ids, self.pool_losses = ids, losses
        live = getattr(self, "_live_pool", None)
        if live is None:
            return
        # Each tensor takes a new storage holding the pool (set_, not
        # resize_): the same tensor objects, so earlier state dicts follow
        # the pool, whatever holds their old storage (a numpy view or copy
        # makes it not resizable; shared memory, after a torch.multiprocessing
        # queue, crashed torch on resize_).
        with torch.inference_mode(False), torch.no_grad():
            for tensor, values in zip(live, (ids, losses)):
                tensor.set_(torch.from_numpy(values.copy()))

    def _check_ids(self, values: Any, name: str) -> np.ndarray:
        """``values`` as int64 dataset row ids, or a clear error."""
        ids = _as_numpy(values, name, copy=True)
        if ids.ndim != 1:
            raise ValueError(
                f"{name} must be 1-D (one dataset row id per row); got shape "
                f"{ids.shape}."
            )
        if ids.size == 0:
            return ids.astype(np.int64)  # [] reads as float64: nothing to check
        if ids.dtype.kind not in "iu":
            raise TypeError(
                f"{name} has dtype {ids.dtype}: pass integer dataset row ids."
            )
        if ids.size and (ids.min() < 0 or ids.max() >= self._n_rows):
            raise ValueError(
                f"{name} must be dataset row ids in [0, {self._n_rows - 1}]; got "
                f"values from {ids.min()} to {ids.max()}."
            )
        return ids.astype(np.int64)

    def _epoch_items(self, epoch: int) -> np.ndarray:
        resumed, self._resumed_pool = self._resumed_pool, None
        if resumed is not None and resumed[0] == epoch:
            # A resumed epoch replays from the pool it started with.
            self._epoch_pool = resumed[1]
        else:
            self._epoch_pool = self.pool_ids.copy()
        self._warn_if_pool_lost(epoch)
        return self.sampler._epoch_items(epoch)

    def _warn_if_pool_lost(self, epoch: int) -> None:
        """Warn (once) when a later epoch is drawn from an empty pool that no
        :meth:`update` or :meth:`load_state_dict` ever fed: a run resumed
        from a checkpoint without the sampler's state (a plain DataLoader
        under Lightning) would replay no hard rows, silently. Not for epoch
        1: the first epoch of a loop that counts from 1 (PyTorch's examples)
        looks the same."""
        if (
            epoch <= 1
            or self.replay_ratio == 0
            or self._epoch_pool.shape[0]
            or self._pool_fed  # (set by __init__, or __setstate__ for old copies)
            or getattr(self, "_warned_pool_lost", False)
        ):
            return
        self._warned_pool_lost = True
        _warn_at_caller(
            f"HardExampleSampler draws epoch {epoch} from an empty pool: no "
            "update() has reported losses to it and no load_state_dict() has "
            "restored a pool, so the epoch replays no hard rows. When resuming "
            "a run, save sampler.state_dict() with the checkpoint and "
            "load_state_dict() it (under Lightning, a torchdata "
            "StatefulDataLoader or TensorBatchLoader does both); otherwise "
            "report each batch's losses with update()."
        )

    def _epoch_state(self) -> np.ndarray:
        return self._epoch_pool  # set by _epoch_items for this epoch

    def _prepare_chunk(
        self, chunk: np.ndarray, epoch: int, k: int, pool: np.ndarray
    ) -> np.ndarray:
        if pool.shape[0] == 0 or self.replay_ratio == 0:
            return chunk
        num_replicas, rank = self.num_replicas, self.rank
        # The replay is drawn on the whole epoch, before its split between
        # ranks, as the indices are: ranks sharing one pool get the rank
        # slices of the single-process epoch (not each the same replays at
        # the same places of its own slice: every replayed row once per rank).
        n_items, size = self._epoch_size(), self._chunk_len
        low = k * size
        local = np.arange(low, low + chunk.shape[0], dtype=np.int64)
        # The epoch's positions of this rank's items (padding wraps around).
        positions = (rank + num_replicas * local) % n_items
        epoch_chunks = positions // size
        starts = np.flatnonzero(np.diff(epoch_chunks, prepend=-1))
        stops = np.append(starts[1:], positions.shape[0])
        replayed = chunk.copy()
        drawn: dict[int, np.ndarray] = {}
        for start, stop in zip(starts.tolist(), stops.tolist()):
            g = int(epoch_chunks[start])
            if g not in drawn:
                m = min(size, n_items - g * size)
                drawn[g] = self._replay_slots(epoch, g, m, pool.shape[0])
            slots = drawn[g][positions[start:stop] - g * size]
            hit = np.flatnonzero(slots >= 0)
            replayed[start + hit] = pool[slots[hit]]
        return replayed

    def _replay_slots(self, epoch: int, g: int, m: int, n_pool: int) -> np.ndarray:
        """Chunk ``g`` (of ``m`` items) of the whole epoch's replay: for each
        position, the pool entry it is replaced by, or -1."""
        slots = np.full(m, -1, dtype=np.int64)
        n_replay = round(self.replay_ratio * m)
        if n_replay:
            # One stream per chunk, so a resumed epoch replays at the same places.
            rng = np.random.default_rng([self.seed, epoch, _REPLAY_STREAM, g])
            positions = rng.choice(m, size=n_replay, replace=False)
            slots[positions] = rng.integers(0, n_pool, n_replay)
        return slots

    def _pool_of_next_epoch(self) -> np.ndarray:
        """The pool the next iteration replays from (a running epoch's own)."""
        if self._progress is not None and self._where()[1] > 0:
            return self._epoch_pool
        if self._resumed_pool is not None and self._resumed_pool[0] == self._where()[0]:
            return self._resumed_pool[1]
        return self.pool_ids

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A copy made before _pool_fed existed (rebalance before this
        # attribute) may have been restored with an empty pool on purpose:
        # no warning that its pool was lost.
        state.setdefault("_pool_fed", True)
        self.__dict__.update(state)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["_live_pool"] = None  # a copy hands out its own
        if self._ran_out() is not None:
            # The copy starts the next epoch, which replays from the pool as
            # it is now (as after load_state_dict(state_dict())).
            state["_resumed_pool"] = None
            return state
        pool = self._pool_of_next_epoch()
        if pool is not self.pool_ids:  # a running or restored epoch's own pool
            state["_resumed_pool"] = (state["_next_epoch"], pool)
        return state

    def state_dict(self) -> dict[str, Any]:
        """Epoch, seed, position in the epoch and the hard example pool.

        The fields of :meth:`RebalanceSampler.state_dict`, plus the pool
        (``pool_ids``, ``pool_losses``), the pool the running epoch replays
        from (``epoch_pool_ids``), so that a resumed epoch replays the same
        rows, and the ``rank`` that saved it.

        Each rank keeps the pool of the losses it reports, so unlike a
        ``DistributedSampler``'s, the state of one rank is not another's:
        save every rank's state and restore each on its own rank.
        :meth:`load_state_dict` refuses a pool saved on another rank.

        ``pool_ids`` and ``pool_losses`` are live, like the tensors of a
        module's ``state_dict()``: every later :meth:`update` rewrites them
        in place (and so does ``epoch_pool_ids`` after a finished epoch: the
        next epoch's pool), so that a checkpoint holds the pool as it is when
        it is written out, not when the state was taken. torchdata's
        ``StatefulDataLoader`` with workers takes the sampler's state when it
        sends a batch's indices to a worker, batches ahead of the training
        loop's :meth:`update` calls; position and pool then still match the
        batches the loop has trained on. Copy the state (``copy.deepcopy``,
        ``torch.save``) to keep the pool of this moment.

        Returns
        -------
        dict
            Plain ints, a bool and int64/float64 tensors, so ``torch.save`` /
            ``torch.load(weights_only=True)`` round-trip it.
        """
        state = super().state_dict()
        # Plain CPU tensors whatever torch's global state: on the host under
        # torch.set_default_device('cuda'/'meta') or ``with torch.device``
        # (a 'meta' pool holds no values), and not inference tensors when
        # taken under torch.inference_mode (a later update() could not write
        # into them).
        with torch.inference_mode(False):
            live = getattr(self, "_live_pool", None)
            if live is None:
                live = (
                    torch.empty(0, dtype=torch.int64, device="cpu"),
                    torch.empty(0, dtype=torch.float64, device="cpu"),
                )
                self._live_pool = live
                self._set_pool(self.pool_ids, self.pool_losses)
            state["pool_ids"], state["pool_losses"] = live
            state["rank"] = self.rank
            if state["previous_finished"]:
                # The next epoch has not started: it replays from the pool as
                # it will be then, the live one.
                state["epoch_pool_ids"] = live[0]
            else:
                epoch_pool = self._pool_of_next_epoch()
                if self._progress is None and state["epoch"] == getattr(
                    self, "_ended_epoch", None
                ):
                    # Ran out inside a DataLoader's read-ahead, saved as that
                    # epoch's end (see _saved_where): it replays its own pool.
                    epoch_pool = self._epoch_pool
                state["epoch_pool_ids"] = torch.from_numpy(epoch_pool.copy())
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Continue from a :meth:`state_dict`: the next iteration yields the rest.

        The sampler must be built with the same labels, parameters,
        ``pool_size`` and ``num_replicas`` as the one that saved the state,
        and be on the same rank when the state holds a pool (each rank's pool
        is its own). A state without ``rank`` (saved by an older version, or
        with the entry removed because the ranks share one pool) loads on any
        rank. Every field is checked before anything changes.

        Parameters
        ----------
        state_dict : dict
            A dict returned by :meth:`state_dict` (possibly through
            ``torch.save`` / ``torch.load``).
        """
        keys = ("pool_ids", "pool_losses", "epoch_pool_ids")
        restored = self._check_state(state_dict, keys)
        pool_ids, epoch_pool = (
            self._check_pool(state_dict[key], f"state_dict[{key!r}]")
            for key in ("pool_ids", "epoch_pool_ids")
        )
        if np.unique(pool_ids).shape[0] != pool_ids.shape[0]:
            raise ValueError(
                "state_dict['pool_ids'] holds an id twice: pass a dict returned "
                "by HardExampleSampler.state_dict()."
            )
        pool_losses = _check_losses(
            state_dict["pool_losses"], "state_dict['pool_losses']", pool_ids.shape[0]
        )
        if "rank" in state_dict and (pool_ids.shape[0] or epoch_pool.shape[0]):
            self._check_saved_rank(state_dict["rank"])
        self._restore(*restored)
        # The epochs are the wrapped sampler's draws: with the saved seed too.
        self.sampler.seed = self.seed
        self._set_pool(pool_ids, pool_losses)
        self._pool_fed = True
        # The pool the restored epoch replays from; an epoch that had run out
        # is followed by one that replays from the pool as it is now.
        finished = restored[3]
        self._resumed_pool = None if finished else (self._next_epoch, epoch_pool)

    def _check_saved_rank(self, saved: Any) -> None:
        """A clear error for a pool saved on another rank than this one: each
        rank's pool holds the losses that rank reported, and another rank's
        would silently replace this rank's hard examples."""
        fix = "Pass a dict returned by HardExampleSampler.state_dict()."
        saved = _check_int(saved, "state_dict['rank']", minimum=0, fix=fix)
        rank = self.rank
        if saved != rank:
            raise ValueError(
                f"state_dict was saved on rank {saved} but this sampler is rank "
                f"{rank}: each rank's HardExampleSampler keeps the pool of the "
                f"losses it reports, so rank {saved}'s pool is not this rank's. "
                "Save the state of every rank and restore each on its own rank "
                "(e.g. torch.save(loader.state_dict(), f'loader_{rank}.pt')). "
                "If the ranks share one pool (losses gathered across ranks before "
                "update()), any rank's state fits: remove its 'rank' entry to "
                "load it on another rank."
            )

    def _check_pool(self, values: Any, name: str) -> np.ndarray:
        ids = self._check_ids(values, name)
        if ids.shape[0] > self.pool_size:
            raise ValueError(
                f"{name} holds {ids.shape[0]} ids, more than pool_size="
                f"{self.pool_size}: build the sampler with the saved one's "
                "pool_size."
            )
        return ids


def _as_numpy(values: Any, name: str, copy: bool = False) -> np.ndarray:
    """``values`` as a numpy array; with ``copy``, a tensor's values are
    copied first (a numpy view would make the caller's tensor's storage not
    resizable: ids and losses given to update(), or a saved pool loaded). A
    list holding tensors is read detached: one number an item (0-d tensors
    of ``list(losses)``, Python numbers) as numpy reads a list of numbers,
    tensors of one shape as their stack."""
    if isinstance(values, (list, tuple)) and any(
        isinstance(v, torch.Tensor) for v in values
    ):
        if all(
            v.dim() == 0 if isinstance(v, torch.Tensor) else np.ndim(v) == 0
            for v in values
        ):
            # One number each: as Python numbers, which numpy reads as it
            # reads a plain list (0 and 3.5 are floats, not ids 0 and 3).
            try:
                numbers = [
                    v.detach().item() if isinstance(v, torch.Tensor) else v
                    for v in values
                ]
            except RuntimeError as exc:  # a meta tensor has no value
                raise ValueError(
                    f"{name} holds a tensor without values ({exc}): pass tensors "
                    "on the CPU or an accelerator."
                ) from None
            return np.asarray(numbers)
        if not all(isinstance(v, torch.Tensor) for v in values):
            raise ValueError(
                f"{name} is a list of tensors and other values: pass one tensor, "
                f"e.g. torch.cat({name}), or one number an item."
            )
        try:
            values = torch.stack([v.detach() for v in values])
        except RuntimeError as exc:
            raise ValueError(
                f"{name} is a list of tensors of different shapes or devices "
                f"({exc}): pass one tensor, e.g. torch.cat({name})."
            ) from None
    if isinstance(values, torch.Tensor):
        _check_label_tensor(values, name, "value")
        values = values.detach()
        if values.is_floating_point() and values.dtype not in _NUMPY_FLOATS:
            values = values.float()  # bfloat16, float8: no numpy dtype
        values = values.cpu()
        return (values.clone() if copy else values).numpy()
    if isinstance(values, np.ma.MaskedArray) and np.ma.getmaskarray(values).any():
        # np.asarray would read each masked entry as the value under its mask.
        raise ValueError(
            f"{name} is a masked array with masked entries: a masked id or loss "
            f"has no value. Pass the unmasked entries only (e.g. the ids and "
            f"losses where ~{name}.mask), or {name}.filled(...) with a value."
        )
    return np.asarray(values)


_NUMPY_FLOATS = (torch.float16, torch.float32, torch.float64)


def _check_batch_size(batch_size: Any) -> int:
    """``batch_size`` of a ``BalancedBatchSampler``: an integer in
    [1, 2**31 - 1] (a batch is allocated whole; a larger one could never be,
    and past 2**63 would overflow the int64 epoch arithmetic)."""
    return _check_int(
        batch_size,
        "batch_size",
        minimum=1,
        maximum=_MAX_BATCH_SIZE,
        fix="Pass the rows per batch.",
    )


def _check_losses(losses: Any, name: str, n_rows: int) -> np.ndarray:
    """``losses`` as finite float64 values, one per row id, or a clear error."""
    values = _as_numpy(losses, name, copy=True)
    if values.shape != (n_rows,):
        raise ValueError(
            f"{name} has shape {values.shape} for {n_rows} row ids: pass one loss "
            "per row, 1-D (compute the loss with reduction='none', and reduce "
            "any further dims per row, e.g. losses.mean(1) for multi-label "
            "(N, C) losses)."
        )
    if values.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} has dtype {values.dtype}: pass one real loss per row, e.g. "
            "the per-row output of a loss with reduction='none'."
        )
    finite = np.isfinite(values)
    if not finite.all():
        raise ValueError(
            f"{name} must be finite numbers; {int((~finite).sum())} are NaN or inf "
            f"(the first at position {int(np.argmin(finite))}): drop them before "
            "update()."
        )
    return values.astype(np.float64)


class RebalancedLoader:
    """Builds a ``DataLoader`` whose sampler reads the labels of the dataset given.

    For training loops that build the ``DataLoader`` themselves from a data
    set of their choosing, such as skorch (``iterator_train=``): its internal
    validation split and ``cross_val_score`` hand the loader a ``Subset`` of
    the data, so a sampler built beforehand from the full labels would yield
    row ids past the subset's end. Each call reads the labels of the data set
    it gets and builds ``sampler_class(labels, **sampler_params)``; the first
    epoch of a call continues after the last epoch of the previous call
    (``partial_fit``), and a deep copy (``sklearn.base.clone``) restarts
    from epoch 0 only if made before the first call.

    Parameters
    ----------
    sampler_class : {RebalanceSampler, BalancedBatchSampler}, default=RebalanceSampler
        The sampler to build. A ``BalancedBatchSampler`` becomes the
        loader's ``batch_sampler``; its ``batch_size`` defaults to the one
        the loader is called with (skorch: the net's ``batch_size``).
    labels_from : callable, default=None
        ``dataset -> labels`` for data sets whose labels are not found
        automatically. By default: ``dataset.y`` (skorch's ``Dataset``),
        ``dataset.targets`` (torchvision), ``dataset.labels`` (torchvision's
        SVHN and STL10), the second tensor of a two-tensor
        ``TensorDataset``, and through ``Subset`` (labels of its rows) and
        ``ConcatDataset`` (its parts' labels, one after another). Whole-number
        float labels (skorch's binary classifier) become ints. A Hugging Face
        ``datasets.Dataset``: its ``"label"`` (or ``"labels"``) column.
    **sampler_params
        Passed to ``sampler_class`` after the labels, e.g.
        ``sampler=RandomUnderSampler(), seed=0``.

    Attributes
    ----------
    sampler_ : RebalanceSampler or BalancedBatchSampler
        The sampler of the latest loader built.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import Subset, TensorDataset
    >>> from rebalance import RandomUnderSampler
    >>> from rebalance.torch import RebalancedLoader
    >>> labels = torch.tensor([0] * 12 + [1] * 4)
    >>> dataset = TensorDataset(torch.arange(16), labels)
    >>> make_loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    >>> part = Subset(dataset, range(2, 16))  # e.g. a training split
    >>> loader = make_loader(part, batch_size=4)
    >>> ids = torch.cat([ids for ids, _ in loader])
    >>> len(ids), labels[ids].bincount().tolist()
    (8, [4, 4])
    """

    def __init__(
        self,
        sampler_class: type = RebalanceSampler,
        *,
        labels_from: Any = None,
        **sampler_params: Any,
    ):
        self.sampler_class = sampler_class
        self.labels_from = labels_from
        self.sampler_params = sampler_params
        self._check_arguments()

    def _check_arguments(self) -> None:
        """Check what needs no data set: when built, and at every call (for
        attributes set in between)."""
        if not isinstance(self.sampler_class, type):
            # skorch's idiom of a loader class plus iterator_train__* params
            # calls RebalancedLoader(dataset, batch_size=..., sampler=...).
            raise TypeError(
                "RebalancedLoader's first argument is the sampler class "
                "(RebalanceSampler or BalancedBatchSampler); got a "
                f"{type(self.sampler_class).__name__}. Given to skorch as a class "
                "(iterator_train=RebalancedLoader), it is called with the data "
                "set: give it built, with the sampler's arguments, e.g. "
                "iterator_train=RebalancedLoader(sampler=RandomUnderSampler(), "
                "seed=0), and the DataLoader's as iterator_train__batch_size=...."
            )
        if self.sampler_class not in (RebalanceSampler, BalancedBatchSampler):
            raise TypeError(
                "sampler_class must be RebalanceSampler or BalancedBatchSampler; "
                f"got {self.sampler_class!r}."
            )
        if self.labels_from is not None and not callable(self.labels_from):
            raise TypeError(
                f"labels_from must be a function dataset -> labels; got "
                f"{self.labels_from!r}."
            )
        params = self.sampler_params
        accepted = list(inspect.signature(self.sampler_class).parameters)[1:]
        unknown = sorted(set(params) - set(accepted))
        if unknown:
            raise TypeError(
                f"{self.sampler_class.__name__} takes no argument "
                f"{', '.join(unknown)} (RebalancedLoader passes its keyword "
                f"arguments to it); it takes {', '.join(accepted)}."
            )
        _check_epoch_args(
            params.get("seed", 0),
            params.get("num_replicas"),
            params.get("rank"),
            params.get("drop_last", False),
        )
        if self.sampler_class is RebalanceSampler and "sampler" in params:
            if params["sampler"] is not None:
                _check_base_sampler(params["sampler"])
        if params.get("batch_size") is not None:
            # When built, not at the first call (skorch: at fit).
            _check_batch_size(params["batch_size"])

    def __call__(self, dataset: Any, **loader_kwargs: Any) -> DataLoader:
        """A ``DataLoader`` over ``dataset``; ``loader_kwargs`` go to it.

        ``shuffle`` is dropped: the sampler orders each epoch at random.
        ``sampler`` and ``batch_sampler`` are refused: this builds them.
        ``drop_last=True`` with epochs shorter than one ``batch_size`` (all
        of them would be empty) raises a ``ValueError``.
        """
        self._check_arguments()
        for key in ("sampler", "batch_sampler"):
            if loader_kwargs.get(key) is not None:
                raise TypeError(
                    f"{key}={loader_kwargs[key]!r} was passed to the DataLoader "
                    f"(skorch: iterator_train__{key}), but RebalancedLoader builds "
                    "the loader's sampler itself and would replace it. Give the "
                    "rebalancing to RebalancedLoader instead, e.g. RebalancedLoader("
                    "sampler=RandomUnderSampler(), seed=0), and remove "
                    f"{key}= from the loader's arguments."
                )
        _check_no_sampler_arguments(self.sampler_class, loader_kwargs)
        if (
            self.sampler_class is BalancedBatchSampler
            and self.sampler_params.get("batch_size") is None
            and loader_kwargs.get("batch_size") is None
        ):
            raise TypeError(
                "BalancedBatchSampler needs a batch_size, and neither "
                "RebalancedLoader nor the loader call was given one (the "
                "DataLoader's default of 1 row per batch cannot hold a row of "
                "each class). Pass it to the call, e.g. make_loader(dataset, "
                "batch_size=64) (skorch: the net's batch_size), or to "
                "RebalancedLoader(BalancedBatchSampler, batch_size=64)."
            )
        if isinstance(dataset, IterableDataset):
            raise TypeError(
                f"RebalancedLoader needs a map-style dataset (__getitem__ and "
                f"__len__); {type(dataset).__name__} is an IterableDataset, whose "
                "rows a sampler cannot pick. Rebalance the stream itself, or load "
                "it into a map-style dataset (e.g. a TensorDataset) first."
            )
        try:
            n_rows = len(dataset)
        except TypeError:
            raise TypeError(
                "RebalancedLoader needs a map-style dataset (__getitem__ and "
                f"__len__) as dataset; got {type(dataset).__name__}, which has no "
                "length. Pass a Dataset (e.g. a TensorDataset, a Hugging Face "
                "Dataset, a list of rows)."
            ) from None
        if self.labels_from is None:
            labels, found = _dataset_labels(dataset)
            _check_label_count(labels, n_rows, found)
        else:
            try:
                labels = self.labels_from(dataset)
            except (AttributeError, KeyError, TypeError, IndexError) as exc:
                note = _labels_from_split_note(dataset)
                if note is None:
                    raise
                add_note = getattr(exc, "add_note", None)  # Python 3.11+
                if add_note is not None:
                    add_note(note)
                    raise
                if type(exc) not in (AttributeError, TypeError, IndexError):
                    raise
                raise type(exc)(f"{exc}. {note}") from exc
            try:
                n_labels = len(labels)
            except TypeError:  # None, a number, a generator, a 0-d tensor
                raise TypeError(
                    f"labels_from returned {type(labels).__name__} "
                    f"{labels!r:.60}, not a sequence of labels: return one label "
                    "per row of the data set it is given (a list, an array or a "
                    "tensor)."
                ) from None
            if n_labels != n_rows:
                note = _labels_from_split_note(dataset)
                raise ValueError(
                    f"labels_from gave {n_labels} labels for a data set of "
                    f"{n_rows} rows: return one label per row of the data set it "
                    "is given." + (f" {note}" if note else "")
                )
        labels = _whole_number_labels(labels)
        loader_kwargs = dict(loader_kwargs)
        loader_kwargs.pop("shuffle", None)
        params = dict(self.sampler_params)
        if self.sampler_class is BalancedBatchSampler:
            batch_size = loader_kwargs.pop("batch_size", None)
            if params.get("batch_size") is None:
                # batch_size=None given to RebalancedLoader is no batch size.
                params["batch_size"] = batch_size
            elif batch_size is not None and params["batch_size"] != batch_size:
                raise ValueError(
                    f"batch_size={params['batch_size']} was given to "
                    f"RebalancedLoader but the loader is built with batch_size="
                    f"{batch_size} (skorch: the net's batch_size): give it once, "
                    "to the net."
                )
            # Balanced batches are always full: the loader's drop_last (e.g.
            # skorch's iterator_train__drop_last) has nothing to drop, and
            # torch refuses it next to batch_sampler. The epoch's rounding is
            # the sampler's own drop_last, given to RebalancedLoader.
            loader_kwargs.pop("drop_last", None)
            sampler: RebalanceSampler | BalancedBatchSampler
            sampler = BalancedBatchSampler(labels, **params)
            loader_kwargs["batch_sampler"] = sampler
        else:
            sampler = RebalanceSampler(labels, **params)
            _check_nonempty_batches(sampler, loader_kwargs)
            loader_kwargs["sampler"] = sampler
        previous = getattr(self, "sampler_", None)
        if previous is not None:
            sampler.set_epoch(previous.epoch)
        self.sampler_ = sampler
        return DataLoader(dataset, **loader_kwargs)


def _labels_from_split_note(dataset: Any) -> str | None:
    """What to add to an error ``labels_from`` raised on a ``Subset`` or
    ``ConcatDataset`` (else None): it is called with the data set the loader
    is built on (skorch's train split, ``random_split``, cross-validation),
    not with the data set it was written for, so ``lambda d: d.my_labels``
    fails there with a bare ``AttributeError`` that does not say why."""
    if not isinstance(dataset, (Subset, ConcatDataset)):
        return None
    kind = type(dataset).__name__
    fix = (
        "labels_from=lambda d: numpy.asarray(<labels of d.dataset>)[d.indices]"
        if isinstance(dataset, Subset)
        else "labels_from returning its parts' labels one after another"
    )
    return (
        f"labels_from was called with a {kind} (the data set the loader is "
        "built on, e.g. skorch's train split, random_split or a "
        "cross-validation fold), not with the full data set: return the "
        f"labels of its own rows, e.g. {fix}; or give the full data set a "
        ".targets attribute (or .y, .labels), which RebalancedLoader finds "
        f"through a {kind} by itself, and drop labels_from."
    )


def _check_no_sampler_arguments(
    sampler_class: type, loader_kwargs: Mapping[str, Any]
) -> None:
    """A clear TypeError for arguments of the sampler given to the loader call
    (skorch: ``iterator_train__seed=3``, e.g. in a grid search), which the
    ``DataLoader`` would refuse as an unexpected keyword argument without
    saying where they belong."""
    loader_params = set(inspect.signature(DataLoader).parameters)
    sampler_params = set(list(inspect.signature(sampler_class).parameters)[1:])
    misplaced = sorted(set(loader_kwargs) & (sampler_params - loader_params))
    if misplaced:
        given = ", ".join(f"{k}={loader_kwargs[k]!r:.40}" for k in misplaced)
        verb = "was" if len(misplaced) == 1 else "were"
        first = "" if sampler_class is RebalanceSampler else "BalancedBatchSampler, "
        raise TypeError(
            f"{given} {verb} passed to the loader call (skorch: "
            f"iterator_train__{misplaced[0]}), but the DataLoader takes no "
            f"{misplaced[0]}: it is an argument of {sampler_class.__name__}, "
            f"which RebalancedLoader builds. Give it to RebalancedLoader "
            f"instead, e.g. iterator_train=RebalancedLoader({first}{given}) (in a "
            "grid search: a list of RebalancedLoader objects as the values of "
            "iterator_train)."
        )


def _check_nonempty_batches(
    sampler: RebalanceSampler, loader_kwargs: Mapping[str, Any]
) -> None:
    """A clear error when the loader's ``drop_last`` would leave every epoch
    empty: rebalancing (undersampling) can shrink an epoch below one batch,
    and a training loop (skorch's ``iterator_train__drop_last=True``) would
    silently train on nothing."""
    batch_size = loader_kwargs.get("batch_size", 1)
    drop_last = loader_kwargs.get("drop_last", False)
    if (
        is_bool(drop_last)
        and drop_last
        and isinstance(batch_size, numbers.Integral)
        and not is_bool(batch_size)
    ):
        message = _empty_epochs(
            sampler,
            int(batch_size),
            "the loader's ",
            " (skorch: iterator_train__drop_last)",
        )
        if message:
            raise ValueError(message)


# Packages whose frames a warning about the training loop skips: it points at
# the loop's line (or the user's trainer.fit), not inside a loader.
_LOOP_PACKAGES = frozenset({"torch", "torchdata", "lightning", "pytorch_lightning"})


def _warn_at_caller(message: str) -> None:
    """A ``UserWarning`` pointing at the first caller outside torch,
    torchdata, Lightning and ``rebalance.torch``."""
    warn_outside(message, UserWarning, _in_training_loop)


def _in_training_loop(module: str) -> bool:
    """Whether ``module`` is torch's, torchdata's, Lightning's or
    ``rebalance.torch``'s."""
    return module.split(".")[0] in _LOOP_PACKAGES or module.startswith(
        "rebalance.torch."
    )


def _empty_epochs(
    sampler: _EpochSampler, batch_size: int, whose: str, aside: str = ""
) -> str:
    """What to tell the user when batches of ``batch_size`` items of
    ``sampler``'s epochs, the last short one dropped (``whose``
    ``drop_last=True``; ``whose`` is ``""`` or ends in a space), leave every
    epoch empty (else ``""``): rebalancing (undersampling, a split between
    ranks) can shrink an epoch below one batch, and the training loop would
    silently train on nothing."""
    n_items = len(sampler)
    if n_items >= batch_size:
        return ""
    return (
        f"Each epoch has {n_items} {sampler._item_name} per rank, fewer than "
        f"{whose}batch_size={batch_size}: with {whose}drop_last=True{aside} "
        f"every epoch would be empty. Pass drop_last=False or a batch_size of "
        f"at most {n_items}."
    )


def _dataset_labels(dataset: Any, where: str = "dataset") -> tuple[Any, str]:
    """The class labels of ``dataset``'s rows, read without loading a sample,
    and where they were read (for error messages); ``where`` names
    ``dataset``."""
    if isinstance(dataset, Subset):
        labels, found = _counted_labels(dataset.dataset, f"{where}.dataset")
        rows = _subset_rows(dataset.indices, len(labels), f"{where}.indices")
        # The subset's rows first, in the labels' own type (read later as the
        # samplers read labels): a parent's rows the subset leaves out may be
        # unlabelled (semi-supervised data), and a missing label is found at
        # its position in the subset.
        return _take_labels(labels, rows), f"{found}[{where}.indices]"
    if isinstance(dataset, ConcatDataset):
        # The rows of a ConcatDataset are its parts' rows one after another.
        parts = [
            _counted_labels(part, f"{where}.datasets[{i}]")[0]
            for i, part in enumerate(dataset.datasets)
        ]
        ends = dataset.cumulative_sizes
        values = [
            _part_labels(part, f"{where}.datasets[{i}]", ends[i] - len(part), where)
            for i, part in enumerate(parts)
            # An empty part (an empty split) adds no rows, nor a dtype.
            if len(part)
        ]
        found = f"the labels of {where}.datasets"
        if not values:
            return parts[0], found  # no rows: refused as empty labels
        columns = [_categorical_column(part) for part in values]
        if all(column is not None for column in columns) and all(
            column.cat.categories.equals(columns[0].cat.categories)
            and column.cat.ordered == columns[0].cat.ordered
            for column in columns[1:]
        ):
            # Parts of one categorical dtype keep its category order, the
            # class order (class_counts given as a list follows it), as one
            # part or a Subset does.
            return pd.concat(columns, ignore_index=True), found
        arrays = [np.asarray(part) for part in values]
        if not _concatenates_exactly(arrays):
            # Parts of other kinds as objects, each label as it is (text
            # beside numbers then refused as mixed types): np.concatenate
            # wrote numbers or bytes as text (0 and '0', b'a' and 'a': one
            # class) and int64 beside uint64 as floats.
            arrays = [array.astype(object) for array in arrays]
        return np.concatenate(arrays), found
    for name in ("y", "targets", "labels"):
        labels = getattr(dataset, name, None)
        # Not a method of that name (a dataset's own targets() helper).
        if labels is not None and not callable(labels):
            return labels, f"{where}.{name}"
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return dataset.tensors[1], f"{where}.tensors[1]"
    # A Hugging Face datasets.Dataset: its "label" (or "labels") column, read
    # whole without decoding a row.
    if type(dataset).__module__.split(".")[0] == "datasets":
        if hf_dataset_kind(dataset) == "splits":
            raise TypeError(
                f"{where} is a {type(dataset).__name__} of splits "
                f"({list(dataset)}), not one data set: pass one split, e.g. "
                "dataset_dict['train']."
            )
        names = getattr(dataset, "column_names", None) or ()
        for name in ("label", "labels"):
            if name in names:
                if (getattr(dataset, "format", None) or {}).get("type") == "custom":
                    column = _transformed_labels(dataset, name, where)
                else:
                    column = _shown(dataset, name)[name]
                if is_hf_column(column):
                    column = column[:]  # read once, in the dataset's format
                return _class_label_marked(dataset, name, column), f'{where}["{name}"]'
        raise TypeError(
            f"Cannot find the labels of {where}, a {type(dataset).__name__}: it "
            'has no "label" or "labels" column (its columns: '
            f"{list(names)}). Rename the label column, e.g. "
            "dataset.rename_column('target', 'label'), or pass "
            "labels_from=lambda dataset: dataset['target']."
        )
    raise TypeError(
        f"Cannot find the labels of {where}, a {type(dataset).__name__}: it has "
        'no .y, .targets or .labels (nor a "label" column). Pass '
        "labels_from=lambda dataset: <its labels>."
    )


def _transformed_labels(dataset: Any, name: str, where: str) -> Any:
    """The column ``name`` of a Hugging Face ``dataset`` with a transform
    (``with_transform``/``set_transform``) as the transform gives it: the
    labels its batches carry (a transform may map classes to others). A
    ValueError naming ``labels_from`` where its output has no such column
    (renamed, or left out by ``columns=[...]``): a bare KeyError before."""
    # As the batches carry it (output_all_columns=True passes it on beside
    # the transform's output), else with columns=[...] hiding it shown to
    # the transform.
    for shown in (dataset, _shown(dataset, name)):
        try:
            column = shown[name]
            # (datasets >= 4 reads a Column lazily: the KeyError comes here)
            return column[:] if is_hf_column(column) else column
        except KeyError:
            continue
    try:
        shown = sorted(dataset[:1])
    except Exception:  # the transform fails on its own: not ours to name
        shown = None
    its = f" (its output: {shown})" if shown is not None else ""
    raise ValueError(
        f"The transform of {where} (with_transform/set_transform) gives no "
        f"{name!r} column{its}, and the labels are read as its batches carry "
        "them. Pass labels_from= with the labels of its rows: e.g. "
        f"labels_from=lambda ds: ds.with_format(None)[{name!r}] when the "
        "stored column holds the classes the batches carry."
    )


def _shown(dataset: Any, name: str) -> Any:
    """The Hugging Face ``dataset`` with its column ``name`` in its output:
    ``set_format(columns=[...])`` (the model's inputs only) hides the label
    column from ``dataset[name]`` (a bare KeyError) while it is still among
    ``column_names``. Same format type and indices mapping, so the rows and
    the values' container are those of ``dataset``."""
    fmt = getattr(dataset, "format", None) or {}
    shown = fmt.get("columns")
    if shown is None or name in shown:
        return dataset
    fmt = dataset.format
    return dataset.with_format(
        fmt["type"],
        columns=None,
        output_all_columns=fmt.get("output_all_columns", False),
        **fmt.get("format_kwargs", {}),
    )


def _class_label_marked(dataset: Any, name: str, values: Any) -> Any:
    """``values``, the column ``name`` of a Hugging Face dataset as read in
    its format, with the -1 of a ``ClassLabel`` (datasets' mark of a missing
    label) as missing values (a pandas ``Int64`` Series), refused as missing
    labels where they are drawn from: a ``Subset`` may leave them out, and a
    row is named by its position in the rows drawn from."""
    features = getattr(dataset, "features", None) or {}
    if is_class_label_list(features.get(name)):
        raise class_label_list_refused(name)
    if type(features.get(name)).__name__ != "ClassLabel":
        return values
    array = class_label_values(values)
    if array is None or not (array == -1).any():
        return values
    marked = pd.Series(pd.array(array, dtype="Int64"))
    marked[array == -1] = pd.NA
    marked.attrs["class_label_column"] = name  # (kept by row selections)
    return marked


def _part_labels(labels: Any, part: str, start: int, where: str) -> Any:
    """:func:`_whole_number_labels` of the labels of a ``ConcatDataset``'s
    part ``part``, whose rows start at row ``start`` of ``where``: an error
    about them says which part (and so where its positions lie)."""
    try:
        return _whole_number_labels(labels)
    except (TypeError, ValueError) as exc:
        if type(exc) not in (TypeError, ValueError):
            raise
        raise type(exc)(
            f"{exc} (In {part}, rows {start} to {start + len(labels) - 1} of "
            f"{where}: a position above counts from its first row.)"
        ) from exc


def _subset_rows(indices: Any, n_rows: int, where: str) -> np.ndarray:
    """A ``Subset``'s ``indices`` (named ``where``) as positions in
    ``0..n_rows - 1`` (negative ones counted from the end, as the subset
    reads them), or a clear error."""
    rows = np.asarray(indices)
    if rows.size == 0:
        return rows.astype(np.intp).reshape(0)
    if rows.ndim != 1 or rows.dtype.kind not in "iu":
        raise TypeError(
            f"{where} must be a 1-D sequence of integer row positions; got "
            f"{rows.dtype} values of shape {rows.shape}."
        )
    low, high = int(rows.min()), int(rows.max())
    if low < -n_rows or high >= n_rows:
        bad = low if low < -n_rows else high
        raise ValueError(
            f"{where} holds the position {bad}, outside the {n_rows} rows of the "
            "data set it picks from: pass positions within it."
        )
    if low < 0:
        rows = np.where(rows < 0, rows + n_rows, rows)
    return rows.astype(np.intp, copy=False)


def _take_labels(labels: Any, rows: np.ndarray) -> Any:
    """The labels of positions ``rows`` of ``labels``, in its own type (a
    pandas categorical keeps its category order, the class order), read
    only at those rows."""
    if isinstance(labels, torch.Tensor):
        # Contiguous: torch reads no numpy view of negative strides (a
        # Subset of np.argsort(y)[::-1]).
        rows = np.ascontiguousarray(rows)
        return labels[torch.as_tensor(rows, dtype=torch.long, device=labels.device)]
    labels = _column_values(labels)
    if isinstance(labels, tuple):
        # As a sequence of labels (np.asarray would write a NaN among
        # strings as the text 'nan').
        labels = list(labels)
    return take_rows(labels, rows)


def _concatenates_exactly(arrays: list[np.ndarray]) -> bool:
    """Whether ``np.concatenate(arrays)`` keeps every label as it is: parts
    of one kind, or of booleans and integers that numpy's promotion keeps
    integers (uint8 beside int64; not int64 beside uint64, which become
    floats), with True and False read as 1 and 0 as in a list of them."""
    kinds = {array.dtype.kind for array in arrays}
    if len(kinds) == 1:
        return True
    return kinds <= set("biu") and np.result_type(*arrays).kind in "biu"


def _counted_labels(dataset: Any, where: str) -> tuple[Any, str]:
    """:func:`_dataset_labels`, checked to hold one label per row of
    ``dataset`` (a ``Subset`` or ``ConcatDataset`` picks rows by position)."""
    labels, found = _dataset_labels(dataset, where)
    _check_label_count(labels, len(dataset), found)
    return labels, found


def _check_label_count(labels: Any, n_rows: int, found: str) -> None:
    # Before the labels are indexed or read: a sparse or meta tensor cannot be.
    _check_label_tensor(labels)
    if len(labels) != n_rows:
        raise ValueError(
            f"{found} holds {len(labels)} labels for a data set of {n_rows} rows: "
            "the labels must be one per row. Pass labels_from=lambda dataset: "
            "<one label per row of the data set it is given>."
        )


def _enum_as_categorical(labels: Any) -> Any:
    """A polars ``Enum`` Series as the pandas categorical it converts to (its
    categories' order is the class order, as ``fit_resample`` reads it);
    anything else as it is."""
    return labels.to_pandas() if is_polars_enum(labels) else labels


def _categorical_column(labels: Any) -> Any:
    """The pandas categorical column ``labels`` is (a Series, or a frame of
    one column; a polars ``Enum`` Series as its pandas categorical), or
    None."""
    if is_pandas(labels, "DataFrame") and labels.shape[1] == 1:
        labels = labels.iloc[:, 0]
    labels = _enum_as_categorical(labels)
    if is_pandas(labels, "Series") and isinstance(labels.dtype, pd.CategoricalDtype):
        return labels
    return None


def _whole_number_labels(labels: Any) -> Any:
    """Float labels that are all whole numbers (0.0/1.0) as int64; a pandas
    categorical column as given (its category order is the class order that
    ``class_counts`` follows, as when the sampler is given it directly)."""
    labels = _column_values(labels)
    column = _categorical_column(labels)
    if column is not None and column.cat.categories.dtype.kind != "f":
        return labels
    if isinstance(labels, torch.Tensor):
        _check_label_tensor(labels)  # labels_from may return any tensor
        labels = _as_numpy(labels, "labels")  # bfloat16 has no numpy dtype
    # Read as the samplers read labels: np.asarray made a NaN among strings
    # the class 'nan' and 0 beside '0' one class, and a pyarrow array's
    # to_numpy() refused strings.
    array = _label_values(labels)
    if array.dtype.kind == "f" and np.isfinite(array).all():
        if (array == np.round(array)).all():
            return array.astype(np.int64)
    return array
