"""Stop 56 (review 130 priors6): a Dask Series of priors (a Dask
``y.value_counts(normalize=True)``: by label, in order of frequency) is
computed and read by label in ``adjust_priors`` as in ``ThresholdMover``
(refused as a table since review 128; read by position before it)."""

import numpy as np
import pandas as pd
import pytest

from rebalance.threshold import adjust_priors


def test_dask_series_of_priors_read_by_label_in_adjust_priors():
    dd = pytest.importorskip("dask.dataframe")
    proba = pd.DataFrame([[0.2, 0.8], [0.6, 0.4]], columns=["a", "b"])
    by_frequency = pd.Series({"b": 0.7, "a": 0.3})
    expected = adjust_priors(proba, {"a": 0.3, "b": 0.7}, [0.5, 0.5])
    lazy = dd.from_pandas(by_frequency, npartitions=1)
    np.testing.assert_allclose(adjust_priors(proba, lazy, [0.5, 0.5]), expected)
    # By position it would have been the priors swapped.
    swapped = adjust_priors(proba, [0.7, 0.3], [0.5, 0.5])
    assert not np.allclose(expected, swapped)
