"""The project store: one folder holding ``nergui.sqlite`` and ``models/``.

Standard-library sqlite3 in WAL mode with foreign keys on. Every user action is one
transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), so a crash keeps every acknowledged
edit and never a half-done one. The schema has a version (``PRAGMA user_version``)
and forward migrations. Listing, counting and filtering are indexed queries that
never load the corpus into memory.

A ``Project`` object holds one connection and must be used from one thread; other
threads (the trainer, the previewer) open their own with ``Project.open(path)``.

No ``sqlite3`` error leaves this class: each public method translates it into a
``StoreError`` that says what to do (``nergui.core.store_errors``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Msg, ProjectError, SpanError
from .records import STATES, ImportReport, Problem, Record, Span
from .store_errors import DB_NAME, guard_public_methods, translated
from .store_filter import Filter, _where
from .store_schema import _PALETTE, DISPLACY_COLOURS, MIGRATIONS, SCHEMA_VERSION

MODELS_DIR = "models"
BUSY_TIMEOUT_S = 30  # how long an action waits for another program's write to finish


def _dumps(value: Any) -> str:
    # stdlib json: srsly's ujson parser rounds floats (0.7 -> 0.7000000000000001)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def input_hash(text: str) -> str:
    """A stable hash of a document's text, used to skip duplicates on import."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


@dataclass
class Document:
    id: int
    text: str
    state: str
    meta: dict[str, Any]
    spans: list[Span] = field(default_factory=list)  # sorted by (start, end)
    suggestions: list[Span] = field(default_factory=list)  # imported with the file (a model's proposals)


@guard_public_methods(skip=("transaction", "close"))
class Project:
    """A nergui project folder. Use ``Project.open`` or ``Project.create``.

    Every public method raises ``StoreError`` (a ``ProjectError``), never ``sqlite3.Error``,
    when the database fails: busy, read-only, disk full or damaged.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._depth = 0  # transactions open (an inner one joins the outer: see ``transaction``)

    # ---- opening -------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike) -> "Project":
        """Create a project folder (or open it if it exists)."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise ProjectError(Msg.NOT_A_FOLDER.format(path=path))
        try:
            path.mkdir(parents=True, exist_ok=True)
            (path / MODELS_DIR).mkdir(exist_ok=True)
        except PermissionError:
            raise ProjectError(Msg.READ_ONLY.format(path=path)) from None
        return cls.open(path, _create=True)

    @classmethod
    def open(cls, path: str | os.PathLike, *, _create: bool = False) -> "Project":
        """Open an existing project folder, migrating its schema if it is older."""
        path = Path(path)
        db = path / DB_NAME
        if not _create and not db.exists():
            raise ProjectError(Msg.NOT_A_PROJECT.format(path=path))
        if not os.access(path, os.W_OK):
            raise ProjectError(Msg.READ_ONLY.format(path=path))
        if db.exists() and not os.access(db, os.W_OK):  # sqlite would open it read-only, silently
            raise ProjectError(Msg.DB_READ_ONLY.format(path=db))
        conn = None
        try:
            with translated(path):
                conn = sqlite3.connect(db, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=True)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA foreign_keys=ON")
                # FULL: a commit is on disk before it is acknowledged, even across a power cut
                # (NORMAL in WAL mode survives an application crash but may lose the last
                # commits on power loss). One fsync per user edit is invisible to the user.
                conn.execute("PRAGMA synchronous=FULL")
                project = cls(path, conn)
                project._migrate()
        except BaseException:
            if conn is not None:  # not left open behind a refusal (a newer schema, a damaged file)
                conn.close()
            raise
        return project

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ProjectError(Msg.DB_NEWER.format(path=self.path, found=version, supported=SCHEMA_VERSION))
        if version == 0:
            # A fresh file must be empty; anything else is not ours.
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise ProjectError(Msg.DB_CORRUPT.format(path=self.path / DB_NAME, detail="unknown tables, schema version 0"))
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in _statements(MIGRATIONS[target]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action: everything inside commits together or not at all.

        Raises ``StoreError`` if the database refuses (another program holds the write lock
        longer than ``BUSY_TIMEOUT_S``, read-only, disk full, damaged), from the ``BEGIN``,
        the statements inside or the ``COMMIT``; then nothing of the block is kept.

        Inside another transaction, a block joins it: the outer one commits or rolls back the
        whole (several edits as one action: ``edits.Batch``).
        """
        if self._depth:
            self._depth += 1
            try:
                with translated(self.path):
                    yield self.conn
            finally:
                self._depth -= 1
            return
        with translated(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            finally:
                self._depth = 0

    def _rollback(self) -> None:
        """Roll back the open transaction, if SQLite has not already (it does on some errors,
        e.g. a full disk); a failure here must not hide the error that led to it."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    @property
    def models_dir(self) -> Path:
        return self.path / MODELS_DIR

    # ---- settings ------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    @property
    def base_pipeline(self) -> str | None:
        return self.get_setting("base_pipeline")

    # ---- labels --------------------------------------------------------------------
    def labels(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT name, colour, shortcut FROM labels ORDER BY position, name")
        return [{"name": n, "colour": c, "shortcut": s} for n, c, s in rows]

    def label_names(self) -> list[str]:
        return [row["name"] for row in self.labels()]

    def add_label(self, name: str, colour: str | None = None, shortcut: str | None = None) -> None:
        with self.transaction():
            self._ensure_labels([name], colours={name: colour} if colour else None, shortcuts={name: shortcut})

    def _ensure_labels(self, names: Iterable[str], colours=None, shortcuts=None) -> None:
        """Add the labels of ``names`` the project lacks, after the others, each with the first
        key 1-9 no label has (or the one given) and displaCy's or the palette's colour."""
        rows = self.conn.execute("SELECT name, shortcut, position FROM labels").fetchall()
        existing = {r[0] for r in rows}
        keys = {r[1] for r in rows}
        position = max((r[2] for r in rows), default=-1) + 1
        for name in names:
            if name in existing:
                continue
            colour = (colours or {}).get(name) or DISPLACY_COLOURS.get(name) or _PALETTE[position % len(_PALETTE)]
            shortcut = (shortcuts or {}).get(name) or next((k for k in "123456789" if k not in keys), None)
            keys.add(shortcut)
            self.conn.execute(
                "INSERT INTO labels (name, colour, shortcut, position) VALUES (?, ?, ?, ?)",
                (name, colour, shortcut, position),
            )
            existing.add(name)
            position += 1

    # ---- import --------------------------------------------------------------------
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
                        "INSERT INTO spans (doc_id, start, end, token_start, token_end, label, source)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(doc_id, s.start, s.end, s.token_start, s.token_end, s.label, s.source) for s in item.spans],
                    )
                    for s in item.spans:
                        labels[s.label] = None
                if item.rejections:
                    self.conn.executemany(
                        "INSERT OR IGNORE INTO rejections (doc_id, start, end, label) VALUES (?, ?, ?, ?)",
                        [(doc_id, s.start, s.end, s.label) for s in item.rejections])
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
            self.conn.execute("INSERT INTO documents_fts (rowid, text) SELECT id, text FROM documents WHERE id >= ?",
                              (first_new,))  # the search index, in one statement
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        report.committed = True
        report.labels = list(labels)
        return report

    # ---- reading -------------------------------------------------------------------
    def count(self, flt: Filter | None = None) -> int:
        where, args = _where(flt)
        return self.conn.execute(f"SELECT count(*) FROM documents d {where}", args).fetchone()[0]

    def counts_by_state(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for state, n in self.conn.execute("SELECT state, count(*) FROM documents GROUP BY state"):
            counts[state] = n
        return counts

    def counts_by_label(self, *, state: str | None = "accepted") -> dict[str, int]:
        """Number of spans per label, in documents of ``state`` (None: all documents)."""
        if state is None:
            rows = self.conn.execute("SELECT label, count(*) FROM spans GROUP BY label")
        else:
            rows = self.conn.execute(
                "SELECT s.label, count(*) FROM spans s JOIN documents d ON d.id = s.doc_id"
                " WHERE d.state = ? GROUP BY s.label", (state,))
        return dict(rows.fetchall())

    def doc_ids(self, flt: Filter | None = None) -> list[int]:
        """The ids of every document that passes the filter, in order (ints only, not texts)."""
        where, args = _where(flt)
        return [r[0] for r in self.conn.execute(f"SELECT id FROM documents d {where} ORDER BY id", args)]

    def page(self, flt: Filter | None = None, *, offset: int = 0, limit: int = 100, preview: int = 120):
        """Rows ``(id, state, first characters of the text)`` for one page of a list."""
        where, args = _where(flt)
        sql = f"SELECT id, state, substr(text, 1, ?) FROM documents d {where} ORDER BY id LIMIT ? OFFSET ?"
        return self.conn.execute(sql, (preview, *args, limit, offset)).fetchall()

    def previews(self, ids: list[int], *, preview: int = 120) -> dict[int, tuple[str, str]]:
        """``{id: (state, first characters)}`` for the given ids."""
        out: dict[int, tuple[str, str]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for doc_id, state, text in self.conn.execute(
                f"SELECT id, state, substr(text, 1, ?) FROM documents WHERE id IN ({marks})", (preview, *chunk)
            ):
                out[doc_id] = (state, text)
        return out

    def get_document(self, doc_id: int) -> Document:
        row = self.conn.execute("SELECT id, text, state, meta FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
        doc = Document(id=row[0], text=row[1], state=row[2], meta=json.loads(row[3]))
        doc.spans = [Span(start, end, label, source, ts, te) for start, end, ts, te, label, source in self.conn.execute(
            "SELECT start, end, token_start, token_end, label, source FROM spans WHERE doc_id = ? ORDER BY start, end",
            (doc_id,))]
        doc.suggestions = [Span(start, end, label, "model") for start, end, label in self.conn.execute(
            "SELECT start, end, label FROM suggestions WHERE doc_id = ? ORDER BY start, end", (doc_id,))]
        return doc

    def iter_documents(self, flt: Filter | None = None, *, batch: int = 500) -> Iterator[Document]:
        """Every document that passes the filter with its spans, fetched in batches."""
        last = 0
        where, args = _where(flt)
        joiner = "AND" if where else "WHERE"
        while True:
            rows = self.conn.execute(
                f"SELECT id FROM documents d {where} {joiner} d.id > ? ORDER BY id LIMIT ?", (*args, last, batch)
            ).fetchall()
            if not rows:
                return
            for (doc_id,) in rows:
                yield self.get_document(doc_id)
            last = rows[-1][0]

    def records(self, flt: Filter | None = None) -> Iterator[Record]:
        """Documents as Records, for exporters and the trainer."""
        for doc in self.iter_documents(flt):
            ihash = self.conn.execute("SELECT input_hash FROM documents WHERE id = ?", (doc.id,)).fetchone()[0]
            yield Record(text=doc.text, spans=list(doc.spans), state=doc.state, meta=doc.meta,
                         input_hash=ihash, line=doc.id)

    # ---- edits (one transaction each) -------------------------------------------------
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
        clash = self.conn.execute(
            "SELECT start, end, label FROM spans WHERE doc_id = ? AND start < ? AND end > ? LIMIT 1",
            (doc_id, span.end, span.start),
        ).fetchone()
        if clash:
            raise SpanError(Msg.SPAN_OVERLAPS.format(start=span.start, end=span.end, label=clash[2],
                                                     o_start=clash[0], o_end=clash[1]))
        self._ensure_labels([span.label])
        cur = self.conn.execute(
            "INSERT INTO spans (doc_id, start, end, token_start, token_end, label, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc_id, span.start, span.end, span.token_start, span.token_end, span.label, span.source),
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
            existing = self.conn.execute("SELECT start, end, label FROM spans WHERE doc_id = ?", (doc_id,)).fetchall()
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
            first = self.conn.execute("SELECT coalesce(max(id), 0) FROM spans").fetchone()[0] + 1
            self.conn.executemany(
                "INSERT INTO spans (id, doc_id, start, end, token_start, token_end, label, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(first + i, doc_id, s.start, s.end, s.token_start, s.token_end, s.label, s.source)
                 for i, s in enumerate(spans)])
            self._touch(doc_id)
            return list(range(first, first + len(spans)))

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
        self.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
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
            self.conn.execute("UPDATE spans SET label = ?, source = 'user' WHERE id = ?", (label, span_id))
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
        row = self.conn.execute(
            "SELECT id FROM spans WHERE doc_id = ? AND start = ? AND end = ?", (doc_id, start, end)).fetchone()
        return row[0] if row else None

    # ---- rejected predictions ----------------------------------------------------------
    def rejections(self, doc_id: int) -> set[tuple[int, int, str]]:
        """``(start, end, label)`` of the predictions rejected on a document."""
        return set(self.conn.execute("SELECT start, end, label FROM rejections WHERE doc_id = ?", (doc_id,)))

    def set_rejected(self, doc_id: int, start: int, end: int, label: str, rejected: bool = True) -> bool:
        """Record (or, with ``rejected=False``, forget) a rejected prediction; returns
        whether it was rejected before."""
        with self.transaction():
            key = (doc_id, start, end, label)
            was = self.conn.execute("SELECT 1 FROM rejections WHERE doc_id = ? AND start = ? AND end = ?"
                                    " AND label = ?", key).fetchone() is not None
            if rejected and not was:
                if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
                    raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
                self.conn.execute("INSERT INTO rejections (doc_id, start, end, label) VALUES (?, ?, ?, ?)", key)
            elif was and not rejected:
                self.conn.execute("DELETE FROM rejections WHERE doc_id = ? AND start = ? AND end = ?"
                                  " AND label = ?", key)
            return was

    def unaligned_spans(self, *, limit: int = 500) -> list[tuple[int, int]]:
        """``(span_id, doc_id)`` of spans with no token offsets (misaligned at import or
        marked in character mode), in document order."""
        return self.conn.execute(
            "SELECT id, doc_id FROM spans WHERE token_start IS NULL ORDER BY doc_id, start LIMIT ?", (limit,)
        ).fetchall()

    def _touch(self, doc_id: int) -> None:
        self.conn.execute("UPDATE documents SET updated = ? WHERE id = ?", (time.time(), doc_id))

    # ---- training runs ---------------------------------------------------------------
    def start_run(self, settings: dict[str, Any]) -> int:
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO runs (started, settings) VALUES (?, ?)", (time.time(), _dumps(settings)))
            return cur.lastrowid

    def finish_run(self, run_id: int, *, status: str, metrics: dict[str, Any], model_version: str | None = None) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished = ?, status = ?, metrics = ?, model_version = ? WHERE id = ?",
                (time.time(), status, _dumps(metrics), model_version, run_id),
            )

    def runs(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, started, finished, status, settings, metrics, model_version FROM runs ORDER BY id")
        return [
            {"id": r[0], "started": r[1], "finished": r[2], "status": r[3], "settings": json.loads(r[4]),
             "metrics": json.loads(r[5]), "model_version": r[6]}
            for r in rows
        ]

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


def _statements(script: str) -> Iterator[str]:
    """The statements of a script one by one (a trigger's body holds semicolons of its own)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                yield buffer
            buffer = ""
