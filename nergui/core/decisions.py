"""Binary decisions: yes or no on one candidate entity (the review mode, Prodigy's ``ner.teach``).

A decision is a row of the ``decisions`` table (schema v6) in the order it was made, with
the model's score and where the candidate came from. Its effect reuses what the store
already has: an accepted candidate is a span of its document, a rejected one a rejection
(hidden from the suggestions, as a prediction rejected in the annotator), a skipped one
("ignore") nothing but the row, so it is not asked again.

A document that holds accept or reject decisions and is not itself accepted (to do, or
skipped) holds **binary decisions only**: its spans are entities, its rejections are not,
and every other token is unknown. It stays "todo" (it is never counted as accepted, and can
still be annotated whole later; once accepted it is an ordinary annotated document), and
``binary_records`` gives it to training as ``Record(binary=True)``: the trainer marks its
other tokens missing, not "O", and its rejections as spaCy's incorrect spans
(``nergui.core.incorrect``); it is never held out for scoring. The Prodigy writer writes it
as one line per decision with its ``answer``.

Each decision records who made it (``annotator``: ``Project.annotator``, NULL on decisions
made before schema v9). In a team's project (``core/versions.py``) each annotator answers on
their own: two may answer the same candidate differently, each their own row, and the lists,
counts, "already decided" checks and undo here see the annotator's own decisions only
(``version_clause``); a single-user project sees every decision, as before. On PostgreSQL the
row-level policies (``backends/pg_roles.py``) keep an annotator's connection to their own rows.

``Decide`` and ``Undecide`` are edits (``nergui.core.edits``): each is one transaction and
returns its inverse, so the review window's undo stack and the annotator's take them back.
No Qt.
"""

from __future__ import annotations

import json
import time
from bisect import insort
from dataclasses import dataclass

from ..errors import EditConflict, Msg, ProjectError, StoreError
from .edits import Edit
from .records import Record, Span
from .store import Document, Project
from .versions import is_team, version_clause

ANSWERS = ("accept", "reject", "ignore")
ORIGINS = ("model", "pattern", "import")
BINARY_STATES = ("todo", "skipped")  # a document in these states with decisions holds binary answers only

_BINARY_IDS = (
    "SELECT DISTINCT d.id FROM documents d JOIN decisions c ON c.doc_id = d.id"
    " WHERE c.answer IN ('accept', 'reject') AND d.state IN ('todo', 'skipped') ORDER BY d.id")


@dataclass(frozen=True)
class Decision:
    """One stored decision: the candidate (document, offsets, label), the answer, the model's
    score when it was asked (None: a pattern's or an imported one), its origin and time."""

    id: int
    doc_id: int
    start: int
    end: int
    label: str
    answer: str
    score: float | None
    origin: str
    decided: float
    annotator: str | None = None  # who decided (None: before nergui recorded it)

    @property
    def key(self) -> tuple[int, int, int, str]:
        return self.doc_id, self.start, self.end, self.label


_COLUMNS = "id, doc_id, start, end, label, answer, score, origin, decided, annotator"
_KEY = "doc_id = ? AND start = ? AND end = ? AND label = ?"


def decisions(project: Project, doc_id: int | None = None) -> list[Decision]:
    """The decisions of one document (or of all), in the order they were made (in a team's
    project, this annotator's own)."""
    clause, args = version_clause(project)
    if doc_id is None:
        rows = project.conn.execute(f"SELECT {_COLUMNS} FROM decisions WHERE 1 = 1{clause} ORDER BY id", args)
    else:
        rows = project.conn.execute(f"SELECT {_COLUMNS} FROM decisions WHERE doc_id = ?{clause} ORDER BY id",
                                    (doc_id, *args))
    return [Decision(*row) for row in rows]


def decided_keys(project: Project) -> set[tuple[int, int, int, str]]:
    """``(doc_id, start, end, label)`` of every candidate decided (skips too): never asked again
    (in a team's project, of those this annotator decided)."""
    clause, args = version_clause(project)
    return set(project.conn.execute(f"SELECT doc_id, start, end, label FROM decisions WHERE 1 = 1{clause}", args))


def counts(project: Project) -> dict[str, int]:
    """Decisions by answer (in a team's project, this annotator's), and ``documents``: those
    holding binary decisions only."""
    clause, args = version_clause(project)
    out = dict.fromkeys(ANSWERS, 0)
    out.update(project.conn.execute(f"SELECT answer, count(*) FROM decisions WHERE 1 = 1{clause} GROUP BY answer",
                                    args).fetchall())
    out["documents"] = count_binary(project)
    return out


def binary_doc_ids(project: Project) -> list[int]:
    """The documents that hold binary decisions only (accept or reject decisions, and the
    document to do or skipped): trained on as such, never as fully annotated ones."""
    return [row[0] for row in project.conn.execute(_BINARY_IDS)]


def count_binary(project: Project) -> int:
    """How many documents hold binary decisions only (``binary_doc_ids``, counted in SQL)."""
    return project.conn.execute(f"SELECT count(*) FROM ({_BINARY_IDS}) AS binary_docs").fetchone()[0]


def binary_records(project: Project, labels=None) -> list[Record]:
    """Each document holding binary decisions only, as ``Record(binary=True)``: its spans
    (accepted candidates, and any span the user marked there) and its rejections; with
    ``labels``, only those of these labels. In a team's project (what training and export
    read: ``team_binary``), the team's answers, not this annotator's alone."""
    keep = set(labels) if labels else None
    if is_team(project):
        return team_binary(project, keep)
    out = []
    for doc_id in binary_doc_ids(project):
        doc = project.get_document(doc_id)
        ihash = project.conn.execute("SELECT input_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        rejected = sorted(project.rejections(doc_id))
        spans = [s for s in doc.spans if keep is None or s.label in keep]
        rejections = [Span(a, b, label) for a, b, label in rejected if keep is None or label in keep]
        who = {(a, b, label): name for a, b, label, name in project.conn.execute(
            "SELECT start, end, label, annotator FROM decisions WHERE doc_id = ? AND annotator IS NOT NULL"
            " ORDER BY id", (doc_id,))}
        out.append(Record(doc.text, spans, doc.state, doc.meta, ihash, doc_id, rejections=rejections, binary=True,
                          annotators=who))
    return out


def team_binary(project: Project, keep: set[str] | None = None) -> list[Record]:
    """A team's documents of binary decisions, for training and export. A reviewed document
    gives its final version (the ``reviews`` row's: that version's spans and rejections).
    Otherwise each candidate is taken as the annotators who answered it agree: accepted by
    all who answered, an entity; rejected by all, an incorrect span; answered
    both ways, left out (unknown, as every other token of a binary document) until a
    reviewer settles the document. Skips ("ignore") say nothing."""
    out = []
    for doc_id in binary_doc_ids(project):
        row = project.conn.execute("SELECT text, state, meta, input_hash FROM documents WHERE id = ?",
                                   (doc_id,)).fetchone()
        text, state, meta, ihash = row[0], row[1], json.loads(row[2]), row[3]
        final = project.conn.execute("SELECT version FROM reviews WHERE doc_id = ?", (doc_id,)).fetchone()
        who: dict[tuple[int, int, str], str] = {}
        if final is not None:  # the reviewer's choice: that version's spans and rejections
            spans, rejections = ([Span(a, b, label) for a, b, label in project.conn.execute(
                f"SELECT start, end, label FROM {table} WHERE doc_id = ? AND annotator = ? ORDER BY start, end",
                (doc_id, final[0]))] for table in ("spans", "rejections"))
        else:
            answers: dict[tuple[int, int, str], set[str]] = {}
            for a, b, label, answer, name in project.conn.execute(
                    "SELECT start, end, label, answer, annotator FROM decisions WHERE doc_id = ? AND answer != 'ignore'"
                    " ORDER BY id", (doc_id,)):
                answers.setdefault((a, b, label), set()).add(answer)
                if name is not None:
                    who.setdefault((a, b, label), name)
            spans = [Span(*k) for k, said in sorted(answers.items()) if said == {"accept"}]
            rejections = [Span(*k) for k, said in sorted(answers.items()) if said == {"reject"}]
        spans = [s for s in spans if keep is None or s.label in keep]
        rejections = [s for s in rejections if keep is None or s.label in keep]
        if spans or rejections:
            out.append(Record(text, spans, state, meta, ihash, doc_id, rejections=rejections, binary=True,
                              annotators=who))
    return out


def record_imported(project: Project, doc_id: int, record: Record, now: float | None = None) -> None:
    """Inside an import's transaction: a binary record's spans and rejections become accept
    and reject decisions (origin "import"), so the document counts as binary decisions only.
    Each is by the annotator the file names for it (Prodigy's ``_annotator_id``), else by
    ``Project.annotator``."""
    now = time.time() if now is None else now
    who = record.annotators

    def row(s: Span, answer: str) -> tuple:
        return doc_id, s.start, s.end, s.label, answer, now, who.get((s.start, s.end, s.label), project.annotator)

    rows = [row(s, "accept") for s in record.spans] + [row(s, "reject") for s in record.rejections]
    project.conn.executemany(
        "INSERT OR IGNORE INTO decisions (doc_id, start, end, label, answer, origin, decided, annotator)"
        " VALUES (?, ?, ?, ?, ?, 'import', ?, ?)", rows)


# ---- the edits -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Decide(Edit):
    """Answer one candidate: "accept" (it becomes a span), "reject" (a rejection) or "ignore"
    (skipped: only remembered). ``effect`` (set on an inverse): whether the span or rejection
    was made by this decision (one there before stays when the decision is taken back)."""

    start: int = 0
    end: int = 0
    label: str = ""
    answer: str = "accept"
    score: float | None = None
    origin: str = "model"
    token_start: int | None = None
    token_end: int | None = None
    decided: float = 0.0

    def apply(self, project: Project) -> Edit:
        if self.answer not in ANSWERS:
            raise ProjectError(Msg.TEACH_BAD_ANSWER.format(answer=self.answer, answers=", ".join(ANSWERS)))
        when = self.decided or time.time()
        with project.transaction():
            if project.conn.execute("SELECT 1 FROM documents WHERE id = ?", (self.doc_id,)).fetchone() is None:
                raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=self.doc_id))
            clause, args = version_clause(project)  # a team's: this annotator's own decisions
            if project.conn.execute(f"SELECT 1 FROM decisions WHERE {_KEY}{clause}",
                                    (self.doc_id, self.start, self.end, self.label, *args)).fetchone() is not None:
                raise EditConflict(Msg.TEACH_DECIDED_BEFORE.format(  # decided elsewhere meanwhile
                    label=self.label, start=self.start, end=self.end, doc_id=self.doc_id))
            project.conn.execute(
                "INSERT INTO decisions (doc_id, start, end, label, answer, score, origin, decided, annotator)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.doc_id, self.start, self.end, self.label, self.answer, self.score,
                 self.origin if self.origin in ORIGINS else "model", when, project.annotator))
            effect = False
            if self.answer == "accept":
                if project.find_span_id(self.doc_id, self.start, self.end) is None:
                    source = "pattern" if self.origin == "pattern" else "model"
                    project.add_span(self.doc_id, Span(self.start, self.end, self.label, source,
                                                       self.token_start, self.token_end))
                    effect = True
            elif self.answer == "reject":
                effect = not project.set_rejected(self.doc_id, self.start, self.end, self.label, True)
        return Undecide(self.doc_id, self.text, self.start, self.end, self.label, self.answer, self.score,
                        self.origin, self.token_start, self.token_end, when, effect)

    def labels(self) -> frozenset[str]:
        return frozenset((self.label,)) if self.answer == "accept" else frozenset()

    def span(self) -> Span:
        source = "pattern" if self.origin == "pattern" else "model"
        return Span(self.start, self.end, self.label, source, self.token_start, self.token_end)

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        if self.answer == "accept" and not any((s.start, s.end) == (self.start, self.end) for s in doc.spans):
            insort(doc.spans, self.span(), key=lambda s: (s.start, s.end))
        elif self.answer == "reject":
            rejected.add((self.start, self.end, self.label))


@dataclass(frozen=True)
class Undecide(Decide):
    """Take a decision back: its row goes, and the span or rejection it made (``effect``)."""

    effect: bool = True

    def apply(self, project: Project) -> Edit:
        clause, args = version_clause(project)  # a team's: this annotator's own decision
        key = (self.doc_id, self.start, self.end, self.label, *args)
        with project.transaction():
            row = project.conn.execute(
                f"SELECT answer, score, origin, decided FROM decisions WHERE {_KEY}{clause}", key).fetchone()
            if row is None:
                raise EditConflict(Msg.TEACH_NOT_DECIDED.format(label=self.label, start=self.start, end=self.end,
                                                               doc_id=self.doc_id))
            answer, score, origin, decided = row
            if project.conn.execute(f"DELETE FROM decisions WHERE {_KEY}{clause}", key).rowcount == 0:
                raise StoreError(Msg.NOT_YOURS.format(what="decision"))  # there, but not this user's (database roles)
            if self.effect and answer == "accept":
                span_id = project.find_span_id(self.doc_id, self.start, self.end)
                if span_id is not None:
                    project.remove_span(span_id)
            elif self.effect and answer == "reject":
                project.set_rejected(self.doc_id, self.start, self.end, self.label, False)
        return Decide(self.doc_id, self.text, self.start, self.end, self.label, answer, score, origin,
                      self.token_start, self.token_end, decided)

    def labels(self) -> frozenset[str]:
        return frozenset()

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        if not self.effect:
            return
        if self.answer == "accept":
            doc.spans[:] = [s for s in doc.spans if (s.start, s.end) != (self.start, self.end)]
        elif self.answer == "reject":
            rejected.discard((self.start, self.end, self.label))


def undecide(decision: Decision, text: str = "") -> Undecide:
    """The edit that takes a stored decision back (the annotator's review list)."""
    return Undecide(decision.doc_id, text or f"Take back: {decision.answer} {decision.label}", decision.start,
                    decision.end, decision.label, decision.answer, decision.score, decision.origin,
                    decided=decision.decided, effect=True)


def describe(decision: Decision, doc_text: str) -> str:
    """One line for a list: the answer, the label, the text and the score."""
    score = "" if decision.score is None else f"  {decision.score:.2f}"
    return f"{decision.answer}  {decision.label}  {doc_text[decision.start:decision.end]!r}{score}"


__all__ = ["ANSWERS", "Decide", "Decision", "Undecide", "binary_doc_ids", "binary_records", "team_binary", "count_binary", "counts",
           "decided_keys", "decisions", "describe", "record_imported", "undecide"]
