"""Review 14: regression review of the changes since 4eda6db (int32 pool,
count ties, torch loss fixes, sampler restore rule, big-endian gathers).

Every test here fails on the code as reviewed; each is named after its bug.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.datasets import thin_class  # noqa: E402
from rebalance.torch import RebalanceSampler  # noqa: E402
from rebalance.torch.losses import (  # noqa: E402
    ClassWeightedCrossEntropyLoss,
    OHEMLoss,
    class_weighted_cross_entropy,
    sigmoid_focal_loss,
)


# --------------------------------------------------------------------------
# 1. rescale=True: _focal_ops._reduce no longer clamps the focal sum, so the
#    factor ce_sum / fl_sum of a float32 batch whose focal sum is subnormal
#    (a confident element next to elements whose focal weight is 0, or a
#    large gamma) is above float32's max. _reduction_tail casts it to the
#    compute dtype: inf, and the gradient and reduction='none' losses become
#    inf, or NaN where an element's focal loss is 0 (0 * inf). The mean loss
#    itself is right (reduced before the cast); float64 gives the right
#    gradient. (4eda6db: finite, but 1e9 times too small.)
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "x, y, options",
    [
        ([30.0, 0.0, -1.0], [1.0, 0.0, 0.0], {"alpha": 1.0, "gamma": 2.0}),
        ([9.0] * 4, [1.0] * 4, {"alpha": 0.25, "gamma": 10.0}),
    ],
    ids=["alpha1-gamma2", "gamma10"],
)
def test_rescale_factor_overflows_float32_into_inf_and_nan_gradients(x, y, options):
    def run(dtype):
        logits = torch.tensor(x, dtype=dtype, requires_grad=True)
        target = torch.tensor(y, dtype=dtype)
        loss = sigmoid_focal_loss(logits, target, rescale=True, **options)
        loss.backward()
        each = sigmoid_focal_loss(
            logits.detach(), target, rescale=True, reduction="none", **options
        )
        return loss.detach(), logits.grad, each

    ref_loss, ref_grad, ref_each = run(torch.float64)
    loss, grad, each = run(torch.float32)
    # got: grad [-inf, nan, nan], each [inf, nan, nan]
    assert bool(torch.isfinite(grad).all()) and bool(torch.isfinite(each).all())
    # rtol 2e-3: the kernels' per-element float32 values are subnormal here
    # (about 1e-40, 10-15 significant bits) before the float64 rescale.
    torch.testing.assert_close(grad.double(), ref_grad, rtol=2e-3, atol=1e-7)
    torch.testing.assert_close(each.double(), ref_each, rtol=2e-3, atol=1e-7)
    torch.testing.assert_close(loss.double(), ref_loss, rtol=1e-4, atol=0)


# --------------------------------------------------------------------------
# 2. keep_grad=True hands class_weighted_cross_entropy's class weights to
#    F.cross_entropy still attached; torch's nll_loss is not differentiable in
#    its weight and refuses one that requires grad. A weight tensor that
#    requires grad (an nn.Parameter given to the Module) now crashes with
#    torch's RuntimeError; on 4eda6db it was detached and the loss worked.
#    (CHANGES.md: "they get it, as cross_entropy's weight does" -- but
#    cross_entropy's weight gets no gradient, it raises.)
# --------------------------------------------------------------------------
def test_class_weighted_cross_entropy_weight_requiring_grad_raises_torch_error():
    logits = torch.tensor([[1.0, 0.0, -1.0], [0.2, 0.1, 0.0], [0.0, 1.5, 0.3]])
    target = torch.tensor([0, 2, 1])
    w = torch.tensor([1.0, 2.0, 3.0])
    expected = F.cross_entropy(logits, target, weight=w)

    weight = w.clone().requires_grad_()
    # got: RuntimeError "The function 'nll_loss_forward' is not
    # differentiable with respect to argument 'weight'"
    got = class_weighted_cross_entropy(logits, target, weight)
    torch.testing.assert_close(got.detach(), expected)

    module = ClassWeightedCrossEntropyLoss(class_weight=torch.nn.Parameter(w.clone()))
    x = logits.clone().requires_grad_()
    got = module(x, target)
    got.backward()
    torch.testing.assert_close(got.detach(), expected)
    assert x.grad is not None


# --------------------------------------------------------------------------
# 3. OHEMLoss now runs _check_class_targets on every target; with class-
#    probability targets it refuses any ignore_index but -100 ("not supported
#    with class-probability targets"), although OHEMLoss documents that
#    ignore_index applies only when the target has one value per sample, and
#    torch's cross_entropy takes soft targets with a negative ignore_index.
#    OHEMLoss(ignore_index=-1) (a detection-style void label) on a mixup
#    batch worked on 4eda6db and raises now. softmax_focal_loss passes
#    soft_ignore=True for exactly this case; OHEMLoss does not.
# --------------------------------------------------------------------------
def test_ohem_loss_with_ignore_index_refuses_soft_targets_it_took_before():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 3, generator=g)
    soft = torch.softmax(torch.randn(6, 3, generator=g), dim=1)
    expected = OHEMLoss(top_k=3)(logits, soft)
    # got: ValueError "ignore_index=-1 is not supported with class-probability
    # targets"
    got = OHEMLoss(top_k=3, ignore_index=-1)(logits, soft)
    torch.testing.assert_close(got, expected)


# --------------------------------------------------------------------------
# 4. A float under-sampling ratio on a count tie: imbalanced-learn takes the
#    first class in sorted order as the *minority* and resamples every other
#    class; _strategy._from_ratio / resolve_targets take the same first class
#    as the *majority* (_extreme_class(largest=True)) and resample it. So
#    sampling_strategy_ names the other class than imbalanced-learn's, and
#    with replacement=True the other class is bootstrapped. For a pandas
#    categorical whose categories are not sorted this is new (4eda6db took
#    the first category, which here is imbalanced-learn's class); for plain
#    arrays it was so before.
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y, expected",
    [
        (np.array([0, 0, 0, 1, 1, 1]), {1: 3}),
        (
            pd.Series(pd.Categorical(["x"] * 3 + ["y"] * 3, categories=["y", "x"])),
            {"y": 3},
        ),
    ],
    ids=["ints", "categorical"],
)
def test_float_under_sampling_ratio_on_a_tie_resamples_the_other_class(y, expected):
    X = np.arange(6).reshape(-1, 1)
    sampler = RandomUnderSampler(
        sampling_strategy=1.0, replacement=True, random_state=0
    )
    sampler.fit_resample(X, y)
    # imbalanced-learn: {1: 3} / {'y': 3}; got {0: 3} / {'x': 3}
    assert {k: int(v) for k, v in sampler.sampling_strategy_.items()} == expected


# --------------------------------------------------------------------------
# 5. The restore rule of _EpochSampler._start_epoch (kept "only at an epoch's
#    start" by b41786c) still fires for a plain DataLoader with workers after
#    a restore at position 0 -- what any epoch-end checkpoint of
#    sampler.state_dict() holds. A loop of a fixed number of steps per epoch
#    with `it = iter(loader)` starts the new loader iterator while the old one
#    is alive; the new one is taken for StatefulDataLoader's replacement and
#    draws the restored epoch again: epochs 3, 3, 4 instead of 3, 4, 5 (as
#    without a restore, and as on 4eda6db). Fixed in review 46: the rule
#    replaces only an iteration drawn by a torchdata loader iterator restored
#    as finished.
# --------------------------------------------------------------------------
def test_restored_at_an_epoch_start_overlapping_loader_iterators_repeat_the_epoch():
    from torch.utils.data import DataLoader, TensorDataset

    labels = torch.tensor([0] * 12 + [1] * 4)
    dataset = TensorDataset(torch.arange(16), labels)
    reference = RebalanceSampler(labels, seed=0)
    epochs = {}
    for e in range(7):
        reference.set_epoch(e)
        epochs[e] = list(reference)

    sampler = RebalanceSampler(labels, seed=0)
    sampler.load_state_dict(
        {"epoch": 3, "position": 0, "seed": 0, "num_replicas": 1, "length": 24}
    )
    loader = DataLoader(dataset, batch_size=4, sampler=sampler, num_workers=1)
    seen = []
    it = None
    for _ in range(3):
        it = iter(loader)  # the previous `it` is alive until this returns
        ids = next(it)[0].tolist()
        seen.append(
            [
                e
                for e, d in epochs.items()
                if any(d[k : k + 4] == ids for k in range(24))
            ]
        )
    del it
    assert seen == [[3], [4], [5]]  # got [[3], [3], [4]]


# --------------------------------------------------------------------------
# 6. Big-endian pandas columns (f8f525f: "gathered by numpy at any size")
#    still reach pandas' take -- "Big-endian buffer not supported on
#    little-endian compiler" -- in thin_class (datasets._subset uses
#    DataFrame.iloc) and in the Dask path (_dask._take_frame uses
#    partition.iloc). Both failed on 4eda6db too (missed by the fix).
# --------------------------------------------------------------------------
def _big_endian_frame(n=20):
    ids = np.arange(n)
    X = pd.DataFrame({"id": ids.astype(">i8"), "v": ids.astype(">f8")})
    return X, (ids % 5 == 0).astype(np.int64)


def test_thin_class_big_endian_dataframe_raises_pandas_take_error():
    X, y = _big_endian_frame()
    X_thin, y_thin = thin_class(X, y, 0.1, random_state=0)  # got ValueError
    assert X_thin["id"].tolist() == X_thin.index.tolist()
    assert list(X_thin.dtypes) == list(X.dtypes)


def test_dask_big_endian_dataframe_raises_pandas_take_error():
    dd = pytest.importorskip("dask.dataframe")
    X, y = _big_endian_frame()
    dX = dd.from_pandas(X, npartitions=2)
    dy = dd.from_pandas(pd.Series(y), npartitions=2)
    sampler = RandomUnderSampler(random_state=0)
    X_res, _ = sampler.fit_resample(dX, dy)
    computed = X_res.compute()  # got ValueError "Big-endian buffer not supported"
    assert sorted(computed["id"].tolist()) == sorted(sampler.sample_indices_.tolist())
