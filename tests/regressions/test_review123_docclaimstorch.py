"""Review 123, area docclaimstorch: the statements of the torch front end's
documentation checked against the code. One test parses the numpydoc
"Parameters" section of every public callable and class of
``rebalance.torch.__all__`` and compares it with the signature (names
documented but not accepted, accepted but not documented, documented defaults
that differ); the others pin concrete claims of the docstrings and README:
the focal, logit-adjusted, balanced-softmax, class-weighted, class-scaled and
margin formulas, the "same as torch's X when ..." equivalences, the
effective-number weights, the RebalanceSampler epoch = ``fit_resample`` draw
and rank split, the BalancedBatchSampler epoch length and class walks, the
IndexBatchSampler / TensorBatchLoader = DataLoader equivalence, the
HardExampleSampler replay, output dtypes and the documented errors.
"""

from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

import rebalance.torch as rt  # noqa: E402
from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    class_weights,
)

LABELS = np.array([0] * 13 + [1] * 5 + [2] * 3)


def _doc_params(doc):
    """{name: type-and-default text} of a numpydoc Parameters section."""
    lines = inspect.cleandoc(doc or "").splitlines()
    out = {}
    for i, line in enumerate(lines):
        if line.strip() == "Parameters" and set(lines[i + 1].strip()) == {"-"}:
            j = i + 2
            while j < len(lines):
                cur = lines[j]
                nxt = lines[j + 1] if j + 1 < len(lines) else ""
                if (
                    cur
                    and not cur.startswith(" ")
                    and nxt.strip()
                    and set(nxt.strip()) == {"-"}
                ):
                    break  # next section
                if cur and not cur.startswith(" "):
                    names, _, spec = cur.partition(" : ")
                    for name in names.split(","):
                        out[name.strip().lstrip("*")] = spec.strip()
                j += 1
            break
    return out


def _documented_default(spec):
    m = re.search(r"default=(.+)$", spec)
    if m:
        return m.group(1).strip()
    return "None" if spec.endswith("optional") else None


@pytest.mark.parametrize("name", rt.__all__)
def test_documented_parameters_match_signature(name):
    obj = getattr(rt, name)
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = {
        k: p for k, p in inspect.signature(target).parameters.items() if k != "self"
    }
    doc = _doc_params(obj.__doc__)
    assert doc, f"{name}: no Parameters section"
    accepted = set(params)
    assert set(doc) - accepted == set(), "documented but not accepted"
    assert accepted - set(doc) == set(), "accepted but not documented"
    for k, p in params.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        documented = _documented_default(doc[k])
        if p.default is inspect.Parameter.empty:
            assert documented is None, f"{k}: documented default for a required one"
            continue
        assert documented is not None, f"{k}: default {p.default!r} undocumented"
        shown = p.default.__name__ if inspect.isclass(p.default) else repr(p.default)
        assert documented.replace('"', "'") == shown, (k, documented, shown)


def _x():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, dtype=torch.float64, generator=g)
    y = torch.tensor([0, 1, 2, 1, 0, 2])
    xb = torch.randn(8, dtype=torch.float64, generator=g)
    yb = torch.tensor([1.0, 0, 1, 0, 0, 1, 1, 0], dtype=torch.float64)
    return x, y, xb, yb


def test_sigmoid_focal_formula_and_bce_special_case():
    _, _, xb, yb = _x()
    p = torch.sigmoid(xb)
    pt = p * yb + (1 - p) * (1 - yb)
    at = 0.25 * yb + 0.75 * (1 - yb)
    ref = -(at * (1 - pt) ** 2 * torch.log(pt))
    got = rt.sigmoid_focal_loss(xb, yb, reduction="none")
    torch.testing.assert_close(got, ref)
    soft = torch.linspace(0.05, 0.95, 8, dtype=torch.float64)
    ps = p * soft + (1 - p) * (1 - soft)
    ce = F.binary_cross_entropy_with_logits(xb, soft, reduction="none")
    ref_soft = (0.25 * soft + 0.75 * (1 - soft)) * (1 - ps) ** 2 * ce
    torch.testing.assert_close(
        rt.sigmoid_focal_loss(xb, soft, reduction="none"), ref_soft
    )
    pw = torch.tensor(3.0, dtype=torch.float64)
    torch.testing.assert_close(
        rt.sigmoid_focal_loss(xb, yb, alpha=None, gamma=0.0, pos_weight=pw),
        F.binary_cross_entropy_with_logits(xb, yb, pos_weight=pw),
    )
    # rescale: detached mean(CE)/mean(FL) factor -> value equals mean(CE)
    torch.testing.assert_close(
        rt.sigmoid_focal_loss(xb, yb, rescale=True),
        F.binary_cross_entropy_with_logits(xb, yb),
    )
    ign = yb.clone()
    ign[0] = -1
    torch.testing.assert_close(
        rt.sigmoid_focal_loss(xb, ign, ignore_index=-1),
        rt.sigmoid_focal_loss(xb[1:], yb[1:]),
    )
    assert (
        rt.sigmoid_focal_loss(xb, torch.full_like(yb, -1), ignore_index=-1).item() == 0
    )


def test_softmax_focal_formula_alpha_and_ce_special_case():
    x, y, _, _ = _x()
    py = F.softmax(x, 1)[torch.arange(6), y]
    alpha = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(
        rt.softmax_focal_loss(x, y, alpha=alpha, reduction="none"),
        -alpha[y] * (1 - py) ** 2 * torch.log(py),
    )
    # 'mean' is not weighted by alpha
    torch.testing.assert_close(
        rt.softmax_focal_loss(x, y, alpha={0: 0.5, 1: 2.0, 2: 1.0}),
        (-alpha[y] * (1 - py) ** 2 * torch.log(py)).mean(),
    )
    torch.testing.assert_close(
        rt.softmax_focal_loss(x, y, gamma=0.0, label_smoothing=0.2),
        F.cross_entropy(x, y, label_smoothing=0.2),
    )
    probs = torch.softmax(x.flip(0), 1)
    torch.testing.assert_close(
        rt.softmax_focal_loss(x, probs, gamma=0.0), F.cross_entropy(x, probs)
    )
    torch.testing.assert_close(
        rt.softmax_focal_loss(x, y, alpha=alpha, rescale=True), F.cross_entropy(x, y)
    )
    x4 = torch.randn(2, 3, 4, 5)
    y4 = torch.randint(0, 3, (2, 4, 5))
    assert rt.softmax_focal_loss(x4, y4, reduction="none").shape == (2, 4, 5)


def test_focal_output_dtypes_at_least_float32():
    x, y, xb, yb = _x()
    assert rt.sigmoid_focal_loss(xb.half(), yb.half()).dtype == torch.float32
    assert rt.softmax_focal_loss(x.bfloat16(), y).dtype == torch.float32
    assert rt.softmax_focal_loss(x, y).dtype == torch.float64
    assert rt.margin_cross_entropy(xb.half(), yb.half()).dtype == torch.float32
    assert rt.class_scaled_cross_entropy(
        x.half(), y, class_index=1, scale=2.0
    ).dtype == (torch.float32)
    assert rt.adjust_logits(x.float(), [1, 2, 3]).dtype == torch.float32


def test_logit_adjustment_and_balanced_softmax_formulas():
    x, y, _, _ = _x()
    counts = torch.tensor([90.0, 10.0, 30.0], dtype=torch.float64)
    prior = counts / counts.sum()
    torch.testing.assert_close(
        rt.adjust_logits(x, counts, tau=0.7), x - 0.7 * prior.log()
    )
    torch.testing.assert_close(
        rt.logit_adjusted_cross_entropy(x, y, counts, tau=0.7, label_smoothing=0.1),
        F.cross_entropy(x + 0.7 * prior.log(), y, label_smoothing=0.1),
    )
    torch.testing.assert_close(
        rt.balanced_softmax_cross_entropy(x, y, counts),
        F.cross_entropy(x + counts.log(), y),
    )
    torch.testing.assert_close(
        rt.balanced_softmax_cross_entropy(x, y, counts),
        rt.logit_adjusted_cross_entropy(x, y, counts, tau=1.0),
    )
    tau = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    rt.logit_adjusted_cross_entropy(x, y, counts, tau=tau).backward()
    assert tau.grad is not None and tau.grad.item() != 0


def test_class_weighted_losses_same_as_torch():
    x, y, xb, yb = _x()
    w = torch.tensor([1.0, 4.0, 2.0], dtype=torch.float64)
    ign = y.clone()
    ign[0] = -100
    probs = torch.softmax(x.flip(0), 1)
    torch.testing.assert_close(
        rt.class_weighted_cross_entropy(x, ign, w, label_smoothing=0.2),
        F.cross_entropy(x, ign, weight=w, label_smoothing=0.2),
    )
    torch.testing.assert_close(
        rt.class_weighted_cross_entropy(x, probs, w),
        F.cross_entropy(x, probs, weight=w),
    )
    wg = w.clone().requires_grad_()
    rt.class_weighted_cross_entropy(x, y, wg).backward()
    assert wg.grad is not None
    ref = F.binary_cross_entropy_with_logits(xb, yb, reduction="none") * (
        3 * yb + (1 - yb)
    )
    for cw in ({0: 1.0, 1: 3.0}, {0.0: 1.0, 1.0: 3.0}, [1.0, 3.0]):
        torch.testing.assert_close(
            rt.class_weighted_binary_cross_entropy(xb, yb, cw), ref.mean()
        )
    torch.testing.assert_close(
        rt.class_weighted_binary_cross_entropy(xb, yb.bool(), {False: 1.0, True: 3.0}),
        ref.mean(),
    )
    assert rt.class_weighted_binary_cross_entropy(
        xb.bfloat16(), yb.float(), [1.0, 3.0]
    ).dtype == (torch.float32)


def test_effective_number_weights_formula():
    y = np.array([0] * 900 + [1] * 80 + [2] * 20)
    beta = 0.99
    raw = np.array([(1 - beta) / (1 - beta**n) for n in (900, 80, 20)])
    ref = raw / raw.sum() * 3
    got = class_weights(y, method="effective_number", beta=beta)
    np.testing.assert_allclose([got[c] for c in (0, 1, 2)], ref)


def test_class_scaled_and_weighted_softmax_mean_over_unweighted_count():
    x, y, _, _ = _x()
    ign = y.clone()
    ign[0] = -100
    ce = F.cross_entropy(x, ign, reduction="none")
    ref = (ce * torch.where(ign == 1, 3.0, 1.0)).sum() / (ign != -100).sum()
    torch.testing.assert_close(
        rt.class_scaled_cross_entropy(x, ign, class_index=1, scale=3.0), ref
    )
    torch.testing.assert_close(rt.weighted_softmax_loss(x, ign, 3.0, 1), ref)
    empty = rt.class_scaled_cross_entropy(
        x, torch.full_like(y, -100), class_index=1, scale=3.0
    )
    assert empty.item() == 0


def test_margin_cross_entropy_formulas():
    x, y, xb, yb = _x()
    m = 0.8

    def theta(t):
        return (torch.sign(t) + 1) / 2

    p = torch.sigmoid(xb)
    ref = -theta(m - p) * yb * p.log() - theta(p - (1 - m)) * (1 - yb) * (1 - p).log()
    torch.testing.assert_close(rt.margin_cross_entropy(xb, yb, reduction="none"), ref)
    py = F.softmax(x, 1)[torch.arange(6), y]
    torch.testing.assert_close(
        rt.margin_cross_entropy(x, y, reduction="none"), -theta(m - py) * py.log()
    )
    x2 = x[:, :2]
    y2 = torch.tensor([0, 1, 1, 0, 1, 0])
    torch.testing.assert_close(
        rt.margin_cross_entropy(x2, y2, reduction="none"),
        rt.margin_cross_entropy(x2[:, 1] - x2[:, 0], y2.double(), reduction="none"),
    )
    torch.testing.assert_close(
        rt.margin_cross_entropy(x, y, margin=1.0), F.cross_entropy(x, y)
    )


def test_ohem_claims():
    losses = torch.tensor([0.1, 2.0, 0.5, 3.0, 1.5])
    torch.testing.assert_close(rt.ohem_loss(losses, top_k=0.5), torch.tensor(6.5 / 3))
    loss, idx = rt.ohem_loss(losses, threshold=1.0, min_kept=1, return_indices=True)
    assert idx.tolist() == [3, 1, 4] and idx.dtype == torch.int64
    assert rt.ohem_loss(torch.tensor([]), top_k=2).item() == 0
    assert (
        rt.ohem_loss(losses, top_k=2, valid=torch.zeros(5, dtype=torch.bool)).item()
        == 0
    )
    with pytest.raises(ValueError, match="top_k"):
        rt.ohem_loss(losses)


def test_documented_errors():
    x = torch.randn(4, 3)
    t = torch.tensor([0, 1, 2, 1])
    with pytest.raises(ValueError, match="1-d"):
        rt.class_weighted_cross_entropy(x, t, torch.ones(1, 3))
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match="Series"):
        rt.class_weighted_cross_entropy(x, t, pd.Series([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="class 2"):
        rt.class_weighted_cross_entropy(x, t, {0: 1.0, 1: 1.0, 5: 1.0})
    a = torch.tensor(0.5, requires_grad=True)
    with pytest.raises(ValueError):
        rt.sigmoid_focal_loss(torch.randn(4), torch.ones(4), alpha=a)
    xx = torch.randn(4, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="second derivative"):
        torch.autograd.grad(rt.softmax_focal_loss(xx, t), xx, create_graph=True)


@pytest.mark.parametrize(
    "estimator",
    [
        RandomUnderSampler(),
        RandomOverSampler(),
        LabelShuffleSampler(),
        ClassBalancedSampler(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_rebalance_sampler_epoch_is_fit_resample_draw(estimator):
    sampler = rt.RebalanceSampler(LABELS, estimator, seed=7)
    X = np.zeros((len(LABELS), 1))
    for epoch in range(2):
        sampler.set_epoch(epoch)
        got = list(sampler)
        estimator.set_params(random_state=np.random.default_rng([7, epoch]))
        estimator.fit_resample(X, LABELS)
        assert got == list(estimator.sample_indices_)
        assert len(sampler) == len(got)


@pytest.mark.parametrize("drop_last", [False, True])
def test_rebalance_sampler_ranks_union_is_single_draw(drop_last):
    full = list(rt.RebalanceSampler(LABELS, RandomOverSampler(), seed=3))
    parts = []
    for rank in range(4):
        s = rt.RebalanceSampler(
            LABELS,
            RandomOverSampler(),
            seed=3,
            num_replicas=4,
            rank=rank,
            drop_last=drop_last,
        )
        part = list(s)
        assert len(part) == len(s)
        parts.append(part)
    n = len(parts[0])
    assert {len(p) for p in parts} == {n}
    expected = (full + full)[: 4 * n]  # wrapped padding, or dropped tail
    assert sorted(sum(parts, [])) == sorted(expected)
    assert n == (len(full) // 4 if drop_last else math.ceil(len(full) / 4))


def test_seed_is_the_only_randomness():
    torch.manual_seed(1)
    a = list(rt.RebalanceSampler(LABELS, seed=0))
    torch.manual_seed(2)
    b = list(rt.RebalanceSampler(LABELS, seed=0))
    assert a == b


@pytest.mark.parametrize("drop_last", [True, False])
def test_balanced_batch_sampler_epoch_length_and_walks(drop_last):
    quotas = {0: 2, 1: 2, 2: 2}
    b = rt.BalancedBatchSampler(LABELS, 6, class_counts=quotas, drop_last=drop_last)
    batches = list(b)
    longest = max(13 / 2, 5 / 2, 3 / 2)
    assert (
        len(b)
        == len(batches)
        == (math.floor(longest) if drop_last else math.ceil(longest))
    )
    for batch in batches:
        assert np.bincount(LABELS[batch], minlength=3).tolist() == [2, 2, 2]
        assert len(set(batch)) == len(batch)
    rows0 = [i for batch in batches for i in batch if LABELS[i] == 0]
    if drop_last:
        assert len(set(rows0)) == len(rows0)  # no row of the longest class repeats
    else:
        assert {i for batch in batches for i in batch} == set(range(len(LABELS)))
    default = rt.BalancedBatchSampler(LABELS, 6, drop_last=drop_last)
    assert all(
        np.bincount(LABELS[x], minlength=3).tolist() == [2, 2, 2] for x in default
    )


def test_balanced_batch_sampler_pk_length():
    b = rt.BalancedBatchSampler(LABELS, 6, classes_per_batch=2)
    batches = list(b)
    assert len(b) == len(batches) == 21 // 6
    for batch in batches:
        counts = sorted(np.bincount(LABELS[batch], minlength=3).tolist())
        assert counts == [0, 3, 3]
    up = rt.BalancedBatchSampler(LABELS, 6, samples_per_class=3, drop_last=False)
    assert len(up) == len(list(up)) == math.ceil(21 / 6)


@pytest.mark.parametrize(
    ("batch_size", "drop_last"), [(4, False), (4, True), (5, False)]
)
def test_index_batches_same_as_dataloader(batch_size, drop_last):
    def make():
        return rt.RebalanceSampler(LABELS, RandomOverSampler(), seed=1)

    ds = TensorDataset(torch.arange(len(LABELS)))
    ref = [
        b[0].tolist()
        for b in DataLoader(
            ds, sampler=make(), batch_size=batch_size, drop_last=drop_last
        )
    ]
    ib = rt.IndexBatchSampler(make(), batch_size, drop_last=drop_last)
    got = list(ib)
    assert [b.tolist() for b in got] == ref and len(ib) == len(ref)
    assert {b.dtype for b in got} == {torch.int64}
    tb = rt.TensorBatchLoader(
        torch.arange(len(LABELS)),
        sampler=make(),
        batch_size=batch_size,
        drop_last=drop_last,
    )
    assert [b[0].tolist() for b in tb] == ref and len(tb) == len(ref)
    assert isinstance(
        next(iter(rt.IndexBatchSampler(make(), 4, index_type="numpy"))), np.ndarray
    )
    assert isinstance(
        next(iter(rt.IndexBatchSampler(make(), 4, index_type="list"))), list
    )


def test_balanced_batches_same_through_index_and_tensor_paths():
    ds = TensorDataset(torch.arange(len(LABELS)))
    ref = [
        b[0].tolist()
        for b in DataLoader(ds, batch_sampler=rt.BalancedBatchSampler(LABELS, 6))
    ]
    got = [b.tolist() for b in rt.IndexBatchSampler(rt.BalancedBatchSampler(LABELS, 6))]
    assert got == ref
    tb = rt.TensorBatchLoader(
        torch.arange(len(LABELS)), sampler=rt.BalancedBatchSampler(LABELS, 6)
    )
    assert [b[0].tolist() for b in tb] == ref


def test_hard_example_sampler_replay_claims():
    def make():
        return rt.RebalanceSampler(LABELS, RandomOverSampler(), seed=5)

    base = make()
    h = rt.HardExampleSampler(make(), pool_size=2, replay_ratio=1.0)
    assert list(h) == list(base) and len(h) == len(
        base
    )  # empty pool: the wrapped epoch
    h.update(torch.tensor([0, 1, 2]), torch.tensor([5.0, 6.0, 0.5]))
    assert sorted(h.pool_ids.tolist()) == [0, 1]
    h.set_epoch(1)
    epoch = list(h)
    assert set(epoch) == {0, 1} and len(epoch) == len(base)
    h0 = rt.HardExampleSampler(make(), pool_size=2, replay_ratio=0.0)
    list(h0)
    h0.update(torch.tensor([0, 1]), torch.tensor([5.0, 6.0]))
    h0.set_epoch(1)
    base.set_epoch(1)
    assert list(h0) == list(base)


def test_rebalanced_loader_reads_subset_labels():
    from torch.utils.data import Subset

    ds = TensorDataset(torch.arange(len(LABELS)), torch.from_numpy(LABELS))
    make = rt.RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    part = Subset(ds, range(3, len(LABELS)))
    ids = torch.cat([i for i, _ in make(part, batch_size=4)])
    assert torch.bincount(torch.from_numpy(LABELS)[ids]).tolist() == [3, 3, 3]
    make_b = rt.RebalancedLoader(rt.BalancedBatchSampler, class_counts=[2, 2, 2])
    loader = make_b(ds, batch_size=6)
    assert loader.batch_sampler is make_b.sampler_
    assert all(len(i) == 6 for i, _ in loader)
