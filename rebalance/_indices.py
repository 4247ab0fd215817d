"""Index generators: labels in, row indices out (never touches X, never torch).

Every sampler front end (``fit_resample``, the torch ``RebalanceSampler``, the
distributed slices, the Dask path) draws its rows through the functions in this
module, so that there is one implementation of each sampling method. Each takes
a ``numpy.random.Generator``; the inner loops are the compiled kernels of
:mod:`rebalance._kernels`, keyed from that Generator.

**Sizes are checked before anything is allocated.** The compiled kernels do
no bounds checking, so every count, slice and size they receive is checked
here first, in Python integers (no int64 overflow): the ``*_size`` functions
below compute a draw's exact output size, check the per-class counts against
the labels and refuse a draw that cannot be held (:func:`check_output_size`),
and every generator calls them before its first allocation. The samplers'
plans call the same functions, so ``fit_resample``, the torch samplers and
the Dask path all raise the same ``ValueError`` before any work.
"""

from __future__ import annotations

import numbers
import operator
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

__all__ = [
    "EncodedLabels",
    "under_sample_indices",
    "over_sample_indices",
    "class_balanced_indices",
    "label_shuffle_indices",
    "under_sample_size",
    "over_sample_size",
    "class_balanced_size",
    "label_shuffle_size",
    "available_memory",
]

# Above this many classes one counting pass (rebalance._kernels.group_rows)
# groups the rows faster than one comparison pass per class.
_GROUP_BY_SORT_ABOVE = 16
_CODES_MISMATCH = "internal error: the label codes do not match the class counts."


def index_dtype(n_samples: int, compact: bool) -> np.dtype:
    """Index dtype for ``n_samples`` rows: int32 where it fits and asked for."""
    if compact and n_samples < np.iinfo(np.int32).max:
        return np.dtype(np.int32)
    return np.dtype(np.intp)


@dataclass
class EncodedLabels:
    """Labels encoded once: sorted ``classes``, per-row ``codes``, ``counts``.

    ``codes[i]`` is the position of ``y[i]`` in ``classes``; ``counts[c]`` is
    the number of rows of class ``c``. The rows of each class are computed on
    first use and cached (the torch sampler draws many epochs from them).
    """

    classes: np.ndarray
    codes: np.ndarray
    counts: np.ndarray
    compact: bool = False
    _rows: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    # Set by check_labels once the arrays are known to be consistent.
    _checked: bool = field(default=False, repr=False, compare=False)

    @property
    def n_samples(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_classes(self) -> int:
        return int(self.classes.shape[0])

    @property
    def dtype(self) -> np.dtype:
        return index_dtype(self.n_samples, self.compact)

    def grouped_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Row indices sorted by class, and where each class starts.

        Returns ``(rows, bounds)``: the rows of class ``c`` are
        ``rows[bounds[c]:bounds[c + 1]]``, in increasing order.
        """
        if self._rows is None:
            rows = np.empty(self.n_samples, dtype=self.dtype)
            bounds = np.zeros(self.n_classes + 1, dtype=np.intp)
            np.cumsum(self.counts, out=bounds[1:])
            if self.n_classes <= _GROUP_BY_SORT_ABOVE:
                _scan_class_rows(self.codes, range(self.n_classes), bounds, rows)
            else:
                # A counting sort in one pass, the rows of each class in
                # order (a stable argsort of 10M codes took 0.7 s).
                check_labels(self)
                if _kernels().group_rows(self.codes, bounds, rows):
                    raise ValueError(_CODES_MISMATCH)
            self._rows = (rows, bounds)
        return self._rows

    def class_rows(self) -> list[np.ndarray]:
        """Row indices of every class, each in increasing order (views)."""
        rows, bounds = self.grouped_rows()
        return [rows[bounds[c] : bounds[c + 1]] for c in range(self.n_classes)]


# ---------------------------------------------------------------------------
# Size checks: every count a kernel receives passes through here first.

# Most rows an index array can hold (int64 positions).
MAX_ROWS = int(np.iinfo(np.int64).max)
# A draw holds up to this many arrays of its output's size at once (e.g. the
# under-sampler's kept rows and their shuffled copy).
DRAW_COPIES = 2
# Values of full-width noise the smoothed bootstrap of sparse X draws at a
# time (rebalance.samplers; counted by fit_resample's memory check).
NOISE_BLOCK_VALUES = 1 << 20
# Draws needing at most this many bytes skip the memory query (~20 us): every
# machine that runs Python has this much.
_MEMORY_CHECK_ABOVE = 1 << 26


def _parse_count(text: str) -> int | None:
    """``text`` (stripped) as a count, or None unless it is ASCII digits only:
    ``str.isdigit`` also passes ``'²'``, which ``int`` refuses, and ``int``
    refuses more than 4300 digits."""
    text = text.strip()
    if 0 < len(text) <= 40 and text.isascii() and text.isdigit():
        return int(text)
    return None


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            text = f.read(256)
    except (OSError, UnicodeDecodeError):
        return None
    return _parse_count(text)


def _cgroup_dirs(v1_controller: str) -> tuple[list[str], list[str]]:
    """This process's cgroup directories, each from its own up to the mount
    root: cgroup v2 ones, and v1 ones of ``v1_controller`` (e.g. "memory")."""
    v2: list[str] = []
    v1: list[str] = []
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0":
            root, dirs = "/sys/fs/cgroup", v2
        elif v1_controller in parts[1].split(","):
            root, dirs = f"/sys/fs/cgroup/{parts[1]}", v1
        else:
            continue
        path = parts[2].strip("/")
        while path:  # the cgroup, then each ancestor: limits nest
            dirs.append(f"{root}/{path}")
            path = path.rpartition("/")[0]
    v2.append("/sys/fs/cgroup")  # a container usually sees its own cgroup here
    v1.append(f"/sys/fs/cgroup/{v1_controller}")
    return v2, v1


def _stat_value(path: str, key: str) -> int:
    """The ``key`` line of a cgroup ``memory.stat`` file, or 0."""
    try:
        with open(path) as f:
            for line in f:
                name, _, value = line.partition(" ")
                if name == key:
                    return _parse_count(value) or 0
    except (OSError, UnicodeDecodeError):
        pass
    return 0


def _cgroup_headroom() -> int | None:
    """Bytes left under this process's cgroup memory limits (Linux), or None.

    The tightest limit of the process's cgroup and its ancestors (a limit set
    on a Slurm job or a systemd slice binds its children), cgroup v2
    (``memory.max``) and v1 (``memory.limit_in_bytes``). Inactive file cache,
    which the kernel reclaims before it runs out, does not count as used
    (as in ``docker stats`` and the kubelet's working set).
    """
    v2, v1 = _cgroup_dirs("memory")
    candidates = [
        (f"{d}/memory.max", f"{d}/memory.current", f"{d}/memory.stat", "inactive_file")
        for d in v2
    ]
    candidates += [
        (
            f"{d}/memory.limit_in_bytes",
            f"{d}/memory.usage_in_bytes",
            f"{d}/memory.stat",
            "total_inactive_file",
        )
        for d in v1
    ]
    headroom = None
    for limit_path, usage_path, stat_path, reclaimable in candidates:
        limit = _read_int(limit_path)
        usage = _read_int(usage_path)
        # "max" (v2) or a page-rounded 2**63 (v1) mean no limit.
        if limit is None or usage is None or limit >= 1 << 60:
            continue
        used = max(0, usage - _stat_value(stat_path, reclaimable))
        left = max(0, limit - used)
        headroom = left if headroom is None else min(headroom, left)
    return headroom


def _cgroup_cpus() -> int | None:
    """CPUs this process's cgroup CPU quota allows (rounded up), or None.

    ``docker --cpus`` and Kubernetes CPU limits set a quota, not an affinity
    mask: cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``,
    the tightest of the cgroup and its ancestors.
    """
    v2, v1 = _cgroup_dirs("cpu")
    quotas = []
    for d in v2:
        try:
            with open(f"{d}/cpu.max") as f:
                fields = f.read(256).split()
        except (OSError, UnicodeDecodeError):
            continue
        if len(fields) == 2:
            quota, period = _parse_count(fields[0]), _parse_count(fields[1])
            if quota is not None and period is not None:
                quotas.append((quota, period))
    for d in v1:
        quota = _read_int(f"{d}/cpu.cfs_quota_us")  # -1 (no quota) is not digits
        period = _read_int(f"{d}/cpu.cfs_period_us")
        if quota is not None and period:
            quotas.append((quota, period))
    cpus = [-(-quota // period) for quota, period in quotas if period > 0]
    return max(1, min(cpus)) if cpus else None


# Address space a draw thread may map besides the arrays: its stack and a
# glibc malloc arena (64 MiB reserved), counted under ``ulimit -v``.
_THREAD_ADDRESS_SPACE = 80 << 20


def _status_kib(text: str, key: str) -> int | None:
    """The ``key`` line (e.g. ``'VmSize:'``) of ``/proc/self/status`` in bytes."""
    for line in text.splitlines():
        if line.startswith(key):
            fields = line.split()
            kib = _parse_count(fields[1]) if len(fields) > 1 else None
            return None if kib is None else kib * 1024
    return None


def _rlimit_headroom() -> int | None:
    """Bytes this process may still map under its ``RLIMIT_AS`` (``ulimit -v``)
    and ``RLIMIT_DATA`` (``ulimit -d``) soft limits, or None without either.

    An allocation past them fails with a MemoryError (however much memory
    the machine has free): the address space used is ``VmSize`` and the
    private writable memory ``VmData`` of ``/proc/self/status`` (Linux; the
    limits are not checked where that file does not exist). Under
    ``RLIMIT_AS`` the stacks and malloc arenas of a draw's threads are
    reserved too.
    """
    try:
        import resource
    except ImportError:  # Windows
        return None
    limits = []
    for name, key in (("RLIMIT_AS", "VmSize:"), ("RLIMIT_DATA", "VmData:")):
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            soft = resource.getrlimit(which)[0]
        except (OSError, ValueError):
            continue
        if soft != resource.RLIM_INFINITY and 0 <= soft < 1 << 62:
            limits.append((soft, key))
    if not limits:
        return None
    try:
        with open("/proc/self/status") as f:
            status = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    headroom = None
    for soft, key in limits:
        used = _status_kib(status, key)
        if used is None:
            continue
        if key == "VmSize:":
            try:
                threads = n_threads()
            except ValueError:  # a bad REBALANCE_NUM_THREADS: the draw says so
                threads = _MAX_THREADS
            used += threads * _THREAD_ADDRESS_SPACE
        left = max(0, soft - used)
        headroom = left if headroom is None else min(headroom, left)
    return headroom


def available_memory() -> int | None:
    """Bytes of memory this process can still use, or ``None`` where unknown.

    Linux: ``MemAvailable`` of ``/proc/meminfo`` (swap does not count), or
    less when the process's cgroup (a container) has less left under its
    limit, or when ``ulimit -v`` / ``ulimit -d`` (``RLIMIT_AS`` /
    ``RLIMIT_DATA``) leave less address space (:func:`_rlimit_headroom`).
    Elsewhere: psutil's ``virtual_memory().available`` when psutil is
    installed, else the free physical pages reported by ``os.sysconf``.
    """
    available = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    kib = _parse_count(line.split()[1])
                    available = None if kib is None else kib * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    if available is None:
        try:
            import psutil

            available = int(psutil.virtual_memory().available)
        except Exception:  # not installed, or unsupported platform
            try:
                available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
            except (AttributeError, ValueError, OSError):
                return None
    for headroom in (_cgroup_headroom(), _rlimit_headroom()):
        if headroom is not None:
            available = min(available, headroom)
    return available


def format_bytes(n_bytes: int) -> str:
    """``n_bytes`` in binary units, e.g. ``'7.28 TiB'``; a number beyond a
    float (``n_samples=10**400``) as its power of ten, ``'about 10^400 bytes'``."""
    try:
        value = float(n_bytes)
    except OverflowError:
        return f"about 10^{len(str(abs(int(n_bytes)))) - 1} bytes"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024:
            return f"{_three_digits(value, unit == 'bytes')} {unit}"
        value /= 1024
    return f"{_three_digits(value)} EiB"


def _three_digits(value: float, whole: bool = False) -> str:
    """``value`` to 3 significant digits, a whole number from 999.5 up
    (``'1000'`` where ``.3g`` writes ``'1e+03'``)."""
    return f"{value:.0f}" if whole or value >= 999.5 else f"{value:.3g}"


def memory_short_of(needed: int) -> int | None:
    """The memory available when it is less than ``needed`` bytes, else None
    (also when it is unknown; only looked up above 64 MiB)."""
    if needed <= _MEMORY_CHECK_ABOVE:
        return None
    available = available_memory()
    return available if available is not None and needed > available else None


def check_output_size(n_rows: int, dtype: np.dtype, request: str, fix: str) -> int:
    """``n_rows`` when a draw of that many indices can be held, else ValueError.

    The rule: an index array holds at most :data:`MAX_ROWS` rows, and a draw
    may need up to :data:`DRAW_COPIES` arrays of its output's size at once,
    which must fit in :func:`available_memory` (checked for draws above 64
    MiB). ``request`` says what asks for the rows (the message reads
    ``f"{request} {n_rows} rows, ..."``), ``fix`` how to ask for fewer.
    ``n_rows`` is taken as a Python int: no overflow.
    """
    # A numpy integer would wrap around below (2**62 rows of 8 bytes: 0 bytes).
    n_rows = operator.index(n_rows)
    if n_rows < 0:
        raise ValueError(f"internal error: a draw of {n_rows} rows (negative).")
    n_bytes = n_rows * np.dtype(dtype).itemsize
    needed = DRAW_COPIES * n_bytes
    available = memory_short_of(needed)
    if n_rows > MAX_ROWS:
        reason = f", more than the {MAX_ROWS:,} rows an index array can hold."
    elif available is not None:
        reason = (
            f". Drawing it needs up to {format_bytes(needed)}, more than the "
            f"{format_bytes(available)} of memory available."
        )
    else:
        return n_rows
    raise ValueError(
        f"{request} {n_rows:,} rows, an index array of {n_bytes:,} bytes "
        f"({format_bytes(n_bytes)}){reason} {fix}"
    )


def check_labels(labels: EncodedLabels) -> None:
    """Check that ``labels`` is consistent (O(n_classes), no pass over rows).

    The kernels index rows and classes through ``codes``, ``counts`` and the
    bounds derived from them: ``counts`` must be one positive count per class
    summing to the number of rows. (``codes`` themselves are range-checked by
    the only kernel that reads them, ``scan_marked``.) Checked once per
    ``labels``: the arrays are not changed after encoding.
    """
    if labels._checked:
        return
    codes, counts = labels.codes, labels.counts
    if codes.ndim != 1 or codes.dtype.kind not in "iu":
        raise ValueError(
            f"internal error: label codes must be a 1-D integer array; got dtype "
            f"{codes.dtype} and shape {codes.shape}."
        )
    n_classes = labels.n_classes
    if counts.shape != (n_classes,) or counts.dtype.kind not in "iu" or not n_classes:
        raise ValueError(
            f"internal error: {n_classes} classes but counts of dtype {counts.dtype} "
            f"and shape {counts.shape}."
        )
    n = labels.n_samples
    # Each count in [1, n] first, so that the int64 sum below cannot wrap.
    if counts.min() < 1 or counts.max() > n or int(counts.sum()) != n:
        raise ValueError(
            f"internal error: class counts {counts.tolist()[:10]} ... do not sum to "
            f"the {n} rows (each count must be >= 1)."
        )
    labels._checked = True


def _per_class_counts(labels: EncodedLabels, values, name: str) -> list[int]:
    """``values`` (one count per class) as Python ints, each checked >= 0."""
    check_labels(labels)
    array = np.asarray(values)
    if array.shape != (labels.n_classes,) or array.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must hold one integer count per class ({labels.n_classes} "
            f"classes); got dtype {array.dtype} and shape {array.shape}."
        )
    counts = array.tolist()  # Python ints: sums below cannot overflow
    if array.size and array.min() < 0:
        c = int(np.argmin(array))
        raise ValueError(
            f"{name} gives class {labels.classes[c]!r} the negative count "
            f"{counts[c]}: every count must be >= 0."
        )
    return counts


_FIX_STRATEGY = (
    "Lower the counts in sampling_strategy (a dict gives each class's row count "
    "after resampling), or draw a fixed number of rows with "
    "ClassBalancedSampler(n_samples=...)."
)


def under_sample_size(
    labels: EncodedLabels, n_keep, *, replacement: bool = False
) -> int:
    """Exact output size of :func:`under_sample_indices` (checked).

    Raises ValueError when a count is negative, exceeds its class without
    ``replacement``, or the draw is too large (:func:`check_output_size`).
    """
    keep = _per_class_counts(labels, n_keep, "sampling_strategy")
    if not replacement:
        for c, (k, n_c) in enumerate(zip(keep, labels.counts.tolist())):
            if k > n_c:
                raise ValueError(
                    f"sampling_strategy asks to keep {k:,} rows of class "
                    f"{labels.classes[c]!r}, which has only {n_c:,}: without "
                    "replacement rows cannot repeat. Ask for at most "
                    f"{n_c:,}, or use replacement=True."
                )
    return check_output_size(
        sum(keep),
        labels.dtype,
        "sampling_strategy asks to keep",
        _FIX_STRATEGY,
    )


def over_sample_size(labels: EncodedLabels, n_add) -> int:
    """Exact output size of :func:`over_sample_indices` (checked): every row
    plus ``n_add[c]`` copies of class ``c``."""
    added = sum(_per_class_counts(labels, n_add, "sampling_strategy"))
    total = labels.n_samples + added
    return check_output_size(
        total,
        labels.dtype,
        f"sampling_strategy asks for the {labels.n_samples:,} input rows plus "
        f"{added:,} copies:",
        _FIX_STRATEGY,
    )


def class_balanced_size(labels: EncodedLabels, n_samples, power) -> int:
    """Exact output size of :func:`class_balanced_indices` (checked)."""
    check_labels(labels)
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(
            f"n_samples={n_samples!r} must be an integer number of rows to draw, "
            "e.g. n_samples=10_000, or None for as many as the input has."
        )
    if n_samples < 0:
        raise ValueError(
            f"n_samples={n_samples} is negative: give the number of rows to draw "
            "(>= 1), or None for as many as the input has."
        )
    if isinstance(power, (bool, np.bool_)) or not isinstance(power, numbers.Real):
        raise TypeError(f"power={power!r} must be a number in [0, 1].")
    if not 0 <= float(power) <= 1:
        raise ValueError(
            f"power={power!r} is outside [0, 1]: 0 draws every class equally "
            "often, 1 at its frequency in the data."
        )
    n_samples = int(n_samples)
    return check_output_size(
        n_samples,
        labels.dtype,
        "n_samples asks for",
        "Pass a smaller n_samples (None draws as many rows as the input has).",
    )


def label_shuffle_size(labels: EncodedLabels, totals=None) -> int:
    """Exact output size of :func:`label_shuffle_indices` (checked):
    ``n_classes * M``, ``M`` the largest class's count (``sum(totals)`` when
    given: rows of each class after the shuffle, each >= the class's count)."""
    check_labels(labels)
    largest = int(labels.counts.max())
    total = labels.n_classes * largest
    request = (
        f"LabelShuffleSampler brings each of the {labels.n_classes:,} classes to "
        f"the largest class's {largest:,} rows:"
    )
    fix = (
        "Draw a fixed number of rows with ClassBalancedSampler(n_samples=...), or "
        "bring the small classes up to a chosen count with "
        "RandomOverSampler(sampling_strategy={class: count})."
    )
    if totals is not None:
        per_class = _per_class_counts(labels, totals, "sampling_strategy")
        if any(t < n for t, n in zip(per_class, labels.counts.tolist())):
            raise ValueError("internal error: label-shuffle totals below a class count")
        if total != sum(per_class):
            total = sum(per_class)
            request = "LabelShuffleSampler's sampling_strategy asks for"
            fix = (
                "Ask for fewer rows in the sampling_strategy dict (each class's "
                "count, at least its rows), or draw a fixed number of rows with "
                "ClassBalancedSampler(n_samples=...)."
            )
    return check_output_size(total, labels.dtype, request, fix)


_KERNELS: list = []
# Held while the kernels are imported (numba with them: a second or more).
_KERNELS_LOCK = threading.RLock()


def _kernels():
    # numba is imported on the first draw, not with ``import rebalance``; the
    # module is kept (an import statement per call cost a draw of 70,000
    # classes 0.4 s). The gathers' kernels are imported with it, so that a
    # fork waits for both imports (_before_fork).
    if not _KERNELS:
        with _KERNELS_LOCK:
            if not _KERNELS:
                from rebalance import _gather_kernels, _kernels  # noqa: F401

                _KERNELS.append(_kernels)
    return _KERNELS[0]


# Longest os.fork waits for the kernels' import or a numba compilation in
# another thread to end.
FORK_WAIT_S = 60.0
_FORK_STATE = threading.local()


def _before_fork() -> None:
    """Make ``os.fork`` wait for the kernels' import and numba's compiler.

    A process forked while another thread imports the kernels or compiles
    (or loads from numba's disk cache) a kernel gets copies of the import's
    and numba's locks held by a thread that does not exist there: its first
    draw hangs forever (e.g. a ``DataLoader`` starting its workers while a
    thread draws for the first time). The forking thread takes both locks
    first (waiting up to :data:`FORK_WAIT_S` seconds each), and both
    processes release them after (:func:`_after_fork`). numba's private
    lock is used only where it is found as expected, and only once numba is
    imported: this imports nothing.
    """
    held = []
    if _KERNELS_LOCK.acquire(timeout=FORK_WAIT_S):
        held.append(_KERNELS_LOCK)
    module = sys.modules.get("numba.core.compiler_lock")
    lock = getattr(getattr(module, "global_compiler_lock", None), "_lock", None)
    if (
        lock is not None
        and callable(getattr(lock, "acquire", None))
        and callable(getattr(lock, "release", None))
    ):
        try:
            if lock.acquire(timeout=FORK_WAIT_S):
                held.append(lock)
        except TypeError:  # pragma: no cover - a lock without a timeout
            pass
    _FORK_STATE.held = held


def _after_fork() -> None:
    """Release what :func:`_before_fork` took (in the parent and the child:
    the child's only thread is the copy of the one that forked)."""
    for lock in reversed(getattr(_FORK_STATE, "held", ())):
        lock.release()
    _FORK_STATE.held = []


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork
    )


def _key(rng: np.random.Generator) -> np.uint64:
    return _kernels().draw_key(rng)


def _keys(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` kernel keys, as ``n`` calls of :func:`_key` would draw them (the
    same numbers: numpy's bounded 64-bit integers are drawn one by one)."""
    high = np.iinfo(np.int64).max
    return rng.integers(0, high, size=int(n), dtype=np.int64).astype(np.uint64)


# Arrays up to this many elements are shuffled in one Fisher-Yates pass (they
# fit in L2); larger ones are cut into buckets of about this size.
SMALL_SHUFFLE = 1 << 16
# Draws of fewer elements run in the calling thread only.
PARALLEL_ABOVE = 1 << 20
_MAX_THREADS = 8  # default cap
_MAX_THREADS_ASKED = 64  # cap on REBALANCE_NUM_THREADS (scratch grows with it)


def n_threads() -> int:
    """Threads a large draw uses: ``REBALANCE_NUM_THREADS`` (at most 64) or the
    usable CPUs (at most 8; the affinity mask and a cgroup CPU quota).

    The drawn indices never depend on it: every thread computes its share of
    the same counter-based random streams.
    """
    value = os.environ.get("REBALANCE_NUM_THREADS")
    if value:
        try:
            asked = int(value)
        except ValueError:
            asked = 0
        if asked < 1:
            raise ValueError(
                f"REBALANCE_NUM_THREADS={value!r} is not a positive integer: set "
                "it to the number of threads for large draws, e.g. 1, or unset it."
            )
        return min(asked, _MAX_THREADS_ASKED)
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    quota = _cgroup_cpus()
    if quota is not None:
        usable = min(usable, quota)
    return max(1, min(usable, _MAX_THREADS))


def _in_threads(task, n_tasks: int) -> None:
    """Run ``task(0)``, ..., ``task(n_tasks - 1)``, one thread each.

    Threads are started per call (a few tens of microseconds, paid only by
    draws above ``PARALLEL_ABOVE``) rather than kept in a pool, so nothing
    breaks in a process forked later (e.g. a DataLoader worker).
    """
    if n_tasks == 1:
        task(0)
        return
    errors: list[BaseException] = []

    def run(t: int) -> None:
        try:
            task(t)
        except BaseException as exc:  # re-raised in the caller below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(1, n_tasks)]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _split(n: int, parts: int, align: int = 1) -> np.ndarray:
    """``parts + 1`` boundaries cutting ``range(n)`` at multiples of ``align``.

    Computed in Python integers: ``t * n`` may not fit in int64.
    """
    edges = [(t * n // parts) // align * align for t in range(parts)] + [n]
    return np.array(edges, dtype=np.int64)


class _SegmentList:
    """Builds a :class:`rebalance._kernels.Segments` one segment at a time.

    Every segment is checked as it is added (in Python integers), so the
    kernels only ever see slices inside their pools and a total that fits.
    """

    def __init__(self, dtype: np.dtype, pools: tuple = ()):
        # The kernels take a tuple of pools of one type: native byte order,
        # C-contiguous and writeable (a copy of any other, which numba would
        # refuse or could not index in a tuple with the empty pool).
        dtype = np.dtype(dtype).newbyteorder("=")
        empty = np.empty(0, dtype=dtype)
        # Always two pools, so the kernels compile once per index dtype.
        self.pools = tuple(
            np.require(p, dtype=dtype, requirements=["C", "W"]) for p in pools
        )
        self.pools += (empty,) * (2 - len(self.pools))
        if len(self.pools) != 2 or any(p.ndim != 1 for p in self.pools):
            raise ValueError("internal error: segments take at most two 1-D pools.")
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.total = 0

    def _add(self, kind, pool, start, stop, length, key) -> None:
        """Add the segments of the arrays (or scalars) ``kind`` ... ``key``,
        in their order, after checking every one (segments of length 0 are
        left out)."""
        kind, pool, start, stop, length = (
            np.atleast_1d(np.asarray(a, dtype=np.int64))
            for a in (kind, pool, start, stop, length)
        )
        key = np.atleast_1d(np.asarray(key, dtype=np.uint64))
        kind, pool, start, stop, length, key = np.broadcast_arrays(
            kind, pool, start, stop, length, key
        )
        kept = length != 0
        kind, pool, start, stop, length, key = (
            a[kept] for a in (kind, pool, start, stop, length, key)
        )
        kernels = _kernels()
        ranges = kind == kernels.RANGE
        sizes = np.array([p.shape[0] for p in self.pools], dtype=np.int64)
        ends = np.where(
            ranges,
            # One past the largest row number the pools' dtype holds.
            np.int64(min(int(np.iinfo(self.pools[0].dtype).max), MAX_ROWS - 1)) + 1,
            sizes[np.clip(pool, 0, 1)],
        )
        width = np.maximum(stop - start, 1)
        inside = (
            ((pool == 0) | ((pool == 1) & ~ranges))
            & (0 <= start)
            & (start <= stop)
            & (stop <= ends)
            & (length > 0)
            & ((kind != kernels.PICK) | (start < stop))
            & np.isin(kind, (kernels.RANGE, kernels.COPY, kernels.PICK))
            # A copy is whole repeats of its rows, a range its row numbers:
            # write_segments writes no more (the rest of the output would be
            # left unwritten).
            & ((kind != kernels.COPY) | ((start < stop) & (length % width == 0)))
            & ((kind != kernels.RANGE) | (length == stop - start))
        )
        if not inside.all():
            i = int(np.flatnonzero(~inside)[0])
            raise ValueError(
                f"internal error: segment (kind {kind[i]}, pool {pool[i]}, "
                f"[{start[i]}:{stop[i]}], length {length[i]}) is outside its pool "
                "or empty."
            )
        # Python integers: an int64 sum could wrap around.
        self.total += sum(length.tolist())
        if self.total > MAX_ROWS:
            raise ValueError(
                f"internal error: a draw of more than {MAX_ROWS:,} rows reached "
                "the kernels; its size should have been checked before."
            )
        self.parts.append((kind, pool, start, stop, length, key))

    def copy(self, pool, start, stop, repeats=1) -> None:
        """``pools[pool][start:stop]``, ``repeats`` times (arrays: one segment
        per entry)."""
        start, stop, repeats = (
            np.asarray(a, dtype=np.int64) for a in (start, stop, repeats)
        )
        sizes = stop - start
        # sizes * repeats without wrapping around: both bounded first.
        fits = (
            (sizes <= 0)
            | (repeats <= 0)
            | (repeats <= MAX_ROWS // np.maximum(sizes, 1))
        )
        if not np.all(fits):
            raise ValueError(
                "internal error: a segment of more than "
                f"{MAX_ROWS:,} rows reached the segment list."
            )
        length = np.where(repeats < 0, -1, sizes * repeats)
        self._add(_kernels().COPY, pool, start, stop, length, 0)

    def range(self, start: int, stop: int) -> None:
        """The row numbers ``start`` to ``stop - 1``."""
        if stop > start:
            self._add(_kernels().RANGE, 0, start, stop, int(stop) - int(start), 0)

    def pick(self, pool, start, stop, k, rng: np.random.Generator) -> None:
        """``k`` rows drawn with replacement from ``pools[pool][start:stop]``
        (arrays: one segment per entry, a key drawn for each ``k > 0``, in
        order)."""
        k = np.atleast_1d(np.asarray(k, dtype=np.int64))
        key = np.zeros(k.shape, dtype=np.uint64)
        key[k != 0] = _keys(rng, int(np.count_nonzero(k)))
        self._add(_kernels().PICK, pool, start, stop, k, key)

    def build(self):
        columns = [
            np.concatenate([part[i] for part in self.parts])
            if self.parts
            else np.empty(0, dtype=np.uint64 if i == 5 else np.int64)
            for i in range(6)
        ]
        return _kernels().Segments(self.pools, *columns)


def _draw(
    segments, rng: np.random.Generator, dtype: np.dtype | None = None
) -> np.ndarray:
    """The rows of ``segments`` in uniformly random order, as ``dtype``
    (default: the pools'). Sorted: :func:`_sorted_draw`."""
    kernels = _kernels()
    n = segments.total
    out = np.empty(n, dtype=segments.pools[0].dtype if dtype is None else dtype)
    fields = tuple(segments)
    key = _key(rng)
    if n <= SMALL_SHUFFLE:
        kernels.write_segments(*fields, out)
        kernels.shuffle_buckets(out, np.array([0, n], dtype=np.int64), key, 0, 1)
        return out
    # ceil(log2(n / SMALL_SHUFFLE)) in integers: the same on every platform.
    log_buckets = min(16, ((n - 1) // SMALL_SHUFFLE).bit_length())
    n_buckets = 1 << log_buckets
    threads = n_threads() if n > PARALLEL_ABOVE else 1
    # Element chunks start at whole draws of the bucket stream.
    chunks = _split(n, threads, align=64 // log_buckets)
    counts = np.zeros((threads, n_buckets), dtype=np.int64)
    _in_threads(
        lambda t: kernels.count_buckets(
            key, log_buckets, chunks[t], chunks[t + 1], counts[t]
        ),
        threads,
    )
    bounds = np.zeros(n_buckets + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=bounds[1:])
    # Chunk t writes its share of bucket b after the shares of chunks < t, so
    # the layout is the single-threaded one.
    fill = bounds[:-1] + np.cumsum(counts, axis=0) - counts
    _in_threads(
        lambda t: kernels.scatter_segments(
            *fields, key, log_buckets, chunks[t], chunks[t + 1], fill[t], out
        ),
        threads,
    )
    bucket_chunks = _split(n_buckets, threads)
    _in_threads(
        lambda t: kernels.shuffle_buckets(
            out, bounds, key, bucket_chunks[t], bucket_chunks[t + 1]
        ),
        threads,
    )
    return out


# _sorted_draw counts rows when there are at most this many rows per drawn row
# (a pass over the counts costs about what a drawn row's share of a sort does).
_COUNT_ROWS_PER_DRAWN_ROW = 8


def _sorted_draw(segments, n_rows: int, dtype: np.dtype | None = None) -> np.ndarray:
    """The rows of ``segments`` (all below ``n_rows``) in ascending order, as
    ``dtype`` (default: the pools').

    A counting sort: one pass adds the segments' rows to a count per row, one
    sequential pass writes them out: no array of the drawn rows and no
    comparison sort (``np.sort`` of 8.4M random rows: ~0.5 s; this: ~0.05 s).
    The rows are those :func:`_draw` gives, sorted: the same output. Memory:
    the output plus 4 (or 8) bytes per row ``0 .. n_rows - 1``; a draw of
    far fewer rows than that (under-sampling with replacement) is written
    and sorted instead.
    """
    kernels = _kernels()
    n_out = segments.total
    dtype = segments.pools[0].dtype if dtype is None else dtype
    out = np.empty(n_out, dtype=dtype)
    if n_rows > _COUNT_ROWS_PER_DRAWN_ROW * n_out:
        kernels.write_segments(*segments, out)
        out.sort()
        return out
    big = n_out >= np.iinfo(np.int32).max
    counts = np.zeros(n_rows, dtype=np.int64 if big else np.int32)
    if kernels.count_segments(*segments, counts) != 0:
        raise ValueError("internal error: a segment's row is outside the rows.")
    if kernels.expand_counts(counts, out) != 0:
        raise ValueError("internal error: the row counts do not match the draw.")
    return out


def shuffled(indices: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random permutation of ``indices`` (a new array).

    Cache-blocked (see :mod:`rebalance._kernels`): ~3-5 ns per element where
    ``Generator.shuffle`` takes ~30.
    """
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.dtype.kind not in "iu":
        raise ValueError(
            f"indices must be a 1-D integer array; got dtype {indices.dtype} and "
            f"shape {indices.shape}."
        )
    segments = _SegmentList(indices.dtype, (indices,))
    segments.copy(0, 0, indices.shape[0])
    return _draw(segments.build(), rng)


def shuffle_runs(values: np.ndarray, run: int, rng: np.random.Generator) -> None:
    """Shuffle every run of ``run`` consecutive entries of ``values``, in place.

    Runs are shuffled independently and uniformly (the last may be shorter):
    e.g. each row of a C-contiguous 2-D array, ``run = shape[1]``. Runs longer
    than ``SMALL_SHUFFLE`` do not fit in cache: pass them to :func:`shuffled`.
    """
    if (
        not isinstance(values, np.ndarray)
        or not values.flags.c_contiguous
        or not values.flags.writeable
    ):
        # reshape(-1) of anything else is a copy: the shuffle would be lost.
        raise ValueError(
            "values must be a writeable C-contiguous numpy array (shuffled in "
            "place); pass np.ascontiguousarray(values) and use the result."
        )
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or run < 1:
        raise ValueError(f"run={run!r} must be an integer >= 1.")
    flat = values.reshape(-1)
    if flat.dtype not in _SHUFFLED_AS_IS:
        # Entries are moved whole: any other dtype of 1, 2, 4 or 8 bytes (a
        # datetime, float16, non-native order, ...) as unsigned integers of
        # its size, whose compiled shuffle numba has.
        word = WORDS.get(flat.dtype.itemsize)
        if word is None or flat.dtype.hasobject:
            raise ValueError(
                f"values of dtype {flat.dtype} cannot be shuffled in place: pass "
                "a numeric array (or rebalance._indices.shuffled of its positions)."
            )
        flat = flat.view(word)
    bounds = np.append(np.arange(0, flat.shape[0], run, dtype=np.int64), flat.shape[0])
    _kernels().shuffle_buckets(flat, bounds, _key(rng), 0, bounds.shape[0] - 1)


# Dtypes shuffle_runs passes to the compiled shuffle as they are.
_SHUFFLED_AS_IS = frozenset(
    np.dtype(t)
    for t in (
        np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
        np.uint64, np.float32, np.float64, np.complex64, np.complex128,
    )
)  # fmt: skip
# The native unsigned integer of each size: values of that size are moved by
# the compiled kernels as such, their bits unchanged (shuffle_runs here, the
# gathers of rebalance._gather).
WORDS = {size: np.dtype(f"u{size}").newbyteorder("=") for size in (1, 2, 4, 8)}


def _class_pool(labels: EncodedLabels, classes) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``classes`` as ``(pool, bounds)``: class ``c`` is
    ``pool[bounds[c]:bounds[c + 1]]``.

    The cached rows of every class when they are cached (torch samplers),
    else the rows of ``classes`` only, found by a scan (memory stays at the
    rows actually sampled from), as int32 where the rows fit: the draw reads
    the pool at random, and a pool half the size stays in cache (10M rows at
    1:11.5: a 3.2 MB pool instead of 6.4 MB halved the over-sampling draw's
    time on a 2-core VM).
    """
    if labels._rows is not None or len(classes) > _GROUP_BY_SORT_ABOVE:
        # Cached, or so many classes that one argsort beats a scan per class.
        return labels.grouped_rows()
    bounds = np.zeros(labels.n_classes + 1, dtype=np.int64)
    sizes = np.zeros(labels.n_classes, dtype=np.int64)
    sizes[classes] = labels.counts[classes]
    np.cumsum(sizes, out=bounds[1:])
    pool = np.empty(int(bounds[-1]), dtype=index_dtype(labels.n_samples, True))
    _scan_class_rows(labels.codes, classes, bounds, pool)
    return pool, bounds


# Rows a block that _scan_class_rows compares at a time: its temporaries (a
# mask, a class's rows of the block as intp) stay small, where whole-array
# ones took 9 bytes a row (the largest class's rows as intp: 16 GiB for 2**31
# rows, four times the int32 rows written).
_SCAN_BLOCK = 1 << 20


def _scan_class_rows(codes: np.ndarray, classes, bounds: np.ndarray, out) -> None:
    """``out[bounds[c]:bounds[c + 1]]``: the rows of each class ``c`` of
    ``classes`` in increasing order, found by one comparison pass per class,
    a block of rows at a time. ValueError (internal) when the codes do not
    fill exactly those slices."""
    classes = [int(c) for c in classes]
    fill = {c: int(bounds[c]) for c in classes}
    for start in range(0, codes.shape[0], _SCAN_BLOCK):
        block = codes[start : start + _SCAN_BLOCK]
        for c in classes:
            found = np.flatnonzero(block == c)
            end = fill[c] + found.shape[0]
            if end > bounds[c + 1]:
                raise ValueError(_CODES_MISMATCH)
            np.add(found, start, out=out[fill[c] : end], casting="unsafe")
            fill[c] = end
    if any(fill[c] != bounds[c + 1] for c in classes):
        raise ValueError(_CODES_MISMATCH)


# Ranks per marking task: the task's bitmap (128 KiB) stays in the L2 cache.
# A multiple of 64, so that every block starts at a whole bitmap word.
RANK_BLOCK = 1 << 20
# numpy's multivariate hypergeometric ("marginals") needs fewer rows than this;
# a larger class is marked as one block.
_HYPERGEOMETRIC_BELOW = 10**9
if RANK_BLOCK % 64:
    raise ImportError("RANK_BLOCK must be a multiple of 64 (whole bitmap words).")


class _RankBlocks(NamedTuple):
    """The marking tasks of an under-sampling draw, one entry per block."""

    cls: np.ndarray  # class code
    first: np.ndarray  # first rank (position within the class) of the block
    last: np.ndarray  # one past its last rank
    keep: np.ndarray  # rows of the block to keep
    key: np.ndarray  # random stream (uint64)
    word: np.ndarray  # first bitmap word of the block
    out: np.ndarray  # output position of its first kept row


def _rank_blocks(labels, n_keep, reduced, out_offset, word_offset, rng) -> _RankBlocks:
    """Marking tasks of an under-sampling draw, independent of the thread count.

    Each reduced class is cut into blocks of ``RANK_BLOCK`` ranks; how many of
    its ``n_keep`` rows each block keeps is multivariate hypergeometric, so
    marking every block uniformly gives a uniform subset of the class. Classes
    of one block (most) are set up together, drawing their keys in class
    order as one class at a time would.
    """
    classes = np.flatnonzero(reduced)
    counts = labels.counts[classes]
    several = np.flatnonzero((counts > RANK_BLOCK) & (counts < _HYPERGEOMETRIC_BELOW))
    parts = []
    start = 0
    for position in [*several.tolist(), classes.shape[0]]:
        run = classes[start:position]
        if run.shape[0]:
            parts.append(
                (
                    run,
                    np.zeros(run.shape[0], dtype=np.int64),
                    labels.counts[run],
                    n_keep[run],
                    _keys(rng, run.shape[0]),
                    word_offset[run],
                    out_offset[run],
                )  # fmt: skip
            )
        if position < classes.shape[0]:
            c = classes[position]
            n_c = int(labels.counts[c])
            firsts = np.arange(0, n_c, RANK_BLOCK, dtype=np.int64)
            sizes = np.minimum(RANK_BLOCK, n_c - firsts)
            keep = rng.multivariate_hypergeometric(
                sizes, int(n_keep[c]), method="marginals"
            )
            parts.append(
                (
                    np.full(firsts.shape[0], c),
                    firsts,
                    firsts + sizes,
                    keep,
                    _keys(rng, firsts.shape[0]),
                    word_offset[c] + firsts // 64,
                    out_offset[c] + np.cumsum(keep) - keep,
                )  # fmt: skip
            )
        start = position + 1
    columns = [
        np.concatenate([part[i] for part in parts])
        if parts
        else np.empty(0, dtype=np.uint64 if i == 4 else np.int64)
        for i in range(7)
    ]
    return _RankBlocks(
        *(c.astype(np.uint64 if i == 4 else np.int64) for i, c in enumerate(columns))
    )


def _distinct_rows(
    labels: EncodedLabels, n_keep: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``n_keep[c]`` distinct random rows of every class ``c``, class after class.

    Classes whose ``n_keep`` equals their count are kept whole. Each other
    class marks the ranks (positions within the class) it keeps in a bitmap,
    block by block (in threads for large classes), and the kept rows are read
    off the cached rows of each class or, when they are not cached, found in
    one pass over the labels; both give the same rows, in row order within a
    class, so memory stays at the bitmaps plus the output.
    """
    kernels = _kernels()
    counts = labels.counts
    check_labels(labels)
    if n_keep.shape != counts.shape or (n_keep < 0).any() or (n_keep > counts).any():
        raise ValueError(
            "internal error: distinct rows need 0 <= n_keep[c] <= counts[c] for "
            "every class."
        )
    reduced = n_keep != counts
    out_offset = np.zeros(labels.n_classes, dtype=np.int64)
    np.cumsum(n_keep[:-1], out=out_offset[1:])
    kept = np.empty(int(n_keep.sum()), dtype=labels.dtype)
    words = np.where(reduced, (counts + 63) // 64, 0)
    word_offset = np.zeros(labels.n_classes, dtype=np.int64)
    np.cumsum(words[:-1], out=word_offset[1:])
    bitmap = np.zeros(int(words.sum()), dtype=np.uint64)
    blocks = _rank_blocks(labels, n_keep, reduced, out_offset, word_offset, rng)
    threads = n_threads() if counts[reduced].sum() > PARALLEL_ABOVE else 1
    marked = np.zeros(threads, dtype=np.int64)

    def mark(t: int) -> None:
        marked[t] = kernels.mark_blocks(
            bitmap, blocks.word, blocks.last - blocks.first, blocks.keep, blocks.key,
            t, threads,
        )  # fmt: skip

    _in_threads(mark, threads)
    if (marked != 0).any():
        raise ValueError("internal error: a rank block runs past the bitmap.")
    if labels._rows is None:
        written = kernels.scan_marked(
            labels.codes, ~reduced, bitmap, word_offset, out_offset, kept
        )
        if written != kept.shape[0]:
            raise ValueError(
                "internal error: the label codes do not match the class counts "
                f"({written} of {kept.shape[0]} rows found)."
            )
    else:
        rows, bounds = labels.grouped_rows()
        taken = np.zeros(threads, dtype=np.int64)

        def take(t: int) -> None:
            taken[t] = kernels.take_blocks(
                rows, bounds, bitmap, blocks.cls, blocks.first, blocks.last,
                blocks.keep, blocks.word, blocks.out, kept, t, threads,
            )  # fmt: skip

        _in_threads(take, threads)
        if (taken != 0).any():
            raise ValueError("internal error: a rank block runs past its rows.")
        whole = ~reduced
        # The classes kept whole: their rows, class after class.
        for c in np.flatnonzero(whole & (n_keep > 0)):
            kept[out_offset[c] : out_offset[c] + n_keep[c]] = rows[
                bounds[c] : bounds[c + 1]
            ]
    return kept


def under_sample_indices(
    labels: EncodedLabels,
    n_keep: np.ndarray,
    rng: np.random.Generator,
    *,
    replacement: bool = False,
    shuffle: bool = True,
    resampled: np.ndarray | None = None,
) -> np.ndarray:
    """Keep ``n_keep[c]`` random rows of every class ``c``.

    Classes whose ``n_keep`` equals their count are kept whole, unless drawn
    with replacement: with ``replacement``, the classes of the boolean mask
    ``resampled`` (those the sampling strategy names; by default those whose
    ``n_keep`` differs from their count) are drawn with replacement, the
    others kept whole. Without replacement the rows come from
    :func:`_distinct_rows` (memory: bitmaps plus the output); with
    replacement the rows of every class are grouped first. With
    ``shuffle=False`` the kept rows stay in their original order. Raises
    ValueError as :func:`under_sample_size` does, before any work.
    """
    under_sample_size(labels, n_keep, replacement=replacement)
    n_keep = np.asarray(n_keep, dtype=np.int64)
    if replacement:
        reduced = n_keep != labels.counts
        if resampled is not None:
            resampled = np.asarray(resampled, dtype=bool)
            if resampled.shape != reduced.shape or (reduced & ~resampled).any():
                raise ValueError(
                    "internal error: resampled must mark every class whose "
                    "n_keep differs from its count."
                )
            reduced = resampled
        rows, bounds = labels.grouped_rows()
        segments = _SegmentList(labels.dtype, (rows,))
        # Class by class: drawn with replacement, or kept whole. The keys
        # are drawn in class order, as a segment per class would.
        kernels = _kernels()
        k = np.where(reduced, n_keep, 0)
        key = np.zeros(labels.n_classes, dtype=np.uint64)
        key[k != 0] = _keys(rng, int(np.count_nonzero(k)))
        segments._add(
            np.where(reduced, kernels.PICK, kernels.COPY),
            0,
            bounds[:-1],
            bounds[1:],
            np.where(reduced, n_keep, labels.counts),
            key,
        )
        if not shuffle:
            return _sorted_draw(segments.build(), labels.n_samples)
        return _draw(segments.build(), rng)
    kept = _distinct_rows(labels, n_keep, rng)
    if not shuffle:
        # Each class's rows come in row order: a merge of sorted runs.
        kept.sort(kind="stable")
        return kept
    return shuffled(kept, rng)


def over_sample_indices(
    labels: EncodedLabels,
    n_add: np.ndarray,
    rng: np.random.Generator,
    *,
    shuffle: bool = True,
) -> np.ndarray:
    """Every row once, plus ``n_add[c]`` rows of class ``c`` drawn with replacement.

    The rows are generated while they are shuffled (no intermediate copy).
    With ``shuffle=False`` the copies of a row follow the row itself, so the
    output keeps the original row order. Raises ValueError as
    :func:`over_sample_size` does, before any work.
    """
    over_sample_size(labels, n_add)
    n_add = np.asarray(n_add, dtype=np.int64)
    added = np.flatnonzero(n_add)
    pool, bounds = _class_pool(labels, added)
    segments = _SegmentList(pool.dtype, (pool,))
    segments.range(0, labels.n_samples)
    segments.pick(0, bounds[added], bounds[added + 1], n_add[added], rng)
    if shuffle:
        return _draw(segments.build(), rng, dtype=labels.dtype)
    return _sorted_draw(segments.build(), labels.n_samples, labels.dtype)


def added_mask(indices: np.ndarray, shuffled: bool = False) -> np.ndarray:
    """Mark every occurrence of a row but one as an added copy (no sort).

    The one kept is the row's first occurrence, where the originals come
    first (``shuffle=False``). In a ``shuffled`` output the first occurrence
    would always precede the copies (the added rows piling up towards the
    end): the one kept is then the occurrence of least key, a SplitMix64 hash
    of its position salted by the draw, so that it is any of the row's
    occurrences alike. A function of ``indices`` alone: every caller marks
    the same rows.

    >>> import numpy as np
    >>> from rebalance._indices import added_mask
    >>> added_mask(np.array([2, 0, 2, 2])).tolist()
    [False, False, True, True]
    >>> int((~added_mask(np.array([2, 0, 2, 2]), shuffled=True)).sum())
    2
    """
    n = indices.shape[0]
    is_added = np.ones(n, dtype=bool)
    if not n:
        return is_added
    size = int(indices.max()) + 1
    if not shuffled:
        first = np.full(size, n, dtype=np.intp)
        np.minimum.at(first, indices, np.arange(n))
        is_added[first[first < n]] = False
        return is_added
    # Salted by ~1024 indices spread over the output (not its first ones:
    # an output that starts with many copies of one row would give every
    # draw nearly the same salt).
    sample = indices[:: max(1, n // 1024)].astype(np.uint64)
    salt = np.bitwise_xor.reduce(
        _splitmix(sample + np.arange(sample.shape[0], dtype=np.uint64))
    )
    keys = _splitmix(np.arange(n, dtype=np.uint64) + salt)  # distinct: a bijection
    least = np.full(size, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(least, indices, keys)
    is_added[keys == least[indices]] = False
    return is_added


# SplitMix64: the golden-ratio increment and the two multipliers of its output
# function (here, numba-free; the compiled kernels of rebalance._kernels use
# the same ones).
SPLITMIX_GAMMA = np.uint64(0x9E3779B97F4A7C15)
SPLITMIX_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
SPLITMIX_MIX2 = np.uint64(0x94D049BB133111EB)


def _splitmix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function of uint64 ``z`` + its increment (wrapping
    arithmetic): a bijection of the uint64 values."""
    z = z + SPLITMIX_GAMMA
    z = (z ^ (z >> np.uint64(30))) * SPLITMIX_MIX1
    z = (z ^ (z >> np.uint64(27))) * SPLITMIX_MIX2
    return z ^ (z >> np.uint64(31))


def class_balanced_indices(
    labels: EncodedLabels,
    n_samples: int,
    power: float,
    rng: np.random.Generator,
    weights=None,
) -> np.ndarray:
    """Draw a class with probability proportional to ``count ** power``, then a row.

    ``power=0`` picks every class equally often, ``power=1`` follows the data's
    own class frequencies. Rows are drawn with replacement. Each output
    position draws its own class, so the output is in random order without a
    separate shuffle. Raises as :func:`class_balanced_size` does, before any
    work.
    """
    n_samples = class_balanced_size(labels, n_samples, power)
    kernels = _kernels()
    weights = _class_weights(labels, power, weights)
    edges = _class_edges(weights)
    rows, bounds = labels.grouped_rows()
    out = np.empty(n_samples, dtype=labels.dtype)
    key = _key(rng)
    threads = n_threads() if n_samples > PARALLEL_ABOVE else 1
    chunks = _split(n_samples, threads)
    failed = np.zeros(threads, dtype=np.int64)

    def fill(t: int) -> None:
        failed[t] = kernels.class_balanced_fill(
            rows, bounds, edges, key, chunks[t], out[chunks[t] : chunks[t + 1]]
        )

    _in_threads(fill, threads)
    if failed.any():
        raise ValueError("internal error: the class bounds do not match the rows.")
    return out


def class_balanced_counts(
    labels: EncodedLabels, n_samples: int, power: float, weights=None
):
    """Expected rows per class of :func:`class_balanced_indices`."""
    weights = _class_weights(labels, power, weights)
    return n_samples * weights / weights.sum()


def _class_edges(weights: np.ndarray) -> np.ndarray:
    """Cumulative class probabilities of ``weights`` without the final 1.0:
    :func:`rebalance._kernels.class_balanced_fill` takes class
    ``#(edges <= u)`` for ``u`` uniform in [0, 1).

    The edges after which every weight is 0 are exactly 1.0, so that no
    ``u`` reaches a class of weight 0: their rounded cumulative sum can end
    at ``1 - 2**-53``, which the largest ``u`` equals.

    Examples
    --------
    >>> weights = np.array([0.637, 0.27, 0.041, 0.0])
    >>> float(np.cumsum(weights / weights.sum())[-2]) == 1 - 2**-53
    True
    >>> _class_edges(weights).tolist()[-1]
    1.0
    """
    edges = np.cumsum(weights / weights.sum())[:-1]
    # rest[i]: the weights of the classes after edge i, summed.
    rest = np.cumsum(weights[::-1])[::-1][1:]
    edges[rest == 0] = 1.0
    return edges


def _class_weights(labels: EncodedLabels, power: float, weights) -> np.ndarray:
    """``count ** power``, or the given relative class weights (checked)."""
    if weights is None:
        # float(): a Fraction power would make an array of objects.
        return labels.counts.astype(np.float64) ** float(power)
    weights = np.asarray(weights, dtype=np.float64)
    with np.errstate(over="ignore"):
        total = weights.sum()
    if (
        weights.shape != (labels.n_classes,)
        or not np.isfinite(weights).all()
        or (weights < 0).any()
        or not total > 0
    ):
        raise ValueError(
            "internal error: class weights must be finite, >= 0 and not all 0, "
            "one per class."
        )
    if not np.isfinite(total):
        # Finite weights whose sum overflows (1e308 each) would normalise to
        # zeros and draw only the last class: only their ratios matter.
        weights = weights / weights.max()
    return weights


def label_shuffle_indices(
    labels: EncodedLabels, rng: np.random.Generator, totals=None
) -> np.ndarray:
    """Hikvision label shuffle: every class brought to the largest class's size M.

    For a class of ``n_c`` rows, each row appears ``M // n_c`` times and
    ``M % n_c`` of them, picked at random, once more; so every row appears
    ⌊M/n_c⌋ or ⌈M/n_c⌉ times. This is the multiset that the original recipe
    (a random permutation of ``range(M)`` taken modulo ``n_c``) produces, with
    the extra copies going to random rows instead of always the first ones.
    The concatenation of all classes is returned in random order, generated
    while it is shuffled (no intermediate copy). Raises as
    :func:`label_shuffle_size` does, before any work. ``totals[c]`` (default
    M for every class) is the number of rows of class ``c`` in the output.
    """
    label_shuffle_size(labels, totals)
    rows, bounds = labels.grouped_rows()
    if totals is None:
        totals = np.full(labels.n_classes, labels.counts.max(), dtype=np.int64)
    whole, extra = np.divmod(np.asarray(totals, dtype=np.int64), labels.counts)
    extra_bounds = np.zeros(labels.n_classes + 1, dtype=np.int64)
    np.cumsum(extra, out=extra_bounds[1:])
    extras = _distinct_rows(labels, extra, rng)
    segments = _SegmentList(labels.dtype, (rows, extras))
    # Class by class: its rows ``whole[c]`` times, then its extra rows.
    segments.copy(
        np.tile([0, 1], labels.n_classes),
        np.column_stack([bounds[:-1], extra_bounds[:-1]]).reshape(-1),
        np.column_stack([bounds[1:], extra_bounds[1:]]).reshape(-1),
        np.column_stack([whole, np.ones_like(whole)]).reshape(-1),
    )
    return _draw(segments.build(), rng)
