"""``dir()`` of the public modules: what tab completion shows."""

from __future__ import annotations

from types import ModuleType
from typing import Any


def public_names(namespace: dict[str, Any], exported: list[str]) -> list[str]:
    """The names of a module's ``namespace`` (its ``globals()``) that
    ``dir()`` lists: those ``exported`` (its ``__all__``), its dunders and
    its own submodules loaded so far, not the helpers it imports.

    >>> import rebalance.weights
    >>> public_names(vars(rebalance.weights), ["class_weights"])[-1]
    'class_weights'
    >>> "np" in public_names(vars(rebalance.weights), [])
    False
    """
    package = f"{namespace.get('__name__', '')}."
    return sorted(
        name
        for name, value in {**dict.fromkeys(exported), **namespace}.items()
        if name in exported
        or (name.startswith("__") and name.endswith("__"))
        or (
            not name.startswith("_")
            and isinstance(value, ModuleType)
            and value.__name__.startswith(package)
        )
    )
