"""Review 93 (diff17): samplers that leave the split to HF Accelerate in a
prepared loader, and ThresholdMover's cv routing only for strategy='tuned'."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.threshold import ThresholdMover  # noqa: E402
from rebalance.torch import RebalanceSampler  # noqa: E402

LABELS = [0] * 30 + [1] * 10 + [2] * 5


def _ids(loader):
    return [int(i) for ids, _ in loader for i in ids]


def test_sampler_from_a_prepared_loader_splits_by_rank_in_a_plain_one(
    two_accelerate_ranks,
):
    # One sampler object, first in a loader Accelerate prepared (split once,
    # by Accelerate: fine), then in a plain DataLoader (e.g. an evaluation
    # loop by hand). The plain loader is not sharded by anyone, so the
    # sampler must split by the process group's ranks as a fresh one does
    # (45 of 90 items, 9 batches). It gave rank 1 all 90 items (len 18):
    # every rank sees the whole epoch, duplicated across ranks, no warning.
    from accelerate.data_loader import prepare_data_loader

    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)
    fresh = RebalanceSampler(labels, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _ids(DataLoader(dataset, batch_size=5, sampler=fresh))
    sampler = RebalanceSampler(labels, seed=0)
    prepared = prepare_data_loader(
        DataLoader(dataset, batch_size=5, sampler=sampler),
        num_processes=2,
        process_index=1,
    )
    assert len(_ids(prepared)) == 45  # the whole 90, Accelerate's half
    plain = DataLoader(dataset, batch_size=5, sampler=sampler)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler.set_epoch(0)
        got = _ids(plain)
        assert len(plain) == len(expected) // 5
    assert got == expected


def test_prepared_loader_ranks_together_give_the_whole_epoch_draw(
    two_accelerate_ranks,
):
    # Pin: two epochs through prepare_data_loader for ranks 0 and 1, batches
    # dealt in turn: epoch e merged is the 1-process draw of epoch e, no
    # warning, equal per-rank lengths and len() truthful.
    from accelerate.data_loader import prepare_data_loader

    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)
    seen = {0: [], 1: []}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for rank in range(2):
            sampler = RebalanceSampler(labels, seed=0)
            loader = prepare_data_loader(
                DataLoader(dataset, batch_size=5, sampler=sampler),
                num_processes=2,
                process_index=rank,
            )
            for epoch in range(2):
                loader.set_epoch(epoch)
                got = _ids(loader)
                assert len(loader) * 5 == len(got)
                seen[epoch].append(got)
    for epoch in range(2):
        ref = RebalanceSampler(labels, seed=0, num_replicas=1, rank=0)
        ref.set_epoch(epoch)
        first, second = seen[epoch]
        assert len(first) == len(second)
        merged = [
            i
            for k in range(0, len(first), 5)
            for part in (first[k : k + 5], second[k : k + 5])
            for i in part
        ]
        assert merged == list(ref)


def _group_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + rng.normal(size=120) > 1).astype(int)
    return X, y, np.repeat(np.arange(6), 20)


def test_grid_over_strategy_with_groups_fits_every_candidate():
    # GridSearchCV(ThresholdMover(strategy='tuned', cv=GroupKFold(3)),
    # {'strategy': ['tuned', 'prior']}, cv=GroupKFold(2)).fit(X, y,
    # groups=g): the search asks the base estimator (tuned) what it
    # requests and passes groups to every candidate's fit. The 'prior'
    # candidates raised TypeError "got unexpected argument(s) {'groups'}"
    # (error_score=nan: silently never chosen; error_score='raise': crash).
    X, y, groups = _group_data()
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            ThresholdMover(LogisticRegression(), strategy="tuned", cv=GroupKFold(3)),
            {"strategy": ["tuned", "prior"]},
            cv=GroupKFold(2),
            error_score="raise",
        )
        search.fit(X, y, groups=groups)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_tuned_routes_groups_to_its_cv():
    # 'tuned' splits by the groups (stop 50 kept the splitter routed for every
    # strategy, as TunedThresholdClassifierCV does: a grid over strategy).
    X, y, groups = _group_data()
    calls = []

    class Spy(GroupKFold):
        def split(self, X, y=None, groups=None):
            calls.append(groups is not None)
            return super().split(X, y, groups)

    with sklearn.config_context(enable_metadata_routing=True):
        ThresholdMover(LogisticRegression(), strategy="tuned", cv=Spy(3)).fit(
            X, y, groups=groups
        )
        assert calls and all(calls)


def test_state_saved_in_a_prepared_loader_loads_into_a_fresh_sampler(
    two_accelerate_ranks,
):
    # accelerator.register_for_checkpointing(sampler); save_state mid-epoch;
    # in the new run load_state calls sampler.load_state_dict before the
    # prepared loader iterates. The saved state says num_replicas=1 (the
    # sampler left the split to Accelerate); the fresh sampler, not yet seen
    # in a prepared loader, resolves num_replicas=2 from the process group
    # and raised "state_dict was saved with num_replicas=1 but this sampler
    # has num_replicas=2". It should resume the epoch where it stopped.
    from accelerate.data_loader import prepare_data_loader

    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)

    def prepared(sampler):
        loader = DataLoader(dataset, batch_size=5, sampler=sampler)
        return prepare_data_loader(loader, num_processes=2, process_index=0)

    full = _ids(prepared(RebalanceSampler(labels, seed=0)))
    sampler = RebalanceSampler(labels, seed=0)
    iterator = iter(prepared(sampler))
    for _ in range(3):
        next(iterator)
    state = sampler.state_dict()
    fresh = RebalanceSampler(labels, seed=0)
    fresh.load_state_dict(state)
    rest = _ids(prepared(fresh))
    assert 0 < len(rest) < len(full)
    assert rest == full[-len(rest) :]


def test_rank_only_sampler_in_a_prepared_loader_warns_with_the_right_fix(
    two_accelerate_ranks,
):
    # rank given, num_replicas=None: it still splits by the group (as given)
    # and Accelerate splits again; the warning said "iterated outside a loader
    # prepared by Accelerate", untrue here, and advised prepare().
    from accelerate.data_loader import prepare_data_loader

    labels = torch.tensor(LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)
    sampler = RebalanceSampler(labels, seed=0, rank=1)
    prepared = prepare_data_loader(
        DataLoader(dataset, batch_size=5, sampler=sampler),
        num_processes=2,
        process_index=1,
    )
    with pytest.warns(UserWarning, match="1/4") as record:
        _ids(prepared)
    message = " ".join(str(w.message) for w in record)
    assert "outside a loader" not in message
    assert "Leave rank and num_replicas both None" in message
