"""Review 72 diff3: the newest commits (polars ``Enum`` labels in category
order, dictionary/categorical texts as X, the at-fork lock of
``rebalance._indices``, one-hot keys refused as other columns, the foreign
sampler's error on a polars/pyarrow X).

Strict xfails are bugs left to the owners of the files; the other tests pin
what was checked and found right.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    class_weights,
)

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

TEXT = np.array(["b"] * 12 + ["a"] * 4 + ["c"] * 6)
ORDER = ["b", "c", "a"]


def _enum():
    return pl.Series(TEXT, dtype=pl.Enum([*ORDER, "unused"]))


def _categorical():
    return pd.Series(pd.Categorical(TEXT, categories=[*ORDER, "unused"]))


# ------------------------------------------------- (1) Enum labels' classes


@pytest.mark.parametrize("strategy", ["majority", "not minority", "auto"])
def test_enum_labels_draw_as_their_pandas_categorical(strategy):
    X = np.arange(len(TEXT)).reshape(-1, 1)
    got = RandomUnderSampler(sampling_strategy=strategy, random_state=0)
    want = RandomUnderSampler(sampling_strategy=strategy, random_state=0)
    got.fit_resample(X, _enum())
    want.fit_resample(X, _categorical())
    assert got.sampling_strategy_ == want.sampling_strategy_
    assert list(got.sampling_strategy_) == list(want.sampling_strategy_)
    assert got.sample_indices_.tolist() == want.sample_indices_.tolist()
    assert list(class_weights(_enum())) == list(class_weights(_categorical()))


def test_polars_categorical_labels_stay_sorted():
    X = np.arange(len(TEXT)).reshape(-1, 1)
    got = RandomOverSampler(random_state=0)
    want = RandomOverSampler(random_state=0)
    got.fit_resample(X, pl.Series(TEXT, dtype=pl.Categorical))
    want.fit_resample(X, TEXT)
    assert list(got.sampling_strategy_) == list(want.sampling_strategy_)
    assert got.sample_indices_.tolist() == want.sample_indices_.tolist()


def test_rebalance_sampler_epoch_is_fit_resample_draw_for_enum_labels():
    torch_samplers = pytest.importorskip("rebalance.torch.samplers")
    labels = _enum()
    X = np.zeros((len(TEXT), 1))
    sampler = torch_samplers.RebalanceSampler(labels, RandomUnderSampler(), seed=7)
    fitted = RandomUnderSampler(random_state=np.random.default_rng([7, 0]))
    fitted.fit_resample(X, labels)
    assert list(sampler) == fitted.sample_indices_.tolist()


def test_balanced_batch_class_counts_list_follows_enum_order():
    torch_samplers = pytest.importorskip("rebalance.torch.samplers")

    def batches(labels):
        sampler = torch_samplers.BalancedBatchSampler(
            labels, 4, class_counts=[3, 1, 0], seed=0
        )
        return [sorted(TEXT[b].tolist()) for b in sampler]

    assert batches(_categorical())[0] == ["b", "b", "b", "c"]
    assert batches(_enum()) == batches(_categorical())


# ---------------------------------------- (2) dictionary/categorical texts

DOCS = ["good movie", "bad film", "great plot", "awful acting"] * 3
DOC_LABELS = np.array([1, 0, 1, 1] * 3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: pa.array(DOCS).dictionary_encode(),
        lambda: pa.chunked_array(  # two dictionaries of their own
            [
                pa.array(DOCS[:5]).dictionary_encode(),
                pa.array(DOCS[5:]).dictionary_encode(),
            ]
        ),
        lambda: pl.Series(DOCS, dtype=pl.Categorical),
        lambda: pl.Series(DOCS, dtype=pl.Enum([*sorted(set(DOCS))[::-1], "x"])),
    ],
    ids=["dictionary", "chunked-dictionary", "polars-categorical", "polars-enum"],
)
def test_dictionary_texts_round_trip_in_their_type(make):
    X = make()
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, DOC_LABELS)
    assert type(X_res) is type(X)
    values = X_res.to_pylist() if hasattr(X_res, "to_pylist") else X_res.to_list()
    assert values == [DOCS[i] for i in sampler.sample_indices_]
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(X, DOC_LABELS)


def test_categorical_texts_through_tfidf_in_resampled_classifier():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X = pl.Series(DOCS, dtype=pl.Categorical)
    model = ResampledClassifier(
        RandomOverSampler(random_state=0),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ).fit(X, DOC_LABELS)
    plain = ResampledClassifier(
        RandomOverSampler(random_state=0),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ).fit(np.array(DOCS), DOC_LABELS)
    assert model.predict(X).tolist() == plain.predict(np.array(DOCS)).tolist()


# ------------------------------------------------------- (3) at-fork locks


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
def test_fork_while_this_thread_holds_the_kernels_lock_and_from_threads():
    from rebalance import _indices

    X = np.zeros((40, 1))
    y = np.array([0] * 30 + [1] * 10)

    def fork_and_draw(codes, i):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            kept = RandomUnderSampler(random_state=0).fit_resample(X, y)[1]
            os._exit(0 if int(kept.sum()) == 10 else 3)
        codes[i] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

    codes: dict = {}
    with _indices._KERNELS_LOCK:
        fork_and_draw(codes, "held")
    threads = [
        threading.Thread(target=fork_and_draw, args=(codes, i)) for i in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert codes == {"held": 0, 0: 0, 1: 0, 2: 0}
    assert _indices._KERNELS_LOCK.acquire(blocking=False)  # released after
    _indices._KERNELS_LOCK.release()


# ------------------------------------------- (4) one-hot keys as columns

LABELS = np.array([1.0] * 6 + [2.0] * 3 + [3.0] * 3)


def test_integer_one_hot_names_equal_to_positions_are_not_refused():
    y = pd.get_dummies(pd.Series(LABELS.astype(int) - 1)).astype(int)  # [0, 1, 2]
    sampler = RandomUnderSampler(sampling_strategy={1: 2}, random_state=0)
    sampler.fit_resample(np.zeros((12, 1)), y)
    assert sorted(LABELS[sampler.sample_indices_].tolist()).count(2.0) == 2


def test_float_key_naming_a_float_one_hot_column_is_refused():
    y = pd.get_dummies(pd.Series(LABELS)).astype(int)
    with pytest.raises(ValueError, match="name of column 0"):
        RandomUnderSampler(sampling_strategy={1.0: 2}).fit_resample(
            np.zeros((12, 1)), y
        )


# ------------------------------------- (5) another library's sampler on X


def test_imblearn_sampler_on_pandas_x_keeps_its_own_error():
    imblearn = pytest.importorskip("imblearn.under_sampling")
    from sklearn.linear_model import LogisticRegression

    X = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7})
    y = np.array([0] * 20 + [1] * 10)
    sampler = imblearn.RandomUnderSampler(sampling_strategy="bogus")
    with pytest.raises(ValueError, match="sampling_strategy") as info:
        ResampledClassifier(sampler, LogisticRegression()).fit(X, y)
    assert "to_pandas" not in str(info.value)


def test_imblearn_parameter_error_on_pyarrow_x_is_not_blamed_on_x():
    imblearn = pytest.importorskip("imblearn.under_sampling")
    from sklearn.linear_model import LogisticRegression

    X = pa.table({"a": np.arange(30.0), "b": np.arange(30.0) % 7})
    y = np.array([0] * 20 + [1] * 10)
    sampler = imblearn.RandomUnderSampler(sampling_strategy="bogus")
    with pytest.raises(Exception) as info:
        ResampledClassifier(sampler, LogisticRegression()).fit(X, y)
    assert isinstance(info.value, ValueError)
    assert "to_pandas" not in str(info.value)
