"""Review 45, the lowest allowed versions (numpy 1.25.2, scikit-learn 1.6,
pandas 2.0, pyarrow 14, polars 1.0): regressions found by running the suite
there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pa = pytest.importorskip("pyarrow")

from rebalance._columns import pandas_frame, plan_columns  # noqa: E402

UNSIGNED = ["uint8", "uint16", "uint32", "uint64"]


def _dictionary_table(index_type, ordered, n=40):
    # What polars 1.0's to_arrow() gives for an Enum or Categorical column:
    # a dictionary with unsigned (uint32) indices.
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 3, n)
    mask = rng.random(n) < 0.1
    indices = pa.array(codes, getattr(pa, index_type)(), mask=mask)
    kind = pa.DictionaryArray.from_arrays(
        indices, pa.array(["v", "u", "w"]), ordered=ordered
    )
    return pa.table({"kind": kind, "x": rng.normal(size=n)})


def _signed(table):
    # The same table with int32 indices, which every pyarrow converts.
    field = table.schema.field("kind")
    signed = pa.dictionary(pa.int32(), field.type.value_type, field.type.ordered)
    return table.set_column(0, "kind", table.column("kind").cast(signed))


@pytest.mark.parametrize("ordered", [False, True])
@pytest.mark.parametrize("index_type", UNSIGNED)
@pytest.mark.parametrize("container", ["table", "record_batch"])
def test_arrow_dictionary_with_unsigned_indices_is_planned(
    container, index_type, ordered
):
    # pyarrow <= 16 refused to convert such a column to pandas ("Converting
    # unsigned dictionary indices to pandas not yet supported"): plan_columns
    # and `rebalance compare` raised for a polars 1.0 frame's to_arrow().
    table = _dictionary_table(index_type, ordered)
    X = table if container == "table" else table.combine_chunks().to_batches()[0]
    got = pandas_frame(X)
    expected = _signed(table).to_pandas()
    pd.testing.assert_frame_equal(got, expected)
    assert isinstance(got["kind"].dtype, pd.CategoricalDtype)
    assert got["kind"].cat.ordered == ordered
    plan = plan_columns(X)
    assert plan.used == plan_columns(expected).used
    # the user's table is left alone
    assert X.schema.field("kind").type.index_type == getattr(pa, index_type)()


def _run_end_encoded(values, run_ends, chunked):
    array = pa.RunEndEncodedArray.from_arrays(
        run_ends, values, type=pa.run_end_encoded(pa.int32(), values.type)
    )
    return pa.chunked_array([array, array]) if chunked else array


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize(
    "values, run_ends",
    [
        (pa.array(["neg", "pos", "neg", "pos"]), [5, 7, 11, 12]),
        (pa.array([0, 1, 0]), [6, 8, 12]),
        (pa.array([2.0, -1.0]), [9, 12]),
    ],
    ids=["strings", "ints", "floats"],
)
def test_run_end_encoded_labels_are_read(values, run_ends, chunked):
    # pyarrow 14 cannot turn a run-end encoded array into numpy ("No known
    # equivalent Pandas block"): such labels were refused as "y has dtype
    # Unknown". Oracle: the same labels decoded.
    from rebalance import RandomOverSampler, RandomUnderSampler
    from rebalance.weights import class_weights

    y = _run_end_encoded(values, run_ends, chunked)
    plain = np.asarray(y.to_pylist())
    X = np.arange(len(plain) * 2.0).reshape(-1, 2)
    for sampler in (
        RandomOverSampler(random_state=0),
        RandomUnderSampler(random_state=1),
    ):
        _, y_res = sampler.fit_resample(X, y)
        assert y_res.to_pylist() == plain[sampler.sample_indices_].tolist()
    assert class_weights(y) == pytest.approx(class_weights(plain))


@pytest.mark.parametrize("dtype", ["Int128", "UInt128"])
def test_polars_128_bit_labels_are_a_type_error_naming_y(dtype):
    # polars 2.0.0's to_numpy() of a 128-bit column panics
    # (pyo3_runtime.PanicException, not an Exception): it escaped raw from
    # class_weights and every sampler. The dtype is looked at first now.
    pl = pytest.importorskip("polars")
    from rebalance import RandomOverSampler
    from rebalance.weights import class_weights

    if not hasattr(pl, dtype):
        pytest.skip(f"polars 1.0 has no {dtype}")
    y = pl.Series("y", [0, 1, 0, 0, 1, 0], dtype=getattr(pl, dtype))
    with pytest.raises(TypeError, match=r"^y has dtype .*128.* 64-bit integers"):
        class_weights(y)
    with pytest.raises(TypeError, match=r"^y has dtype .*128"):
        RandomOverSampler().fit_resample(np.zeros((6, 1)), y)
