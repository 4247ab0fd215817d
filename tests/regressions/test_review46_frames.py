"""Review 46, dataframe libraries end to end, against the peers' own tests.

Ported from scikit-learn's ``sklearn/utils/tests/test_set_output.py``,
``sklearn/utils/tests/test_validation.py`` (its pandas / polars / pyarrow
cases) and the ``sklearn/utils/estimator_checks.py`` checks
``check_dataframe_column_names_consistency`` and
``check_n_features_in_after_fitting``, run on polars, pyarrow and Arrow-backed
pandas frames (scikit-learn runs them on pandas only; ``tests/test_common.py``
covers that), and imbalanced-learn's ``check_samplers_pandas``,
``check_samplers_pandas_sparse`` and
``check_sampler_get_feature_names_out_pandas``, applied to rebalance's
samplers (also in imbalanced-learn Pipelines), to ``ResampledClassifier`` and
to ``ThresholdMover``.

Adapted where the peer's scenario has a detail of its own:

* ``check_n_features_in_after_fitting`` predicts on one numpy column: a
  frame of one column is refused first for its missing names, by
  scikit-learn's estimators as by rebalance's.
* A pyarrow ``RecordBatch`` gives no ``feature_names_in_`` (scikit-learn
  reads no names from it either): its ``get_feature_names_out`` case is left
  out.

Documented differences, left as they are:

* ``test_set_output_pandas_keep_index``: a sampler's pandas output has a
  fresh ``RangeIndex`` (rows are repeated or dropped; the source positions are
  in ``sample_indices_``), where a scikit-learn transformer keeps the index.
* A pandas categorical ``y`` keeps its categories' order as the order of the
  classes (so the draw of a reordered categorical differs); a polars ``Enum``
  or a pyarrow dictionary is read by value, like strings.
"""

import re
import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance._columns import plan_columns, prepare_frame
from rebalance._frames import take_rows

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
imb_pipeline = pytest.importorskip("imblearn.pipeline")

SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomOverSampler(random_state=0),
    RandomOverSampler(shrinkage=0.5, random_state=0),
    ClassBalancedSampler(random_state=0),
    LabelShuffleSampler(random_state=0),
]

META_ESTIMATORS = [
    ThresholdMover(LogisticRegression()),
    ThresholdMover(GaussianNB(), strategy="tuned", cv=3, thresholds=20),
    ThresholdMover(LogisticRegression(), strategy="cost", cost_matrix=[[0, 1], [5, 0]]),
    ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
]

_SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])
FRAME_LIBRARIES = ["polars", "pyarrow", "pandas-arrow"]


def _frame(library, values, names):
    """A 2-D float array as a dataframe of ``library`` with columns ``names``."""
    names = [str(name) for name in names]
    if library == "polars":
        return pl.DataFrame(values, schema=names, orient="row")
    if library == "pyarrow":
        return pa.table({name: values[:, j] for j, name in enumerate(names)})
    if library == "record-batch":
        # From a dict: RecordBatch.from_pydict (pa.record_batch needs pyarrow >= 15).
        return pa.RecordBatch.from_pydict(
            {name: values[:, j] for j, name in enumerate(names)}
        )
    frame = pd.DataFrame(values, columns=names)
    return frame.astype("double[pyarrow]") if library == "pandas-arrow" else frame


def _values(container):
    """The values of a 1-D or 2-D container of any library as a list."""
    if isinstance(container, (pa.Table, pa.RecordBatch)):
        return [list(row.values()) for row in container.to_pylist()]
    if isinstance(container, (pa.Array, pa.ChunkedArray)):
        return container.to_pylist()
    if isinstance(container, (pl.DataFrame, pd.DataFrame)):
        return container.to_numpy().tolist()
    if isinstance(container, pl.Series):
        return container.to_list()
    return list(container)


def _column_types(frame):
    """The column types of a pandas, polars or pyarrow frame, as text."""
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        return [str(t) for t in frame.schema.types]
    return [str(t) for t in frame.dtypes]


# --------------------------------------------------------------------------
# Bugs fixed in this round


@pytest.mark.parametrize("kind", ["polars", "pyarrow", "pandas-objects"])
def test_boolean_column_with_missing_values_is_planned_as_numbers(kind):
    # A boolean column with nulls from polars or pyarrow (pandas holds it as
    # objects: True, False, None), or a CSV's True/False column with empty
    # cells, was planned "categorical" by compare, where the same column as
    # a pandas "boolean" (or without its nulls) is "numeric": one more
    # missing value changed how a column was encoded, and a polars frame was
    # not planned as the pandas user's own frame.
    flags = [True, None, False, True, False] * 12
    x = np.arange(60.0) % 7
    if kind == "polars":
        frame = pl.DataFrame({"flag": flags, "x": x})
    elif kind == "pyarrow":
        frame = pa.table({"flag": pa.array(flags), "x": x})
    else:
        frame = pd.DataFrame({"flag": pd.Series(flags, dtype=object), "x": x})
    nullable = pd.DataFrame({"flag": pd.array(flags, dtype="boolean"), "x": x})
    plan = plan_columns(frame)
    assert (
        plan.used
        == plan_columns(nullable).used
        == {
            "flag": "numeric",
            "x": "numeric",
        }
    )
    prepared = prepare_frame(frame, plan)["flag"].to_numpy(dtype=np.float64)
    expected = prepare_frame(nullable, plan)["flag"].to_numpy(dtype=np.float64)
    np.testing.assert_array_equal(prepared, expected)
    np.testing.assert_array_equal(prepared[:5], [1.0, np.nan, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("namespace", ["narwhals", "stable.v1", "stable.v2"])
@pytest.mark.parametrize("library", ["polars", "pandas", "pyarrow"])
@pytest.mark.parametrize("sampler", SAMPLERS[::2], ids=repr)
def test_narwhals_frames_come_back_as_narwhals_frames(namespace, library, sampler):
    # A narwhals DataFrame (and Series) came back as the object it wraps (a
    # polars DataFrame for narwhals.stable.v2), or as a numpy array of
    # objects (narwhals and narwhals.stable.v1, read by np.asarray): now the
    # same narwhals class, its rows gathered as the native frame's (pandas:
    # a fresh RangeIndex), names and dtypes kept; labels and weights too.
    import importlib

    nw = importlib.import_module(
        "narwhals" if namespace == "narwhals" else f"narwhals.{namespace}"
    )
    n = 20
    columns = {"id": np.arange(n), "v": np.arange(n) * 0.5, "s": list("ab") * 10}
    native = {
        "polars": pl.DataFrame(columns),
        "pandas": pd.DataFrame(columns, index=np.arange(100, 100 + n)),
        "pyarrow": pa.table(columns),
    }[library]
    X = nw.from_native(native, eager_only=True)
    base = ["x"] * 14 + ["y"] * 6
    y = nw.from_native(
        {"polars": pl.Series("t", base), "pandas": pd.Series(base, name="t")}.get(
            library, pa.chunked_array([base])
        ),
        series_only=True,
    )
    w = nw.from_native(pl.Series("w", np.arange(n) + 1.0), series_only=True)
    sampler = clone(sampler)
    if sampler.get_params().get("shrinkage") is not None:
        X = X.drop("s")
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    idx = sampler.sample_indices_
    assert type(X_res) is type(X)
    assert type(y_res) is type(y) and type(w_res) is type(w)
    assert X_res.schema == X.schema
    assert type(nw.to_native(X_res)) is type(native)
    if sampler.get_params().get("shrinkage") is None:
        assert X_res["id"].to_list() == idx.tolist()
        assert X_res["s"].to_list() == [columns["s"][i] for i in idx]
    assert y_res.to_list() == [base[i] for i in idx]
    assert w_res.to_list() == (idx + 1.0).tolist()
    if library == "pandas":
        assert nw.to_native(X_res).index.equals(pd.RangeIndex(len(idx)))


@pytest.mark.parametrize("container", ["table", "record-batch"])
@pytest.mark.parametrize(
    "call, name",
    [
        (
            lambda X, y: ResampledClassifier(
                RandomUnderSampler(), LogisticRegression()
            ).fit(X, y),
            "X",
        ),
        (lambda X, y: plan_columns(X), "X"),
        (lambda X, y: RandomUnderSampler().fit_resample(np.zeros((20, 1)), X), "y"),
    ],
    ids=["resampled-classifier", "plan-columns", "one-hot-y"],
)
def test_repeated_arrow_column_names_are_named(container, call, name):
    # A pyarrow Table or RecordBatch with a column name twice failed with
    # narwhals' "DuplicateError: Expected unique column names" (naming
    # neither X nor y) in ResampledClassifier.fit and for a one-hot y, and
    # with a TypeError "could not be converted to a pandas DataFrame" in
    # compare's plan_columns; now the ValueError the samplers give for X.
    y = np.array([0] * 14 + [1] * 6)
    columns = [pa.array(np.eye(2, dtype=np.int64)[y][:, j]) for j in (1, 0)]
    make = pa.table if container == "table" else pa.record_batch
    frame = make(columns, names=["c", "c"])
    with pytest.raises(ValueError, match=f"^{name} has more than one column named 'c'"):
        call(frame, y)


# --------------------------------------------------------------------------
# scikit-learn's estimator checks on polars / pyarrow / Arrow-backed pandas


@pytest.mark.parametrize("library", FRAME_LIBRARIES)
@pytest.mark.parametrize("estimator", META_ESTIMATORS, ids=repr)
def test_dataframe_column_names_consistency(library, estimator):
    # check_dataframe_column_names_consistency, with the frame of library.
    rng = np.random.RandomState(0)
    X_orig = rng.normal(size=(150, 8))
    names = np.array([f"col_{i}" for i in range(8)])
    X = _frame(library, X_orig, names)
    y = rng.randint(low=0, high=2, size=150)
    estimator = clone(estimator)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="X does not have valid feature names")
        estimator.fit(X, y)
    assert isinstance(estimator.feature_names_in_, np.ndarray)
    assert estimator.feature_names_in_.dtype == object
    np.testing.assert_array_equal(estimator.feature_names_in_, names)
    methods = []
    for method in (
        "predict",
        "transform",
        "decision_function",
        "predict_proba",
        "score",
        "score_samples",
        "predict_log_proba",
    ):
        if hasattr(estimator, method):
            call = getattr(estimator, method)
            methods.append(partial(call, y=y) if method == "score" else call)
    assert len(methods) >= 3
    for method in methods:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "error", message="X does not have valid feature names"
            )
            method(X)
    invalid = [
        (
            names[::-1],
            X_orig[:, ::-1],
            "Feature names must be in the same order as they were in fit.",
        ),
        (
            [f"another_prefix_{i}" for i in range(8)],
            X_orig,
            "Feature names unseen at fit time:\n- another_prefix_0\n"
            "- another_prefix_1\n",
        ),
        (
            names[:3],
            X_orig[:, :3],
            f"Feature names seen at fit time, yet now missing:\n- {min(names[3:])}\n",
        ),
    ]
    for bad_names, values, message in invalid:
        X_bad = _frame(library, values, bad_names)
        expected = re.escape(
            "The feature names should match those that were passed during fit.\n"
            + message
        )
        for method in methods:
            with pytest.raises(ValueError, match=expected):
                method(X_bad)


@pytest.mark.parametrize("library", FRAME_LIBRARIES)
@pytest.mark.parametrize("estimator", META_ESTIMATORS, ids=repr)
def test_n_features_in_after_fitting(library, estimator):
    # check_n_features_in_after_fitting, fitted on a frame of library and
    # called with one column as numpy (a frame of one column is refused
    # first for its missing names, as scikit-learn's own estimators do).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(15, 4))
    y = rng.permutation(np.repeat(np.arange(3), 5))
    if "cost" in repr(estimator):  # a 2x2 cost matrix: two classes
        y = y % 2
    estimator = clone(estimator).fit(_frame(library, X, ["a", "b", "c", "d"]), y)
    assert estimator.n_features_in_ == 4
    bad = X[:, [1]]
    n_checked = 0
    for method in ("predict", "decision_function", "predict_proba", "score"):
        if not hasattr(estimator, method):
            continue
        call = getattr(estimator, method)
        call = partial(call, y=y) if method == "score" else call
        with (
            warnings.catch_warnings(),
            pytest.raises(ValueError, match="is expecting 4 features as input"),
        ):
            warnings.filterwarnings("ignore", "X does not have valid feature names")
            call(bad)
        n_checked += 1
    assert n_checked >= 3


@pytest.mark.parametrize("library", ["pandas", *FRAME_LIBRARIES])
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_sampler_feature_names_in_from_every_frame(library, sampler):
    # test_get_feature_names_4_dataframes: the names of a pandas, polars or
    # pyarrow frame, as an object array; a new fit with other names resets
    # them (a sampler's fit_resample is a fit).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    y = np.array([0] * 20 + [1] * 10)
    sampler = clone(sampler)
    sampler.fit_resample(_frame(library, X, ["col_0", "col_1", "col_2"]), y)
    assert sampler.feature_names_in_.dtype == object
    np.testing.assert_array_equal(
        sampler.feature_names_in_, ["col_0", "col_1", "col_2"]
    )
    sampler.fit_resample(_frame(library, X[:, :2], ["u", "v"]), y)
    np.testing.assert_array_equal(sampler.feature_names_in_, ["u", "v"])
    assert sampler.n_features_in_ == 2
    sampler.fit_resample(X, y)
    assert not hasattr(sampler, "feature_names_in_")


# --------------------------------------------------------------------------
# sklearn/utils/tests/test_validation.py


@pytest.mark.parametrize(
    "names",
    [list(range(2)), range(2), None, [["a", "b"], ["c", "d"]]],
    ids=["list-int", "range", "default", "MultiIndex"],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda: RandomUnderSampler(random_state=0),
        lambda: RandomOverSampler(shrinkage=0.5, random_state=0),
        lambda: ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        ),
        lambda: ThresholdMover(LogisticRegression()),
    ],
    ids=["under", "shrinkage", "resampled", "threshold"],
)
def test_get_feature_names_pandas_with_ints_no_warning(names, make):
    # Column names of one non-string type (ints, a MultiIndex): no
    # feature_names_in_, no FutureWarning; the columns are kept.
    X = pd.DataFrame(np.arange(40.0).reshape(20, 2), columns=names)
    y = np.array([0] * 14 + [1] * 6)
    estimator = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        if hasattr(estimator, "fit_resample"):
            X_res, _ = estimator.fit_resample(X, y)
            assert X_res.columns.equals(X.columns)
        else:
            estimator.fit(X, y)
            estimator.predict(X)
    assert not hasattr(estimator, "feature_names_in_")
    assert estimator.n_features_in_ == 2


@pytest.mark.parametrize(
    "names, dtypes",
    [(["a", 1], "['int', 'str']"), (["pizza", ("a", "b")], "['str', 'tuple']")],
    ids=["str-int", "str-tuple"],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda: RandomUnderSampler(random_state=0),
        lambda: LabelShuffleSampler(random_state=0),
        lambda: ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        ),
        lambda: ThresholdMover(LogisticRegression()),
    ],
    ids=["under", "shuffle", "resampled", "threshold"],
)
def test_get_feature_names_invalid_dtypes(names, dtypes, make):
    X = pd.DataFrame(np.arange(40.0).reshape(20, 2), columns=names)
    y = np.array([0] * 14 + [1] * 6)
    message = re.escape(
        "Feature names are only supported if all input features have string names, "
        f"but your input has {dtypes} as feature name / column name types."
    )
    estimator = make()
    with pytest.raises(TypeError, match=message):
        if hasattr(estimator, "fit_resample"):
            estimator.fit_resample(X, y)
        else:
            estimator.fit(X, y)


@pytest.mark.parametrize(
    "kind", ["list", "tuple", "array", "sparse", "pandas", "pyarrow", "polars"]
)
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_num_samples_on_dataframe_likes(kind, sampler):
    # _num_samples / _num_features of every container: the sampler counts
    # its rows and columns, and returns its type.
    import scipy.sparse as sp

    data = [[1.0, 11.0], [2.0, 22.0], [3.0, 33.0], [4.0, 44.0], [5.0, 55.0]] * 2
    X = {
        "list": data,
        "tuple": tuple(tuple(row) for row in data),
        "array": np.array(data),
        "sparse": sp.csr_matrix(data),
        "pandas": pd.DataFrame(data, columns=["a", "b"]),
        "pyarrow": pa.table({"a": [r[0] for r in data], "b": [r[1] for r in data]}),
        "polars": pl.DataFrame(data, schema=["a", "b"], orient="row"),
    }[kind]
    y = [0] * 7 + [1] * 3
    sampler = clone(sampler)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.n_features_in_ == 2
    assert len(y_res) == sampler.sample_indices_.shape[0]
    expected = {"tuple": np.ndarray}.get(kind, type(X))
    assert isinstance(X_res, expected)
    assert X_res.shape[0] == len(y_res) if hasattr(X_res, "shape") else True


@pytest.mark.parametrize(
    "dtype, values",
    [
        ("Int64", [1, None, 3, 4, None, 6, 7, 8, 9, 10]),
        ("Float64", [1.5, None, 3.0, 4.0, None, 6.0, 7.0, 8.0, 9.0, 10.0]),
        ("boolean", [True, None, False, True, None, False, True, True, False, True]),
        ("int64[pyarrow]", [1, None, 3, 4, None, 6, 7, 8, 9, 10]),
        ("string[pyarrow]", ["a", None, "b", "c", None, "d", "e", "f", "g", "h"]),
    ],
)
@pytest.mark.parametrize("sampler", SAMPLERS[:2] + SAMPLERS[3:], ids=repr)
def test_check_array_pandas_na_support(dtype, values, sampler):
    # test_check_array_pandas_na_support: nullable and Arrow columns with
    # missing values; a sampler copies the rows, dtypes and NA kept.
    X = pd.DataFrame({"v": pd.array(values, dtype=dtype), "id": np.arange(10)})
    y = np.array([0] * 7 + [1] * 3)
    sampler = clone(sampler)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes)
    idx = sampler.sample_indices_
    assert X_res["id"].tolist() == idx.tolist()
    assert X_res["v"].isna().tolist() == X["v"].isna().to_numpy()[idx].tolist()
    present = X_res["v"].notna().to_numpy()
    assert X_res["v"][present].tolist() == X["v"].to_numpy()[idx][present].tolist()


@pytest.mark.parametrize("bool_dtype", ["bool", "boolean", "bool[pyarrow]"])
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_check_dataframe_with_only_bool(bool_dtype, sampler):
    # test_check_dataframe_with_only_bool / _boolean: boolean columns only;
    # the smoothed bootstrap keeps them booleans (the rows drawn).
    X = pd.DataFrame({"a": [True, False, True] * 4, "b": [False, False, True] * 4})
    X = X.astype(bool_dtype)
    y = np.array([0] * 9 + [1] * 3)
    sampler = clone(sampler)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes)
    assert X_res.to_numpy().tolist() == X.to_numpy()[sampler.sample_indices_].tolist()


# --------------------------------------------------------------------------
# sklearn/utils/tests/test_set_output.py, with samplers in the Pipelines


@pytest.mark.parametrize("dataframe_lib", ["pandas", "polars"])
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_set_output_method(dataframe_lib, sampler):
    # test_set_output_method / test_set_output_list_input: a Pipeline's
    # set_output reaches its transformers (not the sampler, which has no
    # transform) and the sampler returns the frame it gets, names kept; a
    # list X gets the scaler's names x0, x1.
    native = {"pandas": pd.DataFrame, "polars": pl.DataFrame}[dataframe_lib]
    X = [[1.0, 10.0], [2.0, 12.0], [3.0, 9.0], [4.0, 11.0], [5.0, 14.0]] * 4
    y = [0, 0, 1, 0, 0] * 4
    pipe = imb_pipeline.make_pipeline(StandardScaler(), clone(sampler))
    pipe.set_output(transform=dataframe_lib)
    X_res, y_res = pipe.fit_resample(X, y)
    assert isinstance(X_res, native)
    assert list(X_res.columns) == ["x0", "x1"]
    assert isinstance(y_res, list) and len(y_res) == len(X_res)
    steps = imb_pipeline.make_pipeline(
        StandardScaler(), clone(sampler), LogisticRegression()
    ).set_output(transform=dataframe_lib)
    frame = pd.DataFrame(np.array(X), columns=["a", "b"])
    assert steps.fit(frame, y).predict(frame).shape == (20,)
    np.testing.assert_array_equal(steps[-1].feature_names_in_, ["a", "b"])


@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_set_output_pandas_keep_index_documented_difference(sampler):
    # test_set_output_pandas_keep_index: a transformer keeps the index; a
    # sampler's rows are drawn, so its output has a fresh RangeIndex and the
    # source rows are sample_indices_ (README, "Samplers in 30 seconds").
    X = pd.DataFrame({"a": np.arange(12.0)}, index=np.arange(100, 112))
    y = pd.Series([0] * 9 + [1] * 3, index=X.index)
    pipe = imb_pipeline.make_pipeline(StandardScaler(), clone(sampler))
    pipe.set_output(transform="pandas")
    X_res, y_res = pipe.fit_resample(X, y)
    assert X_res.index.equals(pd.RangeIndex(len(X_res)))
    assert y_res.index.equals(pd.RangeIndex(len(X_res)))
    source = X.index.to_numpy()[pipe[-1].sample_indices_]
    assert y_res.tolist() == y.loc[source].tolist()


# --------------------------------------------------------------------------
# Labels of every dataframe library: aligned with the rows, in their type


def _label_containers(base):
    enum = pl.Enum(sorted({v for v in base if v is not None}, reverse=True))
    containers = {
        "polars-string": pl.Series("t", base),
        "polars-categorical": pl.Series("t", base, dtype=pl.Categorical),
        "polars-enum": pl.Series("t", base, dtype=enum),
        "polars-frame": pl.DataFrame({"t": base}),
        "pyarrow-string": pa.array(base),
        "pyarrow-large-string": pa.array(base, type=pa.large_string()),
        "pyarrow-dictionary": pa.array(base).dictionary_encode(),
        "pyarrow-chunked": pa.chunked_array([base[:7], base[7:]]),
        "pyarrow-table": pa.table({"t": base}),
        "pandas-string": pd.Series(base, dtype="string[pyarrow]"),
        "pandas-arrow-dictionary": pd.Series(
            pd.arrays.ArrowExtensionArray(pa.array(base).dictionary_encode())
        ),
        "pandas-categorical": pd.Series(pd.Categorical(base)),
    }
    if hasattr(pa, "string_view"):  # pyarrow >= 16
        views = pa.array(base, type=pa.string_view())
        containers["pyarrow-string-view"] = views
        containers["pandas-string-view"] = pd.Series(
            pd.arrays.ArrowExtensionArray(views)
        )
    return containers


@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_labels_of_every_library_follow_their_rows(sampler):
    # The same labels in 14 containers: each comes back in its own type and
    # Arrow type, every label with its own row, and the same draw as numpy's.
    rng = np.random.default_rng(0)
    n_checked = 0
    for _ in range(3):
        base = rng.choice(["x", "y", "zz"], size=30, p=[0.6, 0.3, 0.1])
        base[:3] = ["x", "y", "zz"]
        base = base.tolist()
        X = pl.DataFrame({"id": np.arange(30), "v": np.arange(30.0) ** 2})
        numpy_draw = clone(sampler)
        numpy_draw.fit_resample(X, np.array(base))
        for name, y in _label_containers(base).items():
            expected_draw = numpy_draw
            if name == "polars-enum":  # (stop 47) its classes in its own order,
                expected_draw = clone(sampler)  # as its pandas categorical's
                expected_draw.fit_resample(X, y.to_pandas())
            fitted = clone(sampler)
            X_res, y_res = fitted.fit_resample(X, y)
            idx = fitted.sample_indices_
            assert type(y_res) is type(y), name
            if isinstance(y, (pa.Array, pa.ChunkedArray)):
                assert y_res.type == y.type, name
            elif isinstance(y, (pa.Table, pl.DataFrame)):
                assert y_res.schema == y.schema, name
            else:
                assert y_res.dtype == y.dtype, name
            labels = _values(y_res)
            labels = [v[0] if isinstance(v, list) else v for v in labels]
            assert labels == [base[i] for i in idx], name
            if fitted.get_params().get("shrinkage") is None:
                assert X_res["id"].to_list() == idx.tolist(), name
            assert X_res.schema == X.schema, name
            np.testing.assert_array_equal(idx, expected_draw.sample_indices_)
            assert fitted.sampling_strategy_ == expected_draw.sampling_strategy_, name
            n_checked += 1
    assert n_checked == 3 * len(_label_containers(["x"]))


@pytest.mark.filterwarnings("ignore:A column-vector y was passed")
@pytest.mark.parametrize(
    "name", list(_label_containers(["a", "b"] * 8)) + ["pyarrow-dictionary-null"]
)
def test_missing_label_in_every_library_is_refused_everywhere(name):
    # A null label (position 4) in any container: a ValueError naming y and
    # the row, from the samplers, ResampledClassifier and ThresholdMover.
    from rebalance.weights import class_weights, sample_weights

    base = ["a", "b", "a", "a", None, "b", "a", "b"] * 2
    if name == "pyarrow-dictionary-null":  # the null is the dictionary's value
        codes = pa.array([{"a": 0, "b": 1, None: 2}[v] for v in base], pa.int8())
        y = pa.DictionaryArray.from_arrays(codes, pa.array(["a", "b", None]))
    else:
        y = _label_containers(base)[name]
    X = pl.DataFrame({"f": np.arange(16.0)})
    calls = [
        lambda: RandomUnderSampler().fit_resample(X, y),
        lambda: LabelShuffleSampler().fit(X, y),
        lambda: ResampledClassifier(RandomUnderSampler(), LogisticRegression()).fit(
            X, y
        ),
        lambda: ThresholdMover(LogisticRegression()).fit(X, y),
        lambda: class_weights(y),
        lambda: sample_weights(y),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="missing labels.*first at position 4"):
            call()


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y: RandomUnderSampler().fit_resample(X.lazy(), y),
        lambda X, y: RandomOverSampler(shrinkage=1.0).fit_resample(X.lazy(), y),
        lambda X, y: RandomUnderSampler().fit_resample(
            X, pl.DataFrame({"t": y}).lazy()
        ),
        lambda X, y: ResampledClassifier(
            RandomUnderSampler(), LogisticRegression()
        ).fit(X.lazy(), y),
        lambda X, y: ThresholdMover(LogisticRegression()).fit(
            X, pl.DataFrame({"t": y}).lazy()
        ),
    ],
)
def test_lazy_frames_are_refused_before_any_work(call):
    X = pl.DataFrame({"f": np.arange(20.0)})
    y = np.array([0] * 14 + [1] * 6)
    with pytest.raises(TypeError, match=r"lazy LazyFrame.*\.collect\(\)"):
        call(X, y)


# --------------------------------------------------------------------------
# Container invariance: the same data in every library, the same numbers


def test_smoothed_bootstrap_is_the_same_in_every_library():
    # 10 seeds x 5 containers: the jittered values equal numpy's, integer
    # columns stay integers of their width.
    n_checked = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(12, 40))
        y = (rng.random(n) < 0.25).astype(int)
        y[:4] = [0, 1, 1, 1]
        a = rng.normal(size=n)
        b = rng.integers(-50, 50, size=n).astype(np.int32)
        c = rng.normal(size=n).astype(np.float32)
        frames = [
            pd.DataFrame({"a": a, "b": b, "c": c}),
            pl.DataFrame({"a": a, "b": b, "c": c}),
            pa.table({"a": a, "b": b, "c": c}),
            pd.DataFrame(
                {
                    "a": pd.array(a, dtype="Float64"),
                    "b": pd.array(b, dtype="Int32"),
                    "c": pd.array(c, dtype="Float32"),
                }
            ),
            pd.DataFrame({"a": a, "b": b, "c": c}).convert_dtypes(
                dtype_backend="pyarrow"
            ),
        ]
        results = []
        for X in frames:
            X_res, _ = RandomOverSampler(shrinkage=0.7, random_state=seed).fit_resample(
                X, y
            )
            assert type(X_res) is type(X)
            assert _column_types(X_res) == _column_types(X)
            results.append(np.array(_values(X_res), dtype=np.float64))
            n_checked += 1
        for result in results[1:]:
            np.testing.assert_allclose(result, results[0], rtol=1e-6)
    assert n_checked == 50


def test_pipelines_give_the_same_probabilities_for_every_library():
    # ColumnTransformer + sampler / ResampledClassifier / ThresholdMover,
    # with set_output polars: the same probabilities for pandas, polars
    # (strings and Enums), pyarrow and Arrow-backed pandas as for pandas with
    # numpy outputs.
    rng = np.random.default_rng(0)
    n = 90
    y = np.where(rng.random(n) < 0.2, "pos", "neg")
    num = rng.normal(size=n) + (y == "pos")
    cat = rng.choice(["a", "b", "c"], size=n)
    inputs = [
        (pd.DataFrame({"num": num, "cat": cat}), pd.Series(y, name="t")),
        (pl.DataFrame({"num": num, "cat": cat}), pl.Series("t", y)),
        (
            pl.DataFrame(
                {"num": num, "cat": pl.Series(cat, dtype=pl.Enum(["c", "b", "a"]))}
            ),
            pl.Series("t", y, dtype=pl.Enum(["pos", "neg"])),
        ),
        *(
            # scikit-learn < 1.7's ColumnTransformer cannot select the
            # columns of a pyarrow Table by name.
            [(pa.table({"num": num, "cat": cat}), pa.array(y))]
            if _SKLEARN_VERSION >= (1, 7)
            else []
        ),
        (
            pd.DataFrame({"num": num, "cat": cat}).convert_dtypes(
                dtype_backend="pyarrow"
            ),
            pd.Series(y, dtype="string[pyarrow]"),
        ),
    ]

    def models():
        columns = ColumnTransformer(
            [
                ("n", StandardScaler(), ["num"]),
                ("c", OneHotEncoder(sparse_output=False), ["cat"]),
            ]
        )
        yield imb_pipeline.make_pipeline(
            clone(columns), RandomUnderSampler(random_state=0), LogisticRegression()
        )
        yield make_pipeline(
            clone(columns),
            ResampledClassifier(
                RandomOverSampler(random_state=0), LogisticRegression()
            ),
        )
        yield make_pipeline(clone(columns), ThresholdMover(LogisticRegression()))

    train, test = np.arange(60), np.arange(60, n)
    reference = None
    runs = [("default", *inputs[0])] + [("polars", X, y) for X, y in inputs]
    for output, X, labels in runs:
        found = []
        for model in models():
            model.set_output(transform=output)
            model.fit(take_rows(X, train), take_rows(labels, train))
            found.append(model.predict_proba(take_rows(X, test)).round(12).tolist())
        reference = reference or found
        assert found == reference


# --------------------------------------------------------------------------
# imblearn/utils/estimator_checks.py: check_samplers_pandas,
# check_samplers_pandas_sparse and check_sampler_get_feature_names_out_pandas,
# run with the other libraries' frames and columns


def _imblearn_dataset():
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=300,
        n_classes=3,
        n_informative=4,
        weights=[0.2, 0.3, 0.5],
        random_state=0,
    )


@pytest.mark.parametrize(
    "library", ["polars", "pyarrow", "record-batch", "pandas-arrow", "pandas-sparse"]
)
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_check_samplers_dataframes(library, sampler):
    # check_samplers_pandas: a frame and a named column in, the same types,
    # names and dtypes out, with the numbers of the numpy draw.
    X, y = _imblearn_dataset()
    names = [str(i) for i in range(X.shape[1])]
    if library == "pandas-sparse":
        X_df = pd.DataFrame(X, columns=names, dtype=pd.SparseDtype(float, 0))
    else:
        X_df = _frame(library, X, names)
    y_s = {
        "polars": pl.Series("class", y),
        "pyarrow": pa.chunked_array([y]),
        "record-batch": pa.array(y),
    }.get(library, pd.Series(y, name="class"))
    sampler = clone(sampler)
    X_res_df, y_res_s = sampler.fit_resample(X_df, y_s)
    X_res, y_res = clone(sampler).fit_resample(X, y)
    assert type(X_res_df) is type(X_df) and type(y_res_s) is type(y_s)
    assert _column_types(X_res_df) == _column_types(X_df)
    if isinstance(y_s, pd.Series | pl.Series):
        assert y_res_s.name == "class"
    np.testing.assert_allclose(np.array(_values(X_res_df), dtype=float), X_res)
    np.testing.assert_array_equal(np.array(_values(y_res_s)), y_res)


@pytest.mark.parametrize("library", ["polars", "pyarrow", "pandas-arrow"])
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_sampler_get_feature_names_out_dataframes(library, sampler):
    # check_sampler_get_feature_names_out_pandas, with library's frame.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.array([0] * 20 + [1] * 10)
    sampler = clone(sampler)
    X_res, _ = sampler.fit_resample(_frame(library, X, ["col0", "col1"]), y)
    with pytest.raises(ValueError, match="input_features is not equal to"):
        sampler.get_feature_names_out(["bad0", "bad1"])
    default = sampler.get_feature_names_out()
    np.testing.assert_array_equal(
        default, sampler.get_feature_names_out(["col0", "col1"])
    )
    np.testing.assert_array_equal(default, ["col0", "col1"])
    assert len(default) == X_res.shape[1]
