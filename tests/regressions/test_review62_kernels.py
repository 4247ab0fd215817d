"""Review 62, kernels: compiled kernels given adversarial sizes and indices
refuse them (an error code or IndexError) instead of touching memory
outside their arrays.

Every case runs in one fresh subprocess (a segfault there fails the cases it
did not reach, instead of killing the test worker); each case prints its
outcome on a line of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numba")

_SCRIPT = textwrap.dedent(
    """
    import importlib.util
    import json
    import pathlib

    import numpy as np

    import rebalance

    from rebalance import _gather_kernels as G
    from rebalance import _kernels as K

    U = np.uint64


    def a(*values, dtype=np.int64):
        return np.array(values, dtype=dtype)


    def move_rows(**changes):
        # 4 rows in one block of 4 (shift 2), 2 columns, 2 output positions.
        args = dict(
            values=np.arange(8, dtype=U), offsets=a(0, 4), n_rows=4,
            first_block=0, last_block=1, shift=2, bounds=a(0, 2), low=a(0, 1),
            positions=a(0, 1), tshift=1, fill=a(0), out=np.zeros((2, 2), U),
            tails=np.zeros(2, np.int64), line=1, sink=np.zeros(1, U),
        )
        args.update(changes)
        return G.move_rows(*args.values())


    def place_rows(**changes):
        args = dict(
            out=np.arange(8.0).reshape(2, 4), tails=a(1, 0, 1, 0), first_dest=0,
            last_dest=2, tshift=1, scratch=np.zeros(8),
        )
        args.update(changes)
        return G.place_rows(*args.values())


    def sigmoid(n=10, **changes):
        f4 = np.zeros(n, np.float32)
        args = dict(
            x=f4, y=f4, wy=f4, alpha=0.25, has_alpha=True, gamma=2.0,
            gamma_mode=1, ignore=0.0, has_ignore=False, scale=1.0,
            grad=f4.copy(), loss=f4.copy(), store_loss=True, start=0, stop=n,
        )
        args.update(changes)
        return F.sigmoid_range(*args.values())[2]


    def softmax(rows=10, classes=4, **changes):
        args = dict(
            x=np.zeros((rows, classes), np.float32),
            target=np.zeros(rows, np.int64), alpha=np.ones(classes),
            has_alpha=True, gamma=2.0, gamma_mode=1, smoothing=0.0,
            ignore_index=-100, scale=1.0,
            grad=np.zeros((rows, classes), np.float32), store_grad=True,
            fl=np.zeros(rows), ce=np.zeros(rows), start=0, stop=rows,
        )
        args.update(changes)
        return F.softmax_range(*args.values())


    # The focal kernels' module needs numba only: loaded from its file, so
    # that the package rebalance.torch (and torch, seconds) is not imported.
    spec = importlib.util.spec_from_file_location(
        "rebalance.torch._focal_cpu",
        pathlib.Path(rebalance.__file__).parent / "torch" / "_focal_cpu.py",
    )
    F = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(F)

    CASES = {
        "move_rows_fine": lambda: move_rows(),
        # a negative place in a block: before the fix a read 2**31 rows
        # before the values (segfault)
        "move_rows_negative_low": lambda: move_rows(
            low=a(-(2**31), -1, dtype=np.int32)
        ),
        "move_rows_huge_low": lambda: move_rows(low=a(2**63 - 1, 0)),
        # block 2 << 62 wraps around to a negative row (segfault before)
        "move_rows_block_past_rows": lambda: move_rows(
            shift=62, first_block=2, last_block=4, bounds=np.zeros(5, np.int64)
        ),
        "place_rows_fine": lambda: place_rows(),
        # a negative tail: before the fix a write 2**31 values before out
        "place_rows_negative_tail": lambda: place_rows(
            tails=a(-(2**31), 0, 1, 0, dtype=np.int32)
        ),
        "place_rows_negative_tail_rows_whole": lambda: place_rows(
            out=np.zeros((4, 2)).T, tails=a(-(2**40), 0, 1, 0)
        ),
        "shuffle_buckets_past_out": lambda: K.shuffle_buckets(
            np.arange(10), a(0, 10**9), U(1), 0, 1
        ),
        "shuffle_buckets_negative_bound": lambda: K.shuffle_buckets(
            np.arange(10), a(-(10**9), 10), U(1), 0, 1
        ),
        "shuffle_buckets_past_bounds": lambda: K.shuffle_buckets(
            np.arange(10), a(0, 10), U(1), 0, 5
        ),
        "count_buckets_few_counts": lambda: K.count_buckets(
            U(1), 16, 0, 10**5, np.zeros(2, np.int64)
        ),
        "mark_ranks_short_bitmap": lambda: K.mark_ranks(
            np.zeros(1, U), 10**6, 10, U(1)
        ),
        "sigmoid_fine": lambda: int(sigmoid()),
        "sigmoid_past_arrays": lambda: sigmoid(stop=10**8),
        "sigmoid_negative_start": lambda: sigmoid(start=-(10**8)),
        "sigmoid_short_grad": lambda: sigmoid(
            n=10**5, grad=np.zeros(1, np.float32)
        ),
        "softmax_fine": lambda: int(softmax()),
        "softmax_past_rows": lambda: softmax(stop=10**7),
        "softmax_short_target": lambda: softmax(
            rows=10**4, target=np.zeros(1, np.int64)
        ),
        "softmax_short_alpha": lambda: softmax(
            rows=4, classes=10**6, alpha=np.ones(1),
            target=np.full(4, 10**6 - 1),
        ),
        "softmax_narrow_grad": lambda: softmax(
            classes=10**5, grad=np.zeros((10, 1), np.float32),
            target=np.full(10, 10**5 - 1),
        ),
    }
    for name, case in CASES.items():
        try:
            outcome = case()
        except IndexError:
            outcome = "IndexError"
        print(json.dumps([name, outcome]), flush=True)
    """
)

_EXPECTED = {
    "move_rows_fine": 0,
    "move_rows_negative_low": -1,
    "move_rows_huge_low": -1,
    "move_rows_block_past_rows": -1,
    "place_rows_fine": 0,
    "place_rows_negative_tail": -1,
    "place_rows_negative_tail_rows_whole": -1,
    "shuffle_buckets_past_out": "IndexError",
    "shuffle_buckets_negative_bound": "IndexError",
    "shuffle_buckets_past_bounds": "IndexError",
    "count_buckets_few_counts": "IndexError",
    "mark_ranks_short_bitmap": "IndexError",
}
_EXPECTED_FOCAL = {
    "sigmoid_fine": 0,
    "sigmoid_past_arrays": "IndexError",
    "sigmoid_negative_start": "IndexError",
    "sigmoid_short_grad": "IndexError",
    "softmax_fine": 0,
    "softmax_past_rows": "IndexError",
    "softmax_short_target": "IndexError",
    "softmax_short_alpha": "IndexError",
    "softmax_narrow_grad": "IndexError",
}


@pytest.fixture(scope="module")
def outcomes() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = dict(json.loads(line) for line in done.stdout.splitlines())
    found["<returncode>"] = done.returncode
    found["<stderr>"] = done.stderr[-2000:]
    return found


def _check(outcomes: dict, name: str, expected) -> None:
    assert name in outcomes, (
        f"the subprocess died before {name} (return code "
        f"{outcomes['<returncode>']}): {outcomes['<stderr>']}"
    )
    assert outcomes[name] == expected


@pytest.mark.parametrize("name", sorted(_EXPECTED))
@pytest.mark.slow
def test_index_kernels_refuse_what_lies_outside_their_arrays(outcomes, name):
    _check(outcomes, name, _EXPECTED[name])


@pytest.mark.parametrize("name", sorted(_EXPECTED_FOCAL))
def test_focal_kernels_refuse_ranges_outside_their_arrays(outcomes, name):
    _check(outcomes, name, _EXPECTED_FOCAL[name])


def test_the_subprocess_ran_every_case(outcomes):
    assert outcomes["<returncode>"] == 0, outcomes["<stderr>"]
