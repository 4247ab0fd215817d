"""Review 136 (encodings2): how ``rebalance compare --data FILE`` reads text
files that are not UTF-8: ``cli._read_text_table`` (UTF-8, else cp1252, or
Latin-1 when a byte is undefined in cp1252), ``cli._check_western`` (runs of
non-ASCII characters) and the new ``cli._cjk_with_ascii_bytes`` (Big5 /
Shift-JIS characters ending with an ASCII byte: "是" is b"\\xacO", "¬O").

How: CSV files written under tmp_path with ``str.encode(code page)`` and
read in process with ``cli._load_table``. Western words from babel (place,
language, currency, month and day names of ~30 Western locales and every
other Latin-script locale, in cp1252 and Latin-1), units and symbols; CJK
label files from babel's zh_Hant (cp950, big5, big5hkscs), ja (cp932,
shift_jis), zh_Hans (gbk, gb18030, gb2312) and ko (cp949, euc-kr) names, 2
to 5 labels per file (1500 files: all refused); Central European, Turkish
and Baltic files; gzip, 200 000 unique texts (no slowdown from the check).
Not repeated: review 135 and stop 57 (encodings), the BOM / UTF-16 /
gzip cp1252 reads of reviews 16, 40, 113.

Found:
* "ºC" (the ordinal sign written for a degree, common in Spanish and
  Portuguese), school groups "1ºA", sizes "½L" are taken for Big5 by
  ``_cjk_with_ascii_bytes``: such a Western file is refused.
* Icelandic words with three accented letters in a row ("þýðing",
  "Eþíópía"): the run-of-three rule refuses an Icelandic file.
* Big5 labels whose characters all begin with byte 0xAB or 0xB7 ("南" is
  "«n", "新" is "·s", "愛" is "·R"), exempted as Western "«" and "·": a
  two-label file (南/北, 新/舊, 愛/恨) is read silently as mojibake.
* Polish cp1250 files ("Łódź" read "£ódŸ", "wyłączony" "wy³¹czony") are
  read silently as cp1252; "³ ¹ ¿ ¯ £ ¥" between two letters never occur in
  Western text.
* A cp1250 file with "Ť"/"ť" (Slovak, Czech; byte 0x8D/0x9D, undefined in
  cp1252) falls back to Latin-1 and is read with C1 control characters
  ("Ko\\x9aice" for "Košice") without a word.
No bug: Western locales' names (all read exactly), the other Western
symbols ("n°", "Nº 5", "1ª", "©", "±5", "§ 3", "µg/l", quotes), CJK words
(gbk, gb18030, gb2312, cp949, euc-kr, cp932 all refused), gzip Big5.
Czech, Hungarian, Turkish and Baltic files read as cp1252 give wrong
letters silently, but as letters ("Plzeò", "Ýstanbul", "Ðiauliai"): no
safe rule (left alone, see the changelog).
"""

import functools
import gzip

import pytest
from babel import Locale

from rebalance import cli


def _write(tmp_path, lines, encoding, name="data.csv"):
    path = tmp_path / name
    data = ("\n".join(lines) + "\n").encode(encoding)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return str(path)


def _load(path, target, monkeypatch):
    monkeypatch.setattr(cli, "_NOTICES", [])
    return cli._load_table(path, target)


def _refused(path, target, monkeypatch):
    with pytest.raises(SystemExit, match="another code page"):
        _load(path, target, monkeypatch)


def _read_or_refused(path, target, monkeypatch, labels, column=None, values=None):
    """Refused with the code-page message, or read with the exact text."""
    try:
        X, y = _load(path, target, monkeypatch)
    except SystemExit as exc:
        assert "another code page" in str(exc)
        return
    assert [str(v) for v in y] == labels
    if column is not None:
        assert [str(v) for v in X[column]] == values


# ---------------------------------------------------------------- Western

_LOCALES = (
    "fr de es pt pt_BR it nl sv da nb nn fi is ca gl eu ga cy af et fr_CA "
    "de_CH de_AT es_MX it_CH fo sq id ms sw"
).split()


@functools.cache
def _babel_names(locale):
    L = Locale.parse(locale)
    places = [t for t in L.territories.values() if not t.isascii()]
    languages = [t for t in L.languages.values() if not t.isascii()]
    return {
        "month": list(L.months["format"]["wide"].values()),
        "day": list(L.days["format"]["wide"].values()) * 2,
        "place": sorted(t for t in places if "," not in t),
        "lang": sorted(t for t in languages if "," not in t),
    }


def _names(locale, encoding):
    """12 names of ``locale`` that ``encoding`` writes: 3 of each kind."""
    out = []
    for values in _babel_names(locale).values():
        values = [
            v for v in values if v.encode(encoding, "ignore").decode(encoding) == v
        ]
        out += (values * 3)[:3] if values else ["-"] * 3
    return out


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_locale_names_are_read_exactly(tmp_path, monkeypatch, encoding):
    # One wide file: month, day, place and language names of 30 locales.
    columns = {}
    for locale in _LOCALES:
        columns[f"names_{locale}"] = _names(locale, encoding)
    header = ["x", *columns, "label"]
    lines = [";".join(header)] + [
        ";".join([str(i), *(v[i] for v in columns.values()), "ja" if i % 3 else "nee"])
        for i in range(12)
    ]
    path = _write(tmp_path, lines, encoding)
    X, y = _load(path, "label", monkeypatch)
    for name, values in columns.items():
        assert [str(v) for v in X[name]] == values, name


def test_western_units_and_symbols_are_read(tmp_path, monkeypatch):
    units = ["n° 3", "Nº 5", "1ª", "© ACME", "Marca®", "±5", "§ 3", "½", "µg/l"]
    units += ["“Oui”", "‘Non’", "l’eau", "5 m²", "10 m³", "2×3"]
    lines = ["x;unit;label"] + [
        f"{i};{units[i % len(units)]};{'sí' if i % 3 else 'no'}" for i in range(30)
    ]
    path = _write(tmp_path, lines, "cp1252")
    X, y = _load(path, "label", monkeypatch)
    assert [str(v) for v in X["unit"]] == [units[i % len(units)] for i in range(30)]


@pytest.mark.parametrize(
    ("encoding", "values"),
    [
        ("cp1252", ["20 ºC", "25 ºC", "30 ºC", "37ºC"]),  # Spanish sensor data
        ("latin-1", ["ºC", "ºF"]),  # Portuguese unit column
        ("cp1252", ["1ºA", "1ºB", "2ºA", "2ºB"]),  # Spanish school groups
        ("cp1252", ["½L", "¼L", "1L"]),  # bottle sizes
    ],
)
def test_ordinal_sign_units_in_western_files_are_read(
    tmp_path, monkeypatch, encoding, values
):
    column = [values[i % len(values)] for i in range(30)]
    lines = ["id;valor;resultado"] + [
        f"{i};{v};{'sí' if i % 3 else 'no'}" for i, v in enumerate(column)
    ]
    path = _write(tmp_path, lines, encoding)
    X, y = _load(path, "resultado", monkeypatch)
    assert [str(v) for v in X["valor"]] == column


def test_icelandic_runs_of_three_accented_letters_are_read(tmp_path, monkeypatch):
    kinds = ["þýðing", "frumtexti", "þýðandi"]  # translation, original, translator
    column = [kinds[i % 3] for i in range(30)]
    lines = ["id;tegund;flokkur"] + [
        f"{i};{k};{'já' if i % 3 else 'nei'}" for i, k in enumerate(column)
    ]
    path = _write(tmp_path, lines, "cp1252")
    X, y = _load(path, "flokkur", monkeypatch)
    assert [str(v) for v in X["tegund"]] == column


# ------------------------------------------------------------------- CJK


@pytest.mark.parametrize(
    ("encoding", "a", "b"),
    [
        ("cp950", "南", "北"),  # '«n' / '¥_': south / north
        ("big5", "新", "舊"),  # '·s' / 'ÂÂ': new / old
        ("cp950", "愛", "恨"),  # '·R' / '«ë'
        ("cp950", "保", "不保"),  # '«O' / '¤£«O'
    ],
)
def test_big5_labels_led_by_western_symbols_are_refused(
    tmp_path, monkeypatch, encoding, a, b
):
    lines = ["x,y"] + [f"{i},{a if i % 3 else b}" for i in range(30)]
    path = _write(tmp_path, lines, encoding)
    _refused(path, "y", monkeypatch)  # read as '«n' / '¥_' today


def test_gzip_big5_labels_are_refused(tmp_path, monkeypatch):
    lines = ["x,y"] + [f"{i},{'是' if i % 3 else '否'}" for i in range(30)]
    path = _write(tmp_path, lines, "big5", name="data.csv.gz")
    _refused(path, "y", monkeypatch)


# ------------------------------------------------------ Central European


def test_polish_cp1250_file_is_refused_or_read_exactly(tmp_path, monkeypatch):
    cities = ["Łódź", "Kraków", "Gdańsk", "Wrocław", "Białystok", "Zielona Góra"]
    column = [cities[i % len(cities)] for i in range(30)]
    labels = ["włączony" if i % 3 else "wyłączony" for i in range(30)]
    lines = ["id;miasto;stan"] + [
        f"{i};{c};{s}" for i, (c, s) in enumerate(zip(column, labels))
    ]
    path = _write(tmp_path, lines, "cp1250")
    # Today: labels 'w³¹czony' / 'wy³¹czony', cities '£ódŸ', 'Wroc³aw'.
    _read_or_refused(path, "stan", monkeypatch, labels, "miasto", column)


def test_latin1_fallback_with_control_characters_is_not_silent(tmp_path, monkeypatch):
    # "Ť" is 0x8D in cp1250, undefined in cp1252: the file is read as
    # Latin-1, where "š" (0x9A) and "Ž" (0x8E) are C1 control characters.
    cities = ["Košice", "Žilina", "Ťahanovce"]
    column = [cities[i % 3] for i in range(30)]
    labels = ["áno" if i % 3 else "nie" for i in range(30)]
    lines = ["x;mesto;y"] + [
        f"{i};{c};{s}" for i, (c, s) in enumerate(zip(column, labels))
    ]
    path = _write(tmp_path, lines, "cp1250")
    # Today: 'Ko\x9aice', '\x8eilina', '\x8dahanovce', no word.
    _read_or_refused(path, "y", monkeypatch, labels, "mesto", column)
