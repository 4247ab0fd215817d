"""Review 65 (fuzz): 1-D X of texts found by a fuzzer over the samplers."""

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
TEXTS = [f"doc {i}" for i in range(8)]


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("container", [list, np.array, pd.Series])
@pytest.mark.parametrize("n_labels", [7, 9])
def test_texts_and_labels_of_other_lengths_refused(sampler, container, n_labels):
    # Fewer labels than texts silently left the last texts out (more: IndexError).
    y = [0] * (n_labels - 2) + [1] * 2
    with pytest.raises(ValueError, match=f"X has 8 rows but y has {n_labels} labels"):
        sampler(random_state=0).fit_resample(container(TEXTS), y)


@pytest.mark.parametrize("odd", [np.nan, 3, True, None])
def test_list_of_texts_with_a_missing_or_number_refused(odd):
    # numpy read ["a", nan] as the texts "a", "nan": the NaN (or a number) was
    # passed on as a document; None already gave a reshape message.
    X = TEXTS[:7] + [odd]
    with pytest.raises(ValueError, match=r"row 7 holds .* not a str or bytes"):
        RandomOverSampler(random_state=0).fit_resample(X, [0] * 6 + [1] * 2)


@pytest.mark.parametrize("dtype", [object, "string"])
def test_series_of_texts_with_missing_named(dtype):
    X = pd.Series(TEXTS[:3] + [None] + TEXTS[4:], dtype=dtype)
    with pytest.raises(ValueError, match=r"row 3 holds .*Fill the missing texts"):
        RandomUnderSampler(random_state=0).fit_resample(X, [0] * 6 + [1] * 2)


def test_polars_text_series_taken_like_pandas():
    pl = pytest.importorskip("polars")
    y = np.array([0] * 6 + [1] * 2)
    s = RandomOverSampler(random_state=0)
    X_res, _ = s.fit_resample(pl.Series("t", TEXTS), y)
    assert isinstance(X_res, pl.Series)
    assert X_res.to_list() == [TEXTS[i] for i in s.sample_indices_]
    X_pd, _ = RandomOverSampler(random_state=0).fit_resample(pd.Series(TEXTS), y)
    assert X_pd.tolist() == X_res.to_list()


def test_pyarrow_texts_with_null_named():
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(ValueError, match=r"row 2 holds None"):
        RandomOverSampler(random_state=0).fit_resample(
            pa.array(["a", "b", None, "d"]), [0, 0, 0, 1]
        )


def test_dask_texts_message_says_compute():
    da = pytest.importorskip("dask.array")
    X = da.from_array(np.array(TEXTS), chunks=4)
    y = da.from_array(np.array([0] * 6 + [1] * 2), chunks=4)
    with pytest.raises(ValueError, match=r"Dask Array of texts.*X.compute\(\)"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


def test_texts_with_weights_stay_aligned():
    s = RandomOverSampler(random_state=0)
    X = list(TEXTS)
    X_res, y_res, w_res = s.fit_resample(
        X, [0] * 6 + [1] * 2, sample_weight=list(range(8))
    )
    assert [int(t.split()[1]) for t in X_res] == list(s.sample_indices_) == w_res
    assert X == TEXTS
