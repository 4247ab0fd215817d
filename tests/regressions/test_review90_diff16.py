"""Review 90 (diff16): the Dask selection check of review 89 in
``ThresholdMover.fit`` / ``ResampledClassifier.fit`` (``check_same_selection``).
"""

import os

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from sklearn.linear_model import LogisticRegression  # noqa: E402

from rebalance import ThresholdMover  # noqa: E402
from rebalance._dask import check_same_selection  # noqa: E402

F = ["rid", "a"]


pytestmark = pytest.mark.usefixtures("synchronous_dask")


@pytest.fixture
def folder(tmp_path):
    """Two files of 20 rows; ``a`` positive on the even rows (20 of 40)."""
    n = 40
    i = np.arange(n)
    frame = pd.DataFrame(
        {
            "rid": i.astype(float),
            "a": np.tile([1.0, -1.0], n // 2),
            "c": np.where(i % 4 == 0, np.nan, 1.0),
            "y": np.random.default_rng(1).integers(0, 2, n),
        }
    )
    (tmp_path / "d").mkdir()
    frame.iloc[:20].to_parquet(tmp_path / "d" / "part.0.parquet")
    frame.iloc[20:].to_parquet(tmp_path / "d" / "part.1.parquet")
    return tmp_path / "d"


def test_one_selection_passes(folder):
    ddf = dd.read_parquet(str(folder))
    m = ddf.a > 0
    check_same_selection(ddf[m][F], ddf[m]["y"])
    check_same_selection(ddf.dropna()[F], ddf.dropna()["y"])
    rows = ddf[[*F, "y"]]
    check_same_selection(rows.dropna()[F], rows.dropna()["y"])
    with pytest.raises(ValueError, match="y holds other rows"):
        check_same_selection(ddf[F], ddf["y"].dropna())


def test_symlinked_folder_other_mask_refused(folder):
    link = folder.parent / "link"
    os.symlink(folder, link)
    ddf, other = dd.read_parquet(str(folder)), dd.read_parquet(str(link))
    with pytest.raises(ValueError, match="y holds other rows"):
        ThresholdMover(LogisticRegression()).fit(
            ddf[ddf.a > 0][F], other[other.a < 0]["y"]
        )


def test_dask_array_other_mask_refused(folder):
    ddf = dd.read_parquet(str(folder))
    y = ddf[ddf.a < 0]["y"].to_dask_array()
    with pytest.raises(ValueError, match="y"):
        ThresholdMover(LogisticRegression()).fit(ddf[ddf.a > 0][F], y)


def test_same_mask_dir_and_dir_slash_passes(folder):
    ddf, other = dd.read_parquet(str(folder)), dd.read_parquet(str(folder) + "/")
    check_same_selection(ddf[ddf.a > 0][F], other[other.a > 0]["y"])


def test_same_dropna_written_two_ways_passes(folder):
    ddf = dd.read_parquet(str(folder))
    check_same_selection(ddf.dropna(how="any")[F], ddf.dropna()["y"])
    check_same_selection(ddf[["a", "y"]].dropna()[["a"]], ddf[["y", "a"]].dropna()["y"])
