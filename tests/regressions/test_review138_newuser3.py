"""Review 138 (newuser3): the README / user guide / docstring recipes, as a new user.

Each documented recipe (samplers in 30 seconds, the polars and text examples,
imbalanced-learn's ``BalancedBaggingClassifier``, threshold moving with
``deploy_priors``, ``ResampledClassifier`` with ``sample_weight`` and
``FrozenEstimator``, metadata routing, the torch samplers and batch paths,
the losses, skorch's ``RebalancedLoader``, ``rebalance.compare.compare`` and
the datasets helpers) was run as written, then with the first variation a
user tries next: every other sampler, string labels, pandas and polars
frames, ``sample_weight`` (also a pandas or polars one), a Pipeline step's
``lr__sample_weight``, binary and multiclass, other losses and their
keyword names, ``n_jobs=2``, another seed.

No bug was found: every variation either gave the documented result or an
error naming the argument and the fix. The pins below keep a few answers a
later change could break (documented equalities and refusals).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ThresholdMover,
    class_weights,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
def test_polars_string_labels_and_weights_follow_the_drawn_rows(sampler):
    pl = pytest.importorskip("polars")
    X = pl.DataFrame(
        {"age": np.arange(12, dtype=np.int16), "score": np.linspace(0, 1, 12)}
    )
    y = pl.Series("label", ["a"] * 9 + ["b"] * 3)
    w = pl.Series("w", np.arange(12.0))
    s = sampler(random_state=0)
    X_res, y_res, w_res = s.fit_resample(X, y, sample_weight=w)
    idx = s.sample_indices_
    assert X_res.schema == X.schema
    assert y_res.name == "label"
    assert X_res["age"].to_list() == [int(i) for i in idx]
    assert y_res.to_list() == [y[int(i)] for i in idx]
    assert w_res.to_list() == [float(i) for i in idx]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
def test_rebalance_sampler_epoch_is_the_documented_scikit_learn_draw(sampler):
    # README: epoch e's indices are the sample_indices_ of
    # sampler.set_params(random_state=np.random.default_rng([s, e])).fit_resample
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = np.array(["dog"] * 45 + ["cat"] * 5)
    torch_side = RebalanceSampler(labels, sampler(), seed=2)
    torch_side.set_epoch(1)
    sk = sampler().set_params(random_state=np.random.default_rng([2, 1]))
    sk.fit_resample(np.zeros((50, 1)), labels)
    assert list(torch_side) == sk.sample_indices_.tolist()


def test_deploy_priors_train_reads_a_pipeline_steps_weights():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.1).astype(int)
    X = rng.normal(size=(400, 2)) + y[:, None]
    w = np.where(y == 1, 3.0, 1.0)
    pipe = Pipeline([("sc", StandardScaler()), ("lr", LogisticRegression())])
    by_step = ThresholdMover(pipe, deploy_priors="train").fit(X, y, lr__sample_weight=w)
    expected = np.array([w[y == 0].sum(), w[y == 1].sum()]) / w.sum()
    np.testing.assert_allclose(by_step.deploy_priors_, expected)
    plain = ThresholdMover(LogisticRegression(), deploy_priors="train").fit(
        X, y, sample_weight=w
    )
    np.testing.assert_allclose(plain.deploy_priors_, expected)


def test_class_weighted_cross_entropy_matches_torch_with_label_smoothing():
    torch = pytest.importorskip("torch")
    from rebalance.torch import class_weighted_cross_entropy

    y = np.array([0] * 30 + [1] * 8 + [2] * 2)
    cw = class_weights(y, method="effective_number")
    logits = torch.randn(40, 3, generator=torch.Generator().manual_seed(0))
    target = torch.from_numpy(y)
    w = torch.tensor([cw[c] for c in range(3)], dtype=torch.float32)
    ours = class_weighted_cross_entropy(logits, target, cw, label_smoothing=0.1)
    ref = torch.nn.functional.cross_entropy(
        logits, target, weight=w, label_smoothing=0.1
    )
    torch.testing.assert_close(ours, ref)


def test_rebalanced_loader_given_a_sampler_positionally_names_the_fix():
    pytest.importorskip("torch")
    from rebalance.torch import RebalancedLoader

    with pytest.raises(TypeError, match=r"RebalancedLoader\(sampler="):
        RebalancedLoader(RandomUnderSampler(), seed=0)


def test_compare_drop_given_one_string_drops_that_column():
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["ab", "a", "b"])
    y = np.where(rng.random(60) < 0.25, 1, 0)
    result = compare(X, y, folds=3, method_names=["none"], drop="ab")
    assert list(result.columns.used) == ["a", "b"]
    assert list(result.columns.dropped) == ["ab"]
