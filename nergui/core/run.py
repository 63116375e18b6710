"""One training run, from preparation to the keep-or-discard decision, as a stream of events.

This is what the app's training worker runs (``nergui.gui.workers``), either in a child
process (``nergui.core.child``, the default: the GUI process then never waits for the GIL
that training holds) or in the worker's own thread. It is Qt-free: the caller gives an
``emit(kind, payload)`` callback and a ``Control`` (thread-safe rehearsal ratio and cancel).

Events, in order: ``started`` (RunInfo), then any number of ``progress`` (Tick, throttled),
``epoch`` (Progress with scores) and ``snapshot`` ((folder, name): a preview pipeline with
the weights so far); then exactly one of ``finished`` (RunResult: waiting for ``decide``),
``cancelled`` (None) or ``failed`` (the complete message). After ``decide``: ``saved``
(ModelVersion, or None when discarded) or ``failed``.
"""

from __future__ import annotations

import gc
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import Msg, NerguiError, detail as error_detail
from .training import Progress, TrainSettings

KEEP_SNAPSHOTS = 3  # preview snapshots kept on disk during a run (the previewer may still be loading one)
# A preview snapshot is written at the end of an epoch once this many seconds of training
# have passed since the start or the last snapshot, and always at the end of the run.
# Measured (2 cores, en_core_web_sm): a snapshot costs the trainer ~0.07 s to write. In a
# child process that is all it costs; in the GUI's process the previewer's reload also
# competes with training for the GIL (~0.8 s of training each), hence the thread default.
SNAPSHOT_GAP = 2.0
SNAPSHOT_GAP_THREAD = 30.0

Emit = Callable[[str, Any], None]


@dataclass
class TrainRequest:
    """What to run. ``holdout``: score per-label F on a fixed share of the accepted documents
    (``nergui.core.holdout``; only from 50 accepted documents on). ``process``: run in a
    child process (the app's default) or in the calling thread."""

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


@dataclass
class RunInfo:
    """What a prepared run trains on (the ``started`` event)."""

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
    run_id: int | None = None


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


class Control:
    """The caller's hold on a run from another thread: the rehearsal ratio and cancel.
    Both take effect at the trainer's next batch."""

    def __init__(self, rehearsal: float):
        self._lock = threading.Lock()
        self.rehearsal = float(rehearsal)
        self.cancelled = False
        self._trainer = None

    def set_rehearsal(self, value: float) -> None:
        with self._lock:
            self.rehearsal = float(value)
            if self._trainer is not None:
                self._trainer.set_rehearsal(self.rehearsal)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            if self._trainer is not None:
                self._trainer.stop()

    def attach(self, trainer) -> None:
        with self._lock:
            self._trainer = trainer
            trainer.set_rehearsal(self.rehearsal)
            if self.cancelled:
                trainer.stop()


class TrainingRun:
    """Prepare, train, score and snapshot (``run``), then save or drop (``decide``).

    Every exception becomes one ``failed`` event with a complete message; the project's
    annotations and its current model are never touched by a failure (saves are atomic).
    """

    def __init__(self, request: TrainRequest, control: Control, emit: Emit):
        self.request, self.control, self.emit = request, control, emit
        self.job = None
        self.trainer = None
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
            self.emit("failed", message)
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
            self.emit("failed", message)
            return
        self.emit("saved", version)

    def _run(self) -> bool:
        from . import holdout
        from .store import Project
        from .workflow import prepare_training

        req, control = self.request, self.control
        started = time.perf_counter()
        gc.freeze()  # objects that exist now (the GUI's, the previewer's) need no walking either
        project = Project.open(req.project_path)
        try:
            job = prepare_training(project, settings=req.settings, raw_file=req.raw_file,
                                   project_raw=req.project_raw)
        finally:
            project.close()
        self.job = job
        trainer = self.trainer = job.trainer
        if req.holdout:
            holdout.hold_out(trainer)
        # The loaded pipelines are millions of long-lived objects: a full garbage collection
        # walking them holds the GIL for ~250 ms. Frozen, they are skipped until the run
        # ends (``run`` unfreezes them; nothing is lost, collection is deferred).
        gc.freeze()
        control.attach(trainer)
        s = trainer.settings
        total = s.epochs * -(-len(trainer.train_records) // s.batch_size)
        info = RunInfo(labels=list(trainer.labels), old_labels=list(trainer.old_labels),
                       n_train=len(trainer.train_records), n_dev=len(trainer.dev_records),
                       n_rehearsal=len(trainer.rehearsal_texts), n_retention=len(trainer.dev_rehearsal_texts),
                       strategy=s.strategy, epochs=s.epochs, total_steps=total, auto=req.auto,
                       run_id=job.run_id)
        self.emit("started", info)
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
            if not p.epoch_end:
                points.append((p.step, p.loss))
                if now - last_emit < req.throttle:
                    continue
            self.emit("progress", Tick(p, points, now - t0, total))
            points, last_emit = [], now
            if p.epoch_end:
                self.emit("epoch", p)
                due = now - self._snapshot_at >= gap
                if not control.cancelled and p.epoch + 1 < s.epochs and due:
                    with trainer.kept_weights() as nlp:  # what Keep would save now, not the raw weights
                        self._snapshot(nlp, f"training: epoch {p.epoch + 1} of {s.epochs} (not saved)")
        if control.cancelled:
            return self._cancelled()
        metrics = job.evaluate()
        metrics.update(documents=info.n_train, held_out_documents=info.n_dev, rehearsal_texts=info.n_rehearsal)
        self._compare_current(metrics)
        self._snapshot(trainer.nlp, "trained (keep or discard it)")
        wps = last.words_per_second if last is not None else 0.0
        self.emit("finished", RunResult(metrics, time.perf_counter() - started, info, wps, list(trainer.history)))
        return True

    def _cancelled(self) -> bool:
        self.record("cancelled", "cancelled by the user")
        self.emit("cancelled", None)
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
        """The model in use now, scored on the same held-out documents and texts."""
        from . import evaluate
        from .pipeline import ModelStore, load_pipeline

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
            texts = tr.dev_rehearsal_texts  # the texts the run's own retention was measured on
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
        from .snapshot import write_ner_snapshot

        path = Path(root) / f"s{len(self.snapshots):03d}"
        write_ner_snapshot(nlp, path)
        self.snapshots.append(path)
        self._snapshot_at = time.perf_counter()
        for old in self.snapshots[:-KEEP_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)
        self.emit("snapshot", (str(path), name))

