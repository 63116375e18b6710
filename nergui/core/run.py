"""One training run, from preparation to the keep-or-discard decision, as a stream of events.

``serve`` is a run's whole life: prepare, train, score, snapshot, then wait for the decision
and save or drop. It runs in a child process (``nergui.core.child.ChildRun``, the app's
default: the GUI process then never waits for the GIL that training holds) or in a thread
of the app (``ThreadRun``). Both handles have one interface (``RunHandle``): ``start``,
``events`` (blocking; the run's events, ``nergui.core.events``, until the last),
``set_rehearsal``, ``cancel``, ``decide``, ``close``; so the caller never asks which it has.
Qt-free.
"""

from __future__ import annotations

import gc
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from ..errors import Msg, NerguiError, detail as error_detail
from .events import LAST, Cancelled, EpochEnd, Failed, RunInfo, RunResult, Saved, Snapshot, Tick
from .settings import TrainSettings
from .training import Control

KEEP_SNAPSHOTS = 3  # preview snapshots kept on disk during a run (the previewer may still be loading one)
# A preview snapshot is written at the end of an epoch once this many seconds of training
# have passed since the start or the last snapshot, and always at the end of the run.
# Measured (2 cores, en_core_web_sm): a snapshot costs the trainer ~0.07 s to write. In a
# child process that is all it costs; in the GUI's process the previewer's reload also
# competes with training for the GIL (~0.8 s of training each), hence the thread default.
SNAPSHOT_GAP = 2.0
SNAPSHOT_GAP_THREAD = 30.0

Emit = Callable[[Any], None]  # takes one event


@dataclass
class TrainRequest:
    """What to run. ``holdout``: score per-label F on a fixed share of the accepted documents
    (``nergui.core.holdout``; only from 50 accepted documents on). ``process``: run in a
    child process (the app's default) or in a thread of the caller's process."""

    project_path: Path
    settings: TrainSettings
    raw_file: str | None = None
    holdout: bool = True
    snapshot_dir: str | None = None  # write a preview snapshot here after each epoch and at the end
    snapshot_gap: float | None = None  # None: SNAPSHOT_GAP in a child process, SNAPSHOT_GAP_THREAD in a thread
    throttle: float = 0.25
    auto: bool = False
    process: bool = True
    project_raw: bool = True  # the project's unannotated documents are rehearsal text (False: only raw_file's)

    def gap(self) -> float:
        if self.snapshot_gap is not None:
            return self.snapshot_gap
        return SNAPSHOT_GAP if self.process else SNAPSHOT_GAP_THREAD


class TrainingRun:
    """Prepare, train, score and snapshot (``run``), then save or drop (``decide``).

    Every exception becomes one ``Failed`` event with a complete message; the project's
    annotations and its current model are never touched by a failure (saves are atomic).
    """

    def __init__(self, request: TrainRequest, control: Control, emit: Emit):
        self.request, self.control, self.emit = request, control, emit
        self.job = None
        self.decided = False
        self.snapshots: list[Path] = []
        self._snapshot_at = 0.0

    def run(self) -> bool:
        """True when the run finished and waits for ``decide``."""
        try:
            return self._run()
        except Exception as err:  # every failure becomes one clear message
            message = str(err) if isinstance(err, NerguiError) else Msg.TRAIN_FAILED.format(
                detail=error_detail(err))
            self.record("failed", message)
            self.emit(Failed(message))
            return False
        finally:
            gc.unfreeze()

    def decide(self, keep: bool) -> None:
        """Save the trained model as the new current version (``keep``), or drop it."""
        if self.job is None or self.decided:
            return
        self.decided = True
        try:
            version = self.job.finish(keep=keep)
        except Exception as err:
            message = str(err) if isinstance(err, NerguiError) else Msg.TRAIN_SAVE_FAILED.format(
                detail=error_detail(err))
            self.record("failed", message)
            self.emit(Failed(message))
            return
        self.emit(Saved(version))

    def _run(self) -> bool:
        from .store import Project
        from .workflow import prepare_training

        req, control = self.request, self.control
        started = time.perf_counter()
        gc.freeze()  # objects that exist now (the GUI's, the previewer's) need no walking either
        project = Project.open(req.project_path)
        try:
            job = prepare_training(project, settings=req.settings, raw_file=req.raw_file,
                                   project_raw=req.project_raw, hold_out=req.holdout, control=control)
        finally:
            project.close()
        self.job = job
        trainer, data = job.trainer, job.data
        # The loaded pipelines are millions of long-lived objects: a full garbage collection
        # walking them holds the GIL for ~250 ms. Frozen, they are skipped until the run
        # ends (``run`` unfreezes them; nothing is lost, collection is deferred).
        gc.freeze()
        s = trainer.settings
        info = RunInfo(labels=list(data.labels), old_labels=list(data.old_labels), n_train=len(data.train),
                       n_dev=len(data.dev), n_rehearsal=len(data.rehearsal), n_retention=len(data.retention),
                       strategy=s.strategy, epochs=s.epochs, total_steps=trainer.total_steps, auto=req.auto,
                       run_id=job.run_id, dev_source=data.dev_source)
        self.emit(info)
        if control.cancelled:
            return self._cancelled()
        points: list[tuple[int, float]] = []
        last_emit = float("-inf")  # the first batch is always reported
        last = None
        t0 = self._snapshot_at = time.perf_counter()
        gap = req.gap()
        for p in job.run():
            last = p
            now = time.perf_counter()
            if not isinstance(p, EpochEnd):
                points.append((p.step, p.loss))
                if now - last_emit < req.throttle:
                    continue
            self.emit(Tick(p, points, now - t0, info.total_steps))
            points, last_emit = [], now
            if isinstance(p, EpochEnd):
                self.emit(p)
                due = now - self._snapshot_at >= gap
                if not control.cancelled and p.epoch + 1 < s.epochs and due:
                    with trainer.kept_weights() as nlp:  # what Keep would save now, not the raw weights
                        self._snapshot(nlp, f"training: epoch {p.epoch + 1} of {s.epochs} (not saved)")
        if control.cancelled:
            return self._cancelled()
        metrics = job.evaluate()
        metrics.update(documents=info.n_train, held_out_documents=info.n_dev, rehearsal_texts=info.n_rehearsal)
        if not self._cross_validate():
            return self._cancelled()
        self._compare_current(metrics)
        self._snapshot(trainer.nlp, "trained (keep or discard it)")
        wps = last.words_per_second if last is not None else 0.0
        self.emit(RunResult(metrics, time.perf_counter() - started, info, wps, list(trainer.history)))
        return True

    def _cross_validate(self) -> bool:
        """Cross-validate a small project's new types (``TrainJob.cross_validate``), reporting
        its progress as often as training's; False if cancelled meanwhile."""
        last = float("-inf")
        for ev in self.job.cross_validate():
            now = time.perf_counter()
            if now - last >= self.request.throttle:
                self.emit(ev)
                last = now
        return not self.control.cancelled

    def _cancelled(self) -> bool:
        self.record("cancelled", "cancelled by the user")
        self.emit(Cancelled())
        return False

    def record(self, status: str, message: str) -> None:
        """Note the run's end in the project (its own connection); never raises."""
        job = self.job
        if job is None or job.run_id is None:
            return
        from .workflow import record_run_end

        record_run_end(job.project_path, job.run_id, status, message)
        job.run_id = None

    def _compare_current(self, metrics: dict[str, Any]) -> None:
        """The model in use now, by the run's own scorer (same documents, same texts)."""
        from .pipeline import ModelStore, load_pipeline

        store = ModelStore(Path(self.job.project_path) / "models")
        name = store.current_name()
        if name is None:
            return
        try:
            scores = self.job.trainer.scorer(load_pipeline(store.fetch(name)))
        except NerguiError:
            return  # an unreadable old version: nothing to compare with
        current: dict[str, Any] = {"version": name}
        if "per_type" in scores:
            current["per_type"] = {k: v["f"] for k, v in scores["per_type"].items()}
        for key in ("retention", "retention_excluding_relabelled"):
            if key in scores:
                current[key] = scores[key]
        metrics["current"] = current

    def _snapshot(self, nlp, name: str) -> None:
        """Write the weights so far for the previewer (which loads its own copy)."""
        root = self.request.snapshot_dir
        if not root or nlp is None:
            return
        from .snapshot import write_ner_snapshot

        path = Path(root) / f"s{len(self.snapshots):03d}"
        write_ner_snapshot(nlp, path)
        self.snapshots.append(path)
        self._snapshot_at = time.perf_counter()
        for old in self.snapshots[:-KEEP_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)
        self.emit(Snapshot(str(path), name))


def serve(request: TrainRequest, control: Control, emit: Emit, decision: Callable[[], bool]) -> None:
    """A run's whole life: run it; if it finished, wait for ``decision()`` and save or drop."""
    run = TrainingRun(request, control, emit)
    if run.run():
        run.decide(decision())


class RunHandle(Protocol):
    """The caller's hold on a run, wherever it runs. ``events`` blocks (call it from a worker
    thread); the other methods may be called from any thread."""

    rehearsal: float

    def start(self) -> None: ...
    def events(self) -> Iterator[Any]: ...
    def set_rehearsal(self, value: float) -> None: ...
    def cancel(self) -> None: ...
    def decide(self, keep: bool) -> None: ...
    def close(self, timeout: float = 60.0) -> int | None: ...
    def kill(self) -> None: ...


class ThreadRun:
    """A run in a thread of this process (``RunHandle``). The training then shares this
    process's GIL: the app's child process is the better default."""

    def __init__(self, request: TrainRequest):
        self.request = request
        self.control = Control(request.settings.rehearsal)
        self._events: queue.Queue[Any] = queue.Queue()
        self._decisions: queue.Queue[bool] = queue.Queue()
        self._thread: threading.Thread | None = None

    @property
    def rehearsal(self) -> float:
        return self.control.rehearsal

    def start(self) -> None:
        self.request.settings.rehearsal = self.control.rehearsal  # the run records what it starts with

        def life() -> None:
            try:
                serve(self.request, self.control, self._events.put, self._decisions.get)
            finally:
                self._events.put(None)  # the end of the stream

        self._thread = threading.Thread(target=life, name="nergui-train-run", daemon=True)
        self._thread.start()

    def events(self) -> Iterator[Any]:
        while (ev := self._events.get()) is not None:
            yield ev
            if isinstance(ev, LAST):
                return

    def set_rehearsal(self, value: float) -> None:
        self.control.set_rehearsal(value)

    def cancel(self) -> None:
        self.control.cancel()
        self._decisions.put(False)  # a finished run waiting for a decision is discarded

    def decide(self, keep: bool) -> None:
        self._decisions.put(bool(keep))

    def close(self, timeout: float = 60.0) -> int | None:
        """Stop the run (or discard an undecided result) and wait for its thread."""
        self.cancel()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return 0

    def kill(self) -> None:
        self.cancel()
