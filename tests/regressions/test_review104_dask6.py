"""Review 104 (dask6): X and y of one Parquet dataset, read with the path
spelled differently, must be paired only when they hold the same rows.

The truth is computed: every row carries a unique ``id``, and a label is right
when it is the ``y`` of the row whose ``id`` it is paired with.
"""

import os

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import RandomOverSampler, RandomUnderSampler, ResampledClassifier  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")

N = 60
FEATS = ["id", "a"]


def _frame():
    ids = np.arange(N)
    frame = pd.DataFrame(
        {
            "id": ids,
            "a": ids * 1.0,
            "b": ids % 5,
            "k": ids % 3,
            "y": (ids % 4 == 0).astype(int),
        }
    )
    # Another label pattern in each k group: rows of another group give
    # other labels at the same positions.
    frame.loc[frame.k == 1, "y"] = (np.arange(20) % 2 == 0).astype(int)
    return frame


FRAME = _frame()
TRUTH = FRAME.set_index("id")["y"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask6")
    flat = root / "flat"
    flat.mkdir()
    for i in range(3):
        FRAME.iloc[i * 20 : (i + 1) * 20].to_parquet(
            flat / f"part.{i}.parquet", index=False
        )
    hive = root / "hive"
    FRAME.to_parquet(hive, partition_cols=["k"], index=False)
    os.symlink(flat, root / "link")
    return {"root": str(root), "flat": str(flat), "hive": str(hive)}


def _files(path, order=(0, 1, 2)):
    return [f"{path}/part.{i}.parquet" for i in order]


def _paired_right(X, y, sampler=RandomUnderSampler):
    """fit_resample the Dask pair: every label is its row's, and the rows
    drawn are those of the pandas draw on the computed frames."""
    Xr, yr = sampler(random_state=0).fit_resample(X, y)
    Xr = Xr.compute()
    yr = np.asarray(yr.compute())
    assert np.array_equal(yr, TRUTH.loc[Xr["id"].to_numpy()].to_numpy())
    Xp, yp = sampler(random_state=0).fit_resample(X.compute(), y.compute())
    assert sorted(Xr["id"]) == sorted(Xp["id"])
    assert np.array_equal(np.asarray(yp), TRUTH.loc[Xp["id"].to_numpy()].to_numpy())


def _masked(read, column="b", value=1):
    return read[read[column] > value]


# ---------------------------------------------------------------- pins: (a)


@pytest.mark.parametrize(
    "spell",
    [
        lambda d: d["flat"] + "/",
        lambda d: d["flat"] + "/../flat",
        lambda d: d["root"] + "/link",
        lambda d: os.path.relpath(d["flat"]),
    ],
    ids=["slash", "dotdot", "symlink", "relative"],
)
def test_same_mask_on_path_spelled_otherwise_is_accepted(data, spell):
    X = _masked(dd.read_parquet(data["flat"]))[FEATS]
    y = _masked(dd.read_parquet(spell(data)))["y"]
    _paired_right(X, y)


def test_same_mask_on_column_projections_is_accepted(data):
    X = _masked(dd.read_parquet(data["flat"], columns=["id", "a", "b"]))[FEATS]
    y = _masked(dd.read_parquet(data["flat"], columns=["y", "b"]))["y"]
    _paired_right(X, y, RandomOverSampler)


def test_same_mask_on_lists_of_files_in_other_orders_is_accepted(data):
    X = _masked(dd.read_parquet(_files(data["flat"])))[FEATS]
    y = _masked(dd.read_parquet(_files(data["flat"], (2, 1, 0))))["y"]
    _paired_right(X, y)


def test_hive_same_filters_tuple_or_list_is_accepted(data):
    X = dd.read_parquet(data["hive"], filters=[("k", "==", 0)])[FEATS]
    y = dd.read_parquet(data["hive"] + "/", filters=[[("k", "==", 0)]])["y"]
    _paired_right(X, y)


def test_mask_after_repartition_keeps_the_rows(data):
    X = _masked(dd.read_parquet(data["flat"]))[FEATS]
    y = _masked(dd.read_parquet(data["flat"]).repartition(npartitions=2))["y"]
    _paired_right(X, y)


# ---------------------------------------------------------------- pins: (b)


@pytest.mark.parametrize(
    "other",
    [
        lambda r: _masked(r, "b", 2),  # another constant
        lambda r: _masked(r, "k", 1),  # another column
        lambda r: r[r.b.isin([3, 4])],  # another isin
        lambda r: _masked(r.sample(frac=0.5, random_state=1)),  # mask after sample
        lambda r: _masked(r.head(45, npartitions=-1, compute=False)),  # after head
        lambda r: r.partitions[[0, 2]],  # other partitions
    ],
    ids=["constant", "column", "isin", "sample", "head", "partitions"],
)
def test_other_rows_of_one_folder_are_refused(data, other):
    read = dd.read_parquet(data["flat"])
    X = _masked(read)[FEATS]
    y = other(dd.read_parquet(data["flat"] + "/"))["y"]
    with pytest.raises(ValueError, match="y"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_hive_other_partition_value_is_refused(data):
    X = dd.read_parquet(data["hive"], filters=[("k", "==", 0)])[FEATS]
    y = dd.read_parquet(data["hive"], filters=[[("k", "==", 1)]])["y"]
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)
    read = dd.read_parquet(data["hive"] + "/")
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler(random_state=0).fit_resample(
            read[read.k == 0][FEATS], read[read.k == 1]["y"]
        )


def test_resampled_classifier_refuses_another_mask(data):
    from sklearn.tree import DecisionTreeClassifier

    read = dd.read_parquet(data["flat"])
    X = read[read.k == 0][FEATS]
    y = read[read.k == 1]["y"]
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), DecisionTreeClassifier()
    )
    with pytest.raises(ValueError, match="other rows"):
        model.fit(X, y)


# ---------------------------------------------------------------- bugs


_SILENT = {
    # X: the folder, filters=/partitions keep files of their own; y: the same
    # dataset spelled as a file:// URL, a glob or its list of files.
    "url-hive-filters": lambda d: (
        dd.read_parquet(d["hive"], filters=[("k", "==", 0)]),
        dd.read_parquet("file://" + d["hive"], filters=[("k", "==", 1)]),
    ),
    "url-flat-filters": lambda d: (
        dd.read_parquet(d["flat"], filters=[("id", "<", 20)]),
        dd.read_parquet("file://" + d["flat"], filters=[("id", ">=", 40)]),
    ),
    "url-partitions": lambda d: (
        dd.read_parquet(d["flat"]).partitions[0],
        dd.read_parquet("file://" + d["flat"]).partitions[2],
    ),
    "glob-hive-filters": lambda d: (
        dd.read_parquet(d["hive"], filters=[("k", "==", 0)]),
        dd.read_parquet(d["hive"] + "/*/*.parquet", filters=[("k", "==", 1)]),
    ),
    "glob-partitions": lambda d: (
        dd.read_parquet(d["flat"]).partitions[0],
        dd.read_parquet(d["flat"] + "/*.parquet").partitions[2],
    ),
    "list-filters": lambda d: (
        dd.read_parquet(d["flat"], filters=[("id", "<", 20)]),
        dd.read_parquet(_files(d["flat"]), filters=[("id", ">=", 40)]),
    ),
    "list-partitions": lambda d: (
        dd.read_parquet(d["flat"]).partitions[0],
        dd.read_parquet(_files(d["flat"])).partitions[2],
    ),
}


@pytest.mark.parametrize("case", sorted(_SILENT))
def test_other_rows_of_one_dataset_spelled_otherwise_are_not_paired(data, case):
    x_read, y_read = _SILENT[case](data)
    X, y = x_read[FEATS], y_read["y"]
    # The truth: as many rows, none in common.
    assert len(X.compute()) == len(y.compute()) == 20
    assert not set(X["id"].compute()) & set(y_read["id"].compute())
    try:
        Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y)
    except ValueError:
        return  # refused: right
    Xr = Xr.compute()
    # Accepted: every label must be its row's (it is not).
    assert np.array_equal(
        np.asarray(yr.compute()), TRUTH.loc[Xr["id"].to_numpy()].to_numpy()
    )


def test_resampled_classifier_refuses_other_rows_of_url_read(data):
    from sklearn.tree import DecisionTreeClassifier

    X = dd.read_parquet(data["hive"], filters=[("k", "==", 0)])[FEATS]
    y = dd.read_parquet("file://" + data["hive"], filters=[("k", "==", 1)])["y"]
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), DecisionTreeClassifier()
    )
    with pytest.raises(ValueError, match="y"):
        model.fit(X, y)


_SAME = {
    "url": lambda d: dd.read_parquet("file://" + d["flat"]),
    "glob": lambda d: dd.read_parquet(d["flat"] + "/*.parquet"),
    "list": lambda d: dd.read_parquet(_files(d["flat"])),
    "index": lambda d: dd.read_parquet(d["flat"], index="id"),
    "split_row_groups": lambda d: dd.read_parquet(d["flat"], split_row_groups=True),
}


@pytest.mark.parametrize("case", sorted(_SAME))
def test_same_mask_on_one_dataset_read_otherwise_is_accepted(data, case):
    X = _masked(dd.read_parquet(data["flat"]))[FEATS]
    y = _masked(_SAME[case](data))["y"]
    _paired_right(X, y)


def test_same_mask_over_filters_tuple_or_list_is_accepted(data):
    X = _masked(dd.read_parquet(data["flat"], filters=[("id", "<", 40)]))[FEATS]
    y = _masked(dd.read_parquet(data["flat"], filters=[[("id", "<", 40)]]))["y"]
    _paired_right(X, y)
