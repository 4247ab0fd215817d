"""Review 38 (versions): rebalance on older stacks that pyproject.toml allows.

Checked by installing two stacks (Python 3.11) and running the core test
files and tests/regressions:

- lowest: numpy 1.25.2, scipy 1.11.4, scikit-learn 1.6.0, imbalanced-learn
  0.14.0 (which needs numpy >= 1.25.2 and scipy >= 1.11.4), pandas 2.0.0,
  numba 0.60.0, narwhals 2.0.0, sklearn-compat 0.1.0, tqdm 4.60.0, pyarrow
  14.0.0, polars 1.0.0, skrub 0.6.0, matplotlib 3.7.0;
- middle: numpy 1.26.4, scipy 1.13.1, scikit-learn 1.7.0, pandas 2.1.4,
  pyarrow 16.1.0, narwhals 2.5.0, polars 1.0.0, dask 2024.12.0, lightning
  2.4.0, skorch 1.0.0, torch 2.13 (CPU).

The tests here run on the current stack and emulate the old behaviour.
"""

import sys

import numpy as np
import pyarrow as pa
import pytest

from rebalance import RandomUnderSampler
from rebalance._frames import take_rows


def test_arrow_rows_are_taken_on_pyarrow_without_view_types(monkeypatch):
    # pyarrow < 16 has no string_view/binary_view: every take of an Arrow
    # table, array or Arrow-backed pandas column raised AttributeError.
    for name in ("string_view", "binary_view"):
        monkeypatch.delattr(pa, name, raising=False)  # none on pyarrow < 16
    table = pa.table({"x": [1.0, 2.0, 3.0, 4.0], "s": ["a", "b", "c", "d"]})
    taken = take_rows(table, np.array([3, 0, 0]))
    assert taken.schema == table.schema
    assert taken.to_pydict() == {"x": [4.0, 1.0, 1.0], "s": ["d", "a", "a"]}
    chunked = pa.chunked_array([["a", "b"], ["c", "d"]])
    assert take_rows(chunked, np.array([2, 1])).to_pylist() == ["c", "b"]
    y = pa.array([0, 0, 0, 1])
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(table, y)
    assert isinstance(X_res, pa.Table) and isinstance(y_res, pa.Array)
    assert sorted(y_res.to_pylist()) == [0, 1]
    rows = [table["x"].to_pylist().index(v) for v in X_res["x"].to_pylist()]
    assert y_res.to_pylist() == [y[i].as_py() for i in rows]


@pytest.fixture
def masked_as_objects(monkeypatch):
    """pandas < 3: a nullable array (Int64, Float64, boolean) gives its
    numbers as objects, NA or not (np.asarray, Series.to_numpy())."""
    import pandas as pd

    masked = pd.core.arrays.masked.BaseMaskedArray
    to_numpy, to_array = masked.to_numpy, masked.__array__

    def old_to_numpy(self, dtype=None, *args, **kwargs):
        return to_numpy(self, object if dtype is None else dtype, *args, **kwargs)

    def old_array(self, dtype=None, copy=None):
        return to_array(self, object if dtype is None else dtype)

    monkeypatch.setattr(masked, "to_numpy", old_to_numpy)
    monkeypatch.setattr(masked, "__array__", old_array)
    assert np.asarray(pd.array([1.0], dtype="Float64")).dtype == object


@pytest.mark.parametrize("dtype", ["Float64", "Int64", "boolean"])
@pytest.mark.parametrize("box", ["array", "Series"])
def test_nullable_sample_weight_is_read_on_pandas_2(masked_as_objects, dtype, box):
    # pandas 2.x: every nullable sample_weight without NA was refused
    # ("sample_weight must hold numbers; got dtype object").
    import pandas as pd

    from rebalance import ThresholdMover
    from rebalance._validation import check_sample_weight

    values = [1, 0, 1, 1] * 10 if dtype == "boolean" else [1, 2, 3, 1] * 10
    weights = pd.array(values, dtype=dtype)
    if box == "Series":
        weights = pd.Series(weights)
    assert check_sample_weight(weights, 40) is weights
    with pytest.raises(ValueError, match="finite"):
        check_sample_weight(pd.array([1, None] * 20, dtype=dtype), 40)
    X = np.arange(80.0).reshape(40, 2) % 7
    y = np.array([0, 0, 0, 1] * 10)
    _, y_res, w_res = RandomUnderSampler(random_state=0).fit_resample(
        X, y, sample_weight=weights
    )
    assert type(w_res) is type(weights) and w_res.dtype == weights.dtype
    assert np.bincount(y_res).tolist() == [10, 10]
    from sklearn.linear_model import LogisticRegression

    ThresholdMover(LogisticRegression(), "prior").fit(X, y, sample_weight=weights)


@pytest.mark.parametrize("kind", ["voting", "stacking"])
def test_ensembles_naming_sample_weight_are_checked_member_by_member(kind):
    # scikit-learn < 1.7 names sample_weight in VotingClassifier.fit and
    # StackingClassifier.fit (later ones take it through **fit_params): the
    # signature said "takes it", so whole-number weights were passed to an
    # ensemble with a member that refuses them (KNN), and fit raised.
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    from rebalance import ThresholdMover

    base = VotingClassifier if kind == "voting" else StackingClassifier

    class Named(base):  # the scikit-learn 1.6 signature
        def fit(self, X, y, sample_weight=None, **fit_params):
            if sample_weight is not None:
                fit_params["sample_weight"] = sample_weight
            return super().fit(X, y, **fit_params)

    def ensemble(*members):
        named = [(f"m{i}", member) for i, member in enumerate(members)]
        if kind == "voting":
            return Named(named, voting="soft")
        return Named(named, final_estimator=LogisticRegression(), cv=3)

    rng = np.random.default_rng(0)
    y = np.r_[[0] * 40, [1] * 20]
    X = rng.normal(size=(60, 2)) + y[:, None]
    counts = rng.integers(1, 3, 60).astype(float)
    rows = np.repeat(np.arange(60), counts.astype(int))
    with_knn = ensemble(KNeighborsClassifier(), LogisticRegression())
    weighted = ThresholdMover(with_knn, "prior").fit(X, y, sample_weight=counts)
    repeated = ThresholdMover(with_knn, "prior").fit(X[rows], y[rows])
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))
    # Every member takes weights: passed as they are (not whole numbers).
    both = ensemble(LogisticRegression(), LogisticRegression(C=0.1))
    ThresholdMover(both, "prior").fit(X, y, sample_weight=counts + 0.5)


def test_arrow_duration_columns_are_seconds_on_pandas_before_2_2(monkeypatch):
    # pandas < 2.2 has no .dt accessor for Arrow durations: `rebalance
    # compare` crashed on every duration column of a Parquet file read with
    # pyarrow dtypes ("Can only use .dt accessor with datetimelike values").
    import pandas as pd

    from rebalance._columns import plan_columns, prepare_frame

    accessor = pd.Series.__dict__["dt"]

    class OldAccessor:
        def __get__(self, series, owner):
            arrow = getattr(getattr(series, "dtype", None), "pyarrow_dtype", None)
            if arrow is not None and pa.types.is_duration(arrow):
                raise AttributeError("Can only use .dt accessor with datetimelike")
            return accessor.__get__(series, owner)

    monkeypatch.setattr(pd.Series, "dt", OldAccessor())
    seconds = np.arange(40) * 7 % 1000
    for unit in ("s", "ms", "ns"):
        wait = pd.array(
            pd.to_timedelta(seconds, unit="s"), dtype=pd.ArrowDtype(pa.duration(unit))
        )
        wait[3] = None
        frame = pd.DataFrame({"wait": wait, "a": np.arange(40.0) % 5})
        plan = plan_columns(frame)
        assert plan.used["wait"] == "numeric"
        out = prepare_frame(frame, plan)["wait"].to_numpy(dtype=float)
        assert np.isnan(out[3])
        np.testing.assert_array_equal(np.delete(out, 3), np.delete(seconds, 3))


def test_unset_scorer_weights_raise_on_scikit_learn_before_1_8():
    # scikit-learn < 1.8: a scorer lists no metadata until a request is set,
    # so with routing on, ThresholdMover's tuned metric silently dropped the
    # weights of an unset scorer (documented: UnsetMetadataPassedError).
    import sklearn
    from sklearn.exceptions import UnsetMetadataPassedError
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.utils.metadata_routing import MetadataRequest

    from rebalance import ThresholdMover

    seen = []

    def metric(y_true, y_pred, sample_weight=None):
        seen.append(sample_weight is not None)
        return f1_score(y_true, y_pred, sample_weight=sample_weight)

    rng = np.random.default_rng(0)
    y = np.r_[[0] * 45, [1] * 15]
    X = rng.normal(size=(60, 2)) + y[:, None]
    w = rng.uniform(0.5, 2, 60)
    with sklearn.config_context(enable_metadata_routing=True):

        def mover(request):
            scorer = make_scorer(metric)
            if request is None:  # what scikit-learn 1.6 and 1.7 report
                scorer.get_metadata_routing = lambda: MetadataRequest(owner=scorer)
            else:
                scorer.set_score_request(sample_weight=request)
            model = LogisticRegression().set_fit_request(sample_weight=True)
            return ThresholdMover(model, "tuned", scoring=scorer, cv=2, thresholds=5)

        with pytest.raises(UnsetMetadataPassedError, match="set_score_request"):
            mover(None).fit(X, y, sample_weight=w)
        assert not seen
        mover(None).fit(X, y)  # no weights: nothing to route
        for request in (True, False):
            seen.clear()
            mover(request).fit(X, y, sample_weight=w)
            assert set(seen) == {request}


def _declared_lower_bound(name):
    import re
    from pathlib import Path

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text())["project"]
    groups = [project["dependencies"], *project["optional-dependencies"].values()]
    bounds = []
    for requirement in (r for group in groups for r in group):
        pattern = rf"^{re.escape(name)}(\[[^\]]*\])?\s*([<>=!~;].*)?$"
        match = re.match(pattern, requirement)
        if match:
            lower = re.search(r">=\s*([0-9][0-9.]*)", match.group(2) or "")
            assert lower, f"{requirement}: no lower bound"
            bounds.append(tuple(int(p) for p in lower.group(1).split(".") if p))
    assert bounds, f"{name} is not declared in pyproject.toml"
    return min(bounds)


@pytest.mark.parametrize(
    "name, required",
    [
        # torch 2.4: rebalance.torch does not import (torch.library has no
        # register_vmap, and its custom_op refuses the string annotations
        # that `from __future__ import annotations` leaves).
        ("torch", (2, 5)),
        # imbalanced-learn 0.14 (the lowest allowed) needs numpy >= 1.25.2
        # and scipy >= 1.11.4: lower bounds below them were never installed.
        ("numpy", (1, 25, 2)),
        ("scipy", (1, 11, 4)),
    ],
)
def test_lower_bounds_are_installable_and_import(name, required):
    assert _declared_lower_bound(name) >= required


@pytest.fixture
def dask_2024_aliases(monkeypatch):
    """Dask 2024.12: an Alias in a graph names its target as a TaskRef (later
    Dask: as the key)."""
    task_spec = pytest.importorskip("dask._task_spec")
    slot = task_spec.Alias.__dict__["target"]

    class OldAlias(task_spec.Alias):
        __slots__ = ()

        @property
        def target(self):
            target = slot.__get__(self)
            if isinstance(target, task_spec.TaskRef):  # Dask 2024.12 itself
                return target
            return task_spec.TaskRef(target)

    convert = task_spec.convert_legacy_graph

    def old_graph(*args, **kwargs):
        graph = convert(*args, **kwargs)
        if sys._getframe(1).f_globals.get("__name__") != "rebalance._dask":
            return graph  # Dask's own computations: as they are
        old = {}
        for key, node in graph.items():
            if type(node) is task_spec.Alias:
                node = task_spec.Alias(node.key, slot.__get__(node))  # a copy
                node.__class__ = OldAlias
            old[key] = node
        return old

    monkeypatch.setattr(task_spec, "convert_legacy_graph", old_graph)


def test_dask_arrays_of_from_pandas_frames_are_traced_on_dask_2024(
    dask_2024_aliases,
):
    # Dask 2024.12: the trace of an array's rows to its from_pandas
    # partitions stopped at the first Alias, so none of the checks built on
    # it ran, and labels of another row order were matched to X's rows by
    # position, silently.
    import pandas as pd

    dd = pytest.importorskip("dask.dataframe")
    from rebalance._dask import _from_pandas_index

    rng = np.random.default_rng(0)
    train = pd.DataFrame(
        {"row": np.arange(60), "f": rng.normal(size=60), "label": np.arange(60) % 3},
        index=rng.permutation(60),
    )
    X = dd.from_pandas(train, npartitions=3)[["row", "f"]].to_dask_array()
    X = X.compute_chunk_sizes()
    index = _from_pandas_index(X)
    assert index is not None and list(index) == sorted(train.index)
    other = dd.from_pandas(train, npartitions=2, sort=False)["label"]
    with pytest.raises(ValueError, match="The index of y holds X's"):
        RandomUnderSampler(random_state=0).fit_resample(X, other)


def test_compare_names_a_skrub_that_does_not_import(monkeypatch):
    # skrub 0.6 and 0.7 do not import with joblib >= 1.6 ("cannot import name
    # 'cloudpickle' from 'joblib.externals'"); compare then dropped the text
    # columns saying "install skrub", which is installed.
    import builtins
    import importlib.util

    # Installed is enough (the import is broken below on purpose); pytest >= 9's
    # importorskip raises, not skips, on skrub 0.6 to 0.10.0 with joblib >= 1.6.
    if importlib.util.find_spec("skrub") is None:
        pytest.skip("skrub is not installed")

    import pandas as pd

    from rebalance._columns import plan_columns

    real_import = builtins.__import__

    def broken_skrub(name, *args, **kwargs):
        if name == "skrub":
            raise ImportError("cannot import name 'cloudpickle'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken_skrub)
    words = [f"word{i} and some other words here" for i in range(40)]
    frame = pd.DataFrame({"note": words, "x": np.arange(40.0)})
    plan = plan_columns(frame)
    assert plan.vectorizer == "fallback"
    reason = plan.dropped["note"]
    assert "does not import" in reason and "cloudpickle" in reason
    assert "pip install -U skrub" in reason


def test_compare_fallback_seconds_past_2262_on_pandas_before_3(monkeypatch):
    # pandas < 3 divides a timedelta column by a Timedelta in nanoseconds,
    # which wraps around past 2262: the fallback encoding (no skrub) gave
    # 3000-01-01 as -4.4e9 "seconds since 1970", silently.
    import pandas as pd

    from rebalance._columns import plan_columns, prepare_frame

    divide = pd.Series.__truediv__

    def old_divide(self, other):
        if isinstance(other, pd.Timedelta) and self.dtype.kind == "m":
            with np.errstate(over="ignore"):
                ns = self.to_numpy().astype("m8[ns]")  # wraps, as pandas 2 did
            return pd.Series(ns / other.to_timedelta64(), index=self.index)
        return divide(self, other)

    monkeypatch.setattr(pd.Series, "__truediv__", old_divide)
    column = pd.date_range("3000-01-01", periods=12, unit="s")
    frame = pd.DataFrame({"d": column, "x": np.arange(12.0)})
    plan = plan_columns(frame)
    plan.vectorizer = "fallback"
    seconds = prepare_frame(frame, plan)["d"].to_numpy()
    np.testing.assert_array_equal(seconds, [t.timestamp() for t in column])
