"""The deprecated names of ``rebalance.torch``: one warning, written once.

A public name that has shipped and is renamed keeps working until
:data:`REMOVED_IN`, with a ``FutureWarning`` that names its replacement:

* :func:`renamed_keyword` lets a function (or a ``forward``) take an argument
  under its old keyword;
* :func:`deprecated_subclass` makes the old name of a class, a subclass that
  warns when it is instantiated;
* :func:`warn_deprecated` is the warning itself, for names served by a
  module ``__getattr__``.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["REMOVED_IN", "deprecated_subclass", "renamed_keyword", "warn_deprecated"]

REMOVED_IN = "0.3"

C = TypeVar("C", bound=Callable[..., Any])
M = TypeVar("M")


def warn_deprecated(old: str, new: str, *, stacklevel: int = 2) -> None:
    """Warn (``FutureWarning``) that ``old`` is deprecated in favour of ``new``.

    ``stacklevel`` counts from the caller of this function, as in
    :func:`warnings.warn`.
    """
    warnings.warn(
        f"{old} is deprecated and will be removed in rebalance {REMOVED_IN}; "
        f"use {new} instead.",
        FutureWarning,
        stacklevel=stacklevel + 1,
    )


def renamed_keyword(old: str, new: str) -> Callable[[C], C]:
    """Let the decorated function take its argument ``new`` as ``old=`` too.

    ``old=`` works as ``new=`` with a ``FutureWarning``; giving both (``new``
    by position or by keyword) is a ``TypeError``. The signature seen by
    :func:`inspect.signature` (and the docs) is the function's own.
    """

    def decorate(function: C) -> C:
        # how many positional arguments fill the parameters up to ``new``
        position = list(inspect.signature(function).parameters).index(new)
        name = function.__qualname__

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if old in kwargs:
                if new in kwargs or len(args) > position:
                    raise TypeError(
                        f"{name}() got {new!r} and its deprecated name {old!r}; "
                        f"pass {new} only"
                    )
                warn_deprecated(
                    f"{name}({old}=...)", f"{new}=", stacklevel=_caller_level()
                )
                kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        return cast(C, wrapper)

    return decorate


# Code of wrappers around the decorated functions (see pass_through): not
# the caller a warning names.
_PASSING: set[Any] = set()


def pass_through(wrapper: C) -> C:
    """Mark ``wrapper`` (a function wrapping a decorated one) as passing its
    calls through: a deprecation warning names its caller, not it."""
    _PASSING.add(wrapper.__code__)
    return wrapper


def _caller_level() -> int:
    """The ``stacklevel`` of the first caller of a decorated function outside
    torch and the wrappers of :func:`pass_through`: a Module's ``forward`` is
    called by ``nn.Module.__call__``."""
    level, frame = 2, sys._getframe(2)  # 2: the caller of the decorated function
    while (
        str(frame.f_globals.get("__name__")).startswith("torch.")
        or frame.f_code in _PASSING
    ) and frame.f_back:
        level, frame = level + 1, frame.f_back
    return level


def deprecated_subclass(cls: type[M], old_name: str, public_module: str) -> type[M]:
    """The class ``cls`` under its deprecated name ``old_name``.

    A subclass that only warns when instantiated, so ``isinstance`` checks,
    pickles and ``load_state_dict`` keep working. ``public_module`` is where
    users import both names from (it names them in the warning). The
    subclass's ``__module__`` is ``cls``'s, which must also hold it under
    ``old_name`` (for pickle).
    """
    new = f"{public_module}.{cls.__name__}"
    old = f"{public_module}.{old_name}"

    @functools.wraps(cls.__init__)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        warn_deprecated(old, new)
        cls.__init__(self, *args, **kwargs)

    __init__.__qualname__ = f"{old_name}.__init__"
    namespace = {
        "__init__": __init__,
        "__module__": cls.__module__,
        "__qualname__": old_name,
        "__doc__": (
            f"Deprecated name of :class:`{new}`; will be removed in rebalance "
            f"{REMOVED_IN}."
        ),
    }
    subclass = types.new_class(
        old_name, (cls,), exec_body=lambda ns: ns.update(namespace)
    )
    return cast(type[M], subclass)
