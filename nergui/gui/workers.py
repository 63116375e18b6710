"""Background training: a worker QObject moved to a QThread, and its GUI-side handle.

``TrainRunner`` (GUI thread) makes the run's handle (``nergui.core.run.RunHandle``: a
``ChildRun`` by default, a ``ThreadRun`` with ``TrainRequest.process=False``) and a
``TrainWorker`` in a QThread that starts it and relays its events: each event object
(``nergui.core.events``) travels in one signal, ``sig_event``, and a subscriber picks the
classes it handles. The GUI thread acts on the run only through the handle's thread-safe
``set_rehearsal``, ``cancel`` and ``decide``, so the rehearsal ratio goes slider ->
``TrainRunner.set_rehearsal`` -> ``handle.set_rehearsal`` -> the trainer's ``Control``.

``TrainRunner`` runs one worker at a time (Orange3's one-task rule) and stops it in a
fixed order (Spyder's): disconnect, stop, quit, wait, close the handle, delete.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

# the run's types live in the Qt-free core; the panel takes them from here with the runner
from ..core.events import (LAST, Cancelled, EpochEnd, Failed, RunInfo, RunResult, Saved,  # noqa: F401
                           Snapshot, Tick)
from ..core.run import RunHandle, ThreadRun, TrainRequest  # noqa: F401
from ..errors import Msg, NerguiError, detail as error_detail

# While a run goes on, Python hands the GIL between threads every millisecond instead of
# every 5 ms: the GUI thread re-takes the GIL after each Qt call it makes, and waited up to
# 5 ms each time while another thread held it (a chart relayout of ~50 Qt calls then froze
# the window for ~250 ms). In a thread, that other thread is training; with training in a
# child process it is the previewer reloading the model after each epoch (measured: the
# result card shown while the last snapshot loads, 127 ms late at 5 ms). Training speed
# did not change measurably (bench ui, throughput_ratio 0.92 at 5 ms, 0.94 at 1 ms).
RUN_SWITCH_INTERVAL = 0.001
_FAST = {"holders": 0, "saved": None}  # who needs the short interval now (a run, a learner)


def fast_switching(on: bool) -> None:
    """Ask for (``on``) or give back the short switch interval above: set while anything holds
    it (a training run, a learner whose snapshots the previewer reloads), restored after."""
    if on:
        if _FAST["holders"] == 0:
            _FAST["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(RUN_SWITCH_INTERVAL)
        _FAST["holders"] += 1
    elif _FAST["holders"] > 0:
        _FAST["holders"] -= 1
        if _FAST["holders"] == 0 and _FAST["saved"] is not None:
            sys.setswitchinterval(_FAST["saved"])


def make_handle(request: TrainRequest) -> RunHandle:
    """A child process (the default) or a thread of this process."""
    if request.process:
        from ..core.child import ChildRun

        return ChildRun(request)
    return ThreadRun(request)


class TrainWorker(QObject):
    """Starts the run and relays its events, in its own QThread. Before the last event is
    relayed, the handle is closed here (the child has ended), so the GUI thread never waits."""

    sig_event = Signal(object)

    def __init__(self, handle: RunHandle):
        super().__init__()
        self.handle = handle

    @Slot()
    def run(self) -> None:
        try:
            self.handle.start()
            for ev in self.handle.events():
                if isinstance(ev, LAST):
                    self.handle.close()
                self.sig_event.emit(ev)
        except Exception as err:  # never leave the panel waiting for an end that cannot come
            self.handle.kill()
            message = str(err) if isinstance(err, NerguiError) else Msg.TRAIN_FAILED.format(detail=error_detail(err))
            self.sig_event.emit(Failed(message))


class TrainRunner(QObject):
    """The GUI thread's handle on the training thread: one run at a time.

    States: ``idle`` -> ``running`` -> ``waiting`` (trained; keep or discard) -> ``saving``
    -> ``idle``; a cancel or a failure goes straight back to ``idle``. Every event of the
    run is re-emitted as ``sig_event`` once the state follows it.
    """

    sig_state = Signal(str)
    sig_event = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = "idle"
        self.thread: QThread | None = None
        self.worker: TrainWorker | None = None
        self.handle: RunHandle | None = None
        self.request: TrainRequest | None = None
        self._snapshot_root: str | None = None
        self._fast = False  # holds fast_switching while a run goes on

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
        self.handle = make_handle(request)
        thread = QThread()
        thread.setObjectName("nergui-train")
        worker = TrainWorker(self.handle)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        thread.finished.connect(worker.deleteLater)  # deferred deletes still run as the thread ends
        worker.sig_event.connect(self._event)
        self.thread, self.worker = thread, worker
        self._set_state("running")
        if not self._fast:
            fast_switching(True)
            self._fast = True
        thread.start()
        return True

    def set_rehearsal(self, value: float) -> None:
        """Takes effect at the trainer's next batch."""
        if self.handle is not None and self.state == "running":
            self.handle.set_rehearsal(value)

    def cancel(self) -> None:
        """Stop at the next batch (or right after preparation); nothing is saved."""
        if self.handle is not None and self.state == "running":
            self.handle.cancel()

    def decide(self, keep: bool) -> None:
        """Keep (save a new version) or discard the waiting result."""
        if self.handle is not None and self.state == "waiting":
            self._set_state("saving")
            self.handle.decide(keep)

    def shutdown(self, timeout_ms: int = 120_000) -> bool:
        """Stop any run and end the thread: disconnect, stop, quit, wait, delete.

        A result still waiting is discarded (recorded as such); a save under way finishes
        (it is atomic). Returns False only if the thread did not end within ``timeout_ms``
        (it is then left alive, not destroyed).
        """
        ok = self._end_thread(timeout_ms, stop=True)
        self._remove_snapshots()
        return ok

    # ---- the run's events ----------------------------------------------------------------------
    def _event(self, ev: Any) -> None:
        if isinstance(ev, RunResult):
            self._set_state("waiting")
        elif isinstance(ev, LAST):
            self._end_thread()
        self.sig_event.emit(ev)

    def _end_thread(self, timeout_ms: int = 120_000, *, stop: bool = False) -> bool:
        thread, worker, handle = self.thread, self.worker, self.handle
        if thread is None or worker is None or handle is None:
            self._set_state("idle")
            return True
        try:
            worker.sig_event.disconnect(self._event)
        except (RuntimeError, TypeError):
            pass
        if stop and self.state != "saving":
            handle.cancel()
        # the run ends first: it stops, saves what Keep asked for, or discards an undecided
        # result (recorded as such); a child process is tied to this app's life (core.lifeline)
        handle.close(timeout_ms / 1000)
        thread.quit()
        if not thread.wait(timeout_ms):
            return False  # never destroy a running thread; it is left to end on its own
        self.thread = self.worker = self.handle = None
        thread.deleteLater()
        if self._fast:
            fast_switching(False)
            self._fast = False
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
