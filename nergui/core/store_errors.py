"""SQLite errors on a project's database, translated once, at the store's boundary.

Every public method of ``Project`` (``nergui.core.store``) runs inside ``translated``: an
``sqlite3`` error becomes a ``StoreError`` whose message says what happened (another
program is writing, the file is read-only, the disk is full, the file is damaged) and what
to do. Callers (the CLI, the app's slots, the trainer) catch ``NerguiError`` and never see
``sqlite3``.

Misuse of the connection (``sqlite3.ProgrammingError``, ``InterfaceError``: a closed
connection, wrong parameters) is a bug in nergui, not a state of the database, and is not
translated: calling it "damaged" would send the user to restore a backup for nothing.

A project in a PostgreSQL database gets the same treatment: ``store_error`` hands psycopg's
errors to ``backends.postgres.store_error`` (only once psycopg has been imported, which only
opening such a project does).
"""

from __future__ import annotations

import functools
import inspect
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Msg, StoreError

DB_NAME = "nergui.sqlite"


def db_error(project_path: str | os.PathLike, err: sqlite3.Error) -> StoreError:
    """The message for an SQLite error on a project's database: read-only, busy, disk full
    or (anything else) damaged."""
    db = Path(project_path) / DB_NAME
    text = str(err).lower()
    if "readonly" in text or "read-only" in text:
        return StoreError(Msg.DB_READ_ONLY.format(path=db))
    if "locked" in text or "busy" in text:
        return StoreError(Msg.DB_BUSY.format(path=Path(project_path)))
    if "full" in text:
        return StoreError(Msg.DB_FULL.format(path=db))
    return StoreError(Msg.DB_CORRUPT.format(path=db, detail=err))


def _misuse(err: sqlite3.Error) -> bool:
    """Whether the error is a bug in how the connection is used (see the module's docstring)."""
    return isinstance(err, (sqlite3.ProgrammingError, sqlite3.InterfaceError))


def store_error(project_path: str | os.PathLike, err: BaseException) -> StoreError | None:
    """The ``StoreError`` for a database error on a project (SQLite or PostgreSQL), or None
    if ``err`` is not one (or is a misuse of the connection: a bug, raised as it is)."""
    if isinstance(err, sqlite3.Error):
        return None if _misuse(err) else db_error(project_path, err)
    if "psycopg" in sys.modules:
        from .backends import postgres

        return postgres.store_error(project_path, err)
    return None


@contextmanager
def translated(project_path: str | os.PathLike) -> Iterator[None]:
    """Run a block on a project's database; a database error in it raises ``store_error``."""
    try:
        yield
    except Exception as err:
        translated_err = store_error(project_path, err)
        if translated_err is None:
            raise
        raise translated_err from err


def _guard(method):
    if inspect.isgeneratorfunction(method):  # the error comes while the caller iterates
        @functools.wraps(method)
        def generator(self, *args, **kwargs):
            with translated(self.path):
                yield from method(self, *args, **kwargs)
        return generator

    @functools.wraps(method)
    def call(self, *args, **kwargs):  # not ``translated``: that added ~4.5 us to a 6 us query, this ~1 us
        try:
            return method(self, *args, **kwargs)
        except Exception as err:
            translated_err = store_error(self.path, err)
            if translated_err is None:
                raise
            raise translated_err from err
    return call


def guard_public_methods(*, skip: tuple[str, ...] = ()):
    """A class decorator: every public method (a name without a leading underscore) of the
    class, except those in ``skip``, runs inside ``translated(self.path)``. Methods added
    later are covered without anyone remembering to; class methods and properties are not
    touched (``Project.open`` translates its own errors)."""
    def decorate(cls):
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and name not in skip and inspect.isfunction(value):
                setattr(cls, name, _guard(value))
        return cls
    return decorate
