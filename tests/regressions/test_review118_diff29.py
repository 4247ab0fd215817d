"""Review 118, area diff29: pins of the last stop's changes (285774c..86d3a93)
through the public API: ``plan_columns``/``prepare_frame`` reading date
columns over their whole length (a non-date past the first 1000 values, text
without a year, time-zone offsets, spaces), categorical columns prepared as
pandas categoricals, ``missing_as_na`` ignoring surrounding spaces, Dask
samplers refusing Dask arrays beside frames holding a row selection while
accepting the same selection split into other partitions and row-keeping
operations, ``ThresholdMover`` checking every fold once before any fit, and
``adjust_priors`` reading a Dask DataFrame's class columns."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from rebalance.compare import missing_as_na, plan_columns, prepare_frame
from rebalance.samplers import RandomUnderSampler
from rebalance.threshold import ThresholdMover, adjust_priors

DATES = pd.date_range("2020-01-01", periods=1200, freq="D")


def _plan(column):
    frame = pd.DataFrame({"d": column, "x": np.arange(len(column)) % 7})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = plan_columns(frame)
        return plan, prepare_frame(frame, plan)


def test_iso_dates_over_sample_read_as_datetime():
    plan, out = _plan(list(DATES.strftime("%Y-%m-%d")))
    assert plan.used["d"] == "datetime"
    assert out["d"].notna().all()
    assert out["d"].iloc[-1] == DATES[-1]


def test_non_date_after_sample_is_not_read_as_dates_and_noted():
    values = list(DATES.strftime("%Y-%m-%d"))[:-1] + ["oops"]
    plan, _ = _plan(values)
    assert plan.used.get("d") != "datetime"
    assert "'oops'" in plan.notes["d"]
    assert "notes: d (" in plan.describe()


@pytest.mark.parametrize("last", ["NaT", None])
def test_missing_after_sample_keeps_dates(last):
    plan, out = _plan(list(DATES.strftime("%Y-%m-%d"))[:-1] + [last])
    assert plan.used["d"] == "datetime"
    assert out["d"].isna().sum() == 1
    assert "d" not in plan.notes


def test_guessed_format_dates_read_exactly():
    plan, out = _plan(list(DATES.strftime("%d %b %Y %H:%M")))
    assert plan.used["d"] == "datetime"
    assert (out["d"].to_numpy() == DATES.to_numpy().astype(out["d"].dtype)).all()


def test_day_first_text_read_day_first():
    plan, out = _plan(list(DATES.strftime("%d/%m/%Y")))
    assert plan.used["d"] == "datetime"
    assert out["d"].iloc[12] == pd.Timestamp("2020-01-13")
    assert out["d"].iloc[31] == pd.Timestamp("2020-02-01")


@pytest.mark.parametrize("fmt", ["%b %d", "%H:%M"])
def test_text_without_year_not_dates(fmt):
    plan, _ = _plan(list(DATES.strftime(fmt)))
    assert plan.used.get("d") != "datetime"


def test_changing_offsets_read_as_utc():
    values = [
        s + ("+01:00" if i % 2 else "+02:00")
        for i, s in enumerate(DATES.strftime("%Y-%m-%dT%H:%M:%S"))
    ]
    plan, out = _plan(values)
    assert plan.used["d"] == "datetime"
    assert str(out["d"].dt.tz) == "UTC"
    assert out["d"].iloc[0] == pd.Timestamp("2019-12-31 22:00", tz="UTC")


def test_tz_aware_datetime_objects_keep_zone():
    stamps = pd.date_range("2020-01-01", periods=1200, freq="D", tz="Europe/Paris")
    plan, out = _plan(list(stamps.to_pydatetime()))
    assert plan.used["d"] == "datetime"
    assert out["d"].iloc[0] == stamps[0]


def test_categorical_columns_prepared_as_text_categories():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=60),
            "cat": rng.choice(["a", "b", "c"], size=60).astype(object),
            "mix": pd.Series(rng.choice([1, 2, 3], size=60), dtype=object),
        }
    )
    frame.loc[5, "mix"] = "x"
    frame.loc[7, "cat"] = None
    before = frame.copy()
    plan = plan_columns(frame)
    out = prepare_frame(frame, plan)
    assert plan.used["mix"] == "categorical"
    assert isinstance(out["mix"].dtype, pd.CategoricalDtype)
    assert sorted(out["mix"].cat.categories) == ["1", "2", "3", "x"]
    assert out["cat"].isna().sum() == 1
    pd.testing.assert_frame_equal(frame, before)


def test_int_categorical_prepared_as_text():
    frame = pd.DataFrame({"c": pd.Categorical([1, 2, 3, 1] * 10), "n": np.arange(40.0)})
    out = prepare_frame(frame, plan_columns(frame))
    assert out["c"].tolist()[:4] == ["1", "2", "3", "1"]
    assert frame["c"].cat.categories.tolist() == [1, 2, 3]


def test_missing_markers_with_spaces():
    frame = pd.DataFrame({"c": [" NA ", "a", "b", "a", " null", "b"]})
    out = missing_as_na(frame)["c"]
    assert out.isna().tolist() == [True, False, False, False, True, False]
    cats = pd.DataFrame({"c": pd.Categorical([" NA ", "a", "b", "a"])})
    assert missing_as_na(cats)["c"].isna().tolist() == [True, False, False, False]


# ---- Dask row selections -------------------------------------------------


@pytest.fixture
def ddf():
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=40),
            "b": rng.normal(size=40),
            "y": [0] * 30 + [1] * 10,
        }
    )
    return frame, dd.from_pandas(frame, npartitions=2)


def _resample(X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = RandomUnderSampler(random_state=0).fit_resample(X, y, **kw)
    return [o.compute() if hasattr(o, "compute") else o for o in out]


def test_dask_array_y_beside_selected_frame_refused(ddf):
    _, data = ddf
    rows = data[data.a > 0]
    with pytest.raises(ValueError, match="y is a Dask array"):
        _resample(rows[["a", "b"]], rows["y"].to_dask_array(lengths=True))
    with pytest.raises(ValueError, match="sample_weight is a Dask array"):
        _resample(
            rows[["a", "b"]],
            rows["y"],
            sample_weight=rows["a"].to_dask_array(lengths=True),
        )
    with pytest.raises(ValueError, match="X is a Dask array"):
        _resample(rows[["a", "b"]].to_dask_array(lengths=True), rows["y"])


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d.loc[:, ["a", "b"]],
        lambda d: d[["a", "b"]].fillna(0),
        lambda d: d.assign(c=d.a * 2)[["a", "b", "c"]],
        lambda d: d[["a", "b"]].where(d.a > 0, 0),
    ],
)
def test_dask_array_y_beside_row_keeping_frame_accepted(ddf, make):
    frame, data = ddf
    X_res, y_res = _resample(make(data), data["y"].to_dask_array(lengths=True))
    assert len(X_res) == len(y_res) == 20


def test_same_mask_other_partitions_accepted_and_aligned(ddf):
    dd = pytest.importorskip("dask.dataframe")
    frame, data = ddf
    other = dd.from_pandas(frame, npartitions=3)
    X_res, y_res = _resample(data[data.a > 0][["a", "b"]], other[other.a > 0]["y"])
    # (the output has a fresh index: rows found back by their values of a)
    by_a = frame.set_index("a")["y"]
    assert (np.asarray(y_res) == by_a.loc[X_res["a"]].to_numpy()).all()
    assert np.asarray(y_res).sum() == 5 and len(y_res) == 10


def test_other_mask_other_partitions_refused(ddf):
    dd = pytest.importorskip("dask.dataframe")
    frame, data = ddf
    other = dd.from_pandas(frame.copy(), npartitions=3)
    with pytest.raises(ValueError, match="other rows"):
        _resample(data[data.a > 0][["a", "b"]], other[other.b > 0]["y"])


# ---- ThresholdMover folds, adjust_priors ---------------------------------


def _xy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    X[y == 1] += 1
    return X, y


def test_threshold_mover_one_shot_cv_generator():
    X, y = _xy()
    folds = (f for f in StratifiedKFold(3).split(X, y))
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=folds)
    mover.fit(X, y)
    again = ThresholdMover(LogisticRegression(), strategy="tuned", cv=3).fit(X, y)
    assert mover.threshold_ == pytest.approx(again.threshold_)


def test_threshold_mover_refused_fold_leaves_fit_alone():
    X, y = _xy()
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", cv=3).fit(X, y)
    threshold, coef = mover.threshold_, mover.estimator_.coef_.copy()
    mover.set_params(cv=[(np.arange(45), np.arange(45, 60))])
    with pytest.raises(ValueError, match="fold 0"):
        mover.fit(X, y)
    assert mover.threshold_ == threshold
    assert np.array_equal(mover.estimator_.coef_, coef)


def test_adjust_priors_dask_frame_by_column_names():
    dd = pytest.importorskip("dask.dataframe")
    proba = pd.DataFrame({"b": [0.2, 0.6, 0.9], "a": [0.8, 0.4, 0.1]})
    train, deploy = {"a": 0.5, "b": 0.5}, {"a": 0.9, "b": 0.1}
    expect = adjust_priors(proba, train, deploy)
    got = adjust_priors(dd.from_pandas(proba, npartitions=1), train, deploy)
    np.testing.assert_allclose(np.asarray(got), np.asarray(expect))
    # b is column 0: its share falls with deploy prior 0.1
    assert np.asarray(got)[0, 0] < 0.2


def test_categorical_index_target_keeps_category_classes():
    y = pd.CategoricalIndex(["b", "a", "b", "b", "a", "b"], categories=["b", "a"])
    X = np.arange(12.0).reshape(6, 2)
    _, y_res = _resample(X, y)
    assert sorted(pd.Series(y_res).value_counts().tolist()) == [2, 2]
