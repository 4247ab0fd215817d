"""Review round 78, area ndinputs: unusual X and y containers through the
samplers' ``fit_resample`` and ``ResampledClassifier``, compared with
imbalanced-learn and with a hand gather ``X[sample_indices_]``."""

import numpy as np
import pandas as pd
import pytest
from sklearn.svm import SVC

from rebalance import ResampledClassifier
from rebalance.samplers import (
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
Y = np.array([0] * 6 + [1] * 3)
X = np.arange(18.0).reshape(9, 2)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_masked_x_keeps_its_mask_with_the_rows(sampler):
    masked = np.ma.masked_array(X.copy(), mask=(X == 3) | (X == 14))
    before = masked.copy()
    fitted = sampler(random_state=0)
    X_res, _ = fitted.fit_resample(masked, Y)
    rows = fitted.sample_indices_
    assert isinstance(X_res, np.ma.MaskedArray)
    np.testing.assert_array_equal(np.ma.getmaskarray(X_res), masked.mask[rows])
    np.testing.assert_array_equal(np.ma.getdata(X_res), masked.data[rows])
    np.testing.assert_array_equal(masked.mask, before.mask)
    np.testing.assert_array_equal(masked.data, before.data)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_masked_labels_are_refused_not_read_as_values(sampler):
    # imbalanced-learn reads the value under the mask as a class label.
    y = np.ma.masked_array(Y, mask=[0, 0, 0, 0, 0, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="missing labels"):
        sampler(random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_pandas_extension_columns_gathered_row_for_row(sampler):
    frame = pd.DataFrame(
        {
            "i": pd.array([1, None, 3, 4, 5, 6, None, 8, 9], dtype="Int64"),
            "b": pd.array([True, None, False] * 3, dtype="boolean"),
            "p": pd.period_range("2020", periods=9, freq="M"),
            "t": pd.date_range("2020", periods=9, tz="Europe/Paris"),
            "v": pd.interval_range(0, 9),
        }
    )
    before = frame.copy(deep=True)
    fitted = sampler(random_state=0)
    X_res, _ = fitted.fit_resample(frame, Y)
    expected = frame.iloc[fitted.sample_indices_]
    pd.testing.assert_frame_equal(
        X_res.reset_index(drop=True), expected.reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(frame, before)


def test_shrinkage_refuses_stringdtype_x_like_unicode_x():
    text = X.astype(str)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(text, Y)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
            text.astype(np.dtypes.StringDType()), Y
        )


def test_shrinkage_object_number_strings_not_mixed_with_floats():
    text = X.astype(str).astype(object)
    try:
        X_res, _ = RandomOverSampler(
            shrinkage=1.0, random_state=0, shuffle=False
        ).fit_resample(text, Y)
    except ValueError:
        return  # refused, as a pandas column of the same strings is
    kinds = {type(value) for value in X_res.ravel()}
    assert len(kinds) == 1, kinds


def test_resampled_classifier_nan_message_names_classifier_and_fix():
    with_nan = X.copy()
    with_nan[1, 0] = np.nan
    with pytest.raises(ValueError, match="SVC") as caught:
        ResampledClassifier(RandomUnderSampler(random_state=0), SVC()).fit(with_nan, Y)
    assert "imput" in str(caught.value).lower()
