"""Review 21, kernels: the compiled index engine and gathers.

Compiled and pure-Python (``NUMBA_DISABLE_JIT=1``) kernels give the same
draws; draws above a million rows do not depend on the thread count; odd
inputs to the kernels' Python callers end in a ValueError or a right result.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rebalance import _indices
from rebalance._labels import encode_labels


def _labels(y):
    return encode_labels(np.asarray(y))[0]


# ---------------------------------------------------------------------------
# Compiled and NUMBA_DISABLE_JIT=1 kernels draw the same indices: the compiled
# code relies on no wrap-around, overflow or cast that Python does not do.

_CROSS_MODE = """
import hashlib, json, warnings
import numpy as np
from rebalance import (
    ClassBalancedSampler, LabelShuffleSampler, RandomOverSampler,
    RandomUnderSampler, _indices, _kernels,
)
from rebalance._labels import encode_labels

warnings.simplefilter("error")
out = {}


def put(name, array):
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(array.tobytes()).hexdigest()[:20]
    out[name] = f"{digest} {array.dtype} {array.shape}"


# Tiny buckets, rank blocks and thread threshold: the bucketed shuffle, the
# multi-block marking and the thread split run on small (fast) draws.
_indices.SMALL_SHUFFLE = 256
_indices.RANK_BLOCK = 128
_indices.PARALLEL_ABOVE = 0
n = 3_001
rng = np.random.default_rng(1)
y = rng.choice(4, size=n, p=[0.6, 0.25, 0.1, 0.05])
X = np.arange(2 * n, dtype=np.float64).reshape(n, 2)
samplers = {
    "under": RandomUnderSampler(random_state=0),
    "under_sorted": RandomUnderSampler(shuffle=False, random_state=0),
    "under_repl": RandomUnderSampler(replacement=True, random_state=0),
    "under_repl_sorted": RandomUnderSampler(
        replacement=True, shuffle=False, random_state=0
    ),
    "under_dict": RandomUnderSampler(
        sampling_strategy={0: 1000, 1: 700}, random_state=0
    ),
    "over": RandomOverSampler(random_state=0),
    "over_sorted": RandomOverSampler(shuffle=False, random_state=0),
    "over_shrinkage": RandomOverSampler(shrinkage=0.5, random_state=0),
    "balanced": ClassBalancedSampler(random_state=0),
    "balanced_power": ClassBalancedSampler(n_samples=n + 7, power=0.5, random_state=0),
    "label_shuffle": LabelShuffleSampler(random_state=0),
}
for name, sampler in samplers.items():
    X_res, y_res = sampler.fit_resample(X, y)
    put(name, sampler.sample_indices_)
    put(name + "_X", X_res)

labels = encode_labels(y, compact=True)[0]
labels.grouped_rows()  # the cached-rows paths (torch samplers)
counts = labels.counts
put("cached_under", _indices.under_sample_indices(labels, counts // 3, rng))
put("cached_over", _indices.over_sample_indices(labels, counts[::-1], rng))
put("weights", _indices.class_balanced_indices(labels, 999, 0.3, rng, [1, 0, 2, 5]))
put("totals", _indices.label_shuffle_indices(labels, rng, counts.max() + counts))
runs = np.arange(5000, dtype=np.int64)
_indices.shuffle_runs(runs, 7, rng)
put("runs", runs)

# Real sizes: above SMALL_SHUFFLE, one thread.
_indices.SMALL_SHUFFLE = 1 << 16
_indices.PARALLEL_ABOVE = 1 << 20
put("shuffled_large", _indices.shuffled(np.arange(70_001, dtype=np.uint32), rng))

# The bounded-integer primitive, bounds past 2**32 and 2**63 included.
with np.errstate(over="ignore"):
    values = []
    for bound in (1, 3, 2**32 - 1, 2**32, 2**32 + 1, 2**40 + 3, 2**63 + 5, 2**64 - 1):
        state = np.uint64(0x0123456789ABCDEF)
        for _ in range(20):
            state, value = _kernels._below(state, np.uint64(bound))
            state = np.uint64(state)  # compiled: a Python int comes back
            values.append(int(value))
out["below"] = values
print(json.dumps(out))
"""


def _run_script(script: str, env: dict, timeout: float = 120):
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_pure_python_kernels_draw_what_compiled_ones_draw():
    draws = {}
    for jit_disabled in ("0", "1"):
        env = {"NUMBA_DISABLE_JIT": jit_disabled, "REBALANCE_NUM_THREADS": "3"}
        done = _run_script(_CROSS_MODE, env)
        assert done.returncode == 0, done.stderr[-3000:]
        draws[jit_disabled] = json.loads(done.stdout.strip().splitlines()[-1])
    compiled, python = draws["0"], draws["1"]
    assert compiled.keys() == python.keys()
    differing = [name for name in compiled if compiled[name] != python[name]]
    assert not differing, differing
    below = compiled["below"]
    assert all(0 <= v < b for v, b in zip(below[20:40], [3] * 20))


# ---------------------------------------------------------------------------
# Draws above a million rows do not depend on REBALANCE_NUM_THREADS: every
# index function of _indices, with uneven splits between threads.


@pytest.fixture(scope="module")
def big_labels():
    n = 2 * _indices.RANK_BLOCK + 12_345  # a class of over RANK_BLOCK rows
    rng = np.random.default_rng(5)
    return _labels(rng.choice(3, size=n, p=[0.62, 0.3, 0.08]))


_DRAWS = {
    "shuffled": lambda labels, rng: _indices.shuffled(
        np.arange(labels.n_samples, dtype=np.int64), rng
    ),
    "shuffle_runs": lambda labels, rng: _shuffle_runs(labels.n_samples, rng),
    "class_balanced": lambda labels, rng: _indices.class_balanced_indices(
        labels, labels.n_samples + 7, 0.5, rng
    ),
    "class_balanced_weights": lambda labels, rng: _indices.class_balanced_indices(
        labels, 1_234_567, 0.0, rng, weights=[1.0, 3.0, 0.5]
    ),
    "under": lambda labels, rng: _indices.under_sample_indices(
        labels, _kept(labels), rng
    ),
    "under_sorted": lambda labels, rng: _indices.under_sample_indices(
        labels, _kept(labels), rng, shuffle=False
    ),
    "under_replacement": lambda labels, rng: _indices.under_sample_indices(
        labels, labels.counts // np.array([2, 1, 1]), rng, replacement=True
    ),
    "over": lambda labels, rng: _indices.over_sample_indices(
        labels, labels.counts.max() - labels.counts, rng
    ),
    "over_sorted": lambda labels, rng: _indices.over_sample_indices(
        labels, labels.counts.max() - labels.counts, rng, shuffle=False
    ),
    "label_shuffle": lambda labels, rng: _indices.label_shuffle_indices(labels, rng),
}


def _kept(labels):
    # The largest class (two rank blocks) to 80%, the next halved, one whole.
    return labels.counts * np.array([4, 1, 1]) // np.array([5, 2, 1])


def _shuffle_runs(n, rng):
    values = np.arange(n, dtype=np.int64)
    _indices.shuffle_runs(values, 1001, rng)
    return values


@pytest.mark.parametrize("kind", list(_DRAWS))
def test_large_draws_do_not_depend_on_the_thread_count(kind, big_labels, monkeypatch):
    draws = []
    for threads in ("1", "2", "3", "5"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        draws.append(_DRAWS[kind](big_labels, np.random.default_rng(11)))
    assert draws[0].shape[0] > _indices.PARALLEL_ABOVE
    for other in draws[1:]:
        np.testing.assert_array_equal(draws[0], other)


def test_cached_rows_draw_under_threads(big_labels, monkeypatch):
    # The torch samplers' path: class rows grouped once, int32 pools.
    labels = encode_labels(big_labels.classes[big_labels.codes], compact=True)[0]
    labels.grouped_rows()
    draws = []
    for threads in ("1", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        draws.append(
            _indices.under_sample_indices(
                labels, _kept(labels), np.random.default_rng(2)
            )
        )
    np.testing.assert_array_equal(draws[0], draws[1])
    scanned = _DRAWS["under"](big_labels, np.random.default_rng(2))
    np.testing.assert_array_equal(draws[0], scanned)


# ---------------------------------------------------------------------------
# Adversarial inputs.


def test_label_codes_kernel_refuses_negative_codes():
    # Before: a signed code below 0 was used as an index (wrapped around, or
    # read memory before the classes array).
    from rebalance import _gather_kernels

    classes = np.array([10, 20, 30], dtype=np.int64)
    rows = np.arange(4, dtype=np.intp)
    for bad in (-1, -100):
        codes = np.array([0, 1, bad, 2], dtype=np.int8)
        out = np.zeros(4, dtype=np.int64)
        assert _gather_kernels.labels_from_codes(codes, classes, rows, 0, 4, out) == -1
        assert out[2] == 0  # nothing written at or after the bad code
    codes = np.array([0, 1, 2, 2], dtype=np.int8)
    out = np.zeros(4, dtype=np.int64)
    assert _gather_kernels.labels_from_codes(codes, classes, rows, 0, 4, out) == 0
    assert out.tolist() == [10, 20, 30, 30]


def _fake_files(monkeypatch, files: dict) -> None:
    """``_indices`` reads ``files`` (path -> text) instead of the cgroup and
    /proc files; other cgroup paths do not exist."""

    def fake_open(path, *args, **kwargs):
        if path in files:
            return io.StringIO(files[path])
        if path.startswith(("/sys/fs/cgroup", "/proc/")):
            raise FileNotFoundError(path)
        return open(path, *args, **kwargs)

    monkeypatch.setattr(_indices, "open", fake_open, raising=False)


_V2 = "/sys/fs/cgroup/job/step"
_V1 = "/sys/fs/cgroup/cpu,cpuacct/job"


@pytest.mark.parametrize("odd", ["\u00b2", "\u0663" * 3 + "\u00b9", "9" * 5000])
def test_cgroup_files_with_odd_numbers_are_unknown_limits(odd, monkeypatch):
    # Before: str.isdigit passes '²' (and other digits int() refuses) and a
    # number of over 4300 digits reached int(): a ValueError from every large
    # draw's memory check and from the thread count.
    files = {
        "/proc/self/cgroup": "0::/job/step\n4:cpu,cpuacct:/job\n",
        "/proc/meminfo": f"MemTotal: 1000 kB\nMemAvailable: {odd} kB\n",
        f"{_V2}/memory.max": odd,
        f"{_V2}/memory.current": "10",
        "/sys/fs/cgroup/job/memory.max": "1000000",
        "/sys/fs/cgroup/job/memory.current": odd,
        f"{_V2}/memory.stat": f"inactive_file {odd}\n",
        f"{_V2}/cpu.max": f"{odd} 100000",
        "/sys/fs/cgroup/job/cpu.max": f"100000 {odd}",
        f"{_V1}/cpu.cfs_quota_us": odd,
        f"{_V1}/cpu.cfs_period_us": "100000",
    }
    _fake_files(monkeypatch, files)
    monkeypatch.delenv("REBALANCE_NUM_THREADS", raising=False)
    assert _indices._cgroup_headroom() is None
    assert _indices._cgroup_cpus() is None
    assert _indices.n_threads() >= 1
    memory = _indices.available_memory()
    assert memory is None or memory > 0  # MemAvailable unknown: psutil or sysconf


def test_cgroup_files_still_read_as_before(monkeypatch):
    files = {
        "/proc/self/cgroup": "0::/job/step\n4:cpu,cpuacct:/job\n",
        f"{_V2}/memory.max": "1000000\n",
        f"{_V2}/memory.current": " 300000 ",
        f"{_V2}/memory.stat": "active_file 5\ninactive_file 100000\n",
        "/sys/fs/cgroup/job/memory.max": "max\n",
        "/sys/fs/cgroup/job/memory.current": "1",
        f"{_V2}/cpu.max": "250000 100000\n",
        "/sys/fs/cgroup/job/cpu.max": "max 100000\n",
        f"{_V1}/cpu.cfs_quota_us": "-1",
        f"{_V1}/cpu.cfs_period_us": "100000",
    }
    _fake_files(monkeypatch, files)
    assert _indices._cgroup_headroom() == 1000000 - (300000 - 100000)
    assert _indices._cgroup_cpus() == 3
    files[f"{_V1}/cpu.cfs_quota_us"] = "50000"
    assert _indices._cgroup_cpus() == 1


@pytest.mark.parametrize(
    "value, expected",
    [("0", ValueError), ("-1", ValueError), ("", None), ("1000000", 64),
     ("7", 7), ("abc", ValueError), ("2.5", ValueError), (" ", ValueError)],
)  # fmt: skip
def test_thread_count_variable(value, expected, monkeypatch):
    monkeypatch.setenv("REBALANCE_NUM_THREADS", value)
    if expected is ValueError:
        with pytest.raises(ValueError, match="REBALANCE_NUM_THREADS"):
            _indices.n_threads()
    else:
        threads = _indices.n_threads()
        assert 1 <= threads <= 64
        assert expected is None or threads == expected


@pytest.mark.parametrize("n_rows", [np.int64(2**62), np.uint64(2**63), np.int32(-5)])
def test_check_output_size_takes_numpy_integers_without_wrapping(n_rows):
    # Before: 2**62 rows of 8 bytes as an int64 wrapped around to 0 bytes,
    # passed the memory check and reached np.empty.
    with pytest.raises(ValueError, match="rows"):
        _indices.check_output_size(n_rows, np.dtype(np.int64), "asks for", "Fix.")


def test_check_output_size_refuses_before_the_memory_is_needed(monkeypatch):
    monkeypatch.setattr(_indices, "available_memory", lambda: 1 << 27)
    with pytest.raises(ValueError, match="more than the 128 MiB of memory"):
        _indices.check_output_size(10**8, np.dtype(np.int64), "asks for", "Fix.")
    assert _indices.check_output_size(10**6, np.dtype(np.int64), "a", "f") == 10**6


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a.astype(">i8"),  # non-native byte order
        lambda a: np.repeat(a, 3)[::3],  # strided
        lambda a: np.frombuffer(a.tobytes(), dtype=a.dtype),  # read-only
    ],
    ids=["big-endian", "strided", "read-only"],
)
@pytest.mark.parametrize("n", [50, 70_000])
def test_shuffled_takes_any_integer_array(make, n):
    # Before: numba's TypingError (the pools' tuple mixed array types).
    items = make(np.arange(n, dtype=np.int64))
    before = items.copy()
    out = _indices.shuffled(items, np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(out), np.arange(n))
    np.testing.assert_array_equal(items, before)
    expected = _indices.shuffled(np.arange(n, dtype=np.int64), np.random.default_rng(0))
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize(
    "dtype", ["M8[s]", "m8[ns]", np.float16, ">i4", ">f8", bool, "S4", "<U2"]
)
def test_shuffle_runs_moves_entries_of_any_fixed_size_dtype(dtype):
    # Before: numba's TypingError or NotImplementedError for these dtypes.
    n, run = 40, 6
    positions = np.arange(n, dtype=np.int64)
    _indices.shuffle_runs(positions, run, np.random.default_rng(4))
    source = np.arange(n).astype(dtype)
    if np.dtype(dtype) == bool:
        source = (np.arange(n) % 3 == 0).astype(bool)
    values = source.copy()
    _indices.shuffle_runs(values, run, np.random.default_rng(4))
    # The same permutation as the positions', entries moved whole.
    np.testing.assert_array_equal(values, source[positions])


@pytest.mark.parametrize(
    "values",
    [
        np.array([1, "a", None] * 2, dtype=object),
        np.zeros(6, dtype=[("a", "i4"), ("b", "f8")]),
        np.arange(6, dtype=np.longdouble)
        if np.dtype(np.longdouble).itemsize > 8
        else np.array(["abc"] * 6, dtype="<U3"),
    ],
    ids=["object", "record", "wide"],
)
def test_shuffle_runs_refuses_what_it_cannot_move(values):
    before = values.copy()
    with pytest.raises(ValueError, match="values of dtype"):
        _indices.shuffle_runs(values, 3, np.random.default_rng(0))
    assert (values == before).all()


def test_class_weights_whose_sum_overflows_draw_every_class():
    # Before: finite weights summing to inf normalised to zeros: every draw
    # took the last class.
    labels = _labels(np.r_[np.zeros(7, int), np.ones(3, int)])
    drawn = _indices.class_balanced_indices(
        labels, 4000, 0.0, np.random.default_rng(0), weights=[1e308, 1e308]
    )
    counts = np.bincount(labels.codes[drawn], minlength=2)
    assert 1800 < counts[0] < 2200, counts
    expected = _indices.class_balanced_counts(labels, 4000, 0.0, [1e308, 1e308])
    np.testing.assert_allclose(expected, [2000, 2000])


@pytest.mark.parametrize(
    "call",
    [
        lambda lab, rng: _indices.under_sample_indices(
            lab, np.array([2**62, 3]), rng, replacement=True
        ),
        lambda lab, rng: _indices.under_sample_indices(
            lab, np.array([2**64 - 1, 3], dtype=np.uint64), rng, replacement=True
        ),
        lambda lab, rng: _indices.over_sample_indices(
            lab, np.array([2**63 - 1, 2**63 - 1]), rng
        ),
        lambda lab, rng: _indices.class_balanced_indices(lab, 10**15, 1, rng),
        lambda lab, rng: _indices.class_balanced_indices(
            lab, np.uint64(2**64 - 1), 0.0, rng
        ),
        lambda lab, rng: _indices.label_shuffle_indices(
            lab, rng, totals=np.array([2**62, 2**62])
        ),
    ],
    ids=["under", "under-uint64", "over", "balanced", "balanced-uint64", "shuffle"],
)
def test_huge_requests_are_refused_before_any_allocation(call):
    labels = _labels(np.r_[np.zeros(7, int), np.ones(3, int)])
    with pytest.raises(ValueError, match="rows"):
        call(labels, np.random.default_rng(0))


def test_empty_and_zero_requests_give_empty_draws():
    labels = _labels(np.r_[np.zeros(7, int), np.ones(3, int)])
    rng = np.random.default_rng(0)
    for replacement in (False, True):
        for shuffle in (False, True):
            kept = _indices.under_sample_indices(
                labels, np.zeros(2, np.int64), rng, replacement=replacement,
                shuffle=shuffle,
            )  # fmt: skip
            assert kept.shape == (0,)
    assert _indices.class_balanced_indices(labels, 0, 0.5, rng).shape == (0,)
    assert _indices.shuffled(np.arange(0), rng).shape == (0,)
    for shuffle in (False, True):
        out = _indices.over_sample_indices(labels, [0, 0], rng, shuffle=shuffle)
        np.testing.assert_array_equal(np.sort(out), np.arange(10))
