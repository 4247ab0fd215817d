"""Review 104, polars2: polars (2.x) and narwhals inputs across the public API."""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)
from rebalance.metrics import g_mean_score

pl = pytest.importorskip("polars")

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
N = 20
LABELS = ["z"] * 14 + ["a"] * 6


def _enum():
    # physical order z, m, a differs from lexical; m is never used
    return pl.Enum(["z", "m", "a"])


def _y_enum(values=LABELS):
    return pl.Series("y", values, dtype=_enum())


def _x():
    return pl.DataFrame({"a": np.arange(N, dtype=float), "b": np.arange(N) * 2})


def test_narwhals_wrapped_enum_labels_draw_like_the_native_enum():
    nw = pytest.importorskip("narwhals")
    y = _y_enum()
    wrapped = nw.from_native(y, series_only=True)
    assert list(class_weights(wrapped)) == list(class_weights(y)) == ["z", "a"]
    native = RandomUnderSampler(random_state=0)
    native.fit_resample(_x(), y)
    through = RandomUnderSampler(random_state=0)
    through.fit_resample(_x(), wrapped)
    assert through.sample_indices_.tolist() == native.sample_indices_.tolist()
    # the labels come back in the container given, with their dtype
    _, y_out = RandomUnderSampler(random_state=0).fit_resample(_x(), wrapped)
    assert type(y_out) is type(wrapped)
    assert nw.to_native(y_out).dtype == y.dtype


def test_shrinkage_refusal_of_an_enum_feature_gives_a_fix_that_works():
    X = _x().with_columns(pl.Series("e", LABELS[::-1], dtype=_enum()))
    with pytest.raises(ValueError, match="shrinkage") as info:
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, _y_enum())
    message = str(info.value)
    assert "'e'" in message
    # polars: "cannot cast categorical types to Float64"
    with pytest.raises(Exception, match="cast"):
        X["e"].cast(pl.Float64)
    assert "cast that column to a float" not in message
    assert "to_physical" in message or "encode" in message


@pytest.mark.parametrize("cls", SAMPLERS)
def test_lazy_x_or_y_is_refused_naming_collect(cls):
    with pytest.raises(TypeError, match=r"X\.collect\(\)"):
        cls(random_state=0).fit_resample(_x().lazy(), _y_enum())
    with pytest.raises(TypeError, match=r"y\.collect\(\)"):
        cls(random_state=0).fit_resample(_x(), _y_enum().to_frame().lazy())


def test_lazy_inputs_to_weights_metrics_and_compare_are_refused():
    lazy_y = _y_enum().to_frame().lazy()
    for call in (class_weights, sample_weights):
        with pytest.raises(TypeError, match=r"y\.collect\(\)"):
            call(lazy_y)
    with pytest.raises(TypeError, match=r"y_true\.collect\(\)"):
        g_mean_score(lazy_y, _y_enum())
    with pytest.raises(TypeError, match=r"sample_weight\.collect\(\)"):
        g_mean_score(
            _y_enum(),
            _y_enum(),
            sample_weight=pl.DataFrame({"w": np.ones(N)}).lazy(),
        )


def test_lazy_x_to_compare_is_refused():
    from rebalance.compare import compare

    with pytest.raises(TypeError, match=r"X\.collect\(\)"):
        compare(_x().lazy(), _y_enum(), folds=2, progress=False)


def test_string_labels_with_nulls_are_refused_naming_fill_null():
    y = pl.Series("y", ["a"] * 14 + [None] + ["b"] * 5)
    calls = [
        lambda: RandomOverSampler().fit_resample(_x(), y),
        lambda: class_weights(y),
        lambda: sample_weights(y),
        lambda: g_mean_score(y, pl.Series(["a"] * N)),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"fill_null\('unknown'\)") as info:
            call()
        assert "position 14" in str(info.value)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_enum_categorical_and_boolean_labels_keep_their_dtype(cls):
    for y in (
        _y_enum(),
        pl.Series("y", LABELS, dtype=pl.Categorical),
        pl.Series("y", [v == "a" for v in LABELS]),
    ):
        sampler = cls(random_state=0)
        X_res, y_res = sampler.fit_resample(_x(), y)
        assert y_res.dtype == y.dtype
        assert y_res.name == "y"
        assert X_res["a"].to_list() == [float(i) for i in sampler.sample_indices_]
        if cls is not LabelShuffleSampler:
            assert y_res.to_list() == [y[int(i)] for i in sampler.sample_indices_]


def test_enum_weights_follow_category_order_like_pandas():
    y = _y_enum()
    assert list(class_weights(y)) == list(class_weights(y.to_pandas())) == ["z", "a"]
    np.testing.assert_allclose(
        sample_weights(y), sample_weights(np.array(LABELS)), rtol=0, atol=0
    )


def _three_class_data():
    rng = np.random.default_rng(0)
    labels = (["z"] * 6 + ["m"] * 2 + ["a"]) * 10
    code = {"z": 0, "m": 1, "a": 2}
    X = rng.normal(size=(90, 2)) + np.array([[code[v] * 1.5, 0] for v in labels])
    return X, labels


@pytest.mark.parametrize(
    "kind, params",
    [
        ("tuned", {"strategy": "tuned", "pos_label": "a", "cv": 3}),
        (
            "cost",
            {"strategy": "cost", "cost_matrix": [[0, 1, 1], [5, 0, 1], [1, 1, 0]]},
        ),
    ],
)
def test_threshold_mover_with_enum_and_categorical_matches_pandas_and_numpy(
    kind, params
):
    X, labels = _three_class_data()
    if kind == "tuned":
        labels = [v if v != "m" else "z" for v in labels]
    enum = pl.Enum(["z", "q", "m", "a"])
    Xp = pl.DataFrame(X, schema=["f0", "f1"])
    runs = [
        (Xp, pl.Series("y", labels, dtype=enum)),
        (Xp, pl.Series("y", labels, dtype=pl.Categorical)),
        (Xp.to_pandas(), pl.Series("y", labels, dtype=enum).to_pandas()),
        (X, np.array(labels, dtype=object)),
    ]
    results = []
    for Xi, yi in runs:
        model = ThresholdMover(LogisticRegression(), **params).fit(Xi, yi)
        predicted = model.predict(Xi)
        assert isinstance(predicted, np.ndarray)
        results.append(
            (
                [str(c) for c in model.classes_],
                [str(v) for v in predicted],
                model.score(Xi, yi),
            )
        )
    assert all(r == results[0] for r in results)
    assert results[0][0] == sorted(set(labels))
    assert set(results[0][1]) <= set(labels)


def test_resampled_classifier_with_enum_labels_and_weights_matches_pandas():
    X, labels = _three_class_data()
    enum = pl.Enum(["z", "q", "m", "a"])
    Xp = pl.DataFrame(X, schema=["f0", "f1"])
    weights = np.arange(90) + 1.0
    fitted = []
    for Xi, yi, wi in (
        (Xp, pl.Series("y", labels, dtype=enum), pl.Series("w", weights)),
        (Xp.to_pandas(), pl.Series("y", labels, dtype=enum).to_pandas(), weights),
    ):
        model = ResampledClassifier(
            RandomOverSampler(random_state=0), LogisticRegression()
        )
        model.fit(Xi, yi, sample_weight=wi)
        fitted.append(model)
    polars_model, pandas_model = fitted
    assert (
        polars_model.classes_.tolist()
        == pandas_model.classes_.tolist()
        == ["a", "m", "z"]
    )
    np.testing.assert_allclose(
        polars_model.predict_proba(Xp), pandas_model.predict_proba(Xp.to_pandas())
    )
    assert (
        polars_model.predict(Xp).tolist()
        == pandas_model.predict(Xp.to_pandas()).tolist()
    )


def test_boolean_labels_predict_booleans_like_numpy():
    y = pl.Series("y", [v == "a" for v in LABELS])
    X = _x()
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    predicted = model.fit(X, y).predict(X)
    reference = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    expected = reference.fit(X.to_numpy(), y.to_numpy()).predict(X.to_numpy())
    assert predicted.dtype == np.bool_
    assert predicted.tolist() == expected.tolist()
    assert model.classes_.tolist() == [False, True]


def _feature_columns():
    return {
        "date": pl.Series(
            [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(N)]
        ),
        "datetime": pl.Series(
            [dt.datetime(2020, 1, 1) + dt.timedelta(hours=i) for i in range(N)]
        ).dt.replace_time_zone("Europe/Paris"),
        "duration": pl.Series([dt.timedelta(seconds=i) for i in range(N)]),
        "decimal": pl.Series(
            [decimal.Decimal(i) / 10 for i in range(N)], dtype=pl.Decimal(10, 2)
        ),
        "f32": pl.Series(np.arange(N, dtype=np.float32)),
        "list": pl.Series([[i, i + 1] for i in range(N)]),
        "struct": pl.Series([{"p": i, "q": str(i)} for i in range(N)]),
        "array": pl.Series([[i, -i] for i in range(N)], dtype=pl.Array(pl.Int64, 2)),
        "time": pl.Series([dt.time(i % 24) for i in range(N)]),
        "binary": pl.Series([bytes([i]) for i in range(N)]),
        "int128": pl.Series(range(N), dtype=pl.Int128),
        "enum": pl.Series(LABELS[::-1], dtype=_enum()),
        "categorical": pl.Series([f"k{i % 3}" for i in range(N)], dtype=pl.Categorical),
    }


@pytest.mark.parametrize("cls", [RandomOverSampler, ClassBalancedSampler])
def test_every_feature_dtype_is_kept_on_the_drawn_rows(cls):
    X = pl.DataFrame({"a": np.arange(N, dtype=float)}).with_columns(
        **_feature_columns()
    )
    sampler = cls(random_state=0)
    X_res, _ = sampler.fit_resample(X, _y_enum())
    assert X_res.schema == X.schema
    rows = [int(i) for i in sampler.sample_indices_]
    for name in X.columns:
        source = X[name].to_list()
        assert X_res[name].to_list() == [source[i] for i in rows], name


def test_object_column_keeps_its_very_objects():
    things = [object() for _ in range(N)]
    X = pl.DataFrame({"a": np.arange(N, dtype=float)}).with_columns(
        pl.Series("o", things, dtype=pl.Object)
    )
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, _y_enum())
    assert X_res.schema == X.schema
    for k, i in enumerate(sampler.sample_indices_):
        assert X_res["o"][k] is things[int(i)]


def test_shrinkage_keeps_polars_numeric_dtypes_like_pandas():
    rng = np.random.default_rng(0)
    X = pl.DataFrame(
        {
            "f32": rng.normal(size=N).astype(np.float32),
            "i16": np.arange(N, dtype=np.int16),
            "dec": pl.Series(
                [decimal.Decimal(i) / 10 for i in range(N)], dtype=pl.Decimal(10, 2)
            ),
        }
    )
    X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
        X, _y_enum()
    )
    assert X_res.schema == X.schema
    plain = X.drop("dec")
    a, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
        plain, _y_enum()
    )
    b, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
        plain.to_pandas(), _y_enum().to_pandas()
    )
    assert b.dtypes.tolist() == [np.float32, np.int16]
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy())


def test_column_named_like_the_label_is_left_alone():
    X = pl.DataFrame({"a": np.arange(N, dtype=float), "y": np.arange(N) + 100})
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, _y_enum())
    assert X_res.columns == ["a", "y"]
    assert X_res["y"].to_list() == [int(i) + 100 for i in sampler.sample_indices_]
    assert y_res.name == "y" and y_res.dtype == _enum()


def test_wide_frame_of_500_columns_keeps_schema_and_rows():
    W = pl.DataFrame({f"c{i}": np.arange(N) + i for i in range(500)})
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(W, _y_enum())
    assert X_res.schema == W.schema
    np.testing.assert_array_equal(
        X_res.to_numpy(), W.to_numpy()[sampler.sample_indices_]
    )


def test_zero_column_frame_is_refused():
    # A polars frame with no column has no rows either.
    empty = _x().select([])
    with pytest.raises(ValueError, match="X is empty"):
        RandomOverSampler().fit_resample(empty, _y_enum())
    with pytest.raises(ValueError, match="X has no columns"):
        RandomOverSampler().fit_resample(pd.DataFrame(index=range(N)), LABELS)


def _chunked_inputs():
    X = pl.DataFrame(
        {"a": np.arange(30, dtype=float), "s": [f"r{i}" for i in range(30)]}
    )
    labels = (["z"] * 3 + ["a"]) * 7 + ["z", "z"]
    y = pl.Series("y", labels, dtype=_enum())
    X_chunks = pl.concat(
        [X.slice(0, 0), X.slice(0, 7), X.slice(7, 0)]
        + [X.slice(i, 1) for i in range(7, 30)],
        rechunk=False,
    )
    y_chunks = pl.concat(
        [y.slice(0, 0), y.slice(0, 7), y.slice(7, 0)]
        + [y.slice(i, 1) for i in range(7, 30)],
        rechunk=False,
    )
    mask = pl.Series(np.arange(30) % 3 != 0)
    return [
        (X_chunks, y_chunks),
        (X.slice(5, 20), y.slice(5, 20)),
        (X.filter(mask), y.filter(mask)),
    ]


@pytest.mark.parametrize(
    "cls", [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler]
)
def test_chunked_sliced_and_filtered_frames_give_the_right_rows(cls):
    for X, y in _chunked_inputs():
        weights = pl.Series("w", X["a"] + 0.5)
        sampler = cls(random_state=0)
        X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
        rows = [int(i) for i in sampler.sample_indices_]
        assert X_res["s"].to_list() == [X["s"][i] for i in rows]
        assert y_res.to_list() == [y[i] for i in rows]
        assert w_res.to_list() == [weights[i] for i in rows]
        pandas_sampler = cls(random_state=0)
        X_pd, _, _ = pandas_sampler.fit_resample(
            X.to_pandas(), y.to_pandas(), sample_weight=weights.to_numpy()
        )
        assert X_pd["s"].tolist() == X_res["s"].to_list()


def test_pipeline_with_polars_set_output_matches_numpy():
    from imblearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = pl.DataFrame({"a": np.arange(N, dtype=float), "b": np.arange(N) ** 2.0})

    def pipe():
        return make_pipeline(
            StandardScaler(), RandomUnderSampler(random_state=0), LogisticRegression()
        )

    polars_pipe = pipe().set_output(transform="polars").fit(X, _y_enum())
    numpy_pipe = pipe().fit(X.to_numpy(), np.array(LABELS))
    assert isinstance(polars_pipe[:1].transform(X), pl.DataFrame)
    assert polars_pipe.predict(X).tolist() == numpy_pipe.predict(X.to_numpy()).tolist()
    np.testing.assert_allclose(
        polars_pipe.predict_proba(X), numpy_pipe.predict_proba(X.to_numpy())
    )


def test_compare_on_polars_matches_pandas_and_numpy():
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    y = pl.Series("y", ["z"] * 45 + ["a"] * 15, dtype=_enum())
    X = pl.DataFrame({"x1": rng.normal(size=60), "x2": rng.normal(size=60)})
    X = X.with_columns(pl.col("x1") + (y == "a").cast(pl.Float64) * 2)
    methods = ["none", "under", "over"]
    results = [
        compare(Xi, yi, folds=3, progress=False, method_names=methods)
        for Xi, yi in (
            (X, y),
            (X.to_pandas(), y.to_pandas()),
            (X.to_numpy(), y.to_numpy()),
        )
    ]
    for result in results:
        assert result.labels == ["z", "a"]
        assert result.positive == "a"
        assert set(result.scores) == set(methods)
        for method in methods:
            for metric, values in result.scores[method].items():
                np.testing.assert_allclose(values, results[0].scores[method][metric])


def test_g_mean_with_polars_labels_and_weights_matches_numpy():
    truth = [True] * 14 + [False] * 6
    guess = [True] * 10 + [False] * 10
    w = np.arange(N) + 1.0
    expected = g_mean_score(np.array(truth), np.array(guess), sample_weight=w)
    got = g_mean_score(pl.Series(truth), pl.Series(guess), sample_weight=pl.Series(w))
    assert got == pytest.approx(expected)
    assert expected != pytest.approx(g_mean_score(np.array(truth), np.array(guess)))
    enum_score = g_mean_score(_y_enum(), _y_enum(LABELS[::-1]))
    assert enum_score == pytest.approx(
        g_mean_score(np.array(LABELS), np.array(LABELS[::-1]))
    )


def test_narwhals_frames_come_back_as_narwhals_with_the_right_rows():
    nw = pytest.importorskip("narwhals")
    X = nw.from_native(_x())
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, _y_enum())
    assert isinstance(X_res, nw.DataFrame)
    assert X_res.to_native()["a"].to_list() == [
        float(i) for i in sampler.sample_indices_
    ]
    assert y_res.dtype == _enum()


@pytest.mark.parametrize(
    "y",
    [
        _y_enum(),
        pl.Series("y", LABELS, dtype=pl.Categorical),
        pl.Series("y", [v == "a" for v in LABELS]),
        pl.Series("y", LABELS),
    ],
    ids=["enum", "categorical", "boolean", "string"],
)
def test_torch_sampler_on_polars_labels_draws_fit_resample_rows(y):
    pytest.importorskip("torch")
    from rebalance.torch.samplers import RebalanceSampler

    drawn = list(RebalanceSampler(y, RandomOverSampler(random_state=0)))
    reference = RandomOverSampler(random_state=0)
    reference.fit_resample(np.zeros((N, 1)), y.to_numpy())
    assert sorted(drawn) == sorted(reference.sample_indices_.tolist())


def test_torch_sampler_refuses_lazy_and_null_polars_labels():
    pytest.importorskip("torch")
    from rebalance.torch.samplers import RebalanceSampler

    with pytest.raises(TypeError, match=r"labels\.collect\(\)"):
        RebalanceSampler(_y_enum().to_frame().lazy(), RandomOverSampler())
    with pytest.raises(ValueError, match=r"labels\.fill_null"):
        RebalanceSampler(
            pl.Series(["a"] * 14 + [None] + ["b"] * 5), RandomOverSampler()
        )
