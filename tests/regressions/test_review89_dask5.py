"""Review 89 (dask5): Dask labels and weights holding other rows of X's
Parquet data (``_refuse_other_selection`` of reviews 87 and 88).

Each case must be refused (a ValueError naming the argument) or aligned
(every label on its own row, checked by a row-id column against pandas).
"""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402

from rebalance import (  # noqa: E402
    LabelShuffleSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

FEATS = ["rid", "a", "b"]
# Two of the four (all four pair the rows alike; kept small for time).
SAMPLERS = [RandomUnderSampler, LabelShuffleSampler]


pytestmark = pytest.mark.usefixtures("synchronous_dask")


@pytest.fixture
def folder(tmp_path):
    """Two files of 20 rows; ``c`` and ``e`` each missing on 10 rows (other
    rows), ``a`` and ``b`` each positive on 20 rows (other rows)."""
    n = 40
    rng = np.random.default_rng(1)
    i = np.arange(n)
    frame = pd.DataFrame(
        {
            "rid": i,
            "a": np.tile([1.0, -1.0], n // 2),
            "b": np.tile([1.0, 1.0, -1.0, -1.0], n // 4),
            "c": np.where(i % 4 == 0, np.nan, 1.0),
            "e": np.where(i % 4 == 1, np.nan, 1.0),
            "w": rng.random(n),
            "y": rng.integers(0, 2, n),
            "k": i % 4,
        }
    )
    frame.iloc[:20].to_parquet(tmp_path / "part.0.parquet", row_group_size=7)
    frame.iloc[20:].to_parquet(tmp_path / "part.1.parquet", row_group_size=7)
    return str(tmp_path), frame


def _truth(frame, rid):
    return frame.set_index("rid")["y"].loc[rid].to_numpy()


def _refused_or_aligned(sampler, X, y, frame):
    try:
        out = sampler.fit_resample(X, y)
    except ValueError as exc:
        assert "y" in str(exc)
        return
    rid = out[0].compute()["rid"].to_numpy()
    labels = np.asarray(out[1].compute())
    assert (labels == _truth(frame, rid)).all(), "y paired with other rows of X"


class _Recording(ClassifierMixin, BaseEstimator):
    """Records the row ids and labels of every fit (class attribute)."""

    seen: list = []

    def fit(self, X, y, sample_weight=None):
        rows = np.asarray(X)
        type(self).seen.append((rows[:, 0].astype(int), np.asarray(y)))
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def _fit_refused_or_aligned(make, X, y, frame):
    _Recording.seen = []
    try:
        make().fit(X, y)
    except ValueError as exc:
        assert "y" in str(exc)
        return
    assert _Recording.seen
    for rid, labels in _Recording.seen:
        assert (labels == _truth(frame, rid)).all(), "y paired with other rows"


# -- accepted and aligned (pin the legitimate constructions) -----------------


@pytest.mark.parametrize(
    "build",
    [
        lambda g, d: (g.dropna()[FEATS], g.dropna()["y"]),
        lambda g, d: (g[FEATS], dd.read_parquet(d + "/")["y"]),
        lambda g, d: (
            dd.read_parquet(d, filters=[("k", "==", 1)])[FEATS],
            dd.read_parquet(d, filters=[("k", "==", np.int64(1))])["y"],
        ),
    ],
    ids=[
        "dropna",
        "slash",
        "np-int-filter",
    ],
)
def test_same_rows_accepted_and_aligned(folder, build):
    path, frame = folder
    X, y = build(dd.read_parquet(path), path)
    out = RandomUnderSampler(random_state=0).fit_resample(X, y)
    rid = out[0].compute()["rid"].to_numpy()
    assert (np.asarray(out[1].compute()).astype(int) == _truth(frame, rid)).all()


# -- silent misalignment -----------------------------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
def test_dropna_other_subset(folder, sampler):
    path, frame = folder
    ddf = dd.read_parquet(path)
    X = ddf.dropna(subset=["c"])[FEATS]
    y = ddf.dropna(subset=["e"])["y"]
    _refused_or_aligned(sampler(random_state=0), X, y, frame)


def test_other_filters_path_with_trailing_slash(folder):
    path, frame = folder
    X = dd.read_parquet(path, filters=[("k", "==", 1)])[FEATS]
    y = dd.read_parquet(path + "/", filters=[("k", "==", 2)])["y"]
    _refused_or_aligned(RandomUnderSampler(random_state=0), X, y, frame)


def test_other_filters_folder_beside_file_list(folder):
    path, frame = folder
    files = [f"{path}/part.0.parquet", f"{path}/part.1.parquet"]
    X = dd.read_parquet(path, filters=[("k", "==", 1)])[FEATS]
    y = dd.read_parquet(files, filters=[("k", "==", 2)])["y"]
    _refused_or_aligned(RandomUnderSampler(random_state=0), X, y, frame)


def test_threshold_mover_other_mask(folder):
    path, frame = folder
    ddf = dd.read_parquet(path)
    _fit_refused_or_aligned(
        lambda: ThresholdMover(_Recording()),
        ddf[ddf.a > 0][FEATS],
        ddf[ddf.b > 0]["y"],
        frame,
    )


def test_resampled_classifier_dropna_other_subset(folder):
    path, frame = folder
    ddf = dd.read_parquet(path)
    _fit_refused_or_aligned(
        lambda: ResampledClassifier(RandomUnderSampler(random_state=0), _Recording()),
        ddf.dropna(subset=["c"])[FEATS],
        ddf.dropna(subset=["e"])["y"],
        frame,
    )


# -- message -----------------------------------------------------------------


def test_message_names_sample_weight(folder):
    path, _ = folder
    ddf = dd.read_parquet(path)
    with pytest.raises(ValueError, match="sample_weight holds other rows"):
        RandomUnderSampler(random_state=0).fit_resample(
            ddf[ddf.a > 0][FEATS],
            ddf[ddf.a > 0]["y"],
            sample_weight=ddf[ddf.b > 0]["w"],
        )


def test_message_fix_for_sample_weight_names_weights(folder):
    path, _ = folder
    ddf = dd.read_parquet(path)
    with pytest.raises(ValueError) as info:
        RandomUnderSampler(random_state=0).fit_resample(
            ddf[ddf.a > 0][FEATS],
            ddf[ddf.a > 0]["y"],
            sample_weight=ddf[ddf.b > 0]["w"],
        )
    assert "rows[target]" not in str(info.value)
