"""Review 53 (torchstate): PyTorch global state set by the user before or
after importing rebalance's torch front end.

States: ``torch.set_default_device('meta')`` (standing in for 'cuda', which
this machine lacks) and ``with torch.device('meta')``, a default dtype,
deterministic algorithms, ``inference_mode``/``no_grad``/grad disabled,
anomaly detection, thread counts, a user seed, print options, backend flags.

Oracles: the same call without the state (indices, values, dtypes, devices).
"""

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import (  # noqa: E402
    HardExampleSampler,
    RebalanceSampler,
)


def _labels():
    return torch.tensor([0] * 30 + [1] * 6 + [2] * 4, device="cpu")


def _cpu_arange(start, stop, dtype):
    return torch.arange(start, stop, device="cpu", dtype=dtype)


def _hard_sampler():
    sampler = HardExampleSampler(
        RebalanceSampler(_labels(), seed=2), pool_size=4, replay_ratio=0.5
    )
    sampler.update(_cpu_arange(0, 6, torch.int64), _cpu_arange(0, 6, torch.float32))
    return sampler


@pytest.mark.parametrize("how", ["set_default_device", "device_context"])
def test_hard_example_state_dict_on_the_cpu_under_meta_default_device(how):
    # The pool tensors were made with torch's default device: under 'meta'
    # (or 'cuda') they held no values (or sat on the GPU), and a checkpoint
    # lost the pool silently.
    sampler = _hard_sampler()
    if how == "set_default_device":
        torch.set_default_device("meta")
        try:
            state = sampler.state_dict()
        finally:
            torch.set_default_device(None)
    else:
        with torch.device("meta"):
            state = sampler.state_dict()
    for key in ("pool_ids", "pool_losses", "epoch_pool_ids"):
        assert state[key].device.type == "cpu", key
    assert state["pool_ids"].dtype == torch.int64
    assert state["pool_losses"].dtype == torch.float64
    assert state["pool_ids"].tolist() == [5, 4, 3, 2]
    assert state["pool_losses"].tolist() == [5.0, 4.0, 3.0, 2.0]
    # The checkpoint resumes the same epoch, replaying the same rows.
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    restored = HardExampleSampler(
        RebalanceSampler(_labels(), seed=2), pool_size=4, replay_ratio=0.5
    )
    restored.load_state_dict(torch.load(buffer, weights_only=True))
    expected = list(sampler)
    assert any(i in (2, 3, 4, 5) for i in expected[30:])  # replays happen
    assert list(restored) == expected
    # Live: a later update is written into the tensors handed out.
    sampler.update(_cpu_arange(6, 8, torch.int64), _cpu_arange(6, 8, torch.float32))
    assert state["pool_ids"].tolist() == [7, 6, 5, 4]


def test_hard_example_state_dict_taken_under_inference_mode():
    # state_dict() under torch.inference_mode (a validation loop, a checkpoint
    # callback) made inference tensors: the next update() outside it raised
    # "Inplace update to inference tensor outside InferenceMode".
    sampler = _hard_sampler()
    with torch.inference_mode():
        state = sampler.state_dict()
    sampler.update(_cpu_arange(6, 8, torch.int64), _cpu_arange(6, 8, torch.float32))
    assert state["pool_ids"].tolist() == [7, 6, 5, 4]
    assert state["pool_losses"].tolist() == [7.0, 6.0, 5.0, 4.0]
    assert not state["pool_ids"].is_inference()
    assert not state["epoch_pool_ids"].is_inference()
    # And updates inside inference mode still reach the live tensors.
    with torch.inference_mode():
        sampler.update(
            _cpu_arange(8, 10, torch.int64), _cpu_arange(8, 10, torch.float32)
        )
    assert state["pool_ids"].tolist() == [9, 8, 7, 6]
    assert np.array_equal(sampler.pool_ids, [9, 8, 7, 6])


def _mlp_data():
    rng = np.random.default_rng(0)
    y = (rng.random(120) < 0.2).astype(int)
    X = rng.normal(size=(120, 3)) + y[:, None]
    return X, y


@pytest.mark.parametrize("state", ["no_grad", "inference_mode", "grad_disabled"])
def test_mlp_fits_under_the_callers_autograd_state(state):
    # ``rebalance compare --model mlp``'s classifier fitted inside an
    # evaluation block (torch.no_grad, torch.inference_mode,
    # set_grad_enabled(False)) raised "element 0 of tensors does not require
    # grad" at its first backward.
    from rebalance.torch._compare_model import TorchMLPClassifier

    X, y = _mlp_data()
    params = dict(loss="focal", sampler="balanced-batch", epochs=2, random_state=0)
    expected = TorchMLPClassifier(**params).fit(X, y).predict_proba(X)
    contexts = {
        "no_grad": torch.no_grad,
        "inference_mode": torch.inference_mode,
        "grad_disabled": lambda: torch.set_grad_enabled(False),
    }
    with contexts[state]():
        model = TorchMLPClassifier(**params).fit(X, y)
        got = model.predict_proba(X)
        assert not torch.is_grad_enabled()  # the caller's state is kept
    assert torch.is_grad_enabled()
    np.testing.assert_array_equal(got, expected)
    # The parameters are ordinary tensors: trainable again later.
    assert all(not p.is_inference() for p in model.network_.parameters())


def test_logit_adjusted_losses_under_meta_default_device():
    from rebalance.torch.losses import logit_adjusted_cross_entropy

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]], device="cpu")
    target = torch.tensor([0, 2], device="cpu")
    counts = [50, 30, 20]
    expected = logit_adjusted_cross_entropy(logits, target, counts)
    torch.set_default_device("meta")
    try:
        got = logit_adjusted_cross_entropy(logits, target, counts)
    finally:
        torch.set_default_device(None)
    assert got.device.type == "cpu"
    torch.testing.assert_close(got, expected)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("state", ["default_device", "inference_mode"])
def test_deferred_target_check_host_buffer_under_global_state(state):
    # The pinned host buffer of a CUDA target check was made on torch's
    # default device (pin_memory refused on 'cuda') and, under
    # torch.inference_mode, as an inference tensor that a later check outside
    # it could not write into (the buffers are pooled).
    from rebalance.torch._focal_checks import (
        defer_target_check,
        raise_deferred_target_errors,
    )

    values = torch.zeros(3, dtype=torch.int32, device="cuda")
    if state == "default_device":
        torch.set_default_device("cuda")
        try:
            defer_target_check(values, 0, "bad targets")
            raise_deferred_target_errors(wait=True)
        finally:
            torch.set_default_device(None)
    else:
        with torch.inference_mode():
            defer_target_check(values, 0, "bad targets")
            raise_deferred_target_errors(wait=True)
    defer_target_check(values, 0, "bad targets")  # reuses the pooled buffer
    raise_deferred_target_errors(wait=True)
    with pytest.raises(ValueError, match="bad targets"):
        defer_target_check(values + 1, 0, "bad targets")
        raise_deferred_target_errors(wait=True)


@pytest.mark.parametrize("top_k", [0.25, 5], ids=["fraction", "count"])
def test_ohem_tensor_top_k_under_meta_default_device(top_k):
    # A tensor top_k is compared with its rounded values on the host: that
    # tensor was made on the default device ('Tensor.item() cannot be called
    # on meta tensors').
    from rebalance.torch.losses import ohem_loss

    g = torch.Generator().manual_seed(0)
    per_row = torch.rand(20, generator=g)
    dtype = torch.float32 if isinstance(top_k, float) else torch.int32
    k = torch.tensor(top_k, dtype=dtype)
    want = ohem_loss(per_row, top_k=k)
    with torch.device("meta"):
        got = ohem_loss(per_row, top_k=k)
    assert got.device.type == "cpu"
    assert torch.equal(got, want)
