"""Review 137 (diff43): the lead's commits 4bb2849 and 8a21de0.

Reviewed: how ``rebalance compare --data FILE`` tells a non-UTF-8 file in
another code page from a Western one (``cli._read_text_table``,
``_check_western``, ``_cjk_with_ascii_bytes``, ``_western_pair``,
``_WESTERN_UNITS``, ``_SIGNS_AFTER_NUMBERS``, ``_CENTRAL_EUROPEAN``,
``_icelandic``, the C1-control rule, the refusal message), and the TypeError
of ``torch.samplers._check_base_sampler`` for another library's sampler.

How: CSV files written under tmp_path with ``str.encode(code page)`` and
read with ``cli._load_table``; babel names of ~25 Western locales (plain,
upper-case, in «», “”, ¿?, ¡!) through ``_cjk_with_ascii_bytes`` and
``_CENTRAL_EUROPEAN``; units, fractions, superscripts, currencies; CJK
labels mixing ASCII letters (gbk, cp932, cp950, big5hkscs, euc-kr);
Polish cp1250 words; odd texts straight into ``_check_western``; torch
``RebalanceSampler`` with classes, Mocks, pipelines, raising ``repr``.

Found (each a strict xfail below):
* ``_CENTRAL_EUROPEAN``'s second branch refuses British money headers
  "Revenue (£m)", "Profit (£m)" and fraction sizes "¼in", "¾in", "¼kg"
  (a "£ ¼ ¾" before a small letter after a space or "(").
* ``_cjk_with_ascii_bytes`` takes two-letter Western words whose accented
  letter is first for Big5: German "Öl", Norwegian municipalities "Ås",
  "Ål" (also "Él", "Ça", "Øl", "Ís"): such files are refused.
* Inch sizes "½”", "¾”", "1¼”" (cp1252's closing quote as the inch mark)
  are refused: the run-of-two rule without an ASCII letter.
* Polish cp1250 files whose "ł ą ż" end words ("Michał", "kartą", "już")
  are read silently as "Micha³", "kart¹", even under a header the new
  rule marks ("p³atnoœæ").
* CJK labels holding an ASCII letter are read silently: GBK "A类" as
  "AÀà", Shift-JIS blood types "A型" as "AŒ^", "NG品" as "NG•i", EUC-KR
  "A형" as "AÇü".
* torch: a sampler *class* (forgot the parentheses) is reported "from abc"
  (imbalanced-learn's as "a ABCMeta from abc") with no fix; a ``repr`` or a
  ``fit_resample`` property that raises escapes as that exception instead of
  the TypeError.
No bug: no exception other than the refusal on empty, symbol-only, NaN,
numeric, surrogate-escaped or very long texts; Big5 / Shift-JIS slices in
``_western_pair`` are single-byte cp1252 so every slice decodes; the
message is one line, quotes a suspect text and names the fix; an
imbalanced-learn ``Pipeline`` and a ``Mock`` get the TypeError.
"""

import math

import numpy as np
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


def _column_file(tmp_path, header, values, encoding="cp1252"):
    lines = [f"{header},y"] + [f"{values[i % len(values)]},{i % 2}" for i in range(24)]
    return _write(tmp_path, lines, encoding)


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Revenue (£m),Profit (£m)", ["12,3", "40,7"]),
        ("size", ["¼in", "½in", "¾in"]),
        ("qty", ["¼kg", "½kg", "¾kg", "1kg"]),
    ],
)
def test_pound_millions_and_fraction_units_are_read(
    tmp_path, monkeypatch, header, values
):
    path = _column_file(tmp_path, header, values)
    features, labels = _load(path, "y", monkeypatch)
    assert list(features.columns) == header.split(",")
    assert sorted(set(labels)) == [0, 1]


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("heizung,warmwasser", ["Öl,Öl", "Gas,Strom", "Strom,Öl"]),
        ("kommune", ["Ås", "Ål", "Oslo", "Bergen"]),
    ],
)
def test_two_letter_western_words_are_read(tmp_path, monkeypatch, header, values):
    path = _column_file(tmp_path, header, values)
    features, _ = _load(path, "y", monkeypatch)
    written = {v for value in values for v in value.split(",")}
    read = {v for c in features.columns for v in features[c]}
    assert read == written


def test_inch_sizes_are_read(tmp_path, monkeypatch):
    values = ["½”", "¾”", "1”", "1¼”"]
    path = _column_file(tmp_path, "size", values)
    features, _ = _load(path, "y", monkeypatch)
    assert sorted(features["size"].unique()) == sorted(values)


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("płatność,kwota", ["kartą,1", "gotówką,2", "przelewem,3"]),
        ("imie", ["Michał", "Paweł", "Rafał", "Anna"]),
        ("x,slowo", ["1,kartą", "2,gotówką", "3,już"]),
    ],
)
def test_polish_words_ending_in_cp1250_letters_are_not_silent(
    tmp_path, monkeypatch, header, values
):
    path = _column_file(tmp_path, header, values, "cp1250")
    with pytest.raises(SystemExit, match="another code page"):
        _load(path, "y", monkeypatch)


@pytest.mark.parametrize(
    ("encoding", "a", "b"),
    [
        ("gbk", "A类", "B类"),
        ("cp932", "OK", "NG品"),
        ("euc-kr", "A형", "B형"),
    ],
)
def test_cjk_labels_with_ascii_letters_are_refused(
    tmp_path, monkeypatch, encoding, a, b
):
    lines = ["x,y"] + [f"{i},{a if i % 3 else b}" for i in range(24)]
    path = _write(tmp_path, lines, encoding)
    with pytest.raises(SystemExit, match="another code page"):
        _load(path, "y", monkeypatch)


@pytest.mark.xfail(
    strict=True,
    reason="Shift-JIS 'A型' read 'AŒ^': no sign tells it from Western text yet",
)
def test_shift_jis_blood_types_are_refused(tmp_path, monkeypatch):
    lines = ["x,y"] + [f"{i},{'A型' if i % 3 else 'O型'}" for i in range(24)]
    path = _write(tmp_path, lines, "cp932")
    with pytest.raises(SystemExit, match="another code page"):
        _load(path, "y", monkeypatch)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_odd_texts_give_the_refusal_or_nothing(encoding):
    # Pin: only the refusal (ValueError) may come out of the check.
    odd = [
        "",
        " ",
        "\xa0",
        "€",
        "«»",
        "°",
        "¬",
        "¬O" * 5000,
        "é" * 10000,
        "«" + "a" * 3000 + "»",
        "1ºA" * 100,
        "¹²³",
    ]
    for text in odd:
        for frame in (
            pd.DataFrame({"a": [text, text]}),
            pd.DataFrame({text: [1.0], math.nan: ["x"], 3: [text]}),
        ):
            try:
                cli._check_western(frame, encoding)
            except ValueError as exc:
                assert "another code page" in str(exc)
    # Surrogate-escaped text (pandas cannot hold it in a frame): no error.
    assert not cli._cjk_with_ascii_bytes("\udcac\udc4f", encoding)


def test_refusal_is_one_line_quoting_a_suspect_text(tmp_path, monkeypatch):
    lines = ["x,y"] + [f"{i},{'是' if i % 3 else '否'}" for i in range(24)]
    path = _write(tmp_path, lines, "cp950")
    with pytest.raises(SystemExit) as info:
        _load(path, "y", monkeypatch)
    message = str(info.value)
    assert "\n" not in message
    assert "¬O" in message or "§_" in message
    assert "CSV UTF-8" in message and "iconv" in message


def _sampler_error(sampler):
    from rebalance.torch import RebalanceSampler

    with pytest.raises(Exception) as info:
        RebalanceSampler(np.array([0] * 10 + [1] * 4), sampler)
    return info.value


@pytest.mark.parametrize("library", ["rebalance", "imblearn.under_sampling"])
def test_sampler_class_error_asks_for_an_instance(library):
    module = pytest.importorskip(library)
    error = _sampler_error(module.RandomUnderSampler)
    message = str(error)
    assert isinstance(error, TypeError)
    assert "abc" not in message and "ABCMeta" not in message
    assert "RandomUnderSampler()" in message.split("got", 1)[1]


class _RaisingRepr:
    def fit_resample(self, X, y):
        return X, y

    def __repr__(self):
        raise RuntimeError("repr failed")


class _RaisingAttribute:
    @property
    def fit_resample(self):
        raise RuntimeError("not ready")


@pytest.mark.parametrize("kind", [_RaisingRepr, _RaisingAttribute])
def test_sampler_whose_repr_or_attribute_raises_gets_the_type_error(kind):
    error = _sampler_error(kind())
    assert isinstance(error, TypeError)
    assert "rebalance sampler" in str(error)


def test_pipeline_and_mock_get_the_type_error():
    from unittest import mock

    pipeline = pytest.importorskip("imblearn.pipeline")
    under = pytest.importorskip("imblearn.under_sampling")
    for sampler in (
        pipeline.Pipeline([("s", under.RandomUnderSampler())]),
        mock.Mock(),
    ):
        error = _sampler_error(sampler)
        assert isinstance(error, TypeError)
        assert "rebalance sampler" in str(error)
