"""Deprecated module: ``TorchMLPClassifier`` moved to the comparison code.

``TorchMLPClassifier`` serves ``rebalance compare --model mlp`` only and now
lives, private, beside the comparison code. Importing it from here still
works until rebalance 0.3, with a ``FutureWarning``; run
``rebalance compare --model mlp`` (or :func:`rebalance.compare.compare` with
``model='mlp'``) to compare the torch fixes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__: list[str] = []


def __getattr__(name: str) -> Any:
    if name == "TorchMLPClassifier":
        from rebalance.torch._compare_model import deprecated_public_name

        return deprecated_public_name(f"rebalance.torch.estimators.{name}")
    raise AttributeError(
        f"module 'rebalance.torch.estimators' has no attribute {name!r}"
    )


# not public names: the ``__future__`` feature and the type-checking guard
del annotations, TYPE_CHECKING
