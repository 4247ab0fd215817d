"""Review 40 (samplers): a differential property fuzz of the estimator samplers."""

from __future__ import annotations

import numpy as np
import pytest

import rebalance as rb

SAMPLERS = [
    rb.RandomUnderSampler,
    rb.RandomOverSampler,
    rb.ClassBalancedSampler,
    rb.LabelShuffleSampler,
]


class PanicException(BaseException):
    """What pyo3 raises for a Rust panic: a BaseException, not an Exception."""


@pytest.fixture
def polars_1_0_object_panic(monkeypatch):
    # polars 1.0 (the lowest allowed) panics in estimated_size() for a frame
    # or series holding an Object column; later versions size it. Reproduced
    # here on any polars.
    pl = pytest.importorskip("polars")

    def panics(original):
        def estimated_size(self, unit="b"):
            dtypes = [self.dtype] if isinstance(self, pl.Series) else self.dtypes
            if any(dtype == pl.Object for dtype in dtypes):
                raise PanicException("called `Option::unwrap()` on a `None` value")
            return original(self, unit)

        return estimated_size

    monkeypatch.setattr(
        pl.DataFrame, "estimated_size", panics(pl.DataFrame.estimated_size)
    )
    monkeypatch.setattr(pl.Series, "estimated_size", panics(pl.Series.estimated_size))
    return pl


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_polars_object_columns_are_resampled_on_polars_1_0(
    sampler, polars_1_0_object_panic
):
    # Before: the output-memory estimate called estimated_size(), whose panic
    # (a BaseException) went through its `except Exception`: fit_resample of a
    # polars X with an Object column, or of Object labels, died with
    # pyo3_runtime.PanicException on polars 1.0.
    pl = polars_1_0_object_panic
    cells = [{"row": i} for i in range(8)]
    X = pl.DataFrame(
        {"o": pl.Series(cells, dtype=pl.Object), "i": np.arange(8, dtype=np.int16)}
    )
    y = np.array([0] * 5 + [1] * 3)
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    assert X_res.schema == X.schema
    assert X_res["o"].to_list() == [cells[i] for i in s.sample_indices_]
    assert X_res["i"].to_list() == s.sample_indices_.tolist()
    labels = pl.Series("y", list("aaaaabbb"), dtype=pl.Object)
    s = sampler(random_state=0)
    _, y_res = s.fit_resample(np.arange(8)[:, None], labels)
    assert y_res.dtype == pl.Object
    assert y_res.to_list() == [labels[int(i)] for i in s.sample_indices_]


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("make_X", [lambda: np.zeros((4, 0)), lambda: [[]] * 4])
def test_x_without_columns_is_named_in_the_error(sampler, make_X):
    # Before: scikit-learn's words alone ("Found array with 0 feature(s) ...
    # while a minimum of 1 is required."), naming neither X nor the fix.
    with pytest.raises(ValueError, match=r"0 feature\(s\).*X has no columns"):
        sampler().fit_resample(make_X(), np.array([0, 1, 0, 1]))


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(
    "y",
    [
        [[1, 0], [1, 0], [1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]],  # one-hot
        [[0], [0], [0], [0], [0], [1], [1], [1]],  # a column vector
    ],
    ids=["one-hot", "column"],
)
def test_list_label_rows_are_copies_as_list_x_rows_are(sampler, y):
    # A list X comes back as copies of its rows (review 39); labels given as
    # a list of rows came back as the input's own row lists: writing into a
    # resampled label row (label smoothing in place) changed y, and every
    # other copy of that row drawn.
    given = [list(row) for row in y]
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample([[i] for i in range(8)], y)
    assert y_res == [y[i] for i in s.sample_indices_]
    assert all(type(row) is list for row in y_res)
    assert len({id(row) for row in y_res + y}) == len(y_res) + len(y)
    for row in y_res:
        row[0] = 0.5
    assert y == given


@pytest.mark.parametrize("sampler", SAMPLERS + ["smoothed"])
def test_arrow_record_batch_x_comes_back_a_record_batch(sampler):
    # pyarrow < 15 (14 is allowed) gives a RecordBatch no `shape`: the X
    # check read it with np.asarray, and fit_resample returned a numpy array
    # of Python objects (column types and names lost) instead of a RecordBatch.
    pa = pytest.importorskip("pyarrow")
    X = pa.RecordBatch.from_arrays(
        [pa.array(np.arange(8, dtype=np.int16)), pa.array(np.arange(8) / 4)],
        names=["i", "f"],
    )
    y = np.array([0] * 5 + [1] * 3)
    if sampler == "smoothed":
        s = rb.RandomOverSampler(shrinkage=1.0, random_state=0)
    else:
        s = sampler(random_state=0)
    X_res, _ = s.fit_resample(X, y)
    assert isinstance(X_res, pa.RecordBatch)
    assert X_res.schema == X.schema
    if sampler != "smoothed":
        assert X_res.column(0).to_pylist() == s.sample_indices_.tolist()
    assert s.n_features_in_ == 2
