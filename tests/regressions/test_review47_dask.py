"""Review 47 (coverage gaps of the Dask path): inputs that no earlier test
gave the Dask front end, checked against the in-memory samplers.

The tests marked "bug" fail on the reviewed code; the others pin behaviour
that no earlier test ran."""

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
db = pytest.importorskip("dask.bag")
dask = pytest.importorskip("dask")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

pytestmark = pytest.mark.usefixtures("synchronous_dask")


def _error(call) -> str:
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    return f"{type(info.value).__name__}: {info.value}"


def _frame(n=60, seed=0):
    """Rows "row" 0..n-1 with three classes and weights."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "row": np.arange(n),
            "f": rng.random(n),
            "label": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
            "w": rng.random(n) + 0.5,
        }
    )


def _check_draw(sampler_cls, truth, outputs, sampler, **params):
    """Every output row's label and weight are its own (by "row"), the rows
    are X[sample_indices_], and the draw is the in-memory one."""
    X_out, y_out, w_out = (out.compute() for out in outputs)
    rows = np.asarray(X_out["row"]).astype(int)
    by_row = truth.set_index("row")
    np.testing.assert_array_equal(np.asarray(y_out), by_row.loc[rows, "label"])
    np.testing.assert_allclose(np.asarray(w_out, dtype=float), by_row.loc[rows, "w"])
    np.testing.assert_array_equal(
        rows, truth["row"].to_numpy()[sampler.sample_indices_]
    )
    memory = sampler_cls(random_state=0, **params)
    memory.fit_resample(truth[["row", "f"]], truth["label"])
    np.testing.assert_array_equal(
        np.sort(sampler.sample_indices_), np.sort(memory.sample_indices_)
    )
    return X_out


# --- inputs refused before any work ------------------------------------------


def _boom():
    raise RuntimeError("the labels were computed")


def _lazy_labels(n):
    """Dask labels whose computation fails: an error raised before any work
    is the only one seen."""
    return da.from_delayed(dask.delayed(_boom)(), shape=(n,), dtype=np.int64)


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_y_none_with_a_dask_X_is_the_in_memory_error(method):
    X = np.zeros((6, 2))
    expected = _error(lambda: getattr(RandomUnderSampler(), method)(X, None))
    got = _error(
        lambda: getattr(RandomUnderSampler(), method)(da.from_array(X, chunks=3), None)
    )
    assert got == expected
    assert "Pass the class labels as y" in got


def test_empty_dask_array_refused_before_the_labels_are_computed():
    # bug: the labels were computed first (a pass over their source), and
    # only then X's rows counted as none.
    X = da.zeros((0, 3), chunks=5)
    message = _error(lambda: RandomUnderSampler().fit_resample(X, _lazy_labels(0)))
    assert message == (
        "ValueError: Found array with 0 sample(s) (shape=(0, 3)) while a minimum "
        "of 1 is required: X is empty."
    )


def test_empty_dask_frame_after_a_filter():
    ddf = dd.from_pandas(_frame(), npartitions=3)
    empty = ddf[ddf["f"] > 2]  # no row left: the lengths are counted
    message = _error(
        lambda: RandomUnderSampler().fit_resample(empty[["row", "f"]], empty["label"])
    )
    assert message == (
        "ValueError: Found array with 0 sample(s) (shape=(0, 2)) while a minimum "
        "of 1 is required: X is empty."
    )


@pytest.mark.parametrize(
    ("make_X", "expected"),
    [
        (
            lambda ddf: ddf["f"],
            "ValueError: Expected a 2D array for X, got a Dask Series. Use "
            "X.to_frame() if your data has a single feature.",
        ),
        (
            lambda ddf: ddf[[]],
            "ValueError: Found array with 0 feature(s) while a minimum of 1 is "
            "required.",
        ),
        (
            lambda ddf: ddf.to_bag(),
            "TypeError: X is a Bag: the samplers take a dask.array.Array or a "
            "dask.dataframe.DataFrame. Convert it to one of those first.",
        ),
        (
            lambda ddf: ddf.to_delayed()[0],
            "TypeError: X is a Delayed: the samplers take a dask.array.Array or a "
            "dask.dataframe.DataFrame. Convert it to one of those first.",
        ),
    ],
    ids=["series", "no-columns", "bag", "delayed"],
)
def test_dask_X_that_is_not_a_table_is_refused_before_any_work(make_X, expected):
    ddf = dd.from_pandas(_frame(), npartitions=3)
    X = make_X(ddf)
    assert _error(lambda: RandomOverSampler().fit_resample(X, _lazy_labels(60))) == (
        expected
    )


@pytest.mark.parametrize(
    "values",
    [np.zeros((8, 0)), np.ones((8, 2), dtype=np.complex64)],
    ids=["no-columns", "complex"],
)
def test_dask_array_X_gets_the_in_memory_error(values):
    # bug: "Found array with 0 feature(s) ... is required." and "Complex data
    # not supported: X has a complex dtype.", without the fix the in-memory
    # errors name.
    y = np.array([0, 1] * 4)
    expected = _error(lambda: RandomUnderSampler().fit_resample(values, y))
    X = da.from_array(values, chunks=3)
    assert _error(lambda: RandomUnderSampler().fit_resample(X, _lazy_labels(8))) == (
        expected
    )
    assert "Pass " in expected


def _generator():
    return (i % 2 for i in range(6))


# As in memory (test_review33_labels): what the labels are, by their value.
NOT_ARRAYS = {
    "generator": (_generator, r"y is a generator.*list\(y\)"),
    "iterator": (lambda: iter([0, 1, 1, 0]), r"y is a list_iterator.*list\(y\)"),
    "set": (lambda: {0, 1}, r"y is a set.*no order"),
    "dict": (lambda: {0: "a", 1: "b"}, r"y is a dict"),
    "scalar": (lambda: 3, r"y is a single label \(3\)"),
    "column name": (lambda: "label", r"y is a string \('label'\).*frame\['label'\]"),
    "0-d array": (lambda: np.array("a"), r"y is a single label \('a'\)"),
    "Delayed of one value": (
        lambda: dask.delayed(lambda: 7)(),
        r"y is a single label \(7\)",
    ),
}


@pytest.mark.parametrize(("make_y", "match"), NOT_ARRAYS.values(), ids=NOT_ARRAYS)
def test_labels_that_are_one_value_are_named_next_to_a_dask_X(make_y, match):
    # bug: every one of them was "y is a single label (0)" next to a Dask X
    # (numpy's 0-d reading of it, checked on a stand-in of zeros).
    X = da.zeros((6, 2), chunks=3)
    with pytest.raises(ValueError, match=match):
        RandomOverSampler().fit_resample(X, make_y())
    with pytest.raises(ValueError, match=match):
        RandomOverSampler().fit(X, make_y())


@pytest.mark.parametrize(
    "make_y",
    [
        lambda ddf: ddf["f"].sum(),  # a Dask Scalar
        lambda ddf: ddf["f"].to_dask_array(lengths=True).sum(),  # a 0-d array
    ],
    ids=["Scalar", "0-d array"],
)
def test_lazy_labels_of_one_value_are_named_without_computing_them(make_y):
    # bug: "y is a single label (0)", a value y does not hold.
    ddf = dd.from_pandas(_frame(), npartitions=3)
    y = make_y(ddf)
    with pytest.raises(ValueError, match=r"^y is a single label \((?!0\)).*\bsum\b"):
        RandomOverSampler().fit_resample(ddf[["row", "f"]], y)


# Lists numpy would change in reading them (rebalance._labels.label_array).
LISTS = {
    "missing among strings": ["a", "b", float("nan"), "a", "b", "a"],
    "0 and '0'": [0, "0", 0, "0", "1", "1"],
    "trailing NUL": ["a", "a\x00", "a", "a\x00", "b", "b"],
    "integers past 2**63": [2**63, 2**63 + 1, -1, 2**63, 2**63 + 1, -1],
    "integers past 2**53": [2**53 + 1, 2**53, 1.0, 2**53 + 1, 2**53, 1.0],
    "ragged rows": [[0], [1, 2], [0], [1], [0], [1]],
}


def _outcome(X, y):
    """The error, or the counts drawn and the labels out (sorted, exactly)."""
    sampler = RandomOverSampler(random_state=0)
    try:
        y_res = sampler.fit_resample(X, y)[1]
    except (ValueError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    y_res = y_res.compute() if hasattr(y_res, "compute") else y_res
    if not isinstance(y_res, list):  # a list comes back as a list, as given
        y_res = np.asarray(y_res).tolist()
    return sampler.sampling_strategy_, sorted(map(repr, y_res))


@pytest.mark.parametrize("labels", LISTS.values(), ids=LISTS)
@pytest.mark.parametrize("given", ["list", "Bag", "Delayed"])
def test_list_labels_next_to_a_dask_X_are_read_as_in_memory(labels, given):
    # bug: read with np.asarray next to a Dask X: a missing label among
    # strings became the class 'nan', 0 and '0' one class, 'a' and 'a\0'
    # one class, integers past 2**53 floats (classes merged); ragged rows
    # gave numpy's error, naming no argument.
    values = np.arange(12).reshape(6, 2)
    expected = _outcome(values, labels)
    if given == "Bag":
        if isinstance(labels[0], list):
            pytest.skip("a Bag of lists: rows of a one-hot y, not these")
        labels = db.from_sequence(labels, npartitions=2)
    elif given == "Delayed":
        labels = dask.delayed(list)(labels)
    assert _outcome(da.from_array(values, chunks=3), labels) == expected


def test_tensor_labels_numpy_cannot_read_next_to_a_dask_X():
    # bug: torch's own errors ("Can't call numpy() on Tensor that requires
    # grad", a RuntimeError; "Got unsupported ScalarType BFloat16").
    torch = pytest.importorskip("torch")
    X = da.zeros((6, 2), chunks=3)
    for labels in (
        torch.tensor([0.0, 1, 0, 1, 0, 1], requires_grad=True),
        torch.tensor([0, 1, 0, 1, 0, 1], dtype=torch.bfloat16),
    ):
        expected = _outcome(X.compute(), labels)
        assert expected.startswith("TypeError: y could not be read as a numpy array")
        assert _outcome(X, labels) == expected


# --- pandas indexes of values that do not sort --------------------------------


def _mixed_index_rows():
    """X of rows 0..39 whose index mixes ints and strings (pd.concat of a
    frame with a RangeIndex and one with string labels)."""
    first = pd.DataFrame({"row": np.arange(20)})
    second = pd.DataFrame(
        {"row": np.arange(20, 40)}, index=[f"k{i}" for i in range(20)]
    )
    X = pd.concat([first, second])
    y = pd.Series(np.where(X["row"] % 4 == 0, "min", "maj"), index=X.index)
    w = pd.Series(X["row"] + 100.0, index=X.index)
    return X, y, w


def test_labels_of_an_unsortable_index_in_another_order_are_refused():
    # bug: an index whose values do not sort (ints and strings) was not
    # checked: y shuffled alone was paired with X by position, each label on
    # another row, silently.
    X, y, w = _mixed_index_rows()
    order = np.random.default_rng(0).permutation(len(X))
    with pytest.raises(ValueError, match=r"^y holds the index of X in another order"):
        RandomUnderSampler().fit_resample(X, y.iloc[order])
    with pytest.raises(ValueError, match=r"^sample_weight holds the index of X"):
        RandomUnderSampler().fit_resample(X, y, sample_weight=w.iloc[order])
    for model in (
        ResampledClassifier(RandomUnderSampler(), _Recorder()),
        ThresholdMover(LogisticRegression()),
    ):
        with pytest.raises(ValueError, match=r"^y holds the index of X in another"):
            model.fit(X, y.iloc[order])
    # Next to a persisted Dask X (nothing in its graph to check): X's index,
    # which Dask computes as text (convert-string, its default) or as given.
    for convert in (True, False):
        with dask.config.set({"dataframe.convert-string": convert}):
            ddf = dd.from_pandas(X, npartitions=3, sort=False).persist()
            with pytest.raises(ValueError, match=r"^The index of y holds X's index"):
                RandomUnderSampler().fit_resample(ddf, y.iloc[order])


def test_labels_of_an_unsortable_index_in_the_order_of_X_are_paired():
    X, y, w = _mixed_index_rows()
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    expected = np.where(X_res["row"] % 4 == 0, "min", "maj")
    np.testing.assert_array_equal(y_res, expected)
    np.testing.assert_array_equal(w_res, X_res["row"] + 100.0)
    # A fresh index, or values of another index (same length): by position.
    fresh = y.reset_index(drop=True)
    other = pd.Series(
        y.to_numpy(), index=[f"z{i}" for i in range(20)] + list(range(20))
    )
    for labels in (fresh, other):
        _, y_res = RandomUnderSampler(random_state=0).fit_resample(X, labels)
        np.testing.assert_array_equal(y_res, expected)
    for convert in (True, False):
        with dask.config.set({"dataframe.convert-string": convert}):
            ddf = dd.from_pandas(X, npartitions=3, sort=False).persist()
            sampler = RandomUnderSampler(random_state=0)
            X_res, y_res = sampler.fit_resample(ddf, y)
            X_out = X_res.compute()
        np.testing.assert_array_equal(
            y_res.compute(), np.where(X_out["row"] % 4 == 0, "min", "maj")
        )


def test_repeated_unsortable_index_values_are_counted():
    # bug (second half): X's index in reverse was not checked either. The
    # same values with other counts are not a reordering of X's index.
    X, y, _ = _mixed_index_rows()
    index = X.index.to_numpy(copy=True)
    X = X.set_axis(pd.Index(np.concatenate([index[:-1], index[:1]]), dtype=object))
    labels = pd.Series(
        y.to_numpy(), index=pd.Index(np.concatenate([index[1:], index[1:2]]))
    )
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(X, labels)
    assert len(y_res) == 20
    with pytest.raises(ValueError, match=r"^y holds the index of X in another order"):
        RandomUnderSampler().fit_resample(X, labels.set_axis(X.index[::-1]))


# --- what the gather and the computation meet ----------------------------------


def test_parquet_file_rewritten_between_draw_and_compute(tmp_path):
    truth = _frame()
    for i in range(3):
        truth.iloc[20 * i : 20 * (i + 1)].to_parquet(tmp_path / f"part.{i}.parquet")
    ddf = dd.read_parquet(tmp_path)
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(
        ddf[["row", "f"]], ddf["label"]
    )
    truth.iloc[20:35].to_parquet(tmp_path / "part.1.parquet")  # 15 rows, not 20
    with pytest.raises(ValueError, match=r"^Partition 1 of a resampled input has 15"):
        X_res.compute()
    # The labels were read at the draw: every class to the majority's count.
    assert len(y_res.compute()) == 3 * truth["label"].value_counts().max()


def test_bag_labels_and_array_weights_of_different_default_schedulers():
    # Bag (processes) and arrays (threads), no scheduler configured: Dask
    # refuses them in one compute; each is computed with its own. (A thread
    # pool stands in for the processes: the same path, no process started.)
    truth = _frame()
    X = da.from_array(truth[["row", "f"]].to_numpy(), chunks=25)
    labels = db.from_sequence(truth["label"].tolist(), npartitions=3)
    weights = da.from_array(truth["w"].to_numpy(), chunks=7)
    with ThreadPoolExecutor(2) as pool, dask.config.set(scheduler=None, pool=pool):
        from dask.base import get_scheduler

        with pytest.raises(ValueError, match="differing default schedulers"):
            get_scheduler(collections=[labels, weights])
        sampler = RandomUnderSampler(random_state=0)
        outputs = sampler.fit_resample(X, labels, sample_weight=weights)
        X_out, y_out, w_out = (out.compute() for out in outputs)
    rows = X_out[:, 0].astype(int)
    np.testing.assert_array_equal(rows, sampler.sample_indices_)
    np.testing.assert_array_equal(y_out, truth["label"].to_numpy()[rows])
    np.testing.assert_array_equal(w_out, truth["w"].to_numpy()[rows])
    memory = RandomUnderSampler(random_state=0).fit_resample(truth, truth["label"])
    assert sorted(y_out.tolist()) == sorted(memory[1].tolist())


@pytest.mark.slow
def test_dask_without_distributed_reads_parquet_with_the_arrow_filesystem(tmp_path):
    # Dask installed without distributed (the dask extra brings it, plain
    # dask[array,dataframe] does not): the arrow reader's statistics are read
    # and the rows resampled as with it.
    import pyarrow as pa

    if int(pa.__version__.split(".")[0]) < 15:
        pytest.skip("dask's filesystem='arrow' needs pyarrow >= 15")
    truth = _frame()
    for i in range(3):
        truth.iloc[20 * i : 20 * (i + 1)].to_parquet(tmp_path / f"part.{i}.parquet")
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["distributed"] = None  # import distributed: ImportError
        import dask.dataframe as dd
        from rebalance import RandomUnderSampler

        ddf = dd.read_parquet({str(tmp_path)!r}, filesystem="arrow")
        computed = ddf.compute()
        sampler = RandomUnderSampler(random_state=0)
        X_res, y_res = sampler.fit_resample(ddf[["row", "f"]], ddf["label"])
        out = X_res.compute()["row"].to_numpy()
        assert (out == computed["row"].to_numpy()[sampler.sample_indices_]).all()
        labels = computed.set_index("row")["label"]
        assert (y_res.compute().to_numpy() == labels.loc[out].to_numpy()).all()
        assert y_res.compute().value_counts().to_dict() == {{"a": 14, "b": 14, "c": 14}}
        assert sys.modules["distributed"] is None
        """
    )
    assert truth["label"].value_counts()["c"] == 14
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


class _Recorder(ClassifierMixin, BaseEstimator):
    """Keeps the rows, labels and weights it is fitted on (computed)."""

    def fit(self, X, y, sample_weight=None):
        self.X_ = np.asarray(X.compute() if hasattr(X, "compute") else X)
        self.y_ = np.asarray(y.compute() if hasattr(y, "compute") else y)
        self.w_ = None if sample_weight is None else np.asarray(sample_weight)
        self.classes_ = np.unique(self.y_)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_fit_params_of_an_unsorted_index_next_to_an_array_X_go_by_position():
    # A Dask array X of no frame has no index: a weight Series whose index is
    # not sorted (e.g. from train_test_split) is matched by position, as the
    # sampler matches y.
    truth = _frame()
    X = da.from_array(truth[["row", "f"]].to_numpy(), chunks=25)
    index = np.random.default_rng(1).permutation(len(truth)) * 3
    weights = pd.Series(truth["w"].to_numpy(), index=index)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    model.fit(X, truth["label"].to_numpy(), sample_weight=weights)
    fitted = model.classifier_
    rows = fitted.X_[:, 0].astype(int)
    np.testing.assert_array_equal(fitted.y_, truth["label"].to_numpy()[rows])
    np.testing.assert_array_equal(fitted.w_, truth["w"].to_numpy()[rows])


def test_pydata_sparse_blocks_are_gathered_in_their_type():
    sparse = pytest.importorskip("sparse")
    truth = _frame()
    values = truth[["row", "f"]].to_numpy()
    X = da.from_array(values, chunks=(25, 2)).map_blocks(sparse.COO.from_numpy)
    for shuffle in (True, False):
        sampler = RandomOverSampler(random_state=0, shuffle=shuffle)
        X_res, y_res = sampler.fit_resample(X, truth["label"].to_numpy())
        out = X_res.compute()
        assert isinstance(out, sparse.COO)
        np.testing.assert_array_equal(out.todense(), values[sampler.sample_indices_])


# --- the in-memory draw over readers and partitionings -------------------------


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_parquet_row_groups_categorical_and_arrow_string_columns(tmp_path, sampler_cls):
    truth = _frame(90, seed=2)
    truth["kind"] = pd.Categorical(np.where(truth["row"] % 3 == 0, "x", "y"))
    truth["text"] = truth["row"].astype(str).astype("string[pyarrow]")
    for i in range(2):
        truth.iloc[45 * i : 45 * (i + 1)].to_parquet(
            tmp_path / f"part.{i}.parquet", row_group_size=10, index=False
        )
    ddf = dd.read_parquet(tmp_path, split_row_groups=True)
    assert ddf.npartitions == 10
    columns = ["row", "f", "kind", "text"]
    sampler = sampler_cls(random_state=0)
    outputs = sampler.fit_resample(ddf[columns], ddf["label"], sample_weight=ddf["w"])
    X_out = _check_draw(sampler_cls, truth, outputs, sampler)
    by_row = truth.set_index("row")
    rows = X_out["row"].to_numpy()
    np.testing.assert_array_equal(X_out["text"], by_row.loc[rows, "text"])
    np.testing.assert_array_equal(X_out["kind"].astype(str), by_row.loc[rows, "kind"])
    assert isinstance(X_out["kind"].dtype, pd.CategoricalDtype)
    assert X_out["text"].dtype == ddf["text"].compute().dtype
