"""Review 71, docs: the README claims added this round, checked by running them.

* ``rebalance compare``: a wrong command line exits with status 2 before any
  fitting, an error in the data or a file with status 1.
* Dask: labels next to an X whose rows ``map_partitions`` reordered are
  refused; columns of one ``map_partitions`` result pass.
* ``ResampledClassifier`` on Dask: the classifier gets the lazy draw, fitted
  as on pandas; a Dask ``sample_weight`` is a ``TypeError``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from rebalance import RandomUnderSampler, ResampledClassifier
from rebalance.cli import main


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=60),
            "b": rng.normal(size=60),
            "label": [0] * 48 + [1] * 12,
        }
    )
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    "extra",
    [
        ["--json", "scores.csv"],
        ["--report", "report.md"],
        ["--drop", "label"],
    ],
)
def test_compare_wrong_command_line_exits_2(csv, extra, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--data", csv, "--target", "label", *extra])
    assert exc.value.code == 2
    assert not (tmp_path / "scores.csv").exists()  # before any fitting or writing


def test_compare_data_error_exits_1(csv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--data", csv, "--target", "nope"])
    # SystemExit(message): status 1, the message on standard error
    assert exc.value.code not in (0, 2) and "nope" in str(exc.value.code)


@pytest.fixture
def parquet_frame(tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "y": (rng.random(n) < 0.15).astype(np.int64),
            "w": rng.uniform(0.5, 2.0, size=n),
        }
    )
    for i in range(4):  # each file's index restarts at 0, as from a writer
        part = frame.iloc[i * 50 : (i + 1) * 50].reset_index(drop=True)
        part.to_parquet(tmp_path / f"part.{i}.parquet")
    return frame, dd.read_parquet(str(tmp_path))


def test_dask_labels_next_to_map_partitions_reordered_x_refused(parquet_frame):
    _, ddf = parquet_frame
    shuffled = ddf.map_partitions(lambda p: p.sort_values("a"))
    with pytest.raises(ValueError, match="map_partitions"):
        RandomUnderSampler(random_state=0).fit_resample(shuffled[["a", "b"]], ddf["y"])
    with pytest.raises(ValueError, match="map_partitions"):  # the reverse
        RandomUnderSampler(random_state=0).fit_resample(ddf[["a", "b"]], shuffled["y"])
    # the README's fix: both from the result
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
        shuffled[["a", "b"]], shuffled["y"]
    )
    y_res = y_res.compute()
    assert np.bincount(y_res).tolist() == [y_res.sum()] * 2


class _Recorder(ClassifierMixin, BaseEstimator):
    """LogisticRegression, recording the type of X it was fitted on."""

    def fit(self, X, y):
        self.fit_type_ = type(X).__module__.split(".")[0]
        self.model_ = LogisticRegression().fit(np.asarray(X), np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(np.asarray(X))


def test_resampled_classifier_on_dask_as_readme_says(parquet_frame):
    frame, ddf = parquet_frame
    lazy = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    lazy.fit(ddf[["a", "b"]], ddf["y"])
    assert lazy.classifier_.fit_type_ == "dask"  # the lazy draw
    eager = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    eager.fit(frame[["a", "b"]], frame["y"])
    assert eager.classifier_.fit_type_ == "pandas"
    np.testing.assert_allclose(
        lazy.classifier_.model_.coef_, eager.classifier_.model_.coef_
    )
    np.testing.assert_allclose(lazy.resampled_priors_, eager.resampled_priors_)

    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    with pytest.raises(TypeError, match=r"sample_weight\.compute\(\)"):
        model.fit(ddf[["a", "b"]], ddf["y"], sample_weight=ddf["w"])
    model.fit(ddf[["a", "b"]], ddf["y"], sample_weight=ddf["w"].compute().to_numpy())


def _text_containers():
    texts = ["a b", "c d", "e f", "g h", "i j"] * 4
    yield "list", list(texts)
    yield "numpy", np.array(texts)
    yield "pandas", pd.Series(texts)
    try:
        import polars as pl

        yield "polars", pl.Series("t", texts)
    except ImportError:  # pragma: no cover - polars is optional
        pass
    try:
        import pyarrow as pa

        yield "pyarrow", pa.array(texts)
    except ImportError:  # pragma: no cover - pyarrow is optional
        pass


@pytest.mark.parametrize("kind, X", list(_text_containers()))
def test_texts_come_back_in_a_container_of_their_kind(kind, X):
    # README: texts in a 1-D list, numpy array, pandas or polars Series or
    # pyarrow array are copied as rows and come back in a container of their kind
    y = np.array([1, 0, 0, 0, 0] * 4)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert type(X_res) is type(X)
    rows = list(X.to_pylist() if hasattr(X, "to_pylist") else X)
    drawn = [str(rows[i]) for i in sampler.sample_indices_]
    assert [str(v) for v in X_res] == drawn
    assert np.bincount(y_res).tolist() == [4, 4]
