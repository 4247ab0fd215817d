"""Review 56 (Dask front end): pairing and alignment of X's rows with y and
sample_weight, for X built as users build it (from_pandas, persisted,
Parquet and CSV reads of one or several files, filters, reset_index, ...)
and labels or weights passed as pandas, numpy, lists or Dask collections.

Every output row carries its own label and weight in X's columns ("lab",
"wt"), so each pairing is checked row by row. The tests marked "bug" fail on
the reviewed code (a silent misalignment there)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

dd = pytest.importorskip("dask.dataframe")
da = pytest.importorskip("dask.array")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

pytestmark = pytest.mark.usefixtures("synchronous_dask")

N = 36
COLUMNS = ["rid", "f", "lab", "wt"]


def _frame(index=None):
    """Rows "rid" 0..N-1 whose label and weight are also X's columns."""
    rid = np.arange(N)
    return pd.DataFrame(
        {
            "rid": rid,
            "f": rid * 0.5,
            "lab": np.where(rid % 6 == 0, 2, np.where(rid % 3 == 0, 1, 0)),
            "wt": 1.0 + rid / 100,
        },
        index=index,
    )


def _unsorted_index():
    return np.random.default_rng(1).permutation(N) + 100


def _concat_index():
    """pd.concat of three frames without ignore_index: 0..11 three times."""
    return np.concatenate([np.arange(12)] * 3)


def _write_parquet(path, frame, n_files, index=True):
    path.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), n_files)):
        frame.iloc[rows].to_parquet(path / f"part.{i}.parquet", index=index)
    return path


def _error(call) -> str:
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    return str(info.value)


def _resample(sampler_cls, X, y, w=None, **params):
    kwargs = {} if w is None else {"sample_weight": w}
    sampler = sampler_cls(random_state=0, **params)
    return sampler, [out.compute() for out in sampler.fit_resample(X, y, **kwargs)]


def _check(sampler_cls, X, y, w=None, again=False, **params):
    """The output pairs every row with its own label and weight, is
    X[sample_indices_], draws as in memory, repeats for the same random
    state (``again``), and leaves the inputs as they were."""
    before = [
        v.copy() if hasattr(v, "copy") else None if v is None else list(v)
        for v in (y, w)
    ]
    sampler, out = _resample(sampler_cls, X, y, w, **params)
    X_res = out[0]
    np.testing.assert_array_equal(np.asarray(out[1]).ravel(), X_res["lab"])
    if w is not None:
        np.testing.assert_allclose(np.asarray(out[2], dtype=float), X_res["wt"])
    X_rows = X.compute()
    np.testing.assert_array_equal(
        X_res["rid"].to_numpy(), X_rows["rid"].to_numpy()[sampler.sample_indices_]
    )
    memory = sampler_cls(random_state=0, **params)
    memory.fit_resample(X_rows.reset_index(drop=True), X_rows["lab"].to_numpy())
    np.testing.assert_array_equal(
        np.sort(sampler.sample_indices_), np.sort(memory.sample_indices_)
    )
    assert sampler.sampling_strategy_ == memory.sampling_strategy_
    if again:
        _, repeated = _resample(sampler_cls, X, y, w, **params)
        pd.testing.assert_frame_equal(repeated[0], X_res)
    for value, copy in zip((y, w), before):
        if isinstance(value, pd.Series):
            pd.testing.assert_series_equal(value, copy)
        elif value is not None and not hasattr(value, "dask"):
            np.testing.assert_array_equal(np.asarray(value), np.asarray(copy))
    return sampler


# --- silent misalignments fixed in review 56 ----------------------------------


@pytest.mark.parametrize("make_index", [_unsorted_index, _concat_index])
def test_labels_sorted_by_index_next_to_a_parquet_read_are_refused(
    tmp_path, make_index
):
    # bug: X read from Parquet files written with an unsorted (or a
    # pd.concat-style repeated) index, y the same labels sorted by that index
    # (a labels table, or y.sort_index() as an earlier error advised):
    # matched by position, every label went with another row.
    frame = _frame(make_index())
    X = dd.read_parquet(_write_parquet(tmp_path / "d", frame, 3))[COLUMNS]
    message = _error(
        lambda: RandomUnderSampler(random_state=0).fit_resample(
            X, frame["lab"].sort_index()
        )
    )
    assert "The index of y holds X's index in another order" in message
    assert "reset_index(drop=True)" in message


def test_weights_sorted_by_index_next_to_a_parquet_read_are_refused(tmp_path):
    # bug: the same with sample_weight only (y from X's read): weights went
    # with other rows.
    frame = _frame(_unsorted_index())
    ddf = dd.read_parquet(_write_parquet(tmp_path / "d", frame, 4))
    message = _error(
        lambda: RandomOverSampler(random_state=0).fit_resample(
            ddf[COLUMNS], ddf["lab"], sample_weight=frame["wt"].sort_index()
        )
    )
    assert "The index of sample_weight holds X's index in another order" in message


class _Recorder(ClassifierMixin, BaseEstimator):
    """Keeps the rows and weights it is fitted on (computed)."""

    def fit(self, X, y, sample_weight=None):
        self.X_ = X.compute() if hasattr(X, "compute") else X
        self.y_ = np.asarray(y.compute() if hasattr(y, "compute") else y)
        self.w_ = None if sample_weight is None else np.asarray(sample_weight)
        self.classes_ = np.unique(self.y_)
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def test_resampled_classifier_refuses_weights_sorted_next_to_a_parquet_read(
    tmp_path,
):
    # bug: ResampledClassifier took the per-row weights by the sampler's
    # positions in X's rows: weights sorted by an index that X's files hold
    # in another order went with other rows.
    frame = _frame(_unsorted_index())
    ddf = dd.read_parquet(_write_parquet(tmp_path / "d", frame, 3))
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    message = _error(
        lambda: model.fit(
            ddf[COLUMNS], ddf["lab"], sample_weight=frame["wt"].sort_index()
        )
    )
    assert "The index of sample_weight holds X's index in another order" in message


def test_resampled_classifier_weights_in_x_order_are_paired(tmp_path):
    frame = _frame(_unsorted_index())
    ddf = dd.read_parquet(_write_parquet(tmp_path / "d", frame, 3))
    model = ResampledClassifier(RandomOverSampler(random_state=0), _Recorder())
    model.fit(ddf[COLUMNS], ddf["lab"], sample_weight=frame["wt"])
    fitted = model.classifier_
    np.testing.assert_array_equal(fitted.y_, fitted.X_["lab"])
    np.testing.assert_allclose(fitted.w_, fitted.X_["wt"])


@pytest.mark.parametrize(
    "make_y",
    [
        lambda part: part["lab"].sort_index(),
        lambda part: dd.from_pandas(part["lab"], npartitions=2),
    ],
    ids=["pandas-sort_index", "from_pandas"],
)
def test_repeated_index_sorted_apart_from_a_selection_is_refused(make_y):
    # bug: from_pandas(frame) sorted X's rows (a repeated, unsorted index)
    # before the filter; y, the filtered frame sorted apart, has X's index
    # in X's order but rows of equal index in another order: every such row
    # went with another's weight (and label), silently.
    frame = _frame(_concat_index())
    ddf = dd.from_pandas(frame, npartitions=3)
    X = ddf[ddf["rid"] > 4][COLUMNS]
    part = frame[frame["rid"] > 4]
    y = make_y(part)
    w = part["wt"].sort_index()
    message = _error(
        lambda: RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=w)
    )
    assert "X's index has repeated values" in message
    assert "sort_index(kind='stable')" in message


def test_repeated_index_labels_of_the_same_frame_pass():
    # Labels of the very frame X comes from (also filtered), or the whole
    # frame sorted as from_pandas sorts it: in X's order, checked and passed.
    frame = _frame(_concat_index())
    ddf = dd.from_pandas(frame, npartitions=3)
    kept = ddf[ddf["rid"] > 4]
    _check(RandomUnderSampler, kept[COLUMNS], kept["lab"], kept["wt"])
    _check(
        RandomOverSampler,
        ddf[COLUMNS],
        frame["lab"].sort_index(),
        frame["wt"].sort_index(),
    )
    _check(RandomUnderSampler, ddf[COLUMNS], ddf["lab"].compute())


def test_repeated_index_dask_labels_next_to_a_persisted_x_are_refused():
    # bug: X from from_pandas(frame) (sorted, then persisted: its graph no
    # longer says so), y through dd.from_pandas(y, sort=False) with the
    # frame's repeated index: matched by position, silently (a pandas y was
    # refused since review 55, a Dask one was not).
    frame = _frame(_concat_index())
    X = dd.from_pandas(frame, npartitions=3)[COLUMNS].persist()
    y = dd.from_pandas(frame["lab"], npartitions=2, sort=False)
    message = _error(lambda: RandomUnderSampler(random_state=0).fit_resample(X, y))
    assert "The index of y holds X's index in another order" in message


# --- aligned inputs users build: paired row by row -----------------------------


@pytest.mark.parametrize(
    ("sampler_cls", "index"),
    [(RandomOverSampler, True), (LabelShuffleSampler, False)],
)
def test_parquet_files_part_2_and_part_10_paired(tmp_path, sampler_cls, index):
    # Eleven files (part.10 sorts before part.2 by name): labels and weights
    # from X's read, from a second read, and as a Dask array.
    frame = _frame(_unsorted_index() if index else None)
    path = _write_parquet(tmp_path / "d", frame, 11, index=index)
    ddf = dd.read_parquet(path)
    other = dd.read_parquet(path)
    _check(sampler_cls, ddf[COLUMNS], ddf["lab"], ddf["wt"], again=True)
    _check(sampler_cls, ddf[COLUMNS], other["lab"], other["wt"].values)
    _check(sampler_cls, ddf[COLUMNS], ddf["lab"].compute(), ddf["wt"].compute())


@pytest.mark.parametrize(("sort", "npartitions"), [(True, 4), (False, 1), (False, 3)])
def test_from_pandas_with_the_source_frame_labels(sort, npartitions):
    # The pandas labels of the frame from_pandas read (unsorted index): in
    # X's order with sort=False, refused with sort=True (X sorted), unless
    # sorted like X.
    frame = _frame(_unsorted_index())
    ddf = dd.from_pandas(frame, npartitions=npartitions, sort=sort)
    if sort:
        message = _error(
            lambda: RandomUnderSampler().fit_resample(ddf[COLUMNS], frame["lab"])
        )
        assert "sort_index()" in message and "sort=False" in message
        y, w = frame["lab"].sort_index(), frame["wt"].sort_index().to_numpy()
        with pytest.raises(ValueError, match="sample_weight"):
            RandomUnderSampler().fit_resample(ddf[COLUMNS], y, sample_weight=w)
        _check(RandomUnderSampler, ddf[COLUMNS], y, frame["wt"].sort_index())
    else:
        _check(RandomUnderSampler, ddf[COLUMNS], frame["lab"], frame["wt"].to_numpy())
        _check(RandomOverSampler, ddf[COLUMNS], frame["lab"].tolist())


def test_csv_files_filtered_and_reset_paired(tmp_path):
    frame = _frame()
    for i, rows in enumerate(np.array_split(np.arange(N), 4)):
        frame.iloc[rows].to_csv(tmp_path / f"part.{i}.csv", index=False)
    ddf = dd.read_csv(str(tmp_path / "*.csv"))
    kept = ddf[ddf["f"] > 3]
    _check(ClassBalancedSampler, kept[COLUMNS], kept["lab"], kept["wt"], again=True)
    fresh = kept.reset_index(drop=True)
    _check(LabelShuffleSampler, fresh[COLUMNS], fresh["lab"], fresh["wt"])
    # A Dask array of a selection no longer says which rows it holds: refused
    # beside a selection (stop 54; review 90's ddf[other_mask]["y"].values).
    with pytest.raises(ValueError, match="sample_weight is a Dask array"):
        LabelShuffleSampler().fit_resample(
            fresh[COLUMNS], fresh["lab"], sample_weight=fresh["wt"].values
        )


def test_concat_repartition_and_persisted_sort_paired():
    frame = _frame(_unsorted_index())
    a = dd.from_pandas(frame.iloc[:20], npartitions=2, sort=False)
    b = dd.from_pandas(frame.iloc[20:], npartitions=3, sort=False)
    both = dd.concat([a, b]).repartition(npartitions=4)
    _check(RandomUnderSampler, both[COLUMNS], both["lab"], frame["wt"])
    ordered = dd.from_pandas(frame, npartitions=3).sort_values("f").persist()
    _check(RandomOverSampler, ordered[COLUMNS], ordered["lab"], ordered["wt"])


def test_string_index_from_pandas_paired_or_refused():
    frame = _frame([f"r{i:03d}" for i in _unsorted_index()])
    ddf = dd.from_pandas(frame, npartitions=3)  # sorted by the text index
    _check(RandomUnderSampler, ddf[COLUMNS], frame["lab"].sort_index(), ddf["wt"])
    message = _error(
        lambda: RandomUnderSampler().fit_resample(
            ddf[COLUMNS].persist(), frame["lab"], sample_weight=frame["wt"]
        )
    )
    assert "The index of y holds X's index in another order" in message


def test_labels_computed_as_numpy_next_to_a_sorted_x_are_refused():
    # Aligned in fact (computed from X's own frame), but numpy has no index
    # to check against rows that from_pandas sorted: refused, naming y and
    # the fixes (a usability limit, documented).
    frame = _frame(_unsorted_index())
    ddf = dd.from_pandas(frame, npartitions=3)
    message = _error(
        lambda: RandomUnderSampler().fit_resample(
            ddf[COLUMNS], ddf["lab"].compute().to_numpy()
        )
    )
    assert message.startswith("The rows of y (a ndarray) cannot be matched")
    assert "sort=False" in message


def test_pandas_labels_with_a_sorted_own_index_next_to_a_read_in_order(tmp_path):
    # The fix reads X's index for pandas labels with an index of their own:
    # in X's order they pass, and are paired.
    frame = _frame(np.arange(N) * 3 + 5)
    ddf = dd.read_parquet(_write_parquet(tmp_path / "d", frame, 3))
    _check(RandomUnderSampler, ddf[COLUMNS], frame["lab"], frame["wt"])
    _check(ClassBalancedSampler, ddf[COLUMNS], frame["lab"].tolist(), frame["wt"])


def test_repeated_index_dask_labels_next_to_a_parquet_read_are_refused(tmp_path):
    # bug: X read from twelve Parquet files with a stored repeated index, y
    # the labels of pd.read_parquet of the folder (part.10 before part.2)
    # through dd.from_pandas(sort=False): matched by position, silently.
    frame = _frame(np.random.default_rng(1).permutation(N) % 7)
    path = _write_parquet(tmp_path / "d", frame, 12)
    X = dd.read_parquet(path)[COLUMNS]
    labels = pd.read_parquet(path)["lab"]
    y = dd.from_pandas(labels, npartitions=2, sort=False)
    message = _error(lambda: RandomUnderSampler(random_state=0).fit_resample(X, y))
    assert "The index of y holds X's index in another order" in message
    # The pandas labels themselves (an unsorted index): refused before too.
    message = _error(lambda: RandomUnderSampler(random_state=0).fit_resample(X, labels))
    assert "The index of y holds X's index in another order" in message


def test_refusal_does_not_advise_sort_index_for_a_repeated_index(tmp_path):
    # bug: the refusal advised y.sort_index(), which, where X's index has
    # repeated values, passes (X's index, sorted) and pairs rows of equal
    # index with each other's labels: here X's twelve files hold a sorted
    # repeated index, y (pd.read_parquet: part.10 before part.2) another
    # order of it.
    frame = _frame(np.sort(np.random.default_rng(1).permutation(N) % 7))
    path = _write_parquet(tmp_path / "d", frame, 12)
    X = dd.read_parquet(path)[COLUMNS]
    y = pd.read_parquet(path)["lab"]
    message = _error(lambda: RandomUnderSampler().fit_resample(X, y))
    assert "The index of y holds X's index in another order" in message
    assert "y.sort_index()" not in message
    assert "cannot restore X's order among rows of equal index" in message
    # (Sorted, it holds X's index in X's order: nothing can tell that rows
    # of equal index are in another order; the advice was the harm.)
    sorted_y = y.sort_index()
    assert sorted_y.index.equals(X.index.compute())
    assert not np.array_equal(sorted_y.to_numpy(), frame["lab"].to_numpy())
