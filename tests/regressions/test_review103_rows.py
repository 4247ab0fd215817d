"""Review 103, area "rows": X, y, sample_weight and groups stay paired.

Every public entry point that takes X with y / sample_weight / groups pairs
them by position (as scikit-learn does) and refuses a pandas value whose
index holds X's (or y's) index in another order. These pins check each
entry point, and that fit_resample's outputs keep rows paired.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
N = 24
PERM = np.random.default_rng(0).permutation(N)


def _data():
    X = pd.DataFrame(
        {"a": np.arange(N, dtype=float), "b": np.arange(N) * 10},
        index=np.arange(100, 100 + N),
    )
    y = pd.Series([0] * 16 + [1] * 8, index=X.index, name="t")
    w = pd.Series(np.arange(1.0, N + 1), index=X.index)
    groups = pd.Series(np.arange(N) % 4, index=X.index)
    return X, y, w, groups


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_refuses_permuted_y(cls):
    X, y, _, _ = _data()
    with pytest.raises(ValueError, match=r"y holds the index of X in another order"):
        cls().fit_resample(X, y.iloc[PERM])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_refuses_permuted_one_column_frame_y(cls):
    X, y, _, _ = _data()
    with pytest.raises(ValueError, match=r"y holds the index of X in another order"):
        cls().fit_resample(X, y.to_frame().iloc[PERM])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_refuses_permuted_y_next_to_series_x(cls):
    X, y, _, _ = _data()
    texts = X["a"].astype(str)
    with pytest.raises(ValueError, match=r"y holds the index of X in another order"):
        cls().fit_resample(texts, y.iloc[PERM])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_refuses_permuted_sample_weight(cls):
    X, y, w, _ = _data()
    with pytest.raises(ValueError, match=r"sample_weight holds the index of X"):
        cls().fit_resample(X, y, sample_weight=w.iloc[PERM])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_numpy_x_weight_checked_against_y(cls):
    X, y, w, _ = _data()
    with pytest.raises(ValueError, match=r"sample_weight holds the index of y"):
        cls().fit_resample(X.to_numpy(), y, sample_weight=w.iloc[PERM])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_numpy_x_and_indexed_y_by_position(cls):
    # nothing to check a numpy X against: a Series y of any index is paired
    # with X's rows by position
    X, y, _, _ = _data()
    y_shuffled = y.iloc[PERM]
    sampler = cls()
    X_res, y_res = sampler.fit_resample(X.to_numpy(), y_shuffled)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(X_res, X.to_numpy()[idx])
    if cls is not LabelShuffleSampler:
        np.testing.assert_array_equal(y_res.to_numpy(), y_shuffled.to_numpy()[idx])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_other_index_paired_by_position(cls):
    # an index of other values (no overlap) or with repeated labels is not a
    # reordering of X's: paired by position
    X, y, _, _ = _data()
    for other in (y.set_axis(np.arange(N) + 1000), y.set_axis([7] * N)):
        sampler = cls()
        X_res, y_res = sampler.fit_resample(X, other)
        idx = sampler.sample_indices_
        np.testing.assert_array_equal(X_res["a"].to_numpy(), X["a"].to_numpy()[idx])
        if cls is not LabelShuffleSampler:
            np.testing.assert_array_equal(y_res.to_numpy(), other.to_numpy()[idx])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_refuses_reordered_repeated_index(cls):
    X, y, _, _ = _data()
    X_dup = X.set_axis([1, 2] * (N // 2))
    with pytest.raises(ValueError, match=r"y holds the index of X in another order"):
        cls().fit_resample(X_dup, y.set_axis([2, 1] * (N // 2)))


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_resample_output_rows_paired(cls):
    X, y, _, _ = _data()
    sampler = cls()
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert list(X_res.columns) == ["a", "b"]
    assert X_res.dtypes.tolist() == X.dtypes.tolist()
    assert y_res.name == "t"
    # documented: a fresh RangeIndex on both, the same one
    assert isinstance(X_res.index, pd.RangeIndex)
    assert X_res.index.equals(y_res.index)
    np.testing.assert_array_equal(X_res["a"].to_numpy(), X["a"].to_numpy()[idx])
    np.testing.assert_array_equal(X_res["b"].to_numpy(), X["b"].to_numpy()[idx])
    if cls is not LabelShuffleSampler:
        np.testing.assert_array_equal(y_res.to_numpy(), y.to_numpy()[idx])
    else:
        assert sorted(y_res.tolist()) == sorted(y.to_numpy()[idx].tolist())


def test_fit_resample_polars_paired_by_position():
    pl = pytest.importorskip("polars")
    X, y, _, _ = _data()
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(pl.from_pandas(X), pl.Series("t", y.to_numpy()))
    idx = sampler.sample_indices_
    assert X_res["a"].to_list() == X["a"].to_numpy()[idx].tolist()
    assert y_res.to_list() == y.to_numpy()[idx].tolist()
    assert y_res.name == "t"
    assert X_res.schema == pl.from_pandas(X).schema


def test_fit_resample_pyarrow_paired_by_position():
    pa = pytest.importorskip("pyarrow")
    X, y, _, _ = _data()
    sampler = RandomUnderSampler(random_state=0)
    table = pa.Table.from_pandas(X, preserve_index=False)
    X_res, y_res = sampler.fit_resample(table, pa.array(y.to_numpy()))
    idx = sampler.sample_indices_
    assert X_res.column("a").to_pylist() == X["a"].to_numpy()[idx].tolist()
    assert y_res.to_pylist() == y.to_numpy()[idx].tolist()
    assert X_res.schema == table.schema


def _resampled():
    return ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())


@pytest.mark.parametrize(
    "make", [_resampled, lambda: ThresholdMover(LogisticRegression())]
)
def test_estimators_refuse_permuted_rows(make):
    X, y, w, _ = _data()
    name = type(make()).__name__
    with pytest.raises(ValueError, match=rf"y holds the index of X.*{name}\.fit"):
        make().fit(X, y.iloc[PERM])
    with pytest.raises(ValueError, match=r"sample_weight holds the index of X"):
        make().fit(X, y, sample_weight=w.iloc[PERM])
    with pytest.raises(ValueError, match=r"sample_weight holds the index of y"):
        make().fit(X.to_numpy(), y, sample_weight=w.iloc[PERM])
    model = make().fit(X, y)
    with pytest.raises(ValueError, match=rf"y holds the index of X.*{name}\.score"):
        model.score(X, y.iloc[PERM])
    with pytest.raises(ValueError, match=r"sample_weight holds the index of X"):
        model.score(X, y, sample_weight=w.iloc[PERM])


def test_estimators_numpy_x_indexed_y_by_position():
    X, y, _, _ = _data()
    y_shuffled = y.iloc[PERM]
    for model in (_resampled(), ThresholdMover(LogisticRegression())):
        model.fit(X.to_numpy(), y_shuffled)
        expected = (model.predict(X.to_numpy()) == y_shuffled.to_numpy()).mean()
        assert model.score(X.to_numpy(), y_shuffled) == pytest.approx(expected)


def test_resampled_classifier_refuses_permuted_fit_param():
    X, y, _, groups = _data()
    with pytest.raises(ValueError, match=r"groups holds the index of X"):
        _resampled().fit(X, y, groups=groups.iloc[PERM])


def test_threshold_mover_refuses_permuted_groups():
    X, y, _, groups = _data()
    model = ThresholdMover(LogisticRegression(), cv=GroupKFold(2))
    with pytest.raises(ValueError, match=r"groups holds the index of X"):
        model.fit(X, y, groups=groups.iloc[PERM])


def test_routed_metadata_refused_when_permuted():
    import sklearn

    X, y, w, groups = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LogisticRegression().set_fit_request(sample_weight=True)
        with pytest.raises(ValueError, match=r"sample_weight holds the index of X"):
            ResampledClassifier(RandomUnderSampler(), clf).fit(
                X, y, sample_weight=w.iloc[PERM]
            )
        clf = LogisticRegression().set_fit_request(sample_weight=True)
        with pytest.raises(ValueError, match=r"sample_weight holds the index of X"):
            ThresholdMover(clf).fit(X, y, sample_weight=w.iloc[PERM])
        with pytest.raises(ValueError, match=r"groups holds the index of X"):
            ThresholdMover(LogisticRegression(), cv=GroupKFold(2)).fit(
                X, y, groups=groups.iloc[PERM]
            )


def test_imblearn_pipeline_with_routed_weight_is_refused():
    import sklearn

    imb_pipeline = pytest.importorskip("imblearn.pipeline")
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LogisticRegression().set_fit_request(sample_weight=True)
        pipe = imb_pipeline.Pipeline([("s", RandomUnderSampler()), ("m", clf)])
        with pytest.raises(ValueError, match=r"Pipeline"):
            pipe.fit(X, y, sample_weight=w.iloc[PERM])


def test_compare_refuses_permuted_y():
    from rebalance.compare import compare

    X, y, _, _ = _data()
    with pytest.raises(ValueError, match=r"y holds the index of X.*compare"):
        compare(X, y.iloc[PERM], method_names=["none"], folds=2, progress=False)


def test_torch_sampler_reads_series_labels_by_position():
    # a Dataset has no index: the sampler's positions index the labels by
    # position, whatever the Series' index
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    y = pd.Series([0] * 16 + [1] * 8, index=PERM + 100)
    positions = list(RebalanceSampler(y, RandomUnderSampler()))
    assert len(positions) == 16
    assert max(positions) < N
    np.testing.assert_array_equal(np.bincount(y.to_numpy()[positions]), [8, 8])
