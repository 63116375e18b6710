"""What the annotator shows of one document, as plain data (no Qt): the span or suggestion
at a position, which suggestions are shown, which of them "accept all" takes, and spans
with their token offsets.

A suggestion is a span proposed by the model or a pattern (``suggestions``, predicted for
the shown document) or imported with the file (``Document.suggestions``). The app's
``Session`` (``nergui.gui.session``) calls these for the document it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .overlap import first_fit
from .records import Span
from .store import Document
from .text import TokenIndex

Rejected = set[tuple[int, int, str]]  # (start, end, label) of the predictions rejected on a document


def with_tokens(start: int, end: int, label: str, source: str, tokens: TokenIndex | None) -> Span:
    """The span [start, end) with its token offsets from ``tokens``; they stay None when
    there is no token index (the tokenizer failed) or the range is not on token boundaries."""
    tok = tokens.token_span(start, end) if tokens else None
    return Span(start, end, label, source, *(tok or (None, None)))


def span_at(spans: Iterable[Span], pos: int) -> Span | None:
    """The span holding the character at ``pos``; else the span ending right before it (a
    click just after a word's last letter still finds it); else None."""
    spans = list(spans)
    inside = next((s for s in spans if s.start <= pos < s.end), None)
    return inside if inside is not None else next((s for s in spans if s.start < pos == s.end), None)


def visible_suggestions(doc: Document | None, suggestions: Sequence[Span], rejected: Rejected) -> list[Span]:
    """The suggestions to show on ``doc``: the model's and patterns' (``suggestions``) first,
    then those imported with the file that they do not repeat; none that was rejected or
    that sits exactly where a span already is."""
    if doc is None:
        return []
    have = {(s.start, s.end) for s in doc.spans}
    shown = {(s.start, s.end, s.label) for s in suggestions}
    imported = [s for s in doc.suggestions if (s.start, s.end, s.label) not in shown]
    return [s for s in [*suggestions, *imported]
            if (s.start, s.end) not in have and (s.start, s.end, s.label) not in rejected]


def suggestion_at(doc: Document | None, suggestions: Sequence[Span], rejected: Rejected, pos: int) -> Span | None:
    """The visible suggestion at ``pos`` (as ``span_at`` finds a span), or None."""
    return span_at(visible_suggestions(doc, suggestions, rejected), pos)


def accepted(suggestion: Span, tokens: TokenIndex | None, label: str | None = None) -> Span:
    """The span that accepting one suggestion adds: a model's stays "model", any other
    (a pattern's, an imported one) becomes "pattern"; with token offsets. Accepted as
    another ``label`` (the user's choice of type), it is the user's ("user")."""
    if label is not None and label != suggestion.label:
        return with_tokens(suggestion.start, suggestion.end, label, "user", tokens)
    source = "model" if suggestion.source == "model" else "pattern"
    return with_tokens(suggestion.start, suggestion.end, suggestion.label, source, tokens)


def at_range(doc: Document | None, suggestions: Sequence[Span], rejected: Rejected, start: int, end: int,
             label: str | None = None) -> tuple[Span | None, Span | None]:
    """What is exactly at [start, end): the span there (or None), and the visible suggestion
    there (or None; one with ``label`` if there are several). Labelling that range from the
    keyboard relabels the span, else accepts the suggestion, else makes a new span."""
    if doc is None:
        return None, None
    span = next((s for s in doc.spans if (s.start, s.end) == (start, end)), None)
    here = [s for s in visible_suggestions(doc, suggestions, rejected) if (s.start, s.end) == (start, end)]
    suggestion = next((s for s in here if s.label == label), here[0] if here else None)
    return span, suggestion


def accept_all(doc: Document | None, suggestions: Sequence[Span], rejected: Rejected,
               tokens: TokenIndex | None) -> tuple[list[Span], int]:
    """What "accept all predictions" adds to ``doc``: the visible suggestions that overlap
    neither a span nor one taken before them (in text order, the longest first at one
    start), with token offsets; and how many were skipped for overlapping."""
    if doc is None:
        return [], 0
    fits, skipped = first_fit(visible_suggestions(doc, suggestions, rejected), doc.spans)
    return [with_tokens(s.start, s.end, s.label, s.source, tokens) for s in fits], skipped
