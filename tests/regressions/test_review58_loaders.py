"""Review 58: the batch-level torch front ends (TensorBatchLoader,
IndexBatchSampler) as users wire them."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    IndexBatchSampler,
    RebalanceSampler,
    TensorBatchLoader,
)

LABELS = torch.tensor([0] * 30 + [1] * 7 + [2] * 3)
ROWS = torch.arange(80.0).reshape(40, 2)


def _loader(*tensors):
    sampler = RebalanceSampler(LABELS, seed=0)
    return TensorBatchLoader(*tensors, sampler=sampler, batch_size=8)


@pytest.mark.parametrize(
    ("given", "fix"),
    [
        ([ROWS, LABELS], "TensorBatchLoader(*tensors"),
        ((ROWS, LABELS), "TensorBatchLoader(*tensors"),
        (TensorDataset(ROWS, LABELS), "TensorBatchLoader(*dataset.tensors"),
    ],
)
def test_tensors_given_packed_are_told_to_unpack(given, fix):
    # bug: a list/tuple of tensors or a TensorDataset given as the first
    # tensor was told to pass torch.as_tensor(array), which fails on both
    with pytest.raises(TypeError, match="tensors\\[0\\]") as error:
        _loader(given)
    assert fix in str(error.value)
    assert "torch.as_tensor" not in str(error.value)


def test_a_numpy_array_is_still_told_to_convert():
    with pytest.raises(TypeError, match=r"tensors\[1\].*torch\.as_tensor"):
        _loader(ROWS, LABELS.numpy())


def _quantized(per_channel: bool):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # deprecated in torch
        if per_channel:
            return torch.quantize_per_channel(
                ROWS,
                torch.full((40,), 0.5),
                torch.zeros(40, dtype=torch.long),
                0,
                torch.qint8,
            )
        return torch.quantize_per_tensor(ROWS, 0.5, 0, torch.qint8)


def test_per_channel_quantized_rows_are_refused_when_built():
    # bug: a per-channel quantized tensor was accepted and failed at the
    # first batch with torch's internal index_select error
    if not hasattr(torch, "quantize_per_channel"):
        pytest.skip("no quantized tensors in this torch")
    with pytest.raises(TypeError, match=r"tensors\[0\].*dequantize"):
        _loader(_quantized(per_channel=True), LABELS)


def test_per_tensor_quantized_rows_are_gathered():
    if not hasattr(torch, "quantize_per_tensor"):
        pytest.skip("no quantized tensors in this torch")
    rows = _quantized(per_channel=False)
    loader = _loader(rows, LABELS)
    index = torch.cat(list(IndexBatchSampler(RebalanceSampler(LABELS, seed=0), 8)))
    gathered = torch.cat([xb.dequantize() for xb, _ in loader])
    assert torch.equal(gathered, rows.dequantize()[index])


def test_a_sampler_class_is_told_to_be_an_instance():
    # bug: TensorBatchLoader(sampler=RebalanceSampler) said "got type" and
    # to use torch's BatchSampler, which TensorBatchLoader refuses too
    with pytest.raises(TypeError, match=r"the class RebalanceSampler.*instance"):
        TensorBatchLoader(ROWS, LABELS, sampler=RebalanceSampler, batch_size=8)


def test_another_sampler_is_not_sent_to_batch_sampler():
    # bug: a torch sampler was told to use torch.utils.data.BatchSampler,
    # which TensorBatchLoader refuses as well
    from torch.utils.data import BatchSampler, RandomSampler

    for sampler in (
        RandomSampler(ROWS),
        BatchSampler(RandomSampler(ROWS), 8, drop_last=False),
    ):
        with pytest.raises(TypeError, match="sampler must be") as error:
            TensorBatchLoader(ROWS, LABELS, sampler=sampler, batch_size=8)
        assert "torch.utils.data.BatchSampler" not in str(error.value)
        assert "DataLoader(TensorDataset(*tensors)" in str(error.value)


def test_a_masked_tensor_is_refused_when_built():
    # bug: a torch.masked MaskedTensor was accepted and failed at the first
    # batch with torch's "Multiple dispatch failed for index_select"
    masked = pytest.importorskip("torch.masked")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # prototype in torch
        rows = masked.masked_tensor(ROWS, ROWS > 10)
    with pytest.raises(TypeError, match=r"tensors\[0\].*MaskedTensor.*get_mask"):
        _loader(rows, LABELS)
