"""Review 34: ResampledClassifier and ThresholdMover follow-ups.

A sampler that leaves out a whole class of y, per-row classifier parameters
next to a Dask X that ``dd.from_pandas`` sorted, a column name as y, and a
pandas categorical of dates as y.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import BaggingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from rebalance import (
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


def _data(counts=(30, 20, 10), seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(len(y), 2)) + y[:, None]
    return X, y


class _Recorder(LogisticRegression):
    """Records the rows, labels and weights its fit received."""

    def fit(self, X, y, sample_weight=None, groups=None):
        self.seen_ = (np.asarray(X), np.asarray(y), sample_weight, groups)
        return super().fit(np.asarray(X), np.asarray(y))


# --- 1. a sampler that leaves out a class of y ---------------------------------


def test_sampler_leaving_out_a_class_is_refused_naming_it():
    # Before: fitted a classifier whose classes_ were [0, 1] for a y of
    # classes [0, 1, 2]: predict_proba had 2 columns, silently.
    X, y = _data()
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy={2: 0}), LogisticRegression()
    )
    with pytest.raises(ValueError, match=r"left out every row of class 2") as info:
        model.fit(X, y)
    message = str(info.value)
    assert "sampling_strategy={2: 0}" in message
    assert "classes_" in message
    assert not hasattr(model, "classifier_")


def test_class_balanced_draw_without_a_tiny_class_is_refused():
    # Before: ClassBalancedSampler(n_samples=4) drew no row of the class of
    # one row: the classifier silently knew two classes of three.
    X, y = _data((30, 20, 1))
    for seed in range(50):
        sampler = ClassBalancedSampler(n_samples=4, random_state=seed)
        drawn = sampler.fit_resample(X, y)[1]
        if 2 not in drawn.tolist():
            break
    else:  # pragma: no cover
        pytest.fail("no draw without class 2")
    model = ResampledClassifier(sampler, LogisticRegression())
    with pytest.raises(
        ValueError, match=r"n_samples=4\) left out every row of class 2"
    ):
        model.fit(X, y)


def test_string_labels_lost_are_named_and_kept_classes_still_fit():
    X, y = _data()
    labels = np.array(["ant", "bee", "cat"], dtype=object)[y]
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy={"cat": 0}), LogisticRegression()
    )
    with pytest.raises(ValueError, match=r"class 'cat'"):
        model.fit(X, labels)
    # A class kept with one row is fine.
    model.set_params(sampler__sampling_strategy={"cat": 1}).fit(X, labels)
    assert model.classes_.tolist() == ["ant", "bee", "cat"]
    assert model.predict_proba(X).shape == (len(y), 3)


def test_class_missing_from_y_itself_still_fits_in_a_bagging_ensemble():
    # BaggingClassifier's bootstrap may hold no row of a rare class: that y
    # lacks the class; the sampler leaves nothing out.
    X, y = _data((40, 30, 2))
    model = BaggingClassifier(
        ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression()),
        n_estimators=8,
        random_state=0,
    ).fit(X, y)
    assert model.predict_proba(X).shape == (len(y), 3)
    # And in cross-validation folds (every fold holds every class here).
    assert cross_val_score(
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
        X,
        y,
        cv=2,
    ).shape == (2,)


def test_unused_category_of_y_is_not_a_lost_class():
    # A pandas categorical with a category no row holds: not a class of y.
    X, y = _data()
    labels = pd.Series(pd.Categorical(y, categories=[0, 1, 2, 3]))
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(X, labels)
    assert model.classes_.tolist() == [0, 1, 2]


# --- 2. per-row parameters next to a Dask X sorted by from_pandas ----------------


def _split_frame(n=80):
    from sklearn.model_selection import train_test_split

    df = pd.DataFrame(
        {
            "uid": np.arange(n, dtype=float),
            "y": (np.arange(n) % 3 == 0).astype(int),
            "w": np.arange(n, dtype=float) + 1,
        }
    )
    train, _ = train_test_split(df, test_size=0.25, random_state=0)
    assert not train.index.is_monotonic_increasing
    return train


@pytest.mark.parametrize("kind", ["series", "array", "list"])
def test_dask_x_sorted_by_from_pandas_refuses_unsorted_weights(kind):
    # Before: dd.from_pandas sorted X's rows by index, the weights (from the
    # unsorted frame) were taken by the sampler's positions: every weight
    # silently landed on another row.
    dd = pytest.importorskip("dask.dataframe")
    train = _split_frame()
    X = dd.from_pandas(train[["uid"]], npartitions=3)
    y = dd.from_pandas(train["y"], npartitions=3)
    w = {
        "series": train["w"],
        "array": train["w"].to_numpy(),
        "list": train["w"].tolist(),
    }[kind]
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    with pytest.raises(ValueError, match=r"sample_weight.*from_pandas"):
        model.fit(X, y, sample_weight=w)
    assert not hasattr(model, "sampler_")


def test_dask_x_sorted_by_from_pandas_refuses_unsorted_groups_too():
    dd = pytest.importorskip("dask.dataframe")
    train = _split_frame()
    X = dd.from_pandas(train[["uid"]], npartitions=3)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    with pytest.raises(ValueError, match=r"groups"):
        model.fit(X, train["y"].sort_index(), groups=train["uid"])


def test_dask_x_persisted_refuses_weights_holding_its_index_reordered():
    # Persisted, X's graph no longer says it was sorted: its index is read.
    dd = pytest.importorskip("dask.dataframe")
    train = _split_frame()
    X = dd.from_pandas(train[["uid"]], npartitions=3).persist()
    y = train["y"].sort_index().to_numpy()
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    with pytest.raises(ValueError, match=r"index of sample_weight holds X's index"):
        model.fit(X, y, sample_weight=train["w"])


@pytest.mark.parametrize("persist", [False, True])
def test_dask_x_with_aligned_weights_keeps_working(persist):
    dd = pytest.importorskip("dask.dataframe")
    train = _split_frame()
    X = dd.from_pandas(train[["uid"]], npartitions=3)
    if persist:
        X = X.persist()
    y = dd.from_pandas(train["y"], npartitions=3)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    model.fit(X, y, sample_weight=train["w"].sort_index())
    X_seen, _, w_seen, _ = model.classifier_.seen_
    np.testing.assert_array_equal(np.asarray(w_seen), X_seen[:, 0] + 1)
    # from_pandas(sort=False) keeps the frame's order: its weights follow.
    X = dd.from_pandas(train[["uid"]], npartitions=3, sort=False)
    model.fit(X, train["y"], sample_weight=train["w"])
    X_seen, _, w_seen, _ = model.classifier_.seen_
    np.testing.assert_array_equal(np.asarray(w_seen), X_seen[:, 0] + 1)
    # A Dask frame not sorted (its pandas index was sorted), numpy weights.
    ordered = train.sort_index()
    X = dd.from_pandas(ordered[["uid"]], npartitions=3)
    model.fit(X, ordered["y"].to_numpy(), sample_weight=ordered["w"].to_numpy())
    X_seen, _, w_seen, _ = model.classifier_.seen_
    np.testing.assert_array_equal(np.asarray(w_seen), X_seen[:, 0] + 1)


def test_dask_x_through_a_shuffle_refuses_in_memory_weights():
    # Its rows can come in another order at each computation: the weights,
    # taken by the sampler's positions, cannot be checked against them.
    # Before: with the synchronous scheduler the sampler's own check of y
    # passed, and the weights (computed from the shuffled frame, or from
    # the frame before it) silently landed on other rows.
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    ordered = _split_frame().sort_index()
    with dask.config.set(scheduler="sync"):
        frame = dd.from_pandas(ordered, npartitions=3).shuffle("uid")
        computed = frame.compute()
        model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
        for w in (computed["w"], ordered["w"], computed["w"].to_numpy()):
            with pytest.raises(ValueError, match=r"(?i)sample_weight.*persist"):
                model.fit(frame[["uid"]], frame["y"], sample_weight=w)
        persisted = frame.persist()
        computed = persisted.compute()
        model.fit(persisted[["uid"]], persisted["y"], sample_weight=computed["w"])
    X_seen, _, w_seen, _ = model.classifier_.seen_
    np.testing.assert_array_equal(np.asarray(w_seen), X_seen[:, 0] + 1)


# --- 3. a column name as y -------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: ThresholdMover(LogisticRegression()),
        lambda: ResampledClassifier(RandomUnderSampler(), LogisticRegression()),
    ],
    ids=["ThresholdMover", "ResampledClassifier"],
)
@pytest.mark.parametrize("label", ["label", b"label"])
def test_column_name_as_y_says_it_is_a_string(make, label):
    # Before: "X has 10 rows but y has 5 labels" (the name's characters).
    frame = pd.DataFrame({"a": np.arange(10.0), "label": [0, 1] * 5})
    with pytest.raises(ValueError, match=r"^y is a (string|single label)"):
        make().fit(frame, label)


# --- 4. a pandas categorical of dates as y ----------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: ThresholdMover(LogisticRegression()),
        lambda: ResampledClassifier(RandomUnderSampler(), LogisticRegression()),
    ],
    ids=["ThresholdMover", "ResampledClassifier"],
)
@pytest.mark.parametrize("kind", ["datetime", "datetime_tz", "timedelta"])
def test_categorical_of_dates_gets_a_message_that_fits(make, kind):
    # Before: "y has dtype datetime64[us] (dates, times or durations) ...:
    # pass integers, strings, booleans or a pandas categorical": it was one.
    X, y = _data((30, 30))
    # Before, with a time zone: scikit-learn's "Unknown label type: unknown".
    values = {
        "datetime": pd.to_datetime(["2020-01-01", "2021-01-01"]),
        "datetime_tz": pd.to_datetime(["2020-01-01", "2021-01-01"], utc=True),
        "timedelta": pd.to_timedelta(["1D", "2D"]),
    }[kind]
    labels = pd.Series(values[y]).astype("category")
    with pytest.raises(ValueError) as info:
        make().fit(X, labels)
    message = str(info.value)
    assert message.startswith("y is a pandas categorical of"), message
    assert "astype(str)" in message
    assert "or a pandas categorical" not in message
    # As strings, it fits.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted = make().fit(X, labels.astype(str))
    assert len(fitted.classes_) == 2
