"""Regressions found reviewing 1638067..HEAD: each test passes on 1638067, fails now."""

import numpy as np
import pytest

from rebalance import datasets
from rebalance.threshold import adjust_priors, em_priors


def _half_posteriors():
    # Exact-as-possible float16 posteriors: 1/3 rounds so each row sums to 0.99976.
    return np.full((4, 3), 1 / 3, dtype=np.float16)


def test_adjust_priors_accepts_float16_posteriors():
    # Half-precision softmax rows are off 1 by ~2e-4 > the new 1e-4 row-sum tolerance.
    out = adjust_priors(_half_posteriors(), [1 / 3] * 3, [0.5, 0.25, 0.25])
    np.testing.assert_allclose(out[0], [0.5, 0.25, 0.25], atol=1e-6)


def test_em_priors_accepts_float16_posteriors():
    # Same row-sum check in em_priors (_priors._probabilities) refuses float16 rows.
    result = em_priors(_half_posteriors(), [1 / 3] * 3)
    priors = result[0] if isinstance(result, tuple) else result
    np.testing.assert_allclose(priors, [1 / 3] * 3, atol=1e-6)


def test_thin_class_ratio_from_a_division_keeps_the_exact_count():
    # ratio=1/3 of 300 rows: old kept 100, new floors the decimal repr to 99.
    y = np.r_[np.zeros(300, int), np.ones(150, int)]
    X = np.zeros((450, 1))
    _, y_out = datasets.thin_class(X, y, 1 / 3, random_state=0)
    assert np.bincount(y_out).tolist() == [300, 100]


def test_breast_cancer_skewed_documented_lower_bound():
    # Docstring: ratio >= 1/357 keeps one row; 1/357 now asks for 0 rows and raises.
    _, y = datasets.load_breast_cancer_skewed(ratio=1 / 357)
    assert int(y.sum()) == 1


def test_breast_cancer_skewed_documented_upper_bound():
    # Docstring: ratio <= 212/357 keeps all 212 malignant rows; now keeps 211.
    _, y = datasets.load_breast_cancer_skewed(ratio=212 / 357)
    assert int(y.sum()) == 212


def test_thin_class_accepts_image_shaped_x():
    # (n, h, w) X (images) was thinned; check_features now demands a 2-D X.
    y = np.r_[np.zeros(30, int), np.ones(20, int)]
    X_out, y_out = datasets.thin_class(np.zeros((50, 2, 2)), y, 0.5, random_state=0)
    assert X_out.shape == (45, 2, 2) and y_out.shape == (45,)


def test_thin_class_accepts_a_list_of_texts():
    # A 1-D X (list of texts, e.g. load_chinese_reviews) is refused as not 2-D.
    y = np.r_[np.zeros(30, int), np.ones(20, int)]
    texts = [f"text {i}" for i in range(50)]
    X_out, _ = datasets.thin_class(texts, y, 0.5, random_state=0)
    assert len(X_out) == 45


def test_ohem_fractional_top_k_compiles_fullgraph():
    # Fraction(repr(top_k)) in ohem_loss is untraceable: fullgraph compile fails.
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import OHEMLoss

    torch._dynamo.reset()
    loss = torch.compile(OHEMLoss(top_k=0.5), backend="eager", fullgraph=True)
    logits = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    out = loss(logits, torch.tensor([0, 1, 2, 0, 1, 2, 0, 0]))
    assert torch.isfinite(out)


def test_softmax_focal_soft_targets_with_ignore_index_module():
    # A Module built with ignore_index=-1 now raises on soft (mixup) targets.
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import SoftmaxFocalLoss

    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(4, 3, generator=gen)
    soft = torch.softmax(torch.randn(4, 3, generator=gen), 1)
    assert torch.isfinite(SoftmaxFocalLoss(ignore_index=-1)(logits, soft))


def test_compare_accepts_joblib_negative_n_jobs_below_cpu_count():
    # joblib clamps n_jobs=-(cpus+1) to 1; compare now refuses it per machine.
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    X[y == 1] += 2
    compare(X, y, folds=2, n_jobs=-1000, method_names=["none"], progress=False)
