"""``nergui --smoke-test [PROJECT]``: the whole app once, offscreen, on a temporary copy.

It opens the main window on a copy of the demo project (or of PROJECT), marks a span by
dragging the mouse over the text view, checks the store, loads the project's pipeline and
predicts with it, runs one training epoch (a few steps) in a training child process as the
app does (in a bundle: the frozen executable started again), saves a model version and loads
that version back from disk. Each step prints one line; the last is ``nergui smoke test:
ok``. Used from a checkout and from the PyInstaller bundle (``packaging/``), where it
proves the frozen app has what spaCy, Qt and the pipeline need.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from ..errors import Msg, NerguiError, detail as error_detail

SAMPLE = "Harbor Lane Roasters in Seattle sells the Pourwell Kettle for $40 since March 2021."


def smoke_test(project_path: str | None) -> int:
    """Run every step; 0 when all pass, else 1 with the failing step on stderr."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="nergui-smoke-"))
    started = time.perf_counter()
    try:
        for line in _steps(project_path, tmp):
            print(f"nergui smoke test: {line}", flush=True)
        print(f"nergui smoke test: ok ({time.perf_counter() - started:.1f} s)", flush=True)
        return 0
    except (_Failed, NerguiError, OSError) as err:
        print("nergui: " + Msg.GUI_SMOKE_FAILED.format(detail=err), file=sys.stderr)
        return 1
    except Exception as err:  # a frozen app's missing module or data file lands here: show it all
        traceback.print_exc()
        print("nergui: " + Msg.GUI_SMOKE_FAILED.format(detail=error_detail(err)), file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _Failed(Exception):
    pass


def _steps(project_path: str | None, tmp: Path):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ..core.pipeline import ModelStore, describe, load_pipeline, ner_labels
    from ..core.store import Project
    from ..core.child import ChildRun
    from ..core.events import Cancelled, Failed, RunResult, Saved, Tick
    from ..core.run import TrainRequest
    from ..core.training import TrainSettings
    from .demo import create_demo_project
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if getattr(sys, "frozen", False):
        from ..core import resources

        folders = ", ".join(resources.bundled_pipelines()) or "none"
        yield f"frozen app in {sys._MEIPASS}; demo: {resources.demo_dir()}; pipeline folders: {folders}"
    if project_path:
        shutil.copytree(project_path, tmp / "project")
        project = Project.open(tmp / "project")
    else:
        project = create_demo_project(tmp)
    window = MainWindow(project, settings=QSettings(str(tmp / "settings.ini"), QSettings.IniFormat),
                        predictions=False)
    window.show()
    app.processEvents()
    ok, detail = _mark_first_word(window, app)
    if ok and not project.counts_by_state().get("accepted"):
        window.session.set_state("accepted")  # something to train on in a fresh project
    window.close()
    app.processEvents()
    if not ok:
        raise _Failed(detail)
    yield detail

    spec = project.base_pipeline or "blank:en"
    nlp = load_pipeline(spec)
    ents = [f"{e.text} ({e.label_})" for e in nlp(SAMPLE).ents]
    yield (f"pipeline {describe(spec)} loaded ({', '.join(nlp.pipe_names) or 'tokenizer only'}; "
           f"{len(ner_labels(nlp))} entity labels; {len(ents)} entities in a sample: {', '.join(ents[:4])})")
    del nlp

    # train as the app does: in a training child process (for a bundle: this executable again)
    run = ChildRun(TrainRequest(project.path, TrainSettings(epochs=1), holdout=False))
    run.start()
    stream = run.events()
    events = []
    for ev in stream:
        events.append(ev)
        if isinstance(ev, (RunResult, Cancelled, Failed)):
            break
    if not isinstance(events[-1], RunResult):
        run.close(30)
        raise _Failed(f"training in the child process ended with {events[-1]}")
    run.decide(True)
    last_event = list(stream)[-1]
    run.close(30)
    version = last_event.version if isinstance(last_event, Saved) else None
    steps = [ev for ev in events if isinstance(ev, Tick)]
    if version is None or not steps:
        raise _Failed(f"training made {len(steps)} progress reports and saved no model version ({last_event})")
    last = steps[-1].progress
    yield (f"training ran {last.step} steps in a child process ({last.examples_seen} examples, "
           f"loss {last.loss:.2f}, {last.words_per_second:.0f} words/s)")

    store = ModelStore(project.models_dir)
    if store.current_name() != version.name:
        raise _Failed(f"saved {version.name} but CURRENT names {store.current_name()}")
    reloaded = load_pipeline(store.current_path())
    ents = [f"{e.text} ({e.label_})" for e in reloaded(SAMPLE).ents]
    yield (f"saved model version {version.name} and loaded it from disk "
           f"({', '.join(reloaded.pipe_names)}; {len(ents)} entities in the sample)")
    project.close()


def _mark_first_word(window, app) -> tuple[bool, str]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    s = window.session
    if s.doc is None:
        return False, "the project has no documents"
    if s.label is None:
        s.add_labels(["SMOKE"])  # the label bar and the label keys follow the session
        s.label = "SMOKE"
    text = s.doc.text
    taken = [(x.start, x.end) for x in s.doc.spans]
    i = 0
    while i < len(text):  # the first word not inside a span
        while i < len(text) and text[i].isspace():
            i += 1
        j = i
        while j < len(text) and not text[j].isspace():
            j += 1
        if j > i and not any(a < j and i < b for a, b in taken):
            break
        i = j
    else:
        return False, "no free word to mark in the first document"
    vp = window.view.viewport()
    before = len(s.project.get_document(s.doc.id).spans)
    end = window.view.point_at(j - 1) if j - i > 2 else window.view.point_at(j)
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, window.view.point_at(i + 1))
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)
    app.processEvents()
    after = s.project.get_document(s.doc.id).spans
    if len(after) != before + 1:
        return False, f"dragging over {text[i:j]!r} added {len(after) - before} spans, expected 1"
    new = [x for x in after if (x.start, x.end) not in taken]
    return True, f"marked {text[new[0].start:new[0].end]!r} as {new[0].label} in document {s.doc.id}"
