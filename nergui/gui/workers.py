"""Background training: a worker QObject moved to a QThread, and its GUI-side handle.

``TrainWorker`` does everything that touches the pipeline being trained, in its own
thread: it opens its own ``Project`` connection (sqlite connections are per thread),
runs ``prepare_training`` (loading spaCy pipelines is slow), iterates the trainer,
scores the result, writes preview snapshots, and saves or discards the model. It
catches every exception and reports it with ``sig_failed`` (the complete message).

The GUI thread talks to a running worker only through ``set_rehearsal()`` and
``cancel()``, which are thread-safe (the trainer reads both between batches), and through
the queued ``TrainRunner._sig_decide`` once the run is over. Progress is throttled: at
most one ``sig_progress`` per ``throttle`` seconds (each carrying the losses of every step
since the last), and always one at the end of an epoch.

``TrainRunner`` runs one worker at a time (Orange3's one-task rule) and stops it in a
fixed order (Spyder's): disconnect, stop, quit, wait, delete.
"""

from __future__ import annotations

import gc
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.training import Progress, TrainSettings
from ..errors import Msg, NerguiError

KEEP_SNAPSHOTS = 3  # preview snapshots kept on disk during a run (the previewer may still be loading one)
# A preview snapshot is written at the end of an epoch once this many seconds of training have
# passed since the start or the last snapshot, and always at the end of the run. Measured
# (2 cores, en_core_web_sm): each mid-run snapshot costs training about 0.8 s (writing it, and
# the previewer's reload competing for the GIL); one after every 3-second epoch cost 11 % of
# the training speed. Every 30 s or more keeps that under 3 %.
SNAPSHOT_GAP = 30.0
# While a run goes on, Python hands the GIL between threads every millisecond instead of every
# 5 ms: the GUI thread re-takes the GIL after each Qt call it makes, and waited up to 5 ms each
# time (a chart relayout of ~50 Qt calls then froze the window for ~250 ms). Training speed
# did not change measurably (bench ui, throughput_ratio 0.92 at 5 ms, 0.94 at 1 ms).
RUN_SWITCH_INTERVAL = 0.001


@dataclass
class TrainRequest:
    """What to run. ``holdout``: score per-label F on a fixed share of the accepted documents
    (``nergui.core.holdout``; only from 50 accepted documents on)."""

    project_path: Path
    settings: TrainSettings
    raw_file: str | None = None
    holdout: bool = True
    snapshot_dir: str | None = None  # write a preview snapshot here after each epoch and at the end
    snapshot_gap: float = SNAPSHOT_GAP
    throttle: float = 0.25
    auto: bool = False


@dataclass
class RunInfo:
    """What a prepared run trains on (``sig_started``)."""

    labels: list[str]
    old_labels: list[str]
    n_train: int
    n_dev: int
    n_rehearsal: int
    n_retention: int
    strategy: str
    epochs: int
    total_steps: int
    auto: bool = False


@dataclass
class Tick:
    """A throttled progress report: the latest Progress and every (step, loss) since the last."""

    progress: Progress
    points: list[tuple[int, float]]
    elapsed: float
    total_steps: int

    @property
    def examples_per_second(self) -> float:
        return self.progress.examples_seen / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class RunResult:
    """A finished run, waiting for keep or discard. ``metrics`` is ``TrainJob.evaluate()``'s
    dict plus ``current``: the same scores of the model in use, if there is one."""

    metrics: dict[str, Any]
    seconds: float
    info: RunInfo
    words_per_second: float = 0.0
    history: list[dict[str, Any]] = field(default_factory=list)


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
        self._lock = threading.Lock()
        self._rehearsal = float(request.settings.rehearsal)
        self._cancelled = False
        self.trainer = None
        self.job = None
        self.decided = False
        self.snapshots: list[Path] = []
        self._snapshot_at = 0.0

    # ---- called from the GUI thread -------------------------------------------------------
    def set_rehearsal(self, value: float) -> None:
        """Takes effect at the next batch."""
        with self._lock:
            self._rehearsal = float(value)
            if self.trainer is not None:
                self.trainer.set_rehearsal(self._rehearsal)

    def cancel(self) -> None:
        """Stop at the next batch (or right after preparation); nothing is saved."""
        with self._lock:
            self._cancelled = True
            if self.trainer is not None:
                self.trainer.stop()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    # ---- slots, run in the worker thread -------------------------------------------------------
    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except Exception as err:  # every failure becomes one clear message
            message = str(err) if isinstance(err, NerguiError) else Msg.TRAIN_FAILED.format(
                detail=f"{type(err).__name__}: {err}")
            self._record("failed", message)
            self.sig_failed.emit(message)
        finally:
            gc.unfreeze()

    @Slot(bool)
    def decide(self, keep: bool) -> None:
        """Save the trained model as the new current version (``keep``), or drop it."""
        if self.job is None or self.decided:
            return
        self.decided = True
        try:
            version = self.job.finish(keep=keep)
        except Exception as err:
            message = str(err) if isinstance(err, NerguiError) else Msg.TRAIN_SAVE_FAILED.format(
                detail=f"{type(err).__name__}: {err}")
            self._record("failed", message)
            self.sig_failed.emit(message)
            return
        self.sig_saved.emit(version)

    # ---- the run -----------------------------------------------------------------------------
    def _run(self) -> None:
        from ..core import holdout
        from ..core.store import Project
        from ..core.workflow import prepare_training

        req = self.request
        started = time.perf_counter()
        gc.freeze()  # see below; the GUI's and the previewer's objects need no walking either
        project = Project.open(req.project_path)
        try:
            job = prepare_training(project, settings=req.settings, raw_file=req.raw_file)
        finally:
            project.close()
        self.job = job
        trainer = job.trainer
        if req.holdout:
            holdout.hold_out(trainer)
        # The loaded pipelines are millions of long-lived objects: a full garbage collection
        # walking them holds the GIL (and so the GUI) for ~250 ms. Frozen, they are skipped
        # until the run ends (``run`` unfreezes them; nothing is lost, collection is deferred).
        gc.freeze()
        with self._lock:
            self.trainer = trainer
            trainer.set_rehearsal(self._rehearsal)
            if self._cancelled:
                trainer.stop()
        s = trainer.settings
        total = s.epochs * -(-len(trainer.train_records) // s.batch_size)
        info = RunInfo(labels=list(trainer.labels), old_labels=list(trainer.old_labels),
                       n_train=len(trainer.train_records), n_dev=len(trainer.dev_records),
                       n_rehearsal=len(trainer.rehearsal_texts), n_retention=len(trainer.dev_rehearsal_texts),
                       strategy=s.strategy, epochs=s.epochs, total_steps=total, auto=req.auto)
        self.sig_started.emit(info)
        if self._cancelled:
            self._record("cancelled", "cancelled by the user")
            self.sig_cancelled.emit()
            return
        points: list[tuple[int, float]] = []
        last_emit = float("-inf")  # the first batch is always reported
        last = None
        t0 = self._snapshot_at = time.perf_counter()
        for p in job.run():
            last = p
            now = time.perf_counter()
            if not p.epoch_end:
                points.append((p.step, p.loss))
                if now - last_emit < req.throttle:
                    continue
            self.sig_progress.emit(Tick(p, points, now - t0, total))
            points, last_emit = [], now
            if p.epoch_end:
                self.sig_epoch.emit(p)
                due = now - self._snapshot_at >= req.snapshot_gap
                if not self._cancelled and p.epoch + 1 < s.epochs and due:
                    self._snapshot(trainer.nlp, f"training: epoch {p.epoch + 1} of {s.epochs} (not saved)")
        if self._cancelled:
            self._record("cancelled", "cancelled by the user")
            self.sig_cancelled.emit()
            return
        metrics = job.evaluate()
        metrics.update(documents=info.n_train, held_out_documents=info.n_dev, rehearsal_texts=info.n_rehearsal)
        self._compare_current(metrics)
        self._snapshot(trainer.nlp, "trained (keep or discard it)")
        wps = last.words_per_second if last is not None else 0.0
        self.sig_finished.emit(RunResult(metrics, time.perf_counter() - started, info, wps, list(trainer.history)))

    def _record(self, status: str, message: str) -> None:
        """Note the run's end in the project (its own connection); never raises."""
        job = self.job
        if job is None or job.run_id is None:
            return
        try:
            from ..core.store import Project

            with Project.open(job.project_path) as project:
                project.finish_run(job.run_id, status=status, metrics={"error": message})
            job.run_id = None
        except Exception:
            pass

    def _compare_current(self, metrics: dict[str, Any]) -> None:
        """The model in use now, scored on the same held-out documents and texts."""
        from ..core import evaluate
        from ..core.pipeline import ModelStore, load_pipeline

        job, tr = self.job, self.trainer
        store = ModelStore(Path(job.project_path) / "models")
        name = store.current_name()
        if name is None:
            return
        try:
            nlp = load_pipeline(store.dir / name)
            current: dict[str, Any] = {"version": name}
            records = job.eval_records or tr.dev_records
            if records:
                scores = evaluate.score_records(nlp, records, labels=tr.labels)
                current["per_type"] = {k: v["f"] for k, v in scores["per_type"].items()}
            texts = job.held_out or tr.dev_rehearsal_texts
            if texts and tr.old_labels:
                ref = evaluate.teacher_entities(tr.teacher, texts)
                current["retention"] = evaluate.retention(nlp, texts, ref, old_labels=tr.old_labels)
        except NerguiError:
            return  # an unreadable old version: nothing to compare with
        metrics["current"] = current

    def _snapshot(self, nlp, name: str) -> None:
        """Write the weights so far for the previewer (which loads its own copy)."""
        root = self.request.snapshot_dir
        if not root or nlp is None:
            return
        from ..core.snapshot import write_ner_snapshot

        path = Path(root) / f"s{len(self.snapshots):03d}"
        write_ner_snapshot(nlp, path)
        self.snapshots.append(path)
        self._snapshot_at = time.perf_counter()
        for old in self.snapshots[:-KEEP_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)
        self.sig_snapshot.emit(str(path), name)


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
