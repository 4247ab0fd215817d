"""Review 144, area apifuzz9: a fuzzer of the public API.

What was reviewed: every name in ``rebalance.__all__`` and
``rebalance.torch.__all__`` (the four samplers, ``class_weights`` /
``sample_weights``, ``ThresholdMover``, ``ResampledClassifier``, the torch
samplers / loaders and all focal, margin, logit-adjusted, class-weighted and
OHEM losses).

How: a seeded generator (run in a subprocess with a timeout) fed each of them
hostile-but-plausible inputs: empty, one-row and one-class data, NaN/inf in X
and y, float16/complex/object/datetime X, bool/int8/uint64/2**63-1/string/
datetime/mixed-object labels, read-only, Fortran-order, non-contiguous and
0-stride views, lists, generators, pandas with duplicate index, duplicate or
MultiIndex columns, categorical and nullable-Int64 labels, sparse matrices
with explicit zeros and sparse arrays, meta-device tensors, and every
parameter as None/0/-1/1.5/bool/numpy scalar/10**30/nan/inf/bogus string/dict
with negative, bool, float or unknown keys. Checked: only ValueError/TypeError
(sklearn's InvalidParameterError is a ValueError) for bad input, rows kept
paired with their labels, the label dtype kept, row counts as the strategy
says, inputs not modified, no crash or hang.

Found: no bug. Every hostile input either gave a correct result or a
ValueError/TypeError naming the argument. (A first apparent failure, focal
losses "on meta tensors", was the harness calling ``.tolist()`` on the meta
result.) The two pins below guard the dtype/pairing and meta-device paths.
"""

import numpy as np
import pytest

import rebalance as rb

torch = pytest.importorskip("torch")


def _labels(kind, y):
    if kind == "bool":
        return y.astype(bool)
    if kind == "int63":
        return np.where(y == 1, 2**63 - 1, 0).astype(np.int64)
    if kind == "uint64":
        return np.where(y == 1, 2**64 - 1, 0).astype(np.uint64)
    return y


@pytest.mark.parametrize("kind", ["bool", "int63", "uint64"])
def test_samplers_keep_rows_paired_on_extreme_label_dtypes(kind):
    rng = np.random.default_rng(144)
    X = np.asfortranarray(rng.normal(size=(24, 6))[:, ::2])  # view, F-order
    X.flags.writeable = False
    y = _labels(kind, np.array([0] * 18 + [1] * 6))
    y.flags.writeable = False
    before = X.copy()
    for sampler in (
        rb.RandomUnderSampler(random_state=0),
        rb.RandomOverSampler(random_state=0),
        rb.ClassBalancedSampler(random_state=0),
    ):
        Xr, yr = sampler.fit_resample(X, y)
        assert Xr.shape[0] == len(yr)
        assert yr.dtype == y.dtype
        for row, label in zip(Xr, yr):
            (source,) = np.flatnonzero((X == row).all(axis=1))
            assert y[source] == label
    np.testing.assert_array_equal(X, before)


def test_losses_on_meta_tensors_after_cpu_calls():
    import rebalance.torch as rt

    logits = torch.randn(6, 3)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    rt.softmax_focal_loss(logits, target)  # CPU first, then meta
    for out in (
        rt.softmax_focal_loss(logits.to("meta"), target.to("meta")),
        rt.sigmoid_focal_loss(logits.to("meta"), logits.to("meta")),
        rt.logit_adjusted_cross_entropy(
            logits.to("meta"), target.to("meta"), [0.5, 0.3, 0.2]
        ),
        rt.ohem_loss(torch.rand(5, device="meta"), top_k=2),
    ):
        assert out.is_meta and out.shape == ()
