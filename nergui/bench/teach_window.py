"""``nergui bench teach``: the review window's answer time, measured on the real window offscreen.

A generated project (``blank:en`` base; a version trained on a few documents, so that the
model is unsure of many words; a patterns file naming the generated brands) is opened in
the main window; Ctrl+R opens the review window, whose worker scores candidates in its
thread while the learner (a process) learns every decided document and its snapshots are
reloaded by the worker, as in the app. Then ``count`` keys are pressed on it (A, X, Space
and, now and then, Backspace), one every ``pace_ms`` (a person makes 3-4 decisions a
second), and each is timed from the key press until the card with the next candidate has
been painted (``decision_p95_ms``; target 50). A repaint of the card alone, measured in the
same run (``idle_paint_p95_ms``), is the floor. The amounts printed: keys pressed
(``decisions``), decisions the store holds afterwards (``stored``), those that waited for
a candidate (``waited``), documents the worker scored and snapshots the learner sent.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

TARGET_MS = 50.0
KEYS = ("A", "X", "A", "Space", "X", "A", "X", "Backspace")


def make_project(folder: Path, *, docs: int = 60, accepted: int = 10, epochs: int = 1) -> tuple[Path, Path]:
    """A project of ``docs`` generated to-do documents (brands, people, places), ``accepted``
    annotated ones and a version trained on them for ``epochs``; and a patterns file naming
    the generated brands. Returns (project folder, patterns file)."""
    from ..core import workflow
    from ..core.records import Record
    from ..core.store import Project
    from ..core.training import TrainSettings
    from .data import _BRANDS, generated_training

    project = Project.create(folder / "proj")
    try:
        project.set_setting("base_pipeline", "blank:en")
        project.import_records(generated_training(accepted, seed=1), path="accepted")
        project.import_records([Record(r.text) for r in generated_training(docs, seed=9)], path="todo")
        job = workflow.prepare_training(project, settings=TrainSettings(epochs=epochs, rehearsal=0.0,
                                                                        cross_validate=False))
        for _ in job.run():
            pass
        job.finish(keep=True)
    finally:
        project.close()
    patterns = folder / "patterns.jsonl"
    patterns.write_text("".join(f'{{"label": "FASHION_BRAND", "pattern": "{b}"}}\n' for b in _BRANDS), encoding="utf-8")
    return folder / "proj", patterns


def _wait(app, until, timeout: float) -> bool:
    end = time.perf_counter() + timeout
    while not until():
        if time.perf_counter() > end:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_window_bench(*, docs: int = 60, count: int = 40, pace_ms: int = 250, learn: bool = True) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ..core import decisions
    from ..core.store import Project
    from ..gui.main_window import MainWindow
    from . import wait_for_charts

    app = QApplication.instance() or QApplication([])
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="nergui-bench-teach-"))
    path, patterns = make_project(folder, docs=docs)
    setup_s = time.perf_counter() - started
    settings = QSettings(str(folder / "settings.ini"), QSettings.IniFormat)
    settings.setValue("patterns", str(patterns))
    project = Project.open(path)
    window = MainWindow(project, settings=settings, predictions=False)
    window.show()
    QTest.qWaitForWindowExposed(window)
    wait_for_charts(window)  # the window's own start-up work done before the review window opens
    QTest.keyClick(window.view, Qt.Key_R, Qt.ControlModifier)  # View > Review suggestions
    teach = window.teach_window
    if teach is None:
        raise RuntimeError("Ctrl+R did not open the review window")
    if not learn:
        teach.learn_box.setChecked(False)
    QTest.qWaitForWindowExposed(teach)
    first_ok = _wait(app, lambda: teach.current is not None, 120)
    first_s = time.perf_counter() - started - setup_s
    keys = {"A": Qt.Key_A, "X": Qt.Key_X, "Space": Qt.Key_Space, "Backspace": Qt.Key_Backspace}
    latencies, kinds, waited = [], {}, 0
    for i in range(count if first_ok else 0):
        _wait(app, lambda: False, pace_ms / 1000)  # the person reads the next suggestion
        if teach.current is None:
            waited += 1
            if not _wait(app, lambda: teach.current is not None, 30):
                break
        key = KEYS[i % len(KEYS)]
        before = teach.card.paints
        t0 = time.perf_counter()
        QTest.keyClick(teach, keys[key])
        if not _wait(app, lambda: teach.card.paints > before, 10):
            break
        latencies.append((teach.card.painted_at - t0) * 1000)
        kinds[key] = kinds.get(key, 0) + 1
    idle = []
    for _ in range(20):
        before = teach.card.paints
        t0 = time.perf_counter()
        teach.card.update()
        _wait(app, lambda: teach.card.paints > before, 5)
        idle.append((teach.card.painted_at - t0) * 1000)
    learnt = teach.learning.learnt if teach.learning is not None else 0
    sent = teach.learning.sent if teach.learning is not None else 0
    scored = getattr(teach, "_worker", {}).get("scored", 0)
    stored = decisions.counts(project)
    stored_total = stored["accept"] + stored["reject"] + stored["ignore"]
    undone = kinds.get("Backspace", 0)
    window.close()
    app.processEvents()
    project.close()
    p95 = _p(latencies, 0.95)
    return {
        "bench": "teach", "decision_p95_ms": round(p95, 1), "decision_median_ms": round(_p(latencies, 0.5), 1),
        "decision_max_ms": round(max(latencies, default=0.0), 1), "target_ms": TARGET_MS,
        "target_met": bool(latencies) and p95 <= TARGET_MS,
        "idle_paint_p95_ms": round(_p(idle, 0.95), 1),
        "ratio_to_idle_paint": round(p95 / max(0.1, statistics.median(idle) if idle else 0.1), 1),
        "decisions": len(latencies), "keys": kinds, "undone": undone, "stored": stored_total,
        "stored_expected": len(latencies) - 2 * undone, "waited": waited, "pace_ms": pace_ms,
        "docs": docs, "docs_scored": scored, "learner_sent": sent, "learner_snapshots": learnt,
        "first_candidate_s": round(first_s, 2), "setup_s": round(setup_s, 1),
    }
