"""Review 122, area threshold5: white-box pins of ``ThresholdMover``'s
non-'tuned' strategies ('prior', 'argmax', 'cost') on multiclass problems and
of the prior arithmetic in ``rebalance._priors``: probabilities matched to
classes by a frozen estimator's unsorted ``classes_`` (strings and ints),
``train_priors`` / ``deploy_priors`` given as lists, dicts and pandas Series
(by label), refused when of the wrong length, not summing to 1, zero, NaN or
with bool/int keys mixed, ``sample_weight`` on the 'train' priors,
``adjust_priors`` and ``em_priors`` against the Bayes prior correction and the
Saerens et al. (2002) EM computed by hand, and predict / predict_proba
consistency."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from rebalance.threshold import ThresholdMover, adjust_priors, em_priors

P = np.array([[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.34, 0.33, 0.33]])
X4 = np.arange(4)[:, None]


class _Table(ClassifierMixin, BaseEstimator):
    """Row i of X (its first feature) gets the probabilities P[i], in the
    order of ``classes`` (not sorted)."""

    def __init__(self, classes=("b", "a", "c")):
        self.classes = classes

    def fit(self, X, y):
        self.classes_ = np.asarray(self.classes)
        return self

    def predict_proba(self, X):
        return P[np.asarray(X)[:, 0].astype(int)]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _frozen(classes=("b", "a", "c")):
    return FrozenEstimator(_Table(classes).fit(None, None))


def _shift(proba, train, deploy):
    moved = proba * np.asarray(deploy) / np.asarray(train)
    return moved / moved.sum(axis=1, keepdims=True)


def _hand_em(proba, train, n_iter=5000):
    train = np.asarray(train, dtype=float)
    priors = train.copy()
    for _ in range(n_iter):
        moved = _shift(proba, train, priors)
        priors = moved.mean(axis=0)
    return priors, moved


@pytest.mark.parametrize("strategy", ["prior", "argmax"])
def test_unsorted_string_classes_priors_matched_by_label(strategy):
    y = np.array(["a", "a", "b", "c"])
    deploy = {"a": 0.2, "b": 0.5, "c": 0.3}
    mover = ThresholdMover(_frozen(), strategy=strategy, deploy_priors=deploy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mover.fit(X4, y)
    assert mover.classes_.tolist() == ["b", "a", "c"]
    np.testing.assert_allclose(mover.train_priors_, [0.25, 0.5, 0.25])
    np.testing.assert_allclose(mover.deploy_priors_, [0.5, 0.2, 0.3])
    proba = mover.predict_proba(X4)
    np.testing.assert_allclose(proba, _shift(P, [0.25, 0.5, 0.25], [0.5, 0.2, 0.3]))
    if strategy == "argmax":
        expected = mover.classes_[proba.argmax(axis=1)]
    else:  # balanced priors: raw / train priors, whatever deploy_priors
        expected = mover.classes_[(P / [0.25, 0.5, 0.25]).argmax(axis=1)]
    assert mover.predict(X4).tolist() == expected.tolist()


def test_unsorted_int_classes_series_default_index_read_by_label():
    y = np.array([0, 0, 1, 2])
    by_series = ThresholdMover(
        _frozen((2, 0, 1)), train_priors=pd.Series([0.2, 0.3, 0.5])
    ).fit(X4, y)
    by_dict = ThresholdMover(
        _frozen((2, 0, 1)), train_priors={0: 0.2, 1: 0.3, 2: 0.5}
    ).fit(X4, y)
    by_list = ThresholdMover(_frozen((2, 0, 1)), train_priors=[0.2, 0.3, 0.5]).fit(
        X4, y
    )
    np.testing.assert_allclose(by_series.train_priors_, [0.5, 0.2, 0.3])
    np.testing.assert_allclose(by_dict.train_priors_, [0.5, 0.2, 0.3])
    # A list is in classes_ order.
    np.testing.assert_allclose(by_list.train_priors_, [0.2, 0.3, 0.5])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"deploy_priors": "uniform"}, "deploy_priors"),
        ({"train_priors": "uniform"}, "train_priors"),
        ({"train_priors": [0.5, 0.5]}, "train_priors has shape"),
        ({"train_priors": [1, 2, 3]}, "train_priors sums to 6"),
        ({"train_priors": [0, 0.5, 0.5]}, "zero prior for the class"),
        ({"deploy_priors": [0.333, 0.333, 0.333]}, "deploy_priors sums to"),
        ({"deploy_priors": [0, 0, 0]}, "deploy_priors sums to 0"),
        ({"deploy_priors": [[0.2, 0.3, 0.5]]}, r"deploy_priors has shape \(1, 3\)"),
        ({"deploy_priors": [np.nan, 0.5, 0.5]}, "finite, non-negative"),
        (
            {"deploy_priors": {"a": 0.2, "b": 0.3, "c": 0.5, "w": 0}},
            r"not classes: \['w'\]",
        ),
    ],
)
def test_bad_priors_refused_naming_the_argument(kwargs, match):
    y = np.array(["a", "a", "b", "c"])
    mover = ThresholdMover(_frozen(), strategy="argmax", **kwargs)
    with pytest.raises(ValueError, match=match):
        mover.fit(X4, y)


def test_zero_deploy_prior_gives_zero_probability():
    y = np.array(["a", "a", "b", "c"])
    mover = ThresholdMover(_frozen(), strategy="argmax", deploy_priors=[0, 0.5, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mover.fit(X4, y)
    proba = mover.predict_proba(X4)
    assert (proba[:, 0] == 0).all()
    assert "b" not in mover.predict(X4).tolist()
    np.testing.assert_allclose(proba, _shift(P, [0.25, 0.5, 0.25], [0, 0.5, 0.5]))


def test_bool_and_int_keys_kept_apart():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y_bool = np.r_[[True] * 40, [False] * 20]
    y_int = y_bool.astype(int)
    with pytest.raises(ValueError, match="train_priors has the keys"):
        ThresholdMover(LogisticRegression(), train_priors={1: 0.5, 0: 0.5}).fit(
            X, y_bool
        )
    with pytest.raises(ValueError, match="train_priors has the keys"):
        ThresholdMover(LogisticRegression(), train_priors={True: 0.5, False: 0.5}).fit(
            X, y_int
        )
    mover = ThresholdMover(
        LogisticRegression(), train_priors={np.True_: 0.4, np.False_: 0.6}
    ).fit(X, y_bool)
    np.testing.assert_allclose(mover.train_priors_, [0.6, 0.4])


def test_sample_weight_weights_train_and_deploy_priors():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.array(["x", "y", "z"])[np.r_[[0] * 30, [1] * 20, [2] * 10]]
    w = np.r_[np.ones(30), 2 * np.ones(20), 3 * np.ones(10)]
    mover = ThresholdMover(
        LogisticRegression(), strategy="argmax", deploy_priors="train"
    ).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(mover.train_priors_, [0.3, 0.4, 0.3])
    np.testing.assert_allclose(mover.deploy_priors_, [0.3, 0.4, 0.3])
    plain = ThresholdMover(LogisticRegression(), strategy="argmax").fit(X, y)
    np.testing.assert_allclose(plain.train_priors_, [0.5, 1 / 3, 1 / 6])


def test_em_deploy_priors_match_saerens_by_hand():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.array(["x", "y", "z"])[np.r_[[0] * 30, [1] * 20, [2] * 10]]
    mover = ThresholdMover(
        LogisticRegression(), strategy="argmax", deploy_priors="em"
    ).fit(X, y)
    raw = mover.estimator_.predict_proba(X[:20])
    _, moved = _hand_em(raw, mover.train_priors_, n_iter=3000)
    proba = mover.predict_proba(X[:20])
    np.testing.assert_allclose(proba, moved, atol=1e-5)
    assert (
        mover.predict(X[:20]).tolist() == mover.classes_[proba.argmax(axis=1)].tolist()
    )


def test_cost_with_labelled_frame_matches_bayes_rule():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.array(["x", "y", "z"])[np.r_[[0] * 30, [1] * 20, [2] * 10]]
    cost = pd.DataFrame(
        [[0, 1, 5], [1, 0, 1], [1, 1, 0]], index=list("zyx"), columns=list("zyx")
    )
    mover = ThresholdMover(LogisticRegression(), strategy="cost", cost_matrix=cost)
    mover.fit(X, y)
    # Read by label: the row/column 'z' of the frame is the last class.
    np.testing.assert_array_equal(mover.cost_matrix_, [[0, 1, 1], [1, 0, 1], [5, 1, 0]])
    proba = mover.predict_proba(X)
    expected = mover.classes_[(proba @ mover.cost_matrix_).argmin(axis=1)]
    assert mover.predict(X).tolist() == expected.tolist()


def test_adjust_priors_by_label_on_unsorted_frame_columns():
    frame = pd.DataFrame(P, columns=["b", "a", "c"])
    expected = _shift(P, [0.3, 0.2, 0.5], [1 / 3] * 3)
    got = adjust_priors(frame, {"a": 0.2, "b": 0.3, "c": 0.5}, {"a": 1, "b": 1, "c": 1})
    np.testing.assert_allclose(got, expected)
    got = adjust_priors(frame, pd.Series({"c": 0.5, "a": 0.2, "b": 0.3}), [1, 1, 1])
    np.testing.assert_allclose(got, expected)
    with pytest.raises(ValueError, match="given by class label"):
        adjust_priors(P, {"a": 0.2, "b": 0.3, "c": 0.5}, [1, 1, 1])


def test_adjust_priors_int_columns_series_default_index_by_label():
    frame = pd.DataFrame(P, columns=[2, 0, 1])
    got = adjust_priors(frame, pd.Series([0.2, 0.3, 0.5]), [1, 1, 1])
    np.testing.assert_allclose(got, _shift(P, [0.5, 0.2, 0.3], [1, 1, 1]))


def test_em_priors_matches_hand_em_and_one_step():
    train = [0.2, 0.3, 0.5]
    priors, _ = _hand_em(P, train)
    np.testing.assert_allclose(em_priors(P, train), priors, atol=1e-6)
    np.testing.assert_allclose(
        em_priors(
            pd.DataFrame(P, columns=["b", "a", "c"]), {"a": 0.3, "b": 0.2, "c": 0.5}
        ),
        priors,
        atol=1e-6,
    )
    with pytest.warns(Warning, match="did not converge"):
        one = em_priors(P, [1 / 3] * 3, max_iter=1)
    np.testing.assert_allclose(one, P.mean(axis=0))
