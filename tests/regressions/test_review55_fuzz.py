"""Review 55 (fuzz): seeded invariant checks of the four samplers' fit_resample.

Each case draws random labels, features, weights and parameters and checks
invariants rather than fixed outputs: the outputs are the inputs taken at
``sample_indices_`` (same container, dtypes, columns, index reset), the class
counts match ``sampling_strategy_``, the inputs are left unmodified and the
same ``random_state`` gives the same output.
"""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
NAMES = np.array(["a", "bb", "c", "zz"])


def _labels(rng, n, k):
    codes = rng.integers(0, k, n)
    codes[:k] = np.arange(k)
    if rng.random() < 0.3:  # a class of one row
        codes[codes == k - 1] = 0
        codes[rng.integers(k, n)] = k - 1
    kind = rng.integers(9)
    if kind == 0:
        return codes * 3 - 1
    if kind == 1:
        return NAMES[codes]
    if kind == 2:
        return pd.Series(codes * 2, index=np.arange(n) + 7, name="t")
    if kind == 3:
        cats = list(NAMES[:k])[::-1]
        return pd.Series(pd.Categorical(NAMES[codes], categories=cats))
    if kind == 4:
        return pd.Series(NAMES[codes], dtype="string")
    if kind == 5:
        return pl.Series("t", codes)
    if kind == 6:
        return [str(v) for v in NAMES[codes]]
    if kind == 7:
        return np.eye(k, dtype=int)[codes]
    return codes.astype(np.float32) - 1


def _features(kind, rng, n):
    base = rng.normal(size=(n, 3))
    if kind == "numpy":
        return [
            np.asfortranarray(base.astype(np.float32)),
            (base * 9).astype(">i2"),
            base.round(2).astype(str),
            base.astype(object),
            rng.normal(size=(2 * n, 5))[::2, ::2],
        ][rng.integers(5)]
    if kind == "pandas":
        X = pd.DataFrame(
            {
                "f": base[:, 0],
                "i": pd.array(rng.integers(0, 5, n), dtype="Int64"),
                "b": pd.array(rng.random(n) < 0.5, dtype="boolean"),
                "s": pd.array(rng.choice(["x", "y", None], n), dtype="string"),
                "c": pd.Categorical(rng.choice(["p", "q"], n)),
                "t": pd.date_range("2020", periods=n, freq="h", tz="Europe/Paris"),
            }
        )
        index = rng.integers(3)
        if index == 1:
            X.index = np.arange(n) // 2  # duplicated
        elif index == 2:
            X.index = pd.MultiIndex.from_arrays([np.arange(n) % 3, np.arange(n)])
        return X
    if kind == "polars":
        return pl.DataFrame(
            {"f": base[:, 0], "s": [str(v) for v in rng.integers(0, 9, n)]}
        )
    if kind == "pyarrow":
        return pa.table({"f": base[:, 0], "g": (base[:, 1] * 3).astype(int)})
    if kind == "sparse":
        M = sp.random(n, 4, density=0.4, random_state=int(rng.integers(1 << 30)))
        return [M.tocsr(), M.tocsc(), sp.csr_array(M.tocsr())][rng.integers(3)]
    if kind == "list":
        return [[int(r[0] * 10), f"s{i}"] for i, r in enumerate(base)]
    torch = pytest.importorskip("torch")
    return torch.from_numpy(base.astype(np.float32))


def _weights(rng, n):
    kind = rng.integers(4)
    w = rng.random(n) + 0.1
    return [None, w, pd.Series(w), w.tolist()][kind]


def _sampler(rng, S, y_counts):
    kw = {}
    r = rng.random()
    if r < 0.5:
        kw["sampling_strategy"] = "auto"
    elif r < 0.7:
        kw["sampling_strategy"] = (
            "not majority" if S is RandomUnderSampler else "not minority"
        )
    else:  # a valid dict for the sampler's kind
        strategy = {}
        for c, m in y_counts.items():
            if rng.random() < 0.6:
                extra = int(rng.integers(0, 5))
                strategy[c] = (
                    int(rng.integers(0, m + 1))
                    if S is RandomUnderSampler
                    else m + extra
                )
        kw["sampling_strategy"] = strategy
    if S is RandomUnderSampler:
        kw["replacement"] = bool(rng.random() < 0.5)
    if S in (RandomUnderSampler, RandomOverSampler):
        kw["shuffle"] = bool(rng.random() < 0.5)
    if S is ClassBalancedSampler:
        kw["power"] = float(rng.choice([0, 0.5, 1]))
    return kw


def _as_key_list(y):
    if isinstance(y, pd.Series):
        y = y.to_numpy()
    elif isinstance(y, pl.Series):
        y = y.to_list()
    if isinstance(y, np.ndarray) and y.ndim == 2:
        y = y.argmax(axis=1)
    return list(np.asarray(y, dtype=object).tolist() if not isinstance(y, list) else y)


def _take(X, idx):
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[idx].reset_index(drop=True)
    if isinstance(X, (pl.DataFrame, pl.Series)):
        return X[idx] if len(idx) else X.clear()
    if isinstance(X, pa.Table):
        return X.take(pa.array(idx, type=pa.int64()))
    if sp.issparse(X):
        rows = sp.csr_array(X)[idx] if isinstance(X, sp.sparray) else X.tocsr()[idx]
        return rows.asformat(X.format)
    if isinstance(X, list):
        return [X[i] for i in idx]
    if type(X).__module__.startswith("torch"):
        return X.numpy()[idx]
    return X[idx]


def _assert_same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, pl.DataFrame):
        assert a.dtypes == b.dtypes and a.equals(b)
    elif isinstance(a, pl.Series):
        assert a.dtype == b.dtype and a.equals(b)
    elif isinstance(a, pa.Table):
        assert a.equals(b)
    elif sp.issparse(a):
        assert a.format == b.format and a.dtype == b.dtype and a.shape == b.shape
        assert (a != b).nnz == 0
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    elif isinstance(a, list):
        assert a == b
    else:  # a torch tensor
        assert a.dtype == b.dtype and bool((a == b).all())


@pytest.mark.parametrize(
    "container", ["numpy", "pandas", "polars", "pyarrow", "sparse", "list", "torch"]
)
def test_fit_resample_invariants_fuzz(container):
    rng = np.random.default_rng(55)
    for case in range(40):
        n = int(rng.choice([5, 7, 13, 40, 120]))
        k = int(rng.integers(2, 5))
        y = _labels(rng, n, k)
        X = _features(container, rng, n)
        w = _weights(rng, n)
        keys = _as_key_list(y)
        counts = {c: keys.count(c) for c in dict.fromkeys(keys)}
        S = SAMPLERS[case % 4]
        kw = _sampler(rng, S, counts)
        seed = int(rng.integers(1000))
        given = [copy.deepcopy(v) for v in (X, y, w)]
        extra = {} if w is None else {"sample_weight": w}
        sampler = S(random_state=seed, **kw)
        out = sampler.fit_resample(X, y, **extra)
        for value, before in zip((X, y, w), given):
            if value is not None:
                _assert_same(value, before)  # inputs never modified
        idx = sampler.sample_indices_
        _assert_same(out[0], _take(X, idx))
        _assert_same(out[1], _take(y, idx))
        if w is not None:
            _assert_same(out[2], _take(w, idx))
        got = _as_key_list(out[1])
        strategy = sampler.sampling_strategy_
        for c, m in counts.items():
            if S is RandomOverSampler:
                expected = m + strategy.get(c, 0)
            else:
                expected = strategy.get(c, m)
            assert got.count(c) == expected, (case, c, strategy, counts)
        again = S(random_state=np.random.RandomState(seed), **kw)
        again_out = again.fit_resample(X, y, **extra)
        same_seed = S(random_state=seed, **kw).fit_resample(X, y, **extra)
        for a, b in zip(out, same_seed):
            _assert_same(a, b)
        assert len(again_out) == len(out)


@pytest.mark.parametrize(
    "y",
    [
        np.zeros((0, 3), dtype=int),
        pd.DataFrame(np.zeros((0, 2))),
    ],
    ids=["numpy", "pandas"],
)
def test_empty_one_hot_y_is_reported_as_empty(y):
    # Was "y has shape (0, 3): Multilabel and multioutput targets are not
    # supported", though a 0-row one-hot matrix holds no labels at all.
    with pytest.raises(ValueError, match=r"^y is empty \(0 samples\)"):
        RandomUnderSampler().fit_resample(np.zeros((0, 2)), y)
