"""Review 136, area daskparquet3: Dask DataFrames read from Parquet folders as
users write them (``to_parquet(folder, partition_cols=[...])``: the partition
column comes back categorical; string[pyarrow] columns; ``index="id"``;
``filters=`` that drop whole files or a class; a Dask filter leaving an empty
partition; unknown divisions) fed to the four samplers' ``fit_resample``,
``class_weights`` and ``rebalance compare --data <folder>``.

How: a row id kept as a feature and checked against each output label; counts
per class against the strategy; lazy outputs computed twice; the pandas path
(``pd.read_parquet`` of the same folder, same ``random_state``): the same
sorted ``sample_indices_``, row for row with ``shuffle=False``; class weights
and class counts of a filtered categorical label; the CLI's ``class_counts``
and ``columns`` for a hive folder with the label as its partition column.
Also checked by hand and not kept: the CLI on a folder partitioned by a
feature, on one ``region=n`` sub-folder and on Dask-written part files;
``fit_resample`` computes only the label column's read tasks (a dask
callback); ``ResampledClassifier`` and ``ThresholdMover`` fit on such frames
as on pandas; a filter leaving one class is a ValueError that says so.

No bug found. Left alone: the output index is a fresh 0..n-1 (documented,
as in memory), so ``index="id"`` does not survive resampling; a hive
partition of missing values (``__HIVE_DEFAULT_PARTITION__``) cannot be read
by ``dd.read_parquet``/``pd.read_parquet`` themselves (pyarrow), so rebalance
never sees it.
"""

import contextlib
import io
import json
import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    class_weights,
)
from rebalance.cli import main  # noqa: E402

pytestmark = [
    pytest.mark.usefixtures("synchronous_dask"),
    pytest.mark.filterwarnings("ignore"),
]

ALL = [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler, LabelShuffleSampler]
N = 60


def _frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(N),
            "f": rng.normal(size=N),
            "s": pd.array([f"s{i}" for i in range(N)], dtype="string[pyarrow]"),
            "grp": np.where(np.arange(N) % 3 == 0, "a", "b"),
            "label": np.where(np.arange(N) % 5 == 0, "pos", "neg"),
        }
    )


LAB = dict(zip(_frame()["id"].tolist(), _frame()["label"].tolist()))


@pytest.fixture(scope="module")
def hive(tmp_path_factory):
    path = tmp_path_factory.mktemp("hive")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _frame().to_parquet(path, partition_cols=["grp"])
    return str(path)


def _aligned(X_res, y_res):
    a, b = X_res.compute(), y_res.compute()
    assert len(a) == len(b)
    assert all(LAB[int(i)] == v for i, v in zip(a["id"], b))
    return a, b


@pytest.mark.parametrize("cls", ALL)
def test_hive_folder_rows_keep_labels_and_recompute_the_same(hive, cls):
    ddf = dd.read_parquet(hive)
    assert not ddf.known_divisions
    X, y = ddf[["id", "f", "s", "grp"]], ddf["label"]
    sampler = cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    a, b = _aligned(X_res, y_res)
    assert a.equals(X_res.compute())  # lazy output computed twice: same rows
    assert isinstance(a["grp"].dtype, pd.CategoricalDtype)
    assert a["s"].dtype == X["s"].dtype
    counts = b.value_counts().to_dict()
    if cls is RandomUnderSampler:
        assert counts == {"pos": 12, "neg": 12}
    elif cls in (RandomOverSampler, LabelShuffleSampler):
        assert counts == {"pos": 48, "neg": 48}
    # The same draw as the pandas path on the same folder.
    pdf = pd.read_parquet(hive)
    memory = cls(random_state=0)
    memory.fit_resample(pdf[["id", "f", "s", "grp"]], pdf["label"])
    np.testing.assert_array_equal(
        np.sort(sampler.sample_indices_), np.sort(memory.sample_indices_)
    )


@pytest.mark.parametrize("cls", [RandomUnderSampler, RandomOverSampler])
def test_filtered_read_with_empty_partition_matches_pandas_row_for_row(tmp_path, cls):
    frame = _frame().drop(columns=["grp"])
    for k in range(3):
        frame.iloc[k * 20 : (k + 1) * 20].to_parquet(tmp_path / f"part.{k}.parquet")
    ddf = dd.read_parquet(tmp_path, filters=[("id", "!=", 7)])
    ddf = ddf[((ddf.id < 20) | (ddf.id >= 40)) & (ddf.id % 20 < 12)]
    assert ddf.map_partitions(len).compute().tolist() == [11, 0, 12]
    X, y = ddf[["id", "f", "s"]], ddf["label"]
    X_res, y_res = cls(random_state=4, shuffle=False).fit_resample(X, y)
    a, _ = _aligned(X_res, y_res)
    pdf = ddf.compute()
    X_mem, _ = cls(random_state=4, shuffle=False).fit_resample(
        pdf[["id", "f", "s"]], pdf["label"]
    )
    np.testing.assert_array_equal(a["id"].to_numpy(), X_mem["id"].to_numpy())


def test_partition_column_label_with_a_filtered_out_class_as_pandas(tmp_path):
    frame = pd.DataFrame({"id": np.arange(90), "f": np.arange(90) * 1.0})
    frame["kind"] = np.repeat(["x", "y", "z"], [50, 30, 10])
    frame.to_parquet(tmp_path / "h", partition_cols=["kind"])
    ddf = dd.read_parquet(tmp_path / "h", filters=[("kind", "in", ["x", "y"])])
    pdf = pd.read_parquet(tmp_path / "h", filters=[("kind", "in", ["x", "y"])])
    assert list(ddf["kind"].dtype.categories) == ["x", "y", "z"]
    assert class_weights(ddf["kind"]) == class_weights(pdf["kind"])
    for cls in (RandomUnderSampler, ClassBalancedSampler):
        X_res, y_res = cls(random_state=0).fit_resample(ddf[["id", "f"]], ddf["kind"])
        _, y_mem = cls(random_state=0).fit_resample(pdf[["id", "f"]], pdf["kind"])
        got = y_res.compute()
        assert got.value_counts().to_dict() == y_mem.value_counts().to_dict()
        assert set(got) == {"x", "y"}
        ids = X_res["id"].compute().to_numpy()
        np.testing.assert_array_equal(got.to_numpy(), frame["kind"].to_numpy()[ids])
    only_x = dd.read_parquet(tmp_path / "h", filters=[("kind", "==", "x")])
    with pytest.raises(ValueError, match="one class"):
        RandomUnderSampler().fit_resample(only_x[["id", "f"]], only_x["kind"])


def _compare(path, target):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        rc = main(
            ["compare", "--data", str(path), "--target", target]
            + ["--methods", "none", "--folds", "2", "--json", "-"]
        )
    assert rc in (0, None)
    return json.loads(out.getvalue())


def test_cli_compare_reads_a_folder_partitioned_by_the_label(tmp_path):
    rng = np.random.default_rng(0)
    n = 80
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "s": pd.array([f"t{i % 4}" for i in range(n)], dtype="string[pyarrow]"),
            "label": np.where(np.arange(n) % 5 == 0, "yes", "no"),
            "region": np.where(np.arange(n) % 2 == 0, "n", "s"),
        }
    )
    frame.to_parquet(tmp_path / "bylabel", partition_cols=["label"])
    # The label as the partition column (read back categorical).
    result = _compare(tmp_path / "bylabel", "label")
    assert result["class_counts"] == {"no": 64, "yes": 16}
    assert set(result["columns"]["used"]) == {"a", "s", "region"}
