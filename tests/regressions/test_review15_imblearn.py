"""Review 15: imbalanced-learn 0.14's own test cases and estimator checks run
against the rebalance samplers, as a peer's suite would be run against us.

Covered elsewhere and not repeated here: test_random_over_sampler.py and
test_random_under_sampler.py (tests/test_imblearn_port.py), the default-parameter
estimator checks (tests/test_common.py). imbalanced-learn's test_pipeline.py and
test_bagging.py were run with ``RandomUnderSampler`` / ``RandomOverSampler``
swapped for ours: everything passes except the cases that pin imbalanced-learn's
own random draw (documented: rebalance shuffles the rows).
"""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.over_sampling import RandomOverSampler as ImbOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from imblearn.utils.estimator_checks import (
    check_samplers_fit_resample,
    estimator_checks_generator,
)
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _imbalanced(n_major=40, n_minor=10):
    X = np.arange(2.0 * (n_major + n_minor)).reshape(-1, 2)
    y = np.array([0] * n_major + [1] * n_minor)
    return X, y


# --------------------------------------------------------------------------
# Bugs


# imbalanced-learn's documented random_state (imblearn.utils._docstring
# ._random_state_docstring), which is scikit-learn's: "If None, the random
# number generator is the RandomState instance used by np.random". So
# `np.random.seed(s)` makes an unseeded imbalanced-learn sampler reproducible
# (its own estimator checks rely on it: check_samplers_fit calls
# np.random.seed(42) "to make this test reproducible"). rebalance's
# check_random_state(None) returns np.random.default_rng(), seeded from OS
# entropy: the global seed is ignored and a script ported from
# imbalanced-learn that seeds numpy globally silently stops being
# reproducible.
@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_random_state_none_follows_the_global_numpy_seed(sampler_cls):
    X, y = _imbalanced()

    def draw(cls):
        np.random.seed(0)  # noqa: NPY002 (the legacy global seed is the point)
        sampler = cls()
        sampler.fit_resample(X, y)
        return sampler.sample_indices_.tolist()

    try:
        assert draw(ImbUnderSampler) == draw(ImbUnderSampler)  # the peer's contract
        assert draw(sampler_cls) == draw(sampler_cls)
    finally:
        np.random.seed(None)  # noqa: NPY002


# imbalanced-learn validates X with accept_sparse=["csr", "csc"], which
# converts any other scipy format (COO from scipy.sparse.hstack/vstack of mixed
# blocks or scipy.sparse.random, LIL/DOK built row by row, BSR, DIA) to CSR and
# resamples it. rebalance refuses them ("X is a sparse COO matrix: convert it
# with X.tocsr()"), so a pipeline or script that works with imbalanced-learn's
# samplers raises with ours. fit_resample's docstring promises "sparse matrix".
@pytest.mark.parametrize("fmt", ["coo", "lil", "dok"])
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_any_scipy_sparse_format_is_resampled_as_imblearn_does(fmt, sampler_cls):
    X_dense, y = _imbalanced()
    X = sp.csr_matrix(X_dense).asformat(fmt)
    peer = {RandomUnderSampler: ImbUnderSampler, RandomOverSampler: ImbOverSampler}
    X_imb, _ = peer[sampler_cls](random_state=0).fit_resample(X, y)
    assert X_imb.format == "csr"

    sampler = sampler_cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sp.issparse(X_res) and X_res.format == "csr"
    np.testing.assert_array_equal(X_res.toarray(), X_dense[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


# --------------------------------------------------------------------------
# Checked and found right


# imbalanced-learn's sampler checks (check_samplers_*) on non-default
# parameters; check_samplers_fit_resample assumes the default strategy.
@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(replacement=True, shuffle=False, random_state=0),
        RandomUnderSampler(sampling_strategy="all", random_state=0),
        RandomOverSampler(sampling_strategy="all", shuffle=False, random_state=0),
        LabelShuffleSampler(sampling_strategy="all", random_state=0),
        ClassBalancedSampler(power=0.5, n_samples=100, random_state=0),
    ],
    ids=repr,
)
def test_imblearn_sampler_checks_on_non_default_parameters(sampler):
    for estimator, check in estimator_checks_generator(sampler, legacy=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(estimator)
    check_samplers_fit_resample(type(sampler).__name__, sampler)


def _meta(obj):
    """Container metadata imbalanced-learn restores (index excluded: rebalance
    documents a fresh RangeIndex for pandas outputs)."""
    if isinstance(obj, pd.DataFrame):
        return (
            "frame",
            list(obj.columns),
            obj.columns.name,
            list(map(str, obj.dtypes)),
        )
    if isinstance(obj, pd.Series):
        return ("series", obj.name, str(obj.dtype))
    return (type(obj).__name__, str(np.asarray(obj).dtype), np.shape(obj))


@pytest.mark.parametrize(
    "y",
    [
        pd.Series(np.array([0] * 9 + [1] * 3), name="label"),
        pd.Series(pd.Categorical(["n"] * 9 + ["p"] * 3), name=("t", 1)),
        pd.Series(pd.array([0] * 9 + [1] * 3, dtype="Int64"), name="lab"),
        pd.Series(np.array([0] * 9 + [1] * 3, dtype=np.int8)),
        pd.DataFrame({"lab": pd.Categorical(["n"] * 9 + ["p"] * 3)}),
        [0] * 9 + [1] * 3,
    ],
    ids=["int", "categorical", "Int64", "int8-unnamed", "frame", "list"],
)
@pytest.mark.parametrize(
    "peer, ours",
    [(ImbUnderSampler, RandomUnderSampler), (ImbOverSampler, RandomOverSampler)],
)
def test_pandas_names_and_dtypes_as_imblearn(y, peer, ours):
    X = pd.DataFrame(
        {
            "a": np.arange(12, dtype=np.int16),
            "c": pd.Categorical(list("abc") * 4),
            "t": pd.date_range("2020", periods=12, tz="Europe/Paris"),
            "s": pd.array(list("xyz") * 4, dtype="string"),
        }
    ).rename_axis("features", axis=1)
    X_imb, y_imb = peer(random_state=0).fit_resample(X, y)
    X_res, y_res = ours(random_state=0).fit_resample(X, y)
    assert _meta(X_res) == _meta(X_imb)
    assert _meta(y_res) == _meta(y_imb)
    if isinstance(y_res, (pd.Series, pd.DataFrame)):
        assert y_res.index.equals(X_res.index)


@pytest.mark.parametrize(
    "strategy", [{0: 9, 1: 9}, {np.int32(1): 9}, {1.0: 9}, {True: 9}]
)
def test_dict_keys_are_matched_as_imblearn_matches_them(strategy):
    X, y = _imbalanced(9, 3)
    _, y_imb = ImbOverSampler(sampling_strategy=strategy, random_state=0).fit_resample(
        X, y
    )
    _, y_res = RandomOverSampler(
        sampling_strategy=strategy, random_state=0
    ).fit_resample(X, y)
    assert Counter(y_res.tolist()) == Counter(y_imb.tolist())


class _CountingTree(DecisionTreeClassifier):
    def fit(self, X, y, sample_weight=None):
        self.counts_ = dict(sorted(Counter(np.asarray(y).tolist()).items()))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "strategy", ["auto", "not minority", {"a": 100, "b": 50, "c": 30}]
)
def test_balanced_bagging_string_labels_same_counts_as_imblearn(strategy):
    X, y = make_classification(
        n_samples=300, n_classes=3, n_informative=4, weights=[0.6, 0.3], random_state=0
    )
    y = np.array(["a", "b", "c"])[y]

    def counts(sampler):
        bagging = BalancedBaggingClassifier(
            estimator=_CountingTree(),
            sampler=sampler,
            sampling_strategy=strategy,
            n_estimators=2,
            bootstrap=False,
            random_state=0,
        ).fit(X, y)
        return [step[-1].counts_ for step in bagging.estimators_]

    assert counts(RandomUnderSampler()) == counts(ImbUnderSampler())


@pytest.mark.parametrize(
    "strategy", ["auto", "all", "minority", "not minority", "not majority", 0.9]
)
def test_label_shuffle_counts_are_random_over_sampling_counts(strategy):
    X = np.arange(42.0).reshape(21, 2)
    y = (
        np.array([0] * 14 + [1] * 7)
        if strategy == 0.9
        else np.repeat([0, 1, 2], [12, 6, 3])
    )
    _, y_imb = ImbOverSampler(sampling_strategy=strategy, random_state=0).fit_resample(
        X, y
    )
    sampler = LabelShuffleSampler(sampling_strategy=strategy, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == Counter(y_imb.tolist())
    copies = np.bincount(sampler.sample_indices_, minlength=len(y))
    for cls in np.unique(y):
        assert np.ptp(copies[y == cls]) <= 1


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_imblearn_tensorflow_batch_generator_takes_our_samplers(sampler_cls):
    # imblearn.tensorflow.balanced_batch_generator needs only sample_indices_
    # (and shuffles it in place); tensorflow itself is not imported.
    from imblearn.tensorflow import balanced_batch_generator

    X, y = _imbalanced(80, 20)
    sampler = sampler_cls(random_state=0)
    generator, steps = balanced_batch_generator(
        sp.csr_matrix(X), y, sampler=sampler, batch_size=10, random_state=0
    )
    batches = [next(generator) for _ in range(steps)]
    expected = sampler.fit_resample(X, y)[1]
    got = np.concatenate([labels for _, labels in batches])
    assert len(got) == steps * 10 and len(got) <= len(expected)
    assert set(got.tolist()) == {0, 1}
