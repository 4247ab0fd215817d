"""Review 5 (regressions): the changes since 9aec253 used as people use them.

Each test reproduces one bug and fails on the current code for that reason;
it passes once the bug is fixed. See /tmp/review2/regressions5.md.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import RandomOverSampler, RandomUnderSampler
from rebalance.datasets import thin_class

# --- BaseSampler.plan: own_codes converts the labels a second time -----------------


def test_plan_of_a_categorical_y_does_not_convert_it_to_an_object_array():
    # own_codes (rebalance/_labels.py), now called by every BaseSampler.plan,
    # runs np.asarray(y) on the caller's labels to see whether the codes share
    # memory with them. A pandas categorical is turned into an object array of
    # its categories by that call (a view is impossible, so the result is
    # thrown away): plan() of 10**7 categorical labels went from 0.06 s /
    # 100 MB to 18 s / 680 MB. String labels (pandas, polars, pyarrow) pay a
    # second full conversion too (1.5-2x the time of plan()).
    n = 200_000
    y = pd.Series(pd.Categorical(np.where(np.arange(n) % 10 == 0, "pos", "neg")))
    RandomUnderSampler().plan(y[:100])  # warm-up (imports, caches)
    tracemalloc.start()
    try:
        plan = RandomUnderSampler().plan(y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert plan.labels.n_samples == n
    # Before: about 10 bytes per label (the codes); now 68.
    assert peak / n < 32, f"{peak / n:.0f} bytes per label at the peak of plan()"


# --- thin_class: the COO refusal also refuses LIL and DOK --------------------------


@pytest.mark.parametrize("make", [sp.lil_matrix, sp.dok_matrix])
def test_thin_class_still_thins_a_row_indexable_sparse_matrix(make):
    # thin_class accepts "sparse matrix" X and returns "the same container
    # type". The new refusal meant for COO/DIA/BSR (CHANGES: "names X.tocsr()
    # for COO/DIA/BSR X") tests `X.format not in ("csr", "csc")`, so LIL and
    # DOK matrices, which thin_class thinned correctly before (their rows
    # index fine), now get "X is a LIL sparse matrix, whose rows cannot be
    # indexed: pass X.tocsr()" -- a false statement, and a broken call.
    dense = np.arange(80.0).reshape(40, 2)
    y = np.array([0] * 30 + [1] * 10)
    X_thin, y_thin = thin_class(make(dense), y, 0.2, random_state=0)
    X_ref, y_ref = thin_class(dense, y, 0.2, random_state=0)
    assert sp.issparse(X_thin) and X_thin.format == make(dense).format
    np.testing.assert_array_equal(X_thin.toarray(), X_ref)
    np.testing.assert_array_equal(y_thin, y_ref)


# --- RebalancedLoader: the new shrinkage refusal comes only at the first call ---------


def test_rebalanced_loader_refuses_a_shrinkage_sampler_when_built():
    # RebalanceSampler now refuses RandomOverSampler(shrinkage=...), but
    # RebalancedLoader._check_arguments (which CHANGES says checks `sampler`
    # "when built") only checks the sampler's type, so
    # NeuralNetClassifier(iterator_train=RebalancedLoader(sampler=
    # RandomOverSampler(shrinkage=0.5))) is built and the ValueError comes
    # at fit time, after the net was initialised.
    pytest.importorskip("torch")
    from rebalance.torch import RebalancedLoader

    with pytest.raises(ValueError, match="shrinkage"):
        RebalancedLoader(sampler=RandomOverSampler(shrinkage=0.5), seed=0)


# --- RebalancedLoader: an explicit DataLoader default changes the epoch --------------


def test_rebalanced_loader_balanced_batches_same_epoch_with_explicit_drop_last_false():
    # DataLoader(drop_last=False) is DataLoader's default, and passing it
    # (generic training code, skorch's iterator_train__drop_last=False) did
    # not change the balanced batches before. The new mapping makes the
    # loader's drop_last=False the BalancedBatchSampler's drop_last (its
    # default is True): the epoch is rounded up instead of down, one batch
    # more here and rows of the limiting class repeated within the epoch.
    # The mapping only ever changes anything for False, since True is the
    # sampler's default: balanced batches are always full either way.
    torch = pytest.importorskip("torch")
    from torch.utils.data import TensorDataset

    from rebalance.torch import BalancedBatchSampler, RebalancedLoader

    labels = torch.tensor([0] * 40 + [1] * 6)
    dataset = TensorDataset(torch.arange(46), labels)

    def batches(**loader_kwargs):
        make = RebalancedLoader(BalancedBatchSampler, class_counts=[3, 1], seed=0)
        loader = make(dataset, batch_size=4, shuffle=True, **loader_kwargs)
        return [ids.tolist() for ids, _ in loader]

    assert batches(drop_last=False) == batches()


# --- class_weight priors: binary OvR read-through stops at a pipeline ---------------


def test_prior_rule_reads_class_weight_in_a_pipeline_inside_binary_one_vs_rest():
    # with_class_weight reads the one model of a binary OneVsRestClassifier
    # (review 4), but takes estimators_[0] as it is: when it is a pipeline
    # (or a search), its class_weight is not found and train_priors_ are y's
    # priors, although the model was trained balanced. The 'prior' rule then
    # corrects a balanced model a second time. The same model without the
    # pipeline (or with the pipeline outside OvR) gets uniform priors.
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from rebalance.threshold import ThresholdMover

    rng = np.random.default_rng(0)
    y = (np.arange(100) % 5 == 0).astype(int)
    X = rng.normal(size=(100, 2)) + y[:, None]
    balanced = LogisticRegression(class_weight="balanced")
    plain_ovr = ThresholdMover(OneVsRestClassifier(balanced)).fit(X, y)
    np.testing.assert_allclose(plain_ovr.train_priors_, [0.5, 0.5])
    ovr_of_pipeline = OneVsRestClassifier(make_pipeline(StandardScaler(), balanced))
    moved = ThresholdMover(ovr_of_pipeline).fit(X, y)
    np.testing.assert_allclose(moved.train_priors_, [0.5, 0.5])
