"""Behaviour of the four estimator samplers: counts, indices, inputs, pipelines."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def imbalanced(n_major=60, n_minor=15, n_mid=None, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * n_major + [1] * n_minor + ([2] * n_mid if n_mid else []))
    y = rng.permutation(y)
    X = rng.normal(size=(y.shape[0], 3))
    return X, y


# Labels: 2 to 5 classes, each with 1 to 40 rows, in random order.
label_vectors = st.lists(st.integers(1, 40), min_size=2, max_size=5).flatmap(
    lambda sizes: st.permutations(
        [c for c, size in enumerate(sizes) for _ in range(size)]
    ).map(np.array)
)


def expected_counts(sampler, y):
    counts = np.bincount(y)
    if isinstance(sampler, RandomUnderSampler):
        return np.full_like(counts, counts.min())
    if isinstance(sampler, (RandomOverSampler, LabelShuffleSampler)):
        return np.full_like(counts, counts.max())
    return None


@settings(max_examples=40, deadline=None)
@given(y=label_vectors, seed=st.integers(0, 2**16))
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_output_counts_and_rows_match_indices(sampler_cls, y, seed):
    X = np.arange(y.shape[0] * 2, dtype=float).reshape(-1, 2)
    X_before, y_before = X.copy(), y.copy()
    sampler = sampler_cls(random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    indices = sampler.sample_indices_
    assert indices.min() >= 0 and indices.max() < y.shape[0]
    np.testing.assert_array_equal(X_res, X[indices])
    np.testing.assert_array_equal(y_res, y[indices])
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    expected = expected_counts(sampler, y)
    if expected is not None:
        np.testing.assert_array_equal(
            np.bincount(y_res, minlength=len(expected)), expected
        )
    else:
        assert y_res.shape[0] == y.shape[0]
        drawn = np.bincount(y_res, minlength=np.unique(y).shape[0])
        assert list(sampler.sampling_strategy_.values()) == drawn.tolist()


@settings(max_examples=40, deadline=None)
@given(y=label_vectors, seed=st.integers(0, 2**16))
def test_label_shuffle_every_row_floor_or_ceil_times(y, seed):
    sampler = LabelShuffleSampler(random_state=seed)
    sampler.fit_resample(y.reshape(-1, 1), y)
    appearances = np.bincount(sampler.sample_indices_, minlength=y.shape[0])
    largest = np.bincount(y).max()
    per_row_count = np.bincount(y)[y]
    assert (appearances >= largest // per_row_count).all()
    assert (appearances <= -(-largest // per_row_count)).all()
    assert (appearances >= 1).all()


@settings(max_examples=30, deadline=None)
@given(y=label_vectors, seed=st.integers(0, 2**16))
def test_under_sampling_without_replacement_keeps_distinct_rows(y, seed):
    sampler = RandomUnderSampler(random_state=seed)
    sampler.fit_resample(y.reshape(-1, 1), y)
    assert (
        np.unique(sampler.sample_indices_).shape[0] == sampler.sample_indices_.shape[0]
    )


@settings(max_examples=30, deadline=None)
@given(y=label_vectors, seed=st.integers(0, 2**16))
def test_over_sampling_keeps_every_original_row(y, seed):
    sampler = RandomOverSampler(random_state=seed)
    sampler.fit_resample(y.reshape(-1, 1), y)
    assert (np.bincount(sampler.sample_indices_, minlength=y.shape[0]) >= 1).all()


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_same_seed_same_draw_and_other_seed_other_draw(sampler_cls):
    X, y = imbalanced()
    first = sampler_cls(random_state=3).fit_resample(X, y)[0]
    again = sampler_cls(random_state=3).fit_resample(X, y)[0]
    other = sampler_cls(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    assert first.shape != other.shape or not np.array_equal(first, other)


@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_shuffle_false_keeps_original_row_order(sampler_cls):
    X, y = imbalanced()
    sampler = sampler_cls(shuffle=False, random_state=0)
    sampler.fit_resample(X, y)
    assert (np.diff(sampler.sample_indices_) >= 0).all()


@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_shuffle_true_mixes_classes(sampler_cls):
    X, y = imbalanced(200, 50)
    _, y_res = sampler_cls(random_state=0).fit_resample(X, y)
    # Grouped output (imbalanced-learn's) would change label only once.
    assert np.count_nonzero(np.diff(y_res)) > 10


def test_under_sampling_with_replacement_may_exceed_class_size():
    X, y = imbalanced(20, 5)
    sampler = RandomUnderSampler({0: 30, 1: 5}, replacement=True, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [30, 5]


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", [15, 15, 15]),
        ("majority", [15, 30, 15]),
        ("not minority", [15, 15, 15]),
        ("not majority", [60, 15, 15]),
        ("all", [15, 15, 15]),
        ({0: 20, 2: 10}, [20, 30, 10]),
        (lambda y: {0: 40}, [40, 30, 15]),
    ],
)
def test_under_sampling_strategies(strategy, expected):
    X, y = imbalanced(60, 30, n_mid=15)
    sampler = RandomUnderSampler(sampling_strategy=strategy, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == expected


@pytest.mark.parametrize(
    "strategy, expected_total, expected_added",
    [
        ("auto", [60, 60, 60], {1: 30, 2: 45}),
        ("not minority", [60, 60, 15], {0: 0, 1: 30}),
        ("all", [60, 60, 60], {0: 0, 1: 30, 2: 45}),
        ({2: 20}, [60, 30, 20], {2: 5}),
    ],
)
def test_over_sampling_strategy_reports_rows_added(
    strategy, expected_total, expected_added
):
    X, y = imbalanced(60, 30, n_mid=15)
    sampler = RandomOverSampler(sampling_strategy=strategy, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == expected_total
    assert sampler.sampling_strategy_ == expected_added


def test_float_strategy_is_the_minority_to_majority_ratio():
    X, y = imbalanced(60, 15)
    _, y_under = RandomUnderSampler(0.5, random_state=0).fit_resample(X, y)
    _, y_over = RandomOverSampler(0.5, random_state=0).fit_resample(X, y)
    assert np.bincount(y_under).tolist() == [30, 15]
    assert np.bincount(y_over).tolist() == [60, 30]


def test_class_balanced_power_interpolates_between_balanced_and_natural():
    X, y = imbalanced(900, 100)
    _, balanced = ClassBalancedSampler(random_state=0).fit_resample(X, y)
    _, natural = ClassBalancedSampler(power=1.0, random_state=0).fit_resample(X, y)
    _, sqrt = ClassBalancedSampler(power=0.5, random_state=0).fit_resample(X, y)
    assert abs(balanced.mean() - 0.5) < 0.05
    assert abs(natural.mean() - 0.1) < 0.03
    assert abs(sqrt.mean() - 10 / (30 + 10)) < 0.05


def test_class_balanced_n_samples_sets_output_size():
    X, y = imbalanced()
    X_res, _ = ClassBalancedSampler(n_samples=500, random_state=0).fit_resample(X, y)
    assert X_res.shape == (500, 3)


def test_shrinkage_adds_noise_only_to_added_rows():
    X, y = imbalanced(60, 15)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    exact = (X_res == X[sampler.sample_indices_]).all(axis=1)
    assert exact.sum() == 75  # every original row once, unchanged
    assert not exact[y_res == 1].all()
    assert (y_res[~exact] == 1).all()


def test_shrinkage_dict_per_class_and_zero_means_plain_copies():
    X, y = imbalanced(60, 15)
    sampler = RandomOverSampler(shrinkage={1: 0.0}, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_pandas_in_pandas_out_with_dtypes_and_names(sampler_cls):
    X, y = imbalanced()
    frame = pd.DataFrame(
        {
            "a": X[:, 0].astype(np.float32),
            "b": pd.Categorical(np.where(X[:, 1] > 0, "hi", "lo")),
            "c": np.arange(y.shape[0]),
        },
        index=np.arange(y.shape[0]) + 1000,
    )
    labels = pd.Series(np.array(["cat", "dog"])[y], name="animal", dtype="category")
    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(frame, labels)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert X_res.dtypes.equals(frame.dtypes)
    assert y_res.name == "animal" and isinstance(y_res.dtype, pd.CategoricalDtype)
    assert X_res.index.equals(pd.RangeIndex(len(X_res)))
    np.testing.assert_array_equal(
        X_res["c"], frame["c"].to_numpy()[sampler.sample_indices_]
    )
    assert list(sampler.feature_names_in_) == ["a", "b", "c"]
    assert sampler.n_features_in_ == 3


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_sparse_in_same_format_out(sampler_cls, fmt):
    X, y = imbalanced()
    X_sparse = sp.random(y.shape[0], 5, density=0.3, format=fmt, random_state=0)
    sampler = sampler_cls(random_state=0)
    X_res, _ = sampler.fit_resample(X_sparse, y)
    assert sp.issparse(X_res) and X_res.format == fmt
    np.testing.assert_array_equal(
        X_res.toarray(), X_sparse.toarray()[sampler.sample_indices_]
    )


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_string_and_bool_labels(sampler_cls):
    X, y = imbalanced()
    _, y_str = sampler_cls(random_state=0).fit_resample(X, np.array(["no", "yes"])[y])
    _, y_bool = sampler_cls(random_state=0).fit_resample(X, y.astype(bool))
    assert y_str.dtype.kind == "U" and set(y_str) == {"no", "yes"}
    assert y_bool.dtype == bool
    np.testing.assert_array_equal(y_str == "yes", y_bool)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_one_hot_labels_come_back_one_hot(sampler_cls):
    X, y = imbalanced(60, 15, n_mid=10)
    one_hot = np.eye(3, dtype=int)[y]
    _, y_res = sampler_cls(random_state=0).fit_resample(X, one_hot)
    _, y_plain = sampler_cls(random_state=0).fit_resample(X, y)
    assert y_res.shape[1] == 3 and (y_res.sum(axis=1) == 1).all()
    np.testing.assert_array_equal(y_res.argmax(axis=1), y_plain)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_sample_weight_is_resampled_with_the_rows(sampler_cls):
    X, y = imbalanced()
    weights = np.linspace(0.1, 1.0, y.shape[0])
    sampler = sampler_cls(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    np.testing.assert_array_equal(w_res, weights[sampler.sample_indices_])
    assert len(w_res) == len(y_res)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_sampler_in_imblearn_pipeline_grid_search_and_cross_validate(sampler_cls):
    X, y = imbalanced(90, 20, seed=1)
    pipe = Pipeline(
        [("sampler", sampler_cls(random_state=0)), ("clf", LogisticRegression())]
    )
    grid = {"clf__C": [0.1, 1.0]}
    if "sampling_strategy" in sampler_cls().get_params():
        grid = {"sampler__sampling_strategy": ["auto", "all"]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv, scoring="roc_auc").fit(X, y)
    assert set(search.cv_results_["params"][0]) == set(grid)
    scores = cross_validate(pipe, X, y, cv=cv, scoring="balanced_accuracy")
    assert np.isfinite(scores["test_score"]).all()


def test_fit_computes_strategy_without_resampling():
    X, y = imbalanced()
    sampler = RandomUnderSampler().fit(X, y)
    assert sampler.sampling_strategy_ == {0: 15}
    assert not hasattr(sampler, "sample_indices_")


def test_list_inputs_give_list_outputs():
    X, y = imbalanced()
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
        X.tolist(), y.tolist()
    )
    assert isinstance(X_res, list) and isinstance(y_res, list)
    assert Counter(y_res) == {0: 15, 1: 15}


# --- bad input: each is rejected with a message naming the argument and the fix


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros((4, 2)), np.zeros(4), "one class only"),
        (np.zeros((0, 2)), np.zeros(0), "y is empty"),
        (np.zeros((3, 2)), np.array([0.0, np.nan, 1.0]), "NaN"),
        (np.zeros((3, 2)), np.array([0.5, 1.0, 0.0]), "continuous"),
        (np.zeros((3, 2)), np.array([0, 1, 1, 0]), "X has 3 rows but y has 4"),
        (np.zeros((4, 2)), np.array([[1, 1], [0, 1], [1, 0], [0, 0]]), "Multilabel"),
        (np.zeros((4, 0)), np.array([0, 1, 0, 1]), "0 feature"),
        (np.zeros(4), np.array([0, 1, 0, 1]), "Expected a 2D array"),
    ],
)
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_bad_data_is_rejected(sampler_cls, X, y, match):
    with pytest.raises(ValueError, match=match):
        sampler_cls().fit_resample(X, y)


def test_sample_weight_of_wrong_length_is_rejected():
    X, y = imbalanced()
    with pytest.raises(ValueError, match="sample_weight has shape"):
        RandomUnderSampler().fit_resample(X, y, sample_weight=np.ones(3))


def test_dict_naming_unknown_class_is_rejected():
    X, y = imbalanced()
    with pytest.raises(ValueError, match=r"class 7, which is not in y.*\[0, 1\]"):
        RandomUnderSampler({7: 3}).fit_resample(X, y)


def test_negative_count_is_rejected():
    X, y = imbalanced()
    with pytest.raises(ValueError, match="negative"):
        RandomUnderSampler({0: -1}).fit_resample(X, y)


def test_under_sampling_above_class_size_without_replacement_is_rejected():
    X, y = imbalanced(60, 15)
    with pytest.raises(ValueError, match="only 60.*replacement=True"):
        RandomUnderSampler({0: 80}).fit_resample(X, y)


def test_over_sampling_below_class_size_is_rejected():
    X, y = imbalanced(60, 15)
    with pytest.raises(ValueError, match="already has 15.*at least 15"):
        RandomOverSampler({1: 10}).fit_resample(X, y)


@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_float_strategy_on_multiclass_is_rejected(sampler_cls):
    X, y = imbalanced(60, 30, n_mid=15)
    with pytest.raises(ValueError, match="only works for binary y; y has 3 classes"):
        sampler_cls(0.5).fit_resample(X, y)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_shrinkage_on_sparse_keeps_format_and_originals(fmt):
    X, y = imbalanced(60, 15)
    X_sparse = sp.random(y.shape[0], 4, density=0.5, format=fmt, random_state=0)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, y_res = sampler.fit_resample(X_sparse, y)
    assert sp.issparse(X_res) and X_res.format == fmt
    assert X_res.dtype == X_sparse.dtype
    dense = X_res.toarray()
    exact = (dense == X_sparse.toarray()[sampler.sample_indices_]).all(axis=1)
    assert exact.sum() == 75  # every original row once, unchanged
    assert (y_res[~exact] == 1).all() and (~exact).sum() > 0
    assert np.isfinite(dense).all()


def test_unknown_strategy_name_is_rejected():
    X, y = imbalanced()
    with pytest.raises(ValueError, match="sampling_strategy"):
        RandomUnderSampler("most").fit_resample(X, y)


def test_bad_input_does_not_touch_the_inputs():
    X, y = imbalanced()
    y_bad = y.astype(float)
    y_bad[0] = 0.5
    before = y_bad.copy()
    with pytest.raises(ValueError):
        RandomOverSampler().fit_resample(X, y_bad)
    np.testing.assert_array_equal(y_bad, before)


def test_integer_labels_with_gaps_and_negatives():
    X = np.zeros((9, 1))
    y = np.array([-5, -5, -5, -5, 1000, 1000, 7, 7, 7])
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {-5: 2, 7: 2, 1000: 2}


def test_import_rebalance_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, rebalance; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_plan_pickles_and_draws_the_same(sampler_cls):
    import pickle

    _, y = imbalanced(60, 15, n_mid=10)
    plan = sampler_cls(random_state=0).plan(y)
    restored = pickle.loads(pickle.dumps(plan))
    assert restored.sampling_strategy == plan.sampling_strategy
    assert restored.n_output == plan.n_output
    for seed in (0, 1):
        expected = plan.draw(np.random.default_rng(seed))
        got = restored.draw(np.random.default_rng(seed))
        np.testing.assert_array_equal(got, expected)
        assert got.shape == (plan.n_output,)
    if plan.report_draw is not None:
        assert restored.report_draw(expected) == plan.report_draw(expected)
