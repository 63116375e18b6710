"""Next in a team's window: the document the router hands this annotator (issue 14).

In a project where documents are handed out (``wanted``): each document goes to
``annotations_per_task`` annotators and that is above 1 (a team's project, on SQLite or
PostgreSQL), or the project's ``routing`` setting is on (a team splitting one project's
documents, one annotator each), Next, Accept/Reject/Skip and next, and opening the window
take ``core.routing.Router.next()``'s document, leased to this annotator, instead of the
ordering's pick: a user of a team's project expects Next to give them their share, never a
document two colleagues already hold or finished. Accepting or rejecting finishes the
assignment (in a team's project the annotator's verdict does so, ``core/versions.py``),
skipping gives it back and Next does not hand it again in this window.

The status bar says which document this annotator holds and how many the others hold or
finished; opening another one (from the list) that already has its annotators says whose it
is. Looking at it is allowed; Next always comes back to this annotator's own.

A project with one annotator per document and no ``routing`` setting (every single-user
project) is not touched: Next follows the ordering as before.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from ..core.routing import Router
from ..core.store_errors import translated
from ..core.versions import is_team
from ..errors import Msg, NerguiError

REFRESH_MS = 15000  # the status bar's count of others' documents follows them this often
SETTING = "routing"  # a project setting: "on" hands documents out with one annotator each too


def wanted(project) -> bool:
    """Whether Next in this project's window takes the router's document (see the docstring)."""
    try:
        on = str(project.get_setting(SETTING) or "").lower() in ("on", "1", "true", "yes")
        return bool(project.annotator) and (on or is_team(project))
    except NerguiError:
        return False


class Routed(QObject):
    """Next by the router, and the status bar's "Yours: document N" (one per window)."""

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.project = window.session.project
        self.router = Router(self.project)
        self.held: int | None = None
        self.skipped: set[int] = set()  # given back in this window: not handed again here
        self.label = QLabel()
        self.label.setContentsMargins(6, 0, 6, 0)
        self.label.setAccessibleName("The document the project hands you")
        window.statusBar().addPermanentWidget(self.label)
        window.session.sig_state.connect(self._state_changed)
        window.session.sig_document.connect(self._shown)
        self._timer = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        self._timer.start()

    # ---- Next ---------------------------------------------------------------------------------
    def next(self) -> int | None:
        """Open the router's document for this annotator (its lease taken); None when none is left."""
        try:
            doc_id = self.router.next(exclude=self.skipped)
        except NerguiError as err:
            self.w.message(Msg.ROUTED_FAILED.format(error=err), error=True)
            return None
        self.held = doc_id
        if doc_id is None:
            per_task = self.router.per_task
            self.w.message(Msg.ROUTED_ALL_DONE.format(per_task=per_task, s="s" if per_task > 1 else ""))
            self._say()
            return None
        self.w.ordering.open(doc_id)
        self._say()
        return doc_id

    def _state_changed(self, doc_id: int) -> None:
        """Accepted or rejected: the assignment is finished; skipped: given back."""
        state = self._state(doc_id)
        try:
            if state in ("accepted", "rejected"):
                self.router.finish(doc_id)
                self.skipped.discard(doc_id)
            elif state == "skipped":
                self.skipped.add(doc_id)
                if not is_team(self.project):  # a team's version keeps its verdict (already given back)
                    self.router.release(doc_id)
        except NerguiError as err:
            self.w.message(str(err), error=True)
        if doc_id == self.held and state != "todo":
            self.held = None
        self._say()

    def _state(self, doc_id: int) -> str:
        return self.project.get_document(doc_id).state  # this annotator's verdict in a team's project

    # ---- what the window says -----------------------------------------------------------------
    def _others(self, now: float) -> int:
        with translated(self.project.path):
            return self.project.conn.execute(
                "SELECT count(DISTINCT doc_id) FROM assignments WHERE annotator != ?"
                " AND (done = 1 OR leased_until > ?)", (self.project.annotator, now)).fetchone()[0]

    def _say(self) -> None:
        now = time.time()
        try:
            taken = self._others(now)
            per_task = self.router.per_task
            lease = self.router.lease_s
        except NerguiError:
            return
        s = "s" if per_task > 1 else ""
        if self.held is None:
            self.label.setText(Msg.ROUTED_NONE.format(taken=taken))
        else:
            until = time.strftime("%H:%M", time.localtime(now + lease))
            self.label.setText(Msg.ROUTED_HOLD.format(doc_id=self.held, until=until, taken=taken))
        self.label.setToolTip(Msg.ROUTED_HOLD_TIP.format(per_task=per_task, s=s))

    def refresh(self) -> None:
        """Count the others' documents again (every ``REFRESH_MS``)."""
        self._say()

    def _shown(self, *_args) -> None:
        """Another annotator's document opened from the list: say whose it is."""
        doc = self.w.session.doc
        if doc is None or doc.id == self.held:
            return
        try:
            who = self.router.assignments(doc.id)
            per_task = self.router.per_task
        except NerguiError:
            return
        others = sorted(name for name in who if name != self.project.annotator)
        if self.project.annotator not in who and len(others) >= per_task:
            self.w.message(Msg.ROUTED_NOT_YOURS.format(doc_id=doc.id, per_task=per_task,
                                                       s="s" if per_task > 1 else "", names=", ".join(others)))


def attach(window) -> Routed | None:
    """Hand documents out in this window when the project wants it (``wanted``), opening this
    annotator's document at once; None (Next follows the ordering) otherwise."""
    if not wanted(window.session.project):
        return None
    routed = Routed(window)
    combo = window.ordering.bar.combo  # the ordering does not choose here: said on the chooser
    combo.setEnabled(False)
    combo.setToolTip(Msg.ROUTED_CHOOSER)
    routed.next()
    return routed
