"""Next in the window (issue 13): the ordering chooser, the list's score column, the evaluation sample.

``Ordering`` (one per window) answers Next and Previous (the keys, the menu, Accept/Reject/
Skip and next) from the ordering the project keeps: file order steps through the document
list as before; random and model order ask ``core.ordering.NextQueue``, which draws from
the pool a ``score_worker.ScoreWorker`` keeps scored in its thread, interleaves the
evaluation sample, and falls back to file order (said in the status bar) while nothing is
scored. Nothing is computed at Next beyond picking from what is ready.

The list's second column (``DocumentListModel.notes`` = ``Notes``) shows each scored
document's score and marks the evaluation documents; its tooltip says why a document comes
next. The strip above the text says why the shown document was picked, or that it is an
evaluation document. Everything painted per row is a dictionary lookup.

``reload(spec)`` takes a new pipeline for the scores (a saved version, or a preview
snapshot of learning as you annotate); it is connected to every kept version here.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QActionGroup, QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from ..core import evaluation_sample as sampling
from ..core import ordering as core_ordering
from ..core.evaluation_sample import EvaluationSample
from ..core.pipeline import ModelStore
from ..errors import Msg, NerguiError
from . import projects
from .score_worker import POOL_SIZE, ScoreThread
from .workers import Saved

START_MS = 3000  # the scorer starts by then if the first predictions have not come (they go first)
PAUSE_S = 0.3  # after a document is opened, no batch is scored for this long (its preview goes first)
REFILL_LEFT = 0.2  # a new pool is drawn when this share of the pool is left unpicked
PROGRESS_MS = 400  # the list's column and the status follow the scores at most this often
SIZES = (0.05, 0.1, 0.2, 0.3)
EVAL_COLOUR = "#7b4fc9"


class Notes:
    """The list's second column, from caches: the pool's scores and reasons, the sample."""

    def __init__(self):
        self.scores: dict[int, tuple[float, str]] = {}
        self.reasons: dict[int, str] = {}  # why Next opened a document (kept after the pool moves on)
        self.evaluation: frozenset[int] = frozenset()
        self._eval = QColor(EVAL_COLOUR)

    def cell(self, doc_id: int) -> str:
        if doc_id in self.evaluation:
            return "eval"
        score = self.scores.get(doc_id)
        return f"{score[0]:.2f}" if score is not None else ""

    def colour(self, doc_id: int):
        return self._eval if doc_id in self.evaluation else None

    def why(self, doc_id: int) -> str:
        if doc_id in self.evaluation:
            return Msg.ORDER_WHY_EVALUATION
        score = self.scores.get(doc_id)
        return self.reasons.get(doc_id) or (score[1] if score is not None else "")

    def tip(self, doc_id: int) -> str:
        why = self.why(doc_id)
        if not why:
            return ""
        score = self.scores.get(doc_id)
        figure = f" (score {score[0]:.2f})" if score is not None and doc_id not in self.evaluation else ""
        return "\n" + Msg.ORDER_WHY_TITLE.format(why=why) + figure


class OrderingBar(QWidget):
    """Under the filters: "Next: [ordering]", a menu (sort the list by score, the evaluation
    sample and its size) and a line saying what the scorer is doing."""

    def __init__(self, ordering: "Ordering"):
        super().__init__()
        self.combo = QComboBox()
        for key in core_ordering.ORDERINGS:
            self.combo.addItem(core_ordering.NAMES[key], key)
        self.combo.setAccessibleName("Order in which Next shows documents")
        self.combo.setToolTip("Which document Next (PgDown, and Accept/Reject/Skip) opens")
        self.menu = QMenu(self)
        self.sort = self.menu.addAction("Sort the list by score")
        self.sort.setCheckable(True)
        self.menu.addSeparator()
        self.keep = self.menu.addAction("Keep an evaluation sample (never trained on)")
        self.keep.setCheckable(True)
        self.sizes = self.menu.addMenu("Evaluation sample size")
        self.size_group = QActionGroup(self)
        self.size_actions = {}
        for size in SIZES:
            act = self.sizes.addAction(f"{size * 100:g} %")
            act.setCheckable(True)
            act.setData(size)
            self.size_group.addAction(act)
            self.size_actions[size] = act
        self.more = QToolButton()
        self.more.setText("\u22ef")
        self.more.setMenu(self.menu)
        self.more.setPopupMode(QToolButton.InstantPopup)
        self.more.setStyleSheet("QToolButton::menu-indicator { image: none; }")
        self.more.setAccessibleName("Ordering options")
        self.more.setToolTip("Sort the list by score; the evaluation sample")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.setAccessibleName("What the ordering is doing")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Next:"))
        row.addWidget(self.combo, 1)
        row.addWidget(self.more)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.status)


class Ordering(QObject):
    sig_changed = Signal(str)  # the ordering chosen

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.project = window.session.project
        self.ordering = core_ordering.stored(self.project)
        try:
            self.sample = EvaluationSample.from_project(self.project)
        except NerguiError as err:  # a damaged setting: said, and no sample until chosen again
            window.message(str(err))
            self.sample = None
        self.queue = core_ordering.NextQueue(self.ordering, self.sample)
        self.notes = Notes()
        self.scorer: ScoreThread | None = None
        self.pool_wanted = POOL_SIZE  # to-do documents drawn and scored at a time
        self.last_pick: core_ordering.Next | None = None
        self.pick_seconds = 0.0
        self.started = False
        self.failed = ""  # why the model cannot order (no model knows the labels); file order meanwhile
        self.requested_spec = ""
        self.pool_size = 0
        self.scored = 0
        self._refilling = False
        self._announce = False
        self._seed = 0
        self._last_progress = 0.0
        self._sort_key = projects.project_key(self.project.path, "sort_by_score")
        docs = window.docs
        docs.model.notes = self.notes
        self.bar = OrderingBar(self)
        docs.layout().insertWidget(2, self.bar)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(8, 3, 8, 3)
        self.banner.setAccessibleName("Why this document")
        self.banner.hide()
        window.centralWidget().layout().insertWidget(1, self.banner)
        self._progress_timer = QTimer(self, singleShot=True, interval=PROGRESS_MS, timeout=self._follow_scores)
        bar = self.bar
        bar.combo.setCurrentIndex(max(0, bar.combo.findData(self.ordering)))
        bar.sort.setChecked(str(window.settings.value(self._sort_key, "false")) == "true")
        self._show_sample()
        bar.combo.currentIndexChanged.connect(lambda _i: self.set_ordering(bar.combo.currentData()))
        bar.sort.toggled.connect(self.sort_by_score)
        bar.keep.toggled.connect(lambda on: self.set_sample(on))
        bar.size_group.triggered.connect(lambda act: self.set_sample(True, act.data()))
        window.session.sig_document.connect(self._shown)
        window.training.runner.sig_event.connect(self._run_event)
        window.training.sig_model_changed.connect(self.reload_current)
        bar.sort.setEnabled(self.ordering == "model")
        if bar.sort.isChecked():
            docs.model.arrange = self._arrange
        self._layout_column()
        self._say()
        if self._wanted():
            if window.previewer is not None:  # after the first predictions: they come first
                window.previewer.sig_ready.connect(self._start_once)
            QTimer.singleShot(0 if window.previewer is None else START_MS, self, self._start_once)

    # ---- Next and Previous ------------------------------------------------------------------------
    def next(self) -> None:
        """Next: the list's next row in file order; else the queue's pick (at once); in a
        project that hands documents out, the router's (gui/routed.py)."""
        if getattr(self.w, "routed", None) is not None:
            self.w.routed.next()
            return
        if self.ordering == "file":
            self.w.docs.step(1)
            return
        self._start_once()
        doc = self.w.session.doc
        started = time.perf_counter()
        pick = self.queue.next(self.project, doc.id if doc is not None else None)
        self.pick_seconds = time.perf_counter() - started  # the pick alone (``nergui bench next``)
        if pick is None:
            self.w.message(Msg.ORDER_NOTHING_LEFT)
            return
        if pick.kind == "file":
            self.w.message(self.failed if self.failed and self.ordering == "model"  # already says file order
                           else Msg.ORDER_NOT_SCORED.format(scored=self.scored, pool=self.pool_size))
        self.notes.reasons[pick.doc_id] = pick.why
        self.last_pick = pick
        self.open(pick.doc_id)
        if self.scorer is not None:
            self.scorer.sig_peek.emit()  # the pick after this one, worked out meanwhile
        self._refill_if_low()

    def previous(self) -> None:
        doc_id = self.queue.previous() if self.ordering != "file" else None
        if doc_id is None:
            self.w.docs.step(-1)
        else:
            self.open(doc_id)

    def open(self, doc_id: int) -> None:
        """Show a document: through the list when it shows it (the row follows), else directly."""
        docs = self.w.docs
        if docs.model.row_of(doc_id) >= 0:
            docs.go_to(doc_id)
        if self.w.session.doc is None or self.w.session.doc.id != doc_id:
            self.w.session.open_document(doc_id)

    # ---- choices ----------------------------------------------------------------------------------
    def set_ordering(self, ordering: str) -> None:
        if ordering == self.ordering or ordering not in core_ordering.ORDERINGS:
            return
        try:
            core_ordering.store(self.project, ordering)
        except NerguiError as err:
            self.w.message(str(err))
        self.ordering = self.queue.ordering = ordering
        self.bar.sort.setEnabled(ordering == "model")
        if self.bar.sort.isChecked():
            self.w.docs.apply_filter()  # by score only in the model's order
        combo = self.bar.combo
        if combo.currentData() != ordering:
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(ordering))
            combo.blockSignals(False)
        if ordering == "model" and self.sample is None and not sampling.chosen(self.project):
            self.set_sample(True)  # on by default when ordering by the model: its scores stay honest
        self._layout_column()
        if self.started:
            self.scorer.sig_scoring.emit(ordering == "model")
            if ordering != "file" and self.queue.pool is None and not self._refilling:
                self._draw_pool()
            if ordering == "model":
                self.reload(self.requested_spec or self.current_spec())
        else:
            self._start_once()
        self._say()
        self.sig_changed.emit(ordering)

    def set_sample(self, on: bool, fraction: float | None = None) -> None:
        """Turn the evaluation sample on (``fraction``: its size) or off; says what it means."""
        try:
            self.sample = sampling.configure(self.project, on=on, fraction=fraction)
        except NerguiError as err:
            self.w.message(str(err))
            return
        self._announce = self.sample is not None
        self.queue.set_sample(self.sample, {})
        self._show_sample()
        if self.sample is None:
            self.notes.evaluation = frozenset()
            self.w.docs.model.notes_changed()
            self.w.message(Msg.EVAL_SAMPLE_OFF)
        self._layout_column()
        if self.started:
            self.scorer.sig_sample.emit(self.sample)
        else:
            self._start_once()
        self._say()

    def sort_by_score(self, on: bool) -> None:
        self.w.settings.setValue(self._sort_key, "true" if on else "false")
        self.w.docs.model.arrange = self._arrange if on else None
        self.w.docs.apply_filter()

    def _arrange(self, ids: list[int]) -> list[int]:
        """The scored documents first, best first; then the rest in file order."""
        if self.queue.pool is not None:
            self.notes.scores = self.queue.pool.scores()  # as scored now (the column follows at most every 0.4 s)
        scores = self.notes.scores
        if not scores or self.ordering != "model":
            return ids
        shown = set(ids)
        top = sorted((i for i in scores if i in shown), key=lambda i: -scores[i][0])
        return top + [i for i in ids if i not in scores]

    # ---- the model ----------------------------------------------------------------------------------
    @Slot(str)
    def reload(self, spec: str) -> None:
        """Score with the pipeline at ``spec`` from now on (a saved version or a preview
        snapshot): the scores are refreshed in the worker, the best candidates first."""
        self.requested_spec = spec
        if self.scorer is not None and self.ordering == "model":
            self.scorer.sig_patterns.emit(str(self.w.settings.value("patterns") or ""))
            self.scorer.sig_reload.emit(spec)

    def current_spec(self) -> str:
        current = ModelStore(self.project.models_dir).current_path()
        return str(current) if current is not None else self.w.session.spec

    def reload_current(self) -> None:
        """After a version is kept, rolled back to, or a run ends: score with the current model."""
        spec = self.current_spec()
        if spec != self.requested_spec or self.failed:
            self.failed = ""
            self.reload(spec)

    def _run_event(self, ev) -> None:
        if isinstance(ev, Saved) and ev.version is not None:
            self.reload_current()

    # ---- the worker ---------------------------------------------------------------------------------
    def _wanted(self) -> bool:
        return self.ordering != "file" or self.sample is not None

    def _start_once(self, *_args) -> None:
        """Start the scorer (once): the sample's documents, a pool (random and model order),
        and for the model ordering the current model."""
        if self.started or not self._wanted() or getattr(self.w, "_closed", False):
            return
        self.started = True
        self.scorer = ScoreThread(str(self.project.path), self, pool_size=self.pool_wanted)
        worker = self.scorer.worker
        worker.sig_pool.connect(self._pool)
        worker.sig_sample.connect(self._sample_found)
        worker.sig_progress.connect(self._progress)
        worker.sig_failed.connect(self._failed)
        self.scorer.sig_sample.emit(self.sample)
        if self.ordering != "file":
            self._draw_pool()
        if self.ordering == "model":
            self.reload(self.requested_spec or self.current_spec())

    def _refill_if_low(self) -> None:
        pool = self.queue.pool
        if pool is not None and self.scorer is not None and not self._refilling and pool.left <= REFILL_LEFT * len(pool):
            self._refill()

    def _refill(self) -> None:
        self._seed += 1
        self._draw_pool()

    def _draw_pool(self) -> None:
        """Ask the worker for a pool; one at a time (a second would replace the first once
        scored, and the list's scores with it)."""
        self._refilling = True
        self.scorer.sig_start.emit(self.ordering == "model", sorted(self.queue.shown), self._seed)

    def _pool(self, pool, refill: bool) -> None:
        self.queue.set_pool(pool)
        self._refilling = False
        if self.notes.evaluation and any(i in pool.texts for i in self.notes.evaluation):
            self._refill()  # drawn before the sample changed: a pool without it
        self.pool_size = len(pool)
        self._follow_scores()

    def _sample_found(self, sample, ids) -> None:
        if sample != self.sample:
            return  # changed again meanwhile: its own answer follows
        self.queue.set_sample(sample, ids)
        self.notes.evaluation = frozenset(ids)
        pool = self.queue.pool
        if pool is not None and not self._refilling and any(i in pool.texts for i in ids):
            self._refill()  # drawn before the sample changed: a pool without it
        self.w.docs.model.notes_changed()
        if sample is not None and self._announce:
            self.w.message(Msg.EVAL_SAMPLE_ON.format(percent=sample.fraction * 100, n=len(ids),
                                                     total=self.project.count(), every=sample.every))
        self._announce = False
        self._show_banner()
        self._say()

    def _progress(self, scored: int, size: int, stale: int) -> None:
        self.scored, self.pool_size = scored, size
        if scored == size and not stale:  # all scored: the column shows it now, a pending update or not
            self._progress_timer.stop()
            self._follow_scores()
        elif not self._progress_timer.isActive():
            if time.monotonic() - self._last_progress > PROGRESS_MS / 1000:
                self._follow_scores()
            else:
                self._progress_timer.start()

    def _follow_scores(self) -> None:
        """The list's column, its order (when sorted by score and the pool is all scored) and
        the status line follow the pool's scores."""
        self._last_progress = time.monotonic()
        pool = self.queue.pool
        if pool is None:
            return
        self.notes.scores = pool.scores()
        self.scored = len(self.notes.scores)
        self.w.docs.model.notes_changed()
        if self.w.docs.model.arrange is not None and self.scored == len(pool) and not pool.stale:
            self.w.docs.apply_filter()
        self._say()

    def _failed(self, message: str) -> None:
        self.failed = message
        self.w.message(message)
        self._say()

    # ---- what is shown ------------------------------------------------------------------------------
    def _shown(self) -> None:
        doc = self.w.session.doc
        if self.scorer is not None:  # the document's preview goes first
            self.scorer.worker.pause_until = time.monotonic() + PAUSE_S
        if doc is not None:
            self.queue.opened(doc.id)
        self._show_banner()

    def _show_banner(self) -> None:
        doc = self.w.session.doc
        text, style = "", ""
        if doc is not None and doc.id in self.notes.evaluation:
            text = Msg.ORDER_EVAL_BANNER
            style = f"background: {EVAL_COLOUR}; color: white;"
        elif doc is not None and doc.id in self.notes.reasons and self.ordering != "file":
            text = Msg.ORDER_WHY_TITLE.format(why=self.notes.reasons[doc.id])
            style = "background: palette(alternate-base);"
        self.banner.setText(text)
        self.banner.setStyleSheet(style)
        self.banner.setVisible(bool(text))

    def _show_sample(self) -> None:
        bar = self.bar
        for widget in (bar.keep, bar.size_group):
            widget.blockSignals(True)
        bar.keep.setChecked(self.sample is not None)
        fraction = self.sample.fraction if self.sample is not None else sampling.EVAL_FRACTION
        act = bar.size_actions.get(fraction)
        if act is not None:
            act.setChecked(True)
        tip = Msg.EVAL_SAMPLE_TIP.format(percent=fraction * 100, min_docs=sampling.MIN_SCORED)
        bar.keep.setToolTip(tip)
        bar.menu.setToolTipsVisible(True)
        for widget in (bar.keep, bar.size_group):
            widget.blockSignals(False)

    def _layout_column(self) -> None:
        shown = self.ordering == "model" or self.sample is not None
        width = self.w.docs.list.fontMetrics().horizontalAdvance("0.000") + 12
        self.w.docs.list.show_notes(shown, width)

    def _say(self) -> None:
        """The status line under the chooser."""
        parts = []
        if self.ordering == "file":
            parts.append(Msg.ORDER_FILE_STATUS)
        elif self.ordering == "random":
            parts.append(Msg.ORDER_RANDOM_POOL.format(pool=self.pool_size) if self.pool_size else Msg.ORDER_RANDOM)
        elif self.failed:
            parts.append(self.failed)
        elif self.pool_size and self.scored >= self.pool_size:
            name = self.requested_spec.rstrip("/").rsplit("/", 1)[-1] or "the model"
            parts.append(Msg.ORDER_SCORED.format(scored=self.scored, model=name))
        else:
            parts.append(Msg.ORDER_SCORING.format(pool=self.pool_size, scored=self.scored))
        if self.sample is not None:
            n = len(self.notes.evaluation)
            parts.append(Msg.EVAL_SAMPLE_MENU.format(percent=self.sample.fraction * 100)
                         + (f" ({n:,} documents)" if n else ""))
        self.bar.status.setText(" \u00b7 ".join(parts))

    def stop(self) -> None:
        if self.scorer is not None:
            self.scorer.stop()
