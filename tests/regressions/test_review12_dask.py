"""Review 12: Dask inputs read from Parquet (pandas 3 / polars-written files).

Every test here fails on the current code because of a bug (see
/tmp/review12/dask.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
pl = pytest.importorskip("polars")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

N = 1200


def _labels():
    rng = np.random.default_rng(0)
    return np.where(rng.random(N) < 0.2, "churn", "stay")


def _check_like_memory(sampler_cls, X, y, **kwargs):
    """Computed X_res must be X.compute().iloc[sample_indices_], dtypes kept."""
    sampler = sampler_cls(random_state=0, **kwargs)
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_
    expected = X.compute().iloc[rows].reset_index(drop=True)
    # The lazy output's meta promises the input's column dtypes...
    assert X_res.dtypes.to_dict() == X.dtypes.to_dict()
    # ... and the computed rows are the input rows, values and dtypes.
    pd.testing.assert_frame_equal(X_res.compute(), expected)


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_parquet_list_and_binary_columns_come_back_as_strings(tmp_path, sampler_cls):
    # A pandas 3 frame with a list column and a bytes column, as pandas
    # writes it; dd.read_parquet reads both as object columns.
    y = _labels()
    pd.DataFrame(
        {
            "f": np.arange(N, dtype=float),
            "lst": [[i, i + 1] for i in range(N)],
            "raw": [b"id%d" % i for i in range(N)],
            "y": y,
        }
    ).to_parquet(tmp_path / "data.parquet", row_group_size=300, index=False)
    ddf = dd.read_parquet(tmp_path, split_row_groups=True)
    assert ddf.npartitions == 4
    # X_res's lists come back as the strings '[0 1]', bytes as 'id0'.
    _check_like_memory(sampler_cls, ddf[["f", "lst", "raw"]], ddf["y"])


@pytest.mark.parametrize("shuffle", [True, False])
def test_polars_parquet_nullable_booleans_come_back_as_strings(tmp_path, shuffle):
    # polars writes a nullable Boolean and a List column; Dask reads the
    # booleans with nulls as object partitions and the list as object.
    y = _labels()
    pl.DataFrame(
        {
            "flag": pl.Series(
                [None if i % 5 == 0 else bool(i % 2) for i in range(N)],
                dtype=pl.Boolean,
            ),
            "tags": [[i % 3] for i in range(N)],
            "f": np.arange(N, dtype=float),
            "y": y.tolist(),
        }
    ).write_parquet(tmp_path / "data.parquet", row_group_size=300)
    ddf = dd.read_parquet(tmp_path)
    X = ddf[["flag", "tags", "f"]]
    sampler = RandomUnderSampler(random_state=0, shuffle=shuffle)
    X_res, _ = sampler.fit_resample(X, ddf["y"])
    flags = X_res["flag"].compute()
    expected = X.compute()["flag"].iloc[sampler.sample_indices_]
    # Observed: 'True' / 'False' strings (string[pyarrow]) instead of booleans.
    assert flags.dtype == object
    assert flags.tolist() == expected.tolist()


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(lambda: np.arange(N) % 4 == 0, id="bool"),
        pytest.param(lambda: np.arange(N) % 3, id="int"),
    ],
)
def test_object_dtype_labels_of_dask_frame_come_back_as_strings(values):
    # In-memory labels (an object Series, e.g. from an old pickle or
    # df.astype(object)) with a Dask X: y_res must hold the same labels.
    X = dd.from_pandas(pd.DataFrame({"f": np.arange(N, dtype=float)}), npartitions=4)
    y = pd.Series(list(values()), dtype=object)
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    in_memory = RandomUnderSampler(random_state=0).fit_resample(X.compute(), y)[1]
    assert in_memory.dtype == object  # in memory: the labels, kept as they are
    got = y_res.compute()
    # Observed: dtype string, values 'True'/'False' (or '0', '1', '2').
    assert got.dtype == object
    assert got.tolist() == y.iloc[sampler.sample_indices_].tolist()


@pytest.mark.parametrize("method", ["fit_resample", "fit"])
def test_polars_int128_labels_with_dask_X_raise_a_polars_error(method):
    # In memory this is a TypeError naming y; with a Dask X the labels are
    # converted by np.asarray first and polars' own error escapes.
    X = dd.from_pandas(pd.DataFrame({"f": np.arange(40, dtype=float)}), npartitions=2)
    if not hasattr(pl, "Int128"):
        pytest.skip("polars 1.0 has no Int128")
    y = pl.Series([0, 1] * 20, dtype=pl.Int128)
    with pytest.raises(TypeError, match="y"):
        getattr(RandomUnderSampler(random_state=0), method)(X, y)


def test_polars_struct_labels_with_dask_X_are_read_as_one_hot():
    # In memory a Struct y is a TypeError naming y ("several values a row");
    # with a Dask X, np.asarray turns it into an (n, 2) matrix that passes
    # as a one-hot target and is resampled without complaint.
    X = dd.from_pandas(pd.DataFrame({"f": np.arange(40, dtype=float)}), npartitions=2)
    y = pl.Series([{"a": i % 2, "b": 1 - i % 2} for i in range(40)])
    with pytest.raises(TypeError, match="y"):
        RandomUnderSampler(random_state=0).fit_resample(X.compute(), y)
    with pytest.raises(TypeError, match="y"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)
