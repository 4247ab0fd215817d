"""Review 25: gathers slower than imbalanced-learn's on some inputs.

A sweep of input shapes against imbalanced-learn found two: a wide frame
(200,000 x 300 float64, over-sampled: 0.41 s against 0.37 s) and a list of
lists X (0.27 s against 0.21 s). The wide frame was staged as rows although
each column stays in cache, gathered one column at a time (threads started
per column), by a kernel slower than ``np.take`` on cached columns, and came
back as one block per column; the list rows were copied by ``copy.copy``
with the garbage collector running.
"""

import gc

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler, _gather, _indices


def _blocks(frame: pd.DataFrame) -> int:
    return frame._mgr.nblocks  # pandas' internals: what iloc would give


def test_wide_frame_of_one_dtype_comes_back_as_one_block():
    # Default thresholds: 70,000 rows x 64 float32 columns (18 MB) go
    # through rebalance's column gather, not pandas'.
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        rng.standard_normal((70_000, 64), dtype=np.float32),
        columns=[f"f{j}" for j in range(64)],
    )
    X.attrs["source"] = "sensor"
    y = (rng.random(70_000) < 0.2).astype(int)
    for sampler in (RandomOverSampler(random_state=0), RandomUnderSampler()):
        X_res, _ = sampler.fit_resample(X, y)
        expected = X.iloc[sampler.sample_indices_].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res, expected)
        assert _blocks(X_res) == 1  # was 64: one block per column
        assert X_res.attrs == {"source": "sensor"}
        # The result owns its data.
        X_res.iloc[0, 0] = 1e9
        assert X.to_numpy().max() < 1e9


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_many_columns_are_shared_out_between_threads(monkeypatch, n_threads):
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(_indices, "n_threads", lambda: n_threads)
    rng = np.random.default_rng(1)
    n = 500
    frame = pd.DataFrame({f"c{j}": rng.standard_normal(n) for j in range(9)})
    frame["i"] = rng.integers(-5, 5, n).astype(np.int16)
    frame["t"] = pd.date_range("2020", periods=n, freq="h")
    frame["cat"] = pd.Categorical(rng.integers(0, 3, n))
    rows = rng.integers(0, n, 1700)
    taken = _gather.take_pandas(frame, rows)
    pd.testing.assert_frame_equal(taken, frame.iloc[rows].reset_index(drop=True))
    one_dtype = frame.iloc[:, :9]
    taken = _gather.take_pandas(one_dtype, rows)
    pd.testing.assert_frame_equal(taken, one_dtype.iloc[rows].reset_index(drop=True))
    assert _blocks(taken) == 1


def test_take_columns_bits_do_not_depend_on_the_threads(monkeypatch):
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    rng = np.random.default_rng(2)
    columns = [rng.standard_normal(300).astype(d) for d in ("f4", "f8", "i1", "c16")]
    columns[0][:3] = [np.nan, -0.0, np.inf]
    rows = rng.integers(0, 300, 1000)
    for n_threads in (1, 2, 3, 8):
        monkeypatch.setattr(_indices, "n_threads", lambda n=n_threads: n)
        outs = [np.empty(1000, dtype=c.dtype) for c in columns]
        _gather._take_columns(columns, rows, outs)
        for column, out in zip(columns, outs):
            assert out.tobytes() == np.take(column, rows).tobytes()


@pytest.mark.parametrize("collecting", [True, False])
def test_list_rows_are_copies_and_the_collector_is_left_as_it_was(collecting):
    X = [[float(i), float(-i)] for i in range(40)] + [(1.0, 2.0)] * 2
    y = [0] * 38 + [1] * 4
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert len(X_res) == 76 and y_res.count(1) == 38
    seen = set()
    for row in X_res:
        assert id(row) not in seen or isinstance(row, tuple)
        seen.add(id(row))
        assert row in X
    given = {id(row) for row in X if isinstance(row, list)}
    assert not any(id(row) in given for row in X_res if isinstance(row, list))
    # All-list rows: copied as lists.
    lists = X[:40]
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(lists, y[:36] + [1] * 4)
    assert all(type(row) is list for row in X_res)
    assert len({id(row) for row in X_res}) == len(X_res)
