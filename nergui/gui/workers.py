"""Background training: a worker QObject moved to a QThread, and its GUI-side handle.

``TrainWorker`` does everything that touches the pipeline being trained, away from the GUI
thread. By default (``TrainRequest.process``) it starts a training child process
(``nergui.core.child``) and relays its events as signals: the trainer then has a core and a
GIL of its own, so the window stays responsive (the GUI's process has only the previewer
to run), and a crash of the training is reported instead of taking the app down. With
``process=False`` it runs the same ``nergui.core.run.TrainingRun`` in its own thread.
Either way it reports every failure with ``sig_failed`` (the complete message).

The GUI thread talks to a running worker only through ``set_rehearsal()`` and
``cancel()``, which are thread-safe (the trainer reads both between batches), and through
the queued ``TrainRunner._sig_decide`` once the run is over. Progress is throttled: at
most one ``sig_progress`` per ``throttle`` seconds (each carrying the losses of every step
since the last), and always one at the end of an epoch.

``TrainRunner`` runs one worker at a time (Orange3's one-task rule) and stops it in a
fixed order (Spyder's): disconnect, stop, quit, wait, close the child, delete.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

# the run's types live in the Qt-free core; the panel takes them from here with the runner
from ..core.run import Control, RunInfo, RunResult, Tick, TrainingRun, TrainRequest  # noqa: F401
from ..errors import Msg, NerguiError, detail as error_detail

# While a run goes on, Python hands the GIL between threads every millisecond instead of
# every 5 ms: the GUI thread re-takes the GIL after each Qt call it makes, and waited up to
# 5 ms each time while another thread held it (a chart relayout of ~50 Qt calls then froze
# the window for ~250 ms). In a thread, that other thread is training; with training in a
# child process it is the previewer reloading the model after each epoch (measured: the
# result card shown while the last snapshot loads, 127 ms late at 5 ms). Training speed
# did not change measurably (bench ui, throughput_ratio 0.92 at 5 ms, 0.94 at 1 ms).
RUN_SWITCH_INTERVAL = 0.001
_ENDS = ("finished", "cancelled", "failed")


class TrainWorker(QObject):
    sig_started = Signal(object)      # RunInfo, once the run is prepared
    sig_progress = Signal(object)     # Tick, throttled
    sig_epoch = Signal(object)        # Progress with scores, after every epoch
    sig_snapshot = Signal(str, str)   # a pipeline folder with the weights so far, and its name
    sig_finished = Signal(object)     # RunResult: trained and scored, waiting for keep/discard
    sig_cancelled = Signal()
    sig_saved = Signal(object)        # ModelVersion kept, or None when discarded
    sig_failed = Signal(str)          # the complete message (str of the NerguiError)

    def __init__(self, request: TrainRequest):
        super().__init__()
        self.request = request
        self.control = Control(request.settings.rehearsal)
        self._lock = threading.Lock()
        self.child = None             # ChildRun, in a child process
        self.training: TrainingRun | None = None  # in this thread
        self.decided = False

    # ---- called from the GUI thread -------------------------------------------------------
    def set_rehearsal(self, value: float) -> None:
        """Takes effect at the next batch."""
        with self._lock:
            self.control.set_rehearsal(value)
            if self.child is not None:
                self.child.set_rehearsal(value)

    def cancel(self) -> None:
        """Stop at the next batch (or right after preparation); nothing is saved. A finished
        run that waits for a decision is discarded."""
        with self._lock:
            self.control.cancel()
            if self.child is not None:
                self.child.cancel()

    @property
    def cancelled(self) -> bool:
        return self.control.cancelled

    @property
    def rehearsal(self) -> float:
        return self.control.rehearsal

    @property
    def job(self):
        return self.training.job if self.training is not None else None

    def close(self, timeout: float = 60.0) -> None:
        """End the child process (after the thread has ended)."""
        if self.child is not None:
            self.child.close(timeout)

    # ---- slots, run in the worker thread -------------------------------------------------------
    @Slot()
    def run(self) -> None:
        if not self.request.process:
            self.training = TrainingRun(self.request, self.control, self._emit)
            self.training.run()
            return
        from ..core.child import ChildRun

        with self._lock:
            self.request.settings.rehearsal = self.control.rehearsal
            try:
                self.child = ChildRun(self.request)
            except OSError as err:
                self._emit("failed", Msg.TRAIN_CHILD_START.format(detail=error_detail(err)))
                return
            if self.control.cancelled:
                self.child.cancel()
        self._relay(_ENDS, last=("cancelled", "failed"))

    @Slot(bool)
    def decide(self, keep: bool) -> None:
        """Save the trained model as the new current version (``keep``), or drop it."""
        if self.decided:
            return
        self.decided = True
        if self.training is not None:
            self.training.decide(keep)
        elif self.child is not None:
            self.child.decide(keep)
            self._relay(("saved", "failed"), last=("saved", "failed"))

    def _relay(self, until: tuple[str, ...], *, last: tuple[str, ...]) -> None:
        """Emit the child's events up to one in ``until``. After one in ``last`` the child
        ends: wait for it here, before that event is emitted, so the GUI thread never waits.
        Should reading the child fail here, the child is stopped and that is the failure."""
        try:
            for kind, payload in self.child.events(until):
                if kind in last:
                    self.child.close()
                self._emit(kind, payload)
        except Exception as err:  # never leave the panel waiting for an end that cannot come
            self.child.kill()
            self._emit("failed", Msg.TRAIN_FAILED.format(detail=error_detail(err)))

    def _emit(self, kind: str, payload: Any) -> None:
        if kind == "snapshot":
            self.sig_snapshot.emit(*payload)
        elif kind == "cancelled":
            self.sig_cancelled.emit()
        else:
            getattr(self, f"sig_{kind}").emit(payload)


class TrainRunner(QObject):
    """The GUI thread's handle on the training thread: one run at a time.

    States: ``idle`` -> ``running`` -> ``waiting`` (trained; keep or discard) -> ``saving``
    -> ``idle``; a cancel or a failure goes straight back to ``idle``.
    """

    sig_state = Signal(str)
    sig_started = Signal(object)
    sig_progress = Signal(object)
    sig_epoch = Signal(object)
    sig_snapshot = Signal(str, str)
    sig_finished = Signal(object)
    sig_cancelled = Signal()
    sig_saved = Signal(object)
    sig_failed = Signal(str)
    _sig_decide = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = "idle"
        self.thread: QThread | None = None
        self.worker: TrainWorker | None = None
        self.request: TrainRequest | None = None
        self._snapshot_root: str | None = None
        self._switch_interval: float | None = None

    @property
    def busy(self) -> bool:
        return self.state != "idle"

    def start(self, request: TrainRequest, *, snapshots: bool = True) -> bool:
        """Start a run in a new thread; False if one is already going or waiting."""
        if self.busy:
            return False
        self._remove_snapshots()
        if snapshots:
            self._snapshot_root = tempfile.mkdtemp(prefix="nergui-preview-")
            request.snapshot_dir = self._snapshot_root
        self.request = request
        thread = QThread()
        thread.setObjectName("nergui-train")
        worker = TrainWorker(request)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        thread.finished.connect(worker.deleteLater)  # deferred deletes still run as the thread ends
        worker.sig_started.connect(self.sig_started)
        worker.sig_progress.connect(self.sig_progress)
        worker.sig_epoch.connect(self.sig_epoch)
        worker.sig_snapshot.connect(self.sig_snapshot)
        worker.sig_finished.connect(self._finished)
        worker.sig_cancelled.connect(self._cancelled)
        worker.sig_saved.connect(self._saved)
        worker.sig_failed.connect(self._failed)
        self._sig_decide.connect(worker.decide)
        self.thread, self.worker = thread, worker
        self._set_state("running")
        if self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(RUN_SWITCH_INTERVAL)
        thread.start()
        return True

    def set_rehearsal(self, value: float) -> None:
        if self.worker is not None and self.state == "running":
            self.worker.set_rehearsal(value)

    def cancel(self) -> None:
        if self.worker is not None and self.state == "running":
            self.worker.cancel()

    def decide(self, keep: bool) -> None:
        """Keep (save a new version) or discard the waiting result, in the worker thread."""
        if self.state == "waiting":
            self._set_state("saving")
            self._sig_decide.emit(keep)

    def shutdown(self, timeout_ms: int = 120_000) -> bool:
        """Stop any run and end the thread: disconnect, stop, quit, wait, delete.

        A result still waiting is discarded (recorded as such). Returns False only if the
        thread did not end within ``timeout_ms`` (it is then left alive, not destroyed).
        """
        ok = self._end_thread(timeout_ms, stop=True)
        self._remove_snapshots()
        return ok

    # ---- worker reports -------------------------------------------------------------------------
    def _finished(self, result: RunResult) -> None:
        self._set_state("waiting")
        self.sig_finished.emit(result)

    def _cancelled(self) -> None:
        self._end_thread()
        self.sig_cancelled.emit()

    def _saved(self, version) -> None:
        self._end_thread()
        self.sig_saved.emit(version)

    def _failed(self, message: str) -> None:
        self._end_thread()
        self.sig_failed.emit(message)

    def _end_thread(self, timeout_ms: int = 120_000, *, stop: bool = False) -> bool:
        thread, worker = self.thread, self.worker
        if thread is None or worker is None:
            self._set_state("idle")
            return True
        if stop and self.state == "saving":  # Keep was clicked: let the queued save start (it is atomic)
            deadline = time.monotonic() + timeout_ms / 1000
            while not worker.decided and thread.isRunning() and time.monotonic() < deadline:
                time.sleep(0.01)
        for sig in (worker.sig_started, worker.sig_progress, worker.sig_epoch, worker.sig_snapshot,
                    worker.sig_finished, worker.sig_cancelled, worker.sig_saved, worker.sig_failed):
            try:
                sig.disconnect()
            except (RuntimeError, TypeError):
                pass
        try:
            self._sig_decide.disconnect()
        except (RuntimeError, TypeError):
            pass
        if stop:
            worker.cancel()
        # the child process, if any, ends first (it stops, or discards an undecided result):
        # it is tied to the worker thread's life (core.child._die_with_parent)
        worker.close(timeout_ms / 1000)
        thread.quit()
        if not thread.wait(timeout_ms):
            return False  # never destroy a running thread; it is left to end on its own
        job = worker.job
        if stop and job is not None and not worker.decided and job.run_id is not None:
            try:  # trained but never kept: record the run as discarded (touches no pipeline)
                job.finish(keep=False)
            except NerguiError:
                pass
        self.thread = self.worker = None
        thread.deleteLater()
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        self._set_state("idle")
        return True

    def _remove_snapshots(self) -> None:
        if self._snapshot_root:
            shutil.rmtree(self._snapshot_root, ignore_errors=True)
            self._snapshot_root = None

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.sig_state.emit(state)
