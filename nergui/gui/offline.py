"""A project in a database whose server cannot be reached: the status bar says so (issue 14).

What this does, exactly: for a project in a PostgreSQL database, a thread of its own tries
a short connection to the server (``PROBE_TIMEOUT_S``) every ``ONLINE_MS`` while it is
reachable and every ``OFFLINE_MS`` while it is not; an edit the store refused because the
server is unreachable (``Msg.PG_UNREACHABLE``, which already says the action was not saved)
also marks the window offline at once. While offline the status bar shows "Offline" with
the time it began, and the edits made meanwhile are refused, each with that message (kept in
View > Messages): nothing is lost silently, nothing is kept in a local journal either. When
the server answers again the window says it is back, and the project's connection is
replaced on its next use (``PgConnection._revive``).

The probe never touches the project's own connection (it is the GUI thread's), so a server
that does not answer never freezes the window.
"""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from ..core.backends import LINK_NAME
from ..errors import Msg, StoreError

ONLINE_MS = 10000
OFFLINE_MS = 2000
PROBE_TIMEOUT_S = 3
_UNREACHABLE = Msg.PG_UNREACHABLE.split("{url}", 1)[1].split("(", 1)[0]  # ": the database server cannot be reached "


def unreachable(text: str) -> bool:
    """Whether a message is the store's "the server cannot be reached"."""
    return _UNREACHABLE in text


class Offline(QObject):
    sig_probed = Signal(bool, str)  # reachable, why not (from the probe's thread)

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.conninfo = window.session.project.backend.loc.conninfo
        self.offline_since: float | None = None
        self._probing = False
        self.label = QLabel()
        self.label.setContentsMargins(6, 0, 6, 0)
        self.label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.label.setAccessibleName("Whether the database server can be reached")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.sig_probed.connect(self._probed)
        window.session.sig_message.connect(self._message)
        self.timer = QTimer(self, interval=ONLINE_MS, timeout=self.probe)
        self.timer.start()
        self._hook = hook = sys.excepthook
        sys.excepthook = mine = self._uncaught

        def unhook(*_args) -> None:
            if sys.excepthook == mine:
                sys.excepthook = hook
        window.destroyed.connect(unhook)

    def _uncaught(self, kind, err, tb) -> None:
        """A read on a timer or a repaint (the list's rows, the settings) found the server
        gone: said in the status bar instead of a traceback; anything else as before."""
        if isinstance(err, StoreError) and unreachable(str(err)) and not getattr(self.w, "_closed", False):
            if not self.offline:
                self._go_offline("")
                self.probe()
            return
        self._hook(kind, err, tb)

    @property
    def offline(self) -> bool:
        return self.offline_since is not None

    def probe(self) -> None:
        """Try the server in a thread; the answer comes back through ``sig_probed``."""
        if self._probing:
            return
        self._probing = True
        threading.Thread(target=self._try, daemon=True, name="nergui-offline-probe").start()

    def _try(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.conninfo, connect_timeout=PROBE_TIMEOUT_S, application_name="nergui-probe") as c:
                c.execute("SELECT 1")
            self.sig_probed.emit(True, "")
        except psycopg.Error as err:
            self.sig_probed.emit(False, " ".join(str(err).split())[:200])

    def _probed(self, reachable: bool, why: str) -> None:
        self._probing = False
        if reachable and self.offline:
            self.offline_since = None
            self.label.hide()
            self.timer.setInterval(ONLINE_MS)
            self.w.message(Msg.OFFLINE_BACK)
        elif not reachable and not self.offline:
            self._go_offline(why)

    def _message(self, text: str) -> None:
        if unreachable(text) and not self.offline:
            self._go_offline("")
            self.probe()

    def _go_offline(self, why: str) -> None:
        self.offline_since = time.time()
        self.label.setText(Msg.OFFLINE_LABEL.format(since=time.strftime("%H:%M", time.localtime(self.offline_since))))
        self.label.setToolTip(Msg.OFFLINE_TIP + (f"\n({why})" if why else ""))
        self.label.show()
        self.timer.setInterval(OFFLINE_MS)
        self.w.message(Msg.OFFLINE_NOW, error=True)


def attach(window) -> Offline | None:
    """Watch the server of a project in a database; None for a project folder."""
    if not (window.session.project.path / LINK_NAME).exists():
        return None
    return Offline(window)
