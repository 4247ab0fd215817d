"""Stop 47: ``ComparisonResult.within_noise`` checks ``alpha``.

Before, any value was used as given, with no error: ``alpha=5`` (meant as
5 %) silently listed only the best method, ``alpha=-1`` every method, and
``alpha=float('nan')`` only the best.
"""

import numpy as np
import pytest

from rebalance.compare import ComparisonResult


def _result():
    scores = {
        "none": {"average_precision": [0.50, 0.52, 0.49, 0.51, 0.50]},
        "under": {"average_precision": [0.60, 0.58, 0.61, 0.62, 0.59]},
        "over": {"average_precision": [0.59, 0.60, 0.58, 0.61, 0.60]},
    }
    return ComparisonResult(y=np.array([0, 1] * 10), scores=scores)


def test_within_noise_takes_a_level_between_0_and_1():
    result = _result()
    assert result.within_noise()[0] == "under"
    assert set(result.within_noise(alpha=np.float32(0.01))) >= {"under"}


@pytest.mark.parametrize("alpha", [5, 0, 1, -0.1, float("nan"), True, "0.05", None])
def test_within_noise_refuses_a_bad_alpha(alpha):
    with pytest.raises(ValueError, match=r"alpha should be .*alpha=0.05"):
        _result().within_noise(alpha=alpha)
