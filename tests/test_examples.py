"""The scripts under examples/ run to the end."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.slow
def test_distributed_example_trains_on_two_gloo_ranks():
    pytest.importorskip("torch")
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "distributed_training.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    # Two processes print at once: read the records, not the lines.
    records = re.findall(r"rank (\d) epoch (\d).*?positive share ([0-9.]+)", out.stdout)
    assert sorted((r, e) for r, e, _ in records) == [
        (str(r), str(e)) for r in range(2) for e in range(3)
    ]
    assert all(0.4 <= float(share) <= 0.6 for _, _, share in records)
