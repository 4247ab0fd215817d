"""Review 134, area dask6: Dask inputs through rebalance after samplers began
to fit on a shallow copy and commit the fitted attributes at the end
(``rebalance/base.py:BaseSampler._committed``; the Dask path is
``rebalance/_dask.py:fit_resample``).

Checked, each against numpy/pandas indexing by hand on the sampler the user
holds: every sampler's lazy outputs equal ``X[sample_indices_]`` (y and
``sample_weight`` aligned) for Dask arrays and DataFrames (2-4 partitions,
filtered frames of unknown lengths, categorical and string[pyarrow]
columns); a refused refit keeps the last fit; two ``fit_resample`` calls in
a row each give outputs matching their own ``sample_indices_`` even when
the first outputs are computed last; ``ResampledClassifier`` with a Dask X;
``class_weights``/``sample_weights`` with Dask labels; ``ThresholdMover``
with Dask priors (Series read by label). Not repeated: tests/test_dask.py
and tests/regressions/*dask*, *parquet* (in-memory equality of the draw,
partition layout, shuffled-index refusals). No bug found.
"""

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from sklearn.linear_model import LogisticRegression  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)

pytestmark = pytest.mark.usefixtures("synchronous_dask")

ALL = [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler, LabelShuffleSampler]


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    w = rng.random(n) + 0.1
    return X, y, w


@pytest.mark.parametrize("cls", ALL)
def test_dask_arrays_rows_labels_weights_follow_sample_indices(cls):
    X, y, w = data()
    sampler = cls(random_state=1)
    X_res, y_res, w_res = sampler.fit_resample(
        da.from_array(X, chunks=(20, 3)),
        da.from_array(y, chunks=15),
        sample_weight=da.from_array(w, chunks=30),
    )
    assert all(isinstance(o, da.Array) for o in (X_res, y_res, w_res))
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(X_res.compute(), X[idx])
    np.testing.assert_array_equal(y_res.compute(), y[idx])
    np.testing.assert_array_equal(w_res.compute(), w[idx])


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("shuffle", [True, False])
def test_filtered_frame_with_categorical_and_arrow_strings(cls, shuffle):
    X, y, w = data()
    frame = pd.DataFrame(
        {
            "a": X[:, 0],
            "c": pd.Categorical(
                np.array(["u", "v", "z"])[y], categories=["z", "v", "u", "q"]
            ),
            "s": pd.array([f"t{i}" for i in range(len(y))], dtype="string[pyarrow]"),
            "y": y,
            "w": w,
        },
        index=np.arange(100, 100 + len(y)),
    )
    ddf = dd.from_pandas(frame, npartitions=4)
    kept = ddf[ddf.a > -1]  # partition lengths unknown
    expected = frame[frame.a > -1]
    if "shuffle" not in cls().get_params():
        if not shuffle:
            pytest.skip(f"{cls.__name__} has no shuffle parameter")
        sampler = cls(random_state=0)
    else:
        sampler = cls(random_state=0, shuffle=shuffle)
    X_res, y_res, w_res = sampler.fit_resample(
        kept[["a", "c", "s"]], kept.y, sample_weight=kept.w
    )
    idx = sampler.sample_indices_
    got = X_res.compute()
    want = expected[["a", "c", "s"]].iloc[idx]
    assert list(got.c.cat.categories) == ["z", "v", "u", "q"]
    assert got.s.dtype == pd.StringDtype("pyarrow")
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True)
    )
    np.testing.assert_array_equal(
        y_res.compute().to_numpy(), expected.y.to_numpy()[idx]
    )
    np.testing.assert_array_equal(
        w_res.compute().to_numpy(), expected.w.to_numpy()[idx]
    )


@pytest.mark.parametrize("cls", ALL)
def test_two_calls_each_match_their_own_indices_computed_late(cls):
    X, y, _ = data()
    Xd = da.from_array(X, chunks=(15, 3))
    sampler = cls(random_state=None)
    first = sampler.fit_resample(Xd, y)
    idx1 = sampler.sample_indices_.copy()
    second = sampler.fit_resample(Xd, y)
    idx2 = sampler.sample_indices_
    # first computed only after the second call replaced the fitted state
    np.testing.assert_array_equal(first[0].compute(), X[idx1])
    np.testing.assert_array_equal(first[1].compute(), y[idx1])
    np.testing.assert_array_equal(second[0].compute(), X[idx2])
    np.testing.assert_array_equal(second[1].compute(), y[idx2])


@pytest.mark.parametrize("cls", ALL)
def test_refused_dask_refit_keeps_the_last_fit(cls):
    X, y, _ = data()
    sampler = cls(random_state=1)
    sampler.fit_resample(da.from_array(X, chunks=(20, 3)), y)
    before = dict(sampler.__dict__)
    with pytest.raises(ValueError, match="one class"):
        sampler.fit_resample(da.from_array(X[:, :2], chunks=(20, 2)), np.zeros(len(y)))
    assert set(sampler.__dict__) == set(before)
    assert sampler.n_features_in_ == 3
    np.testing.assert_array_equal(sampler.sample_indices_, before["sample_indices_"])
    assert sampler.sampling_strategy_ == before["sampling_strategy_"]


def test_unknown_chunks_refused_naming_fix_and_last_fit_kept():
    X, y, _ = data()
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(da.from_array(X, chunks=(20, 3)), y)
    kept = sampler.sample_indices_.copy()
    unknown = dd.from_pandas(pd.DataFrame(X), npartitions=3).to_dask_array()
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        sampler.fit_resample(unknown, y)
    np.testing.assert_array_equal(sampler.sample_indices_, kept)


class _Recorder(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        self.seen_ = (np.asarray(X), np.asarray(y))
        return super().fit(np.asarray(X), np.asarray(y))


def test_resampled_classifier_with_dask_X_fits_on_the_drawn_rows():
    X, y, _ = data(80)
    model = ResampledClassifier(RandomUnderSampler(random_state=3), _Recorder())
    model.fit(da.from_array(X, chunks=(20, 3)), y)
    idx = model.sampler_.sample_indices_
    seen_X, seen_y = model.classifier_.seen_
    np.testing.assert_array_equal(seen_X, X[idx])
    np.testing.assert_array_equal(seen_y, y[idx])
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    np.testing.assert_allclose(model.resampled_priors_, [1 / 3] * 3)
    assert not hasattr(model.sampler_, "_drawn_labels")


def test_class_and_sample_weights_of_dask_labels():
    _, y, _ = data()
    n, counts = len(y), np.bincount(y)
    by_hand = {c: n / (3 * counts[c]) for c in range(3)}
    got = class_weights(da.from_array(y, chunks=25))
    assert got.keys() == by_hand.keys()
    np.testing.assert_allclose(list(got.values()), list(by_hand.values()))
    cat = pd.Series(
        pd.Categorical(
            np.array(["a", "b", "c"])[y], categories=["c", "b", "a", "unused"]
        )
    )
    dask_cat = dd.from_pandas(cat, npartitions=2)
    assert list(class_weights(dask_cat)) == ["c", "b", "a"]
    np.testing.assert_allclose(sample_weights(dask_cat), [by_hand[c] for c in y])


def test_threshold_mover_reads_dask_priors_by_label():
    X, _, _ = data(80)
    rng = np.random.default_rng(1)
    labels = np.array(["n", "p"])[(rng.random(80) < 0.3).astype(int)]
    model = LogisticRegression().fit(X, labels)
    # Dask Series in an order other than classes_: read by label.
    train = dd.from_pandas(pd.Series([0.5, 0.5], index=["p", "n"]), npartitions=2)
    deploy = dd.from_pandas(pd.Series([0.1, 0.9], index=["p", "n"]), npartitions=1)
    mover = ThresholdMover(model, train_priors=train, deploy_priors=deploy)
    mover.fit(X, labels)
    p = model.predict_proba(X) * np.array([0.9, 0.1]) / 0.5
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(mover.predict_proba(X), p)
    arr = ThresholdMover(
        model,
        train_priors={"p": 0.5, "n": 0.5},
        deploy_priors=da.from_array(np.array([0.9, 0.1]), chunks=1),
    ).fit(X, labels)
    np.testing.assert_allclose(arr.predict_proba(X), p)
