"""Learn as I annotate (issue 13), in the window: the warm learner process, driven from a worker
thread; the documents sent to it; its previews; consolidation runs.

``LearnWorker`` (a QObject in a QThread, as ``workers.TrainWorker``) starts a
``core.learn_child.LearnerRun`` (the learner in a process of its own) and relays its events
(``LearnerReady``, ``Learnt``, ``Failed``) with its generation, so that events of a learner
that was stopped or restarted are never acted on. ``LearnController`` (GUI thread) decides:

* **What is sent.** A document the user accepts (``Session.sig_state``), and an accepted
  document whose spans change (``Session.sig_spans``; sent once the edits pause for
  ``CORRECTION_DELAY_MS``, or at once when another document is shown). Sending is one JSON
  line on the child's stdin: the GUI thread never waits for learning.
* **What is previewed.** Each new snapshot (``Learnt``) goes to the window's previewer
  (``sig_preview``), which loads it and predicts the shown document again; then
  ``sig_learnt(path)``. While a training run waits for Keep or Discard its own result stays
  in the preview (the learner's latest snapshot comes back after the decision); a training
  run's mid-run snapshots are not previewed while the learner runs (the learner's weights
  have seen every accepted document, the run's only those it started with).
* **Consolidation** (``gui.consolidation``). Every N documents sent, or on demand, the
  training panel's own run starts (``TrainingPanel.train`` with ``auto=True``: from the
  original, kept as a new version; the versions list, the forgetting meter and the result
  card as for any run). Once a version is saved (by a consolidation or any kept run, or a
  roll-back) the learner restarts from it (``LearnRequest.from_current``), and the
  documents accepted while that run trained are sent to it again: drift never accumulates
  into a kept model. While a run trains, the learner goes on (both children are paused
  while the preview predicts, ``core.child.foreground``).
* **Failures.** A learner that cannot start or whose process dies shows its message in the
  status line until the mode is turned on again (and in View > Messages); annotations and
  saved models are untouched (the learner writes only its snapshots, in a folder of its own).

The mode is on by default in a project that has a base pipeline and a label the base does
not predict (``core.learn_mode.availability``), unless the user turned it off there (per
project) or the settings' ``learn/default`` is "off" (tests and the benches that measure
other things set it). The learner process starts ``START_AFTER_MS`` after the window opens
(not while the window loads its own models), or at once when a document is accepted.

For other widgets: ``sig_learnt(str path)`` fires once per new preview snapshot (right after
the previewer was asked to load it, unless a trained result waits for Keep or Discard): a
spaCy pipeline folder (``spacy.load(path)``, or ``core.snapshot.load_for_preview``) whose
weights learnt from every document sent before it. The learner keeps its last three
snapshots and the folder is removed when the mode stops: load it at once (or copy it).
``sig_state(str)``: "off", "starting", "ready", "learning", "failed". The window's
controller is ``MainWindow.learning``.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ..core.events import Failed, LearnerReady, Learnt
from ..core.learn_child import LearnerRun, LearnRequest
from ..core import lifeline
from ..core.learn_mode import Availability, availability
from ..core.learner import default_train_settings
from ..core.pipeline import ModelStore, describe
from ..core.records import Record
from ..errors import Msg, NerguiError, detail as error_detail
from .consolidation import Consolidation, plural as _s
from .projects import project_key
from .workers import fast_switching

START_AFTER_MS = 3000  # after the window opens: not while it loads its own models
CORRECTION_DELAY_MS = 1500  # an accepted document's edits are sent once they pause this long
END_WAIT_MS = 3000  # closing the window: a learner that has not ended by then is killed
# The learner runs at the app's own priority: it pauses while the preview predicts
# (core.child.foreground) and the window's stalls come from the GIL in its own process, not
# from the CPU; at nice 5 it lost to every other program (here other tests: accept_to_preview
# p95 2.41-2.45 s against 2.02-2.10 s at 0). A training run while a learner runs yields to
# it: consolidation.TRAINING_NICE.
LEARNER_NICE = 0
DEFAULT_KEY = "learn/default"


class LearnWorker(QObject):
    """Starts the learner and relays its events, in its own QThread, until the child ends."""

    sig_event = Signal(int, object)  # generation, event
    sig_started = Signal(int)        # generation: the child process runs (documents can be sent)
    sig_ended = Signal(int)          # generation: the child has ended and was reaped

    def __init__(self, handle: LearnerRun, generation: int):
        super().__init__()
        self.handle = handle
        self.generation = generation
        self.stopped = threading.Event()  # set by the GUI thread: end the child as soon as it exists

    @Slot()
    def run(self) -> None:
        try:
            self.handle.start()
            if self.stopped.is_set():  # stopped while its process was being started
                self.handle.end_input()
                _kill(self.handle)
            self.sig_started.emit(self.generation)
            for ev in self.handle.events():
                self.sig_event.emit(self.generation, ev)
        except Exception as err:  # never leave the controller waiting for an end that cannot come
            self.handle.kill()
            message = str(err) if isinstance(err, NerguiError) else Msg.LEARN_FAILED.format(detail=error_detail(err))
            self.sig_event.emit(self.generation, Failed(message))
        finally:
            self.handle.close(10.0)  # it has ended, or ends now that its input is closed (else killed)
            self.sig_ended.emit(self.generation)


class _Learner:
    """One learner process and its thread: what the controller started, until it has ended."""

    def __init__(self, generation: int, handle: LearnerRun, thread: QThread, worker: LearnWorker, folder: str):
        self.generation, self.handle, self.thread, self.worker, self.folder = generation, handle, thread, worker, folder
        self.ready = False
        self.running = False  # its process has started: what is sent reaches it
        self.fast = False     # holds workers.fast_switching until it has ended
        self.queued: list[tuple[Record, str]] = []  # sent before that
        self.started_from = "the original"


class LearnController(QObject):
    """The GUI thread's side of "Learn as I annotate": one learner at a time (see the module)."""

    sig_state = Signal(str)
    sig_status = Signal(str)         # the status line: what the learner is doing, or why it is off
    sig_learnt = Signal(str)         # a new preview snapshot's folder (see the module's docstring)
    sig_preview = Signal(str, str)   # for the window's previewer: a snapshot folder and its name
    sig_message = Signal(str)        # for the status bar and View > Messages
    sig_error = Signal(str)          # the same, marked as an error
    sig_available = Signal(bool)     # whether the mode can be turned on (the action and the box follow)

    def __init__(self, session, panel, settings, parent=None):
        super().__init__(parent)
        self.session = session
        self.project = session.project
        self.panel = panel
        self.settings = settings
        self._key = project_key(self.project.path, "learn")
        self.state = "off"
        self.status = ""
        self.error: str | None = None
        self.available = Availability(False)
        self.live: _Learner | None = None
        self.ending: list[_Learner] = []
        self._generation = 0
        self.pending: dict[str, int] = {}     # key sent -> document id, until its Learnt
        self.learnt = 0                       # documents learnt by the live learner
        self.latest: str | None = None        # the live learner's newest snapshot
        self._baseline: dict[int, tuple] = {}  # an accepted document's spans as last sent (or first shown)
        self._labels = set(self.project.label_names())
        self._shutdown = False
        self._correction = QTimer(self)
        self._correction.setSingleShot(True)
        self._correction.setInterval(CORRECTION_DELAY_MS)
        self._correction.timeout.connect(self._send_correction)
        self._corrected: int | None = None
        session.sig_state.connect(self._doc_state)
        session.sig_spans.connect(self._spans)
        session.sig_document.connect(self._document)
        session.sig_labels.connect(self._labels_changed)
        panel.form.sig_rehearsal.connect(self.set_rehearsal)
        self.consolidation = Consolidation(self, panel, settings)
        panel.versions.sig_rolled_back.connect(lambda _name: self.restart())
        panel.sig_model_changed.connect(self._reshow)
        self.refresh(start=False)
        if self.wanted():  # the process starts a little later (or at the first accepted document)
            self._set_state("starting", self._starting_text())
            QTimer.singleShot(START_AFTER_MS, self, self._start_if_wanted)

    # ---- on or off -----------------------------------------------------------------------------
    def wanted(self) -> bool:
        """The mode is on: available, and not turned off (here, or by default)."""
        if not self.available.ok:
            return False
        choice = self.settings.value(self._key)
        if choice is None:
            choice = self.settings.value(DEFAULT_KEY, "on")
        return str(choice) != "off"

    def set_enabled(self, on: bool) -> None:
        """The user's choice (the action or the box), remembered for this project."""
        self.settings.setValue(self._key, "on" if on else "off")
        if on and self.available.ok:
            self.error = None
            self.start()
        else:
            self.stop()
            self._set_state("off", self.available.reason or Msg.LEARN_OFF_BY_USER)

    def refresh(self, *, start: bool = True) -> None:
        """Whether the mode can run on this project now (its base and labels); with ``start``,
        a learner starts if the mode has just become possible and is wanted."""
        try:
            self.available = availability(self.project.base_pipeline, self.project.label_names())
        except NerguiError as err:  # the database failed: say so, change nothing
            self.sig_message.emit(str(err))
            return
        self.sig_available.emit(self.available.ok)
        if not self.available.ok:
            self.stop()
            self._set_state("off", self.available.reason)
        elif not self.wanted():
            self._set_state("off", Msg.LEARN_OFF_BY_USER)
        elif start and self.state == "off" and not self._shutdown:  # it has just become possible
            self._set_state("starting", self._starting_text())
            QTimer.singleShot(START_AFTER_MS, self, self._start_if_wanted)

    def _start_if_wanted(self) -> None:
        if self.live is None and not self._shutdown and self.wanted() and self.state == "starting":
            self.start()

    # ---- the learner process -------------------------------------------------------------------
    def start(self) -> None:
        """Start a learner (stopping the one running): on the project's accepted documents,
        from its current saved version, with the form's rehearsal ratio and texts."""
        if self._shutdown:
            return
        self.stop()
        form = self.panel.form
        settings = default_train_settings(own_texts=form.project_raw())
        settings.rehearsal = form.rehearsal()
        folder = tempfile.mkdtemp(prefix="nergui-learn-")
        request = LearnRequest(self.project.path, folder, settings=settings, raw_file=form.raw_file(),
                               project_raw=form.project_raw())
        self._generation += 1
        handle = LearnerRun(request)
        thread = QThread()
        thread.setObjectName("nergui-learn")
        worker = LearnWorker(handle, self._generation)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.sig_event.connect(self._event)
        worker.sig_started.connect(self._started)
        worker.sig_ended.connect(self._ended)
        self.live = _Learner(self._generation, handle, thread, worker, folder)
        # the previewer reloads a snapshot after each document: the window takes the GIL back quickly
        fast_switching(True)
        self.live.fast = True
        self.live.started_from = ModelStore(self.project.models_dir).current_name() or "the original"
        self.pending.clear()
        self.learnt = 0
        self.latest = None
        self.error = None
        self._set_state("starting", self._starting_text())
        thread.start()

    def stop(self) -> None:
        """Stop the live learner without waiting: its input is closed and, since it holds
        nothing to keep (only preview snapshots), it is killed; its thread ends by itself."""
        learner, self.live = self.live, None
        self._correction.stop()
        if learner is None:
            return
        learner.worker.stopped.set()
        learner.handle.end_input()
        _kill(learner.handle)
        self.ending.append(learner)
        self.pending.clear()

    def restart(self) -> bool:
        """Start afresh from the current saved version (after a version was saved or rolled
        back), if a learner runs; True if one was started."""
        if self.live is None:
            return False
        self.start()
        self.sig_message.emit(Msg.LEARN_RESTARTED.format(version=self.live.started_from))
        return True

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        """Stop every learner and end its thread (the window is closing): its input is closed,
        and it is killed if it is still being built or has not ended after ``END_WAIT_MS``
        (it holds nothing to keep); the threads are waited for (never destroyed while
        running), the snapshot folders removed. False if a thread did not end in time (it is
        then left alive). Safe to call more than once."""
        self._shutdown = True
        self._correction.stop()
        if self.live is not None:
            learner, self.live = self.live, None
            learner.worker.stopped.set()
            learner.handle.end_input()
            if not learner.ready:
                _kill(learner.handle)
            self.ending.append(learner)
        ok = True
        for learner in list(self.ending):
            try:
                learner.worker.sig_event.disconnect(self._event)
            except (RuntimeError, TypeError):
                pass
            learner.thread.quit()  # its event loop ends as soon as the worker's run returns
            if not learner.thread.wait(END_WAIT_MS):
                learner.handle.kill()
                ok = learner.thread.wait(timeout_ms) and ok
            if not learner.thread.isRunning():
                self._forget(learner)
        return ok

    def _forget(self, learner: _Learner) -> None:
        if learner in self.ending:
            self.ending.remove(learner)
        if learner.fast:
            fast_switching(False)
            learner.fast = False
        learner.thread.quit()
        learner.thread.wait(1000)
        learner.worker.deleteLater()
        learner.thread.deleteLater()
        shutil.rmtree(learner.folder, ignore_errors=True)

    def set_rehearsal(self, value: float) -> None:
        """The slider's ratio, for the learner's next steps."""
        if self.live is not None:
            try:
                self.live.handle.set_rehearsal(value)
            except NerguiError as err:
                self.sig_message.emit(str(err))

    # ---- its events ------------------------------------------------------------------------------
    def _started(self, generation: int) -> None:
        """Its process runs: what was sent before goes to it now, in order (and the ratio)."""
        learner = self.live
        if learner is None or generation != learner.generation:
            return
        learner.running = True
        if LEARNER_NICE:
            lifeline.lower_priority(learner.handle.pid, LEARNER_NICE)
        learner.handle.set_rehearsal(learner.handle.rehearsal)
        for record, key in learner.queued:
            learner.handle.learn(record, key)
        learner.queued.clear()

    def _event(self, generation: int, ev) -> None:
        learner = self.live
        if learner is None or generation != learner.generation:
            return  # a learner stopped since
        if isinstance(ev, LearnerReady):
            learner.ready = True
            if not ev.started_from_version:
                learner.started_from = "the original"
            self._update()
        elif isinstance(ev, Learnt):
            self.pending.pop(ev.doc_key, None)
            self.learnt += 1
            if ev.snapshot_path and ev.snapshot_path != self.latest:
                self.latest = ev.snapshot_path
                if self.panel.runner.state != "waiting":  # the user is looking at a trained result
                    self.sig_preview.emit(ev.snapshot_path, self.preview_name())
                self.sig_learnt.emit(ev.snapshot_path)
            self._update()
        elif isinstance(ev, Failed):
            if not learner.ready:  # it could not be built: it ends now
                self._failed(Msg.LEARN_START_FAILED.format(message=ev.message))
            elif learner.handle.proc is not None and learner.handle.proc.poll() is not None:
                self.error = ev.message  # the process died: said once its thread has ended (``_ended``)
            else:  # one document could not be learnt; the learner goes on
                if self.pending:  # documents are learnt in the order sent
                    self.pending.pop(next(iter(self.pending)))
                self.sig_error.emit(ev.message)
                self._update()

    def _ended(self, generation: int) -> None:
        for learner in list(self.ending):
            if learner.generation == generation:
                self._forget(learner)
        if self.live is not None and self.live.generation == generation:  # it ended on its own: died
            learner, self.live = self.live, None
            self._forget(learner)
            self._failed(Msg.LEARN_STOPPED.format(
                message=self.error or Msg.LEARN_CHILD_DIED.format(code="?", detail="")))

    def _failed(self, text: str) -> None:
        """The learner is gone: ``text`` stays in the status line until the mode is turned on again."""
        self.stop()
        self.error = text
        self._set_state("failed", text)
        self.sig_error.emit(text)

    def preview_name(self) -> str:
        """The preview's name for the newest snapshot: how many documents its weights learnt
        from (its folder's number, ``Learner.write_snapshot``: every document sent up to it)."""
        n = _snapshot_number(self.latest) or self.learnt
        return Msg.LEARN_PREVIEW_NAME.format(n=n, s=_s(n))

    def _reshow(self) -> None:
        """After the window went back to the current model (a run discarded, cancelled or
        failed): the learner's newest snapshot again, since it is newer."""
        if self.live is not None and self.latest:
            QTimer.singleShot(0, self, lambda path=self.latest: self._show_again(path))

    def _show_again(self, path: str) -> None:
        if self.live is not None and path == self.latest:
            self.sig_preview.emit(path, self.preview_name())

    def training_preview(self, path: str, name: str) -> None:
        """A training run's snapshot: previewed unless the learner runs, in which case only a
        trained result the user is to keep or discard is."""
        if self.live is None or (name.startswith("trained") and not self.panel.auto_run):
            self.sig_preview.emit(path, name)

    # ---- documents -------------------------------------------------------------------------------
    def _doc_state(self, doc_id: int) -> None:
        try:
            doc = self.project.get_document(doc_id)
        except NerguiError:
            return
        if doc.state == "accepted":
            self.learn(doc)

    def _document(self) -> None:
        """Another document is shown: a correction waiting is sent now; the new one's spans
        are the baseline its corrections are told from."""
        if self._correction.isActive():
            self._correction.stop()
            self._send_correction()
        doc = self.session.doc
        if doc is not None and doc.id not in self._baseline:
            self._baseline[doc.id] = _spans(doc.spans)

    def _spans(self) -> None:
        doc = self.session.doc
        if doc is None or doc.state != "accepted" or self.live is None:
            return
        if _spans(doc.spans) != self._baseline.get(doc.id):
            self._corrected = doc.id
            self._correction.start()

    def _send_correction(self) -> None:
        doc_id, self._corrected = self._corrected, None
        if doc_id is None:
            return
        try:
            doc = self.project.get_document(doc_id)
        except NerguiError:
            return
        if doc.state == "accepted" and _spans(doc.spans) != self._baseline.get(doc.id):
            self.learn(doc)

    def learn(self, doc, *, count: bool = True) -> bool:
        """Send an accepted document (a store ``Document``) to the learner; False if the mode
        is off. ``count``: it counts towards the next consolidation (not when it is sent
        again to a restarted learner)."""
        if self.live is None:
            if not (self.state == "starting" and self.wanted()):
                return False
            self.start()  # accepted before the deferred start: start now
        key = str(doc.id)
        record = Record(doc.text, list(doc.spans), "accepted", dict(doc.meta))
        if self.live.running:
            self.live.handle.learn(record, key)
        else:  # its process is starting in the worker's thread
            self.live.queued.append((record, key))
        self._baseline[doc.id] = _spans(doc.spans)
        self.pending[key] = doc.id
        self._update()
        self.consolidation.sent(doc.id, count=count)
        return True

    def consolidate(self) -> bool:
        """Consolidate now (the button, the menu): see ``Consolidation.consolidate``."""
        return self.consolidation.consolidate()

    def _labels_changed(self) -> None:
        names = set(self.project.label_names())
        gone = bool(self._labels - names)  # renamed, merged or deleted: the learner knows the old name
        self._labels = names
        was = self.available.ok
        self.refresh()
        if gone and was and self.live is not None:
            self.start()

    # ---- status ----------------------------------------------------------------------------------
    def _starting_text(self) -> str:
        return Msg.LEARN_STARTING.format(base=describe(self.project.base_pipeline or ""),
                                         documents=self._accepted_count())

    def _accepted_count(self) -> int:
        try:
            return self.project.counts_by_state().get("accepted", 0)
        except NerguiError:
            return 0

    def _update(self) -> None:
        if self.state in ("off", "failed"):
            self.consolidation.update()
            return
        learner = self.live
        if learner is None or not learner.ready:
            state, text = "starting", self.status
        elif self.pending:
            n = len(self.pending)
            state, text = "learning", Msg.LEARN_BUSY.format(n=n, s=_s(n))
        elif self.learnt:
            state, text = "ready", Msg.LEARN_UP_TO_DATE.format(n=self.learnt, s=_s(self.learnt),
                                                               since=learner.started_from)
        else:
            state, text = "ready", Msg.LEARN_READY
        self._set_state(state, text)
        self.consolidation.update()

    def _set_state(self, state: str, text: str) -> None:
        changed = state != self.state
        self.state, self.status = state, text
        self.sig_status.emit(text)
        if changed:
            self.sig_state.emit(state)
        if state in ("off", "failed") and hasattr(self, "consolidation"):
            self.consolidation.update()


def _kill(handle: LearnerRun) -> None:
    """Kill the learner's process without waiting for it (its worker's thread reaps it)."""
    proc = handle.proc
    if proc is not None and proc.returncode is None:
        try:
            proc.kill()
        except OSError:
            pass


def _snapshot_number(path: str | None) -> int:
    """``.../l00012`` -> 12 (0 if the name is not a learner snapshot's)."""
    name = Path(path).name if path else ""
    return int(name[1:]) if name[:1] == "l" and name[1:].isdigit() else 0


def _spans(spans) -> tuple:
    return tuple(sorted((s.start, s.end, s.label) for s in spans))


def attach(window) -> LearnController:
    """Add the mode to a MainWindow: the controller, the box in the training panel, the
    Training menu's actions, the previewer's wiring. Call once the window is wired."""
    from . import actions
    from .training.learning_box import LearningBox

    ctrl = LearnController(window.session, window.training, window.settings, window)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Training")
    first = menu.actions()[0] if menu.actions() else None
    toggle = actions.add(window, None, "&Learn as I annotate", lambda on: ctrl.set_enabled(bool(on)),
                         checkable=True, name="learn",
                         sheet="Learn from each document you accept; the preview uses the new weights")
    now = actions.add(window, None, "&Consolidate now", lambda: ctrl.consolidate(), name="consolidate",
                      sheet="A full training run from the original, kept as a new version")
    menu.insertAction(first, toggle)
    menu.insertAction(first, now)
    menu.insertSeparator(first)
    box = LearningBox(ctrl, toggle, now)
    layout = window.training.body.layout()
    layout.insertWidget(2, box)  # under Train and its status line
    window.learning_box = box
    # the training run's snapshots go through the controller (skipped while the learner runs)
    window.training.sig_preview.disconnect(window.load_model)
    window.training.sig_preview.connect(ctrl.training_preview)
    ctrl.sig_preview.connect(window.load_model)
    ctrl.sig_message.connect(window.message)
    ctrl.sig_error.connect(lambda text: window.message(text, error=True))
    return ctrl
