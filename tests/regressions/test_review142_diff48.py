"""Review 142, diff48: the lead's commits b84be1c..d48bd8e in ``rebalance/``.

Reviewed: ``cli._whole_words`` and the code-page check's new rules
(``_FOOTNOTES`` after digits/brackets/%, ``_EITHER`` runs of 2+ quotes,
fractions and signs, "£"/"¥" out of ``_FOREIGN``'s between-letters branch,
more ``_MONEY_UNITS``), ``torch.losses._count_above`` in float64 and
``torch.samplers._as_numpy`` for lists mixing tensors and numbers. Probed by
writing CJK (Shift-JIS, GBK, Big5, Korean cp949) and Polish files and loading
them with ``cli._load_table`` against the code before the commits, and by
feeding ``_as_numpy``/``HardExampleSampler.update`` odd lists.

Found:
* silent: a CJK file whose texts are single characters of two bytes that
  cp1252 reads as two of "”“’‘×½¼¾°º" (Shift-JIS "白" "他" "多", GBK "白" "汉"
  "准", Big5 "撫" "論", Korean "성" "세") is now read as mojibake labels
  ("”’", "°×"): the new ``_EITHER`` branch counts such a run for neither
  reading; before the commits it was refused.
* a list mixing a 0-d tensor with an array or list (``[torch.tensor(1),
  np.array([2, 3])]``) fails with numpy's bare "inhomogeneous shape" error
  naming no argument (it used to be a ValueError naming it).

No bug: ``_whole_words`` on texts of 0, 199-202 characters, all spaces or
no-break spaces; ``_as_numpy`` with 0-d bool tensors, numpy scalars, 0-d and
1-D meta tensors (clear ValueError), bfloat16 0-d tensors.
"""

import numpy as np
import pytest
import torch

from rebalance import cli
from rebalance.torch.samplers import HardExampleSampler, RebalanceSampler


def _load(tmp_path, monkeypatch, labels, code_page):
    monkeypatch.setattr(cli, "_NOTICES", [])
    path = tmp_path / "data.csv"
    rows = "".join(f"{i},{label}\n" for i, label in enumerate(labels * 5))
    path.write_bytes(("x,label\n" + rows).encode(code_page))
    return cli._load_table(str(path), "label")


@pytest.mark.parametrize(
    ("labels", "code_page"),
    [
        (["白", "他"], "cp932"),
        (["白", "汉"], "gbk"),
        (["撫", "論"], "big5"),
        (["성", "세"], "cp949"),
    ],
)
def test_single_character_cjk_labels_refused(tmp_path, monkeypatch, labels, code_page):
    with pytest.raises(SystemExit, match="another code page"):
        _load(tmp_path, monkeypatch, labels, code_page)


def test_two_character_cjk_label_still_refused(tmp_path, monkeypatch):
    with pytest.raises(SystemExit, match="another code page"):
        _load(tmp_path, monkeypatch, ["白色", "多"], "cp932")


@pytest.mark.parametrize("n", [199, 200, 201, 202])
def test_whole_words_edges(n):
    for text in ("x" * n, " " * n, "\xa0" * n, "a é" * n):
        kept = cli._whole_words(text)
        assert text.startswith(kept) and len(kept) <= cli._CUT


def test_update_mixed_tensor_and_array_names_argument():
    sampler = HardExampleSampler(RebalanceSampler([0, 1] * 5))
    with pytest.raises(ValueError, match="indices"):
        sampler.update([torch.tensor(1), np.array([2, 3])], [0.1, 0.2])
