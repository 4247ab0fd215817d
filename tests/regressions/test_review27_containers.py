"""Review 27 (containers): the input containers the samplers accept.

Each test failed on the reviewed code."""

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomUnderSampler

# --------------------------------------------------------------------------
# Dask: a draw of no rows gives empty lazy outputs, as in memory
# --------------------------------------------------------------------------

NO_ROWS = {0: 0, 1: 0, 2: 0}


def _labels():
    return np.array([0] * 6 + [1] * 3 + [2])


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("labels", ["dask", "numpy"])
def test_dask_frame_draw_of_no_rows_gives_empty_outputs(shuffle, labels):
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    frame = pd.DataFrame(
        {"a": np.arange(10), "b": np.linspace(0, 1, 10), "y": _labels()}
    )
    ddf = dd.from_pandas(frame, npartitions=3)
    y = ddf["y"] if labels == "dask" else _labels()
    sampler = RandomUnderSampler(
        sampling_strategy=NO_ROWS, random_state=0, shuffle=shuffle
    )
    with dask.config.set(scheduler="synchronous"):
        # Before: TypeError "Must supply at least one delayed object".
        X_res, y_res, w_res = sampler.fit_resample(
            ddf[["a", "b"]], y, sample_weight=ddf["b"]
        )
        X_out = X_res.compute()
        y_out, w_out = y_res.compute(), w_res.compute()
    in_memory = RandomUnderSampler(sampling_strategy=NO_ROWS, random_state=0)
    expected, _ = in_memory.fit_resample(frame[["a", "b"]], frame["y"])
    pd.testing.assert_frame_equal(X_out, expected)
    assert len(y_out) == 0 and len(w_out) == 0
    assert w_out.dtype == np.float64
    assert sampler.sample_indices_.shape == (0,)
    assert X_res.known_divisions


@pytest.mark.parametrize("shuffle", [True, False])
def test_dask_array_draw_of_no_rows_gives_empty_outputs(shuffle):
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    X = da.from_array(np.arange(20.0).reshape(10, 2), chunks=(4, 1))
    sampler = RandomUnderSampler(
        sampling_strategy=NO_ROWS, random_state=0, shuffle=shuffle
    )
    with dask.config.set(scheduler="synchronous"):
        # Before: ValueError "Empty tuples are not allowed in chunks".
        X_res, y_res = sampler.fit_resample(X, da.from_array(_labels(), chunks=5))
        X_out, y_out = X_res.compute(), y_res.compute()
    assert X_res.shape == (0, 2) and X_out.shape == (0, 2)
    assert X_out.dtype == np.float64 and y_out.shape == (0,)


# --------------------------------------------------------------------------
# Dask: a DataFrame X with a repeated column name is refused before any work
# --------------------------------------------------------------------------


def _never_computed(part):
    raise AssertionError("the labels were computed before X was checked")


@pytest.mark.parametrize("method", ["fit_resample", "fit"])
def test_dask_frame_with_repeated_column_names_is_refused_before_work(method):
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    frame = pd.DataFrame(np.arange(20).reshape(10, 2), columns=["a", "a"])
    X = dd.from_pandas(frame, npartitions=2)
    y = dd.from_pandas(pd.Series(_labels(), name="y"), npartitions=2)
    y = y.map_partitions(_never_computed, meta=y._meta)
    with dask.config.set(scheduler="synchronous"):
        # Before: the labels computed, then narwhals' DuplicateError (naming
        # neither X nor the fix).
        with pytest.raises(ValueError, match="X has more than one column named 'a'"):
            getattr(RandomUnderSampler(random_state=0), method)(X, y)


# --------------------------------------------------------------------------
# Dask: all-zero sample_weight is refused, as in memory
# --------------------------------------------------------------------------


@pytest.mark.parametrize("weights", ["numpy", "dask-array", "dask-series"])
def test_dask_all_zero_sample_weight_is_refused_as_in_memory(weights):
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    frame = pd.DataFrame({"a": np.arange(10.0), "w": np.zeros(10)})
    X = dd.from_pandas(frame, npartitions=3)
    w = {
        "numpy": np.zeros(10),
        "dask-array": da.zeros(10, chunks=4),
        "dask-series": X["w"],
    }[weights]
    with pytest.raises(ValueError, match="sample_weight is all zero"):
        RandomUnderSampler(random_state=0).fit_resample(
            frame[["a"]], _labels(), sample_weight=np.zeros(10)
        )
    with dask.config.set(scheduler="synchronous"):
        # Before: resampled, every output row with weight 0.
        with pytest.raises(ValueError, match="sample_weight is all zero"):
            RandomUnderSampler(random_state=0).fit_resample(
                X[["a"]], _labels(), sample_weight=w
            )


@pytest.mark.parametrize(
    "weights, message",
    [
        ("zeros", "sample_weight is all zero"),
        ("short", "sample_weight has shape"),
    ],
)
def test_dask_fit_checks_sample_weight_as_in_memory(weights, message):
    # Before: fit on Dask input dropped sample_weight unchecked (its
    # docstring says fit checks it; fit on numpy input does).
    da = pytest.importorskip("dask.array")
    X = da.from_array(np.arange(20.0).reshape(10, 2), chunks=4)
    w = np.zeros(10) if weights == "zeros" else np.ones(9)
    with pytest.raises(ValueError, match=message):
        RandomUnderSampler(random_state=0).fit(X.compute(), _labels(), sample_weight=w)
    with pytest.raises(ValueError, match=message):
        RandomUnderSampler(random_state=0).fit(X, _labels(), sample_weight=w)
    sampler = RandomUnderSampler(random_state=0).fit(
        X, _labels(), sample_weight=np.ones(10)
    )
    assert sampler.sampling_strategy_ == {0: 1, 1: 1}


# --------------------------------------------------------------------------
# Dask: RandomOverSampler's documented shrinkage_ is set, as in memory
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fit_resample", "fit"])
def test_dask_over_sampler_sets_shrinkage_(method):
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    from rebalance import RandomOverSampler

    X = np.arange(20.0).reshape(10, 2)
    in_memory = RandomOverSampler(random_state=0)
    getattr(in_memory, method)(X, _labels())
    sampler = RandomOverSampler(random_state=0)
    with dask.config.set(scheduler="synchronous"):
        getattr(sampler, method)(da.from_array(X, chunks=4), _labels())
    # Before: AttributeError (never set on the Dask path).
    assert sampler.shrinkage_ is None and in_memory.shrinkage_ is None
