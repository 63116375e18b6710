"""``nergui migrate FOLDER URL``: move a project folder into a PostgreSQL database.

Everything goes, under the same ids: documents, spans, rejected predictions, suggestions,
labels, settings, training runs (every table of the folder's database, so a table a later
schema version adds goes too) and every model version with the pointer to the current one.
It is one transaction on the server: the schema is made and migrated, the rows copied
(``COPY``), the versions archived, and the rows of each table counted on both sides; if a
count differs, or anything fails, nothing is left in the database. The folder is only
read (opening it migrates an older schema first, as opening it in the app would).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import Msg, ProjectError
from .backends import LINK_NAME, is_url
from .store import BUSY_TIMEOUT_S, SCHEMA_VERSION, Project
from .store_errors import translated
from .store_schema import MIGRATIONS

# the tables of an FTS5 index are SQLite's own: PostgreSQL's index is made by the migrations
_SKIP = ("sqlite_", "documents_fts")


def _q(name: str) -> str:
    """A table's name quoted for SQLite (the names come from the folder's file)."""
    return '"' + name.replace('"', '""') + '"'


def _tables(source: Project) -> list[str]:
    """The folder database's tables, each after the tables it refers to."""
    names = [r[0] for r in source.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
             if not r[0].startswith(_SKIP)]
    needs = {t: {r[2] for r in source.conn.execute(f"PRAGMA foreign_key_list({_q(t)})")} - {t} for t in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [t for t in names if t not in ordered and needs[t] <= set(ordered)]
        if not ready:  # a cycle: never in nergui's schema
            ready = [t for t in names if t not in ordered]
        ordered += ready
    return ordered


def migrate(folder: str | os.PathLike, url: str, *, say=print) -> dict[str, int]:
    """Move the project in ``folder`` to the database project at ``url``; returns the counts.

    Raises ProjectError if ``folder`` is not a project folder, ``url`` not a project URL,
    the database already holds a project of that name, or the counts differ afterwards (then
    nothing was written: the transaction is rolled back).
    """
    from .backends import postgres
    from .pipeline import ModelStore

    if is_url(folder) or (Path(folder) / LINK_NAME).exists():
        raise ProjectError(Msg.MIGRATE_SOURCE_NOT_FOLDER.format(source=folder))
    if not is_url(url):
        raise ProjectError(Msg.MIGRATE_TARGET_NOT_URL.format(target=url))
    loc = postgres.parse_url(url)
    postgres.require_driver(loc.url)
    backend = postgres.PostgresBackend(loc)
    with Project.open(folder) as source:
        tables = _tables(source)
        store = ModelStore(source.models_dir)
        versions = store.versions()
        current = store.current_name()
        conn = None
        try:
            with translated(loc.url):  # a refusal (a row the server will not take) says so, and what it was
                conn = backend.connect(BUSY_TIMEOUT_S)
                counts = _copy(source, backend, conn, loc, tables, versions, current)
        except BaseException:
            if conn is not None and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            if conn is not None:
                conn.close()
    for table, n in counts.items():
        say(f"  {table}: {n:,} (counted on both sides)")
    return counts


def _copy(source: Project, backend, conn, loc, tables, versions, current) -> dict[str, int]:
    """Make the project in the database and copy everything into it, in one transaction."""
    from psycopg import sql

    from .model_db import pack

    if backend.exists(conn):
        raise ProjectError(Msg.MIGRATE_TARGET_EXISTS.format(url=loc.url, project=loc.project))
    raw = conn.raw
    conn.execute("BEGIN IMMEDIATE")
    backend.create_in_transaction(conn)
    if backend.exists(conn) and backend.schema_version(conn) != 0:  # made meanwhile by another program
        raise ProjectError(Msg.MIGRATE_TARGET_EXISTS.format(url=loc.url, project=loc.project))
    for target in range(1, SCHEMA_VERSION + 1):
        for statement in backend.statements(MIGRATIONS[target]):
            conn.execute(statement)
    backend.set_schema_version(conn, SCHEMA_VERSION)
    counts: dict[str, int] = {}
    for table in tables:
        cols = [r[1] for r in source.conn.execute(f"PRAGMA table_info({_q(table)})")]
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, cols)))
        with raw.cursor().copy(copy) as out:
            for row in source.conn.execute(f"SELECT * FROM {_q(table)}"):
                out.write_row(row)
        counts[table] = source.conn.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0]
    for v in versions:
        raw.execute("INSERT INTO model_versions (name, created, info, archive) VALUES (%s, %s, %s, %s)",
                    (v.name, v.created, json.dumps(v.info, ensure_ascii=False), pack(v.path)))
    if current:
        raw.execute("INSERT INTO model_current (one, name) VALUES (TRUE, %s)", (current,))
    counts["model versions"] = len(versions)
    found = {t: raw.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
             for t in tables}
    found["model versions"] = raw.execute("SELECT count(*) FROM model_versions").fetchone()[0]
    if found != counts:
        detail = ", ".join(f"{k} {counts[k]} here, {found.get(k)} there" for k in counts
                           if counts[k] != found.get(k))
        raise ProjectError(Msg.MIGRATE_COUNTS_DIFFER.format(url=loc.url, detail=detail))
    conn.execute("COMMIT")
    return counts
