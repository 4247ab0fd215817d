"""Review 33 (samplers): fit_resample as a drop-in for imbalanced-learn's
samplers, fuzzed over containers, strategies and thread counts."""

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler
from rebalance._columns import plan_columns, prepare_frame

Y9 = np.array([0] * 6 + [1] * 3)


def test_smoothed_bootstrap_refuses_masked_entries():
    # Before: the noise scale (each class's std) was computed from the values
    # hidden under the mask (a -999 sentinel gave a class's std ~470, and the
    # added rows noise of that scale), silently. Masked entries are missing
    # values: refused as NaN is, with the fix named.
    X = np.ma.masked_array(np.arange(18.0).reshape(9, 2))
    X[7, 0] = -999.0
    X[7, 0] = np.ma.masked
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    with pytest.raises(ValueError, match=r"masked.*shrinkage=None"):
        sampler.fit_resample(X, Y9)
    # Nothing masked: the data as they are.
    plain = np.ma.masked_array(np.arange(18.0).reshape(9, 2), mask=False)
    X_res, y_res = sampler.fit_resample(plain, Y9)
    assert np.bincount(y_res).tolist() == [6, 6]
    # Without shrinkage rows are only copied: the mask travels with them.
    copier = RandomOverSampler(random_state=0)
    X_res, _ = copier.fit_resample(X, Y9)
    rows = copier.sample_indices_
    assert np.array_equal(np.ma.getmaskarray(X_res), np.ma.getmaskarray(X)[rows])


@pytest.mark.parametrize(
    "column",
    [
        ["2024-01-01", None, "2024-01-03"] * 4,  # text: parsed to microseconds
        pd.date_range("2024-01-01", periods=12, unit="s"),
        pd.date_range("3000-01-01", periods=12, unit="s"),  # past 2262
        pd.date_range("2024-01-01", periods=12, unit="ns", tz="Europe/Paris"),
        pd.period_range("2024-01-01", periods=12, freq="D"),
    ],
    ids=["text", "seconds", "year-3000", "nanoseconds-tz", "periods"],
)
def test_compare_fallback_datetimes_are_seconds_since_1970(column):
    # Before: the fallback encoding (no skrub) divided the datetime64 integers
    # by 1e9 whatever their unit, and pandas 3 stores parsed text and periods
    # in microseconds: 2024-01-01 became 1704067.2 "seconds", not
    # 1704067200.0 (a column in seconds: 1.7), although the plan describes
    # "seconds since 1970".
    frame = pd.DataFrame({"d": column, "x": np.arange(12.0)})
    plan = plan_columns(frame)
    assert plan.used["d"] == "datetime"
    plan.vectorizer = "fallback"
    seconds = prepare_frame(frame, plan)["d"].to_numpy()

    def timestamp(value):
        if value is None:
            return np.nan
        if isinstance(value, pd.Period):
            value = value.start_time
        return pd.Timestamp(value).timestamp()  # naive: read as UTC

    want = [timestamp(value) for value in list(column)]
    np.testing.assert_allclose(seconds, want)
