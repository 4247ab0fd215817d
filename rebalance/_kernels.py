"""Compiled inner loops of the index generators (numba, no Python objects).

Why compiled: an epoch's indices must come in uniformly random order, and
numpy's ``Generator.shuffle`` spends ~30 ns per element on cache misses and a
bounded-integer call per element (torch's ``randperm`` ~20 ns). Here the
shuffle is cache-blocked (Rao-Sandelius): every element goes to one of ``K``
buckets chosen uniformly at random (one sequential scatter pass), then each
bucket, small enough to stay in the L2 cache, is Fisher-Yates shuffled.
Independent uniform buckets plus a uniform order inside each bucket give a
uniform permutation of the whole, at ~3-5 ns per element.

**What is shuffled.** A draw's rows are described, not materialised, as a
list of *segments* (:class:`Segments`): a slice of a row array repeated some
times, a range of row numbers, or some rows picked at random with replacement
from a slice. The scatter pass generates the rows of the segments as it goes,
so an epoch costs one output array and no intermediate copy of it.

**Randomness.** Every kernel takes 64-bit keys drawn from the caller's
``numpy.random.Generator`` (:func:`draw_key`), so a seeded Generator gives the
same indices on every run, platform and number of threads. Inside, the kernels
use SplitMix64 (Steele, Lea & Flood 2014), whose output ``i`` is
``mix(key + i * gamma)``: a counter-based generator, so any element's random
numbers can be computed without the ones before it. That lets a pass be split
between threads (``rebalance._indices._draw``) with results independent
of the split. Bounded integers use Lemire's multiply-and-reject (2019): exactly
uniform.

Everything here is numba ``nopython`` code, compiled on first use and cached
on disk (``cache=True``); it releases the GIL (``nogil=True``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

try:
    import numba
except ValueError as exc:  # pragma: no cover - depends on the environment
    # numba reads NUMBA_NUM_THREADS when imported and refuses 0 or a negative
    # count with "Number of threads specified must be > 0.", which names
    # neither the variable nor the fix.
    _value = os.environ.get("NUMBA_NUM_THREADS")
    if _value is None or "thread" not in str(exc).lower():
        raise
    raise ValueError(
        f"NUMBA_NUM_THREADS={_value!r}: numba (which rebalance compiles its "
        f"kernels with) refuses it ({exc}). Set it to a positive integer, e.g. "
        "NUMBA_NUM_THREADS=1, or unset it; rebalance's own thread count is "
        "REBALANCE_NUM_THREADS."
    ) from exc
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# SplitMix64: the golden-ratio increment and the two multipliers of its output
# function (defined once, beside the numba-free added_mask's hash).
from rebalance._indices import SPLITMIX_GAMMA as _GAMMA  # noqa: E402
from rebalance._indices import SPLITMIX_MIX1 as _MIX1  # noqa: E402
from rebalance._indices import SPLITMIX_MIX2 as _MIX2  # noqa: E402

# Spacing of per-element and per-bucket streams (odd, unrelated to _GAMMA).
_STREAM = np.uint64(0xD1B54A32D192ED03)
_LOW32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(0x100000000)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53

# Segment kinds.
COPY = 0  # pools[pool][start:stop], repeated: length = repeats * (stop - start)
RANGE = 1  # start, start + 1, ..., start + length - 1
PICK = 2  # length rows drawn with replacement from pools[pool][start:stop]

# NUMBA_DISABLE_JIT=1: numba's decorators give back the Python functions.
JIT_DISABLED = bool(getattr(numba.config, "DISABLE_JIT", False))


def numba_jit(entry: bool = True, **options: Any) -> Callable:
    """``numba.njit(cache=True, **options)`` that works wherever numba does.

    Without a writable cache location (a read-only install and an unwritable
    ``HOME``: numba raises "cannot cache function ... no locator available")
    the function is compiled without the disk cache. With
    ``NUMBA_DISABLE_JIT=1`` (debugging) an ``entry`` function runs as Python
    with numpy's overflow warnings off: the random streams' uint64
    arithmetic wraps around on purpose, as it does compiled.
    """

    def decorate(function: Callable) -> Callable:
        if JIT_DISABLED:
            if not entry:
                return function

            @functools.wraps(function)
            def python(*args: Any) -> Any:
                with np.errstate(over="ignore"):
                    return function(*args)

            return python
        try:
            dispatcher = njit(cache=True, **options)(function)
        except RuntimeError as exc:
            if "cannot cache" not in str(exc):
                raise
            return njit(cache=False, **options)(function)
        _cache_only(dispatcher)
        return dispatcher

    return decorate


def _cache_only(dispatcher: Any) -> None:
    """Make ``dispatcher``'s disk cache a cache only: an entry that cannot be
    read is compiled again, one that cannot be written is not kept.

    numba raises from the call instead (``EOFError: Ran out of input``,
    ``UnpicklingError``: numba issue #10434) when a cache file is truncated
    or corrupt, e.g. after a crash or a full disk while it was written, and
    every later process that loads it fails the same way; an error while
    saving (a full disk, a cache directory made read-only) fails the call
    that compiled. Here a corrupt index counts as empty, so the next save
    writes a good one in its place. numba's private cache attributes are
    wrapped only where they are found as expected.
    """
    cache: Any = getattr(dispatcher, "_cache", None)
    load = getattr(cache, "load_overload", None)
    save = getattr(cache, "save_overload", None)
    if not callable(load) or not callable(save):
        return

    def load_overload(signature: Any, target_context: Any) -> Any:
        try:
            return load(signature, target_context)
        except Exception:  # unreadable entry: compile instead
            return None

    def save_overload(signature: Any, data: Any) -> None:
        try:
            save(signature, data)
        except Exception:  # the compiled function works without its copy
            pass

    cache.load_overload = load_overload
    cache.save_overload = save_overload
    files: Any = getattr(cache, "_cache_file", None)
    load_index = getattr(files, "_load_index", None)
    if callable(load_index):

        def _load_index() -> dict:
            try:
                return load_index()
            except Exception:  # corrupt index: as if empty (then rewritten)
                return {}

        files._load_index = _load_index


_jit = numba_jit(nogil=True)
_inline = numba_jit(entry=False, inline="always", nogil=True)

_I8_POINTER = ir.IntType(8).as_pointer()
# LLVM names the intrinsic after its pointer type: opaque pointers ("ptr",
# recent llvmlite) or typed ones ("i8*").
_PREFETCH_NAME = (
    "llvm.prefetch.p0" if str(_I8_POINTER) == "ptr" else "llvm.prefetch.p0i8"
)


def _prefetch_intrinsic(write: bool) -> Any:
    """``_prefetch(array, index)``: hint the CPU to bring ``array[index]`` into
    cache (no load, no fault; callers pass an index inside the array all the
    same); ``write``: for a store that follows (the line is fetched for
    ownership). Made by a function so that type checkers see it as
    compiled-only (numba's intrinsics take a typing context first)."""
    codegen = functools.partial(_prefetch_codegen, int(write))

    @intrinsic
    def prefetch(typingctx, array, index):  # pragma: no cover - compiled
        return types.void(array, index), codegen

    return prefetch


def _prefetch_codegen(rw, context, builder, signature, args):  # pragma: no cover
    array_type = signature.args[0]
    view = context.make_array(array_type)(context, builder, args[0])
    # As intp: numba lowers a narrower index into a strided array's address
    # with mismatched integer widths ("Operands must be the same type").
    index = context.cast(builder, args[1], signature.args[1], types.intp)
    pointer = cgutils.get_item_pointer(
        context, builder, array_type, view, [index], wraparound=False
    )
    i32 = ir.IntType(32)
    function = cgutils.get_or_insert_function(
        builder.module,
        ir.FunctionType(ir.VoidType(), [_I8_POINTER, i32, i32, i32]),
        _PREFETCH_NAME,
    )
    # read (0) or write (1), keep in all cache levels, data cache
    flags = [ir.Constant(i32, rw), ir.Constant(i32, 3), ir.Constant(i32, 1)]
    builder.call(function, [builder.bitcast(pointer, _I8_POINTER), *flags])
    return context.get_dummy_value()


def _no_prefetch(array: Any, index: Any) -> None:
    """``_prefetch`` as Python (``NUMBA_DISABLE_JIT=1``): a hint, so nothing."""


_prefetch = _no_prefetch if JIT_DISABLED else _prefetch_intrinsic(write=False)
_prefetch_write = _no_prefetch if JIT_DISABLED else _prefetch_intrinsic(write=True)


class Segments(NamedTuple):
    """A draw's rows as segments, concatenated in this order (one per entry).

    ``pools`` is a tuple of 1-D index arrays of one dtype; ``kind`` one of
    :data:`COPY`, :data:`RANGE`, :data:`PICK`; ``key`` the random stream of a
    ``PICK`` segment.
    """

    pools: tuple
    kind: np.ndarray
    pool: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    length: np.ndarray
    key: np.ndarray

    @property
    def total(self) -> int:
        # Python integers: an int64 sum could wrap around.
        return sum(self.length.tolist())


def draw_key(rng: np.random.Generator) -> np.uint64:
    """A kernel key drawn from ``rng`` (advances ``rng``)."""
    return np.uint64(rng.integers(0, np.iinfo(np.int64).max, dtype=np.int64))


@_inline
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@_inline
def _below(state, bound):
    """``(state, value)``: ``value`` uniform on ``[0, bound)``, ``bound >= 1``."""
    if bound <= _TWO32:
        # Lemire: the high half of (32 random bits * bound); reject the few
        # low halves that would make some values more likely than others.
        while True:
            state += _GAMMA
            m = (_mix(state) >> np.uint64(32)) * bound
            low = m & _LOW32
            if low >= bound or low >= (_TWO32 - bound) % bound:
                return state, m >> np.uint64(32)
    # Beyond 2**32: mask to the next power of two and reject.
    mask = bound - np.uint64(1)
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> np.uint64(shift)
    while True:
        state += _GAMMA
        value = _mix(state) & mask
        if value < bound:
            return state, value


@_inline
def _element_stream(key, i):
    """Start of the private stream of element ``i`` of the stream ``key``."""
    return key + np.uint64(i) * _STREAM


@_inline
def _fisher_yates(a, start, stop, state):
    """Shuffle ``a[start:stop]`` in place."""
    for i in range(stop - start - 1, 0, -1):
        state, j = _below(state, np.uint64(i + 1))
        k = start + np.int64(j)
        tmp = a[start + i]
        a[start + i] = a[k]
        a[k] = tmp


# Picks are made a block at a time: first the block's positions (arithmetic
# only), then one gather of their rows, prefetching ahead. Mixed in one loop,
# every read of a pool larger than the L2 cache (a minority class of 800k rows
# is 3.2 MB of int32) waits on its own miss: 15 ns a pick instead of 7.
_PICK_BLOCK = 256
_PICK_AHEAD = 16
# scatter_segments: elements ahead of a bucket's next one whose line is
# fetched for the store.
_PUT_AHEAD = 16


@_inline
def _pick_block(rows, start, stop, key, first, count, block):
    """``block[k]``, ``k < count <= len(block)``: pick ``first + k`` of a PICK
    segment, a uniform row of ``rows[start:stop]`` drawn from the pick's own
    stream."""
    width = np.uint64(stop - start)
    for k in range(count):
        _, position = _below(_element_stream(key, first + k), width)
        block[k] = start + np.int64(position)
    for k in range(count):
        if k + _PICK_AHEAD < count:
            _prefetch(rows, block[k + _PICK_AHEAD])
        block[k] = rows[block[k]]


@_jit
def write_segments(pools, kind, pool, start, stop, length, key, out):
    """Write the rows of the segments, in segment order, to ``out``."""
    block = np.empty(_PICK_BLOCK, dtype=np.int64)
    filled = 0
    for s in range(kind.shape[0]):
        rows = pools[pool[s]]
        if kind[s] == COPY:
            width = stop[s] - start[s]
            for r in range(length[s] // width):
                out[filled + r * width : filled + (r + 1) * width] = rows[
                    start[s] : stop[s]
                ]
        elif kind[s] == RANGE:
            for o in range(length[s]):
                out[filled + o] = start[s] + o
        else:
            for o in range(0, length[s], _PICK_BLOCK):
                count = min(_PICK_BLOCK, length[s] - o)
                _pick_block(rows, start[s], stop[s], key[s], o, count, block)
                out[filled + o : filled + o + count] = block[:count]
        filled += length[s]


@_jit
def count_segments(pools, kind, pool, start, stop, length, key, counts):
    """Add to ``counts[r]`` one per occurrence of row ``r`` in the segments'
    rows (those :func:`write_segments` writes, drawn alike). Returns 0, or -1
    when a row is outside ``[0, len(counts))``, a copied or picked slice
    outside its pool, or the per-segment arrays shorter than ``kind``
    (counts then partly added; nothing is read or written out of bounds)."""
    block = np.empty(_PICK_BLOCK, dtype=np.int64)
    n_rows = counts.shape[0]
    n_segments = kind.shape[0]
    shortest = min(pool.shape[0], start.shape[0], stop.shape[0], length.shape[0])
    if min(shortest, key.shape[0]) < n_segments:
        return -1
    for s in range(n_segments):
        rows = pools[pool[s]]
        if kind[s] != RANGE and (
            start[s] < 0 or stop[s] > rows.shape[0] or stop[s] < start[s]
        ):
            return -1
        if kind[s] == COPY:
            if stop[s] <= start[s]:
                continue
            repeats = length[s] // (stop[s] - start[s])
            for i in range(start[s], stop[s]):
                r = rows[i]
                if r < 0 or r >= n_rows:
                    return -1
                counts[r] += repeats
        elif kind[s] == RANGE:
            # Compared without a sum that could wrap around.
            if start[s] < 0 or start[s] > n_rows or length[s] > n_rows - start[s]:
                return -1
            for o in range(length[s]):
                counts[start[s] + o] += 1
        else:
            if length[s] > 0 and stop[s] == start[s]:
                return -1  # picks from no rows
            for o in range(0, length[s], _PICK_BLOCK):
                count = min(_PICK_BLOCK, length[s] - o)
                _pick_block(rows, start[s], stop[s], key[s], o, count, block)
                for k in range(count):
                    r = block[k]
                    if r < 0 or r >= n_rows:
                        return -1
                    counts[r] += 1
    return 0


@_jit
def expand_counts(counts, out):
    """``out``: the rows ``0 .. len(counts) - 1`` in ascending order, row
    ``r`` written ``counts[r]`` times (a counting sort's output pass).
    Returns 0, or -1 (nothing written) unless ``len(out)`` is the sum of
    ``counts`` and every count is >= 0."""
    total = 0
    n_out = out.shape[0]
    for r in range(counts.shape[0]):
        # Compared without a sum that could wrap around (int64 counts).
        if counts[r] < 0 or counts[r] > n_out - total:
            return -1
        total += counts[r]
    if total != n_out:
        return -1
    filled = 0
    for r in range(counts.shape[0]):
        for _ in range(counts[r]):
            out[filled] = r
            filled += 1
    return 0


@_inline
def _bucket_bits(key, draw):
    return _mix(key + np.uint64(draw + 1) * _GAMMA)


@_inline
def _next_bucket(key, draw, bits, used, per_draw, mask, shift):
    """The next element's bucket: ``(bucket, draw, bits, used)``, advanced.

    ``bits`` holds the unused part of draw ``draw`` of the bucket stream,
    ``used`` how many buckets have been taken from it.
    """
    if used == per_draw:
        draw += 1
        bits, used = _bucket_bits(key, draw), 0
    return bits & mask, draw, bits >> shift, used + 1


@_inline
def _bucket_stream(key, log_buckets, first):
    """The bucket stream positioned at element ``first`` (a whole draw):
    ``(per_draw, mask, shift, draw, bits, used)`` for :func:`_next_bucket`.
    """
    per_draw = 64 // log_buckets
    draw = first // per_draw
    mask = np.uint64((1 << log_buckets) - 1)
    return per_draw, mask, np.uint64(log_buckets), draw, _bucket_bits(key, draw), 0


@_jit
def count_buckets(key, log_buckets, first, last, counts):
    """Add to ``counts`` the bucket sizes of elements ``first`` to ``last - 1``.

    Element ``j`` takes bits ``(j % per_draw) * log_buckets`` onwards of draw
    ``j // per_draw`` of the stream ``key``; ``first`` must be a multiple of
    ``per_draw = 64 // log_buckets``. Raises IndexError (nothing counted)
    unless ``1 <= log_buckets <= 62`` and ``counts`` holds a count per bucket.
    """
    if log_buckets < 1 or log_buckets > 62 or counts.shape[0] < (1 << log_buckets):
        raise IndexError("count_buckets: fewer counts than buckets")
    per_draw, mask, shift, draw, bits, used = _bucket_stream(key, log_buckets, first)
    for _ in range(last - first):
        b, draw, bits, used = _next_bucket(key, draw, bits, used, per_draw, mask, shift)
        counts[b] += 1


@_jit
def scatter_segments(
    pools, kind, pool, start, stop, length, seg_key, key, log_buckets, first, last,
    fill, out,
):  # fmt: skip
    """Write elements ``first`` to ``last - 1`` of the segments to their buckets.

    ``fill[b]`` is where the next element of bucket ``b`` goes (advanced).
    Same bucket stream and alignment rule as :func:`count_buckets`.
    """
    per_draw, mask, shift, draw, bits, used = _bucket_stream(key, log_buckets, first)
    block = np.empty(_PICK_BLOCK, dtype=np.int64)
    n_out = out.shape[0]
    seg_first = 0
    for s in range(kind.shape[0]):
        seg_last = seg_first + length[s]
        lo, hi = max(first, seg_first), min(last, seg_last)
        rows = pools[pool[s]]
        if kind[s] == COPY:
            position = start[s] + (lo - seg_first) % (stop[s] - start[s])
        # A block of the segment's elements at a time, then one loop that
        # writes them to their buckets.
        for o in range(lo - seg_first, hi - seg_first, _PICK_BLOCK):
            count = min(_PICK_BLOCK, hi - seg_first - o)
            if kind[s] == COPY:
                for k in range(count):
                    block[k] = rows[position]
                    position += 1
                    if position == stop[s]:
                        position = start[s]
            elif kind[s] == RANGE:
                for k in range(count):
                    block[k] = start[s] + o + k
            else:
                _pick_block(rows, start[s], stop[s], seg_key[s], o, count, block)
            for k in range(count):
                b, draw, bits, used = _next_bucket(
                    key, draw, bits, used, per_draw, mask, shift
                )
                at = fill[b]
                out[at] = block[k]
                # Every bucket is a write stream of its own: a store to a
                # line not in cache waits for it, so the line the bucket
                # reaches _PUT_AHEAD elements on is fetched now (the scatter
                # ran 20-25% faster so).
                if at + _PUT_AHEAD < n_out:
                    _prefetch_write(out, at + _PUT_AHEAD)
                fill[b] = at + 1
        seg_first = seg_last


@_jit
def shuffle_buckets(out, bounds, key, first, last):
    """Fisher-Yates shuffle buckets ``first`` to ``last - 1`` of ``out`` in place.

    Bucket ``b`` is ``out[bounds[b]:bounds[b + 1]]``, with its own stream.
    Raises IndexError (the buckets before it shuffled) at the first bucket
    outside ``bounds`` or ``out``, or whose bounds decrease.
    """
    if first < 0 or last < first or last >= bounds.shape[0]:
        raise IndexError("shuffle_buckets: buckets outside bounds")
    touched = 0
    for b in range(first, last):
        if bounds[b] < 0 or bounds[b + 1] < bounds[b] or bounds[b + 1] > out.shape[0]:
            raise IndexError("shuffle_buckets: a bucket outside out")
        # Read the bucket in order first: the hardware prefetcher brings it
        # into cache at full bandwidth, where the shuffle's random reads
        # would each wait for memory. (The sum is returned so that the
        # compiler keeps the reads.)
        for i in range(bounds[b], bounds[b + 1], 8):
            touched += out[i]
        _fisher_yates(out, bounds[b], bounds[b + 1], _mix(_element_stream(key, b)))
    return touched


@_jit
def mark_ranks(bitmap, n, k, key):
    """Set ``k`` of the first ``n`` bits of ``bitmap`` (zeroed), uniformly at random.

    Every ``k``-subset of ``range(n)`` is equally likely. Positions are drawn
    and repeats rejected; with ``2k > n`` the ``n - k`` positions to leave out
    are drawn that way and the bits then flipped, so at most ``n / 2``
    positions are ever marked. Raises IndexError (nothing marked) unless
    ``0 <= k <= n`` and ``bitmap`` holds ``n`` bits.
    """
    if k < 0 or n < k or (n >> 6) + ((n & 63) != 0) > bitmap.shape[0]:
        raise IndexError("mark_ranks: k outside [0, n] or n bits past bitmap")
    leave_out = 2 * k > n
    n_marked = n - k if leave_out else k
    state = _mix(key)
    marked = 0
    while marked < n_marked:
        state, position = _below(state, np.uint64(n))
        word = position >> np.uint64(6)
        bit = np.uint64(1) << (position & np.uint64(63))
        if not bitmap[word] & bit:
            bitmap[word] |= bit
            marked += 1
    if leave_out:
        full_words = n >> 6
        for w in range(full_words):
            bitmap[w] = ~bitmap[w]
        tail = n & 63
        if tail:
            bitmap[full_words] ^= (np.uint64(1) << np.uint64(tail)) - np.uint64(1)


@_inline
def _trailing_zeros(single_bit):
    """Position of the only set bit of ``single_bit``, by halving the range."""
    count = 0
    if single_bit & np.uint64(0xFFFFFFFF00000000):
        count += 32
    if single_bit & np.uint64(0xFFFF0000FFFF0000):
        count += 16
    if single_bit & np.uint64(0xFF00FF00FF00FF00):
        count += 8
    if single_bit & np.uint64(0xF0F0F0F0F0F0F0F0):
        count += 4
    if single_bit & np.uint64(0xCCCCCCCCCCCCCCCC):
        count += 2
    if single_bit & np.uint64(0xAAAAAAAAAAAAAAAA):
        count += 1
    return count


@_jit
def take_marked(rows, bitmap, out):
    """``out[j] = rows[r]`` for the ``j``-th set bit ``r`` of ``bitmap``."""
    filled = 0
    for w in range(bitmap.shape[0]):
        bits = bitmap[w]
        while bits:
            low = bits & (~bits + np.uint64(1))
            out[filled] = rows[(w << 6) + _trailing_zeros(low)]
            filled += 1
            bits ^= low


@_jit
def group_rows(codes, bounds, out):  # pragma: no cover - compiled
    """Rows grouped by class: the rows of class ``c`` (its code), in
    increasing order, written to ``out[bounds[c]:bounds[c + 1]]`` (what a
    stable argsort of ``codes`` gives, in one pass).

    Returns 0, or -1 (``out`` partly written) at the first code that is not a
    class or a class with more rows than its bounds hold; -1 also when the
    bounds do not cover ``out`` exactly.
    """
    n_classes = bounds.shape[0] - 1
    n = codes.shape[0]
    if n_classes < 0 or out.shape[0] != n or bounds[0] != 0 or bounds[n_classes] != n:
        return -1
    fill = np.empty(n_classes, dtype=np.int64)
    for c in range(n_classes):
        if bounds[c + 1] < bounds[c]:
            return -1
        fill[c] = bounds[c]
    for i in range(n):
        c = np.int64(codes[i])
        if c < 0 or c >= n_classes:
            return -1
        f = fill[c]
        if f >= bounds[c + 1]:
            return -1
        out[f] = i
        fill[c] = f + 1
    return 0


@_jit
def mark_blocks(bitmap, word, size, keep, key, first, step):  # pragma: no cover
    """:func:`mark_ranks` on blocks ``first, first + step, ...``: block ``i``
    marks ``keep[i]`` of the ``size[i]`` bits starting at word ``word[i]``.

    Returns 0, or -1 (nothing marked from that block on) at the first block
    whose bits run past ``bitmap``, are not all zero (another block's), or
    whose ``keep`` is not in ``[0, size]``; -1 also for a negative ``first``
    or a ``step`` below 1. Bounds are compared without sums that could wrap
    around.
    """
    n = word.shape[0]
    if size.shape[0] != n or keep.shape[0] != n or key.shape[0] != n:
        return -1
    if first < 0 or step < 1:
        return -1
    for i in range(first, n, step):
        w, n_bits, k = word[i], size[i], keep[i]
        if w < 0 or n_bits < 0 or k < 0 or k > n_bits:
            return -1
        n_words = (n_bits >> 6) + ((n_bits & 63) != 0)
        if w > bitmap.shape[0] or n_words > bitmap.shape[0] - w:
            return -1
        for j in range(w, w + n_words):
            if bitmap[j]:
                return -1  # marked already: mark_ranks could loop forever
        mark_ranks(bitmap[w : w + n_words], n_bits, k, key[i])
    return 0


@_jit
def take_blocks(
    rows, bounds, bitmap, cls, first, last, keep, word, out_at, out, start, step
):  # pragma: no cover - compiled
    """:func:`take_marked` on blocks ``start, start + step, ...``: block ``i``
    writes the rows of class ``cls[i]`` (``rows[bounds[c]:bounds[c + 1]]``)
    of ranks ``first[i]`` to ``last[i]`` marked in its bits (from word
    ``word[i]``) to ``out[out_at[i]:out_at[i] + keep[i]]``.

    Returns 0, or -1 at the first block outside its class, ``bitmap`` or
    ``out``, or whose bits do not hold ``keep[i]`` marks (nothing is read or
    written out of bounds).
    """
    n = cls.shape[0]
    n_classes = bounds.shape[0] - 1
    for a in (first, last, keep, word, out_at):
        if a.shape[0] != n:
            return -1
    if start < 0 or step < 1:
        return -1
    # Every bound compared without a sum that could wrap around.
    for i in range(start, n, step):
        c = cls[i]
        if c < 0 or c >= n_classes:
            return -1
        begin, end = bounds[c], bounds[c + 1]
        if begin < 0 or end < begin or end > rows.shape[0]:
            return -1
        f, size = first[i], last[i] - first[i]
        if f < 0 or last[i] < f or f > end - begin or size > end - begin - f:
            return -1
        lo = begin + f
        hi = lo + size
        w = word[i]
        n_words = (size >> 6) + ((size & 63) != 0)
        if w < 0 or w > bitmap.shape[0] or n_words > bitmap.shape[0] - w:
            return -1
        o, k = out_at[i], keep[i]
        if o < 0 or k < 0 or o > out.shape[0] or k > out.shape[0] - o:
            return -1
        count = 0
        for j in range(w, w + n_words):
            bits = bitmap[j]
            while bits:
                count += 1
                bits &= bits - np.uint64(1)
        tail = size & 63
        if count != k or (tail and bitmap[w + n_words - 1] >> np.uint64(tail)):
            return -1  # a mark past the block's ranks: a read past its rows
        take_marked(rows[lo:hi], bitmap[w : w + n_words], out[o : o + k])
    return 0


@_jit
def scan_marked(codes, whole, bitmap, word_offset, out_offset, out):
    """Rows kept by :func:`mark_ranks`, found by one pass over the labels.

    Row ``i`` of class ``c`` is the ``r``-th row of its class; it is kept when
    ``whole[c]``, or when bit ``r`` of class ``c``'s bitmap (starting at word
    ``word_offset[c]``) is set. Kept rows of class ``c`` go to
    ``out[out_offset[c]:]`` in row order: the same output as
    :func:`take_marked` on each class's rows, without materialising them.

    Returns the number of rows written, ``-1`` as soon as a code is not a
    class, a rank runs past the bitmap or a class overfills its part of
    ``out`` (labels whose codes do not match their counts): nothing is ever
    read or written out of bounds. Also ``-1``, before any row is read, when
    the per-class arrays differ in length or there is no class, or a class's
    part of ``out`` (``out_offset[c]`` to the next class's offset, the last
    to the end of ``out``) or its first bitmap word is negative or out of
    order.
    """
    n_classes = whole.shape[0]
    if (
        n_classes == 0
        or word_offset.shape[0] != n_classes
        or out_offset.shape[0] != n_classes
    ):
        return -1
    for c in range(n_classes):
        stop = out_offset[c + 1] if c + 1 < n_classes else out.shape[0]
        if out_offset[c] < 0 or stop < out_offset[c] or word_offset[c] < 0:
            return -1
    rank = np.zeros(n_classes, dtype=np.int64)
    fill = out_offset.copy()
    end = np.empty(n_classes, dtype=np.int64)
    end[:-1] = out_offset[1:]
    end[-1] = out.shape[0]
    for i in range(codes.shape[0]):
        c = np.int64(codes[i])
        if c < 0 or c >= n_classes:
            return -1
        r = rank[c]
        rank[c] = r + 1
        if whole[c]:
            keep = True
        else:
            w = word_offset[c] + (r >> 6)
            if w >= bitmap.shape[0]:
                return -1
            keep = (bitmap[w] >> np.uint64(r & 63)) & np.uint64(1) != 0
        if keep:
            if fill[c] >= end[c]:
                return -1
            out[fill[c]] = i
            fill[c] += 1
    written = 0
    for c in range(n_classes):
        written += fill[c] - out_offset[c]
    return written


@_jit
def class_balanced_fill(rows, bounds, edges, key, first, out):
    """Entries ``first`` onwards of a class-balanced draw, into ``out``.

    Entry ``i`` draws ``u`` uniform in [0, 1) from its own stream, takes class
    ``c = #(edges <= u)`` (``edges``: cumulative class probabilities without
    the final 1.0), then a uniform row of
    ``rows[bounds[c]:bounds[c + 1]]``.

    Returns 0, or -1 (nothing written) unless ``bounds`` has one class more
    than ``edges`` has edges, every class at least one row, all inside
    ``rows``, and ``first >= 0``.
    """
    n_edges = edges.shape[0]
    if bounds.shape[0] != n_edges + 2 or first < 0 or bounds[0] < 0:
        return -1
    if bounds[n_edges + 1] > rows.shape[0]:
        return -1
    for c in range(n_edges + 1):
        if bounds[c + 1] <= bounds[c]:
            return -1
    # Two passes: positions first, then one gather. A loop that mixes random
    # reads with unpredictable branches waits on every cache miss; a plain
    # gather loop keeps many misses in flight.
    for i in range(out.shape[0]):
        state = _element_stream(key, first + i)
        state += _GAMMA
        u = np.float64(_mix(state) >> np.uint64(11)) * _UNIT
        if n_edges <= 16:
            c = 0
            for e in range(n_edges):
                c += edges[e] <= u
        else:
            c, high = 0, n_edges
            while c < high:
                middle = (c + high) >> 1
                if edges[middle] <= u:
                    c = middle + 1
                else:
                    high = middle
        low = bounds[c]
        _, offset = _below(state, np.uint64(bounds[c + 1] - low))
        out[i] = low + np.int64(offset)
    for i in range(out.shape[0]):
        out[i] = rows[out[i]]
    return 0
