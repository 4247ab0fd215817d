"""Review 51 (dask51): the round-50 index checks of Dask inputs.

Oracle: the rows of X as Dask computes them, with the labels and weights
paired by position (README: rows matched by position; labels holding X's
index in another order refused). X carries copies of the label and weight
of each row, so a misaligned pairing shows as a mismatch.
"""

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import rebalance._dask as rd  # noqa: E402
from rebalance import RandomUnderSampler  # noqa: E402

N = 37


def _frame(index):
    rng = np.random.default_rng(0)
    y = np.array([0] * 25 + [1] * 12)
    rng.shuffle(y)
    frame = pd.DataFrame(
        {
            "a": np.arange(N, dtype=float),
            "ycopy": y,
            "wcopy": np.arange(N) + 1.0,
            "y": y,
            "w": np.arange(N) + 1.0,
        }
    )
    if index == "perm":
        frame.index = rng.permutation(N) + 100
    elif index == "str":
        frame.index = [f"r{i:03d}" for i in rng.permutation(N)]
    elif index == "sorted":
        frame.index = np.arange(N) * 3 + 7
    return frame


def _counting(monkeypatch):
    names = []
    original = rd._compute_in_order

    def counting(named):
        names.extend(named)
        return original(named)

    monkeypatch.setattr(rd, "_compute_in_order", counting)
    return names


def _aligned(X_res, y_res, w_res):
    X_res = X_res.compute()
    if isinstance(X_res, np.ndarray):
        ycopy, wcopy = X_res[:, 1], X_res[:, 2]
    else:
        ycopy, wcopy = X_res["ycopy"].to_numpy(), X_res["wcopy"].to_numpy()
    y_res, w_res = np.asarray(y_res.compute()), np.asarray(w_res.compute())
    return np.array_equal(ycopy, y_res) and np.allclose(wcopy, w_res)


FEATURES = ["a", "ycopy", "wcopy"]


@pytest.mark.parametrize("with_weight", [False, True])
def test_one_parquet_read_with_a_stored_index_reads_x_once(
    tmp_path, monkeypatch, with_weight
):
    # X and y from one dd.read_parquet whose files store a unique index:
    # y is in X's order by construction, so X's index is not read again
    # (round 50 read it in a second pass over the files).
    pytest.importorskip("pyarrow")
    frame = _frame("sorted")
    dd.from_pandas(frame, npartitions=4).to_parquet(tmp_path / "data")
    ddf = dd.read_parquet(tmp_path / "data")
    assert ddf.index.dtype.kind == "i"  # the stored index is read back
    names = _counting(monkeypatch)
    w = ddf["w"] if with_weight else None
    sampler = RandomUnderSampler(random_state=0, shuffle=False)
    out = sampler.fit_resample(ddf[FEATURES], ddf["y"], sample_weight=w)
    assert "X-index" not in names and "X-rows" not in names
    # Rows: the in-memory call on the computed inputs.
    expected = RandomUnderSampler(random_state=0, shuffle=False).fit_resample(
        frame[FEATURES], frame["y"]
    )
    np.testing.assert_array_equal(out[0].compute().to_numpy(), expected[0].to_numpy())
    np.testing.assert_array_equal(out[1].compute().to_numpy(), expected[1].to_numpy())
    if with_weight:
        assert _aligned(out[0], out[1], out[2])


def test_separate_parquet_read_of_own_index_labels_still_checked(tmp_path):
    # Labels of another read (other files) with X's index in another order
    # are still refused: only a frame of X's own read skips the check.
    pytest.importorskip("pyarrow")
    frame = _frame("sorted")
    dd.from_pandas(frame, npartitions=3).to_parquet(tmp_path / "x")
    shuffled = frame.sample(frac=1.0, random_state=1)
    dd.from_pandas(shuffled, npartitions=3, sort=False).to_parquet(tmp_path / "y")
    X = dd.read_parquet(tmp_path / "x")[FEATURES]
    y = dd.read_parquet(tmp_path / "y")["y"]
    with pytest.raises(ValueError, match="holds X's index in another order"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("index", ["perm", "str"])
@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_array_x_of_unsorted_from_pandas_refuses_sorted_labels(index, npartitions):
    # X a Dask array of dd.from_pandas(frame, sort=False) partitions, y the
    # frame's labels sorted by index (unique, not 0..n-1): y holds X's index
    # in another order. Round 50 paired them by position, silently.
    frame = _frame(index)
    ddf = dd.from_pandas(frame, npartitions=npartitions, sort=False)
    X = ddf[FEATURES].to_dask_array(lengths=True)
    y, w = frame["y"].sort_index(), frame["w"].sort_index()
    with pytest.raises(ValueError, match="holds X's index in another order"):
        RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="holds X's index in another order"):
        rd.check_row_order(X, {"sample_weight": w})
    # The same labels in X's order pass, paired with their rows.
    out = RandomUnderSampler(random_state=0, shuffle=False).fit_resample(
        X, frame["y"], sample_weight=frame["w"]
    )
    assert _aligned(*out)
    rd.check_row_order(X, {"sample_weight": frame["w"]})


@pytest.mark.parametrize("npartitions", [1, 3, 7])
@pytest.mark.parametrize("persist", [False, True])
def test_array_x_sorted_own_index_labels_in_order_pass(npartitions, persist):
    # No false refusal: a sorted frame with an index of its own, X a Dask
    # array of its partitions, y and weights the frame's own (in X's order).
    frame = _frame("sorted")
    ddf = dd.from_pandas(frame, npartitions=npartitions)
    if persist:
        ddf = ddf.persist()
    X = ddf[FEATURES].to_dask_array(lengths=True)
    out = RandomUnderSampler(random_state=0, shuffle=False).fit_resample(
        X, frame["y"], sample_weight=frame["w"]
    )
    assert _aligned(*out)
    expected = RandomUnderSampler(random_state=0, shuffle=False).fit_resample(
        frame[FEATURES].to_numpy(), frame["y"].to_numpy()
    )
    np.testing.assert_array_equal(out[0].compute(), expected[0])


@pytest.mark.parametrize("index", ["perm", "str", "sorted"])
@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("persist", [False, True])
def test_frame_x_labels_in_x_order_never_refused(index, sort, persist):
    # No false refusal from the round-50 checks: y and weights with X's
    # index in X's order (same frame, from_pandas of X's computed rows in
    # other partitions, persisted or not) pass and stay with their rows.
    frame = _frame(index)
    ddf = dd.from_pandas(frame, npartitions=3, sort=sort)
    if persist:
        ddf = ddf.persist()
    computed = ddf.compute()
    X = ddf[FEATURES]
    for y, w in [
        (ddf["y"], ddf["w"]),
        (computed["y"], computed["w"]),
        (
            dd.from_pandas(computed["y"], npartitions=5, sort=False),
            dd.from_pandas(computed["w"], npartitions=2, sort=False).persist(),
        ),
    ]:
        out = RandomUnderSampler(random_state=0, shuffle=False).fit_resample(
            X, y, sample_weight=w
        )
        assert _aligned(*out)


def test_labels_of_x_read_reordered_by_map_partitions_still_refused(tmp_path):
    # The skip above is only for plain reads: labels of X's own read sorted
    # within each partition (map_partitions) hold X's index in another order.
    pytest.importorskip("pyarrow")
    frame = _frame("sorted")
    dd.from_pandas(frame, npartitions=3).to_parquet(tmp_path / "data")
    ddf = dd.read_parquet(tmp_path / "data")
    y = ddf["y"].map_partitions(lambda part: part.sort_values(kind="stable"))
    with pytest.raises(ValueError, match="holds X's index in another order"):
        RandomUnderSampler(random_state=0).fit_resample(ddf[FEATURES], y)
