"""Each annotator's own version of a document, in a team's project (issue 14).

In a project whose ``annotations_per_task`` is above 1 (a team's: several annotators per
document, for agreement), every annotator marks a document on their own:

- the spans and rejections of their version are the rows whose ``annotator`` is theirs
  (``Project.annotator``); overlaps are checked within one version only;
- their verdict on the document (accepted, rejected, skipped, back to todo) is their
  assignment's ``state`` (routing's ``assignments`` table; ``done`` once accepted or
  rejected), not the document's;
- the document's own ``state`` is its final state, set by review (``core/review.py``),
  which also records whose version is the final one (the ``reviews`` table: an annotator's
  name, or ``FINAL`` for a version the reviewer edited).

``Project.get_document`` gives the version of ``Project.annotator``; ``Project.records``
(what training and export read) gives final versions: a reviewed document's final version,
no spans for a document annotators worked on that is not reviewed yet, and every span for a
document no team member has worked on (annotated before the project became a team's, or
imported with its annotations).

A project whose ``annotations_per_task`` is 1 (the default: every single-user project) has
one version of each document, every span in it, exactly as before: ``version_clause`` is
empty and ``set_state`` sets the document's state.

The store calls ``version_clause`` (the SQL that keeps a query on spans or rejections to
one version) and ``set_version_state``; nothing else of the store knows about versions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import Msg, ProjectError

PER_TASK = "annotations_per_task"
FINAL = "(final)"  # the version a reviewer edited into the final one (no database user has this name)
DONE_STATES = ("accepted", "rejected")  # an annotator's verdicts that finish their assignment


def per_task(project) -> int:
    """How many annotators each document goes to (the project setting; 1 if unset)."""
    row = project.conn.execute("SELECT value FROM settings WHERE key = ?", (PER_TASK,)).fetchone()
    try:
        return max(1, int(row[0])) if row else 1
    except ValueError:
        return 1


def is_team(project) -> bool:
    """Whether each annotator has their own version of a document (``annotations_per_task`` > 1)."""
    return per_task(project) > 1


def annotator(project) -> str:
    """This app's annotator name; a team's project needs one (whose version is shown and edited)."""
    if not project.annotator:
        raise ProjectError(Msg.VERSION_NO_ANNOTATOR)
    return project.annotator


def version_clause(project) -> tuple[str, tuple]:
    """``(sql, args)`` to add to a query's ``WHERE`` on spans or rejections: its rows of the
    version of ``Project.annotator`` in a team's project; nothing (every row) otherwise."""
    if not is_team(project):
        return "", ()
    return " AND annotator = ?", (annotator(project),)


# a document's state as one annotator's version has it (``version_state`` in SQL; ``d``: documents)
VERSION_STATE = ("coalesce((SELECT CASE WHEN a.state = 'todo' AND a.done = 1 THEN 'accepted' ELSE a.state END"
                 " FROM assignments a WHERE a.doc_id = d.id AND a.annotator = ?), 'todo')")


def list_version(project) -> str | None:
    """Whose version the document lists' states and label filter are of (``store_filter``):
    this annotator's in a team's project; None (the documents' own, final, states) otherwise
    or when the app has no annotator name."""
    return project.annotator if project.annotator and is_team(project) else None


# a span ``s`` is in its document's final version: the reviewed version's, or any span of a
# document no team member worked on (``final_clause`` in SQL, for counting)
FINAL_SPAN = ("(s.annotator = (SELECT r.version FROM reviews r WHERE r.doc_id = s.doc_id)"
              " OR (NOT EXISTS (SELECT 1 FROM reviews r WHERE r.doc_id = s.doc_id)"
              " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.doc_id = s.doc_id)))")


def final_clause(project, doc_id: int) -> tuple[str, tuple]:
    """``(sql, args)`` keeping a document's spans to its final version (see the module's docstring)."""
    version, worked = project.conn.execute(
        "SELECT (SELECT version FROM reviews WHERE doc_id = ?),"
        " (SELECT count(*) FROM assignments WHERE doc_id = ?)", (doc_id, doc_id)).fetchone()
    if version is not None:
        return " AND annotator = ?", (version,)
    if worked:
        return " AND 1 = 0", ()  # annotators worked on it and no version is final yet
    return "", ()


def version_state(project, doc_id: int, name: str | None = None) -> str:
    """An annotator's verdict on a document (``todo`` until they give one). A finished
    assignment (``Router.finish``) with no verdict counts as accepted."""
    row = project.conn.execute("SELECT state, done FROM assignments WHERE doc_id = ? AND annotator = ?",
                               (doc_id, name or annotator(project))).fetchone()
    if row is None:
        return "todo"
    state, done = row
    return "accepted" if state == "todo" and done else state


def set_version_state(project, doc_id: int, state: str) -> str:
    """Record this annotator's verdict on a document (inside the caller's transaction);
    returns the previous one. Accepted or rejected finishes their assignment; skipped gives
    its lease back (the document may go to someone else); todo takes a fresh lease (undoing
    an accept: the document stays theirs)."""
    from .routing import DEFAULT_LEASE_S, LEASE

    me = annotator(project)
    before = version_state(project, doc_id, me)
    now = time.time()
    lease = now if state == "skipped" else now + float(project.get_setting(LEASE) or DEFAULT_LEASE_S)
    done = 1 if state in DONE_STATES else 0
    conn = project.conn
    updated = conn.execute("UPDATE assignments SET state = ?, done = ?, leased_until = ? WHERE doc_id = ?"
                           " AND annotator = ?", (state, done, lease, doc_id, me)).rowcount
    if not updated and state != "todo":
        conn.execute("INSERT INTO assignments (doc_id, annotator, leased_until, done, state) VALUES (?, ?, ?, ?, ?)",
                     (doc_id, me, lease, done, state))
    conn.execute("UPDATE documents SET updated = ? WHERE id = ?", (now, doc_id))
    return before


@contextmanager
def acting_as(project, name: str) -> Iterator[None]:
    """Read and edit the version of ``name`` through ``project`` for the block (a reviewer
    editing the final version, ``FINAL``; a test looking at one annotator's version)."""
    before = project.annotator
    project.annotator = name
    try:
        yield
    finally:
        project.annotator = before


def versions(project, doc_id: int) -> dict[str, str]:
    """``{annotator: verdict}`` of everyone who worked on a document (an assignment, or a
    span or rejection of theirs), the final version's ``FINAL`` excepted."""
    out: dict[str, str] = {}
    for who, state, done in project.conn.execute(
            "SELECT annotator, state, done FROM assignments WHERE doc_id = ? ORDER BY annotator", (doc_id,)):
        out[who] = "accepted" if state == "todo" and done else state
    for (who,) in project.conn.execute(
            "SELECT annotator FROM spans WHERE doc_id = ? AND annotator IS NOT NULL"
            " UNION SELECT annotator FROM rejections WHERE doc_id = ? AND annotator IS NOT NULL", (doc_id, doc_id)):
        out.setdefault(who, "todo")
    out.pop(FINAL, None)
    return dict(sorted(out.items()))
