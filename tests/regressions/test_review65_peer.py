"""Review round 65, peer checks: the warning of ResampledClassifier for rows
drawn more than once before a classifier that validates on a split of them."""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import (
    BaggingClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    VotingClassifier,
)
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import ResampledClassifier
from rebalance.samplers import RandomOverSampler, RandomUnderSampler

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 3))
y = np.r_[np.zeros(100, int), np.ones(20, int)]


def _copies_warnings(classifier, sampler=None, **fit_params):
    sampler = sampler or RandomOverSampler(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ResampledClassifier(sampler, classifier).fit(X, y, **fit_params)
    return [w for w in caught if "more than once" in str(w.message)]


def _mlp():
    return MLPClassifier(hidden_layer_sizes=(3,), early_stopping=True, max_iter=3)


@pytest.mark.parametrize(
    "classifier",
    [
        _mlp(),
        make_pipeline(StandardScaler(), _mlp()),
        GradientBoostingClassifier(n_iter_no_change=2, n_estimators=3),
        HistGradientBoostingClassifier(early_stopping=True, max_iter=3),
        # Wrapped: the model fitted on the copies still splits them.
        GridSearchCV(_mlp(), {"alpha": [1e-4]}, cv=2),
        BaggingClassifier(_mlp(), n_estimators=2, bootstrap=False),
        VotingClassifier([("mlp", _mlp()), ("lr", LogisticRegression())]),
    ],
    ids=["mlp", "pipeline", "gb", "hgb", "search", "bagging", "voting"],
)
def test_warns_where_copies_reach_a_validation_split(classifier):
    caught = _copies_warnings(classifier)
    assert len(caught) == 1
    assert "MLPClassifier" in str(caught[0].message) or "Gradient" in str(
        caught[0].message
    )
    # It points at the user's call to fit, not inside scikit-learn.
    assert caught[0].filename == __file__


@pytest.mark.parametrize(
    ("classifier", "fit_params"),
    [
        # Early stopping on the training loss: no held-out rows.
        (
            HistGradientBoostingClassifier(
                early_stopping=True, validation_fraction=None, max_iter=3
            ),
            {},
        ),
        # A validation set given: none split off the rows.
        (
            HistGradientBoostingClassifier(early_stopping=True, max_iter=3),
            {"X_val": X[:30], "y_val": y[:30]},
        ),
        # Fitted earlier, never refitted here.
        (FrozenEstimator(_mlp().fit(X, y)), {}),
        (make_pipeline(StandardScaler(), LogisticRegression()), {}),
    ],
    ids=["hgb-no-fraction", "hgb-x-val", "frozen", "pipeline-no-split"],
)
def test_no_warning_without_a_split_of_the_rows(classifier, fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a frozen model's own
        warnings.filterwarnings("error", message=".*more than once.*")
        ResampledClassifier(RandomOverSampler(random_state=0), classifier).fit(
            X, y, **fit_params
        )


def test_no_warning_without_copies():
    assert _copies_warnings(_mlp(), RandomUnderSampler(random_state=0)) == []


def test_skorch_predefined_split_takes_no_rows():
    pytest.importorskip("skorch")
    torch = pytest.importorskip("torch")
    from skorch import NeuralNetClassifier
    from skorch.dataset import Dataset
    from skorch.helper import predefined_split

    Xf = X.astype(np.float32)

    def net(**kwargs):
        module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax(dim=-1))
        return NeuralNetClassifier(module, max_epochs=1, verbose=0, **kwargs)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ResampledClassifier(RandomOverSampler(random_state=0), net()).fit(Xf, y)
        valid = Dataset(Xf[:20], y[:20])
        ResampledClassifier(
            RandomOverSampler(random_state=0),
            net(train_split=predefined_split(valid)),
        ).fit(Xf, y)
    warned = [w for w in caught if "more than once" in str(w.message)]
    assert len(warned) == 1  # the default ValidSplit only
    assert "ValidSplit" in str(warned[0].message)
