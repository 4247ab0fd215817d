"""Review 112 (samplers3): a white-box audit of the four estimator samplers in
``rebalance/samplers.py`` (RandomUnderSampler, RandomOverSampler with
shrinkage, ClassBalancedSampler, LabelShuffleSampler) and the parts of
``rebalance/base.py`` they call. These pins cover parameter combinations that
earlier rounds did not: the smoothed bootstrap against non-canonical sparse
input with weights, which occurrence of a row stays exact (per row, per
container, shuffled or not), the noise scale against imbalanced-learn's,
ties in the under-sampler's strategy against imbalanced-learn, the
class-balanced mix of a dict strategy at ``power=0.5``, the label shuffle's
floor/ceil invariant under every strategy, and ``plan().draw`` agreeing with
``fit_resample``. No bug was found in this area this round."""

import numpy as np
import pytest
import scipy.sparse as sp

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)


def _dense(X):
    if sp.issparse(X):
        return X.toarray()
    if hasattr(X, "to_numpy"):
        return X.to_numpy()
    return np.asarray(X, dtype=float)


def _noncanonical_csr():
    # Row 0 holds column 1 twice (summed: 4.0), rows are unsorted.
    data = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0])
    indices = np.array([1, 0, 1, 0, 2, 1, 1, 2, 0, 0, 1, 2])
    indptr = np.array([0, 3, 5, 7, 9, 9, 10, 11, 11, 12])
    return sp.csr_matrix((data, indices, indptr), shape=(9, 3))


@pytest.mark.parametrize(
    "sampler",
    [
        RandomOverSampler(shrinkage=1.0, random_state=0),
        RandomOverSampler(shrinkage=1.0, shuffle=False, random_state=0),
        RandomUnderSampler(replacement=True, random_state=0),
        LabelShuffleSampler(random_state=0),
        ClassBalancedSampler(power=0.5, random_state=0),
    ],
    ids=["over-shrink", "over-shrink-noshuffle", "under-repl", "shuffle", "cbs"],
)
def test_noncanonical_csr_with_weights_paired_and_untouched(sampler):
    X = _noncanonical_csr()
    y = np.array([0] * 6 + [1] * 3)
    w = np.arange(9, dtype=np.float32)
    snapshot = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    dense = X.toarray()
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    idx = sampler.sample_indices_
    assert X_res.format == "csr"
    assert np.array_equal(y_res, y[idx])
    assert w_res.dtype == np.float32 and np.array_equal(w_res, w[idx])
    exact = np.isclose(X_res.toarray(), dense[idx]).all(axis=1)
    # Every input row that is drawn keeps at least one exact copy.
    assert set(idx[exact].tolist()) == set(idx.tolist())
    assert not X.has_canonical_format
    for before, after in zip(snapshot, (X.data, X.indices, X.indptr)):
        assert np.array_equal(before, after)


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("kind", ["numpy", "csr", "pandas"])
def test_shrinkage_each_original_row_exact_once(kind, shuffle):
    # Class 1 noisy, class 2 given 0: its copies are exact; class 0 is not
    # over-sampled. Each original row comes back exactly once unchanged.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = np.array([0] * 25 + [1] * 10 + [2] * 5)
    if kind == "csr":
        X_in = sp.csr_matrix(X)
    elif kind == "pandas":
        pd = pytest.importorskip("pandas")
        X_in = pd.DataFrame(X)
    else:
        X_in = X
    sampler = RandomOverSampler(
        shrinkage={1: 1.0, 2: 0.0}, shuffle=shuffle, random_state=4
    )
    X_res = _dense(sampler.fit_resample(X_in, y)[0])
    idx = sampler.sample_indices_
    exact = (X_res == X[idx]).all(axis=1)
    per_row = np.bincount(idx[exact], minlength=40)
    assert (per_row[y != 2] == 1).all()
    assert (per_row[y == 2] == np.bincount(idx, minlength=40)[y == 2]).all()
    assert (~exact).sum() == 15  # the 15 added rows of class 1


def test_shrinkage_same_noise_for_numpy_pandas_csr():
    pd = pytest.importorskip("pandas")
    X = np.arange(24, dtype=float).reshape(12, 2) ** 1.5
    y = np.array([0, 1, 0, 2, 0, 1, 0, 0, 2, 0, 0, 0])
    out = [
        _dense(RandomOverSampler(shrinkage=1.0, random_state=3).fit_resample(Xi, y)[0])
        for Xi in (X, pd.DataFrame(X), sp.csr_matrix(X))
    ]
    np.testing.assert_allclose(out[0], out[1])
    np.testing.assert_allclose(out[0], out[2])


def test_shrinkage_noise_scale_matches_imblearn_formula():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 2)) * [1.0, 10.0]
    y = np.array([0] * 1900 + [1] * 100)
    h = (4 / ((2 + 2) * 2000)) ** (1 / 6)
    expected = 2.0 * h * X[y == 1].std(axis=0)
    for X_in in (X, sp.csr_matrix(X)):
        sampler = RandomOverSampler(shrinkage=2.0, random_state=0)
        X_res = _dense(sampler.fit_resample(X_in, y)[0])
        diff = X_res - X[sampler.sample_indices_]
        noisy = np.abs(diff).sum(axis=1) > 0
        assert noisy.sum() == 1800
        np.testing.assert_allclose(diff[noisy].std(axis=0) / expected, 1.0, atol=0.06)


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("strategy", ["majority", "not minority", "auto", "all"])
def test_under_sampler_ties_match_imblearn(strategy, replacement):
    imblearn = pytest.importorskip("imblearn.under_sampling")
    # Classes 0 and 1 tie for the majority, 2 and 3 for the minority.
    y = np.array([0] * 5 + [1] * 5 + [2] * 2 + [3] * 2)
    X = np.arange(len(y) * 2, dtype=float).reshape(-1, 2)
    ours = RandomUnderSampler(
        sampling_strategy=strategy, replacement=replacement, random_state=0
    )
    theirs = imblearn.RandomUnderSampler(
        sampling_strategy=strategy, replacement=replacement, random_state=0
    )
    y_ours = ours.fit_resample(X, y)[1]
    y_theirs = theirs.fit_resample(X, y)[1]
    assert ours.sampling_strategy_ == {
        int(k): int(v) for k, v in theirs.sampling_strategy_.items()
    }
    assert np.bincount(y_ours).tolist() == np.bincount(y_theirs).tolist()


def test_class_balanced_dict_strategy_mid_power_mix():
    # T = {0: 7, 1: 14}, n = {0: 7, 1: 3}: p_1 ∝ 14**0.5 * 3**0.5.
    X = np.zeros((10, 1))
    y = np.array([0] * 7 + [1] * 3)
    sampler = ClassBalancedSampler(
        sampling_strategy={1: 14}, n_samples=20_000, power=0.5, random_state=0
    )
    y_res = sampler.fit_resample(X, y)[1]
    w0, w1 = 7.0, (14 * 3) ** 0.5
    assert abs(y_res.mean() - w1 / (w0 + w1)) < 0.015
    assert sum(sampler.sampling_strategy_.values()) == 20_000


@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not minority", "not majority", "all", {1: 10, 2: 3}],
)
def test_label_shuffle_floor_ceil_every_strategy(strategy):
    y = np.array([0] * 7 + [1] * 3 + [2] * 2 + [3] * 5)
    X = np.arange(len(y)).reshape(-1, 1)
    sampler = LabelShuffleSampler(sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    copies = np.bincount(X_res.ravel(), minlength=len(y))
    for cls, total in sampler.sampling_strategy_.items():
        assert (y_res == cls).sum() == total
        n = (y == cls).sum()
        mine = copies[y == cls]
        assert mine.min() == total // n and mine.max() == -(-total // n)


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(replacement=True, random_state=3),
        RandomOverSampler(shrinkage=1.0, random_state=3),
        ClassBalancedSampler(power=0.5, random_state=3),
        LabelShuffleSampler(random_state=3),
    ],
    ids=["under", "over-shrink", "cbs", "shuffle"],
)
def test_plan_draw_matches_fit_resample(sampler):
    X = np.arange(40.0).reshape(20, 2)
    y = np.array([0] * 12 + [1] * 5 + [2] * 3)
    sampler.fit_resample(X, y)
    drawn = sampler.plan(y).draw(np.random.default_rng(3))
    assert np.array_equal(sampler.sample_indices_, drawn)


def test_shrinkage_dict_numpy_and_bool_keys_resolve_to_classes():
    X = np.arange(20, dtype=float).reshape(10, 2)
    y = np.array([0] * 7 + [1] * 3)
    sampler = RandomOverSampler(shrinkage={np.int64(1): 0.5, 0: 2.0}, random_state=0)
    sampler.fit(X, y)
    assert sampler.shrinkage_ == {1: 0.5, 0: 2.0}
    assert all(type(k) is int for k in sampler.shrinkage_)
    bools = RandomOverSampler(shrinkage={1: 0.5}, random_state=0)
    bools.fit(X, y.astype(bool))
    assert (
        list(bools.shrinkage_) == [True] and type(next(iter(bools.shrinkage_))) is bool
    )


def test_shrinkage_pandas_mixed_dtypes_kept_and_input_untouched():
    pd = pytest.importorskip("pandas")
    y = np.array([0] * 8 + [1] * 4)
    df = pd.DataFrame(
        {
            "u8": np.array([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 0, 1], dtype=np.uint8),
            "f32": np.linspace(0, 1, 12).astype(np.float32),
            "bool": np.array([1, 0] * 6, bool),
            "I": pd.array(np.arange(12), dtype="Int64"),
            "B": pd.array([True, False] * 6, dtype="boolean"),
        },
        index=np.arange(100, 112)[::-1],
    )
    before = df.copy(deep=True)
    sampler = RandomOverSampler(shrinkage=3.0, random_state=0)
    X_res, y_res = sampler.fit_resample(df, y)
    pd.testing.assert_frame_equal(df, before)
    assert X_res.dtypes.tolist() == df.dtypes.tolist()
    assert (X_res["u8"].to_numpy() <= 255).all()
    assert np.array_equal(y_res, y[sampler.sample_indices_])


def test_random_state_objects_reproducible_and_advancing():
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = np.array([0, 1, 0, 2, 0, 1, 0, 0, 2, 0, 0, 0])
    first = RandomOverSampler(random_state=np.random.RandomState(5))
    second = RandomOverSampler(random_state=np.random.RandomState(5))
    first.fit_resample(X, y)
    second.fit_resample(X, y)
    assert np.array_equal(first.sample_indices_, second.sample_indices_)
    generator = np.random.default_rng(0)
    shared = RandomUnderSampler(random_state=generator)
    shared.fit_resample(X, y)
    a = shared.sample_indices_.copy()
    shared.fit_resample(X, y)
    assert not np.array_equal(a, shared.sample_indices_)  # the Generator advanced
