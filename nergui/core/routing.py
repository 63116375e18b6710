"""Handing documents out to a team's annotators (issue 14): each document goes to
``annotations_per_task`` annotators (a project setting, default 1; 2 for agreement), each
with a lease that expires if they do not finish it (``lease_seconds``, default 30 minutes),
and never to more annotators than that, however many apps ask at once.

``Router(project).next()`` gives this app's annotator (``Project.annotator``) the document
they hold a live lease on, else the first one that still needs an annotator and that they
have not finished. On PostgreSQL the candidates are locked with ``FOR UPDATE ... SKIP
LOCKED`` (apps asking at once take different documents instead of waiting for each other)
and the live assignments of the chosen one are counted again after it is locked, in a
statement of its own (a fresh snapshot), so a document is never handed out more often than
configured; when the only candidates left were skipped as locked, ``next`` asks again once
the other app is done, so a document is never left short of its annotators either; every assignment is written while its document's row is locked. On SQLite the
transaction takes the write lock (``BEGIN IMMEDIATE``), which does the same for one machine.

A document takes part once it is "todo" or has been handed out; its own state (accepted by
one annotator) does not stop it going to the next. ``finish`` marks an assignment done,
``release`` gives it back at once.
"""

from __future__ import annotations

import time

from ..errors import Msg, ProjectError
from .store import Project
from .store_errors import translated
from .versions import PER_TASK

LEASE = "lease_seconds"
DEFAULT_LEASE_S = 1800.0
# SKIP LOCKED passes over a document another app is taking at that moment; if that leaves
# nothing, ``next`` asks again (every SKIPPED_RETRY_S, for up to SKIPPED_WAIT_S) instead of
# saying every document has its annotators while one may still need this one
SKIPPED_RETRY_S = 0.02
SKIPPED_WAIT_S = 10.0

_CANDIDATE = (
    "SELECT d.id FROM documents d"
    " WHERE d.id > ?"
    " AND (d.state = 'todo' OR EXISTS (SELECT 1 FROM assignments a WHERE a.doc_id = d.id))"
    " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.doc_id = d.id AND a.annotator = ?"
    "                 AND (a.done = 1 OR a.leased_until > ?))"
    " AND (SELECT count(*) FROM assignments a WHERE a.doc_id = d.id"
    "      AND (a.done = 1 OR a.leased_until > ?)) < ?"
    " ORDER BY d.id LIMIT 1"
)


class Router:
    """Which document this app's annotator works on next (see the module's docstring)."""

    def __init__(self, project: Project):
        self.project = project

    @property
    def per_task(self) -> int:
        return max(1, int(self.project.get_setting(PER_TASK) or 1))

    @property
    def lease_s(self) -> float:
        return float(self.project.get_setting(LEASE) or DEFAULT_LEASE_S)

    def _me(self) -> str:
        if not self.project.annotator:
            raise ProjectError(Msg.ROUTING_NO_ANNOTATOR)
        return self.project.annotator

    def next(self, exclude: frozenset[int] | set[int] = frozenset()) -> int | None:
        """The id of the document to annotate next (its lease taken or renewed), or None
        when every document has its annotators. ``exclude``: documents not to hand out again
        now (the window's: those this annotator skipped)."""
        waited_until = time.monotonic() + SKIPPED_WAIT_S
        while True:
            chosen, skipped = self._take(exclude)
            if chosen is not None or not skipped or time.monotonic() > waited_until:
                return chosen
            time.sleep(SKIPPED_RETRY_S)  # another app holds a candidate's row: ask again once it is done

    def _take(self, exclude) -> tuple[int | None, bool]:
        """One transaction of ``next``: (the document taken or None, whether a candidate was
        passed over only because another app held its row locked at that moment)."""
        p, me = self.project, self._me()
        per_task, lease = self.per_task, self.lease_s
        conn, backend = p.conn, p.backend
        with translated(p.path):
            conn.execute(backend.begin_row_locks)
            try:
                now = time.time()
                row = conn.execute("SELECT doc_id FROM assignments WHERE annotator = ? AND done = 0"
                                   " AND leased_until > ? ORDER BY doc_id LIMIT 1", (me, now)).fetchone()
                chosen = row[0] if row and row[0] not in exclude else self._new(me, now, per_task, exclude)
                skipped = False
                if chosen is not None:
                    conn.execute("INSERT OR REPLACE INTO assignments (doc_id, annotator, leased_until, done)"
                                 " VALUES (?, ?, ?, 0)", (chosen, me, now + lease))
                elif backend.skip_locked:  # a row skipped as locked may still need this annotator
                    skipped = self._new(me, now, per_task, exclude, lock="") is not None
                conn.execute("COMMIT")
                return chosen, skipped
            except BaseException:
                p._rollback()
                raise

    def _new(self, me: str, now: float, per_task: int, exclude=frozenset(), lock: str | None = None) -> int | None:
        conn = self.project.conn
        lock = self.project.backend.skip_locked if lock is None else lock
        after = 0
        while True:
            row = conn.execute(_CANDIDATE + lock, (after, me, now, now, per_task)).fetchone()
            if row is None:
                return None
            doc_id = row[0]
            if doc_id in exclude:
                after = doc_id
                continue
            # counted again now that the row is locked: an assignment another app committed
            # while this statement ran is seen (every assignment is written under this lock)
            taken = conn.execute("SELECT count(*) FROM assignments WHERE doc_id = ? AND annotator != ?"
                                 " AND (done = 1 OR leased_until > ?)", (doc_id, me, now)).fetchone()[0]
            if taken < per_task:
                return doc_id
            after = doc_id

    def finish(self, doc_id: int) -> None:
        """This annotator has finished the document (it counts for good)."""
        me = self._me()
        with self.project.transaction() as conn:
            conn.execute("UPDATE assignments SET done = 1 WHERE doc_id = ? AND annotator = ?", (doc_id, me))

    def release(self, doc_id: int) -> None:
        """Give the document back at once (it may go to someone else)."""
        me = self._me()
        with self.project.transaction() as conn:
            conn.execute("DELETE FROM assignments WHERE doc_id = ? AND annotator = ? AND done = 0", (doc_id, me))

    def assignments(self, doc_id: int) -> dict[str, bool]:
        """``{annotator: done}`` of a document's live or finished assignments."""
        with translated(self.project.path):
            return {who: bool(done) for who, done in self.project.conn.execute(
                "SELECT annotator, done FROM assignments WHERE doc_id = ? AND (done = 1 OR leased_until > ?)",
                (doc_id, time.time()))}
