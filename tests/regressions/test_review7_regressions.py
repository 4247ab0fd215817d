"""Review 7 (regressions of d156877 / f96ab30)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")


def _data():
    rng = np.random.default_rng(0)
    y = (rng.random(80) < 0.25).astype(int)
    X = (rng.normal(size=(80, 3)) + y[:, None]).astype(np.float32)
    return X, y


@pytest.mark.parametrize(
    "sampler", ["label-shuffle", "class-balanced", "balanced-batch"]
)
def test_mlp_fit_with_sampler_leaves_global_torch_rng_alone(sampler):
    # f96ab30 dropped torch.random.fork_rng around the fit ("torch's global
    # generator is neither read nor changed"), but a DataLoader built without
    # generator= draws its base seed from the global generator at every
    # iteration (one draw per epoch).
    from rebalance.torch._compare_model import TorchMLPClassifier

    X, y = _data()
    torch.manual_seed(123)
    before = torch.get_rng_state().clone()
    TorchMLPClassifier(sampler=sampler, epochs=2, batch_size=16, random_state=0).fit(
        X, y
    )
    assert torch.equal(torch.get_rng_state(), before)


def test_compare_mlp_leaves_global_torch_rng_alone():
    from rebalance.compare import compare

    X, y = _data()
    torch.manual_seed(7)
    before = torch.get_rng_state().clone()
    compare(X, y, model="mlp", folds=2, method_names=["class-balanced-sampler"])
    assert torch.equal(torch.get_rng_state(), before)
