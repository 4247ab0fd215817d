"""Review 3 (public API): SamplingPlan, rebalance.datasets, weights, metrics.

Each test reproduces one bug found in the review (see /tmp/review2/api.md).
"""

from __future__ import annotations

import typing

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import rebalance as rb
from rebalance.datasets import thin_class

SAMPLERS = [
    rb.RandomUnderSampler,
    rb.RandomOverSampler,
    rb.ClassBalancedSampler,
    rb.LabelShuffleSampler,
]


# ------------------------------------------------------------ SamplingPlan


@pytest.mark.parametrize("sampler_class", SAMPLERS, ids=lambda c: c.__name__)
def test_plan_does_not_change_when_the_caller_reuses_its_label_array(sampler_class):
    # Labels that are already codes 0..k-1 (int64) are encoded without a copy:
    # the plan keeps a view of the caller's array. Relabelling or reusing that
    # buffer afterwards changes every later draw of the plan (wrong rows,
    # silently, or "internal error" for the under-sampler). The torch sampler
    # copies the codes for this reason (rebalance.torch.samplers._own_codes);
    # the public plan() does not.
    y = np.array([0] * 20 + [1] * 4)
    expected = sampler_class().plan(y.copy()).draw(np.random.default_rng(0))
    plan = sampler_class().plan(y)
    y[:] = np.array([1] * 20 + [0] * 4)  # the caller's buffer is reused
    drawn = plan.draw(np.random.default_rng(0))
    np.testing.assert_array_equal(drawn, expected)


def test_plan_of_a_torch_tensor_does_not_follow_the_tensor():
    # The same aliasing with a torch tensor: plan(labels) keeps a numpy view of
    # the tensor's storage (after labels.share_memory_(), as DataLoader
    # workers do, it reads freed memory). Here, an in-place edit of the tensor
    # changes the plan's draws.
    torch = pytest.importorskip("torch")
    labels = torch.tensor([0] * 20 + [1] * 4)
    expected = (
        rb.LabelShuffleSampler().plan(labels.clone()).draw(np.random.default_rng(0))
    )
    plan = rb.LabelShuffleSampler().plan(labels)
    labels[:20] = 1
    labels[20:] = 0
    np.testing.assert_array_equal(plan.draw(np.random.default_rng(0)), expected)


def test_rebalance_sampler_refuses_a_shrinkage_it_cannot_apply():
    # A torch sampler yields row indices only: the smoothed bootstrap
    # (shrinkage) can never be applied, and is dropped silently (plain copies).
    # The Dask path refuses the same sampler with a clear error
    # (RandomOverSampler._dask_unsupported); the torch path should as well.
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    y = np.array([0] * 20 + [1] * 4)
    with pytest.raises((TypeError, ValueError), match="shrinkage"):
        RebalanceSampler(y, rb.RandomOverSampler(shrinkage=0.5), seed=0)


# ------------------------------------------------------------ datasets


def test_thin_class_keeps_the_index_of_the_kept_rows():
    # thin_class returns a subset of the rows "in their original order", but a
    # pandas input gets a fresh RangeIndex and there is no sample_indices_:
    # which rows were kept is lost, and df.loc[X_thin.index] silently picks
    # other rows. imbalanced-learn's make_imbalance (the See Also) keeps the
    # index.
    X = pd.DataFrame(
        {"a": np.arange(30.0), "b": np.arange(30.0) * 10},
        index=pd.Index(np.arange(100, 130), name="id"),
    )
    y = pd.Series([0] * 20 + [1] * 10, index=X.index, name="target")
    X_thin, y_thin = thin_class(X, y, 0.25, random_state=0)
    assert len(X_thin) == 25
    assert X_thin.index.isin(X.index).all()
    pd.testing.assert_frame_equal(X_thin, X.loc[X_thin.index])
    pd.testing.assert_series_equal(y_thin, y.loc[y_thin.index])


def test_thin_class_annotation_accepts_the_documented_random_state():
    # The docstring (and check_random_state) accept "int >= 0, numpy
    # Generator, RandomState or None", but the annotation is
    # ``int | Generator | None``: mypy rejects
    # ``thin_class(X, y, 0.1, random_state=np.random.RandomState(0))`` with
    # [arg-type] although the call is documented and works.
    hints = typing.get_type_hints(thin_class)
    assert np.random.RandomState in typing.get_args(hints["random_state"])


def test_thin_class_names_x_for_a_sparse_format_it_cannot_index():
    # The docstring accepts "sparse matrix"; a COO matrix (what
    # scipy.sparse.random / coo_matrix give) fails deep inside with
    # "'coo_matrix' object is not subscriptable" instead of an error naming X
    # and the fix (the samplers say "convert it with X.tocsr()").
    X = sp.coo_matrix(np.arange(60.0).reshape(30, 2))
    y = np.array([0] * 20 + [1] * 10)
    try:
        X_thin, y_thin = thin_class(X, y, 0.25, random_state=0)
    except (TypeError, ValueError) as exc:
        assert "X" in str(exc) and "tocsr" in str(exc), str(exc)
    else:  # supporting COO is a fix too
        assert sp.issparse(X_thin) and X_thin.shape == (25, 2)
