"""Tests for nergui.core.text: token alignment, snapping, span checks and Qt offsets."""

from __future__ import annotations

import re

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nergui.core.records import Span
from nergui.core.text import (
    Misalignment,
    OffsetMap,
    TokenIndex,
    find_misaligned,
    find_overlaps,
    snap,
    validate_new_span,
)
from nergui.errors import SpanError

NLP = spacy.blank("en")


def tok(text: str) -> TokenIndex:
    return TokenIndex.from_text(text, NLP.tokenizer)


# ---------------------------------------------------------------- oracles (independent)


def qt_normalise(s: str) -> str:
    """What Qt shows: CRLF, lone CR, U+2028, U+2029 -> one "\\n"."""
    return re.sub("\r\n|\r|\u2028|\u2029", "\n", s)


def utf16_prefix(s: str, units: int) -> str:
    """The first ``units`` UTF-16 code units of ``s``, decoded (fails inside a pair)."""
    return s.encode("utf-16-le")[: 2 * units].decode("utf-16-le")


def inside_crlf(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n"


def check_offset_map(text: str) -> None:
    om = OffsetMap(text)
    assert om.display_text == qt_normalise(text)
    assert om.qt_length == len(om.display_text.encode("utf-16-le")) // 2
    prev = -1
    for i in range(len(text) + 1):
        q = om.to_qt(i)
        assert q >= prev
        prev = q
        assert utf16_prefix(om.display_text, q) == qt_normalise(text[:i]), i
        expected = i + 1 if inside_crlf(text, i) else i
        assert om.from_qt(q, side="left") == expected
        assert om.from_qt(q, side="right") == expected
    assert om.to_qt(len(text)) == om.qt_length
    # every Qt position maps to a real boundary, surrogate halves rounding per side
    units = om.display_text.encode("utf-16-le")
    for q in range(om.qt_length + 1):
        left, right = om.from_qt(q, side="left"), om.from_qt(q, side="right")
        assert not inside_crlf(text, left) and not inside_crlf(text, right)
        unit = int.from_bytes(units[2 * q : 2 * q + 2], "little")
        in_pair = 0 < q < om.qt_length and 0xDC00 <= unit <= 0xDFFF  # q points at a low surrogate
        if in_pair:
            assert right == left + 1 and ord(text[left]) > 0xFFFF
            assert om.to_qt(left) == q - 1 and om.to_qt(right) == q + 1
        else:
            assert left == right and om.to_qt(left) == q


# ---------------------------------------------------------------- TokenIndex


def test_token_index_from_doc_and_text_agree():
    text = "New York is big.  Really"
    doc = NLP(text)
    a, b = TokenIndex.from_doc(doc), tok(text)
    assert a.starts == b.starts == [t.idx for t in doc]
    assert a.ends == b.ends == [t.idx + len(t) for t in doc]
    assert len(a) == len(doc) and a.length == len(text)


def test_token_index_queries():
    text = "New York is big."
    t = tok(text)  # New York is big .
    assert t.token_span(0, 8) == (0, 1)
    assert t.token_span(4, 8) == (1, 1)
    assert t.token_span(12, 16) == (3, 4)
    assert t.token_span(1, 8) is None and t.token_span(0, 7) is None and t.token_span(3, 8) is None
    assert t.token_span(4, 4) is None
    assert t.is_aligned(0, 3) and not t.is_aligned(0, 4)
    assert t.expand(1, 6) == (0, 8)
    assert t.expand(3, 4) is None  # only the space between New and York
    assert t.expand(2, 5) == (0, 8)
    assert t.contract(1, 12) == (4, 11)
    assert t.contract(1, 6) is None
    assert t.contract(0, 16) == (0, 16)


def test_token_index_empty_text_and_bad_offsets():
    t = tok("")
    assert len(t) == 0 and t.expand(0, 0) is None and t.contract(0, 0) is None
    with pytest.raises(ValueError):
        TokenIndex([0, 2], [3, 4], length=5)  # overlapping
    with pytest.raises(ValueError):
        TokenIndex([0], [9], length=5)


# ---------------------------------------------------------------- snap

TEXT = "  Angela Merkel visited New York.\n"


def test_snap_mid_token_selection_takes_whole_tokens():
    t = tok(TEXT)
    assert snap(TEXT, 4, 6, tokens=t) == (2, 8)  # inside "Angela"
    assert snap(TEXT, 4, 12, tokens=t) == (2, 15)  # ends mid "Merkel"
    assert TEXT[slice(*snap(TEXT, 26, 27, tokens=t))] == "New"


def test_snap_backwards_selection():
    t = tok(TEXT)
    assert snap(TEXT, 12, 4, tokens=t) == snap(TEXT, 4, 12, tokens=t) == (2, 15)
    assert snap(TEXT, 12, 4, tokens=t, mode="char") == (4, 12)


def test_snap_whitespace_only_and_empty():
    t = tok(TEXT)
    assert snap(TEXT, 0, 2, tokens=t) is None
    assert snap(TEXT, 33, 34, tokens=t) is None
    assert snap(TEXT, 5, 5, tokens=t) is None
    assert snap("\u00a0\u2028 \t", 0, 4, tokens=tok("\u00a0\u2028 \t"), mode="char") is None


def test_snap_trims_unicode_whitespace():
    text = "a\u00a0\u2028Berlin\u2029\u3000 b"
    t = tok(text)
    s, e = snap(text, 1, 11, tokens=t)
    assert text[s:e] == "Berlin"
    assert snap(text, 1, 11, tokens=t, mode="char") == (s, e)
    assert snap(TEXT, 0, 9, tokens=tok(TEXT)) == (2, 8)  # leading spaces and trailing space


def test_snap_char_mode_keeps_characters():
    t = tok(TEXT)
    assert snap(TEXT, 3, 12, tokens=t, mode="char") == (3, 12)
    assert snap(TEXT, 3, 12, tokens=None) == (3, 12)  # no tokenizer: like char mode
    assert snap(TEXT, 1, 4, tokens=t, mode="char") == (2, 4)


def test_snap_clamps_and_rejects_bad_arguments():
    t = tok(TEXT)
    assert snap(TEXT, -5, 500, tokens=t) == (2, 33)
    with pytest.raises(ValueError):
        snap(TEXT, 0, 3, tokens=t, mode="word")
    with pytest.raises(ValueError):
        snap(TEXT + "x", 0, 3, tokens=t)


# ---------------------------------------------------------------- validate_new_span


def test_validate_accepts_a_good_span():
    validate_new_span(TEXT, [Span(2, 8, "PER")], 24, 32, "LOC")


def test_validate_out_of_range_and_backwards():
    with pytest.raises(SpanError, match=r"Span \[30, 40\) is outside the text \(length 34\)"):
        validate_new_span(TEXT, [], 30, 40, "LOC")
    with pytest.raises(SpanError, match=r"Span \[-1, 3\) is outside"):
        validate_new_span(TEXT, [], -1, 3, "LOC")
    with pytest.raises(SpanError, match=r"\[8, 2\) ends before it starts"):
        validate_new_span(TEXT, [], 8, 2, "LOC")


def test_validate_whitespace_only():
    with pytest.raises(SpanError, match=r"\[0, 2\) holds only whitespace"):
        validate_new_span(TEXT, [], 0, 2, "PER")
    with pytest.raises(SpanError, match=r"\[5, 5\) holds only whitespace"):
        validate_new_span(TEXT, [], 5, 5, "PER")
    with pytest.raises(SpanError, match=r"\[1, 4\) holds only whitespace"):
        validate_new_span("x\u00a0\u2028\u3000y", [], 1, 4, "PER")


def test_validate_overlap_names_the_span():
    existing = [Span(24, 32, "LOC"), Span(2, 15, "PER")]
    with pytest.raises(SpanError) as err:
        validate_new_span(TEXT, existing, 9, 32, "ORG")
    assert str(err.value) == "[9, 32) overlaps PER at [2, 15). Remove that span first."
    with pytest.raises(SpanError, match=r"overlaps LOC at \[24, 32\)"):
        validate_new_span(TEXT, existing, 28, 33, "ORG")
    validate_new_span(TEXT, existing, 15, 24, "ORG")  # touching is not overlapping


def test_validate_label():
    for bad in ("", "NEW YORK", "A\tB"):
        with pytest.raises(SpanError, match="Label"):
            validate_new_span(TEXT, [], 2, 8, bad)


# ---------------------------------------------------------------- misalignment


def test_find_misaligned_proposes_expand_and_contract():
    text = "Angela Merkel visited New York."
    spans = [
        Span(0, 13, "PER"),  # aligned
        Span(2, 13, "PER"),  # starts mid "Angela"
        Span(21, 30, "LOC"),  # " New York": leading space
        Span(14, 18, "X"),  # inside "visited", no whole token inside
    ]
    found = find_misaligned(text, spans, tok(text))
    assert [m.span for m in found] == spans[1:]
    a, b, c = found
    assert isinstance(a, Misalignment)
    assert a.expand == (0, 13) and a.contract == (7, 13)
    assert a.message == (
        "Span [2, 13) PER does not match token boundaries: 'gela Merkel'. "
        "Expand to [0, 13) 'Angela Merkel' or contract to [7, 13) 'Merkel'."
    )
    assert b.expand == (22, 30) and b.contract == (22, 30)
    assert "[21, 30) LOC" in b.message
    assert c.expand == (14, 21) and c.contract is None
    assert "Span [14, 18) X" in c.message and "nothing" in c.message


def test_find_misaligned_never_drops_a_span():
    text = "New  York"
    t = tok(text)  # "New", " ", "York"
    spans = [Span(3, 4, "A"), Span(0, 99, "B"), Span(5, 2, "C"), Span(6, 6, "D"), Span(0, 9, "E")]
    found = find_misaligned(text, spans, t)
    assert [m.span.label for m in found] == ["A", "B", "C", "D"]
    assert all(m.expand is None and m.contract is None for m in found)
    assert "Span [3, 4) A" in found[0].message and "covers no token" in found[0].message
    assert "Span [0, 99) B is outside the text (length 9)" in found[1].message
    assert "Span [5, 2) C" in found[2].message
    assert "Span [6, 6) D" in found[3].message
    with pytest.raises(ValueError):
        find_misaligned(text + "!", spans, t)  # token index of another text


def test_find_misaligned_skips_whitespace_in_proposals():
    text = "New York\n\nCity hall"
    t = tok(text)  # New, York, "\n\n", City, hall
    (m,) = find_misaligned(text, [Span(5, 17, "LOC")], t)
    assert text[slice(*m.expand)] == "York\n\nCity hall"
    assert m.contract == (10, 14) and text[slice(*m.contract)] == "City"
    (m,) = find_misaligned("New  York", [Span(3, 9, "LOC")], tok("New  York"))
    assert m.expand == m.contract == (5, 9)


# ---------------------------------------------------------------- overlaps


def test_find_overlaps():
    a, b, c, d, e = Span(0, 5, "A"), Span(3, 8, "B"), Span(8, 9, "C"), Span(1, 2, "D"), Span(0, 5, "E")
    pairs = find_overlaps([c, b, a, d, e])
    assert pairs == [(a, e), (a, d), (a, b), (e, d), (e, b)]
    assert find_overlaps([c, Span(9, 12, "F")]) == []
    assert find_overlaps([]) == []


# ---------------------------------------------------------------- OffsetMap

CASES = {
    "ascii": "Hello world",
    "empty": "",
    "emoji": "a😀b😀😀",
    "flag": "Made in 🇩🇪!",
    "zwj": "family 👨\u200d👩\u200d👧 here",
    "combining": "cafe\u0301 e\u0301te\u0301",
    "crlf": "line1\r\nline2\r\n",
    "lone_cr": "a\rb\r",
    "separators": "a\u2028b\u2029c",
    "crcrlf": "\r\r\n\n\r",
    "mixed": "😀\r\n🇩🇪\re\u0301\u2028שלום مرحبا\u200b\r\n😀",
    "crlf_then_emoji": "\r\n😀\r\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_offset_map_oracle_and_round_trip(name):
    check_offset_map(CASES[name])


def test_offset_map_known_values():
    om = OffsetMap("a😀\r\nb")
    assert om.display_text == "a😀\nb"
    assert [om.to_qt(i) for i in range(6)] == [0, 1, 3, 4, 4, 5]
    assert om.from_qt(2, side="left") == 1 and om.from_qt(2, side="right") == 2
    assert om.from_qt(4) == 4
    assert om.span_to_qt(1, 2) == (1, 3)
    assert om.span_from_qt(2, 2) == (1, 2)  # empty selection inside a pair keeps the emoji
    assert om.span_from_qt(5, 2) == (1, 5)
    flag = OffsetMap("🇩🇪")
    assert flag.qt_length == 4 and flag.to_qt(1) == 2 and flag.span_from_qt(1, 3) == (0, 2)
    comb = OffsetMap("e\u0301x")
    assert [comb.to_qt(i) for i in range(4)] == [0, 1, 2, 3]


def test_offset_map_rejects_out_of_range():
    om = OffsetMap("a😀")
    with pytest.raises(ValueError):
        om.to_qt(3)
    with pytest.raises(ValueError):
        om.from_qt(4)
    with pytest.raises(ValueError):
        om.from_qt(-1)
    with pytest.raises(ValueError):
        om.from_qt(1, side="middle")
    with pytest.raises(ValueError):
        om.span_to_qt(2, 1)


def test_offset_map_on_50k_characters():
    # correctness on a document the size of the GUI's big-document benchmark;
    # speed is measured by `nergui bench gui`, not asserted here
    unit = "Grüße 😀 aus Köln\r\n🇩🇪 e\u0301 שלום\u2028"
    text = (unit * (50_000 // len(unit) + 1))[:50_000]
    om = OffsetMap(text)
    positions = range(0, len(text) + 1, 7)
    qs = [om.to_qt(i) for i in positions]
    back = [om.from_qt(q) for q in qs]
    assert back == [i + 1 if inside_crlf(text, i) else i for i in positions]
    assert utf16_prefix(om.display_text, om.to_qt(len(text) // 2)) == qt_normalise(text[: len(text) // 2])


# ---------------------------------------------------------------- properties

PIECES = list("abcXYZ019 .,-'\"\t") + [
    "\r\n", "\r", "\n", "\u2028", "\u2029", "\u00a0", "\u3000", "😀", "🇩🇪",
    "👨\u200d👩\u200d👧", "e\u0301", "שלום", "مرحبا", "\u200b", "New", "York",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
PROPS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(texts)
def test_property_offset_map(text):
    check_offset_map(text)


@PROPS
@given(st.text(max_size=30))
def test_property_offset_map_any_text(text):
    check_offset_map(text)


@PROPS
@given(texts, st.integers(-3, 200), st.integers(-3, 200), st.sampled_from(["token", "char"]))
def test_property_snap(text, a, b, mode):
    t = tok(text)
    got = snap(text, a, b, tokens=t, mode=mode)
    lo, hi = sorted((min(max(a, 0), len(text)), min(max(b, 0), len(text))))
    core = text[lo:hi].strip()
    if not core:
        assert got is None
        return
    assert got is not None
    s, e = got
    assert 0 <= s < e <= len(text)
    assert not text[s].isspace() and not text[e - 1].isspace()
    first = lo + (len(text[lo:hi]) - len(text[lo:hi].lstrip()))
    last = first + len(core)
    if mode == "char":
        assert (s, e) == (first, last) and text[s:e] == core
    else:
        assert t.is_aligned(s, e)
        assert s <= first and e >= last  # nothing selected is lost
        i, j = t.token_span(s, e)  # and the first/last tokens touch the selection
        assert t.ends[i] > first and t.starts[j] < last


@PROPS
@given(texts, st.integers(0, 200), st.integers(0, 200))
def test_property_misaligned_fixes_are_aligned(text, a, b):
    t = tok(text)
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    (found,) = find_misaligned(text, [Span(a, b, "X")], t) or [None]
    if found is None:
        assert t.is_aligned(a, b)
        return
    assert "X" in found.message
    for fix in (found.expand, found.contract):
        if fix is not None:
            assert t.is_aligned(*fix)
            assert not text[fix[0]].isspace() and not text[fix[1] - 1].isspace()
    if found.contract is not None:
        assert found.expand[0] <= found.contract[0] < found.contract[1] <= found.expand[1]
