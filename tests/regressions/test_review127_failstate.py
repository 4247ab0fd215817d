"""Review 127, area ``failstate``: object state after a refused refit.

Each public estimator / sampler / torch sampler was fitted successfully, then
refitted (or updated / restored) with refused input: one class, NaN labels, a
bad parameter through ``set_params``, another ``n_features``. Checked: the
error type and that it names the argument, that the inputs are unchanged, and
that the fitted attributes are not a mix of the old fit and the failed one
(scikit-learn's convention: a failed fit may leave the object unusable, never
half-updated into silently wrong answers). Predictions after a failed refit
are compared with those of the last successful fit, computed by hand from the
fitted scikit-learn estimator. Also: feature-name warnings when predicting on
another container type than the one fitted on, as scikit-learn gives them.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.datasets import CharVocabulary

RNG = np.random.RandomState(0)
X = RNG.randn(40, 3)
Y = np.array([0] * 30 + [1] * 10)
X5 = np.random.RandomState(1).randn(20, 5)
Y3 = np.array([0] * 5 + [1] * 5 + [2] * 10)

SAMPLERS = [
    RandomOverSampler,
    RandomUnderSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
FITTED = ("sampling_strategy_", "n_features_in_", "shrinkage_", "feature_names_in_")


def _fitted(obj, names=FITTED):
    return {n: obj.__dict__[n] for n in names if n in obj.__dict__}


def _assert_not_mixed(before, after):
    """Every fitted attribute left is that of the last successful fit, or
    all of them are gone: no mix of old and new."""
    if not after:
        return
    assert after.keys() == before.keys(), (before, after)
    for name in before:
        assert repr(after[name]) == repr(before[name]), (name, before, after)


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize("bad", ["one_class", "nan_label"])
def test_sampler_refused_labels_keep_last_fit(cls, bad):
    s = cls(random_state=0)
    s.fit_resample(X, Y)
    before = _fitted(s)
    indices = s.sample_indices_
    y_bad = (
        np.zeros(20) if bad == "one_class" else np.r_[np.nan, np.zeros(9), np.ones(10)]
    )
    y_copy, x_copy = y_bad.copy(), X5.copy()
    with pytest.raises(ValueError, match=r"\by\b"):
        s.fit_resample(X5, y_bad)
    np.testing.assert_array_equal(y_bad, y_copy)
    np.testing.assert_array_equal(X5, x_copy)
    # (stop 56, review 128) The last fit whole, its draw's indices included.
    assert s.sample_indices_ is indices
    _assert_not_mixed(before, _fitted(s))


@pytest.mark.parametrize("cls", [RandomOverSampler, ClassBalancedSampler])
def test_sampler_refused_strategy_no_mix(cls):
    s = cls(random_state=0).fit(X, Y)
    before = _fitted(s)
    s.set_params(sampling_strategy={7: 100})
    with pytest.raises(ValueError, match="sampling_strategy"):
        s.fit(X5, Y3)
    _assert_not_mixed(before, _fitted(s))


def test_over_sampler_refused_shrinkage_no_mix():
    s = RandomOverSampler(shrinkage={1: 0.5}, random_state=0).fit(X, Y)
    before = _fitted(s)
    assert before["shrinkage_"] == {1: 0.5}
    with pytest.raises(ValueError, match="shrinkage"):
        s.fit(X5, Y3)  # class 0 is over-sampled too and has no factor
    _assert_not_mixed(before, _fitted(s))


def test_over_sampler_refused_shrinkage_param_keeps_state():
    s = RandomOverSampler(shrinkage=0.5, random_state=0).fit(X, Y)
    before = _fitted(s)
    s.set_params(shrinkage=-1.0)
    with pytest.raises(ValueError, match="shrinkage"):
        s.fit(X5, Y3)
    assert (
        _fitted(s)
        == before
        == {
            "sampling_strategy_": {1: 20},
            "n_features_in_": 3,
            "shrinkage_": {1: 0.5},
        }
    )


def test_threshold_mover_failed_refit_predicts_as_last_fit():
    tm = ThresholdMover(LogisticRegression(), strategy="fixed", threshold=0.7)
    tm.fit(X, Y)
    before = _fitted(tm, ("threshold_", "n_features_in_", "classes_", "estimator_"))
    tm.set_params(threshold=-2.0)
    with pytest.raises(ValueError, match="threshold"):
        tm.fit(X[:, :2], Y)
    after = _fitted(tm, ("threshold_", "n_features_in_", "classes_", "estimator_"))
    assert after["threshold_"] == 0.7 and after["n_features_in_"] == 3
    assert after["estimator_"] is before["estimator_"]
    proba = tm.estimator_.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(tm.predict(X), (proba >= 0.7).astype(int))
    with pytest.raises(ValueError, match="y has one class"):
        tm.fit(X5, np.zeros(20, int))
    np.testing.assert_array_equal(tm.predict(X), (proba >= 0.7).astype(int))


def test_resampled_classifier_failed_refit_keeps_last_fit():
    df = pd.DataFrame(X, columns=list("abc"))
    rc = ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression())
    rc.fit(df, Y)
    p0 = rc.predict_proba(df)
    names = ("classifier_", "sampler_", "n_features_in_", "feature_names_in_")
    before = _fitted(rc, names)
    for Xb, yb in (
        (X5, np.zeros(20)),
        (X5, np.r_[np.nan, np.zeros(9), np.ones(10)]),
    ):
        with pytest.raises(ValueError, match=r"\by\b"):
            rc.fit(Xb, yb)
    rc.set_params(sampler__sampling_strategy={7: 3})
    with pytest.raises(ValueError, match="sampling_strategy"):
        rc.fit(X5, np.r_[np.zeros(10), np.ones(10)])
    after = _fitted(rc, names)
    assert after["classifier_"] is before["classifier_"]
    assert after["n_features_in_"] == 3
    np.testing.assert_array_equal(after["feature_names_in_"], ["a", "b", "c"])
    np.testing.assert_allclose(rc.predict_proba(df), p0)


def _warnings_of(f):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        f()
    return [str(x.message) for x in w if issubclass(x.category, UserWarning)]


def test_feature_name_warnings_across_containers():
    df = pd.DataFrame(X, columns=list("abc"))
    tm = ThresholdMover(LogisticRegression()).fit(df, Y)
    # scikit-learn's own warning for a numpy X after a DataFrame fit
    ref = LogisticRegression().fit(df, Y)
    assert any(
        "does not have valid feature names" in m
        for m in _warnings_of(lambda: ref.predict(X))
    )
    assert any(
        "does not have valid feature names" in m
        for m in _warnings_of(lambda: tm.predict(X))
    )
    tm.fit(X, Y)  # refit on numpy: the old names must go
    assert "feature_names_in_" not in tm.__dict__
    assert any("X has feature names" in m for m in _warnings_of(lambda: tm.predict(df)))
    pl = pytest.importorskip("polars")
    assert any(
        "X has feature names" in m
        for m in _warnings_of(lambda: tm.predict(pl.from_numpy(X, schema=list("abc"))))
    )


def test_sampler_refit_numpy_after_pandas_drops_names():
    s = RandomUnderSampler(random_state=0)
    s.fit_resample(pd.DataFrame(X, columns=list("abc")), Y)
    np.testing.assert_array_equal(s.feature_names_in_, ["a", "b", "c"])
    s.fit_resample(X5, np.r_[np.zeros(10), np.ones(10)])
    assert "feature_names_in_" not in s.__dict__ and s.n_features_in_ == 5


def test_char_vocabulary_failed_refit_keeps_vocabulary():
    v = CharVocabulary().fit(["abc", "de"])
    before = dict(v.vocabulary_), v.n_ids_
    bad = [1, 2]
    with pytest.raises(TypeError, match="texts"):
        v.fit(bad)
    with pytest.raises(TypeError, match="texts"):
        v.fit("abc")
    assert bad == [1, 2]
    assert (
        (v.vocabulary_, v.n_ids_)
        == before
        == ({c: i + 2 for i, c in enumerate("abcde")}, 7)
    )
    assert v.transform(["ab"])[0, :3].tolist() == [2, 3, 0]


def test_torch_sampler_refused_state_and_epoch_change_nothing():
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    rs = RebalanceSampler(torch.tensor(Y), num_replicas=1, rank=0, seed=0)
    rs.set_epoch(2)
    first = list(rs)
    state, epoch = rs.state_dict(), rs.epoch
    with pytest.raises(ValueError, match="state_dict"):
        rs.load_state_dict({**state, "length": 3})
    with pytest.raises(ValueError, match="epoch"):
        rs.set_epoch(-1)
    with pytest.raises(TypeError, match="epoch"):
        rs.set_epoch(1.5)
    assert rs.state_dict() == state
    assert rs.epoch == epoch
    rs.set_epoch(2)
    assert list(rs) == first


def test_hard_example_sampler_refused_update_keeps_pool():
    torch = pytest.importorskip("torch")
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    h = HardExampleSampler(
        RebalanceSampler(torch.tensor(Y), num_replicas=1, rank=0, seed=0), pool_size=4
    )
    h.update(torch.tensor([1, 2, 3]), torch.tensor([0.5, 0.2, 0.9]))
    ids, losses = h.pool_ids.copy(), h.pool_losses.copy()
    bad_losses = torch.tensor([float("nan"), 1.0])
    for idx, loss, word in (
        (torch.tensor([1, 2]), bad_losses, "losses"),
        (torch.tensor([1, 200]), torch.tensor([0.1, 1.0]), "indices"),
        (torch.tensor([1, 2]), torch.tensor([0.1]), "losses"),
    ):
        with pytest.raises(ValueError, match=word):
            h.update(idx, loss)
    assert torch.isnan(bad_losses[0])
    np.testing.assert_array_equal(h.pool_ids, ids)
    np.testing.assert_array_equal(h.pool_losses, losses)
    np.testing.assert_array_equal(ids, [1, 2, 3])
