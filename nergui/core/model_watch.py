"""A new model version of a database project reaches every open app within seconds.

``DbModelStore`` (``model_db``) sends ``NOTIFY nergui_models, '<schema>'`` in the transaction
that saves a version or moves the pointer. ``ModelWatch`` listens on a connection of its
own, in a thread of its own (no Qt: the core's), and on each notice for its project brings
the local cache up to date (``DbModelStore.sync``: the current version extracted, then
``models/CURRENT`` rewritten), then calls ``on_change(name)`` if the current version changed. The window's file watcher on
``models/`` sees ``CURRENT`` change and loads the model, as it does for a folder project.

A lost connection (the server restarted) is re-opened every ``RETRY_S``; the cache is then
synced once, since notices sent meanwhile were missed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from .backends import LINK_NAME, linked_url

RETRY_S = 2.0


class ModelWatch:
    """Listens for new model versions of the database project whose local folder is ``path``."""

    def __init__(self, path: str | Path, on_change: Callable[[str | None], None] | None = None):
        from .backends import postgres
        from .model_db import DbModelStore
        from .store import MODELS_DIR

        self.loc = postgres.parse_url(linked_url(path) or "")
        self.store = DbModelStore(Path(path) / MODELS_DIR)
        self.on_change = on_change or (lambda _name: None)
        self.changes = 0  # changes of the current version heard (for tests and benches)
        self.current: str | None = None
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nergui-model-watch", daemon=True)

    @classmethod
    def start_for(cls, project, on_change=None, *, wait: float = 10.0) -> "ModelWatch | None":
        """A running watch for a database project (listening already, unless that took
        longer than ``wait`` seconds), None for a folder project."""
        if not (Path(project.path) / LINK_NAME).exists():
            return None
        watch = cls(project.path, on_change)
        watch.start(timeout=wait)
        return watch

    def start(self, *, timeout: float = 10.0) -> None:
        """Start listening; returns once the first connection listens (or after ``timeout``)."""
        self._thread.start()
        self._listening.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        from .model_db import CHANNEL

        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.loc.conninfo, autocommit=True, application_name="nergui-watch") as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._changed(quiet=first)  # first: the cache as the database has it; later: notices were lost
                    self._listening.set()
                    first = False
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=0.5):
                            if notice.payload == self.loc.schema:
                                self._changed()
            except psycopg.Error:
                self._stop.wait(RETRY_S)
            except Exception:  # noqa: BLE001 - a cache that could not be written: try again at the next notice
                self._stop.wait(RETRY_S)

    def _changed(self, *, quiet: bool = False) -> None:
        """Sync the cache; tell ``on_change`` if the current version is another than before."""
        name = self.store.sync()
        if quiet:
            self.current = name
            return
        if name != self.current:
            self.current = name
            self.changes += 1
            self.on_change(name)
