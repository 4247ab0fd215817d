"""Review 25 (memory): fit_resample's memory check counts all it allocates.

Before, the check before the draw counted the resampled X and the row indices
only: the resampled labels, sample_weight and the smoothed bootstrap's noise
(several times X for shrinkage) were left out, so a 380M-row over-sampling of
a 24 GiB machine passed the check and was OOM-killed. ``ulimit -v``
(``RLIMIT_AS``) was not seen at all: a MemoryError after the draw instead of
the ValueError before it.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rebalance import ClassBalancedSampler, RandomOverSampler, _indices


@pytest.fixture
def small_memory(monkeypatch):
    """Check every size (no 64 MiB floor) against ``budget[0]`` bytes."""
    budget = [0]
    monkeypatch.setattr(_indices, "_MEMORY_CHECK_ABOVE", 0)
    monkeypatch.setattr(_indices, "available_memory", lambda: budget[0])
    return budget


def _data():
    X = np.arange(1000, dtype=np.float32).reshape(-1, 1)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [900, 100])
    return X, y, np.ones(1000)


def test_labels_and_weights_count_in_the_memory_check(small_memory):
    # 1,800 rows out: X 4 bytes, indices 8, y 8, weights 8 a row. The old
    # check counted 12 bytes a row (21,600 bytes) and let this through.
    X, y, w = _data()
    small_memory[0] = 40_000
    sampler = RandomOverSampler(random_state=0)
    with pytest.raises(ValueError, match=r"1,800 rows of X.*y .*sample_weight"):
        sampler.fit_resample(X, y, sample_weight=w)
    assert not hasattr(sampler, "sample_indices_")  # refused before the draw
    small_memory[0] = 80_000
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    assert X_res.shape[0] == y_res.shape[0] == w_res.shape[0] == 1800


def test_one_hot_labels_count_every_column(small_memory):
    X, y, _ = _data()
    one_hot = np.eye(50)[y]  # 400 bytes a row of output
    small_memory[0] = 120_000
    ClassBalancedSampler(n_samples=1000, random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="memory available"):
        ClassBalancedSampler(n_samples=1000, random_state=0).fit_resample(X, one_hot)


def test_smoothing_noise_counts_in_the_memory_check(small_memory):
    X, y, _ = _data()
    small_memory[0] = 100_000  # plain copies: ~52 KB, with the noise ~118 KB
    RandomOverSampler(random_state=0).fit_resample(X, y)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    with pytest.raises(ValueError, match="shrinkage=None"):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sample_indices_")


def test_estimate_bounds_the_real_peak():
    tracemalloc = pytest.importorskip("tracemalloc")
    from rebalance import base

    rng = np.random.default_rng(0)
    y = rng.zipf(1.5, 20_000) % 50
    X = rng.standard_normal((20_000, 4)).astype(np.float32)
    w = rng.random(20_000)
    for sampler in (
        RandomOverSampler(random_state=0),
        RandomOverSampler(random_state=0, shrinkage=1.0),
    ):
        sampler.fit_resample(X[:500], y[:500])  # compiled, cached
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            sampler.fit_resample(X, y, sample_weight=w)
            peak = tracemalloc.get_traced_memory()[1] - start
        finally:
            tracemalloc.stop()
        X_c, y_1d, one_hot, weights, plan = sampler._check_inputs(X, y, w)
        parts = base._output_memory(sampler, X, X_c, y_1d, weights, plan)
        # tracemalloc also counts what other threads allocate meanwhile (a
        # warm-up thread an earlier test started in this worker): a few KB of
        # slack, against an estimate of ~16 MB.
        assert peak <= sum(parts.values()) + (1 << 16)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, rlimits")
def test_available_memory_sees_ulimit_v(monkeypatch):
    resource = pytest.importorskip("resource")
    with open("/proc/self/status") as f:
        vm_size = _indices._status_kib(f.read(), "VmSize:")
    limit = vm_size + (4 << 30)
    real = resource.getrlimit

    def getrlimit(which):
        if which == resource.RLIMIT_AS:
            return (limit, resource.RLIM_INFINITY)
        return real(which)

    monkeypatch.setattr(resource, "getrlimit", getrlimit)
    assert _indices._rlimit_headroom() <= 4 << 30
    assert _indices.available_memory() <= 4 << 30


_UNDER_ULIMIT = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from rebalance import RandomOverSampler, _indices

    X = np.zeros((1000, 8), dtype=np.float32)
    y = np.repeat([0, 1], [900, 100])
    RandomOverSampler(random_state=0).fit_resample(X, y)  # compiled
    with open("/proc/self/status") as f:
        vm = _indices._status_kib(f.read(), "VmSize:")
    spare = _indices.n_threads() * _indices._THREAD_ADDRESS_SPACE + (200 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (vm + spare, resource.RLIM_INFINITY))
    # ~10M rows out: ~400 MiB, twice the address space left.
    try:
        RandomOverSampler(sampling_strategy={1: 10_000_000}).fit_resample(X, y)
    except ValueError as exc:
        print("ValueError", "memory available" in str(exc))
    except MemoryError:
        print("MemoryError")
    else:
        print("done")
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS")
def test_ulimit_v_refuses_before_the_draw_in_a_subprocess():
    env = dict(os.environ, REBALANCE_NUM_THREADS="2")
    out = subprocess.run(
        [sys.executable, "-c", _UNDER_ULIMIT],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.stdout.strip() == "ValueError True", out.stdout + out.stderr
