"""Review 105, gradient boosting: LightGBM and HistGradientBoosting with
ResampledClassifier, ThresholdMover and rebalance's class weights."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from rebalance import (
    RandomOverSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)

lgb = pytest.importorskip("lightgbm")

pytestmark = pytest.mark.filterwarnings("ignore:The argument .eval_set. is deprecated")

PARAMS = dict(
    n_estimators=20, verbose=-1, random_state=0, min_child_samples=5, n_jobs=1
)


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.2, "yes", "no")
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n) + (y == "yes"),
            "b": rng.normal(size=n),
            "c": pd.Categorical(rng.choice(["u", "v", "w"], size=n)),
        }
    )
    return X, y


def _numeric(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = pd.DataFrame({"a": rng.normal(size=n) + y, "b": rng.normal(size=n)})
    return X, y


def _by_hand(X, y):
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    return X_res, y_res, sampler.sample_indices_


def test_eval_x_with_reordered_index_is_passed_unchanged():
    X, y = _numeric()
    perm = np.random.default_rng(1).permutation(len(y))
    X_eval, y_eval = X.iloc[perm], pd.Series(y).iloc[perm]
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    ).fit(X, y, eval_X=X_eval, eval_y=y_eval)
    X_res, y_res, _ = _by_hand(X, y)
    hand = lgb.LGBMClassifier(**PARAMS).fit(X_res, y_res, eval_X=X_eval, eval_y=y_eval)
    np.testing.assert_allclose(
        model.classifier_.evals_result_["valid_0"]["binary_logloss"],
        hand.evals_result_["valid_0"]["binary_logloss"],
    )


def test_threshold_mover_x_val_with_reordered_index_is_passed_unchanged():
    X, y = _numeric()
    perm = np.random.default_rng(1).permutation(len(y))
    X_val, y_val = X.iloc[perm], pd.Series(y).iloc[perm]
    hgb = HistGradientBoostingClassifier(max_iter=10, early_stopping=True)
    mover = ThresholdMover(hgb).fit(X, y, X_val=X_val, y_val=y_val)
    direct = HistGradientBoostingClassifier(max_iter=10, early_stopping=True)
    direct.fit(X, y, X_val=X_val, y_val=y_val)
    np.testing.assert_allclose(mover.predict_proba(X), direct.predict_proba(X))


def test_eval_x_with_other_index_same_length_matches_by_hand():
    X, y = _numeric()
    X_eval = X.set_axis(X.index + 1000)
    y_eval = pd.Series(y, index=X_eval.index)
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    ).fit(X, y, eval_X=X_eval, eval_y=y_eval)
    X_res, y_res, _ = _by_hand(X, y)
    hand = lgb.LGBMClassifier(**PARAMS).fit(X_res, y_res, eval_X=X_eval, eval_y=y_eval)
    np.testing.assert_allclose(
        model.classifier_.evals_result_["valid_0"]["binary_logloss"],
        hand.evals_result_["valid_0"]["binary_logloss"],
    )


def test_eval_set_and_early_stopping_match_by_hand():
    X, y = _data()
    X_val, y_val = X.iloc[:80].copy(), y[:80]
    fit = dict(
        eval_set=[(X_val, y_val)],
        eval_metric="binary_logloss",
        callbacks=[lgb.early_stopping(3, verbose=False)],
    )
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    ).fit(X, y, **fit)
    X_res, y_res, _ = _by_hand(X, y)
    hand = lgb.LGBMClassifier(**PARAMS).fit(X_res, y_res, **fit)
    assert model.classifier_.best_iteration_ == hand.best_iteration_
    assert len(model.classifier_.evals_result_["valid_0"]["binary_logloss"]) == len(
        hand.evals_result_["valid_0"]["binary_logloss"]
    )
    np.testing.assert_allclose(model.predict_proba(X), hand.predict_proba(X))
    assert list(model.classes_) == ["no", "yes"]


def test_sample_weight_and_init_score_follow_resampled_rows():
    X, y = _data()
    rng = np.random.default_rng(3)
    weight, init = rng.random(len(y)) + 0.5, rng.normal(size=len(y))
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    ).fit(X, y, sample_weight=weight, init_score=init)
    X_res, y_res, idx = _by_hand(X, y)
    hand = lgb.LGBMClassifier(**PARAMS).fit(
        X_res, y_res, sample_weight=weight[idx], init_score=init[idx]
    )
    np.testing.assert_allclose(model.predict_proba(X), hand.predict_proba(X))


def test_multiclass_2d_init_score_follows_rows_and_flat_one_is_refused():
    rng = np.random.default_rng(0)
    n = 180
    y = rng.choice(["cat", "ant", "bee"], p=[0.7, 0.2, 0.1], size=n)
    X = pd.DataFrame({"a": rng.normal(size=n) + (y == "ant"), "b": rng.normal(size=n)})
    init = rng.normal(size=(n, 3))
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    ).fit(X, y, init_score=init)
    X_res, y_res, idx = _by_hand(X, y)
    hand = lgb.LGBMClassifier(**PARAMS).fit(X_res, y_res, init_score=init[idx])
    assert list(model.classes_) == ["ant", "bee", "cat"]
    np.testing.assert_allclose(model.predict_proba(X), hand.predict_proba(X))
    with pytest.raises(ValueError, match="init_score"):
        ResampledClassifier(
            RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
        ).fit(X, y, init_score=init.ravel(order="F"))


def test_category_columns_survive_resampling_for_lightgbm():
    X, y = _data()
    X_res, _, _ = _by_hand(X, y)
    assert isinstance(X_res["c"].dtype, pd.CategoricalDtype)
    assert list(X_res["c"].cat.categories) == ["u", "v", "w"]
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    ).fit(X, y, categorical_feature=["c"])
    assert model.classifier_.booster_.pandas_categorical == [["u", "v", "w"]]


def test_feature_name_and_categorical_feature_passed_as_given():
    X, y = _data()
    X_num = X.assign(c=X["c"].cat.codes).to_numpy(float)
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    ).fit(X_num, y, categorical_feature=[2], feature_name=["a", "b", "c"])
    assert model.classifier_.feature_name_ == ["a", "b", "c"]


def test_hgb_early_stopping_after_oversampling_warns_unless_x_val():
    X, y = _numeric()
    hgb = HistGradientBoostingClassifier(max_iter=10, early_stopping=True)
    with pytest.warns(UserWarning, match="more than once"):
        ResampledClassifier(RandomOverSampler(random_state=0), hgb).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        ResampledClassifier(RandomOverSampler(random_state=0), hgb).fit(
            X, y, X_val=X.iloc[:50], y_val=y[:50]
        )


def test_hgb_balanced_equals_rebalance_sample_weights():
    X, y = _data()
    X_num = X.assign(c=X["c"].cat.codes).to_numpy(float)
    kw = dict(early_stopping=False, random_state=0, max_iter=15)
    balanced = HistGradientBoostingClassifier(class_weight="balanced", **kw)
    weighted = HistGradientBoostingClassifier(**kw)
    balanced.fit(X_num, y)
    weighted.fit(X_num, y, sample_weight=sample_weights(y))
    np.testing.assert_allclose(
        balanced.predict_proba(X_num), weighted.predict_proba(X_num)
    )


def test_lgbm_class_weight_dict_with_string_labels_equals_balanced():
    X, y = _data()
    weights = class_weights(y)
    assert set(weights) == {"no", "yes"} and weights["yes"] > weights["no"]
    by_dict = lgb.LGBMClassifier(class_weight=weights, **PARAMS).fit(X, y)
    balanced = lgb.LGBMClassifier(class_weight="balanced", **PARAMS).fit(X, y)
    np.testing.assert_allclose(by_dict.predict_proba(X), balanced.predict_proba(X))


def test_threshold_mover_tuned_over_lgbm_with_categoricals():
    X, y = _data()
    mover = ThresholdMover(lgb.LGBMClassifier(**PARAMS), strategy="tuned", cv=3)
    mover.fit(X, y)
    plain = lgb.LGBMClassifier(**PARAMS).fit(X, y)
    assert list(mover.classes_) == ["no", "yes"]
    assert 0.0 < mover.threshold_ < 1.0
    np.testing.assert_allclose(mover.predict_proba(X), plain.predict_proba(X))
    proba = mover.predict_proba(X)[:, 1]
    expected = np.where(proba >= mover.threshold_, "yes", "no")
    assert (mover.predict(X) == expected).mean() > 0.99
    assert mover.estimator_.booster_.pandas_categorical == [["u", "v", "w"]]


def test_threshold_mover_tuned_routes_lightgbm_fit_params():
    X, y = _data()
    X_val, y_val = X.iloc[:80].copy(), y[:80]
    mover = ThresholdMover(lgb.LGBMClassifier(**PARAMS), strategy="tuned", cv=3)
    mover.fit(
        X,
        y,
        eval_set=[(X_val, y_val)],
        callbacks=[lgb.early_stopping(3, verbose=False)],
        categorical_feature=["c"],
    )
    assert mover.estimator_.best_iteration_ >= 1
    assert "valid_0" in mover.estimator_.evals_result_


def test_imblearn_pipeline_refuses_sample_weight_for_lgbm():
    from imblearn.pipeline import make_pipeline

    X, y = _data()
    pipe = make_pipeline(
        RandomOverSampler(random_state=0), lgb.LGBMClassifier(**PARAMS)
    )
    with pytest.raises(ValueError, match="ResampledClassifier"):
        pipe.fit(X, y, lgbmclassifier__sample_weight=np.ones(len(y)))


def test_smotenc_with_sample_weight_refused_clearly():
    over = pytest.importorskip("imblearn.over_sampling")
    X, y = _data()
    model = ResampledClassifier(
        over.SMOTENC(categorical_features=[2], random_state=0),
        lgb.LGBMClassifier(**PARAMS),
    )
    with pytest.raises(TypeError, match="sample_indices_"):
        model.fit(X, y, sample_weight=np.ones(len(y)))
