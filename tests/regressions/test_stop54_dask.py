"""Stop 54: Dask frames of one pandas frame split into other partitions
(``dd.from_pandas(df, npartitions=2)`` beside ``npartitions=3``) are one
source: another mask on them is refused (it was paired by position), the
same rows, or the same mask, accepted; a selection whose rows depend on the
partitions (``sample``, ``.partitions[...]``) is refused."""

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomUnderSampler

dd = pytest.importorskip("dask.dataframe")

DF = pd.DataFrame({"a": np.arange(300), "t": (np.arange(300) % 5 == 0).astype(int)})


def _pairs(X, y):
    Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y)
    Xr, yr = Xr.compute(), yr.compute()
    return (
        DF.set_index("a").loc[Xr["a"].to_numpy(), "t"].to_numpy() == yr.to_numpy()
    ).all()


@pytest.fixture
def splits():
    return dd.from_pandas(DF, npartitions=2), dd.from_pandas(DF, npartitions=3)


def test_the_same_rows_split_otherwise_are_accepted(splits):
    f2, f3 = splits
    assert _pairs(f2[["a"]], f3["t"])
    assert _pairs(f2[f2.a % 3 == 0][["a"]], f3[f3.a % 3 == 0]["t"])
    # from_pandas called twice on one frame: one source
    again = dd.from_pandas(DF, npartitions=2)
    assert _pairs(f2[f2.a % 3 == 0][["a"]], again[again.a % 3 == 0]["t"])


@pytest.mark.parametrize("how", ["mask", "sample", "partitions"])
def test_other_rows_of_one_frame_split_otherwise_are_refused(splits, how):
    f2, f3 = splits
    if how == "mask":
        X, y = f2[f2.a % 3 == 0][["a"]], f3[f3.a % 3 == 1]["t"]
    elif how == "sample":
        X = f2.sample(frac=0.5, random_state=1)[["a"]]
        y = f3.sample(frac=0.5, random_state=1)["t"]
    else:
        X, y = f2.partitions[0][["a"]], f3.partitions[0]["t"]
    with pytest.raises(ValueError, match="y holds other rows of the data X"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_a_copy_of_the_frame_is_the_same_data(splits):
    f2, _ = splits
    copy = dd.from_pandas(DF.copy(), npartitions=2)
    with pytest.raises(ValueError, match="y holds other rows of the data X"):
        RandomUnderSampler(random_state=0).fit_resample(
            f2[f2.a % 3 == 0][["a"]], copy[copy.a % 3 == 1]["t"]
        )
