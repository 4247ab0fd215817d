"""Fill numba's disk cache ahead of use: ``python -m rebalance._warmup``.

rebalance's kernels compile on first use, once per combination of argument
types (one to ten seconds each), and numba keeps each in its disk cache beside
the sources, so only the first process that needs it pays. Run this once
after installing (``make setup`` does; so can a container image build) to
compile, in two processes, the argument types listed in
:mod:`rebalance._kernel_signatures` (those the library and its test suite
use). It never fails: a signature that no longer fits its kernel, or a
machine without numba, is reported and skipped.

``python -m rebalance._warmup --record`` rewrites that list from numba's
cache index after a test run (a developer's tool: it reads numba's private
index format).
"""

from __future__ import annotations

import concurrent.futures
import importlib
import os
import pickle
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def parse_signature(text: str) -> tuple[Any, ...]:
    """A signature as numba prints it, e.g. ``"(Array(int64, 1, 'C', False,
    aligned=True), int64)"``, as the tuple of numba types it names."""
    from numba.core import types

    namespace = {name: getattr(types, name) for name in dir(types)}
    value = eval(text, {"__builtins__": {}}, namespace)  # numba's own reprs
    if not isinstance(value, tuple) or not all(
        isinstance(t, types.Type) for t in value
    ):
        raise ValueError(f"not a tuple of numba types: {text!r:.80}")
    return value


# Kernels a module builds on first use rather than at import: where to find
# them (rebalance._dask's layout passes).
_BUILT = {
    ("rebalance._dask", "_count_kernel"): "count",
    ("rebalance._dask", "_deal_kernel"): "deal",
}


def _dispatcher(module_name: str, name: str) -> Any:
    """The numba dispatcher of kernel ``name`` of ``module_name``."""
    module = importlib.import_module(module_name)
    built = _BUILT.get((module_name, name))
    if built is not None:
        return getattr(module._layout_kernels(), built)
    return getattr(module, name)


def _compile(kernels: list[tuple[str, str, list[str]]]) -> tuple[int, list[str]]:
    """Compile (or load from the cache) each signature of each kernel;
    the number done and the problems met."""
    done, problems = 0, []
    for module_name, name, signatures in kernels:
        try:
            dispatcher = _dispatcher(module_name, name)
        except Exception as exc:  # a renamed kernel, no numba, no torch
            problems.append(f"{module_name}.{name}: {type(exc).__name__}: {exc}")
            continue
        if not hasattr(dispatcher, "compile"):  # NUMBA_DISABLE_JIT=1
            problems.append(f"{module_name}.{name}: not compiled (JIT disabled)")
            continue
        for text in signatures:
            try:
                dispatcher.compile(parse_signature(text))
                done += 1
            except Exception as exc:  # a signature that no longer fits
                problems.append(f"{module_name}.{name}{text:.60}...: {exc!s:.200}")
    return done, problems


def warm_up(processes: int = 2) -> tuple[int, list[str]]:
    """Compile every listed signature into numba's disk cache, the kernels
    shared out over ``processes`` worker processes; returns how many were
    compiled or loaded and the problems met (never raises for them)."""
    from rebalance._kernel_signatures import SIGNATURES

    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module_name, name, text in SIGNATURES:
        grouped[module_name, name].append(text)
    kernels = sorted(
        ((m, n, sigs) for (m, n), sigs in grouped.items()),
        key=lambda kernel: -len(kernel[2]),
    )
    if processes <= 1:
        return _compile(kernels)
    # One kernel's signatures stay in one process (one cache index each).
    shares: list[list[tuple[str, str, list[str]]]] = [[] for _ in range(processes)]
    for i, kernel in enumerate(kernels):
        shares[i % processes].append(kernel)
    done, problems = 0, []
    with concurrent.futures.ProcessPoolExecutor(processes) as pool:
        for count, found in pool.map(_compile, shares):
            done += count
            problems.extend(found)
    return done, problems


def record(package: Path = _PACKAGE) -> list[tuple[str, str, str]]:
    """The signatures in numba's cache index beside the modules of
    ``package`` (each once, in file order)."""
    found: dict[tuple[str, str, str], None] = {}
    for index in sorted(package.rglob("__pycache__/*.nbi")):
        match = re.fullmatch(r"(\w+)\.(\w+)-\d+\.py\d+\.nbi", index.name)
        if match is None:
            continue
        folder = index.parent.parent.relative_to(package.parent)
        module_name = ".".join((*folder.parts, match.group(1)))
        with open(index, "rb") as f:
            pickle.load(f)  # numba's version
            _, overloads = pickle.loads(f.read())
        for key in overloads:
            found[module_name, match.group(2), str(key[0])] = None
    return list(found)


def _write(signatures: list[tuple[str, str, str]]) -> Path:
    path = _PACKAGE / "_kernel_signatures.py"
    head, _, _ = path.read_text(encoding="utf-8").partition("SIGNATURES")
    rows = "".join(f"    ({m!r}, {n!r}, {s!r}),\n" for m, n, s in signatures)
    text = f"{head}SIGNATURES: tuple[tuple[str, str, str], ...] = (\n{rows})\n"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--record"]:
        signatures = record()
        print(
            f"rebalance: {len(signatures)} signatures written to {_write(signatures)}"
        )
        return 0
    if argv:
        print("usage: python -m rebalance._warmup [--record]", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        done, problems = warm_up(min(2, os.cpu_count() or 1))
    except Exception as exc:  # a broken worker pool: nothing is lost but time
        done, problems = 0, [f"the warm-up ({type(exc).__name__}: {exc})"]
    for problem in problems:
        print(f"rebalance: skipped {problem}", file=sys.stderr)
    print(
        f"rebalance: {done} numba kernel signatures compiled or loaded into the "
        f"disk cache in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
