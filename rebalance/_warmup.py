"""Fill numba's on-disk cache with the kernels: ``python -m rebalance._warmup``.

The kernels compile on first use (seconds each) and are cached next to their
source (``__pycache__``), so only the first process after an install pays for
them. ``make setup`` runs this once, so that the test workers, the demo and
later processes load the kernels instead of each compiling them. It runs small
draws through every sampler and container kind and, where torch is
installed, the fused CPU focal losses for the common target dtypes; nothing
is printed or written apart from the cache.
"""

from __future__ import annotations

import time
from typing import Any


def _samplers() -> None:
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from rebalance import (
        ClassBalancedSampler,
        LabelShuffleSampler,
        RandomOverSampler,
        RandomUnderSampler,
    )

    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(np.int64) + (rng.random(400) < 0.05)
    inputs = [
        rng.random((400, 3)).astype(np.float32),
        rng.random((400, 3)),
        np.asfortranarray(rng.random((400, 3))),
        rng.integers(0, 9, (400, 3)),
        pd.DataFrame({"a": rng.random(400), "b": rng.integers(0, 9, 400)}),
        sp.random(400, 6, density=0.3, format="csr", random_state=0),
    ]
    samplers = [
        RandomUnderSampler(random_state=0),
        RandomUnderSampler(replacement=True, random_state=0),
        RandomUnderSampler(shuffle=False, random_state=0),
        RandomOverSampler(random_state=0),
        RandomOverSampler(shuffle=False, random_state=0),
        RandomOverSampler(shrinkage=0.5, random_state=0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ]
    for sampler in samplers:
        for X in inputs:
            if isinstance(X, pd.DataFrame) or sp.issparse(X):
                if getattr(sampler, "shrinkage", None) is not None:
                    continue
            sampler.fit_resample(X, y, sample_weight=np.ones(400))


def _losses() -> None:
    try:
        import torch
    except ImportError:
        return
    from rebalance.torch import RebalanceSampler
    from rebalance.torch.losses import sigmoid_focal_loss, softmax_focal_loss

    labels = torch.tensor([0] * 30 + [1] * 10)
    list(RebalanceSampler(labels, seed=0))
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, generator=g, requires_grad=True)
    binary = torch.randint(0, 2, (64, 3), generator=g)
    sigmoid_options: list[dict[str, Any]] = [
        {},
        {"pos_weight": torch.ones(3)},
        {"reduction": "none"},
    ]
    softmax_options: list[dict[str, Any]] = [
        {},
        {"alpha": [0.2, 0.3, 0.5]},
        {"label_smoothing": 0.1},
    ]
    targets = (binary.float(), binary.double(), binary.to(torch.uint8), binary.bool())
    for target in targets:
        for kwargs in sigmoid_options:
            loss = sigmoid_focal_loss(x, target, **kwargs)
            loss.sum().backward()
    classes = torch.randint(0, 3, (64,), generator=g)
    for target in (classes, classes.int()):
        for kwargs in softmax_options:
            softmax_focal_loss(x, target, **kwargs).backward()


def main() -> None:
    """Compile (or load) the kernels; prints how long it took."""
    start = time.perf_counter()
    _samplers()
    _losses()
    print(f"rebalance: numba kernels cached in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
