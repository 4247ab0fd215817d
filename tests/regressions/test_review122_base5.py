"""Review 122, area base5: white-box pins of the sampler base class
(``rebalance/base.py``) and the four estimator samplers (``rebalance/samplers.py``):
state reset between fits (classes, ``sample_indices_``, feature names,
``shrinkage_``), ``plan()`` and its independence from later parameter changes
and from the caller's labels, invalid parameters caught at fit, ``random_state``
given as a shared RandomState or Generator, pickling a fitted sampler,
alignment of ``sample_weight`` and ``sample_indices_`` with the rows, one
sampler used from two threads, and ``sampling_strategy_`` / ``shrinkage_``
compared with imbalanced-learn's ``RandomUnderSampler`` / ``RandomOverSampler``.
"""

import pickle
import threading

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

Y3 = np.repeat([0, 1, 2], [30, 12, 5])
X3 = np.arange(47 * 2, dtype=float).reshape(47, 2)


def test_refit_on_other_classes_forgets_first_fit():
    sampler = RandomOverSampler(random_state=0)
    sampler.fit_resample(X3, Y3)
    y2 = np.array(["a"] * 30 + ["b"] * 12 + ["c"] * 5)
    _, y_res = sampler.fit_resample(X3, y2)
    assert sampler.sampling_strategy_ == {"b": 18, "c": 25}
    assert sorted(set(y_res.tolist())) == ["a", "b", "c"]


def test_fit_after_fit_resample_drops_sample_indices_and_feature_names():
    sampler = RandomUnderSampler(random_state=0)
    frame = pd.DataFrame(X3, columns=["a", "b"])
    sampler.fit_resample(frame, Y3)
    assert hasattr(sampler, "sample_indices_")
    sampler.fit(X3, Y3)
    assert not hasattr(sampler, "sample_indices_")
    assert not hasattr(sampler, "feature_names_in_")
    assert sampler.get_feature_names_out().tolist() == ["x0", "x1"]


def test_shrinkage_dict_for_old_classes_refused_on_refit():
    sampler = RandomOverSampler(shrinkage={1: 1.0}, random_state=0)
    sampler.fit_resample(X3, np.repeat([0, 1], [30, 17]))
    assert sampler.shrinkage_ == {1: 1.0}
    y2 = np.array(["a"] * 30 + ["b"] * 17)
    with pytest.raises(ValueError, match="shrinkage names classes"):
        sampler.fit_resample(X3, y2)


def test_shrinkage_reset_to_none_by_set_params():
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    sampler.fit_resample(X3, Y3)
    sampler.set_params(shrinkage=None).fit_resample(X3, Y3)
    assert sampler.shrinkage_ is None


@pytest.mark.parametrize(
    ("sampler", "params"),
    [
        (RandomUnderSampler(), {"replacement": "yes"}),
        (RandomUnderSampler(), {"shuffle": 1}),
        (RandomOverSampler(), {"shrinkage": -1}),
        (RandomOverSampler(), {"shrinkage": float("nan")}),
        (RandomOverSampler(), {"shrinkage": True}),
        (RandomOverSampler(), {"shrinkage": {1: -1}}),
        (ClassBalancedSampler(), {"power": 2}),
        (ClassBalancedSampler(), {"n_samples": 2.0}),
        (RandomUnderSampler(), {"random_state": -1}),
        (RandomUnderSampler(), {"sampling_strategy": 0.0}),
        (LabelShuffleSampler(), {"sampling_strategy": "majority"}),
    ],
)
def test_invalid_set_params_caught_at_fit(sampler, params):
    sampler.set_params(**params)
    with pytest.raises(ValueError):
        sampler.fit_resample(X3[:20], np.repeat([0, 1], [14, 6]))


def test_shared_random_state_is_consumed_and_int_seed_repeats():
    rs = np.random.RandomState(0)
    sampler = RandomUnderSampler(random_state=rs)
    first = sampler.fit_resample(X3, Y3)[0]
    assert not np.array_equal(first, sampler.fit_resample(X3, Y3)[0])
    seeded = RandomUnderSampler(random_state=3)
    assert np.array_equal(
        seeded.fit_resample(X3, Y3)[0], seeded.fit_resample(X3, Y3)[0]
    )
    saved = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(0)  # noqa: NPY002
        a = RandomUnderSampler().fit_resample(X3, Y3)[0]
        np.random.seed(0)  # noqa: NPY002
        assert np.array_equal(a, RandomUnderSampler().fit_resample(X3, Y3)[0])
    finally:
        np.random.set_state(saved)  # noqa: NPY002


def test_pickled_fitted_sampler_draws_the_same():
    sampler = RandomOverSampler(shrinkage={1: 0.5, 2: 0.0}, random_state=0)
    first = sampler.fit_resample(X3, Y3)
    loaded = pickle.loads(pickle.dumps(sampler))
    assert loaded.shrinkage_ == {1: 0.5, 2: 0.0}
    again = loaded.fit_resample(X3, Y3)
    assert np.array_equal(first[0], again[0])
    assert np.array_equal(first[1], again[1])


def test_plan_outlives_labels_and_later_set_params():
    y = Y3.copy()
    sampler = RandomUnderSampler()
    plan = sampler.plan(y)
    sampler.set_params(sampling_strategy="all")
    y[:] = 0
    drawn = plan.draw(np.random.default_rng(0))
    assert plan.n_output == len(drawn) == 15
    assert np.bincount(Y3[drawn]).tolist() == [5, 5, 5]
    assert sampler.plan(Y3, compact=True).draw(np.random.default_rng(0)).dtype == (
        np.int32
    )
    with pytest.raises(TypeError, match="compact"):
        sampler.plan(Y3, compact=1)
    with pytest.raises(TypeError, match="Generator"):
        plan.draw(0)


def test_weights_and_sample_indices_follow_rows():
    weights = np.arange(47.0) + 1
    for sampler in (
        RandomUnderSampler(random_state=0),
        RandomOverSampler(shrinkage=1.0, random_state=0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ):
        X_res, y_res, w_res = sampler.fit_resample(X3, Y3, sample_weight=weights)
        idx = sampler.sample_indices_
        assert np.array_equal(y_res, Y3[idx])
        assert np.array_equal(w_res, weights[idx])
        if not isinstance(sampler, RandomOverSampler):
            assert np.array_equal(X_res, X3[idx])


def test_one_sampler_two_threads_gives_each_its_own_result():
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    y2 = np.repeat([0, 1], [40, 7])
    refs = {
        0: RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(X3, Y3)[0],
        1: RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(X3, y2)[0],
    }
    bad = []

    def work(key, y):
        for _ in range(20):
            if not np.array_equal(sampler.fit_resample(X3, y)[0], refs[key]):
                bad.append(key)

    threads = [
        threading.Thread(target=work, args=(0, Y3)),
        threading.Thread(target=work, args=(1, y2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bad == []


@pytest.mark.parametrize(
    "strategy",
    ["auto", "all", "majority", "not minority", "not majority", {0: 10, 1: 6}],
)
def test_under_sampling_strategy_matches_imblearn(strategy):
    ours = RandomUnderSampler(sampling_strategy=strategy).fit(X3, Y3)
    theirs = ImbRUS(sampling_strategy=strategy).fit(X3, Y3)
    assert list(ours.sampling_strategy_.items()) == [
        (int(k), int(v)) for k, v in theirs.sampling_strategy_.items()
    ]


@pytest.mark.parametrize(
    "strategy", ["auto", "all", "minority", "not minority", {1: 40, 2: 30}]
)
def test_over_sampling_strategy_and_shrinkage_match_imblearn(strategy):
    ours = RandomOverSampler(sampling_strategy=strategy, shrinkage=0.3).fit(X3, Y3)
    theirs = ImbROS(sampling_strategy=strategy, shrinkage=0.3)
    theirs.fit_resample(X3, Y3)
    assert list(ours.sampling_strategy_.items()) == [
        (int(k), int(v)) for k, v in theirs.sampling_strategy_.items()
    ]
    assert ours.shrinkage_ == {int(k): v for k, v in theirs.shrinkage_.items()}


def test_shuffle_false_keeps_row_order():
    under = RandomUnderSampler(shuffle=False, random_state=0)
    under.fit_resample(X3, Y3)
    assert np.all(np.diff(under.sample_indices_) > 0)
    over = RandomOverSampler(shuffle=False, random_state=0)
    over.fit_resample(X3, Y3)
    assert np.all(np.diff(over.sample_indices_) >= 0)


def test_tags_follow_shrinkage():
    assert RandomUnderSampler().__sklearn_tags__().sampler_tags.sample_indices
    assert RandomOverSampler().__sklearn_tags__().input_tags.allow_nan
    tags = RandomOverSampler(shrinkage=1.0).__sklearn_tags__().input_tags
    assert not tags.allow_nan and not tags.string


def test_unknown_per_row_param_and_bad_weights_refused():
    with pytest.raises(TypeError, match="groups"):
        RandomUnderSampler().fit_resample(X3, Y3, groups=np.zeros(47))
    with pytest.raises(ValueError, match="sample_weight"):
        RandomUnderSampler().fit_resample(X3, Y3, sample_weight=np.ones(46))
    with pytest.raises(ValueError, match="sample_weight"):
        RandomUnderSampler().fit_resample(X3, Y3, sample_weight=np.zeros(47))
