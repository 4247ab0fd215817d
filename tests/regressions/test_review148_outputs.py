"""Review 148, area ``outputs``: what the public API returns.

Reviewed by probing every entry point with a seeded matrix of inputs and
comparing with scikit-learn / imbalanced-learn and the docstrings/README:

* ``fit_resample`` of all four samplers: numpy X of float16/float32/int8/
  uint64/bool/object/str keeps its dtype, y keeps int8/uint8/bool/object/
  float32 dtypes; pandas keeps column names (MultiIndex and int too), column
  dtypes (float32, categorical with unused categories and their order,
  nullable Int8, string, tz-aware datetime), the y Series name and dtype, a
  categorical y's categories; the index is a fresh ``RangeIndex`` (as the
  README documents); polars keeps the schema, a Series' name and an Enum
  dtype; pyarrow tables/arrays/chunked arrays stay pyarrow; CSR/CSC stay
  themselves (``spmatrix`` or ``sparray``), other formats come back CSR as
  documented; torch tensors come back as numpy of their dtype (documented;
  bfloat16 is a clear TypeError); list X / y / sample_weight stay lists;
  ``sample_weight`` keeps its container, dtype and name;
  ``sample_indices_`` is int64 1-D.
* ``ResampledClassifier`` / ``ThresholdMover``: ``classes_`` and ``predict``
  keep the label dtype (str, object, bool, int8, uint8, float16, negative
  ints, pandas/polars categorical -> the category values, nullable Int64 ->
  int64 where scikit-learn gives float64); ``predict_proba`` has one column
  per class; binary ``decision_function`` is 1-D, as scikit-learn's.
* ``class_weights`` keys are Python scalars (int/str/bool/float) and values
  Python floats, so ``json.dumps`` works for every label kind;
  ``sample_weights`` returns a float64 ndarray as documented.
* ``rebalance.metrics.g_mean_score`` returns a Python float.
* torch samplers yield Python ints (``BalancedBatchSampler``: lists of
  ints), ``__len__`` is an int equal to what is yielded; ``DataLoader``
  batches collate to int64.
* A sampler inside an imbalanced-learn Pipeline under
  ``set_output(transform="pandas"/"polars")``.

Found no bug in this area this round; the tests below pin the outputs a later
change could silently alter.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
)

_Y = np.array([0] * 20 + [1] * 7 + [2] * 3)
_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


@pytest.mark.parametrize("sampler", _SAMPLERS, ids=lambda s: s.__name__)
def test_pandas_output_keeps_names_dtypes_and_categories(sampler):
    rng = np.random.default_rng(0)
    n = len(_Y)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n).astype("float32"),
            "b": pd.Categorical(
                np.array(["x", "y", "z"])[rng.integers(0, 3, n)],
                categories=["z", "y", "x", "w"],
            ),
            "c": pd.array(rng.integers(0, 5, n), dtype="Int8"),
        },
        index=pd.Index(np.arange(100, 100 + n), name="idx"),
    )
    y = pd.Series(
        pd.Categorical(
            np.array(["lo", "mid", "hi"])[_Y], categories=["lo", "mid", "hi", "no"]
        ),
        index=X.index,
        name="target",
    )
    X_res, y_res = sampler(random_state=0).fit_resample(X, y)
    assert list(X_res.dtypes) == list(X.dtypes)
    assert list(X_res.columns) == ["a", "b", "c"]
    assert y_res.name == "target"
    assert y_res.dtype == y.dtype
    # documented: a fresh RangeIndex, the source rows in sample_indices_
    assert isinstance(X_res.index, pd.RangeIndex)
    assert isinstance(y_res.index, pd.RangeIndex)


@pytest.mark.parametrize(
    "dtype", [np.float16, np.int8, np.uint64, bool, object], ids=str
)
def test_numpy_dtypes_kept(dtype):
    X = np.random.default_rng(0).normal(size=(len(_Y), 2)).astype(dtype)
    y = _Y.astype(np.int8)
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtype == X.dtype
    assert y_res.dtype == np.int8
    assert sampler.sample_indices_.dtype == np.int64
    assert sampler.sample_indices_.ndim == 1


def test_polars_schema_and_series_name_kept():
    n = len(_Y)
    X = pl.DataFrame(
        {
            "a": np.arange(n, dtype="float32"),
            "b": pl.Series(["x", "y", "z"] * 10, dtype=pl.Categorical),
        }
    )
    y = pl.Series("t", np.array(["a", "b", "c"])[_Y]).cast(pl.Enum(["a", "b", "c"]))
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    assert X_res.schema == X.schema
    assert y_res.name == "t"
    assert y_res.dtype == y.dtype


@pytest.mark.parametrize("meta", [ResampledClassifier, ThresholdMover])
@pytest.mark.parametrize(
    "labels",
    [
        np.array(["neg", "pos"]),
        np.array([False, True]),
        np.array([-3, 7], dtype=np.int8),
        pd.Categorical([10, 20]),
    ],
    ids=["str", "bool", "int8", "cat_int"],
)
def test_predict_returns_labels_of_classes_dtype(meta, labels):
    rng = np.random.default_rng(0)
    codes = np.array([0] * 45 + [1] * 15)
    X = rng.normal(size=(60, 2)) + codes[:, None]
    y = (
        pd.Series(labels[codes])
        if isinstance(labels, pd.Categorical)
        else labels[codes]
    )
    if meta is ResampledClassifier:
        est = meta(RandomUnderSampler(random_state=0), LogisticRegression())
    else:
        est = meta(LogisticRegression())
    est.fit(X, y)
    ref = LogisticRegression().fit(X, np.asarray(y))
    pred = est.predict(X)
    assert est.classes_.dtype == ref.classes_.dtype
    assert pred.dtype == ref.classes_.dtype
    assert set(pred) <= set(ref.classes_)
    assert est.predict_proba(X).shape == (60, 2)
    assert est.decision_function(X).shape == (60,)


@pytest.mark.parametrize(
    "y",
    [
        _Y.astype(np.uint64),
        np.array(["a", "b", "c"])[_Y],
        _Y > 0,
        pd.Series(pd.Categorical(np.array(["lo", "mid", "hi"])[_Y])),
        pl.Series(_Y.astype(np.int8)),
    ],
    ids=["uint64", "str", "bool", "pd_cat", "pl_int8"],
)
def test_class_weights_python_scalars_json(y):
    weights = class_weights(y)
    assert all(type(k) in (int, str, bool) for k in weights)
    assert all(type(v) is float for v in weights.values())
    json.dumps(weights)
