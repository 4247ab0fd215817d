"""Review 32 (containers): fit_resample fuzzed over input containers."""

import numpy as np
import pytest

from rebalance import RandomOverSampler
from rebalance._frames import take_rows

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")

Y6 = np.array([0, 0, 0, 1, 1, 0])


def _struct_of_run_end_encoded():
    runs = pc.run_end_encode(pa.array([1, 1, 2, 2, 2, 3]))
    return pa.StructArray.from_arrays([runs], names=["r"])


def _run_end_encoded_string_view():
    if not hasattr(pa, "string_view"):  # pyarrow < 16
        pytest.skip("this pyarrow has no string_view type")
    values = pa.array(["a", None, "bb" * 10], pa.string_view())
    try:
        return pa.RunEndEncodedArray.from_arrays(
            pa.array([2, 3, 6], pa.int32()), values
        )
    except TypeError:  # pyarrow 16: "an integer is required"
        pytest.skip("this pyarrow cannot run-end encode string_view values")


def _list_of_run_end_encoded():
    runs = pc.run_end_encode(pa.array([1, 1, 2, 2, 2, 3, 4]))
    offsets = pa.array([0, 1, 2, 3, 5, 6, 7], pa.int32())
    return pa.ListArray.from_arrays(offsets, runs)


ARROW_WITHOUT_TAKE = [
    _struct_of_run_end_encoded,
    _run_end_encoded_string_view,
    _list_of_run_end_encoded,
]


@pytest.mark.parametrize("make", ARROW_WITHOUT_TAKE)
@pytest.mark.parametrize("build", ["table", "record_batch"])
def test_arrow_columns_without_a_take_kernel_are_resampled(make, build):
    # pyarrow's take has no kernel for run-end encoded children (of structs,
    # lists) nor a decode kernel for run-end encoded views: every sampler
    # crashed with ArrowNotImplementedError. Now taken as slices.
    column = make()
    # From arrays: pyarrow < 15 builds no record batch from a dict.
    columns, names = [column, pa.array(np.arange(6))], ["c", "x"]
    X = getattr(pa, "Table" if build == "table" else "RecordBatch").from_arrays(
        columns, names=names
    )
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, Y6)
    rows = sampler.sample_indices_
    assert type(X_res) is type(X)
    assert X_res.schema == X.schema
    assert X_res.column(0).to_pylist() == [column.to_pylist()[i] for i in rows]
    assert X_res.column(1).to_pylist() == rows.tolist()


@pytest.mark.parametrize("make", ARROW_WITHOUT_TAKE)
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("rows", [[5, 0, 1, 2, 2, 3], [], [4]])
def test_arrow_arrays_without_a_take_kernel_are_gathered(make, chunked, rows):
    column = make()
    data = pa.chunked_array([column[:2], column[2:]]) if chunked else column
    taken = take_rows(data, np.array(rows, dtype=np.intp))
    assert type(taken) is type(data)
    assert taken.type == column.type
    assert taken.to_pylist() == [column.to_pylist()[i] for i in rows]
