"""Review 98 polars: polars inputs across the public API.

The four samplers, ``sample_weight``, ``ResampledClassifier``,
``ThresholdMover``, the weight helpers, ``g_mean_score``, ``compare`` and
``rebalance.torch.RebalanceSampler`` with polars frames and Series: returned
types and dtypes kept, rows aligned, missing labels and lazy frames refused.
"""

from __future__ import annotations

import datetime
import decimal

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights

pl = pytest.importorskip("polars")

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
BASE = [0] * 9 + [1] * 3


def _frame(n: int = 12):
    return pl.DataFrame({"a": np.arange(n, dtype=np.int16), "b": np.linspace(0, 1, n)})


def _labels_of_every_dtype():
    text = ["neg"] * 9 + ["pos"] * 3
    yield pl.Series("y", BASE)
    for dtype in (pl.Int8, pl.UInt8, pl.UInt64, pl.Float32):
        yield pl.Series("y", BASE, dtype=dtype)
    yield pl.Series("y", [False] * 9 + [True] * 3)
    yield pl.Series("y", text)
    yield pl.Series("y", text, dtype=pl.Categorical)
    yield pl.Series("y", text, dtype=pl.Enum(["pos", "mid", "neg"]))
    yield pl.Series("y", [decimal.Decimal("1.0")] * 9 + [decimal.Decimal("2.0")] * 3)
    yield pl.Series(BASE)  # unnamed
    yield pl.DataFrame({"y": BASE})
    yield pl.DataFrame({"neg": [1] * 9 + [0] * 3, "pos": [0] * 9 + [1] * 3})


@pytest.mark.parametrize("cls", SAMPLERS)
def test_polars_labels_keep_type_dtype_name_and_rows(cls):
    X = _frame()
    for y in _labels_of_every_dtype():
        sampler = cls(random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        idx = sampler.sample_indices_
        assert isinstance(X_res, pl.DataFrame) and X_res.equals(X[idx])
        assert type(y_res) is type(y) and y_res.equals(y[idx])
        if isinstance(y, pl.Series):
            assert y_res.dtype == y.dtype and y_res.name == y.name
        else:
            assert y_res.schema == y.schema


@pytest.mark.parametrize(
    "y",
    [
        pl.Series("y", [0] * 8 + [None] + [1] * 3),
        pl.Series("y", ["a"] * 8 + [None] + ["b"] * 3),
        pl.Series("y", ["a"] * 8 + [None] + ["b"] * 3, dtype=pl.Enum(["b", "a"])),
        pl.Series("y", [0.0] * 8 + [float("nan")] + [1.0] * 3),
        pl.DataFrame({"y": [0] * 8 + [None] + [1] * 3}),
    ],
    ids=["int", "str", "enum", "nan", "frame"],
)
def test_missing_polars_labels_are_refused_naming_y(y):
    with pytest.raises(ValueError, match=r"^y has missing labels .* position 8"):
        RandomUnderSampler(random_state=0).fit_resample(_frame(), y)


def test_nulls_struct_list_and_array_columns_in_x_are_kept():
    X = _frame().with_columns(
        pl.Series("n", [None] + list(range(11))),
        pl.Series("s", ["x", None] * 6),
        pl.Series("st", [{"p": i, "q": str(i)} for i in range(12)]),
        pl.Series("l", [[i, i + 1] for i in range(12)]),
        pl.Series("arr", [[i, i] for i in range(12)], dtype=pl.Array(pl.Int64, 2)),
    )
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, pl.Series("y", BASE))
    assert X_res.schema == X.schema
    assert X_res.equals(X[sampler.sample_indices_])


def test_chunked_frames_and_weights_stay_aligned():
    X, labels = _frame(), ["b", "a", "a", "c", "a", "a", "b", "a", "c", "a", "b", "a"]
    Xc = pl.concat([X[:5], X[5:]], rechunk=False)
    yc = pl.concat(
        [pl.Series("y", labels[:5]), pl.Series("y", labels[5:])], rechunk=False
    )
    w = pl.concat(
        [pl.Series("w", np.arange(5.0)), pl.Series("w", np.arange(5.0, 12.0))],
        rechunk=False,
    )
    assert Xc.n_chunks() == 2 and yc.n_chunks() == 2
    sampler = LabelShuffleSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(Xc, yc, sample_weight=w)
    idx = sampler.sample_indices_
    assert X_res.equals(X[idx])
    assert y_res.to_list() == [labels[i] for i in idx]
    assert w_res.name == "w" and w_res.to_list() == np.arange(12.0)[idx].tolist()


@pytest.mark.parametrize("dtype", [pl.Float32, pl.Int32, pl.UInt8])
def test_polars_sample_weight_comes_back_with_its_dtype(dtype):
    w = pl.Series("w", range(1, 13)).cast(dtype)
    sampler = RandomOverSampler(random_state=0)
    *_, w_res = sampler.fit_resample(_frame(), pl.Series(BASE), sample_weight=w)
    assert w_res.dtype == dtype and w_res.name == "w"
    assert w_res.to_list() == w.to_numpy()[sampler.sample_indices_].tolist()


def test_lazy_frames_are_refused_naming_collect():
    X, y = _frame(), pl.Series("y", BASE)
    lazy_y = pl.DataFrame({"y": BASE}).lazy()
    fix = r"Collect it first, e\.g\. {}\.collect\(\)"
    with pytest.raises(TypeError, match="X is a lazy LazyFrame.*" + fix.format("X")):
        RandomUnderSampler().fit_resample(X.lazy(), y)
    with pytest.raises(TypeError, match="y is a lazy.*" + fix.format("y")):
        RandomUnderSampler().fit_resample(X, lazy_y)
    with pytest.raises(TypeError, match="sample_weight is a lazy"):
        RandomUnderSampler().fit_resample(
            X, y, sample_weight=pl.DataFrame({"w": [1.0] * 12}).lazy()
        )
    with pytest.raises(TypeError, match="y_true is a lazy"):
        g_mean_score(lazy_y, y)
    with pytest.raises(TypeError, match="y is a lazy"):
        class_weights(lazy_y)
    model = ThresholdMover(_logistic()).fit(X, y)
    with pytest.raises(TypeError, match="X is a lazy.*X.collect"):
        model.predict(X.lazy())


def test_temporal_labels_are_refused_naming_to_physical():
    y = pl.Series(
        "y", [datetime.date(2020, 1, 1)] * 9 + [datetime.date(2021, 1, 1)] * 3
    )
    with pytest.raises(ValueError, match=r"y has dtype Date .*y\.to_physical\(\)"):
        RandomUnderSampler().fit_resample(_frame(), y)


def test_enum_weights_follow_its_category_order_like_pandas():
    values = ["a", "b", "b", "c", "c", "c"]
    enum = pl.Series(values, dtype=pl.Enum(["c", "b", "a"]))
    cat = pd.Series(pd.Categorical(values, categories=["c", "b", "a"]))
    assert list(class_weights(enum).items()) == list(class_weights(cat).items())
    assert list(class_weights(enum)) == ["c", "b", "a"]
    np.testing.assert_allclose(sample_weights(enum), [2, 1, 1, 2 / 3, 2 / 3, 2 / 3])


# A (n, 1) y_true warns as imbalanced-learn's does (DataConversionWarning).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_g_mean_score_polars_labels_of_any_kind_match_imblearn():
    from imblearn.metrics import geometric_mean_score

    rng = np.random.default_rng(0)
    yt = rng.choice(["a", "b", "c"], 60, p=[0.6, 0.3, 0.1])
    yp = np.where(rng.random(60) < 0.7, yt, rng.choice(["a", "b", "c"], 60))
    w = rng.random(60)
    expected = geometric_mean_score(yt, yp, sample_weight=w)
    pairs = [
        (pl.Series(yt, dtype=pl.Categorical), pl.Series(yp)),
        (pl.Series(yt, dtype=pl.Enum(["c", "b", "a"])), yp),
        (
            pl.Series(yt, dtype=pl.Enum(["c", "b", "a"])),
            pl.Series(yp, dtype=pl.Enum(["a", "b", "c"])),
        ),
        (pl.DataFrame({"y": yt}), pl.Series(yp)),
    ]
    for y_true, y_pred in pairs:
        got = g_mean_score(y_true, y_pred, sample_weight=pl.Series(w))
        assert got == pytest.approx(expected)
    with pytest.raises(ValueError, match="y_pred has missing labels"):
        g_mean_score(pl.Series([0, 1, 0, 1]), pl.Series([0, 1, None, 1]))


def _logistic():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression()


def test_meta_estimators_with_polars_match_pandas():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = pl.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    y = pl.Series("y", ["neg"] * 30 + ["pos"] * 10, dtype=pl.Enum(["pos", "neg"]))
    w = pl.Series("w", rng.random(40) + 0.5)
    Xp, yp, wp = X.to_pandas(), y.to_pandas(), w.to_pandas()
    pipe = make_pipeline(StandardScaler(), _logistic()).set_output(transform="polars")
    for make in (
        lambda: ThresholdMover(pipe),
        lambda: ResampledClassifier(RandomUnderSampler(random_state=0), pipe),
    ):
        a = make().fit(X, y)
        b = make().fit(Xp, yp)
        assert a.classes_.tolist() == b.classes_.tolist()
        assert a.predict(X).tolist() == b.predict(Xp).tolist()
        assert a.score(X, y, sample_weight=w) == b.score(Xp, yp, sample_weight=wp)
    with pytest.raises(ValueError, match="^y has missing labels"):
        ThresholdMover(_logistic()).fit(X, pl.Series([None] + y.to_list()[1:]))


def test_imblearn_pipeline_keeps_polars_after_set_output():
    from imblearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = _frame().with_columns(pl.col("a").cast(pl.Float64))
    pipe = make_pipeline(
        StandardScaler().set_output(transform="polars"),
        RandomUnderSampler(random_state=0),
    )
    X_res, y_res = pipe.fit_resample(X, pl.Series("y", BASE))
    assert isinstance(X_res, pl.DataFrame) and isinstance(y_res, pl.Series)
    assert X_res.columns == ["a", "b"] and y_res.to_list().count(1) == 3


def test_compare_reads_a_polars_enum_target_like_pandas():
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    X = pl.DataFrame({"a": rng.normal(size=90)})
    y = pl.Series("t", (rng.random(90) < 0.25).astype(int))
    y = y.cast(pl.String).cast(pl.Enum(["1", "0"]))
    kw = {"method_names": ["none"], "folds": 3, "progress": False}
    a = compare(X, y, **kw)
    b = compare(X.to_pandas(), y.to_pandas(), **kw)
    assert a.labels == b.labels and a.positive == b.positive == "1"
    assert a.scores == b.scores


@pytest.mark.parametrize("cls", SAMPLERS)
def test_torch_sampler_on_enum_labels_draws_fit_resample_indices(cls):
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = ["b", "a", "a", "a", "a", "a", "b", "c", "c", "a", "b", "a"]
    y = pl.Series("y", labels, dtype=pl.Enum(["c", "b", "a"]))
    torch_sampler = RebalanceSampler(y, cls(), seed=3)
    torch_sampler.set_epoch(2)
    sampler = cls(random_state=np.random.default_rng([3, 2]))
    sampler.fit_resample(_frame(), y)
    assert list(torch_sampler) == sampler.sample_indices_.tolist()


def test_torch_sampler_float_polars_labels_name_a_polars_fix():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = pl.Series("y", [0.0, 1.0, 1.0])
    with pytest.raises(TypeError) as info:
        RebalanceSampler(labels)
    assert "astype" not in str(info.value)
    assert "cast" in str(info.value)
