"""Settling a team's disagreements (issue 14): each document's final version.

In a team's project (``annotations_per_task`` > 1, ``core/versions.py``) every annotator has
their own version of a document. A reviewer looks at the documents whose finished versions
differ (``differing``), each version beside its author (``versions_of``), and makes one the
final version: an annotator's as it is (``pick``), or one they edited (``edit``: kept as the
version ``FINAL``). ``accept_agreed`` accepts, without review, every document all of whose
annotators (``annotations_per_task`` of them) finished it alike: the same spans and the same
verdict.

The choice is a row of ``reviews`` (whose version, who chose, how, when) and the document's
own state becomes the final version's verdict (accepted or rejected), so training and export,
which read final versions (``Project.records``), take it from then on. ``unpick`` takes a
choice back. Each call is one transaction. On PostgreSQL only reviewers and admins may
choose (``backends/pg_roles.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import Msg, ProjectError
from .records import Span
from .versions import DONE_STATES, FINAL, acting_as, per_task

_FINISHED = "(state IN ('accepted', 'rejected') OR (state = 'todo' AND done = 1))"


@dataclass(frozen=True)
class Version:
    """One annotator's version of a document: their verdict and their spans."""

    annotator: str
    state: str
    spans: tuple[Span, ...]

    def key(self) -> tuple:
        """What two versions must share to agree: the verdict and every span (place and label)."""
        return self.state, frozenset((s.start, s.end, s.label) for s in self.spans)


def versions_of(project, doc_id: int, *, finished_only: bool = True) -> list[Version]:
    """A document's versions, by annotator's name (only the finished ones unless asked)."""
    from .versions import versions

    out = []
    for name, state in versions(project, doc_id).items():
        if finished_only and state not in DONE_STATES:
            continue
        spans = tuple(Span(a, b, label, source, ts, te) for a, b, ts, te, label, source in project.conn.execute(
            "SELECT start, end, token_start, token_end, label, source FROM spans WHERE doc_id = ? AND annotator = ?"
            " ORDER BY start, end", (doc_id, name)))
        out.append(Version(name, state, spans))
    return out


def _unreviewed(project, at_least: int) -> list[int]:
    """Documents not reviewed yet that ``at_least`` annotators have finished."""
    return [r[0] for r in project.conn.execute(
        f"SELECT doc_id FROM assignments WHERE {_FINISHED} AND annotator != ?"
        " AND doc_id NOT IN (SELECT doc_id FROM reviews)"
        " GROUP BY doc_id HAVING count(*) >= ? ORDER BY doc_id", (FINAL, at_least))]


def differing(project) -> list[int]:
    """The documents to review: not reviewed yet, and finished by two annotators or more
    whose versions differ (spans or verdict)."""
    return [d for d in _unreviewed(project, 2) if len({v.key() for v in versions_of(project, d)}) > 1]


def agreed(project) -> list[int]:
    """The documents every one of their annotators (``annotations_per_task``) finished alike."""
    return [d for d in _unreviewed(project, per_task(project))
            if len({v.key() for v in versions_of(project, d)}) == 1]


def final_version(project, doc_id: int) -> str | None:
    """Whose version is the document's final one (``FINAL``: the reviewer's edit), or None."""
    row = project.conn.execute("SELECT version FROM reviews WHERE doc_id = ?", (doc_id,)).fetchone()
    return row[0] if row else None


def _choose(project, doc_id: int, version: str, how: str, state: str) -> None:
    conn = project.conn
    conn.execute("DELETE FROM reviews WHERE doc_id = ?", (doc_id,))
    conn.execute("INSERT INTO reviews (doc_id, version, reviewer, how, decided) VALUES (?, ?, ?, ?, ?)",
                 (doc_id, version, project.annotator, how, time.time()))
    conn.execute("UPDATE documents SET state = ?, updated = ? WHERE id = ?", (state, time.time(), doc_id))


def pick(project, doc_id: int, annotator: str) -> None:
    """Make ``annotator``'s finished version the document's final one."""
    with project.transaction():
        chosen = {v.annotator: v for v in versions_of(project, doc_id)}.get(annotator)
        if chosen is None:
            raise ProjectError(Msg.REVIEW_NO_VERSION.format(doc_id=doc_id, annotator=annotator,
                                                            versions=", ".join(v.annotator for v in
                                                                               versions_of(project, doc_id))
                                                            or "none"))
        _choose(project, doc_id, annotator, "picked", chosen.state)


def edit(project, doc_id: int, spans: Iterable[Span], *, state: str = "accepted") -> None:
    """Make ``spans`` (a version the reviewer edited, e.g. from an annotator's) the
    document's final version, kept as the version ``FINAL``; overlaps are refused as in any
    version."""
    if state not in DONE_STATES:
        raise ProjectError(Msg.BAD_STATE.format(state=state, states=", ".join(DONE_STATES)))
    with project.transaction():
        if project.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
            raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
        project.conn.execute("DELETE FROM spans WHERE doc_id = ? AND annotator = ?", (doc_id, FINAL))
        with acting_as(project, FINAL):
            project.add_spans(doc_id, [Span(s.start, s.end, s.label, "user", s.token_start, s.token_end)
                                       for s in spans])
        _choose(project, doc_id, FINAL, "edited", state)


def accept_agreed(project) -> list[int]:
    """Accept every document its annotators all finished alike (see ``agreed``), the first
    annotator's version as the final one; returns their ids."""
    with project.transaction():
        ids = agreed(project)
        for doc_id in ids:
            first = versions_of(project, doc_id)[0]
            _choose(project, doc_id, first.annotator, "agreed", first.state)
    return ids


def unpick(project, doc_id: int) -> None:
    """Take the final choice back: the document waits for review again (its edited version,
    if any, is kept until the next edit replaces it)."""
    with project.transaction():
        project.conn.execute("DELETE FROM reviews WHERE doc_id = ?", (doc_id,))
        project.conn.execute("UPDATE documents SET state = 'todo', updated = ? WHERE id = ?", (time.time(), doc_id))


def reviews(project) -> dict[int, tuple[str, str, str | None]]:
    """``{doc_id: (version, how, reviewer)}`` of every reviewed document."""
    return {d: (v, h, r) for d, v, h, r in project.conn.execute(
        "SELECT doc_id, version, how, reviewer FROM reviews ORDER BY doc_id")}
