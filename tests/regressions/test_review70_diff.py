"""Review 70 (diff): the changes of review 69 attacked with real cases.

``RandomOverSampler(shrinkage=...)`` on sparse X (values against the dense
path, and the memory check against tracemalloc's peak), ``BaseSampler.__iter__``
next to pandas, and the dense-tensor checks of the losses.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import RandomOverSampler, RandomUnderSampler


def _wide_sparse(n_classes, n_features, per_class=3, majority=20, seed=0):
    """Very sparse wide X (one stored value a row, far fewer stored values
    than features, as hashed text of a few documents): ``n_classes`` classes
    of ``per_class`` rows beside a majority of ``majority`` rows."""
    rng = np.random.default_rng(seed)
    y = np.concatenate(
        [np.repeat(np.arange(n_classes), per_class), np.zeros(majority, np.int64)]
    )
    n = y.shape[0]
    X = sp.csr_matrix(
        (rng.standard_normal(n), (np.arange(n), rng.integers(0, n_features, n))),
        shape=(n, n_features),
    )
    return X, y


@pytest.mark.parametrize(
    "fmt", ["csr_matrix", "csc_array", "coo_matrix", "lil_array", "bsr_matrix"]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, bool])
def test_sparse_smoothing_equals_the_dense_path(fmt, dtype):
    # Checked, not a bug: a zero and a constant column, explicit zeros,
    # a class of one row, shrinkage with zeros in a dict.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 7)) * 3
    X[rng.random(X.shape) < 0.6] = 0
    X[:, 3] = 0
    X[:, 4] = 2.0
    X = X.astype(dtype)
    y = np.repeat([0, 1, 2, 3], [25, 9, 5, 1])
    shrinkage = {0: 0.0, 1: 0.0, 2: 1.5, 3: 1.0}
    sparse = getattr(sp, fmt)(X)
    a = RandomOverSampler(shrinkage=shrinkage, random_state=0).fit_resample(sparse, y)
    b = RandomOverSampler(shrinkage=shrinkage, random_state=0).fit_resample(X, y)
    assert a[0].dtype == b[0].dtype
    np.testing.assert_allclose(
        a[0].toarray().astype(float), b[0].astype(float), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_array_equal(a[1], b[1])


def test_memory_estimate_bounds_the_peak_of_wide_very_sparse_x(smoothing_peak):
    X, y = _wide_sparse(2, 200_000)
    peak, estimate = smoothing_peak(X, y)
    assert peak <= estimate + (1 << 16)


def test_memory_estimate_bounds_the_peak_with_many_classes(smoothing_peak):
    X, y = _wide_sparse(20, 100_000, per_class=3, majority=5)
    peak, estimate = smoothing_peak(X, y)
    assert peak <= estimate + (1 << 16)


@pytest.mark.parametrize("store", ["setitem", "assign", "series"])
def test_a_sampler_stored_in_a_pandas_column(store):
    sampler = RandomUnderSampler(random_state=0)
    frame = pd.DataFrame({"fold": [0, 1]})
    if store == "setitem":
        frame["sampler"] = sampler
        column = frame["sampler"]
    elif store == "assign":
        column = frame.assign(sampler=sampler)["sampler"]
    else:
        column = pd.Series(sampler, index=frame.index)
    assert all(value is sampler for value in column)


def _nested(layout):
    import warnings

    import torch

    with warnings.catch_warnings():  # (strided nested tensors: a prototype)
        warnings.simplefilter("ignore", UserWarning)
        return torch.nested.nested_tensor(
            [torch.randn(2, 3), torch.randn(3, 3)], layout=layout
        )


def test_jagged_logits_message_advises_a_fix_that_runs():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import sigmoid_focal_loss

    logits = _nested(torch.jagged)
    with pytest.raises(TypeError, match="logits") as e:
        sigmoid_focal_loss(logits, _nested(torch.jagged))
    if "to_dense()" in str(e.value):
        logits.to_dense()  # the advised fix: RuntimeError


def test_strided_nested_logits_get_a_named_type_error():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import sigmoid_focal_loss

    with pytest.raises(TypeError, match="logits"):
        sigmoid_focal_loss(_nested(torch.strided), _nested(torch.strided))
