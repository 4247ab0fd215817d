"""Property-based fuzzing (review 120, fuzz5) of the four samplers
(``RandomUnderSampler``, ``RandomOverSampler`` with and without ``shrinkage``,
``ClassBalancedSampler``, ``LabelShuffleSampler``) through ``fit_resample`` and
``plan()``: X as numpy of many dtypes and layouts (Fortran, strided, read-only,
object, datetime64), pandas with extension dtypes and odd indexes, polars,
CSR/CSC and lists; y as ints, negative and huge ints, strings, bools and
categoricals; ``sample_weight`` and every kind of ``random_state``. Each test
checks that output rows are the input rows named by ``sample_indices_`` (via a
row-id column), that y and the weights follow them, that class counts match
imbalanced-learn's samplers where the semantics agree, that the inputs are left
unchanged and that a seed gives the same output. No bug was confirmed: every
test is a pin."""

import collections
import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.under_sampling import RandomUnderSampler as ImbUnder

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
Y = np.array([0] * 7 + [1] * 3 + [2] * 1 + [3] * 2)
N = len(Y)


@st.composite
def labels(draw):
    n_classes = draw(st.integers(2, 6))
    counts = draw(st.lists(st.integers(1, 7), min_size=n_classes, max_size=n_classes))
    kind = draw(st.sampled_from(["int", "negative", "huge", "str", "bool"]))
    if kind == "bool":
        counts = counts[:2]
    values = {
        "int": list(range(6)),
        "negative": [-i - 1 for i in range(6)],
        "huge": [2**62 + i for i in range(6)],
        "str": [f"c{i}" for i in range(6)],
        "bool": [False, True],
    }[kind]
    y = np.array(sum(([values[i]] * c for i, c in enumerate(counts)), []))
    order = draw(st.permutations(range(len(y))))
    return y[list(order)]


def _row_ids(X_res):
    return np.asarray(X_res)[:, 0].astype(np.int64)


@SETTINGS
@given(
    labels(),
    st.sampled_from(
        ["auto", "all", "majority", "minority", "not minority", "not majority"]
    ),
    st.booleans(),
    st.integers(0, 3),
)
def test_string_strategies_match_imblearn_counts_and_rows(y, strategy, rep, seed):
    X = np.column_stack([np.arange(len(y)), np.arange(len(y)) * 3]).astype(float)
    X_before, y_before = X.copy(), y.copy()
    for ours_cls, ref_cls, kw in [
        (RandomUnderSampler, ImbUnder, {"replacement": rep}),
        (RandomOverSampler, ImbOver, {}),
    ]:
        ref = ref_cls(sampling_strategy=strategy, random_state=seed, **kw)
        ours = ours_cls(sampling_strategy=strategy, random_state=seed, **kw)
        try:
            _, y_ref = ref.fit_resample(X, y)
        except ValueError:
            with pytest.raises(ValueError, match="sampling_strategy|minority|major"):
                ours.fit_resample(X, y)
            continue
        X_res, y_res = ours.fit_resample(X, y)
        assert collections.Counter(y_res.tolist()) == collections.Counter(
            y_ref.tolist()
        )
        assert dict(ours.sampling_strategy_) == dict(ref.sampling_strategy_)
        np.testing.assert_array_equal(_row_ids(X_res), ours.sample_indices_)
        np.testing.assert_array_equal(y_res, y[ours.sample_indices_])
        assert y_res.dtype == y.dtype
        again = ours_cls(sampling_strategy=strategy, random_state=seed, **kw)
        np.testing.assert_array_equal(again.fit_resample(X, y)[0], X_res)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


@SETTINGS
@given(st.integers(1, 9), st.integers(1, 9), st.floats(0.05, 1.0), st.booleans())
def test_float_strategy_counts_match_imblearn(n0, n1, ratio, rep):
    y = np.array([0] * n0 + [1] * n1)
    X = np.arange(len(y), dtype=float).reshape(-1, 1)
    for ours_cls, ref_cls, kw in [
        (RandomUnderSampler, ImbUnder, {"replacement": rep}),
        (RandomOverSampler, ImbOver, {}),
    ]:
        try:
            _, y_ref = ref_cls(
                sampling_strategy=ratio, random_state=0, **kw
            ).fit_resample(X, y)
        except ValueError:
            continue  # rebalance accepts a ratio that adds 0 rows (Left alone)
        X_res, y_res = ours_cls(
            sampling_strategy=ratio, random_state=0, **kw
        ).fit_resample(X, y)
        np.testing.assert_array_equal(np.bincount(y_res), np.bincount(y_ref))
        np.testing.assert_array_equal(y_res, y[X_res[:, 0].astype(int)])


@SETTINGS
@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 4), st.booleans())
def test_dict_and_callable_strategies_match_imblearn(n0, n1, extra, rep):
    y = np.array([0] * n0 + [1] * n1)
    X = np.arange(len(y), dtype=float).reshape(-1, 1)
    cases = [
        (RandomUnderSampler, ImbUnder, {"replacement": rep}, {0: 1, 1: min(n1, 2)}),
        (RandomOverSampler, ImbOver, {}, {0: n0 + extra, 1: n1 + 1}),
    ]
    for ours_cls, ref_cls, kw, wanted in cases:
        for strategy in (wanted, lambda labels, wanted=wanted: dict(wanted)):
            ours = ours_cls(sampling_strategy=strategy, random_state=1, **kw)
            ref = ref_cls(sampling_strategy=strategy, random_state=1, **kw)
            _, y_res = ours.fit_resample(X, y)
            _, y_ref = ref.fit_resample(X, y)
            np.testing.assert_array_equal(np.bincount(y_res), np.bincount(y_ref))
            assert dict(ours.sampling_strategy_) == dict(ref.sampling_strategy_)


def _frames():
    index = [5, 3, 1, 9, 7, 2, 2, 0, 4, 8, 6, 11, 12]
    ext = pd.DataFrame(
        {
            "id": np.arange(N),
            "a": pd.array(list(range(N - 1)) + [None], dtype="Int64"),
            "b": pd.array([True, False] * 6 + [True], dtype="boolean"),
            "c": pd.array(list("abcdefghijklm"), dtype="string"),
            "d": pd.Categorical(["p", "q"] * 6 + ["p"]),
        },
        index=index,
    )
    multi = pd.MultiIndex.from_arrays([np.arange(N) % 3, np.arange(N)])
    return [
        (ext, lambda d: d["id"].to_numpy()),
        (
            pd.DataFrame({"id": np.arange(N), "v": 1.0}, index=multi),
            lambda d: d["id"].to_numpy(),
        ),
    ]


def _arrays():
    ids = np.arange(N)
    out = []
    for dtype in (np.int8, np.uint8, np.int16, np.int64, np.float16, np.float32):
        out.append(np.column_stack([ids, ids % 3]).astype(dtype))
    out.append(np.asfortranarray(np.column_stack([ids, ids * 2.0])))
    out.append(np.column_stack([ids, ids * 0.5, ids * 2.0])[:, ::2])
    read_only = np.column_stack([ids, ids]).astype(float)
    read_only.flags.writeable = False
    out.append(read_only)
    out.append(np.column_stack([ids.astype(object), np.array(["s"] * N, object)]))
    return out


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_containers_keep_type_rows_labels_and_weights(sampler_cls):
    weights = np.arange(N) + 0.5
    cases = [(X, _row_ids) for X in _arrays()]
    cases.append(
        (
            np.arange(N).astype("datetime64[D]").reshape(-1, 1),
            lambda a: (a[:, 0] - np.datetime64("1970-01-01")).astype(np.int64),
        )
    )
    cases += _frames()
    for fmt in (sp.csr_matrix, sp.csc_matrix, sp.csr_array):
        matrix = fmt(np.column_stack([np.arange(N), np.zeros(N)]).astype(float))
        cases.append((matrix, lambda m: m.toarray()[:, 0].astype(np.int64)))
    for X, row_ids in cases:
        before = copy.deepcopy(X)
        sampler = sampler_cls(random_state=0)
        y = pd.Series(Y, index=X.index) if isinstance(X, pd.DataFrame) else Y
        X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
        idx = sampler.sample_indices_
        assert type(X_res) is type(X)
        assert type(y_res) is type(y)
        np.testing.assert_array_equal(row_ids(X_res), idx)
        np.testing.assert_array_equal(np.asarray(y_res), Y[idx])
        np.testing.assert_array_equal(w_res, weights[idx])
        if isinstance(X, pd.DataFrame):
            pd.testing.assert_frame_equal(X, before)
            assert list(X_res.dtypes) == list(X.dtypes)
        elif sp.issparse(X):
            assert (X != before).nnz == 0
        else:
            np.testing.assert_array_equal(X, before)
            assert X_res.dtype == X.dtype


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_polars_and_lists_keep_type_and_rows(sampler_cls):
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"id": np.arange(N), "v": np.ones(N)})
    for y in (Y, pl.Series("y", Y)):
        sampler = sampler_cls(random_state=2)
        X_res, y_res = sampler.fit_resample(frame, y)
        assert type(X_res) is pl.DataFrame and type(y_res) is type(y)
        np.testing.assert_array_equal(X_res["id"].to_numpy(), sampler.sample_indices_)
        np.testing.assert_array_equal(np.asarray(y_res), Y[sampler.sample_indices_])
    rows = [[i, "s", 2.5] for i in range(N)]
    sampler = sampler_cls(random_state=2)
    X_res, y_res = sampler.fit_resample(rows, Y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list)
    assert [r[0] for r in X_res] == sampler.sample_indices_.tolist()
    assert X_res[0][1] == "s" and isinstance(X_res[0][0], int)
    assert rows == [[i, "s", 2.5] for i in range(N)]


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
@pytest.mark.parametrize(
    "y",
    [
        Y.astype(str),
        Y - 5,
        Y.astype(np.int64) + 2**62,
        pd.Categorical(Y),
        pd.Series(pd.Categorical(Y, categories=[3, 2, 1, 0, 9])),
        pd.Series(Y.astype(str), dtype="string"),
        pd.Series(Y, dtype="Int64"),
    ],
    ids=["str", "negative", "huge", "categorical", "cat-series", "string", "Int64"],
)
def test_label_kinds_follow_their_rows(sampler_cls, y):
    X = np.arange(N, dtype=float).reshape(-1, 1)
    sampler = sampler_cls(random_state=4)
    X_res, y_res = sampler.fit_resample(X, y)
    assert type(y_res) is type(y)
    given = np.asarray(y, dtype=object)
    np.testing.assert_array_equal(
        np.asarray(y_res, dtype=object), given[X_res[:, 0].astype(int)]
    )
    if hasattr(y, "dtype"):
        assert y_res.dtype == y.dtype


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_random_state_kinds_repeat_and_plan_agrees(sampler_cls):
    X = np.arange(N, dtype=float).reshape(-1, 1)
    for seed in (0, np.random.default_rng(7), np.random.RandomState(7)):
        a = sampler_cls(random_state=copy.deepcopy(seed)).fit_resample(X, Y)
        b = sampler_cls(random_state=copy.deepcopy(seed)).fit_resample(X, Y)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    sampler = sampler_cls(random_state=0)
    sampler.fit_resample(X, Y)
    plan = sampler_cls(random_state=0).plan(Y)
    assert plan.n_output == len(sampler.sample_indices_)


@SETTINGS
@given(labels(), st.integers(0, 5))
def test_label_shuffle_copies_each_row_floor_or_ceil(y, seed):
    sampler = LabelShuffleSampler(random_state=seed)
    X_res, y_res = sampler.fit_resample(np.arange(len(y)).reshape(-1, 1), y)
    classes, counts = np.unique(y, return_counts=True)
    biggest = counts.max()
    copies = np.bincount(sampler.sample_indices_, minlength=len(y))
    for cls, count in zip(classes, counts):
        rows = copies[y == cls]
        assert rows.sum() == biggest
        assert rows.min() == biggest // count
        assert rows.max() == -(-biggest // count)
    np.testing.assert_array_equal(y_res, y[X_res[:, 0]])


@SETTINGS
@given(labels(), st.integers(1, 40), st.sampled_from([0.0, 0.5, 1.0]))
def test_class_balanced_size_and_report(y, n_samples, power):
    sampler = ClassBalancedSampler(n_samples=n_samples, power=power, random_state=0)
    X_res, y_res = sampler.fit_resample(np.arange(len(y)).reshape(-1, 1), y)
    assert len(y_res) == n_samples
    np.testing.assert_array_equal(y_res, y[X_res[:, 0]])
    drawn = collections.Counter(y_res.tolist())
    assert {k: v for k, v in sampler.sampling_strategy_.items() if v} == dict(drawn)


@pytest.mark.parametrize(
    "dtype", [np.int8, np.uint8, np.int32, np.float16, np.float32, np.float64, bool]
)
def test_shrinkage_keeps_dtype_originals_and_weights(dtype):
    y = Y[:11]
    X = np.column_stack([np.arange(11) * 10, np.arange(11) % 3]).astype(dtype)
    before = X.copy()
    sampler = RandomOverSampler(shrinkage=1.0, shuffle=False, random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=np.arange(11) + 1.0)
    idx = sampler.sample_indices_
    assert X_res.dtype == X.dtype
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(y_res, y[idx])
    np.testing.assert_array_equal(w_res, idx + 1.0)
    _, first = np.unique(idx, return_index=True)
    np.testing.assert_array_equal(X_res[first], X[idx[first]])
    assert np.isfinite(X_res.astype(float)).all()


def test_shrinkage_refuses_missing_values_with_a_clear_error():
    frame = pd.DataFrame({"b": pd.array([None] + [1] * (N - 1), dtype="Int64")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="finite X"):
            RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(frame, Y)
