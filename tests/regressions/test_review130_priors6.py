"""Review 130, area ``priors6``: every place a user gives class priors.

Reviewed ``rebalance.threshold.adjust_priors`` / ``em_priors``,
``ThresholdMover(train_priors=..., deploy_priors=...)`` and the per-class
priors / counts of ``rebalance.torch.losses`` (logit-adjusted and balanced
softmax cross-entropy), with the priors in every container (dict with str /
numpy str / int keys, pandas Series in another order, with a duplicate index
or extra classes, list, tuple, numpy int / float32 / object arrays, torch,
polars, pyarrow, narwhals, Dask array and Series, scalar, generator, set) and
values (not summing to 1, 0, negative, NaN, inf, 1e-300, bools). Every
accepted case is checked against a hand computation of Saerens et al.'s
``p_c * pi_c / pi'_c`` renormalised (or the hand log-softmax of
``logits + log(priors / sum)``), every refusal for the argument's name, and
the inputs for being left unmodified.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover
from rebalance.threshold import adjust_priors, em_priors

_RNG = np.random.default_rng(0)
_X = _RNG.normal(size=(60, 2))
_Y = np.array(["b", "a", "c"] * 20)
_MODEL = LogisticRegression().fit(_X, _Y)  # classes_ ['a', 'b', 'c']
_TRAIN = np.array([0.2, 0.3, 0.5])
_DEPLOY = np.array([0.6, 0.3, 0.1])


def _saerens(proba, train, deploy):
    moved = np.asarray(proba) * np.asarray(deploy, float) / np.asarray(train, float)
    return moved / moved.sum(axis=1, keepdims=True)


def _mover_proba(train_priors, deploy_priors):
    mover = ThresholdMover(
        FrozenEstimator(_MODEL),
        strategy="argmax",
        train_priors=train_priors,
        deploy_priors=deploy_priors,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mover.fit(_X, _Y)
    return mover.predict_proba(_X[:6])


def _want(train=_TRAIN, deploy=_DEPLOY):
    return _saerens(_MODEL.predict_proba(_X[:6]), train, deploy)


def _containers():
    torch = pytest.importorskip("torch")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    nw = pytest.importorskip("narwhals")
    da = pytest.importorskip("dask.array")
    return {
        "dict": dict(zip("abc", _TRAIN)),
        "dict_numpy_str": {np.str_("a"): 0.2, "b": 0.3, np.str_("c"): 0.5},
        "series_other_order": pd.Series([0.5, 0.2, 0.3], index=["c", "a", "b"]),
        "list": _TRAIN.tolist(),
        "tuple": tuple(_TRAIN),
        "float32": _TRAIN.astype(np.float32),
        "object": _TRAIN.astype(object),
        "torch": torch.tensor(_TRAIN),
        "polars": pl.Series(_TRAIN),
        "pyarrow": pa.array(_TRAIN),
        "narwhals": nw.from_native(pl.Series(_TRAIN), series_only=True),
        "dask_array": da.from_array(_TRAIN),
    }


def test_threshold_mover_reads_train_priors_in_every_container():
    want = _want()
    for name, priors in _containers().items():
        got = _mover_proba(priors, _DEPLOY)
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=name)


def test_threshold_mover_reads_deploy_priors_by_label_and_leaves_them_alone():
    deploy = pd.Series([0.1, 0.6, 0.3], index=["c", "a", "b"])
    kept = deploy.copy()
    train = dict(zip("abc", _TRAIN))
    got = _mover_proba(train, deploy)
    np.testing.assert_allclose(got, _want(), rtol=1e-12)
    pd.testing.assert_series_equal(deploy, kept)
    assert train == dict(zip("abc", _TRAIN))


def test_threshold_mover_zero_and_tiny_priors_match_hand_computation():
    # deploy prior 0: the class gets probability 0; the rest renormalised.
    got = _mover_proba(_TRAIN, [0.0, 0.5, 0.5])
    np.testing.assert_allclose(got, _want(deploy=[0.0, 0.5, 0.5]), atol=1e-15)
    assert (got[:, 0] == 0).all()
    # a training prior of 1e-300 (logs, not ratios): still the textbook value
    train = [1e-300, 0.5, 0.5 - 1e-300]
    got = _mover_proba(train, _DEPLOY)
    np.testing.assert_allclose(got, _want(train=train), rtol=1e-9)


@pytest.mark.parametrize(
    ("priors", "match"),
    [
        (
            pd.Series([0.2, 0.3, 0.5, 0.0], index=list("abcd")),
            r"train_priors has the keys.*not classes: \['d'\]",
        ),
        ({"a": 0.5, "b": 0.5}, r"train_priors .*without a prior: \['c'\]"),
        ([0.4, 0.6, 1.0], r"train_priors sums to 2, not 1.*Divide"),
        ([np.nan, 0.5, 0.5], "train_priors must hold finite, non-negative"),
        ([np.inf, 0.5, 0.5], "train_priors must hold finite, non-negative"),
        ([-0.1, 0.6, 0.5], "train_priors must hold finite, non-negative"),
        ([0.0, 0.5, 0.5], r"train_priors has a zero prior for the class\(es\) \['a'\]"),
        ([0.5, 0.5], r"train_priors has shape \(2,\) but there are 3 classes"),
        ({0.2, 0.3, 0.5}, "train_priors must hold numbers"),
    ],
)
def test_threshold_mover_refuses_bad_train_priors_naming_them(priors, match):
    with pytest.raises(ValueError, match=match):
        _mover_proba(priors, _DEPLOY)


def test_adjust_priors_uses_only_ratios_and_modifies_nothing():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.0, 1.0, 0.0]])
    kept, train, deploy = proba.copy(), np.array([2.0, 3.0, 5.0]), [6, 3, 1]
    got = adjust_priors(proba, train, deploy)
    np.testing.assert_allclose(got, _saerens(proba, train, deploy), atol=1e-15)
    np.testing.assert_allclose(got, adjust_priors(proba, _TRAIN, _DEPLOY), atol=1e-15)
    np.testing.assert_array_equal(proba, kept)
    np.testing.assert_array_equal(train, [2.0, 3.0, 5.0])


def test_adjust_priors_by_label_and_positional_containers():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    frame = pd.DataFrame(proba, columns=["c", "a", "b"])
    train = {"a": 0.2, "b": 0.3, "c": 0.5}  # columns order: c, a, b
    got = adjust_priors(frame, train, pd.Series({"b": 0.3, "c": 0.1, "a": 0.6}))
    np.testing.assert_allclose(got, _saerens(proba, [0.5, 0.2, 0.3], [0.1, 0.6, 0.3]))
    got = adjust_priors(proba, pl.Series(_TRAIN), pa.array(_DEPLOY))
    np.testing.assert_allclose(got, _saerens(proba, _TRAIN, _DEPLOY))
    with pytest.raises(ValueError, match=r"train_priors is given for the classes"):
        adjust_priors(
            frame, pd.Series([0.2, 0.3, 0.5, 0.3], index=list("abcb")), _DEPLOY
        )
    with pytest.raises(ValueError, match="train_priors is given by class label"):
        adjust_priors(proba, train, _DEPLOY)
    with pytest.raises(ValueError, match="train_priors must hold numbers"):
        adjust_priors(proba, (v for v in _TRAIN), _DEPLOY)


def test_em_priors_matches_a_hand_em_and_reads_priors_by_label():
    proba = np.array(
        [[0.9, 0.05, 0.05]] * 5 + [[0.2, 0.5, 0.3]] * 3 + [[0.1, 0.1, 0.8]]
    )
    train = np.array([0.5, 0.3, 0.2])
    priors = train.copy()
    for _ in range(5000):
        moved = _saerens(proba, train, priors)
        new = moved.mean(axis=0)
        if np.abs(new - priors).max() < 1e-13:
            break
        priors = new
    got = em_priors(proba, train * 10, tol=1e-12)  # any scale: only ratios
    np.testing.assert_allclose(got, priors, atol=1e-8)
    frame = pd.DataFrame(proba, columns=[2, 0, 1])
    by_label = em_priors(frame, {0: 0.3, 1: 0.2, 2: 0.5}, tol=1e-12)
    np.testing.assert_allclose(by_label, got, atol=1e-12)
    with pytest.raises(ValueError, match="train_priors has a zero prior"):
        em_priors(proba, [0.0, 0.5, 0.5])


def _hand_loss(logits, target, priors):
    p = np.asarray(priors, float)
    adj = logits + np.log(p / p.sum())
    logsm = adj - np.log(np.exp(adj).sum(axis=1, keepdims=True))
    return -logsm[np.arange(len(target)), target].mean()


def test_loss_priors_in_every_accepted_container_match_hand_log_softmax():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import (
        balanced_softmax_cross_entropy,
        logit_adjusted_cross_entropy,
    )

    logits = torch.tensor([[0.3, -1.0, 2.0], [1.0, 0.5, -0.2]], dtype=torch.float64)
    target = torch.tensor([0, 2])
    want = _hand_loss(logits.numpy(), target.numpy(), [1, 2, 7])
    for priors in (
        [1, 2, 7],
        (1, 2, 7),
        {2: 7, 0: 1, 1: 2},
        {np.int64(0): 1, np.int64(1): 2, np.int64(2): 7},
        np.array([1, 2, 7]),
        np.array([1, 2, 7], dtype=np.float32),
        torch.tensor([1, 2, 7]),
        torch.tensor([0.1, 0.2, 0.7], dtype=torch.float64),
    ):
        for fn in (logit_adjusted_cross_entropy, balanced_softmax_cross_entropy):
            got = fn(logits, target, priors).item()
            assert got == pytest.approx(want, rel=1e-12), (fn.__name__, priors)
    tiny = _hand_loss(logits.numpy(), target.numpy(), [1e-300, 1, 1])
    got = logit_adjusted_cross_entropy(logits, target, [1e-300, 1, 1]).item()
    assert got == pytest.approx(tiny, rel=1e-12)


@pytest.mark.parametrize(
    ("priors", "error", "match"),
    [
        ({"0": 1, "1": 2, "2": 7}, TypeError, "keys must be class indices"),
        (np.array([1, 2, 7], dtype=object), TypeError, "got an array of object"),
        (pd.Series([1, 2, 7]), TypeError, r"series\.to_dict\(\)"),
        ({1, 2, 7}, TypeError, "got set"),
        (3.0, TypeError, "got float"),
        ([True, True, True], TypeError, r"\[0\] must be a real number, got bool"),
        ([0, 1, 1], ValueError, "must be > 0 for every class.*add-one smoothing"),
        ([-1, 1, 1], ValueError, "must be > 0 for every class"),
        ([float("nan"), 1, 1], ValueError, "must be > 0 for every class and finite"),
        ([float("inf"), 1, 1], ValueError, "must be > 0 for every class and finite"),
        ([1, 2], ValueError, r"one value per class \(3\), got 2"),
    ],
)
def test_loss_refuses_bad_priors_naming_the_argument(priors, error, match):
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import (
        balanced_softmax_cross_entropy,
        logit_adjusted_cross_entropy,
    )

    logits, target = torch.zeros(2, 3), torch.tensor([0, 2])
    with pytest.raises(error, match="priors" + ".*" + match):
        logit_adjusted_cross_entropy(logits, target, priors)
    with pytest.raises(error, match="class_counts" + ".*" + match):
        balanced_softmax_cross_entropy(logits, target, priors)


# --------------------------------------------------------------------- bugs


def test_threshold_mover_refuses_series_priors_with_a_duplicated_class():
    # Two priors for 'b' (0.1 then 0.3): the first is dropped, the rest sum to 1.
    priors = pd.Series([0.2, 0.1, 0.5, 0.3], index=["a", "b", "c", "b"])
    with pytest.raises(ValueError, match="train_priors"):
        _mover_proba(priors, _DEPLOY)


def test_threshold_mover_reads_a_dask_series_of_priors_by_label():
    dd = pytest.importorskip("dask.dataframe")
    series = pd.Series([0.5, 0.2, 0.3], index=["c", "a", "b"])
    got = _mover_proba(dd.from_pandas(series, npartitions=1), _DEPLOY)
    np.testing.assert_allclose(got, _want(), rtol=1e-12)
