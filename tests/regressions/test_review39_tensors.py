"""Review round 39, torch tensors on the scikit-learn side.

* A tensor X numpy cannot read (bfloat16, one that requires grad, an
  ``nn.Parameter``, one on the meta device or a GPU, a sparse or conjugated
  one) raised torch's own error, naming neither X nor the fix, and only after
  the draw: the sampler was left holding that draw's ``sample_indices_``. A
  list of such rows raised torch's error too.
* A complex tensor X was resampled, where a complex numpy X is refused.
* A list X of tensor rows (``list(X)``, the rows of a ``Dataset``) came back
  as rows over the input's memory (``copy.copy`` of a tensor shares its
  storage): writing a resampled row in place changed X and every other copy
  of that row. Array-API arrays (``array_api_strict``) alike.
* A column-vector label tensor (shape ``(n, 1)``, e.g. binary targets) came
  back 1-D, where a numpy ``(n, 1)`` y comes back ``(n, 1)``.
* ``g_mean_score(labels=tensor)`` with a tensor numpy cannot read raised
  torch's own error, naming no argument.
"""

from __future__ import annotations

import numpy as np
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.metrics import g_mean_score

torch = pytest.importorskip("torch")

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
Y = np.array([0] * 12 + [1] * 4)
N = Y.shape[0]


def _features():
    return torch.arange(N * 3, dtype=torch.float32).reshape(N, 3)


UNREADABLE_X = {
    "bfloat16": lambda: _features().bfloat16(),
    "requires-grad": lambda: _features().requires_grad_(),
    "parameter": lambda: torch.nn.Parameter(_features()),
    "meta": lambda: torch.empty(N, 3, device="meta"),
    "sparse": lambda: _features().to_sparse(),
    "conjugate": lambda: _features().to(torch.complex64).conj(),
}


@pytest.mark.parametrize("make", UNREADABLE_X.values(), ids=UNREADABLE_X)
@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_unreadable_tensor_x_names_x_before_the_draw(sampler_cls, make):
    sampler = sampler_cls(random_state=0)
    with pytest.raises(TypeError, match=r"X could not be read .*X\.detach\(\)"):
        sampler.fit_resample(make(), Y)
    assert not hasattr(sampler, "sample_indices_")


def test_unreadable_tensor_x_names_x_with_shrinkage_and_in_fit():
    with pytest.raises(TypeError, match="X could not be read"):
        RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(
            _features().bfloat16(), Y
        )
    with pytest.raises(TypeError, match="X could not be read"):
        RandomUnderSampler().fit(_features().requires_grad_(), Y)


@pytest.mark.parametrize(
    "rows",
    [
        lambda: list(_features().bfloat16()),
        lambda: list(_features().requires_grad_()),
    ],
    ids=["bfloat16", "requires-grad"],
)
def test_list_of_unreadable_tensor_rows_names_x(rows):
    with pytest.raises(TypeError, match="X could not be read"):
        RandomOverSampler(random_state=0).fit_resample(rows(), Y)


def test_complex_tensor_x_is_refused_as_complex_numpy_x_is():
    X = _features().to(torch.complex64)
    with pytest.raises(ValueError, match="Complex data not supported"):
        RandomOverSampler(random_state=0).fit_resample(X, Y)


ROW_LISTS = {
    "tensor-rows": lambda: list(_features()),
    "expanded-rows": lambda: list(torch.arange(3.0).expand(N, 3)),
}


@pytest.mark.parametrize("make", ROW_LISTS.values(), ids=ROW_LISTS)
@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_list_of_tensor_rows_comes_back_as_copies(sampler_cls, make):
    rows = make()
    before = [row.clone() for row in rows]
    sampler = sampler_cls(random_state=0)
    X_res, _ = sampler.fit_resample(rows, Y)
    for k, i in enumerate(sampler.sample_indices_):
        assert torch.equal(X_res[k], before[i])
    for row in X_res:
        row.add_(1000.0)
    # The input is unchanged, and each output row was written once.
    assert all(torch.equal(r, b) for r, b in zip(rows, before))
    for k, i in enumerate(sampler.sample_indices_):
        assert torch.equal(X_res[k], before[i] + 1000.0)


def test_list_of_array_api_rows_comes_back_as_copies():
    xp = pytest.importorskip("array_api_strict")
    rows = [xp.asarray(np.arange(3.0) + i) for i in range(N)]
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(rows, Y)
    for row in X_res:
        row += 1000.0
    assert [float(xp.sum(r)) for r in rows] == [3.0 * i + 3.0 for i in range(N)]


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_column_vector_label_tensor_keeps_its_shape(sampler_cls, dtype):
    y = torch.from_numpy(Y).to(getattr(torch, dtype))[:, None]
    sampler = sampler_cls(random_state=0)
    _, y_res = sampler.fit_resample(_features(), y)
    assert isinstance(y_res, np.ndarray)
    assert y_res.shape == (sampler.sample_indices_.shape[0], 1)
    assert y_res.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y_res, y.numpy()[sampler.sample_indices_])


@pytest.mark.parametrize(
    "labels",
    [
        lambda: torch.tensor([0, 1]).bfloat16(),
        lambda: torch.tensor([0.0, 1.0], requires_grad=True),
        lambda: torch.empty(2, device="meta"),
    ],
    ids=["bfloat16", "requires-grad", "meta"],
)
def test_g_mean_unreadable_labels_tensor_names_labels(labels):
    with pytest.raises(TypeError, match=r"labels could not be read.*labels\.detach"):
        g_mean_score(Y, Y, labels=labels())


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_readable_tensors_resample_aligned(sampler_cls):
    # What works keeps working: float16, transposed, expanded and sliced
    # tensors come back as numpy arrays of their dtype, rows aligned.
    X = torch.arange(N * 3, dtype=torch.float16).reshape(3, N).T
    y = torch.from_numpy(np.repeat(Y, 2))[::2]
    w = torch.tensor([2.0]).expand(N)
    sampler = sampler_cls(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    idx = sampler.sample_indices_
    assert X_res.dtype == np.float16 and w_res.dtype == np.float32
    np.testing.assert_array_equal(X_res, X.numpy()[idx])
    np.testing.assert_array_equal(y_res, y.numpy()[idx])
    np.testing.assert_array_equal(w_res, w.numpy()[idx])
    assert not np.shares_memory(X_res, X.numpy())
