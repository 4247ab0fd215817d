"""Review 81 (diff9): the changes of af2abb7 (shuffled shrinkage originals,
Dask y/weights pairing, HardExampleSampler's live pool capacity)."""

import io
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import chisquare

from rebalance import RandomOverSampler
from rebalance._indices import added_mask


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint32, np.uint64])
def test_shuffled_added_mask_keeps_one_original_per_row(dtype):
    rng = np.random.default_rng(0)
    cases = [
        rng.integers(0, 50, 1000),
        np.array([3]),
        np.arange(7)[::-1],
        np.zeros(10_000),
        np.r_[np.zeros(64), np.arange(1, 10)],
    ]
    for indices in cases:
        indices = indices.astype(dtype)
        kept = indices[~added_mask(indices, shuffled=True)]
        assert np.array_equal(np.sort(kept), np.unique(indices))


def test_shuffled_original_is_uniform_among_occurrences():
    counts = np.zeros(4)
    for seed in range(1000):
        indices = np.random.default_rng(seed).permutation(np.r_[0, 0, 0, 0, 1:20])
        kept = ~added_mask(indices, shuffled=True)[indices == 0]
        counts[np.flatnonzero(kept)[0]] += 1
    assert chisquare(counts).pvalue > 1e-4


def test_shuffled_original_uniform_when_first_64_indices_equal():
    counts = np.zeros(3)
    for seed in range(800):
        tail = np.random.default_rng(seed).permutation(np.r_[1, 1, 1, 2:10])
        indices = np.r_[np.zeros(64, dtype=np.int64), tail]
        kept = ~added_mask(indices, shuffled=True)[indices == 1]
        counts[np.flatnonzero(kept)[0]] += 1
    assert chisquare(counts).pvalue > 1e-4


def test_dense_sparse_and_list_X_mark_the_same_noisy_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.r_[np.zeros(25, int), np.ones(5, int)]
    for seed in (0, 1):
        sampler = RandomOverSampler(shrinkage=1.0, shuffle=True, random_state=seed)
        X_dense, _ = sampler.fit_resample(X, y)
        indices = sampler.sample_indices_
        X_sparse, _ = RandomOverSampler(
            shrinkage=1.0, shuffle=True, random_state=seed
        ).fit_resample(sp.csr_matrix(X), y)
        X_list, _ = RandomOverSampler(
            shrinkage=1.0, shuffle=True, random_state=seed
        ).fit_resample([tuple(row) for row in X], y)
        exact = np.all(X_dense == X[indices], axis=1)
        assert exact.sum() == 30
        assert np.array_equal(exact, ~added_mask(indices, shuffled=True))
        assert np.allclose(X_sparse.toarray(), X_dense)
        assert np.array_equal(np.all(X_sparse.toarray() == X[indices], axis=1), exact)
        assert [tuple(a) == tuple(b) for a, b in zip(X_list, X[indices])] == list(exact)
    sampler = RandomOverSampler(shrinkage=1.0, shuffle=False, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    exact = np.all(X_res == X[sampler.sample_indices_], axis=1)
    assert np.array_equal(exact, ~added_mask(sampler.sample_indices_))


def _hard_sampler(pool_size):
    torch = pytest.importorskip("torch")
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    labels = torch.tensor([0] * 12 + [1] * 4)
    return torch, HardExampleSampler(RebalanceSampler(labels), pool_size=pool_size)


def test_hard_example_state_dict_round_trip():
    torch, sampler = _hard_sampler(8)
    sampler.state_dict()
    sampler.update(torch.tensor([1, 2, 3]), torch.tensor([0.5, 0.2, 0.9]))
    state = sampler.state_dict()
    assert state["pool_ids"].tolist() == [1, 2, 3]
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    _, other = _hard_sampler(8)
    other.load_state_dict(loaded)
    assert other.pool_ids.tolist() == [1, 2, 3]


def test_hard_example_checkpoint_size_follows_the_pool():
    torch, sampler = _hard_sampler(10**6)
    sampler.update(torch.tensor([1, 2, 3]), torch.tensor([0.5, 0.2, 0.9]))
    buffer = io.BytesIO()
    torch.save(sampler.state_dict(), buffer)
    assert len(buffer.getvalue()) < 100_000


def test_hard_example_large_pool_size_state_dict():
    _, sampler = _hard_sampler(10**13)
    assert sampler.state_dict()["pool_ids"].shape == (0,)


def _dask_case():
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=40),
            "y": np.r_[np.zeros(30, int), np.ones(10, int)],
            "w": rng.uniform(1, 2, 40),
        }
    ).sample(frac=1, random_state=0)
    return da, dd, frame


def test_dask_same_frame_y_and_weights_not_refused():
    _, dd, frame = _dask_case()
    for sort in (True,):
        ddf = dd.from_pandas(frame, npartitions=3, sort=sort)
        RandomOverSampler(random_state=0).fit_resample(
            ddf[["a"]], ddf["y"], sample_weight=ddf["w"]
        )
    ddf = dd.from_pandas(frame, npartitions=3, sort=False)
    RandomOverSampler(random_state=0).fit_resample(
        ddf[["a"]].reset_index(drop=True),
        frame["y"].reset_index(drop=True),
        sample_weight=frame["w"].reset_index(drop=True),
    )


def test_dask_reversed_weights_refused():
    da, _, frame = _dask_case()
    X = da.from_array(frame[["a"]].to_numpy(), chunks=10)
    with pytest.raises(ValueError, match="sample_weight holds the index of y"):
        RandomOverSampler(random_state=0).fit_resample(
            X, frame["y"], sample_weight=frame["w"][::-1]
        )


def test_dask_weights_message_advice_works():
    da, dd, frame = _dask_case()
    X = da.from_array(frame[["a"]].to_numpy(), chunks=10)
    weights = dd.from_pandas(frame["w"][::-1], npartitions=2, sort=False)
    # The advice must work (a Dask Series' .loc takes no pandas index).
    with pytest.raises(
        ValueError, match=r"sample_weight\.compute\(\)\.loc\[y\.index\]"
    ):
        RandomOverSampler(random_state=0).fit_resample(
            X, frame["y"], sample_weight=weights
        )
    RandomOverSampler(random_state=0).fit_resample(
        X, frame["y"], sample_weight=weights.compute().loc[frame["y"].index]
    )


@pytest.mark.parametrize(
    "n_min, n_maj, ratio",
    [
        (29, 100, 0.28),
        (3, 7, 0.4),
        (999_999, 10**6, np.float32(0.9999)),
        (1, 997, 1e-4),
    ],
)
def test_float_ratio_message_names_a_ratio_that_works(n_min, n_maj, ratio):
    X = np.zeros((n_min + n_maj, 1))
    y = np.r_[np.zeros(n_maj, np.int8), np.ones(n_min, np.int8)]
    with pytest.raises(ValueError, match="at least") as info:
        RandomOverSampler(sampling_strategy=ratio).fit_resample(X, y)
    least = float(str(info.value).rsplit("at least ", 1)[1].rstrip("."))
    _, y_res = RandomOverSampler(sampling_strategy=least).fit_resample(X, y)
    assert np.bincount(y_res)[1] >= n_min


def test_pool_tensors_read_as_numpy_warn_instead_of_crashing():
    torch = pytest.importorskip("torch")
    # Review 81: the live pool tensors keep their own size (no pool_size
    # capacity in checkpoints); a numpy view of them does not stop the state
    # from following the pool (review 83: new storage by set_, no warning).
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    sampler = HardExampleSampler(
        RebalanceSampler(torch.tensor([0] * 8 + [1] * 4), seed=0), pool_size=4
    )
    sampler.update(torch.tensor([0, 1]), torch.tensor([1.0, 2.0]))
    state = sampler.state_dict()
    state["pool_ids"].numpy()  # a numpy view: the storage can no longer grow
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler.update(torch.tensor([8, 9]), torch.tensor([10.0, 20.0]))
    assert sorted(sampler.state_dict()["pool_ids"].tolist()) == [0, 1, 8, 9]
    assert sorted(state["pool_ids"].tolist()) == [0, 1, 8, 9]
    assert state["pool_ids"].untyped_storage().nbytes() == 4 * 8
