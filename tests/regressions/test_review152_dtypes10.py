"""Review 152, area ``dtypes10``: label and feature dtypes not commonly tried.

Reviewed: every sampler's ``fit_resample``, ``class_weights`` /
``sample_weights``, ``ThresholdMover`` and ``ResampledClassifier``
(fit/predict/score), ``g_mean_score``, the torch samplers (``labels=``) and
``rebalance.compare.compare``, with labels as numpy 2 ``StringDType`` (with and
without ``na_object``), ``string[pyarrow]``, ``ArrowDtype`` string / dictionary
/ int64 (with nulls), categoricals (unused and ordered categories),
datetime64 / timedelta64 / complex (refused), float16, bytes, uint64 above
2**63, bool, int8 with -128 and tuples in an object array; and features as
float16, bool, int8, uint64, nullable Int64/Float64 with NA, ArrowDtype and
polars Decimal/Date/Duration columns. Compared with imbalanced-learn 0.14 and
scikit-learn where they accept the input.

Found: ``ThresholdMover`` / ``ResampledClassifier`` fitted on ``StringDType``
labels predict an ``object`` array (``classes_`` is object): left alone, as
documented (scikit-learn refuses StringDType labels; they are read as Python
strings, equal to the input's values).

No bug: samplers keep container, dtype and every label value exactly (unused
and ordered categories kept, uint64 > 2**63 and int8 -128 exact, StringDType
``na_object`` kept); weights are keyed by the original labels (categorical
order kept); missing labels in any of these dtypes and datetime / timedelta /
complex labels are a ValueError naming ``y`` / ``y_true`` / ``labels``;
features keep their dtypes (pandas nullable / Arrow, polars); metrics match
imbalanced-learn; ``compare`` accepts all accepted label dtypes.
"""

import numpy as np
import pandas as pd
import pytest

import rebalance as rb
from rebalance.metrics import g_mean_score

SAMPLERS = [
    rb.RandomOverSampler,
    rb.RandomUnderSampler,
    rb.ClassBalancedSampler,
    rb.LabelShuffleSampler,
]
X = np.arange(24, dtype=float).reshape(12, 2)
TEXT = ["a"] * 8 + ["b"] * 4


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_samplers_keep_unusual_label_dtypes_exactly(sampler):
    cases = [
        np.array(TEXT, dtype=np.dtypes.StringDType(na_object=None)),
        np.array([2**63 + 1] * 8 + [2**64 - 1] * 4, dtype=np.uint64),
        np.array([-128] * 8 + [127] * 4, dtype=np.int8),
        np.array(TEXT, dtype="S"),
        pd.Series(pd.Categorical(TEXT, categories=["c", "b", "a"], ordered=True)),
    ]
    for y in cases:
        _, yr = sampler(random_state=0).fit_resample(X, y)
        assert type(yr) is type(y)
        assert yr.dtype == y.dtype  # categorical: same (unused, ordered) categories
        assert set(np.asarray(yr).tolist()) == set(np.asarray(y).tolist())


def test_weights_keyed_by_original_labels():
    y = pd.Series(pd.Categorical(TEXT, categories=["b", "a"], ordered=True))
    assert list(rb.class_weights(y).items()) == [("b", 1.5), ("a", 0.75)]
    big = np.array([2**63 + 1] * 8 + [2**64 - 1] * 4, dtype=np.uint64)
    assert rb.class_weights(big) == {2**63 + 1: 0.75, 2**64 - 1: 1.5}
    np.testing.assert_array_equal(rb.sample_weights(big)[[0, -1]], [0.75, 1.5])


def test_missing_and_non_label_dtypes_refused_naming_argument():
    pa = pytest.importorskip("pyarrow")
    missing = [
        np.array(TEXT[:-1] + [None], dtype=np.dtypes.StringDType(na_object=None)),
        pd.Series(pd.array([0] * 11 + [None], dtype=pd.ArrowDtype(pa.int64()))),
        np.array([0] * 8 + [1] * 4).astype("datetime64[D]"),
        np.array([0] * 8 + [1] * 4, dtype=complex),
    ]
    for y in missing:
        with pytest.raises(ValueError, match="^(Complex data not supported. )?y "):
            rb.RandomOverSampler().fit_resample(X, y)
        with pytest.raises(ValueError, match="y_true"):
            g_mean_score(y, y)


def test_uint64_labels_metric_matches_imblearn():
    imb = pytest.importorskip("imblearn.metrics")
    yt = np.array([2**63 + 1] * 4 + [2**64 - 1] * 4, dtype=np.uint64)
    yp = yt.copy()
    yp[0] = 2**64 - 1
    assert g_mean_score(yt, yp) == pytest.approx(imb.geometric_mean_score(yt, yp))


def test_feature_dtypes_kept():
    y = np.array([0] * 8 + [1] * 4)
    frame = pd.DataFrame(
        {
            "a": pd.array([1] * 11 + [None], dtype="Int64"),
            "b": pd.array([0.5] * 11 + [None], dtype="Float64"),
        }
    )
    Xr, _ = rb.RandomOverSampler(random_state=0).fit_resample(frame, y)
    assert dict(Xr.dtypes) == dict(frame.dtypes)
    big = np.full((12, 2), 2**64 - 1, np.uint64)
    Xr, _ = rb.RandomUnderSampler(random_state=0).fit_resample(big, y)
    assert Xr.dtype == np.uint64 and (Xr == 2**64 - 1).all()
