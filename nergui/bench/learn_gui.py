"""``nergui bench learn --gui``: learning while annotating in the real window, with painting.

In one process, offscreen, on a project (generated documents; the demo project) with a first
saved version trained here on its accepted documents (so that both phases preview a pipeline
of the same shape: with the new component, two recognizers run, and the learner starts from
it), a real ``MainWindow`` is opened twice on fresh copies of that project:

* **baseline**: "Learn as I annotate" off. ``--docs`` documents are accepted one by one as
  the A key does (the window's "Accept and next" action), each after a pause of
  ``--think-ms`` (a person reading the next one); ``switch`` is from the accept until the
  next document's predictions are painted.
* **learning**: the same with the mode on, once its learner is ready. Each accept is also
  measured until predictions from weights that learnt from that document are painted on the
  next document (``accept_to_preview``): the learner's ``Learnt`` for it, the previewer
  loading the snapshot named after the documents it learnt (``learning: N documents``, N at
  least the accepted document's place in the order sent), that snapshot's predictions for
  the shown document, then a paint.

Throughout both, a 5 ms timer on the GUI thread records how late it fires (``lateness``, as
``nergui bench ui``), so the window's smoothness with the learner running is compared with
the same accepts without it (targets: p99 16 ms, max 50 ms, switch ratio 2). With
``--consolidate`` a third copy adds a consolidation run (Consolidate now) training while
the documents are accepted, and then checks that the learner restarted from the version
it saved.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from . import emit

TARGET_S = 2.0
LATENESS_P99_MS, LATENESS_MAX_MS, SWITCH_RATIO = 16.0, 50.0, 2.0
NAME = re.compile(r"learning: (\d+) document")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _loop_until(cond, timeout_s: float, poll_ms: int = 5) -> bool:
    """Run the event loop until ``cond()`` holds (checked every ``poll_ms``), or the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    if cond():
        return True
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(poll_ms)
    timer.timeout.connect(lambda: loop.quit() if cond() else None)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    timer.start()
    loop.exec()
    timer.stop()
    return cond()


class _Recorder:
    """What the window does after an accept, with the times: the previewer's loads and results."""

    def __init__(self, window):
        self.w = window
        self.models: list[tuple[float, str]] = []
        self.ready: list[tuple[float, int]] = []
        self.painted: dict[int, float] = {}  # doc id -> when its (latest) predictions were painted
        # (doc id, n) -> when predictions of a snapshot that learnt n documents were painted on it
        self.learnt_painted: dict[tuple[int, int], float] = {}
        self.asked: list[tuple[float, int]] = []  # the controller asked the previewer to load snapshot n
        window.previewer.sig_model.connect(self._model)
        window.learning.sig_preview.connect(self._asked)
        window.previewer.sig_ready.connect(self._ready)  # after the window's own handler: the marks are set

    def _model(self, name: str) -> None:
        self.models.append((time.perf_counter(), name))

    def _asked(self, _path: str, name: str) -> None:
        m = NAME.search(name)
        if m:
            self.asked.append((time.perf_counter(), int(m.group(1))))

    def first(self, events, n: int, since: float) -> float | None:
        """When the first learner snapshot that learnt at least ``n`` documents was asked for or loaded."""
        for at, what in events:
            k = what if isinstance(what, int) else int(NAME.search(what).group(1)) if NAME.search(what) else -1
            if at > since and k >= n:
                return at
        return None

    def _ready(self, doc_id: int, _spans) -> None:
        self.w.view.viewport().repaint()  # painted now (the window would paint it at the loop's next turn)
        now = time.perf_counter()
        self.ready.append((now, doc_id))
        self.painted[doc_id] = now
        loaded = self.models[-1][1] if self.models else ""
        m = NAME.search(loaded)
        if m:
            self.learnt_painted[doc_id, int(m.group(1))] = now


def _TimedProbe():
    """``bench ui``'s 5 ms probe, noting when each tick was due."""
    from .ui import _Probe

    class TimedProbe(_Probe):
        def __init__(self):
            super().__init__()
            self.due: list[float] = []

        def _tick(self) -> None:
            self.due.append(self.last + self.interval)
            super()._tick()

    return TimedProbe()


def _window(project, settings_path: Path, *, learn: bool):
    from PySide6.QtCore import QSettings

    from ..gui.main_window import MainWindow

    settings = QSettings(str(settings_path), QSettings.IniFormat)
    settings.setValue("learn/default", "on" if learn else "off")
    w = MainWindow(project, settings=settings, predictions=True)
    w.resize(1400, 900)
    w.show()
    return w


def _phase(project, settings_path: Path, todo: list[int], *, learn: bool, think_ms: int, consolidate: bool = False,
           timeout_s: float = 60.0) -> dict:
    """Open the window, accept ``todo[:-1]`` one by one; timings and the probe's lateness."""
    from ..core.pipeline import ModelStore
    from .ui import _pause

    w = _window(project, settings_path, learn=learn)
    ctrl = w.learning
    out: dict = {"learn": learn}
    if not _loop_until(lambda: w.previewer.worker.nlp is not None, 120):
        raise RuntimeError("the preview model did not load")
    # the window's own start-up work done (the charts built, memory settled), in both phases
    _loop_until(lambda: w.settled and w.training.loss_chart is not None, 60)
    if learn:
        t = time.perf_counter()
        ctrl.start()  # as the window does START_AFTER_MS after opening
        if not _loop_until(lambda: ctrl.state in ("ready", "failed"), 300):
            raise RuntimeError(f"the learner did not start: {ctrl.status}")
        if ctrl.state == "failed":
            raise RuntimeError(ctrl.status)
        out["learner_ready_s"] = round(time.perf_counter() - t, 2)
    rec = _Recorder(w)
    w.session.open_document(todo[0])
    _loop_until(lambda: todo[0] in rec.painted, 30)
    _pause(500)
    if consolidate:
        ctrl.consolidate()
        from ..core.events import Tick

        ticks: list = []
        w.training.runner.sig_event.connect(lambda ev: ticks.append(ev) if isinstance(ev, Tick) else None)
        _loop_until(lambda: ticks or not w.training.runner.busy, 300)
    probe = _TimedProbe()
    probe.start()
    switches, previews, during_run, timeouts, parts = [], [], [], 0, []
    windows: list[tuple[float, float]] = []  # each accept until the next document's predictions are painted
    sent = 0
    for _ in range(len(todo) - 1):
        _pause(think_ms)
        doc_id = w.session.doc.id
        running = w.training.runner.state == "running"
        if consolidate and not running:
            break  # the run has ended (and the learner restarts, counting its documents afresh)
        t0 = time.perf_counter()
        w.acts["accept"].trigger()  # the A key: accept, then the next document (opened at once)
        following = w.session.doc.id
        if following == doc_id:
            break  # the end of the list
        if not _loop_until(lambda f=following: rec.painted.get(f, 0) > t0, 30):
            timeouts += 1
            continue
        switches.append(rec.painted[following] - t0)
        windows.append((t0, rec.painted[following]))
        if not learn:
            continue
        sent += 1
        # until a snapshot that learnt from this document (the sent-th) is painted on the next one
        if _loop_until(lambda f=following, n=sent: any(d == f and k >= n and at > t0
                                                       for (d, k), at in rec.learnt_painted.items()), timeout_s):
            at = min(at for (d, k), at in rec.learnt_painted.items() if d == following and k >= sent and at > t0)
            previews.append(at - t0)
            during_run.append(running)
            asked, loaded = rec.first(rec.asked, sent, t0), rec.first(rec.models, sent, t0)
            if asked and loaded:
                parts.append((asked - t0, loaded - asked, at - loaded))
        else:
            timeouts += 1
    probe.stop()
    late = probe.late
    # the ticks that were due outside the accepts themselves (the key press's own work, the
    # next document opened and predicted): what the learner's background work costs the window
    between = [x for x, due in zip(probe.late, probe.due) if not any(a <= due <= b for a, b in windows)]
    out.update({"lateness_between_p99_ms": round(_pct(between, 0.99), 2),
                "lateness_between_max_ms": round(max(between, default=0), 2)})
    out.update({"accepts": len(switches), "switch_median_ms": round(statistics.median(switches) * 1000, 1)
                if switches else None, "switch_p90_ms": round(_pct(switches, 0.9) * 1000, 1),
                "lateness_p99_ms": round(_pct(late, 0.99), 2), "lateness_max_ms": round(max(late, default=0), 2),
                "lateness_ticks": len(late), "timeouts": timeouts})
    if learn:
        out.update({"previews": previews, "previews_during_run": sum(during_run),
                    "learner_errors": ctrl.error})
        for i, key in enumerate(("learnt", "load", "predict_paint")):  # accept -> Learnt -> loaded -> painted
            out[f"{key}_p50_s"] = round(_pct([x[i] for x in parts], 0.5), 3)
    if consolidate:
        saved_before = ModelStore(project.models_dir).current_name()
        _loop_until(lambda: not w.training.runner.busy, 900)
        version = ModelStore(project.models_dir).current_name()
        _loop_until(lambda: ctrl.live is not None and ctrl.live.ready, 300)
        out.update({"consolidated_version": version, "version_before_wait": saved_before,
                    "learner_restarted_from": ctrl.live.started_from if ctrl.live else None})
    w.close()
    return out


def _generated_project(folder: Path, base: str, accepted: int, docs: int, todo: int, seed: int):
    from ..core.records import Record
    from ..core.store import Project
    from .data import generated_raw, generated_training

    records = generated_training(accepted + docs + 1, seed=seed)
    project = Project.create(folder)
    project.set_setting("base_pipeline", base)
    project.add_label("FASHION_BRAND")
    project.import_records(records[:accepted], path="accepted")
    # the documents to accept hold their brand already (as if just marked): state to do
    project.import_records([Record(r.text, list(r.spans), "todo", line=r.line) for r in records[accepted:]],
                           path="to-accept")
    project.import_records([Record(t) for t in generated_raw(todo, seed=seed + 1)], path="raw")
    return project


def _save_version(project, epochs: int = 2) -> str:
    """A first saved version, trained here on the accepted documents (as a consolidation would
    have made it): both phases preview a pipeline of the same shape (with the new component,
    two recognizers run), and the learner starts from it."""
    from ..core.pipeline import ModelStore, load_pipeline
    from ..core.store import Filter
    from ..core.training import Trainer, TrainSettings

    records = list(project.records(Filter(state="accepted")))
    trainer = Trainer.on(load_pipeline(project.base_pipeline), records,
                         settings=TrainSettings(epochs=epochs, cross_validate=False), retention_limit=0)
    for _ in trainer.run():
        pass
    return ModelStore(project.models_dir).save(trainer.nlp).name


def _to_accept(project, n: int, *, spans_only: bool) -> list[int]:
    from ..core.store import Filter

    ids = project.doc_ids(Filter(state="todo"))
    if spans_only:
        ids = [d for d in ids if project.get_document(d).spans]
    return ids[: n + 1]


def run(args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ..core.store import Project
    from ..gui.demo import create_demo_project

    QApplication.instance() or QApplication([])
    if args.no_nice:
        from ..gui import consolidation, learning

        learning.LEARNER_NICE = consolidation.TRAINING_NICE = 0
    sets = ([] if args.no_generated else ["generated"]) + ([] if args.no_demo else ["demo"])
    with tempfile.TemporaryDirectory(prefix="nergui-bench-learn-gui-") as tmp:
        tmp = Path(tmp)
        for data in sets:
            phases = [("baseline", False, False), ("learning", True, False)]
            if args.consolidate:
                phases.append(("consolidating", True, True))
            results = {}
            made = tmp / f"{data}-made"
            if data == "generated":
                project = _generated_project(made, args.base, args.accepted, args.docs, args.todo, args.seed)
            else:
                project = create_demo_project(made)
                made = project.path
            version, base = _save_version(project), project.base_pipeline
            project.close()
            for name, learn, consolidate in phases:  # each phase on a fresh copy of the same project
                folder = tmp / f"{data}-{name}"
                shutil.copytree(made, folder)
                project = Project.open(folder)
                todo = _to_accept(project, args.docs, spans_only=data == "generated")
                results[name] = _phase(project, folder / "settings.ini", todo, learn=learn, think_ms=args.think_ms,
                                       consolidate=consolidate)
                project.close()
            row = _row(data, args, results)
            row["previewed_version"] = version
            row["base"] = base
            row["nice"] = not args.no_nice
            emit(row, as_json=args.json)
    return 0


def _row(data: str, args, results: dict) -> dict:
    base, learning = results["baseline"], results["learning"]
    previews = learning.pop("previews")
    row = {"bench": "learn", "part": "accept_to_preview_gui", "data": data,
           "docs_asked": args.docs, "think_ms": args.think_ms,
           "learner_ready_s": learning.get("learner_ready_s"),
           "accepts_measured": len(previews), "accepts_baseline": base["accepts"],
           "accept_to_preview_p50_s": round(_pct(previews, 0.5), 3),
           "accept_to_preview_p95_s": round(_pct(previews, 0.95), 3),
           "accept_to_preview_max_s": round(max(previews), 3) if previews else None,
           "learnt_p50_s": learning["learnt_p50_s"], "load_p50_s": learning["load_p50_s"],
           "predict_paint_p50_s": learning["predict_paint_p50_s"],
           "timeouts": learning["timeouts"], "learner_errors": learning["learner_errors"],
           "switch_baseline_ms": base["switch_median_ms"], "switch_learning_ms": learning["switch_median_ms"],
           "switch_ratio": round(learning["switch_median_ms"] / base["switch_median_ms"], 3)
           if base["switch_median_ms"] and learning["switch_median_ms"] else None,
           "lateness_baseline_p99_ms": base["lateness_p99_ms"], "lateness_learning_p99_ms": learning["lateness_p99_ms"],
           "lateness_baseline_max_ms": base["lateness_max_ms"], "lateness_learning_max_ms": learning["lateness_max_ms"],
           "lateness_between_baseline_p99_ms": base["lateness_between_p99_ms"],
           "lateness_between_learning_p99_ms": learning["lateness_between_p99_ms"],
           "lateness_between_baseline_max_ms": base["lateness_between_max_ms"],
           "lateness_between_learning_max_ms": learning["lateness_between_max_ms"],
           "lateness_ticks": learning["lateness_ticks"]}
    missed = []
    if not previews or row["accept_to_preview_p95_s"] > TARGET_S:
        missed.append("accept_to_preview_p95_s")
    if row["lateness_learning_p99_ms"] > LATENESS_P99_MS:
        missed.append("lateness_p99")
    if row["lateness_learning_max_ms"] > LATENESS_MAX_MS:
        missed.append("lateness_max")
    if row["switch_ratio"] is None or row["switch_ratio"] > SWITCH_RATIO:
        missed.append("switch_ratio")
    cons = results.get("consolidating")
    if cons is not None:
        cprev = cons.pop("previews")
        row.update({"consolidating_accepts_measured": len(cprev),
                    "consolidating_accepts_while_training": cons["previews_during_run"],
                    "consolidating_accept_to_preview_p95_s": round(_pct(cprev, 0.95), 3),
                    "consolidating_switch_ms": cons["switch_median_ms"],
                    "consolidating_lateness_p99_ms": cons["lateness_p99_ms"],
                    "consolidating_lateness_max_ms": cons["lateness_max_ms"],
                    "consolidating_lateness_between_p99_ms": cons["lateness_between_p99_ms"],
                    "consolidating_lateness_between_max_ms": cons["lateness_between_max_ms"],
                    "consolidated_version": cons["consolidated_version"],
                    "learner_restarted_from": cons["learner_restarted_from"]})
    row["targets_missed"] = ",".join(missed) or "none"
    row["loadavg_1m"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None  # other work on the machine
    return row
