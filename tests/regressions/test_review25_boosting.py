"""Review 25 (boosting): rebalance with LightGBM / XGBoost / CatBoost style
fit parameters. The stand-in classifiers below take the boosting libraries'
fit parameters, so most checks run without those libraries installed."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

_SEEN: list = []  # every fit's parameters (the tuning folds' included)


class _Booster(ClassifierMixin, BaseEstimator):
    """Records the boosting-style fit parameters it gets."""

    def fit(
        self,
        X,
        y,
        sample_weight=None,
        init_score=None,
        base_margin=None,
        feature_name="auto",
        categorical_feature="auto",
        feature_weights=None,
        cat_features=None,
        callbacks=None,
        eval_set=None,
    ):
        self.got_ = {
            "init_score": init_score,
            "base_margin": base_margin,
            "feature_name": feature_name,
            "categorical_feature": categorical_feature,
            "feature_weights": feature_weights,
            "cat_features": cat_features,
            "callbacks": callbacks,
            "eval_set": eval_set,
            "n_rows": len(y),
        }
        _SEEN.append(self.got_)
        self._model = LogisticRegression().fit(X, y)
        self.classes_ = self._model.classes_
        return self

    def predict(self, X):
        return self._model.predict(X)

    def predict_proba(self, X):
        return self._model.predict_proba(X)


def _multiclass(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    y[: n // 2] = 0
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y, rng


@pytest.mark.parametrize("name", ["init_score", "base_margin"])
@pytest.mark.parametrize(
    "sampler",
    [ClassBalancedSampler(random_state=0), RandomUnderSampler(random_state=0)],
)
def test_flattened_multiclass_margin_is_refused_not_passed_unresampled(name, sampler):
    # A multiclass margin flattened to n_samples * n_classes values (accepted
    # by LightGBM and XGBoost) was not "one value per row", so it reached the
    # classifier as given; ClassBalancedSampler returns as many rows as given,
    # so the library read it against other rows, silently.
    X, y, rng = _multiclass()
    flat = rng.normal(size=3 * len(y))
    model = ResampledClassifier(sampler, _Booster())
    with pytest.raises(ValueError, match=rf"{name} has 900 rows but X has 300"):
        model.fit(X, y, **{name: flat})


def test_margin_of_wrong_length_is_refused_before_the_sampler():
    X, y, rng = _multiclass()
    with pytest.raises(ValueError, match="init_score has 299 rows but X has 300"):
        ResampledClassifier(RandomUnderSampler(random_state=0), _Booster()).fit(
            X, y, init_score=rng.normal(size=299)
        )


def test_flattened_margin_is_refused_through_repeated_rows_and_tuning_folds():
    X, y, rng = _multiclass()
    yb = (y > 0).astype(int)
    flat = rng.normal(size=2 * len(y))
    with pytest.raises(ValueError, match="init_score has 600 rows"):
        ThresholdMover(_Booster(), strategy="tuned", cv=3).fit(X, yb, init_score=flat)


def test_margin_one_per_row_still_follows_the_rows():
    X, y, rng = _multiclass()
    margin = rng.normal(size=(len(y), 3))
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Booster())
    model.fit(X, y, init_score=margin)
    rows = model.sampler_.sample_indices_
    np.testing.assert_array_equal(model.classifier_.got_["init_score"], margin[rows])


@pytest.mark.parametrize("routing", [False, True])
@pytest.mark.parametrize(
    "name",
    ["feature_name", "categorical_feature", "feature_weights", "cat_features"],
)
def test_per_feature_fit_params_are_not_resampled_when_features_equal_rows(
    name, routing
):
    # As many features as rows: a per-feature list had "one value per row"
    # and was resampled with the rows (names shuffled, categorical columns
    # changed, silently).
    rng = np.random.default_rng(1)
    n = 12
    y = np.array([0] * 8 + [1] * 4)
    X = rng.normal(size=(n, n)) + y[:, None]
    value = [f"f{j}" for j in range(n)] if "name" in name else list(range(n))
    clf = _Booster()
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            clf.set_fit_request(**{name: True})
        model = ResampledClassifier(RandomUnderSampler(random_state=0), clf)
        model.fit(X, y, **{name: value})
    assert model.classifier_.got_["n_rows"] == 8
    assert model.classifier_.got_[name] == value


def test_per_feature_fit_params_are_not_split_by_tuning_folds():
    rng = np.random.default_rng(2)
    n = 30
    y = np.array([0] * 20 + [1] * 10)
    X = rng.normal(size=(n, n)) + y[:, None]
    names = [f"f{j}" for j in range(n)]
    _SEEN.clear()
    ThresholdMover(_Booster(), strategy="tuned", cv=3).fit(X, y, feature_name=names)
    assert len(_SEEN) == 4  # the model, and one per fold
    assert all(seen["feature_name"] == names for seen in _SEEN)


# ---------------------------------------------------------------- LightGBM


def _binary(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    X = rng.normal(size=(n, 4)) + y[:, None]
    return X, y, rng


@pytest.mark.filterwarnings("ignore:The argument 'eval_set' is deprecated")
def test_lightgbm_weights_and_init_score_follow_the_rows_eval_set_untouched():
    lgb = pytest.importorskip("lightgbm")
    X, y, rng = _binary()
    w = rng.random(len(y)) + 0.5
    init = rng.normal(size=len(y))
    # A validation set as long as the training set is still not resampled.
    X_val, y_val = rng.normal(size=X.shape), y.copy()
    clf = lgb.LGBMClassifier(n_estimators=10, verbose=-1)
    params = {"eval_set": [(X_val, y_val)], "eval_sample_weight": [w]}
    model = ResampledClassifier(RandomUnderSampler(random_state=0), clf).fit(
        X, y, sample_weight=w, init_score=init, **params
    )
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_
    manual = clone(clf).fit(
        X_res, y_res, sample_weight=w[rows], init_score=init[rows], **params
    )
    np.testing.assert_array_equal(model.predict_proba(X), manual.predict_proba(X))


def test_lightgbm_flattened_multiclass_init_score_refused():
    lgb = pytest.importorskip("lightgbm")
    X, y, rng = _multiclass()
    model = ResampledClassifier(
        ClassBalancedSampler(random_state=0),
        lgb.LGBMClassifier(n_estimators=5, verbose=-1),
    )
    with pytest.raises(ValueError, match="init_score.reshape"):
        model.fit(X, y, init_score=rng.normal(size=3 * len(y)))


def test_lightgbm_pandas_categories_kept_through_samplers():
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(3)
    n = 200
    y = np.where(rng.random(n) < 0.2, "fraud", "ok")
    dtype = pd.CategoricalDtype(["z", "a", "b", "unused"])
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n) + (y == "fraud"),
            "c": pd.Series(rng.choice(["z", "a", "b"], n)).astype(dtype),
        }
    )
    for sampler in (
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
    ):
        X_res, _ = clone(sampler).fit_resample(X, y)
        assert X_res["c"].dtype == dtype
        model = ResampledClassifier(
            sampler, lgb.LGBMClassifier(n_estimators=5, verbose=-1)
        ).fit(X, y)
        assert list(model.classes_) == ["fraud", "ok"]
        assert model.predict_proba(X).shape == (n, 2)
