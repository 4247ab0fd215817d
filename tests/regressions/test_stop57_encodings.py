"""Stop 57: ``rebalance compare --data`` on Big5 (cp950) and Shift-JIS
(cp932) files whose characters end with an ASCII byte ("是" is b"\\xacO",
read "¬O" as cp1252). Review 135 left them read as mojibake labels without
a word (its strict xfails now pass); ``cli._cjk_with_ascii_bytes`` marks
them. Western text writing a symbol right before a letter ("°C", "µm") and
Western words of many languages are still read.
"""

import pandas as pd
import pytest

from rebalance import cli


def _write(tmp_path, lines, encoding):
    path = tmp_path / "data.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return str(path)


def _load(path, target, monkeypatch):
    monkeypatch.setattr(cli, "_NOTICES", [])
    return cli._load_table(path, target)


@pytest.mark.parametrize(
    ("encoding", "a", "b"),
    [
        ("cp950", "是", "否"),
        ("cp950", "男", "女"),
        ("cp950", "台北", "台中"),  # b"\xa5x\xa5_": runs of one "¥" each
        ("big5", "通過", "不通過"),
        ("cp932", "男", "女"),  # read in Latin-1 (0x8F is not cp1252)
        ("cp932", "表", "裏"),  # b"\x95\\" / b"\x97\xa0"
    ],
)
def test_big5_and_shift_jis_labels_are_refused(tmp_path, monkeypatch, encoding, a, b):
    lines = ["x,y"] + [f"{i},{a if i % 3 else b}" for i in range(24)]
    path = _write(tmp_path, lines, encoding)
    with pytest.raises(SystemExit, match="another code page"):
        _load(path, "y", monkeypatch)


@pytest.mark.parametrize(
    ("a", "b"),
    [("°C", "°F"), ("µm", "µg"), ("«Oui»", "«Non»"), ("¿Sí?", "¡No!")],
)
def test_western_symbols_before_a_letter_are_read(tmp_path, monkeypatch, a, b):
    lines = ["x,unit,y"] + [
        f"{i},{a if i % 2 else b},{'yes' if i % 3 else 'no'}" for i in range(24)
    ]
    path = _write(tmp_path, lines, "cp1252")
    features, labels = _load(path, "y", monkeypatch)
    assert sorted(set(labels)) == ["no", "yes"]
    assert sorted(features["unit"].unique()) == sorted({a, b})


_WESTERN_WORDS = (
    "Zürich São Paulo München Málaga Genève Besançon Ålesund Tromsø Óbidos Évora "
    "Ángel Íñigo Úrsula Ñandú Çatal Œuvre Ærø Øresund Þingvellir Ísafjörður "
    "naïve façade déjà über Straße año niño coração ação pão mãe irmão "
    "élève été Noël île côté fête forêt Köln Düsseldorf Mönchengladbach "
    "Århus Göteborg Jönköping Västerås Hämeenlinna Jyväskylä Reykjavík Akureyri"
).split()


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_words_are_not_taken_for_big5_or_shift_jis(encoding):
    words = [
        w for w in _WESTERN_WORDS if w.encode(encoding, "ignore").decode(encoding) == w
    ]
    assert len(words) > 40
    assert [w for w in words if cli._cjk_with_ascii_bytes(w, encoding)] == []
    cli._check_western(pd.DataFrame({"city": words}), encoding)  # no ValueError
