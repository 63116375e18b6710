"""Consolidation runs for "Learn as I annotate" (``gui.learning``): the learner's weights drift
with every document and are never saved; every ``every`` documents sent to it (default
``CONSOLIDATE_EVERY``, remembered per project), or on demand, the training panel's own run
(``TrainingPanel.train(auto=True)``: from the original, kept as a new version as any run
is) makes a saved version. Once a version is saved (by a consolidation or any kept run) the
learner restarts from it (``LearnController.restart``) and learns again the documents that
were accepted after that run had read its documents.

A consolidation asked for while another run goes on (or waits for Keep or Discard) starts
when the runner is idle again. Any run that starts counts as one: the count of documents
starts again from zero, so a run that fails is not retried at every accepted document.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ..core import lifeline
from ..core.learn_mode import CONSOLIDATE_EVERY
from ..core.events import Cancelled, Failed, RunInfo, Saved
from ..errors import Msg, NerguiError
from .projects import project_key

TRAINING_NICE = 10  # a training run while a learner runs yields the CPU to it and to the window


def plural(n: int) -> str:
    return "" if n == 1 else "s"


class Consolidation(QObject):
    sig_line = Signal(str)  # when the next consolidation runs ("" while the mode is off)

    def __init__(self, ctrl, panel, settings, parent=None):
        super().__init__(parent or ctrl)
        self.ctrl = ctrl
        self.panel = panel
        self.settings = settings
        self._key = project_key(ctrl.project.path, "consolidate_every")
        self.every = max(1, int(settings.value(self._key, CONSOLIDATE_EVERY) or CONSOLIDATE_EVERY))
        self.since: set[int] = set()      # documents sent since the last version was saved
        self._run_docs: set[int] = set()  # those of them the training run under way read
        self.counter = 0                  # documents sent since the last training run started
        self.running = False              # a consolidation run of ours is going
        self.wanted = False               # asked for while another run went on
        panel.runner.sig_state.connect(self._runner_state)
        panel.runner.sig_event.connect(self._run_event)

    def sent(self, doc_id: int, *, count: bool = True) -> None:
        """A document went to the learner (``count``: towards the next consolidation)."""
        self.since.add(doc_id)
        self.counter += count
        if self.counter >= self.every and not self.panel.runner.busy:
            QTimer.singleShot(0, self, self._if_due)  # once the key press that accepted it is done
        self.update()

    def _if_due(self) -> None:
        if self.ctrl.live is not None and self.counter >= self.every and not self.panel.runner.busy:
            self.consolidate(auto=True)

    def set_every(self, n: int) -> None:
        self.every = max(1, int(n))
        self.settings.setValue(self._key, self.every)
        self.update()

    def consolidate(self, *, auto: bool = False) -> bool:
        """A full training run from the original, kept as a new version; after the current run
        if one goes on (False: it waits)."""
        if self.panel.runner.busy:
            self.wanted = True
            if not auto:
                self.ctrl.sig_message.emit(Msg.LEARN_CONSOLIDATE_WAITING)
            self.update()
            return False
        self.wanted = False
        self.running = self.panel.train(auto=True)
        self.update()
        return self.running

    def _runner_state(self, state: str) -> None:
        if state == "running":  # any run (a consolidation, Train, auto-train) reads every document accepted by now
            self._run_docs = set(self.since)
            self.counter = 0
        elif state == "idle":
            self.running = False
            if self.wanted and self.ctrl.state not in ("off", "failed"):
                QTimer.singleShot(0, self, lambda: self.consolidate() if not self.panel.runner.busy else None)
        self.update()

    def _run_event(self, ev) -> None:
        if isinstance(ev, RunInfo):  # the run has read the accepted documents
            self._run_docs = set(self.since)
            handle = self.panel.runner.handle
            if self.ctrl.live is not None and TRAINING_NICE and getattr(handle, "proc", None) is not None:
                lifeline.lower_priority(handle.pid, TRAINING_NICE)  # the learner's previews first
        elif isinstance(ev, Saved) and ev.version is not None:
            self.since -= self._run_docs  # in the saved version now
            again = sorted(self.since)  # accepted after the run read its documents
            self._run_docs = set()
            if self.ctrl.restart():
                for doc_id in again:
                    try:
                        doc = self.ctrl.project.get_document(doc_id)
                    except NerguiError:
                        continue
                    if doc.state == "accepted":
                        self.ctrl.learn(doc, count=False)
        elif isinstance(ev, (Cancelled, Failed)):
            self._run_docs = set()

    def line(self) -> str:
        if self.ctrl.state in ("off", "failed"):
            return ""
        if self.running:
            return Msg.LEARN_CONSOLIDATING
        if self.wanted and self.panel.runner.busy:
            return Msg.LEARN_CONSOLIDATE_WAITING
        n = max(0, self.every - self.counter)
        return Msg.LEARN_CONSOLIDATE_IN.format(n=n, s=plural(n))

    def update(self) -> None:
        self.sig_line.emit(self.line())
