"""imbalanced-learn's own tests, ported to the rebalance samplers.

Sources (imbalanced-learn 0.14): ``over_sampling/tests/test_random_over_sampler.py``,
``under_sampling/_prototype_selection/tests/test_random_under_sampler.py`` and
the ``sampling_strategy`` cases of ``utils/tests/test_validation.py``. Each
test keeps imbalanced-learn's name. Converted only where imbalanced-learn pins
its own random draw or returns rows grouped by class (rebalance shuffles):
those compare counts, sets and multisets of rows instead. Error messages are
rebalance's (they name the argument and the fix). Cleaning-sampler cases
(``'clean-sampling'``, list strategies) have no rebalance counterpart.

The second half holds the regression tests of issue 12 §1 and the
``sampling_strategy`` bullets of §2 and §4. The last section runs
imbalanced-learn's ``tests/test_common.py`` checks and its ensemble tests
(``BalancedBaggingClassifier``, ``BalancedRandomForestClassifier``,
``EasyEnsembleClassifier``, ``RUSBoostClassifier``) with the rebalance samplers
in place of imbalanced-learn's, comparing per-bag class counts with those of
imbalanced-learn's own samplers.
"""

from collections import Counter
from datetime import datetime
from functools import partial

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.over_sampling import RandomOverSampler as ImbOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from imblearn.utils import check_sampling_strategy
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance._indices import added_mask

RND_SEED = 0
X_DATA = np.array(
    [
        [0.04352327, -0.20515826],
        [0.92923648, 0.76103773],
        [0.20792588, 1.49407907],
        [0.47104475, 0.44386323],
        [0.22950086, 0.33367433],
        [0.15490546, 0.3130677],
        [0.09125309, -0.85409574],
        [0.12372842, 0.6536186],
        [0.13347175, 0.12167502],
        [0.094035, -2.55298982],
    ]
)
Y_DATA = np.array([1, 0, 1, 0, 1, 1, 1, 1, 0, 1])

MULTICLASS = np.array([1] * 50 + [2] * 100 + [3] * 25)
BINARY = np.array([1] * 25 + [0] * 100)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def as_container(X, kind):
    if kind == "dataframe":
        return pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    if kind == "sparse_csr":
        return sp.csr_matrix(X)
    if kind == "sparse_csc":
        return sp.csc_matrix(X)
    return X


def row_multiset(X):
    return Counter(map(tuple, np.asarray(X).tolist()))


def rows_of_class(X, y, cls):
    return set(map(tuple, X[y == cls].tolist()))


# --------------------------------------------------------------------------
# test_random_over_sampler.py


def test_ros_init():
    ros = RandomOverSampler(sampling_strategy="auto", random_state=RND_SEED)
    assert ros.random_state == RND_SEED


@pytest.mark.parametrize(
    "params", [{"shrinkage": None}, {"shrinkage": 0}, {"shrinkage": {0: 0}}]
)
@pytest.mark.parametrize("X_type", ["array", "dataframe"])
def test_ros_fit_resample(X_type, params):
    # imbalanced-learn pins 4 added rows of its draw, after the originals;
    # here: every original once, 4 copies of class-0 rows, 7 rows per class.
    ros = RandomOverSampler(**params, random_state=RND_SEED)
    X_res, y_res = ros.fit_resample(as_container(X_DATA, X_type), Y_DATA)
    if X_type == "dataframe":
        assert hasattr(X_res, "loc")
        X_res = X_res.to_numpy()
    assert Counter(y_res.tolist()) == {0: 7, 1: 7}
    added = row_multiset(X_res) - row_multiset(X_DATA)
    assert sum(added.values()) == 4
    assert set(added) <= rows_of_class(X_DATA, Y_DATA, 0)
    assert not (row_multiset(X_DATA) - row_multiset(X_res))
    np.testing.assert_array_equal(X_res, X_DATA[ros.sample_indices_])
    np.testing.assert_array_equal(y_res, Y_DATA[ros.sample_indices_])
    if params["shrinkage"] is None:
        assert ros.shrinkage_ is None
    else:
        assert ros.shrinkage_ == {0: 0}


@pytest.mark.parametrize("params", [{"shrinkage": None}, {"shrinkage": 0}])
def test_ros_fit_resample_half(params):
    ros = RandomOverSampler(
        **params, sampling_strategy={0: 3, 1: 7}, random_state=RND_SEED
    )
    X_res, y_res = ros.fit_resample(X_DATA, Y_DATA)
    # Nothing to add: the same rows (imbalanced-learn: in the same order).
    assert row_multiset(X_res) == row_multiset(X_DATA)
    assert Counter(y_res.tolist()) == Counter(Y_DATA.tolist())
    if params["shrinkage"] is None:
        assert ros.shrinkage_ is None
    else:
        assert ros.shrinkage_ == {0: 0, 1: 0}


@pytest.mark.parametrize("params", [{"shrinkage": None}, {"shrinkage": 0}])
def test_multiclass_fit_resample(params):
    y = Y_DATA.copy()
    y[5] = 2
    y[6] = 2
    ros = RandomOverSampler(**params, random_state=RND_SEED)
    _, y_res = ros.fit_resample(X_DATA, y)
    assert Counter(y_res.tolist()) == {0: 5, 1: 5, 2: 5}
    if params["shrinkage"] is None:
        assert ros.shrinkage_ is None
    else:
        assert ros.shrinkage_ == {0: 0, 2: 0}


def test_random_over_sampling_heterogeneous_data():
    X_hetero = np.array(
        [["xxx", 1, 1.0], ["yyy", 2, 2.0], ["zzz", 3, 3.0]], dtype=object
    )
    y = np.array([0, 0, 1])
    X_res, y_res = RandomOverSampler(random_state=RND_SEED).fit_resample(X_hetero, y)
    assert X_res.shape[0] == 4
    assert y_res.shape[0] == 4
    assert X_res.dtype == object
    assert set(X_res[:, 0]) <= set(X_hetero[:, 0])


def _with_non_finite(X):
    rng = np.random.RandomState(42)
    n_not_finite = X.shape[0] // 3
    row_indices = rng.choice(np.arange(X.shape[0]), size=n_not_finite)
    col_indices = rng.randint(0, X.shape[1], size=n_not_finite)
    X_ = X.copy()
    X_[row_indices, col_indices] = rng.choice([np.nan, np.inf], size=n_not_finite)
    return X_


def test_random_over_sampling_nan_inf():
    X_ = _with_non_finite(X_DATA)
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X_, Y_DATA)
    assert y_res.shape == (14,)
    assert X_res.shape == (14, 2)
    assert np.any(~np.isfinite(X_res))


def test_random_over_sampling_heterogeneous_data_smoothed_bootstrap():
    X_hetero = np.array(
        [["xxx", 1, 1.0], ["yyy", 2, 2.0], ["zzz", 3, 3.0]], dtype=object
    )
    y = np.array([0, 0, 1])
    ros = RandomOverSampler(shrinkage=1, random_state=RND_SEED)
    with pytest.raises(ValueError, match="shrinkage.*needs numeric X"):
        ros.fit_resample(X_hetero, y)


@pytest.mark.parametrize("X_type", ["dataframe", "array", "sparse_csr", "sparse_csc"])
def test_random_over_sampler_smoothed_bootstrap(X_type):
    X = as_container(X_DATA, X_type)
    X_res, y_res = RandomOverSampler(shrinkage=1).fit_resample(X, Y_DATA)
    assert y_res.shape == (14,)
    assert X_res.shape == (14, 2)
    if X_type == "dataframe":
        assert hasattr(X_res, "loc")
    if X_type.startswith("sparse"):
        assert sp.issparse(X_res) and X_res.format == X.format


def test_random_over_sampler_equivalence_shrinkage():
    X_res_not_shrink, y_res_not_shrink = RandomOverSampler(
        shrinkage=0, random_state=0
    ).fit_resample(X_DATA, Y_DATA)
    X_res, y_res = RandomOverSampler(shrinkage=None, random_state=0).fit_resample(
        X_DATA, Y_DATA
    )
    np.testing.assert_allclose(X_res_not_shrink, X_res)
    np.testing.assert_allclose(y_res_not_shrink, y_res)
    assert y_res.shape == (14,) and X_res.shape == (14, 2)


def test_random_over_sampler_shrinkage_behaviour():
    ros = RandomOverSampler(shrinkage=1, random_state=0)
    X_1, y_1 = ros.fit_resample(X_DATA, Y_DATA)
    ros.set_params(shrinkage=5)
    X_5, y_5 = ros.fit_resample(X_DATA, Y_DATA)
    dispersion_1 = np.linalg.det(np.cov(X_1[y_1 == 0].T))
    dispersion_5 = np.linalg.det(np.cov(X_5[y_5 == 0].T))
    assert dispersion_1 < dispersion_5


@pytest.mark.parametrize(
    "shrinkage, err_msg",
    [
        ({}, "`shrinkage` should contain a shrinkage factor for each class"),
        ({0: -1}, r"The shrinkage factor needs to be >= 0.*shrinkage\[0\] = -1"),
    ],
)
def test_random_over_sampler_shrinkage_error(shrinkage, err_msg):
    with pytest.raises(ValueError, match=err_msg):
        RandomOverSampler(shrinkage=shrinkage).fit_resample(X_DATA, Y_DATA)


@pytest.mark.parametrize(
    "sampling_strategy", ["auto", "minority", "not minority", "not majority", "all"]
)
def test_random_over_sampler_strings(sampling_strategy):
    X, y = make_classification(
        n_samples=100,
        n_clusters_per_class=1,
        n_classes=3,
        weights=[0.1, 0.3, 0.6],
        random_state=0,
    )
    sampler = RandomOverSampler(sampling_strategy=sampling_strategy)
    sampler.fit_resample(X, y)
    expected = check_sampling_strategy(sampling_strategy, y, "over-sampling")
    assert sampler.sampling_strategy_ == dict(expected)


def test_random_over_sampling_datetime():
    X = pd.DataFrame({"label": [0, 0, 0, 1], "td": [datetime.now()] * 4})
    y = X["label"]
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    pd.testing.assert_index_equal(X_res.index, y_res.index)
    assert sorted(y_res.tolist()) == [0, 0, 0, 1, 1, 1]


def test_random_over_sampler_full_nat():
    X = pd.DataFrame(
        {
            "col_str": ["abc", "def", "xyz"],
            "col_timedelta": pd.to_timedelta([np.nan, np.nan, np.nan]),
        }
    )
    y = np.array([0, 0, 1])
    X_res, y_res = RandomOverSampler().fit_resample(X, y)
    assert X_res.shape == (4, 2)
    assert y_res.shape == (4,)
    assert X_res["col_timedelta"].dtype.kind == "m"


# --------------------------------------------------------------------------
# test_random_under_sampler.py


@pytest.mark.parametrize("as_frame", [True, False], ids=["dataframe", "array"])
def test_rus_fit_resample(as_frame):
    X_ = pd.DataFrame(X_DATA) if as_frame else X_DATA
    rus = RandomUnderSampler(random_state=RND_SEED, replacement=True)
    X_res, y_res = rus.fit_resample(X_, Y_DATA)
    if as_frame:
        assert hasattr(X_res, "loc")
        X_res = X_res.to_numpy()
    # imbalanced-learn pins its draw; here: 3 rows of each class, drawn from it.
    assert Counter(y_res.tolist()) == {0: 3, 1: 3}
    for cls in (0, 1):
        assert set(map(tuple, X_res[y_res == cls].tolist())) <= rows_of_class(
            X_DATA, Y_DATA, cls
        )


def test_rus_fit_resample_half():
    rus = RandomUnderSampler(
        sampling_strategy={0: 3, 1: 6}, random_state=RND_SEED, replacement=True
    )
    X_res, y_res = rus.fit_resample(X_DATA, Y_DATA)
    assert Counter(y_res.tolist()) == {0: 3, 1: 6}
    for cls in (0, 1):
        assert set(map(tuple, X_res[y_res == cls].tolist())) <= rows_of_class(
            X_DATA, Y_DATA, cls
        )


def test_rus_multiclass_fit_resample():
    y = Y_DATA.copy()
    y[5] = 2
    y[6] = 2
    _, y_res = RandomUnderSampler(random_state=RND_SEED).fit_resample(X_DATA, y)
    assert Counter(y_res.tolist()) == {0: 2, 1: 2, 2: 2}


def test_random_under_sampling_heterogeneous_data():
    X_hetero = np.array(
        [["xxx", 1, 1.0], ["yyy", 2, 2.0], ["zzz", 3, 3.0]], dtype=object
    )
    y = np.array([0, 0, 1])
    X_res, y_res = RandomUnderSampler(random_state=RND_SEED).fit_resample(X_hetero, y)
    assert X_res.shape[0] == 2
    assert y_res.shape[0] == 2
    assert X_res.dtype == object


def test_random_under_sampling_nan_inf():
    X_ = _with_non_finite(X_DATA)
    rus = RandomUnderSampler(random_state=0)
    X_res, y_res = rus.fit_resample(X_, Y_DATA)
    assert y_res.shape == (6,)
    assert X_res.shape == (6, 2)
    # imbalanced-learn's draw happens to keep a non-finite row; check instead
    # that non-finite rows are kept as they are, whichever the draw picks.
    np.testing.assert_array_equal(X_res, X_[rus.sample_indices_])
    kept_all = RandomUnderSampler({0: 3, 1: 7}).fit_resample(X_, Y_DATA)[0]
    assert np.any(~np.isfinite(kept_all))


@pytest.mark.parametrize(
    "sampling_strategy", ["auto", "majority", "not minority", "not majority", "all"]
)
def test_random_under_sampler_strings(sampling_strategy):
    X, y = make_classification(
        n_samples=100,
        n_clusters_per_class=1,
        n_classes=3,
        weights=[0.1, 0.3, 0.6],
        random_state=0,
    )
    sampler = RandomUnderSampler(sampling_strategy=sampling_strategy)
    sampler.fit_resample(X, y)
    expected = check_sampling_strategy(sampling_strategy, y, "under-sampling")
    assert sampler.sampling_strategy_ == dict(expected)


def test_random_under_sampling_datetime():
    X = pd.DataFrame({"label": [0, 0, 0, 1], "td": [datetime.now()] * 4})
    y = X["label"]
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    pd.testing.assert_index_equal(X_res.index, y_res.index)
    assert sorted(y_res.tolist()) == [0, 1]


def test_random_under_sampler_full_nat():
    X = pd.DataFrame(
        {
            "col_str": ["abc", "def", "xyz"],
            "col_timedelta": pd.to_timedelta([np.nan, np.nan, np.nan]),
        }
    )
    y = np.array([0, 0, 1])
    X_res, y_res = RandomUnderSampler().fit_resample(X, y)
    assert X_res.shape == (2, 2)
    assert y_res.shape == (2,)
    assert X_res["col_timedelta"].dtype.kind == "m"


# --------------------------------------------------------------------------
# utils/tests/test_validation.py: the sampling_strategy cases, through the
# samplers (RandomUnderSampler for 'under-sampling', RandomOverSampler for
# 'over-sampling'). ``fit`` computes ``sampling_strategy_`` without a draw.

SAMPLER_OF = {"under-sampling": RandomUnderSampler, "over-sampling": RandomOverSampler}


def fitted_strategy(sampling_strategy, y, sampling_type):
    sampler = SAMPLER_OF[sampling_type](sampling_strategy=sampling_strategy)
    sampler.fit(np.zeros((y.shape[0], 1)), y)
    return sampler.sampling_strategy_


def _sampling_strategy_func(y):
    target_stats = Counter(y)
    n_samples = max(target_stats.values())
    return {key: int(n_samples) for key in target_stats.keys()}


@pytest.mark.parametrize(
    "sampling_strategy, sampling_type, expected_sampling_strategy, target",
    [
        ("auto", "under-sampling", {1: 25, 2: 25}, MULTICLASS),
        ("auto", "over-sampling", {1: 50, 3: 75}, MULTICLASS),
        ("all", "over-sampling", {1: 50, 2: 0, 3: 75}, MULTICLASS),
        ("all", "under-sampling", {1: 25, 2: 25, 3: 25}, MULTICLASS),
        ("majority", "under-sampling", {2: 25}, MULTICLASS),
        ("minority", "over-sampling", {3: 75}, MULTICLASS),
        ("not minority", "over-sampling", {1: 50, 2: 0}, MULTICLASS),
        ("not minority", "under-sampling", {1: 25, 2: 25}, MULTICLASS),
        ("not majority", "over-sampling", {1: 50, 3: 75}, MULTICLASS),
        ("not majority", "under-sampling", {1: 25, 3: 25}, MULTICLASS),
        ({1: 70, 2: 100, 3: 70}, "over-sampling", {1: 20, 2: 0, 3: 45}, MULTICLASS),
        ({1: 30, 2: 45, 3: 25}, "under-sampling", {1: 30, 2: 45, 3: 25}, MULTICLASS),
        (_sampling_strategy_func, "over-sampling", {1: 50, 2: 0, 3: 75}, MULTICLASS),
        (0.5, "over-sampling", {1: 25}, BINARY),
        (0.5, "under-sampling", {0: 50}, BINARY),
    ],
)
def test_check_sampling_strategy(
    sampling_strategy, sampling_type, expected_sampling_strategy, target
):
    got = fitted_strategy(sampling_strategy, target, sampling_type)
    assert got == expected_sampling_strategy
    # and the same as imbalanced-learn's own function
    assert got == dict(
        check_sampling_strategy(sampling_strategy, target, sampling_type)
    )


def test_sampling_strategy_callable_args():
    multiplier = {1: 1.5, 2: 1, 3: 3}

    def sampling_strategy_func(y, multiplier):
        target_stats = Counter(y)
        return {
            key: int(value * multiplier[key]) for key, value in target_stats.items()
        }

    # imbalanced-learn passes extra kwargs; with a sampler, bind them.
    func = partial(sampling_strategy_func, multiplier=multiplier)
    assert fitted_strategy(func, MULTICLASS, "over-sampling") == {1: 25, 2: 0, 3: 50}


@pytest.mark.parametrize(
    "sampling_strategy, sampling_type, expected_result",
    [
        ({3: 25, 1: 25, 2: 25}, "under-sampling", {1: 25, 2: 25, 3: 25}),
        ({3: 100, 1: 100, 2: 100}, "over-sampling", {1: 50, 2: 0, 3: 75}),
    ],
)
def test_sampling_strategy_check_order(
    sampling_strategy, sampling_type, expected_result
):
    got = fitted_strategy(sampling_strategy, MULTICLASS, sampling_type)
    assert list(got.items()) == list(expected_result.items())  # sorted by class


@pytest.mark.parametrize(
    "ratio, y, sampling_type, err_msg",
    [
        (
            0.1,
            np.array([0] * 10 + [1] * 20),
            "over-sampling",
            "below the current minority/majority ratio.*Use a ratio of at least 0.5",
        ),
        (
            0.1,
            np.array([0] * 10 + [1] * 20),
            "under-sampling",
            "would keep 100 majority rows.*Use a ratio >= 0.5",
        ),
    ],
)
def test_check_sampling_strategy_float_error(ratio, y, sampling_type, err_msg):
    with pytest.raises(ValueError, match=err_msg):
        fitted_strategy(ratio, y, sampling_type)


@pytest.mark.parametrize("sampling_type", ["under-sampling", "over-sampling"])
def test_check_sampling_strategy_error(sampling_type):
    with pytest.raises(ValueError, match="one class only"):
        fitted_strategy("auto", np.ones(10), sampling_type)
    with pytest.raises(InvalidParameterError, match="sampling_strategy"):
        fitted_strategy("rnd", np.array([1, 2, 3]), sampling_type)


@pytest.mark.parametrize(
    "sampling_strategy, sampling_type, err_msg",
    [
        ("majority", "over-sampling", "over-sampler"),
        ("minority", "under-sampling", "under-sampler"),
    ],
)
def test_check_sampling_strategy_error_wrong_string(
    sampling_strategy, sampling_type, err_msg
):
    with pytest.raises(
        ValueError, match=f"'{sampling_strategy}' cannot be used with an {err_msg}"
    ):
        fitted_strategy(sampling_strategy, np.array([1, 2, 3]), sampling_type)


@pytest.mark.parametrize("sampling_type", ["under-sampling", "over-sampling"])
def test_sampling_strategy_class_target_unknown(sampling_type):
    with pytest.raises(ValueError, match="class 10, which is not in y"):
        fitted_strategy({10: 10}, MULTICLASS, sampling_type)


def test_sampling_strategy_dict_error():
    with pytest.raises(ValueError, match="negative"):
        fitted_strategy({1: -100, 2: 50, 3: 25}, MULTICLASS, "under-sampling")
    with pytest.raises(ValueError, match="45 rows of class 1, which already has 50"):
        fitted_strategy({1: 45, 2: 100, 3: 70}, MULTICLASS, "over-sampling")
    with pytest.raises(ValueError, match="70 rows of class 3, which has only 25"):
        fitted_strategy({1: 45, 2: 100, 3: 70}, MULTICLASS, "under-sampling")


@pytest.mark.parametrize("sampling_strategy", [-10, 10])
def test_sampling_strategy_float_error_not_in_range(sampling_strategy):
    y = np.array([1] * 50 + [2] * 100)
    with pytest.raises(InvalidParameterError, match=r"sampling_strategy.*\(0.0, 1.0\]"):
        fitted_strategy(sampling_strategy, y, "under-sampling")


def test_sampling_strategy_float_error_not_binary():
    with pytest.raises(ValueError, match="only works for binary y"):
        fitted_strategy(0.5, MULTICLASS, "under-sampling")


@pytest.mark.parametrize("sampling_type", ["over-sampling", "under-sampling"])
def test_sampling_strategy_list_error_not_clean_sampling(sampling_type):
    with pytest.raises(InvalidParameterError, match="sampling_strategy"):
        fitted_strategy([1, 2, 3], MULTICLASS, sampling_type)


# --------------------------------------------------------------------------
# Issue 12 regression tests.

STRINGS = ["auto", "minority", "majority", "not minority", "not majority", "all"]
KIND = {
    RandomUnderSampler: "under-sampling",
    RandomOverSampler: "over-sampling",
    ClassBalancedSampler: "over-sampling",
    LabelShuffleSampler: "over-sampling",
}


def expected_class_rows(name, kind, y):
    """Rows per class after resampling, from imbalanced-learn's function."""
    counts = Counter(y.tolist())
    targets = check_sampling_strategy(name, y, kind)
    if kind == "under-sampling":
        return {c: targets.get(c, n) for c, n in sorted(counts.items())}
    return {c: n + targets.get(c, 0) for c, n in sorted(counts.items())}


@pytest.mark.parametrize("name", STRINGS)
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_every_string_for_every_sampler_means_what_imblearn_says(sampler_cls, name):
    """The string x sampler table of the docs: a meaning, or imblearn's error."""
    y = MULTICLASS
    X = np.zeros((y.shape[0], 1))
    kind = KIND[sampler_cls]
    try:
        expected = expected_class_rows(name, kind, y)
    except ValueError:
        # imbalanced-learn refuses 'majority' for over-samplers and 'minority'
        # for under-samplers: so does every rebalance sampler of that kind.
        sampler = sampler_cls(sampling_strategy=name)
        with pytest.raises(ValueError, match=f"'{name}' cannot be used with an"):
            sampler.fit(X, y)
        with pytest.raises(ValueError, match=f"'{name}' cannot be used with an"):
            sampler.plan(y)  # the torch / Dask entry point
        return
    if sampler_cls is ClassBalancedSampler:
        # The class mix of the targets, over n_samples rows drawn.
        n = 60_000
        sampler = sampler_cls(n_samples=n, sampling_strategy=name, random_state=0)
        _, y_res = sampler.fit_resample(X, y)
        total = sum(expected.values())
        for cls, rows in expected.items():
            assert abs(np.mean(y_res == cls) - rows / total) < 0.01
        return
    sampler = sampler_cls(sampling_strategy=name, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert dict(sorted(Counter(y_res.tolist()).items())) == expected


def test_over_sampler_majority_was_a_silent_no_op():
    X, y = np.zeros((175, 1)), MULTICLASS
    for sampler_cls in (RandomOverSampler, LabelShuffleSampler, ClassBalancedSampler):
        with pytest.raises(ValueError, match="RandomUnderSampler to reduce"):
            sampler_cls(sampling_strategy="majority").fit_resample(X, y)
    # raised in parameter validation, before the labels are even looked at
    with pytest.raises(ValueError, match="'majority' cannot be used"):
        RandomOverSampler(sampling_strategy="majority").fit(X, np.ones(175))


def test_ros_minority_grows_only_the_minority():
    X, y = np.zeros((175, 1)), MULTICLASS
    sampler = RandomOverSampler(sampling_strategy="minority", random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {1: 50, 2: 100, 3: 100}
    assert sampler.sampling_strategy_ == {3: 75}


# --- callable sampling_strategy: always 1-D numpy labels


def _label_inputs():
    y = np.array([0] * 8 + [1] * 4 + [2] * 3)
    return {
        "list": (y.tolist(), y),
        "one-hot": (np.eye(3, dtype=int)[y], y),
        "categorical": (pd.Series(pd.Categorical(np.array(list("abc"))[y])), None),
        "strings": (np.array(list("abc"))[y], None),
    }


@pytest.mark.parametrize("kind", ["list", "one-hot", "categorical", "strings"])
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_callable_strategy_receives_1d_numpy_labels(sampler_cls, kind):
    y_in, expected = _label_inputs()[kind]
    if expected is None:
        expected = np.asarray(y_in)
    seen = []

    def strategy(labels):
        seen.append(labels)
        return {}

    X = np.zeros((len(y_in), 1))
    sampler_cls(sampling_strategy=strategy, random_state=0).fit_resample(X, y_in)
    (labels,) = seen
    assert isinstance(labels, np.ndarray) and labels.ndim == 1
    assert labels.tolist() == list(expected)


# --- shrinkage_


def test_shrinkage_dict_may_name_classes_not_over_sampled():
    X = np.random.default_rng(0).normal(size=(175, 2))
    sampler = RandomOverSampler(shrinkage={1: 0.5, 2: 9.0, 3: 1.0}, random_state=0)
    sampler.fit_resample(X, MULTICLASS)
    # Class 2 is not over-sampled; shrinkage_ keeps it, as imbalanced-learn's.
    assert sampler.shrinkage_ == {1: 0.5, 2: 9.0, 3: 1.0}
    assert list(sampler.sampling_strategy_) == [1, 3]


@pytest.mark.parametrize(
    "shrinkage, match",
    [
        ({1: np.inf, 3: 1.0}, r"shrinkage\[1\] = inf is not a finite number"),
        ({1: np.nan, 3: 1.0}, r"shrinkage\[1\] = nan is not a finite number"),
        ({1: 1.0, 3: -np.inf}, r"shrinkage\[3\] = -inf is not a finite number"),
        ({1: 1.0, 3: "1"}, r"shrinkage\[3\] = '1' is not a finite number"),
        ({1: 1.0, 3: 1.0, 7: 1.0}, r"shrinkage names classes \[7\] that are not in y"),
    ],
)
def test_bad_shrinkage_dict_is_rejected_before_any_work(shrinkage, match):
    X = np.random.default_rng(0).normal(size=(175, 2))
    sampler = RandomOverSampler(shrinkage=shrinkage)
    with pytest.raises(ValueError, match=match):
        sampler.fit(X, MULTICLASS)
    assert not hasattr(sampler, "sample_indices_")


def _noise_of(X, X_res, sample_indices, shuffled=True):
    """Per-row differences between each added row and the row it copies
    (which occurrence of a row stays the original: random when shuffled)."""
    n = X.shape[0]
    added = added_mask(sample_indices, shuffled)
    if n == sample_indices.shape[0]:
        added[:] = False
    return X_res[added] - X[sample_indices[added]]


def imblearn_noise_scale(X, y, cls, shrinkage):
    """imbalanced-learn's formula (0.14, _random_over_sampler.py)."""
    n_samples, n_features = X.shape
    smoothing_constant = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
    return shrinkage * smoothing_constant * np.std(X[y == cls], axis=0)


def test_smoothed_bootstrap_noise_scale_is_imblearns():
    rng = np.random.default_rng(0)
    y = np.array([0] * 6000 + [1] * 1500)
    X = rng.normal(size=(y.shape[0], 3)) * np.array([1.0, 10.0, 0.1])
    sampler = RandomOverSampler(shrinkage=2.0, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    noise = _noise_of(X, X_res, sampler.sample_indices_)
    assert noise.shape == (4500, 3)
    expected = imblearn_noise_scale(X, y, 1, 2.0)
    np.testing.assert_allclose(noise.std(axis=0), expected, rtol=0.04)
    # The old bandwidth (class size instead of total rows) was 22% larger here.
    old = expected * (7500 / 1500) ** (1 / 7)
    assert (np.abs(noise.std(axis=0) / old - 1) > 0.1).all()
    # imbalanced-learn's own sampler draws noise of the same scale.
    theirs = ImbOverSampler(shrinkage=2.0, random_state=0)
    X_theirs, _ = theirs.fit_resample(X, y)
    their_noise = X_theirs[y.shape[0] :] - X[theirs.sample_indices_[y.shape[0] :]]
    np.testing.assert_allclose(noise.std(axis=0), their_noise.std(axis=0), rtol=0.06)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_smoothed_bootstrap_on_sparse_equals_dense(fmt):
    X = sp.random(300, 6, density=0.3, format=fmt, random_state=1)
    y = np.array([0] * 240 + [1] * 60)
    dense = RandomOverSampler(shrinkage=1.0, random_state=3)
    sparse = RandomOverSampler(shrinkage=1.0, random_state=3)
    X_dense, _ = dense.fit_resample(X.toarray(), y)
    X_sparse, _ = sparse.fit_resample(X, y)
    assert sp.issparse(X_sparse) and X_sparse.format == fmt
    np.testing.assert_array_equal(sparse.sample_indices_, dense.sample_indices_)
    np.testing.assert_allclose(X_sparse.toarray(), X_dense, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("magnitude", [1e306, 1.7e308])
def test_smoothed_bootstrap_of_huge_finite_values_stays_finite(magnitude):
    rng = np.random.default_rng(0)
    y = np.array([0] * 40 + [1] * 10)
    X = rng.uniform(-1, 1, size=(50, 2)) * magnitude
    X_res, _ = RandomOverSampler(shrinkage=3.0, random_state=0).fit_resample(X, y)
    assert np.isfinite(X_res).all()
    sparse_res, _ = RandomOverSampler(shrinkage=3.0, random_state=0).fit_resample(
        sp.csr_matrix(X), y
    )
    assert np.isfinite(sparse_res.toarray()).all()


def test_smoothed_bootstrap_noise_of_huge_values_has_the_right_scale():
    # The std must not overflow: at 1e306 the noise keeps its relative scale.
    rng = np.random.default_rng(0)
    y = np.array([0] * 3000 + [1] * 1000)
    X_unit = rng.normal(size=(y.shape[0], 2))
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, _ = sampler.fit_resample(X_unit * 1e306, y)
    noise = _noise_of(X_unit * 1e306, X_res, sampler.sample_indices_) / 1e306
    expected = imblearn_noise_scale(X_unit, y, 1, 1.0)
    np.testing.assert_allclose(noise.std(axis=0), expected, rtol=0.08)


# --- dtypes


def _mixed_frame(n):
    rng = np.random.default_rng(0)
    values = rng.normal(size=n) * 50
    return pd.DataFrame(
        {
            "f64": values,
            "f32": values.astype(np.float32),
            "i64": np.rint(values).astype(np.int64),
            "i8": np.clip(np.rint(values), -128, 127).astype(np.int8),
            "u8": np.rint(np.abs(values)).clip(0, 255).astype(np.uint8),
            "bool": values > 0,
            "Int64": pd.array(np.rint(values).astype(int), dtype="Int64"),
            "Float32": pd.array(values, dtype="Float32"),
            "sparse_f": pd.arrays.SparseArray(np.where(values > 20, values, 0.0)),
            "sparse_i": pd.arrays.SparseArray(
                np.where(values > 20, np.rint(values), 0).astype(np.int64)
            ),
        }
    )


@pytest.mark.parametrize("shrinkage", [None, 1.0, 50.0])
def test_dataframe_dtypes_survive_every_sampler(shrinkage):
    y = np.array([0] * 60 + [1] * 20)
    frame = _mixed_frame(80)
    before = frame.copy()
    samplers = [RandomOverSampler(shrinkage=shrinkage, random_state=0)]
    if shrinkage is None:
        samplers += [
            RandomUnderSampler(random_state=0),
            ClassBalancedSampler(random_state=0),
            LabelShuffleSampler(random_state=0),
        ]
    for sampler in samplers:
        X_res, _ = sampler.fit_resample(frame, y)
        pd.testing.assert_series_equal(X_res.dtypes, frame.dtypes)
        pd.testing.assert_frame_equal(frame, before)
    if shrinkage is None:
        return
    # Original rows unchanged; added int rows rounded, inside the dtype's range.
    source = frame.iloc[sampler.sample_indices_].reset_index(drop=True)
    first = ~added_mask(sampler.sample_indices_, sampler.shuffle)
    pd.testing.assert_frame_equal(X_res[first], source[first])
    noisy = X_res[~first]
    assert (noisy["f64"] != source["f64"][~first]).all()
    assert noisy["i8"].between(-128, 127).all() and noisy["u8"].between(0, 255).all()
    assert noisy["bool"].isin([True, False]).all()


@pytest.mark.parametrize(
    "dtype", [np.int64, np.int32, np.int8, np.uint8, np.float32, np.float16, bool]
)
def test_numpy_dtype_survives_shrinkage(dtype):
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 20)
    X = (rng.normal(size=(80, 3)) * 40).clip(-128, 127)
    X = (X > 0) if dtype is bool else X.astype(dtype)
    sampler = RandomOverSampler(shrinkage=20.0, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.dtype == X.dtype
    originals = X_res[~added_mask(sampler.sample_indices_, sampler.shuffle)]
    np.testing.assert_array_equal(np.sort(originals, axis=0), np.sort(X, axis=0))
    if np.dtype(dtype).kind == "f":
        assert np.isfinite(X_res).all()


def test_int_columns_saturate_instead_of_wrapping():
    y = np.array([0] * 6 + [1] * 4)
    X = np.array([[-128], [127]] * 5, dtype=np.int8)
    X_res, _ = RandomOverSampler(shrinkage=1e6, random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.int8
    assert set(np.unique(X_res).tolist()) <= {-128, 127}
    X64 = np.array([[np.iinfo(np.int64).max], [np.iinfo(np.int64).min]] * 5)
    X64_res, _ = RandomOverSampler(shrinkage=1e6, random_state=0).fit_resample(X64, y)
    assert X64_res.dtype == np.int64
    assert set(np.unique(X64_res).tolist()) <= {
        int(np.iinfo(np.int64).min),
        int(np.nextafter(float(np.iinfo(np.int64).max), 0)),
        int(np.iinfo(np.int64).max),
    }


# --- BalancedBaggingClassifier(sampler=...)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_balanced_bagging_with_every_sampler(sampler_cls):
    X, y = make_classification(
        n_samples=300, weights=[0.85, 0.15], random_state=0, n_features=5
    )
    bagging = BalancedBaggingClassifier(
        estimator=DecisionTreeClassifier(random_state=0),
        sampler=sampler_cls(random_state=0),
        n_estimators=4,
        random_state=0,
    )
    bagging.fit(X, y)
    assert bagging.predict(X).shape == (300,)
    for pipeline, rows in zip(bagging.estimators_, bagging.estimators_samples_):
        sampler = pipeline.steps[0][1]
        assert sampler.sampling_strategy == "auto"
        bag = y[rows]
        resampled = np.bincount(bag[sampler.sample_indices_], minlength=2)
        before = np.bincount(bag, minlength=2)
        if sampler_cls is ClassBalancedSampler:
            assert abs(resampled[1] / resampled.sum() - 0.5) < 0.15
            assert before[1] / before.sum() < 0.3
        else:
            assert resampled[0] == resampled[1] and before[0] != before[1]


def test_balanced_bagging_passes_its_sampling_strategy_on():
    X, y = make_classification(
        n_samples=300, weights=[0.8, 0.2], random_state=0, n_features=5
    )
    bagging = BalancedBaggingClassifier(
        sampler=LabelShuffleSampler(random_state=0),
        sampling_strategy=0.5,
        n_estimators=2,
        random_state=0,
    ).fit(X, y)
    for pipeline, rows in zip(bagging.estimators_, bagging.estimators_samples_):
        sampler = pipeline.steps[0][1]
        assert sampler.sampling_strategy == 0.5
        counts = np.bincount(y[rows][sampler.sample_indices_])
        assert counts[1] == int(counts[0] * 0.5)


# --- parameter validation


@pytest.mark.parametrize("n_samples", [True, False, np.True_])
def test_n_samples_bool_is_rejected(n_samples):
    sampler = ClassBalancedSampler(n_samples=n_samples)
    with pytest.raises(InvalidParameterError, match="'n_samples' parameter"):
        sampler.fit_resample(np.zeros((4, 1)), [0, 0, 1, 1])


def test_label_shuffle_dict_spreads_copies_evenly():
    y = np.array([0] * 8 + [1] * 4 + [2] * 3)
    sampler = LabelShuffleSampler(sampling_strategy={1: 10}, random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((15, 1)), y)
    assert Counter(y_res.tolist()) == {0: 8, 1: 10, 2: 3}
    assert sampler.sampling_strategy_ == {0: 8, 1: 10, 2: 3}
    appearances = np.bincount(sampler.sample_indices_, minlength=15)
    assert (appearances[y != 1] == 1).all()
    assert sorted(appearances[y == 1].tolist()) == [2, 2, 3, 3]


def test_class_count_beyond_int64_is_a_clear_error():
    y = np.array([0] * 8 + [1] * 4)
    for sampler_cls in ALL_SAMPLERS:
        sampler = sampler_cls(sampling_strategy={0: 2**64})
        with pytest.raises(ValueError, match=r"sampling_strategy\[0\] = 18,446"):
            sampler.fit(np.zeros((12, 1)), y)


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.float32])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_dtype_survives_shrinkage(fmt, dtype):
    X = sp.random(50, 3, density=0.5, format=fmt, random_state=0)
    X = (X * 100).astype(dtype)
    y = np.array([0] * 40 + [1] * 10)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.dtype == X.dtype and X_res.format == fmt
    dense = X_res.toarray()
    exact = (dense == X.toarray()[sampler.sample_indices_]).all(axis=1)
    assert exact.sum() >= 50 and np.isfinite(dense.astype(float)).all()


@pytest.mark.parametrize("library", ["polars", "pyarrow"])
def test_shrinkage_keeps_polars_and_pyarrow_frames_and_dtypes(library):
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    values = rng.normal(size=60) * 20
    frame = pl.DataFrame(
        {
            "f64": values,
            "f32": values.astype(np.float32),
            "i16": np.rint(values).astype(np.int16),
            "flag": values > 0,
        }
    )
    if library == "pyarrow":
        frame = frame.to_arrow()
    y = np.array([0] * 45 + [1] * 15)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, _ = sampler.fit_resample(frame, y)
    assert type(X_res) is type(frame) and X_res.schema == frame.schema
    names = ["f64", "f32", "i16", "flag"]
    res = np.column_stack([np.asarray(X_res[c]) for c in names])
    src = np.column_stack([np.asarray(frame[c]) for c in names])
    exact = (res == src[sampler.sample_indices_]).all(axis=1)
    assert exact.sum() == 60 and not exact.all()


# --------------------------------------------------------------------------
# imbalanced-learn's tests/test_common.py, ensemble/tests/test_bagging.py,
# test_forest.py, test_easy_ensemble.py and test_weight_boosting.py, with
# rebalance's samplers in place of imbalanced-learn's (review 22).

COMMON_SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomOverSampler(random_state=0),
    RandomOverSampler(shrinkage=0.5, random_state=0),
    ClassBalancedSampler(random_state=0),
    LabelShuffleSampler(random_state=0),
]


def _sampler_id(sampler):
    params = sampler.get_params()
    return type(sampler).__name__ + ("-shrinkage" if params.get("shrinkage") else "")


@pytest.mark.parametrize("sampler", COMMON_SAMPLERS, ids=_sampler_id)
def test_check_param_validation(sampler):
    from imblearn.utils.estimator_checks import check_param_validation

    check_param_validation(type(sampler).__name__, sampler)


@pytest.mark.parametrize("sampler", COMMON_SAMPLERS, ids=_sampler_id)
def test_pandas_column_name_consistency(sampler):
    import warnings

    from imblearn.utils.estimator_checks import (
        check_dataframe_column_names_consistency,
    )

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        check_dataframe_column_names_consistency(type(sampler).__name__, sampler)
    for warning in record:
        assert "was fitted without feature names" not in str(warning.message)


@pytest.mark.parametrize(
    "sampler_cls, strategy",
    [
        (RandomOverSampler, {0: 20, 1: 20}),
        (RandomUnderSampler, {0: 10, 1: 10}),
        (LabelShuffleSampler, {0: 20, 1: 20}),
    ],
)
def test_strategy_as_ordered_dict(sampler_cls, strategy):
    from collections import OrderedDict

    rng = np.random.RandomState(42)
    X, y = rng.randn(30, 2), np.array([0] * 10 + [1] * 20)
    sampler = sampler_cls(random_state=42)
    sampler.set_params(sampling_strategy=OrderedDict(strategy))
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape[0] == y_res.shape[0] == sum(strategy.values())
    assert Counter(y_res.tolist()) == strategy


def test_imblearn_sampler_checks_pass_with_shrinkage():
    # tests/test_common.py runs scikit-learn's checks only for the smoothed
    # bootstrap; its tags (no strings, no NaN) let imbalanced-learn's pass too.
    from imblearn.utils.estimator_checks import estimator_checks_generator

    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    names = []
    for estimator, check in estimator_checks_generator(sampler, legacy=True):
        check(estimator)
        names.append(getattr(check, "func", check).__name__)
    assert "check_samplers_sparse" in names and "check_samplers_pandas" in names


def _iris_imbalanced():
    from imblearn.datasets import make_imbalance
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    iris = load_iris()
    X, y = make_imbalance(
        iris.data, iris.target, sampling_strategy={0: 20, 1: 25, 2: 50}, random_state=0
    )
    return train_test_split(X, y, random_state=0)


class CountDecisionTreeClassifier(DecisionTreeClassifier):
    """A tree that remembers the class counts it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.class_counts_ = Counter(y.tolist())
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "sampler, theirs, n_samples_bootstrap",
    [
        (RandomUnderSampler(), ImbUnderSampler(), 15),
        (RandomUnderSampler(replacement=True, shuffle=False), ImbUnderSampler(), 15),
        (RandomOverSampler(), ImbOverSampler(), 40),
        (RandomOverSampler(shrinkage=1.0), ImbOverSampler(), 40),
        (LabelShuffleSampler(), ImbOverSampler(), 40),
    ],
)
def test_balanced_bagging_classifier_samplers(sampler, theirs, n_samples_bootstrap):
    # imbalanced-learn pins the counts of the first bag; every bag here has
    # the counts imbalanced-learn's sampler gives it.
    X_train, X_test, y_train, _ = _iris_imbalanced()
    fitted = []
    for one in (sampler, theirs):
        clf = BalancedBaggingClassifier(
            estimator=CountDecisionTreeClassifier(),
            n_estimators=3,
            sampler=one,
            random_state=0,
        )
        fitted.append(clf.fit(X_train, y_train))
    clf.predict(X_test)
    ours, expected = (
        [sorted(pipeline[-1].class_counts_.items()) for pipeline in c.estimators_]
        for c in fitted
    )
    assert ours == expected
    assert [count for _, count in ours[0]] == [n_samples_bootstrap] * 3


@pytest.fixture
def rebalance_in_imblearn_ensembles(monkeypatch):
    """imbalanced-learn's under-sampling ensembles, built on rebalance's sampler."""
    import imblearn.ensemble._easy_ensemble as easy
    import imblearn.ensemble._forest as forest
    import imblearn.ensemble._weight_boosting as boosting

    for module in (easy, forest, boosting):
        monkeypatch.setattr(module, "RandomUnderSampler", RandomUnderSampler)


def _three_class_data(n_samples=600):
    return make_classification(
        n_samples=n_samples,
        n_features=2,
        n_informative=2,
        n_redundant=0,
        n_repeated=0,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.05, 0.15, 0.8],
        class_sep=0.8,
        random_state=0,
    )


@pytest.mark.usefixtures("rebalance_in_imblearn_ensembles")
@pytest.mark.parametrize(
    "params, oob",
    [
        ({"sampling_strategy": "all", "replacement": True, "bootstrap": False}, False),
        ({"sampling_strategy": "auto", "replacement": False, "bootstrap": True}, True),
    ],
)
def test_balanced_random_forest(params, oob):
    from imblearn.ensemble import BalancedRandomForestClassifier

    X, y = _three_class_data()
    n_minority = np.bincount(y).min()
    brf = BalancedRandomForestClassifier(
        n_estimators=6, random_state=0, oob_score=oob, **params
    ).fit(X, y)
    assert len(brf.samplers_) == len(brf.estimators_) == len(brf.pipelines_) == 6
    assert all(isinstance(s, RandomUnderSampler) for s in brf.samplers_)
    assert len({s.random_state for s in brf.samplers_}) == 6
    for sampler in brf.samplers_:
        assert np.bincount(y[sampler.sample_indices_]).tolist() == [n_minority] * 3
        if params["replacement"]:  # a bootstrap of every class
            assert len(np.unique(sampler.sample_indices_)) < 3 * n_minority
    if oob:  # out-of-bag rows read through sample_indices_
        assert brf.oob_decision_function_.shape == (len(y), 3)
        assert np.isfinite(brf.oob_decision_function_).all()
    assert brf.score(X, y) > 0.7


@pytest.mark.usefixtures("rebalance_in_imblearn_ensembles")
def test_easy_ensemble_classifier():
    from imblearn.ensemble import EasyEnsembleClassifier
    from sklearn.ensemble import AdaBoostClassifier

    X_train, X_test, y_train, y_test = _iris_imbalanced()
    eec = EasyEnsembleClassifier(
        n_estimators=3, estimator=AdaBoostClassifier(n_estimators=5), random_state=0
    ).fit(X_train, y_train)
    assert len(eec.estimators_) == 3
    n_minority = np.bincount(y_train).min()
    for pipeline, rows in zip(eec.estimators_, eec.estimators_samples_):
        sampler = pipeline.named_steps["sampler"]
        assert isinstance(sampler, RandomUnderSampler)
        bag = y_train[rows]
        assert (
            np.bincount(bag[sampler.sample_indices_]).tolist()
            == [np.bincount(bag).min()] * 3
        )
    assert n_minority > 0 and eec.score(X_test, y_test) > 0.8


@pytest.mark.usefixtures("rebalance_in_imblearn_ensembles")
def test_rusboost():
    from imblearn.ensemble import RUSBoostClassifier
    from sklearn.model_selection import train_test_split

    X, y = _three_class_data(1200)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=1
    )
    rusboost = RUSBoostClassifier(n_estimators=20, random_state=0)
    rusboost.fit(X_train, y_train)
    assert len(rusboost.estimators_) == len(rusboost.samplers_)
    assert len(rusboost.pipelines_) == len(rusboost.samplers_)
    assert len({s.random_state for s in rusboost.samplers_}) == len(rusboost.samplers_)
    n_minority = np.bincount(y_train).min()
    for sampler in rusboost.samplers_:
        assert isinstance(sampler, RandomUnderSampler)
        counts = np.bincount(y_train[sampler.sample_indices_])
        assert counts.tolist() == [n_minority] * 3
    assert rusboost.predict_proba(X_test).shape == (len(y_test), 3)
    assert rusboost.score(X_test, y_test) > 0.6
