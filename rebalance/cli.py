"""The ``rebalance`` command.

``rebalance compare`` cross-validates imbalance fixes on a built-in data set (or
``--data FILE --target COLUMN``), prints a one-paragraph data summary, a table
of imbalance metrics with a paired test of every fix against the best one, and
a closing line that says which differences are real.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from rebalance._columns import (
    _CURRENCY,
    _FIRST_GROUP,
    _arrow_type,
    _as_numbers,
    _nested,
    accounting_negatives,
    check_spaced_names,
    column_named,
    label_markers,
    marker_texts,
    missing_as_na,
    note_markers,
    number_markers,
    signed_number,
)
from rebalance._frames import numeric_dtype
from rebalance.compare import (
    METRIC_LABELS,
    MODELS,
    TEST_NAME,
    VARIANTS_NOTE,
    check_model,
    check_run_options,
    compare,
    default_methods,
    label_variants,
    missing_labels_message,
    wrap,
)
from rebalance.datasets import load_breast_cancer_skewed, load_digits_binary

#: --dataset name -> (description, loader)
DATASETS: dict[str, tuple[str, Callable[[], tuple[np.ndarray, np.ndarray]]]] = {
    "digits": ("scikit-learn digits, 8 vs rest", load_digits_binary),
    "breast-cancer": (
        "breast cancer, malignant thinned to 1:20",
        load_breast_cancer_skewed,
    ),
}
#: option -> (argparse dest, the extensions it writes)
OUTPUTS = {
    "--json": ("json_path", (".json",)),
    "--plot": ("plot", (".png", ".svg", ".pdf")),
    "--report": ("report", (".html", ".htm")),
}


#: keyword of :func:`~rebalance.compare.compare` -> its option here
_OPTIONS = {
    "positive_label": "--positive-label",
    "method_names": "--methods",
    "folds": "--folds",
    "repeats": "--repeats",
    "seed": "--seed",
    "n_jobs": "--n-jobs",
    "drop": "--drop",
    "model": "--model",
    "sort_by": "--metric",
}
# A keyword as compare's messages name it: "folds=", "folds=5",
# "positive_label='yes'" (a value ends before a space or punctuation).
_KEYWORD = re.compile(
    rf"(?<![\w-])({'|'.join(_OPTIONS)})="
    r"""('[^']*'|"[^"]*"|[^\s,;:.)\]]+)?"""
)


def _as_options(text: str) -> str:
    """``text`` of the Python API (a message, a note) with the keywords it
    names as this command's options: ``positive_label='yes'`` as
    ``--positive-label 'yes'``, ``folds=`` as ``--folds``.

    Examples
    --------
    >>> from rebalance.cli import _as_options
    >>> _as_options("raise folds= up to 4, or pass positive_label='a'.")
    "raise --folds up to 4, or pass --positive-label 'a'."
    """

    def option(match: re.Match) -> str:
        name, value = _OPTIONS[match.group(1)], match.group(2)
        return name if value is None else f"{name} {value}"

    return _KEYWORD.sub(option, text)


def _target_named(text: str, target: str | None) -> str:
    """compare()'s message on the target's classes with the ``--target``
    column named (``target``; None for a built-in data set: as it is).

    Examples
    --------
    >>> from rebalance.cli import _target_named
    >>> _target_named("the target has 1 class(es): Choose another target, "
    ...     "or add rows.", "label")
    "--target 'label' has 1 class(es): Choose another --target column, or add rows."
    """
    if target is None:
        return text
    named = f"--target {target!r}"
    for phrase, instead in (
        ("the target has ", f"{named} has "),
        ("of the target have a single row", f"of {named} have a single row"),
        ("Choose another target,", "Choose another --target column,"),
    ):
        text = text.replace(phrase, instead)
    return text


def _fail(message: str) -> SystemExit:
    """An error of the run (the data, a file): exit status 1, ``message``
    printed on stderr."""
    return SystemExit(f"rebalance compare: error: {message}")


class UsageError(SystemExit):
    """A wrong command line (options that conflict, or a value no run can
    take): exit status 2, as argparse's own errors. ``str()`` of it is the
    message, which :func:`main` prints on stderr."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = 2


def _usage(message: str) -> UsageError:
    return UsageError(f"rebalance compare: error: {message}")


# The separators a text file may use, in order of preference on ties (a
# ";" file often holds commas in names and decimal numbers; a "," file
# rarely holds as many ";" on every line).
_SEPARATORS = ("\t", ";", ",", "|")
# A number written with a decimal comma (and "." between thousands), as
# Excel writes ";"-separated files in most European locales: 1.234,5, with
# an optional currency sign or percent: 1.234,50 €, 12,5 %. French and other
# locales group thousands with a no-break space, U+00A0 (what French Excel
# writes) or the narrow U+202F: 1 234,5. (Not with a plain space: "030 123
# 456" is a phone number.) A grouped number starts with a digit other than
# 0 (_FIRST_GROUP): 0.727 is a decimal point, never 727.
_GROUPED = rf"({_FIRST_GROUP}(\.\d{{3}})+|{_FIRST_GROUP}([\u00a0\u202f]\d{{3}})+|\d+)"
_DECIMAL_COMMA = signed_number(rf"{_GROUPED}(,\d+)?")
# A number with apostrophes between thousands and a decimal point, as Swiss
# locales write it: 1'234.5 (also with U+2019, the typographic apostrophe).
_APOSTROPHE_NUMBER = signed_number(r"(\d{1,3}(['\u2019]\d{3})+|\d+)(\.\d+)?")
# A number as _columns reads text numbers: commas between thousands (after
# a first group other than 0: 0,205 is a decimal comma, never 205).
_COMMA_THOUSANDS = signed_number(rf"(\d+|{_FIRST_GROUP}(,\d{{3}})+)(\.\d*)?")


def _unquoted_count(line: str, separator: str) -> int:
    """Occurrences of ``separator`` in ``line`` outside double quotes."""
    return "".join(line.split('"')[::2]).count(separator)


# Separators at which no line of a text file is split (control characters).
_LINE_SEPARATORS = ("\x1f", "\x1e", "\x1d", "\x1c")


def _raw_lines(path: str, encoding: str, **options: Any):
    """The lines of a text file (decompressed as pandas does), as a Series of
    one field a line, quotes kept, or None when each of ``_LINE_SEPARATORS``
    is on some line (binary content). Split at a control character text
    files rarely hold; at the next one when a line holds it (some exports put
    "\x1f" between the values of a field). ``options`` of ``pd.read_csv``."""
    import csv

    import pandas as pd

    for separator in _LINE_SEPARATORS:
        try:
            lines = pd.read_csv(
                path,
                compression=_compression(path),
                header=None,
                sep=separator,
                quoting=csv.QUOTE_NONE,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                **options,
            )
        except pd.errors.ParserError:  # a line holding the separator
            continue
        return lines.iloc[:, 0]
    return None


def _first_lines(path: str, encoding: str) -> list[str]:
    """The first lines of a text file, decompressed as pandas does (those
    without any of ``_LINE_SEPARATORS`` when each is on some line)."""
    lines = _raw_lines(path, encoding, nrows=5)
    if lines is None:
        lines = _raw_lines(path, encoding, nrows=5, on_bad_lines="skip")
    return [] if lines is None else [str(line) for line in lines]


# Extensions pandas decompresses: their raw bytes are not the text's.
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar", ".tgz")


def _compression(path: str) -> str:
    """``compression`` of ``pd.read_csv`` for ``path``: pandas infers it from
    the extension, but not for ".tgz" (a gzipped tar, read as raw bytes: a
    misleading "not UTF-8" error)."""
    return "tar" if path.lower().endswith(".tgz") else "infer"


def _broken_archive_errors() -> tuple[type[BaseException], ...]:
    """What a damaged or misnamed compressed file raises while pandas reads
    it, besides OSError and ValueError: a zip that is not one, a tar, an xz
    or a zstd stream that does not decode, a deflate stream with bad data,
    a file cut short (EOFError)."""
    import lzma
    import tarfile
    import zipfile
    import zlib

    errors: list[type[BaseException]] = [
        zipfile.BadZipFile,
        tarfile.TarError,
        lzma.LZMAError,
        zlib.error,
        EOFError,
    ]
    zstandard = sys.modules.get("zstandard")
    if zstandard is not None and isinstance(
        getattr(zstandard, "ZstdError", None), type
    ):
        errors.append(zstandard.ZstdError)
    return tuple(errors)


# Names pandas reads as tar archives (their first file).
_TARS = (".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tar.xz")


def _head(path: str, size: int = 4096) -> bytes | None:
    """The first ``size`` bytes of the file ``path`` as pandas reads it:
    decompressed for .gz, .bz2, .xz, a .zip of one file and the first file
    of a tar (compressed or not: .tgz, .tar.gz ...), the formats the
    standard library reads; None for another compressed file (.zst), or one
    that does not open (the reader says why)."""
    import bz2
    import gzip
    import lzma
    import tarfile
    import zipfile

    extension = os.path.splitext(path)[1].lower()
    openers: dict[str, Callable[..., Any]] = {
        ".gz": gzip.open,
        ".bz2": bz2.open,
        ".xz": lzma.open,
    }
    errors: tuple[type[BaseException], ...] = (
        OSError,
        ValueError,
        *_broken_archive_errors(),
    )
    try:
        if path.lower().endswith(_TARS):  # its first file, as pandas reads
            with tarfile.open(path) as archive:
                member = next((m for m in archive if m.isfile()), None)
                handle = None if member is None else archive.extractfile(member)
                return None if handle is None else handle.read(size)
        if extension == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                if len(names) != 1:
                    return None
                with archive.open(names[0]) as handle:
                    return handle.read(size)
        if extension in _COMPRESSED and extension not in openers:
            return None
        with openers.get(extension, open)(path, "rb") as handle:
            return handle.read(size)
    except errors:
        return None


def _refuse_binary(path: str) -> None:
    """A UnicodeDecodeError for a file with a NUL byte in its first 4 KiB
    (decompressed: :func:`_head`) and no UTF-16 byte-order mark:
    binary content (a zip, an Excel or Parquet file under another name, or
    compressed as data.csv.gz). pandas before 3 reads up to the NUL without
    a decoding error: the file came back as one column."""
    head = _head(path)
    if head is None:
        return  # the reader says why
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        at = head.index(b"\x00")
        raise UnicodeDecodeError(
            "utf-8", head, at, at + 1, "a NUL byte: binary content, not text"
        )


def _read_text_table(path: str, target: Any = None):
    """A CSV file as :func:`_read_text_table_as` reads it, in UTF-8, or else
    (a file saved by Excel on Windows, "é" as one byte) in its code page
    cp1252, or Latin-1; UTF-16 when it starts with its byte-order mark.
    A binary file (a NUL byte in its first lines) is not read as text: its
    UTF-8 error stands. The ``target`` column keeps the classes the file
    writes (see :func:`_target_as_written`)."""
    _refuse_binary(path)
    try:
        return _read_text_table_as(path, "utf-8", target)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    lines = _first_lines(path, "latin-1")
    if lines and lines[0].startswith(("\xff\xfe", "\xfe\xff")):
        # A byte-order mark: UTF-16 (Excel's "Unicode text", tab-separated).
        return _read_text_table_as(path, "utf-16", target)
    if any("\x00" in line for line in lines):
        raise utf8_error
    try:
        frame = _read_text_table_as(path, "cp1252", target)
        encoding = "cp1252"
    except UnicodeDecodeError:  # a byte cp1252 leaves undefined
        frame = _read_text_table_as(path, "latin-1", target)
        encoding = "latin-1"
    _check_western(frame, encoding)
    return frame


# Western texts whose bytes are also one Big5 or Shift-JIS character ending
# with an ASCII byte (see _cjk_with_ascii_bytes): units written alone ("°C"
# is Big5 "蚓", "µg" "痢", "µL" "無", "½L" "盤", "°N"), and unit or ordinal
# signs after a number ("20 ºC", "1ºA", "5 µL", "1½L"). Such a text counts
# for neither reading, so a CJK file whose texts are all of them is read
# ("無" alone), one holding other texts is not ("有" "無": "¦³" "µL").
_WESTERN_UNITS = re.compile("µ[A-Za-z]|[°º][CFKNSEW]|[½¼¾][A-Za-z]")
_SIGNS_AFTER_NUMBERS = "°ºªµ½¼¾"
# The characters of a text the code-page check reads.
_CUT = 200
# Scripts of the code pages whose characters may end with an ASCII byte.
_CJK = re.compile("[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# cp1252's letters, and its capitals with an accent.
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿŠŒŽšœžŸ"
_SMALL = "a-zß-öø-ÿ"
_ACCENTED_CAPITALS = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"


def _western_pair(raw: bytes, at: int, encoding: str) -> bool:
    """Whether the two bytes of ``raw`` from ``at`` (a Big5 or Shift-JIS
    character ending with an ASCII byte) may be Western text: a unit or a
    sign ("°C" alone, "ºA" after a number: "1ºA", "«S" in a quoted text:
    "«Sí»"), or an accented capital starting a word ("Öl", "Ås")."""
    pair = raw[at : at + 2].decode(encoding)
    before = raw[at - 1 : at].decode(encoding)  # one byte a character
    spaced = at - 1
    while spaced >= 0 and raw[spaced] == 0x20:
        spaced -= 1
    return (
        bool(_WESTERN_UNITS.fullmatch(pair))
        or (
            pair[0] in _SIGNS_AFTER_NUMBERS
            and spaced >= 0
            and 0x30 <= raw[spaced] <= 0x39
        )
        or (pair[0] == "«" and raw.rfind("»".encode(encoding)) > at)
        or (
            pair[0] in _ACCENTED_CAPITALS
            and pair[1].islower()
            and not re.match(f"[{_LETTER}]", before)
        )
    )


def _cjk_with_ascii_bytes(text: str, encoding: str) -> bool | None:
    """Whether ``text``, read in ``encoding`` (cp1252 or Latin-1), is Big5
    (cp950: Excel in Taiwan, Hong Kong) or Shift-JIS (cp932) text whose
    characters end with an ASCII byte: "是" is b"\\xacO", read "¬O"; "南"
    is b"\\xabn", read "«n"; "男" in cp932 is b"\\x92j", read "’j". Such a
    run of one non-ASCII character among ASCII looks like a Western accent
    ("Zürich"): the text is taken for Chinese or Japanese (True) when its
    bytes decode strictly in that code page to CJK characters leaving no
    ASCII letter unpaired (Western words keep letters around their
    accents); None (either) when every such character may be Western
    (:func:`_western_pair`: "°C", "20 ºC", "1ºA", "Öl"); else False."""
    if text.isascii():
        return False
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        return False
    found: bool | None = False
    for code_page in ("cp950", "cp932"):
        try:
            decoded = raw.decode(code_page)
        except UnicodeDecodeError as exc:
            if (
                len(text) < _CUT
                or exc.end != len(raw)
                or "incomplete" not in exc.reason
            ):
                continue
            # A long text cut by _check_western halfway through a character.
            try:
                decoded = raw[: exc.start].decode(code_page)
            except UnicodeDecodeError:
                continue
        if not _CJK.search(decoded) or re.search("[A-Za-z]", decoded):
            continue
        if any(
            len(character.encode(code_page)) == 2
            and not _western_pair(raw, at, encoding)
            for at, character in _byte_offsets(decoded, code_page)
        ):
            return True
        found = None
    return found


# Money units after "£" ("£million", "£pcm"), not cp1250's "Ł" ("£ódzkie").
_MONEY_UNITS = (
    "(?:millions?|billions?|thousands?|trillions?|mln|bln|mil|trn|pcm|psf|psm|ppw"
    "|pppw|pppn|pax|sqm|sqft|stg|each|per)"
)
# Signs of another code page no Western text writes (found in none of the
# 23,742 non-ASCII words cp1252 writes in babel's names of every locale):
# * cp1250 (Excel in Poland, Czechia, Slovakia, Hungary ...) read as
#   cp1252: "ł ą ż Ż Ł Ą Ľ ľ" are "³ ¹ ¿ ¯ £ ¥ ¼ ¾", between two letters
#   ("wy³¹czony", "Bia³ystok", "mo¿e"; not "£" "¥", currency signs after a
#   country code: "JP¥bn"); "Ł Ż Ą ł" starting a word of small
#   letters ("£ódzkie", "¯ywiec"; not "£million"); "ż" or "ź" ending a word
#   ("ju¿", "£ódŸ"); "ł" ending one after a vowel (_FINAL_L);
# * a capital with an accent after a one-letter code and before a small
#   letter: GBK "A类" read "AÀà", EUC-KR "A형" read "AÇü" (not Irish "na
#   hÉireann", Gaelic "MacÌomhair", German "GRÖßE");
# * a bullet between letters ending a word: Shift-JIS "NG品" read "NG•i"
#   (not "Home•Garden").
_FOREIGN = re.compile(
    f"(?<=[{_LETTER}])[³¹¿¯¼¾](?=[{_LETTER}])"
    f"|(?<![^\\s(\"'])[³¯¥£](?!{_MONEY_UNITS}\\b)(?=[{_SMALL}]{{3}})"
    f"|(?<=[{_LETTER}])¿(?![{_LETTER}])"
    f"|(?<=[{_SMALL}])Ÿ"
    f"|(?<=\\b[A-Z])[{_ACCENTED_CAPITALS}](?=[a-zà-öø-ÿ])"
    f"|(?<=[{_LETTER}])•(?=[{_LETTER}](?![{_LETTER}]))"
)
# cp1250's "ł" ending a word after a vowel ("Micha³", "by³"): a sign where
# the file writes no footnote "¹" or "²" after a word ("Volume³" is one).
_FINAL_L = re.compile(f"(?<=[aeiouyà-æè-ïò-öø-ý])³(?![{_LETTER}])")
_FOOTNOTES = re.compile(f"(?<=[{_LETTER}0-9)\\]%])[¹²](?![{_LETTER}])")
# Three of cp1252's letters in a row: an Icelandic word ("þýðing",
# "Eþíópía") next to ASCII letters.
_THREE_LETTERS = re.compile(f"[{_LETTER}]{{3}}")
# Runs that may be Western or not, counted for neither: superscripts
# (footnotes, "m³", but also cp1250's "ą" ending a word: "kart¹"), inch
# sizes ("½”", "1¼”") and runs of quotes, fractions and signs ("¾”×½”").
_EITHER = re.compile("[½¼¾][”″'’](?:×[½¼¾]?[”″'’])*")
# Such runs where the text holds ASCII letters or digits ("Revenue¹",
# "1¾”×2½”"): alone they are CJK characters too (GBK "白" is "°×").
_EITHER_BESIDE_ASCII = re.compile("[¹²³]+|[”“’‘″×½¼¾°º]{2,}")


def _icelandic(text: str, found: re.Match) -> bool:
    """Whether the run of non-ASCII characters ``found`` in ``text`` is three
    Western letters next to an ASCII letter, as in Icelandic "þýðing"."""
    run, start, end = found.group(), found.start(), found.end()
    return bool(_THREE_LETTERS.fullmatch(run)) and bool(
        re.search("[A-Za-z]", text[start - 1 : start] + text[end : end + 1])
    )


def _byte_offsets(text: str, encoding: str) -> list[tuple[int, str]]:
    """Each character of ``text`` with the offset of its first byte in
    ``text.encode(encoding)``."""
    offsets, at = [], 0
    for character in text:
        offsets.append((at, character))
        at += len(character.encode(encoding))
    return offsets


def _run_kind(
    text: str, found: re.Match, encoding: str, cjk: dict[str, bool | None]
) -> str:
    """What the run of non-ASCII characters ``found`` says of ``text``'s
    code page: "foreign", "western" or "either" (see :func:`_check_western`);
    ``cjk`` keeps :func:`_cjk_with_ascii_bytes` of ``text`` once found."""
    run = found.group()
    if re.search("[\x80-\x9f]", run):
        # C1 control characters: a byte cp1252 leaves undefined, read as
        # Latin-1 (a cp1250 "Ť", Shift-JIS): no text holds them.
        return "foreign"
    if len(run) >= 2 and len(set(run)) == 1 and not run[0].isalpha():
        # A price level ("€€€", "£££"), a masked number ("•••• 4242").
        return "western" if run[0] in "€£¥¢" else "either"
    if _EITHER.fullmatch(run) or (
        _EITHER_BESIDE_ASCII.fullmatch(run) and re.search("[A-Za-z0-9]", text)
    ):
        return "either"
    if (len(run) >= 3 and not _icelandic(text, found)) or (
        len(run) == 2 and not re.search("[A-Za-z]", text)
    ):
        return "foreign"
    if text not in cjk:
        cjk[text] = _cjk_with_ascii_bytes(text, encoding)
    big5 = cjk[text]
    return "either" if big5 is None else "foreign" if big5 else "western"


def _whole_words(text: str) -> str:
    """The first ``_CUT`` characters of ``text`` without a last word the cut
    halved (all of them when they hold no space)."""
    if len(text) <= _CUT or text[_CUT].isspace():
        return text[:_CUT]
    kept = re.sub(r"\S+$", "", text[:_CUT])
    return kept if kept.strip() else text[:_CUT]


def _check_western(frame, encoding: str = "cp1252") -> None:
    """A ValueError when the text of a file read as cp1252 (or Latin-1,
    ``encoding``) is in another code page: Excel saves "CSV" in the code
    page of Windows' language (GBK in Chinese, Big5 in Taiwan, Shift-JIS in
    Japanese, Windows-1250 in Poland, Windows-1251 in Russia ...), whose
    letters are runs of two bytes or more, which cp1252 reads as runs of
    accented letters and symbols ("Да" as "Äà", "好" as "ºÃ"), or a symbol
    and an ASCII byte in Big5 and Shift-JIS ("是" as "¬O":
    :func:`_cjk_with_ascii_bytes`), or symbols among letters (cp1250's "ł"
    as "³": ``_FOREIGN``). Accents of Western languages are one byte among
    ASCII letters ("Zürich")."""
    import pandas as pd

    texts = [str(c) for c in frame.columns]
    for j in range(frame.shape[1]):
        values = frame.iloc[:, j]
        if not pd.api.types.is_numeric_dtype(values):
            texts.extend(values.dropna().astype(str).unique()[:2000].tolist())
    # Each run of non-ASCII characters (a no-break space is a space, not a
    # letter) is foreign, Western or either. A letter of those code pages is
    # two bytes or more, and their words hold no ASCII letter: a run of
    # three or more, or of two in a text without ASCII letters ("Äà" for
    # Да), is foreign; Western words have runs of one or two among ASCII
    # letters ("Zürich", "situação", "Größe", "créée"; three in Icelandic
    # "þýðing"). A text with a sign of ``_FOREIGN`` (or ``_FINAL_L`` where
    # the file writes no footnotes) is foreign throughout. The file is
    # refused when foreign runs outnumber Western ones (there being two runs
    # or more, or a sign), match them with a sign, or two texts or more have
    # signs, a third of the Western runs or more. The first _CUT characters
    # of a long text tell (_cjk_with_ascii_bytes reads a character of two
    # bytes the cut halves as cut); signs and footnotes are looked for in
    # whole words, not in one the cut halved ("£thousands" cut to "£tho",
    # "wiązać" to "wi¹").
    cut = [(text[:_CUT], _whole_words(text)) for text in texts if not text.isascii()]
    footnotes = any(_FOOTNOTES.search(words) for _, words in cut)
    kinds: dict[str, list[str]] = {"foreign": [], "western": [], "either": []}
    signs = 0
    cjk: dict[str, bool | None] = {}
    for text, signed in cut:
        foreign = bool(_FOREIGN.search(signed)) or (
            not footnotes and bool(_FINAL_L.search(signed))
        )
        signs += foreign
        for found in re.finditer(r"[^\x00-\x7f\xa0]+", text):
            kind = "foreign" if foreign else _run_kind(text, found, encoding, cjk)
            kinds[kind].append(text)
    suspect, western = kinds["foreign"], kinds["western"]
    runs = len(suspect) + len(western) + len(kinds["either"])
    if (
        (len(suspect) > len(western) and (runs >= 2 or signs))
        or (signs and len(suspect) >= len(western))
        or (signs >= 2 and 3 * signs >= len(western))
    ):
        sample = suspect[0]
        raise ValueError(
            "it is not UTF-8, and its text does not read as a Western European "
            f"(Windows-1252) file either ({sample[:40]!r}): it is likely in "
            "another code page (Chinese GBK or Big5, Japanese Shift-JIS, Korean, "
            "Central European Windows-1250, Cyrillic Windows-1251 ...), as Excel "
            "saves 'CSV'. Save it as 'CSV UTF-8' in Excel (or convert it, e.g. "
            "iconv -f GBK -t UTF-8 file.csv > file-utf8.csv) and pass that file."
        )


def _read_text_table_as(path: str, encoding: str, target: Any = None):
    """A CSV file (compressed or not) as a DataFrame, read once with its
    separator: ``,``, tab, ``;`` (Excel in most European locales, whose
    numbers have decimal commas: read as numbers) or ``|``, the one found
    the same number of times on its first lines (most often; ties in that
    order). Spaces after a separator are skipped (files written with ", "
    such as UCI adult: the column " label" is ``label``, the class " yes"
    is ``yes``). A first line ``sep=;`` (Excel's separator line) names the
    separator, and the header follows it. The ``target`` column, when pandas
    read it as numbers or booleans, is read again as text to check that
    reading kept its classes (:func:`_target_as_written`)."""
    import pandas as pd

    lines = _first_lines(path, encoding) or [""]
    hint = re.fullmatch(r'\s*"?sep=([^"\r\n ])"?\s*', lines[0].lstrip("\ufeff"))
    if hint:
        separator, skip = hint.group(1), 1
    else:
        counts = {
            sep: [_unquoted_count(line, sep) for line in lines] for sep in _SEPARATORS
        }
        steady = [
            sep for sep in _SEPARATORS if counts[sep][0] and len(set(counts[sep])) == 1
        ]
        candidates = steady or list(_SEPARATORS)
        separator, skip = max(candidates, key=lambda sep: counts[sep][0]), 0

    def read(**options: Any) -> Any:
        return pd.read_csv(
            path,
            compression=_compression(path),
            sep=separator,
            low_memory=False,
            skipinitialspace=True,
            encoding=encoding,
            skiprows=skip,
            **options,
        )

    frame = read()
    _check_distinct_names(frame, lambda: read(header=None, nrows=1, dtype=str))
    index_col = None
    default = pd.RangeIndex(frame.shape[0])
    if not frame.index.equals(default) and frame.shape[1]:
        # The data lines hold one field more than the header. Row names first
        # (R's write.table) are pandas' index; but a separator ending every
        # data line leaves the last column empty: then the names belong to
        # the fields from the first on (index_col=False), not shifted.
        # Row names are unique text; a first column of numbers (an id 1..n
        # too), or one that repeats (a label), before a
        # separator ending every line is data. Unique text first is taken
        # for row names (R's write.table, to_csv(index_label=False) with an
        # empty last column), unless that leaves the --target column with
        # no value at all while every data line ends with the separator: an
        # export ending its data lines with one, after an id column (read
        # as row names, every column was shifted by one and the target held
        # the empty last fields: "400 missing labels").
        # An empty first field (a separator ending the data lines, after a
        # text column with an empty cell) or a repeated one is never a row
        # name: then the reading is decided; unique numbers first (an id, or
        # R's default row names "1", "2", ...) fit both readings.
        decided = frame.index.hasnans or not frame.index.is_unique
        row_names = not decided and frame.index.inferred_type == "string"
        if row_names and target is not None:
            name = column_named(frame, target)
            row_names = not (
                name in frame.columns
                and frame[name].isna().all()
                and _ends_every_data_line(path, encoding, separator, skip)
            )
            decided = not row_names
        last_empty = frame.iloc[:, -1].isna().all()
        if last_empty and not row_names:
            index_col = False
            frame = read(index_col=False)
            if not decided and frame.shape[1] > 1:
                _notice(
                    "every data line has one field more than the line of column "
                    "names and ends with an empty field: the empty field was read "
                    "as a separator ending each line, and the first field of each "
                    f"line as the column {str(frame.columns[0])!r}. If the first "
                    "fields are meant to be read as row names (R's write.table "
                    'numbers them "1", "2", ...), add a name for them at the start '
                    'of the first line (e.g. "row,").'
                )
        elif (
            last_empty
            and frame.shape[1] > 1
            and _ends_every_data_line(path, encoding, separator, skip)
        ):
            # Both readings fit: say which was taken.
            _notice(
                "every data line has one field more than the line of column "
                "names and ends with an empty field: the first field of each "
                "line was read as row names (as R's write.table writes them), "
                f"and the last column {str(frame.columns[-1])!r} is empty. If "
                "instead each data line ends with a separator (the first "
                f"field of each line being {str(frame.columns[0])!r}), remove those "
                "separators."
            )
    _check_quotes(path, frame, encoding, separator)
    _check_repeated_header(frame)
    _read_decimal_commas(path, frame, index_col, encoding, skip, separator)
    name = None if target is None else column_named(frame, target)
    if name in frame.columns and numeric_dtype(frame[name].dtype):
        # The same read, the target as the strings the file holds.
        as_text = read(
            dtype={name: str}, **({} if index_col is None else {"index_col": index_col})
        )[name]
        if len(as_text) == len(frame):
            column, merged = _target_as_written(frame[name], as_text)
            # By position: row names (the index) may repeat.
            frame[name] = column.to_numpy()
            if merged:
                frame.attrs["target_spellings"] = merged
    return frame


def _ends_every_data_line(path: str, encoding: str, separator: str, skip: int) -> bool:
    """Whether every data line of the text file ``path`` (after ``skip``
    lines and the header line, which does not) ends with ``separator``, as
    an export that ends each data line with one writes it."""
    lines = _raw_lines(path, encoding, skiprows=skip)
    if lines is None or len(lines) < 2:
        return False
    lines = lines.fillna("").str.rstrip("\r")
    return bool(
        not lines.iloc[0].endswith(separator)
        and lines.iloc[1:].str.endswith(separator).all()
    )


def _check_repeated_header(frame) -> None:
    """A ValueError when data rows repeat the header line: files joined with
    their header lines (``cat jan.csv feb.csv > all.csv``). Read as data,
    each column name would be a value: the target's name a class of its own,
    and every column of numbers text."""
    rows = np.arange(frame.shape[0])
    if not frame.shape[1]:
        return
    for j, name in enumerate(frame.columns):
        values = frame.iloc[rows, j]
        # An empty name in the header (a written pandas index): an empty
        # cell in the repeated line, NaN in a column of numbers too.
        unnamed = str(name).startswith("Unnamed: ")
        if numeric_dtype(values.dtype):
            if not unnamed:
                return  # the column's name (text) is in no row of it
            same = values.isna()
        else:
            # The file joined second may start with a byte-order mark: its
            # first name is then read with its quotes ('\ufeff"label"').
            text = values.astype(str).str.replace("\ufeff", "", regex=False)
            same = text.str.strip().str.strip('"') == str(name).strip()
            if unnamed:
                same |= values.isna()
        rows = rows[same.to_numpy()]
        if not rows.size:
            return
    shown = ", ".join(str(r + 1) for r in rows[:5].tolist())
    raise ValueError(
        f"data row{'s' if rows.size > 1 else ''} {shown}"
        f"{', ...' if rows.size > 5 else ''} (counting from 1 after the header) "
        f"repeat{'' if rows.size > 1 else 's'} the header line, as when files "
        "are joined with their header "
        "lines (cat a.csv b.csv > all.csv): they would be read as data, the "
        "column names as values. Delete those lines, keeping the first header "
        "line (e.g. head -n 1 a.csv > all.csv; tail -q -n +2 a.csv b.csv >> "
        "all.csv), then pass the file again."
    )


def _check_quotes(path: str, frame, encoding: str, separator: str) -> None:
    """A ValueError when a quote that opens a field closes before other text
    (``1,"12 inch,0`` then ``3,"b",0`` lines later): pandas reads everything
    up to the next quote as one field, the lines between merged into it (rows
    lost without a word). Checked, with Python's csv reader in strict mode,
    only when a text cell holds a line break: the only way lines merge."""
    import csv

    if not any(
        frame.iloc[:, j].dropna().astype(str).str.contains("[\r\n]").any()
        for j in range(frame.shape[1])
        if not numeric_dtype(frame.iloc[:, j].dtype)
    ):
        return
    # The file's lines, quotes kept; None: a line holds every separator
    # _raw_lines tries, which no CSV does (not checked).
    lines = _raw_lines(path, encoding, skip_blank_lines=False)
    if lines is None:
        return
    reader = csv.reader(
        lines.fillna("").tolist(),
        delimiter=separator,
        skipinitialspace=True,
        strict=True,
    )
    try:
        for _ in reader:
            pass
    except csv.Error as exc:
        raise ValueError(
            f"its quotes do not pair up ({exc}, line {reader.line_num}): a field "
            "that starts with a double quote runs on, over line breaks, to the "
            "next quote, and the lines in between would be read as part of one "
            "field (rows lost). Fix the quote at or above that line (a quote "
            'inside a quoted field is written twice: "12"" inch"), then pass '
            "the file again."
        ) from exc


# An integer written with a leading zero ("007", "01"): a code, not a number.
_LEADING_ZERO = re.compile(r"[+-]?0\d")
_INTEGER = re.compile(r"[+-]?\d+")


def _target_as_written(typed, text):
    """The target column as pandas typed it (``typed``: numbers, booleans)
    when that keeps the classes of its text as the file writes it
    (``text``), else that text (as object strings).

    The numbers are kept when every distinct text reads as a distinct value
    ("1" and "2"; "1,5" in a ";" file), exactly ("9007199254740993" in a
    float64 column is 9007199254740992), without a leading zero ("007" is a
    code). Otherwise ("01" and "1", "1.0" and "1", "True" and "true", "+1"
    and "1", or "007" alone) the classes are the texts. A column with a
    fractional number stays numeric: a measurement, not classes, which the
    command refuses as continuous. Also returns the groups of texts read as
    one value (to say that they are now classes of their own)."""
    import pandas as pd

    present = text.notna().to_numpy() & typed.notna().to_numpy()
    pairs = pd.DataFrame(
        {
            "text": text[present].astype(str).str.strip().to_numpy(),
            "value": typed[present].to_numpy(dtype=object),
        }
    ).drop_duplicates("text")
    values = pairs["value"].tolist()
    if any(isinstance(v, float) and np.isfinite(v) and v != round(v) for v in values):
        return typed, []
    texts = pairs["text"].tolist()
    groups: dict[Any, list[str]] = {}
    for t, v in zip(texts, values):
        # bool and numbers apart: True == 1 in Python, not in the file.
        groups.setdefault((type(v) is bool, v), []).append(t)
    merged = [sorted(g) for g in groups.values() if len(g) > 1]
    inexact = any(
        _INTEGER.fullmatch(t) and not isinstance(v, bool) and int(t) != v
        for t, v in zip(texts, values)
    )
    coded = any(_LEADING_ZERO.match(t) for t in texts)
    if not (merged or inexact or coded):
        return typed, []
    return text.astype(object).where(text.notna(), None), merged


def _check_distinct_names(frame, read_header: Callable[[], Any]) -> None:
    """A ValueError when the header line names a column twice. pandas reads
    the second "x" as "x.1", which would then be a feature of its own: a
    repeated target column leaking the labels into the features, or a
    --drop that leaves the copy in."""
    suspects = [
        c
        for c in frame.columns
        if isinstance(c, str)
        and (match := re.fullmatch(r"(.+)\.\d+", c))
        and match.group(1) in frame.columns
    ]
    if not suspects:
        return
    header = read_header()
    names = [str(v).strip() for v in header.iloc[0].dropna()] if header.size else []
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise ValueError(
            f"its header line names the column(s) {repeated} twice or more: "
            "every column needs its own name; rename or delete the repeated "
            "ones in the file."
        )


def _read_decimal_commas(
    path: str,
    frame,
    index_col: bool | None = None,
    encoding: str = "utf-8",
    skip: int = 0,
    separator: str = ";",
) -> None:
    """Read the numbers a spreadsheet wrote in its locale into ``frame``, from
    the file's text. Swiss thousands (1'234.5) in any file. Decimal commas
    (a digit, a comma, a digit somewhere) in a ";" file, and in a file with
    another separator (German Excel's tab-separated text, a quoted "12,5" in
    a "," file as Google Sheets writes in those locales) when a column holds
    only numbers written so, one of which cannot be read with commas between
    thousands (12,5 or 1.234,5): then every column whose values are all such
    numbers (1.200 is twelve hundred there, 01.02.2024 is not a number) is
    read as numbers. A marker of a missing number among them (``?``,
    ``-``, ``#DIV/0!``: ``_MISSING_NUMBER``) is read as missing, with a
    notice, as in a column of plain numbers (:func:`missing_as_na`).
    """
    import pandas as pd

    # A decimal comma can only be in a column read as text: the file is read
    # a second time (as text) only when one holds one. Decided without the
    # markers of missing numbers.
    texts = [
        (j, frame.iloc[:, j].dropna().astype(str).str.strip())
        for j in range(frame.shape[1])
        if not pd.api.types.is_numeric_dtype(frame.iloc[:, j])
    ]
    # Matched without accounting parentheses: "(1.234,5)" is a number.
    texts = [
        (j, accounting_negatives(text[~number_markers(text)])[0]) for j, text in texts
    ]
    for j, text in texts:
        if (
            len(text)
            and text.str.contains("['\u2019]").any()
            and text.str.fullmatch(_APOSTROPHE_NUMBER).all()
        ):
            column = frame.iloc[:, j].astype(object).where(frame.iloc[:, j].notna())
            marker = number_markers(column)
            note_markers(frame.columns[j], column, marker, _notice)
            column = column.where(~marker)
            frame.isetitem(j, _locale_numbers(column, thousands="'\u2019"))
    if separator == ";":
        found = any(
            text.str.contains(r"\d,\d|\d[\u00a0\u202f]\d{3}").any() for _, text in texts
        )
    else:
        found = any(
            len(text)
            and text.str.contains(r"\d,\d").any()
            and text.str.fullmatch(_DECIMAL_COMMA).all()
            and not text.str.fullmatch(_COMMA_THOUSANDS).all()
            for _, text in texts
        )
    if not found and separator != ",":
        # Whole numbers with dots between thousands and no decimal comma in
        # the file (4.253.136 inhabitants): two dots make no decimal number.
        # Read as text, they were dropped as id-like or one-hot encoded.
        found = any(
            len(text)
            and text.str.contains(r"\d\.\d{3}\.\d{3}").any()
            and text.str.fullmatch(_DECIMAL_COMMA).all()
            for _, text in texts
        )
    if not found and (
        separator != ";"
        or all(pd.api.types.is_integer_dtype(c) for _, c in frame.items())
    ):
        return
    raw = pd.read_csv(
        path,
        compression=_compression(path),
        sep=separator,
        dtype=str,
        low_memory=False,
        skipinitialspace=True,
        index_col=index_col,
        encoding=encoding,
        skiprows=skip,
    )
    if not found:
        _note_dotted_thousands(frame, raw)
        return
    for position, name in enumerate(raw.columns):
        if pd.api.types.is_integer_dtype(frame.iloc[:, position]):
            continue  # whole numbers without dots: read exactly already
        text = raw[name].str.strip()
        marker = number_markers(text)
        present = accounting_negatives(text[~marker].dropna())[0]
        if not len(present) or not present.str.fullmatch(_DECIMAL_COMMA).all():
            continue
        note_markers(name, text, marker, _notice)
        text = text.where(~marker)
        frame.isetitem(position, _locale_numbers(text, thousands=".", comma=True))


def _note_dotted_thousands(frame, raw) -> None:
    """A notice for each column of a ";" file without decimal commas that was
    read as decimal numbers although its dots may separate thousands, as
    in the locales that write ";" files: "12.500" next to "800" is 12.5
    here, and 12500 in a file that has a decimal comma elsewhere."""
    import pandas as pd

    for position, name in enumerate(raw.columns):
        column = frame.iloc[:, position]
        text = raw[name].dropna().str.strip()
        text = text[~number_markers(text)]
        # Floats, or numbers beside a marker of a missing one ("?": text
        # until missing_as_na reads it).
        if not pd.api.types.is_float_dtype(column) and (
            pd.api.types.is_numeric_dtype(column)
            or not text.str.fullmatch(r"[+-]?\d+(\.\d+)?").all()
        ):
            continue
        dotted = text[text.str.contains(".", regex=False)]
        grouped = dotted.str.fullmatch(rf"[+-]?{_FIRST_GROUP}(\.\d{{3}})+")
        if dotted.empty or not grouped.all():
            continue
        if not (len(dotted) < len(text) or dotted.str.endswith("0").any()):
            continue
        example = next((t for t in dotted if t.endswith("0")), dotted.iloc[0])
        _notice(
            f"column {name!r} of this ';'-separated file: numbers such as "
            f"{example!r} were read with a decimal point ({float(example):g}); in "
            "the locales that write ';' files the dot separates thousands "
            f"({float(example.replace('.', '')):g}). If it does here, write the "
            "numbers without those dots (or the file with decimal commas, as "
            "a spreadsheet in that locale saves it)."
        )


def _locale_numbers(text, thousands: str, comma: bool = False):
    """float64 values of a text column of numbers matched by
    ``_DECIMAL_COMMA`` (``comma=True``) or ``_APOSTROPHE_NUMBER``: without
    the ``thousands`` separators, spaces, currency signs; a percent divided
    by 100; in accounting parentheses, negative."""
    import pandas as pd

    text, negative = accounting_negatives(text.str.strip())
    percent = text.str.endswith("%").fillna(False).to_numpy(dtype=bool)
    digits = text.str.replace(
        rf"[\s{_CURRENCY}%{re.escape(thousands)}]", "", regex=True
    )
    if comma:
        digits = digits.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(digits).astype("float64").to_numpy(copy=True)
    numbers[percent] /= 100
    numbers[negative] *= -1
    return numbers


# Table formats --data does not read (it would read them as garbled text).
_OTHER_FORMATS = {
    ".xlsx": "Excel",
    ".xlsm": "Excel",
    ".xls": "Excel",
    ".ods": "OpenDocument spreadsheet",
    ".json": "JSON",
    ".jsonl": "JSON",
    ".ndjson": "JSON",
    ".feather": "Feather",
    ".arrow": "Arrow",
    ".orc": "ORC",
    ".avro": "Avro",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".h5": "HDF5",
    ".hdf5": "HDF5",
    ".npy": "NumPy",
    ".npz": "NumPy",
    ".sav": "SPSS",
    ".dta": "Stata",
    ".sas7bdat": "SAS",
}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _missing_column_hint(columns, name: str, option: str = "--target") -> str:
    """Why ``name`` (given to ``option``) is not among ``columns``: another
    case, or no header line."""
    texts = [str(c) for c in columns]
    same_case = [c for c in texts if c.strip().lower() == str(name).strip().lower()]
    if same_case:
        return f" (names are case-sensitive: did you mean {option} {same_case[0]!r}?)"
    if len(texts) == 1 and option == "--target":
        return (
            " (the file was read as a single column: if a title or a note "
            "stands above the line of column names, delete it; columns are "
            "separated by ',', ';', tabs or '|')"
        )
    # pandas renames a repeated name "x" to "x.1": a number as well.
    if texts and sum(_is_number(c) for c in texts) * 2 >= len(texts):
        return (
            " (its first line holds numbers, not column names: the file seems "
            "to have no header line; add one naming each column)"
        )
    return ""


def _json_hint(frame) -> str:
    """A hint for a file of JSON read as a CSV one (JSON lines saved as
    .csv or .txt): its first column name is the start of a JSON object."""
    if not frame.shape[1]:
        return ""
    first = str(frame.columns[0]).lstrip("\ufeff \t")
    if not first.startswith(("{", "[")):
        return ""
    lines = "" if first.startswith("[") else ", lines=True"
    return (
        " (it holds JSON, read as CSV: --data reads CSV and Parquet; convert "
        f"it first, e.g. pandas.read_json(path{lines}).to_csv('data.csv', "
        "index=False), and pass that file)"
    )


def _header_below_hint(frame, name: str) -> str:
    """A hint when ``name`` stands in one of the first rows of ``frame``: the
    column names are below a title or notes (a title line with separators,
    as Excel writes one: "Export;;")."""
    for row in range(min(10, frame.shape[0])):
        values = [str(v).strip() for v in frame.iloc[row].tolist()]
        if str(name).strip() in values:
            return (
                f" (it is a value of data row {row + 1}: the column names seem to "
                "stand below a title or notes; delete the lines above them)"
            )
    return ""


def _parquet_frame(frame):
    """A table read from Parquet as the same table read from CSV: the named
    levels of its index columns again, first (the text cells read_csv reads
    as missing are set missing for every format: :func:`missing_as_na`).
    pandas writes a named index (``df.set_index("day").to_parquet(...)``)
    and reads it back as the index, where ``to_csv`` writes it as a column:
    it was neither a feature nor a --target name. An unnamed index (row numbers, Dask's
    ``__null_dask_index__``) stays out."""
    # Dask names an index without a name "__null_dask_index__" (row numbers
    # that restart in every partition): unnamed, as Dask reads it back.
    names = [
        name
        for name in frame.index.names
        if name is not None and name != "__null_dask_index__"
    ]
    if names:
        frame = frame.reset_index(level=names)
    return frame


# The names of Parquet files --data reads (and looks for in a folder).
_PARQUET_SUFFIXES = (".parquet", ".pq")


def _read_parquet_folder(path: str):
    """A folder of Parquet files (a partitioned data set, as Spark, Dask or
    ``DataFrame.to_parquet(folder, partition_cols=...)`` write it) as one
    DataFrame, partition columns (``year=2024/``) included, a partition of
    missing values (``label=__HIVE_DEFAULT_PARTITION__``) as missing; a
    ValueError for a folder without Parquet files."""
    import pandas as pd

    for _folder, subfolders, files in os.walk(path):
        # Files and folders named "_..." or "." are not data (Spark's
        # _SUCCESS, .crc files): pyarrow skips them too.
        subfolders[:] = [d for d in subfolders if not d.startswith(("_", "."))]
        if any(
            f.lower().endswith(_PARQUET_SUFFIXES) and not f.startswith(("_", "."))
            for f in files
        ):
            break
    else:
        raise ValueError(
            "it is a folder without Parquet files (*.parquet): --data reads one "
            "CSV or Parquet file, or a folder of Parquet files (a partitioned "
            "data set); pass one of those."
        )
    import pyarrow as pa
    import pyarrow.parquet as pq

    dataset, files = _folder_files(path)
    _check_folder_types(files)
    schema = _folder_schema(files, dataset.schema)
    cast_errors = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)
    try:
        try:
            return pd.read_parquet(path, schema=schema)
        except pa.ArrowInvalid as exc:
            if "dictionar" not in str(exc):
                raise
        # A partition column with a partition of missing values: pyarrow
        # reads it as dictionaries it cannot unify with nulls; read as its
        # values.
        table = pq.read_table(path, schema=schema)
        for j, field in enumerate(table.schema):
            if pa.types.is_dictionary(field.type):
                values = table.column(j).cast(field.type.value_type)
                table = table.set_column(j, field.name, values)
        return table.to_pandas()
    except cast_errors as exc:
        # pyarrow reads every file with the first one's column types.
        raise ValueError(
            f"its Parquet files could not be read as one table ({exc}): a "
            "column likely has another type in some files than in the first "
            "(numbers in one, text in another). Write the column with one type "
            "in every file, or pass one file."
        ) from exc


def _folder_files(path: str):
    """The Parquet data set of the folder ``path`` (hive partitions:
    ``year=2024/``) and, for each of its files, its path within the folder
    and the schema it was written with (each file's footer read once)."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet", partitioning="hive")
    files = [
        (os.path.relpath(fragment.path, path), fragment.physical_schema)
        for fragment in dataset.get_fragments()
    ]
    return dataset, files


def _folder_schema(files: list, dataset_schema: Any):
    """The columns of the Parquet ``files`` of a folder (:func:`_folder_files`;
    ``dataset_schema`` the data set's, partition columns included) with one type
    each that holds every file's values (an integer column of one file and a
    float column of another, as a partition with a missing value writes it,
    as floats; text in one file and dictionaries of text in another, as
    text), every column of every file (missing in the files that lack it),
    as pandas concatenating the files one by one gets them: pyarrow would
    read every file with the first one's columns and types (dropping the
    columns the first file lacks, reading 2.5 as True after a column of
    booleans); booleans and numbers as floats. None when the files agree.
    Numbers and text: the first file's type, as before. A ValueError naming
    the files when no type holds a column's values (naive and UTC times,
    dates and points in time)."""
    import pyarrow as pa

    schemas = [schema for _where, schema in files]
    if all(schema.equals(schemas[0]) for schema in schemas):
        return None
    found: dict[str, dict[Any, str]] = {}  # column -> type -> first file
    for where, schema in files:
        for field in schema:
            found.setdefault(field.name, {}).setdefault(field.type, where)
    fields = []
    for name, types in found.items():
        # The row labels pandas writes for an index other than 0..n-1 (after
        # a filter) are no data: read as before, with the first file's.
        if re.fullmatch(r"__index_level_\d+__", name) and name not in schemas[0].names:
            continue
        if len(types) == 1:
            fields.append(pa.field(name, next(iter(types))))
            continue
        values = [
            pa.schema([(name, t.value_type if pa.types.is_dictionary(t) else t)])
            for t in types
        ]
        try:
            field = pa.unify_schemas(values, promote_options="permissive").field(name)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            kinds = {_arrow_kind(t) for t in types} - {None}
            if "text" in kinds and kinds <= {"numbers", "text"}:
                # Numbers and text: the first file's type, as before (text
                # read as numbers fails naming the value; numbers as text,
                # as a CSV file holds them).
                fields.append(values[0].field(name))
                continue
            if kinds == {"numbers"}:
                # Booleans and numbers: as numbers (True as 1.0, 2.5 kept:
                # read with a boolean file's type, 2.5 was True).
                fields.append(pa.field(name, pa.float64()))
                continue
            shown = "; ".join(f"{t} in {where}" for t, where in types.items())
            raise ValueError(
                f"its Parquet files could not be read as one table: the column "
                f"{name!r} has another type in some files than in others, and no "
                f"one type holds them ({shown}): read with the first file's "
                "type, the other files' values would be cast (UTC times as "
                "naive ones, dates as points in time) or refused. Write the "
                "column with one type in every file, or pass one file."
            ) from None
        if pa.types.is_decimal(field.type) and not all(
            pa.types.is_decimal(v.field(name).type) for v in values
        ):
            # Decimals in some files, integers or floats in others: floats,
            # as read from CSV (pyarrow's decimal wide enough for every
            # file's integers may pass the 38 digits it holds).
            field = field.with_type(pa.float64())
        elif pa.types.is_signed_integer(field.type) and any(
            pa.types.is_uint64(v.field(name).type) for v in values
        ):
            # uint64 in some files, signed integers in others: floats, as
            # pandas concatenates them (int64 does not hold 2**63 and over).
            field = field.with_type(pa.float64())
        fields.append(field)
    # The partition columns (year=2024/) last, as pyarrow reads them.
    fields += [field for field in dataset_schema if field.name not in found]
    return pa.schema(fields)


def _check_parquet_file_names(path: str) -> None:
    """A ValueError when the Parquet file ``path`` names a column twice
    (pyarrow writes such files; reading them failed with "Multiple matches
    for FieldRef.Name(x)"), as for a CSV header line. Read with pyarrow when
    it is installed (a file it cannot read: pandas says why)."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        return
    import pyarrow.parquet as pq

    try:
        names = list(pq.read_schema(path).names)
    except (OSError, ValueError):  # ArrowInvalid: not Parquet
        return
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(
            f"it names the column(s) {repeated} twice or more: every column "
            "needs its own name; write the table with the repeated ones "
            "renamed or left out."
        )


def _arrow_kind(arrow_type) -> str | None:
    """What a Parquet column of ``arrow_type`` holds, for
    :func:`_check_folder_types`: numbers (booleans too), text (bytes too),
    points in time or durations, nested values; None for a column of nulls
    only."""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_null(arrow_type):
        return None
    if pa.types.is_boolean(arrow_type) or pa.types.is_integer(arrow_type):
        return "numbers"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "numbers"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "text"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "text"  # bytes: cast to text (as UTF-8) and back
    if pa.types.is_temporal(arrow_type):
        return "times"
    if pa.types.is_nested(arrow_type):
        return "nested values"
    return str(arrow_type)


def _check_folder_types(files: list) -> None:
    """A ValueError when the Parquet ``files`` of a folder
    (:func:`_folder_files`) disagree on
    what a column holds, besides numbers in some and text in others (which
    pyarrow casts or refuses): read as one table, every file takes the first
    one's types, and a column of dates in one file and numbers in another
    would be cast without a word (dates as nanoseconds since 1970, numbers
    as instants of 1970); lists cast to numbers failed with a traceback."""
    found: dict[str, dict[str, str]] = {}  # column -> kind -> type and file
    for where, schema in files:
        for field in schema:
            kind = _arrow_kind(field.type)
            if kind is not None:
                found.setdefault(field.name, {}).setdefault(
                    kind, f"{field.type} in {where}"
                )
    for name, kinds in found.items():
        if len(kinds) > 1 and not set(kinds) <= {"numbers", "text"}:
            raise ValueError(
                f"its Parquet files hold different kinds of values in the column "
                f"{name!r} ({'; '.join(kinds.values())}): read as one table, "
                "each file's values would be cast to the first file's type "
                "(times as numbers, or numbers as times). Write the column with "
                "one type in every file, or pass one file."
            )


def _check_parquet_reader(path: str, folder: bool) -> None:
    """Refuse the Parquet ``--data`` ``path`` (a file, or a ``folder``: read
    with pyarrow) when nothing can read it, naming the extra that installs
    pyarrow."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None and (
        folder or importlib.util.find_spec("fastparquet") is None
    ):
        raise _fail(
            f"--data {path!r}: Parquet needs pyarrow, which is not installed: "
            "pip install 'rebalance[compare]', or save the table as CSV."
        )


def _load_table(path: str, target: str | None, positive_label: str | None = None):
    """Features (a DataFrame, every column kept) and labels from a file.
    ``positive_label`` (``--positive-label``) is for the check that a target
    with missing values holds classes at all."""
    import pandas as pd

    if target is None:
        raise _usage("--data needs --target COLUMN: the column with the labels.")
    if path == "-":
        raise _usage(
            "argument --data: '-' (standard input) is not read: save the table "
            "in a file (CSV or Parquet) and pass its path."
        )
    stem, extension = os.path.splitext(path)
    if extension.lower() in _COMPRESSED:  # data.jsonl.gz: a compressed JSON file
        extension = os.path.splitext(stem)[1] or extension
    extension = extension.lower()
    if extension in _OTHER_FORMATS:
        raise _fail(
            f"--data {path!r}: {_OTHER_FORMATS[extension]} files are not read; "
            "it reads CSV (or other text tables) and Parquet; save the table in "
            "one of those and pass that file."
        )
    try:
        if os.path.isdir(path):
            _check_parquet_reader(path, folder=True)
            frame = _parquet_frame(_read_parquet_folder(path))
        elif path.lower().endswith(_PARQUET_SUFFIXES):
            _check_parquet_reader(path, folder=False)
            _check_parquet_file_names(path)
            frame = _parquet_frame(pd.read_parquet(path))
        else:
            frame = _drop_trailing_empty_rows(_read_text_table(path, target), path)
    except UnicodeDecodeError as exc:
        raise _fail(
            f"could not read --data {path!r}: it is not a text (CSV) file ({exc}); "
            "--data reads CSV and Parquet (.parquet) files."
        ) from exc
    except (OSError, ValueError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise _fail(f"could not read --data {path!r}: {first}") from exc
    except _broken_archive_errors() as exc:
        # A BadZipFile, tarfile.ReadError, LZMAError or EOFError traceback.
        lines = str(exc).strip().splitlines()
        why = type(exc).__name__ + (f": {lines[0].rstrip(':')}" if lines else "")
        raise _fail(
            f"could not read --data {path!r}: it is not a valid "
            f"{os.path.splitext(path)[1] or 'compressed'} file ({why}): it is "
            "damaged, cut short, or compressed otherwise than its extension "
            "says; compress it again, or pass the CSV itself."
        ) from exc
    try:
        check_spaced_names(frame.columns)
    except ValueError as exc:
        raise _fail(f"could not read --data {path!r}: {exc}") from exc
    target = column_named(frame, target)
    # The markers of missing labels ("?", "-" among numbers), named by the
    # error below: missing_as_na reads them as missing.
    markers = (
        marker_texts(frame[target], label_markers(frame[target]))
        if target in frame.columns and frame.columns.is_unique
        else []
    )
    # As compare reads a DataFrame (one reading): "NA", "?", "-" missing.
    frame = missing_as_na(frame, target, notify=_notice)
    if target not in frame.columns:
        hint = (
            _missing_column_hint(frame.columns, target)
            or _json_hint(frame)
            or _header_below_hint(frame, target)
        )
        raise _fail(
            f"--target {target!r} is not a column of {path}{hint}; columns: "
            f"{[str(c) for c in frame.columns][:30]}"
        )
    if frame.shape[0] == 0:
        raise _fail(
            f"--data {path!r} has no data rows (only column names): pass a file "
            "with rows to compare on."
        )
    spellings = frame.attrs.pop("target_spellings", [])
    y = _target_as_csv_text(frame.pop(target))
    _check_one_value_a_row(y, target)
    padded: dict[str, list[str]] = {}
    if not numeric_dtype(y.dtype):
        y = y.astype(object)  # categorical, dictionary-encoded: as values
        # A label is its text without surrounding spaces ("yes " typed in a
        # spreadsheet is the class "yes", as " yes" after a separator is);
        # an empty one (Parquet keeps "" where a CSV reader sees NaN) is a
        # missing one, not a class.
        for raw in y.dropna().unique():
            if isinstance(raw, str) and raw.strip():
                padded.setdefault(raw.strip(), []).append(raw)
        y = y.map(lambda v: (v.strip() or None) if isinstance(v, str) else v)
    if y.isna().any():
        # A column of measurements or ids with empty cells: that error first,
        # not "drop the rows with missing labels" (then refused as continuous).
        _check_target_is_classes(y.dropna().to_numpy(), target, positive_label)
        raise _fail(
            missing_labels_message(
                f"--target column {target!r}",
                y.isna().to_numpy(),
                markers,
                file=True,
            )
        )
    if frame.shape[1] == 0:
        raise _fail(f"{path} has no feature columns besides the target.")
    _note_case_variants(y, target)
    _note_spellings(spellings, padded, target)
    return frame, y.to_numpy()


def _drop_trailing_empty_rows(frame, path: str):
    """``frame`` without the rows at its end that are empty in every column
    (``,,`` or ``;;;`` lines, which a spreadsheet writes for cleared cells
    below a table), with a notice; rows above them keep their numbers (the
    errors count data rows from 1 after the header)."""
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        return frame
    filled = np.flatnonzero(~frame.isna().all(axis=1).to_numpy())
    keep = int(filled[-1]) + 1 if filled.size else 0
    dropped = frame.shape[0] - keep
    if dropped == 0:
        return frame
    _notice(
        f"the last {dropped} row{'s' if dropped > 1 else ''} of --data {path!r} "
        f"{'are' if dropped > 1 else 'is'} empty in every column (as a "
        "spreadsheet writes cleared cells below a table): left out."
    )
    return frame.iloc[:keep]


def _target_as_csv_text(y):
    """The target column as a CSV file holds it: a Parquet column of points
    in time, dates, times of day or durations as their text
    (``2024-06-01``, ``12:30:00``, ``0 days 01:00:00``), of bytes as their
    text (UTF-8), so that the classes, --positive-label and the summary are
    those of the same table read from CSV (where these columns are text).
    Any other column as it is; missing values stay missing."""
    import datetime

    import pandas as pd

    dtype = y.dtype
    if (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    ):
        return y.astype(str).where(y.notna(), None).astype(object)
    if not pd.api.types.is_object_dtype(dtype):
        return y
    present = y.dropna()
    if present.empty:
        return y
    if present.map(lambda v: isinstance(v, (bytes, bytearray))).all():
        try:
            text = present.map(lambda v: bytes(v).decode("utf-8"))
        except UnicodeDecodeError:
            return y  # not text: the labels stay bytes
    elif present.map(lambda v: isinstance(v, (datetime.date, datetime.time))).all():
        text = present.map(str)
    else:
        return y
    return text.reindex(y.index).where(y.notna(), None).astype(object)


def _check_one_value_a_row(y, target: Any) -> None:
    """An error naming ``--target`` when its column holds several values a
    row (a Parquet list, struct or map column: arrays or dicts in pandas),
    which no class label is."""
    nested = _arrow_type(y, "nested") or (
        y.dtype == object and y.dropna().map(_nested).any()
    )
    if nested:
        raise _fail(
            f"--target {target!r} holds several values a row (lists, arrays or "
            "structs), where a class label is one value: choose another --target "
            "column, or write one field of it (or its values joined as text) as "
            "a column of its own and name that one."
        )


def _note_spellings(
    spellings: list[list[str]], padded: dict[str, list[str]], target: Any
) -> None:
    """Notices on stderr for labels the file writes in several ways: one
    number or boolean written differently ("1" and "1.0", "01" and "1"),
    now classes of their own as written (those differing only in case are
    left to :func:`_note_case_variants`); and texts differing only in
    surrounding spaces ("yes" and "yes "), read as one class."""
    numbers = [names for names in spellings if len({n.casefold() for n in names}) > 1]
    if numbers:
        _notice(
            f"--target {target!r} writes one value in several ways "
            f"({_spelled(numbers)}); they are compared as different classes, "
            "as written in the file. If they are one class, write them alike."
        )
    spaced = {label: raws for label, raws in padded.items() if len(raws) > 1}
    if spaced:
        shown = "; ".join(
            " and ".join(repr(r) for r in sorted(raws)) + f" as {label!r}"
            for label, raws in spaced.items()
        )
        _notice(
            f"labels of --target {target!r} differ only in surrounding spaces "
            f"({shown}); they are read as one class. If they are different "
            "classes, name them differently in the file."
        )


def _spelled(groups: list[list[str]]) -> str:
    """``'a' and 'A'; 'b' and 'B'``: groups of labels, for a notice."""
    return "; ".join(" and ".join(repr(n) for n in names) for names in groups)


#: the notices of the run in progress, kept for its result's notes (the
#: summary, --json and --report), as compare() keeps its own
_NOTICES: list[str] = []


def _notice(text: str) -> None:
    _NOTICES.append(text)
    print(f"rebalance compare: notice: {text}", file=sys.stderr)


def _note_case_variants(y, target: str) -> None:
    """A notice on stderr when text classes differ only in case or
    surrounding spaces ("Yes", "yes" and "yes " in a Parquet file; a text
    file's are stripped): they are compared as classes of their own, which a
    typing variant in a spreadsheet rarely means."""
    variants = label_variants(sorted({v for v in y if isinstance(v, str)}))
    if variants:
        _notice(
            f"classes of --target {target!r} differ only in case or surrounding "
            "spaces "
            f"({_spelled(variants)}); they are compared as different classes. "
            "If they are one class, write them alike in the file."
        )


def _methods_epilog() -> str:
    lines = ["methods (--methods, comma-separated; default: all of the model's):"]
    for model in MODELS:
        binary = list(default_methods(model, 2))
        multi = list(default_methods(model, 3))
        lines.append(f"  {model}: {', '.join(binary)}")
        extra = [m for m in multi if m not in binary]
        missing = [m for m in binary if m not in multi]
        if extra or missing:
            note = []
            if extra:
                note.append("adds " + ", ".join(extra))
            if missing:
                note.append("drops " + ", ".join(missing))
            lines.append(f"    with 3+ classes: {'; '.join(note)}")
    lines += [
        "",
        f"statistics: 'vs best' is the two-sided p-value of the {TEST_NAME}",
        "(Nadeau & Bengio 2003) of each method against the best one on --metric,",
        "over the same folds. Chosen over a Wilcoxon signed-rank test because CV",
        "folds share training rows: their scores are correlated, and the",
        "n_test/n_train term corrects the variance for it (a plain paired test",
        "calls that noise significant); and Wilcoxon cannot go below p = 0.0625",
        "on 5 folds. '≈' marks rows not distinguishable from the best (p >= 0.05).",
        "More folds (--repeats) give the test more power.",
        "",
        "An option given twice keeps its last value (a later --seed overrides an",
        "alias's), except --drop and --methods, whose names add up.",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    from rebalance import __version__

    parser = argparse.ArgumentParser(
        prog="rebalance", description="Class-imbalance fixes, compared."
    )
    parser.add_argument(
        "--version", action="version", version=f"rebalance {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cmp = commands.add_parser(
        "compare",
        help="cross-validate imbalance fixes and print a table of metrics",
        description="Cross-validate imbalance fixes and print ROC AUC, average "
        "precision, balanced accuracy, F1, G-mean, worst-class recall and accuracy "
        "(mean over folds, ± std as the terminal width allows; macro averages when "
        "multiclass), each fix "
        "tested against the best one.",
        epilog=_methods_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmp.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default=None,
        help="built-in data set (default: digits); not with --data",
    )
    cmp.add_argument(
        "--data",
        help="CSV (also compressed: .gz, .zip, .bz2, .xz) or Parquet file (or a "
        "folder of Parquet files) to use instead of --dataset",
    )
    cmp.add_argument("--target", help="label column of --data")
    cmp.add_argument(
        "--positive-label",
        metavar="VALUE",
        help="positive class of a binary target (default: the minority); with 3+ "
        "classes, compare VALUE against the rest",
    )
    cmp.add_argument(
        "--drop",
        metavar="COL,...",
        action="append",
        help="columns of --data to leave out (may be given more than once)",
    )
    cmp.add_argument(
        "--methods",
        action="append",
        help="comma-separated rows to run (default: all; may be given more than once)",
    )
    cmp.add_argument(
        "--list-methods",
        action="store_true",
        help="print the method names of every model and exit",
    )
    cmp.add_argument(
        "--model",
        choices=MODELS,
        default="logistic",
        help="base classifier: logistic regression, histogram gradient boosting, or a "
        "small torch MLP compared over the torch losses and samplers",
    )
    cmp.add_argument("--folds", type=int, default=5, help="CV folds (default: 5)")
    cmp.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="repeat the stratified k-fold N times with new splits (default: 1)",
    )
    cmp.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="parallel fits (default: 1; -1 for all CPUs, -2 all but one, ...)",
    )
    cmp.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    cmp.add_argument(
        "--metric",
        choices=[*METRIC_LABELS, "f1_minority"],
        default="average_precision",
        help="sort the table and test against the best on this metric (default: "
        "average_precision)",
    )
    cmp.add_argument(
        "--json",
        dest="json_path",
        help="write every fold's scores here (.json; '-' writes them on stdout, "
        "and the table on stderr)",
    )
    cmp.add_argument(
        "--plot",
        help="save PR/ROC curves of the top methods and a bar chart (.png/.svg/.pdf)",
    )
    cmp.add_argument(
        "--report", help="write a self-contained HTML report with plots (.html)"
    )
    return parser


def _check_not_the_data(path: str, option: str, data: str | None) -> None:
    """A one-line error, before any work, when the output ``path`` of
    ``option`` is the ``--data`` file (by name, a link or a hard link: it
    would be replaced by the output) or lies in the ``--data`` folder (the
    next run would read it as data)."""
    if data is None or data == "-":
        return
    out, source = os.path.realpath(path), os.path.realpath(data)
    same = out == source
    if not same and os.path.exists(path) and os.path.exists(data):
        try:
            same = os.path.samefile(path, data)
        except OSError:
            same = False
    if same:
        raise _fail(
            f"{option} {path!r} is the --data file {data!r}: writing it would "
            "replace your data. Give another file name."
        )
    if os.path.isdir(source) and out.startswith(source.rstrip(os.sep) + os.sep):
        raise _fail(
            f"{option} {path!r} is inside the --data folder {data!r}: the next "
            "run would read it as data. Write it outside that folder."
        )


def _check_output(path: str, option: str, extensions: tuple[str, ...]) -> None:
    """A one-line error now, before any fit, if ``path`` cannot be written."""
    if os.path.isdir(path):
        raise _fail(f"{option} {path!r} is a directory; give a file name.")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise _fail(f"{option} {path!r}: the directory {parent!r} does not exist.")
    existed = os.path.exists(path)
    special = existed and not stat.S_ISREG(os.stat(path).st_mode)
    try:
        if special:  # a device: /dev/full fails only when written to
            with open(path, "wb") as handle:
                handle.write(b"\n")
                handle.flush()
        else:
            with open(path, "a"):
                pass
            if not existed:
                os.remove(path)
    except OSError as exc:
        raise _fail(f"cannot write {option} {path!r}: {exc.strerror or exc}") from exc
    extension = os.path.splitext(path)[1].lower()
    if not special and extension not in extensions:
        # A value no run can take: a usage error (exit status 2).
        raise _usage(
            f"{option} {path!r}: unknown extension {extension or '(none)'!r}; use "
            f"{' or '.join(extensions)}."
        )


def _write(path: str, option: str, write) -> None:
    """``write(name)`` the file of ``option`` at ``path`` whole or not at all:
    into a temporary file next to it (same extension, for the plot's format),
    then renamed over it, so that a write that fails or is interrupted (a
    full disk, Ctrl-C) leaves no half-written file and an earlier one as it
    was. The file gets the mode of the one it replaces, or the umask's. A
    device (``/dev/stdout``), or a file in a folder where no other file may
    be created, is written in place."""
    try:
        existing = os.stat(path) if os.path.exists(path) else None
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            write(path)
            return
        target = os.path.realpath(path)  # a symbolic link: its target
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        directory, name = os.path.split(target)
        try:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{name}.", suffix=os.path.splitext(name)[1], dir=directory
            )
        except PermissionError:
            # A file that may be written in a folder that may not: in place.
            write(path)
            return
        os.close(handle)
        try:
            write(temporary)
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise
    except OSError as exc:
        raise _fail(f"cannot write {option} {path!r}: {exc.strerror or exc}") from exc


def _ascii_only(stream) -> bool:
    """True when ``stream`` cannot encode ±/≈; it then replaces what it can't."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "±≈—".encode(encoding)
        return False
    except (UnicodeEncodeError, LookupError):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
        return True


def _say(text: str = "", stream=None) -> None:
    """Print ``text`` on ``stream`` (default: stdout). Once the reader has
    gone (``| head``), the rest of the output is discarded: no
    BrokenPipeError traceback, and the run goes on to write its --json,
    --plot and --report files."""
    stream = sys.stdout if stream is None else stream
    try:
        print(text, file=stream)
        stream.flush()
    except BrokenPipeError:
        # Later writes (and the flush at exit) go to the null device.
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            return  # not a file (a test's StringIO): nothing to redirect
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def _peak_memory_mb() -> float | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 / 1024**2 if sys.platform == "darwin" else 1 / 1024
    return max(own, children) * scale


def _split(given: str | list[str] | None, option: str) -> list[str] | None:
    """The names of a comma-separated option, given once or more (``--drop a
    --drop b`` drops both: the last one alone was used)."""
    if given is None:
        return None
    names = []
    for text in [given] if isinstance(given, str) else given:
        found = [m.strip() for m in text.split(",") if m.strip()]
        if not found:
            raise _usage(
                f"{option} {text!r} names nothing; give comma-separated names."
            )
        names += found
    return names


def _check_methods(names: list[str] | None, model: str) -> None:
    """A usage error, before the data is read, for a ``--methods`` name that
    ``--model`` has for no number of classes (a name of the binary or of the
    multiclass rows only is checked again once the classes are known)."""
    if names is None:
        return
    known = list(
        dict.fromkeys([*default_methods(model, 2), *default_methods(model, 3)])
    )
    unknown = [name for name in names if name not in known]
    if unknown:
        raise _usage(
            f"argument --methods: unknown method(s) {', '.join(map(repr, unknown))} "
            f"for --model {model}; choose from {', '.join(known)} (rebalance "
            "compare --list-methods lists the rows of every model)."
        )


def _check_target_is_classes(
    y: np.ndarray, target: Any, positive_label: str | None
) -> None:
    """An error naming ``--target`` when its column holds measurements, not
    class labels: numbers that are not whole (a regression target), or so
    many distinct numbers that a class has a single row (an id, a count, an
    amount), which stratified cross-validation cannot split anyway (unless
    ``--positive-label`` makes it one value against the rest)."""
    import decimal

    if y.size == 0:
        return
    if y.dtype == object and all(isinstance(v, decimal.Decimal) for v in y):
        # A Parquet decimal column: the same check on its values.
        distinct = sorted(set(y.tolist()))
        fractional = any(v != v.to_integral_value() for v in distinct)
        kind = "decimal"
    elif y.dtype.kind in "iuf":
        finite = y[np.isfinite(y)] if y.dtype.kind == "f" else y
        values = np.unique(finite)
        fractional = y.dtype.kind == "f" and bool(np.any(values != np.round(values)))
        distinct = values.tolist()
        kind = "float" if fractional else "numeric"
    elif y.dtype == object and all(isinstance(v, str) for v in y):
        _check_text_target_is_classes(y, target, positive_label)
        return
    else:
        return
    many = positive_label is None and len(distinct) > max(10, y.size // 2)
    if not (fractional or many):
        return
    shown = ", ".join(f"{v:g}" for v in distinct[:3])
    raise _fail(
        f"--target {target!r} looks continuous ({len(distinct)} distinct {kind} "
        f"values in {y.size} rows: {shown}, ...): compare is for classification "
        "and needs class labels. Bin the column into classes first (e.g. "
        "pandas.cut(values, bins=3, labels=['low', 'mid', 'high'])), or choose "
        "another --target column."
    )


def _check_text_target_is_classes(
    y: np.ndarray, target: Any, positive_label: str | None
) -> None:
    """An error naming ``--target`` when its column of text has so many
    distinct values that some class has a single row (more than half the
    rows): an identifier, dates, free text, or measurements written as text
    ("1,014.44", "12.5%"), not class labels. Stratified cross-validation
    could not split it anyway; before, the error listed ten of the values as
    classes of a single row and suggested --positive-label. (Unless
    ``--positive-label`` makes it one value against the rest.)"""
    import pandas as pd

    distinct = sorted(set(y.tolist()))
    if positive_label is not None or len(distinct) <= max(10, y.size // 2):
        return
    shown = ", ".join(repr(v) for v in distinct[:3])
    if _as_numbers(pd.Series(distinct, dtype=object)) is not None:
        raise _fail(
            f"--target {target!r} looks continuous ({len(distinct)} distinct "
            f"numbers written as text in {y.size} rows: {shown}, ...): compare "
            "is for classification and needs class labels. Bin the column into "
            "classes first (e.g. pandas.cut(values, bins=3, labels=['low', "
            "'mid', 'high'])), or choose another --target column."
        )
    raise _fail(
        f"--target {target!r} holds {len(distinct)} distinct values in {y.size} "
        f"rows ({shown}, ...): an identifier, dates or free text, not class "
        "labels (stratified cross-validation needs 2 rows or more of every "
        "class). Choose the column with the classes as --target, or pass "
        "--positive-label VALUE to compare one of its values against the rest."
    )


def _check_drop(
    X, given: list[list[str]] | list[str], path: str, target: Any
) -> list[str]:
    """The names of each ``--drop`` value as columns of ``X`` (surrounding
    spaces ignored, as for --target), or one error naming every unknown one
    and, for a name in another case, the column it likely means. A column
    whose name holds a comma ("Amount, EUR") is found from the pieces of one
    value, which --drop's commas split apart, also beside a column named as
    its first piece ("a,b" next to "a": the longest name is taken first);
    never from the pieces of two values (``--drop a --drop b``)."""
    found = []
    # (One value's names alone, as a list of names, is one value.)
    values = cast(
        "list[list[str]]",
        [given] if all(isinstance(g, str) for g in given) else given,
    )
    for drop in values:
        i = 0
        while i < len(drop):
            name = column_named(X, drop[i])
            step = 1
            for j in range(len(drop), i + 1, -1):  # the longest name first
                joined = [column_named(X, glue.join(drop[i:j])) for glue in (", ", ",")]
                match = [n for n in joined if n in X.columns]
                if match:
                    name, step = match[0], j - i
                    break
            found.append(name)
            i += step
    unknown = [name for name in found if name not in X.columns]
    if unknown:
        hints = "".join(
            f" ({name!r} is the --target column in another case: the target is "
            "never a feature; leave it out of --drop)"
            if str(name).strip().lower() == str(target).strip().lower()
            else _missing_column_hint(X.columns, name, option="--drop")
            for name in unknown
        )
        raise _fail(
            f"--drop names {unknown}, which are not columns of {path}{hints}; "
            f"columns: {[str(c) for c in X.columns][:30]}"
        )
    return found


def _check_plotting(args: argparse.Namespace) -> None:
    """--plot and --report draw with matplotlib: refuse them before the
    cross-validation when it is not installed (instead of failing after it)."""
    import importlib.util

    options = [o for o, v in (("--plot", args.plot), ("--report", args.report)) if v]
    if options and importlib.util.find_spec("matplotlib") is None:
        raise _fail(
            f"{' and '.join(options)} {'draw' if len(options) > 1 else 'draws'} "
            "with matplotlib, which is not installed: "
            "pip install 'rebalance[plot]', or leave the option out."
        )


def run_compare(args: argparse.Namespace) -> int:
    if args.metric == "f1_minority":  # the 0.1 name, kept for one release
        print(
            "rebalance compare: --metric f1_minority is deprecated and will be "
            "removed in a future release; use --metric f1.",
            file=sys.stderr,
        )
        args.metric = "f1"
    started = time.perf_counter()
    _NOTICES.clear()
    if args.list_methods:
        _say(_methods_epilog().split("\n\n")[0])
        return 0
    for option, (dest, extensions) in OUTPUTS.items():
        path = getattr(args, dest)
        if path is not None and not path.strip():
            raise _usage(
                f"argument {option}: {path!r} is no file name; give one ending "
                f"in {' or '.join(extensions)}, or leave {option} out."
            )
        if path == "-" and option != "--json":
            raise _usage(
                f"argument {option}: '-' (standard output) is only for --json; "
                f"give {option} a file name ending in {' or '.join(extensions)}."
            )
        if path is not None and path != "-":
            _check_not_the_data(path, option, args.data)
            _check_output(path, option, extensions)
    try:
        check_run_options(
            args.folds,
            args.repeats,
            args.seed,
            args.n_jobs,
            names=("--folds", "--repeats", "--seed", "--n-jobs"),
        )
    except (TypeError, ValueError) as exc:
        raise _usage(str(exc)) from exc
    names = _split(args.methods, "--methods")
    # Each --drop value's names apart: a column named "a,b" is found from the
    # pieces of one value, never from "--drop a --drop b".
    drop_given = [_split(value, "--drop") or [] for value in args.drop or []]
    drop = [name for names in drop_given for name in names]
    # --json -: the scores (JSON) are the standard output, for a pipe or a
    # script; the table and notes go to stderr.
    out = sys.stderr if args.json_path == "-" else sys.stdout

    def say(text: str = "") -> None:
        _say(text, out)

    ascii_only = _ascii_only(out)
    width = shutil.get_terminal_size((100, 24)).columns
    if args.data is not None:
        if args.dataset is not None:
            raise _usage(
                f"--dataset {args.dataset} and --data {args.data!r} both name the "
                "data to compare on: pass one of them (--data FILE --target "
                "COLUMN for your own file, or --dataset alone)."
            )
        if args.target is None:
            raise _usage("--data needs --target COLUMN: the column with the labels.")
        if args.target.strip() in {name.strip() for name in drop}:
            # Two options that conflict: a usage error (exit status 2).
            raise _usage(
                f"--drop names {args.target!r}, the --target column: the target is "
                "never a feature; leave it out of --drop."
            )
    else:
        if drop:
            raise _usage("--drop needs --data: the built-in data sets have no names.")
        if args.target is not None:
            raise _usage(
                "--target needs --data: it names the label column of a CSV or "
                "Parquet file; the built-in data sets (--dataset) have their labels."
            )
    try:
        check_model(args.model)
    except ValueError as exc:
        raise _fail(_as_options(str(exc))) from exc
    _check_methods(names, args.model)
    _check_plotting(args)
    if args.data is not None:
        X, y = _load_table(args.data, args.target, args.positive_label)
        _check_target_is_classes(y, args.target, args.positive_label)
        drop = _check_drop(X, drop_given, args.data, args.target)
        source = args.data
    else:
        description, loader = DATASETS[args.dataset or "digits"]
        X, y = loader()
        source = description
    try:
        result = compare(
            X,
            y,
            model=args.model,
            folds=args.folds,
            repeats=args.repeats,
            seed=args.seed,
            n_jobs=args.n_jobs,
            method_names=names,
            positive_label=args.positive_label,
            drop=drop,
        )
    except ValueError as exc:
        raise _fail(_target_named(_as_options(str(exc)), args.target)) from exc
    # The notices on reading the file (markers read as missing, ...) are
    # noted in the result too, as compare() notes those it makes itself.
    # (Case variants among the labels: noted as the file was read, with the
    # column's name, not once more as compare() notes them.)
    result.notes[:] = _NOTICES + [
        _as_options(n) for n in result.notes if not n.startswith(VARIANTS_NOTE)
    ]
    # compare()'s texts name its keywords (drop=, folds=, method_names=):
    # in --json and --report as in the summary, this command's options.
    for texts in (
        result.skipped,
        {} if result.columns is None else result.columns.dropped,
    ):
        texts.update({key: _as_options(why) for key, why in texts.items()})
    summary = _as_options(result.describe(source, args.model, args.seed))
    say(wrap(summary, width))
    say()
    say(result.table(sort_by=args.metric, width=width, ascii=ascii_only))
    say()
    conclusion = _as_options(result.conclusion(args.metric, ascii=ascii_only))
    say(wrap(conclusion, width))
    elapsed = time.perf_counter() - started
    memory = _peak_memory_mb()
    footer = f"Wall time {elapsed:.1f} s" + (
        f", peak memory {memory:.0f} MB" if memory is not None else ""
    )
    info = {
        "data": source,
        "model": args.model,
        "seed": args.seed,
        "wall_time_s": round(elapsed, 2),
    }
    if args.plot:
        _write(args.plot, "--plot", lambda p: result.plot(p, metric=args.metric))
        say(f"plot written to {args.plot}")
    if args.report:
        _write(
            args.report,
            "--report",
            lambda p: result.report(
                p,
                args.metric,
                summary=summary,
                conclusion=_as_options(result.conclusion(args.metric)),
                footer=footer + ".",
            ),
        )
        say(f"report written to {args.report}")
    if args.json_path is not None:
        data = result.to_json(args.metric, **info)

        def dump(path):
            with open(path, "w") as handle:
                json.dump(data, handle, indent=2)

        if args.json_path == "-":
            _say(json.dumps(data, indent=2))
        else:
            _write(args.json_path, "--json", dump)
            say(f"scores written to {args.json_path}")
    say(footer + ".")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rebalance`` command."""
    args = build_parser().parse_args(argv)
    # For this run only: the caller's numpy error settings are restored.
    with np.errstate(all="ignore"):
        if args.command == "compare":
            try:
                return run_compare(args)
            except UsageError as exc:
                # Exit status 2 (an int code prints nothing): the message here.
                print(exc, file=sys.stderr)
                raise
            except KeyboardInterrupt:
                # Ctrl-C: one line, no traceback, the shell's status 130 (the
                # outputs are written whole or not at all: see _write).
                print("rebalance compare: interrupted.", file=sys.stderr)
                return 130
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
