"""Where a project's store lives: a folder (SQLite, the default) or a PostgreSQL database.

A project is named by a *location*: a folder path, or a URL
``postgresql://[USER@]HOST[:PORT]/DATABASE?project=NAME[&sslmode=...]``. Everything the
two backends do differently is in this package, each in one module:

- ``sqlite.py``: the folder's ``nergui.sqlite`` through the standard library, exactly as
  before there were two backends (the store's statements run on the raw connection).
- ``postgres.py``: psycopg 3 (imported only when a URL is opened: the single-user app
  needs no server and no driver). Its connection translates the store's statements
  (placeholders, upserts, new ids, the quoted ``end`` column, LIKE's case) once per
  statement text, takes the project's write lock at ``BEGIN IMMEDIATE``, and turns the
  schema's statements into PostgreSQL's.

Several projects share one database, each in its own schema (``nergui_NAME``): the store's
statements stay the same for both backends (no ``project`` column in every query and
index), a project is dropped or backed up as one schema, and database roles and
row-level security can be granted per project.

A database project also has a local folder (``link_folder``): it holds ``nergui.link`` (the
URL, never a password) and ``models/``, a cache of the model versions kept in the
database. ``Project.path`` is that folder, so whatever passes a project's path around (the
training and learner processes, the window's remembered state) works unchanged; opening
the folder opens the database project it links to.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

LINK_NAME = "nergui.link"  # in a database project's local folder: its URL
URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(location) -> bool:
    """Whether a project location is a database URL (not a folder)."""
    return isinstance(location, str) and location.lower().startswith(URL_SCHEMES)


def linked_url(folder: str | os.PathLike) -> str | None:
    """The URL a database project's local folder links to, or None for any other folder."""
    try:
        return (Path(folder) / LINK_NAME).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def is_project(location) -> bool:
    """Whether a location may be opened as a project without creating one: a folder with
    ``nergui.sqlite`` or a link, or a database URL (checked when opened, not here: this is
    asked for lists of recent projects, which must not wait for a server)."""
    if is_url(location):
        return True
    folder = Path(location)
    return (folder / "nergui.sqlite").exists() or (folder / LINK_NAME).exists()


def cache_root() -> Path:
    """Where nergui keeps local copies (the database projects' folders and models)."""
    env = os.environ.get("NERGUI_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nergui"


def link_folder(url: str, project: str) -> Path:
    """The local folder of a database project (the same for every process on this machine)."""
    host = re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://", 1)[1].split("/", 1)[0])[:40]
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return cache_root() / "projects" / f"{project}@{host}-{digest}"
