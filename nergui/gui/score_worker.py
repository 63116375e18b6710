"""Scoring the to-do documents for Next, off the GUI thread (issue 13).

``ScoreWorker`` lives in its own QThread with its OWN pipeline (loaded there from the
current model or the latest preview snapshot: ``reload(spec)``; never shared with another
thread) and its own connection to the project. It draws a random pool of to-do documents
(``active.CandidatePool``, none of the evaluation sample), scores it batch by batch, one
batch per event of its thread, so that a ``reload`` (a new model version, a learner's new
weights) is taken between two batches: the pool's scores are then refreshed best first,
the old ones kept until replaced. After each batch the next pick is worked out in advance
(``CandidatePool.peek``). The GUI thread reads the pool (it is locked) and never waits.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ..core import active
from ..core.evaluation_sample import EvaluationSample
from ..errors import Msg, NerguiError, detail as error_detail

POOL_SIZE = active.POOL_SIZE
BATCH = 8  # documents per batch: a reload waits at most one batch (~0.25 s with a pretrained pipeline)


class ScoreWorker(QObject):
    sig_pool = Signal(object, bool)       # a CandidatePool, and whether it replaces one (a refill)
    sig_sample = Signal(object, object)   # the EvaluationSample (or None), {doc_id: state} of its documents
    sig_progress = Signal(int, int, int)  # scored, pool size, of them still the previous model's
    sig_model = Signal(str)               # the spec now scoring
    sig_failed = Signal(str)

    def __init__(self, project_path: str, *, pool_size: int = POOL_SIZE, batch: int = BATCH, seed: int = 0):
        super().__init__()
        self.project_path = project_path
        self.pool_size, self.batch, self.seed = pool_size, batch, seed
        self.project = None  # opened in the worker's thread
        self.nlp = None
        self.spec = ""
        self.patterns_path = ""
        self.matcher = None
        self.labels: list[str] = []
        self.pool: active.CandidatePool | None = None
        self.next_pool: active.CandidatePool | None = None  # a refill, scored before it is handed over
        self.scoring = False  # whether the pool is to be scored (the model ordering)
        self.exclude: set[int] = set()  # the evaluation sample
        self.pause_until = 0.0  # written by the GUI thread: no batch before then (a document is being opened)
        self.score_seconds = 0.0  # time spent scoring the current pool (the bench reads it)
        self._running = None  # the pool's ``score`` generator
        self._scheduled = False
        self._stopped = False

    # ---- in the worker's thread --------------------------------------------------------------------
    def _project(self):
        if self.project is None:
            from ..core.store import Project

            self.project = Project.open(self.project_path)
        return self.project

    @Slot(object)
    def set_sample(self, sample: EvaluationSample | None) -> None:
        """The evaluation sample (None: none): its documents are found and never enter a pool."""
        try:
            ids = sample.ids(self._project()) if sample is not None else {}
        except NerguiError as err:
            self.sig_failed.emit(str(err))
            ids = {}
        self.exclude = set(ids)
        self.sig_sample.emit(sample, ids)

    @Slot(bool, object, int)
    def start(self, scoring: bool, shown: object, seed: int) -> None:
        """Draw a new pool of to-do documents (none of ``shown``, none of the sample) with
        ``seed``; score it if ``scoring``. A refill (a pool already there) is handed over once
        its first batch is scored, so Next never goes without scores."""
        self.scoring = scoring
        try:
            pool = active.CandidatePool.from_project(self._project(), size=self.pool_size, seed=seed,
                                                     exclude=self.exclude | set(shown or ()),
                                                     history=self.pool.shown() if self.pool is not None else ())
        except NerguiError as err:
            self.sig_failed.emit(str(err))
            return
        self.score_seconds = 0.0
        if self.pool is None or not scoring or self.nlp is None:
            self._hand_over(pool, refill=self.pool is not None)
        else:
            self.next_pool = pool
        self._running = None
        self._schedule()

    @Slot(bool)
    def set_scoring(self, on: bool) -> None:
        self.scoring = on
        self._schedule()

    @Slot(str)
    def set_patterns(self, path: str) -> None:
        self.patterns_path = path or ""
        self._load_patterns()
        self._refresh()

    @Slot(str)
    def reload(self, spec: str) -> None:
        """Score with the pipeline at ``spec`` (a model version or a preview snapshot folder)
        from now on: the pool's scores are refreshed, the best candidates first."""
        from ..core.snapshot import load_for_preview

        if not spec:
            return
        try:
            self.nlp = load_for_preview(spec, self.nlp)
            self.labels = self._project().label_names()
            active.new_types_component(self.nlp, self.labels)  # refuses a model that knows none of them
        except NerguiError as err:
            self.nlp = None
            self.sig_failed.emit(Msg.ORDER_NO_MODEL.format(detail=err))
            return
        except Exception as err:  # noqa: BLE001 - never let the worker die silently
            self.nlp = None
            self.sig_failed.emit(Msg.ORDER_SCORE_FAILED.format(detail=error_detail(err)))
            return
        self.spec = spec
        self._load_patterns()
        self.sig_model.emit(spec)
        self._refresh()

    def _load_patterns(self) -> None:
        self.matcher = None
        if self.nlp is not None and self.patterns_path:
            from ..core.patterns import PatternMatcher, read_patterns

            try:
                self.matcher = PatternMatcher(self.nlp.vocab, read_patterns(self.patterns_path))
            except NerguiError as err:
                self.sig_failed.emit(str(err))

    def _refresh(self) -> None:
        for pool in (self.pool, self.next_pool):
            if pool is not None:
                pool.refresh()
        self._running = None
        self.score_seconds = 0.0
        self._schedule()

    @Slot()
    def peek(self) -> None:
        """Work out the next pick now (``CandidatePool.peek``), before Next asks for it."""
        if self.pool is not None:
            self.pool.peek()

    @Slot()
    def stop(self) -> None:
        self._stopped = True
        if self.project is not None:
            self.project.close()
            self.project = None

    def _hand_over(self, pool: active.CandidatePool, *, refill: bool) -> None:
        self.pool, self.next_pool = pool, None
        self.sig_pool.emit(pool, refill)
        self.sig_progress.emit(pool.scored, len(pool), pool.stale)

    def _schedule(self, delay_ms: int = 0) -> None:
        if not self._scheduled and not self._stopped:
            self._scheduled = True
            QTimer.singleShot(delay_ms, self, self._step)

    def _step(self) -> None:
        """Score one batch (then come back for the next, after any event waiting)."""
        self._scheduled = False
        pool = self.next_pool if self.next_pool is not None else self.pool
        if self._stopped or pool is None or not self.scoring or self.nlp is None:
            return
        wait = self.pause_until - time.monotonic()
        if wait > 0:
            self._schedule(int(wait * 1000) + 1)
            return
        if self._running is None:
            if pool.scored == len(pool) and not pool.stale:
                return  # all scored by this model
            self._running = pool.score(self.nlp, labels=self.labels, batch_size=self.batch, patterns=self.matcher)
        started = time.perf_counter()
        try:
            scored = next(self._running, None)
        except Exception as err:  # noqa: BLE001 - a document spaCy refuses: say it, stop scoring
            self._running = None
            self.sig_failed.emit(Msg.ORDER_SCORE_FAILED.format(detail=error_detail(err, limit=300)))
            return
        self.score_seconds += time.perf_counter() - started
        if scored is None:  # done, or stopped by a refresh
            self._running = None
            if pool.scored == len(pool) and not pool.stale:
                pool.peek()
                self.sig_progress.emit(pool.scored, len(pool), 0)
                return
        elif pool is self.next_pool:
            self._hand_over(pool, refill=True)
        else:
            pool.peek()
            self.sig_progress.emit(pool.scored, len(pool), pool.stale)
        self._schedule()


class ScoreThread(QObject):
    """The GUI side: the worker in its thread, driven through queued signals."""

    sig_start = Signal(bool, object, int)
    sig_reload = Signal(str)
    sig_sample = Signal(object)
    sig_scoring = Signal(bool)
    sig_patterns = Signal(str)
    sig_peek = Signal()
    sig_stop = Signal()

    def __init__(self, project_path: str, parent=None, **kwargs):
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("nergui-order")
        self.worker = ScoreWorker(project_path, **kwargs)
        self.worker.moveToThread(self.thread)
        self.sig_start.connect(self.worker.start)
        self.sig_reload.connect(self.worker.reload)
        self.sig_sample.connect(self.worker.set_sample)
        self.sig_scoring.connect(self.worker.set_scoring)
        self.sig_patterns.connect(self.worker.set_patterns)
        self.sig_peek.connect(self.worker.peek)
        self.sig_stop.connect(self.worker.stop)
        self.thread.start()

    def stop(self) -> None:
        """Stop, quit, wait (a batch under way finishes first)."""
        self.worker._stopped = True  # no further batch (a plain attribute: read between batches)
        self.sig_stop.emit()
        self.thread.quit()
        self.thread.wait(30000)
