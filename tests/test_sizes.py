"""Every size is checked before anything is allocated; nothing ever crashes.

The compiled kernels do no bounds checking, so a count that overflowed int64
used to write out of bounds (a segfault). Cases that could crash run in one
child process: a crash fails the tests that follow it instead of killing
pytest. The rest (pure Python checks) run here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _indices,
    _kernels,
)
from rebalance._priors import check_priors, class_priors
from rebalance._validation import encode_labels
from rebalance.threshold import adjust_priors, em_priors
from rebalance.weights import class_weights, sample_weights

HUGE = "{0: 2**63 - 1, 1: 2**63 - 1, 2: 35}"  # the int64 total wraps around
SINGLETONS = (
    "y = np.concatenate([np.arange(200_000), np.full(10**6, 200_000)]); "
    "X = np.zeros((y.shape[0], 1)); "
)

# name -> (code run in the child, exception expected, fragments of its message)
CASES = {
    "over_int64_wrap": (
        f"RandomOverSampler(sampling_strategy={HUGE}).fit_resample(X, y)",
        "ValueError",
        ["sampling_strategy", "rows", "bytes", "index array can hold", "Lower"],
    ),
    "under_replacement_int64_wrap": (
        "RandomUnderSampler(sampling_strategy={0: 2**63 - 1, 1: 2**63 - 1, 2: 5}, "
        "replacement=True).fit_resample(X, y)",
        "ValueError",
        ["sampling_strategy", "rows", "bytes", "index array can hold"],
    ),
    "torch_sampler_int64_wrap": (
        "from rebalance.torch import RebalanceSampler; "
        f"list(RebalanceSampler(y, RandomOverSampler(sampling_strategy={HUGE})))",
        "ValueError",
        ["sampling_strategy", "rows", "bytes"],
    ),
    "dask_int64_wrap": (
        "import dask.array as da; "
        f"RandomOverSampler(sampling_strategy={HUGE}).fit_resample("
        "da.from_array(X, chunks=20), da.from_array(y, chunks=20))",
        "ValueError",
        ["sampling_strategy", "rows", "bytes"],
    ),
    "count_beyond_int64": (
        "RandomOverSampler(sampling_strategy={0: 2**64}).fit_resample(X, y)",
        "ValueError",
        ["sampling_strategy", "fewer rows"],
    ),
    "numpy_uint64_count": (
        "RandomUnderSampler(sampling_strategy={0: np.uint64(2**64 - 1)}, "
        "replacement=True).fit_resample(X, y)",
        "ValueError",
        ["sampling_strategy"],
    ),
    "over_too_large_for_memory": (
        "RandomOverSampler(sampling_strategy={0: 10**12}).fit_resample(X, y)",
        "ValueError",
        ["sampling_strategy", "1,000,000,000,040 rows", "bytes", "memory available"],
    ),
    "class_balanced_too_large_for_memory": (
        "ClassBalancedSampler(n_samples=10**13).fit_resample(X, y)",
        "ValueError",
        ["n_samples", "10,000,000,000,000 rows", "bytes", "memory available"],
    ),
    "label_shuffle_singletons": (
        SINGLETONS + "LabelShuffleSampler().fit_resample(X, y)",
        "ValueError",
        ["200,001 classes", "200,001,000,000 rows", "bytes", "n_samples"],
    ),
    "generator_wrapping_counts": (
        "_indices.over_sample_indices(labels, np.array([2**63 - 1] * 2 + [35]), rng)",
        "ValueError",
        ["sampling_strategy", "index array can hold"],
    ),
    "generator_negative_count": (
        "_indices.under_sample_indices(labels, np.array([-1, 5, 5]), rng, "
        "replacement=True)",
        "ValueError",
        ["negative", ">= 0"],
    ),
    "generator_float_counts": (
        "_indices.over_sample_indices(labels, np.array([1.5, 0, 0]), rng)",
        "ValueError",
        ["integer count per class"],
    ),
    "generator_count_above_class": (
        "_indices.under_sample_indices(labels, np.array([30, 5, 5]), rng)",
        "ValueError",
        ["has only 20", "replacement=True"],
    ),
    "counts_not_matching_rows": (
        "bad = EncodedLabels(np.array([0, 1]), np.array([0, 1, 1]), np.array([1, 1]))"
        "; _indices.class_balanced_indices(bad, 10, 0.0, rng)",
        "ValueError",
        ["internal error", "counts"],
    ),
    "codes_outside_classes": (
        "bad = EncodedLabels(np.array([0, 1]), np.array([0, 0, 9]), np.array([2, 1]))"
        "; _indices.under_sample_indices(bad, np.array([1, 1]), rng)",
        "ValueError",
        ["internal error", "codes"],
    ),
    # The one kernel that reads label codes checks them itself (None: no error).
    "kernel_scan_codes_outside_classes": (
        "from rebalance import _kernels; "
        "args = (np.array([True, True]), np.zeros(0, np.uint64), "
        "np.zeros(2, np.int64), np.array([0, 1])); "
        "bad = _kernels.scan_marked(np.array([0, 1, 7]), *args, np.empty(3, int)); "
        "good = _kernels.scan_marked(np.array([0, 1]), *args, np.empty(2, int)); "
        "assert (bad, good) == (-1, 2), (bad, good)",
        None,
        [],
    ),
}

CHILD = """
import importlib.util, json, sys, traceback
import numpy as np
from rebalance import *
from rebalance import _indices
from rebalance._indices import EncodedLabels
from rebalance._validation import encode_labels
for name, code in json.loads(sys.argv[1]).items():
    X = np.zeros((60, 1))
    y = np.repeat([0, 1, 2], 20)
    labels = encode_labels(y)[0]
    rng = np.random.default_rng(0)
    try:
        exec(code)
        result = {"error": None, "message": ""}
    except Exception as exc:
        result = {"error": type(exc).__name__, "message": str(exc)}
    print(json.dumps({"name": name, **result}), flush=True)
# Then the fuzzing (fuzz_samplers below), in the same process.
spec = importlib.util.spec_from_file_location("fuzz", sys.argv[2])
module = importlib.util.module_from_spec(spec)
try:
    spec.loader.exec_module(module)
    module.fuzz_samplers()
    result = {"error": None, "message": ""}
except BaseException as exc:
    result = {"error": type(exc).__name__, "message": traceback.format_exc()[-4000:]}
print(json.dumps({"name": "fuzz", **result}), flush=True)
"""


def run_child(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def child_results():
    cases = {name: code for name, (code, _, _) in CASES.items()}
    done = run_child([CHILD, json.dumps(cases), str(Path(__file__))])
    results = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            results[row.pop("name")] = row
    return results, done.returncode, done.stderr[-3000:]


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.slow
def test_bad_size_is_a_clear_error_not_a_crash(child_results, name):
    results, returncode, stderr = child_results
    assert name in results, (
        f"the child process died (returncode {returncode}, -11 is a segfault) "
        f"at or before case {name!r}:\n{stderr}"
    )
    _, expected, fragments = CASES[name]
    got = results[name]
    if got["error"] == "ModuleNotFoundError":
        pytest.skip(got["message"])
    assert got["error"] == expected, got
    for fragment in fragments:
        assert fragment in got["message"], (fragment, got["message"])


# ---------------------------------------------------------------------------
# Fuzzing: random sampling strategies, all four samplers, in one child.

_SMALL = st.integers(-3, 60)
_HUGE = st.sampled_from([10**12, 2**62, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 10**30])
_NUMPY_INTS = (np.int8, np.int32, np.int64, np.uint64)


def _as_numpy(kind, value):
    info = np.iinfo(kind)
    return kind(value) if info.min <= value <= info.max else value


_COUNT = st.one_of(
    _SMALL,
    _HUGE,
    st.integers(-(2**64), -1),
    st.builds(_as_numpy, st.sampled_from(_NUMPY_INTS), st.one_of(_SMALL, _HUGE)),
    st.sampled_from([3.0, True, None, "5", np.float64(4.0), float("nan")]),
)
_ACCEPTED = (ValueError, TypeError)


def _labels(data) -> np.ndarray:
    y = np.array(data.draw(st.lists(st.integers(0, 3), min_size=2, max_size=40)))
    if np.unique(y).shape[0] < 2:
        y[0] = (y[0] + 1) % 4
    return y


def _strategy(data, classes):
    as_dict = st.dictionaries(
        st.sampled_from([*classes, 99, np.int64(classes[0])]), _COUNT, max_size=4
    )
    return data.draw(
        st.one_of(
            as_dict,
            st.sampled_from(["auto", "all", "majority", "minority", "not majority"]),
            st.floats(allow_nan=True, allow_infinity=True),
        )
    )


def _check_one(data) -> str:
    """One fuzz case; returns its kind and outcome (for tuning the strategies)."""
    y = _labels(data)
    X = np.arange(y.shape[0], dtype=float).reshape(-1, 1)
    classes, counts = np.unique(y, return_counts=True)
    before = dict(zip(classes.tolist(), counts.tolist()))
    kind = data.draw(st.sampled_from(["under", "under_replace", "over", "cb", "ls"]))
    if kind.startswith("under"):
        strategy = _strategy(data, classes.tolist())
        sampler = RandomUnderSampler(
            sampling_strategy=strategy, replacement=kind == "under_replace"
        )
    elif kind == "over":
        strategy = _strategy(data, classes.tolist())
        sampler = RandomOverSampler(sampling_strategy=strategy)
    elif kind == "cb":
        n_samples = data.draw(st.one_of(st.none(), st.integers(1, 60), _COUNT))
        power = data.draw(
            st.one_of(st.floats(0, 1), st.floats(-1, 2), st.just(float("nan")))
        )
        sampler = ClassBalancedSampler(n_samples=n_samples, power=power)
    else:
        strategy = data.draw(st.one_of(st.just("auto"), st.builds(dict)))
        if strategy != "auto":
            strategy = _strategy(data, classes.tolist())
        sampler = LabelShuffleSampler(sampling_strategy=strategy)
    try:
        _, y_res = sampler.set_params(random_state=0).fit_resample(X, y)
    except _ACCEPTED:
        return f"{kind} error"
    after = dict(zip(*np.unique(y_res, return_counts=True)))
    after = {k.item(): int(v) for k, v in after.items()}
    if kind == "cb":
        assert y_res.shape[0] == (y.shape[0] if n_samples is None else n_samples)
    elif kind == "ls" and strategy == "auto":
        assert set(after.values()) == {max(before.values())}
    elif isinstance(strategy, dict):
        named = {
            (k.item() if hasattr(k, "item") else k): v for k, v in strategy.items()
        }
        for cls, n in before.items():
            assert after.get(cls, 0) == int(named.get(cls, n)), (strategy, after)
    elif kind in ("over", "ls"):
        assert all(after[c] >= n for c, n in before.items())
    else:
        assert all(after.get(c, 0) <= n for c, n in before.items())
    return f"{kind} drawn"


def fuzz_samplers(max_examples: int = 250) -> None:
    """Random strategies for the four samplers: right counts or a clear error."""

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data):
        _check_one(data)

    run()


def test_fuzzed_strategies_never_crash(child_results):
    """Run in the child process of the cases above, after them."""
    results, returncode, stderr = child_results
    assert "fuzz" in results, (
        f"the child process died while fuzzing (returncode {returncode}, -11 is a "
        f"segfault):\n{stderr}"
    )
    assert results["fuzz"]["error"] is None, results["fuzz"]["message"]


# ---------------------------------------------------------------------------
# The size rule and the Python-side checks in front of every kernel.


def test_available_memory_is_known_on_linux():
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc/meminfo")
    assert 0 < _indices.available_memory() < 1 << 60


def test_available_memory_respects_a_container_limit(monkeypatch):
    files = {"/sys/fs/cgroup/memory.max": 1000, "/sys/fs/cgroup/memory.current": 400}
    monkeypatch.setattr(_indices, "_read_int", files.get)
    assert _indices._cgroup_headroom() == 600
    if sys.platform.startswith("linux"):
        assert _indices.available_memory() == 600
    files["/sys/fs/cgroup/memory.max"] = 2**63 - 4096  # cgroup v1's "no limit"
    assert _indices._cgroup_headroom() is None


def test_draw_must_fit_twice_in_available_memory(monkeypatch):
    labels = encode_labels(np.repeat([0, 1], 10))[0]
    monkeypatch.setattr(_indices, "_MEMORY_CHECK_ABOVE", 0)
    monkeypatch.setattr(_indices, "available_memory", lambda: 1600)
    # 100 int64 indices = 800 bytes, twice that fits exactly; 101 do not.
    assert _indices.class_balanced_size(labels, 100, 0.0) == 100
    with pytest.raises(ValueError, match=r"n_samples asks for 101 rows.*808 bytes"):
        _indices.class_balanced_size(labels, 101, 0.0)
    with pytest.raises(ValueError, match="memory available"):
        ClassBalancedSampler(n_samples=101).fit_resample(
            np.zeros((20, 1)), np.repeat([0, 1], 10)
        )


def test_sizes_are_exact_python_ints():
    labels = encode_labels(np.repeat([0, 1, 2], [5, 3, 2]))[0]
    assert _indices.over_sample_size(labels, np.array([0, 2, 3])) == 15
    assert _indices.under_sample_size(labels, np.array([2, 3, 2])) == 7
    assert _indices.label_shuffle_size(labels) == 15
    big = np.array([2**62, 2**62, 0])  # sums to 2**63: wraps in int64
    with pytest.raises(ValueError, match="9,223,372,036,854,775,818 rows"):
        _indices.over_sample_size(labels, big)
    segments = _kernels.Segments((), *[np.zeros(3, np.int64)] * 4, big, big)
    assert segments.total == 2**63


def test_plans_report_exact_sizes_before_any_draw():
    y = np.repeat([0, 1, 2], 20)
    with pytest.raises(ValueError, match="index array can hold"):
        RandomOverSampler(sampling_strategy={0: 2**63 - 1, 1: 2**63 - 1}).plan(y)
    plan = RandomOverSampler(sampling_strategy={0: 30}).plan(y)
    assert plan.n_output == 70 == plan.draw(np.random.default_rng(0)).shape[0]


@pytest.mark.parametrize(
    "add",
    [
        lambda s, rng: s.copy(0, 3, 9),  # past the end of the pool
        lambda s, rng: s.copy(1, 0, 1),  # the empty second pool
        lambda s, rng: s.copy(0, 4, 2),  # reversed
        lambda s, rng: s.pick(0, 2, 2, 5, rng),  # pick from nothing
        lambda s, rng: s.pick(0, 0, 5, -1, rng),  # negative count
        lambda s, rng: s.range(-1, 3),
        lambda s, rng: s.copy(2, 0, 1),  # no such pool
    ],
)
def test_segments_outside_their_pool_never_reach_a_kernel(add):
    segments = _indices._SegmentList(np.dtype(np.int64), (np.arange(5),))
    with pytest.raises(ValueError, match="internal error"):
        add(segments, np.random.default_rng(0))


def test_shuffle_runs_refuses_what_it_cannot_shuffle_in_place():
    rng = np.random.default_rng(0)
    strided = np.arange(40).reshape(4, 10)[:, ::2]  # reshape(-1) would copy
    with pytest.raises(ValueError, match="C-contiguous"):
        _indices.shuffle_runs(strided, 5, rng)
    with pytest.raises(ValueError, match="C-contiguous"):
        _indices.shuffle_runs(list(range(10)), 5, rng)
    for run in (0, -2, True, 2.0):
        with pytest.raises(ValueError, match="run="):
            _indices.shuffle_runs(np.arange(10), run, rng)
    values = np.arange(12).reshape(3, 4)
    _indices.shuffle_runs(values, 4, rng)
    assert sorted(values.ravel().tolist()) == list(range(12))
    assert [sorted(row) for row in values.tolist()] == np.arange(12).reshape(
        3, 4
    ).tolist()


def test_shuffled_takes_one_dimensional_integers():
    rng = np.random.default_rng(0)
    for bad in (np.zeros((2, 2), np.int64), np.zeros(3)):
        with pytest.raises(ValueError, match="1-D integer"):
            _indices.shuffled(bad, rng)


def test_split_does_not_overflow():
    edges = _indices._split(2**62, 64)
    assert edges[0] == 0 and edges[-1] == 2**62 and (np.diff(edges) > 0).all()


# ---------------------------------------------------------------------------
# Priors and weights: a clear error naming the argument, never NaN or inf.

PROBA = np.array([[0.7, 0.3], [0.2, 0.8]])


@pytest.mark.parametrize("train", [[0.0, 1.0], [-0.5, 1.5], [np.nan, 1.0], [np.inf, 1]])
def test_adjust_priors_rejects_a_zero_training_prior(train):
    with pytest.raises(ValueError, match="train_priors"):
        adjust_priors(PROBA, train, [0.5, 0.5])
    with pytest.raises(ValueError, match="train_priors"):
        em_priors(PROBA, train)


def test_adjust_priors_with_a_zero_deploy_prior():
    # A class of deploy prior 0 gets probability 0 ...
    np.testing.assert_array_equal(
        adjust_priors(PROBA, [0.5, 0.5], [0, 1]), [[0, 1]] * 2
    )
    # ... but a row with probability only there has no answer: an error, not
    # its old probabilities (the behaviour before) nor NaN.
    with pytest.raises(ValueError, match="deploy_priors are 0"):
        adjust_priors([[1.0, 0.0]], [0.5, 0.5], [0.0, 1.0])
    for deploy in ([0.0, 0.0], [np.nan, 1.0], [-1.0, 2.0]):
        with pytest.raises(ValueError, match="deploy_priors"):
            adjust_priors(PROBA, [0.5, 0.5], deploy)


@pytest.mark.parametrize(
    "proba",
    [[[np.nan, 1.0]], [[-0.1, 1.1]], [[np.inf, 0.0]], [0.5, 0.5], [["a", "b"]]],
)
def test_adjust_priors_rejects_bad_probabilities(proba):
    with pytest.raises(ValueError, match="proba"):
        adjust_priors(proba, [0.5, 0.5], [0.5, 0.5])


def test_adjust_priors_is_finite_at_extreme_priors():
    moved = adjust_priors(PROBA, [1e-300, 1.0], [1.0, 1e-300])
    assert np.isfinite(moved).all()
    np.testing.assert_allclose(moved.sum(axis=1), 1)
    wrong_length = [0.2, 0.3, 0.5]
    with pytest.raises(ValueError, match="train_priors has shape"):
        adjust_priors(PROBA, wrong_length, [0.5, 0.5])


def test_em_priors_checks_its_arguments():
    with pytest.raises(ValueError, match="tol"):
        em_priors(PROBA, [0.5, 0.5], tol=0)
    with pytest.raises(ValueError, match="max_iter"):
        em_priors(PROBA, [0.5, 0.5], max_iter=0)
    with pytest.raises(ValueError, match="proba"):
        em_priors([[np.nan, 1.0]], [0.5, 0.5])


def test_priors_of_huge_weights_are_finite():
    priors = class_priors([0, 0, 1], np.array([0, 1]), [1e308, 1e308, 1e308])
    np.testing.assert_allclose(priors, [2 / 3, 1 / 3])


@pytest.mark.parametrize("priors", [["a", "b"], {0: "x", 1: 0.5}, {0: [1, 2], 1: 0}])
def test_check_priors_names_the_argument_for_non_numbers(priors):
    with pytest.raises(ValueError, match="deploy_priors must hold numbers"):
        check_priors(priors, np.array([0, 1]), "deploy_priors")


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    counts=st.lists(st.integers(1, 10**6), min_size=2, max_size=5),
    beta=st.one_of(
        st.floats(0, 1, exclude_max=True),
        st.sampled_from([0.0, 5e-324, 1 - 2**-53, 0.9999999999]),
    ),
)
def test_weights_are_finite_and_positive(counts, beta):
    y = np.repeat(np.arange(len(counts)), np.minimum(counts, 50))
    for method in ("balanced", "effective_number"):
        weights = np.array(list(class_weights(y, method, beta=beta).values()))
        assert np.isfinite(weights).all() and (weights > 0).all()
        assert np.isfinite(sample_weights(y, method, beta=beta)).all()
