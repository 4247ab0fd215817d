"""Review 135 (encodings): ``rebalance compare --data FILE`` on text files
that are not UTF-8, as ``cli._read_text_table`` reads them: UTF-8, else
cp1252 (Latin-1 when a byte is undefined in cp1252), then
``cli._check_western`` (changed in ddaaae1): a run of non-ASCII characters
is suspect when it is 3+ long, or 2 long in a text without an ASCII letter,
and the file is refused when most runs are suspect.

How: small CSV files written under tmp_path with ``str.encode(code page)``
and read in process with ``cli._load_table(path, target)``; a refusal is
the ``SystemExit`` of ``cli._fail`` ("could not read --data ...: it is not
UTF-8 ... another code page ..."). Western words (Portuguese, French,
German, Spanish, Nordic, Icelandic, Dutch, all capitals, "€", "£", "°C",
"½", typographic quotes and dashes) as labels and as feature text, in
cp1252 and Latin-1, must be read with the exact text written; short labels
in other code pages (GBK / GB18030 single characters, Korean, Ukrainian
cp1251, Greek cp1253, KOI8-R, Hebrew cp1255, Arabic cp1256, Japanese cp932
kanji, a Russian header) must be refused. Not repeated: the gb18030
正面/负面, cp1251 Да/Нет and cp932 はい/いいえ refusals and the São Paulo /
Zürich / situação reads pinned in review 22 and stop 56, and the Latin-1
fallback of review 47.

Found: price levels written "€€" / "€€€" (a Western file) are refused as
another code page; Big5 (Taiwan, Hong Kong) files and cp932 kanji whose
second byte is ASCII ("是" is b"\\xacO", "男" is b"\\x92j") are read
silently as mojibake labels (fixed at stop 57: test_stop57_encodings).
"""

import pytest

from rebalance import cli


def _write(tmp_path, lines, encoding, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return str(path)


def _load(path, target, monkeypatch):
    monkeypatch.setattr(cli, "_NOTICES", [])
    return cli._load_table(path, target)


def _labelled(a, b, n=24):
    """Labels ``a`` (2 rows in 3) and ``b``; a numeric feature ``x``."""
    return [a if i % 3 else b for i in range(n)]


def _refused(path, target, monkeypatch):
    with pytest.raises(SystemExit) as info:
        _load(path, target, monkeypatch)
    assert type(info.value) is SystemExit  # cli._fail: exit status 1
    return str(info.value)


def _assert_code_page_error(message, path):
    assert message.startswith(
        f"rebalance compare: error: could not read --data {path!r}"
    )
    assert "it is not UTF-8" in message and "another code page" in message
    assert "CSV UTF-8" in message
    assert "\n" not in message


# ---------------------------------------------------------------- Western


_WESTERN = [
    ("situação", "informações"),  # Portuguese: runs of two among ASCII
    ("não", "sim"),
    ("été", "créée"),  # French
    ("œuvre", "Noël"),
    ("Größe", "Grüße"),  # German
    ("Äpfel", "Übermäßig"),
    ("año", "niño"),  # Spanish
    ("¿Qué?", "¡Sí!"),
    ("smørbrød", "Åsa"),  # Nordic
    ("Þórður", "Ægir"),  # Icelandic
    ("Já", "Nei"),
    ("één", "coördinatie"),  # Dutch
    ("AÇÃO", "ÉTÉ"),  # all capitals
    ("l’été", "«\u00a0Noël\u00a0»"),  # typographic quotes, no-break spaces
    ("25 °C", "½"),
    ("€", "£"),
    ("1½–2 kg", "2–3 kg"),
]


def _encodable(text, encoding):
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# Latin-1 lacks "œ", "€", "’" and "–" (cp1252's 0x80-0x9F): those pairs in
# cp1252 only.
@pytest.mark.parametrize(
    ("encoding", "a", "b"),
    [
        (encoding, a, b)
        for encoding in ("cp1252", "latin-1")
        for a, b in _WESTERN
        if _encodable(a + b, encoding)
    ],
)
def test_western_words_are_read_as_labels_and_features(
    tmp_path, monkeypatch, encoding, a, b
):
    labels = _labelled(a, b)
    words = _labelled(b, a)  # the same words as feature text, the other way
    lines = ["x;word;label"] + [
        f"{i};{w};{y}" for i, (w, y) in enumerate(zip(words, labels))
    ]
    path = _write(tmp_path, lines, encoding)
    X, y = _load(path, "label", monkeypatch)
    assert [str(v) for v in y] == labels
    assert [str(v) for v in X["word"]] == words
    assert X["x"].tolist() == list(range(24))


def test_western_header_and_text_columns_in_cp1252(tmp_path, monkeypatch):
    # A French Excel export: accented column names, target named with its
    # accents, a free-text column, amounts in euros as text.
    comments = ["Très bon état", "Déjà vu", "Œuvre créée à Noël", "À éviter"]
    lines = ["Année;Catégorie;Commentaire;Prix;Résultat"] + [
        f"{2000 + i};{'Été' if i % 2 else 'Hiver'};{comments[i % 4]};"
        f"{i} €;{'oui' if i % 3 else 'non'}"
        for i in range(24)
    ]
    path = _write(tmp_path, lines, "cp1252")
    X, y = _load(path, "Résultat", monkeypatch)
    assert list(X.columns) == ["Année", "Catégorie", "Commentaire", "Prix"]
    assert [str(v) for v in X["Commentaire"]][:4] == comments
    assert set(map(str, X["Catégorie"])) == {"Été", "Hiver"}
    assert [str(v) for v in X["Prix"]][:3] == ["0 €", "1 €", "2 €"]
    assert [str(v) for v in y] == ["oui" if i % 3 else "non" for i in range(24)]


@pytest.mark.parametrize(
    "levels",
    [("€", "€€", "€€€", "€€€€"), ("€€-€€€", "€", "€€"), ("£", "££", "£££")],
)
def test_price_levels_in_cp1252_are_read(tmp_path, monkeypatch, levels):
    # Restaurant guides write price levels as repeated currency signs
    # ("€€-€€€"): runs of 2+ non-ASCII characters without an ASCII letter,
    # which _check_western takes for the letters of GBK or Windows-1251.
    prices = [levels[i % len(levels)] for i in range(24)]
    lines = ["cuisine,price,label"] + [
        f"{['Italian', 'French', 'Thai'][i % 3]},{p},{'good' if i % 3 else 'bad'}"
        for i, p in enumerate(prices)
    ]
    path = _write(tmp_path, lines, "cp1252")
    X, y = _load(path, "label", monkeypatch)
    assert [str(v) for v in X["price"]] == prices


# ------------------------------------------------------- other code pages


@pytest.mark.parametrize(
    ("encoding", "a", "b"),
    [
        ("gb18030", "是", "否"),  # single characters: one run of two each
        ("cp936", "男", "女"),
        ("cp936", "高", "低"),
        ("euc-kr", "예", "아니오"),
        ("euc-kr", "남", "여"),
        ("cp1251", "Так", "Ні"),  # Ukrainian
        ("cp1253", "Ναι", "Όχι"),  # Greek
        ("koi8-r", "Да", "Нет"),
        ("cp1255", "כן", "לא"),  # Hebrew
        ("cp1256", "نعم", "لا"),  # Arabic
        ("cp932", "合格", "不合格"),  # 0x8D: undefined in cp1252, Latin-1
        ("cp932", "正", "誤"),
    ],
)
def test_short_labels_in_another_code_page_are_refused(
    tmp_path, monkeypatch, encoding, a, b
):
    lines = ["x,y"] + [f"{i},{v}" for i, v in enumerate(_labelled(a, b))]
    path = _write(tmp_path, lines, encoding)
    message = _refused(path, "y", monkeypatch)
    _assert_code_page_error(message, path)
    # The sample quoted is a label as the file was read: cp1252, or Latin-1
    # when a byte of the file is undefined in cp1252.
    raw = open(path, "rb").read()
    try:
        raw.decode("cp1252")
        fallback = "cp1252"
    except UnicodeDecodeError:
        fallback = "latin-1"
    as_read = [v.encode(encoding).decode(fallback) for v in (a, b)]
    assert any(repr(t) in message for t in as_read), (as_read, message)


def test_a_russian_header_is_the_code_page_error_not_a_missing_target(
    tmp_path, monkeypatch
):
    # The target named as the user sees it ("класс"): the file is refused
    # for its code page before the column is looked up.
    lines = ["возраст,город,класс"] + [
        f"{i},{['Москва', 'Киев'][i % 2]},{'Да' if i % 3 else 'Нет'}" for i in range(24)
    ]
    path = _write(tmp_path, lines, "cp1251")
    message = _refused(path, "класс", monkeypatch)
    _assert_code_page_error(message, path)
    assert repr("возраст".encode("cp1251").decode("cp1252")) in message


@pytest.mark.parametrize(
    ("encoding", "header", "target", "a", "b"),
    [
        ("big5", "age,city,y", "y", "是", "否"),  # read as '¬O' / '§_'
        ("big5", "age,city,y", "y", "男", "女"),  # read as '¨k' / '¤k'
        ("cp950", "年齡,城市,結果", "結果", "是", "否"),  # "not a column" error
        ("cp932", "age,city,y", "y", "男", "女"),  # Latin-1: '\x92j' / '\x8f\x97'
    ],
)
def test_big5_and_shift_jis_labels_are_refused(
    tmp_path, monkeypatch, encoding, header, target, a, b
):
    # City names whose Big5 bytes hold ASCII too: 台北 is b"\xa5x\xa5_".
    cities = ["台北", "台中", "新竹"] if encoding != "cp932" else ["-"]
    lines = [header] + [
        f"{i},{cities[i % len(cities)]},{v}" for i, v in enumerate(_labelled(a, b))
    ]
    path = _write(tmp_path, lines, encoding)
    message = _refused(path, target, monkeypatch)  # DID NOT RAISE today
    _assert_code_page_error(message, path)
