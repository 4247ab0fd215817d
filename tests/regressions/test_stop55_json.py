"""Stop 55 (from review 122 diff30): ``ComparisonResult.to_json()`` gives
the model and seed the comparison ran with (``report()`` and ``describe()``
do since review 118); the CLI's own ``info`` still wins."""

import numpy as np

from rebalance.compare import compare


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=80) > 0.9).astype(int)
    return X, y


def test_to_json_gives_model_and_seed_run_with():
    X, y = _data()
    result = compare(X, y, folds=2, seed=7, method_names=["none"], progress=False)
    data = result.to_json()
    assert (data["model"], data["seed"]) == ("logistic", 7)
    given = result.to_json(data="d.csv", model="given", seed=3)
    assert list(given)[:3] == ["data", "model", "seed"]
    assert (given["model"], given["seed"]) == ("given", 3)
