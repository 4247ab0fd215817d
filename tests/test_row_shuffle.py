"""Rows gathered in order and permuted (rebalance._rows): same rows as the
indices say, a uniform order, identical for any thread count."""

import itertools
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import chisquare

from rebalance import RandomOverSampler, RandomUnderSampler, _indices, _rows
from rebalance._frames import take_rows
from rebalance._rows import RowShuffle, shuffle_rows


@pytest.fixture
def row_path(monkeypatch):
    """Every shuffled under/over draw of more than 8 rows takes the row path."""
    monkeypatch.setattr(_rows, "ROW_SHUFFLE_ABOVE", 8)


def threads(monkeypatch, n: int) -> None:
    monkeypatch.setattr(_indices, "n_threads", lambda: n)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)


ARRAYS = {
    "float32 rows": np.arange(600, dtype=np.float32).reshape(100, 6),
    "int64 column": np.arange(100, dtype=np.int64) * 7,
    "int8 3-byte rows": (np.arange(300) % 120).astype(np.int8).reshape(100, 3),
    "bool": np.arange(100) % 3 == 0,
    "complex": np.arange(100) + 1j,
    "3-D": np.arange(800, dtype=np.float64).reshape(100, 2, 4),
    "Fortran": np.asfortranarray(np.arange(500, dtype=np.float32).reshape(100, 5)),
    "datetime": np.arange(100).astype("datetime64[s]"),
    "unicode": np.array([f"r{i}" for i in range(100)]),
    "unaligned": np.frombuffer(np.arange(801, dtype=np.uint8).tobytes()[1:], "<u8"),
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_take_array_equals_data_at_indices(name):
    data = ARRAYS[name]
    rows = np.sort(np.random.default_rng(0).integers(0, 100, 3000))
    shuffle = RowShuffle(rows, np.random.default_rng(1))
    indices = shuffle.indices()
    taken = shuffle.take(data)
    assert taken.dtype == data.dtype and taken.shape == (3000,) + data.shape[1:]
    np.testing.assert_array_equal(taken, data[indices])
    assert np.array_equal(np.sort(indices), rows)


def test_object_and_non_contiguous_arrays_fall_back_to_the_indices():
    rows = np.arange(50)
    shuffle = RowShuffle(rows, np.random.default_rng(1))
    assert shuffle.take(np.array([object()] * 50)) is None
    assert shuffle.take(np.arange(200).reshape(50, 4)[:, ::2]) is None
    _, carrier = shuffle_rows(rows, np.random.default_rng(1))
    strided = np.arange(200).reshape(50, 4)[:, ::2]
    np.testing.assert_array_equal(take_rows(strided, carrier), strided[carrier])


def test_rows_outside_the_data_raise_before_any_write():
    shuffle = RowShuffle(np.array([0, 1, 5]), np.random.default_rng(0))
    with pytest.raises(ValueError, match="outside the 3 rows"):
        shuffle.take(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="outside the 3 rows"):
        shuffle.take(np.zeros(3))
    with pytest.raises(ValueError, match="1-D integer"):
        RowShuffle(np.zeros(3), np.random.default_rng(0))


def test_views_of_the_carrier_are_plain_indices():
    X = np.arange(40).reshape(20, 2)
    indices, carrier = shuffle_rows(np.arange(20), np.random.default_rng(3))
    assert type(indices) is np.ndarray and indices.flags.writeable
    assert not carrier.flags.writeable
    np.testing.assert_array_equal(take_rows(X, carrier[::2]), X[indices[::2]])
    np.testing.assert_array_equal(take_rows(X, carrier + 0), X[indices])


@pytest.mark.parametrize("log_buckets", [1, 3])
def test_marked_row_lands_anywhere_uniformly(monkeypatch, log_buckets):
    # 3 rows per bucket on average, or fewer than one (empty buckets).
    monkeypatch.setattr(_rows, "_log_buckets", lambda n: log_buckets)
    n, seeds = 6, 6000
    positions = np.zeros(n, dtype=np.int64)
    for seed in range(seeds):
        indices = RowShuffle(np.arange(n), np.random.default_rng(seed)).indices()
        positions[np.flatnonzero(indices == 0)[0]] += 1
    assert chisquare(positions).pvalue > 1e-4


def test_every_order_of_three_rows_is_equally_likely(monkeypatch):
    monkeypatch.setattr(_rows, "_log_buckets", lambda n: 2)
    X = np.array([[10.0], [20.0], [30.0]])
    seen = dict.fromkeys(itertools.permutations(range(3)), 0)
    for seed in range(6000):
        shuffle = RowShuffle(np.arange(3), np.random.default_rng(seed))
        order = tuple(shuffle.indices().tolist())
        np.testing.assert_array_equal(shuffle.take(X), X[list(order)])
        seen[order] += 1
    assert len(seen) == math.factorial(3)
    assert chisquare(list(seen.values())).pvalue > 1e-4


def test_output_is_the_same_for_one_two_and_three_threads(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5000, 8)).astype(np.float32)
    y = rng.integers(0, 3, 5000)
    rows = np.sort(rng.integers(0, 5000, 40_000))
    outputs = []
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        shuffle = RowShuffle(rows, np.random.default_rng(7))
        assert shuffle.threads == n_threads
        outputs.append((shuffle.indices(), shuffle.take(X), shuffle.take(y)))
    for indices, X_res, y_res in outputs[1:]:
        np.testing.assert_array_equal(indices, outputs[0][0])
        np.testing.assert_array_equal(X_res, outputs[0][1])
        np.testing.assert_array_equal(y_res, outputs[0][2])


def test_thread_count_from_the_environment_does_not_change_fit_resample():
    # One fresh process, REBALANCE_NUM_THREADS set to 1, 2 and 3 in turn.
    code = """
import os
import numpy as np
from rebalance import RandomOverSampler, _indices, _rows
_rows.ROW_SHUFFLE_ABOVE = 8
_indices.PARALLEL_ABOVE = 0
rng = np.random.default_rng(0)
X = rng.random((3000, 4))
y = (rng.random(3000) < 0.1).astype(int)
outputs = []
for n in ("1", "2", "3"):
    os.environ["REBALANCE_NUM_THREADS"] = n
    assert _indices.n_threads() == int(n)
    s = RandomOverSampler(random_state=1)
    X_res, y_res = s.fit_resample(X, y)
    outputs.append(X_res.tobytes() + y_res.tobytes() + s.sample_indices_.tobytes())
print(len(set(outputs)))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def _mixed_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "f32": rng.standard_normal(n).astype(np.float32),
            "i8": (np.arange(n) % 100).astype(np.int8),
            "cat": pd.Categorical(np.array(["a", "b", "c"])[np.arange(n) % 3]),
            "Int64": pd.array(np.arange(n), dtype="Int64"),
            "obj": np.array([f"s{i}" for i in range(n)], dtype=object),
        },
        index=np.arange(n) * 2 + 7,
    )


@pytest.mark.parametrize("sampler", [RandomOverSampler, RandomUnderSampler])
@pytest.mark.parametrize(
    "make_X",
    [
        lambda n: np.arange(n * 3, dtype=np.float32).reshape(n, 3),
        lambda n: np.asfortranarray(np.arange(n * 3.0).reshape(n, 3)),
        _mixed_frame,
        lambda n: sp.random(n, 6, density=0.3, format="csr", random_state=0),
        lambda n: np.arange(n * 2).reshape(n, 2).tolist(),
    ],
    ids=["numpy", "fortran", "pandas", "csr", "list"],
)
def test_fit_resample_rows_follow_sample_indices(row_path, sampler, make_X):
    n = 400
    X = make_X(n)
    y = pd.Series(np.where(np.arange(n) % 7 == 0, "rare", "common"), name="label")
    w = np.linspace(0.5, 1.5, n)
    s = sampler(random_state=3)
    X_res, y_res, w_res = s.fit_resample(X, y, sample_weight=w)
    idx = s.sample_indices_
    assert type(idx) is np.ndarray and idx.flags.writeable
    assert len(idx) > _rows.ROW_SHUFFLE_ABOVE
    assert type(X_res) is type(X)
    expected = take_rows(X, idx)
    if sp.issparse(X):
        assert (X_res != expected).nnz == 0
    elif isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X_res, expected)
        assert (X_res.dtypes == X.dtypes).all()
    else:
        np.testing.assert_array_equal(np.asarray(X_res), np.asarray(expected))
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    np.testing.assert_array_equal(y_res.to_numpy(), y.to_numpy()[idx])
    np.testing.assert_array_equal(w_res, w[idx])
    # The rows are those of the ordered draw with the same seed, shuffled.
    ordered = sampler(shuffle=False, random_state=3).fit(X, y)
    ordered.fit_resample(X, y)
    np.testing.assert_array_equal(np.sort(idx), ordered.sample_indices_)
    assert not np.array_equal(idx, ordered.sample_indices_)


def test_smoothed_bootstrap_on_the_row_path(row_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    y = (np.arange(300) % 10 == 0).astype(int)
    s = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    idx = s.sample_indices_
    np.testing.assert_array_equal(y_res, y[idx])
    unchanged = (X_res == X[idx]).all(axis=1)
    # Originals unchanged, every added copy moved.
    assert unchanged.sum() == 300 and (~unchanged).sum() == len(idx) - 300


def test_small_draws_keep_the_index_shuffle(monkeypatch):
    X = np.arange(200).reshape(100, 2)
    y = (np.arange(100) % 5 == 0).astype(int)  # over-sampling draws 160 rows
    draws = {}
    for threshold in (None, 160, 159):
        monkeypatch.setattr(_rows, "ROW_SHUFFLE_ABOVE", threshold)
        sampler = RandomOverSampler(random_state=0)
        sampler.fit_resample(X, y)
        draws[threshold] = sampler.sample_indices_
    np.testing.assert_array_equal(draws[None], draws[160])
    assert not np.array_equal(draws[None], draws[159])
    np.testing.assert_array_equal(np.sort(draws[None]), np.sort(draws[159]))
