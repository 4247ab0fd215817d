"""Review 8 (bad input, edge cases) of the parameters added since 896047c."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")


def test_ohem_valid_on_another_device_gets_a_named_error():
    """``valid`` on another device than ``losses`` (a CUDA mask for CPU
    losses, here the meta device) must be refused by name before any work,
    not a bare RuntimeError from inside ``masked_fill``."""
    from rebalance.torch.losses import ohem_loss

    losses = torch.tensor([1.0, 3.0, 2.0, 4.0])
    valid = torch.ones(4, dtype=torch.bool, device="meta")
    with pytest.raises((TypeError, ValueError), match="valid"):
        ohem_loss(losses, top_k=2, valid=valid)


def test_ohem_ignore_index_beyond_int64_refused_at_construction():
    """An ignore_index no target can hold (beyond int64) is accepted by
    ``OHEMLoss`` and then fails in ``forward`` with torch's bare
    'Overflow when unpacking long long'; it must be refused, naming
    ignore_index, when the loss is built."""
    from rebalance.torch.losses import OHEMLoss

    with pytest.raises((TypeError, ValueError), match="ignore_index"):
        OHEMLoss(top_k=2, ignore_index=2**70)


def test_as_numbers_overflowing_text_is_not_silently_infinite():
    """'1e999%' (or '1e999') is read as +inf: a feature column becomes
    infinite without a word. It is not a number a float holds: the column
    must stay text (None) or give finite values."""
    import pandas as pd

    from rebalance._columns import _as_numbers

    out = _as_numbers(pd.Series(["1e999%", "5%"]))
    assert out is None or np.isfinite(out.to_numpy()).all()
