"""The project store: a folder holding ``nergui.sqlite`` and ``models/``, or a PostgreSQL database.

A project is opened by its location: a folder (SQLite, the default: the standard library's
sqlite3 in WAL mode with foreign keys on) or a URL ``postgresql://HOST/DB?project=NAME``
(psycopg 3; see ``nergui.core.backends`` for how the two differ and where). Every user action
is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``: writers take turns), so a crash keeps
every acknowledged edit and never a half-done one. The schema has a version and forward
migrations (``store_schema``), the same for both backends. Listing, counting and filtering
are indexed queries that never load the corpus into memory.

``Project`` is put together from its parts: opening, transactions, settings, labels and
runs here; the queries in ``store_read``; imports and edits in ``store_edit``.

A ``Project`` object holds one connection and must be used from one thread; other
threads (the trainer, the previewer) open their own with ``Project.open(path)``.

No database error leaves this class: each public method translates it into a
``StoreError`` that says what to do (``nergui.core.store_errors``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import Msg, ProjectError
from .backends import LINK_NAME, is_url, linked_url
from .backends.sqlite import SQLiteBackend
from .store_edit import Editing, _dumps, input_hash  # noqa: F401 - input_hash: part of the store's API
from .store_errors import DB_NAME, guard_public_methods, translated
from .store_filter import Filter, _where  # noqa: F401 - Filter: part of the store's API
from .store_read import Document, Reading  # noqa: F401 - Document: part of the store's API
from .store_schema import _PALETTE, DISPLACY_COLOURS, MIGRATIONS, SCHEMA_VERSION

MODELS_DIR = "models"
BUSY_TIMEOUT_S = 30  # how long an action waits for another program's write to finish
ANNOTATOR_ENV = "NERGUI_ANNOTATOR"


def default_annotator() -> str | None:
    """This app's annotator name unless it is given one: $NERGUI_ANNOTATOR, else the user's login."""
    name = os.environ.get(ANNOTATOR_ENV)
    if name:
        return name
    try:
        import getpass

        return getpass.getuser() or None
    except Exception:  # noqa: BLE001 - no login name (some containers): nobody in particular
        return None


@guard_public_methods(skip=("transaction", "close"))
class Project(Reading, Editing):
    """A nergui project. Use ``Project.open`` or ``Project.create``.

    ``path`` is the project's folder: for a database project, its local folder (the link to
    the database and the cache of its models: ``nergui.core.backends``). ``location`` is what
    names it to the user and opens it again: the folder, or the URL.

    Every public method raises ``StoreError`` (a ``ProjectError``), never the database
    driver's error, when the database fails: busy, read-only, disk full or damaged, or
    (PostgreSQL) the server unreachable.
    """

    def __init__(self, path: Path, conn, backend=None):
        self.path = path
        self.conn = conn
        self.backend = backend if backend is not None else SQLiteBackend(path)
        self._depth = 0  # transactions open (an inner one joins the outer: see ``transaction``)
        self.annotator: str | None = default_annotator()  # who the spans and rejections made here are by

    @property
    def location(self) -> str:
        return self.backend.location

    @property
    def name(self) -> str:
        """The project's name: its folder's, or the ``project`` of its URL."""
        loc = getattr(self.backend, "loc", None)
        return loc.project if loc is not None else self.path.name

    # ---- opening -------------------------------------------------------------------
    @classmethod
    def create(cls, location: str | os.PathLike) -> "Project":
        """Create a project (a folder, or a project in a database) or open it if it exists."""
        if is_url(location):
            return cls._open_database(location, create=True)
        path = Path(location)
        if path.exists() and not path.is_dir():
            raise ProjectError(Msg.NOT_A_FOLDER.format(path=path))
        if linked_url(path):
            return cls._open_database(linked_url(path), create=True)
        try:
            path.mkdir(parents=True, exist_ok=True)
            (path / MODELS_DIR).mkdir(exist_ok=True)
        except PermissionError:
            raise ProjectError(Msg.READ_ONLY.format(path=path)) from None
        return cls.open(path, _create=True)

    @classmethod
    def open(cls, location: str | os.PathLike, *, _create: bool = False) -> "Project":
        """Open an existing project (a folder or a URL), migrating its schema if it is older."""
        if is_url(location):
            return cls._open_database(location, create=_create)
        path = Path(location)
        db = path / DB_NAME
        if not db.exists() and (path / LINK_NAME).exists():  # a database project's local folder
            return cls._open_database(linked_url(path) or "", create=_create)
        if not _create and not db.exists():
            raise ProjectError(Msg.NOT_A_PROJECT.format(path=path))
        if not os.access(path, os.W_OK):
            raise ProjectError(Msg.READ_ONLY.format(path=path))
        if db.exists() and not os.access(db, os.W_OK):  # sqlite would open it read-only, silently
            raise ProjectError(Msg.DB_READ_ONLY.format(path=db))
        backend = SQLiteBackend(path)
        return cls._connected(path, backend, lambda: backend.connect(BUSY_TIMEOUT_S))

    @classmethod
    def _open_database(cls, url: str, *, create: bool) -> "Project":
        from .backends import postgres

        loc = postgres.parse_url(url)
        postgres.require_driver(loc.url)
        backend = postgres.PostgresBackend(loc)
        folder = loc.folder

        def connect():
            conn = backend.connect(BUSY_TIMEOUT_S)
            try:
                if not backend.exists(conn):
                    if not create:
                        raise ProjectError(Msg.PG_NOT_A_PROJECT.format(url=loc.url, project=loc.project))
                    backend.create(conn)
            except BaseException:
                conn.close()
                raise
            return conn

        (folder / MODELS_DIR).mkdir(parents=True, exist_ok=True)
        if linked_url(folder) != loc.url:  # (first) errors name the URL from here on
            (folder / LINK_NAME).write_text(loc.url + "\n", encoding="utf-8")
        project = cls._connected(folder, backend, connect)
        if not os.environ.get(ANNOTATOR_ENV):  # the database user: what its row-level policies check
            project.annotator = project.conn.user
        return project

    @classmethod
    def _connected(cls, path: Path, backend, connect) -> "Project":
        conn = None
        try:
            with translated(path):
                conn = connect()
                project = cls(path, conn, backend)
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
        backend = self.backend
        version = backend.schema_version(self.conn)
        if version > SCHEMA_VERSION:
            raise ProjectError(Msg.DB_NEWER.format(path=self.location, found=version, supported=SCHEMA_VERSION))
        if version == 0 and backend.holds_other_tables(self.conn):
            # A fresh file must be empty; anything else is not ours.
            raise ProjectError(Msg.DB_CORRUPT.format(path=self.path / DB_NAME, detail="unknown tables, schema version 0"))
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                if backend.schema_version(self.conn) >= target:  # another program migrated it meanwhile
                    continue
                for statement in backend.statements(MIGRATIONS[target]):
                    self.conn.execute(statement)
                backend.set_schema_version(self.conn, target)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One user action: everything inside commits together or not at all.

        Raises ``StoreError`` if the database refuses (another program holds the write lock
        longer than ``BUSY_TIMEOUT_S``, read-only, disk full, damaged, unreachable), from the
        ``BEGIN``, the statements inside or the ``COMMIT``; then nothing of the block is kept.

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
        """Roll back the open transaction, if the database has not already (SQLite does on
        some errors, e.g. a full disk); a failure here must not hide the error that led to it."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except Exception:
                pass

    @property
    def models_dir(self) -> Path:
        return self.path / MODELS_DIR

    def model_store(self):
        """The project's model versions (``pipeline.ModelStore``; in the database for a
        database project, with a local cache in ``models_dir``)."""
        from .pipeline import ModelStore

        return ModelStore(self.models_dir)

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
        return self.backend.integrity_check(self.conn)
