"""Review 34 (lead): false positives of review 33's checks, found by the
review of its diff."""

from decimal import Decimal

import numpy as np
import pytest

from rebalance import RandomUnderSampler

torch = pytest.importorskip("torch")
F = torch.nn.functional
from rebalance.torch import OHEMLoss  # noqa: E402


def _pair_losses(embeddings, labels):
    # A contrastive loss per pair of rows: an (N, N) matrix, not a broadcast.
    distances = torch.cdist(embeddings, embeddings)
    same = labels[:, None] == labels[None, :]
    return torch.where(same, distances, F.relu(1.0 - distances))


def test_ohem_over_a_pairwise_loss_matrix_is_not_refused():
    # Review 33 refused any criterion returning more losses than the logits
    # and the target hold, as a broadcast target; a (16, 16) matrix of pair
    # losses from (16, 4) embeddings is not one (it was mined before 33).
    generator = torch.Generator().manual_seed(0)
    embeddings = torch.randn(16, 4, generator=generator)
    labels = torch.randint(0, 3, (16,), generator=generator)
    got = OHEMLoss(_pair_losses, top_k=0.25, ignore_index=None)(embeddings, labels)
    losses = _pair_losses(embeddings, labels)
    # The mean of the hardest quarter of the pair losses.
    expected = losses.flatten().topk(losses.numel() // 4).values.mean()
    assert torch.allclose(got, expected)


def test_ohem_still_refuses_a_broadcast_target():
    logits = torch.randn(8)
    target = torch.randint(0, 2, (8, 1)).float()

    def criterion(z, t):  # a logistic loss written by hand: it broadcasts
        return F.softplus(-z * (2 * t - 1))

    with pytest.raises(ValueError, match="broadcast the target"):
        OHEMLoss(criterion, top_k=0.5, ignore_index=None)(logits, target)


def test_whole_decimal_labels_beyond_float_range_are_classes():
    # Review 33 read Decimal labels through math.isfinite, which converts
    # them to floats: Decimal("1E+400") (a whole number) was "infinity".
    y = np.array([Decimal("1E+400")] * 3 + [Decimal("2E+400")] * 2, dtype=object)
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((5, 1)), y)
    assert sorted(set(y_res.tolist())) == [Decimal("1E+400"), Decimal("2E+400")]
    with pytest.raises(ValueError, match="infinity"):
        sampler.fit_resample(np.zeros((2, 1)), np.array([Decimal("Infinity"), 1]))


# --- ResampledClassifier: a class the draw leaves out ------------------------


def test_cleaning_sampler_removing_a_class_gets_advice_that_fits_it():
    # The refusal told EditedNearestNeighbours(sampling_strategy='all') to
    # keep "a sampling_strategy above 0": its strategy picks the classes it
    # cleans, not how many rows to keep.
    from imblearn.under_sampling import EditedNearestNeighbours
    from sklearn.linear_model import LogisticRegression

    from rebalance import ResampledClassifier

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(0, 1, (3, 2))])
    y = np.array([0] * 60 + [1] * 3)
    model = ResampledClassifier(
        EditedNearestNeighbours(sampling_strategy="all"), LogisticRegression()
    )
    with pytest.raises(ValueError, match="left out every row of class 1.*'not mino"):
        model.fit(X, y)


def test_dask_labels_losing_a_class_are_still_refused():
    # Dask labels: the classes of the draw are read from the fitted
    # classifier (the lazy draw was computed once more before).
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from rebalance import ResampledClassifier

    y = pd.Series([0] * 20 + [1] * 20 + [2] * 2)
    X = pd.DataFrame({"a": np.arange(42.0)})
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy={2: 0}), LogisticRegression()
    )
    with pytest.raises(ValueError, match="left out every row of class 2"):
        model.fit(dd.from_pandas(X, npartitions=3), dd.from_pandas(y, npartitions=3))
    fitted = ResampledClassifier(RandomUnderSampler(), LogisticRegression()).fit(
        dd.from_pandas(X, npartitions=3), dd.from_pandas(y, npartitions=3)
    )
    assert fitted.classes_.tolist() == [0, 1, 2]


def test_subset_of_reversed_numpy_indices_over_tensor_labels_is_read():
    # Subset indices held in a reversed numpy view (np.argsort(y)[::-1]):
    # torch.as_tensor refused their negative strides ("At least one stride
    # in the given numpy array is negative").
    from torch.utils.data import Subset, TensorDataset

    from rebalance.torch import RebalancedLoader

    y = np.array([0] * 30 + [1] * 20)
    data = TensorDataset(torch.zeros(50, 2), torch.as_tensor(y))
    rows = np.argsort(y, kind="stable")[::-1][:45]
    loader = RebalancedLoader(seed=0)(Subset(data, rows), batch_size=8)
    drawn = torch.cat([labels for _, labels in loader])
    assert sorted(set(drawn.tolist())) == [0, 1]
    counts = np.bincount(drawn.numpy())
    assert counts[0] == counts[1]
