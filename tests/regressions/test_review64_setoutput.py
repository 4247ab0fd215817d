"""Review 64 (setoutput): rebalance's samplers, ``ResampledClassifier`` and
``ThresholdMover`` in Pipelines under scikit-learn's pandas / polars output.

Bug fixed here: a step's ``set_output(transform='pandas')`` (not the global
``transform_output`` setting, handled in review 53) gives the DataFrame it
makes of a numpy X a fresh ``RangeIndex``; a y Series shuffled with the
array (``sklearn.utils.shuffle``) holds those numbers in another order, and
the samplers, ``ResampledClassifier`` and ``ThresholdMover`` refused the
Pipeline as "y holds the index of X in another order" (the same Pipeline
fits without pandas output, and with the global setting). A Pipeline given a
pandas DataFrame keeps its index through pandas output: that check stays.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
import sklearn
from imblearn.pipeline import Pipeline
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import shuffle

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomOverSampler(random_state=0),
    RandomOverSampler(shrinkage=0.5, random_state=0),
    ClassBalancedSampler(random_state=0),
    LabelShuffleSampler(random_state=0),
]
SAMPLER_IDS = ["under", "over", "over-shrinkage", "cbs", "lss"]


def _shuffled_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = pd.Series((np.arange(40) % 4 == 0).astype(int))
    return shuffle(X, y, random_state=0)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=SAMPLER_IDS)
def test_step_set_output_pipeline_pairs_shuffled_y_by_position(sampler):
    X, y = _shuffled_data()
    model = imb_make_pipeline(StandardScaler(), clone(sampler), LogisticRegression())
    expected = clone(model).fit(X, y).predict_proba(X)
    fitted = clone(model).set_output(transform="pandas").fit(X, y)
    np.testing.assert_allclose(fitted.predict_proba(X), expected, rtol=1e-12)


@pytest.mark.parametrize(
    "model",
    [
        make_pipeline(
            StandardScaler(),
            ResampledClassifier(
                RandomUnderSampler(random_state=0), LogisticRegression()
            ),
        ),
        make_pipeline(
            StandardScaler(),
            ThresholdMover(LogisticRegression(), strategy="tuned", cv=3),
        ),
    ],
    ids=["resampled-classifier", "threshold-mover"],
)
def test_step_set_output_wrappers_pair_shuffled_y_by_position(model):
    X, y = _shuffled_data()
    expected = clone(model).fit(X, y).predict_proba(X)
    got = clone(model).set_output(transform="pandas").fit(X, y).predict_proba(X)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_step_set_output_in_grid_search():
    X, y = _shuffled_data()
    pipe = imb_make_pipeline(
        StandardScaler(), RandomUnderSampler(random_state=0), LogisticRegression()
    )
    grid = {"logisticregression__C": [1.0]}
    expected = GridSearchCV(pipe, grid, cv=2).fit(X, y).predict_proba(X)
    search = GridSearchCV(clone(pipe).set_output(transform="pandas"), grid, cv=2)
    np.testing.assert_allclose(search.fit(X, y).predict_proba(X), expected)


def test_step_set_output_keeps_check_for_a_pandas_input():
    # A DataFrame given to the Pipeline keeps its index through the
    # transformer's pandas output: y shuffled alone is still refused.
    X, y = _shuffled_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = imb_make_pipeline(
        StandardScaler(), RandomUnderSampler(random_state=0), LogisticRegression()
    ).set_output(transform="pandas")
    with pytest.raises(ValueError, match="y holds the index of X in another order"):
        model.fit(frame, y)
    # ... and outside a Pipeline, for a DataFrame made by hand.
    with pytest.raises(ValueError, match="y holds the index of X in another order"):
        RandomUnderSampler(random_state=0).fit_resample(frame, y)


class _Recorder(ClassifierMixin, BaseEstimator):
    """Keeps the rows and labels it is fitted on (class attribute)."""

    seen: list = []

    def fit(self, X, y):
        _Recorder.seen.append((X, y))
        self.classes_ = np.unique(np.asarray(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _frame():
    rng = np.random.default_rng(1)
    n = 30
    index = pd.Index(np.arange(200, 200 + n)[::-1])
    X = pd.DataFrame(
        {
            "cat": pd.Categorical(rng.choice(list("ab"), n)),
            "i": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "f": rng.normal(size=n),
            "s": pd.array(rng.choice(["x", "y", "z"], n), dtype="string[pyarrow]"),
        },
        index=index,
    )
    X.loc[index[2], "i"] = pd.NA
    y = pd.Series((np.arange(n) % 3 == 0).astype(int), index=index, name="t")
    return X, y


def _preprocess():
    return ColumnTransformer(
        [
            ("oh", OneHotEncoder(sparse_output=False), ["cat", "s"]),
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["i", "f"]),
        ]
    )


# Every sampler, every input library and output (not every combination).
MATRIX = [
    (0, "pandas", "pandas"),
    (1, "polars", "polars"),
    (2, "pandas", "polars"),
    (3, "polars", "pandas"),
    (4, "pandas", "default"),
    (2, "polars", "default"),
]


@pytest.mark.parametrize(
    ("sampler", "library", "output"),
    [(SAMPLERS[i], library, output) for i, library, output in MATRIX],
    ids=[f"{SAMPLER_IDS[i]}-{library}-{output}" for i, library, output in MATRIX],
)
def test_classifier_gets_transformed_rows_of_sample_indices(sampler, library, output):
    # Checked by hand: the classifier's rows are the transformed X's rows
    # sample_indices_ (noisy ones only of the same shape), its labels y's.
    X, y = _frame()
    X_before, y_before = X.copy(), y.copy()
    if library == "polars":
        X, y = pl.from_pandas(X.reset_index(drop=True)), pl.Series("t", y.to_numpy())
    step = clone(sampler)
    _Recorder.seen.clear()
    with sklearn.config_context(transform_output=output), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pipe = Pipeline([("pre", _preprocess()), ("s", step), ("c", _Recorder())])
        pipe.fit(X, y)
        transformed = _preprocess().fit_transform(X)
    got_X, got_y = _Recorder.seen[-1]
    kind = {"default": "numpy", "pandas": "pandas", "polars": "polars"}[output]
    assert type(got_X).__module__.split(".")[0] == kind
    rows = step.sample_indices_
    values = np.asarray(transformed, dtype=float)[rows]
    got = np.asarray(got_X, dtype=float)
    if getattr(step, "shrinkage", None) is None:
        np.testing.assert_array_equal(got, values)
    else:
        assert got.shape == values.shape
    np.testing.assert_array_equal(np.asarray(got_y), np.asarray(y)[rows])
    names = pipe[:-1].get_feature_names_out()
    if output != "default":
        assert list(got_X.columns) == list(names)
    assert list(pipe.feature_names_in_) == list(X.columns)
    pd.testing.assert_frame_equal(X_before, _frame()[0])
    pd.testing.assert_series_equal(y_before, _frame()[1])
