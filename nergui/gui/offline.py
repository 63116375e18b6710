"""A project in a database whose server cannot be reached: the status bar says so (issue 14).

What this does, exactly: for a project in a PostgreSQL database, a thread of its own tries
a short connection to the server (``PROBE_TIMEOUT_S``) every ``ONLINE_MS`` while it is
reachable and every ``OFFLINE_MS`` while it is not; an edit the store refused because the
server is unreachable (``Msg.PG_UNREACHABLE``, which already says the action was not saved)
also marks the window offline at once. While offline the status bar shows "Offline" with
the time it began.

The edits of the shown document made meanwhile (spans, their labels, its state, rejected
predictions; their undo and redo too) are kept in the project's offline journal
(``core/journal.py``: a JSONL file in its local folder, fsynced) and made to the document
in memory; the status bar says "Offline: N edits kept, sent when the server is back". When
the server answers again they are sent in order, one transaction each, the window says how
many were sent and reports each conflict (an edit someone else's change got in the way of:
it stays in the journal file for the user); the document is read back from the store. A
journal a crashed app left is sent when the window opens.

Where the journal cannot help, the edit is refused as before, with the store's "not saved,
do it again" message (kept in View > Messages): label edits (the label manager), an
accepted prediction whose label the project lacks, undo steps of a document not shown,
opening another document (it must be read from the server), imports and training. The
project's connection is replaced on its next use (``PgConnection._revive``).

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
from ..core.journal import Journal, NotKept
from ..errors import Msg, StoreError

ONLINE_MS = 10000
OFFLINE_MS = 2000
PROBE_TIMEOUT_S = 3
_UNREACHABLE = Msg.PG_UNREACHABLE.split("{url}", 1)[1].split("(", 1)[0]  # ": the database server cannot be reached "


def unreachable(text: str) -> bool:
    """Whether a message is the store's "the server cannot be reached"."""
    return _UNREACHABLE in text


def _connection_lost(err: BaseException) -> bool:
    """A read outside the store's translation (the decisions panel's) that met the server's
    dropped connection: psycopg's own OperationalError, with no SQLSTATE or a connection one."""
    import psycopg

    return isinstance(err, psycopg.OperationalError) and (err.sqlstate or "08").startswith(("08", "57P"))


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
        self.journal = Journal(window.session.project.path)
        window.session.keep = self.keep
        if self.journal.pending:  # left by an app that crashed (or closed) offline
            QTimer.singleShot(0, self.send)
        if self.journal.conflicts:  # edits made offline that could not be sent, left for the user
            QTimer.singleShot(0, lambda: self.w.message(Msg.JOURNAL_CONFLICTS_LEFT.format(
                k=self.journal.conflicts, path=self.journal.path)))
        self._hook = hook = sys.excepthook
        sys.excepthook = mine = self._uncaught

        def unhook(*_args) -> None:
            if sys.excepthook == mine:
                sys.excepthook = hook
        window.destroyed.connect(unhook)

    def _uncaught(self, kind, err, tb) -> None:
        """A read on a timer or a repaint (the list's rows, the settings) found the server
        gone: said in the status bar instead of a traceback; anything else as before."""
        if (isinstance(err, StoreError) and unreachable(str(err)) or _connection_lost(err)) \
                and not getattr(self.w, "_closed", False):
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
            if not self.send():
                self.w.message(Msg.OFFLINE_BACK)
        elif reachable and self.journal.pending:  # a replay the project being busy stopped: again
            self.send()
        elif not reachable and not self.offline:
            self._go_offline(why)

    # ---- the journal ---------------------------------------------------------------------
    def keep(self, edit):
        """The session's ``run``: the store makes the edit; while offline (or while edits
        kept earlier wait to be sent, so the order holds) the journal keeps it."""
        session = self.w.session
        if not self.offline and not self.journal.pending:
            try:
                return edit.apply(session.project)
            except StoreError as err:
                if not unreachable(str(err)):
                    raise
                self._go_offline("")
                self.probe()
                try:
                    back = self.journal.keep(edit, session.doc, session.rejected)
                except NotKept:
                    raise err from None  # the store's own "not saved, do it again"
                self._show()
                return back
        back = self.journal.keep(edit, session.doc, session.rejected)
        self._show()
        return back

    def send(self) -> bool:
        """Send the kept edits (the server is back); whether there were any. Says how many
        were sent and each conflict; the shown document is read back from the store."""
        if not self.journal.pending:
            return False
        session = self.w.session
        result = self.journal.replay(session.project)
        for conflict in result.conflicts:
            self.w.message(conflict.message, error=True)
        if result.stopped is not None:  # gone again, or busy: the rest stays kept
            if not unreachable(str(result.stopped)):
                self.w.message(str(result.stopped), error=True)  # busy: sent at the next probe
            elif not self.offline:
                self._go_offline("")
            self._show()
            return True
        session.reload_document()
        session.sig_documents.emit()  # the list's states and counts
        for doc_id in dict.fromkeys(result.states):  # what follows a verdict (gui/routed.py finishes the document)
            session.sig_state.emit(doc_id)
        n = result.sent + result.already
        if result.conflicts:
            self.w.message(Msg.JOURNAL_SENT_CONFLICTS.format(n=n, k=len(result.conflicts), path=self.journal.path),
                           error=True)
        else:
            self.w.message(Msg.JOURNAL_SENT.format(n=n))
        return True

    def _show(self) -> None:
        if not self.offline:
            return
        since = time.strftime("%H:%M", time.localtime(self.offline_since))
        n = self.journal.pending
        self.label.setText(Msg.JOURNAL_LABEL.format(n=n) if n else Msg.OFFLINE_LABEL.format(since=since))
        self.label.setToolTip(Msg.JOURNAL_TIP.format(since=since, path=self.journal.path))
        self.label.setMinimumWidth(self.label.sizeHint().width())  # whole: the other status widgets give way

    def _message(self, text: str) -> None:
        if unreachable(text) and not self.offline:
            self._go_offline("")
            self.probe()

    def _go_offline(self, why: str) -> None:
        self.offline_since = time.time()
        self._show()
        if why:
            self.label.setToolTip(self.label.toolTip() + f"\n({why})")
        self.label.show()
        self.timer.setInterval(OFFLINE_MS)
        self.w.message(Msg.OFFLINE_NOW, error=True)


def attach(window) -> Offline | None:
    """Watch the server of a project in a database; None for a project folder."""
    if not (window.session.project.path / LINK_NAME).exists():
        return None
    return Offline(window)
