"""BaseSampler: the ``fit_resample`` template every rebalance sampler shares.

``fit_resample`` = check inputs -> :meth:`BaseSampler.plan` (labels + targets)
-> draw indices -> gather rows. Subclasses implement only ``_make_plan``, and
``_gather_features`` where they change the gathered rows (smoothed bootstrap).
The torch adapter calls the same :meth:`BaseSampler.plan` and draws a new set
of indices from it every epoch.
"""

from __future__ import annotations

import copy
import gc
import math
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from imblearn.base import BaseSampler as _ImblearnBaseSampler
from sklearn_compat.utils.validation import validate_data

from rebalance import _dask, _gather, _indices
from rebalance._frames import (
    _is_arrow,
    _record_batch,
    _run_end_decoded,
    is_dataframe,
    is_pandas_array,
    reject_dataset,
)
from rebalance._indices import EncodedLabels
from rebalance._labels import own_codes
from rebalance._metadata import check_not_dropped_by_imblearn_pipeline
from rebalance._validation import (
    check_bool,
    check_features,
    check_random_state,
    check_sample_weight,
    encode_labels,
    require_two_classes,
    take_rows,
)


def _asked_by_sklearn_pipeline() -> bool:
    """Whether the attribute lookup two frames up (``hasattr`` in the caller
    of ``__getattr__``) is scikit-learn's Pipeline/FeatureUnion checking
    its steps (``_validate_steps``, ``_validate_transformers``)."""
    try:
        frame = sys._getframe(2)
    except ValueError:  # no such frame
        return False
    return frame.f_globals.get("__name__") == "sklearn.pipeline" and (
        frame.f_code.co_name in ("_validate_steps", "_validate_transformers")
    )


@dataclass
class SamplingPlan:
    """What a sampler will draw for one set of labels, ready to draw many times.

    Made by :meth:`BaseSampler.plan`; not meant to be built by hand.

    Parameters
    ----------
    labels : EncodedLabels
        The encoded labels (classes, per-row codes, counts).
    sampling_strategy : dict
        ``{class: count}`` as reported in ``sampling_strategy_``.
    n_output : int
        Exact number of indices every draw returns.
    _draw : callable
        ``rng -> indices``: the draw itself, a ``numpy.random.Generator`` to an
        int array of ``n_output`` row indices. Call it through :meth:`draw`.
    report_draw : callable or None, default=None
        For samplers whose per-class counts are random (class-balanced), maps a
        draw's indices to the ``sampling_strategy_`` to report for it.

    Notes
    -----
    A plan pickles (its callables are module-level functions bound with
    :func:`functools.partial`), so it can be sent to worker processes, e.g.
    with a torch ``DataLoader`` sampler.
    """

    labels: EncodedLabels
    sampling_strategy: dict
    n_output: int
    _draw: Callable[[np.random.Generator], np.ndarray]
    report_draw: Callable[[np.ndarray], dict] | None = None

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """Row indices of one resampled data set, drawn from ``rng``.

        Parameters
        ----------
        rng : numpy.random.Generator
            The source of randomness; the same generator state gives the same
            indices.

        Returns
        -------
        numpy.ndarray of shape (n_output,)
            Integer row indices into the labels the plan was made for.
        """
        _check_generator(rng)
        return self._draw(rng)


def _check_generator(rng: Any) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator; got {rng!r}. Pass "
            "numpy.random.default_rng(seed) (a seed, None or a legacy "
            "RandomState is not a generator)."
        )


#: serialises the few stores that end a sampler's fit (see ``_committed``)
_COMMIT = threading.Lock()
_UNSET = object()


class BaseSampler(_ImblearnBaseSampler):
    """Base class of the rebalance samplers (not for direct use).

    Works as an imbalanced-learn sampler (``fit_resample``, tags, pipelines)
    but validates and encodes labels in a single pass, keeps the input
    container type and resamples ``sample_weight`` with the rows.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to resample and to how many rows, with imbalanced-learn's
        meaning for the subclass's kind of sampling (see each sampler).
    """

    _parameter_constraints: dict = {}
    # The weights do not change the draw, they only travel with the rows: a
    # metadata router (ResampledClassifier) resamples them through
    # ``sample_indices_`` without routing them here. (scikit-learn matches this
    # attribute's name for ``fit`` too, which gives ``fit`` the same unused
    # ``sample_weight: False`` entry.)
    __metadata_request__fit_resample = {"sample_weight": False}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.sampler_tags.sample_indices = True
        return tags

    def __getitem__(self, key: Any):
        """Refused with the fix: a PyTorch ``DataLoader`` given a sampler
        (``sampler=`` or ``batch_sampler=``) iterates it for the rows to load,
        and this one draws from labels a ``DataLoader`` does not have.

        (``iter()`` reads an object without ``__iter__`` through
        ``__getitem__``: defining ``__iter__`` would make the estimator
        list-like to pandas, which then could not store it in a column.)

        >>> from rebalance import RandomUnderSampler
        >>> next(iter(RandomUnderSampler()))
        Traceback (most recent call last):
        ...
        TypeError: RandomUnderSampler is not a PyTorch sampler by itself: ...
        """
        name = type(self).__name__
        raise TypeError(
            f"{name} is not a PyTorch sampler by itself: it draws from the "
            "labels, which a DataLoader does not give it, and an object given "
            "as DataLoader(sampler=...) is iterated for the rows to load. Wrap "
            "it with the labels: DataLoader(dataset, sampler="
            f"rebalance.torch.RebalanceSampler(y, {name}(...))); for "
            "fit_resample, call sampler.fit_resample(X, y)."
        )

    def __getattr__(self, name: str) -> Any:
        """No attribute but those set: an ``AttributeError``, except for
        ``transform`` looked up by scikit-learn's ``Pipeline`` or
        ``FeatureUnion`` checking their steps, which get a ``TypeError``
        naming the fix (theirs names neither imbalanced-learn's Pipeline nor
        :class:`~rebalance.ResampledClassifier`). imbalanced-learn's Pipeline
        checks its steps with its own code, and is not affected."""
        if name == "transform" and _asked_by_sklearn_pipeline():
            kind = type(self).__name__
            raise TypeError(
                f"{kind} is a sampler (fit_resample), not a transformer: "
                "scikit-learn's Pipeline and FeatureUnion cannot run it as a "
                "step. Use imbalanced-learn's Pipeline (from imblearn.pipeline "
                "import make_pipeline), or wrap the classifier: "
                f"rebalance.ResampledClassifier({kind}(...), classifier)."
            )
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}",
            name=name,
            obj=self,
        )

    def plan(self, y: Any, *, compact: bool = False) -> SamplingPlan:
        """Check parameters and labels and prepare the index draw for ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels.
        compact : bool, default=False
            Draw int32 indices where they fit (halves the memory of large draws).

        Returns
        -------
        SamplingPlan
            Call ``plan.draw(numpy.random.default_rng(seed))`` for row indices.
        """
        check_bool(compact, "compact")
        self._validate_params()
        if _dask.is_dask_input(y):
            # Computed once (a Bag or Delayed too, as fit_resample takes them).
            y = _dask.computed_labels(y)
        labels, _, _ = encode_labels(y, compact=compact)
        require_two_classes(labels)
        # The plan outlives this call: never a view of the caller's labels.
        return self._make_plan(own_codes(labels, y), y)

    def _make_plan(self, labels: EncodedLabels, y: Any) -> SamplingPlan:
        raise NotImplementedError

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        # An imblearn Pipeline(memory=...) loads a fitted sampler step from its
        # cache instead of calling fit_resample: check what the Pipeline will
        # pass on unresampled here too (joblib then recomputes the step, and
        # fit_resample raises the error).
        check_not_dropped_by_imblearn_pipeline(
            self, None, None, None, frame=sys._getframe(1)
        )

    def _committed(self, run: Callable[[Any], Any]) -> Any:
        """``run(work)`` on a shallow copy of this sampler, whose state
        becomes this one's (in one store) only once it returns: a refit
        refused or interrupted at any step (the checks, the memory check,
        the draw, a Dask path) leaves the last fit whole, not the new
        ``n_features_in_`` next to the old ``sampling_strategy_``; and calls
        from several threads at once each leave the fitted attributes of one
        call, not ``sample_indices_`` of one next to the strategy of another:
        the fitted attributes (names ending in ``_``, and a Dask draw's
        labels) become exactly the call's. Of the rest (parameters, a
        metadata request), only what the call changed is stored: a
        ``set_params`` from another thread meanwhile is kept."""
        before = dict(self.__dict__)
        work = type(self).__new__(type(self))
        work.__dict__.update(before)
        result = run(work)
        state = work.__dict__

        def fitted(name: str) -> bool:
            return name.endswith("_") or name == "_drawn_labels"

        changed = {
            k: v
            for k, v in state.items()
            if fitted(k) or before.get(k, _UNSET) is not v
        }
        with _COMMIT:
            gone = {k for k in self.__dict__ if fitted(k)} | before.keys()
            for name in gone - state.keys():
                self.__dict__.pop(name, None)
            self.__dict__.update(changed)
        return result

    def _check_inputs(self, X, y, sample_weight=None, method="fit_resample"):
        self._validate_params()
        # Those of an earlier fit_resample would index other data.
        self.__dict__.pop("sample_indices_", None)
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but "
                "the target y is None. Pass the class labels as y."
            )
        for value, name in ((X, "X"), (y, "y")):
            reject_dataset(value, name)  # before numpy reads every sample
        # Paired by position, as in scikit-learn: a pandas y holding X's index
        # in another order (X shuffled alone) would label other rows (not
        # against the fresh index a transformer gave X under
        # transform_output='pandas', or a Pipeline step's pandas set_output:
        # index_from_transform_output).
        _dask.check_paired_rows(X, y, f"{type(self).__name__}.{method}")
        _dask.check_paired_weights(
            X, y, sample_weight, f"{type(self).__name__}.{method}"
        )
        labels, y_1d, one_hot = encode_labels(y)
        require_two_classes(labels)
        X, _ = check_features(X, labels.n_samples)
        weights = check_sample_weight(sample_weight, labels.n_samples)
        _refuse_all_zero(weights)
        # (a 1-D X of texts sets neither: those of an earlier fit must go)
        for name in ("n_features_in_", "feature_names_in_"):
            self.__dict__.pop(name, None)
        validate_data(self, X=X, reset=True, skip_check_array=True)
        plan = self._make_plan(labels, y)
        self.sampling_strategy_ = plan.sampling_strategy
        return X, y_1d, one_hot, weights, plan

    def fit(self, X, y, *, sample_weight=None):
        """Check the inputs and compute ``sampling_strategy_`` without resampling.

        Use :meth:`fit_resample` to get the resampled data.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            The rows, checked as in :meth:`fit_resample` but not resampled.
        y : array-like of shape (n_samples,), (n_samples, 1) or (n_samples, n_classes)
            Class labels, or a one-hot matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Checked as in :meth:`fit_resample`; the weights do not change
            ``sampling_strategy_`` (so that ``set_fit_request(sample_weight=True)``
            in a routed pipeline ending with the sampler works).

        Returns
        -------
        self : object
        """

        def run(work):
            if _dask.is_dask_input(X, y, sample_weight):
                _dask.fit(work, X, y, sample_weight)
            else:
                work._check_inputs(X, y, sample_weight, method="fit")

        self._committed(run)
        return self

    def fit_resample(self, X, y, *, sample_weight=None):
        """Resample the data set.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Rows to resample. NaN and non-numeric columns are allowed: rows are
            only copied. Texts, one a row (a 1-D list, numpy array or pandas
            Series of str or bytes, as ``TfidfVectorizer`` takes), come back
            in a container of their kind.
        y : array-like of shape (n_samples,), (n_samples, 1) or (n_samples, n_classes)
            Class labels (ints, strings, bools, pandas categorical), or a one-hot
            matrix, which is resampled by its argmax and returned one-hot.
            Paired with X's rows by position, as in scikit-learn: a pandas y
            (or ``sample_weight``) whose index holds the index of a pandas X
            in another order is a ValueError (pass ``y.loc[X.index]``), except
            for the default ``RangeIndex`` a transformer gives the DataFrame
            it makes of an array under scikit-learn's
            ``transform_output='pandas'``, or in a Pipeline given no pandas
            DataFrame under a step's ``set_output(transform='pandas')``,
            which says nothing of the rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights, resampled with the rows. Inside an
            :class:`imblearn.pipeline.Pipeline`, which has no way to pass
            resampled weights on to the next steps, weights (and any fit
            parameter with one value per row) meant for the sampler or a later
            step raise a ``ValueError``: use
            :class:`rebalance.ResampledClassifier` there. Not requested under
            metadata routing (``set_fit_resample_request``): the weights do not
            change the draw.

        Returns
        -------
        X_resampled : same type as X
        y_resampled : same type as y
        sample_weight_resampled : same type as sample_weight
            Only returned when ``sample_weight`` is given. A torch tensor or
            other array-API array (X, y or weights) comes back as a numpy
            array of its dtype, as imbalanced-learn returns it (rows gathered
            as ``X[sample_indices_]``); with scikit-learn's
            ``array_api_dispatch=True``, as an array of its own library and
            device (of the same dtype), as scikit-learn's estimators return
            them, so that a Pipeline's next step predicts on the arrays it
            was fitted with. One numpy cannot read (bfloat16, one that
            requires grad or is not on the CPU) raises a ``TypeError``
            naming the argument and the conversion, before any draw.

        Notes
        -----
        Dask arrays and DataFrames give lazy Dask outputs: only the labels are
        computed; the rows are those of the in-memory draw, and shuffled output
        partitions each hold the overall class mix (see ``rebalance._dask``).
        Dask 2026.8's ``dask.compute(X_res, y_res, w_res)`` can return its
        results in another order when DataFrames and arrays are mixed (e.g. a
        DataFrame X, array labels and Series weights come back as X, weights,
        labels): compute such outputs one at a time (``y_res.compute()``).
        """
        check_not_dropped_by_imblearn_pipeline(self, X, y, sample_weight)
        return self._committed(lambda work: work._resample(X, y, sample_weight))

    def _resample(self, X, y, sample_weight):
        """:meth:`fit_resample`'s work (its inputs checked first)."""
        self.__dict__.pop("_drawn_labels", None)  # an earlier Dask draw's
        if _dask.is_dask_input(X, y, sample_weight):
            return _dask.fit_resample(self, X, y, sample_weight=sample_weight)
        X_given = X
        X, y_1d, one_hot, weights, plan = self._check_inputs(X, y, sample_weight)
        y_out = y if one_hot else _as_container(y, y_1d)
        _check_output_memory(self, X_given, X, y_out, weights, plan)
        indices, rng = self._draw(plan)
        self.sample_indices_ = indices
        if isinstance(X_given, list) and self._copies_rows():
            # The rows as given: the numpy copy made to check the shape may
            # have cast every value to one dtype (strings, or floats).
            X_res = _copied_rows(X_given, indices)
        else:
            X_res = self._gather_features(X, indices, plan, rng)
            if isinstance(X_given, list):
                X_res = self._list_rows(X_given, X_res, indices)
            elif _is_arrow(X_given, "RecordBatch") and not _is_arrow(
                X_res, "RecordBatch"
            ):
                # Checked as a Table where pyarrow < 15 gives it no shape.
                X_res = _record_batch(X_res)
        if one_hot:
            y_res = _take_label_rows(y, indices)
        else:
            # Integer labels are rebuilt from their class codes (cache-friendly).
            y_res = _gather.take_labels(y_out, plan.labels, indices)
            if y_res is None:
                y_res = _take_label_rows(y_out, indices)
        w_res = None if weights is None else take_rows(weights, indices)
        if _array_api_dispatch():
            # As scikit-learn's estimators with array_api_dispatch=True: the
            # outputs in the namespace (and device) of the inputs, so that
            # the next step of a Pipeline, fitted on them, predicts on the
            # tensors it is given.
            X_res = _in_namespace_of(X_given, X_res)
            y_res = _in_namespace_of(y, y_res)
            w_res = _in_namespace_of(sample_weight, w_res)
        if weights is None:
            return X_res, y_res
        return X_res, y_res, w_res

    def _draw(self, plan: SamplingPlan) -> tuple[np.ndarray, np.random.Generator]:
        """Draw from ``random_state``; report the draw's counts where they vary."""
        rng = check_random_state(getattr(self, "random_state", None))
        indices = plan.draw(rng)
        self._report(plan, indices)
        return indices, rng

    def _report(self, plan: SamplingPlan, indices: np.ndarray) -> None:
        if plan.report_draw is not None:
            self.sampling_strategy_ = plan.report_draw(indices)

    def _dask_unsupported(self) -> str | None:
        """Why this sampler, as parametrised, cannot resample Dask inputs (the
        error message), or None: the rows are drawn from the labels alone."""
        return None

    def _gather_features(self, X, indices, plan, rng):
        return take_rows(X, indices)

    def _copies_rows(self) -> bool:
        """Whether :meth:`_gather_features` returns the rows unchanged."""
        return True

    def _list_rows(self, rows: list, X_res: np.ndarray, indices: np.ndarray) -> list:
        """The output of a list X whose rows :meth:`_gather_features` changed
        (``X_res``, an array of the rows ``indices`` of ``rows``): one list
        of Python values a row."""
        return X_res.tolist()

    def _fit_resample(self, X, y, **params):
        # imbalanced-learn's abstract hook; fit_resample above replaces it.
        raise NotImplementedError


def _row_bytes(X, n_output: int | None = None) -> int:
    """Bytes of one gathered row of X (checked X; also y or sample_weight):
    exact for numpy arrays, the average row for sparse matrices (entries and
    the row pointer), dataframes and series (pointers only for columns of
    Python objects, which the gather does not copy), a pointer and a Python
    int made meanwhile for lists.

    ``n_output`` (the rows gathered) tells whether scipy narrows the int64
    indices of a sparse matrix (``spmatrix``, not ``sparray``) to int32 in
    the output: it makes an int32 copy of them, held with the int64 ones
    while the matrix is built (counted where ``n_output`` is None).

    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from rebalance.base import _row_bytes
    >>> X = sp.csr_matrix(np.eye(4))  # one float64 entry a row, int32 indices
    >>> _row_bytes(X)  # the entry, its column index, the row pointer twice
    20
    >>> X.indices, X.indptr = X.indices.astype(np.int64), X.indptr.astype(np.int64)
    >>> _row_bytes(X), _row_bytes(sp.csr_array(X))  # with the int32 copies
    (40, 32)
    """
    if isinstance(X, list):
        return _LIST_ROW_BYTES
    try:  # pyarrow arrays have no shape
        n_rows = max(1, int(X.shape[0]) if hasattr(X, "shape") else len(X))
    except TypeError:  # no length either: no estimate, no check
        return 0
    if sp.issparse(X):
        # Indices at least int32 (as scipy's); the row pointers written twice.
        index = max(4, getattr(getattr(X, "indices", None), "itemsize", 8))
        pointer = max(4, getattr(getattr(X, "indptr", None), "itemsize", 8))
        nnz = int(getattr(X, "nnz", 0))
        entry = X.dtype.itemsize + index
        pointers = 2 * pointer
        if X.format != "csr":
            # Gathered through a CSR copy, or by scipy's minor-axis indexing
            # (CSC: measured at most 1.3 times a CSR gather's peak).
            return 2 * (-(-nnz * entry // n_rows) + pointers)
        if index > 4 and _narrowed_by_scipy(X, nnz, n_rows, n_output):
            entry += 4
            pointers += 4
        return -(-nnz * entry // n_rows) + pointers
    if isinstance(X, np.ndarray):
        return X.dtype.itemsize * math.prod(X.shape[1:])
    scratch = 0
    try:
        if hasattr(X, "memory_usage"):  # pandas (a Series gives one number)
            total = int(np.sum(X.memory_usage(index=False, deep=False)))
            dtypes = [X.dtype] if getattr(X, "ndim", 2) == 1 else list(X.dtypes)
            if any(getattr(d, "name", "").startswith("Sparse[") for d in dtypes):
                scratch = _SPARSE_TAKE_ROW_BYTES
        elif hasattr(X, "estimated_size"):  # polars
            total = _polars_bytes(X)
        else:  # pyarrow and others with nbytes, else unknown
            total = int(getattr(X, "nbytes", 0))
    except Exception:  # an unusual frame: no estimate, no check
        return 0
    return -(-total // n_rows) + scratch


def _narrowed_by_scipy(X, nnz: int, n_rows: int, n_output: int | None) -> bool:
    """Whether scipy gives the rows of sparse X gathered into ``n_output`` rows
    int32 indices: a ``spmatrix`` (a ``sparray`` keeps its index dtype) whose
    gathered entries and columns fit in int32."""
    if not isinstance(X, sp.spmatrix):
        return False
    if n_output is None:
        return True
    limit = np.iinfo(np.int32).max
    gathered = -(-nnz * int(n_output) // n_rows)
    return max(gathered, int(n_output), X.shape[1]) <= limit


def _take_label_rows(y, indices: np.ndarray):
    """``take_rows(y, indices)``, except for labels given as a list of rows (a
    one-hot or column-vector y of lists): copies of its rows, as for a list X
    (:func:`_copied_rows`), so that no resampled row is one of y's, or
    another drawn copy of the same row.

    >>> from rebalance.base import _take_label_rows
    >>> y = [[1, 0], [0, 1]]
    >>> y_res = _take_label_rows(y, np.array([1, 1]))
    >>> y_res == [[0, 1], [0, 1]], y_res[0] is y[1], y_res[0] is y_res[1]
    (True, False, False)
    """
    if isinstance(y, list) and y and np.ndim(y[0]) > 0:
        return _copied_rows(y, indices)
    return take_rows(y, indices)


def _polars_bytes(data) -> int:
    """``estimated_size()`` of a polars DataFrame or Series, counting a
    pointer a value for its ``Object`` columns.

    polars 1.0 panics sizing an ``Object`` column: a pyo3 ``PanicException``,
    a ``BaseException`` that no ``except Exception`` catches (after a Rust
    backtrace on stderr), so such columns are never passed to it.

    >>> import polars as pl
    >>> from rebalance.base import _polars_bytes
    >>> frame = pl.DataFrame({"o": pl.Series([{}, {}], dtype=pl.Object)})
    >>> _polars_bytes(frame)
    16
    """
    import polars as pl

    if isinstance(data, pl.Series):
        if data.dtype == pl.Object:
            return 8 * len(data)
        return int(data.estimated_size())
    objects = [name for name, dtype in data.schema.items() if dtype == pl.Object]
    rest = data.drop(objects) if objects else data
    return int(rest.estimated_size()) + 8 * len(objects) * len(data)


def _copied_rows(rows: list, indices: np.ndarray) -> list:
    """``[_copy_row(rows[i]) for i in indices]``: the rows of a list X as
    given, each a copy (a row drawn twice is two objects). Rows that are all
    lists are copied by ``list``, which is faster than ``copy.copy``; the
    cyclic garbage collector is paused meanwhile (the new rows hold no
    cycles; collecting while they are made took half the time)."""
    picked = map(rows.__getitem__, indices.tolist())
    copier = list if all(type(row) is list for row in rows) else _copy_row
    paused = gc.isenabled()
    gc.disable()
    try:
        return list(map(copier, picked))
    finally:
        if paused:
            gc.enable()


def _copy_row(row: Any) -> Any:
    """A copy of one row of a list X that shares no memory with ``row``.

    ``copy.copy`` of a torch tensor, or of an array-API array
    (``array_api_strict``, ...), is a new object over the same memory: a
    resampled row written in place changed X, and every other copy of it.
    Those are copied through their library (``clone``, ``asarray(copy=True)``).

    >>> import numpy as np
    >>> from rebalance.base import _copy_row
    >>> row = np.arange(3)
    >>> np.shares_memory(_copy_row(row), row)
    False
    """
    if type(row).__module__.split(".")[0] == "torch" and callable(
        getattr(row, "clone", None)
    ):
        return row.clone()
    namespace = getattr(row, "__array_namespace__", None)
    # (numpy scalars, np.str_ texts of list(array) too, are immutable values)
    if callable(namespace) and not isinstance(row, (np.ndarray, np.generic)):
        return namespace().asarray(row, copy=True)
    return copy.copy(row)


# A list output holds a pointer per row, and its gather makes a Python int
# per row meanwhile (``indices.tolist()``: 32 bytes and a pointer).
_LIST_ROW_BYTES = 8 + 40
# pandas gathers a sparse column (SparseArray.take) through arrays with one
# value per output row (positions looked up, masks, the kept positions):
# measured at most 35 bytes a row (pandas 2.0 to 3), one column at a time.
_SPARSE_TAKE_ROW_BYTES = 40
# A row of a list X copied by fit_resample: a list object (56 bytes and a
# pointer per feature; the values are shared), or a numpy row (112 bytes).
_LIST_ROW_OBJECT_BYTES = 112
# Scratch per input row of a draw: the rows grouped by class (cached on the
# labels; the int64 argsort that groups them) and the draws' per-row pools;
# an under-sampling draw without replacement marks its rows in a bitmap.
_DRAW_INPUT_ROW_BYTES = 16
_BITMAP_INPUT_ROW_BYTES = 1
# The smoothed bootstrap (RandomOverSampler(shrinkage=...)) per added row, and
# per added row and feature (upper bounds of measured peaks): the noise and
# its row positions (held twice while joined), the float64 values it is
# added to and their cast back; sparse X also stores every noisy row dense,
# in the columns some over-sampled class varies in (at most X's stored
# entries), and draws full-width noise in blocks of rows. Its float64 copy
# of X takes 8 bytes per input value (per stored entry and index, sparse).
_SMOOTHING_ROW_BYTES = 32
_SMOOTHING_FEATURE_BYTES = 56  # integer or bool columns (rounded: more copies)
_SMOOTHING_FLOAT_FEATURE_BYTES = 40
_SMOOTHING_SPARSE_FEATURE_BYTES = 80
# Sparse X: a class's std and its temporaries, per feature of X.
_SMOOTHING_SPARSE_CLASS_BYTES = 64


def _output_memory(sampler, X_given, X, y_out, weights, plan) -> dict[str, int]:
    """Peak bytes of :meth:`BaseSampler.fit_resample` past its inputs, by
    part: the draw (row indices, and the draw's own scratch), then X, y,
    sample_weight and the smoothing noise, gathered while the indices are
    held. An upper bound (within a few percent for numpy and pandas)."""
    n_output = int(plan.n_output)
    n_samples = plan.labels.n_samples
    # (a pyarrow array of texts has no shape: one text a row)
    n_features = math.prod(X.shape[1:] if hasattr(X, "shape") else ())
    index_bytes = n_output * plan.labels.dtype.itemsize
    x_row = _row_bytes(X, n_output)
    smoothing = getattr(sampler, "shrinkage", None) is not None
    if isinstance(X_given, list):
        # Rows copied as Python objects (or, noisy, listed from the array).
        listed = _LIST_ROW_BYTES + _LIST_ROW_OBJECT_BYTES + 8 * n_features
        x_row = listed + (x_row + 24 * n_features if smoothing else x_row)
    staging = 0
    if getattr(sampler, "shuffle", True):
        # A shuffled draw of every row's worth of a CSR X: its entries are
        # first copied side by side (rebalance._gather._interleaved).
        staging = _gather.csr_staging_bytes(X, n_output)
    parts = {
        "X": n_output * x_row + staging,
        "y": n_output * _row_bytes(y_out),
        "sample_weight": 0 if weights is None else n_output * _row_bytes(weights),
    }
    if smoothing:
        noisy_features, source = n_features, n_samples * n_features * 8
        if sp.issparse(X):
            per_feature = _SMOOTHING_SPARSE_FEATURE_BYTES
            noisy_features = min(n_features, int(X.nnz))
            block = max(_indices.NOISE_BLOCK_VALUES, n_features)  # >= one row
            nnz = int(X.nnz)
            # X's float64 copy, the noise block, one class's full-width
            # statistics at a time (transient) and the features each class
            # varies in (at most X's entries, with their sorted union).
            source = (
                nnz * 16
                + (n_samples + 1) * 8
                + 8 * block
                + _SMOOTHING_SPARSE_CLASS_BYTES * n_features
                + 48 * nnz
            )
        elif all(np.dtype(dtype).kind == "f" for dtype in _dtypes(X)):
            per_feature = _SMOOTHING_FLOAT_FEATURE_BYTES
        else:
            per_feature = _SMOOTHING_FEATURE_BYTES
        n_added = max(0, n_output - n_samples)
        parts["smoothing noise"] = (
            n_added * (_SMOOTHING_ROW_BYTES + per_feature * noisy_features) + source
        )
    outputs = sum(parts.values())
    draw_scratch = (_indices.DRAW_COPIES - 1) * index_bytes
    bitmap = getattr(sampler, "replacement", None) is False  # RandomUnderSampler
    input_scratch = _BITMAP_INPUT_ROW_BYTES if bitmap else _DRAW_INPUT_ROW_BYTES
    return {
        "row indices": index_bytes,
        # The rows of y grouped by class (or their bitmap): a draw of few
        # rows from a large y needs them all the same.
        f"scratch over y's {n_samples:,} rows": n_samples * input_scratch,
        **parts,
        # Only one of the two is held at a time.
        "draw scratch": max(0, draw_scratch - outputs),
    }


def _dtypes(X) -> list:
    """The numpy dtypes of X's columns (checked X), object where not numpy."""
    if isinstance(X, np.ndarray):
        return [X.dtype]
    try:
        dtypes = list(X.dtypes) if hasattr(X, "iloc") else [object]
        return [d if isinstance(d, np.dtype) else object for d in dtypes]
    except Exception:  # an unusual frame: the larger estimate
        return [object]


def _check_output_memory(sampler, X_given, X, y_out, weights, plan) -> None:
    """Refuse, before the draw, a resampling that cannot fit in memory.

    What :func:`_output_memory` counts (the resampled X, y and sample_weight,
    the row indices, the draw's scratch and the smoothing noise) must fit in
    :func:`rebalance._indices.available_memory` (the machine's, a container's
    limit, ``ulimit -v``): a larger one would fail with a MemoryError after
    the draw, or be killed by the system. Checked above the same 64 MiB as the
    index arrays (:func:`_indices.check_output_size`).
    """
    parts = _output_memory(sampler, X_given, X, y_out, weights, plan)
    needed = sum(parts.values())
    available = _indices.memory_short_of(needed)
    if available is None:
        return
    n_output = int(plan.n_output)
    fmt = _indices.format_bytes
    detail = ", ".join(f"{name} {fmt(size)}" for name, size in parts.items() if size)
    rows = (
        "sampling_strategy, or n_samples"
        if hasattr(sampler, "n_samples")
        else ("sampling_strategy")
    )
    fixes = [f"Ask for fewer rows ({rows})", "keep fewer or narrower features"]
    if weights is not None:
        fixes.append("drop sample_weight")
    if parts.get("smoothing noise"):
        fixes.append("use shrinkage=None")
    else:
        fixes.append("pass X as a Dask array or DataFrame to resample it lazily")
    raise ValueError(
        f"{type(sampler).__name__}.fit_resample would return {n_output:,} rows "
        f"of X ({fmt(_row_bytes(X, n_output))} a row): about {fmt(needed)} ({detail}), "
        f"more than the {fmt(available)} of memory available. "
        f"{', '.join(fixes[:-1])}, or {fixes[-1]}."
    )


def _refuse_all_zero(weights) -> None:
    """Raise for weights that are all zero (as scikit-learn's estimators do):
    every resampled row would carry no weight."""
    if weights is None:
        return
    # (A run-end encoded Arrow column, pandas' too, which numpy cannot read:
    # decoded.)
    values = np.asarray(_run_end_decoded(weights), dtype=np.float64)
    if values.size and not values.any():
        raise ValueError(
            "sample_weight is all zero: every resampled row would carry no "
            "weight. Give some rows a positive weight, or pass no sample_weight."
        )


def _array_api_dispatch() -> bool:
    """Whether scikit-learn's ``array_api_dispatch`` is on."""
    import sklearn

    return bool(sklearn.get_config().get("array_api_dispatch", False))


def _in_namespace_of(given: Any, out: Any) -> Any:
    """``out`` (a numpy array gathered from ``given``) as an array of
    ``given``'s library on its device where ``given`` is a torch tensor or
    another array-API array (not numpy); anything else as it is.

    >>> import numpy as np
    >>> from rebalance.base import _in_namespace_of
    >>> _in_namespace_of([1, 2], np.array([2, 1]))
    array([2, 1])
    """
    if not isinstance(out, np.ndarray) or isinstance(given, np.ndarray):
        return out
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(given, torch.Tensor):
        return torch.asarray(out, device=given.device)
    namespace = getattr(given, "__array_namespace__", None)
    if callable(namespace):
        return namespace().asarray(out, device=given.device)
    return out


def _as_container(y, y_1d):
    """The container to gather output labels from: keep y's type and shape."""
    if isinstance(y, list):
        return y
    if hasattr(y, "iloc") or is_dataframe(y) or is_pandas_array(y):
        return y
    if isinstance(y, np.ndarray) and y.ndim == 2:
        return y
    if getattr(y, "ndim", None) == 2:
        # A column-vector torch tensor (or other array): (n, 1) labels come
        # back (n, 1), as a numpy array's do (encode_labels has read it).
        return np.asarray(y)
    return y_1d
