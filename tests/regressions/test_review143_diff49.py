"""Review 143, diff49: the lead's commits d48bd8e..fb0b73b in ``rebalance/``.

Reviewed: ``cli`` (``_EITHER`` / ``_EITHER_BESIDE_ASCII``, ``_icelandic`` on
``_LETTER``), ``_frames._lil_problem``, ``metrics._check_metric_rows`` (now
also against ``y_pred``), ``torch.samplers._described`` and ``_as_numpy``.
The "no behaviour change" claim of fb0b73b was checked by running the same
probes against the trees of 6643fb6 (its parent) and fb0b73b (and d48bd8e):
``_check_western`` on ~23,000 files of two single-character labels in GBK,
Shift-JIS, Big5 and cp949 (every CJK ideograph and a stride of Hangul),
2,890 chunks of cp1252 babel territory/language names of every locale, 300
LIL matrices with odd rows/data, ``g_mean_score`` with y_true/y_pred/
sample_weight as numpy, lists, pandas (same, permuted, fresh and disjoint
indexes) and polars, ``_described`` on rebalance/imbalanced-learn classes
and instances, and ``_as_numpy`` on 16 mixed lists.

Found: no bug. fb0b73b changes no result (``_LETTER``'s non-ASCII letters
are exactly the old ``_WESTERN_LETTERS``); no babel name chunk is refused;
d48bd8e..fb0b73b reads no single-character CJK file that d48bd8e refused.
``HardExampleSampler.update`` with numpy scalars, 0-d tensors, mixed lists,
wrong lengths and NaN losses works or refuses naming the argument.
The pins below guard the equivalences a later edit could break.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from rebalance import _frames, cli
from rebalance.metrics import g_mean_score
from rebalance.torch.samplers import _as_numpy

_OLD_WESTERN_LETTERS = (
    "ŠŒŽšœžŸÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ"
)


def test_three_letters_is_the_old_western_letter_set():
    letters = {
        chr(i) for i in range(0x80, 0x10000) if cli._THREE_LETTERS.fullmatch(chr(i) * 3)
    }
    assert letters == set(_OLD_WESTERN_LETTERS)


def test_icelandic_word_read(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_NOTICES", [])
    path = tmp_path / "data.csv"
    labels = ["þýðing", "Eþíópía", "Ísland"] * 4
    rows = "".join(f"{i},{label}\n" for i, label in enumerate(labels))
    path.write_bytes(("x,label\n" + rows).encode("cp1252"))
    _, y = cli._load_table(str(path), "label")
    assert sorted(set(np.asarray(y).tolist())) == sorted(set(labels))


def test_lil_problem_names_first_differing_row():
    m = sp.lil_matrix((3, 4))
    rows, data = np.empty(3, dtype=object), np.empty(3, dtype=object)
    for j, (r, d) in enumerate([([0], [1.0]), ([1], [1.0, 2.0]), ([], [3.0])]):
        rows[j], data[j] = r, d
    m.rows, m.data = rows, data
    assert _frames._lil_problem(m) == "its rows and data differ in length at row 1"


@pytest.mark.parametrize("reference", ["y_true", "y_pred"])
def test_weights_in_other_order_than_pandas_reference_refused(reference):
    index = np.arange(10, 20)
    y = np.array([0, 1, 0, 1, 1, 0, 0, 1, 0, 1])
    order = np.random.default_rng(1).permutation(10)
    weights = pd.Series(np.arange(1.0, 11.0)[order], index=index[order])
    y_true, y_pred = pd.Series(y, index=index), y.copy()
    if reference == "y_pred":
        y_true, y_pred = y.copy(), pd.Series(y, index=index)
    with pytest.raises(ValueError, match=f"index of {reference} in another order"):
        g_mean_score(y_true, y_pred, sample_weight=weights)


def test_as_numpy_zero_d_tensor_with_zero_d_array_is_numbers():
    values = _as_numpy([torch.tensor(1), np.array(2), np.int64(3)], "indices")
    assert values.dtype.kind == "i" and values.tolist() == [1, 2, 3]
