"""The scripts under examples/ run to the end."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_distributed_example_trains_on_two_gloo_ranks():
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "distributed_training.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [line for line in out.stdout.splitlines() if line.startswith("rank")]
    assert len(lines) == 6  # 2 ranks x 3 epochs
    assert all("positive share 0.4" in ln or "positive share 0.5" in ln for ln in lines)
