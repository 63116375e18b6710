"""Undoable edits as plain data: ``apply(project)`` performs one and returns its inverse.

Spans are named by their document and offsets, never by row id, so an edit can be undone
and redone any number of times (a re-added span gets a new row id). Each ``apply`` is one
store transaction; a refused edit raises a ``NerguiError`` and changes nothing: an
``EditConflict`` when the span it names is gone (changed elsewhere), a ``SpanError`` when
it no longer fits, a ``StoreError`` when the database could not do it (busy, read-only,
disk full, damaged: the same edit may work later).

``patch(doc, rejected)`` makes the same change to a document already in memory (its spans
and state, and the set of its rejected predictions), exactly as the store made it, so the
window need not read back a document of 1,000 spans after every edit
(tests/core/test_edits_patch.py checks the two agree over random edit sequences).

``Batch`` makes several edits one (one transaction, one undo step): accepting a suggestion of
a type the project lacks adds the label with the span, and undo takes both away. The label
edits (add, rename, recolour, key, merge, delete) are in ``nergui.core.labels``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bisect import insort

from ..errors import EditConflict, Msg
from .records import Span
from .store import Document, Project


PROJECT = 0  # the doc_id of an edit that belongs to no document (a label edit)


def _order(span: Span) -> tuple[int, int]:
    return span.start, span.end


def _without(spans: list[Span], start: int, end: int) -> list[Span]:
    return [s for s in spans if (s.start, s.end) != (start, end)]


@dataclass(frozen=True)
class Edit:
    doc_id: int
    text: str = ""  # what the undo history shows

    def apply(self, project: Project) -> "Edit":  # pragma: no cover - interface
        raise NotImplementedError

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:  # pragma: no cover
        """Make this (applied) edit's change to ``doc`` in memory, as the store made it."""
        raise NotImplementedError

    def labels(self) -> frozenset[str]:
        """The labels this edit gives spans (the session adds any the project lacks to the
        same undo step: accepting a prediction of a type only the model knows)."""
        return frozenset()

    def changes_labels(self) -> bool:
        """Whether this edit changes the project's labels (names, colours, keys): then the
        widgets re-read them after it, its undo and its redo."""
        return False

    def everywhere(self) -> bool:
        """Whether this edit may change spans of any document (a label renamed, merged or
        deleted): then the shown document is read back from the store, not patched."""
        return False

    def successor(self, name: str | None) -> str | None:
        """What the label ``name`` is called after this edit (None: it is gone)."""
        return name


@dataclass(frozen=True)
class AddSpans(Edit):
    """Add spans (one, or all accepted predictions) in one transaction."""

    spans: tuple[Span, ...] = ()

    def apply(self, project: Project) -> Edit:
        project.add_spans(self.doc_id, self.spans)
        return RemoveSpans(self.doc_id, self.text, tuple(self.spans))

    def labels(self) -> frozenset[str]:
        return frozenset(s.label for s in self.spans)

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        for span in self.spans:
            insort(doc.spans, span, key=_order)


@dataclass(frozen=True)
class RemoveSpans(Edit):
    """Remove the spans at these offsets in one transaction."""

    spans: tuple[Span, ...] = ()

    def apply(self, project: Project) -> Edit:
        ids = []
        for s in self.spans:
            span_id = project.find_span_id(self.doc_id, s.start, s.end)
            if span_id is None:
                raise EditConflict(Msg.NO_SPAN_AT.format(doc_id=self.doc_id, start=s.start, end=s.end))
            ids.append(span_id)
        removed = project.remove_spans(ids)
        return AddSpans(self.doc_id, self.text, tuple(removed))

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        gone = {(s.start, s.end) for s in self.spans}
        doc.spans[:] = [s for s in doc.spans if (s.start, s.end) not in gone]


@dataclass(frozen=True)
class Relabel(Edit):
    """Give the span at [start, end) another label."""

    start: int = 0
    end: int = 0
    label: str = ""

    def apply(self, project: Project) -> Edit:
        span_id = project.find_span_id(self.doc_id, self.start, self.end)
        if span_id is None:
            raise EditConflict(Msg.NO_SPAN_AT.format(doc_id=self.doc_id, start=self.start, end=self.end))
        old = project.relabel_span(span_id, self.label)
        return Relabel(self.doc_id, self.text, self.start, self.end, old)

    def labels(self) -> frozenset[str]:
        return frozenset((self.label,))

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        doc.spans[:] = [Span(s.start, s.end, self.label, "user", s.token_start, s.token_end)
                        if (s.start, s.end) == (self.start, self.end) else s for s in doc.spans]


@dataclass(frozen=True)
class ReplaceSpan(Edit):
    """Replace one span by another (a misalignment fix: expand or contract)."""

    old: Span | None = None
    new: Span | None = None

    def apply(self, project: Project) -> Edit:
        span_id = project.find_span_id(self.doc_id, self.old.start, self.old.end)
        if span_id is None:
            raise EditConflict(Msg.NO_SPAN_AT.format(doc_id=self.doc_id, start=self.old.start, end=self.old.end))
        _, old = project.replace_span(span_id, self.new)
        return ReplaceSpan(self.doc_id, self.text, self.new, old)

    def labels(self) -> frozenset[str]:
        return frozenset((self.new.label,))

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        doc.spans[:] = _without(doc.spans, self.old.start, self.old.end)
        insort(doc.spans, self.new, key=_order)


@dataclass(frozen=True)
class SetState(Edit):
    """Set a document's state (accept, reject, skip, back to todo)."""

    state: str = "todo"

    def apply(self, project: Project) -> Edit:
        old = project.set_state(self.doc_id, self.state)
        return SetState(self.doc_id, self.text, old)

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        doc.state = self.state


@dataclass(frozen=True)
class Reject(Edit):
    """Reject (``rejected=True``) a prediction at [start, end) with this label, so it is no
    longer suggested on this document, or take the rejection back."""

    start: int = 0
    end: int = 0
    label: str = ""
    rejected: bool = True

    def apply(self, project: Project) -> Edit:
        was = project.set_rejected(self.doc_id, self.start, self.end, self.label, self.rejected)
        return Reject(self.doc_id, self.text, self.start, self.end, self.label, was)

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        key = (self.start, self.end, self.label)
        if self.rejected:
            rejected.add(key)
        else:
            rejected.discard(key)


@dataclass(frozen=True)
class Batch(Edit):
    """Several edits as one: one transaction, one undo step; the inverse undoes them in the
    reverse order."""

    steps: tuple[Edit, ...] = ()

    def apply(self, project: Project) -> Edit:
        with project.transaction():
            inverses = [step.apply(project) for step in self.steps]
        return Batch(self.doc_id, self.text, tuple(reversed(inverses)))

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        for step in self.steps:
            step.patch(doc, rejected)

    def labels(self) -> frozenset[str]:
        return frozenset().union(*(step.labels() for step in self.steps))

    def changes_labels(self) -> bool:
        return any(step.changes_labels() for step in self.steps)

    def everywhere(self) -> bool:
        return any(step.everywhere() for step in self.steps)

    def successor(self, name: str | None) -> str | None:
        for step in self.steps:
            name = step.successor(name)
        return name
