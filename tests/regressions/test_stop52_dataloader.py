"""Stop 52: an estimator sampler handed straight to a PyTorch DataLoader, and
RebalanceSampler's arguments swapped, are refused with the fix; a Dask
categorical y of whole floats is taken as before."""

import numpy as np
import pytest
from sklearn.base import clone

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.torch import RebalanceSampler  # noqa: E402

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
Y = np.array([0] * 18 + [1] * 6)
DATA = TensorDataset(torch.arange(24.0)[:, None], torch.as_tensor(Y))


@pytest.mark.parametrize("kind", SAMPLERS)
@pytest.mark.parametrize("argument", ["sampler", "batch_sampler"])
def test_estimator_sampler_in_a_dataloader_names_the_wrapper(kind, argument):
    # Before: "TypeError: 'RandomUnderSampler' object is not iterable".
    loader = DataLoader(DATA, **{argument: kind(random_state=0)})
    with pytest.raises(TypeError, match=rf"RebalanceSampler\(y, {kind.__name__}"):
        next(iter(loader))


@pytest.mark.parametrize("kind", SAMPLERS)
def test_the_wrapped_sampler_loads_its_draw(kind):
    sampler = RebalanceSampler(Y, kind(random_state=0), seed=3)
    sampler.set_epoch(1)
    loader = DataLoader(DATA, sampler=sampler, batch_size=5)
    rows = torch.cat([x[:, 0] for x, _ in loader]).long().tolist()
    sampler.set_epoch(1)
    assert rows == list(sampler)
    # Still an estimator: cloned, its parameters read, fitted as before.
    estimator = clone(kind(random_state=0))
    _, y_res = estimator.fit_resample(np.arange(24)[:, None], Y)
    assert len(y_res) == len(estimator.sample_indices_)


def test_labels_and_sampler_swapped():
    # Before: "sampler must be a rebalance sampler ...; got array([0, 0, ...
    # (every label printed)".
    with pytest.raises(
        TypeError, match=r"takes the labels first.*RebalanceSampler\(y, "
    ):
        RebalanceSampler(RandomUnderSampler(), Y)
    with pytest.raises(TypeError, match=r"got a ndarray\.$"):
        RebalanceSampler(Y, np.zeros(100))


@pytest.mark.parametrize(
    "categories", [[0.0, 1.0], [0.0, 1.0, 0.5]], ids=["whole", "unused-half"]
)
def test_dask_categorical_y_a_classifier_takes_is_not_refused(categories):
    # Review 75's fix for a Dask categorical y of half floats (refused before
    # the draw) leaves these alone.
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    from sklearn.linear_model import LogisticRegression

    from rebalance.compose import ResampledClassifier

    X = pd.DataFrame({"a": np.arange(24.0), "b": np.arange(24.0) % 5})
    y = pd.Series(pd.Categorical(Y.astype(float), categories=categories))
    model = ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression())
    model.fit(dd.from_pandas(X, npartitions=2), dd.from_pandas(y, npartitions=2))
    assert list(model.classes_) == [0.0, 1.0]
