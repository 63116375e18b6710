"""A project folder's ``nergui.sqlite``: the standard library's sqlite3, the default backend.

The store's statements are SQLite's own and run on the raw ``sqlite3.Connection``, so a
single-user project does exactly what it did before there were two backends. WAL mode,
foreign keys on, ``synchronous=FULL``; the schema's version is ``PRAGMA user_version``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

DB_NAME = "nergui.sqlite"


class SQLiteBackend:
    dialect = "sqlite"
    # routing (core/routing.py): the write lock makes apps take turns; no row locks
    begin_row_locks = "BEGIN IMMEDIATE"
    skip_locked = ""

    def __init__(self, folder: Path):
        self.folder = folder

    @property
    def location(self) -> str:
        return str(self.folder)

    def connect(self, busy_timeout_s: float) -> sqlite3.Connection:
        conn = sqlite3.connect(self.folder / DB_NAME, isolation_level=None, timeout=busy_timeout_s,
                               check_same_thread=True)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            # FULL: a commit is on disk before it is acknowledged, even across a power cut
            # (NORMAL in WAL mode survives an application crash but may lose the last
            # commits on power loss). One fsync per user edit is invisible to the user.
            conn.execute("PRAGMA synchronous=FULL")
        except BaseException:
            conn.close()
            raise
        return conn

    def schema_version(self, conn: sqlite3.Connection) -> int:
        return conn.execute("PRAGMA user_version").fetchone()[0]

    def set_schema_version(self, conn: sqlite3.Connection, version: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(version)}")

    def holds_other_tables(self, conn: sqlite3.Connection) -> bool:
        """Whether a file of schema version 0 holds anything (then it is not ours)."""
        return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0

    def statements(self, entry) -> Iterable[str]:
        from ..store_schema import Dialects, statements

        if isinstance(entry, Dialects):
            yield from entry.sqlite
            return
        yield from statements(entry)

    def index_new_documents(self, conn: sqlite3.Connection, first_id: int) -> None:
        """Add the documents from ``first_id`` on to the search index, in one statement (a
        trigger per row made an import of 100,000 documents 5x slower)."""
        conn.execute("INSERT INTO documents_fts (rowid, text) SELECT id, text FROM documents WHERE id >= ?",
                     (first_id,))

    def new_ids(self, conn: sqlite3.Connection, table: str, n: int) -> range:
        """``n`` ids no row of ``table`` has, for rows inserted together (under the write lock)."""
        first = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0] + 1
        return range(first, first + n)

    def integrity_check(self, conn: sqlite3.Connection) -> str:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
