"""Text positions: token alignment, selection snapping, span checks and Qt offsets.

All offsets in ``nergui.core`` are Python code points (``str`` indices), ``end`` exclusive.
"Whitespace" means ``str.isspace()`` (every Unicode whitespace character, including NBSP and
U+2028), which is also what spaCy's tokenizer splits on. Qt counts UTF-16 code units and turns
line breaks into paragraph breaks; :class:`OffsetMap` converts between the two, by arithmetic
only (nothing here imports Qt).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from nergui.core.records import Span
from nergui.errors import Msg, SpanError

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CRLF = re.compile("\r\n")


class TokenIndex:
    """Sorted token start/end offsets of one text, for O(log n) alignment queries.

    Token ``i`` here is token ``i`` of the spaCy ``Doc`` (whitespace tokens included).
    """

    def __init__(self, starts: Sequence[int], ends: Sequence[int], *, length: int):
        """Args: starts/ends: code-point offsets of each token, in order, not overlapping;
        length: length of the text. Raises ValueError if the offsets are not like that."""
        self.starts = list(starts)
        self.ends = list(ends)
        self.length = length
        if len(self.starts) != len(self.ends):
            raise ValueError("starts and ends differ in length")
        prev = 0
        for s, e in zip(self.starts, self.ends):
            if not prev <= s <= e:
                raise ValueError(f"token [{s}, {e}) is reversed, overlaps or is out of order")
            prev = e
        if prev > length:
            raise ValueError(f"token ends at {prev}, after the end of the text ({length})")

    @classmethod
    def from_doc(cls, doc) -> TokenIndex:
        """Args: doc: a spaCy ``Doc``. Returns: the index of its tokens over ``doc.text``."""
        from spacy.attrs import IDX, LENGTH

        if len(doc) == 0:
            return cls([], [], length=len(doc.text))
        arr = doc.to_array([IDX, LENGTH])
        starts = arr[:, 0].tolist()
        ends = (arr[:, 0] + arr[:, 1]).tolist()
        return cls(starts, ends, length=len(doc.text))

    @classmethod
    def from_text(cls, text: str, tokenizer) -> TokenIndex:
        """Args: text; tokenizer: a callable returning a ``Doc`` (``nlp.tokenizer`` or ``nlp``).
        Returns: the token index. Raises ValueError if the tokenizer changed the text."""
        doc = tokenizer(text)
        if doc.text != text:
            raise ValueError("the tokenizer changed the text; offsets would not match")
        return cls.from_doc(doc)

    def __len__(self) -> int:
        return len(self.starts)

    def token_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Returns: (first token, last token inclusive) if [start, end) is exactly whole tokens,
        else None (also for an empty range)."""
        i = bisect_left(self.starts, start)
        j = bisect_left(self.ends, end)
        if start < end and i < len(self.starts) and j < len(self.ends):
            if self.starts[i] == start and self.ends[j] == end and i <= j:
                return i, j
        return None

    def is_aligned(self, start: int, end: int) -> bool:
        """Returns: True if [start, end) starts at a token start and ends at a token end."""
        return self.token_span(start, end) is not None

    def expand(self, start: int, end: int) -> tuple[int, int] | None:
        """Returns: the smallest token-aligned range covering every token that [start, end)
        touches, or None if it touches no token (empty, or only inter-token spaces)."""
        i = bisect_right(self.ends, start)
        j = bisect_left(self.starts, end) - 1
        if start >= end or i > j:
            return None
        return self.starts[i], self.ends[j]

    def contract(self, start: int, end: int) -> tuple[int, int] | None:
        """Returns: the largest token-aligned range inside [start, end), or None if no whole
        token lies inside."""
        i = bisect_left(self.starts, start)
        j = bisect_right(self.ends, end) - 1
        if i > j:
            return None
        return self.starts[i], self.ends[j]


def _clamp_order(text: str, start: int, end: int) -> tuple[int, int]:
    if start > end:
        start, end = end, start
    n = len(text)
    return min(max(start, 0), n), min(max(end, 0), n)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) without leading/trailing whitespace, or None if nothing is left."""
    sub = text[start:end]
    stripped = sub.lstrip()
    if not stripped:
        return None
    start += len(sub) - len(stripped)
    return start, start + len(stripped.rstrip())


def snap(
    text: str, start: int, end: int, *, tokens: TokenIndex | None, mode: str = "token"
) -> tuple[int, int] | None:
    """Turn a raw selection into a span range.

    Args:
        text: the document text. start, end: the selection in code points; a backwards
            selection (start > end) is swapped and both ends are clamped to the text.
        tokens: the text's token index. With None, token mode behaves like char mode.
        mode: "token" grows the trimmed selection to whole tokens; "char" keeps it as is.
    Returns: (start, end) with no whitespace at either end, or None if the selection holds
        nothing but whitespace. Raises ValueError for a bad mode or a foreign token index.
    """
    if mode not in ("token", "char"):
        raise ValueError(f"mode must be 'token' or 'char', not {mode!r}")
    if tokens is not None and tokens.length != len(text):
        raise ValueError("the token index was built for another text")
    trimmed = _trim(text, *_clamp_order(text, start, end))
    if trimmed is None or mode == "char" or tokens is None:
        return trimmed
    return tokens.expand(*trimmed)


def validate_new_span(text: str, existing: Sequence[Span], start: int, end: int, label: str) -> None:
    """Check that a span [start, end) with ``label`` may be added to a document.

    Args: text: the document text; existing: the spans already there; start, end, label.
    Raises: SpanError (message from :class:`Msg`) if the label is empty or has whitespace,
        the range is backwards or outside the text, holds only whitespace, or overlaps an
        existing span (the earliest such span is named).
    """
    if not isinstance(label, str) or not label or any(c.isspace() for c in label):
        raise SpanError(Msg.SPAN_BAD_LABEL.format(label=label))
    if start > end:
        raise SpanError(Msg.SPAN_BACKWARDS.format(start=start, end=end))
    if start < 0 or end > len(text):
        raise SpanError(Msg.SPAN_OUT_OF_TEXT.format(start=start, end=end, length=len(text)))
    if not text[start:end].strip():
        raise SpanError(Msg.SPAN_NOTHING.format(start=start, end=end))
    hits = [s for s in existing if s.start < end and start < s.end]
    if hits:
        o = min(hits, key=lambda s: (s.start, s.end))
        raise SpanError(
            Msg.SPAN_OVERLAPS.format(start=start, end=end, label=o.label, o_start=o.start, o_end=o.end)
        )


@dataclass(frozen=True)
class Misalignment:
    """A span whose offsets do not fall on token boundaries, with proposed fixes.

    ``expand``: smallest aligned range covering the span's non-whitespace characters;
    ``contract``: largest aligned range inside them; either is None when impossible.
    """

    span: Span
    expand: tuple[int, int] | None
    contract: tuple[int, int] | None
    message: str


def find_misaligned(text: str, spans: Sequence[Span], tokens: TokenIndex) -> list[Misalignment]:
    """Report every span that does not match ``tokens``, in the order given.

    Args: text: the document text; spans: its spans; tokens: the text's token index.
    Returns: one :class:`Misalignment` per misaligned span. Spans outside the text,
        backwards or empty are reported too (with no fix); none is skipped silently.
    """
    if tokens.length != len(text):
        raise ValueError("the token index was built for another text")
    out: list[Misalignment] = []
    for sp in spans:
        if 0 <= sp.start <= sp.end <= len(text) and tokens.is_aligned(sp.start, sp.end):
            continue
        fields = dict(start=sp.start, end=sp.end, label=sp.label)
        if not 0 <= sp.start <= sp.end <= len(text):
            msg = Msg.SPAN_NOT_IN_TEXT.format(length=len(text), **fields)
            out.append(Misalignment(sp, None, None, msg))
            continue
        trimmed = _trim(text, sp.start, sp.end)
        exp = tokens.expand(*trimmed) if trimmed else None
        con = tokens.contract(*trimmed) if trimmed else None
        if con is not None:  # drop whitespace tokens at the edges of the contraction
            con = _trim(text, *con)
            con = tokens.contract(*con) if con else None
        seg = text[sp.start : sp.end]
        if exp is None:
            msg = Msg.SPAN_UNALIGNABLE.format(text=seg, **fields)
        else:
            con_desc = (
                f"[{con[0]}, {con[1]}) {text[con[0]:con[1]]!r}"
                if con
                else "nothing (no whole token inside; remove it)"
            )
            msg = Msg.SPAN_MISALIGNED.format(
                text=seg, exp_start=exp[0], exp_end=exp[1], exp_text=text[exp[0] : exp[1]],
                contract=con_desc, **fields,
            )
        out.append(Misalignment(sp, exp, con, msg))
    return out


def find_overlaps(spans: Sequence[Span]) -> list[tuple[Span, Span]]:
    """Returns: every pair of spans sharing at least one character, each pair ordered by
    (start, end), pairs ordered by their first span. Identical duplicates count as overlapping."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    pairs = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start >= a.end:
                break
            if a.start < b.end:
                pairs.append((a, b))
    return pairs


class OffsetMap:
    """Convert between canonical code-point offsets and UTF-16 positions in Qt's text.

    ``display_text`` is what to give QPlainTextEdit/QTextDocument: "\\r\\n", a lone "\\r",
    U+2028 and U+2029 become "\\n"; nothing else changes. A non-BMP character takes two
    UTF-16 units; the "\\n" of a CRLF takes none (its "\\r" becomes the displayed "\\n"), so
    the code-point offset between "\\r" and "\\n" is not a real boundary: it maps to the Qt
    position after the newline, which maps back to the offset after the CRLF.
    """

    def __init__(self, text: str):
        """Args: text: the canonical document text. Builds in O(n) (C-speed regex scans)."""
        self.text = text
        self.length = len(text)
        self.display_text = (
            text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
        )
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]  # width 2
        self._gone = [m.start() + 1 for m in _CRLF.finditer(text)] if "\r" in text else []  # width 0
        self._identity = not self._astral and not self._gone
        self.qt_length = self.length + len(self._astral) - len(self._gone)
        # Qt position at which each astral char starts / each vanished "\n" sits.
        self._q_astral = [a + j - bisect_left(self._gone, a) for j, a in enumerate(self._astral)]
        self._q_gone = [g - j + bisect_left(self._astral, g) for j, g in enumerate(self._gone)]

    @property
    def identity(self) -> bool:
        """Whether every code-point offset is its own Qt position (no astral characters, no CRLF)."""
        return self._identity

    def to_qt(self, cp: int) -> int:
        """Args: cp: code-point offset, 0..len(text). Returns: UTF-16 position in display_text."""
        if not 0 <= cp <= self.length:
            raise ValueError(f"offset {cp} is outside 0..{self.length}")
        if self._identity:
            return cp
        return cp + bisect_left(self._astral, cp) - bisect_left(self._gone, cp)

    def from_qt(self, pos: int, *, side: str = "left") -> int:
        """Args: pos: UTF-16 position in display_text, 0..qt_length; side: "left" or "right",
        where a position inside a surrogate pair goes. Returns: the code-point offset (never
        one between the "\\r" and "\\n" of a CRLF)."""
        if side not in ("left", "right"):
            raise ValueError(f"side must be 'left' or 'right', not {side!r}")
        if not 0 <= pos <= self.qt_length:
            raise ValueError(f"Qt position {pos} is outside 0..{self.qt_length}")
        if self._identity:
            return pos
        a = bisect_left(self._q_astral, pos)
        if a and self._q_astral[a - 1] + 1 == pos:  # inside a surrogate pair
            if side == "left":
                return self._astral[a - 1]
            return self._astral[a - 1] + 1
        return pos - a + bisect_right(self._q_gone, pos)

    def span_to_qt(self, start: int, end: int) -> tuple[int, int]:
        """Args: a code-point range, start <= end. Returns: the UTF-16 range in display_text."""
        if start > end:
            raise ValueError(f"range [{start}, {end}) is backwards")
        return self.to_qt(start), self.to_qt(end)

    def span_from_qt(self, qstart: int, qend: int) -> tuple[int, int]:
        """Args: a UTF-16 selection (either order, as anchor/position). Returns: the code-point
        range; the start rounds left and the end right, so no character is cut off."""
        if qstart > qend:
            qstart, qend = qend, qstart
        return self.from_qt(qstart, side="left"), self.from_qt(qend, side="right")
