"""A project in a PostgreSQL database, through psycopg 3: everything that differs from SQLite.

The store (``nergui.core.store``) writes its statements once, in SQLite's words. This
module's ``PgConnection`` has the same ``execute`` / ``executemany`` / ``in_transaction`` /
``close`` as ``sqlite3.Connection`` and translates each statement text once (cached):

- ``?`` placeholders become ``%s`` (and a literal ``%`` becomes ``%%``);
- the column ``end`` (a reserved word here) is quoted;
- ``LIKE`` becomes ``ILIKE`` (SQLite's LIKE ignores case);
- ``INSERT OR IGNORE`` becomes ``... ON CONFLICT DO NOTHING`` and ``INSERT OR REPLACE`` an
  upsert on the table's key;
- an ``INSERT`` into a table with an ``id`` gets ``RETURNING id``, which the cursor keeps
  as ``lastrowid``;
- ``BEGIN IMMEDIATE`` (SQLite's "take the write lock now") becomes ``BEGIN`` plus the
  project's transaction-level advisory lock: writers to one project take turns, exactly
  as with SQLite, so what a transaction reads before it writes (the next free key, the
  labels a span needs) is still true when it commits. Waiting longer than the store's
  busy timeout (``lock_timeout``) is the same "busy" message as SQLite's.

Schema statements (``nergui.core.store_schema``) are translated by ``ddl``: an ``id INTEGER
PRIMARY KEY`` gets a trigger giving a row without an id the largest + 1, as SQLite does
(so undo and redo give rows the same ids on both), ``REAL`` becomes double precision,
``WITHOUT ROWID`` nothing. A statement that cannot
be said the same way in both is a ``Dialects`` entry of the schema.

Autocommit outside ``BEGIN``; a connection the server dropped (a restart) is replaced at
the next statement outside a transaction, so an app survives a server restart.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...errors import Msg, ProjectError, StoreError
from . import LINK_NAME, link_folder, linked_url

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.pq import TransactionStatus
except ImportError:  # pragma: no cover - the single-user app does not need it
    psycopg = None

PROJECT_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")
SCHEMA_PREFIX = "nergui_"
LOCK_CLASS = 0x6E67  # the first key of nergui's advisory locks ("ng"); the second is the project's
CONNECT_TIMEOUT_S = 10


@functools.lru_cache(maxsize=1)
def id_tables() -> frozenset[str]:
    """The schema's tables with an ``id INTEGER PRIMARY KEY``, whose new id an insert returns
    (``cursor.lastrowid``): found in the migrations, so a table a later version adds is one."""
    from ..store_schema import MIGRATIONS

    scripts = [m for m in MIGRATIONS.values() if isinstance(m, str)]
    return frozenset(re.findall(r"CREATE TABLE (\w+) \(\s*id INTEGER PRIMARY KEY", "\n".join(scripts)))

# the key ``INSERT OR REPLACE`` replaces on, per table
KEYS = {"settings": ("key",), "labels": ("name",), "assignments": ("doc_id", "annotator")}


# ---- locations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PgLocation:
    url: str  # as given, minus any password: what is shown, remembered and linked
    conninfo: str  # what libpq is given: the URL without ``project``
    project: str

    @property
    def schema(self) -> str:
        return SCHEMA_PREFIX + self.project

    @property
    def lock_key(self) -> int:
        """The project's advisory lock (with ``LOCK_CLASS``): a signed 32-bit hash of its schema."""
        return int.from_bytes(hashlib.blake2b(self.schema.encode(), digest_size=4).digest(), "big", signed=True)

    @property
    def folder(self) -> Path:
        return link_folder(self.url, self.project)


def parse_url(url: str) -> PgLocation:
    """Check a project URL (``postgresql://[USER@]HOST[:PORT]/DB?project=NAME[&sslmode=...]``).

    Every query parameter but ``project`` goes to libpq as it is (``sslmode``,
    ``sslrootcert``, ``service``, ``connect_timeout`` ...). A password in the URL is refused:
    the URL is remembered in plain text (recent projects, the local folder's link).
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as err:
        raise ProjectError(Msg.PG_URL_BAD.format(url=url, why=err)) from None
    if password is not None:
        shown = url.replace(":" + password + "@", ":***@", 1)
        raise ProjectError(Msg.PG_URL_PASSWORD.format(url=shown))
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [v for k, v in query if k == "project"]
    if len(names) != 1:
        raise ProjectError(Msg.PG_URL_BAD.format(url=url, why="give the project's name once: ?project=NAME"))
    if not PROJECT_NAME.fullmatch(names[0]):
        raise ProjectError(Msg.PG_URL_BAD.format(url=url, why=f"{names[0]!r} is not a project name"))
    rest = urlencode([(k, v) for k, v in query if k != "project"])
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, rest, ""))
    return PgLocation(url=url, conninfo=conninfo, project=names[0])


def require_driver(url: str) -> None:
    if psycopg is None:
        raise ProjectError(Msg.PG_NO_DRIVER.format(url=url))


# ---- statements ----------------------------------------------------------------------------
_END = re.compile(r'(?<![\w"])end(?![\w"])')
_LIKE = re.compile(r"\bLIKE\b")
_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.I)
_INSERT_ID = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\b", re.I)


def _outside_literals(sql: str, fix) -> str:
    """Apply ``fix`` to the parts of ``sql`` outside '...' literals ('' inside one splits
    it into two literals around an empty outside part, which is harmless)."""
    parts = sql.split("'")
    return "'".join(fix(p) if i % 2 == 0 else p for i, p in enumerate(parts))


@functools.lru_cache(maxsize=4096)
def translate(sql: str, has_params: bool, returning: bool) -> tuple[str, bool]:
    """A store statement in PostgreSQL's words; and whether it returns the new row's id."""
    if has_params:
        sql = sql.replace("%", "%%")

    def fix(part: str) -> str:
        part = _END.sub('"end"', part)
        part = _LIKE.sub("ILIKE", part)
        return part.replace("?", "%s") if has_params else part

    text = _outside_literals(sql, fix).strip().rstrip(";")
    tail = ""
    m = _INSERT_OR.match(text)
    if m:
        how, table, cols = m.group(1).upper(), m.group(2), m.group(3)
        text = f"INSERT INTO {table} ({cols})" + text[m.end():]
        if how == "IGNORE":
            tail = " ON CONFLICT DO NOTHING"
        else:
            key = KEYS.get(table)
            if key is None:  # a bug: say which table needs its key here
                raise ValueError(f"INSERT OR REPLACE INTO {table}: add the table's key to backends.postgres.KEYS")
            others = [c.strip() for c in cols.split(",") if c.strip() not in key]
            tail = f" ON CONFLICT ({', '.join(key)}) DO " + (
                "UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in others) if others else "NOTHING")
    gives_id = False
    m = _INSERT_ID.match(text)
    if returning and m and m.group(1) in id_tables():
        tail += " RETURNING id"
        gives_id = True
    return text + tail, gives_id


_CREATE_TABLE = re.compile(r"^\s*CREATE TABLE (\w+)", re.I)
_INT_PK = re.compile(r"\bid INTEGER PRIMARY KEY\b")


def _next_id(table: str) -> list[str]:
    """SQLite's ``INTEGER PRIMARY KEY``: a row inserted without an id (or with NULL) gets the
    largest id + 1. Writers hold the project's lock (``BEGIN IMMEDIATE``), so no two take the
    same; undo and redo give a span back the id it had, on both backends."""
    return [
        f"CREATE FUNCTION nergui_next_{table}_id() RETURNS trigger LANGUAGE plpgsql"
        f" SET search_path FROM CURRENT AS $$ BEGIN"
        f" SELECT coalesce(max(id), 0) + 1 INTO NEW.id FROM {table}; RETURN NEW; END $$",
        f"CREATE TRIGGER {table}_next_id BEFORE INSERT ON {table} FOR EACH ROW WHEN (NEW.id IS NULL)"
        f" EXECUTE FUNCTION nergui_next_{table}_id()",
    ]


def ddl(statement: str) -> list[str]:
    """A schema statement of ``store_schema`` in PostgreSQL's words (maybe several)."""

    def fix(part: str) -> str:
        part = _END.sub('"end"', part)
        part = re.sub(r"\bREAL\b", "DOUBLE PRECISION", part)
        return re.sub(r"\)\s*WITHOUT ROWID", ")", part)

    text = _outside_literals(statement, fix).strip().rstrip(";")
    table = _CREATE_TABLE.match(text)
    if table and _INT_PK.search(text):
        return [text, *_next_id(table.group(1))]
    return [text]


# ---- the connection ---------------------------------------------------------------------------
if psycopg is not None:
    class _Cursor(psycopg.Cursor):
        lastrowid: int | None = None


class PgConnection:
    """A psycopg connection that takes the store's SQLite statements (see the module's docstring)."""

    def __init__(self, loc: PgLocation, *, busy_timeout_s: float):
        self.loc = loc
        self.busy_timeout_s = busy_timeout_s
        self._conn = None
        self._connect()

    def _connect(self) -> None:
        from psycopg import sql

        conn = psycopg.connect(self.loc.conninfo, autocommit=True, cursor_factory=_Cursor,
                               connect_timeout=int(os.environ.get("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT_S)),
                               application_name="nergui")
        try:
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.loc.schema)))
            conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(f"{int(self.busy_timeout_s * 1000)}ms")))
            self.user = conn.execute("SELECT current_user").fetchone()[0]
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    @property
    def raw(self):
        """The psycopg connection (for what only PostgreSQL has: LISTEN, COPY)."""
        self._revive()
        return self._conn

    def _revive(self) -> None:
        """A connection the server dropped (restarted, or killed it) is replaced, outside a transaction."""
        if self._conn.broken:
            self._conn.close()
            self._connect()

    def execute(self, sql: str, params=()):
        if self._conn.closed and not self._conn.broken:  # closed by ``close``: a bug in the caller, as with sqlite3
            raise psycopg.InterfaceError("the project's connection is closed")
        if sql == "BEGIN IMMEDIATE":
            return self._retried(self._begin)
        text, gives_id = translate(sql, bool(params), True)
        if self._conn.info.transaction_status == TransactionStatus.IDLE and text.lstrip()[:6].upper() == "SELECT":
            cur = self._retried(lambda: self._conn.execute(text, params or None))
        else:
            cur = self._conn.execute(text, params or None)
        if gives_id:
            row = cur.fetchone()
            cur.lastrowid = row[0] if row else None
        return cur

    def executemany(self, sql: str, seq: Iterable):
        text, _ = translate(sql, True, False)
        cur = self._conn.cursor()
        cur.executemany(text, list(seq))
        return cur

    def _retried(self, action):
        """Run ``action`` (a read outside a transaction, or BEGIN: nothing done yet); if the
        server dropped the connection (a restart), once more on a new connection."""
        self._revive()
        try:
            return action()
        except psycopg.OperationalError:
            if not self._conn.broken:
                raise
        self._revive()
        return action()

    def _begin(self):
        self._conn.execute("BEGIN")
        try:
            return self._conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, self.loc.lock_key))
        except BaseException:
            if not self._conn.broken:
                self._conn.execute("ROLLBACK")
            raise

    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR,
                                                      TransactionStatus.ACTIVE)

    def close(self) -> None:
        self._conn.close()


# ---- the backend ---------------------------------------------------------------------------
ADAPTER_TABLES = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS model_versions (
    name TEXT PRIMARY KEY,
    created DOUBLE PRECISION NOT NULL,
    info TEXT NOT NULL DEFAULT '{}',
    archive BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS model_current (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    name TEXT NOT NULL REFERENCES model_versions (name)
)
"""


class PostgresBackend:
    """A project as one schema of a PostgreSQL database (``nergui_NAME``)."""

    dialect = "postgres"
    # routing (core/routing.py): no project lock; the candidate rows are locked, skipping
    # those another app holds, so apps asking at once do not wait for each other
    begin_row_locks = "BEGIN"
    skip_locked = " FOR UPDATE OF d SKIP LOCKED"

    def __init__(self, loc: PgLocation):
        self.loc = loc

    @property
    def location(self) -> str:
        return self.loc.url

    def connect(self, busy_timeout_s: float) -> PgConnection:
        require_driver(self.loc.url)
        return PgConnection(self.loc, busy_timeout_s=busy_timeout_s)

    def exists(self, conn: PgConnection) -> bool:
        row = conn.raw.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_version'", (self.loc.schema,)
        ).fetchone()
        return row is not None

    def create(self, conn: PgConnection) -> None:
        """Make the project's schema and the adapter's own tables (its version, the model
        versions), if they are not there yet: in one transaction under the project's lock."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            self.create_in_transaction(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def create_in_transaction(self, conn: PgConnection) -> None:
        """``create``'s statements, inside the caller's transaction (``nergui migrate``)."""
        from psycopg import sql

        conn.raw.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.loc.schema)))
        for statement in ADAPTER_TABLES.split(";"):
            conn.raw.execute(statement)
        if conn.raw.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 0:
            conn.raw.execute("INSERT INTO schema_version (version) VALUES (0)")

    def drop(self, conn: PgConnection) -> None:
        from psycopg import sql

        conn.raw.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.loc.schema)))

    def schema_version(self, conn: PgConnection) -> int:
        return conn.raw.execute("SELECT version FROM schema_version").fetchone()[0]

    def set_schema_version(self, conn: PgConnection, version: int) -> None:
        conn.raw.execute("UPDATE schema_version SET version = %s", (version,))
        from . import pg_roles

        if pg_roles.given(conn.raw, self.loc):  # roles given before: extended to what the migration made
            pg_roles.enable(conn.raw, self.loc)

    def holds_other_tables(self, conn: PgConnection) -> bool:
        return False  # the schema is made by ``create`` and named for nergui

    def statements(self, entry) -> Iterable[str]:
        from ..store_schema import Dialects, statements

        if isinstance(entry, Dialects):
            yield from entry.postgres
            return
        for statement in statements(entry):
            yield from ddl(statement)

    def index_new_documents(self, conn: PgConnection, first_id: int) -> None:
        """Nothing to do: the search index is an expression index PostgreSQL keeps up to date."""

    def new_ids(self, conn: PgConnection, table: str, n: int) -> range:
        """``n`` ids no row of ``table`` has (as SQLite's: under the project's write lock)."""
        first = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0] + 1
        return range(first, first + n)

    def integrity_check(self, conn: PgConnection) -> str:
        conn.execute("SELECT count(*) FROM documents").fetchone()  # the server keeps its own checks
        return "ok"


def store_error(project_path, err: BaseException) -> StoreError | None:
    """The ``StoreError`` for a psycopg error on a project, or None (not one, or a bug:
    wrong SQL or misuse of the connection, raised as it is)."""
    if psycopg is None or not isinstance(err, psycopg.Error):
        return None
    url = linked_url(project_path) if Path(project_path, LINK_NAME).exists() else str(project_path)
    detail = " ".join(str(err).split())[:300]
    state = err.sqlstate or ""
    if isinstance(err, pg_errors.LockNotAvailable):
        from ..store import BUSY_TIMEOUT_S

        return StoreError(Msg.PG_BUSY.format(url=url, seconds=BUSY_TIMEOUT_S))
    if isinstance(err, (pg_errors.InsufficientPrivilege, pg_errors.ReadOnlySqlTransaction)):
        return StoreError(Msg.PG_NOT_ALLOWED.format(url=url, detail=detail))
    if isinstance(err, psycopg.InterfaceError) or (
            isinstance(err, psycopg.ProgrammingError) and not state.startswith("3F")):
        return None
    if isinstance(err, pg_errors.DiskFull):
        return StoreError(Msg.PG_FULL.format(url=url))
    if isinstance(err, psycopg.OperationalError) and (not state or state.startswith(("08", "57P"))):
        return StoreError(Msg.PG_UNREACHABLE.format(url=url, detail=detail))
    return StoreError(Msg.PG_REFUSED.format(url=url, detail=detail))


@contextmanager
def _connected(url: str) -> Iterator[tuple[PgLocation, PostgresBackend, object]]:
    """``(location, backend, connection)`` for one short task on the project of ``url``;
    a database error in it raises ``StoreError``, and the connection is closed after."""
    from ..store import BUSY_TIMEOUT_S
    from ..store_errors import translated

    loc = parse_url(url)
    require_driver(loc.url)
    backend = PostgresBackend(loc)
    with translated(loc.url):
        conn = backend.connect(BUSY_TIMEOUT_S)
        try:
            yield loc, backend, conn
        finally:
            conn.close()


def project_exists(url: str) -> bool:
    """Whether the database holds the project of ``url`` (raises ``StoreError`` if unreachable)."""
    with _connected(url) as (_loc, backend, conn):
        return backend.exists(conn)


def drop_project(url: str) -> None:
    """Remove a database project: its schema (every row and model version) and its local folder."""
    import shutil

    with _connected(url) as (loc, backend, conn):
        backend.drop(conn)
    shutil.rmtree(loc.folder, ignore_errors=True)
