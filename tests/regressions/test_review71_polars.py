"""Review 71, polars and pyarrow: rebalance used as a polars user would, with
the same data in pandas (or numpy) as the reference."""

import numpy as np
import pytest

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

from sklearn.linear_model import LogisticRegression  # noqa: E402

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance._frames import take_rows  # noqa: E402
from rebalance.threshold import ThresholdMover  # noqa: E402

Y = np.array([0] * 9 + [1] * 3)


def _arrow_containers():
    frame = pl.DataFrame({"a": [1, 2, 3], "s": ["x", "y", "z"]})
    table = frame.to_arrow()
    return [
        table,
        table.to_batches()[0],
        frame["a"].to_arrow(),
        pa.chunked_array([[1, 2], [3]]),
    ]


@pytest.mark.parametrize("data", _arrow_containers(), ids=lambda d: type(d).__name__)
def test_arrow_rows_count_negative_positions_from_the_end(data):
    # numpy, pandas' iloc and polars read -1 as the last row; pyarrow's take
    # raised ArrowIndexError ("Index -1 out of bounds").
    taken = take_rows(data, np.array([-1, 0, -3]))
    assert type(taken) is type(data)
    assert taken.to_pylist() == take_rows(data, np.array([2, 0, 0])).to_pylist()


@pytest.mark.parametrize("data", _arrow_containers(), ids=lambda d: type(d).__name__)
def test_arrow_rows_out_of_bounds_as_numpy_says_it(data):
    # pyarrow named the wrapped position ("Index -1 out of bounds" for -4).
    for rows in (np.array([0, -4]), np.array([3]), np.array([2**64 - 1], np.uint64)):
        with pytest.raises(IndexError, match=f"index {rows[-1]} is out of bounds"):
            take_rows(data, rows)


def test_threshold_mover_pyarrow_with_negative_cv_splits():
    # A cv given as negative positions: numpy, pandas and polars X fitted,
    # a pyarrow Table crashed with ArrowIndexError.
    rng = np.random.default_rng(0)
    y = np.array([0, 0, 0, 1] * 20)
    X = rng.normal(size=(80, 2))
    X[:, 0] += y
    cv = [(np.arange(40) - 80, np.arange(40, 80) - 80)]
    expected = ThresholdMover(LogisticRegression(), strategy="tuned", cv=cv)
    expected.fit(X, y)
    table = pa.table({"a": X[:, 0], "b": X[:, 1]})
    model = ThresholdMover(LogisticRegression(), strategy="tuned", cv=cv)
    model.fit(table, y)
    assert model.threshold_ == pytest.approx(expected.threshold_)


# -------------------------------------------------- not in the owned files


def test_categorical_texts_keep_their_container():
    texts = ["a great film", "loved it", "dull plot", "awful acting"] * 3
    y = np.array([1, 0, 0, 0] * 3)
    arrow = pa.array(texts).dictionary_encode()
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(arrow, y)
    assert isinstance(X_res, pa.DictionaryArray)
    series = pl.Series("t", texts, dtype=pl.Categorical)
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(series, y)
    assert isinstance(X_res, pl.Series) and X_res.dtype == pl.Categorical


def test_enum_labels_draw_as_their_pandas_categorical():
    labels = pl.Series(
        "y", np.where(Y == 1, "pos", "neg"), dtype=pl.Enum(["pos", "neg"])
    )
    as_pandas = labels.to_pandas()
    assert list(as_pandas.cat.categories) == ["pos", "neg"]
    X = np.zeros((12, 1))
    polars_draw = RandomUnderSampler(random_state=0)
    polars_draw.fit_resample(X, labels)
    pandas_draw = RandomUnderSampler(random_state=0)
    pandas_draw.fit_resample(X, as_pandas)
    np.testing.assert_array_equal(
        polars_draw.sample_indices_, pandas_draw.sample_indices_
    )


def test_resampled_classifier_imblearn_sampler_polars_message():
    imblearn = pytest.importorskip("imblearn.under_sampling")
    from rebalance import ResampledClassifier

    X = pl.DataFrame({"a": np.arange(12.0)})
    model = ResampledClassifier(
        imblearn.RandomUnderSampler(random_state=0), LogisticRegression()
    )
    with pytest.raises((TypeError, ValueError), match="polars"):
        model.fit(X, Y)
