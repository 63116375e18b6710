"""A window that remembers, per project: the list's filter, the open document and its scroll
position, the docks, the training settings and the last run's result card (issue 12)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from nergui.bench.data import generated_raw, generated_training
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.gui import actions
from nergui.gui.main_window import MainWindow
from nergui.gui.window_state import top_position
from nergui.gui.workers import RunResult, Saved

LONG = 60_000
NO_RUN = "No training run yet"
ESSAY = "\n".join(f"Paragraph {i}: the roaster Acme sells beans to cafes all over Portland, Oregon." for i in range(400))


@pytest.fixture
def reopen(qtbot, tmp_path):
    """Windows on one project with one settings file, as after closing and starting nergui again."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)

    def make(project):
        w = MainWindow(project, settings=settings, predictions=False)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        return w
    return make


def test_filter_document_scroll_docks_and_training_settings_come_back(reopen, qtbot, tmp_path):
    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", "blank:en")
    project.add_label("ORG")
    project.import_records([Record("A note on Globex."), Record(ESSAY), Record("Acme again, briefly.")], path="t")
    w = reopen(project)
    w.training_dock.hide()
    w.messages_dock.show()
    w.docs.search.setText("acme")
    w.docs.apply_filter()
    assert w.docs.model.ids == [2, 3]
    w.docs.go_to(2)
    qtbot.waitUntil(lambda: w.view.verticalScrollBar().maximum() > 5000)
    w.view.verticalScrollBar().setValue(4000)
    top = top_position(w.view)
    assert top > 1000
    form = w.training.form
    form.epochs.setValue(7)
    form.slider.setValue(60)
    form.strategy_buttons["in-place"].setChecked(True)
    form.batch_size.setValue(16)
    form.cross_validate.setChecked(False)
    form.advanced_toggle.setChecked(True)
    assert top_position(w.view) == top
    w.close()

    w2 = reopen(project)
    assert w2.docs.search.text() == "acme" and w2.docs.model.ids == [2, 3]
    assert w2.session.doc.id == 2
    qtbot.waitUntil(lambda: top_position(w2.view) == top)
    assert w2.view.verticalScrollBar().value() > 0
    f2 = w2.training.form
    assert (f2.epochs.value(), f2.slider.value(), f2.strategy(), f2.batch_size.value()) == (7, 60, "in-place", 16)
    assert not f2.cross_validate.isChecked() and f2.advanced.isVisibleTo(f2)
    assert w2.training_dock.isHidden() and w2.messages_dock.isVisible()
    w2.close()

    other = Project.create(tmp_path / "other")  # another project: none of it
    other.import_records([Record("Elsewhere.")], path="t")
    w3 = reopen(other)
    assert w3.docs.search.text() == "" and w3.training.form.epochs.value() == 10
    assert not w3.training_dock.isHidden()
    w3.close()


def test_the_last_result_card_comes_back_and_no_run_says_so(reopen, qtbot, tmp_path):
    fresh = Project.create(tmp_path / "fresh")
    fresh.set_setting("base_pipeline", "blank:en")
    fresh.import_records([Record("Nothing trained here.")], path="t")
    w0 = reopen(fresh)
    w0.training.ensure_charts()
    assert w0.training.card.isHidden() and NO_RUN in w0.training.detail.text()
    w0.close()

    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", "blank:en")
    project.add_label("FASHION_BRAND")
    project.import_records(generated_training(60) + [Record(t) for t in generated_raw(10)], path="gen")
    w = reopen(project)
    panel = w.training
    panel.in_process = True
    panel.form.epochs.setValue(2)
    panel.form.cross_validate.setChecked(False)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=lambda e: isinstance(e, RunResult)):
        panel.train()
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=lambda e: isinstance(e, Saved)):
        panel.card.keep.click()
    shown = {"title": panel.card.title.text(), "summary": panel.card.summary.text(),
             "rows": {name: panel.card.rows_text(name) for name in panel.card.rows}}
    assert shown["rows"] and "held out for scores" in shown["summary"]
    scored = project.runs()[-1]["metrics"]["documents_scored"]
    w.close()

    w2 = reopen(project)
    card = w2.training.card
    assert not card.isHidden()
    assert {"title": card.title.text(), "summary": card.summary.text(),
            "rows": {name: card.rows_text(name) for name in card.rows}} == shown
    assert "kept as v0001" in card.decision.text() and card.keep.isHidden() and card.discard.isHidden()
    w2.training.ensure_charts()  # the charts come later; the panel must not then say there was no run
    assert NO_RUN not in w2.training.detail.text() and "Last run" in w2.training.detail.text()
    w2.close()

    # a window that never saw the run (the run made elsewhere, e.g. by nergui train): from the run log
    w2.settings.remove(next(k for k in w2.settings.allKeys() if k.endswith("last_result")))
    w3 = reopen(project)
    card = w3.training.card
    assert not card.isHidden()
    assert {name: card.rows_text(name) for name in card.rows} == shown["rows"]
    assert card.summary.text() == f"2 epochs \u00b7 new types own component \u00b7 {scored} documents held out for scores"
    assert "kept as v0001" in card.decision.text()
    w3.close()


def test_a_window_title_is_the_projects_display_name(reopen, tmp_path):
    project = Project.create(tmp_path / "folder-name")
    w = reopen(project)
    assert w.windowTitle() == "folder-name \u2014 nergui"
    w.close()
    project.set_setting("display_name", "Demo: coffee roasters")
    w = reopen(project)
    assert w.windowTitle() == "Demo: coffee roasters \u2014 nergui"
    w.close()


def test_docks_can_be_hidden_from_the_view_menu(reopen, tmp_path):
    project = Project.create(tmp_path / "p")
    w = reopen(project)
    act = w.messages_dock.toggleViewAction()
    assert act.text() == "&Messages" and act.shortcut().toString() == "Ctrl+Shift+M"
    act.trigger()
    assert w.messages_dock.isVisible()
    assert any(keys == "Ctrl+Shift+M" for keys, _what, _where in actions.shortcut_rows(w))
    w.close()
