"""Review round 31 (Dask path, part 4): regressions."""

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

from rebalance import ClassBalancedSampler, RandomUnderSampler  # noqa: E402


def _never_computed(part):
    raise AssertionError("the labels were computed before X was checked")


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler(random_state=0), ClassBalancedSampler(random_state=0)],
)
def test_dask_frame_with_mixed_column_name_types_is_refused_before_work(
    sampler, method
):
    # In memory, scikit-learn's feature-name check refuses str and int column
    # names together: the Dask path raised the same TypeError, but only after
    # computing the labels (a whole pass over the data).
    X = dd.from_pandas(pd.DataFrame(np.zeros((8, 2)), columns=["a", 1]), npartitions=2)
    y = dd.from_pandas(pd.Series([0, 1] * 4), npartitions=2)
    y = y.map_partitions(_never_computed, meta=y._meta)
    with pytest.raises(TypeError, match="Feature names are only supported"):
        getattr(sampler, method)(X, y)
