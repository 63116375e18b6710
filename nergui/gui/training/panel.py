"""The training dock: settings, Train/Cancel, progress and charts, result card, versions.

It drives one ``workers.TrainRunner`` (one run at a time, in its own thread) and keeps no
pipeline itself. What the preview shows is the window's business: the panel only says
"show this snapshot" (``sig_preview``) and "show the current model again"
(``sig_model_changed``).
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QFrame, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from ...core.events import CrossValProgress
from ...core.holdout import FRACTION, MIN_DOCS
from ...errors import Msg
from ..session import Session
from ..workers import (Cancelled, EpochEnd, Failed, RunInfo, RunResult, Saved, Snapshot, Tick, TrainRequest,
                       TrainRunner)
from .charts import EpochChart, LossChart, RetentionMeter
from .result_card import ResultCard, duration, retention_note
from .settings import TrainForm, hint
from .versions import VersionsList

METER_NOTE = "Measured after each epoch on held-out unannotated text, against the original model."
# Building and first painting the charts takes ~90-250 ms of the GUI thread: the window asks
# for them once its models are loaded (MainWindow._settle), this long after start at the latest.
CHARTS_AFTER_MS = 4000


def _eta(seconds: float) -> str:
    if seconds is None or math.isnan(seconds) or seconds < 0:
        return "\u2013"
    return duration(seconds) if seconds >= 1 else "<1 s"


class TrainingPanel(QWidget):
    sig_preview = Signal(str, str)     # a snapshot folder to preview, and its name
    sig_model_changed = Signal()       # preview the current model again (after discard, cancel, failure)
    sig_message = Signal(str)          # for the status bar

    def __init__(self, session: Session, parent=None, *, snapshots: bool = True):
        super().__init__(parent)
        self.session = session
        self.project = session.project
        self.snapshots = snapshots
        self.holdout = True  # per-label F on a fixed share of the accepted documents (core.holdout)
        self.snapshot_gap: float | None = None  # seconds of training between preview snapshots (None: the default)
        self.in_process = False  # True: train in this process's worker thread, not in a child process
        self.runner = TrainRunner(self)
        self.info: RunInfo | None = None
        self.auto_run = False
        self.started_at = 0.0
        self.total_estimate = 0
        self.new_accepted: set[int] = set()
        self.loss_chart: LossChart | None = None
        self.epoch_chart: EpochChart | None = None

        self.form = TrainForm()
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Train on every accepted document, in the background; keep annotating")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current batch; nothing is saved")
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.progress_box = QGroupBox("Progress")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p%")
        self.detail = hint("")
        self.meter = RetentionMeter()
        self.charts = QVBoxLayout()
        play = QVBoxLayout(self.progress_box)
        play.addWidget(self.bar)
        play.addWidget(self.detail)
        play.addWidget(self.meter)
        play.addLayout(self.charts)
        self.progress_box.hide()

        self.card = ResultCard()
        self.card.hide()
        self.versions = VersionsList(self.project.models_dir, base=self.project.base_pipeline)
        versions_box = QGroupBox("Model versions")
        QVBoxLayout(versions_box).addWidget(self.versions)
        settings_box = QGroupBox("Settings")
        QVBoxLayout(settings_box).addWidget(self.form)

        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button, 1)
        buttons.addWidget(self.cancel_button)
        self.body = body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        lay.addWidget(self.card)
        lay.addWidget(self.progress_box)
        lay.addWidget(settings_box)
        lay.addWidget(versions_box)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(body.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.train_button.clicked.connect(lambda: self.train())
        self.cancel_button.clicked.connect(self.cancel)
        self.form.sig_rehearsal.connect(self.runner.set_rehearsal)
        self.form.sig_auto.connect(self._auto_changed)
        self.card.sig_keep.connect(lambda: self._decide(True))
        self.card.sig_discard.connect(lambda: self._decide(False))
        self.versions.sig_rolled_back.connect(self._rolled_back)
        self.versions.sig_failed.connect(self.sig_message)
        self.runner.sig_state.connect(self._sync)
        self.runner.sig_event.connect(self._event)
        self._handlers = {RunInfo: self._started, Tick: self._progress, EpochEnd: self._epoch,
                          Snapshot: lambda ev: self.sig_preview.emit(ev.path, ev.name),
                          CrossValProgress: self._cross_validating,
                          RunResult: self._finished, Cancelled: self._cancelled, Saved: self._saved,
                          Failed: self._failed}
        session.sig_state.connect(self._doc_state_changed)
        self.refresh_counts()
        self._sync("idle")
        # build the charts once the window is up (~35 ms), not in the Train click's handler
        QTimer.singleShot(CHARTS_AFTER_MS, self, self._ensure_charts)

    # ---- actions -----------------------------------------------------------------------------
    def train(self, *, auto: bool = False) -> bool:
        """Start a run on every accepted document (False if one is already going or waiting)."""
        if self.runner.busy:
            self.sig_message.emit(Msg.GUI_TRAIN_BUSY)
            return False
        self._ensure_charts()
        request = TrainRequest(self.project.path, self.form.settings(), raw_file=self.form.raw_file(), auto=auto,
                               holdout=self.holdout, snapshot_gap=self.snapshot_gap,
                               process=not self.in_process, project_raw=self.form.project_raw())
        self.auto_run = auto
        self.info = None
        self.new_accepted.clear()
        self.started_at = time.perf_counter()
        # Set the charts up now: once the worker runs, GUI work costs more (it waits for the GIL)
        self.total_estimate = self._estimate_steps(request)
        self.loss_chart.reset(self.total_estimate)
        self.epoch_chart.reset({lab["name"]: lab["colour"] for lab in self.project.labels()}, request.settings.epochs)
        self.meter.set_value(None)
        self.meter.note.setText(METER_NOTE)
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.detail.setText("Loading the pipeline and the documents\u2026")
        self.card.hide()
        self.progress_box.show()
        self.status.setText("Auto-training\u2026" if auto else "Preparing\u2026")
        if self.in_process and self.isVisible():  # lay out and paint now, before the worker competes for the GIL
            QApplication.sendPostedEvents(None, QEvent.LayoutRequest)
            self.repaint()
        self.runner.start(request, snapshots=self.snapshots)
        self._update_auto_status()
        return True

    def cancel(self) -> None:
        self.runner.cancel()
        if self.runner.state == "running":
            self.status.setText("Cancelling after the current batch\u2026")
            self.cancel_button.setEnabled(False)

    def confirm_close(self) -> bool:
        """Ask before closing while a run goes on or waits for Keep/Discard; True: go ahead."""
        state = self.runner.state
        if state in ("idle", "saving"):
            return True
        text = Msg.GUI_TRAIN_RUNNING if state == "running" else Msg.GUI_TRAIN_WAITING
        answer = QMessageBox.question(self, "Close nergui", text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def shutdown(self) -> bool:
        """Stop the worker cleanly (waits for the current batch or save to end)."""
        return self.runner.shutdown()

    def refresh_counts(self) -> None:
        counts = self.project.counts_by_state()
        self.form.set_todo_count(counts.get("todo", 0))
        if not self.runner.busy:
            n = counts.get("accepted", 0)
            self.status.setText(f"{n:,} accepted documents to train on." if n else
                                "Accept some annotated documents (key A), then train.")
        self._update_auto_status()

    # ---- runner reports ----------------------------------------------------------------------------
    def _event(self, ev) -> None:
        self._handlers[type(ev)](ev)

    def _started(self, info: RunInfo) -> None:
        self.info = info
        if info.total_steps > self.total_estimate:
            self.loss_chart.reset(info.total_steps)
        if not info.old_labels:
            self.meter.set_unavailable("The base pipeline knows no entity types, so there is nothing to forget.")
        elif not info.n_retention:
            self.meter.set_unavailable("No unannotated text to measure forgetting on: import some, or choose "
                                       "a file for rehearsal.")
        held = f", {info.n_dev:,} held out for per-label F" if info.n_dev else ""
        self.status.setText(f"Training on {info.n_train:,} documents{held}; "
                            f"{info.n_rehearsal:,} rehearsal texts.")
        self.detail.setText(f"Epoch 1 of {info.epochs}")

    def _progress(self, tick: Tick) -> None:
        p = tick.progress
        self.bar.setValue(round(p.fraction_done * 1000))
        epochs = self.info.epochs if self.info else "?"
        self.detail.setText(f"Epoch {p.epoch + 1} of {epochs} \u00b7 step {p.step:,} of {tick.total_steps:,} \u00b7 "
                            f"{tick.examples_per_second:,.0f} examples/s \u00b7 ETA {_eta(p.eta_seconds)}")
        self.loss_chart.add(tick.points)

    def _epoch(self, p: EpochEnd) -> None:
        self.loss_chart.flush()
        scores = p.scores or {}
        self.epoch_chart.add(p.epoch + 1, scores)
        self._show_retention(scores, epoch=p.epoch + 1)

    def _show_retention(self, scores: dict, *, epoch: int | None = None) -> None:
        """The meter's figure (losses only, with its interval) and its note: how many texts it
        was measured on (the scorer's count), what became of the original's entities, and
        relabelling into the user's types apart."""
        if scores.get("retention") is None:
            return
        self.meter.set_scores(scores)
        self.meter.note.setText(retention_note(scores, epoch=epoch) or METER_NOTE)

    def _cross_validating(self, ev: CrossValProgress) -> None:
        self.bar.setFormat("cross-validation %p%")
        self.bar.setValue(round(ev.fraction_done * 1000))
        self.detail.setText(Msg.CV_PROGRESS.format(fold=ev.fold, folds=ev.folds, epochs=ev.epochs,
                                                   eta=_eta(ev.eta_seconds)))
        self.status.setText(Msg.CV_STATUS.format(n=ev.documents, min_docs=MIN_DOCS))

    def _finished(self, result: RunResult) -> None:
        self.bar.setValue(1000)
        self.detail.setText(f"Done: {result.info.epochs} epochs in {duration(result.seconds)} \u00b7 "
                            f"{result.words_per_second:,.0f} words/s")
        self.bar.setFormat("%p%")
        self._show_retention(result.metrics)
        self.card.show_result(result, waiting=not self.auto_run)
        if self.auto_run:
            self.card.set_busy()
            self.runner.decide(True)
            self.status.setText("Auto-train: saving the new model\u2026")
        else:
            self.status.setText("Trained. Look at the predictions, then keep or discard the model.")

    def _decide(self, keep: bool) -> None:
        self.card.set_busy()
        self.runner.decide(keep)

    def _saved(self, ev: Saved) -> None:
        version = ev.version
        if version is None:
            self.card.show_decided("Discarded; the model in use did not change.")
            self.sig_message.emit(Msg.GUI_TRAIN_DISCARDED)
            self.sig_model_changed.emit()
        else:
            auto = "Kept automatically" if self.auto_run else "Kept"
            self.card.show_decided(f"{auto} as {version.name}; predictions now use it.")
            self.sig_message.emit(Msg.GUI_TRAIN_KEPT.format(version=version.name))
        self.versions.refresh()
        self.refresh_counts()

    def _cancelled(self, _ev: Cancelled) -> None:
        self.detail.setText("Cancelled.")
        self.sig_message.emit(Msg.GUI_TRAIN_CANCELLED)
        self.sig_model_changed.emit()
        self.refresh_counts()

    def _failed(self, ev: Failed) -> None:
        message = ev.message
        self.detail.setText("Failed.")
        self.card.hide()
        self.sig_model_changed.emit()
        self.refresh_counts()
        self.status.setText(message)
        QMessageBox.critical(self, "Training failed", message)

    def _rolled_back(self, name: str) -> None:
        if name:
            self.sig_message.emit(Msg.GUI_ROLLED_BACK.format(version=name))
        else:
            self.sig_message.emit(Msg.GUI_ROLLED_BACK_ORIGINAL.format(base=self.project.base_pipeline or "blank:en"))
        self.sig_model_changed.emit()

    # ---- state ---------------------------------------------------------------------------------------
    def _sync(self, state: str) -> None:
        self.train_button.setEnabled(state == "idle")
        self.cancel_button.setEnabled(state == "running")
        self.form.set_running(state != "idle")
        self.versions.set_locked(state == "saving")
        self.train_button.setText({"running": "Training\u2026", "waiting": "Keep or discard first",
                                   "saving": "Saving\u2026"}.get(state, "Train"))
        if state == "idle":
            self._maybe_auto_train()

    def _doc_state_changed(self, doc_id: int) -> None:
        try:
            state = self.project.get_document(doc_id).state
        except Exception:
            return
        if state == "accepted":
            self.new_accepted.add(doc_id)
        else:
            self.new_accepted.discard(doc_id)
        self.refresh_counts()
        self._maybe_auto_train()

    def _auto_changed(self) -> None:
        self._update_auto_status()
        self._maybe_auto_train()

    def _maybe_auto_train(self) -> None:
        if (self.form.auto.isChecked() and not self.runner.busy
                and len(self.new_accepted) >= self.form.auto_n.value()):
            self.train(auto=True)

    def _update_auto_status(self) -> None:
        if not self.form.auto.isChecked():
            self.form.auto_status.setText("")
            return
        n, want = len(self.new_accepted), self.form.auto_n.value()
        when = "after this run" if self.runner.busy and n >= want else f"after {max(0, want - n)} more"
        self.form.auto_status.setText(f"{n} newly accepted since the last run; next run {when}.")

    def _estimate_steps(self, request: TrainRequest) -> int:
        """Batches in the run, from the accepted count (the held-out share is about 15 %; the
        run's own count, in its first event, replaces this)."""
        n = self.project.counts_by_state().get("accepted", 0)
        if request.holdout and n >= MIN_DOCS:
            n = round(n * (1 - FRACTION))
        return max(1, request.settings.total_steps(n, n))

    def ensure_charts(self) -> None:
        self._ensure_charts()

    def _ensure_charts(self) -> None:
        """Build the progress charts (pyqtgraph) and show them, empty until the first run:
        soon after the window shows, so that neither the Train click nor the run's first
        progress report waits for building and first painting them."""
        if self.loss_chart is None:
            self.loss_chart = LossChart()
            self.epoch_chart = EpochChart()
            self.charts.addWidget(self.loss_chart)
            self.charts.addWidget(self.epoch_chart)
            if not self.runner.busy and self.progress_box.isHidden():
                self.detail.setText("No training run yet. Train to see its progress, the loss, and how much "
                                    "of what the model knew it keeps.")
                self.progress_box.show()
