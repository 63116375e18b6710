"""Changing a project: importing documents, marking spans, states and rejected predictions.

Part of ``Project`` (``nergui.core.store``). Every user action is one transaction: a crash
keeps every acknowledged edit and never a half-done one. Every public method raises
``StoreError``, never the database driver's error.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from typing import Any

from ..errors import Msg, ProjectError, SpanError, StoreError
from .records import STATES, ImportReport, Problem, Record, Span
from .store_errors import guard_public_methods
from .versions import is_team, set_version_state, version_clause


def _dumps(value: Any) -> str:
    # stdlib json: srsly's ujson parser rounds floats (0.7 -> 0.7000000000000001)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def input_hash(text: str) -> str:
    """A stable hash of a document's text, used to skip duplicates on import."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


@guard_public_methods()
class Editing:
    """The imports and edits of ``Project`` (a mixin: it uses ``self.conn``, ``self.backend``,
    ``self.transaction`` and ``self._ensure_labels``)."""

    def import_records(
        self, items: Iterable[Record | Problem], *, path: str, partial: bool = False
    ) -> ImportReport:
        """Import documents in one transaction and report what happened.

        Args:
            items: what a format reader yields (records and problems).
            path: the file's name, for the report.
            partial: if False (the default) any problem means nothing is written.
        Returns:
            An ImportReport; ``committed`` tells whether anything was written.
        """
        report = ImportReport(path=str(path))
        labels: dict[str, None] = {}
        now = time.time()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            first_new = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM documents").fetchone()[0]
            for item in items:
                if isinstance(item, Problem):
                    report.problems.append(item)
                    continue
                if report.problems and not partial:
                    continue  # keep reading to list every problem, write nothing
                ihash = item.input_hash or input_hash(item.text)
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO documents (text, meta, input_hash, state, updated, origin)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (item.text, _dumps(item.meta), ihash, item.state, now,
                     f"{path}:{item.line}" if item.line else str(path)),
                )
                if cur.rowcount == 0:
                    report.duplicates += 1
                    continue
                doc_id = cur.lastrowid
                if item.spans:
                    self.conn.executemany(
                        "INSERT INTO spans (doc_id, start, end, token_start, token_end, label, source, annotator)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(doc_id, s.start, s.end, s.token_start, s.token_end, s.label, s.source, self.annotator)
                         for s in item.spans],
                    )
                    for s in item.spans:
                        labels[s.label] = None
                if item.rejections:
                    self.conn.executemany(
                        "INSERT OR IGNORE INTO rejections (doc_id, start, end, label, annotator) VALUES (?, ?, ?, ?, ?)",
                        [(doc_id, s.start, s.end, s.label, self.annotator) for s in item.rejections])
                    report.rejections += len(item.rejections)
                if item.binary:  # ner.teach answers: the document holds binary decisions only
                    from .decisions import record_imported

                    record_imported(self, doc_id, item, now)
                if item.suggestions:
                    self.conn.executemany(
                        "INSERT OR IGNORE INTO suggestions (doc_id, start, end, label) VALUES (?, ?, ?, ?)",
                        [(doc_id, s.start, s.end, s.label) for s in item.suggestions])
                    report.suggestions += len(item.suggestions)
                report.imported += 1
            if report.problems and not partial:
                self.conn.execute("ROLLBACK")
                report.imported = report.duplicates = report.rejections = report.suggestions = 0
                return report
            self._ensure_labels(labels)
            self.backend.index_new_documents(self.conn, first_new)  # the search index, in one statement
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        report.committed = True
        report.labels = list(labels)
        return report

    def add_span(self, doc_id: int, span: Span) -> int:
        """Add a span to a document; refuses overlaps and offsets outside the text."""
        with self.transaction():
            return self._insert_span(doc_id, span)

    def _insert_span(self, doc_id: int, span: Span) -> int:
        row = self.conn.execute("SELECT length(text) FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
        if not 0 <= span.start < span.end <= row[0]:
            raise SpanError(Msg.SPAN_OUT_OF_TEXT.format(start=span.start, end=span.end, length=row[0]))
        clause, args = version_clause(self)  # overlaps within one version (a team's: versions.py)
        clash = self.conn.execute(
            f"SELECT start, end, label FROM spans WHERE doc_id = ? AND start < ? AND end > ?{clause} LIMIT 1",
            (doc_id, span.end, span.start, *args),
        ).fetchone()
        if clash:
            raise SpanError(Msg.SPAN_OVERLAPS.format(start=span.start, end=span.end, label=clash[2],
                                                     o_start=clash[0], o_end=clash[1]))
        self._ensure_labels([span.label])
        cur = self.conn.execute(
            "INSERT INTO spans (doc_id, start, end, token_start, token_end, label, source, annotator)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, span.start, span.end, span.token_start, span.token_end, span.label, span.source, self.annotator),
        )
        self._touch(doc_id)
        return cur.lastrowid

    def add_spans(self, doc_id: int, spans: Iterable[Span]) -> list[int]:
        """Add several spans as one action (accept-all); all or none.

        The document's spans are read once and every new one checked against them and the
        others with a sorted sweep, then all are inserted together: accepting 1,000
        predictions on a long document is one query each way, not three per span.
        """
        spans = list(spans)
        if len(spans) < 2:
            with self.transaction():
                return [self._insert_span(doc_id, s) for s in spans]
        from .overlap import Intervals

        with self.transaction():
            row = self.conn.execute("SELECT length(text) FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
            clause, args = version_clause(self)
            existing = self.conn.execute(f"SELECT start, end, label FROM spans WHERE doc_id = ?{clause}",
                                         (doc_id, *args)).fetchall()
            labels = {(a, b): lab for a, b, lab in existing}
            have = Intervals((a, b) for a, b, _ in existing)
            for span in spans:
                if not 0 <= span.start < span.end <= row[0]:
                    raise SpanError(Msg.SPAN_OUT_OF_TEXT.format(start=span.start, end=span.end, length=row[0]))
                clash = have.clash(span.start, span.end)
                if clash is not None:
                    raise SpanError(Msg.SPAN_OVERLAPS.format(start=span.start, end=span.end, label=labels[clash],
                                                             o_start=clash[0], o_end=clash[1]))
                have.add(span.start, span.end)
                labels[(span.start, span.end)] = span.label
            self._ensure_labels(dict.fromkeys(s.label for s in spans))
            ids = list(self.backend.new_ids(self.conn, "spans", len(spans)))
            self.conn.executemany(
                "INSERT INTO spans (id, doc_id, start, end, token_start, token_end, label, source, annotator)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, doc_id, s.start, s.end, s.token_start, s.token_end, s.label, s.source, self.annotator)
                 for i, s in zip(ids, spans)])
            self._touch(doc_id)
            return ids

    def remove_span(self, span_id: int) -> Span:
        """Remove a span and return it (so the edit can be undone)."""
        with self.transaction():
            return self._delete_span(span_id)

    def _delete_span(self, span_id: int) -> Span:
        row = self.conn.execute(
            "SELECT doc_id, start, end, token_start, token_end, label, source FROM spans WHERE id = ?", (span_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(Msg.NO_SPAN.format(span_id=span_id))
        if self.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,)).rowcount == 0:
            raise StoreError(Msg.NOT_YOURS.format(what="span"))  # there, but not this user's (database roles)
        self._touch(row[0])
        return Span(row[1], row[2], row[5], row[6], row[3], row[4])

    def remove_spans(self, span_ids: Iterable[int]) -> list[Span]:
        with self.transaction():
            return [self._delete_span(i) for i in span_ids]

    def relabel_span(self, span_id: int, label: str) -> str:
        """Change a span's label; returns the old label."""
        with self.transaction():
            row = self.conn.execute("SELECT doc_id, label FROM spans WHERE id = ?", (span_id,)).fetchone()
            if row is None:
                raise ProjectError(Msg.NO_SPAN.format(span_id=span_id))
            self._ensure_labels([label])
            if self.conn.execute("UPDATE spans SET label = ?, source = 'user', annotator = ? WHERE id = ?",
                                 (label, self.annotator, span_id)).rowcount == 0:
                raise StoreError(Msg.NOT_YOURS.format(what="span"))
            self._touch(row[0])
            return row[1]

    def set_state(self, doc_id: int, state: str) -> str:
        """Set a document's state; returns the previous state."""
        if state not in STATES:
            raise ProjectError(Msg.BAD_STATE.format(state=state, states=", ".join(STATES)))
        with self.transaction():
            row = self.conn.execute("SELECT state FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
            if is_team(self):  # the annotator's verdict on their version, not the document's final state
                return set_version_state(self, doc_id, state)
            self.conn.execute("UPDATE documents SET state = ?, updated = ? WHERE id = ?", (state, time.time(), doc_id))
            return row[0]

    def replace_span(self, span_id: int, span: Span) -> tuple[int, Span]:
        """Replace a span by another (the misalignment fix); returns the new id and the old span."""
        with self.transaction():
            row = self.conn.execute("SELECT doc_id FROM spans WHERE id = ?", (span_id,)).fetchone()
            if row is None:
                raise ProjectError(Msg.NO_SPAN.format(span_id=span_id))
            old = self._delete_span(span_id)
            return self._insert_span(row[0], span), old

    def find_span_id(self, doc_id: int, start: int, end: int) -> int | None:
        """The id of the span at exactly [start, end) in a document, or None."""
        clause, args = version_clause(self)
        row = self.conn.execute(
            f"SELECT id FROM spans WHERE doc_id = ? AND start = ? AND end = ?{clause}", (doc_id, start, end, *args)
        ).fetchone()
        return row[0] if row else None

    # ---- rejected predictions ----------------------------------------------------------
    def rejections(self, doc_id: int) -> set[tuple[int, int, str]]:
        """``(start, end, label)`` of the predictions rejected on a document."""
        clause, args = version_clause(self)
        return set(self.conn.execute(f"SELECT start, end, label FROM rejections WHERE doc_id = ?{clause}",
                                     (doc_id, *args)))

    def set_rejected(self, doc_id: int, start: int, end: int, label: str, rejected: bool = True) -> bool:
        """Record (or, with ``rejected=False``, forget) a rejected prediction; returns
        whether it was rejected before."""
        with self.transaction():
            key = (doc_id, start, end, label)
            clause, args = version_clause(self)
            was = self.conn.execute("SELECT 1 FROM rejections WHERE doc_id = ? AND start = ? AND end = ?"
                                    f" AND label = ?{clause}", (*key, *args)).fetchone() is not None
            if rejected and not was:
                if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
                    raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
                self.conn.execute("INSERT INTO rejections (doc_id, start, end, label, annotator) VALUES (?, ?, ?, ?, ?)",
                                  (*key, self.annotator))
            elif was and not rejected:
                if self.conn.execute("DELETE FROM rejections WHERE doc_id = ? AND start = ? AND end = ?"
                                     f" AND label = ?{clause}", (*key, *args)).rowcount == 0:
                    raise StoreError(Msg.NOT_YOURS.format(what="rejection"))
            return was

    def unaligned_spans(self, *, limit: int = 500) -> list[tuple[int, int]]:
        """``(span_id, doc_id)`` of spans with no token offsets (misaligned at import or
        marked in character mode), in document order."""
        return self.conn.execute(
            "SELECT id, doc_id FROM spans WHERE token_start IS NULL ORDER BY doc_id, start LIMIT ?", (limit,)
        ).fetchall()

    def _touch(self, doc_id: int) -> None:
        self.conn.execute("UPDATE documents SET updated = ? WHERE id = ?", (time.time(), doc_id))
