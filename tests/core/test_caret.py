"""The keyboard caret's moves (nergui.core.caret), on real token offsets."""

import spacy

from nergui.core import caret as moves
from nergui.core.caret import Caret
from nergui.core.text import TokenIndex

TEXT = "Visit  Acme Widgets in Berlin, then Globex."


def _words():
    tokens = TokenIndex.from_text(TEXT, spacy.blank("en").tokenizer)
    return moves.words(TEXT, tokens)


def _text(c: Caret) -> str:
    return TEXT[c.start:c.end]


def test_words_leave_out_white_space_tokens():
    ws = _words()
    assert [TEXT[s:e] for s, e in ws] == ["Visit", "Acme", "Widgets", "in", "Berlin", ",", "then", "Globex", "."]
    assert moves.words("a  b", None) == [(0, 1), (3, 4)]  # no tokenizer: runs of non-space


def test_right_and_left_go_word_by_word_from_no_caret():
    ws = _words()
    c = moves.right(ws, Caret(0, 0))  # no caret yet: the first word
    assert _text(c) == "Visit"
    c = moves.right(ws, c)
    assert _text(c) == "Acme"  # the double space is no stop
    assert _text(moves.left(ws, c)) == "Visit"
    assert moves.left(ws, moves.left(ws, c)) == Caret(0, 5)  # stays at the first word
    last = Caret(*ws[-1])
    assert moves.right(ws, last) == last


def test_capital_jumps_skip_lower_case_words():
    ws = _words()
    c = moves.next_capital(TEXT, ws, Caret(0, 0))
    assert _text(c) == "Visit"
    c = moves.next_capital(TEXT, ws, c)
    assert _text(c) == "Acme"
    c = moves.next_capital(TEXT, ws, moves.next_capital(TEXT, ws, c))
    assert _text(c) == "Berlin"
    assert _text(moves.previous_capital(TEXT, ws, c)) == "Widgets"
    end = moves.next_capital(TEXT, ws, moves.next_capital(TEXT, ws, c))
    assert _text(end) == "Globex" and moves.next_capital(TEXT, ws, end) == end


def test_shift_arrows_grow_shrink_and_turn_round_by_whole_words():
    ws = _words()
    c = Caret(*ws[1])  # Acme
    c = moves.extend(ws, c, 1)
    assert _text(c) == "Acme Widgets" and c.forward
    c = moves.extend(ws, c, 1)
    assert _text(c) == "Acme Widgets in"
    c = moves.extend(ws, moves.extend(ws, c, -1), -1)
    assert _text(c) == "Acme"
    c = moves.extend(ws, c, -1)  # one word left: it grows leftwards
    assert _text(c) == "Visit  Acme" and not c.forward
    c = moves.extend(ws, c, 1)  # and shrinks from the left again
    assert _text(c) == "Acme" and not c.forward
    c = moves.extend(ws, c, 1)
    assert _text(c) == "Acme Widgets" and c.forward
    assert _text(moves.extend(ws, Caret(0, 0), 1)) == "Visit"  # no caret: select the first word


def test_alt_shift_moves_one_character_and_shift_completes_the_word():
    ws = _words()
    c = Caret(*ws[1])
    c = moves.extend_char(TEXT, moves.extend(ws, c, 1), -1)
    assert _text(c) == "Acme Widget"
    assert not moves.aligned(ws, *c.range) and moves.aligned(ws, *moves.extend(ws, c, 1).range)
    assert _text(moves.extend(ws, c, 1)) == "Acme Widgets"  # Shift+Right finishes the word
    one = Caret(7, 8)
    assert moves.extend_char(TEXT, one, -1) == one  # never empty
    assert moves.extend_char(TEXT, Caret(len(TEXT) - 1, len(TEXT)), 1).end == len(TEXT)


def test_line_ends_and_the_word_after_a_span():
    ws = _words()
    assert _text(moves.in_line(ws, 0, 20, last=False)) == "Visit"
    assert _text(moves.in_line(ws, 0, 20, last=True)) == "Widgets"
    assert moves.in_line(ws, 5, 6, last=True) is None
    assert _text(moves.after(ws, 19)) == "in"
    assert moves.after(ws, len(TEXT)) is None
    assert _text(moves.word_at(ws, 8)) == "Acme" and _text(moves.word_at(ws, 5)) == "Acme"
