"""Review 114 (compose3): a white-box audit of ``rebalance/compose.py``'s
``ResampledClassifier``: per-row fit parameters of unusual container types
(ranges, pandas Index/Categorical/extension arrays, ragged lists, sparse,
polars) resampled with the rows, validation sets of the training set's length
passed unchanged, priors after partial under-sampling with weights and class
weights, random_state propagation, refit after set_params, weighted score under
metadata routing, imbalanced-learn samplers without ``sample_indices_`` refused
for per-row parameters, and polars input's feature names. No bug was confirmed;
every test here pins verified behaviour."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, GroupKFold

from rebalance import RandomUnderSampler, ResampledClassifier

RNG = np.random.default_rng(0)
Y = np.array([0] * 80 + [1] * 20)
X = RNG.normal(size=(100, 3)) + Y[:, None]


class _Recorder(LogisticRegression):
    def fit(self, X, y, sample_weight=None, extra=None, X_val=None):
        self.sw_, self.extra_, self.xv_ = sample_weight, extra, X_val
        return super().fit(X, y, sample_weight=sample_weight)


def _model(classifier=None, **sampler):
    sampler.setdefault("random_state", 0)
    return ResampledClassifier(
        RandomUnderSampler(**sampler), classifier or LogisticRegression()
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda ids: range(100),
        lambda ids: pd.Index(ids),
        lambda ids: pd.Categorical(ids),
        lambda ids: pd.array(ids, dtype="Int64"),
        lambda ids: [[i] * (i % 3) for i in ids],
        lambda ids: sp.csr_matrix(ids[:, None].astype(float)),
        lambda ids: pd.DataFrame({"a": ids}, index=ids[::-1]),
    ],
    ids=["range", "index", "categorical", "Int64", "ragged", "sparse", "frame"],
)
def test_pin_per_row_parameter_of_any_container_follows_the_rows(make):
    ids = np.arange(100)
    model = _model(_Recorder()).fit(X, Y, extra=make(ids))
    taken = model.classifier_.extra_
    idx = model.sampler_.sample_indices_
    if sp.issparse(taken):
        got = taken.toarray().ravel()
    elif isinstance(taken, pd.DataFrame):
        got = taken["a"].to_numpy()
    elif isinstance(taken, list):
        got = [len(v) for v in taken]
        assert got == [i % 3 for i in idx]
        return
    else:
        got = np.asarray(taken)
    np.testing.assert_array_equal(np.asarray(got, dtype=float), idx.astype(float))


def test_pin_validation_set_as_long_as_x_is_passed_unchanged():
    model = _model(_Recorder()).fit(X, Y, X_val=X)
    assert model.classifier_.xv_ is X


def test_pin_weights_and_groups_resampled_together():
    sw = np.arange(100.0) + 1
    model = _model(_Recorder()).fit(X, Y, sample_weight=sw, extra=np.arange(100))
    idx = model.sampler_.sample_indices_
    np.testing.assert_array_equal(model.classifier_.sw_, sw[idx])
    np.testing.assert_array_equal(model.classifier_.extra_, idx)


def test_pin_priors_of_partial_draw_and_of_weights():
    part = _model(sampling_strategy=0.5).fit(X, Y)
    np.testing.assert_allclose(part.resampled_priors_, [2 / 3, 1 / 3])
    weighted = _model().fit(X, Y, sample_weight=np.r_[np.ones(80), np.full(20, 3.0)])
    np.testing.assert_allclose(weighted.resampled_priors_, [0.25, 0.75])
    balanced = _model(
        LogisticRegression(class_weight="balanced"), sampling_strategy=0.5
    ).fit(X, Y)
    np.testing.assert_allclose(balanced.resampled_priors_, [0.5, 0.5])


def test_pin_random_state_none_draws_anew_and_a_seed_repeats():
    model = _model(random_state=None)
    first = model.fit(X, Y).sampler_.sample_indices_.copy()
    assert not np.array_equal(first, model.fit(X, Y).sampler_.sample_indices_)
    seeded = _model()
    first = seeded.fit(X, Y).sampler_.sample_indices_.copy()
    np.testing.assert_array_equal(first, seeded.fit(X, Y).sampler_.sample_indices_)


def test_pin_refit_after_set_params_uses_the_new_parameters():
    model = _model(LogisticRegression(C=1.0)).fit(X, Y)
    model.set_params(classifier__C=0.01, sampler__sampling_strategy=0.5).fit(X, Y)
    assert model.classifier_.C == 0.01
    assert len(model.sampler_.sample_indices_) == 60


def test_pin_weighted_score_matches_weighted_accuracy_with_routing():
    sw = RNG.uniform(size=100)
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            LogisticRegression()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True),
            {"C": [1.0, 2.0]},
            cv=GroupKFold(3),
        )
        model = _model(search).fit(
            X, Y, groups=np.repeat(np.arange(10), 10), sample_weight=sw
        )
        got = model.score(X, Y, sample_weight=sw)
    assert got == pytest.approx(accuracy_score(Y, model.predict(X), sample_weight=sw))


def test_pin_imblearn_sampler_without_indices_refuses_per_row_weights():
    over = pytest.importorskip("imblearn.over_sampling")
    model = ResampledClassifier(over.SMOTE(random_state=0), LogisticRegression())
    with pytest.raises(TypeError, match="sample_indices_"):
        model.fit(X, Y, sample_weight=np.ones(100))
    assert model.fit(X, Y).resampled_priors_.tolist() == [0.5, 0.5]


def test_pin_polars_frame_gives_feature_names():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(X, schema=list("abc"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = _model().fit(frame, Y)
        assert model.predict(frame).shape == (100,)
    assert model.feature_names_in_.tolist() == ["a", "b", "c"]
    assert model.n_features_in_ == 3
