"""Polars (and pyarrow) as a user's only dataframe library, compared with the
same data as pandas: samplers' ``fit_resample`` on frames of every column type
with polars labels and weights (types, dtypes, names and row alignment kept),
``class_weights``/``sample_weights``/``g_mean_score`` on polars labels,
``ThresholdMover``/``ResampledClassifier`` fitted on polars frames, nulls in
polars labels refused, ``adjust_priors`` reading a polars or pyarrow frame of
probabilities by column name, and ``compare`` on polars input."""

import datetime as dt
import decimal

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)
from rebalance.metrics import g_mean_score
from rebalance.threshold import adjust_priors

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

N = 12
LABELS = ["a"] * 9 + ["b"] * 3


def _frame():
    return pl.DataFrame(
        {
            "i": pl.Series(range(N), dtype=pl.Int16),
            "f": pl.Series(np.linspace(0, 1, N), dtype=pl.Float32),
            "s": pl.Series([f"s{i}" for i in range(N)], dtype=pl.String),
            "c": pl.Series(["a", "b", "c"] * 4, dtype=pl.Categorical),
            "e": pl.Series(["x", "y", "z"] * 4, dtype=pl.Enum(["z", "y", "x"])),
            "b": pl.Series([True, False] * 6),
            "d": pl.Series([dt.date(2020, 1, i + 1) for i in range(N)]),
            "dt": pl.Series(
                [dt.datetime(2020, 1, i + 1) for i in range(N)]
            ).dt.replace_time_zone("Europe/Paris"),
            "du": pl.Series([dt.timedelta(seconds=i) for i in range(N)]),
            "l": pl.Series([[i, i + 1] for i in range(N)]),
            "st": pl.Series([{"a": i, "b": str(i)} for i in range(N)]),
            "dec": pl.Series(
                [decimal.Decimal(f"{i}.25") for i in range(N)],
                dtype=pl.Decimal(10, 2),
            ),
            "nul": pl.Series([None] * N, dtype=pl.Null),
        }
    )


def _labels():
    s = pl.Series("t", LABELS)
    return [
        pl.Series("t", [0] * 9 + [1] * 3),
        pl.Series([0] * 9 + [1] * 3),  # no name
        s.cast(pl.Enum(["b", "a", "unused"])),
        s.cast(pl.Categorical),
        pl.Series("t", [False] * 9 + [True] * 3),
        s,
    ]


@pytest.mark.parametrize(
    "cls", [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler]
)
def test_every_column_type_and_label_type_keeps_schema_dtype_name_and_rows(cls):
    X = _frame()
    for y in _labels():
        X_res, y_res = cls(random_state=0).fit_resample(X, y)
        assert type(X_res) is pl.DataFrame and X_res.schema == X.schema
        assert type(y_res) is pl.Series
        assert y_res.dtype == y.dtype and y_res.name == y.name
        rows = X_res["i"].to_numpy()
        assert y_res.to_list() == [y.to_list()[r] for r in rows]
        # the same rows as the same data in pandas
        Xp, yp = cls(random_state=0).fit_resample(
            X.select("i", "f").to_pandas(), y.to_pandas()
        )
        assert Xp["i"].tolist() == rows.tolist()


@pytest.mark.parametrize("dtype", [pl.Int32, pl.UInt8, pl.Float32, pl.Float64], ids=str)
def test_polars_sample_weight_keeps_dtype_and_matches_pandas(dtype):
    X = pl.DataFrame({"a": np.arange(12.0)})
    y = pl.Series("t", LABELS).cast(pl.Enum(["b", "a"]))
    w = pl.Series("w", range(1, 13)).cast(dtype)
    _, _, w_pl = RandomOverSampler(random_state=0).fit_resample(X, y, sample_weight=w)
    _, _, w_pd = RandomOverSampler(random_state=0).fit_resample(
        X.to_pandas(), y.to_pandas(), sample_weight=w.to_pandas()
    )
    assert type(w_pl) is pl.Series and w_pl.dtype == dtype
    assert w_pl.to_list() == list(w_pd)


def test_weights_and_g_mean_on_polars_labels_match_pandas():
    pred = pl.Series("p", ["a"] * 7 + ["b"] * 3 + ["a"] * 2)
    for y in _labels():
        yp = y.to_pandas()
        assert class_weights(y) == class_weights(yp)
        assert list(class_weights(y)) == list(class_weights(yp))
        np.testing.assert_allclose(sample_weights(y), sample_weights(yp))
    e = pl.Series("t", LABELS).cast(pl.Enum(["b", "a"]))
    pe = pred.cast(pl.Enum(["a", "b"]))  # categories in the other order
    assert g_mean_score(e, pe) == pytest.approx(
        g_mean_score(e.cast(pl.String).to_list(), pred.to_list())
    )
    assert g_mean_score(e, pe) == pytest.approx(
        g_mean_score(e.to_pandas(), pe.to_pandas())
    )


@pytest.mark.parametrize(
    "y",
    [
        pl.Series("t", [0] * 8 + [None] + [1] * 3),
        pl.Series("t", [0.0] * 8 + [float("nan")] + [1.0] * 3),
        pl.Series("t", ["a"] * 8 + [None] + ["b"] * 3).cast(pl.Categorical),
        pl.Series("t", ["a"] * 8 + [None] + ["b"] * 3).cast(pl.Enum(["a", "b"])),
        pl.Series("t", [True] * 8 + [None] + [False] * 3),
    ],
    ids=lambda y: str(y.dtype),
)
def test_null_polars_labels_are_refused_never_a_class(y):
    X = pl.DataFrame({"a": np.arange(12.0)})
    for call in (
        lambda: RandomUnderSampler().fit_resample(X, y),
        lambda: class_weights(y),
        lambda: sample_weights(y),
        lambda: ThresholdMover(LogisticRegression()).fit(X, y),
    ):
        with pytest.raises(ValueError, match="missing labels"):
            call()


def test_meta_estimators_on_polars_match_pandas():
    rng = np.random.default_rng(0)
    X = pl.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    yi = X["a"].to_numpy() > 0.5
    y = pl.Series("t", np.where(yi, "pos", "neg")).cast(pl.Enum(["pos", "neg"]))
    w = pl.Series("w", rng.uniform(0.5, 2, size=60))
    tm = ThresholdMover(LogisticRegression(), strategy="tuned", pos_label="pos")
    t1 = tm.fit(X, y).threshold_
    t2 = tm.fit(X.to_pandas(), y.to_pandas()).threshold_
    assert t1 == pytest.approx(t2)
    rc = ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression())
    p1 = rc.fit(X, y, sample_weight=w).predict_proba(X)
    p2 = rc.fit(
        X.to_pandas(), y.to_pandas(), sample_weight=w.to_pandas()
    ).predict_proba(X.to_pandas())
    np.testing.assert_allclose(p1, p2)
    assert rc.classes_.tolist() == ["neg", "pos"]


def test_adjust_priors_reads_polars_and_arrow_columns_by_name():
    P = pl.DataFrame({"b": [0.2, 0.5], "a": [0.8, 0.5]})
    train, deploy = {"a": 0.5, "b": 0.5}, {"a": 0.9, "b": 0.1}
    expected = adjust_priors(P.to_pandas(), train, deploy)
    np.testing.assert_allclose(adjust_priors(P, train, deploy), expected)
    np.testing.assert_allclose(adjust_priors(P.to_arrow(), train, deploy), expected)
    np.testing.assert_allclose(expected[1], [0.1, 0.9])
    # polars' names are text: int-keyed priors next to '1', '0' are refused
    with pytest.raises(ValueError, match="train_priors"):
        adjust_priors(pl.DataFrame({"1": [0.2], "0": [0.8]}), {0: 0.5, 1: 0.5}, [1, 1])
    assert adjust_priors(P.head(0), [0.5, 0.5], [0.1, 0.9]).shape == (0, 2)


def test_adjust_priors_polars_value_counts_frame_is_read_or_refused_with_a_fix():
    P = pl.DataFrame({"b": [0.2, 0.5], "a": [0.8, 0.5]})
    counts = pl.Series("t", ["a"] * 8 + ["b"] * 2).value_counts(normalize=True)
    expected = adjust_priors(P, {"a": 0.8, "b": 0.2}, {"a": 0.5, "b": 0.5})
    try:
        got = adjust_priors(P, counts, {"a": 0.5, "b": 0.5})
    except (ValueError, TypeError) as exc:
        # the polars equivalent of pandas' value_counts: name a fix that works
        assert "dict(" in str(exc) or "to_pandas" in str(exc), str(exc)
    else:
        np.testing.assert_allclose(got, expected)


def test_compare_on_polars_with_nulls_and_enums_matches_pandas():
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    a = rng.normal(size=60)
    X = pl.DataFrame(
        {
            "a": a,
            "c": pl.Series(rng.choice(["x", "y"], 60)).cast(pl.Enum(["y", "x"])),
            "n": [None if i % 7 == 0 else float(i) for i in range(60)],
        }
    )
    y = pl.Series("t", np.where(a > 0.5, "pos", "neg")).cast(pl.Enum(["pos", "neg"]))
    kw = dict(folds=2, seed=0, progress=False, method_names=["none", "under"])
    r1 = compare(X, y, **kw)
    r2 = compare(X.to_pandas(), y.to_pandas(), **kw)
    assert r1.to_json() == r2.to_json()
