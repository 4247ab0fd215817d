"""Review 47 (coverage gaps): the samplers, the strategy and the index engine.

Each test drives a branch that no earlier test ran (branch coverage of the
whole suite at 376c7c8) and checks its result: a ``sampling_strategy`` that
is no count, labels whose tied classes cannot be compared, a list X of
array-API rows, and the memory and thread look-ups on machines unlike the
CI's (no ``/proc``: macOS; ``ulimit -d``; cgroup v1 hierarchies).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import types

import numpy as np
import pandas as pd
import pytest

import rebalance as rb
from rebalance import _indices

SAMPLERS = [
    rb.RandomUnderSampler,
    rb.RandomOverSampler,
    rb.ClassBalancedSampler,
    rb.LabelShuffleSampler,
]
X = np.arange(24).reshape(12, 2)
Y = np.array([0] * 8 + [1] * 4)


# --- sampling_strategy that is not a count -----------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("returned", [[4, 4], (4, 4), None, 4])
def test_callable_strategy_returning_no_dict_is_a_type_error(sampler, returned):
    s = sampler(sampling_strategy=lambda y: returned, random_state=0)
    with pytest.raises(TypeError, match=r"must return a dict \{class: count\}"):
        s.fit_resample(X, Y)
    assert not hasattr(s, "sample_indices_")


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("count", [6.0, np.float64(6), True, "6", None])
def test_dict_strategy_count_that_is_no_integer_is_a_type_error(sampler, count):
    # imbalanced-learn fails later, inside numpy's draw; here before any work,
    # naming the class (dict and callable alike).
    for strategy in ({1: count}, lambda y: {1: count}):
        s = sampler(sampling_strategy=strategy, random_state=0)
        with pytest.raises(TypeError, match=r"sampling_strategy\[1\] must be an integ"):
            s.fit_resample(X, Y)


@pytest.mark.parametrize("count", [np.int64(6), np.uint8(6), 6])
def test_dict_strategy_integer_counts_of_any_type_match_imblearn(count):
    imblearn = pytest.importorskip("imblearn.over_sampling")
    ours = rb.RandomOverSampler(sampling_strategy={1: count}, random_state=0)
    theirs = imblearn.RandomOverSampler(sampling_strategy={1: 6}, random_state=0)
    _, y_ours = ours.fit_resample(X, Y)
    _, y_theirs = theirs.fit_resample(X, Y)
    assert np.bincount(y_ours).tolist() == np.bincount(y_theirs).tolist() == [8, 6]
    assert ours.sampling_strategy_ == theirs.sampling_strategy_ == {1: 2}


# --- ties between classes that cannot be compared -----------------------------


def _mixed(categories, counts):
    values = [c for c, n in zip(categories, counts) for _ in range(n)]
    return pd.Series(pd.Categorical(values, categories=categories))


@pytest.mark.parametrize("categories", [["b", 1, "a"], [1, "b", 2.5]])
def test_tied_classes_of_mixed_types_go_to_the_first_in_category_order(categories):
    # Values of mixed types have no sorted order (np.unique, which
    # imbalanced-learn uses, refuses them): a tie goes to the first tied
    # class in category order, for the minority and for the majority alike.
    first, second, other = categories
    y = _mixed(categories, [3, 3, 6])  # a minority tie
    under = rb.RandomUnderSampler(random_state=0)
    _, y_res = under.fit_resample(X, y)
    assert under.sampling_strategy_ == {second: 3, other: 3}
    assert y_res.value_counts().to_dict() == {first: 3, second: 3, other: 3}
    over = rb.RandomOverSampler(sampling_strategy="minority", random_state=0)
    _, y_res = over.fit_resample(X, y)
    assert over.sampling_strategy_ == {first: 3}
    assert y_res.value_counts(sort=False).to_dict() == {first: 6, second: 3, other: 6}

    y = _mixed(categories, [5, 5, 2])  # a majority tie
    over = rb.RandomOverSampler(sampling_strategy="not majority", random_state=0)
    _, y_res = over.fit_resample(X, y)
    assert over.sampling_strategy_ == {second: 0, other: 3}
    under = rb.RandomUnderSampler(sampling_strategy="majority", random_state=0)
    _, y_res = under.fit_resample(X, y)
    assert under.sampling_strategy_ == {first: 2}
    assert y_res.value_counts(sort=False).to_dict() == {first: 2, second: 5, other: 2}


# --- a list X of array-API rows ----------------------------------------------


class _Namespace:
    """The ``asarray`` of an array-API namespace (array_api_strict, JAX)."""

    @staticmethod
    def asarray(obj, copy=None):
        values = np.asarray(obj._values if isinstance(obj, _ApiRow) else obj)
        return _ApiRow(values.copy() if copy else values)


class _ApiRow:
    """A row of an array-API library that is not numpy: like an
    ``array_api_strict`` array, ``copy.copy`` of it shares its memory."""

    def __init__(self, values):
        self._values = values

    def __array_namespace__(self, api_version=None):
        return _Namespace

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._values, dtype=dtype)

    def __len__(self):
        return self._values.shape[0]

    def __getitem__(self, i):
        return self._values[i]

    def __copy__(self):
        return _ApiRow(self._values)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
def test_list_of_array_api_rows_comes_back_as_copies_sharing_no_memory(sampler):
    rows = [_ApiRow(np.array([float(i), -float(i)])) for i in range(12)]
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample(rows, Y)
    assert isinstance(X_res, list) and len(X_res) == len(s.sample_indices_)
    assert all(type(row) is _ApiRow for row in X_res)
    assert [row._values[0] for row in X_res] == s.sample_indices_.tolist()
    assert y_res.tolist() == Y[s.sample_indices_].tolist()
    # A resampled row written in place changes neither X nor another copy.
    assert not any(np.shares_memory(a._values, b._values) for a in X_res for b in rows)
    values = [row._values for row in X_res]
    assert not any(
        np.shares_memory(a, b) for i, a in enumerate(values) for b in values[i + 1 :]
    )


# --- memory and threads on machines unlike the CI's --------------------------


def _fake_files(files: dict[str, str]):
    """An ``open`` that serves ``files`` and finds no other /proc or /sys path
    (macOS has neither); other paths open as usual."""
    real_open = open

    def fake_open(path, *args, **kwargs):
        path = os.fspath(path)
        if path in files:
            return io.StringIO(files[path])
        if path.startswith(("/proc/", "/sys/")):
            raise FileNotFoundError(2, "No such file or directory", path)
        return real_open(path, *args, **kwargs)

    return fake_open


def _too_large_for(available: str):
    """A draw of 50 million rows (800 MB of indices) is refused, before any
    work, naming the memory that ``available_memory`` reported."""
    y = np.zeros(1000, dtype=np.int64)
    y[:10] = 1
    s = rb.RandomOverSampler(sampling_strategy={1: 50_000_000}, random_state=0)
    with pytest.raises(ValueError, match=f"more than the {available} of memory"):
        s.fit_resample(np.zeros((1000, 1)), y)


def test_without_proc_meminfo_psutil_gives_the_memory(monkeypatch):
    # macOS: no /proc at all (no cgroups, no status file either).
    pytest.importorskip("psutil")
    import psutil

    monkeypatch.setattr(_indices, "open", _fake_files({}), raising=False)
    memory = types.SimpleNamespace(available=100 << 20)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory)
    assert _indices._cgroup_dirs("memory") == (
        ["/sys/fs/cgroup"],
        ["/sys/fs/cgroup/memory"],
    )
    assert _indices.available_memory() == 100 << 20
    _too_large_for("100 MiB")


def test_without_meminfo_or_psutil_the_free_pages_give_the_memory(monkeypatch):
    monkeypatch.setattr(_indices, "open", _fake_files({}), raising=False)
    monkeypatch.setitem(sys.modules, "psutil", None)  # not installed
    sizes = {"SC_AVPHYS_PAGES": 25_600, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(os, "sysconf", sizes.__getitem__)
    assert _indices.available_memory() == 100 << 20
    _too_large_for("100 MiB")
    # Nowhere to read it (macOS's sysconf has no SC_AVPHYS_PAGES): unknown,
    # so no check.
    monkeypatch.setattr(os, "sysconf", _raise_value_error)
    assert _indices.available_memory() is None
    assert _indices.check_output_size(10**10, np.int64, "asks for", "") == 10**10


def _raise_value_error(name):
    raise ValueError(f"unrecognized configuration name {name!r}")


def test_meminfo_without_memavailable_falls_back_to_psutil(monkeypatch):
    # Linux before 3.14 (CentOS 6) has no MemAvailable line.
    pytest.importorskip("psutil")
    import psutil

    meminfo = "MemTotal:       16384000 kB\nMemFree:         1024000 kB\n"
    files = {"/proc/meminfo": meminfo}
    monkeypatch.setattr(_indices, "open", _fake_files(files), raising=False)
    memory = types.SimpleNamespace(available=300 << 20)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory)
    assert _indices.available_memory() == 300 << 20


def test_cgroup_paths_skip_malformed_lines_and_nest_v1_and_v2(monkeypatch):
    cgroup = "garbage line\n12:cpu,cpuacct:/slurm/job_7\n0::/user.slice/app\n"
    files = {"/proc/self/cgroup": cgroup}
    monkeypatch.setattr(_indices, "open", _fake_files(files), raising=False)
    v2, v1 = _indices._cgroup_dirs("cpu")
    assert v2 == [
        "/sys/fs/cgroup/user.slice/app",
        "/sys/fs/cgroup/user.slice",
        "/sys/fs/cgroup",
    ]
    assert v1 == [
        "/sys/fs/cgroup/cpu,cpuacct/slurm/job_7",
        "/sys/fs/cgroup/cpu,cpuacct/slurm",
        "/sys/fs/cgroup/cpu",
    ]
    assert _indices._cgroup_dirs("memory")[1] == ["/sys/fs/cgroup/memory"]


@pytest.mark.parametrize(
    ("stat", "headroom"),
    [("anon 1\n", 400 << 20), ("anon 1\ninactive_file 104857600\n", 500 << 20)],
)
def test_cgroup_headroom_counts_inactive_file_cache_only_when_listed(
    monkeypatch, stat, headroom
):
    files = {
        "/proc/self/cgroup": "0::/job\n",
        "/sys/fs/cgroup/job/memory.max": f"{1 << 30}\n",
        "/sys/fs/cgroup/job/memory.current": f"{624 << 20}\n",
        "/sys/fs/cgroup/job/memory.stat": stat,
    }
    monkeypatch.setattr(_indices, "open", _fake_files(files), raising=False)
    assert _indices._cgroup_headroom() == headroom


def _fake_limits(monkeypatch, limits: dict[str, int], status: str | None) -> None:
    """Soft ``limits`` by name (an exception instance: getrlimit raises it),
    and ``/proc/self/status`` (None: no such file, as on macOS)."""
    import resource

    def getrlimit(which):
        for name, soft in limits.items():
            if which == getattr(resource, name):
                if isinstance(soft, Exception):
                    raise soft
                return soft, resource.RLIM_INFINITY
        return resource.RLIM_INFINITY, resource.RLIM_INFINITY

    monkeypatch.setattr(resource, "getrlimit", getrlimit)
    files = {} if status is None else {"/proc/self/status": status}
    monkeypatch.setattr(_indices, "open", _fake_files(files), raising=False)


_STATUS = "Name:\tpython\nVmSize:\t  2097152 kB\nVmData:\t   524288 kB\n"


def test_data_limit_headroom_is_the_limit_less_the_private_memory(monkeypatch):
    # ulimit -d: only the private writable memory counts, no thread reserve.
    _fake_limits(monkeypatch, {"RLIMIT_DATA": 1 << 30}, _STATUS)
    assert _indices._rlimit_headroom() == (1 << 30) - (512 << 20)
    # A status file without the line (some sandboxes): that limit is unknown.
    _fake_limits(monkeypatch, {"RLIMIT_DATA": 1 << 30}, "Name:\tpython\n")
    assert _indices._rlimit_headroom() is None


def test_rlimit_headroom_where_limits_cannot_be_read(monkeypatch):
    import resource

    # macOS (ulimit -v set, no /proc/self/status): unknown.
    _fake_limits(monkeypatch, {"RLIMIT_AS": 1 << 30}, None)
    assert _indices._rlimit_headroom() is None
    # A platform without RLIMIT_DATA: the address-space limit alone.
    _fake_limits(monkeypatch, {"RLIMIT_AS": 4 << 30, "RLIMIT_DATA": 1 << 30}, _STATUS)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "1")
    monkeypatch.delattr(resource, "RLIMIT_DATA")
    left = (4 << 30) - (2 << 30) - _indices._THREAD_ADDRESS_SPACE
    assert _indices._rlimit_headroom() == left
    # getrlimit refusing one (an OSError, ValueError): that one is skipped.
    _fake_limits(monkeypatch, {"RLIMIT_AS": OSError(22, "Invalid")}, _STATUS)
    assert _indices._rlimit_headroom() is None
    # Windows: no resource module, no limits.
    monkeypatch.setitem(sys.modules, "resource", None)
    assert _indices._rlimit_headroom() is None


def test_address_space_headroom_with_a_bad_thread_count_reserves_eight(
    monkeypatch,
):
    # The draw itself names the bad variable; the memory check still works,
    # reserving the default cap of threads.
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "all")
    _fake_limits(monkeypatch, {"RLIMIT_AS": 4 << 30}, _STATUS)
    reserve = _indices._MAX_THREADS * _indices._THREAD_ADDRESS_SPACE
    assert _indices._rlimit_headroom() == (4 << 30) - (2 << 30) - reserve
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "2")
    reserve = 2 * _indices._THREAD_ADDRESS_SPACE
    assert _indices._rlimit_headroom() == (4 << 30) - (2 << 30) - reserve


def test_a_draw_past_ulimit_d_is_refused_before_any_work():
    # A real RLIMIT_DATA (Slurm and HPC login nodes set it): the draw would
    # die with a MemoryError; it is refused with the size and the limit.
    script = textwrap.dedent(
        """
        import resource
        import numpy as np
        from rebalance import RandomOverSampler

        def status(key):
            for line in open("/proc/self/status"):
                if line.startswith(key):
                    return int(line.split()[1]) * 1024

        soft = status("VmData:") + (300 << 20)
        resource.setrlimit(resource.RLIMIT_DATA, (soft, resource.RLIM_INFINITY))
        y = np.zeros(1000, dtype=np.int64)
        y[:10] = 1
        sampler = RandomOverSampler(sampling_strategy={1: 50_000_000})
        try:
            sampler.fit_resample(np.zeros((1000, 1)), y)
        except ValueError as exc:
            print(exc)
        """
    )
    if not os.path.exists("/proc/self/status"):
        pytest.skip("reads /proc/self/status (Linux)")
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "49,999,990 copies" in out.stdout
    assert "more than the 300 MiB of memory available" in out.stdout


def test_thread_count_without_an_affinity_mask_is_the_cpu_count(monkeypatch):
    # macOS and Windows have no os.sched_getaffinity.
    monkeypatch.delenv("REBALANCE_NUM_THREADS", raising=False)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(_indices, "_cgroup_cpus", lambda: None)
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    assert _indices.n_threads() == 8
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert _indices.n_threads() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # undetermined
    assert _indices.n_threads() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    monkeypatch.setattr(_indices, "_cgroup_cpus", lambda: 2)  # docker --cpus=2
    assert _indices.n_threads() == 2


def test_draw_without_an_affinity_mask_equals_the_single_thread_draw(monkeypatch):
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 64)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(_indices, "RANK_BLOCK", 128)
    y = np.repeat([0, 1, 2], [2000, 300, 40])
    samplers = [
        rb.RandomUnderSampler(),
        rb.RandomOverSampler(),
        rb.ClassBalancedSampler(),
        rb.LabelShuffleSampler(),
    ]
    plans = [s.plan(y) for s in samplers]
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "1")
    single = [plan.draw(np.random.default_rng(5)) for plan in plans]
    monkeypatch.delenv("REBALANCE_NUM_THREADS")
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(_indices, "_cgroup_cpus", lambda: None)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert _indices.n_threads() == 3
    for plan, expected in zip(plans, single):
        np.testing.assert_array_equal(plan.draw(np.random.default_rng(5)), expected)


def test_an_error_in_a_draw_thread_is_raised_after_every_thread_ends():
    finished = []

    def task(t):
        if t == 2:
            raise MemoryError("thread 2 ran out")
        finished.append(t)

    with pytest.raises(MemoryError, match="thread 2 ran out"):
        _indices._in_threads(task, 4)
    assert sorted(finished) == [0, 1, 3]


# --- the index engine's guards -----------------------------------------------
# No public input reaches these (the samplers encode the labels and check
# every count first), but they stand between inconsistent arrays and the
# compiled kernels, which do no bounds checking: each must refuse, not read
# or write out of bounds.


def _labels(codes, counts, classes=None):
    counts = np.asarray(counts)
    classes = np.arange(counts.shape[0]) if classes is None else classes
    return _indices.EncodedLabels(
        classes=np.asarray(classes), codes=np.asarray(codes), counts=counts
    )


_OK = _labels([0, 0, 1, 1, 1], [2, 3])
_MISCOUNTED = _labels([0, 0, 0, 1, 1], [2, 3])  # codes say 3 and 2
_RNG = np.random.default_rng(0)
_GUARDS = {
    "2-D codes": lambda: _indices.check_labels(_labels(np.zeros((2, 2), int), [4])),
    "float codes": lambda: _indices.check_labels(_labels(np.zeros(4), [4])),
    "counts per class": lambda: _indices.check_labels(
        _labels([0, 0, 1, 1], [2, 2, 0], classes=[0, 1])
    ),
    "no class": lambda: _indices.check_labels(_labels(np.zeros(0, int), [], [])),
    "counts not summing": lambda: _indices.check_labels(_labels([0, 0, 1, 1], [3, 2])),
    "wrapping counts": lambda: _indices.check_labels(
        _labels([0] * 4, [2**62, 2**62 + 4, -(2**63)])
    ),
    "float targets": lambda: _indices.under_sample_size(_OK, [1.0, 1.0]),
    "targets per class": lambda: _indices.over_sample_size(_OK, [1]),
    "negative target": lambda: _indices.over_sample_size(_OK, [1, -1]),
    "keep too many": lambda: _indices.under_sample_size(_OK, [3, 1]),
    "float n_samples": lambda: _indices.class_balanced_size(_OK, 3.0, 0),
    "negative n_samples": lambda: _indices.class_balanced_size(_OK, -1, 0),
    "string power": lambda: _indices.class_balanced_size(_OK, 3, "0"),
    "NaN power": lambda: _indices.class_balanced_size(_OK, 3, float("nan")),
    "totals below counts": lambda: _indices.label_shuffle_size(_OK, [1, 3]),
    "three pools": lambda: _indices._SegmentList(np.int64, (np.arange(3),) * 3),
    "keep beyond class": lambda: _indices._distinct_rows(_OK, np.array([3, 1]), _RNG),
    "unmarked resampled": lambda: _indices.under_sample_indices(
        _OK, [1, 3], _RNG, replacement=True, resampled=np.array([False, True])
    ),
    "NaN class weight": lambda: _indices._class_weights(_OK, 0, [np.nan, 1]),
    "zero class weights": lambda: _indices._class_weights(_OK, 0, [0, 0]),
    "miscounted codes, under": lambda: _indices.under_sample_indices(
        _labels([0, 0, 0, 1, 1], [2, 3]), np.array([1, 3]), _RNG
    ),
    "miscounted codes, over": lambda: _indices.over_sample_indices(
        _labels([0, 0, 0, 1, 1], [2, 3]), np.array([0, 3]), _RNG
    ),
    "miscounted codes, grouped": lambda: _labels(
        np.arange(20).repeat(2), [3, 1] + [2] * 18
    ).grouped_rows(),
    "miscounted codes, class-balanced": lambda: _indices.class_balanced_indices(
        _labels([0, 0, 0, 1, 1], [2, 3]), 5, 0, _RNG
    ),
    "miscounted codes, label shuffle": lambda: _indices.label_shuffle_indices(
        _labels([0, 0, 0, 1, 1], [2, 3]), _RNG
    ),
}


@pytest.mark.parametrize("call", list(_GUARDS.values()), ids=list(_GUARDS))
def test_index_engine_refuses_inconsistent_arrays_before_the_kernels(call):
    with pytest.raises((ValueError, TypeError)):
        call()


def test_guards_leave_consistent_edge_cases_alone():
    assert _indices.under_sample_size(_OK, [3, 1], replacement=True) == 4
    assert _indices.added_mask(np.zeros(0, dtype=np.int64)).shape == (0,)
    segments = _indices._SegmentList(np.int64)
    segments.range(3, 3)  # empty: no segment
    assert segments.total == 0 and segments.parts == []
    # Weights whose sum overflows keep their ratios.
    weights = _indices._class_weights(_OK, 0, [1e308, 1e308])
    np.testing.assert_array_equal(weights, [1.0, 1.0])
