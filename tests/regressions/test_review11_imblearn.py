"""Review 11: imbalanced-learn 0.14's make_imbalance / validation / common
tests, ported to rebalance where they were not yet covered."""

import warnings

import numpy as np
import pytest

from rebalance import datasets


# imblearn/datasets/tests/test_imbalance.py::test_make_imbalance_error_single_class
# make_imbalance refuses a y with one class ("needs to have more than 1 class"),
# as every rebalance sampler does ("y has one class only"). thin_class instead
# measures `ratio` against the thinned class itself and silently drops rows:
# ratio=0.5 on 20 rows of one class returns 10 rows, whose "rows of the thinned
# class per row of the largest class afterwards" is 1.0, not the 0.5 asked for.
# (A split or filter that left one class is the usual cause; the returned data
# looks like a successful thinning.)
@pytest.mark.parametrize("func", ["thin_class", "make_imbalance"])
@pytest.mark.parametrize("minority", [None, 0])
def test_thin_class_refuses_a_single_class_y(func, minority):
    X, y = np.arange(40.0).reshape(20, 2), np.zeros(20, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # make_imbalance is deprecated
        with pytest.raises(ValueError, match="class"):
            getattr(datasets, func)(X, y, 0.5, minority=minority, random_state=0)
