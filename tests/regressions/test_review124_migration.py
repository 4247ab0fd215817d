"""Migration from imbalanced-learn: imbalanced-learn's own tests for
``RandomUnderSampler`` / ``RandomOverSampler`` ported to rebalance's samplers
(used as drop-in replacements), plus pins of the promised equivalences (class
counts and ``sampling_strategy_`` for every string and float strategy, the
fitted attributes, ``shrinkage_``, one-hot y, pandas names/dtypes, sampler tags,
``clone`` and ``repr``); the draws themselves differ by design (README)."""

from collections import Counter
from datetime import datetime

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS
from sklearn.base import clone
from sklearn.datasets import make_classification

from rebalance import RandomOverSampler, RandomUnderSampler

X = np.array(
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
Y = np.array([1, 0, 1, 0, 1, 1, 1, 1, 0, 1])


def _counts(y):
    return sorted(Counter(np.asarray(y).tolist()).items())


def _plain(d):
    return {k.item() if hasattr(k, "item") else k: int(v) for k, v in d.items()}


# ---- ported from imblearn/under_sampling/.../test_random_under_sampler.py ----


@pytest.mark.parametrize("as_frame", [True, False])
def test_rus_fit_resample_port(as_frame):
    pd = pytest.importorskip("pandas")
    X_ = pd.DataFrame(X) if as_frame else X
    rus = RandomUnderSampler(random_state=0, replacement=True)
    X_res, y_res = rus.fit_resample(X_, Y)
    if as_frame:
        assert hasattr(X_res, "loc")
        X_res = X_res.to_numpy()
    assert _counts(y_res) == [(0, 3), (1, 3)]
    # the class-0 rows are all kept (not resampled), as in imbalanced-learn
    assert sorted(map(tuple, X_res[y_res == 0])) == sorted(map(tuple, X[Y == 0]))
    np.testing.assert_array_equal(X_res, X[rus.sample_indices_])
    np.testing.assert_array_equal(y_res, Y[rus.sample_indices_])


def test_rus_fit_resample_half_port():
    rus = RandomUnderSampler(
        sampling_strategy={0: 3, 1: 6}, random_state=0, replacement=True
    )
    X_res, y_res = rus.fit_resample(X, Y)
    assert _counts(y_res) == [(0, 3), (1, 6)]
    assert rus.sampling_strategy_ == {0: 3, 1: 6}
    np.testing.assert_array_equal(X_res, X[rus.sample_indices_])


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_multiclass_fit_resample_port(cls):
    y = Y.copy()
    y[5] = 2
    y[6] = 2
    _, y_res = cls(random_state=0).fit_resample(X, y)
    n = 2 if cls is RandomUnderSampler else 5
    assert _counts(y_res) == [(0, n), (1, n), (2, n)]


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_heterogeneous_object_data_port(cls):
    X_hetero = np.array(
        [["xxx", 1, 1.0], ["yyy", 2, 2.0], ["zzz", 3, 3.0]], dtype=object
    )
    X_res, y_res = cls(random_state=0).fit_resample(X_hetero, np.array([0, 0, 1]))
    assert X_res.shape[0] == y_res.shape[0] == (2 if cls is RandomUnderSampler else 4)
    assert X_res.dtype == object
    assert set(X_res[:, 0]) <= set(X_hetero[:, 0])


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_nan_inf_rows_are_copied_port(cls):
    X_ = X.copy()
    X_[0, 0] = np.nan
    X_[3, 1] = np.inf
    X_[8, 0] = np.nan
    X_res, y_res = cls(random_state=0).fit_resample(X_, Y)
    n = 6 if cls is RandomUnderSampler else 14
    assert y_res.shape == (n,) and X_res.shape == (n, 2)
    assert np.any(~np.isfinite(X_res))  # all three class-0 rows are kept


@pytest.mark.parametrize(
    "strategy", ["auto", "majority", "not minority", "not majority", "all"]
)
def test_rus_strings_same_as_imblearn(strategy):
    X3, y3 = make_classification(
        n_samples=100,
        n_clusters_per_class=1,
        n_classes=3,
        weights=[0.1, 0.3, 0.6],
        random_state=0,
    )
    ours = RandomUnderSampler(sampling_strategy=strategy, random_state=0)
    ref = ImbRUS(sampling_strategy=strategy, random_state=0)
    assert _counts(ours.fit_resample(X3, y3)[1]) == _counts(ref.fit_resample(X3, y3)[1])
    assert _plain(ours.sampling_strategy_) == _plain(ref.sampling_strategy_)
    assert list(ours.sampling_strategy_) == [k.item() for k in ref.sampling_strategy_]


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_datetime_and_nat_columns_kept_port(cls):
    pd = pytest.importorskip("pandas")
    Xd = pd.DataFrame({"label": [0, 0, 0, 1], "td": [datetime.now()] * 4})
    X_res, y_res = cls(random_state=0).fit_resample(Xd, Xd["label"])
    pd.testing.assert_series_equal(X_res.dtypes, Xd.dtypes)
    pd.testing.assert_index_equal(X_res.index, y_res.index)
    assert y_res.name == "label"
    Xt = pd.DataFrame(
        {
            "col_str": ["abc", "def", "xyz"],
            "col_timedelta": pd.to_timedelta([np.nan, np.nan, np.nan]),
        }
    )
    X_res, _ = cls().fit_resample(Xt, np.array([0, 0, 1]))
    assert X_res["col_timedelta"].dtype.kind == "m"


# ---- ported from imblearn/over_sampling/tests/test_random_over_sampler.py ----


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"shrinkage": None}, None),
        ({"shrinkage": 0}, {0: 0}),
        ({"shrinkage": {0: 0}}, {0: 0}),
    ],
)
def test_ros_fit_resample_port(params, expected):
    pd = pytest.importorskip("pandas")
    for X_ in (X, pd.DataFrame(X)):
        ros = RandomOverSampler(**params, random_state=0)
        X_res, y_res = ros.fit_resample(X_, Y)
        X_res = np.asarray(X_res)
        assert _counts(y_res) == [(0, 7), (1, 7)]
        np.testing.assert_allclose(X_res, X[ros.sample_indices_])
        assert ros.shrinkage_ == expected
        assert ros.sampling_strategy_ == {0: 4}


@pytest.mark.parametrize("shrinkage, expected", [(None, None), (0, {0: 0, 1: 0})])
def test_ros_fit_resample_half_port(shrinkage, expected):
    ros = RandomOverSampler(
        shrinkage=shrinkage, sampling_strategy={0: 3, 1: 7}, random_state=0
    )
    X_res, y_res = ros.fit_resample(X, Y)
    assert sorted(map(tuple, X_res)) == sorted(map(tuple, X))
    assert ros.shrinkage_ == expected
    assert ros.sampling_strategy_ == {0: 0, 1: 0}


def test_ros_shrinkage_needs_numeric_port():
    X_hetero = np.array(
        [["xxx", 1, 1.0], ["yyy", 2, 2.0], ["zzz", 3, 3.0]], dtype=object
    )
    ros = RandomOverSampler(shrinkage=1, random_state=0)
    msg = "When shrinkage is not None, X needs to contain only numerical"
    with pytest.raises(ValueError, match=msg):
        ros.fit_resample(X_hetero, np.array([0, 0, 1]))


@pytest.mark.parametrize("kind", ["dataframe", "array", "csr", "csc"])
def test_ros_smoothed_bootstrap_containers_port(kind):
    pd = pytest.importorskip("pandas")
    X_ = {
        "dataframe": pd.DataFrame(X),
        "array": X,
        "csr": sp.csr_matrix(X),
        "csc": sp.csc_matrix(X),
    }[kind]
    X_res, y_res = RandomOverSampler(shrinkage=1).fit_resample(X_, Y)
    assert y_res.shape == (14,) and X_res.shape == (14, 2)
    assert type(X_res) is type(X_)


def test_ros_shrinkage_zero_equals_plain_port():
    a = RandomOverSampler(shrinkage=0, random_state=0).fit_resample(X, Y)
    b = RandomOverSampler(shrinkage=None, random_state=0).fit_resample(X, Y)
    np.testing.assert_allclose(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_ros_larger_shrinkage_larger_spread_port():
    ros = RandomOverSampler(shrinkage=1, random_state=0)
    X1, y1 = ros.fit_resample(X, Y)
    X5, y5 = ros.set_params(shrinkage=5).fit_resample(X, Y)
    d1 = np.linalg.det(np.cov(X1[y1 == 0].T))
    d5 = np.linalg.det(np.cov(X5[y5 == 0].T))
    assert d1 < d5


@pytest.mark.parametrize(
    "shrinkage, msg",
    [
        ({}, "`shrinkage` should contain a shrinkage factor for each class"),
        ({0: -1}, "The shrinkage factor needs to be >= 0"),
    ],
)
def test_ros_shrinkage_error_port(shrinkage, msg):
    with pytest.raises(ValueError, match=msg):
        RandomOverSampler(shrinkage=shrinkage).fit_resample(X, Y)


@pytest.mark.parametrize(
    "strategy", ["auto", "minority", "not minority", "not majority", "all"]
)
def test_ros_strings_same_as_imblearn(strategy):
    X3, y3 = make_classification(
        n_samples=100,
        n_clusters_per_class=1,
        n_classes=3,
        weights=[0.1, 0.3, 0.6],
        random_state=0,
    )
    ours = RandomOverSampler(sampling_strategy=strategy, random_state=0)
    ref = ImbROS(sampling_strategy=strategy, random_state=0)
    assert _counts(ours.fit_resample(X3, y3)[1]) == _counts(ref.fit_resample(X3, y3)[1])
    assert _plain(ours.sampling_strategy_) == _plain(ref.sampling_strategy_)


# ---- migration pins beyond the ported tests ----


@pytest.mark.parametrize("ratio", [0.3, 0.375, 0.4, 0.43, 0.5, 0.999, 1.0])
def test_float_ratio_counts_match_imblearn_under(ratio):
    y = np.r_[np.zeros(3, int), np.ones(8, int)]
    Xr = np.arange(len(y), dtype=float)[:, None]
    try:
        ref = _counts(ImbRUS(sampling_strategy=ratio).fit_resample(Xr, y)[1])
    except ValueError:
        with pytest.raises(ValueError, match="sampling_strategy"):
            RandomUnderSampler(sampling_strategy=ratio).fit_resample(Xr, y)
        return
    assert (
        _counts(RandomUnderSampler(sampling_strategy=ratio).fit_resample(Xr, y)[1])
        == ref
    )


def test_shrinkage_noise_scale_matches_imblearn():
    rng = np.random.default_rng(0)
    Xb = rng.normal(size=(2000, 3)) * [1, 5, 0.1]
    yb = np.r_[np.zeros(1900, int), np.ones(100, int)]
    stds = []
    for cls in (RandomOverSampler, ImbROS):
        s = cls(shrinkage=2.0, random_state=0)
        X_res, y_res = s.fit_resample(Xb, yb)
        noise = (X_res - Xb[s.sample_indices_])[y_res == 1]
        stds.append(noise.std(axis=0))
    np.testing.assert_allclose(stds[0], stds[1], rtol=0.1)


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_one_hot_y_stays_one_hot(cls):
    pd = pytest.importorskip("pandas")
    y3 = Y.copy()
    y3[5] = 2
    y3[6] = 2
    oh = np.eye(3, dtype=int)[y3]
    _, y_res = cls(random_state=0).fit_resample(X, oh)
    assert y_res.shape[1] == 3 and set(y_res.sum(1)) == {1}
    n = 2 if cls is RandomUnderSampler else 5
    assert y_res.sum(0).tolist() == [n, n, n]
    ohdf = pd.DataFrame(oh, columns=["a", "b", "c"])
    _, y_res = cls(random_state=0).fit_resample(X, ohdf)  # imblearn crashes here
    assert list(y_res.columns) == ["a", "b", "c"]
    assert y_res.to_numpy().sum(0).tolist() == [n, n, n]


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_pandas_names_attributes_and_feature_names_out(cls):
    pd = pytest.importorskip("pandas")
    Xp = pd.DataFrame(X, columns=["a", "b"], index=list("abcdefghij"))
    yp = pd.Series(Y, index=Xp.index, name="t")
    s = cls(random_state=0)
    X_res, y_res = s.fit_resample(Xp, yp)
    assert list(X_res.columns) == ["a", "b"] and y_res.name == "t"
    assert X_res.index.equals(y_res.index)
    assert s.feature_names_in_.tolist() == ["a", "b"] and s.n_features_in_ == 2
    assert s.get_feature_names_out().tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="input_features is not equal"):
        s.get_feature_names_out(["x", "y"])
    # documented: fresh RangeIndex; the source rows are in sample_indices_
    pd.testing.assert_frame_equal(
        X_res, Xp.iloc[s.sample_indices_].reset_index(drop=True)
    )
    s.fit_resample(X, Y)  # refit on numpy drops the names, as in scikit-learn
    assert not hasattr(s, "feature_names_in_")
    assert s.get_feature_names_out().tolist() == ["x0", "x1"]


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_estimator_type_tags_clone_repr(cls):
    s = cls(sampling_strategy={0: 3}, random_state=3)
    assert s._estimator_type == "sampler"
    assert s.__sklearn_tags__().sampler_tags.sample_indices is True
    c = clone(s)
    assert c.get_params() == s.get_params() and c is not s
    assert repr(cls(random_state=0)) == f"{cls.__name__}(random_state=0)"
    ref = ImbRUS if cls is RandomUnderSampler else ImbROS
    assert cls._sampling_type == ref._sampling_type


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_errors_name_the_argument(cls):
    with pytest.raises(ValueError, match="same length"):
        cls().fit_resample(X, Y[:5])  # imbalanced-learn silently pairs them
    with pytest.raises(ValueError, match="negative"):
        cls(sampling_strategy={0: -1}).fit_resample(X, Y)
    with pytest.raises(TypeError, match="integer count"):
        cls(sampling_strategy={0: 2.5}).fit_resample(X, Y)
    with pytest.raises(ValueError, match="not in y"):
        cls(sampling_strategy={5: 2}).fit_resample(X, Y)
    with pytest.raises(TypeError, match="callable must return a dict"):
        cls(sampling_strategy=lambda y: [1]).fit_resample(X, Y)
