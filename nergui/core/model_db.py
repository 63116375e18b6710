"""Model versions of a database project, kept in the database so every annotator's app uses
the same current model without a shared file system.

``DbModelStore`` is the ``pipeline.ModelStore`` of a project in PostgreSQL: ``ModelStore(
project.models_dir)`` gives one when that folder belongs to a database project's local
folder (``nergui.core.backends``), so every caller works unchanged. A version is the folder
``nlp.to_disk`` writes, as an uncompressed tar archive in ``model_versions.archive`` (nothing
here unpickles: the archive is extracted with tarfile's "data" filter and loaded with
``spacy.load`` like any version); ``model_current`` names the current one. The project's
``models/`` folder is a cache: a version is extracted there the first time it is needed
(to a hidden sibling, then renamed), and ``models/CURRENT`` mirrors the database's pointer,
so a file watcher on the folder sees a new current model.

Saving is one transaction: the new version's row and the pointer to it are committed
together or not at all (write-aside-then-swap, as the folder store's rename then replace),
under the project's model lock so two saves never take the same name. Each change sends
``NOTIFY nergui_models`` with the project's schema, for the apps that listen
(``nergui.core.model_watch``), which then ``sync`` their cache.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import srsly

from ..errors import Msg, PipelineError
from .backends import linked_url
from .backends import postgres
from .events import ModelVersion
from .pipeline import CURRENT, NERGUI_META, ModelStore, _fsync_tree
from .store_errors import translated

CHANNEL = "nergui_models"
MODEL_LOCK = postgres.LOCK_CLASS + 1  # model saves take turns with each other, not with annotators


def pack(folder: Path) -> bytes:
    """A saved pipeline folder as an uncompressed tar archive (names relative to the folder)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buf.getvalue()


def unpack(data: bytes, folder: Path) -> None:
    """Extract an archive made by ``pack`` into ``folder``; nothing outside it, no links or devices."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        tar.extractall(folder, filter="data")


class DbModelStore(ModelStore):
    """A database project's model versions (see the module's docstring)."""

    def __init__(self, models_dir: str | os.PathLike):
        super().__init__(models_dir)
        self.url = linked_url(self.dir.parent) or ""
        self.loc = postgres.parse_url(self.url)

    @contextmanager
    def _conn(self):
        """A connection of its own for each operation (they are rare: save, list, roll back)."""
        from .store import BUSY_TIMEOUT_S

        with translated(self.dir.parent):
            conn = postgres.PostgresBackend(self.loc).connect(BUSY_TIMEOUT_S)
            try:
                yield conn.raw
            finally:
                conn.close()

    def versions(self) -> list[ModelVersion]:
        with self._conn() as conn:
            rows = conn.execute("SELECT name, created, info FROM model_versions ORDER BY name").fetchall()
        import json

        return [ModelVersion(name, self.dir / name, created, json.loads(info)) for name, created, info in rows]

    def current_name(self) -> str | None:
        with self._conn() as conn:
            row = conn.execute("SELECT name FROM model_current").fetchone()
        name = row[0] if row else None
        self._mirror(name)
        return name

    def current_path(self) -> Path | None:
        name = self.sync()
        return self.dir / name if name else None

    def sync(self) -> str | None:
        """Bring the cache up to date with the database: the current version extracted
        first, then ``models/CURRENT`` pointed at it (so whoever watches the file finds the
        folder there). Returns the current version's name."""
        with self._conn() as conn:
            row = conn.execute("SELECT name FROM model_current").fetchone()
        name = row[0] if row else None
        if name is not None:
            self.fetch(name)
        self._mirror(name)
        return name

    def fetch(self, name: str) -> Path:
        """The folder of version ``name`` in the local cache, extracted from the database if
        it is not there yet."""
        target = self.dir / name
        if (target / "config.cfg").exists():
            return target
        with self._conn() as conn:
            row = conn.execute("SELECT archive FROM model_versions WHERE name = %s", (name,)).fetchone()
        if row is None:
            raise PipelineError(Msg.NO_MODEL_VERSION.format(path=self.url, version=name, versions=self._names()))
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-{os.getpid()}-", dir=self.dir))
        try:
            unpack(bytes(row[0]), tmp)
            _fsync_tree(tmp)
            try:
                os.rename(tmp, target)
            except OSError:  # another process of this machine extracted it first
                if not (target / "config.cfg").exists():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return target

    def save(self, nlp, info: dict[str, Any] | None = None, *, make_current: bool = True) -> ModelVersion:
        """Write ``nlp`` as the next version and (by default) make it current, in one transaction."""
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            self.clean_temporaries(dead_only=True)
        except OSError:
            pass
        tmp = Path(tempfile.mkdtemp(prefix=f".v0000-{os.getpid()}-", dir=self.dir))
        try:
            model = tmp / "model"
            nlp.to_disk(model)
            info = dict(info or {})
            info.setdefault("created", time.time())
            with self._conn() as conn:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (MODEL_LOCK, self.loc.lock_key))
                    last = conn.execute("SELECT max(name) FROM model_versions").fetchone()[0]
                    name = f"v{int(last[1:]) + 1 if last else 1:04d}"
                    info["version"] = name
                    srsly.write_json(model / NERGUI_META, info)
                    conn.execute("INSERT INTO model_versions (name, created, info, archive) VALUES (%s, %s, %s, %s)",
                                 (name, info["created"], srsly.json_dumps(info), pack(model)))
                    if make_current:
                        self._point(conn, name)
            _fsync_tree(model)
            try:
                os.rename(model, self.dir / name)  # the cache: the version is already safe in the database
            except OSError:
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if make_current:
            self._mirror(name)
        return ModelVersion(name, self.dir / name, info["created"], info)

    def set_current(self, name: str) -> None:
        with self._conn() as conn:
            with conn.transaction():
                if conn.execute("SELECT 1 FROM model_versions WHERE name = %s", (name,)).fetchone() is None:
                    raise PipelineError(Msg.NO_MODEL_VERSION.format(path=self.url, version=name,
                                                                    versions=self._names(conn)))
                self._point(conn, name)
        self._mirror(name)

    def use_original(self) -> None:
        with self._conn() as conn:
            with conn.transaction():
                conn.execute("DELETE FROM model_current")
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, self.loc.schema))
        self._mirror(None)

    def _point(self, conn, name: str) -> None:
        conn.execute("INSERT INTO model_current (one, name) VALUES (TRUE, %s)"
                     " ON CONFLICT (one) DO UPDATE SET name = EXCLUDED.name", (name,))
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, self.loc.schema))  # sent at commit

    def _names(self, conn=None) -> str:
        if conn is None:
            with self._conn() as own:
                return self._names(own)
        rows = conn.execute("SELECT name FROM model_versions ORDER BY name").fetchall()
        return ", ".join(r[0] for r in rows) or "none"

    def _mirror(self, name: str | None) -> None:
        """Make ``models/CURRENT`` say what the database says (only when it differs, so a
        watcher of the folder hears of real changes only)."""
        pointer = self.dir / CURRENT
        try:
            if name is None:
                pointer.unlink(missing_ok=True)
            elif not pointer.exists() or pointer.read_text(encoding="utf-8").strip() != name:
                self.dir.mkdir(parents=True, exist_ok=True)
                tmp = self.dir / f".CURRENT-{os.getpid()}-mirror"
                tmp.write_text(name, encoding="utf-8")
                os.replace(tmp, pointer)
        except OSError:
            pass  # only a cache: the database has the truth
