"""Review 82 (diff10): the whole change d702baf..HEAD of rebalance/, as a
maintainer would read it before a release."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402


def test_pool_tensors_that_cannot_grow_keep_their_pool():
    labels = np.array([0] * 30 + [1] * 10)
    sampler = HardExampleSampler(RebalanceSampler(labels, seed=0), pool_size=8)
    sampler.update(torch.tensor([1, 2]), torch.tensor([0.5, 0.75]))
    state = sampler.state_dict()
    view = np.asarray(state["pool_losses"])  # fixes that storage's size
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler.update(torch.tensor([3, 4, 5]), torch.tensor([0.9, 0.1, 0.2]))
    # (review 83: the tensors take new storage, set_) the state follows the
    # pool, consistent and loadable, never torn; the numpy view keeps the
    # values it saw.
    assert sorted(state["pool_ids"].tolist()) == [1, 2, 3, 4, 5]
    pairs = dict(zip(state["pool_ids"].tolist(), state["pool_losses"].tolist()))
    assert pairs == pytest.approx({1: 0.5, 2: 0.75, 3: 0.9, 4: 0.1, 5: 0.2}, rel=1e-6)
    assert view.tolist() == [0.5, 0.75]
    fresh = HardExampleSampler(RebalanceSampler(labels, seed=0), pool_size=8)
    fresh.load_state_dict(state)
    assert sorted(fresh.pool_ids.tolist()) == [1, 2, 3, 4, 5]


def test_text_refusal_advice_works_for_a_list_of_rows():
    # Review 82: the message advised X.astype(float), which a list lacks.
    import numpy as np

    from rebalance import RandomOverSampler

    X = [[str(i), "2.5"] for i in range(12)]
    y = np.array([0] * 9 + [1] * 3)
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    with pytest.raises(ValueError, match=r"numpy\.asarray\(X, dtype=float\)"):
        sampler.fit_resample(X, y)
    X_res, _ = sampler.fit_resample(np.asarray(X, dtype=float), y)
    assert X_res.shape == (18, 2)
