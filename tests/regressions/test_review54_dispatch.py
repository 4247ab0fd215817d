"""Review 54 (dispatch): ThresholdMover under scikit-learn's
``array_api_dispatch=True``, checked against the same calls with dispatch off
on numpy arrays of the same values (the oracle).

* ``predict``, ``predict_proba`` and ``predict_log_proba`` returned numpy
  arrays for torch tensors (and ``array_api_strict`` arrays), and
  ``classes_`` was numpy: ``cross_val_predict(..., method="predict_proba")``
  refused to order the columns ("Multiple namespaces for array inputs"). They
  now come back in the library and device of X, as scikit-learn's
  classifiers return them; numpy with dispatch off.
* Whole-number ``sample_weight`` applied as repeated rows (the estimator's
  ``fit`` takes no weights) fitted the estimator on numpy copies of the
  tensors, which then refused the tensors given to ``predict``.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import sklearn
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, cross_val_predict, cross_validate

from rebalance import ThresholdMover

torch = pytest.importorskip("torch")

STRATEGIES = {
    "prior": {"strategy": "prior"},
    "argmax": {"strategy": "argmax"},
    "fixed": {"strategy": "fixed", "threshold": 0.3},
    "cost": {"strategy": "cost", "cost_matrix": [[0, 1], [5, 0]]},
    "tuned": {"strategy": "tuned", "cv": 3},
    "deploy_em": {"strategy": "argmax", "deploy_priors": "em"},
    "train_em": {
        "strategy": "argmax",
        "train_priors": [0.5, 0.5],
        "deploy_priors": "em",
    },
    "deploy_train": {"strategy": "fixed", "threshold": 0.4, "deploy_priors": "train"},
    "decision_tuned": {
        "strategy": "tuned",
        "cv": 3,
        "response_method": "decision_function",
    },
}


@contextlib.contextmanager
def _dispatch(monkeypatch):
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    try:
        context = sklearn.config_context(array_api_dispatch=True)
        context.__enter__()
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"array API dispatch unavailable: {exc}")
    try:
        yield
    finally:
        context.__exit__(None, None, None)


def _data(n=120, seed=0, n_classes=2):
    rng = np.random.default_rng(seed)
    if n_classes == 2:
        y = np.array([0] * (n - n // 4) + [1] * (n // 4), dtype=np.int64)
    else:
        y = np.repeat(np.arange(3, dtype=np.int64), [n // 2, n // 3, n - 5 * n // 6])
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


def _mover(name):
    return ThresholdMover(LinearDiscriminantAnalysis(), **STRATEGIES[name])


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_methods_return_tensors_of_the_same_values(monkeypatch, name):
    X, y = _data()
    methods = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    fitted = _mover(name).fit(X, y)
    expected = {m: getattr(fitted, m)(X) for m in methods}
    Xt = torch.from_numpy(X)
    with _dispatch(monkeypatch):
        model = _mover(name).fit(Xt, torch.from_numpy(y))
        got = {m: getattr(model, m)(Xt) for m in methods}
        score = model.score(Xt, torch.from_numpy(y))
    assert isinstance(model.classes_, torch.Tensor)
    np.testing.assert_array_equal(model.classes_.numpy(), [0, 1])
    for m in methods:
        assert isinstance(got[m], torch.Tensor), m
        np.testing.assert_allclose(got[m].numpy(), expected[m], rtol=1e-9, atol=1e-12)
    assert got["predict"].dtype == torch.int64
    assert got["predict_proba"].dtype == torch.float64
    assert score == pytest.approx(fitted.score(X, y), abs=1e-6)


@pytest.mark.parametrize("name", ["prior", "tuned", "deploy_em", "decision_tuned"])
@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_cross_val_predict_on_tensors_matches_numpy(monkeypatch, name, method):
    X, y = _data()
    expected = cross_val_predict(_mover(name), X, y, cv=3, method=method)
    with _dispatch(monkeypatch):
        got = cross_val_predict(
            _mover(name),
            torch.from_numpy(X),
            torch.from_numpy(y),
            cv=3,
            method=method,
        )
    assert isinstance(got, torch.Tensor)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9, atol=1e-12)


def test_cross_val_predict_three_classes_on_tensors(monkeypatch):
    X, y = _data(150, n_classes=3)
    model = ThresholdMover(LinearDiscriminantAnalysis(), deploy_priors=[0.2, 0.3, 0.5])
    expected = cross_val_predict(model, X, y, cv=3, method="predict_proba")
    with _dispatch(monkeypatch):
        got = cross_val_predict(
            model,
            torch.from_numpy(X),
            torch.from_numpy(y),
            cv=3,
            method="predict_proba",
        )
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9, atol=1e-12)


def test_cross_val_predict_with_array_api_strict(monkeypatch):
    xp = pytest.importorskip("array_api_strict")
    X, y = _data()
    expected = cross_val_predict(_mover("tuned"), X, y, cv=3, method="predict_proba")
    with _dispatch(monkeypatch):
        got = cross_val_predict(
            _mover("tuned"), xp.asarray(X), xp.asarray(y), cv=3, method="predict_proba"
        )
        assert type(got).__module__.startswith("array_api_strict")
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-9, atol=1e-12)


def test_count_weights_as_repeated_rows_predict_on_tensors(monkeypatch):
    # LinearDiscriminantAnalysis.fit takes no sample_weight: the counts are
    # repeated rows, which were numpy, so the fitted LDA refused the tensors.
    X, y = _data()
    w = np.random.default_rng(1).integers(1, 4, size=len(y)).astype(np.float64)
    for name in ("prior", "tuned"):
        expected = _mover(name).fit(X, y, sample_weight=w).predict_proba(X)
        Xt = torch.from_numpy(X)
        with _dispatch(monkeypatch):
            model = _mover(name).fit(
                Xt, torch.from_numpy(y), sample_weight=torch.from_numpy(w)
            )
            got = model.predict_proba(Xt)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9, atol=1e-12)


def test_cross_validate_and_grid_search_on_tensors(monkeypatch):
    X, y = _data()
    grid = {"estimator__tol": [1e-4], "threshold": [0.1, 0.5, 0.9]}
    model = _mover("fixed")
    expected_cv = cross_validate(model, X, y, cv=3, scoring="accuracy")["test_score"]
    search = GridSearchCV(model, grid, cv=3).fit(X, y)
    with _dispatch(monkeypatch):
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        got_cv = cross_validate(model, Xt, yt, cv=3, scoring="accuracy")["test_score"]
        got = GridSearchCV(model, grid, cv=3).fit(Xt, yt)
        proba = got.predict_proba(Xt)
    np.testing.assert_allclose(np.asarray(got_cv, dtype=float), expected_cv, atol=1e-6)
    np.testing.assert_allclose(
        got.cv_results_["mean_test_score"],
        search.cv_results_["mean_test_score"],
        atol=1e-6,
    )
    assert got.best_params_ == search.best_params_
    assert isinstance(proba, torch.Tensor)
    np.testing.assert_allclose(proba.numpy(), search.predict_proba(X), rtol=1e-9)


@pytest.mark.parametrize("name", ["prior", "tuned", "train_em"])
def test_frozen_estimator_both_ways_on_tensors(monkeypatch, name):
    X, y = _data()
    kwargs = {k: v for k, v in STRATEGIES[name].items() if k != "cv"}
    inner = LinearDiscriminantAnalysis().fit(X, y)
    expected = ThresholdMover(FrozenEstimator(inner), **kwargs).fit(X, y)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    with _dispatch(monkeypatch):
        inner_t = LinearDiscriminantAnalysis().fit(Xt, yt)
        mover = ThresholdMover(FrozenEstimator(inner_t), **kwargs).fit(Xt, yt)
        frozen = FrozenEstimator(mover)
        proba, labels = frozen.predict_proba(Xt), frozen.predict(Xt)
    assert isinstance(proba, torch.Tensor) and isinstance(labels, torch.Tensor)
    np.testing.assert_allclose(proba.numpy(), expected.predict_proba(X), rtol=1e-9)
    np.testing.assert_array_equal(labels.numpy(), expected.predict(X))


def test_without_dispatch_tensors_still_give_numpy():
    X, y = _data()
    Xt = torch.from_numpy(X)
    model = _mover("tuned").fit(Xt, torch.from_numpy(y))
    assert isinstance(model.classes_, np.ndarray)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        assert isinstance(getattr(model, method)(Xt), np.ndarray), method


def test_string_labels_stay_numpy_under_dispatch(monkeypatch):
    # A tensor cannot hold strings: numpy labels, as without dispatch.
    X, y = _data()
    names = np.array(["neg", "pos"])[y]
    expected = _mover("prior").fit(X, names).predict(X)
    with _dispatch(monkeypatch):
        model = _mover("prior").fit(X, names)
        got = model.predict(X)
    assert isinstance(got, np.ndarray)
    np.testing.assert_array_equal(got, expected)


def test_resampled_classifier_count_weights_predict_on_tensors(monkeypatch):
    from rebalance import RandomUnderSampler, ResampledClassifier

    X, y = _data()
    w = np.random.default_rng(1).integers(1, 3, size=len(y)).astype(np.float64)
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LinearDiscriminantAnalysis()
    )
    expected = sklearn.clone(model).fit(X, y, sample_weight=w).predict_proba(X)
    Xt = torch.from_numpy(X)
    with _dispatch(monkeypatch):
        fitted = sklearn.clone(model).fit(
            Xt, torch.from_numpy(y), sample_weight=torch.from_numpy(w)
        )
        got = fitted.predict_proba(Xt)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-9, atol=1e-12)


def test_pipeline_set_output_pandas_refusal_names_the_reset_index_fix():
    # A Pipeline's set_output(transform="pandas") gives X a fresh index
    # 0 .. n - 1 while y keeps its own (shuffled with the array): refused, but
    # the advice led with y.loc[X.index], which would mislabel every row.
    # The message now says that for such an X, y.reset_index(drop=True) is
    # the fix.
    import pandas as pd
    from imblearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils import shuffle

    from rebalance import RandomUnderSampler

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    y = pd.Series((rng.random(300) < 0.2).astype(int))
    X, y = shuffle(X, y, random_state=0)
    pipe = Pipeline(
        [
            ("s", StandardScaler()),
            ("r", RandomUnderSampler(random_state=0)),
            ("m", LinearDiscriminantAnalysis()),
        ]
    ).set_output(transform="pandas")
    # Review 64: the Pipeline was given no DataFrame, so X's index is the
    # transformer's: y is paired by position, as without pandas output.
    expected = sklearn.clone(pipe).set_output(transform="default").fit(X, y)
    pipe.fit(X, y)
    np.testing.assert_allclose(pipe.predict_proba(X), expected.predict_proba(X))
    # As the message says (for an X with such an index given as it is):
    # fitted, with each label on its own row.
    with pytest.raises(ValueError, match=r"y.reset_index\(drop=True\) is the fix"):
        RandomUnderSampler(random_state=0).fit_resample(pd.DataFrame(X), y)
    pipe.fit(X, y.reset_index(drop=True))
    # An X with an index of its own keeps the advice without the hint.
    frame = pd.DataFrame(X, index=np.arange(300) + 1000)
    y_own = pd.Series(y.to_numpy(), index=frame.index[::-1])
    with pytest.raises(ValueError, match="another order") as info:
        RandomUnderSampler(random_state=0).fit_resample(frame, y_own)
    assert "is the fix" not in str(info.value)
