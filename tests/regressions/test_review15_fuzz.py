"""Review 15, outside-in fuzzer of the public samplers and estimators.

Property tests (hypothesis) feed ``fit_resample`` labels of many dtypes and
containers, X of many layouts, ``sample_weight`` of many types and every form
of ``sampling_strategy`` / ``random_state``, and check: only ValueError or
TypeError with a message; rows, labels and weights aligned through
``sample_indices_``; class counts as ``sampling_strategy_`` says; inputs never
modified; the same seed gives the same output; containers, dtypes and names
kept. The plain tests after them are reduced cases of what the fuzzer found.
"""

import copy
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance._indices import added_mask
from rebalance.weights import class_weights, sample_weights

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

# --- generators ----------------------------------------------------------------

_INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"]
_INT_DTYPES += ["uint64", ">i4", ">u8"]
_Y_KINDS = _INT_DTYPES + ["bool", "f64", "f32", "f16", "str", "obj_str", "list"]
_Y_KINDS += ["string", "pa_string", "cat", "Int64", "boolean", "pa_int", "col2d"]
_Y_KINDS += ["onehot", "pl_str", "pl_int"]


def _class_values(kind, k, data):
    if kind in _INT_DTYPES:
        info = np.iinfo(np.dtype(kind))
        pool = {int(info.min), int(info.min) + 1, 0, 1, 2, int(info.max) - 1}
        pool = sorted(pool | {int(info.max)})
    elif kind in ("bool", "boolean"):
        return [False, True][:k]
    elif kind == "onehot":
        return list(range(k))
    elif kind in ("f64", "f32", "f16"):
        pool = [0.0, 1.0, -1.0, 7.0, -3.0, 1024.0]
    elif kind in ("str", "obj_str", "string", "pa_string", "cat", "pl_str"):
        pool = ["a", "b", "", "é", "zz", "10", "9"]
    else:
        pool = [0, 1, 2, -5, 100, 2**40]
    return data.draw(
        st.lists(st.sampled_from(pool), min_size=k, max_size=k, unique=True)
    )


def _make_y(kind, vals, codes, data):
    n = len(codes)
    lab = [vals[c] for c in codes]
    if kind in _INT_DTYPES:
        return np.array(lab, dtype=np.dtype(kind).newbyteorder("=")).astype(kind)
    numpy_kinds = {"bool": bool, "f64": np.float64, "f32": np.float32}
    numpy_kinds.update({"f16": np.float16, "str": str, "obj_str": object})
    if kind in numpy_kinds:
        return np.array(lab, dtype=numpy_kinds[kind])
    if kind == "list":
        return lab
    if kind == "col2d":
        return np.array(lab).reshape(-1, 1)
    if kind == "onehot":
        onehot = np.zeros((n, len(vals)), dtype=np.int64)
        onehot[np.arange(n), codes] = 1
        return onehot
    if kind.startswith("pl_"):
        pl = pytest.importorskip("polars")
        return pl.Series("y", lab)
    name = data.draw(st.sampled_from([None, "t", 0]))
    index = data.draw(
        st.sampled_from(
            [None, [f"r{i}" for i in range(n)], [7] * n, list(range(n))[::-1]]
        )
    )
    if kind == "cat":
        categories = data.draw(st.permutations(list(vals) + ["unused"]))
        values = pd.Categorical(lab, categories=categories)
        return pd.Series(values, name=name, index=index)
    dtypes = {"string": "string", "pa_string": "string[pyarrow]", "Int64": "Int64"}
    dtypes.update({"boolean": "boolean", "pa_int": "int64[pyarrow]"})
    return pd.Series(lab, dtype=dtypes[kind], name=name, index=index)


_X_KINDS = ["C", "F", "colslice", "rowslice", "readonly", "be", "i32", "u8", "f32"]
_X_KINDS += ["obj", "str", "list", "df", "df_idx", "df_dup", "df_mi", "df_mixed"]
_X_KINDS += ["df_ext", "df_pa", "df_sparse", "df_be", "csr", "csc", "csr64"]
_X_KINDS += ["csr_unsorted", "csr_zeros", "csr_array", "pl"]


def _csr_unsorted(base):
    data, indices, indptr = [], [], [0]
    for row in base:
        for j in range(base.shape[1])[::-1]:
            data.append(row[j])
            indices.append(j)
        data.append(0.0)  # a duplicated explicit zero
        indices.append(0)
        indptr.append(len(data))
    return sp.csr_matrix((data, indices, indptr), shape=base.shape)


def _make_X(kind, n):
    """X whose first column holds the row number (to check the rows)."""
    ids = np.arange(n)
    base = np.column_stack([ids, ids * 2 + 1, ids % 3]).astype(np.float64)
    arrays = {
        "C": lambda: base,
        "F": lambda: np.asfortranarray(base),
        "colslice": lambda: np.repeat(base, 2, axis=1)[:, ::2],
        "rowslice": lambda: np.repeat(base, 2, axis=0)[::2],
        "be": lambda: base.astype(">f8"),
        "i32": lambda: base.astype(np.int32),
        "u8": lambda: base.astype(np.uint8),
        "f32": lambda: base.astype(np.float32),
        "obj": lambda: base.astype(object),
        "str": lambda: base.astype(int).astype(str),
        "list": lambda: base.tolist(),
        "csr": lambda: sp.csr_matrix(base),
        "csc": lambda: sp.csc_matrix(base),
        "csr_array": lambda: sp.csr_array(base),
        "csr_unsorted": lambda: _csr_unsorted(base),
        "csr_zeros": lambda: _csr_unsorted(base).sorted_indices(),
    }
    if kind in arrays:
        return arrays[kind]()
    if kind == "readonly":
        X = base.copy()
        X.flags.writeable = False
        return X
    if kind == "csr64":
        X = sp.csr_matrix(base)
        X.indices = X.indices.astype(np.int64)
        X.indptr = X.indptr.astype(np.int64)
        return X
    if kind in ("df", "df_idx", "df_dup", "df_mi"):
        index = {
            "df": None,
            "df_idx": [f"r{i}" for i in ids],
            "df_dup": [3] * n,
            "df_mi": pd.MultiIndex.from_arrays([ids, ids % 2]),
        }[kind]
        return pd.DataFrame(base, columns=["id", "b", "c"], index=index)
    if kind == "df_mixed":
        return pd.DataFrame(
            {
                "id": ids,
                "s": [f"s{i}" for i in ids],
                "d": pd.date_range("2020", periods=n),
                "c": pd.Categorical(ids % 3, categories=[0, 1, 2, 9]),
            }
        )
    if kind == "df_ext":
        return pd.DataFrame(
            {
                "id": pd.array(ids, dtype="Int64"),
                "f": pd.array(base[:, 1], dtype="Float32"),
                "b": pd.array(ids % 2 == 0, dtype="boolean"),
            }
        )
    if kind == "df_pa":
        return pd.DataFrame(
            {
                "id": pd.array(ids, dtype="int64[pyarrow]"),
                "f": pd.array(base[:, 1], dtype="double[pyarrow]"),
            }
        )
    if kind == "df_sparse":
        sparse = pd.arrays.SparseArray((ids % 4 == 0).astype(float))
        return pd.DataFrame({"id": ids, "sp": sparse})
    if kind == "df_be":
        return pd.DataFrame({"id": ids.astype(">i8"), "f": base[:, 1].astype(">f4")})
    pl = pytest.importorskip("polars")
    return pl.DataFrame({"id": ids, "b": base[:, 1], "s": [f"s{i}" for i in ids]})


_W_KINDS = [None, "f64", "f32", "i64", "u8", "list", "series", "series_idx"]
_W_KINDS += ["Float64", "pl"]


def _make_w(kind, n):
    w = np.arange(n) % 7 + 0.5
    if kind is None:
        return None
    if kind == "pl":
        pl = pytest.importorskip("polars")
        return pl.Series("w", w)
    return {
        "f64": lambda: w,
        "f32": lambda: w.astype(np.float32),
        "i64": lambda: (2 * w).astype(np.int64),
        "u8": lambda: (2 * w).astype(np.uint8),
        "list": lambda: w.tolist(),
        "series": lambda: pd.Series(w, name="w"),
        "series_idx": lambda: pd.Series(w, index=np.arange(n)[::-1] + 100),
        "Float64": lambda: pd.Series(w, dtype="Float64"),
    }[kind]()


def _row_ids(X):
    if sp.issparse(X):
        return X.toarray()[:, 0].astype(float)
    if hasattr(X, "iloc"):
        return X.iloc[:, 0].to_numpy(dtype=float)
    if isinstance(X, list):
        return np.array([float(row[0]) for row in X])
    if hasattr(X, "to_numpy"):  # polars
        return X.to_numpy()[:, 0].astype(float)
    return np.asarray(X[:, 0], dtype=float)


def _as_list(values):
    if isinstance(values, np.ndarray):
        return values.tolist()
    if hasattr(values, "to_list"):  # polars
        return values.to_list()
    return list(values.tolist() if hasattr(values, "tolist") else values)


def _snapshot(obj):
    if obj is None:
        return None
    if sp.issparse(obj):
        return (obj.indices.copy(), obj.indptr.copy(), obj.data.copy())
    if hasattr(obj, "clone"):  # polars
        return obj.clone()
    if isinstance(obj, np.ndarray):
        return obj.copy(), obj.flags.writeable
    return copy.deepcopy(obj)


def _unchanged(obj, snap):
    if obj is None:
        return True
    if sp.issparse(obj):
        now = (obj.indices, obj.indptr, obj.data)
        return all(np.array_equal(a, b) for a, b in zip(now, snap))
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return obj.equals(snap) and obj.index.equals(snap.index)
    if isinstance(obj, np.ndarray):
        values, writeable = snap
        return (
            np.array_equal(obj, values)
            and obj.dtype == values.dtype
            and obj.flags.writeable == writeable
        )
    if hasattr(obj, "equals"):
        return obj.equals(snap)
    return obj == snap


def _random_state(kind, seed):
    if kind == "int":
        return seed
    if kind == "np64":
        return np.int64(seed)
    if kind == "gen":
        return np.random.default_rng(seed)
    return np.random.RandomState(seed)


def _np_int(value):
    return np.uint64(value) if value > np.iinfo(np.int64).max else np.int64(value)


@st.composite
def _cases(draw):
    data = draw(st.data())
    ykind = draw(st.sampled_from(_Y_KINDS))
    k = 2 if ykind in ("bool", "boolean") else draw(st.integers(2, 4))
    counts = draw(st.lists(st.integers(1, 8), min_size=k, max_size=k))
    codes = np.repeat(np.arange(k), counts)
    codes = codes[np.array(draw(st.permutations(range(len(codes)))))]
    vals = _class_values(ykind, k, data)
    y = _make_y(ykind, vals, codes, data)
    xkind = draw(st.sampled_from(_X_KINDS))
    wkind = draw(st.sampled_from(_W_KINDS))
    skind = draw(st.sampled_from(["under", "over", "shrink", "cb", "ls"]))
    under = skind == "under"
    names = ["auto", "all", "not majority", "not minority"]
    names.append("majority" if under else "minority")
    form = draw(st.sampled_from(["str", "dict", "float", "callable"]))
    if form == "str":
        strategy = draw(st.sampled_from(names))
    elif form == "float" and k == 2:
        ratios = [1.0, 0.5, 0.75, min(counts) / max(counts), np.float32(0.5)]
        strategy = draw(st.sampled_from(ratios))
    else:
        wanted = {}
        for c in range(k):
            if draw(st.booleans()):
                low, high = (0, counts[c]) if under else (counts[c], counts[c] + 8)
                target = draw(st.integers(low, high))
                key = vals[c]
                numeric = isinstance(key, (int, float)) and not isinstance(key, bool)
                if numeric and draw(st.booleans()):
                    key = np.float64(key) if isinstance(key, float) else _np_int(key)
                wanted[key] = np.int64(target) if draw(st.booleans()) else target
        strategy = wanted if form == "dict" else (lambda labels, d=wanted: d)
    params = {}
    if under:
        params = {"replacement": draw(st.booleans()), "shuffle": draw(st.booleans())}
    elif skind in ("over", "shrink"):
        params = {"shuffle": draw(st.booleans())}
        if skind == "shrink":
            params["shrinkage"] = draw(st.sampled_from([0.0, 0.5, 2.0]))
    elif skind == "cb":
        params = {
            "n_samples": draw(st.sampled_from([None, 1, 7, 30, np.int64(5)])),
            "power": draw(st.sampled_from([0.0, 0.5, 1.0])),
        }
    return {
        "y": y,
        "ykind": ykind,
        "X": _make_X(xkind, len(codes)),
        "w": _make_w(wkind, len(codes)),
        "skind": skind,
        "strategy": strategy,
        "rs": draw(st.sampled_from(["int", "np64", "gen", "rs"])),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "params": params,
        "codes": codes,
        "vals": vals,
        "counts": counts,
    }


_SAMPLER = {
    "under": RandomUnderSampler,
    "over": RandomOverSampler,
    "shrink": RandomOverSampler,
    "cb": ClassBalancedSampler,
    "ls": LabelShuffleSampler,
}


def _sampler(case):
    return _SAMPLER[case["skind"]](
        sampling_strategy=case["strategy"],
        random_state=_random_state(case["rs"], case["seed"]),
        **case["params"],
    )


def _resample(sampler, X, y, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if w is None:
            return sampler.fit_resample(X, y)
        return sampler.fit_resample(X, y, sample_weight=w)


def _check_container(X, X_res):
    if isinstance(X, list):
        assert isinstance(X_res, list)
        return
    assert type(X_res) is type(X)
    if isinstance(X, pd.DataFrame):
        assert list(X_res.dtypes) == list(X.dtypes)
        assert list(X_res.columns) == list(X.columns)
    elif isinstance(X, np.ndarray) or sp.issparse(X):
        assert X_res.dtype == X.dtype
    if sp.issparse(X):
        assert X_res.format == X.format
    if hasattr(X, "schema"):  # polars
        assert X_res.schema == X.schema


def _check_labels(case, y, y_res, indices):
    assert type(y_res) is type(y)
    if case["ykind"] in ("onehot", "col2d"):
        np.testing.assert_array_equal(y_res, y[indices])
        return
    given = _as_list(y)
    assert _as_list(y_res) == [given[i] for i in indices.tolist()]
    if hasattr(y, "dtype"):
        assert y_res.dtype == y.dtype
    if hasattr(y, "name"):
        assert y_res.name == y.name


def _check_counts(case, sampler, indices):
    drawn = np.bincount(case["codes"][indices], minlength=len(case["vals"]))
    code_of = {v: i for i, v in enumerate(case["vals"])}
    for cls, count in sampler.sampling_strategy_.items():
        assert type(cls) in (int, float, str, bool)
        code = code_of[cls]
        if case["skind"] in ("over", "shrink"):
            count = case["counts"][code] + count
        assert drawn[code] == count, (sampler.sampling_strategy_, drawn)


@settings(FUZZ, max_examples=250)
@given(_cases())
def test_fit_resample_properties(case):
    X, y, w = case["X"], case["y"], case["w"]
    snapshots = [_snapshot(X), _snapshot(y), _snapshot(w)]
    sampler = _sampler(case)
    try:
        out = _resample(sampler, X, y, w)
    except (ValueError, TypeError) as exc:
        assert len(str(exc)) > 30, str(exc)
        assert all(_unchanged(*pair) for pair in zip((X, y, w), snapshots))
        return
    indices = sampler.sample_indices_
    assert indices.ndim == 1
    assert indices.size == 0 or 0 <= indices.min() <= indices.max() < len(case["codes"])
    X_res, y_res = out[:2]
    _check_container(X, X_res)
    if not case["params"].get("shrinkage"):
        np.testing.assert_array_equal(_row_ids(X_res), indices.astype(float))
    else:
        assert len(_row_ids(X_res)) == len(indices)
    _check_labels(case, y, y_res, indices)
    if w is not None:
        w_res = out[2]
        assert type(w_res) is type(w)
        given = _as_list(w)
        assert _as_list(w_res) == [given[i] for i in indices.tolist()]
    _check_counts(case, sampler, indices)
    assert all(_unchanged(*pair) for pair in zip((X, y, w), snapshots))
    again = _sampler(case)  # a fresh random_state of the same seed
    out_again = _resample(again, X, y, w)
    np.testing.assert_array_equal(again.sample_indices_, indices)
    if case["params"].get("shrinkage"):
        first, second = out[0], out_again[0]
        if sp.issparse(first):
            first, second = first.toarray(), second.toarray()
        np.testing.assert_array_equal(np.asarray(first), np.asarray(second))


# --- smoothed bootstrap --------------------------------------------------------


def _dense(X):
    if sp.issparse(X):
        return X.toarray().astype(float)
    if hasattr(X, "iloc"):
        return np.column_stack(
            [X.iloc[:, j].to_numpy(dtype=float) for j in range(X.shape[1])]
        )
    return np.asarray(X, dtype=float)


_SHRINK_X = ["C", "F", "colslice", "readonly", "be", "i32", "u8", "f32", "list"]
_SHRINK_X += ["df", "df_idx", "df_ext", "df_pa", "df_be", "df_sparse", "csr", "csc"]
_SHRINK_X += ["csr64", "csr_unsorted"]


@settings(FUZZ, max_examples=50)
@given(
    st.sampled_from(_SHRINK_X),
    st.lists(st.integers(1, 8), min_size=2, max_size=3),
    st.sampled_from([0.0, 0.3, 5.0, "dict"]),
    st.booleans(),
    st.integers(0, 1000),
)
def test_smoothed_bootstrap_keeps_originals_dtypes_and_finiteness(
    kind, counts, shrinkage, shuffle, seed
):
    y = np.random.default_rng(seed).permutation(
        np.repeat(np.arange(len(counts)), counts)
    )
    X = _make_X(kind, len(y))
    if shrinkage == "dict":
        majority = counts.index(max(counts))
        shrinkage = {c: 0.7 for c in range(len(counts)) if c != majority}
    sampler = RandomOverSampler(shrinkage=shrinkage, shuffle=shuffle, random_state=seed)
    X_res, _ = _resample(sampler, X, y, None)
    indices = sampler.sample_indices_
    before, after = _dense(X), _dense(X_res)
    assert after.shape == (len(indices), before.shape[1])
    assert np.isfinite(after).all()
    seen = set()
    added = added_mask(indices, shuffle)
    for i, j in enumerate(indices.tolist()):
        if not added[i] or sampler.shrinkage_.get(int(y[j]), 0) == 0:
            np.testing.assert_array_equal(after[i], before[j])  # an original row
        seen.add(j)
    assert seen == set(range(len(y)))
    _check_container(X, X_res)


# --- ResampledClassifier --------------------------------------------------------


class _Recorder(LogisticRegression):
    """Records what fit received."""

    def fit(self, X, y, sample_weight=None, groups=None):
        self.seen_ = (X, y, sample_weight, groups)
        self.classes_ = np.unique(np.asarray(y))
        return self


@settings(FUZZ, max_examples=50)
@given(
    st.sampled_from(["C", "df_idx", "df_dup", "csr", "list"]),
    st.lists(st.integers(1, 8), min_size=2, max_size=3),
    st.sampled_from(["under", "over", "cb", "ls"]),
    st.sampled_from([None, "f64", "list", "series_idx", "i64"]),
    st.sampled_from([None, "list", "array", "series"]),
    st.integers(0, 100),
)
def test_resampled_classifier_gets_aligned_rows_weights_and_groups(
    xkind, counts, skind, wkind, gkind, seed
):
    y = np.random.default_rng(seed).permutation(
        np.repeat(np.arange(len(counts)), counts)
    )
    n = len(y)
    X = _make_X(xkind, n)
    params = {}
    w = _make_w(wkind, n)
    if w is not None:
        params["sample_weight"] = w
    groups = {
        None: None,
        "list": list(range(n)),
        "array": np.arange(n),
        "series": pd.Series(np.arange(n), index=np.arange(n) + 50),
    }[gkind]
    if groups is not None:
        params["groups"] = groups
    model = ResampledClassifier(_SAMPLER[skind](random_state=seed), _Recorder())
    # The same draw (no parameter reaches the sampler): a class of y it left
    # out (ClassBalancedSampler drawing no row of a class of one) is refused,
    # naming the class, before the classifier is fitted (review 34).
    drawn = clone(model.sampler).fit_resample(X, y)[1]
    lost = sorted(set(y.tolist()) - set(np.asarray(drawn).tolist()))
    if lost:
        with pytest.raises(
            ValueError, match=rf"left out every row of class(es)? \[?{lost[0]}\b"
        ):
            model.fit(X, y, **params)
        assert not hasattr(model, "classifier_")
        return
    model.fit(X, y, **params)
    indices = model.sampler_.sample_indices_
    X_seen, y_seen, w_seen, g_seen = model.classifier_.seen_
    np.testing.assert_array_equal(_row_ids(X_seen), indices.astype(float))
    np.testing.assert_array_equal(np.asarray(y_seen), y[indices])
    for passed, seen in ((w, w_seen), (groups, g_seen)):
        if passed is not None:
            assert _as_list(seen) == [_as_list(passed)[i] for i in indices.tolist()]


# --- weights ----------------------------------------------------------------------


@settings(FUZZ, max_examples=50)
@given(
    st.sampled_from(["int8", "uint64", "bool", "f16", "str", "cat", "Int64", "list"]),
    st.lists(st.integers(1, 30), min_size=2, max_size=4),
    st.data(),
)
def test_balanced_weights_match_scikit_learn(kind, counts, data):
    if kind in ("bool",):
        counts = counts[:2]
    vals = _class_values(kind, len(counts), data)
    codes = np.repeat(np.arange(len(counts)), counts)
    y = _make_y(kind, vals, codes, data)
    plain = np.asarray(vals, dtype=object)[codes]
    classes = np.unique(plain)
    expected = compute_class_weight("balanced", classes=classes, y=plain)
    got = class_weights(y)
    assert sorted(got) == sorted(classes.tolist())
    np.testing.assert_allclose([got[c] for c in classes.tolist()], expected)
    np.testing.assert_allclose(
        sample_weights(y), compute_sample_weight("balanced", plain)
    )
    effective = class_weights(y, "effective_number", beta=0.9)
    assert np.isfinite(list(effective.values())).all()
    assert sum(effective.values()) == pytest.approx(len(counts))


# --- float ratios, as imbalanced-learn reads them -------------------------------


@settings(FUZZ, max_examples=60)
@given(st.integers(1, 30), st.integers(1, 30), st.floats(0.01, 1.0))
def test_float_ratio_counts_match_imbalanced_learn(n0, n1, ratio):
    from imblearn.over_sampling import RandomOverSampler as ImbOver
    from imblearn.under_sampling import RandomUnderSampler as ImbUnder

    y = np.repeat([0, 1], [n0, n1])
    X = np.arange(2 * len(y), dtype=float).reshape(-1, 2)
    for ours, theirs in ((RandomUnderSampler, ImbUnder), (RandomOverSampler, ImbOver)):
        sampler = ours(sampling_strategy=ratio, random_state=0)
        try:
            _, y_theirs = theirs(sampling_strategy=ratio).fit_resample(X, y)
        except ValueError:
            try:
                sampler.fit_resample(X, y)
            except ValueError:
                continue
            # Documented difference: a ratio adding 0 rows is a no-op here.
            assert ours is RandomOverSampler
            assert not any(sampler.sampling_strategy_.values())
            continue
        _, y_ours = sampler.fit_resample(X, y)
        np.testing.assert_array_equal(np.bincount(y_ours), np.bincount(y_theirs))


# --- reduced cases ------------------------------------------------------------------


def _binary(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] + rng.normal(size=n) > 0.6).astype(int)


@pytest.mark.parametrize("strategy", ["prior", "argmax", "tuned"])
def test_frozen_estimator_fitted_on_nullable_boolean_labels_is_refused(strategy):
    # scikit-learn fits a pandas "boolean" y as floats: classes_ [0., 1.].
    # ThresholdMover(LogisticRegression()) on that y works (it fits the clone
    # on bools), and TunedThresholdClassifierCV(FrozenEstimator(clf)) accepts
    # it, but ThresholdMover(FrozenEstimator(clf)).fit(X, y) with the very y
    # clf was fitted on raises "y has classes [False, True] that the
    # classifier does not know; its classes are [0.0, 1.0]"
    # (threshold._classes_before_fit -> _priors.class_positions keeps bools
    # apart from numbers).
    X, y01 = _binary()
    y = pd.Series(y01.astype(bool), dtype="boolean")
    clf = LogisticRegression().fit(X, y)
    mover = ThresholdMover(FrozenEstimator(clf), strategy=strategy).fit(X, y)
    assert len(mover.predict(X)) == len(y)
    if strategy != "tuned":
        np.testing.assert_allclose(mover.train_priors_, [1 - y01.mean(), y01.mean()])


def test_class_balanced_power_fraction_passes_validation_then_is_refused():
    # NumberInterval lets Fractions (and other Reals) through as `power`, but
    # _indices.class_balanced_size then raises "power=Fraction(1, 2) must be a
    # number in [0, 1]" -- which it is.
    X, y = _binary()
    half = ClassBalancedSampler(power=0.5, random_state=0)
    fraction = ClassBalancedSampler(power=Fraction(1, 2), random_state=0)
    half.fit_resample(X, y)
    fraction.fit_resample(X, y)
    np.testing.assert_array_equal(fraction.sample_indices_, half.sample_indices_)


def test_shrinkage_dict_with_a_fraction_raises_numpy_isfinite_error():
    # shrinkage=Fraction(1, 2) works; shrinkage={1: Fraction(1, 2)} raises
    # numpy's "ufunc 'isfinite' not supported for the input types"
    # (RandomOverSampler._shrinkage_per_class: np.isfinite(np.asarray(value))).
    X, y = _binary()
    scalar = RandomOverSampler(shrinkage=Fraction(1, 2), random_state=0)
    per_class = RandomOverSampler(shrinkage={1: Fraction(1, 2)}, random_state=0)
    X_scalar, _ = scalar.fit_resample(X, y)
    try:
        X_dict, _ = per_class.fit_resample(X, y)
    except (TypeError, ValueError) as exc:
        assert "shrinkage" in str(exc), str(exc)
    else:
        np.testing.assert_allclose(X_dict, X_scalar)


@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_fraction_sampling_strategy_raises_numpy_isnan_error(sampler_cls):
    # sampling_strategy=Fraction(1, 2) is a Real in (0, 1]: scikit-learn's
    # Interval constraint calls np.isnan on it and the user gets "ufunc
    # 'isnan' not supported for the input types" without the argument's name
    # (samplers._STRATEGY_CONSTRAINT uses Interval, not NumberInterval).
    X, y = _binary()
    # 3/4: a ratio both samplers can reach on this data (1/2 cannot).
    half = sampler_cls(sampling_strategy=0.75, random_state=0)
    fraction = sampler_cls(sampling_strategy=Fraction(3, 4), random_state=0)
    _, y_half = half.fit_resample(X, y)
    try:
        _, y_fraction = fraction.fit_resample(X, y)
    except (TypeError, ValueError) as exc:
        assert "sampling_strategy" in str(exc), str(exc)
    else:
        np.testing.assert_array_equal(np.bincount(y_fraction), np.bincount(y_half))


def test_np_matrix_with_shrinkage_raises_matmul_shape_error():
    # np.matrix X resamples without shrinkage (a matrix comes back); with it,
    # `noise * scale` is a matrix product: "shapes (1,2) and (1,2) not aligned"
    # (samplers._smoothed_bootstrap; _numeric_values returns the matrix).
    X, y = _binary()
    matrix = np.matrix(X)
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    try:
        X_res, _ = sampler.fit_resample(matrix, y)
    except (TypeError, ValueError) as exc:
        assert "matrix" in str(exc), str(exc)
    else:
        assert X_res.shape == (len(sampler.sample_indices_), 2)


# --- checked and found right ------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "key"),
    [
        (np.array([True] * 6 + [False] * 3), np.int64(1)),
        (np.array([1.0] * 6 + [0.0] * 3), np.float32(1.0)),
        (np.array([-128] * 6 + [127] * 3, dtype=np.int8), np.int8(-128)),
        (np.array([2**64 - 1] * 6 + [0] * 3, dtype=np.uint64), np.uint64(2**64 - 1)),
        (pd.Series(pd.Categorical([3] * 6 + [1] * 3, categories=[1, 2, 3])), 3.0),
    ],
)
def test_numpy_and_equal_valued_strategy_keys_name_the_class(y, key):
    # As imbalanced-learn matches them (dict lookup by value).
    X = np.arange(9.0).reshape(-1, 1)
    sampler = RandomUnderSampler(sampling_strategy={key: 2}, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert list(sampler.sampling_strategy_.values()) == [2]
    assert len(y_res) == 5


def test_outputs_never_share_memory_with_inputs_even_for_the_identity_draw():
    X = np.arange(20.0).reshape(10, 2)
    y = np.repeat([0, 1], 5)
    w = np.arange(10.0)
    sampler = RandomUnderSampler(sampling_strategy={}, shuffle=False, random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    np.testing.assert_array_equal(sampler.sample_indices_, np.arange(10))
    for passed, out in ((X, X_res), (y, y_res), (w, w_res)):
        assert not np.shares_memory(passed, out)
