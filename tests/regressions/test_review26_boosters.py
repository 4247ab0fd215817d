"""Review 26 (boosters): the class weights of gradient-boosting libraries in
the training priors, as LightGBM, XGBoost and CatBoost apply them."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.multiclass import OneVsRestClassifier

from rebalance import ResampledClassifier, ThresholdMover
from rebalance._priors import _booster_class_factors


def _data(n_classes=2, n=600, seed=0):
    rng = np.random.default_rng(seed)
    p = [0.85, 0.15] if n_classes == 2 else [0.7, 0.2, 0.1]
    y = rng.choice(n_classes, size=n, p=p)
    # One constant and one random binary feature: nothing to learn, so the
    # probabilities are the (class-)weighted class frequencies.
    X = np.c_[np.ones(n), rng.integers(0, 2, size=n)].astype(float)
    w = rng.uniform(0.2, 3.0, size=n) * np.where(y == 0, 2.0, 1.0)
    return X, y, w


class _ConstantProba(ClassifierMixin, BaseEstimator):
    """A stand-in whose probabilities are its fitted class shares ``p_``
    (the weighted class frequencies a weighted model on an uninformative X
    predicts)."""

    def predict_proba(self, X):
        return np.tile(self.p_, (len(X), 1))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class _CatBoostLike(_ConstantProba):
    """A stand-in for CatBoost's auto_class_weights: class counts weighted by
    sample_weight (as CatBoost counts them)."""

    def __init__(self, auto_class_weights=None):
        self.auto_class_weights = auto_class_weights

    def fit(self, X, y, sample_weight=None):
        self.classes_, codes = np.unique(y, return_inverse=True)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
        counts = np.bincount(codes, weights=w)
        factors = counts.max() / counts
        if self.auto_class_weights == "SqrtBalanced":
            factors = np.sqrt(factors)
        weighted = counts * factors
        self.p_ = weighted / weighted.sum()
        return self


_CatBoostLike.__module__ = "catboost.core"


@pytest.mark.parametrize("auto", ["Balanced", "SqrtBalanced"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_catboost_auto_class_weights_count_sample_weighted_rows(auto, n_classes):
    X, y, w = _data(n_classes)
    mover = ThresholdMover(
        _CatBoostLike(auto), deploy_priors="train", strategy="argmax"
    ).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(mover.train_priors_, mover.estimator_.p_)
    freq = np.bincount(y, weights=w) / w.sum()
    np.testing.assert_allclose(mover.predict_proba(X[:1])[0], freq)


def test_catboost_auto_class_weights_in_resampled_priors_with_weights():
    from rebalance import RandomUnderSampler

    X, y, w = _data(3)
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy={0: 200}, random_state=0),
        _CatBoostLike("SqrtBalanced"),
    ).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.resampled_priors_, model.classifier_.p_)


class _OtherLibrary(ClassifierMixin, BaseEstimator):
    """A model of a library that has none of the others' parameters."""

    def __init__(self, is_unbalance=False, auto_class_weights=None):
        self.is_unbalance = is_unbalance
        self.auto_class_weights = auto_class_weights


@pytest.mark.parametrize("module", ["xgboost.sklearn", "lightgbm.sklearn"])
def test_a_librarys_foreign_parameters_do_not_count(module):
    # XGBoost ignores is_unbalance (LightGBM's), LightGBM and XGBoost ignore
    # auto_class_weights (CatBoost's): no factor.
    cls = type("Model", (_OtherLibrary,), {"__module__": module})
    y = np.r_[np.zeros(9, dtype=int), np.ones(1, dtype=int)]
    params = {"auto_class_weights": "Balanced"}
    if module.startswith("xgboost"):
        params["is_unbalance"] = True
    assert _booster_class_factors(cls(**params), y, np.array([0, 1])) is None


class _DictWeights(_ConstantProba):
    """Class weights by a dict keyed by the labels it is fitted on."""

    def __init__(self, class_weights=None):
        self.class_weights = class_weights

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        factors = np.array([self.class_weights.get(c, 1.0) for c in self.classes_])
        self.p_ = counts * factors / (counts * factors).sum()
        return self


def test_class_weights_dict_of_a_binary_one_vs_rest_model_keyed_0_1():
    # The binary model of a OneVsRestClassifier is fitted on 0 and 1.
    X = np.zeros((100, 1))
    y = np.where(np.arange(100) < 80, "no", "yes")
    model = OneVsRestClassifier(_DictWeights({0: 1.0, 1: 4.0})).fit(X, y)
    mover = ThresholdMover(FrozenEstimator(model), deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])


# --- review 25 (lead): class weights set by a booster's own parameters ---


class _WeightingBooster(_ConstantProba):
    """A stand-in booster: class balancing through its own parameters, the
    probabilities those weights give (the weighted class frequencies)."""

    def __init__(self, scale_pos_weight=None, is_unbalance=False,
                 auto_class_weights=None, class_weights=None):  # fmt: skip
        self.scale_pos_weight = scale_pos_weight
        self.is_unbalance = is_unbalance
        self.auto_class_weights = auto_class_weights
        self.class_weights = class_weights

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        factors = np.ones(len(self.classes_))
        if self.scale_pos_weight is not None:
            factors[1] *= self.scale_pos_weight
        if self.is_unbalance or self.auto_class_weights == "Balanced":
            factors /= counts
        if self.class_weights is not None and len(self.class_weights) == len(factors):
            factors *= np.asarray(self.class_weights, dtype=float)
        weighted = counts * factors
        self.p_ = weighted / weighted.sum()
        return self


@pytest.mark.parametrize(
    "params",
    [
        {"scale_pos_weight": 9.0},
        {"is_unbalance": True},
        {"auto_class_weights": "Balanced"},
        {"class_weights": [1.0, 9.0]},
    ],
)
def test_booster_class_weights_count_in_the_training_priors(params):
    # The model saw balanced classes: train_priors_ must say so, and
    # deploy_priors='train' must move the probabilities back to the data's.
    from rebalance import ThresholdMover

    X = np.zeros((1000, 1))
    y = np.r_[np.zeros(900, dtype=int), np.ones(100, dtype=int)]
    mover = ThresholdMover(
        _WeightingBooster(**params), deploy_priors="train", strategy="argmax"
    ).fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, mover.estimator_.p_)
    np.testing.assert_allclose(mover.predict_proba(X[:1])[0], [0.9, 0.1])


def test_booster_class_weights_of_the_wrong_length_are_refused():
    from rebalance import ThresholdMover

    X, y = np.zeros((10, 1)), np.r_[np.zeros(8, dtype=int), np.ones(2, dtype=int)]
    with pytest.raises(ValueError, match="class_weights has 3 entries for 2"):
        ThresholdMover(
            _WeightingBooster(class_weights=[1, 2, 3]), deploy_priors="train"
        ).fit(X, y)


# --- the real libraries -----------------------------------------------------


def _lightgbm(**params):
    lgb = pytest.importorskip("lightgbm")
    return lgb.LGBMClassifier(
        n_estimators=150, num_leaves=2, min_child_samples=1, min_child_weight=0,
        reg_lambda=0, learning_rate=0.5, verbose=-1, **params,
    )  # fmt: skip


def _check(model, n_classes=2, sample_weight=False):
    X, y, w = _data(n_classes)
    fit = {"sample_weight": w} if sample_weight else {}
    mover = ThresholdMover(model, deploy_priors="train", strategy="argmax")
    mover.fit(X, y, **fit)
    mean = mover.estimator_.predict_proba(X).mean(axis=0)
    np.testing.assert_allclose(mover.train_priors_, mean, atol=0.01)
    freq = np.bincount(y, weights=w if sample_weight else None) / (
        w.sum() if sample_weight else len(y)
    )
    np.testing.assert_allclose(mover.predict_proba(X).mean(axis=0), freq, atol=0.01)
    return mover


@pytest.mark.parametrize("value", ["true", "+", np.True_])
def test_lightgbm_is_unbalance_as_lightgbm_reads_it(value):
    mover = _check(_lightgbm(unbalance=value))
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])


@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("params", [{"is_unbalance": True}, {"scale_pos_weight": 4.0}])
def test_lightgbm_binary_weighting(params, sample_weight):
    _check(_lightgbm(**params), sample_weight=sample_weight)


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "multiclass", "num_class": 2, "is_unbalance": True},
        {"objective": "cross_entropy", "scale_pos_weight": 4.0},
        {"objective": "xentropy", "is_unbalance": True},
    ],
)
def test_lightgbm_objectives_that_ignore_the_weighting(params):
    # LightGBM balances the classes in its 'binary' objective only.
    mover = _check(_lightgbm(**params))
    assert abs(mover.train_priors_[1] - 0.15) < 0.05


@pytest.mark.parametrize(
    "params", [{"is_unbalance": True}, {"application": "ova", "scale_pos_weight": 3}]
)
def test_lightgbm_one_vs_rest_balancing_is_refused(params):
    params.setdefault("objective", "multiclassova")
    X, y, _ = _data(3, n=150)
    with pytest.raises(ValueError, match="multiclassova"):
        ThresholdMover(_lightgbm(**params), deploy_priors="train").fit(X, y)


def _xgboost(**params):
    xgb = pytest.importorskip("xgboost")
    return xgb.XGBClassifier(
        n_estimators=100, max_depth=1, min_child_weight=0, reg_lambda=0,
        learning_rate=0.5, n_jobs=1, **params,
    )  # fmt: skip


@pytest.mark.parametrize("sample_weight", [False, True])
def test_xgboost_scale_pos_weight_and_foreign_parameters(sample_weight):
    _check(_xgboost(scale_pos_weight=4.0), sample_weight=sample_weight)
    mover = _check(_xgboost(is_unbalance=True))  # not XGBoost's: ignored
    assert abs(mover.train_priors_[1] - 0.15) < 0.05
    _check(_xgboost().set_params(scale_pos_weight=3.0), n_classes=2)


def test_xgboost_scale_pos_weight_with_an_unknown_objective_is_refused():
    X, y, _ = _data(2, n=100)
    model = _xgboost(scale_pos_weight=4.0, objective="binary:hinge")
    with pytest.raises(ValueError, match="binary:hinge"):
        ThresholdMover(model, deploy_priors="train").fit(X, y)


def _catboost(**params):
    catboost = pytest.importorskip("catboost")
    return catboost.CatBoostClassifier(
        iterations=150, depth=1, learning_rate=0.5, l2_leaf_reg=1e-6,
        verbose=0, allow_writing_files=False, thread_count=1, **params,
    )  # fmt: skip


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("auto", ["Balanced", "SqrtBalanced"])
def test_catboost_auto_class_weights_with_sample_weight(auto, n_classes):
    _check(_catboost(auto_class_weights=auto), n_classes, sample_weight=True)


def test_catboost_class_weights_follow_class_names_order():
    X, y, _ = _data(3)
    labels = np.array([10, 5, 7])[y]
    # Frozen: CatBoost's list class_weights cannot be cloned by scikit-learn.
    model = _catboost(class_weights=(1, 2, 5), class_names=[10, 7, 5]).fit(X, labels)
    frozen = FrozenEstimator(model)
    mover = ThresholdMover(frozen, deploy_priors="train").fit(X, labels)
    np.testing.assert_allclose(
        mover.train_priors_, model.predict_proba(X).mean(axis=0), atol=0.01
    )
