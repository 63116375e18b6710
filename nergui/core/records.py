"""Plain data passed between formats, the store, the trainer and the GUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATES = ("todo", "accepted", "rejected", "skipped")
SOURCES = ("user", "model", "pattern")


@dataclass(frozen=True)
class Span:
    """An entity span in code-point character offsets, ``end`` exclusive."""

    start: int
    end: int
    label: str
    source: str = "user"
    token_start: int | None = None
    token_end: int | None = None  # inclusive, as in Prodigy


@dataclass
class Record:
    """One document as read from a file, before it enters a project.

    ``line`` is the 1-based line (or item number) in the source file, used in messages.
    ``rejections`` are spans an annotator said are not entities (Prodigy's binary "reject");
    ``suggestions`` are a model's proposals (Label Studio "predictions"), shown, never gold.
    ``binary``: the document holds yes/no answers on single entities only (``ner.teach``, the
    review mode): its spans are the accepted ones, its rejections the rejected ones, and every
    other token is unknown (not "O"): trained so, never scored, never counted as accepted.
    ``annotators``: who made each binary decision, ``{(start, end, label): name}`` (Prodigy's
    ``_annotator_id``; the store's ``decisions.annotator``), for those that say.
    """

    text: str
    spans: list[Span] = field(default_factory=list)
    state: str = "todo"
    meta: dict[str, Any] = field(default_factory=dict)
    input_hash: str | None = None
    line: int | None = None
    rejections: list[Span] = field(default_factory=list)
    suggestions: list[Span] = field(default_factory=list)
    binary: bool = False
    annotators: dict[tuple[int, int, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """A problem found in an input file: where, what, and what to do."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did. Nothing is written unless ``problems`` is empty or partial was asked."""

    path: str
    imported: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False
    labels: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # kept, but worth fixing (misaligned spans)
    detected: str = ""  # how the file was read, in words ("CoNLL columns (...)")
    notes: list[str] = field(default_factory=list)  # what the reader assumed (columns, tag scheme, merges)
    rejections: int = 0
    suggestions: int = 0

    def summary(self) -> str:
        verb = "imported" if self.committed else "would import"
        parts = [f"{verb} {self.imported} documents", f"{self.duplicates} duplicates skipped"]
        if self.rejections:
            parts.append(f"{self.rejections} rejected spans")
        if self.suggestions:
            parts.append(f"{self.suggestions} suggestions")
        if self.problems:
            parts.append(f"{len(self.problems)} problems")
        if self.warnings:
            parts.append(f"{len(self.warnings)} spans misaligned with the tokenizer (kept; fix them in the app)")
        read_as = f" (read as {self.detected})" if self.detected else ""
        notes = "".join(f"; {n}" for n in self.notes)
        return f"{self.path}{read_as}: " + ", ".join(parts) + notes
