"""Review 70 (newuser): the samplers used the everyday scikit-learn way.

A user new to rebalance, with scikit-learn / imbalanced-learn habits: repr,
get_params/set_params, clone, deepcopy, pickling, config_context, pipelines,
every documented ``sampling_strategy`` form and its typos, ``random_state``
forms, and the inputs such users pass (lists, pandas, polars, read-only and
memory-mapped arrays). The first tests failed before this review's fix; the
rest pin behaviour that was checked and found right.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_html_repr
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_sample_weight

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)
from rebalance.metrics import g_mean_score

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _data():
    X = np.arange(40.0).reshape(20, 2)
    y = np.array([0] * 14 + [1] * 6)
    return X, y


# --- fixed: a dict or set as sample_weight ----------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_class_weight_dict_as_sample_weight_names_compute_sample_weight(sampler):
    # A {class: weight} dict (class_weight's form) was read by numpy as one
    # object: "sample_weight has shape () but X has 20 rows".
    X, y = _data()
    with pytest.raises(TypeError, match="compute_sample_weight") as info:
        sampler(random_state=0).fit_resample(X, y, sample_weight={0: 1.0, 1: 5.0})
    assert "sample_weight is a dict" in str(info.value)
    assert "shape ()" not in str(info.value)
    # The fix the message names works.
    weights = compute_sample_weight({0: 1.0, 1: 5.0}, y)
    assert len(sampler(random_state=0).fit_resample(X, y, sample_weight=weights)) == 3


def test_set_as_sample_weight_says_it_has_no_order():
    X, y = _data()
    with pytest.raises(TypeError, match="set, which has no order"):
        RandomOverSampler().fit_resample(X, y, sample_weight=set(range(20)))


def test_dict_sample_weight_in_metrics_is_the_same_error():
    _, y = _data()
    with pytest.raises(TypeError, match="compute_sample_weight"):
        g_mean_score(y, y, sample_weight={0: 1.0, 1: 5.0})


def test_class_weight_dict_in_resampled_classifier_names_compute_sample_weight():
    X, y = _data()
    model = ResampledClassifier(RandomUnderSampler(), LogisticRegression())
    with pytest.raises(TypeError, match="compute_sample_weight"):
        model.fit(X, y, sample_weight={0: 1.0, 1: 5.0})


# --- fixed: get_feature_names_out of a sampler fitted on texts -------------


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_feature_names_of_a_sampler_fitted_on_texts_say_why(sampler):
    # Before: NotFittedError "not fitted yet", of a fitted sampler.
    texts = ["a great film", "loved it", "dull plot", "awful acting", "a bad one"]
    y = np.array([1, 1, 0, 0, 0] * 4)
    fitted = sampler(random_state=0).fit(texts * 4, y)
    with pytest.raises(ValueError, match="fitted on a 1-D X of texts"):
        fitted.get_feature_names_out()
    # Still NotFittedError when not fitted, and names for a 2-D X.
    with pytest.raises(NotFittedError):
        sampler().get_feature_names_out()
    frame = pd.DataFrame({"p": range(20)})
    assert list(sampler(random_state=0).fit(frame, y).get_feature_names_out()) == ["p"]
    # The pipeline asks the vectorizer, as before.
    pipe = make_pipeline(
        sampler(random_state=0), TfidfVectorizer(), LogisticRegression()
    ).fit(texts * 4, y)
    assert "film" in pipe[:-1].get_feature_names_out()


# --- fixed: a column name of a one-hot y as a sampling_strategy key ---------


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("as_callable", [False, True], ids=["dict", "callable"])
def test_one_hot_column_name_as_key_names_the_column_position(sampler, as_callable):
    # pd.get_dummies(labels) as y: its classes are the column positions, and
    # the key "dog" (a column) was "not in y. The classes in y are [0, 1]".
    X, _ = _data()
    y = pd.get_dummies(pd.Series(["cat"] * 14 + ["dog"] * 6))
    wanted = {"dog": 6} if sampler is RandomUnderSampler else {"dog": 10}
    strategy = (lambda labels: wanted) if as_callable else wanted
    with pytest.raises(ValueError, match="a column of the one-hot y") as info:
        sampler(sampling_strategy=strategy).fit_resample(X, y)
    assert "column 'dog' is class 1: use {1: ...}" in str(info.value)
    # The fix it names works.
    fixed = sampler(sampling_strategy={1: wanted["dog"]}, random_state=0)
    dogs = int(fixed.fit_resample(X, y)[1]["dog"].sum())
    if sampler is not ClassBalancedSampler:  # a random draw of n_samples rows
        assert dogs == wanted["dog"]


def test_one_hot_key_message_in_polars_and_for_an_empty_column():
    pl = pytest.importorskip("polars")
    X, y = _data()
    one_hot = pl.DataFrame({"cat": 1 - y, "dog": y})
    with pytest.raises(ValueError, match="column 'dog' is class 1"):
        RandomOverSampler(sampling_strategy={"dog": 10}).fit_resample(X, one_hot)
    empty = pd.DataFrame({"cat": 1 - y, "dog": y, "eel": 0})
    with pytest.raises(ValueError, match=r"column 'eel' \(class 2\) has no rows"):
        RandomOverSampler(sampling_strategy={"eel": 3}).fit_resample(X, empty)
    # A one-column frame is a column of labels, not one-hot: message as before.
    with pytest.raises(ValueError, match="'t', which is not in y"):
        RandomOverSampler(sampling_strategy={"t": 10}).fit_resample(
            X, pd.DataFrame({"t": y})
        )


# --- checked and right: estimator conventions -------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_params_clone_deepcopy_pickle_round_trip(sampler):
    X, y = _data()
    s = sampler(random_state=3, sampling_strategy="all")
    assert "random_state=3" in repr(s) and "sampling_strategy='all'" in repr(s)
    assert repr(sampler().set_params(**s.get_params())) == repr(s)
    X_res = s.fit_resample(X, y)[0]
    for twin in (clone(s), copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        np.testing.assert_array_equal(twin.fit_resample(X, y)[0], X_res)
    assert "user-set" in s._repr_html_()
    html = estimator_html_repr(make_pipeline(s, LogisticRegression()))
    assert sampler.__name__ in html


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_generator_random_state_is_accepted_and_reproducible(sampler):
    X, y = _data()
    a = sampler(random_state=np.random.default_rng(5)).fit_resample(X, y)[0]
    b = sampler(random_state=np.random.default_rng(5)).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("typo", ["Auto", "minority ", 0, 1.5, True, None])
def test_sampling_strategy_typos_are_parameter_errors_as_in_imblearn(typo):
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="'sampling_strategy' param"):
        RandomUnderSampler(sampling_strategy=typo).fit_resample(X, y)
    # Also with validation switched off (a typo must not pass silently).
    with sklearn.config_context(skip_parameter_validation=True):
        with pytest.raises(InvalidParameterError):
            RandomUnderSampler(sampling_strategy=typo).fit_resample(X, y)
    if typo is not True:  # imbalanced-learn reads True as 1.0
        with pytest.raises(InvalidParameterError):
            ImbUnderSampler(sampling_strategy=typo).fit_resample(X, y)


@pytest.mark.parametrize(
    ("strategy", "error", "match"),
    [
        ({1: -1}, ValueError, r"sampling_strategy\[1\] = -1 is negative"),
        (lambda labels: {0: -1}, ValueError, "is negative"),
        (lambda labels: [1, 2], TypeError, "must return a dict"),
        (lambda labels: {5: 3}, ValueError, "class 5, which is not in y"),
        ({1: 10.0}, TypeError, "integer count of rows"),
    ],
)
def test_bad_strategy_dicts_name_the_problem(strategy, error, match):
    X, y = _data()
    with pytest.raises(error, match=match):
        RandomOverSampler(sampling_strategy=strategy).fit_resample(X, y)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_read_only_and_memmap_inputs(sampler, tmp_path):
    X, y = _data()
    weights = np.arange(1.0, 21.0)
    for name, array in (("X", X), ("y", y), ("w", weights)):
        np.save(tmp_path / f"{name}.npy", array)
    loaded = [np.load(tmp_path / f"{n}.npy", mmap_mode="r") for n in "Xyw"]
    s = sampler(random_state=0)
    X_res, y_res, w_res = s.fit_resample(*loaded[:2], sample_weight=loaded[2])
    np.testing.assert_array_equal(X_res, X[s.sample_indices_])
    np.testing.assert_array_equal(y_res, y[s.sample_indices_])
    np.testing.assert_array_equal(w_res, weights[s.sample_indices_])


def test_pandas_pipeline_set_output_and_feature_names():
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b"])
    pipe = make_pipeline(RandomUnderSampler(random_state=0), StandardScaler())
    out = pipe.set_output(transform="pandas").fit_transform(frame, y)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b"]
    assert list(pipe.get_feature_names_out()) == ["a", "b"]
    assert list(pipe[0].feature_names_in_) == ["a", "b"]
    with sklearn.config_context(transform_output="pandas"):
        # As imbalanced-learn: a sampler returns X in the container it got.
        assert isinstance(RandomUnderSampler().fit_resample(X, y)[0], np.ndarray)


@pytest.mark.parametrize(
    "columns",
    [["a", "a"], pd.MultiIndex.from_tuples([("g", "a"), ("g", "a")]), [0, 0]],
)
def test_duplicate_column_names_are_refused(columns):
    X, y = _data()
    with pytest.raises(ValueError, match="more than one column named"):
        RandomUnderSampler().fit_resample(pd.DataFrame(X, columns=columns), y)


def test_multilabel_and_bad_one_hot_targets_are_refused():
    X, y = _data()
    for target in (np.c_[y, 1 - y, y], np.c_[y, y], np.eye(2, dtype=int)[y] * 2):
        with pytest.raises(ValueError, match="Multilabel and multioutput"):
            RandomOverSampler().fit_resample(X, target)
