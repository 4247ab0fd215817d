"""Review 105 (diff23): the changes since f6026b0 under attack.

Dask Parquet read identity (a read keyed by its dataset's files; loc keyed
with the read's index=), Hugging Face list-of-ClassLabel refusal and hidden
label columns, narwhals-wrapped categorical labels, ThresholdMover's infinite
predict_proba refusal and the TimeSeriesSplit advice.
"""

import time

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TimeSeriesSplit

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ThresholdMover,
    class_weights,
)

pytestmark = pytest.mark.filterwarnings("ignore")


# ------------------------------------------------------------------- Dask

N = 60


def _frame():
    ids = np.arange(N)
    frame = pd.DataFrame(
        {
            "id": ids,
            "a": ids * 1.0,
            "b": ids % 5,
            "y": (ids % 4 == 0).astype(int),
        }
    )
    frame.loc[20:39, "y"] = (np.arange(20) % 2 == 0).astype(int)
    return frame


FRAME = _frame()
TRUTH = FRAME.set_index("id")["y"]
FEATS = ["id", "a"]


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    root = tmp_path_factory.mktemp("diff23")
    folder = root / "flat"
    folder.mkdir()
    for i in range(3):
        FRAME.iloc[i * 20 : (i + 1) * 20].to_parquet(
            folder / f"part.{i}.parquet", index=False
        )
    return str(folder)


def _paired_right(X, y):
    Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y)
    Xr = Xr.compute()
    yr = np.asarray(yr.compute())
    assert len(yr) > 0
    assert np.array_equal(yr, TRUTH.loc[Xr["id"].to_numpy()].to_numpy())


def _masked(read):
    return read[read["b"] > 1]


def test_same_mask_on_glob_and_folder_is_accepted(flat):
    import dask.dataframe as dd

    X = _masked(dd.read_parquet(flat + "/*.parquet"))[FEATS]
    y = _masked(dd.read_parquet(flat))["y"]
    _paired_right(X, y)


def test_other_mask_on_glob_and_folder_is_refused(flat):
    import dask.dataframe as dd

    X = _masked(dd.read_parquet(flat + "/*.parquet"))[FEATS]
    read = dd.read_parquet(flat)
    y = read["y"][read["b"] < 3]
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_same_mask_on_file_url_is_accepted(flat):
    import dask.dataframe as dd

    X = _masked(dd.read_parquet(flat))[FEATS]
    y = _masked(dd.read_parquet("file://" + flat))["y"]
    _paired_right(X, y)


def test_same_partition_on_two_spellings_is_accepted(flat):
    import dask.dataframe as dd

    X = dd.read_parquet(flat).partitions[1][FEATS]
    y = dd.read_parquet(flat + "/").partitions[1]["y"]
    _paired_right(X, y)


def test_other_partition_on_two_spellings_is_refused(flat):
    import dask.dataframe as dd

    X = dd.read_parquet(flat).partitions[1][FEATS]
    y = dd.read_parquet(flat + "/").partitions[2]["y"]
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_overlapping_lists_of_files_are_refused(flat):
    import dask.dataframe as dd

    X = _masked(dd.read_parquet([flat + "/part.0.parquet", flat + "/part.2.parquet"]))
    y = _masked(dd.read_parquet([flat + "/part.1.parquet", flat + "/part.2.parquet"]))
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler(random_state=0).fit_resample(X[FEATS], y["y"])


def test_same_mask_on_column_projections_is_accepted(flat):
    import dask.dataframe as dd

    X = _masked(dd.read_parquet(flat, columns=["id", "a", "b"]))[FEATS]
    y = _masked(dd.read_parquet(flat, columns=["b", "y"]))["y"]
    _paired_right(X, y)


def test_same_loc_with_same_index_column_is_accepted(flat):
    import dask.dataframe as dd

    X = dd.read_parquet(flat, index="id").loc[5:45].reset_index()[FEATS]
    y = dd.read_parquet(flat + "/", index="id").loc[5:45]["y"]
    Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y)
    Xr = Xr.compute()
    assert np.array_equal(
        np.asarray(yr.compute()), TRUTH.loc[Xr["id"].to_numpy()].to_numpy()
    )


def test_loc_with_index_column_beside_file_positions_is_refused(flat):
    import dask.dataframe as dd

    X = dd.read_parquet(flat, index="id").loc[5:15].reset_index()[FEATS]
    y = dd.read_parquet(flat).loc[5:15]["y"]
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_loc_with_index_as_string_or_list_is_accepted(flat):
    import dask.dataframe as dd

    X = dd.read_parquet(flat, index="id").loc[5:45].reset_index()[FEATS]
    y = dd.read_parquet(flat, index=["id"]).loc[5:45]["y"]
    Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y)
    Xr = Xr.compute()
    assert np.array_equal(
        np.asarray(yr.compute()), TRUTH.loc[Xr["id"].to_numpy()].to_numpy()
    )


def test_selection_check_is_cheap_on_many_files(tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    from rebalance._dask import _refuse_other_selection

    folder = tmp_path / "many"
    folder.mkdir()
    frame = pd.DataFrame({"a": np.arange(400.0), "b": np.arange(400) % 5})
    frame["y"] = (frame["b"] == 0).astype(int)
    for i in range(80):
        frame.iloc[i * 5 : (i + 1) * 5].to_parquet(
            folder / f"p.{i:03d}.parquet", index=False
        )
    X = _masked(dd.read_parquet(str(folder)))[["a"]]
    y = _masked(dd.read_parquet("file://" + str(folder)))["y"]
    start = time.perf_counter()
    _refuse_other_selection(X, {"y": y})
    assert time.perf_counter() - start < 1.0


def test_dataset_files_fail_safe_on_a_broken_read():
    from rebalance._dask import _dataset_files, _normal_path

    class Broken:
        @property
        def _dataset_info(self):
            raise OSError("gone")

    assert _dataset_files(Broken()) is None
    # A glob that matches nothing is kept as written.
    assert "nothing-here" in _normal_path("/no/such/nothing-here/*.parquet")


# ----------------------------------------------------------- Hugging Face


def _hf():
    pytest.importorskip("torch")
    return pytest.importorskip("datasets")


def _loader(**kwargs):
    from rebalance.torch import RebalancedLoader

    return RebalancedLoader(sampler=RandomUnderSampler(), seed=0, **kwargs)


def _label_list_ds(feature):
    datasets = _hf()
    return datasets.Dataset.from_dict(
        {"x": [[1.0, 2.0]] * 6, "label": [[0], [1], [0], [0], [1], [0]]},
        features=datasets.Features(
            {"x": datasets.Sequence(datasets.Value("float32")), "label": feature}
        ),
    )


def test_one_hot_list_of_ints_still_works():
    datasets = _hf()
    from rebalance.torch import RebalanceSampler

    one_hot = [[1, 0], [0, 1], [1, 0], [1, 0], [0, 1], [1, 0]]
    ds = datasets.Dataset.from_dict(
        {"x": [[1.0, 2.0]] * 6, "label": one_hot},
        features=datasets.Features(
            {
                "x": datasets.Sequence(datasets.Value("float32")),
                "label": datasets.Sequence(datasets.Value("int64")),
            }
        ),
    )
    drawn = list(RebalanceSampler(ds["label"], sampler=RandomUnderSampler(), seed=0))
    classes = [int(np.argmax(one_hot[i])) for i in drawn]
    assert sorted(classes) == [0, 0, 1, 1]
    assert sum(len(b["x"][0]) for b in _loader()(ds, batch_size=2)) == 4


@pytest.mark.parametrize("kind", ["sequence", "fixed", "large"])
def test_list_of_class_labels_is_refused(kind):
    datasets = _hf()
    from rebalance.torch import RebalanceSampler

    label = datasets.ClassLabel(names=["a", "b"])
    feature = {
        "sequence": lambda: datasets.Sequence(label),
        "fixed": lambda: datasets.Sequence(label, length=1),
        "large": lambda: datasets.LargeList(label),
    }[kind]()
    ds = _label_list_ds(feature)
    with pytest.raises(ValueError, match="labels_from"):
        RebalanceSampler(ds["label"], sampler=RandomUnderSampler())
    with pytest.raises(ValueError, match="multi-label"):
        _loader()(ds, batch_size=2)


@pytest.mark.parametrize("fmt", [None, "numpy", "torch", "pandas"])
def test_refusal_s_suggested_labels_from_works(fmt):
    datasets = _hf()
    ds = _label_list_ds(datasets.Sequence(datasets.ClassLabel(names=["a", "b"])))
    make = _loader(labels_from=lambda d: [ids[0] for ids in d["label"]])
    assert len(list(make(ds.with_format(fmt), batch_size=2))) == 2


@pytest.mark.parametrize("fmt", [None, "numpy", "torch", "pandas"])
def test_hidden_label_column_is_read_and_format_kept(fmt):
    datasets = _hf()
    ds = datasets.Dataset.from_dict(
        {"x": [[1.0, 2.0]] * 6, "label": [0, 1, 0, 0, 1, 0]},
        features=datasets.Features(
            {
                "x": datasets.Sequence(datasets.Value("float32")),
                "label": datasets.ClassLabel(names=["a", "b"]),
            }
        ),
    ).with_format(fmt, columns=["x"])
    batches = list(_loader()(ds, batch_size=2))
    assert len(batches) == 2
    assert all(set(b) == {"x"} for b in batches)
    assert ds.format["columns"] == ["x"]  # the user's dataset is unchanged


def test_hidden_label_under_a_transform_is_read():
    datasets = _hf()
    base = datasets.Dataset.from_dict(
        {"x": [[1.0, 2.0]] * 6, "label": [0, 1, 0, 0, 1, 0]}
    )

    def transform(batch):
        out = {"x": [[v * 2 for v in row] for row in batch["x"]]}
        if "label" in batch:
            out["label"] = batch["label"]
        return out

    ds = base.with_transform(transform, columns=["x"])
    batches = list(_loader()(ds, batch_size=2))
    assert len(batches) == 2 and all(set(b) == {"x"} for b in batches)


def test_hidden_label_with_a_shuffled_selection_keeps_the_rows():
    datasets = _hf()
    from rebalance.torch.samplers import _dataset_labels

    base = datasets.Dataset.from_dict(
        {"x": list(range(8)), "label": [0, 1, 0, 0, 1, 0, 1, 1]}
    )
    picked = base.shuffle(seed=0).select([0, 1, 2, 3, 4])
    labels, _ = _dataset_labels(picked.with_format("numpy", columns=["x"]))
    assert list(np.asarray(labels)) == list(picked["label"])


def test_no_label_column_lists_the_columns():
    datasets = _hf()
    ds = datasets.Dataset.from_dict({"x": [1, 2, 3, 4], "target": [0, 1, 0, 1]})
    with pytest.raises(TypeError, match=r"\['x', 'target'\].*rename_column"):
        _loader()(ds, batch_size=2)


# ----------------------------------------------------------------- narwhals


def _wrapped_labels():
    pl = pytest.importorskip("polars")
    values = ["z", "a", "z", "z", "a", "m"]
    return {
        "pandas": pd.Series(pd.Categorical(values, categories=["z", "m", "a"])),
        "polars": pl.Series(values, dtype=pl.Enum(["z", "m", "a"])),
    }


@pytest.mark.parametrize("version", ["narwhals", "v1", "v2"])
@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_narwhals_wrapper_keeps_category_order(version, backend):
    pytest.importorskip("narwhals")
    import importlib

    nw = importlib.import_module(
        "narwhals" if version == "narwhals" else f"narwhals.stable.{version}"
    )
    native = _wrapped_labels()[backend]
    wrapped = nw.from_native(native, series_only=True)
    assert list(class_weights(wrapped)) == ["z", "m", "a"]
    X = np.arange(12.0).reshape(6, 2)
    Xw, yw = RandomOverSampler(random_state=0).fit_resample(X, wrapped)
    Xn, yn = RandomOverSampler(random_state=0).fit_resample(X, native)
    assert type(yw).__module__.startswith("narwhals")
    assert np.array_equal(Xw, Xn)
    assert list(nw.to_native(yw)) == list(yn)


def test_narwhals_pyarrow_dictionary_matches_native():
    pa = pytest.importorskip("pyarrow")
    nw = pytest.importorskip("narwhals")
    native = pa.chunked_array(
        [pa.array(["z", "a", "z", "z", "a", "m"]).dictionary_encode()]
    )
    wrapped = nw.from_native(native, series_only=True)
    assert class_weights(wrapped) == class_weights(native)


# ---------------------------------------------------------- ThresholdMover


class _Proba(ClassifierMixin, BaseEstimator):
    def __init__(self, value=np.inf):
        self.value = value

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        scores = np.full((len(X), len(self.classes_)), 0.5)
        scores[1, 0] = self.value
        return scores


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_infinite_predict_proba_is_refused(value, method):
    X = np.random.RandomState(0).randn(20, 2)
    y = np.array([0, 1] * 10)
    model = ThresholdMover(_Proba(value)).fit(X, y)
    with pytest.raises(ValueError, match="infinite value.*row 1"):
        getattr(model, method)(X)


def test_finite_predict_proba_is_taken():
    X = np.random.RandomState(0).randn(20, 2)
    y = np.array([0, 1] * 10)
    model = ThresholdMover(_Proba(0.9)).fit(X, y)
    assert model.predict(X).shape == (20,)


def _tss_message():
    X = np.random.RandomState(0).randn(40, 2)
    y = np.array([0] * 30 + [1] * 10)
    mover = ThresholdMover(
        LogisticRegression(), strategy="tuned", cv=TimeSeriesSplit(3)
    )
    with pytest.raises(ValueError) as info:
        mover.fit(X, y)
    return str(info.value)


def test_time_series_split_advice_names_n_splits_not_shuffling():
    message = _tss_message()
    assert "n_splits" in message
    assert "shuffle the rows" not in message


def test_other_cv_still_advises_shuffling():
    X = np.random.RandomState(0).randn(40, 2)
    y = np.array([0] * 30 + [1] * 10)
    from sklearn.model_selection import KFold

    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=KFold(4))
    with pytest.raises(ValueError, match="shuffle the rows"):
        mover.fit(X, y)


def test_time_series_split_advice_offers_no_stratified_cv():
    message = _tss_message()
    # named only as what would train on the future, never as a fix
    assert "Use fewer folds than the rows" not in message
    assert "a stratified cv (an int cv is one)" not in message
    assert "or a stratified cv, would train on the future" in message
