"""Review 26 (fuzz): the hot paths rewritten in review 25's long-tail work.

The compiled ``mark_blocks`` / ``take_blocks`` kernels checked their bounds
with sums that could wrap around (a word, output position or rank near the
int64 maximum passed the check and the kernel wrote through an empty slice,
out of bounds), did not check a class's own bounds in ``take_blocks`` (a
negative bound read rows before the array: a segfault), and took a negative
first block (numba wraps it to the last). Every call that must be refused is
made in a subprocess: a kernel that writes out of bounds must fail the test,
not the test run.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rebalance import _indices
from rebalance._labels import encode_labels

pytest.importorskip("numba")

_KERNEL_CALLS = textwrap.dedent(
    """
    import numpy as np
    from rebalance import _kernels as K

    def i64(*values):
        return np.array(values, dtype=np.int64)

    big = np.iinfo(np.int64).max
    key = np.array([1], dtype=np.uint64)
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    rows = np.arange(64, dtype=np.int64)
    one_mark = np.zeros(1, np.uint64)
    K.mark_ranks(one_mark, 64, 1, np.uint64(5))
    results = {
        # mark_blocks(bitmap, word, size, keep, key, first, step)
        "word past the end (wraps)": K.mark_blocks(
            np.zeros(4, np.uint64), i64(big), i64(64), i64(64), key, 0, 1
        ),
        "size near the maximum": K.mark_blocks(
            np.zeros(4, np.uint64), i64(0), i64(big - 10), i64(3), key, 0, 1
        ),
        "negative first block": K.mark_blocks(
            np.zeros(4, np.uint64), i64(0), i64(64), i64(3), key, -1, 1
        ),
        "bits marked already": K.mark_blocks(
            np.full(1, np.uint64(1)), i64(0), i64(64), i64(3), key, 0, 1
        ),
        # take_blocks(rows, bounds, bitmap, cls, first, last, keep, word,
        #             out_at, out, start, step)
        "output position past the end (wraps)": K.take_blocks(
            rows, i64(0, 64), one_mark, i64(0), i64(0), i64(64), i64(1),
            i64(0), i64(big), np.zeros(4, np.int64), 0, 1,
        ),
        "negative class bound": K.take_blocks(
            rows, i64(-1_000_000, 64), np.full(1 << 15, full), i64(0), i64(0),
            i64(1_000_064), i64(1_000_064), i64(0), i64(0),
            np.zeros(1 << 20, np.int64), 0, 1,
        ),
        "ranks near the maximum (wrap)": K.take_blocks(
            rows, i64(1, 64), np.full(1, full), i64(0), i64(big), i64(big),
            i64(0), i64(0), i64(0), np.zeros(64, np.int64), 0, 1,
        ),
        "negative first block (take)": K.take_blocks(
            rows, i64(0, 64), one_mark, i64(0), i64(0), i64(64), i64(1),
            i64(0), i64(0), np.zeros(4, np.int64), -1, 1,
        ),
    }
    for name, result in results.items():
        print(f"{name}={result}")
    """
)


def test_block_kernels_refuse_bounds_that_wrap_around():
    done = subprocess.run(
        [sys.executable, "-c", _KERNEL_CALLS],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    results = dict(line.split("=") for line in done.stdout.splitlines())
    assert len(results) == 8
    assert results == dict.fromkeys(results, "-1")


def test_block_kernels_still_mark_and_take_valid_blocks():
    from rebalance import _kernels as K

    bitmap = np.zeros(3, np.uint64)
    word, size, keep = (np.array(a, np.int64) for a in ([0, 2], [128, 64], [5, 64]))
    key = np.array([3, 4], np.uint64)
    assert K.mark_blocks(bitmap, word, size, keep, key, 0, 1) == 0
    rows = np.arange(1000, 1192, dtype=np.int64)
    out = np.full(69, -1, np.int64)
    assert (
        K.take_blocks(
            rows,
            np.array([0, 128, 192], np.int64),
            bitmap,
            np.array([0, 1], np.int64),
            np.array([0, 0], np.int64),
            np.array([128, 64], np.int64),
            keep,
            word,
            np.array([0, 5], np.int64),
            out,
            0,
            1,
        )  # fmt: skip
        == 0
    )
    assert (np.diff(out[:5]) > 0).all() and out[:5].min() >= 1000
    assert out[:5].max() < 1128
    assert (out[5:] == np.arange(1128, 1192)).all()


def test_segment_copy_must_be_whole_repeats():
    # write_segments writes length // width whole copies of a COPY segment:
    # a length that is not a multiple (or an empty copy with a length) left
    # the rest of the output unwritten (np.empty garbage in the draw).
    segments = _indices._SegmentList(np.int64, (np.arange(10, dtype=np.int64),))
    kernels = _indices._kernels()
    with pytest.raises(ValueError, match="internal error"):
        segments._add(kernels.COPY, 0, 2, 5, 7, 0)
    with pytest.raises(ValueError, match="internal error"):
        segments._add(kernels.COPY, 0, 3, 3, 4, 0)
    with pytest.raises(ValueError, match="internal error"):
        segments._add(kernels.RANGE, 0, 0, 4, 6, 0)
    segments._add(kernels.COPY, 0, 2, 5, 6, 0)
    segments.range(0, 3)
    assert segments.total == 9


@pytest.mark.parametrize("rank_block", [64, 128])
def test_draws_do_not_depend_on_threads_with_small_rank_blocks(monkeypatch, rank_block):
    from rebalance import LabelShuffleSampler, RandomUnderSampler

    rng = np.random.default_rng(3)
    y = rng.choice(40, size=6000, p=rng.dirichlet(np.full(40, 0.3)))
    y[:3] = [37, 38, 39]
    X = np.zeros((y.shape[0], 1))
    monkeypatch.setattr(_indices, "RANK_BLOCK", rank_block)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    drawn = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(_indices, "n_threads", lambda t=threads: t)
        for sampler in (
            RandomUnderSampler(random_state=1),
            RandomUnderSampler(random_state=1, shuffle=False),
            LabelShuffleSampler(random_state=1),
        ):
            sampler.fit_resample(X, y)
            drawn.append(sampler.sample_indices_)
    for a, b in zip(drawn[:3], drawn[3:6]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(drawn[:3], drawn[6:]):
        np.testing.assert_array_equal(a, b)
    labels = encode_labels(y)[0]
    kept = drawn[1]
    smallest = int(labels.counts.min())
    assert (np.unique(y[kept], return_counts=True)[1] == smallest).all()
    assert np.unique(kept).shape[0] == kept.shape[0]
