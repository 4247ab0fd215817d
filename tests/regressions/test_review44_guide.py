"""Review 44, guide: what a new user reads in the examples and runs.

``examples/long_tail.py`` (also imported by notebook 03): ``pairwise``'s
docstring said its methods are numbered in the order of the summary table,
but it ranks them by the metric it is given (the notebook's tail-recall matrix
starts with another method than the table); ``main`` printed "on 1 threads".
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def long_tail():
    pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location(
        "long_tail", EXAMPLES / "long_tail.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["long_tail"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("long_tail", None)


def _results(long_tail):
    """Results without training: one method good on the tail only, one good
    everywhere but the tail, so the two rankings differ."""
    data = long_tail.long_tail_digits()
    y = data.y_test
    tail = np.isin(y, [c for c in range(10) if data.group[c] == "tail"])
    wrong = (y + 1) % 10

    def seeds(pred):
        return np.stack([pred, pred])

    pred = {
        long_tail.BASELINE: seeds(np.where(y < 5, y, wrong)),  # 5 of 10 right
        "head only": seeds(np.where(tail, wrong, y)),  # 7 of 10, no tail
        "tail only": seeds(np.where(tail | (y < 3), y, wrong)),  # 6 of 10
    }
    return long_tail.Results(data, pred, wall_s=0.0, steps=1)


def _row_names(matrix: str) -> list[str]:
    return [line.split("  ")[-1].strip() for line in matrix.splitlines()[1:]]


@pytest.mark.parametrize("metric", ["balanced_accuracy", "tail", "head"])
def test_long_tail_pairwise_ranks_by_its_metric_as_documented(long_tail, metric):
    results = _results(long_tail)
    rows = results.summary()
    by_metric = sorted(rows, key=lambda m: -rows[m][metric][0])
    by_table = sorted(rows, key=lambda m: -rows[m]["balanced_accuracy"][0])
    assert _row_names(long_tail.pairwise(results, metric)) == by_metric
    table_rows = [line[:44].strip() for line in long_tail.table(results).splitlines()]
    assert table_rows[2:] == by_table
    doc = " ".join(long_tail.pairwise.__doc__.split())
    if by_metric != by_table:  # tail: the table's order is not the matrix's
        assert "in the order of the summary table" not in doc
        assert "highest mean ``metric`` down" in doc


def test_long_tail_main_says_thread_in_the_singular(long_tail, monkeypatch, capsys):
    results = _results(long_tail)
    monkeypatch.setattr(long_tail, "run", lambda seeds, steps: results)
    monkeypatch.setattr(long_tail.torch, "set_num_threads", lambda n: None)
    long_tail.main(["--seeds", "2", "--threads", "1"])
    out = capsys.readouterr().out
    assert out.rstrip().endswith("s on 1 thread"), out[-80:]
    long_tail.main(["--seeds", "2", "--threads", "2"])
    assert capsys.readouterr().out.rstrip().endswith("s on 2 threads")
