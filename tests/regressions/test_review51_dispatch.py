"""Review 51 (dispatch): round 50's outputs in the inputs' own library under
``sklearn.set_config(array_api_dispatch=True)`` (``base._in_namespace_of``),
fuzzed against the same calls on numpy arrays of the same values (the numpy
path, dispatch off, is the oracle): torch dtypes and layouts (transposed,
strided, expanded), labels 1-D, (n, 1) and one-hot, weights, containers
mixed per argument (numpy, pandas, polars, lists, tensors, array_api_strict),
refusals before the draw, pipelines and cross-validation with array-API
classifiers, and dispatch set per thread.

No bug was found in this round's fuzzing (7,500 + 8,820 sampler calls, 250
pipeline/cv/joblib cases): these tests pin the behaviour checked.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pytest
import sklearn

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

SAMPLERS = {
    "under": lambda: RandomUnderSampler(random_state=0),
    "over": lambda: RandomOverSampler(random_state=0),
    "shrinkage": lambda: RandomOverSampler(random_state=0, shrinkage=0.5),
    "balanced": lambda: ClassBalancedSampler(random_state=0),
    "shuffle": lambda: LabelShuffleSampler(random_state=0),
}


@contextlib.contextmanager
def _dispatch(monkeypatch, on=True):
    """scikit-learn's array API dispatch on (it wants SCIPY_ARRAY_API=1), or
    a skip where this scikit-learn cannot dispatch."""
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    try:
        context = sklearn.config_context(array_api_dispatch=on)
        context.__enter__()
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"array API dispatch unavailable: {exc}")
    try:
        yield
    finally:
        context.__exit__(None, None, None)


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    y[:3] = [0, 1, 2]
    X = rng.integers(0, 5, (n, 3)).astype(np.float64)
    w = rng.uniform(0.5, 2.0, n)
    return X, y, w


def _is_xps(a) -> bool:
    return type(a).__module__.startswith("array_api_strict")


def _numpy(a):
    torch = pytest.importorskip("torch")
    if isinstance(a, torch.Tensor):
        return a.numpy()
    return np.asarray(a)


def _assert_same(got, want):
    got = _numpy(got)
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def _layout(torch, X, layout):
    if layout == "contiguous":
        return X
    if layout == "transposed":
        return X.T.contiguous().T
    if layout == "strided":
        wide = torch.zeros((2 * X.shape[0], 2 * X.shape[1]), dtype=X.dtype)
        wide[::2, ::2] = X
        return wide[::2, ::2]
    assert layout == "expanded"
    return X[:1].expand(X.shape[0], X.shape[1])


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize(
    "dtype",
    ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64"]
    + ["bool", "complex64"],
)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided", "expanded"])
def test_tensor_dtypes_and_layouts_match_numpy(monkeypatch, name, dtype, layout):
    torch = pytest.importorskip("torch")
    X, y, w = _data()
    Xt = _layout(torch, torch.from_numpy(X).to(getattr(torch, dtype)), layout)
    yt = torch.from_numpy(y.copy())
    wt = torch.from_numpy(w.astype(np.float32))
    X_np, w_np = Xt.numpy().copy(), wt.numpy().copy()
    saved = (Xt.clone(), yt.clone(), wt.clone())
    try:
        expected = SAMPLERS[name]().fit_resample(X_np, y, sample_weight=w_np)
    except (TypeError, ValueError) as exc:
        with _dispatch(monkeypatch), pytest.raises(type(exc)):
            SAMPLERS[name]().fit_resample(Xt, yt, sample_weight=wt)
        return
    with _dispatch(monkeypatch):
        got = SAMPLERS[name]().fit_resample(Xt, yt, sample_weight=wt)
    for out, want, given in zip(got, expected, (Xt, yt, wt)):
        assert isinstance(out, torch.Tensor) and out.device == given.device
        _assert_same(out, want)
        if name != "shrinkage":
            assert out.dtype == given.dtype
        assert out.untyped_storage().data_ptr() != given.untyped_storage().data_ptr()
    for before, after in zip(saved, (Xt, yt, wt)):
        assert torch.equal(before, after)


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize(
    "y_kind", ["column", "one_hot_float", "one_hot_bool", "strided"]
)
def test_tensor_label_shapes_match_numpy(monkeypatch, name, y_kind):
    torch = pytest.importorskip("torch")
    X, y, _ = _data()
    yt = torch.from_numpy(y.copy())
    if y_kind == "column":
        yt = yt.reshape(-1, 1)
    elif y_kind == "one_hot_float":
        yt = torch.nn.functional.one_hot(yt, 3).float()
    elif y_kind == "one_hot_bool":
        yt = torch.nn.functional.one_hot(yt, 3).bool()
    else:
        yt = torch.from_numpy(np.repeat(y, 2))[::2]
    expected = SAMPLERS[name]().fit_resample(X, yt.numpy().copy())
    with _dispatch(monkeypatch):
        X_res, y_res = SAMPLERS[name]().fit_resample(torch.from_numpy(X), yt)
    assert isinstance(y_res, torch.Tensor) and y_res.dtype == yt.dtype
    _assert_same(X_res, expected[0])
    _assert_same(y_res, expected[1])


@pytest.mark.parametrize("name", ["under", "over", "shuffle"])
def test_mixed_containers_each_output_follows_its_input(monkeypatch, name):
    torch = pytest.importorskip("torch")
    pd = pytest.importorskip("pandas")
    X, y, w = _data()
    expected = SAMPLERS[name]().fit_resample(X, y, sample_weight=w)
    cases = [
        (X, torch.from_numpy(y), w, (np.ndarray, torch.Tensor, np.ndarray)),
        (torch.from_numpy(X), y.tolist(), w, (torch.Tensor, list, np.ndarray)),
        (
            pd.DataFrame(X),
            torch.from_numpy(y),
            torch.from_numpy(w),
            (pd.DataFrame, torch.Tensor, torch.Tensor),
        ),
        (
            torch.from_numpy(X),
            pd.Series(y),
            w.tolist(),
            (torch.Tensor, pd.Series, list),
        ),
    ]
    with _dispatch(monkeypatch):
        for Xi, yi, wi, types in cases:
            got = SAMPLERS[name]().fit_resample(Xi, yi, sample_weight=wi)
            for out, want, kind in zip(got, expected, types):
                assert type(out) is kind
                if kind is pd.DataFrame:
                    out = out.to_numpy()
                elif kind is pd.Series:
                    out = out.to_numpy()
                elif kind is list:
                    out = np.asarray(out, dtype=np.asarray(want).dtype)
                _assert_same(out, want)


def test_polars_frame_with_tensor_labels(monkeypatch):
    torch = pytest.importorskip("torch")
    pl = pytest.importorskip("polars")
    X, y, _ = _data()
    frame = pl.DataFrame(X, schema=["a", "b", "c"])
    expected = RandomOverSampler(random_state=0).fit_resample(frame, y)
    with _dispatch(monkeypatch):
        X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
            frame, torch.from_numpy(y).to(torch.int16)
        )
    assert isinstance(X_res, pl.DataFrame) and X_res.equals(expected[0])
    assert isinstance(y_res, torch.Tensor) and y_res.dtype == torch.int16
    np.testing.assert_array_equal(y_res.numpy(), expected[1])


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize("y_kind", ["int8", "bool", "column", "one_hot"])
def test_array_api_strict_labels_and_weights(monkeypatch, name, y_kind):
    xp = pytest.importorskip("array_api_strict")
    X, y, w = _data()
    y_np = {
        "int8": y.astype(np.int8),
        "bool": (y % 2).astype(bool),
        "column": y.reshape(-1, 1),
        "one_hot": np.eye(3, dtype=np.int64)[y],
    }[y_kind]
    expected = SAMPLERS[name]().fit_resample(X, y_np, sample_weight=w)
    given = (xp.asarray(X), xp.asarray(y_np), xp.asarray(w))
    with _dispatch(monkeypatch):
        got = SAMPLERS[name]().fit_resample(*given[:2], sample_weight=given[2])
    for out, want, source, values in zip(got, expected, given, (X, y_np, w)):
        assert _is_xps(out)
        _assert_same(np.asarray(out), want)
        assert not np.shares_memory(np.asarray(out), np.asarray(source))
        np.testing.assert_array_equal(np.asarray(source), values)


@pytest.mark.parametrize(
    "argument", ["X_requires_grad", "w_requires_grad", "X_bfloat16", "y_bfloat16"]
)
def test_refusals_under_dispatch_before_the_draw(monkeypatch, argument):
    torch = pytest.importorskip("torch")
    X, y, w = _data()
    Xt, yt, wt = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(w)
    if argument == "X_requires_grad":
        Xt = Xt.clone().requires_grad_(True)
    elif argument == "w_requires_grad":
        wt = wt.clone().requires_grad_(True)
    elif argument == "X_bfloat16":
        Xt = Xt.bfloat16()
    else:
        yt = yt.bfloat16()
    rng = np.random.RandomState(0)
    state = rng.get_state()[1].copy()
    sampler = RandomOverSampler(random_state=rng)
    name = {"X": "X", "w": "sample_weight", "y": "y"}[argument[0]]
    with (
        _dispatch(monkeypatch),
        pytest.raises(TypeError, match=f"^{name} could not be read"),
    ):
        sampler.fit_resample(Xt, yt, sample_weight=wt)
    np.testing.assert_array_equal(rng.get_state()[1], state)
    assert not hasattr(sampler, "sample_indices_")


def test_dispatch_is_read_per_thread(monkeypatch):
    """sklearn's config is thread-local: threads with dispatch on get tensors,
    threads with it off numpy arrays, of the same values, side by side."""
    torch = pytest.importorskip("torch")
    X, y, w = _data()
    expected = RandomOverSampler(random_state=0).fit_resample(X, y, sample_weight=w)
    results: dict[int, tuple] = {}
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")

    def work(k):
        with sklearn.config_context(array_api_dispatch=bool(k % 2)):
            for _ in range(5):
                results[k] = RandomOverSampler(random_state=0).fit_resample(
                    torch.from_numpy(X),
                    torch.from_numpy(y),
                    sample_weight=torch.from_numpy(w),
                )

    try:
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"array API dispatch unavailable: {exc}")
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1, 2, 3]
    for k, got in results.items():
        kind = torch.Tensor if k % 2 else np.ndarray
        for out, want in zip(got, expected):
            assert isinstance(out, kind)
            _assert_same(out, want)


def test_cross_validate_threads_with_logistic_regression_on_tensors(monkeypatch):
    torch = pytest.importorskip("torch")
    import joblib
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0.8).astype(np.int64)
    pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    cv = StratifiedKFold(3)
    expected = cross_validate(pipe, X, y, cv=cv, scoring="accuracy")["test_score"]
    with _dispatch(monkeypatch), joblib.parallel_backend("threading", n_jobs=2):
        got = cross_validate(
            pipe,
            torch.from_numpy(X),
            torch.from_numpy(y),
            cv=cv,
            n_jobs=2,
            scoring="accuracy",
        )["test_score"]
    np.testing.assert_allclose(np.asarray(got, dtype=float), expected)


def test_resampled_classifier_tensor_X_numpy_weights(monkeypatch):
    torch = pytest.importorskip("torch")
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0.6).astype(np.int64)
    w = rng.uniform(0.5, 2.0, 100)
    model = ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression())
    expected = sklearn.clone(model).fit(X, y, sample_weight=w).predict_proba(X)
    with _dispatch(monkeypatch):
        fitted = sklearn.clone(model).fit(
            torch.from_numpy(X), torch.from_numpy(y), sample_weight=w
        )
        got = fitted.predict_proba(torch.from_numpy(X))
    assert isinstance(got, torch.Tensor)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-8)
