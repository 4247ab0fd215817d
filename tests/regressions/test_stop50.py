"""Stop 50: a new user's first mistakes with the estimator samplers."""

import pytest

import rebalance

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

SAMPLERS = [
    getattr(rebalance, name)
    for name in rebalance.__all__
    if isinstance(getattr(rebalance, name), type)
    and issubclass(getattr(rebalance, name), rebalance.base.BaseSampler)
]


@pytest.mark.parametrize("cls", SAMPLERS, ids=lambda c: c.__name__)
def test_estimator_sampler_given_to_a_dataloader_names_the_wrapper(cls):
    # DataLoader(dataset, sampler=RandomUnderSampler()): Python's "object is
    # not iterable" before; now a TypeError naming RebalanceSampler.
    loader = DataLoader(TensorDataset(torch.arange(8)), sampler=cls(), batch_size=2)
    fix = r"RebalanceSampler\(\s*labels, " + cls.__name__
    with pytest.raises(TypeError, match=fix):
        next(iter(loader))


def test_at_least_the_four_samplers_are_checked():
    names = {cls.__name__ for cls in SAMPLERS}
    assert {"RandomUnderSampler", "RandomOverSampler"} <= names
    assert len(names) >= 4
