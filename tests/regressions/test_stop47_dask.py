"""Stop 47: ResampledClassifier on Dask computes its inputs once.

``ResampledClassifier(...).fit(ddf[features], ddf[target])`` ran 12
``dask.compute`` calls for a Parquet X (each a pass over its files; a
``map_partitions`` X runs the user's function each time): ``len()`` of X and
y five times before the sampler, X's resampled length once, and after the
classifier's fit the drawn labels (and y's classes) three more times for
the checks and ``resampled_priors_``. Now the sampler's own pass and the
classifier's; the checks read what the sampler computed. Results are those
of the same data in pandas.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

dd = pytest.importorskip("dask.dataframe")

N = 240


def _labels(kind, rng):
    codes = rng.choice(3, N, p=[0.6, 0.25, 0.15])
    if kind == "int":
        return pd.Series(codes * 7 - 5)
    if kind == "str":
        return pd.Series(np.array(["no", "maybe", "yes"], dtype=object)[codes])
    if kind == "arrow":
        return pd.Series(np.array(["b", "a", "c"])[codes], dtype="string[pyarrow]")
    if kind == "bool":
        return pd.Series(codes > 0)
    # categorical with an unused category, categories not sorted
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=["z", "a", "m", "unused"])
    )


@pytest.mark.parametrize(
    "kind, sampler",
    [
        ("int", RandomUnderSampler(random_state=0)),
        ("str", RandomOverSampler(random_state=1)),
        ("arrow", ClassBalancedSampler(random_state=2)),
        ("bool", LabelShuffleSampler(random_state=3)),
        ("category", RandomUnderSampler(random_state=4)),
        ("category", RandomOverSampler(random_state=5)),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_dask_fit_is_the_pandas_fit_with_one_compute_of_the_labels(
    tmp_path, kind, sampler, dask_computes
):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=N), "b": rng.normal(size=N)})
    frame["y"] = _labels(kind, rng)
    for i in range(3):
        frame.iloc[i * N // 3 : (i + 1) * N // 3].to_parquet(
            tmp_path / f"part.{i}.parquet"
        )
    ddf = dd.read_parquet(tmp_path)
    model = ResampledClassifier(sampler, LogisticRegression())
    computes = dask_computes()
    with computes:
        lazy = model.fit(ddf[["a", "b"]], ddf["y"])
        priors = lazy.resampled_priors_
    # The sampler's labels (its one pass), then the classifier's X and y.
    assert computes.n <= 3
    assert not hasattr(lazy.sampler_, "_drawn_labels")  # not pickled with it
    eager = ResampledClassifier(sampler, LogisticRegression()).fit(
        frame[["a", "b"]], frame["y"]
    )
    np.testing.assert_array_equal(lazy.classes_, eager.classes_)
    np.testing.assert_allclose(priors, eager.resampled_priors_, rtol=1e-12)
    np.testing.assert_array_equal(
        np.sort(lazy.sampler_.sample_indices_), np.sort(eager.sampler_.sample_indices_)
    )


def test_dask_draw_that_loses_a_class_is_still_refused(tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=N)})
    frame["y"] = rng.choice([0, 1, 2], N, p=[0.6, 0.3, 0.1])
    frame.to_parquet(tmp_path / "part.0.parquet")
    ddf = dd.read_parquet(tmp_path)
    sampler = RandomUnderSampler(sampling_strategy={0: 5, 1: 5, 2: 0})
    with pytest.raises(ValueError, match="left out every row of class 2"):
        ResampledClassifier(sampler, LogisticRegression()).fit(ddf[["a"]], ddf["y"])


def test_a_sampler_fitted_on_dask_then_in_memory_keeps_no_dask_labels(tmp_path):
    frame = pd.DataFrame({"a": np.arange(30.0), "y": [0, 1, 1] * 10})
    ddf = dd.from_pandas(frame, npartitions=2)
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(ddf[["a"]], ddf["y"])
    assert hasattr(sampler, "_drawn_labels")
    sampler.fit_resample(frame[["a"]], frame["y"])
    assert not hasattr(sampler, "_drawn_labels")
