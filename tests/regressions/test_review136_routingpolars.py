"""Review 136: rebalance's estimators with metadata routing and polars inputs.

Reviewed ``RandomUnderSampler``, ``RandomOverSampler``, ``ClassBalancedSampler``,
``LabelShuffleSampler``, ``ResampledClassifier`` and ``ThresholdMover`` (a) with
``enable_metadata_routing=True`` through ``cross_validate(params=...)`` with
``GroupKFold``, ``GridSearchCV``, ``cross_val_predict``,
``TunedThresholdClassifierCV``, ``FrozenEstimator``, ``StackingClassifier`` and
an imblearn ``Pipeline``; (b) with polars frames holding numeric, string,
categorical, Enum, null, Datetime (with time zone), Date, Duration, Time,
Decimal, List, Binary, Struct, Array and Object columns, polars labels of every
kind (with and without nulls), polars weights, ``set_output(transform="polars")``
and ``LazyFrame``. Rows and weights were checked with weights that encode the
row id; polars results were compared with the same calls on pandas.

Found no bug. Routed weights follow the drawn rows everywhere, unrequested
weights raise scikit-learn's ``UnsetMetadataPassedError``, weights routed to a
sampler inside an imblearn ``Pipeline`` are refused with a pointer to
``ResampledClassifier`` (never dropped), polars outputs keep schema, dtypes,
names and ``X[sample_indices_]`` rows and draw the same rows as pandas, and
lazy or null-holding inputs are refused naming the fix. The tests below pin
the combinations that earlier rounds did not cover.
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import StackingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    TunedThresholdClassifierCV,
    cross_val_predict,
    cross_validate,
)
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._metadata_requests import UnsetMetadataPassedError

import rebalance as rb

SAMPLERS = [
    rb.RandomUnderSampler,
    rb.RandomOverSampler,
    rb.ClassBalancedSampler,
    rb.LabelShuffleSampler,
]
N = 60
_LOG = []


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records every fit in ``_LOG`` (clone copies parameters, so not one).

    Column ``id`` (or column 0) is the row id.
    """

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(np.asarray(y))
        ids = np.asarray(X["id"] if hasattr(X, "columns") else X[:, 0])
        _LOG.append((type(X), ids, sample_weight))
        return self

    def predict_proba(self, X):
        ids = np.asarray(X["id"] if hasattr(X, "columns") else X[:, 0], dtype=float)
        p = (ids % 7) / 7
        return np.c_[1 - p, p]

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def _data():
    rng = np.random.default_rng(0)
    X = pl.DataFrame({"id": np.arange(N, dtype=float), "f": rng.normal(size=N)})
    y = pl.Series("t", np.where(rng.random(N) < 0.25, "b", "a"))
    w = pl.Series("w", np.arange(N, dtype=float) + 100)
    groups = pl.Series("g", np.arange(N) % 4)
    return X, y, w, groups


def _assert_aligned(log, n_fits):
    assert len(log) == n_fits
    for kind, ids, weights in log:
        assert kind is pl.DataFrame
        assert weights is not None, "weights dropped"
        np.testing.assert_array_equal(np.asarray(weights), ids + 100)


@pytest.mark.parametrize("cls", [rb.RandomOverSampler, rb.LabelShuffleSampler])
def test_polars_weights_follow_rows_through_every_sklearn_router(cls):
    X, y, w, groups = _data()
    log = _LOG
    log.clear()

    def model():
        clf = _Recorder().set_fit_request(sample_weight=True)
        return rb.ResampledClassifier(cls(random_state=0), clf).set_score_request(
            sample_weight=False
        )

    with sklearn.config_context(enable_metadata_routing=True):
        _routed_fits(model, X, y, w, groups, log)


def _routed_fits(model, X, y, w, groups, log):
    cross_validate(
        model(),
        X,
        y,
        params={"sample_weight": w, "groups": groups},
        cv=GroupKFold(4),
        error_score="raise",
    )
    _assert_aligned(log, 4)
    log.clear()
    GridSearchCV(
        model(), {"sampler__random_state": [1]}, cv=3, error_score="raise"
    ).fit(X, y, sample_weight=w)
    _assert_aligned(log, 4)
    log.clear()
    pred = cross_val_predict(model(), X, y, params={"sample_weight": w}, cv=3)
    assert pred.shape == (N,) and set(pred) <= {"a", "b"}
    _assert_aligned(log, 3)
    log.clear()
    scorer = make_scorer(balanced_accuracy_score).set_score_request(sample_weight=True)
    TunedThresholdClassifierCV(model(), cv=3, thresholds=5, scoring=scorer).fit(
        X, y, sample_weight=w
    )
    _assert_aligned(log, 4)
    log.clear()
    StackingClassifier(
        [("m", model())], final_estimator=LogisticRegression(), cv=3
    ).fit(X, y, sample_weight=w)
    _assert_aligned(log, 4)
    log.clear()
    rb.ThresholdMover(model(), strategy="tuned", cv=GroupKFold(3)).fit(
        X, y, sample_weight=w, groups=groups
    )
    _assert_aligned(log, 4)


def test_polars_set_output_pipeline_and_frozen_model_keep_weights_aligned():
    X, y, w, _ = _data()
    log = _LOG
    log.clear()
    with sklearn.config_context(enable_metadata_routing=True):
        clf = _Recorder().set_fit_request(sample_weight=True)
        model = rb.ResampledClassifier(rb.RandomOverSampler(random_state=0), clf)
        pipe = SkPipeline(
            [
                ("sc", StandardScaler().set_fit_request(sample_weight=False)),
                ("m", model),
            ]
        ).set_output(transform="polars")
        pipe.fit(X, y, sample_weight=w)
        assert log[0][0] is pl.DataFrame
        log.clear()
        fitted = model.fit(X, y, sample_weight=w)
        _assert_aligned(log, 1)
        log.clear()
        mover = rb.ThresholdMover(FrozenEstimator(fitted)).fit(X, y)
        assert log == []
        np.testing.assert_array_equal(mover.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.parametrize("cls", SAMPLERS)
def test_unrequested_weights_raise_or_are_refused_never_dropped(cls):
    from imblearn.pipeline import Pipeline

    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError, match="set_fit_request"):
            rb.ResampledClassifier(
                cls(random_state=0).set_fit_resample_request(sample_weight=True),
                _Recorder(),
            ).fit(X, y, sample_weight=w)
        with pytest.raises(UnsetMetadataPassedError, match="set_fit_request"):
            rb.ThresholdMover(_Recorder()).fit(X, y, sample_weight=w)
        pipe = Pipeline(
            [
                ("s", cls(random_state=0).set_fit_resample_request(sample_weight=True)),
                ("c", _Recorder().set_fit_request(sample_weight=True)),
            ]
        )
        with pytest.raises(ValueError, match="ResampledClassifier"):
            pipe.fit(X, y, sample_weight=w)


def _wide_frame():
    start = dt.datetime(2020, 1, 1)
    return pl.DataFrame(
        {
            "id": np.arange(40),
            "s": [f"s{i}" for i in range(40)],
            "cat": pl.Series([f"c{i % 3}" for i in range(40)], dtype=pl.Categorical),
            "en": pl.Series(
                [f"e{i % 2}" for i in range(40)], dtype=pl.Enum(["e1", "e0"])
            ),
            "nul": [None if i % 4 == 0 else float(i) for i in range(40)],
            "dtm": pl.datetime_range(
                start,
                start + dt.timedelta(hours=39),
                "1h",
                eager=True,
                time_zone="Europe/Paris",
            ),
            "dur": pl.Series([dt.timedelta(seconds=i) for i in range(40)]),
            "tm": pl.Series([dt.time(0, 0, i) for i in range(40)]),
            "dec": pl.Series(range(40)).cast(pl.Decimal(10, 2)),
            "bn": pl.Series([bytes([i]) for i in range(40)]),
            "u8": pl.Series(range(40), dtype=pl.UInt8),
        }
    )


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    "dtype", [pl.String, pl.Categorical, pl.Enum(["b", "a"]), pl.Boolean, pl.UInt64]
)
def test_temporal_and_decimal_frames_keep_schema_rows_and_weights(cls, dtype):
    X = _wide_frame()
    labels = np.array(["a"] * 30 + ["b"] * 10)
    if dtype == pl.Boolean:
        y = pl.Series("target", labels == "b")
    elif dtype == pl.UInt64:
        y = pl.Series("target", (labels == "b").astype(np.uint64))
    else:
        y = pl.Series("target", labels, dtype=dtype)
    w = pl.Series("w", np.arange(40, dtype=np.float32))
    sampler = cls(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    idx = sampler.sample_indices_
    assert X_res.schema == X.schema
    assert X_res.equals(X[idx])
    assert isinstance(y_res, pl.Series) and y_res.dtype == y.dtype
    assert y_res.name == "target"
    if cls is not rb.LabelShuffleSampler:
        assert y_res.equals(y[idx])
    assert isinstance(w_res, pl.Series) and w_res.dtype == pl.Float32
    np.testing.assert_array_equal(w_res.to_numpy(), X_res["id"].to_numpy())
    twin = cls(random_state=0)
    twin.fit_resample(X.select("id", "u8").to_pandas(), y.to_pandas())
    np.testing.assert_array_equal(twin.sample_indices_, idx)


def test_polars_inputs_are_refused_naming_the_fix():
    X, y, w, _ = _data()
    sampler = rb.RandomOverSampler(random_state=0)
    with pytest.raises(TypeError, match=r"sample_weight\.collect\(\)"):
        sampler.fit_resample(X, y, sample_weight=w.to_frame().lazy())
    with pytest.raises(ValueError, match="sample_weight must hold finite"):
        sampler.fit_resample(X, y, sample_weight=w.scatter(0, None))
    with pytest.raises(ValueError, match="missing labels"):
        sampler.fit_resample(X, pl.Series([None] + [True] * 40 + [False] * 19))
    with pytest.raises(ValueError, match=r"X\.to_frame\(\)"):
        sampler.fit_resample(X["f"], y)
    with pytest.raises(ValueError, match="shrinkage=None"):
        rb.RandomOverSampler(random_state=0, shrinkage=0.5).fit_resample(
            _wide_frame().select("id", "dur"), pl.Series(["a"] * 30 + ["b"] * 10)
        )


def test_polars_sampling_strategy_dict_on_enum_matches_pandas():
    labels = np.array(["a"] * 24 + ["b"] * 10 + ["c"] * 6)
    X = pl.DataFrame({"id": np.arange(40)})
    y = pl.Series("t", labels, dtype=pl.Enum(["c", "b", "a", "zz"]))
    strategy = {"a": 10, "b": 8, "c": 6}
    ours = rb.RandomUnderSampler(random_state=0, sampling_strategy=strategy)
    X_res, y_res = ours.fit_resample(X, y)
    theirs = rb.RandomUnderSampler(random_state=0, sampling_strategy=strategy)
    _, y_pd = theirs.fit_resample(X.to_pandas(), y.to_pandas())
    assert y_res.dtype == y.dtype
    assert y_res.to_list() == y_pd.tolist()
    assert X_res["id"].to_list() == ours.sample_indices_.tolist()
    assert y_res.value_counts().sort("t").to_dict(as_series=False)["count"] == [
        6,
        8,
        10,
    ]


def test_polars_frame_is_left_unchanged():
    X = _wide_frame()
    before = X.clone()
    y = pl.Series("t", ["a"] * 30 + ["b"] * 10)
    for cls in SAMPLERS:
        cls(random_state=0).fit_resample(X, y)
    assert X.equals(before)
