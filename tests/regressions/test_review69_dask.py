"""Review 69 (Dask as a Parquet user reads it): the samplers and
``ResampledClassifier`` on ``dd.read_parquet`` frames against the same files
read with ``pd.read_parquet``.

Every file holds a column "pos" (the row's position in the files), so each
pairing of a row and its label or weight is checked row by row."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")


from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

pytestmark = pytest.mark.usefixtures("synchronous_dask")

N = 48  # 4 files of 12 rows, row groups of 5
FEATURES = ["x", "pos", "cat", "text", "stamp"]


def _frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=N),
            "pos": np.arange(N),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], N)),
            "text": pd.array(rng.choice(["p", "q", None], N), dtype="string[pyarrow]"),
            "stamp": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 10**6, N), unit="s"),
            "lab": rng.choice([0, 1, 2], N, p=[0.6, 0.25, 0.15]),
            "w": np.arange(N) + 1.0,
        }
    )


@pytest.fixture
def folder(tmp_path):
    frame = _frame()
    for i, rows in enumerate(np.array_split(np.arange(N), 4)):
        frame.iloc[rows].to_parquet(
            tmp_path / f"part.{i}.parquet", row_group_size=5, index=False
        )
    return tmp_path


def _sort_rows(part):
    return part.sort_values("x")


def _paired(X_res, y_res, w_res=None):
    """Each output row's label (and weight) is its source row's."""
    frame = _frame()
    pos = np.asarray(X_res.compute()["pos"])
    ok = np.array_equal(frame["lab"].to_numpy()[pos], np.asarray(y_res.compute()))
    if w_res is not None:
        ok = ok and np.array_equal(frame["w"].to_numpy()[pos], w_res.compute())
    return ok


@pytest.mark.parametrize("mapped", ["X", "y", "sample_weight"])
def test_read_labels_next_to_rows_reordered_by_map_partitions_are_refused(
    folder, mapped
):
    # A read's fresh index restarts in each file; X (or y, or the weights)
    # sorted within each partition by map_partitions held it in another
    # order, and each label went to another row, silently.
    ddf = dd.read_parquet(folder)
    sorted_ = ddf.map_partitions(_sort_rows)
    X = (sorted_ if mapped == "X" else ddf)[FEATURES]
    y = (sorted_ if mapped == "y" else ddf)["lab"]
    w = (sorted_ if mapped == "sample_weight" else ddf)["w"]
    name = "y" if mapped == "X" else mapped
    with pytest.raises(ValueError, match=f"The index of {name} holds X's index") as e:
        RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=w)
    assert "reordered by map_partitions: take both from its result" in str(e.value)


def test_columns_of_one_map_partitions_result_stay_paired(folder):
    frame = dd.read_parquet(folder).map_partitions(_sort_rows)
    out = RandomOverSampler(random_state=0).fit_resample(
        frame[FEATURES], frame["lab"], sample_weight=frame["w"]
    )
    assert _paired(*out)
    # A map_partitions that keeps the order of the rows is not refused next
    # to the read's own labels.
    kept = dd.read_parquet(folder).map_partitions(lambda part: part.assign(z=1))
    ddf = dd.read_parquet(folder)
    out = RandomUnderSampler(random_state=0).fit_resample(
        kept[FEATURES + ["z"]], ddf["lab"], sample_weight=ddf["w"]
    )
    assert _paired(*out)


def test_index_of_x_read_in_the_one_compute_of_the_labels(folder, dask_computes):
    # X's index read next to the labels (here for labels with an index of
    # their own) came back as an Index where its meta is a RangeIndex: taken
    # for a result out of order, and everything was computed twice more.
    ddf = dd.read_parquet(folder)
    y = pd.read_parquet(folder)["lab"]
    y.index = y.index + 100
    computes = dask_computes()
    with computes:
        out = RandomUnderSampler(random_state=0).fit_resample(ddf[FEATURES], y)
    assert computes.n == 1
    assert _paired(*out)


@pytest.mark.parametrize(
    "read, sampler",
    [
        ("split_row_groups", RandomUnderSampler(random_state=3)),
        ("filters", RandomOverSampler(random_state=3, shuffle=False)),
        ("partitions", ClassBalancedSampler(random_state=3)),
    ],
    ids=["row-groups-under", "filters-over", "partitions-balanced"],
)
def test_parquet_reads_draw_the_rows_pandas_draws(folder, read, sampler):
    if read == "split_row_groups":
        ddf = dd.read_parquet(folder, split_row_groups=True)
        frame = pd.read_parquet(folder)
    elif read == "filters":
        filters = [("pos", ">=", 12)]  # the first file left empty
        ddf = dd.read_parquet(folder, filters=filters)
        frame = pd.read_parquet(folder, filters=filters)
    else:
        ddf = dd.read_parquet(folder).partitions[[2, 0]]
        frame = pd.concat(
            [pd.read_parquet(folder / f"part.{i}.parquet") for i in (2, 0)],
            ignore_index=True,
        )
    lazy, eager = sampler.__class__(**sampler.get_params()), sampler
    X_res, y_res, w_res = lazy.fit_resample(
        ddf[FEATURES], ddf["lab"], sample_weight=ddf["w"]
    )
    eager.fit_resample(frame[FEATURES], frame["lab"], sample_weight=frame["w"])
    np.testing.assert_array_equal(
        np.sort(lazy.sample_indices_), np.sort(eager.sample_indices_)
    )
    rows = frame.iloc[lazy.sample_indices_].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        X_res.compute().reset_index(drop=True), rows[FEATURES], check_dtype=False
    )
    np.testing.assert_array_equal(y_res.compute(), rows["lab"])
    np.testing.assert_array_equal(w_res.compute(), rows["w"])


def test_resampled_classifier_computes_a_dask_x_a_bounded_number_of_times(
    folder, dask_computes
):
    ddf = dd.read_parquet(folder)
    computes = dask_computes()
    with computes:
        model = ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        ).fit(ddf[["x", "pos"]], ddf["lab"])
    assert list(model.classes_) == [0, 1, 2]
    # The sampler's labels, then the classifier's X and y.
    assert computes.n <= 3
