"""Review 112 (diff27): the session's changes to rebalance/ since 285774c -- dates
planned only when every value is a date with a year and parsed with pandas'
guessed format before value-by-value parsing, categorical-planned columns
cast to categoricals of their text, " NA" markers, and Dask frames keyed by
their sources in order."""

import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomUnderSampler
from rebalance._columns import _day_order, _mixed_dates, _parse_dates
from rebalance.compare import compare


@pytest.mark.parametrize(
    "values",
    [
        ["01/02/2024 10:00", "13/02/2024 10:00"],
        ["1/2/2024 1:00 PM", "1/3/2024 12:30 AM"],
        ["07 dec 2026 10:00", "08 DEC 2026 11:00"],
        ["07 Dec 2026 10:00:00.5", "08 Dec 2026 10:00:00"],
        ["7 Dec 26", "8 Dec 70"],
        ["2024-01-02 10:00", "13/01/2024 10:00"],
    ],
)
def test_guessed_format_reads_as_value_by_value_parsing(values):
    s = pd.Series(values, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = _mixed_dates(s, _day_order(s) == "day")
    pd.testing.assert_series_equal(_parse_dates(s), old, check_dtype=False)


def test_categorical_columns_with_space_markers_compare_end_to_end():
    rng = np.random.default_rng(0)
    n = 120
    X = pd.DataFrame(
        {
            "c": rng.choice(["a", "b", " NA", None], n).astype(object),
            "cat": pd.Categorical(rng.choice([1, 2, 3], n)),
            "x": rng.normal(size=n),
        }
    )
    y = (np.arange(n) % 3 == 0).astype(int)
    result = compare(X, y, folds=2, method_names=["none"], progress=False)
    assert result.columns.used["c"] == "categorical"
    assert result.columns.used["cat"] == "categorical"


def test_dask_concat_with_repeated_sources_in_other_order_is_refused():
    dd = pytest.importorskip("dask.dataframe")
    A = pd.DataFrame({"a": np.arange(100), "t": (np.arange(100) % 5 == 0) * 1})
    B = pd.DataFrame({"a": np.arange(100, 200), "t": (np.arange(100) % 3 == 0) * 1})
    a, b = dd.from_pandas(A, npartitions=2), dd.from_pandas(B, npartitions=2)
    X, y = dd.concat([a, b, a])[["a"]], dd.concat([a, a, b])["t"]
    with pytest.raises(ValueError, match="y holds other rows"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_year_less_value_after_the_sample_is_not_read_as_a_date():
    n = 1100
    days = pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d")
    dates = pd.Series(days, dtype=object)
    dates.iloc[-1] = "Jan 5"
    X = pd.DataFrame({"d": dates, "x": np.arange(n, dtype=float) % 7})
    y = (np.arange(n) % 4 == 0).astype(int)
    result = compare(X, y, folds=2, method_names=["none"], progress=False)
    assert result.columns.used.get("d") != "datetime"
    assert "d" in result.columns.notes


def test_hf_transform_that_remaps_labels_is_balanced_on_the_labels_it_yields():
    datasets = pytest.importorskip("datasets")
    rt = pytest.importorskip("rebalance.torch")
    stored = datasets.Dataset.from_dict(
        {"x": list(range(100)), "label": [i % 10 for i in range(100)]}
    )

    def binary(batch):  # ten fine classes -> "is class 0"
        return {"x": batch["x"], "label": [int(v == 0) for v in batch["label"]]}

    dataset = stored.with_transform(binary)
    batch = next(iter(rt.RebalancedLoader()(dataset, batch_size=1000)))
    # balanced over the labels the loader yields (0 and 1): about half are 1
    assert np.asarray(batch["label"]).mean() > 0.3
