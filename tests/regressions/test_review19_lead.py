"""Review 19 (lead): HardExampleSampler.update with empty or non-real losses."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402


def _sampler():
    return HardExampleSampler(RebalanceSampler(torch.tensor([0, 1, 0, 1, 0, 0])))


def test_update_with_empty_lists_changes_nothing():
    sampler = _sampler()
    before = sampler.state_dict()
    sampler.update([], [])
    after = sampler.state_dict()
    assert before.keys() == after.keys()
    for key in before:
        np.testing.assert_array_equal(np.asarray(before[key]), np.asarray(after[key]))


@pytest.mark.parametrize(
    "losses", [torch.tensor([True, False]), torch.tensor([1 + 1j, 2 + 0j])]
)
def test_update_with_non_real_losses_names_the_dtype(losses):
    with pytest.raises(TypeError, match=r"losses has dtype .*one real loss per row"):
        _sampler().update([0, 1], losses)


def test_update_with_nan_losses_says_how_many_and_where():
    losses = torch.tensor([0.5, float("nan"), 1.0, float("inf")])
    with pytest.raises(ValueError, match=r"2 are NaN or inf \(the first at position 1"):
        _sampler().update([0, 1, 2, 3], losses)
