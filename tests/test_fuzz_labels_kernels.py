"""Fuzz tests of integer labels rebuilt from their class codes and of the focal
CPU kernels' helpers.

``_gather.take_labels`` must give ``np.take(y, rows)`` (or
``y.iloc[rows].reset_index(drop=True)``) bit for bit, or None, and never read
or write out of bounds; ``fit_resample`` must return the same labels with and
without it. The focal kernels' ``row_max32``, ``log_unit`` and
``exp32_nonpos`` are checked against numpy / torch, and the losses against a
float64 autograd formula on inputs with special values.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _gather,
    _indices,
)
from rebalance._labels import encode_labels

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

INT_DTYPES = [
    np.int8,
    np.uint8,
    np.int16,
    np.uint16,
    np.int32,
    np.uint32,
    np.int64,
    np.uint64,
]


def _force_threads(mp: pytest.MonkeyPatch, n: int) -> None:
    """Every gather goes through take_labels' kernels, in ``n`` threads."""
    mp.setattr(_gather, "GATHER_ABOVE", 0)
    mp.setattr(_gather, "LABEL_TABLE_RATIO", 0)
    mp.setattr(_indices, "PARALLEL_ABOVE", 0)
    mp.setattr(_indices, "n_threads", lambda: n)


def _class_values(rng: np.random.Generator, dtype, n_classes: int) -> np.ndarray:
    """``n_classes`` distinct values of ``dtype``, its extremes first."""
    info = np.iinfo(dtype)
    n_classes = min(n_classes, 2**info.bits)
    extremes = np.unique(np.array([info.min, info.max, 0], dtype=dtype))
    if info.bits == 8:
        pool = np.arange(info.min, info.max + 1).astype(dtype)
    else:
        pool = rng.integers(
            info.min, info.max, 4 * n_classes, dtype=dtype, endpoint=True
        )
    values = np.unique(np.concatenate([extremes, rng.permutation(pool)]))
    # extremes kept, the rest in random order
    rest = rng.permutation(np.setdiff1d(values, extremes))
    return np.concatenate([extremes, rest])[:n_classes]


def _layout(y: np.ndarray, layout: str):
    """``y`` as a strided / read-only / reversed array or a pandas Series."""
    if layout == "strided":
        wide = np.empty(2 * y.shape[0], dtype=y.dtype)
        wide[::2] = y
        wide[1::2] = y[::-1]
        return wide[::2]
    if layout == "reversed":
        return y[::-1].copy()[::-1]
    if layout == "readonly":
        y = y.copy()
        y.setflags(write=False)
        return y
    if layout == "series":
        return pd.Series(y, name="target")
    if layout == "series index":
        index = pd.Index(np.arange(y.shape[0])[::-1] * 3 + 7)
        series = pd.Series(y, index=index, name=("a", 1))
        series.attrs["source"] = "fuzz"
        return series
    return y


def _snapshot(y):
    if isinstance(y, pd.Series | pd.DataFrame):
        return y.copy(deep=True)
    return np.array(y, copy=True)


def _assert_unchanged(y, before) -> None:
    if isinstance(y, pd.Series):
        pd.testing.assert_series_equal(y, before, check_exact=True)
        assert y.attrs == before.attrs
    else:
        assert np.asarray(y).tobytes() == before.tobytes()


# --------------------------------------------------------------------------
# take_labels on its own
# --------------------------------------------------------------------------
@FUZZ
@given(
    dtype=st.sampled_from(INT_DTYPES),
    n_classes=st.one_of(
        st.sampled_from([1, 2, 2, 3, 255, 256, 257]), st.integers(1, 300)
    ),
    n_rows=st.integers(1, 400),
    n_out=st.integers(0, 500),
    rows_dtype=st.sampled_from(
        [np.int8, np.int16, np.int32, np.uint32, np.int64, np.uint64, np.uint8]
    ),
    layout=st.sampled_from(
        ["contiguous", "strided", "reversed", "readonly", "series", "series index"]
    ),
    bad=st.sampled_from([None, None, -1, "n", 2**40, -(2**40), "u64"]),
    n_threads=st.sampled_from([1, 2, 3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_take_labels_is_np_take_or_none(
    dtype, n_classes, n_rows, n_out, rows_dtype, layout, bad, n_threads, seed
):
    rng = np.random.default_rng(seed)
    values = _class_values(rng, dtype, n_classes)
    n_rows = max(n_rows, values.shape[0])
    y_plain = rng.permutation(np.resize(values, n_rows)).astype(dtype)
    y = _layout(y_plain, layout)
    labels, _, _ = encode_labels(y)
    rows = rng.integers(0, n_rows, n_out)
    if bad is not None and n_out:
        at = int(rng.integers(0, n_out))
        rows[at] = {"n": n_rows, "u64": -1}.get(bad, bad)
    if np.iinfo(rows_dtype).max >= n_rows and bad is None:
        rows = rows.astype(rows_dtype)
    elif bad == "u64":
        rows = rows.astype(np.uint64)  # -1 becomes 2**64 - 1
    before = _snapshot(y)
    with pytest.MonkeyPatch.context() as mp:
        _force_threads(mp, n_threads)
        taken = _gather.take_labels(y, labels, rows)
    _assert_unchanged(y, before)
    inside = (rows.astype(object) >= 0).all() and (rows.astype(object) < n_rows).all()
    if not (2 <= labels.n_classes <= 256) or not inside:
        assert taken is None
        return
    assert taken is not None
    if isinstance(y, pd.Series):
        expected = y.iloc[rows].reset_index(drop=True)
        pd.testing.assert_series_equal(taken, expected, check_exact=True)
        assert type(taken.index) is pd.RangeIndex
        assert taken.attrs == expected.attrs and taken.name == y.name
        assert not np.shares_memory(taken.to_numpy(), y.to_numpy())
    else:
        # intp: numpy < 2 refuses to take at uint64 indices.
        expected = np.take(y, rows.astype(np.intp))
        assert type(taken) is np.ndarray and taken.dtype == y.dtype
        assert taken.tobytes() == expected.tobytes()
        assert not np.shares_memory(taken, y)
        assert taken.flags.writeable


def _memmap(tmp_path, values):
    mm = np.memmap(
        tmp_path / "y.bin", dtype=values.dtype, mode="w+", shape=values.shape
    )
    mm[:] = values
    return mm


# y whose labels cannot all be rebuilt bit for bit from their codes, or that
# take_labels does not handle: it must give None (or the exact labels).
OTHER_LABELS = {
    "bool": lambda n, t: np.arange(n) % 2 == 0,
    "float signed zeros": lambda n, t: np.resize([0.0, -0.0, 1.0], n),
    "float32": lambda n, t: (np.arange(n) % 3).astype(np.float32),
    "str": lambda n, t: np.resize(np.array(["a", "b", "c"]), n),
    "object ints": lambda n, t: np.resize(np.array([1, 2, 3], dtype=object), n),
    "big-endian": lambda n, t: (np.arange(n) % 3).astype(">i4"),
    "big-endian u8": lambda n, t: (np.arange(n) % 3).astype(">u8") + 2**63,
    "257 classes": lambda n, t: np.arange(n) % 257,
    "one class": lambda n, t: np.zeros(n, dtype=np.int64),
    "categorical": lambda n, t: pd.Series(pd.Categorical(np.arange(n) % 3)),
    "Int64": lambda n, t: pd.Series(np.arange(n) % 3, dtype="Int64"),
    "uint8 ext": lambda n, t: pd.Series(np.arange(n) % 3, dtype="UInt8"),
    "memmap": lambda n, t: _memmap(t, (np.arange(n) % 3).astype(np.int16)),
    "masked": lambda n, t: np.ma.array(np.arange(n) % 3, mask=np.zeros(n, bool)),
    "2-D column": lambda n, t: (np.arange(n) % 3).reshape(-1, 1),
    "list": lambda n, t: [i % 3 for i in range(n)],
}


@pytest.mark.parametrize("kind", sorted(OTHER_LABELS))
def test_take_labels_other_labels_none_or_exact(kind, tmp_path, monkeypatch):
    _force_threads(monkeypatch, 2)
    y = OTHER_LABELS[kind](600, tmp_path)
    labels, _, _ = encode_labels(y)
    rows = np.random.default_rng(0).integers(0, 600, 900)
    taken = _gather.take_labels(y, labels, rows)
    if taken is not None:  # only exact labels are acceptable
        expected = np.take(np.asarray(y), rows, axis=0)
        assert np.asarray(taken).dtype == expected.dtype
        assert np.asarray(taken).tobytes() == expected.tobytes()


def test_take_labels_foreign_or_bad_rows_never_crash(monkeypatch):
    """Rows numpy would wrap or reject, and labels of another length: None."""
    _force_threads(monkeypatch, 3)
    for n_classes in (2, 3):
        y = (np.arange(50) % n_classes).astype(np.int32)
        labels, _, _ = encode_labels(y)
        for rows in (
            np.array([0, -1]),
            np.array([0, -50]),
            np.array([0, -(2**62)]),
            np.array([49, 50]),
            np.array([0, 2**62]),
            np.array([0, 2**63], dtype=np.uint64),
            np.array([2**64 - 1], dtype=np.uint64),
            np.array([0.0, 1.0]),
            np.array([True, False]),
            np.zeros((2, 2), dtype=np.intp),
        ):
            assert _gather.take_labels(y, labels, rows) is None
        assert _gather.take_labels(y[:-1], labels, np.arange(3)) is None
        assert _gather.take_labels(np.append(y, 0), labels, np.arange(3)) is None
        empty = _gather.take_labels(y, labels, np.array([], dtype=np.intp))
        assert empty is not None and empty.shape == (0,) and empty.dtype == y.dtype


def test_label_kernels_reject_ranges_outside_their_arrays():
    from rebalance import _gather_kernels as kernels

    classes = np.array([-5, 9, 2**40], dtype=np.int64)
    codes = np.array([0, 1, 2, 1, 0], dtype=np.uint8)
    bits = np.packbits(codes[:4] != 0, bitorder="little")
    rows = np.array([4, 0, 3, 2], dtype=np.intp)
    out = np.zeros(4, dtype=np.int64)
    assert kernels.labels_from_codes(codes, classes, rows, 0, 4, out) == 0
    assert out.tolist() == [-5, -5, 9, 2**40]
    # last beyond rows or out; a code beyond the classes; a row beyond codes
    assert kernels.labels_from_codes(codes, classes, rows, 0, 5, out) == -1
    assert kernels.labels_from_codes(codes, classes, rows, 0, 4, out[:3]) == -1
    assert kernels.labels_from_codes(codes, classes[:2], rows, 0, 4, out) == -1
    assert kernels.labels_from_codes(codes[:4], classes, rows, 0, 4, out) == -1
    out[:] = 0
    assert kernels.labels_from_bits(bits, 4, classes, rows[1:], 0, 3, out) == 0
    assert out[:3].tolist() == [-5, 9, 9]
    assert kernels.labels_from_bits(bits, 4, classes, rows, 0, 4, out) == -1  # 4
    assert kernels.labels_from_bits(bits, 100, classes, rows, 0, 1, out) == 0  # 4 < 8
    assert kernels.labels_from_bits(bits, 100, classes, rows + 4, 0, 4, out) == -1
    assert kernels.labels_from_bits(bits, 4, classes[:1], rows, 0, 1, out) == -1
    assert kernels.labels_from_bits(bits, 4, classes, rows, 0, 5, out) == -1


# --------------------------------------------------------------------------
# fit_resample: the same labels as gathered from y
# --------------------------------------------------------------------------
SAMPLERS = {
    "over": lambda: RandomOverSampler(random_state=0),
    "under": lambda: RandomUnderSampler(random_state=0),
    "under replacement": lambda: RandomUnderSampler(replacement=True, random_state=0),
    "class balanced": lambda: ClassBalancedSampler(n_samples=700, random_state=0),
    "label shuffle": lambda: LabelShuffleSampler(random_state=0),
}


def _imbalanced(values: np.ndarray, n: int = 600) -> np.ndarray:
    """``n`` labels over ``values``, the first class the most frequent."""
    k = values.shape[0]
    codes = np.random.default_rng(k).permutation(
        np.concatenate([np.zeros(n - 2 * k, np.intp), np.repeat(np.arange(k), 2)])
    )
    return values[codes]


def _ints(dtype, k):
    return _class_values(np.random.default_rng(k), dtype, k).astype(dtype)


Y_FORMS = {
    "int8 extremes": lambda: _imbalanced(np.array([-128, 127, 0], np.int8)),
    "uint64 above 2**63": lambda: _imbalanced(
        np.array([2**64 - 1, 2**63, 2**63 + 1, 3], np.uint64)
    ),
    "uint8 256 classes": lambda: _imbalanced(_ints(np.uint8, 256)),
    "int64 2 classes": lambda: _imbalanced(np.array([-(2**63), 2**63 - 1])),
    "int16 200 classes": lambda: _imbalanced(_ints(np.int16, 200)),
    "uint32 257 classes": lambda: _imbalanced(_ints(np.uint32, 257), 700),
    "readonly": lambda: _layout(_imbalanced(np.array([5, -7, 9])), "readonly"),
    "strided": lambda: _layout(_imbalanced(np.array([5, -7], np.int32)), "strided"),
    "big-endian": lambda: _imbalanced(np.array([5, -7, 9], ">i8")),
    "bool": lambda: _imbalanced(np.array([True, False])),
    "float": lambda: _imbalanced(np.array([0.0, -0.0, 2.0])),
    "str": lambda: _imbalanced(np.array(["x", "y", "z"])),
    "object": lambda: _imbalanced(np.array([1, 2, 3], dtype=object)),
    "masked": lambda: np.ma.array(_imbalanced(np.array([3, 4])), mask=False),
    "list": lambda: _imbalanced(np.array([3, 4, 5])).tolist(),
    "2-D column": lambda: _imbalanced(np.array([3, 4, 5])).reshape(-1, 1),
    "series": lambda: _layout(_imbalanced(np.array([10, 20, 30])), "series"),
    "series index uint64": lambda: _layout(
        _imbalanced(np.array([2**63 + 5, 1], np.uint64)), "series index"
    ),
    "series categorical": lambda: pd.Series(
        pd.Categorical(_imbalanced(np.array([1, 2, 3])))
    ),
    "series Int64": lambda: pd.Series(_imbalanced(np.array([1, 2, 3])), dtype="Int64"),
    "frame column": lambda: pd.DataFrame({"y": _imbalanced(np.array([1, 2, 3]))}),
}
# take_labels must be used for these (the others are left to take_rows)
REBUILT = {
    "int8 extremes",
    "uint64 above 2**63",
    "uint8 256 classes",
    "int64 2 classes",
    "int16 200 classes",
    "readonly",
    "strided",
    "masked",  # y_1d: its data (nothing masked: masked labels are refused)
    "series",
    "series index uint64",
}


def _same_labels(got, expected) -> None:
    assert type(got) is type(expected)
    if isinstance(expected, pd.Series | pd.DataFrame):
        if isinstance(expected, pd.Series):
            pd.testing.assert_series_equal(got, expected, check_exact=True)
        else:
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert got.attrs == expected.attrs
    elif isinstance(expected, list):
        assert got == expected
    else:
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("form", sorted(Y_FORMS))
@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
@pytest.mark.parametrize("n_threads", [1, 3])
def test_fit_resample_labels_are_the_gathered_ones(form, sampler, n_threads):
    y = Y_FORMS[form]()
    n = len(y)
    X = np.arange(2 * n, dtype=np.float64).reshape(n, 2)
    X_before, y_before = X.copy(), _snapshot(y) if not isinstance(y, list) else y[:]
    used = []
    take_labels = _gather.take_labels

    def spy(*args):
        result = take_labels(*args)
        used.append(result is not None)
        return result

    with pytest.MonkeyPatch.context() as mp:
        _force_threads(mp, n_threads)
        mp.setattr(_gather, "take_labels", spy)
        s = SAMPLERS[sampler]()
        X_res, y_res = s.fit_resample(X, y)
        mp.setattr(_gather, "take_labels", lambda *args: None)
        reference = SAMPLERS[sampler]()
        _, y_ref = reference.fit_resample(X, y)
    assert used == [form in REBUILT]
    idx = s.sample_indices_
    np.testing.assert_array_equal(idx, reference.sample_indices_)
    _same_labels(y_res, y_ref)
    # and independently of take_rows: the labels of the drawn rows
    if isinstance(y, pd.Series | pd.DataFrame):
        expected = y.iloc[idx].reset_index(drop=True)
        _same_labels(y_res, expected)
    elif isinstance(y, list):
        assert y_res == [y[i] for i in idx]
    else:
        expected = np.asarray(y)[idx]
        assert y_res.tobytes() == expected.tobytes()
    np.testing.assert_array_equal(X_res, X[idx])
    # inputs untouched
    assert X.tobytes() == X_before.tobytes()
    if isinstance(y, list):
        assert y == y_before
    elif isinstance(y, pd.DataFrame):
        pd.testing.assert_frame_equal(y, y_before)
    else:
        _assert_unchanged(y, y_before)


# --------------------------------------------------------------------------
# Focal CPU kernels
# --------------------------------------------------------------------------
def _kern():
    pytest.importorskip("torch")
    pytest.importorskip("numba")
    from rebalance.torch import _focal_cpu

    return _focal_cpu


SPECIAL_F32 = [
    np.nan,
    -np.nan,
    np.inf,
    -np.inf,
    0.0,
    -0.0,
    1e-45,
    -1e-45,
    1e-40,
    -1e-40,
    3.4028235e38,
    -3.4028235e38,
    1.0,
    -1.0,
]


@FUZZ
@given(
    row=st.lists(
        st.one_of(
            st.integers(0, 2**32 - 1),  # any bit pattern (NaN payloads included)
            st.sampled_from(SPECIAL_F32),
            st.floats(width=32, allow_nan=False),
        ),
        min_size=1,
        max_size=70,
    ),
    step=st.sampled_from([1, 2]),
)
def test_row_max32_is_amax(row, step):
    torch = pytest.importorskip("torch")

    kern = _kern()
    values = np.array(
        [
            np.array([v], np.uint32).view(np.float32)[0]
            if isinstance(v, int)
            else np.float32(v)
            for v in row
        ],
        dtype=np.float32,
    )
    if step == 2:  # a strided row
        wide = np.zeros(2 * values.shape[0], np.float32)
        wide[::2] = values
        values = wide[::2]
    got = kern.row_max32(values)
    expected = torch.from_numpy(np.ascontiguousarray(values)).amax().item()
    assert np.isnan(got) == np.isnan(expected) == bool(np.isnan(values).any())
    if not np.isnan(expected):
        assert got == expected  # -0.0 and 0.0 alike
        assert got in values


@FUZZ
@given(
    a=st.one_of(
        st.floats(1e-300, 1.0),
        st.floats(0.99, 1.0),
        st.floats(0.7, 0.72),  # around sqrt(1/2)
        st.sampled_from([1.0, math.sqrt(0.5), np.nextafter(math.sqrt(0.5), 0), 0.5]),
        st.floats(0.0, 1e-300),  # below: log(1e-300)
    )
)
def test_log_unit_is_log(a):
    kern = _kern()
    got = kern.log_unit(a)
    expected = math.log(max(a, 1e-300))
    assert abs(got - expected) <= 1e-15 * abs(expected) + 5e-324


@FUZZ
@given(t=st.floats(-100.0, 0.0, width=32))
def test_exp32_nonpos_is_exp(t):
    kern = _kern()
    t32 = np.float32(t)
    got = kern.exp32_nonpos(t32)
    assert isinstance(got, float | np.floating) and np.float32(got) == got
    if t32 < np.float32(-87.0):
        assert got == 0.0
    else:
        assert abs(got - math.exp(t32)) <= 4e-7 * math.exp(t32)


def _autograd(fn, x, g_out, *args, **kwargs):
    torch = pytest.importorskip("torch")

    x = x.detach().clone().requires_grad_()
    out = fn(x, *args, **kwargs)
    (grad,) = torch.autograd.grad(out, x, g_out(out))
    return out.detach(), grad


def _power(m, gamma):
    """m ** gamma for m in [0, 1], with a 0 gradient at m = 0 (as the kernels)."""
    torch = pytest.importorskip("torch")

    positive = m > 0
    powed = torch.where(positive, m, 1.0) ** gamma
    return torch.where(positive, powed, 0.0 if gamma > 0 else 1.0)


def _softmax_rows64(x, t, alpha, gamma, smoothing):
    """Per-row focal loss in float64 (rows with valid targets, finite or -inf
    logits elsewhere than the target)."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    n_classes = x.shape[1]
    w = F.one_hot(t, n_classes).double() * (1 - smoothing) + smoothing / n_classes
    if alpha is not None:
        w = w * torch.tensor(alpha, dtype=torch.float64)
    log_p = torch.log_softmax(x, 1)
    # 1 - p_j as the sum of the other classes' p (no cancellation near p_j = 1)
    eye = torch.eye(n_classes, dtype=torch.bool)
    others = x.unsqueeze(1).masked_fill(eye, -torch.inf)
    omp = (torch.logsumexp(others, 2) - torch.logsumexp(x, 1, keepdim=True)).exp()
    terms = w * _power(omp, gamma) * log_p
    return -torch.where(w > 0, terms, 0.0).sum(1)


def _close_or_nan(got, expected, rtol=2e-6, atol=1e-8) -> None:
    torch = pytest.importorskip("torch")

    got, expected = got.double(), expected.double()
    assert torch.equal(torch.isnan(got), torch.isnan(expected)), (got, expected)
    keep = ~torch.isnan(expected)
    torch.testing.assert_close(got[keep], expected[keep], rtol=rtol, atol=atol)


GAMMAS = st.sampled_from([0.0, 0.5, 1.5, 2.0, 3.0])
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@FUZZ
@given(
    n=st.integers(1, 6),
    c=st.integers(1, 9),
    scale=st.sampled_from([0.1, 1.0, 8.0]),
    gamma=GAMMAS,
    reduction=REDUCTIONS,
    smoothing=st.sampled_from([0.0, 0.0, 0.1, 0.35]),
    use_alpha=st.booleans(),
    special=st.sampled_from(["none", "zeros", "-inf", "nan", "+inf"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_softmax_focal_fuzz(
    n, c, scale, gamma, reduction, smoothing, use_alpha, special, seed
):
    torch = pytest.importorskip("torch")

    from rebalance.torch import softmax_focal_loss

    _kern()
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, c)) * scale).astype(np.float32)
    t = rng.integers(0, c, n)
    ignored = rng.random(n) < 0.25
    t[ignored] = -100
    alpha = list(rng.uniform(0.25, 2.0, c)) if use_alpha else None
    dirty = np.zeros(n, dtype=bool)  # rows whose loss is NaN
    if special == "zeros":
        spots = rng.random((n, c)) < 0.4
        x[spots] = rng.choice(
            np.array([0.0, -0.0, 1e-45, -1e-45, -1e-40], np.float32), spots.sum()
        )
    elif special == "-inf" and c >= 3:
        smoothing = 0.0  # else the loss is infinite
        for r in range(n):  # one non-target class per row, two finite left
            j = (max(t[r], 0) + 1 + rng.integers(0, c - 2)) % c
            x[r, j] = -np.inf
    elif special in ("nan", "+inf"):
        rows = rng.random(n) < 0.5
        cols = rng.integers(0, c, n)
        x[rows, cols[rows]] = np.nan if special == "nan" else np.inf
        dirty = rows & ~ignored
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)
    g_out = _grad_output(n, reduction, 0.75)

    kw = {"alpha": alpha, "gamma": gamma, "label_smoothing": smoothing}
    out, grad = _autograd(softmax_focal_loss, xt, g_out, tt, reduction=reduction, **kw)
    assert out.dtype == torch.float32 and grad.dtype == torch.float32

    # float64 reference for the clean rows (-inf as -1e30: the same softmax)
    clean = ~ignored & ~dirty
    x64 = torch.from_numpy(np.where(np.isneginf(x), -1e30, x).astype(np.float64))
    n_valid = max(int((~ignored).sum()), 1)
    row_weight = {
        "none": torch.linspace(0.5, 1.5, n, dtype=torch.float64),
        "sum": torch.full((n,), 0.75, dtype=torch.float64),
        "mean": torch.full((n,), 0.75 / n_valid, dtype=torch.float64),
    }[reduction]
    xc = x64[clean].clone().requires_grad_()
    rows64 = _softmax_rows64(xc, tt[clean], alpha, gamma, smoothing)
    (grad_clean,) = torch.autograd.grad((rows64 * row_weight[clean]).sum(), xc)
    loss_rows = torch.zeros(n, dtype=torch.float64)
    loss_rows[torch.from_numpy(clean)] = rows64.detach()
    loss_rows[torch.from_numpy(dirty)] = torch.nan
    if reduction == "none":
        expected = loss_rows
    else:
        expected = loss_rows.sum() / (n_valid if reduction == "mean" else 1)
    _close_or_nan(out, expected, atol=1e-9)
    _close_or_nan(grad[torch.from_numpy(clean)], grad_clean)
    assert (grad[torch.from_numpy(ignored)] == 0).all()
    if special == "-inf":
        assert (grad[torch.from_numpy(np.isneginf(x) & clean[:, None])] == 0).all()
    assert torch.isnan(grad[torch.from_numpy(dirty)]).all()


def _grad_output(n, reduction, scalar):
    """The backward's grad_output for a loss of ``n`` rows: one weight per row
    for ``reduction='none'``, else ``scalar``."""
    torch = pytest.importorskip("torch")

    weights = torch.linspace(0.5, 1.5, n, dtype=torch.float64)

    def g_out(out):
        if reduction == "none":
            return weights.to(out.dtype)
        return torch.tensor(scalar, dtype=out.dtype)

    return g_out


def _sigmoid64(x, y, alpha, gamma):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    m = y * torch.sigmoid(-x) + (1 - y) * torch.sigmoid(x)
    fl = ce * _power(m, gamma)
    if alpha is not None:
        fl = fl * (alpha * y + (1 - alpha) * (1 - y))
    return fl


@FUZZ
@given(
    n=st.integers(1, 40),
    scale=st.sampled_from([0.1, 1.0, 10.0, 60.0]),
    gamma=GAMMAS,
    reduction=REDUCTIONS,
    alpha=st.sampled_from([None, 0.25, 0.9]),
    soft=st.booleans(),
    ignore=st.booleans(),
    nan=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_sigmoid_focal_fuzz(n, scale, gamma, reduction, alpha, soft, ignore, nan, seed):
    torch = pytest.importorskip("torch")

    from rebalance.torch import sigmoid_focal_loss

    _kern()
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * scale).astype(np.float32)
    spots = rng.random(n) < 0.2
    x[spots] = rng.choice(np.array([0.0, -0.0, 1e-45, -1e-40], np.float32), spots.sum())
    y = (
        rng.random(n).astype(np.float32)
        if soft
        else (rng.random(n) < 0.3).astype(np.float32)
    )
    ignored = (rng.random(n) < 0.3) if ignore else np.zeros(n, dtype=bool)
    y[ignored] = -1.0
    dirty = (rng.random(n) < 0.3) & ~ignored if nan else np.zeros(n, dtype=bool)
    x[dirty] = np.nan
    g_out = _grad_output(n, reduction, 1.25)

    kw = {"alpha": alpha, "gamma": gamma, "ignore_index": -1.0 if ignore else None}
    out, grad = _autograd(
        sigmoid_focal_loss,
        torch.from_numpy(x),
        g_out,
        torch.from_numpy(y),
        reduction=reduction,
        **kw,
    )
    clean = ~ignored & ~dirty
    n_valid = max(int((~ignored).sum()), 1)
    scale_rows = {
        "none": torch.linspace(0.5, 1.5, n, dtype=torch.float64),
        "sum": torch.full((n,), 1.25, dtype=torch.float64),
        "mean": torch.full((n,), 1.25 / n_valid, dtype=torch.float64),
    }[reduction]
    cm = torch.from_numpy(clean)
    xc = torch.from_numpy(x.astype(np.float64))[cm].requires_grad_()
    fl = _sigmoid64(xc, torch.from_numpy(y.astype(np.float64))[cm], alpha, gamma)
    (grad_clean,) = torch.autograd.grad((fl * scale_rows[cm]).sum(), xc)
    loss = torch.zeros(n, dtype=torch.float64)
    loss[cm] = fl.detach()
    loss[torch.from_numpy(dirty)] = torch.nan
    expected = (
        loss
        if reduction == "none"
        else loss.sum() / (n_valid if reduction == "mean" else 1)
    )
    _close_or_nan(out, expected, atol=1e-9)
    _close_or_nan(grad[cm], grad_clean)
    assert (grad[torch.from_numpy(ignored)] == 0).all()
    assert torch.isnan(grad[torch.from_numpy(dirty)]).all()


@pytest.mark.parametrize("gamma", [0.5, 2.0, 3.0])
@pytest.mark.parametrize("threads", [1, 3])
def test_sigmoid_kernel_slices_across_chunks(gamma, threads):
    """Several fixed chunks (the loop runs over slices [start:stop]): every
    element where it belongs, whatever the thread count."""
    torch = pytest.importorskip("torch")

    from rebalance.torch import sigmoid_focal_loss

    kern = _kern()
    n = 2 * kern.CHUNK + 1234
    g = torch.Generator().manual_seed(int(gamma * 10) + threads)
    x = torch.randn(n, generator=g) * 6
    y = (torch.rand(n, generator=g) < 0.3).float()
    y[::17] = -1.0
    kw = {"alpha": 0.25, "gamma": gamma, "ignore_index": -1.0}
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        out, grad = _autograd(
            sigmoid_focal_loss,
            x,
            lambda o: torch.linspace(0.5, 1.5, n),
            y,
            reduction="none",
            **kw,
        )
    finally:
        torch.set_num_threads(previous)
    valid = y != -1.0
    xd = x.double().requires_grad_()
    fl = torch.where(
        valid, _sigmoid64(xd, torch.where(valid, y, 0.0).double(), 0.25, gamma), 0.0
    )
    (ref_grad,) = torch.autograd.grad(
        (fl * torch.linspace(0.5, 1.5, n).double()).sum(), xd
    )
    torch.testing.assert_close(out.double(), fl.detach(), rtol=2e-6, atol=1e-9)
    torch.testing.assert_close(grad.double(), ref_grad, rtol=2e-6, atol=1e-8)


# Found by the fuzz tests above: exp_nonpos(NaN) was 0, so at gamma=0 the
# gradient terms that do not go through the NaN loss stayed finite.
@pytest.mark.parametrize(
    "row", [[np.nan, 1.0, 2.0], [np.inf, 1.0, 2.0], [-np.inf, -np.inf, -np.inf]]
)
def test_nan_logits_give_nan_gradients_at_gamma_zero(row):
    torch = pytest.importorskip("torch")

    from rebalance.torch import sigmoid_focal_loss, softmax_focal_loss

    _kern()
    x = torch.tensor([np.nan, 1.0])
    _, grad = _autograd(
        sigmoid_focal_loss, x, lambda o: torch.ones_like(o), torch.tensor([1.0, 0.0]),
        gamma=0.0, reduction="none",
    )  # fmt: skip
    sig_ok = bool(torch.isnan(grad[0]))
    x = torch.tensor([row])
    _, grad = _autograd(
        softmax_focal_loss, x, lambda o: torch.ones_like(o), torch.tensor([1]),
        gamma=0.0, label_smoothing=0.1, reduction="none",
    )  # fmt: skip
    assert sig_ok and torch.isnan(grad).all()
