"""Review 25: draws over many classes (a long tail of 70,000 classes).

Every draw set up one segment or rank block per class in Python, and looked
up the kernels module by an import statement on every call: with 70,000
classes LabelShuffleSampler took 1.2 s and RandomUnderSampler 0.7 s for 1M
rows (0.2 s and 0.03 s now). The classes are now set up as arrays, their
keys drawn in one call (the same numbers), and the rank blocks marked and
read by one compiled call per thread. The draws are unchanged: the tests
rebuild them one class at a time, as before.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rebalance import _indices, _kernels
from rebalance._labels import encode_labels


def _labels(y):
    return encode_labels(np.asarray(y))[0]


def _old_label_shuffle(labels, rng):
    # The former loop, one class at a time.
    rows, bounds = labels.grouped_rows()
    totals = np.full(labels.n_classes, labels.counts.max(), dtype=np.int64)
    whole, extra = np.divmod(totals, labels.counts)
    extra_bounds = np.zeros(labels.n_classes + 1, dtype=np.int64)
    np.cumsum(extra, out=extra_bounds[1:])
    extras = _indices._distinct_rows(labels, extra, rng)
    segments = _indices._SegmentList(labels.dtype, (rows, extras))
    for c in range(labels.n_classes):
        segments.copy(0, bounds[c], bounds[c + 1], int(whole[c]))
        segments.copy(1, extra_bounds[c], extra_bounds[c + 1])
    return _indices._draw(segments.build(), rng)


@pytest.mark.parametrize("n_classes", [2, 37, 3000])
def test_keys_are_the_ones_drawn_one_at_a_time(n_classes):
    a, b = np.random.default_rng(n_classes), np.random.default_rng(n_classes)
    one_by_one = [_indices._key(a) for _ in range(n_classes)]
    assert _indices._keys(b, n_classes).tolist() == [int(k) for k in one_by_one]
    assert a.integers(1 << 40) == b.integers(1 << 40)  # the same state after


@pytest.mark.parametrize("seed", range(4))
def test_label_shuffle_over_many_classes_is_the_class_by_class_draw(seed):
    rng = np.random.default_rng(seed)
    y = np.concatenate([rng.integers(0, 400, 3000), np.zeros(900, dtype=int)])
    labels = _labels(y)
    new = _indices.label_shuffle_indices(labels, np.random.default_rng(seed))
    old = _old_label_shuffle(_labels(y), np.random.default_rng(seed))
    assert new.tobytes() == old.tobytes()


def test_segment_arrays_are_checked_like_single_segments():
    pool = np.arange(10, dtype=np.int64)
    segments = _indices._SegmentList(pool.dtype, (pool,))
    segments.copy([0, 0], [0, 4], [3, 10], [2, 1])
    segments.copy([0], [5], [5], [3])  # empty: left out
    assert segments.total == 12
    for start, stop in ((-1, 3), (4, 11), (5, 4)):
        with pytest.raises(ValueError, match="internal error"):
            segments.copy([0, 0], [0, start], [3, stop], [1, 1])
    with pytest.raises(ValueError, match="internal error"):
        segments.copy([0], [0], [3], [-1])
    with pytest.raises(ValueError, match="internal error"):  # would wrap int64
        segments.copy([0], [0], [10], [1 << 62])
    with pytest.raises(ValueError, match="internal error"):  # a third pool
        segments.copy([2], [0], [3], [1])
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="internal error"):  # pick from nothing
        segments.pick(0, [3], [3], [2], rng)
    assert segments.total == 12  # nothing added by a refused call
    out = _indices._sorted_draw(segments.build(), 10)
    assert out.tolist() == sorted([0, 1, 2] * 2 + list(range(4, 10)))


def test_block_kernels_refuse_blocks_outside_their_arrays():
    bitmap = np.zeros(2, dtype=np.uint64)
    args = [np.array([0, 1]), np.array([64, 60]), np.array([3, 5])]
    keys = np.array([1, 2], dtype=np.uint64)
    assert _kernels.mark_blocks(bitmap, *args, keys, 0, 1) == 0
    assert [bin(int(w)).count("1") for w in bitmap] == [3, 5]
    bad_blocks = [
        ([0, 2], [64, 1], [1, 1]),  # past the bitmap
        ([0, 1], [64, 65], [1, 1]),  # 65 bits from word 1 of 2
        ([0, 1], [64, 60], [1, 61]),  # more to keep than bits
        ([-1, 1], [64, 60], [1, 1]),  # before the bitmap
    ]
    for word, size, keep in bad_blocks:
        fresh = np.zeros(2, dtype=np.uint64)
        bad = [np.array(word), np.array(size), np.array(keep)]
        assert _kernels.mark_blocks(fresh, *bad, keys, 0, 1) == -1
    assert _kernels.mark_blocks(bitmap, *args, keys, 0, 0) == -1  # step 0
    rows = np.arange(124, dtype=np.int64)
    bounds = np.array([0, 64, 124])
    blocks = dict(
        cls=np.array([0, 1]), first=np.array([0, 0]), last=np.array([64, 60]),
        keep=np.array([3, 5]), word=np.array([0, 1]), out_at=np.array([0, 3]),
    )  # fmt: skip
    out = np.full(8, -1, dtype=np.int64)

    def take(**change):
        fields = {**blocks, **{k: np.array(v) for k, v in change.items()}}
        return _kernels.take_blocks(
            rows, bounds, bitmap, fields["cls"], fields["first"], fields["last"],
            fields["keep"], fields["word"], fields["out_at"], out, 0, 1,
        )  # fmt: skip

    assert take() == 0
    assert (out[:3] < 64).all() and (out[3:] >= 64).all()
    assert take(cls=[0, 2]) == -1  # no such class
    assert take(last=[64, 61]) == -1  # past the class's rows
    assert take(keep=[3, 4]) == -1  # fewer marks than rows to keep
    assert take(out_at=[0, 4]) == -1  # past the output
    assert take(word=[0, 2]) == -1  # past the bitmap
    assert take(last=[64, 3]) == -1  # a mark past the block's ranks


def test_under_sampling_with_cached_rows_reads_the_same_rows():
    # The torch samplers cache each class's rows: the blocks are read from
    # them, not found by a scan; both give one draw.
    rng = np.random.default_rng(5)
    y = rng.integers(0, 900, 20_000)
    n_keep = np.minimum(_labels(y).counts, 7)
    scanned = _indices._distinct_rows(_labels(y), n_keep, np.random.default_rng(1))
    cached_labels = _labels(y)
    cached_labels.grouped_rows()
    cached = _indices._distinct_rows(cached_labels, n_keep, np.random.default_rng(1))
    assert scanned.tobytes() == cached.tobytes()
    assert np.bincount(y[scanned], minlength=900).tolist() == n_keep.tolist()


def test_many_classes_benchmark_runs():
    # benchmarks/bench_many_classes.py prints the figures; a smoke run keeps
    # it working.
    script = Path(__file__).parents[2] / "benchmarks" / "bench_many_classes.py"
    done = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    lines = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [(line[0], line[1]) for line in lines] == [
        (name, classes)
        for classes in ("2", "500")
        for name in ("RandomUnderSampler", "RandomOverSampler", "LabelShuffleSampler")
    ]


@pytest.mark.parametrize("n_classes", [17, 300, 5000])
def test_rows_grouped_by_class_are_the_stable_argsort(n_classes):
    # grouped_rows used np.argsort(codes, kind="stable") (0.7 s for 10M
    # rows); a counting pass gives the same rows.
    rng = np.random.default_rng(n_classes)
    y = rng.integers(0, n_classes, 20_011)
    rows, bounds = _labels(y).grouped_rows()
    codes = _labels(y).codes
    assert (
        rows.tobytes() == np.argsort(codes, kind="stable").astype(rows.dtype).tobytes()
    )
    assert bounds.tolist() == [0, *np.cumsum(np.bincount(codes)).tolist()]


def test_group_rows_kernel_refuses_codes_that_do_not_match_the_bounds():
    out = np.empty(4, dtype=np.int64)
    bounds = np.array([0, 1, 3, 4])
    assert _kernels.group_rows(np.array([0, 1, 1, 2]), bounds, out) == 0
    assert out.tolist() == [0, 1, 2, 3]
    for codes, edges in (
        ([0, 1, 1, 3], bounds),  # a code past the classes
        ([-1, 1, 1, 2], bounds),  # negative
        ([0, 1, 1, 1], bounds),  # class 1 overfills its bounds
        ([0, 1, 1, 2], [0, 1, 3, 5]),  # bounds past the output
        ([0, 1, 1, 2], [0, 2, 1, 4]),  # decreasing bounds
        ([0, 1, 1, 2], [1, 1, 3, 4]),  # not starting at 0
    ):
        assert _kernels.group_rows(np.array(codes), np.array(edges), out) == -1
