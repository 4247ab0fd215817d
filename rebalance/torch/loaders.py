"""Batch-level paths: one index array per batch instead of one index per item.

A ``DataLoader`` with ``sampler=`` pulls every index through Python, one at
a time, then calls ``dataset[i]`` per index and stacks the rows: about 25
million indices per second at best, far less once ``dataset[i]`` and the
collation run. That cost is lost in the noise when every item is read from
a file (images, audio, text) but dominates a training step on in-memory
tensors. The batch-level paths hand out one int64 index array per batch:

* :class:`IndexBatchSampler` wraps :class:`~rebalance.torch.RebalanceSampler`,
  :class:`~rebalance.torch.HardExampleSampler` or
  :class:`~rebalance.torch.BalancedBatchSampler` and yields each batch's
  dataset indices as one tensor, for a ``DataLoader`` over a dataset that
  reads a whole batch at once (``dataset[index_tensor]``, or
  ``__getitems__``);
* :class:`TensorBatchLoader` gathers the rows of in-memory tensors itself
  (``tensor.index_select(0, batch)``), with no ``DataLoader`` at all.

**Which one to use.** Datasets that load or decode each item (files, a
database, augmentation per image): the per-index sampler with a
``DataLoader`` and workers, the batch paths gain nothing there. Data already
in memory as tensors (tabular features, embeddings, a ``TensorDataset``):
:class:`TensorBatchLoader`, or ``DataLoader(dataset,
sampler=IndexBatchSampler(...), batch_size=None)`` when the loop needs a
``DataLoader`` (workers, Lightning, ``pin_memory``).

Both yield exactly the batches of the per-index path, ``DataLoader(dataset,
sampler=sampler, batch_size=b, drop_last=d)``: same epochs, same order, same
split between ranks, same ``set_epoch``, and a ``state_dict`` that counts
indices, so a checkpoint of one path resumes the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import torch

# A BatchSampler too: HF Accelerate keeps a loader's sampler= only when it is
# one (a batch sampler given as the sampler), and shards its batches.
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DistributedSampler,
    IterableDataset,
    SequentialSampler,
    Subset,
)

from rebalance._validation import check_bool, check_int
from rebalance.torch.samplers import (
    _PREDICT_REBUILD,
    BalancedBatchSampler,
    HardExampleSampler,
    RebalanceSampler,
    _caller_frame,
    _empty_epochs,
    _EpochSampler,
    _loader_iterator,
    _warn_at_caller,
)

__all__ = ["IndexBatchSampler", "TensorBatchLoader"]

_INDEX_TYPES = ("tensor", "numpy", "list")


class IndexBatchSampler(DistributedSampler[torch.Tensor], BatchSampler):
    """A rebalancing sampler's epoch as one index tensor per batch.

    Yields the indices ``DataLoader(dataset, sampler=sampler,
    batch_size=batch_size, drop_last=drop_last)`` would gather, in the same
    order, as one int64 tensor per batch, without a Python int per index.
    Use it in either of two ways:

    * ``DataLoader(dataset, sampler=IndexBatchSampler(s, 4096),
      batch_size=None)``: the loader calls ``dataset[batch]`` once per batch
      with the index tensor, which a ``TensorDataset`` answers with one
      gather per tensor. The dataset must take a whole batch in
      ``dataset[batch]``: a ``Subset`` whose ``indices`` are a list or a
      range (``random_split`` gives a list) needs ``index_type="list"``, one
      whose ``indices`` are a numpy array ``"numpy"`` or ``"list"`` (numpy
      reads a one-element index tensor as one row, without its batch
      dimension), one whose ``indices`` are a tensor ``"tensor"`` or
      ``"numpy"``; another raises a ``TypeError`` at the first batch. A
      ``ConcatDataset``, or a ``Subset`` of one, cannot (a ``TypeError`` at
      the first batch: use the second form), nor can a dataset that reads
      one row per call (use the second form), nor one that indexes numpy
      arrays with ``index_type="tensor"`` (pass ``index_type="numpy"``; a skorch
      ``Dataset``, which always does, raises a ``TypeError``). It is a
      ``DistributedSampler`` (the wrapped sampler splits itself by rank), so
      PyTorch Lightning keeps it as it is and calls its :meth:`set_epoch`;
    * ``DataLoader(dataset, batch_sampler=IndexBatchSampler(s, 4096),
      collate_fn=...)`` for a dataset with ``__getitems__(indices)`` (the
      loader passes it the whole batch; any other dataset is read row by
      row, ``dataset[i]`` with a Python int ``i`` as with a per-index
      sampler, whatever ``index_type``). Its return value goes to
      ``collate_fn``: keep the default if it returns a list of samples, pass
      a function returning its argument unchanged if it returns a ready
      batch. Under Lightning's ``use_distributed_sampler=True`` use the
      first form, or ``Trainer(use_distributed_sampler=False)``.

    Use it for data already in memory (tabular features, embeddings); datasets
    that read or decode each item gain nothing over the per-index sampler.

    Parameters
    ----------
    sampler : RebalanceSampler, HardExampleSampler or BalancedBatchSampler
        Gives the epochs, their order, the rank split and the seed; its
        ``set_epoch``, ``state_dict`` and ``load_state_dict`` are shared
        with this wrapper, which keeps no state of its own.
    batch_size : int, default=None
        Indices per batch. Required for the index samplers; a
        ``BalancedBatchSampler`` yields its own batches (leave it None or
        pass its ``batch_size``).
    drop_last : bool, default=False
        Leave out the last batch of an epoch when it is shorter than
        ``batch_size`` (``DataLoader``'s ``drop_last``; the wrapped sampler's
        own ``drop_last`` is about the split between ranks).
    index_type : {"tensor", "numpy", "list"}, default="tensor"
        Each batch as an int64 tensor, an int64 numpy array, or a list of
        Python ints (for datasets whose ``__getitems__`` wants a list). A
        ``DataLoader`` that reads the batch row by row (``batch_sampler=``,
        a dataset without ``__getitems__``) always gets lists. A ``Subset``
        needs the type its ``indices`` read whole batches with (see above).

    Notes
    -----
    ``len()`` is the number of batches of this rank per epoch. A batch is a
    fresh array: writing into it changes nothing in the sampler. Pickling
    (``torch.save``, ``copy.deepcopy``, ``ddp_spawn``, DataLoader workers)
    carries the wrapped sampler and its position along. Under HF Accelerate
    with several processes, whose ``BatchSamplerShard`` pads batches as
    Python lists, build it with ``index_type="list"`` (the wrapped sampler
    then leaves the split to Accelerate): index arrays raise a ``TypeError``
    when Accelerate would pad them (numpy arrays whenever it keeps the last
    batches without ``split_batches``).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from rebalance.torch import IndexBatchSampler, RebalanceSampler
    >>> labels = torch.tensor([0] * 12 + [1] * 4)
    >>> dataset = TensorDataset(torch.arange(16.0), labels)
    >>> batches = IndexBatchSampler(RebalanceSampler(labels, seed=0), 8)
    >>> len(batches)  # 24 indices per epoch (label shuffle: 12 of each class)
    3
    >>> loader = DataLoader(dataset, sampler=batches, batch_size=None)
    >>> [len(y) for _, y in loader]
    [8, 8, 8]
    >>> torch.cat([y for _, y in loader]).bincount().tolist()
    [12, 12]
    """

    # BatchSampler's sampler is any Sampler; this one wraps a rebalancing one.
    sampler: RebalanceSampler | HardExampleSampler | BalancedBatchSampler

    def __init__(
        self,
        sampler: RebalanceSampler | HardExampleSampler | BalancedBatchSampler,
        batch_size: int | None = None,
        *,
        drop_last: bool = False,
        index_type: str = "tensor",
    ):
        if isinstance(sampler, IndexBatchSampler):
            raise TypeError(
                "sampler is already an IndexBatchSampler: use it as it is, or "
                "wrap its .sampler (the RebalanceSampler, HardExampleSampler or "
                "BalancedBatchSampler it batches)."
            )
        if not isinstance(sampler, _EpochSampler):
            lightning = (
                " PyTorch Lightning passes its own DistributedSampler here when it "
                "rebuilds a DataLoader's batch_sampler: give IndexBatchSampler to "
                "the DataLoader as sampler=... with batch_size=None (Lightning "
                "keeps it), or set Trainer(use_distributed_sampler=False)."
                if isinstance(sampler, DistributedSampler)
                else _PREDICT_REBUILD
                if isinstance(sampler, SequentialSampler)
                else ""
            )
            raise TypeError(
                "sampler must be a RebalanceSampler, HardExampleSampler or "
                f"BalancedBatchSampler; got {type(sampler).__name__}. For other "
                f"samplers use torch.utils.data.BatchSampler.{lightning}"
            )
        drop_last = check_bool(drop_last, "drop_last")
        if not isinstance(index_type, str) or index_type not in _INDEX_TYPES:
            raise ValueError(
                f"index_type must be one of {_INDEX_TYPES}; got {index_type!r}."
            )
        if isinstance(sampler, BalancedBatchSampler):
            batch_size = _own_batch_size(batch_size, sampler)
        else:
            if batch_size is None:
                raise TypeError(
                    f"batch_size is required with a {type(sampler).__name__}: pass "
                    "the indices per batch, e.g. IndexBatchSampler(sampler, 4096)."
                )
            batch_size = check_int(
                batch_size, "batch_size", minimum=1, fix="Pass the rows per batch."
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.index_type = index_type
        self._warn_if_empty()

    def _warn_if_empty(self) -> None:
        """Warn when ``drop_last`` drops every batch of the epoch (fewer
        indices per rank than ``batch_size``): ``len()`` is 0 and the training
        loop would silently run on nothing."""
        if self.drop_last and not self._whole_batches:
            message = _empty_epochs(self.sampler, self.batch_size, "")
            if message:
                _warn_at_caller(message)

    @property
    def _whole_batches(self) -> bool:
        return isinstance(self.sampler, BalancedBatchSampler)

    def _mishandled_by(self, frame: Any) -> bool:
        """Whether ``frame``, the caller of ``iter(self)``, is HF Accelerate's
        ``BatchSamplerShard`` about to pad this epoch's batches as Python lists
        (``batch += ...``, ``if batch:``): wrong for index arrays. It does so
        when it keeps the last batches: the last one is short, or (without
        ``split_batches``) their number is no multiple of the processes; and
        without ``split_batches`` it collects the first batches into a list
        (``initial_data += batch``), which adds a numpy batch up instead."""
        if frame is None or frame.f_globals.get("__name__") != "accelerate.data_loader":
            return False
        shard = frame.f_locals.get("self")
        try:
            processes = int(shard.num_processes)
            split, even = bool(shard.split_batches), bool(shard.even_batches)
            keeps_last = not shard.drop_last
        except (AttributeError, TypeError, ValueError):
            return False  # not the BatchSamplerShard this is written for
        short_last = not self._whole_batches and len(self.sampler) % self.batch_size
        if not keeps_last:
            return False
        if split:
            return bool(short_last) and even
        numpy = self.index_type == "numpy"
        return numpy or bool(short_last) or len(self) % processes != 0

    def __len__(self) -> int:
        n_items = len(self.sampler)
        if self._whole_batches:
            return n_items
        if self.drop_last:
            return n_items // self.batch_size
        return -(-n_items // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.index_type != "list" and self._mishandled_by(_caller_frame(1)):
            raise TypeError(
                f"IndexBatchSampler(index_type={self.index_type!r}) is sharded by "
                "HF Accelerate (a loader prepared for several processes), whose "
                "BatchSamplerShard pads and tests the batches as Python lists: "
                "with index arrays it fails, hangs or adds indices up (wrong "
                "rows). Build it with index_type='list'."
            )
        # A sampler following the process group may have fewer indices now.
        self._warn_if_empty()
        return self._converted(
            self.sampler._index_batches(self.batch_size, self.drop_last)
        )

    def _converted(self, batches: Iterator[np.ndarray]) -> Iterator[Any]:
        """``batches`` as ``index_type`` asks; as lists of Python ints when the
        ``DataLoader`` calling the first ``next()`` reads them row by row
        (``batch_sampler=`` with a dataset without ``__getitems__``): its
        ``dataset[i]`` then gets the ints of the per-index path, never 0-d
        tensors (which a dict or set of ids, ``DataFrame.iloc`` and
        ``random.seed`` do not read as ints) or numpy ints. A clear error
        when a loader reading ``dataset[batch]`` on a ``Subset`` would read
        the wrong rows or shapes (see :meth:`_kind_read_by`)."""
        convert: Callable[[np.ndarray], Any]
        kind = self._kind_read_by(_caller_frame(1))
        if kind == "list":
            convert = np.ndarray.tolist
        elif kind == "tensor":
            convert = torch.from_numpy
        else:
            yield from batches
            return
        for batch in batches:
            yield convert(batch)

    def _kind_read_by(self, frame: Any) -> str:
        """The index type to yield to the ``DataLoader`` whose iterator's
        ``_next_index`` is ``frame``, the caller of the first ``next()``:
        ``"list"`` when it hands each batch to a fetcher reading
        ``dataset[i]`` for each index ``i`` (``_MapDatasetFetcher`` with
        automatic batching, no ``__getitems__``), else ``index_type``. A
        ``TypeError`` when it reads ``dataset[batch]`` (``batch_size=None``)
        on a ``Subset`` whose ``indices`` do not read a whole batch of
        ``index_type`` (:func:`_subset_reads`): numpy reads a one-element
        index tensor as one row (the batch loses its batch dimension,
        silently), a list fails on longer ones."""
        # Two frames: HF Accelerate's SkipBatchSampler (skip_first_batches)
        # or BatchSamplerShard may stand between the loader and this sampler.
        owner = _loader_iterator(frame, depth=2)
        if owner is None or not _reads_through(owner, self):
            return self.index_type
        dataset = getattr(owner, "_dataset", None)
        if dataset is None or isinstance(dataset, IterableDataset):
            return self.index_type
        collation = getattr(owner, "_auto_collation", None)
        if collation is True:
            # The fetcher's own test for a dataset that reads whole batches.
            reads_batches = hasattr(dataset, "__getitems__") and dataset.__getitems__
            return self.index_type if reads_batches else "list"
        if collation is False and self.index_type == "tensor" and _is_skorch(dataset):
            raise TypeError(
                "IndexBatchSampler(index_type='tensor') gives a DataLoader "
                "(batch_size=None) over a skorch Dataset each batch as one index "
                "tensor, which skorch reads through scikit-learn's indexing, "
                "made for numpy indices. Build it with index_type='numpy' "
                "(skorch: iterator_train__sampler=IndexBatchSampler(sampler, "
                "batch_size, index_type='numpy'), iterator_train__batch_size="
                "None)."
            )
        if collation is False:
            _check_reads_batches(dataset, self.index_type)
        if (
            collation is not False
            or not isinstance(dataset, Subset)
            or _subset_reads(self.index_type, dataset)
        ):
            return self.index_type
        fits = [kind for kind in _INDEX_TYPES if _subset_reads(kind, dataset)]
        fix = (
            f"Build the IndexBatchSampler with index_type={fits[0]!r}"
            if fits
            else "Give every Subset tensor indices (torch.as_tensor(indices))"
        )
        held = type(dataset.indices).__name__
        raise TypeError(
            f"IndexBatchSampler(index_type={self.index_type!r}) gives a DataLoader "
            f"(batch_size=None) over a Subset (indices: a {held}) each batch as "
            "one index, which the Subset's indices do not read as a batch: a "
            "numpy array reads a one-element index tensor as a single row "
            "(the batch loses its batch dimension, silently), a list or range "
            f"fails on longer ones. {fix}, or pass it as batch_sampler= (the "
            "Subset then reads the batch row by row)."
        )

    # The wrapped sampler's epoch state, seen through this wrapper: read-only
    # properties where DistributedSampler has plain attributes, which mypy
    # reports as unsafe overrides (the epoch moves through set_epoch).

    @property
    def num_replicas(self) -> int:  # type: ignore[override]
        """The wrapped sampler's ``num_replicas``."""
        return self.sampler.num_replicas

    @property
    def rank(self) -> int:  # type: ignore[override]
        """The wrapped sampler's ``rank``."""
        return self.sampler.rank

    @property
    def seed(self) -> int:  # type: ignore[override]
        """The wrapped sampler's ``seed``."""
        return self.sampler.seed

    @property
    def epoch(self) -> int:  # type: ignore[override]
        """The epoch the next iteration draws."""
        return self.sampler.epoch

    @property
    def num_samples(self) -> int:  # type: ignore[override]
        """Batches per rank and epoch, ``len(self)`` (``DistributedSampler``'s
        attribute, counted in what this sampler yields)."""
        return len(self)

    @property
    def total_size(self) -> int:  # type: ignore[override]
        """Batches of all ranks per epoch, ``num_samples * num_replicas``."""
        return len(self) * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Draw epoch ``epoch`` on the next iteration (the wrapped sampler's).

        Parameters
        ----------
        epoch : int
            The epoch number, >= 0, passed to the wrapped sampler's
            ``set_epoch``.
        """
        self.sampler.set_epoch(epoch)

    def state_dict(self) -> dict[str, Any]:
        """Epoch, seed and position of the wrapped sampler.

        Returns
        -------
        dict
            The wrapped sampler's ``state_dict``: its ``position`` counts
            indices (batches for a ``BalancedBatchSampler``), as on the
            per-index path.
        """
        return self.sampler.state_dict()

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Continue from a :meth:`state_dict`: the next iteration yields the rest.

        The rest of the saved epoch comes in batches starting at the saved
        position.

        Parameters
        ----------
        state_dict : dict
            A dict returned by :meth:`state_dict` (or by the wrapped
            sampler's).
        """
        self.sampler.load_state_dict(state_dict)


def _reads_through(owner: Any, sampler: IndexBatchSampler) -> bool:
    """Whether the ``DataLoader`` iterator ``owner`` takes its batches from
    ``sampler``: as its own batch sampler, or through one of HF Accelerate's
    wrappers, which pass the batches on as they come (``SkipBatchSampler``,
    made by ``skip_first_batches`` to resume mid-epoch) or as Python lists
    (``BatchSamplerShard``)."""
    index_sampler = getattr(owner, "_index_sampler", None)
    if index_sampler is sampler:
        return True
    return (
        type(index_sampler).__module__ == "accelerate.data_loader"
        and getattr(index_sampler, "batch_sampler", None) is sampler
    )


def _is_skorch(dataset: Any) -> bool:
    """Whether ``dataset`` is a skorch ``Dataset`` (skorch not imported)."""
    return any(
        kind.__module__ == "skorch.dataset" and kind.__name__ == "Dataset"
        for kind in type(dataset).__mro__
    )


def _check_reads_batches(dataset: Any, index_type: str) -> None:
    """A clear ``TypeError`` when ``dataset``, read ``dataset[batch]`` with a
    whole index batch (``sampler=IndexBatchSampler(...)``, ``batch_size=None``),
    is a ``ConcatDataset`` or a chain of ``Subset`` objects over one: a
    ``ConcatDataset`` reads one position per call (``idx < 0``, ``bisect``),
    so torch failed with an error about the truth value of a tensor or an
    array, or about ``<`` between a list and an int, and the ``Subset``
    message advised an index type that fails there too."""
    base = dataset
    while isinstance(base, Subset):
        base = base.dataset
    if not isinstance(base, ConcatDataset) or (
        type(base).__getitem__ is not ConcatDataset.__getitem__
    ):
        return  # a subclass may read whole batches itself
    where = "a ConcatDataset" if base is dataset else "a Subset of a ConcatDataset"
    raise TypeError(
        f"IndexBatchSampler(index_type={index_type!r}) gives a DataLoader "
        f"(batch_size=None) over {where} each batch as one index, but a "
        "ConcatDataset reads one row per call (dataset[i] with one position), "
        "whatever index_type. Pass it as batch_sampler=IndexBatchSampler(...) "
        "instead of sampler= (the loader then reads the batch row by row), or "
        "gather in-memory tensors with TensorBatchLoader(*tensors, "
        "sampler=...)."
    )


def _subset_reads(kind: str, dataset: Any) -> bool:
    """Whether ``dataset[batch]``, ``batch`` one batch of index type ``kind``,
    reads the batch's rows through the chain of ``Subset`` objects ``dataset`` is.

    A ``Subset`` reads ``indices[batch]`` (a list: element by element) and
    passes it on. A numpy array or a Python sequence reads a one-element
    tensor as a scalar (one row, without its batch dimension: silently wrong
    shapes) and a list refuses longer ones; a tensor read element by element
    gives 0-d tensors, which a tensor reads as a multi-dimensional index.
    """
    while isinstance(dataset, Subset):
        indices = dataset.indices
        if isinstance(indices, torch.Tensor):
            if kind == "list":
                return False
            kind = "tensor"  # tensor[array] is a tensor too
        elif isinstance(indices, np.ndarray):
            if kind == "tensor":
                return False
        elif kind != "list":
            return False
        dataset = dataset.dataset
    return True


def _own_batch_size(
    batch_size: Any, sampler: BalancedBatchSampler | IndexBatchSampler
) -> int:
    """The batch size of ``sampler``, which makes its own batches; ``batch_size``
    given beside it must be None or that size (an int, never ``'4'`` or 4.0)."""
    made = f"the {type(sampler).__name__} makes batches of {sampler.batch_size}"
    fix = f"Leave batch_size=None: {made}."
    if batch_size is not None and (
        check_int(batch_size, "batch_size", minimum=1, fix=fix) != sampler.batch_size
    ):
        raise ValueError(
            f"batch_size={batch_size!r} but {made}: leave batch_size=None."
        )
    return sampler.batch_size


def _check_loader_sampler(sampler: Any) -> None:
    """A clear error for a ``sampler`` :class:`TensorBatchLoader` cannot use:
    it gathers the index batches of a rebalancing sampler only (a torch
    ``BatchSampler``, which :class:`IndexBatchSampler` suggests for other
    samplers, is refused here too)."""
    if not isinstance(sampler, (IndexBatchSampler, _EpochSampler)):
        raise TypeError(_loader_sampler_error(sampler))


def _loader_sampler_error(sampler: Any) -> str:
    """The message of :func:`_check_loader_sampler`."""
    expected = (
        "sampler must be a RebalanceSampler, HardExampleSampler or "
        "BalancedBatchSampler (or an IndexBatchSampler of one)"
    )
    if isinstance(sampler, type):
        return (
            f"{expected}; got the class {sampler.__name__} itself: pass an "
            f"instance, e.g. sampler={sampler.__name__}(labels)."
        )
    return (
        f"{expected}; got {type(sampler).__name__}. For another sampler use "
        "DataLoader(TensorDataset(*tensors), sampler=..., batch_size=...)."
    )


def _dataset_rows(
    sampler: RebalanceSampler | HardExampleSampler | BalancedBatchSampler,
) -> int:
    """Number of rows of the dataset whose indices ``sampler`` draws."""
    if isinstance(sampler, HardExampleSampler):
        sampler = sampler.sampler
    if isinstance(sampler, RebalanceSampler):
        return sampler.plan.labels.n_samples
    return sampler.labels.n_samples


# Layouts whose rows ``Tensor.index_select(0, index)`` gathers.
_GATHERED_LAYOUTS = (torch.strided, torch.sparse_coo)
# Quantization schemes whose rows ``index_select`` gathers (not per channel).
# (Quantized tensors are deprecated in torch: read the names only if present.)
_GATHERED_QSCHEMES = tuple(
    getattr(torch, scheme)
    for scheme in ("per_tensor_affine", "per_tensor_symmetric")
    if hasattr(torch, scheme)
)


def _check_gatherable(tensor: torch.Tensor, name: str) -> None:
    """A clear error for a tensor whose rows ``index_select`` cannot gather
    (nested tensors: torch's own error is an internal one; sparse CSR/CSC/BSR:
    an error only at the first batch)."""
    if tensor.is_nested:
        raise TypeError(
            f"{name} is a nested tensor (rows of different lengths), whose rows "
            "index_select cannot gather: pad it to a regular tensor "
            "(torch.nested.to_padded_tensor(tensor, 0.0)), or keep a DataLoader "
            "over a dataset of its rows with the per-index sampler."
        )
    if any(
        kind.__name__ == "MaskedTensor" and kind.__module__.startswith("torch.masked")
        for kind in type(tensor).__mro__
    ):
        raise TypeError(
            f"{name} is a torch.masked MaskedTensor, whose rows index_select "
            "cannot gather: pass its values and its mask as two tensors "
            "(tensor.get_data(), tensor.get_mask())."
        )
    if tensor.layout not in _GATHERED_LAYOUTS:
        raise TypeError(
            f"{name} has layout {tensor.layout}, whose rows index_select cannot "
            "gather: pass tensor.to_sparse_coo() (sparse) or tensor.to_dense()."
        )
    if tensor.is_quantized and tensor.qscheme() not in _GATHERED_QSCHEMES:
        raise TypeError(
            f"{name} is quantized per channel ({tensor.qscheme()}), whose rows "
            "index_select cannot gather (it takes per-tensor quantization "
            "only): pass tensor.dequantize(), or quantize it per tensor "
            "(torch.quantize_per_tensor)."
        )


def _tensor_fix(value: Any) -> str:
    """How to pass ``value``, given to :class:`TensorBatchLoader` where a
    tensor belongs: unpacked when it holds the tensors (a list or tuple of
    them, a ``TensorDataset``), else converted."""
    if isinstance(value, (list, tuple)) and any(
        isinstance(item, torch.Tensor) for item in value
    ):
        return (
            "pass the tensors one by one, unpacked: "
            "TensorBatchLoader(*tensors, sampler=..., batch_size=...)."
        )
    if isinstance(getattr(value, "tensors", None), tuple):
        return (
            "pass the dataset's tensors, unpacked: "
            "TensorBatchLoader(*dataset.tensors, sampler=..., batch_size=...)."
        )
    return "pass torch tensors (torch.as_tensor(array))."


# Dtypes whose 1-D index_select torch lacks (on CPU), gathered through the
# signed dtype of the same width: the same bits, so the same values.
_SIGNED_VIEWS = {
    getattr(torch, unsigned): signed
    for unsigned, signed in (
        ("uint16", torch.int16),
        ("uint32", torch.int32),
        ("uint64", torch.int64),
    )
    if hasattr(torch, unsigned)  # torch < 2.3 has none of them
}


def _gather_rows(tensor: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """The rows ``index`` of ``tensor``, as ``tensor.index_select(0, index)``;
    for a strided uint16/uint32/uint64 tensor (``torch.from_numpy`` of such
    labels), gathered through its signed view."""
    signed = _SIGNED_VIEWS.get(tensor.dtype)
    if signed is None or tensor.layout != torch.strided:
        return tensor.index_select(0, index)
    return tensor.view(signed).index_select(0, index).view(tensor.dtype)


class TensorBatchLoader:
    """Rebalanced batches of in-memory tensors, gathered without a DataLoader.

    Each batch is ``tuple(t.index_select(0, batch) for t in tensors)`` for
    the next index tensor of :class:`IndexBatchSampler` ``(sampler,
    batch_size, drop_last=drop_last)``: the same rows, in the same order, as
    ``DataLoader(TensorDataset(*tensors), sampler=sampler,
    batch_size=batch_size, drop_last=drop_last)``, at the cost of one gather
    per tensor and batch instead of a Python call and a stack per row.

    Use it for data already in memory (tabular features, embeddings);
    datasets that read or decode each item (files, augmentation) keep the
    per-index sampler with a ``DataLoader`` and workers. No workers, no
    ``collate_fn``: the gather runs in the training process, on the
    tensors' device (CUDA tensors are gathered on the GPU).

    Parameters
    ----------
    *tensors : Tensor
        One or more tensors with one row per dataset row (same first
        dimension, the number of labels of ``sampler``), on any device, dense
        or sparse COO (not nested). They are read, never modified or copied.
    sampler : RebalanceSampler, HardExampleSampler, BalancedBatchSampler
        Gives the epochs, their order and the rank split. An
        :class:`IndexBatchSampler` built on one of them works too.
    batch_size : int, default=None
        Rows per batch; required unless ``sampler`` makes the batches (a
        ``BalancedBatchSampler`` or an ``IndexBatchSampler``).
    drop_last : bool, default=False
        Leave out the last, shorter batch of each epoch.

    Attributes
    ----------
    batches : IndexBatchSampler
        The index batches gathered.

    Notes
    -----
    ``len()`` is the number of batches per epoch and rank; :meth:`set_epoch`,
    :meth:`state_dict` and :meth:`load_state_dict` are the sampler's (the
    position counts rows, or batches with a ``BalancedBatchSampler``, as on
    the ``DataLoader`` path). The loader pickles with its tensors.

    Examples
    --------
    >>> import torch
    >>> from rebalance import RandomUnderSampler
    >>> from rebalance.torch import RebalanceSampler, TensorBatchLoader
    >>> y = torch.tensor([0] * 12 + [1] * 4)
    >>> X = torch.randn(16, 3, generator=torch.Generator().manual_seed(0))
    >>> sampler = RebalanceSampler(y, RandomUnderSampler(), seed=0)
    >>> loader = TensorBatchLoader(X, y, sampler=sampler, batch_size=4)
    >>> len(loader)  # 4 rows of each class per epoch
    2
    >>> for epoch in range(2):
    ...     loader.set_epoch(epoch)
    ...     for xb, yb in loader:
    ...         pass  # loss = criterion(model(xb), yb); ...
    >>> xb.shape, torch.cat([yb for _, yb in loader]).bincount().tolist()
    (torch.Size([4, 3]), [4, 4])
    """

    def __init__(
        self,
        *tensors: torch.Tensor,
        sampler: Any,
        batch_size: int | None = None,
        drop_last: bool = False,
    ):
        if not tensors:
            raise TypeError(
                "TensorBatchLoader needs at least one tensor: "
                "TensorBatchLoader(X, y, sampler=..., batch_size=...)."
            )
        drop_last = check_bool(drop_last, "drop_last")
        _check_loader_sampler(sampler)
        if isinstance(sampler, IndexBatchSampler):
            _own_batch_size(batch_size, sampler)
            if drop_last:
                raise ValueError(
                    "drop_last=True with an IndexBatchSampler: give drop_last to "
                    "the IndexBatchSampler instead."
                )
            if sampler.index_type != "tensor":
                raise ValueError(
                    f"The IndexBatchSampler has index_type={sampler.index_type!r}: "
                    "TensorBatchLoader gathers with index tensors, build it with "
                    "index_type='tensor' (the default)."
                )
            batches = sampler
        else:
            batches = IndexBatchSampler(sampler, batch_size, drop_last=drop_last)
        n_rows = _dataset_rows(batches.sampler)
        for position, tensor in enumerate(tensors):
            if not isinstance(tensor, torch.Tensor):
                raise TypeError(
                    f"tensors[{position}] is a {type(tensor).__name__}, not a "
                    f"Tensor: {_tensor_fix(tensor)}"
                )
            _check_gatherable(tensor, f"tensors[{position}]")
            if tensor.ndim == 0 or tensor.shape[0] != n_rows:
                raise ValueError(
                    f"tensors[{position}] has shape {tuple(tensor.shape)} but the "
                    f"sampler draws rows of a dataset of {n_rows} rows: pass "
                    "tensors with one row per label the sampler was built with."
                )
        self.tensors = tensors
        self.batches = batches

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        tensors = self.tensors
        for batch in self.batches:
            on_device: dict[torch.device, torch.Tensor] = {}
            gathered = []
            for tensor in tensors:
                index = on_device.get(tensor.device)
                if index is None:
                    index = batch.to(tensor.device, non_blocking=True)
                    on_device[tensor.device] = index
                gathered.append(_gather_rows(tensor, index))
            yield tuple(gathered)

    @property
    def sampler(self) -> Any:
        """The sampler giving the epochs (the one wrapped by :attr:`batches`)."""
        return self.batches.sampler

    @property
    def batch_size(self) -> int:
        """Rows per batch (the last one may be shorter unless ``drop_last``)."""
        return self.batches.batch_size

    @property
    def epoch(self) -> int:
        """The epoch the next iteration draws."""
        return self.batches.epoch

    def set_epoch(self, epoch: int) -> None:
        """Draw epoch ``epoch`` on the next iteration (the sampler's).

        Parameters
        ----------
        epoch : int
            The epoch number, >= 0, passed to the sampler's ``set_epoch``.
        """
        self.batches.set_epoch(epoch)

    def state_dict(self) -> dict[str, Any]:
        """Epoch, seed and position of the sampler.

        Returns
        -------
        dict
            The sampler's ``state_dict`` (``position`` counts rows handed
            out; batches with a ``BalancedBatchSampler``).
        """
        return self.batches.state_dict()

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Continue from a :meth:`state_dict`: the next iteration yields the rest.

        Parameters
        ----------
        state_dict : dict
            A dict returned by :meth:`state_dict` (or by the sampler's).
        """
        self.batches.load_state_dict(state_dict)
