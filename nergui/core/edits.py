"""Undoable edits as plain data: ``apply(project)`` performs one and returns its inverse.

Spans are named by their document and offsets, never by row id, so an edit can be undone
and redone any number of times (a re-added span gets a new row id). Each ``apply`` is one
store transaction; a refused edit raises a ``NerguiError`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Msg, ProjectError
from .records import Span
from .store import Project


@dataclass(frozen=True)
class Edit:
    doc_id: int
    text: str = ""  # what the undo history shows

    def apply(self, project: Project) -> "Edit":  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(frozen=True)
class AddSpans(Edit):
    """Add spans (one, or all accepted predictions) in one transaction."""

    spans: tuple[Span, ...] = ()

    def apply(self, project: Project) -> Edit:
        project.add_spans(self.doc_id, self.spans)
        return RemoveSpans(self.doc_id, self.text, tuple(self.spans))


@dataclass(frozen=True)
class RemoveSpans(Edit):
    """Remove the spans at these offsets in one transaction."""

    spans: tuple[Span, ...] = ()

    def apply(self, project: Project) -> Edit:
        ids = []
        for s in self.spans:
            span_id = project.find_span_id(self.doc_id, s.start, s.end)
            if span_id is None:
                raise ProjectError(Msg.NO_SPAN_AT.format(doc_id=self.doc_id, start=s.start, end=s.end))
            ids.append(span_id)
        removed = project.remove_spans(ids)
        return AddSpans(self.doc_id, self.text, tuple(removed))


@dataclass(frozen=True)
class Relabel(Edit):
    """Give the span at [start, end) another label."""

    start: int = 0
    end: int = 0
    label: str = ""

    def apply(self, project: Project) -> Edit:
        span_id = project.find_span_id(self.doc_id, self.start, self.end)
        if span_id is None:
            raise ProjectError(Msg.NO_SPAN_AT.format(doc_id=self.doc_id, start=self.start, end=self.end))
        old = project.relabel_span(span_id, self.label)
        return Relabel(self.doc_id, self.text, self.start, self.end, old)


@dataclass(frozen=True)
class ReplaceSpan(Edit):
    """Replace one span by another (a misalignment fix: expand or contract)."""

    old: Span | None = None
    new: Span | None = None

    def apply(self, project: Project) -> Edit:
        span_id = project.find_span_id(self.doc_id, self.old.start, self.old.end)
        if span_id is None:
            raise ProjectError(Msg.NO_SPAN_AT.format(doc_id=self.doc_id, start=self.old.start, end=self.old.end))
        _, old = project.replace_span(span_id, self.new)
        return ReplaceSpan(self.doc_id, self.text, self.new, old)


@dataclass(frozen=True)
class SetState(Edit):
    """Set a document's state (accept, reject, skip, back to todo)."""

    state: str = "todo"

    def apply(self, project: Project) -> Edit:
        old = project.set_state(self.doc_id, self.state)
        return SetState(self.doc_id, self.text, old)


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
