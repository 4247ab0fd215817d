"""Review 131, area ``manyclasses``: long-tail data with hundreds of classes.

Reviewed: the four estimator samplers' ``fit_resample`` (rows are
``X[sample_indices_]``; per-class counts equal imbalanced-learn's
``check_sampling_strategy`` for every string strategy, dicts and callables;
float strategies refused clearly for many classes; one-row classes
over-sampled), ``rebalance.weights`` ('balanced' against scikit-learn's
``compute_class_weight``, 'effective_number' against the Cui et al. formula by
hand), ``rebalance.metrics.g_mean_score`` (against imbalanced-learn and
per-class recalls of scikit-learn, with classes absent from ``y_pred`` or
``y_true``), ``ThresholdMover(strategy='prior')`` with 300 classes (argmax
p_c / pi_c by hand), the torch samplers (``RebalanceSampler`` against the
estimator draw, ``BalancedBatchSampler`` with more classes than the batch)
and the logit-adjusted / balanced-softmax losses with 1000 classes against
``cross_entropy`` on the adjusted logits. Labels: ints 0..K-1, sparse ints
(multiples of 1000 and 10**9) and strings. Class sizes follow a power law
down to 1 row (hundreds of one-row classes). Not repeated: tests/test_long_tail.py
and tests/regressions/test_review25_longtail.py (kernels, the benchmark).
"""

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from imblearn.utils import check_sampling_strategy
from sklearn.metrics import recall_score
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.class_weight import compute_class_weight

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ThresholdMover,
    class_weights,
    sample_weights,
)
from rebalance.metrics import g_mean_score


def _sizes(k, top, power):
    return np.maximum(1, top * np.arange(1, k + 1, dtype=float) ** -power).astype(int)


def _label_kinds(k):
    sparse = np.arange(k, dtype=np.int64) * 1000
    sparse[-1] = 10**9
    return {
        "ints": np.arange(k),
        "sparse": sparse,
        "strings": np.array([f"c{i:04d}" for i in range(k)]),
    }


KINDS = ["ints", "sparse", "strings"]


def _data(k, top, power, kind, seed=0):
    labels = _label_kinds(k)[kind]
    sizes = _sizes(k, top, power)
    y = np.repeat(labels, sizes)
    y = y[np.random.default_rng(seed).permutation(y.shape[0])]
    n = y.shape[0]
    X = np.column_stack([np.arange(n), -2 * np.arange(n)]).astype(float)
    return X, y


def _counts(y):
    u, c = np.unique(y, return_counts=True)
    return dict(zip(u.tolist(), c.tolist()))


OVER = [RandomOverSampler, LabelShuffleSampler]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strategy", ["auto", "not minority", "all", "not majority"])
@pytest.mark.parametrize("cls", OVER)
def test_over_samplers_counts_are_imblearns_strategy(cls, strategy, kind):
    X, y = _data(200, 300, 1.3, kind)
    assert sum(c == 1 for c in _counts(y).values()) > 50
    sampler = cls(sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    extra = dict(check_sampling_strategy(strategy, y, "over-sampling"))
    want = {c: n + extra.get(c, 0) for c, n in _counts(y).items()}
    assert _counts(y_res) == want


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strategy", ["auto", "not minority", "all", "majority"])
def test_under_sampler_counts_are_imblearns_strategy(strategy, kind):
    X, y = _data(1000, 5000, 1.3, kind)
    sampler = RandomUnderSampler(sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    want = dict(_counts(y))
    want.update(check_sampling_strategy(strategy, y, "under-sampling"))
    assert _counts(y_res) == want


def test_minority_with_hundreds_of_tied_minorities_picks_imblearns_one():
    X, y = _data(300, 500, 1.3, "ints")
    extra = dict(check_sampling_strategy("minority", y, "over-sampling"))
    sampler = RandomOverSampler(sampling_strategy="minority", random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    got = _counts(y_res)
    changed = {c: got[c] - n for c, n in _counts(y).items() if got[c] != n}
    assert changed == extra


@pytest.mark.parametrize("cls", [*OVER, RandomUnderSampler, ClassBalancedSampler])
def test_float_strategy_with_many_classes_is_refused_clearly(cls):
    X, y = _data(200, 300, 1.3, "ints")
    with pytest.raises(ValueError, match="only works for binary y; y has 200 classes"):
        cls(sampling_strategy=0.5).fit_resample(X, y)


def test_dict_oversamples_one_row_classes_and_keeps_the_rest():
    X, y = _data(1000, 5000, 1.3, "ints")
    counts = _counts(y)
    ones = [c for c, n in counts.items() if n == 1]
    wanted = {c: n for c, n in counts.items()}
    wanted[ones[0]] = 7
    wanted[ones[-1]] = 3
    sampler = RandomOverSampler(sampling_strategy=wanted, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert _counts(y_res) == wanted
    # the copies of a one-row class are that one row
    rows = X_res[y_res == ones[0]]
    np.testing.assert_array_equal(rows, np.repeat(X[y == ones[0]], 7, axis=0))


@pytest.mark.parametrize("kind", KINDS)
def test_callable_strategy_under_samples_every_class_to_ten(kind):
    X, y = _data(1000, 5000, 1.3, kind)

    def at_most_ten(labels):
        u, c = np.unique(labels, return_counts=True)
        return {a: int(min(b, 10)) for a, b in zip(u.tolist(), c.tolist())}

    sampler = RandomUnderSampler(sampling_strategy=at_most_ten, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    assert _counts(y_res) == at_most_ten(y)


@pytest.mark.parametrize("kind", KINDS)
def test_class_balanced_sampler_rows_and_size(kind):
    X, y = _data(1000, 5000, 1.3, kind)
    sampler = ClassBalancedSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    assert y_res.shape[0] == y.shape[0]
    assert sum(sampler.sampling_strategy_.values()) == y.shape[0]
    assert _counts(y_res) == {c: n for c, n in sampler.sampling_strategy_.items() if n}
    # balanced: 1000 classes drawn equally, ~17 rows each; the majority's
    # natural share (~29%) is gone
    assert np.mean(y_res == np.unique(y)[0]) < 0.01


@pytest.mark.parametrize("kind", KINDS)
def test_weights_match_sklearn_and_the_effective_number_formula(kind):
    _, y = _data(1000, 5000, 1.3, kind)
    classes, counts = np.unique(y, return_counts=True)
    balanced = class_weights(y)
    assert list(balanced) == classes.tolist()
    np.testing.assert_allclose(
        list(balanced.values()),
        compute_class_weight("balanced", classes=classes, y=y),
        rtol=1e-12,
    )
    beta = 0.9999
    hand = (1 - beta) / (1 - beta ** counts.astype(float))
    hand *= classes.shape[0] / hand.sum()
    effective = class_weights(y, "effective_number", beta=beta)
    np.testing.assert_allclose(list(effective.values()), hand, rtol=1e-9)
    np.testing.assert_allclose(
        sample_weights(y, "effective_number", beta=beta),
        hand[np.searchsorted(classes, y)],
        rtol=1e-9,
    )


def _predictions(k=1000, seed=0):
    rng = np.random.default_rng(seed)
    sizes = _sizes(k, 50, 0.8)
    y = np.repeat(np.arange(k), sizes)
    flip = rng.random(y.shape[0]) < 0.3
    flip[np.r_[0, np.cumsum(sizes)[:-1]]] = False  # every class keeps a hit
    y_pred = np.where(flip, rng.integers(0, k, y.shape[0]), y)
    return y, y_pred


@pytest.mark.parametrize("kind", KINDS)
def test_g_mean_with_1000_classes_is_imblearns(kind):
    y, y_pred = _predictions()
    recalls = recall_score(y, y_pred, average=None)
    hand = float(np.exp(np.log(recalls).mean()))
    labels = _label_kinds(1000)[kind]
    yt, yp = labels[y], labels[y_pred]
    assert g_mean_score(yt, yp) == pytest.approx(hand, rel=1e-12)
    assert g_mean_score(yt, yp) == pytest.approx(
        geometric_mean_score(yt, yp), rel=1e-12
    )
    weights = np.random.default_rng(1).random(y.shape[0]) + 0.1
    assert g_mean_score(yt, yp, sample_weight=weights) == pytest.approx(
        geometric_mean_score(yt, yp, sample_weight=weights), rel=1e-12
    )


def test_g_mean_classes_absent_from_y_pred_or_y_true():
    y, y_pred = _predictions()
    recalls = recall_score(y, y_pred, average=None)
    # a class of y_true never predicted: recall 0, G-mean 0, as imblearn
    missing = y_pred.copy()
    missing[missing == 3] = 4
    assert g_mean_score(y, missing) == 0.0 == geometric_mean_score(y, missing)
    # a predicted class absent from y_true is ignored (documented difference)
    extra = y_pred.copy()
    extra[1] = 5000
    hand = recall_score(y, extra, labels=np.arange(1000), average=None)
    assert g_mean_score(y, extra) == pytest.approx(np.exp(np.log(hand).mean()))
    # labels= picks classes; one without rows in y_true makes it 0
    assert g_mean_score(y, y_pred, labels=np.arange(10)) == pytest.approx(
        np.exp(np.log(recalls[:10]).mean())
    )
    assert g_mean_score(y, y_pred, labels=np.arange(1001)) == 0.0


@pytest.mark.parametrize("kind", KINDS)
def test_threshold_mover_prior_with_300_classes_is_argmax_p_over_pi(kind):
    k = 300
    labels = _label_kinds(k)[kind]
    sizes = _sizes(k, 300, 1.0)
    codes = np.repeat(np.arange(k), sizes)
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [codes + rng.normal(0, 3, codes.shape[0]), rng.normal(0, 1, codes.shape[0])]
    )
    y = labels[codes]
    mover = ThresholdMover(GaussianNB(), strategy="prior").fit(X, y)
    priors = np.bincount(codes) / codes.shape[0]
    np.testing.assert_allclose(mover.train_priors_, priors, rtol=1e-12)
    proba = mover.estimator_.predict_proba(X[:600])
    hand = np.sort(labels)[np.argmax(proba / priors, axis=1)]
    got = mover.predict(X[:600])
    np.testing.assert_array_equal(got, hand)
    # and the rule moves decisions: it is not the plain argmax
    assert (got != mover.estimator_.predict(X[:600])).sum() > 100


def _torch_labels(kind):
    sizes = _sizes(1000, 500, 1.3)
    return np.repeat(_label_kinds(1000)[kind], sizes)


@pytest.mark.parametrize("kind", KINDS)
def test_rebalance_sampler_epoch_is_the_estimator_draw_with_1000_classes(kind):
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    y = _torch_labels(kind)
    indices = np.asarray(list(RebalanceSampler(y, RandomUnderSampler(), seed=3)))
    reference = RandomUnderSampler(random_state=np.random.default_rng([3, 0]))
    reference.fit_resample(np.zeros((y.shape[0], 1)), y)
    np.testing.assert_array_equal(indices, reference.sample_indices_)
    assert _counts(y[indices]) == {c: 1 for c in np.unique(y).tolist()}


def test_balanced_batch_sampler_more_classes_than_the_batch():
    torch = pytest.importorskip("torch")
    from rebalance.torch import BalancedBatchSampler

    y = _torch_labels("ints")
    # quotas: 64 rows cannot hold 1000 classes, refused with the fix named
    with pytest.raises(ValueError, match=r"batch_size=64.*1000 classes.*class_counts"):
        BalancedBatchSampler(torch.tensor(y), 64)
    # P x K works: 16 classes x 4 rows, one-row classes recycled
    batches = list(BalancedBatchSampler(torch.tensor(y), 64, classes_per_batch=16))
    assert len(batches) == y.shape[0] // 64
    for batch in batches:
        counts = np.bincount(y[batch])
        assert sorted(counts[counts > 0].tolist()) == [4] * 16


@pytest.mark.parametrize("tau", [1.0, 0.5])
def test_logit_adjusted_and_balanced_softmax_with_1000_classes(tau):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    from rebalance.torch import (
        BalancedSoftmaxCrossEntropyLoss,
        LogitAdjustedCrossEntropyLoss,
    )
    from rebalance.torch.losses import (
        balanced_softmax_cross_entropy,
        logit_adjusted_cross_entropy,
    )

    sizes = _sizes(1000, 500, 1.3)
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(64, 1000, dtype=torch.float64, generator=gen)
    target = torch.randint(0, 1000, (64,), generator=gen)
    counts = torch.tensor(sizes, dtype=torch.float64)
    want = F.cross_entropy(logits + tau * (counts / counts.sum()).log(), target)
    got = logit_adjusted_cross_entropy(logits, target, sizes, tau=tau)
    torch.testing.assert_close(got, want)
    module = LogitAdjustedCrossEntropyLoss(
        {i: int(c) for i, c in enumerate(sizes)}, tau=tau
    )
    torch.testing.assert_close(module(logits, target), want)
    balanced = F.cross_entropy(logits + counts.log(), target)
    torch.testing.assert_close(
        balanced_softmax_cross_entropy(logits, target, sizes), balanced
    )
    torch.testing.assert_close(
        BalancedSoftmaxCrossEntropyLoss(list(sizes))(logits, target), balanced
    )
    with pytest.raises(ValueError, match="one value per class \\(1000\\), got 999"):
        balanced_softmax_cross_entropy(logits, target, sizes[:-1])
