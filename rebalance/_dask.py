"""Dask front end of the samplers: labels computed, rows gathered chunk by chunk.

:meth:`rebalance.base.BaseSampler.fit_resample` and ``fit`` hand their inputs
here when X, y or ``sample_weight`` is a Dask collection. Only the labels (and
``sample_weight``) are computed; the row indices come from the same
:meth:`~rebalance.base.BaseSampler.plan` and index generator as in memory, and
X is gathered partition by partition, never materialised.

Dask is imported inside the functions only: ``import rebalance`` never imports
it (the ``rebalance[dask]`` extra installs it).

Partitions
----------
Rows are numbered across X's partitions as Dask will actually compute them.
A DataFrame X is optimised once (``X.optimize()``) and its partitions taken
from that fixed graph, so the optimiser cannot merge or split them afterwards
(Parquet reads fuse files differently depending on the columns read: ``y =
df[target]`` may have fewer partitions than ``X = df[features]``). Their
lengths come from the reader's metadata where it has them (Parquet statistics,
pandas, for a whole read), otherwise (a filter, a selection of partitions such
as ``ddf.partitions[[1, 0]]``, files sorted by index, ...) from one pass that
counts each partition's rows. A Dask array's blocks are checked against its
declared chunks when gathered. Labels and weights are matched to X by
position, whatever their own partitioning (a Dask array is rechunked like X;
anything else is computed and split like X).

Dask labels and weights read from the same Parquet files as X in another file
order (separate ``dd.read_parquet`` calls: ``filesystem="arrow"`` lists the
files as the file system does, or sorted by index with
``calculate_divisions=True``, the default reader by name) are refused, from
the readers' plans (for a Dask array taken from a read, ``.values`` or
``.to_dask_array()``, X or the labels, from the read tasks of its graph),
before anything is computed: matched by position, every label would land on
a row of another file. Labels in files of their own are
matched by position; labels computed beforehand are checked through their
index (see ``from_pandas`` below), and a pandas Series named after a column
of X's Parquet files is refused when it holds that column in the order of
the files' names as text (``pd.read_parquet(folder)``, also with the read's
``filters=`` and whatever the Series' index) where Dask reads them in
another order.

Frames computed through a Dask shuffle (``sort_values``, ``set_index``,
``shuffle``, a hash ``merge``, ``drop_duplicates``, ...) can come in another
row order at each computation, and in different orders for X and y: their
rows are checked (X's index against the labels' when these are Dask frames,
or pandas ones next to a shuffled X, a digest of each of X's partitions when
it is gathered), and a mismatch is a ValueError that says to persist the frame
first, never a label on another row. A Dask array (or Delayed) computed from
such a frame (``.to_dask_array()``, ``.values``) has no index to check: it is
refused, with the same advice, as are labels and weights with no index (numpy,
lists, Dask arrays) next to a shuffled X (e.g. ``y = df[target].compute()``),
and shuffled Dask labels or weights next to a Dask array X.

``dd.from_pandas(frame)`` (``sort=True``, its default) sorts the rows of a
frame whose index is not sorted (e.g. from ``train_test_split``): labels taken
from that frame are not in the order of X's rows. Such inputs are checked the
same way (by index; refused without one), with the advice to sort both by
index, to pass the labels through ``dd.from_pandas`` too, or to use
``sort=False``. Where X's index has repeated values, rows of equal index
keep the order of the sorted frame, which the index cannot show: labels and
weights sorted apart (a selection of the rows sorted on its own, another
frame) are refused; those of X's own Dask frame, or of the whole frame
sorted as ``from_pandas`` sorts it, pass. Once X is persisted its graph no
longer says it was sorted: pandas labels or weights whose index is not
0..n-1 (not sorted, repeated, or of their own, sorted) are then checked
against X's index (read for it; also for X read from files, e.g. Parquet
files written with an unsorted index next to labels sorted by it), and
refused when they hold X's index in another order (also next to lazy labels
or weights that are checked by their own index), as are Dask frames of
labels held in memory (``dd.from_pandas(y, sort=False)``) with such an
index. Pandas inputs and Dask frames with the index 0..n-1 are refused, as
in memory, where X's index holds 0..n-1 in another order (``y.sort_index()``
next to ``dd.from_pandas(shuffled, sort=False)``, persisted or not, or a
Parquet read with such an index column; ``ddf["lab"]`` next to ``X =
ddf.map_partitions(f)`` where ``f`` reorders rows): X's index is read for
them where X is held in memory (and not columns of the labels' own frame)
or has an index of its own (named, or not a range), not for a read's fresh
index, unless X or the Dask labels or weights come through ``map_partitions``
(which may reorder each partition's rows): Dask frames are then checked
against X's index, a read's fresh index included (read in the pass that
counts X's rows). Next to an X that ``dd.from_pandas`` sorted to 0..n-1, pandas
inputs with the index 0..n-1 are refused: sorted, or in the unsorted
frame's order after ``reset_index(drop=True)``, the index cannot tell.
Numpy labels are unchecked. A Dask array X whose row blocks are the partitions of
the very ``from_pandas`` frame the Dask labels come from (``X, y =
ddf[features].to_dask_array(lengths=True), ddf[target]``: one graph source,
read from X's graph) is in their order: the labels and weights are then
checked against the index of X's rows as next to a DataFrame X; any other
array X next to such labels is refused (it has no index to check them
against). Next to an array X of ``from_pandas`` partitions, Dask frames in a
fixed order (another read of the rows, ``from_pandas(frame, sort=False)``)
and pandas ones (also ``ResampledClassifier``'s per-row fit parameters) are
refused when they hold the index of X's rows in another order; and labels or
weights that are Dask arrays of ``from_pandas`` partitions are checked by
the index of those partitions against X's.

Row order of the output
-----------------------
The rows are those of the in-memory draw for the same ``random_state``: the
multiset of rows, the rows per class and the sorted ``sample_indices_`` equal
the in-memory path's, and ``X_res`` is exactly ``X[sample_indices_]``. There is
one output partition per input partition holding a drawn row (fewer when a
small shuffled draw leaves some empty: those are dropped). The order:

* ``shuffle=False`` (under- and over-sampling): the drawn rows of input
  partition ``k`` form output partition ``k``, in the in-memory order, so the
  output equals the in-memory output row for row.
* Shuffled (the default; class-balanced and label shuffle always): output
  partitions are mixed across input partitions, in two stages as in Dask's own
  shuffle: the driver assigns every drawn row to an output partition, then
  puts each output partition's rows in random order; one task per output
  partition takes its rows from the input partitions. The assignment is
  stratified, so that every output partition holds the overall class mix (to
  within a row or two per class) even when the data is stored sorted by class:
  the input partitions are visited in a random order, split into up to
  ``_LANES`` lanes, and each class's drawn rows in each lane are dealt out to
  the output partitions in equal consecutive slices. Each output partition
  thus draws from a few randomly chosen input partitions per lane and class,
  and each input partition feeds a few consecutive output partitions, so
  computing the outputs in order holds only a few partitions' rows at a time
  (a uniformly random assignment would make every output depend on every input
  and hold the whole output in memory). With a single input partition the
  output equals the in-memory output row for row.

Rows of one input partition and class stay within a few neighbouring output
partitions: the output is not a uniform random permutation of the draw (which
would need every input for every output). Partitions are balanced in size
to within a row or two per class.

Index of DataFrame and Series outputs
-------------------------------------
As in memory, the source positions are in ``sample_indices_`` and the output
gets a fresh index: ``0 .. n_output - 1`` across partitions, with known
``divisions``, so ``X_res`` and ``y_res`` align.
"""

from __future__ import annotations

import os
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from rebalance._frames import (
    buffer_values,
    check_compressed,
    check_unique_columns,
    counts_rows,
    first_column,
    index_from_transform_output,
    is_dask,
    is_dataframe,
    is_pandas,
    is_series,
    reject_lazy,
    take_rows,
)
from rebalance._labels import (
    _not_an_array,
    as_classifier_target,
    encode_labels,
    label_array,
    label_values,
)
from rebalance._validation import (
    check_features,
    check_sample_weight,
    equal_arrays,
    not_two_dimensional,
)

# Drawn indices are processed this many at a time, so that the temporaries of
# the layout stay small next to the indices themselves.
_GROUP_BLOCK = 1 << 20
# Shuffled output: the input partitions (in random order) are cut into this
# many lanes, and every output partition takes rows from each lane. More lanes
# mix more input partitions into each output partition, at the cost of as
# many partitions' rows held while the outputs are computed.
_LANES = 2


def is_dask_input(*objects: Any) -> bool:
    """True if any of ``objects`` is a Dask collection (never imports dask)."""
    return any(is_dask(obj) for obj in objects)


def fit(sampler, X, y, sample_weight=None):
    """:meth:`BaseSampler.fit` for Dask inputs: computes the labels (and
    checks ``sample_weight`` as :meth:`BaseSampler.fit` does) only."""
    # Only the class counts are kept: the order of the rows does not matter.
    _prepare(sampler, X, y, sample_weight, check_order=False)
    return sampler


def fit_resample(sampler, X, y, *, sample_weight=None):
    """Resample Dask collections lazily: the labels are computed, X is not.

    Parameters
    ----------
    sampler : BaseSampler
        A rebalance sampler; ``sample_indices_``, ``sampling_strategy_``,
        ``n_features_in_`` and ``feature_names_in_`` are set on it.
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
        Rows to resample, gathered partition by partition.
    y : dask or in-memory array-like, Series or DataFrame of shape (n_samples,)
        Class labels; computed once to draw the indices. Matched to X's rows
        by position, whatever its partitioning.
    sample_weight : dask or in-memory array-like or Series, default=None
        Per-row weights, resampled with the rows.

    Returns
    -------
    X_resampled : same Dask type as X
    y_resampled : Dask collection
        A Dask array when y is an array or a list, a Dask Series (DataFrame)
        when y is a Series (DataFrame); partitioned like ``X_resampled``.
    sample_weight_resampled : Dask collection
        Only returned when ``sample_weight`` is given.

    Notes
    -----
    The rows, their count per class and the sorted ``sample_indices_`` equal
    the in-memory path's for the same ``random_state``, and ``X_resampled`` is
    ``X[sample_indices_]``. When the sampler shuffles (the default), output
    partitions mix the input partitions and each holds the overall class mix;
    with ``shuffle=False`` the output equals the in-memory output row for row
    (see the module docstring). ``sample_indices_`` is int32 where the row
    count allows, to halve the driver's memory.

    The labels (and ``sample_weight``) are computed in one ``dask.compute``,
    with a DataFrame X's partition lengths when its reader does not know them.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from rebalance import RandomUnderSampler
    >>> X = da.arange(40, chunks=10).reshape(20, 2)
    >>> y = np.array([0, 1, 0, 0] * 5)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> X_res  # lazy: nothing of X was computed
    dask.array<rebalance-take, shape=(10, 2), dtype=int64, chunksize=(...), ...>
    >>> [np.bincount(y_res.blocks[i].compute(), minlength=2).tolist()
    ...  for i in range(y_res.numblocks[0])]  # each partition: the overall mix
    [[2, 2], [1, 1], [2, 2]]
    """
    prepared = _prepare(sampler, X, y, sample_weight)
    plan = prepared.plan
    indices, rng = sampler._draw(plan)
    codes, n_classes = plan.labels.codes, plan.labels.n_classes
    classes, counts = np.asarray(plan.labels.classes), np.asarray(plan.labels.counts)
    # Only the label codes are needed from here: free the plan (and the rows
    # of each class it may have cached) before laying out the draw.
    prepared.plan = plan = None
    if getattr(sampler, "shuffle", True):
        layout = _Layout.mixed(indices, prepared.lengths, codes, n_classes, rng)
    else:
        layout = _Layout.grouped(indices, prepared.lengths)
    sampler.sample_indices_ = layout.rows
    # The labels drawn, as computed: ResampledClassifier reads them instead
    # of computing the lazy labels returned (and y) once more.
    sampler._drawn_labels = DrawnLabels(
        classes[counts > 0].tolist(), classes[codes[layout.rows]]
    )
    del indices, codes
    outputs = [layout.gather(prepared.X)]
    for value, computed in prepared.row_aligned:
        outputs.append(layout.gather(_aligned(value, computed, layout)))
    return tuple(outputs)


@dataclass
class DrawnLabels:
    """What a Dask draw computed of its labels: ``present``, the classes y
    holds (as Python values, an unused category left out), and ``drawn``,
    the labels of the rows drawn, in memory, in the output's order."""

    present: list
    drawn: np.ndarray


def computed_labels(y):
    """Dask labels (array, Series, DataFrame, Bag, Delayed) computed, and
    checked as :meth:`BaseSampler.fit_resample` checks them
    (:meth:`BaseSampler.plan` of Dask labels)."""
    y = _label_container(y)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Computing mixed collections")
        y = _compute_in_order({"y": y})["y"]
    _check_label_shape(y)
    return y


@dataclass
class _Prepared:
    plan: Any
    X: Any
    lengths: np.ndarray
    row_aligned: list


@dataclass
class _Frame:
    """A DataFrame or Series as fixed partitions (Delayed or pandas) and meta."""

    parts: list
    meta: Any
    lengths: np.ndarray | None = None
    expr: Any = None  # the optimised expression the parts come from
    # Digests of the parts' rows when they come from a shuffle (_rows_of).
    digests: list | None = None


def _prepare(sampler, X, y, sample_weight, *, check_order=True) -> _Prepared:
    """Check the inputs, compute labels and weights, and plan the draw.

    ``check_order``: when X, y or ``sample_weight`` is computed through a
    Dask shuffle, check that the rows can be matched to their labels (see
    :func:`_shuffled`).
    """
    from dask import delayed

    sampler._validate_params()
    sampler.__dict__.pop("sample_indices_", None)  # those of an earlier fit_resample
    _check_sampler(sampler)
    if y is None:
        raise ValueError(
            f"This {type(sampler).__name__} estimator requires y to be passed, but "
            "the target y is None. Pass the class labels as y."
        )
    kind = _check_features(X)
    y = _label_container(y)
    sources = {"y": y, "sample_weight": sample_weight}
    _refuse_lost_partitions({"X": X, **sources})
    if check_order:
        _refuse_shuffled_arrays({"X": X, **sources})
    to_compute: dict[str, Any] = {k: v for k, v in sources.items() if _is_dask(v)}
    lengths: np.ndarray | None
    # How X, or X and the frames among y and sample_weight, are reordered
    # (:func:`_shuffled`): "shuffle", "sort" or None.
    x_shuffled: str | None = None
    reordered: str | None = None
    X_index = None
    if check_order:
        _refuse_other_file_order(X, sources)
        _refuse_other_selection(X, sources)
        _refuse_name_ordered_columns(X, sources)
    if kind == "array":
        lengths = np.asarray(X.chunks[0], dtype=np.int64)
        source = X
        if check_order:
            # The index of X's rows where they are those of a frame among
            # y and sample_weight that from_pandas sorted: checked below.
            X_index = _refuse_reordered_frames(X, sources)
            if X_index is not None:
                reordered = "sort"
                _refuse_unindexed(sources, reordered)
            elif (
                _unsorted_pandas(sources)
                or _own_index_pandas(sources)
                or _positions_pandas(sources)
                or _lazy_indexed(sources)
            ):
                # Pandas inputs whose index is not sorted or not 0..n-1
                # (:func:`_own_index_pandas`), or Dask frames (and
                # arrays of from_pandas partitions) in a fixed order, next to
                # an X of from_pandas partitions (which may have sorted them):
                # those that hold the index of X's rows in another order are
                # refused, as next to a persisted DataFrame X.
                X_index = _from_pandas_index(X)
    else:
        source = _fixed_partitions(X)
        lengths = source.lengths
        if check_order:
            x_shuffled = _shuffled(source.expr, {})
            # "shuffle" when any is shuffled (a repeated index is refused).
            reordered = _shuffled(source.expr, sources)
        if x_shuffled:
            _refuse_unindexed(sources, x_shuffled)
        # In-memory labels or weights whose index is not sorted (e.g. from
        # train_test_split) next to an X in a fixed order: X's index is read
        # too, to refuse those that hold it in another order.
        # Likewise Dask arrays of from_pandas partitions (e.g. of another
        # from_pandas frame), whose index is read from their graph.
        # And pandas inputs with any other index than 0..n-1 (sorted, or
        # repeated): X's rows may hold it in another order (an X read from
        # Parquet files written with an unsorted index, next to labels sorted
        # by it). X's index is read for them, also from a lazy read (one
        # column, or in the pass that counts the rows where it is needed).
        # And Dask frames next to an X when either runs a function of the
        # user's on its partitions (map_partitions), which may reorder the
        # rows of each: X's index is read with its lengths (in the pass that
        # counts them, where they are counted), to refuse labels that hold
        # it in another order (a read's fresh index, restarting in each
        # file, included).
        unsorted = (
            check_order
            and not reordered
            and (
                _unsorted_pandas(sources)
                or any(_array_index(v) is not None for v in sources.values())
                or _own_index_pandas(sources)
                or (_positions_pandas(sources) and _indexed(X, source.expr))
                or _mapped_partitions(X, sources)
            )
        )
        if reordered or (unsorted and lengths is None):
            # Each partition's rows counted, with their index and a digest of
            # the partition, so that the order of the rows can be checked.
            # (No digest for rows sorted by from_pandas: a fixed order.)
            digest = reordered == "shuffle"
            to_compute["X-rows"] = [
                delayed(_rows_of)(part, digest) for part in source.parts
            ]
            lengths = None
        elif unsorted:
            to_compute["X-index"] = X.index
        elif lengths is None:
            # Counted on the fixed partitions themselves: each is computed and
            # dropped, and no later optimisation can partition X differently.
            to_compute["X-lengths"] = [delayed(len)(part) for part in source.parts]
    with warnings.catch_warnings():
        # Expressions computed with fixed graphs (X's partitions, Dask arrays)
        # are materialised: intended, X's partitioning is already fixed.
        warnings.filterwarnings("ignore", "Computing mixed collections")
        computed = _compute_in_order(to_compute)
    if "X-rows" in computed:
        counted = computed.pop("X-rows")
        lengths = np.asarray([n for n, _, _ in counted], dtype=np.int64)
        source.lengths = lengths
        if reordered == "shuffle":
            source.digests = [digest for _, _, digest in counted]
        X_index = counted[0][1].append([index for _, index, _ in counted[1:]])
    elif lengths is None:
        lengths = np.asarray(computed.pop("X-lengths"), dtype=np.int64)
        source.lengths = lengths
    if "X-index" in computed:
        X_index = computed.pop("X-index")
    if (
        check_order
        and kind != "array"
        and X_index is None
        and not reordered
        and _own_index_frames(
            {
                k: v
                for k, v in sources.items()
                if not (_same_read(X, v) or _same_frame(X, v))
            },
            computed,
            repeated=_held_in_memory(source.expr),
            positions=_indexed(X, source.expr),
        )
    ):
        # A Dask y or sample_weight frame with row labels of its own (e.g.
        # dd.from_pandas(y_train, sort=False), or persisted) next to an X
        # whose graph shows no sort (persisted, or another from_pandas):
        # matched by position, refused when it holds X's index in another
        # order, as a pandas one is. X's index is read for it (not for a
        # frame of X's own Parquet read, in X's order: no second read).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Computing mixed collections")
            X_index = _compute_in_order({"X-index": X.index})["X-index"]
    n_rows = int(lengths.sum())
    if n_rows == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={(0, _n_features(X))}) while a "
            "minimum of 1 is required: X is empty."
        )
    y_values = computed.get("y", y)
    if "y" in computed and not _is_frame(y_values):
        # A Bag's or Delayed's list read as in memory (_label_container).
        y_values = label_array(y_values, "y")
    _check_label_shape(y_values)
    n_labels = len(y_values)
    if n_labels != n_rows:
        raise ValueError(
            f"X has {n_rows} rows but y has {n_labels} labels: they must have the "
            "same length (one label per row)."
        )
    weight_values = computed.get("sample_weight", sample_weight)
    # As in memory: all-zero weights are refused too.
    from rebalance.base import _refuse_all_zero

    _refuse_all_zero(check_sample_weight(weight_values, n_rows))
    if X_index is not None:
        _check_index_order(
            sources,
            computed,
            X_index,
            reordered,
            x_shuffled,
            x_expr=source.expr if kind != "array" else None,
        )
    # y and the weights with each other, as in memory: pandas ones (given,
    # or computed from Dask frames) holding each other's index in another
    # order would be paired by position, silently (X's index, where read,
    # was compared above).
    check_paired(
        weight_values,
        "sample_weight",
        y_values,
        "y",
        f"{type(sampler).__name__}.fit_resample",
        lazy=_is_dask(sample_weight),
    )
    plan = sampler.plan(y_values, compact=True)
    # (On the copy BaseSampler._committed stores only once the call
    # returns: a refused refit keeps the last fit's attributes.)
    _set_feature_attributes(sampler, X)
    sampler.sampling_strategy_ = plan.sampling_strategy
    per_class = getattr(sampler, "_shrinkage_per_class", None)
    if per_class is not None:
        # RandomOverSampler's documented shrinkage_, as in memory (None: a
        # shrinkage was refused above).
        sampler.shrinkage_ = per_class(plan)
    row_aligned = [(y, y_values)]
    if sample_weight is not None:
        row_aligned.append((sample_weight, weight_values))
    return _Prepared(plan, source, lengths, row_aligned)


def _check_index_order(
    sources: dict, computed: dict, X_index, reordered, x_shuffled, x_expr=None
) -> None:
    """Refuse frames among ``sources`` whose rows are not in the order of X's
    (``X_index``, read in the computation the rows are drawn from).

    ``reordered``: how X or a frame among ``sources`` is reordered, and
    ``x_shuffled``: how X is (:func:`_shuffled`); ``computed``: the computed
    values of the Dask ones; ``x_expr``: X's optimised expression (a
    DataFrame X), which says which frames ``from_pandas`` sorted for it.
    """
    for name, value in sources.items():
        if not _is_frame(value):
            # No index to compare (a Dask array: refused above when it or
            # X is shuffled), unless a Dask array of from_pandas partitions
            # in a fixed order: the index of those partitions.
            index = _array_index(value) if reordered != "shuffle" else None
            if index is None:
                continue
            if not reordered:
                _refuse_reordered_index(name, index, X_index)
            elif not index.equals(X_index):
                # (An array of another from_pandas frame than X's.)
                raise ValueError(
                    _shuffle_message(
                        f"The rows of {name} came in another order than X's "
                        "(the index of its from_pandas partitions differs)",
                        reordered,
                    )
                )
            continue
        if _is_dask(value) and not reordered and not x_shuffled:
            # A Dask frame in a fixed order (e.g. another dd.from_pandas or
            # dd.read_parquet of the rows) is matched by position: refused
            # when it holds X's index in another order.
            _refuse_reordered_index(name, computed[name].index, X_index)
            continue
        if not (_is_dask(value) or x_shuffled):
            # In memory next to an X in a fixed order (persisted, also when
            # the other input is a lazy reordered frame): matched by
            # position, as in memory, unless it holds X's index in another
            # order.
            _refuse_reordered_index(name, value.index, X_index)
            continue
        if not reordered:
            continue  # a Dask frame in a fixed order: matched by position
        # A pandas y computed from X's shuffled frame beforehand came in
        # the order of that computation, which need not be X's: checked.
        index = computed[name].index if _is_dask(value) else value.index
        # (Rows sorted by from_pandas keep ties of a repeated index in the
        # order of their frame: equal indexes are the same order only where
        # X and the value were sorted together, _ties_in_order below.)
        if reordered == "shuffle" and not X_index.is_unique:
            raise ValueError(
                _shuffle_message(
                    f"The rows of {name} cannot be matched to X's: X's index "
                    "has repeated values",
                    reordered,
                )
            )
        if not index.equals(X_index):
            raise ValueError(
                _shuffle_message(
                    f"The rows of {name} came in another order than X's "
                    "(their index differs)",
                    reordered,
                )
            )
        if reordered == "shuffle" and list(index.names) != list(X_index.names):
            # One of them indexed by a column (set_index("id")) and the other
            # by its positions: equal values where the ids are row numbers
            # 0..n-1, though the rows of one were sorted by them.
            raise ValueError(
                _shuffle_message(
                    f"The rows of {name} cannot be matched to X's: their "
                    f"index is named {list(index.names)} and X's "
                    f"{list(X_index.names)} (one was indexed by a column, "
                    "set_index or sort_values, and the other not)",
                    reordered,
                )
            )
        if x_shuffled == "sort" and not _is_dask(value) and _counts_positions(index):
            # X's rows were sorted by from_pandas to 0..n-1: a pandas value
            # with that index may be sorted too, or in the unsorted frame's
            # order (frame[target].reset_index(drop=True)), which the index
            # cannot tell apart (refused in memory next to the unsorted X).
            raise ValueError(
                f"The rows of {name} cannot be matched to X's: "
                "dask.dataframe.from_pandas(frame) (sort=True, its default) "
                "sorted the rows of X by index to 0..n-1, and the index of "
                f"{name} is 0..n-1, as it is both sorted and in the unsorted "
                f"frame's order after {name}.reset_index(drop=True), which the "
                "index cannot tell apart. Sort the frame by its index before "
                "dd.from_pandas and take both from it (frame = "
                "frame.sort_index(); X, y = frame[features], frame[target]), "
                f"take X and {name} from one Dask frame (X, y = ddf[features], "
                "ddf[target]), or keep the frame's order with "
                "dd.from_pandas(frame, sort=False)."
            )
        if (
            reordered == "sort"
            and not X_index.is_unique
            and not _ties_in_order(value, x_expr, len(X_index))
        ):
            # Rows of equal index come in the order of the frame that was
            # sorted: a separate sort (of a selection of the rows, of
            # another frame) can put them in another order, which the index
            # cannot show.
            raise ValueError(
                f"The rows of {name} cannot be matched to X's: X's index has "
                "repeated values, and dask.dataframe.from_pandas(frame) (sort="
                f"True, its default) sorted the rows of X or {name} by index, "
                "rows of equal index in the order of its frame; X and "
                f"{name} were not sorted together (another frame, a selection "
                "of the rows sorted apart, or a persisted X), so rows of equal "
                "index could get each other's values, which the index cannot "
                f"show. Take X and {name} from one Dask frame "
                "(X, y = ddf[features], ddf[target]), sort the frame before "
                "from_pandas (frame = frame.sort_index(kind='stable')), keep "
                "its order with dd.from_pandas(frame, sort=False), or give it "
                "a unique index (frame.reset_index())."
            )


def check_row_order(X, inputs: dict) -> None:
    """Refuse in-memory per-row ``inputs`` (``{name: value}``) that are not
    in the order of a Dask DataFrame ``X``'s rows, as :func:`_prepare`
    refuses the sampler's own ``y`` and ``sample_weight``.

    For a caller that takes them by a sampler's ``sample_indices_`` (positions
    in X's rows as Dask computes them), e.g. the per-row fit parameters of
    :class:`rebalance.ResampledClassifier`; run before the sampler. Next to
    an X that ``dd.from_pandas`` sorted by index, inputs without an index
    are refused, and frames must hold X's index in X's order; next to an X
    computed through a Dask shuffle, whose rows can come in another order at
    each computation (the sampler's own among them), every input is refused
    (persist X first); next to an X in a fixed order, pandas inputs whose
    index is not 0..n-1 (not sorted, repeated, or of its own) are checked
    against X's index (read for it, also from files) as
    :func:`_refuse_reordered_index` does, and anything else is matched by
    position, as in memory; where X's index has repeated values and
    ``dd.from_pandas`` sorted X, inputs must be in the order of the whole
    sorted frame (:func:`_ties_in_order`). Next to a Dask
    array X whose row blocks are ``dd.from_pandas`` partitions, pandas inputs
    whose index is not sorted, or is not 0..n-1, are checked
    against the index of those
    partitions likewise (as the sampler checks ``y``). Nothing is checked
    for any other X (a Dask array has no index: matched by position, as the
    sampler matches y).
    """
    inputs = {name: value for name, value in inputs.items() if value is not None}
    if not inputs or not _is_dask(X):
        return
    _refuse_name_ordered_columns(X, inputs)
    if not _is_frame(X):
        if (
            _unsorted_pandas(inputs)
            or _own_index_pandas(inputs)
            or _positions_pandas(inputs)
        ):
            X_index = _from_pandas_index(X)
            if X_index is not None:
                _check_index_order(inputs, {}, X_index, None, None)
        return
    x_expr = getattr(_optimised(X), "expr", None)
    kind = _shuffled(x_expr, {})
    if kind:
        _refuse_unindexed(inputs, kind)
    if kind == "shuffle":
        name = next(iter(inputs))
        raise ValueError(
            _shuffle_message(
                f"The rows of {name} cannot be matched to X's: "
                f"{_REORDERED[kind].format('X')}, whose rows can come in another "
                f"order at each computation, and {name} is taken by the rows "
                "the sampler drew from its own computation of X"
            )
        )
    if (
        not kind
        and not _unsorted_pandas(inputs)
        and not _own_index_pandas(inputs)
        and not (_positions_pandas(inputs) and _indexed(X, x_expr))
    ):
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Computing mixed collections")
        X_index = _compute_in_order({"X-index": X.index})["X-index"]
    _check_index_order(inputs, {}, X_index, kind, kind, x_expr=x_expr)


def _sorting_frames(expr) -> list:
    """The pandas frames that ``dd.from_pandas`` sorts by index in the
    expression ``expr`` (:func:`_sorts_rows`), each once."""
    from_pandas = _from_pandas_kind()
    if expr is None or from_pandas is None or not hasattr(expr, "walk"):
        return []
    found: list = []
    for node in expr.walk():
        if isinstance(node, from_pandas) and _sorts_rows(node):
            frame = node.operand("frame")
            frame = getattr(frame, "_data", frame)
            if not any(frame is one for one in found):
                found.append(frame)
    return found


def _ties_in_order(value, x_expr, n_rows: int) -> bool:
    """Whether the rows of ``value`` (a frame whose index equals X's, which
    has repeated values) are in X's order also among rows of equal index,
    where ``from_pandas`` sorted X or ``value`` (``x_expr``: X's optimised
    expression).

    Yes when ``value`` comes from the same sorted frames as X (e.g.
    ``ddf[target]``), or when X is the whole of one sorted frame and
    ``value`` in memory (sorted as from_pandas sorts, or computed from X) or
    sorted from a frame with that frame's index in the same order. A
    separate sort of a selection of the rows (``frame[mask].sort_index()``
    next to ``dd.from_pandas(frame)[mask]``) can order ties otherwise.
    """
    x_sorted = _sorting_frames(x_expr)
    v_sorted = []
    if _is_dask(value) and getattr(value, "expr", None) is not None:
        v_sorted = _sorting_frames(value.expr.optimize(fuse=False))
    if not x_sorted:
        return not v_sorted
    if v_sorted and all(any(v is x for x in x_sorted) for v in v_sorted):
        return True
    if len(x_sorted) != 1 or len(x_sorted[0]) != n_rows:
        return False
    whole = x_sorted[0]
    return all(len(v) == n_rows and v.index.equals(whole.index) for v in v_sorted)


def _array_index(value):
    """The index of the rows of a Dask array (or None) computed from
    ``dd.from_pandas`` partitions (:func:`_from_pandas_index`), else None."""
    if not (_is_dask(value) and hasattr(value, "chunks")):
        return None
    if not _graph_runs(value, {"frompandas"}):
        return None
    return _from_pandas_index(value)


def _lazy_indexed(inputs: dict) -> bool:
    """Whether a Dask frame, or a Dask array of ``dd.from_pandas``
    partitions, is among ``inputs``: with an index to check against X's."""
    return any(
        _is_dask(value) and (_is_frame(value) or _graph_runs(value, {"frompandas"}))
        for value in inputs.values()
        if value is not None
    )


def _counts_positions(index) -> bool:
    """Whether the pandas ``index`` holds 0, 1, ..., n - 1 in order (of any
    index type): it says nothing of which rows are which."""
    import pandas as pd

    return bool(index.equals(pd.RangeIndex(len(index))))


def _own_index(index) -> bool:
    """Whether a pandas ``index`` labels rows of its own: unique, and not
    0..n-1 (row positions). (The index of a read_parquet or read_csv of
    several partitions restarts in each one, and a fresh frame's is 0..n-1:
    matched by position, for which X's index is not read.)"""

    return index.is_unique and not _counts_positions(index)


def _own_index_frames(
    inputs: dict, computed: dict, repeated: bool = False, positions: bool = False
) -> bool:
    """Whether a Dask frame among ``inputs``, computed (in ``computed``),
    has an index of its own (:func:`_own_index`), or any index other than
    0..n-1 where X (``repeated``: X held in memory, whose index is read
    without reading files) or the frame is held in memory (the user's
    labels through ``dd.from_pandas``, not a read of label files, whose
    index restarts in each file): a repeated index (``dd.from_pandas(y,
    sort=False)`` of labels whose index has repeated values, next to an X
    that ``dd.from_pandas`` sorted, then persisted) holds X's in another
    order as much as a unique one. ``positions``: X's index is worth
    reading for a frame with the index 0..n-1 too (:func:`_indexed`; e.g.
    ``ddf["lab"]`` next to ``X = ddf.map_partitions(f)``, where ``f``
    reorders the rows of each partition), as in memory."""

    def checked(value, index) -> bool:
        if _own_index(index):
            return True
        if _counts_positions(index):
            return positions
        return repeated or _held_in_memory(getattr(_optimised(value), "expr", None))

    return any(
        _is_dask(value) and _is_frame(value) and checked(value, computed[name].index)
        for name, value in inputs.items()
        if name in computed
    )


def _own_index_pandas(inputs: dict) -> bool:
    """Whether a pandas frame among ``inputs`` has an index other than
    0..n-1, repeated values included: checked against X's index (read
    for it, also from files: a sorted index next to X read from Parquet
    files written in another order of that index is as wrong as an unsorted
    one), where a repeated index (e.g. of ``from_pandas(frame, sort=False)``)
    in another order would pair rows with other rows of X as much as a
    unique one."""

    return any(
        _is_frame(value) and not _is_dask(value) and not _counts_positions(value.index)
        for value in inputs.values()
    )


def _positions_pandas(inputs: dict) -> bool:
    """Whether a pandas frame among ``inputs`` has the index 0..n-1: in
    memory, it is refused next to an X whose index holds 0..n-1 in another
    order (e.g. ``y.sort_index()`` next to the rows of a shuffled frame), so
    X's index is read for it where that is cheap or X has one
    (:func:`_indexed`)."""
    return any(
        _is_frame(value) and not _is_dask(value) and _counts_positions(value.index)
        for value in inputs.values()
    )


def _same_frame(X, value) -> bool:
    """Whether the Dask frames ``X`` and ``value`` are columns (selected or
    cast, nothing else) of one frame held in memory (the same
    ``dd.from_pandas`` frame, sorted alike, or one persisted frame): their
    rows are in the same order, so X's index need not be read for it."""
    if not (_is_frame(X) and _is_frame(value) and _is_dask(value)):
        return False
    plain = ("Projection", "AsType", "FromPandas", "FromGraph")
    from_pandas = _from_pandas_kind()

    def sources(frame):
        try:
            nodes = list(frame.expr.optimize(fuse=False).walk())
        except Exception:  # another Dask layout: checked
            return None
        if any(type(node).__name__ not in plain for node in nodes):
            return None
        found: set[tuple] = set()
        for node in nodes:
            if from_pandas is not None and isinstance(node, from_pandas):
                data = node.operand("frame")
                data = getattr(data, "_data", data)
                found.add(("frame", id(data), _sorts_rows(node)))
            elif type(node).__name__ == "FromGraph":
                found.add(("graph", node._name))
        return found or None

    mine = sources(X)
    if mine is not None and mine == sources(value):
        return True
    # Columns of one filtered frame (``f = ddf[ddf.a > 0]``; ``f[cols]``,
    # ``f["y"]``): the same rows, if the frame below the column selections
    # is one expression and only selects rows of frames held in memory by
    # element-wise conditions (no function of the user's).
    rows = _rows_expression(X)
    return rows is not None and rows == _rows_expression(value)


def _rows_expression(frame):
    """The name of the expression a Dask frame's columns are selected from
    (below projections, drops and casts), where that expression is a
    ``Filter`` whose nodes are all held in memory or element-wise without a
    function of the user's (:func:`_same_frame`); None otherwise."""
    try:
        from dask.dataframe.dask_expr._expr import Elemwise
    except ImportError:  # another Dask layout: not recognised
        return None
    from_pandas = _from_pandas_kind()
    expr = frame.expr
    while type(expr).__name__ in ("Projection", "Drop", "AsType", "ToFrame"):
        expr = expr.frame
    if type(expr).__name__ != "Filter":
        return None
    for node in expr.walk():
        kind = type(node).__name__
        if kind in ("Filter", "FromGraph") or (
            from_pandas is not None and isinstance(node, from_pandas)
        ):
            continue
        if not isinstance(node, Elemwise) or any(
            callable(operand) and not isinstance(operand, type)
            for operand in node.operands
        ):
            return None
    return expr._name


def _indexed(X, expr) -> bool:
    """Whether a Dask DataFrame X's index is worth reading for labels or
    weights with the index 0..n-1 (:func:`_positions_pandas`): X is held in
    memory (``dd.from_pandas``, persisted: nothing read), or has an index
    of its own (named, or not a range: e.g. a Parquet read with an index
    column). A read's fresh index (a range restarting in each file) cannot
    hold 0..n-1 in another order: not read for it."""
    import pandas as pd

    if _held_in_memory(expr):
        return True
    index = X._meta.index
    return index.name is not None or not isinstance(index, pd.RangeIndex)


def _mapped_partitions(X, inputs: dict) -> bool:
    """Whether a Dask frame among ``inputs`` (not columns of X's own frame)
    comes next to an X, or is one, computed through ``map_partitions``
    (or ``map_overlap``): a function of the user's, which may reorder the
    rows of each partition (``part.sort_values(...)``). Their index then
    says whether X's rows and theirs are in one order, also where it is a
    read's fresh index (a range restarting in each file, which no other
    check reads)."""
    frames = [
        value
        for value in inputs.values()
        if _is_dask(value) and _is_frame(value) and not _same_frame(X, value)
    ]
    if not frames:
        return False
    return any(_maps_partitions(frame) for frame in [X, *frames])


def _maps_partitions(frame) -> bool:
    """Whether the Dask ``frame`` runs a function of the user's on whole
    partitions."""
    try:
        nodes = frame.expr.optimize(fuse=False).walk()
        names = {type(node).__name__ for node in nodes}
    except Exception:  # another Dask layout: nothing to say
        return False
    return bool(names & {"MapPartitions", "MapOverlap"})


def _held_in_memory(expr) -> bool:
    """Whether every source of the optimised expression ``expr`` is data
    already in memory (persisted partitions, ``dd.from_pandas``): reading
    its index reads no file."""
    if expr is None or not hasattr(expr, "walk"):
        return False
    leaves = [node for node in expr.walk() if not node.dependencies()]
    return bool(leaves) and all(
        type(node).__name__ in ("FromGraph", "FromPandas") for node in leaves
    )


def _unsorted_pandas(inputs: dict) -> bool:
    """Whether a pandas frame among ``inputs`` has an index not sorted."""
    return any(
        _is_frame(value)
        and not _is_dask(value)
        and not value.index.is_monotonic_increasing
        for value in inputs.values()
    )


def reordered_index(index, X_index) -> bool:
    """Whether the pandas ``index`` holds ``X_index`` in another order (then
    matching by position pairs rows that the indexes say are not paired).
    An index of other values (a fresh one) is not. Values that do not sort
    (ints and strings mixed) are compared by their counts, as text next to a
    text index (Dask computes such an index as text).

    Examples
    --------
    >>> import pandas as pd
    >>> from rebalance._dask import reordered_index
    >>> reordered_index(pd.Index([2, 0, 1]), pd.Index([0, 1, 2]))
    True
    >>> reordered_index(pd.RangeIndex(3), pd.Index([10, 11, 12]))
    False
    """
    if len(index) != len(X_index) or index.equals(X_index):
        return False
    # Cheap answers first (every fit_resample of a frame and a Series with
    # other indexes asks): two sorted indexes that differ hold other values,
    # and so do integer indexes of other extremes.
    if index.is_monotonic_increasing and X_index.is_monotonic_increasing:
        return False
    if index.dtype.kind in "iu" and X_index.dtype.kind in "iu":
        if index.min() != X_index.min() or index.max() != X_index.max():
            return False
    try:
        return bool(index.sort_values().equals(X_index.sort_values()))
    except TypeError:
        pass
    # Values that do not sort (ints and strings in one object index, as
    # pd.concat of frames of both gives): compared by their counts. Dask
    # computes such an index as text (its convert-string option, on by
    # default, makes 0 "0"): next to a text index, compared as text.
    if "string" in (index.inferred_type, X_index.inferred_type):
        index, X_index = index.astype(str), X_index.astype(str)
        if np.array_equal(index.to_numpy(dtype=object), X_index.to_numpy(dtype=object)):
            return False
    return _same_values(index, X_index)


def _same_values(index, other) -> bool:
    """Whether two pandas indexes hold the same values as often, in any
    order (values that need not sort: compared by hashing)."""
    counts = index.value_counts(dropna=False)
    other_counts = other.value_counts(dropna=False)
    if len(counts) != len(other_counts):
        return False
    found = counts.reindex(other_counts.index).to_numpy(dtype=float, na_value=np.nan)
    return bool(np.array_equal(found, other_counts.to_numpy(dtype=float)))


def check_paired(
    values: Any,
    name: str,
    reference: Any,
    reference_name: str,
    function: str,
    lazy: bool = False,
) -> None:
    """A ValueError when pandas ``values`` (the argument ``name``) holds the
    index of pandas ``reference`` in another order.

    ``function`` pairs their rows by position, as scikit-learn does, so each
    value would go with another row, silently (e.g. labels or weights taken
    from a shuffled or sorted copy of the frame). An index of other values (a
    fresh ``RangeIndex``) is paired by position, as is anything that is not
    a pandas Series or DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from rebalance._dask import check_paired
    >>> y = pd.Series([0, 1, 1], index=[10, 11, 12])
    >>> check_paired(pd.Series([1.0, 2.0, 3.0]), "w", y, "y", "fit")  # fresh
    >>> check_paired(pd.Series([1.0, 2.0, 3.0], index=[12, 11, 10]), "w", y, "y", "fit")
    Traceback (most recent call last):
    ...
    ValueError: w holds the index of y in another order: fit pairs ...
    """
    if not all(
        is_pandas(v, "Series") or is_pandas(v, "DataFrame") for v in (values, reference)
    ):
        return
    if reordered_index(values.index, reference.index):
        fresh = counts_rows(reference.index)
        # (``lazy``: ``values`` were computed from a Dask collection, whose
        # .loc would not take a pandas index)
        source = f"{name}.compute()" if lazy else name
        # An index 0 .. n - 1 may be a transformer's fresh one (a Pipeline's
        # set_output(transform="pandas")): then .loc would mislabel rows.
        hint = (
            f" {reference_name}'s index is 0 .. n - 1, as a transformer's "
            "pandas output gives it (set_output(transform='pandas') on a "
            f"Pipeline or a step): its rows are then in {name}'s order, and "
            f"{name}.reset_index(drop=True) is the fix, not .loc."
            if fresh
            else ""
        )
        raise ValueError(
            f"{name} holds the index of {reference_name} in another order: "
            f"{function} pairs the rows of {reference_name} and {name} by "
            f"position, so each value of {name} would go with another row. Pass "
            f"{source}.loc[{reference_name}.index] (the values of "
            f"{reference_name}'s rows), or {name}.reset_index(drop=True) and "
            f"{reference_name}.reset_index(drop=True) if they are already in "
            f"the same order.{hint}"
        )


def check_paired_rows(X, y, function: str) -> None:
    """A ValueError when pandas ``y`` holds the index of a pandas ``X`` in
    another order, for an in-memory ``function`` that pairs the rows of X
    and y by position (as scikit-learn does): every label would go with
    another row's features, without an error (:func:`check_paired`). Not
    against the fresh index a transformer gave X under scikit-learn's
    ``transform_output='pandas'``
    (:func:`~rebalance._frames.index_from_transform_output`), which says
    nothing of the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from rebalance._dask import check_paired_rows
    >>> X = pd.DataFrame({"a": [1, 2, 3]})
    >>> check_paired_rows(X, pd.Series([0, 1, 0]), "compare")  # a fresh index
    >>> check_paired_rows(X, pd.Series([0, 1, 0], index=[2, 1, 0]), "compare")
    Traceback (most recent call last):
    ...
    ValueError: y holds the index of X in another order: compare pairs ...
    """
    if _indexed_rows(X):
        check_paired(y, "y", X, "X", function)


def _indexed_rows(X) -> bool:
    """Whether X's pandas index names its rows: a DataFrame's (not one a
    transformer's pandas output made), or a Series' (one text a row)."""
    if is_pandas(X, "Series"):
        return True
    return is_pandas(X, "DataFrame") and not index_from_transform_output(X)


def check_paired_weights(X, y, sample_weight, function: str) -> None:
    """:func:`check_paired` of a pandas ``sample_weight`` against a pandas X,
    and against a pandas y (with an array X, e.g.).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rebalance._dask import check_paired_weights
    >>> y = pd.Series([0, 1, 0], index=[5, 6, 7])
    >>> w = pd.Series([1.0, 2.0, 3.0], index=[7, 6, 5])
    >>> check_paired_weights(np.zeros((3, 1)), y, w, "fit")
    Traceback (most recent call last):
    ...
    ValueError: sample_weight holds the index of y in another order: fit ...
    """
    check_paired_params(X, y, {"sample_weight": sample_weight}, function)


def check_paired_params(X, y, params: dict, function: str) -> None:
    """:func:`check_paired` of every pandas value of ``params`` (fit
    parameters by name: ``sample_weight``, ``groups``, any routed per-row
    metadata) against a pandas X, and against a pandas y; a separate data
    set (``X_val``, ``eval_set``, ...) or a value per feature is not paired.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rebalance._dask import check_paired_params
    >>> X = pd.DataFrame({"a": [1, 2, 3]}, index=[5, 6, 7])
    >>> groups = pd.Series([0, 1, 1], index=[7, 6, 5])
    >>> check_paired_params(X, np.zeros(3), {"groups": groups}, "fit")
    Traceback (most recent call last):
    ...
    ValueError: groups holds the index of X in another order: fit pairs ...
    """
    from rebalance._metadata import _never_per_row  # (imports this module)

    indexed = _indexed_rows(X)
    for name, values in params.items():
        if _never_per_row(name):
            # A separate data set (X_val, eval_set, ...) or one value per
            # feature: never paired with X's rows, whatever its index.
            continue
        if indexed:
            check_paired(values, name, X, "X", function)
        check_paired(values, name, y, "y", function)


def check_scored_rows(X, y, sample_weight, function: str) -> tuple[Any, Any]:
    """:func:`check_paired_rows` of y and :func:`check_paired_params` of a
    ``sample_weight`` (when given) for a ``score`` method, which pairs
    them with X's rows by position as ``fit`` does (a pandas y or weight
    holding X's index in another order would score every row against
    another row's label or weight, without an error)."""
    check_paired_rows(X, y, function)
    if sample_weight is not None:
        check_paired_params(X, y, {"sample_weight": sample_weight}, function)
    # The labels and weights as fit checks them: a missing label (None, NaN,
    # NA, masked, a datasets ClassLabel's -1) is no class to score against,
    # and a negative, masked or all-zero weight no weight.
    labels, _, _ = encode_labels(y, name="y")
    if sample_weight is not None:
        from rebalance.base import _refuse_all_zero

        _refuse_all_zero(check_sample_weight(sample_weight, labels.n_samples, "y"))
    # Returned as the score reads them: labels and weights the samplers read
    # (a memoryview, an array.array, an object column of ints) that
    # scikit-learn's metrics refuse, as numpy arrays.
    return as_classifier_target(y), buffer_values(sample_weight, matrix=True)


def _refuse_reordered_index(name: str, index, X_index) -> None:
    """Refuse in-memory ``name`` whose index holds X's, in another order.

    Matched by position, as in memory, its rows would be X's rows in another
    order: e.g. X from ``dd.from_pandas(frame)``, which sorts a frame whose
    index is not sorted, then persisted (nothing in its graph says it was
    sorted), with ``name`` from the unsorted frame; or ``name`` read with
    ``pd.read_parquet``, which orders the files by name (``part.10`` before
    ``part.2``), where Dask orders them naturally. An index that is not a
    reordering of X's (a fresh index) is matched by position.
    """
    if reordered_index(index, X_index) and _counts_positions(index):
        # Sorting or resetting would not help: the index is 0..n-1 already.
        raise ValueError(
            f"The index of {name} is 0..n-1 and X's index holds 0..n-1 in "
            f"another order: matched by position, the rows of {name} would "
            f"be paired with other rows of X (e.g. {name}.sort_index() next "
            "to X from dask.dataframe.from_pandas(frame, sort=False) of a "
            "shuffled frame, or read from Parquet files written with that "
            "index; or X's rows reordered by map_partitions or a selection of "
            f"partitions). Pass {name} with the index of its rows (frame[target], "
            "then checked against X's), take X and "
            f"{name} from one Dask frame (X, y = ddf[features], ddf[target]), "
            f"or pass X.reset_index(drop=True) if {name} is in X's row order."
        )
    if reordered_index(index, X_index):
        # Sorting by a repeated index does not restore X's order among rows
        # of equal index (they keep the order of the frame sorted): then not
        # advised.
        sort = (
            f"Sort {name} by its index ({name}.sort_index()) if X is sorted, take"
            if X_index.is_unique
            else f"X's index has repeated values: sorting {name} by it cannot "
            "restore X's order among rows of equal index. Take"
        )
        raise ValueError(
            f"The index of {name} holds X's index in another order: matched by "
            f"position, the rows of {name} would be paired with other rows of "
            "X (e.g. X from dask.dataframe.from_pandas(frame), which sorts a "
            "frame whose index is not sorted, such as one from "
            f"train_test_split, with {name} from the unsorted frame; or {name} "
            "read with pandas.read_parquet, which reads part.10.parquet before "
            "part.2.parquet, Dask after part.9; or the rows of X or "
            f"{name} reordered by map_partitions: take both from its result, "
            "frame = ddf.map_partitions(f); X, y = frame[features], "
            f"frame[target]). {sort} X "
            f"and {name} from one Dask read, or pass "
            f"{name}.reset_index(drop=True) if it is in X's row order."
        )


def _fixed_partitions(X) -> _Frame:
    """X's partitions as one optimised, fixed graph, with known lengths if any.

    Dask-expr optimises a DataFrame for each computation, and how it
    partitions a read can depend on what is computed from it (e.g. Parquet
    files are fused into fewer partitions when few columns are read).
    Optimising once and taking the partitions of that graph pins them: the
    lengths below and the gather see the same partitions.
    """
    X = _optimised(X)
    parts = list(X.to_delayed(optimize_graph=False))
    expr = getattr(X, "expr", None)
    return _Frame(parts, X._meta, _known_lengths(expr, len(parts)), expr)


def _optimised(X):
    """``X.optimize()`` (dask-expr), or X where Dask has no such method."""
    optimise = getattr(X, "optimize", None)
    return X if optimise is None else optimise()


def _shuffled(expr, sources: dict) -> str | None:
    """How X (``expr``, optimised) or a Dask frame among ``sources`` (y,
    ``sample_weight``) is computed in another row order than its source:
    ``"shuffle"`` through a Dask shuffle, ``"sort"`` from a pandas frame
    that ``from_pandas`` sorts by index, or None.

    The rows of a shuffle (``sort_values``, ``set_index``, ``shuffle``, a hash
    ``merge``, ``drop_duplicates``, ``groupby(...).transform``, ...) come in
    an order that can change from one computation to the next (the pieces of
    each output partition are joined as they arrive, ties of a sort are not
    ordered), and differ for X and y when they read different columns.
    ``dd.from_pandas(frame)`` (``sort=True``, its default) sorts the rows of a
    frame whose index is not sorted (e.g. from ``train_test_split``): labels
    taken from ``frame`` are then in another order than X's rows. The labels
    are computed before X is gathered: such inputs are checked (their index,
    and a digest of X's partitions when they are gathered), so that a label
    never silently lands on another row. Persisted data pass unchecked.
    """
    exprs = [expr] + [
        value.expr.optimize(fuse=False)
        for value in sources.values()
        if _is_frame(value) and getattr(value, "expr", None) is not None
    ]
    found = [_reordering(one) for one in exprs if one is not None]
    for kind in ("shuffle", "sort"):
        if kind in found:
            return kind
    return None


def _reordering(expr) -> str | None:
    """``"shuffle"``, ``"sort"`` or None for one expression (:func:`_shuffled`)."""
    kinds = _shuffle_kinds()
    from_pandas = _from_pandas_kind()
    found = None
    for node in expr.walk():
        if kinds and isinstance(node, kinds):
            return "shuffle"
        if from_pandas is not None and isinstance(node, from_pandas):
            if _sorts_rows(node):
                found = "sort"
    return found


def _from_pandas_kind():
    """The expression class of ``dd.from_pandas``, or None (another layout)."""
    return _expr_class("io.io", "FromPandas")


def _sorts_rows(node) -> bool:
    """Whether a ``from_pandas`` expression sorts its frame's rows by index."""
    try:
        if not node.operand("sort"):
            return False
        frame = node.operand("frame")
        frame = getattr(frame, "_data", frame)  # Dask wraps the pandas frame
        return not frame.index.is_monotonic_increasing
    except Exception:  # pragma: no cover (another Dask layout: not checked)
        return False


def _refuse_lost_partitions(inputs: dict) -> None:
    """Refuse Dask DataFrames and Series among ``inputs`` whose persisted
    graph lacks partitions they name (Dask issue 12488: ``persist()`` of a
    column selection of a multi-file ``read_parquet`` keeps the fewer,
    fused partitions, but the divisions of the unfused ones), before any work:
    every computation of them fails, with Dask's "Missing dependency" or a
    concatenation error that names neither the input nor the fix.
    """
    for name, value in inputs.items():
        expr = getattr(value, "expr", None) if _is_frame(value) else None
        if expr is None or not hasattr(expr, "walk"):
            continue
        for node in expr.walk():
            if type(node).__name__ != "FromGraph":
                continue
            # Its partitions (from its divisions) are read from its keys in
            # turn: fewer keys than partitions leave the last ones unread.
            layer, keys = node.operand("layer"), node.operand("keys")
            n_parts = len(node.operand("divisions")) - 1
            if len(keys) != n_parts or any(key not in layer for key in keys):
                raise ValueError(
                    f"{name} is a persisted Dask {type(value).__name__} whose "
                    "graph has lost some of its partitions (Dask issue 12488: "
                    "persist() of a column selection of a read_parquet; "
                    f"{name}.compute() fails too). Persist the whole frame "
                    "read, then select the columns (frame.persist()[columns]), "
                    "or do not persist it."
                )


def _refuse_shuffled_arrays(inputs: dict) -> None:
    """Refuse Dask arrays (and Delayed) among ``inputs`` computed through a
    DataFrame shuffle (e.g. ``df.shuffle(key)[target].to_dask_array()``).

    Their rows come in an order that can change at each computation, and
    differently for X and y (:func:`_shuffled`), and unlike a DataFrame's
    they have no index to check the order against: a label could land on
    another row, silently. Persisted data pass (their graph holds no shuffle).
    """
    for name, value in inputs.items():
        if value is None or _is_frame(value) or not _is_dask(value):
            continue  # DataFrames are checked by their index (_shuffled)
        if _graph_shuffles(value):
            raise ValueError(
                _shuffle_message(
                    f"The rows of {name} (a Dask {type(value).__name__}) cannot "
                    "be matched to their labels: it is computed from a Dask "
                    "DataFrame through a shuffle, and has no index to check the "
                    "order of its rows against"
                )
            )


def _refuse_unindexed(inputs: dict, kind: str) -> None:
    """Refuse labels and weights with no index (arrays, lists, Delayed)
    for an X computed in another order than its source (:func:`_shuffled`).

    Labels computed beforehand, or read apart from X, are in another order
    than X's rows, and without an index the rows cannot be checked against
    X's. (DataFrames and Series are checked by index.)
    """
    for name, value in inputs.items():
        if value is None or _is_frame(value):
            continue
        if kind == "sort" and _is_dask(value) and _graph_runs(value, {"frompandas"}):
            # An array taken from a frame that from_pandas sorted (e.g. from
            # X's, ddf[target].to_dask_array()): in the sorted order, as X.
            continue
        raise ValueError(
            _shuffle_message(
                f"The rows of {name} (a {type(value).__name__}) cannot be matched "
                f"to X's: {_REORDERED[kind].format('X')}, and {name} has no "
                "index to check the order of X's rows against",
                kind,
            )
        )


def _refuse_reordered_frames(X, inputs: dict):
    """Refuse Dask frames among ``inputs`` computed in another order than
    their source (:func:`_shuffled`) next to a Dask array ``X``, which has no
    index to check their rows against.

    Except a frame that ``from_pandas`` sorted, of which X's rows are
    (:func:`_from_pandas_index`, e.g. ``X, y =
    ddf[features].to_dask_array(lengths=True), ddf[target]``): returned is
    then the index of X's rows, against which the frames' (computed) index is
    checked, as next to a DataFrame X; otherwise None.
    """
    X_index = None
    for name, value in inputs.items():
        if not (_is_frame(value) and _is_dask(value)):
            continue
        kind = _shuffled(None, {name: value})
        if kind == "sort":
            index = _from_pandas_index(X, value)
            if index is not None and (X_index is None or index.equals(X_index)):
                X_index = index
                continue
        if kind:
            raise ValueError(
                _shuffle_message(
                    f"The rows of {name} cannot be matched to X's: "
                    f"{_REORDERED[kind].format(name)}, and X (a Dask array) has "
                    f"no index to check the order of {name}'s rows against",
                    kind,
                )
            )
    return X_index


def _from_pandas_index(X, frame=None):
    """The index of a Dask array ``X``'s rows when each of its row blocks is
    computed from one ``dd.from_pandas`` partition, of the block's length
    (:func:`_traced`), else None.

    With a Dask ``frame``, those partitions must also have the index of
    ``frame``'s partitions of the same rank (X and ``frame`` taken from one
    ``from_pandas`` frame), and the index must be unique: rows of a repeated
    index could be in another order within it (another frame). The frame's
    rows are then checked by their computed index against the one returned.
    """
    import pandas as pd
    from dask.utils import key_split

    def part(node):
        # A from_pandas partition: its data in the graph, under the key of
        # the from_pandas expression.
        if type(node).__name__ != "DataNode" or not isinstance(node.key, tuple):
            return None
        if key_split(node.key) != "frompandas":
            return None
        value = node.value
        return value if isinstance(value, (pd.DataFrame, pd.Series)) else None

    blocks = _traced(X, part)
    parts = None if frame is None else _traced(frame, part)
    if not blocks or (
        frame is not None and (parts is None or len(parts) != len(blocks))
    ):
        return None
    indexes = []
    for i, (block, n_rows) in enumerate(zip(blocks, X.chunks[0])):
        if len(block) != 1 or len(block[0]) != n_rows:
            return None
        if parts is not None and not (
            len(parts[i]) == 1 and block[0].index.equals(parts[i][0].index)
        ):
            return None
        indexes.append(block[0].index)
    index = indexes[0].append(indexes[1:])
    return index if frame is None or index.is_unique else None


def _traced(collection, pick) -> list | None:
    """What ``pick`` finds in the graph of each of a Dask ``collection``'s
    partitions (row blocks of an array), in order, or None (another Dask
    layout).

    For each partition, the nodes its task (an array's first column block)
    is computed from are visited depth first, in the order of their
    arguments (the order in which Dask joins the pieces of a partition):
    ``pick(node)`` of each, where it is not None, is listed, and nothing
    under it is visited. A node reached from an earlier partition is not
    visited again.
    """
    try:
        from dask._task_spec import (
            Alias,
            DataNode,
            Task,
            TaskRef,
            _execute_subgraph,
            convert_legacy_graph,
        )

        graph = convert_legacy_graph(dict(collection.__dask_graph__()))
        starts = []
        for key in collection.__dask_keys__():
            while isinstance(key, list):
                key = key[0]
            starts.append(key)
        seen: set = set()
        found = []
        for start in starts:
            picked: list = []
            todo: list = [(TaskRef(start), (graph,))]
            while todo:
                node, scopes = todo.pop()
                if isinstance(node, (TaskRef, Alias)):
                    key = node.key if isinstance(node, TaskRef) else node.target
                    key = getattr(key, "key", key)  # Dask 2024.12: a TaskRef
                    if key in seen:
                        continue
                    seen.add(key)
                    scope = next((one for one in scopes if key in one), None)
                    if scope is not None:
                        todo.append((scope[key], scopes))
                    continue
                value = pick(node)
                if value is not None:
                    picked.append(value)
                    continue
                if isinstance(node, Task) and node.func is _execute_subgraph:
                    # Fused tasks: their inner graph (its references to
                    # the outer keys, the dependencies, are resolved there).
                    inner, out = node.args[0], node.args[1]
                    children: Any = [TaskRef(out)]
                    scopes = (inner, *scopes)
                elif isinstance(node, Task):
                    children = [*node.args, *node.kwargs.values()]
                elif isinstance(node, DataNode):
                    children = [node.value]
                elif isinstance(node, (list, tuple)):
                    children = node
                elif isinstance(node, dict):
                    children = list(node.values())
                else:
                    continue
                todo.extend((child, scopes) for child in reversed(children))
            found.append(picked)
        return found
    except Exception:  # another Dask layout: not traced
        return None


# Other expressions that select rows, and the operands that say which.
_SELECTION_OPERANDS = {
    "Partitions": ("partitions",),
    "Head": ("n", "npartitions"),
    "BlockwiseHead": ("n",),
    "Tail": ("n",),
    "BlockwiseTail": ("n",),
    "Query": ("_expr", "expr_kwargs"),
    "Sample": ("state_data", "frac", "replace"),
}


def _selection_key(node) -> tuple | None:
    """What a Dask expression that selects rows selects, as a comparable key;
    None for one that keeps every row (a column selection, a cast, ...).

    A mask (``ddf[mask]``, ``ddf.loc[mask]``) is compared by its optimised
    expression (:func:`_expression_key`): the same mask has the same key
    whichever columns it was built on or are taken after it, and on reads of
    one folder written two ways. Other selections by their operands.
    """
    from dask.base import tokenize

    kind = type(node).__name__
    parameters = getattr(node, "_parameters", ())
    if kind == "Filter" or "iindexer" in parameters:  # ddf[mask], any ddf.loc
        which = node.operand("predicate" if kind == "Filter" else "iindexer")
        if hasattr(which, "optimize"):
            return ("mask", _expression_key(which.optimize(fuse=False)))
        return ("loc", tokenize(which))
    if kind == "DropnaFrame":  # the rows with no missing value in its columns
        subset = node.operand("subset")
        columns = node.operand("frame").columns if subset is None else subset
        columns = sorted(map(repr, [columns] if isinstance(columns, str) else columns))
        how, thresh = node.operand("how"), node.operand("thresh")
        if not isinstance(thresh, (int, np.integer)):
            thresh = None  # (None or a no-default marker)
        if thresh is None and how != "all":
            how = "any"  # dropna()'s default, however given
        return (kind, tokenize(how, columns, thresh))
    if kind == "DropnaSeries":
        return (kind, tokenize(node.operand("frame").name))
    operands = _SELECTION_OPERANDS.get(kind)
    if operands is None:
        return None
    return (kind, tokenize(*(node.operand(name) for name in operands)))


def _expression_key(expr, memo: dict | None = None) -> str:
    """A token of a Dask expression's structure in which every Parquet read
    is keyed by its dataset's files (:func:`_normal_read`), normalised
    ``filters``, partitions and index: the same mask on reads of ``dir``,
    ``dir/``, a symlink, a ``file://`` URL, a glob or the list of its files
    gets one key, where the expressions' names, which hold the path as
    written, differ. A fused read is keyed by the read it holds."""
    from dask.base import tokenize

    memo = {} if memo is None else memo
    if expr._name in memo:
        return memo[expr._name]
    kind = type(expr).__name__
    if kind.startswith("Fused") and "_expr" in expr._parameters:
        key = _expression_key(expr.operand("_expr"), memo)
    elif kind.startswith("ReadParquet") or _is_source(expr):
        # A source by what decides its rows (_source_key): a Parquet read by
        # its dataset, row filters and partitions, not how it is spelled (a
        # URL, a glob, the list of its files), the reader, its columns, its
        # index (Dask masks a frame by a Series of its columns) or how its
        # files are split into partitions.
        key = tokenize(_source_key(expr, split=False))
    else:
        parts = []
        # Every operand: those past the named parameters too (Assign keeps
        # the names and values of its columns there).
        names = list(expr._parameters)
        for i, value in enumerate(expr.operands):
            name = names[i] if i < len(names) else i
            if name == "_dataset_info_cache":
                continue
            if hasattr(value, "_parameters") and hasattr(value, "operands"):
                value = _expression_key(value, memo)
            parts.append((name, value))
        key = tokenize(kind, parts)
    memo[expr._name] = key
    return key


def _normal_filters(filters) -> str:
    """A Parquet read's ``filters`` in one form: disjunctive normal form
    (``[(...)]`` is ``[[(...)]]``), numbers as floats (``0`` is ``0.0``)."""
    if not filters:
        return "None"
    if isinstance(filters[0], tuple):
        filters = [filters]

    def value(v):
        is_number = isinstance(v, (int, float, np.integer, np.floating))
        return float(v) if is_number and not isinstance(v, bool) else v

    return repr(
        [[(col, op, value(v)) for col, op, v in conjunction] for conjunction in filters]
    )


def _normal_path(path) -> str:
    """A Parquet read's ``path`` in one form: ``dir`` is ``dir/``,
    ``pathlib.Path(dir)``, ``file:///abs/dir``, a relative path to it or a
    symlink to it; a glob is the sorted list of the files it matches, and a
    list of files in its sorted normalised form."""

    def normal(one) -> str:
        one = os.fspath(one)
        if one.startswith("file://"):  # a local URL: its path
            from urllib.parse import unquote, urlparse

            one = unquote(urlparse(one).path)
        elif "://" in one:  # another URL: as written, tidied
            return os.path.normpath(one)
        return os.path.realpath(os.path.expanduser(one))  # symlinks, ~, ./

    if isinstance(path, (str, os.PathLike)) and any(c in str(path) for c in "*?["):
        import glob

        matched = glob.glob(normal(path))
        if matched:
            path = matched
    if isinstance(path, (list, tuple)):
        return repr(sorted(normal(p) for p in path))
    return repr(normal(path))


def _dataset_files(read) -> tuple | None:
    """The files of the Parquet dataset a read reads, before its ``filters``
    and partitions prune them, as ``(file system, sorted normalised paths)``
    (local files by their real path); None where its reader does not say.
    The same dataset read as a folder, a URL, a glob or the list of its files
    has one, whichever rows each read keeps."""
    try:
        info = read._dataset_info
        if "all_files" in info:  # filesystem="arrow"
            names = [one.path for one in info["all_files"]]
            where = getattr(read.fs, "type_name", type(read.fs).__name__)
        else:  # the default (fsspec) reader
            names = list(getattr(info.get("ds"), "files", None) or ())
            where = getattr(info.get("fs"), "protocol", None)
            if isinstance(where, (list, tuple)):
                where = where[0]
        if not names or not all(isinstance(name, str) for name in names):
            return None
        local = where in ("file", "local")
        return (
            "local" if local else str(where),
            tuple(sorted(os.path.realpath(n) if local else n for n in names)),
        )
    except Exception:  # another Dask layout: its path instead
        return None


def _normal_read(read) -> str:
    """Which dataset a Parquet read reads, in one form: its files
    (:func:`_dataset_files`), else its normalised path (:func:`_normal_path`)."""
    files = _dataset_files(read)
    return repr(files) if files is not None else _normal_path(read.operand("path"))


def _same_data(X, value, mine: tuple, theirs: tuple) -> bool:
    """Whether two frames' rows come from one source (:func:`_row_selection`):
    the same source key, or Parquet reads of one dataset (files in common: a
    folder beside a list of some of its files, a glob matching some)."""
    if mine[0] == theirs[0]:
        return True
    x_sources, sources = _source_set(mine[0]), _source_set(theirs[0])
    if x_sources & sources:
        return True  # a source in common (one of a dd.concat's)
    if set(_unsplit_sources(X)) & set(_unsplit_sources(value)):
        return True  # dd.from_pandas(df) with other npartitions or chunksize
    datasets = {_read_dataset(k) for k in x_sources} - {None}
    if datasets & {_read_dataset(k) for k in sources}:
        # One Parquet dataset read with other filters or partitions.
        return True
    x_dataset, dataset = _dataset_files_of(X), _dataset_files_of(value)
    if x_dataset is not None and dataset is not None:
        return bool(set(x_dataset) & set(dataset))
    x_files, files = _files_read(X), _files_read(value)
    if not (x_files and files):
        return False
    return bool({_normal_path(f) for f in x_files} & {_normal_path(f) for f in files})


def _source_set(key) -> frozenset:
    """The source keys of a :func:`_row_selection` source: one, or several."""
    return frozenset(key) if isinstance(key, _Sources) else frozenset([key])


def _unsplit_sources(frame) -> tuple:
    """The keys of ``frame``'s sources whatever their partitions
    (:func:`_source_key` with ``split=False``), in the order its expression
    names them; empty for another layout."""
    try:
        keys = (_source_key(n, split=False) for n in frame.expr.walk() if _is_source(n))
        return tuple(dict.fromkeys(keys))
    except Exception:  # another Dask layout
        return ()


# Selections whose rows depend on how the source is split into partitions.
_BY_PARTITION = frozenset(
    {"Partitions", "Head", "BlockwiseHead", "Tail", "BlockwiseTail", "Sample"}
)


def _split_otherwise(X, value, mine: tuple, theirs: tuple) -> bool:
    """Whether two frames hold the same rows of the same sources split into
    other partitions (``dd.from_pandas(df, npartitions=2)`` beside
    ``npartitions=3``): the same selections, none of them by partition."""
    if mine[1] != theirs[1] or any(key[0] in _BY_PARTITION for key in mine[1]):
        return False
    sources = _unsplit_sources(X)
    return bool(sources) and sources == _unsplit_sources(value)


def _is_read_key(key) -> bool:
    """Whether a :func:`_source_key` is a Parquet read's (its dataset,
    ``filters`` and partitions, three strings) rather than ``(kind, token)``."""
    return isinstance(key, tuple) and len(key) == 3


def _read_dataset(key):
    """The dataset of a Parquet read's source key; None for other sources."""
    return key[0] if _is_read_key(key) else None


def _dataset_files_of(frame) -> tuple | None:
    """:func:`_dataset_files` of the one Parquet read of ``frame``'s rows
    (its paths with their file system), or None."""
    read = _parquet_read(frame)
    files = None if read is None else _dataset_files(read)
    return None if files is None else tuple((files[0], f) for f in files[1])


def _is_source(node) -> bool:
    """Whether a Dask expression reads its rows from no other expression (a
    read, ``from_pandas``, ``from_map``, ``from_delayed``, ...)."""
    return not any(
        hasattr(value, "_parameters") and hasattr(value, "operands")
        for value in node.operands
    )


# Operands of a source that choose its columns, not its rows.
_COLUMN_OPERANDS = frozenset({"columns", "_series", "_dataset_info_cache"})
# Operands of a source that split its rows into partitions, in their order:
# a per-partition selection (sample, .partitions[...]) depends on them.
_PARTITION_OPERANDS = frozenset({"npartitions", "chunksize", "_pd_length_stats"})


class _Sources(tuple):
    """The source keys of a frame whose rows come from several sources
    (``dd.concat``), in the order its expression names them: concatenated
    in another order, its rows are others."""


def _source_key(node, *, split: bool = True) -> tuple:
    """Which rows a source expression gives, as a comparable key: a Parquet
    read by its dataset's files, ``filters`` and partitions; any other by its
    kind and its operands but those choosing columns, with an in-memory
    object (the pandas frame of ``from_pandas``, an array, a function) by its
    identity (the inputs of one call are alive together). ``split=False``
    leaves out how its rows are split into partitions (``npartitions``,
    ``chunksize``): the same rows in the same order, on which a selection by
    partition differs."""
    kind = type(node).__name__
    if kind.startswith("ReadParquet"):
        return (
            _normal_read(node),
            _normal_filters(node.operand("filters")),
            repr(node.operand("_partitions")),
        )
    from dask.base import tokenize

    parts: list[tuple] = []
    names = list(node._parameters)
    for i, value in enumerate(node.operands):
        name = names[i] if i < len(names) else i
        if name in _COLUMN_OPERANDS or (not split and name in _PARTITION_OPERANDS):
            continue
        if type(value).__name__ == "_BackendData":
            # from_pandas' frame, wrapped anew by each call: by its content's
            # token (computed for the expression's name already).
            parts.append((name, "data", value._token))
        elif isinstance(value, (str, bytes, int, float, bool, type(None))):
            parts.append((name, value))
        elif isinstance(value, (list, tuple)) and all(
            isinstance(v, (str, int, float, bool, type(None))) for v in value
        ):
            parts.append((name, tuple(value)))
        else:
            parts.append((name, "id", id(value)))
    return (kind, tokenize(parts))


def _row_selection(frame) -> tuple | None:
    """Which rows of one source a Dask frame holds: the source (a Parquet
    read's dataset, ``filters`` and partitions; another source by
    :func:`_source_key`) and the row selections on top of it (masks,
    ``loc``, ``query``, ``sample``, ``.partitions[...]``, ``head``,
    ``tail``); None when its rows come from more than one source (or
    another Dask layout)."""
    try:
        nodes = list(frame.expr.walk())
        sources = [n for n in nodes if _is_source(n)]
        read_nodes = [n for n in sources if type(n).__name__.startswith("ReadParquet")]
        reads = list(dict.fromkeys(_source_key(n) for n in sources))
        # One read, or reads of one dataset spelled two ways (a mask of
        # dd.read_parquet("dir") on dd.read_parquet("dir/")); rows of
        # several sources (dd.concat, a mask of another frame) by the
        # sources in their order.
        if not reads:
            return None
        # The index labels a loc selects depend on the read's index (a
        # column, or each file's own positions): by the names it gives the
        # index (index="id" is index=["id"], None is False without a pandas
        # index in the files).
        index = tuple(sorted({repr(list(n._meta.index.names)) for n in read_nodes}))
        chosen = {
            (*key, index) if key[0] == "loc" else key
            for key in map(_selection_key, nodes)
            if key is not None
        }
        source = reads[0] if len(reads) == 1 else _Sources(reads)
        return (source, frozenset(chosen))
    except Exception:  # another Dask layout: not checked here
        return None


def _refuse_other_selection(X, inputs: dict) -> None:
    """Refuse Dask frames among ``inputs`` (y, ``sample_weight``) that hold
    other rows of the source X is read from (a Parquet dataset, the pandas
    frame of ``dd.from_pandas``, a ``dd.read_csv``, ...: :func:`_source_key`):
    another ``filters=``,
    another mask (``ddf[ddf.a > 0]`` beside ``ddf[ddf.b > 0]``), ``loc``,
    ``query``, ``sample``, other partitions. Matched to X's rows by
    position, their lengths may agree (and the fresh index of each file
    too), and every label would land on another row, silently. A selection
    written two ways (a ``query`` beside the same mask) cannot be told from
    another one: refused too, and the message says to select the rows once."""
    if _is_dask(X) and not _is_frame(X):
        # A Dask array X: which rows it holds cannot be told; beside a frame
        # holding a selection of rows (maybe another), refused.
        for name, value in inputs.items():
            if _is_dask(value) and _is_frame(value):
                theirs = _row_selection(value)
                if theirs is not None:
                    _refuse_untraced_rows("X", theirs, beside=name)
        return
    mine = _row_selection(X) if _is_frame(X) else None
    if mine is None:
        return
    for name, value in inputs.items():
        if not _is_dask(value):
            continue
        if not _is_frame(value):
            _refuse_untraced_rows(name, mine)
            continue
        theirs = _row_selection(value)
        if theirs is None or theirs == mine or _split_otherwise(X, value, mine, theirs):
            continue
        if not _same_data(X, value, mine, theirs):
            continue
        column = "target" if name == "y" else "weight_column"
        # (a Parquet read's key: its files, filters and partitions)
        source = "Parquet data" if _is_read_key(mine[0]) else "data"
        raise ValueError(
            f"{name} holds other rows of the {source} X is read from "
            "(another filters=, mask, loc, query, sample, dropna or selection "
            "of partitions, or the same selection written another way): matched "
            f"by position, its rows would be paired with other rows of X. Take X "
            f"and {name} from one selection: rows = ddf[mask] (or one "
            f"dd.read_parquet(..., filters=...)), then X = rows[features] and "
            f"{name} = rows[{column}]."
        )


def _refuse_untraced_rows(name: str, selection: tuple, beside: str = "X") -> None:
    """Refuse a Dask array ``name`` (X, y, ``sample_weight``) beside a Dask
    frame ``beside`` holding a selection of its source's rows
    (``selection``: :func:`_row_selection`): the array's graph no longer
    says which rows it holds (``ddf[other_mask]["y"].to_dask_array()`` has
    the frame's length as often as not), and matched by position its rows
    could be other rows'."""
    if not selection[1]:
        return  # every row of its source: other rows differ in length
    column = {"y": "target", "X": "features"}.get(name, "weight_column")
    raise ValueError(
        f"{name} is a Dask array beside a Dask DataFrame {beside} that holds a "
        "selection of rows (a mask, loc, query, sample, dropna or partitions): "
        f"which rows {name} holds cannot be told from an array, and matched by "
        "position they could be other rows'. Take both from one selection as "
        f"frames: rows = ddf[mask], then X = rows[features] and y = "
        f"rows[target] (Dask frames and Series), or compute {name} first "
        f"({name} = rows[{column}] as a frame or Series)."
    )


def check_same_selection(X, y, sample_weight=None) -> None:
    """Refuse a Dask y or ``sample_weight`` holding other rows of the Parquet
    data a Dask X is read from (:func:`_refuse_other_selection`), for the
    estimators that pair them by position outside a sampler's draw."""
    if _is_dask(X):
        inputs = {"y": y, "sample_weight": sample_weight}
        _refuse_other_selection(X, {k: v for k, v in inputs.items() if v is not None})


def _refuse_other_file_order(X, inputs: dict) -> None:
    """Refuse Dask frames and arrays among ``inputs`` (y, ``sample_weight``)
    read from the same Parquet files as X (a frame or an array) in another
    file order.

    Labels are matched to X's rows by position. Separate ``dd.read_parquet``
    calls of one folder can list its files in different orders: the reader of
    ``filesystem="arrow"`` reads them in the order the file system lists them,
    or sorted by index with ``calculate_divisions=True``, the default reader
    by name. The lengths then agree, and every label would land on a row of
    another file, silently. Checked on the readers' plans, or the graph of a
    Dask array taken from a read (``.values``, ``.to_dask_array()``), nothing
    computed; inputs that share no file with X (labels in files of their
    own) are matched by position as before.
    """
    if not any(_is_dask(value) for value in inputs.values()):
        return
    x_files = _files_read(X)
    if not x_files:
        return
    for name, value in inputs.items():
        if not _is_dask(value):
            continue
        files = _files_read(value)
        if not files:
            continue
        common = set(x_files) & set(files)
        if _in_order(x_files, common) != _in_order(files, common):
            raise ValueError(
                f"{name} reads the same Parquet files as X, in another order "
                "(separate dd.read_parquet calls: filesystem='arrow' lists the "
                "files as the file system does, or sorts them by index with "
                "calculate_divisions=True, the default reader by name; or "
                "another selection of partitions), so the rows of "
                f"{name} would be matched to rows of other files. Take X and "
                f"{name} from one read (ddf = dd.read_parquet(...); X, y = "
                "ddf[features], ddf[target], then .to_dask_array() for "
                "arrays), or read them with the same filesystem= and "
                "calculate_divisions= options."
            )


def _refuse_name_ordered_columns(X, inputs: dict) -> None:
    """Refuse a pandas Series among ``inputs`` (y, ``sample_weight``), of any
    index, that holds a column of X's Parquet files in the order of their
    names as text, where X reads them in another order.

    ``pandas.read_parquet(folder)`` reads ``part.10.parquet`` before
    ``part.2.parquet``, ``dd.read_parquet`` after ``part.9``: ``y =
    pd.read_parquet(folder)[target]`` next to ``X = dd.read_parquet(folder)``
    has X's length and an index that says nothing, and matched by position
    every row of the later files would get another row's value, silently.
    Checked only where the two orders differ, X is the whole of one read
    (columns selected or cast, no rows left out but by the read's
    ``filters``, applied to the column as the read applies them; also the
    index of ``pd.read_parquet``, e.g. next to X read with ``index=False``,
    says nothing of X's rows) of local files, and the
    Series is named after a column of the files, which is read for it: the
    Series is refused when it holds that column in the order of the names
    and not in X's order (anything else is matched by position, as before).
    """
    import pandas as pd

    # Any index: one of the Series' own (pd.read_parquet's index column,
    # next to X read with index=False) says nothing of X's rows either.
    named = {
        name: value
        for name, value in inputs.items()
        if isinstance(value, pd.Series)
        and not _is_dask(value)
        and isinstance(value.name, str)
    }
    if not named or not _is_frame(X) or not _only_read(X):
        return
    paths = _files_read(X)
    if not paths:
        return
    try:
        # The read's row filters, applied to the column as Dask applies them
        # (pd.read_parquet(folder, filters=...) next to the same filters).
        filters = _parquet_read(X).operand("filters")
    except Exception:  # another Dask layout: not checked
        return
    order = _in_order(paths, set(paths))
    by_name = sorted(order)
    if len(set(order)) != len(order) or order == by_name:
        return  # a file read in two places, or one order for both readers
    for name, value in named.items():
        pieces = _column_of_files(order, value.name, filters)
        if pieces is None:
            continue
        in_x = np.concatenate([pieces[path] for path in order])
        in_names = np.concatenate([pieces[path] for path in by_name])
        if in_x.shape[0] != len(value):
            continue
        given = value.to_numpy()
        if _same_column(given, in_names) and not _same_column(given, in_x):
            raise ValueError(
                f"{name} holds the column {value.name!r} of X's Parquet files "
                "in the order of their names as text (part.10 before part.2, "
                "as pandas.read_parquet(folder) reads them), but X reads "
                "them in another order (dask.dataframe.read_parquet: part.2 "
                f"before part.10): matched by position, the rows of {name} "
                "would be paired with rows of other files. Take X and "
                f"{name} from one Dask read (ddf = dd.read_parquet(folder); "
                f"X, y = ddf[features], ddf[{value.name!r}]), or compute "
                f"{name} from it (ddf[{value.name!r}].compute())."
            )


def _column_of_files(paths: list, column: str, filters=None) -> dict | None:
    """``{path: values of column}`` of the local Parquet files ``paths`` (the
    rows that pass ``filters``, a read's row filters), or None where one
    cannot be read (not local, no such column, filters on columns that are
    not in the files)."""
    try:
        import pyarrow.parquet as pq

        return {
            path: pq.read_table(path, columns=[column], filters=filters or None)
            .column(0)
            .to_numpy()
            for path in paths
        }
    except Exception:  # not a local file, no such column: not checked
        return None


def _same_column(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two columns hold the same values (NaN equal to NaN;
    :func:`~rebalance._validation.equal_arrays`); values that cannot be
    compared are not the same."""
    try:
        return equal_arrays(a, b)
    except Exception:  # values that cannot be compared
        return False


def _in_order(files: list, keep: set) -> list:
    """``files`` restricted to ``keep``, consecutive repeats dropped."""
    kept: list = []
    for path in files:
        if path in keep and (not kept or kept[-1] != path):
            kept.append(path)
    return kept


def _files_read(collection) -> list | None:
    """The Parquet files a Dask frame's rows come from, in the order of its
    partitions (one entry per partition or piece), or None: not a single
    Parquet read, another Dask layout, or any failure (not checked).

    For a Dask array (or another collection with no expression), the files
    of the reads in its graph, in the order of its row blocks
    (:func:`_traced`): an array taken from a frame keeps its graph only.
    """
    if not _is_frame(collection):
        if not any("parquet" in name for name in _graph_names(collection)):
            return None  # no read (or persisted): nothing to trace
        blocks = _traced(collection, _parquet_piece)
        paths = [path for block in blocks or [] for path in block]
        return paths or None
    read = _parquet_read(collection)
    try:
        return None if read is None else _read_paths(read)
    except Exception:  # another Dask layout: not checked
        return None


def _parquet_read(collection):
    """The one Parquet read (expression) a Dask frame's rows come from, or
    None: not a single Parquet read, another Dask layout, or any failure."""
    expr = getattr(collection, "expr", None)
    read_kind = _expr_class("io.parquet", "ReadParquet")
    fused_kind = _expr_class("io.io", "FusedIO")
    if expr is None or read_kind is None:
        return None
    _import_distributed_first()  # the arrow reader may compute its statistics
    try:
        todo, reads, seen = [expr.optimize(fuse=False)], [], set()
        while todo:
            node = todo.pop()
            if node._name in seen:
                continue
            seen.add(node._name)
            if fused_kind is not None and isinstance(node, fused_kind):
                todo.append(node.operand("_expr"))
            elif isinstance(node, read_kind):
                reads.append(node)
            todo.extend(node.dependencies())
        return reads[0] if len(reads) == 1 else None
    except Exception:  # another Dask layout: not checked
        return None


def _only_read(collection) -> bool:
    """Whether a Dask frame is a Parquet read and nothing that could
    reorder its rows (only column selections and casts)."""
    fused_kind = _expr_class("io.io", "FusedIO")
    try:
        todo, seen = [collection.expr.optimize(fuse=False)], set()
        while todo:
            node = todo.pop()
            if node._name in seen:
                continue
            seen.add(node._name)
            name = type(node).__name__
            if not name.startswith("ReadParquet") and name not in (
                "FusedIO",
                "FusedParquetIO",
                "Projection",
                "AsType",
            ):
                return False
            if fused_kind is not None and isinstance(node, fused_kind):
                todo.append(node.operand("_expr"))
            todo.extend(node.dependencies())
        return True
    except Exception:  # another Dask layout: checked
        return False


def _same_read(X, value) -> bool:
    """Whether the Dask frames ``X`` and ``value`` read the same Parquet
    files in the same order, with the same filters, and nothing else (e.g.
    ``ddf[features]`` and ``ddf[target]`` of one ``dd.read_parquet``, or
    two reads with the same options): their rows are in the same order, so
    ``value``'s index need not be checked against X's (which would read
    the files again)."""
    if not (_is_frame(X) and _is_frame(value)):
        return False
    if not (_only_read(X) and _only_read(value)):
        return False  # e.g. map_partitions, which may reorder rows: checked
    reads = [_parquet_read(X), _parquet_read(value)]
    if any(read is None for read in reads):
        return False
    try:
        files = [_read_paths(read) for read in reads]
        filters = [repr(read.operand("filters")) for read in reads]
    except Exception:  # another Dask layout: checked
        return False
    return bool(files[0]) and files[0] == files[1] and filters[0] == filters[1]


def _read_paths(read) -> list:
    """The files of a Parquet read's partitions, in the order it reads them."""
    if hasattr(read, "fragments"):  # filesystem="arrow" (sorted by index)
        pieces = list(read.fragments)
    else:  # the default reader: a dict or a list of dicts a partition
        pieces = list(read._plan["parts"])
    if read._filtered:  # a selection of partitions, in its order
        pieces = [pieces[i] for i in read._partitions]
    return [
        _piece_path(one)
        for piece in pieces
        for one in (piece if isinstance(piece, list) else [piece])
    ]


def _piece_path(piece) -> str:
    """The file of one piece of a Parquet read (TypeError: not a file)."""
    one = getattr(piece, "data", piece)
    if isinstance(one, dict):
        one = one["piece"]
    if isinstance(one, tuple):
        one = one[0]
    path = getattr(one, "path", one)
    if not isinstance(path, str):
        raise TypeError(f"not a path: {type(path).__name__}")
    return path.split("://", 1)[-1].replace("\\", "/")


def _parquet_piece(node) -> str | None:
    """The file of ``node`` if it is the piece a Parquet read task reads
    (the default reader's ``{"piece": (path, ...)}``, the arrow reader's
    fragments), else None (:func:`_traced`)."""
    if isinstance(node, dict) and "piece" in node:
        return _piece_path(node)
    if type(node).__name__ == "FragmentWrapper":  # filesystem="arrow"
        return _piece_path(node.fragment)
    kind = type(node)
    if kind.__module__.startswith("pyarrow") and kind.__name__.endswith("Fragment"):
        return _piece_path(node)
    return None


def _expr_class(module: str, name: str):
    """A Dask DataFrame expression class of ``dask.dataframe.dask_expr``
    (Dask 2025.1 on) or of the separate ``dask_expr`` package (Dask 2024.x),
    or None (another layout)."""
    import importlib

    for package in ("dask.dataframe.dask_expr", "dask_expr"):
        try:
            return getattr(importlib.import_module(f"{package}.{module}"), name)
        except (ImportError, AttributeError):
            continue
    return None  # pragma: no cover (another Dask layout)


def _shuffle_kinds() -> tuple:
    """The expression classes of a Dask DataFrame shuffle and hash join, or
    ``()`` for a Dask without them (:func:`_expr_class`)."""
    kinds = (
        _expr_class("_shuffle", "ShuffleBase"),
        _expr_class("_merge", "HashJoinP2P"),
    )
    if None in kinds:  # pragma: no cover (another Dask layout)
        return ()
    return kinds


def _shuffle_names() -> frozenset:
    """Key names of the tasks that end a Dask DataFrame shuffle or hash join."""
    from dask.utils import funcname

    kinds = _shuffle_kinds()
    if not kinds:  # pragma: no cover (another Dask layout: not checked)
        return frozenset()
    names, todo = set(), list(kinds)
    while todo:
        kind = todo.pop()
        names.add(funcname(kind).lower())  # as an expression names its keys
        todo.extend(kind.__subclasses__())
    # "shuffle" alone is also dask.array's (deterministic) Array.shuffle; the
    # abstract Shuffle is always lowered to one of its named subclasses.
    names.discard("shuffle")
    return frozenset(names)


def _graph_shuffles(collection) -> bool:
    """Whether the graph of a Dask collection runs a DataFrame shuffle."""
    return _graph_runs(collection, _shuffle_names())


def _graph_runs(collection, names) -> bool:
    """Whether the graph of a Dask collection has a task named in ``names``
    (as :func:`dask.utils.key_split` names them)."""
    return any(name in names for name in _graph_names(collection))


def _graph_names(collection):
    """The names of the tasks in the graph of a Dask collection (as
    :func:`dask.utils.key_split` names them), each once, lazily."""
    from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
    from dask.utils import key_split

    graph = collection.__dask_graph__()
    if isinstance(graph, HighLevelGraph):
        # A frame turned into an array is a materialised layer holding the
        # frame's tasks; other layers (blockwise, ...) are named as their keys.
        layers = graph.layers
        keys: Any = [
            key
            for layer_name, layer in layers.items()
            for key in (layer if isinstance(layer, MaterializedLayer) else [layer_name])
        ]
    else:
        keys = graph.keys()
    seen = set()
    for key in keys:
        name = key[0] if isinstance(key, tuple) else key
        if name in seen:
            continue
        seen.add(name)
        if isinstance(name, str):
            yield key_split(name)


def _rows_of(part, digest=True) -> tuple:
    """A partition's row count, index and digest (:func:`_digest`, or None)."""
    return len(part), part.index, _digest(part) if digest else None


def _digest(part) -> bytes:
    """A digest of a partition's rows, in their order."""
    import hashlib

    from pandas.util import hash_pandas_object

    digest = hashlib.blake2b(digest_size=16)
    try:
        hashed = hash_pandas_object(part, index=True)
    except (TypeError, ValueError):
        # Cells that cannot be hashed (lists, arrays, dicts: Parquet list
        # columns): the index and every column that can be. The index alone
        # would miss rows swapped under a repeated index (read_parquet's
        # index restarts at 0 in each file).
        digest.update(hash_pandas_object(part.index).to_numpy().tobytes())
        for i in range(part.shape[1]):
            try:
                column = hash_pandas_object(part.iloc[:, i], index=False)
            except (TypeError, ValueError):
                continue
            digest.update(column.to_numpy().tobytes())
        return digest.digest()
    digest.update(hashed.to_numpy().tobytes())
    return digest.digest()


_REORDERED = {
    "shuffle": "{} is computed through a Dask shuffle",
    "sort": "{} is from a pandas frame whose rows dask.dataframe.from_pandas "
    "sorted by index",
}


def _shuffle_message(problem: str, kind: str = "shuffle") -> str:
    if kind == "sort":
        return (
            f"{problem}: dask.dataframe.from_pandas(frame) (sort=True, its "
            "default) sorts the rows of a frame whose index is not sorted (e.g. "
            "one from train_test_split), so labels and weights taken from that "
            "frame are not in the order of X's rows. Sort the frame by its index "
            "before taking X and y from it (X, y = X.sort_index(), "
            "y.sort_index()), pass y and sample_weight through "
            "dd.from_pandas as well, or keep the order with "
            "dd.from_pandas(frame, sort=False)."
        )
    return (
        f"{problem}: X, y or sample_weight is computed through a Dask shuffle "
        "(sort_values, set_index, shuffle, a merge, drop_duplicates, "
        "groupby(...).transform, ...), which can order its rows differently at "
        "each computation, and differently for X and y when they read "
        "different columns, so the labels would not stay with their rows. "
        "Persist the frame before taking X and y from it (df = df.persist(); "
        "X, y = df[features], df[target]), or write it to Parquet and read it "
        "back."
    )


def _known_lengths(expr, n_parts: int) -> np.ndarray | None:
    """The partitions' lengths where the reader knows them unread, else None.

    Readers that know them (Parquet statistics, pandas) expose them on the
    optimised expression through Dask's private ``_get_lengths``. They are
    right only for a whole read: for a selection of partitions
    (``ddf.partitions[[1, 0]]``), Dask 2026.8 gives them in file order, not in
    the selection's (and Parquet's reader applies the selection twice). The
    reader of ``filesystem="arrow"`` also gives them in file order when it
    sorts its files by index (``calculate_divisions=True``). Anything but a
    read known not to be a selection or sorted is counted instead (None).
    """
    known = getattr(expr, "_get_lengths", None)
    if known is None or getattr(expr, "_filtered", True) is not False:
        return None
    _import_distributed_first()
    try:
        sort = getattr(expr, "_fragment_sort_index", None)
        if sort is not None and sort() is not None:
            return None  # files read in another order than listed
        found = known()
    except Exception:  # any failure: count the rows instead
        return None
    if found is None or len(found) != n_parts:
        return None
    return np.asarray(found, dtype=np.int64)


def _import_distributed_first() -> None:
    """Import ``distributed`` (if installed) as the first ``dask.compute`` would.

    ``dask.compute`` imports ``distributed`` to look for a client, also with a
    scheduler configured (Dask 2026.8's ``get_scheduler`` checks that it is
    available first). The Parquet reader of ``filesystem="arrow"`` reads its
    statistics (``_get_lengths``, the order of its files) with a
    ``dask.compute`` inside ``dask.config.set({"distributed...": ...})``: were
    that the first import of ``distributed``, leaving the ``config.set`` would
    drop all of distributed's configuration, and every later computation in
    the process would fail with ``KeyError: 'distributed'``.
    """
    import sys

    if "distributed" in sys.modules:
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        pass


def _check_sampler(sampler) -> None:
    # The sampler says what it needs beyond the labels (e.g. statistics of X).
    problem = sampler._dask_unsupported()
    if problem is not None:
        raise ValueError(problem)


def _is_dask(obj) -> bool:
    return is_dask_input(obj)


def _is_frame(obj) -> bool:
    """True for pandas and Dask DataFrames and Series (checked without imports).

    Dask's are in ``dask.dataframe`` (``dask_expr._collection`` in Dask 2024.x).
    """
    kind = type(obj)
    module = kind.__module__
    from_pandas = module.split(".")[0] == "pandas"
    return kind.__name__ in ("DataFrame", "Series") and (
        from_pandas or module.startswith(("dask.dataframe.", "dask_expr."))
    )


def _dask_documents(X) -> bool:
    """Whether X is a 1-D Dask array or Series of texts (str, bytes or
    objects), which its reshape or ``to_frame`` would not make features."""
    meta = getattr(X, "_meta", None)
    if meta is None or getattr(meta, "ndim", None) != 1:
        return False
    dtype = meta.dtype
    return getattr(dtype, "kind", None) in ("U", "S", "O") or str(dtype).startswith(
        "string"
    )


def _check_features(X) -> str:
    """``'array'`` or ``'frame'``, after checking X is a 2-D Dask collection."""
    import dask.array as da

    if not _is_dask(X):
        raise TypeError(
            f"y or sample_weight is a Dask collection but X is a {type(X).__name__}. "
            "Pass X as a Dask collection too (e.g. dask.array.from_array(X, "
            "chunks=...)), or compute y and sample_weight to resample in memory."
        )
    if _dask_documents(X):
        objects = getattr(X._meta.dtype, "kind", None) == "O"
        raise ValueError(
            f"X is a 1-D Dask {type(X).__name__}"
            + (" of objects" if objects else " of texts")
            + ": the samplers take a 1-D X only as texts, one a row (documents "
            "for a vectorizer), in memory, as a list, numpy array or pandas "
            "Series. Compute it first, X.compute() (and y and sample_weight "
            "with it)"
            + (
                "; numbers are features of a 2-D X (X.to_frame(), or "
                "X.reshape(-1, 1) for an array)."
                if objects
                else "."
            )
        )
    if _is_frame(X) and type(X).__name__ == "Series":
        raise ValueError(
            "Expected a 2D array for X, got a Dask Series. Use X.to_frame() if "
            "your data has a single feature."
        )
    if _is_frame(X):
        # The meta's columns, not X.shape: a Dask frame's shape builds a
        # reduction, whose meta fails for some dtypes (intervals).
        if X._meta.shape[1] == 0:
            raise ValueError(
                "Found array with 0 feature(s) while a minimum of 1 is required."
            )
        # The in-memory error, before the labels are computed (scikit-learn's
        # feature-name check fails later with narwhals' DuplicateError).
        check_unique_columns(X._meta)
        # scikit-learn's feature-name check (str and int column names mixed:
        # its TypeError), on a stand-in estimator: before the labels are
        # computed, and without touching the sampler's fitted attributes.
        from sklearn.base import BaseEstimator

        _set_feature_attributes(BaseEstimator(), X)
        return "frame"
    if not isinstance(X, da.Array):
        raise TypeError(
            f"X is a {type(X).__name__}: the samplers take a dask.array.Array or a "
            "dask.dataframe.DataFrame. Convert it to one of those first."
        )
    if X.ndim != 2:
        raise not_two_dimensional(X.shape)
    if np.isnan(X.shape[1]):
        raise ValueError(
            f"X has an unknown number of columns (shape {X.shape}): select the "
            "features with a list of columns, or call X.compute_chunk_sizes() "
            "first."
        )
    if np.isnan(X.shape[0]):
        raise ValueError(
            "X has unknown chunk sizes (shape "
            f"{X.shape}): the rows of each chunk must be known to gather them. "
            "Call X.compute_chunk_sizes() first, or create X with known lengths "
            "(e.g. DataFrame.to_dask_array(lengths=True))."
        )
    # The in-memory checks (no rows, no columns, complex values) and their
    # errors, on a stand-in of X's shape and dtype (zero strides: nothing
    # allocated, nothing computed), before the labels are computed.
    stand_in = np.broadcast_to(np.zeros((), dtype=X.dtype), X.shape)
    check_features(stand_in, X.shape[0])
    return "array"


def _n_features(X) -> int:
    return int(X._meta.shape[1] if _is_frame(X) else X.shape[1])


def _set_feature_attributes(sampler, X) -> None:
    from sklearn_compat.utils.validation import validate_data

    # A DataFrame's empty meta has its columns: feature names as in memory.
    like_X = X._meta if _is_frame(X) else X
    validate_data(sampler, X=like_X, reset=True, skip_check_array=True)


def _label_container(y):
    """The labels to gather, as in memory: pandas and Dask frames as they are,
    anything else as an array; a column vector (n, 1) and a one-hot matrix
    stay 2-D (their rows are gathered, as ``fit_resample`` does in memory).
    """
    if _is_frame(y):
        return y
    if _is_dask(y):
        from dask.delayed import Delayed

        # A Delayed's attributes are lazy, a Bag has no shape: checked computed
        # (a Bag told by its module: dask.bag may not be importable).
        bag = type(y).__module__.startswith("dask.bag")
        if not (bag or isinstance(y, Delayed)):
            _check_label_shape(y)
        return y
    # A polars LazyFrame, ...: the in-memory error (collect it first), not a
    # 0-d array of one object.
    reject_lazy(y, "y")
    if is_dataframe(y) and y.shape[1] == 1:
        # polars, pyarrow, ...: one column of labels, read as in memory, kept
        # a column (as a numpy (n, 1) y is).
        return label_values(first_column(y), "y")[:, None]
    if is_series(y):  # polars, pyarrow, ...: read as in memory (nulls, dtypes)
        return label_values(y, "y")
    # Read as in memory: np.asarray would make a missing label among strings
    # the class 'nan', 0 and '0' one class, integers past 2**53 floats; and
    # it names no argument for what it cannot read (ragged rows, a tensor
    # that requires grad) nor what one value is (a column's name, a set).
    values = label_array(y, "y")
    _check_label_shape(values)
    return values


def _check_label_shape(y) -> None:
    """The in-memory error for labels that are not one per row (a 0-d y, e.g.
    a column's name or a Dask Scalar, or 3-D and more).

    Checked on the input, before anything is computed, and again on computed
    Dask labels. A (n, 1) column and a (n, k) one-hot matrix pass (checked on
    the values, as in memory), as do a Dask array with unknown sizes and a
    Delayed (checked once computed).
    """
    shape = getattr(y, "shape", None)
    if shape is None:
        # A list, ...: its length is checked. A string (a column's name, a
        # computed Dask Scalar or Delayed) and a Dask Scalar, which has a
        # len(), are one value.
        if hasattr(y, "__len__") and not isinstance(y, (str, bytes)):
            if not _is_dask(y):
                return
        shape = ()  # a scalar (a Dask Scalar, a computed Delayed, ...)
    if len(shape) in (1, 2) or any(np.isnan(n) for n in shape):
        return
    if not shape:
        # One value: the in-memory error, with the value (a Dask Scalar, not
        # computed for it, by its expression).
        raise _not_an_array(y, "y")
    # The in-memory check on a stand-in of y's shape (zero strides: nothing
    # allocated, nothing computed); it raises for any other number of axes.
    stand_in = np.broadcast_to(np.zeros((), dtype=np.int8), tuple(map(int, shape)))
    encode_labels(stand_in, name="y")
    raise RuntimeError(  # pragma: no cover
        f"rebalance: labels of shape {shape} passed the label check; please report."
    )


def _aligned(value, computed, layout: _Layout):
    """``value`` partitioned like X's input, as an array or a :class:`_Frame`.

    A Dask array with known chunks stays lazy (rechunked like X); anything
    else is split from its computed values, so its own partitioning, which the
    optimiser may change, never matters.
    """
    import dask.array as da

    rows = tuple(layout.input_lengths.tolist())
    if isinstance(value, da.Array) and not np.isnan(value.shape[0]):
        if tuple(value.chunks[0]) != rows:
            # Rechunking slices the blocks where their chunks say they end:
            # blocks of other sizes than declared would put other rows under
            # these labels (or weights), silently where a new block keeps its
            # declared size. Each block is checked first (as _take_array
            # checks the blocks it takes from).
            declared = tuple(value.chunks[0])
            value = da.map_blocks(
                _check_block_rows,
                value,
                declared=declared,
                dtype=value.dtype,
                meta=value._meta,
            ).rechunk({0: rows})
        return value
    if _is_frame(computed):
        pieces = [computed.iloc[start:stop] for start, stop in layout.input_bounds()]
        return _Frame(pieces, computed.iloc[:0], layout.input_lengths)
    computed = np.asarray(computed)
    # A name of its own: from_array's default name is a token of the values,
    # which Dask computes for object arrays from their strings joined with
    # "-", so that other labels (["a-b", "c"] and ["a", "b-c"]) get the same
    # name and, computed together with this output, one's rows stand in for
    # the other's, silently. (It also spares hashing all the labels.)
    name = f"rebalance-values-{uuid.uuid4().hex}"
    return da.from_array(computed, chunks=(rows, *computed.shape[1:]), name=name)


def _frame_from_pieces(pieces, meta, divisions):
    import dask
    import dask.dataframe as dd

    # With convert-string on (its default), from_delayed would turn every
    # object column of the output (lists, bytes, booleans with None, object
    # labels) into strings when computed: the rows are the input's, as they are.
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(
            pieces, meta=meta, divisions=divisions, verify_meta=False
        )


class _Layout:
    """Where each output row comes from, and the gather.

    ``rows`` (``sample_indices_``) holds the drawn rows in output order:
    output partition ``j`` is ``rows[out_starts[j]:out_starts[j + 1]]`` and
    takes its rows from the input partitions ``feeders[j]`` (sorted): one task
    per output partition takes them from those partitions, each input
    partition being computed once for the few outputs it feeds.
    """

    def __init__(self, rows, out_starts, lengths, feeders):
        self.rows = rows
        self.out_starts = np.asarray(out_starts, dtype=np.int64)
        self.input_lengths = lengths
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.feeders = [np.asarray(ks, dtype=np.int64) for ks in feeders]

    @classmethod
    def empty(cls, indices: np.ndarray, lengths: np.ndarray) -> _Layout:
        """No row drawn (e.g. ``sampling_strategy={c: 0, ...}`` for every
        class): one empty output partition, taken from the first input
        partition so that it has the dtypes the others would have (as in
        memory, where a draw of no rows gives 0-row outputs)."""
        return cls(indices, [0, 0], lengths, [[0]])

    @classmethod
    def grouped(cls, indices: np.ndarray, lengths: np.ndarray) -> _Layout:
        """Output partition ``k``: the drawn rows of input partition ``k``."""
        if indices.shape[0] == 0:
            return cls.empty(indices, lengths)
        rows, counts = _group_by_partition(indices, lengths)
        used = np.flatnonzero(counts)
        out_starts = np.concatenate([[0], np.cumsum(counts[used])])
        return cls(rows, out_starts, lengths, [[k] for k in used.tolist()])

    @classmethod
    def mixed(cls, indices, lengths, codes, n_classes, rng) -> _Layout:
        """Every output partition with the overall class mix (module docstring).

        Input partitions get a random rank and fall in ``_LANES`` lanes of
        consecutive ranks. The drawn rows of class ``c`` in lane ``l``, ordered
        by rank then as drawn, form one stream; output partition ``j`` takes
        its ``j``-th of ``n_out`` equal consecutive slices of every stream, and
        its rows are then shuffled. Two compiled passes over the draw: count
        the rows per (class, partition), then deal them out.
        """
        from rebalance._indices import shuffled

        if indices.shape[0] == 0:
            return cls.empty(indices, lengths)
        _check_layout_inputs(indices, lengths, codes, n_classes)
        kernels = _layout_kernels()
        ends, regular = _partition_ends(lengths)
        table = kernels.count(indices, ends, regular, codes, n_classes)
        used = np.flatnonzero(table.sum(axis=0))
        n_out = used.shape[0]
        if n_out == 1:
            # One partition: the in-memory draw, already in random order.
            return cls(indices, [0, indices.shape[0]], lengths, [used])
        order = rng.permutation(n_out)
        rank = np.zeros(lengths.shape[0], dtype=np.int64)
        rank[used] = order
        part_of_rank = np.empty(n_out, dtype=np.int64)
        part_of_rank[order] = used
        # Stream keys: class * n_out + rank, in stream order.
        key_counts = table[:, part_of_rank].reshape(-1)
        n_lanes = min(_LANES, n_out)
        key_class, key_rank = np.divmod(np.arange(key_counts.shape[0]), n_out)
        stream = key_class * n_lanes + key_rank * n_lanes // n_out
        stream_size = np.zeros(n_classes * n_lanes, dtype=np.int64)
        np.add.at(stream_size, stream, key_counts)
        key_offset = (np.cumsum(key_counts) - key_counts) - (
            np.cumsum(stream_size) - stream_size
        )[stream]
        key_size = np.maximum(stream_size[stream], 1)
        # Stream position p goes to output p * n_out // size: output j gets
        # positions ceil(j * size / n_out) to ceil((j + 1) * size / n_out) - 1.
        steps = np.arange(n_out + 1)
        out_counts = np.zeros(n_out, dtype=np.int64)
        for size in stream_size[stream_size > 0].tolist():
            out_counts += np.diff(-((-steps * size) // n_out))
        out_starts = np.concatenate([[0], np.cumsum(out_counts)])
        # A key's rows are consecutive in its stream: in a stream of at least
        # n_out positions they feed a run of outputs (consecutive positions go
        # to the same or the next output); in a shorter one outputs can be
        # skipped, so each of its (fewer than n_out) positions is listed.
        present = np.flatnonzero(key_counts)
        long = present[key_size[present] >= n_out]
        first = key_offset[long] * n_out // key_size[long]
        last = (key_offset[long] + key_counts[long] - 1) * n_out // key_size[long]
        runs = last - first + 1
        short = present[key_size[present] < n_out]
        positions = np.repeat(
            key_offset[short] - np.cumsum(key_counts[short]) + key_counts[short],
            key_counts[short],
        ) + np.arange(key_counts[short].sum())
        outs = np.concatenate(
            [
                np.repeat(first - np.cumsum(runs) + runs, runs) + np.arange(runs.sum()),
                positions * n_out // np.repeat(key_size[short], key_counts[short]),
            ]
        )
        parts = part_of_rank[
            key_rank[
                np.concatenate(
                    [np.repeat(long, runs), np.repeat(short, key_counts[short])]
                )
            ]
        ]
        pair = np.unique(outs * lengths.shape[0] + parts)
        pair_out, pair_part = np.divmod(pair, lengths.shape[0])
        bounds = np.searchsorted(pair_out, steps)
        feeders = [pair_part[bounds[j] : bounds[j + 1]] for j in range(n_out)]
        rows = np.empty_like(indices)
        fill = out_starts[:-1].copy()
        kernels.deal(
            indices,
            ends,
            regular,
            codes,
            rank,
            n_out,
            key_offset,
            key_size,
            fill,
            rows,
        )
        if not np.array_equal(fill, out_starts[1:]):  # pragma: no cover
            raise RuntimeError("rebalance: the Dask layout lost rows; please report.")
        for j in range(n_out):
            a, b = out_starts[j], out_starts[j + 1]
            rows[a:b] = shuffled(rows[a:b], rng)
        # Small draws can leave an output partition empty: drop it.
        kept = np.flatnonzero(out_counts)
        out_starts = np.concatenate([[0], np.cumsum(out_counts[kept])])
        return cls(rows, out_starts, lengths, [feeders[j] for j in kept])

    def input_bounds(self) -> list[tuple[int, int]]:
        return list(zip(self.starts[:-1].tolist(), self.starts[1:].tolist()))

    @property
    def out_lengths(self) -> tuple[int, ...]:
        return tuple(np.diff(self.out_starts).tolist())

    def segment(self, j: int) -> np.ndarray:
        """Drawn rows (global positions) of output partition ``j``, in order."""
        return self.rows[self.out_starts[j] : self.out_starts[j + 1]]

    def gather(self, source):
        if isinstance(source, _Frame):
            return self._gather_frame(source)
        return self._gather_array(source)

    def _gather_array(self, value):
        import itertools

        import dask.array as da
        from dask.highlevelgraph import HighLevelGraph

        if value.ndim > 2:
            raise ValueError(
                f"Expected arrays of at most 2 dimensions; got shape {value.shape}."
            )
        name = f"rebalance-take-{uuid.uuid4().hex}"
        # Blocks along the other axes (X's column blocks) are gathered alike.
        others = list(itertools.product(*(range(n) for n in value.numblocks[1:])))
        graph: dict = {}
        for j, ks in enumerate(self.feeders):
            segment, first = self.segment(j), self.starts[ks]
            sizes = self.input_lengths[ks]
            for o in others:
                blocks = [(value.name, k, *o) for k in ks.tolist()]
                # (name, j, *o) as a subscript is Python 3.11+ syntax
                key = (name, j, *o)
                graph[key] = (_take_array, segment, first, blocks, sizes, ks)
        layer = HighLevelGraph.from_collections(name, graph, dependencies=[value])
        chunks = (self.out_lengths, *value.chunks[1:])
        return da.Array(layer, name, chunks=chunks, meta=_row_indexable(value._meta))

    def _gather_frame(self, source: _Frame):
        import pandas as pd
        from dask import delayed

        name = f"rebalance-take-{uuid.uuid4().hex}"
        lengths = self.input_lengths
        pieces = []
        for j, ks in enumerate(self.feeders):
            pieces.append(
                # The parts as arguments of their own, not in a list: Dask
                # 2026.8 drops the data of a persisted X from the graph of a
                # Delayed given them in a list, so that the output could not be
                # computed once the persisted frame was released ("lost
                # dependencies").
                delayed(_take_frame_of_parts, pure=True)(
                    self.segment(j),
                    self.starts[ks],
                    lengths[ks],
                    ks,
                    int(self.out_starts[j]),
                    None
                    if source.digests is None
                    else [source.digests[k] for k in ks.tolist()],
                    *[source.parts[k] for k in ks.tolist()],
                    dask_key_name=f"{name}-{j}",
                )
            )
        meta = source.meta.iloc[:0].copy()
        meta.index = pd.RangeIndex(0, 0)
        # The last division is the last row's label (0 for an empty output,
        # whose one partition holds no row).
        last = max(int(self.out_starts[-1]) - 1, 0)
        divisions = (*self.out_starts[:-1].tolist(), last)
        return _frame_from_pieces(pieces, meta, divisions)


def _computed_as(collection, result) -> bool:
    """Whether ``result`` can be what ``collection`` computes to."""
    if isinstance(collection, list):  # of Delayed
        return isinstance(result, (list, tuple)) and len(result) == len(collection)
    meta = getattr(collection, "_meta", None)
    if meta is None or isinstance(result, type(meta)):
        return True
    # An index's meta may be a RangeIndex where the computed index, the
    # partitions' indexes put together, is an Index of its values.
    import pandas as pd

    return isinstance(meta, pd.Index) and isinstance(result, pd.Index)


def _compute_in_order(named: dict) -> dict:
    """``{name: computed value}`` of Dask collections, in one ``dask.compute``.

    Dask 2026.8's ``dask.compute`` can return the results of mixed
    collections (DataFrame expressions, arrays, Delayed) out of order (e.g.
    Series, Array, Series): each result is checked against the type of its
    collection, and on a mismatch they are computed one at a time.
    """
    import dask
    from dask.base import get_scheduler

    values = list(named.values())
    flat = [one for v in values for one in (v if isinstance(v, list) else [v])]
    try:
        get_scheduler(collections=flat)
    except ValueError:
        # Collections of different default schedulers (a Bag's processes,
        # a DataFrame's threads) and none configured: dask.compute refuses
        # them together; each is computed with its own.
        return {k: dask.compute(v)[0] for k, v in named.items()}
    results = dask.compute(*values)
    if not all(_computed_as(v, r) for v, r in zip(values, results)):
        results = tuple(dask.compute(v)[0] for v in values)
    return dict(zip(named, results))


def _by_partition(segment, first):
    """``segment``'s positions grouped by partition, and where each group starts."""
    which = np.searchsorted(first, segment, side="right") - 1
    small = np.uint16 if len(first) <= np.iinfo(np.uint16).max else np.intp
    order = np.argsort(which.astype(small), kind="stable")
    sizes = np.bincount(which, minlength=len(first))
    return order, np.concatenate([[0], np.cumsum(sizes)])


def _wrong_block_rows(position: int, got: str, n_rows: int) -> str:
    return (
        f"Block {position} of a resampled Dask array computed to {got}, but the "
        f"array's chunks declare {n_rows} rows: its chunk sizes do not match "
        "its data (e.g. to_dask_array(lengths=...) given lengths that are not "
        "the partitions'), so the rows cannot be matched to their labels. "
        "Create it with to_dask_array() and call compute_chunk_sizes() before "
        "resampling."
    )


def _check_block_rows(block, declared=(), block_id=None):
    """``block`` unchanged, once its rows are checked against ``declared``
    (the chunks of its array along the rows)."""
    position = block_id[0]
    n_rows = declared[position]
    shape = getattr(block, "shape", None)
    if not shape or shape[0] != n_rows:
        got = "no block" if not shape else f"{shape[0]} rows"
        raise ValueError(_wrong_block_rows(position, got, n_rows))
    return block


def _take_array(segment, first, blocks, sizes=None, positions=None):
    """Output block: the rows ``segment`` (global) of the input ``blocks``.

    ``first[i]`` is the global position of ``blocks[i]``'s first row;
    ``sizes[i]`` its rows as the array's chunks declare them (checked: chunks
    declared wrong would put other rows under the labels), ``positions[i]``
    its block number.
    """
    if sizes is not None:
        for block, n_rows, position in zip(blocks, sizes, positions):
            shape = getattr(block, "shape", None)
            if not shape or shape[0] != n_rows:
                got = "no block" if not shape else f"{shape[0]} rows"
                raise ValueError(_wrong_block_rows(position, got, n_rows))
    blocks = [_row_indexable(block) for block in blocks]
    plain = all(type(block) is np.ndarray for block in blocks)
    if len(blocks) == 1:
        rows = segment - first[0]
        return np.take(blocks[0], rows, axis=0) if plain else blocks[0][rows]
    order, bounds = _by_partition(segment, first)
    if not plain:
        # Masked arrays, sparse chunks, ...: rows taken and joined in the
        # blocks' own type (Dask's concatenate for it), then put in order.
        from dask.array.dispatch import concatenate_lookup

        pieces = [
            block[segment[order[bounds[i] : bounds[i + 1]]] - first[i]]
            for i, block in enumerate(blocks)
        ]
        # The type of highest __array_priority__ (masked over plain), as
        # Dask's own concatenate picks it.
        kind = type(max(blocks, key=lambda b: getattr(b, "__array_priority__", 0)))
        joined = concatenate_lookup.dispatch(kind)(pieces, axis=0)
        return joined[_inverse(order)]
    out = np.empty((segment.shape[0], *blocks[0].shape[1:]), dtype=blocks[0].dtype)
    for i, block in enumerate(blocks):
        positions = order[bounds[i] : bounds[i + 1]]
        out[positions] = np.take(block, segment[positions] - first[i], axis=0)
    return out


def _row_indexable(block):
    """``block``, or a CSR copy of a SciPy sparse block of a format that
    cannot take rows by position (COO, DIA, BSR, DOK, LIL), as in memory:
    sparse X other than CSR and CSC is gathered (and returned) as CSR."""
    if getattr(block, "format", None) is None:
        return block
    import scipy.sparse as sp

    if not sp.issparse(block):
        return block
    # As in memory: scipy's gather (and later toarray) of a block whose
    # arrays do not describe it reads out of bounds, its COO conversion
    # writes out of bounds: checked before and after the CSR copy.
    check_compressed(block)
    if block.format not in ("csr", "csc"):
        block = block.tocsr()
        check_compressed(block)
    return block


def _inverse(order: np.ndarray) -> np.ndarray:
    """The inverse permutation of ``order``."""
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.shape[0])
    return inverse


def _take_frame_of_parts(
    segment, first, lengths, positions, out_start, digests, *parts
):
    """:func:`_take_frame` of ``parts`` given one by one."""
    return _take_frame(
        segment, first, list(parts), lengths, positions, out_start, digests
    )


def _take_frame(segment, first, parts, lengths, positions, out_start, digests=None):
    """Output partition from input ``parts``, in ``segment``'s order, new index.

    ``digests``: those of the parts when the labels were computed, checked
    (X computed through a shuffle, :func:`_shuffled`).
    """
    import pandas as pd

    for part, n_rows, position in zip(parts, lengths, positions):
        if len(part) != n_rows:
            raise ValueError(
                f"Partition {position} of a resampled input has {len(part)} rows, "
                f"but {n_rows} were counted when the rows were drawn: the input "
                "changed between the two (e.g. files rewritten). Resample again."
            )
    if digests is not None:
        for part, digest, position in zip(parts, digests, positions):
            if _digest(part) != digest:
                raise ValueError(
                    _shuffle_message(
                        f"Partition {position} of X came back with its rows in "
                        "another order than when the labels were read"
                    )
                )
    # take_rows, not iloc: pandas' take refuses big-endian columns.
    if len(parts) == 1:
        taken = take_rows(parts[0], segment - first[0])
    else:
        order, bounds = _by_partition(segment, first)
        pieces = [
            take_rows(part, segment[order[bounds[i] : bounds[i + 1]]] - first[i])
            for i, part in enumerate(parts)
        ]
        # Dask's concat: categoricals of different categories stay
        # categorical (their union), as when Dask computes the frame.
        from dask.dataframe.dispatch import concat

        taken = take_rows(concat(pieces), _inverse(order))
    taken.index = pd.RangeIndex(out_start, out_start + len(taken))
    return taken


def _blocks(n: int) -> list[tuple[int, int]]:
    return [(s, min(s + _GROUP_BLOCK, n)) for s in range(0, n, _GROUP_BLOCK)]


def _partition_of(rows: np.ndarray, lengths: np.ndarray, dtype) -> np.ndarray:
    """Input partition of each row, given the partitions' lengths."""
    regular = lengths[0]
    if regular > 0 and (lengths[:-1] == regular).all():
        # Regular chunks (all but the last): a division, far faster than a
        # search; a longer last partition takes the rows past the others.
        last = lengths.shape[0] - 1
        return np.minimum(rows // regular, last).astype(dtype)
    # Side 'right' sends a row past an empty partition to the next one.
    return np.searchsorted(np.cumsum(lengths)[:-1], rows, side="right").astype(dtype)


def _is_sorted(indices: np.ndarray) -> bool:
    n = indices.shape[0]
    for a in range(0, n - 1, _GROUP_BLOCK):
        b = min(a + _GROUP_BLOCK, n - 1)
        if not (indices[a + 1 : b + 1] >= indices[a:b]).all():
            return False
    return True


def _scatter(dest, values, groups, fill) -> None:
    """Write ``values`` stably grouped at ``dest[fill[group]...]``; advance ``fill``."""
    order = np.argsort(groups, kind="stable")
    block_counts = np.bincount(groups, minlength=fill.shape[0])
    first = np.cumsum(block_counts) - block_counts
    sorted_groups = groups[order].astype(np.intp)
    offsets = fill[sorted_groups] + np.arange(values.shape[0]) - first[sorted_groups]
    dest[offsets] = values[order]
    fill += block_counts


def _group_by_partition(
    indices: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``indices`` stably grouped by the partition of each row, and the group sizes.

    A counting sort done block by block: memory is the output plus one block.
    """
    n_parts = lengths.shape[0]
    # Small partition numbers make the stable argsort a radix sort.
    dtype = np.uint16 if n_parts <= np.iinfo(np.uint16).max else np.intp
    blocks = _blocks(indices.shape[0])
    counts = np.zeros(n_parts, dtype=np.int64)
    for a, b in blocks:
        part = _partition_of(indices[a:b], lengths, dtype)
        counts += np.bincount(part, minlength=n_parts)
    if n_parts == 1 or _is_sorted(indices):
        return indices, counts
    fill = np.concatenate([[0], np.cumsum(counts)[:-1]])
    grouped = np.empty_like(indices)
    for a, b in blocks:
        _scatter(
            grouped, indices[a:b], _partition_of(indices[a:b], lengths, dtype), fill
        )
    return grouped, counts


def _partition_ends(lengths: np.ndarray) -> tuple[np.ndarray, int]:
    """Where partitions end (all but the last), and their length if regular.

    ``regular`` is 0 unless all partitions but the last have that length.
    """
    regular = int(lengths[0])
    if regular == 0 or not (lengths[:-1] == regular).all():
        regular = 0
    return np.cumsum(lengths)[:-1].astype(np.int64), regular


def _partition_kernel(row, ends, regular):  # pragma: no cover (compiled)
    """Input partition of global row ``row`` (as :func:`_partition_of`)."""
    if regular > 0:
        return min(row // regular, ends.shape[0])
    lo, hi = 0, ends.shape[0]
    while lo < hi:  # first end > row: side 'right'
        mid = (lo + hi) // 2
        if ends[mid] <= row:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _check_layout_inputs(indices, lengths, codes, n_classes) -> None:
    """ValueError (internal) unless the compiled layout passes can index with
    these arrays: every drawn row a row of ``codes``, every code a class, the
    partitions' lengths adding up to the rows (the kernels do not check)."""
    n_rows = codes.shape[0]
    if (
        int(np.sum(lengths)) != n_rows
        or int(indices.min()) < 0
        or int(indices.max()) >= n_rows
        or (n_rows and (int(codes.min()) < 0 or int(codes.max()) >= n_classes))
    ):
        raise ValueError(
            "internal error: the Dask layout's draw does not match its labels; "
            "please report."
        )


def _count_kernel(indices, ends, regular, codes, n_classes):  # pragma: no cover
    """Drawn rows per (class, input partition)."""
    table = np.zeros((n_classes, ends.shape[0] + 1), dtype=np.int64)
    for i in range(indices.shape[0]):
        row = indices[i]
        table[codes[row], _partition_row(row, ends, regular)] += 1
    return table


def _deal_kernel(
    indices, ends, regular, codes, rank, n_out, key_offset, key_size, fill, out
):  # pragma: no cover
    """Write each drawn row at the next free place of its output partition.

    A row's stream key is (class, rank of its partition); its position in the
    stream is the key's offset plus the key's rows dealt before it.
    """
    seen = np.zeros(key_offset.shape[0], dtype=np.int64)
    for i in range(indices.shape[0]):
        row = indices[i]
        key = codes[row] * n_out + rank[_partition_row(row, ends, regular)]
        position = key_offset[key] + seen[key]
        seen[key] += 1
        j = position * n_out // key_size[key]
        out[fill[j]] = row
        fill[j] += 1


_KERNELS: dict = {}


def _layout_kernels():
    """The compiled layout passes (numba is imported here, on first use)."""
    global _partition_row
    if not _KERNELS:
        from types import SimpleNamespace

        from rebalance._kernels import numba_jit

        _partition_row = numba_jit(entry=False, inline="always", nogil=True)(
            _partition_kernel
        )
        jit = numba_jit(nogil=True)
        _KERNELS["k"] = SimpleNamespace(
            count=jit(_count_kernel), deal=jit(_deal_kernel)
        )
    return _KERNELS["k"]


_partition_row = _partition_kernel
