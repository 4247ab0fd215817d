"""Review 119, area parquet5: small Parquet datasets (several files, row groups,
hive partitions ``year=...``, categorical and string columns, a stored pandas
index) read with ``dask.dataframe.read_parquet`` and ``polars.read_parquet`` /
``scan_parquet``, fed to the samplers' ``fit_resample``, ``ResampledClassifier``,
``ThresholdMover``, ``adjust_priors`` and ``class_weights`` / ``sample_weights``:
rows stay aligned with their labels and weights, reads of other rows or in
another file order are refused, categorical classes are kept, lazy polars
frames are refused with a message that says to collect them."""

import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
pl = pytest.importorskip("polars")

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)
from rebalance.threshold import adjust_priors  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")

N = 40


def _frame():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "a": np.arange(N, dtype=float),
            "b": rng.normal(size=N),
            "lab": np.where(np.arange(N) % 4 == 0, "pos", "neg"),
            "year": np.repeat([2023, 2024], N // 2),
        }
    )
    df["cat"] = pd.Categorical(df["lab"], categories=["zzz", "pos", "neg"])
    # A stored, unsorted pandas index.
    df.index = rng.permutation(N) + 100
    return df


@pytest.fixture(scope="module")
def hive(tmp_path_factory):
    path = tmp_path_factory.mktemp("hive")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _frame().to_parquet(path, partition_cols=["year"], row_group_size=5)
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Two files whose name order is not the order of the key ``k``."""
    path = tmp_path_factory.mktemp("files")
    rng = np.random.default_rng(1)
    full = pd.DataFrame(
        {
            "k": np.arange(N),
            "b": rng.normal(size=N),
            "lab": np.where(np.arange(N) % 4 == 0, "pos", "neg"),
        }
    )
    full.iloc[N // 2 :].to_parquet(path / "part.0.parquet", index=False)
    full.iloc[: N // 2].to_parquet(path / "part.1.parquet", index=False)
    return str(path)


def _aligned(a, labels):
    return bool(
        np.all((np.asarray(a).astype(int) % 4 == 0) == (np.asarray(labels) == "pos"))
    )


def test_hive_read_rows_stay_aligned_with_string_labels(hive):
    ddf = dd.read_parquet(hive)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
        ddf[["a", "b"]], ddf["lab"]
    )
    X_res, y_res = X_res.compute(), y_res.compute()
    assert isinstance(y_res, pd.Series)
    assert len(y_res) == 20
    assert _aligned(X_res["a"], y_res)


def test_two_reads_of_same_files_paired_correctly(hive):
    X = dd.read_parquet(hive, columns=["a", "b"])
    y = dd.read_parquet(hive, columns=["lab"])["lab"]
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert _aligned(X_res.compute()["a"], y_res.compute())


@pytest.mark.parametrize(
    "y_filters", [None, [("a", ">=", 25)]], ids=["unfiltered", "other"]
)
def test_differently_filtered_reads_refused(hive, y_filters):
    X = dd.read_parquet(hive, columns=["a", "b"], filters=[("year", "==", 2024)])
    y = dd.read_parquet(hive, columns=["lab"], filters=y_filters)["lab"]
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_arrow_filesystem_read_in_other_order_refused(files):
    X = dd.read_parquet(files, columns=["k", "b"])
    y = dd.read_parquet(files, columns=["lab"], filesystem="arrow")["lab"]
    with pytest.raises(ValueError, match="another order"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_calculate_divisions_read_labels_follow_rows(files):
    read = dd.read_parquet(files, index="k", calculate_divisions=True)
    for y in (dd.read_parquet(files)["lab"], pl.read_parquet(files)["lab"]):
        sampler = RandomUnderSampler(random_state=0, shuffle=False)
        _, y_res = sampler.fit_resample(read[["b"]], y)
        keys = np.asarray(read.compute().index)[sampler.sample_indices_]
        assert _aligned(keys, y_res.compute())


def test_categorical_label_keeps_categories_and_rows(hive):
    ddf = dd.read_parquet(hive)
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
        ddf[["a"]], ddf["cat"]
    )
    y_res = y_res.compute()
    assert list(y_res.cat.categories) == ["zzz", "pos", "neg"]
    assert _aligned(X_res.compute()["a"], y_res)


def test_dask_draw_equals_in_memory_draw_for_categorical(hive):
    ddf = dd.read_parquet(hive, split_row_groups=True)
    pdf = pd.read_parquet(hive)
    for cls in (RandomUnderSampler, RandomOverSampler, ClassBalancedSampler):
        lazy, eager = cls(random_state=0), cls(random_state=0)
        lazy.fit_resample(ddf[["a"]], ddf["cat"])
        eager.fit_resample(pdf[["a"]], pdf["cat"])
        assert lazy.sampling_strategy_ == eager.sampling_strategy_
        np.testing.assert_array_equal(
            np.sort(lazy.sample_indices_), np.sort(eager.sample_indices_)
        )


def test_hive_partition_column_as_label_is_categorical(hive):
    ddf = dd.read_parquet(hive)
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(ddf[["a"]], ddf["year"])
    y_res = y_res.compute()
    assert isinstance(y_res.dtype, pd.CategoricalDtype)
    assert y_res.value_counts().to_dict() == {2023: 20, 2024: 20}


def test_hive_filter_to_one_class_refused(hive):
    ddf = dd.read_parquet(hive, filters=[("year", "==", 2024)])
    with pytest.raises(ValueError, match="one class only"):
        RandomUnderSampler().fit_resample(ddf[["a"]], ddf["year"])


def test_row_groups_with_weights_aligned_and_repeatable(hive):
    ddf = dd.read_parquet(hive, split_row_groups=True)
    assert ddf.npartitions > 2
    X_res, y_res, w_res = ClassBalancedSampler(random_state=0).fit_resample(
        ddf[["a", "b"]], ddf["lab"], sample_weight=ddf["b"].abs()
    )
    first, again = X_res.compute(), X_res.compute()
    pd.testing.assert_frame_equal(first, again)
    assert _aligned(first["a"], y_res.compute())
    np.testing.assert_allclose(np.abs(first["b"].to_numpy()), w_res.compute())


def test_pandas_labels_with_stored_index(hive):
    ddf = dd.read_parquet(hive)
    pdf = pd.read_parquet(hive)
    sampler = RandomUnderSampler(random_state=0, shuffle=False)
    X_res, y_res = sampler.fit_resample(ddf[["a"]], pdf["cat"])
    assert _aligned(X_res.compute()["a"], y_res.compute())
    with pytest.raises(ValueError, match="another order"):
        RandomUnderSampler(random_state=0).fit_resample(
            ddf[["a"]], pdf["cat"].sort_index()
        )


def test_polars_read_keeps_types_and_rows(hive):
    frame = pl.read_parquet(hive + "/**/*.parquet", hive_partitioning=True)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(
        frame.select("a", "b"), frame["lab"]
    )
    assert isinstance(X_res, pl.DataFrame)
    assert isinstance(y_res, pl.Series)
    assert y_res.dtype == pl.String
    assert _aligned(X_res["a"].to_numpy(), y_res.to_numpy())


def test_polars_lazy_frames_refused_in_sampler_and_weights(hive):
    lazy = pl.scan_parquet(hive + "/**/*.parquet", hive_partitioning=True)
    frame = lazy.collect()
    with pytest.raises(TypeError, match="collect"):
        RandomUnderSampler().fit_resample(frame.select("a"), lazy.select("lab"))
    with pytest.raises(TypeError, match="collect"):
        RandomUnderSampler().fit_resample(
            frame.select("a"), frame["lab"], sample_weight=lazy.select("b")
        )
    with pytest.raises(TypeError, match="collect"):
        class_weights(lazy.select("lab"))
    with pytest.raises(TypeError, match="collect"):
        ThresholdMover(LogisticRegression()).fit(
            frame.select("a"), frame["lab"], sample_weight=lazy.select("b")
        )


def test_weights_agree_across_readers(hive):
    pdf = pd.read_parquet(hive)
    ddf = dd.read_parquet(hive)
    frame = pl.read_parquet(hive + "/**/*.parquet", hive_partitioning=True)
    expected = {"neg": 2 / 3, "pos": 2.0}
    assert class_weights(ddf["lab"]) == pytest.approx(expected)
    assert class_weights(frame["cat"]) == pytest.approx(expected)
    np.testing.assert_allclose(sample_weights(ddf["cat"]), sample_weights(pdf["cat"]))


def test_meta_estimators_on_dask_and_polars_reads(hive):
    ddf = dd.read_parquet(hive)
    frame = pl.read_parquet(hive + "/**/*.parquet", hive_partitioning=True)
    rc = ResampledClassifier(
        RandomUnderSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    )
    assert list(rc.fit(ddf[["a"]], ddf["cat"]).classes_) == ["neg", "pos"]
    with pytest.raises(TypeError, match="compute"):
        rc.fit(ddf[["a"]], ddf["lab"], sample_weight=ddf["b"].abs())
    tm = ThresholdMover(LogisticRegression()).fit(
        frame.select("a", "b"), frame["cat"], sample_weight=frame["b"].abs()
    )
    assert list(tm.classes_) == ["neg", "pos"]


def test_class_weights_dask_categorical_keeps_category_order(hive):
    ddf = dd.read_parquet(hive)
    pdf = pd.read_parquet(hive)
    assert list(class_weights(ddf["cat"])) == list(class_weights(pdf["cat"]))


def test_resampled_classifier_lazy_sample_weight_says_collect(hive):
    lazy = pl.scan_parquet(hive + "/**/*.parquet", hive_partitioning=True)
    frame = lazy.collect()
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    with pytest.raises(TypeError, match="collect"):
        rc.fit(frame.select("a"), frame["lab"], sample_weight=lazy.select("b"))


def test_adjust_priors_lazy_frame_says_collect():
    lazy = pl.LazyFrame({"neg": [0.5, 0.8], "pos": [0.5, 0.2]})
    with pytest.raises(TypeError, match="collect"):
        adjust_priors(lazy, [0.5, 0.5], [0.9, 0.1])
