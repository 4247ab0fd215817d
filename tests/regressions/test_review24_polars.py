"""Review 24, polars and pyarrow end to end: regressions."""

import datetime as dt
import decimal

import numpy as np
import pytest

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")


def _mixed_polars_frame(n=60):
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "x": rng.normal(size=n),
            "count": pl.Series([None] + list(rng.integers(0, 5, n - 1))),
            "colour": rng.choice(["red", "blue"], n),
            "kind": pl.Series(rng.choice(["u", "v"], n)).cast(pl.Enum(["v", "u"])),
            "day": [dt.date(2020, 1, 1) + dt.timedelta(days=int(i)) for i in range(n)],
            "price": pl.Series(
                [
                    (decimal.Decimal(int(i)) / 10).quantize(decimal.Decimal("0.01"))
                    for i in rng.integers(0, 30, n)
                ],  # one scale: polars 1.0 refuses Decimals of mixed scales
                dtype=pl.Decimal(6, 2),
            ),
            "row_id": np.arange(n),
            "tags": [[1, 2]] * n,
            "empty": pl.Series([None] * n, dtype=pl.Float64),
        }
    )


@pytest.mark.parametrize("kind", ["polars", "table", "record_batch"])
def test_plan_columns_takes_polars_and_arrow_frames(kind):
    # plan_columns / prepare_frame only took pandas: a polars frame crashed
    # (AttributeError: no dropna); they now plan its pandas conversion, with
    # the same plan as the user's own frame.to_pandas().
    from rebalance._columns import make_preprocessor, plan_columns, prepare_frame

    frame = _mixed_polars_frame()
    native = {
        "polars": frame,
        "table": frame.to_arrow(),
        "record_batch": frame.to_arrow().combine_chunks().to_batches()[0],
    }[kind]
    plan = plan_columns(native, drop=["colour"])
    expected = plan_columns(frame.to_pandas(), drop=["colour"])
    assert plan.used == expected.used
    assert plan.dropped == expected.dropped
    assert plan.dropped["row_id"].startswith("id-like")
    assert plan.used["kind"] == "categorical"
    assert plan.used["day"] == "datetime"
    assert plan.used["price"] == "numeric"
    prepared = prepare_frame(native, plan)
    assert list(prepared.columns) == list(plan.used)
    assert prepared["count"].isna().sum() == 1  # the null stays missing
    out = np.asarray(make_preprocessor(plan, 0).fit_transform(prepared))
    assert out.shape[0] == frame.shape[0]


def test_pandas_frame_refuses_int128_naming_x():
    from rebalance._columns import pandas_frame

    if not hasattr(pl, "Int128"):
        pytest.skip("polars 1.0 has no Int128")
    frame = pl.DataFrame({"a": pl.Series([1, 2], dtype=pl.Int128)})
    with pytest.raises(TypeError, match="X is a DataFrame .*128-bit"):
        pandas_frame(frame)


@pytest.mark.parametrize(
    "y",
    [
        lambda: pl.Series("y", [1, None, 2, 1]),
        lambda: pl.Series("y", ["a", None, "b", "a"], dtype=pl.Enum(["a", "b"])),
        lambda: pa.chunked_array([[1], [None, 2, 1]]),
        lambda: pa.array(["a", None, "b", "a"]).dictionary_encode(),
    ],
)
def test_missing_polars_arrow_labels_name_the_first_row(y):
    # pandas and numpy labels said where the first missing label is; polars
    # and pyarrow ones gave only a count.
    from rebalance.samplers import RandomOverSampler

    with pytest.raises(ValueError, match="the first at position 1"):
        RandomOverSampler().fit_resample([[0], [1], [2], [3]], y())


def test_compare_on_a_polars_frame_plans_its_columns_as_pandas():
    # Before: a polars frame with a text column was refused ("pass a pandas
    # DataFrame"), and one of numbers only kept its id column as a feature.
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    n = 80
    y = np.where(np.arange(n) % 4 == 0, "yes", "no")
    frame = pl.DataFrame(
        {
            "row_id": np.arange(n),
            "x": rng.normal(size=n) + (y == "yes"),
            "city": rng.choice(["a", "b", "c"], size=n),
        }
    )
    result = compare(frame, pl.Series(y), folds=2, method_names=["none"])
    expected = compare(frame.to_pandas(), y, folds=2, method_names=["none"])
    assert result.columns.dropped == expected.columns.dropped
    assert "row_id" in result.columns.dropped
    assert result.columns.used == expected.columns.used
