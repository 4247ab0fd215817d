"""Review 50 (versions): the test suite and a differential run on the lowest
allowed stack (Python 3.10, numpy 1.25.2, pandas 2.0.3, polars 1.0.0, pyarrow
14.0.2, scikit-learn 1.6.0, numba 0.60.0) and the newest (Python 3.13).

Each test reproduces, on the project's own stack, a behaviour of an older or
newer peer that broke rebalance there (emulated by patching the peer where the
project's stack behaves differently), and checks the result against the peer's
own answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rebalance import _columns


def _stamps_across_dst():
    stamps = pd.date_range("2024-03-20", "2024-04-10", periods=12, tz="Europe/Paris")
    return pd.Series([t.isoformat() for t in stamps[::-1]], index=np.arange(12) * 3)


def _pandas2_to_datetime(real):
    """pandas < 3's ``to_datetime`` of text whose UTC offsets change: an object
    column of Timestamps (pandas 3 raises "Mixed timezones detected")."""

    def to_datetime(values, *args, **kwargs):
        try:
            return real(values, *args, **kwargs)
        except ValueError as exc:
            if "Mixed timezones" not in str(exc) or kwargs.get("utc"):
                raise
            stamps = [pd.Timestamp(v) for v in values]
            return pd.Series(stamps, index=values.index, dtype=object)

    return to_datetime


def test_parse_dates_offsets_changing_at_dst_are_utc_on_pandas_before_3(
    monkeypatch,
):
    # On pandas 2.0-2.3, "2024-03-30T05:03+01:00" and "2024-04-01T22:32+02:00"
    # parse to objects, and `rebalance compare --data` then failed with
    # "AttributeError: Can only use .dt accessor with datetimelike values".
    values = _stamps_across_dst()
    monkeypatch.setattr(pd, "to_datetime", _pandas2_to_datetime(pd.to_datetime))
    parsed = _columns._parse_dates(values)
    expected = pd.Series(
        [pd.Timestamp(v).tz_convert("UTC") for v in values], index=values.index
    )
    assert isinstance(parsed.dtype, pd.DatetimeTZDtype)
    assert str(parsed.dtype.tz) == "UTC"
    assert parsed.index.tolist() == values.index.tolist()
    assert [t.value for t in parsed] == [t.value for t in expected]


def test_compare_reads_offsets_changing_at_dst_on_pandas_before_3(
    tmp_path, monkeypatch
):
    # The CLI path of the test above (review 11's test of the same data
    # failed on pandas 2.0.3 with the AttributeError).
    import builtins
    import contextlib
    import io
    import json

    from rebalance.cli import main

    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 10)[rng.permutation(40)]
    stamps = pd.date_range("2024-03-20", "2024-04-10", periods=40, tz="Europe/Paris")
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=40),
            "when": [t.isoformat() for t in stamps[rng.permutation(40)]],
            "y": y,
        }
    )
    path = tmp_path / "stamps.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out.json"
    monkeypatch.setattr(pd, "to_datetime", _pandas2_to_datetime(pd.to_datetime))
    # without skrub (or with one that does not import, as on that stack: skrub
    # 0.6.0 with joblib 1.6), datetimes are encoded as seconds by rebalance
    real_import = builtins.__import__

    def no_skrub(name, *args, **kwargs):
        if name == "skrub":
            raise ImportError("cannot import name 'cloudpickle'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skrub)
    argv = ["compare", "--data", str(path), "--target", "y", "--folds", "2"]
    argv += ["--methods", "none", "--json", str(out)]
    with contextlib.redirect_stdout(io.StringIO()):
        with contextlib.redirect_stderr(io.StringIO()):
            code = main(argv)
    assert code == 0
    data = json.loads(out.read_text())
    assert data["columns"]["used"].get("when") == "datetime", data["columns"]


def _pandas2_nanosecond_bounds(real):
    """pandas < 3's ``to_datetime`` of text: nanoseconds only, so a date
    before 1677-09-22 or after 2262-04-11 is NaT under errors="coerce"."""

    def to_datetime(values, *args, **kwargs):
        out = real(values, *args, **kwargs)
        if isinstance(out, pd.Series) and out.dtype.kind == "M":
            low = pd.Timestamp("1677-09-22").as_unit(out.dt.unit)
            high = pd.Timestamp("2262-04-11").as_unit(out.dt.unit)
            out = out.where((out > low) & (out < high))
        return out

    return to_datetime


@pytest.mark.parametrize("far", ["9999-12-31", "1600-01-01"])
def test_dates_past_nanosecond_range_stay_dates_on_pandas_before_3(far, monkeypatch):
    # On pandas 2.0.3 a date column with an end-of-validity sentinel
    # ("9999-12-31") was not seen as dates: `rebalance compare` used it as a
    # high-cardinality categorical (pandas 3: datetime, in seconds).
    import datetime

    from rebalance._columns import plan_columns, prepare_frame

    n = 30
    days = [str(d.date()) for d in pd.date_range("2020-01-01", periods=n, freq="7D")]
    days[4] = days[11] = far
    days[7] = None
    frame = pd.DataFrame({"a": np.linspace(0.0, 1.0, n), "valid_to": days})
    monkeypatch.setattr(pd, "to_datetime", _pandas2_nanosecond_bounds(pd.to_datetime))
    plan = plan_columns(frame)
    assert plan.used.get("valid_to") == "datetime", (plan.used, plan.dropped)
    plan.vectorizer = "fallback"  # datetimes as seconds since 1970
    out = prepare_frame(frame, plan)
    epoch = datetime.datetime(1970, 1, 1)
    expected = [
        np.nan
        if d is None
        else (datetime.datetime.strptime(d, "%Y-%m-%d") - epoch).total_seconds()
        for d in days
    ]
    np.testing.assert_array_equal(out["valid_to"].to_numpy(), np.array(expected))


# sample_indices_ of seed 42, the same on Python 3.10 with numpy 1.25.2,
# numba 0.60, pandas 2.0.3, polars 1.0, pyarrow 14 and on Python 3.11/3.13
# with numpy 2.4/2.5, numba 0.68, pandas 3.1, polars 2.1, pyarrow 26 (review 50
# ran all three): a change here changes every user's resampled data.
_GOLDEN_Y = [0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0]
_GOLDEN_Y += [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0]
_GOLDEN = {
    "RandomUnderSampler": [25, 18, 11, 3, 5, 4, 22, 29, 13],
    "RandomOverSampler": [
        0, 4, 13, 19, 28, 11, 4, 6, 17, 13, 11, 4, 4, 20, 7, 22, 18, 25, 14, 4,
        1, 3, 26, 25, 23, 4, 25, 4, 2, 11, 12, 18, 25, 11, 2, 4, 29, 4, 9, 13,
        4, 2, 22, 4, 18, 8, 7, 13, 24, 22, 22, 7, 11, 10, 4, 2, 25, 15, 11, 25,
        5, 16, 2, 25, 21, 27,
    ],
    "ClassBalancedSampler": [
        20, 28, 11, 11, 22, 24, 24, 11, 7, 7, 6, 22, 11, 14, 4, 2, 11, 29, 22,
        4, 6, 4, 3, 10, 13, 14, 20, 7, 23, 9,
    ],
    "LabelShuffleSampler": [
        11, 22, 13, 4, 6, 11, 4, 7, 10, 11, 15, 22, 7, 13, 25, 11, 2, 22, 2,
        22, 11, 29, 25, 4, 18, 23, 11, 25, 7, 4, 3, 21, 4, 24, 22, 18, 12, 18,
        2, 11, 19, 5, 16, 25, 17, 0, 13, 2, 4, 22, 7, 22, 27, 2, 4, 1, 11, 28,
        26, 9, 7, 18, 20, 8, 13, 14,
    ],
}  # fmt: skip


def _golden_inputs():
    y = np.array(_GOLDEN_Y)
    names = np.array(["a", "b", "c"])[y]  # sorted like 0 < 1 < 2
    inputs = [("numpy", np.arange(30.0).reshape(30, 1), y)]
    inputs.append(("pandas", pd.DataFrame({"x": np.arange(30.0)}), pd.Series(names)))
    try:
        import pyarrow as pa
    except ImportError:
        pass
    else:
        table = pa.table({"x": np.arange(30.0)})
        inputs.append(("pyarrow", table, pa.array(names.tolist())))
    try:
        import polars as pl
    except ImportError:
        pass
    else:
        frame = pl.DataFrame({"x": np.arange(30.0)})
        inputs.append(("polars", frame, pl.Series("y", names.tolist())))
    return inputs


@pytest.mark.parametrize("name", sorted(_GOLDEN))
def test_same_seed_same_indices_on_every_stack_and_container(name):
    import rebalance

    for container, X, y in _golden_inputs():
        sampler = getattr(rebalance, name)(random_state=42)
        X_res, y_res = sampler.fit_resample(X, y)
        assert sampler.sample_indices_.tolist() == _GOLDEN[name], container
        rows = np.asarray(_GOLDEN[name])
        y_values = y_res.to_list() if hasattr(y_res, "to_list") else list(y_res)
        expected = np.array(_GOLDEN_Y)[rows]
        if container != "numpy":
            expected = np.array(["a", "b", "c"])[expected]
        assert [str(v) for v in y_values] == [str(v) for v in expected], container
