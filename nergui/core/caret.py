"""The keyboard caret of the annotator, as plain data (no Qt): which words a caret key
moves to, how a selection grows by whole tokens or by characters.

The caret is a range of the text in code points, ``[start, end)``, never empty once
placed: a word (a token that is not white space) or a selection made of words (or, after
Alt+Shift+arrow, any characters). ``forward`` says which edge Shift+arrow moves: the end
(the selection grew rightwards) or the start. A view with no caret yet starts from an
empty ``Caret(p, p)`` at the first visible character: Right then lands on the first word.

Every function takes the document's ``words`` (``words(text, tokens)``: the (start, end)
of each token that is not white space, in order) and returns a new ``Caret``; a move that
cannot go anywhere returns the caret unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Sequence

from .text import TokenIndex

Words = Sequence[tuple[int, int]]
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Caret:
    start: int
    end: int
    forward: bool = True  # Shift+arrow moves the end (True) or the start (False)

    @property
    def empty(self) -> bool:
        return self.start >= self.end

    @property
    def range(self) -> tuple[int, int]:
        return self.start, self.end


def words(text: str, tokens: TokenIndex | None) -> list[tuple[int, int]]:
    """The (start, end) of every token that is not white space; without a token index (the
    tokenizer failed), of every run of non-space characters."""
    if tokens is None:
        return [m.span() for m in _WORD.finditer(text)]
    return [(s, e) for s, e in zip(tokens.starts, tokens.ends) if e > s and not text[s:e].isspace()]


def _starts(ws: Words) -> list[int]:
    return [s for s, _ in ws]


def _ends(ws: Words) -> list[int]:
    return [e for _, e in ws]


def word_at(ws: Words, pos: int) -> Caret | None:
    """The word holding ``pos``, else the first one after it, else the last one (None: no words)."""
    if not ws:
        return None
    i = bisect_right(_ends(ws), pos)  # the first word ending after pos
    s, e = ws[min(i, len(ws) - 1)]
    return Caret(s, e)


def right(ws: Words, c: Caret) -> Caret:
    """The first word starting at or after the caret's end (the word after it)."""
    i = bisect_left(_starts(ws), c.end)
    return Caret(*ws[i]) if i < len(ws) else c


def left(ws: Words, c: Caret) -> Caret:
    """The last word ending at or before the caret's start (the word before it)."""
    i = bisect_right(_ends(ws), c.start) - 1
    if i >= 0:
        return Caret(*ws[i])
    return Caret(*ws[0]) if c.empty and ws else c  # no caret yet: the first word


def _capital(text: str, w: tuple[int, int]) -> bool:
    return text[w[0]].isupper()


def next_capital(text: str, ws: Words, c: Caret) -> Caret:
    """The next word after the caret that starts with a capital letter (where names
    usually begin); the caret stays if there is none."""
    for i in range(bisect_left(_starts(ws), c.end), len(ws)):
        if _capital(text, ws[i]):
            return Caret(*ws[i])
    return c


def previous_capital(text: str, ws: Words, c: Caret) -> Caret:
    """The last word before the caret that starts with a capital letter (or the caret)."""
    for i in range(bisect_right(_ends(ws), c.start) - 1, -1, -1):
        if _capital(text, ws[i]):
            return Caret(*ws[i])
    return c


def extend(ws: Words, c: Caret, step: int) -> Caret:
    """Shift+Right (``step`` 1) or Shift+Left (-1): grow or shrink the selection by one
    word at its moving edge. A selection shrunk to its last word turns round and grows the
    other way, as a text editor's does."""
    if c.empty:  # no caret yet: select the word there
        return right(ws, c) if step > 0 else left(ws, c)
    if c.forward:
        if step > 0:
            i = bisect_right(_ends(ws), c.end)  # the first word ending after the end
            return Caret(c.start, ws[i][1], True) if i < len(ws) else c
        i = bisect_left(_ends(ws), c.end) - 1  # the last word ending before the end
        if i >= 0 and ws[i][1] > c.start:
            return Caret(c.start, ws[i][1], True)
        i = bisect_left(_starts(ws), c.start) - 1  # turn round: grow at the start
        return Caret(ws[i][0], c.end, False) if i >= 0 else c
    if step < 0:
        i = bisect_left(_starts(ws), c.start) - 1  # the last word starting before the start
        return Caret(ws[i][0], c.end, False) if i >= 0 else c
    i = bisect_right(_starts(ws), c.start)  # the first word starting after the start
    if i < len(ws) and ws[i][0] < c.end:
        return Caret(ws[i][0], c.end, False)
    i = bisect_right(_ends(ws), c.end)  # turn round: grow at the end
    return Caret(c.start, ws[i][1], True) if i < len(ws) else c


def extend_char(text: str, c: Caret, step: int) -> Caret:
    """Alt+Shift+Right/Left: move the selection's moving edge by one character (the
    selection never becomes empty, never leaves the text)."""
    if c.empty:
        return c
    if c.forward:
        end = min(max(c.end + step, c.start + 1), len(text))
        return Caret(c.start, end, True)
    start = max(min(c.start + step, c.end - 1), 0)
    return Caret(start, c.end, False)


def in_line(ws: Words, line_start: int, line_end: int, *, last: bool) -> Caret | None:
    """Home/End: the first (or ``last``) word of the line [line_start, line_end) (None: none)."""
    i = bisect_left(_starts(ws), line_start)
    j = bisect_left(_starts(ws), line_end) - 1
    if i > j:
        return None
    return Caret(*ws[j if last else i])


def after(ws: Words, end: int) -> Caret | None:
    """The word after a span ending at ``end`` (where the caret goes once it is made)."""
    i = bisect_left(_starts(ws), end)
    return Caret(*ws[i]) if i < len(ws) else None


def aligned(ws: Words, start: int, end: int) -> bool:
    """Whether [start, end) begins at a word's start and ends at a word's end."""
    i, j = bisect_left(_starts(ws), start), bisect_left(_ends(ws), end)
    return i < len(ws) and j < len(ws) and ws[i][0] == start and ws[j][1] == end
