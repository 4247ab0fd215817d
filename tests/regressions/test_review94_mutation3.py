"""Review 94 (mutation3): pins that kill surviving mutants of the Accelerate
split-once logic (rebalance/torch/samplers.py) and of the Dask selection
check (rebalance/_dask.py). Each test passes on the real code."""

import warnings

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.torch import BalancedBatchSampler, RebalanceSampler  # noqa: E402

LABELS = [0] * 30 + [1] * 10 + [2] * 5


def _ids(loader):
    return [int(i) for ids, _ in loader for i in ids]


def _dataset():
    labels = torch.tensor(LABELS)
    return labels, TensorDataset(torch.arange(len(labels)), labels)


def test_len_of_a_prepared_loader_before_iterating_is_truthful(two_accelerate_ranks):
    # Kills: no _note_accelerate in __len__ (len() before the first batch
    # counted the rank split: 5 batches announced, 9 given).
    from accelerate.data_loader import prepare_data_loader

    labels, dataset = _dataset()
    prepared = prepare_data_loader(
        DataLoader(dataset, batch_size=5, sampler=RebalanceSampler(labels, seed=0)),
        num_processes=2,
        process_index=1,
    )
    n = len(prepared)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _ids(prepared)
    assert n * 5 == len(got) == 45


def test_balanced_batch_sampler_in_prepared_loaders_splits_once(
    two_accelerate_ranks,
):
    from accelerate.data_loader import prepare_data_loader

    labels, dataset = _dataset()
    kw = dict(class_counts={0: 3, 1: 1, 2: 1}, seed=0)
    ref = list(BalancedBatchSampler(labels, 5, num_replicas=1, rank=0, **kw))
    assert len(ref) == 10
    merged = []
    for rank in range(2):
        prepared = prepare_data_loader(
            DataLoader(dataset, batch_sampler=BalancedBatchSampler(labels, 5, **kw)),
            num_processes=2,
            process_index=rank,
        )
        n = len(prepared)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            batches = [[int(i) for i in ids] for ids, _ in prepared]
        assert n == len(batches) == 5
        merged.append(batches)
    together = [b for pair in zip(*merged) for b in pair]
    assert together == ref


def test_state_saved_in_a_plain_loader_loads_under_accelerate(two_accelerate_ranks):
    # Kills: load_state_dict marking the sampler as split by Accelerate for
    # any saved num_replicas (not only 1): a state saved at num_replicas=2
    # in a plain DataLoader was refused ("saved with num_replicas=2 but this
    # sampler has num_replicas=1").
    labels, dataset = _dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the split-twice warning
        full = _ids(
            DataLoader(dataset, batch_size=5, sampler=RebalanceSampler(labels, seed=0))
        )
        sampler = RebalanceSampler(labels, seed=0)
        iterator = iter(DataLoader(dataset, batch_size=5, sampler=sampler))
        for _ in range(3):
            next(iterator)
        state = sampler.state_dict()
        assert state["num_replicas"] == 2
        fresh = RebalanceSampler(labels, seed=0)
        fresh.load_state_dict(state)
        assert fresh.num_replicas == 2
        rest = _ids(DataLoader(dataset, batch_size=5, sampler=fresh))
    assert len(full) == 45
    assert 0 < len(rest) < len(full)
    assert rest == full[-len(rest) :]


@pytest.fixture
def two_files(tmp_path):
    """Features and labels of the same 20 rows in two Parquet files."""
    n = 20
    i = np.arange(n)
    feats = pd.DataFrame({"k": np.tile([1.0, -1.0], n // 2), "a": i * 1.0})
    labels = pd.DataFrame({"k": feats["k"], "y": i % 2})
    feats.to_parquet(tmp_path / "x.parquet")
    labels.to_parquet(tmp_path / "y.parquet")
    return str(tmp_path / "x.parquet"), str(tmp_path / "y.parquet")


@pytest.mark.usefixtures("synchronous_dask")
def test_same_condition_on_another_file_is_not_refused(two_files):
    # Kills: dropping _same_data from _refuse_other_selection (any two
    # Parquet reads with different selections refused, other data or not).
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    from rebalance._dask import check_same_selection

    xs, ys = dd.read_parquet(two_files[0]), dd.read_parquet(two_files[1])
    check_same_selection(xs[xs.k > 0][["a"]], ys[ys.k > 0]["y"])
