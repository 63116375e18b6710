"""Opening work: the first-run start dialog, the new-project dialog, recent projects, and
dropping a file onto the window. Dialogs are the real ones, driven while they are modal;
only the platform's file and colour pickers are replaced."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QColorDialog, QFileDialog

from nergui.core.store import Project
from nergui.gui import app as app_mod
from nergui.gui import projects
from nergui.gui.dialogs import NewProjectDialog, StartDialog
from nergui.gui.import_dialog import ImportDialog
from nergui.gui.label_manager import LabelNameDialog

from ..modals import on_modals

ROOT = Path(__file__).resolve().parents[2]


def fill_new_project(dlg, folder, file="", pipeline="blank:en", labels=()):
    QTest.qWaitForWindowExposed(dlg)
    QTest.qWait(30)  # laid out: mouse events go to the widget under the point
    dlg.folder.setText(str(folder))
    dlg.file.setText(str(file))
    dlg.pipeline.setEditText(pipeline)
    for name, key in labels:  # "Add label" asks for the name
        left = on_modals((LabelNameDialog, lambda d, n=name: (QTest.keyClicks(d.field, n),
                                                              QTest.mouseClick(d.ok, Qt.LeftButton))))
        QTest.mouseClick(dlg.add_button, Qt.LeftButton)
        assert not left
        r = dlg.labels.rowCount() - 1
        assert dlg.labels.item(r, 0).text() == name
        dlg.labels.item(r, 2).setText(key)


def texts_file(tmp_path, name="texts.txt", lines=("Acme roasts coffee in Portland.", "Globex sells beans.")):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---- first run ------------------------------------------------------------------------------
def test_first_run_opens_the_demo(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(projects, "demo_parent", lambda: tmp_path / "demo")
    left = on_modals((StartDialog, lambda d: QTest.mouseClick(d.buttons["demo"], Qt.LeftButton)))
    project, message = app_mod._first_run(None, StartDialog)
    assert not left and message is None
    try:
        assert project.path.parent == tmp_path / "demo"
        assert project.count() == 50 and set(project.label_names()) == {"ROASTER", "BREWER"}
    finally:
        project.close()


def test_first_run_open_existing_says_why_a_folder_is_refused(make_project, qtbot, tmp_path, monkeypatch):
    existing = make_project(["Acme sells widgets."])
    existing.close()
    answers = [str(tmp_path / "not-a-project"), str(tmp_path / "proj")]
    (tmp_path / "not-a-project").mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: answers.pop(0)))
    seen = {}

    def second(d):
        seen["error"] = d.error.text() if d.error.isVisible() else ""
        QTest.mouseClick(d.buttons["open"], Qt.LeftButton)

    left = on_modals((StartDialog, lambda d: QTest.mouseClick(d.buttons["open"], Qt.LeftButton)),
                     (StartDialog, second))
    project, _ = app_mod._first_run(None, StartDialog)
    assert not left
    assert "not a nergui project" in seen["error"]
    try:
        assert project.path == tmp_path / "proj" and project.count() == 1
    finally:
        project.close()


def test_first_run_creates_a_project_from_a_file(qtbot, tmp_path):
    texts = texts_file(tmp_path)
    folder = tmp_path / "new"

    def fill(d):
        fill_new_project(d, folder, texts, "blank:de", labels=[("ROASTER", "1")])
        QTest.mouseClick(d.ok, Qt.LeftButton)

    left = on_modals((StartDialog, lambda d: QTest.mouseClick(d.buttons["new"], Qt.LeftButton)),
                     (NewProjectDialog, fill))
    project, message = app_mod._first_run(None, StartDialog)
    assert not left
    try:
        assert project.path == folder and project.base_pipeline == "blank:de"
        assert [project.get_document(i).text for i in project.doc_ids()] == [
            "Acme roasts coffee in Portland.", "Globex sells beans."]
        assert project.labels()[0]["name"] == "ROASTER" and project.labels()[0]["shortcut"] == "1"
        assert "imported 2 documents" in message
    finally:
        project.close()


def test_first_run_closed_opens_nothing(qtbot):
    left = on_modals((StartDialog, lambda d: d.reject()))
    assert app_mod._first_run(None, StartDialog) == (None, None)
    assert not left


# ---- the new-project dialog -------------------------------------------------------------------
def test_new_project_dialog_texts_pipeline_and_labels(make_project, make_window, qtbot, tmp_path, monkeypatch):
    w = make_window(make_project(["Old project text."]))
    data = tmp_path / "brands.jsonl"
    data.write_text(json.dumps({"text": "I wear Acme shoes.", "spans": [{"start": 7, "end": 11, "label": "BRAND"}]})
                    + "\n" + json.dumps({"text": "Nothing here."}) + "\n", encoding="utf-8")
    folder = tmp_path / "fashion"
    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *a, **k: QColor("#123456")))
    seen = {}

    def fill(d):
        seen["pipelines"] = [d.pipeline.itemText(i) for i in range(d.pipeline.count())]
        fill_new_project(d, folder, data, "blank:en", labels=[("LABEL2", "8")])
        seen["proposed"] = [(d.labels.item(0, 0).text(), d.labels.item(0, 3).text())]  # the file's, with its count
        d.labels.item(0, 2).setText("7")
        rect = d.labels.visualItemRect(d.labels.item(0, 0))
        QTest.mouseClick(d.labels.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())  # select BRAND
        QTest.mouseClick(d.colour_button, Qt.LeftButton)  # the colour picker
        d.labels.item(1, 0).setText("PERSON")  # a standard type: displaCy's colour
        seen["person"] = d.labels.item(1, 1).text()
        d.labels.item(1, 2).setText("7")  # the same key twice: refused in the dialog
        QTest.mouseClick(d.ok, Qt.LeftButton)
        seen["refused"] = d.error.text() if d.isVisible() else ""
        d.labels.item(1, 2).setText("8")
        QTest.mouseClick(d.ok, Qt.LeftButton)

    left = on_modals((NewProjectDialog, fill))
    w.acts["new"].trigger()
    assert not left
    assert "blank:en" in seen["pipelines"]
    assert seen["proposed"] == [("BRAND", "1")]
    assert seen["person"] == "#aa9cfc"
    assert "Key 7" in seen["refused"]
    new = projects._windows[-1]
    qtbot.addWidget(new)
    p = new.session.project
    assert p.path == folder and p.base_pipeline == "blank:en"
    assert p.labels() == [{"name": "BRAND", "colour": "#123456", "shortcut": "7"},
                          {"name": "PERSON", "colour": "#aa9cfc", "shortcut": "8"}]
    assert [(s.start, s.end, s.label) for s in p.get_document(1).spans] == [(7, 11, "BRAND")]
    assert p.count() == 2
    assert "imported 2 documents" in new.statusBar().currentMessage()
    assert not w.isVisible()  # one project per window: the old one was replaced
    new.close()


def test_new_project_into_a_project_folder_is_refused_in_the_dialog(make_project, make_window, qtbot, tmp_path):
    w = make_window(make_project(["Old project text."]))
    seen = {}

    def first(d):
        fill_new_project(d, tmp_path / "proj")  # the open project's own folder
        QTest.mouseClick(d.ok, Qt.LeftButton)

    def again(d):
        seen["error"] = d.error.text()
        d.reject()

    left = on_modals((NewProjectDialog, first), (NewProjectDialog, again))
    w.acts["new"].trigger()
    assert not left
    assert "already holds a nergui project" in seen["error"]
    assert w.isVisible() and w.session.project.count() == 1


def test_a_bad_pipeline_or_file_leaves_nothing_behind(tmp_path):
    with pytest.raises(Exception, match="blank:qq"):
        projects.create_project({"folder": str(tmp_path / "a"), "file": "", "pipeline": "blank:qq", "labels": []})
    assert not (tmp_path / "a").exists()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{not json\n', encoding="utf-8")
    with pytest.raises(Exception, match="bad.jsonl:2"):
        projects.create_project({"folder": str(tmp_path / "b"), "file": str(bad), "pipeline": "blank:en",
                                 "labels": [{"name": "ORG", "colour": "#7aecec", "shortcut": "1"}]})
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_dropping_a_file_onto_the_new_project_dialog_fills_in_the_texts(qtbot, tmp_path):
    dlg = NewProjectDialog()
    qtbot.addWidget(dlg)
    dlg.show()
    drop(dlg, [texts_file(tmp_path)])
    assert dlg.file.text() == str(tmp_path / "texts.txt")


# ---- recent projects ----------------------------------------------------------------------------
def test_recent_projects_are_remembered_and_reopened(make_project, make_window, qtbot, tmp_path):
    first = make_project(["First project."])
    others = []
    for name in ("b", "c"):
        p = Project.create(tmp_path / name)
        p.import_records([], path="none")
        others.append(p)
    w = make_window(first)
    s = w.settings
    for p in others:
        projects.remember(s, p.path)
    projects.remember(s, tmp_path / "gone")  # a folder without a project is not offered
    w.refresh_recent()
    assert projects.recent(s) == [str(tmp_path / "c"), str(tmp_path / "b"), str(first.path)]
    items = [a.text() for a in w.recent_menu.actions()]
    assert items == projects.recent(s)
    next(a for a in w.recent_menu.actions() if a.text() == str(tmp_path / "b")).trigger()
    new = projects._windows[-1]
    qtbot.addWidget(new)
    assert new.session.project.path == tmp_path / "b" and not w.isVisible()
    assert projects.recent(s)[0] == str(tmp_path / "b")  # most recent first
    s.sync()
    again = QSettings(s.fileName(), QSettings.IniFormat)  # kept in the settings file
    assert projects.recent(again)[0] == str(tmp_path / "b")
    for i in range(projects.MAX_RECENT + 3):
        Project.create(tmp_path / f"many{i}").close()
        projects.remember(s, tmp_path / f"many{i}")
    assert len(projects.recent(s)) == projects.MAX_RECENT
    new.close()
    for p in others:
        p.close()


def test_nergui_alone_reopens_the_last_project(tmp_path):
    """``nergui`` with no argument opens the most recent project (QSettings in the user's config)."""
    for name in ("older", "last"):
        with Project.create(tmp_path / name) as p:
            p.set_setting("base_pipeline", "blank:en")
    config = tmp_path / "config"
    settings = QSettings(str(config / "nergui" / "nergui.conf"), QSettings.IniFormat)
    settings.setValue("recent", [str(tmp_path / "last"), str(tmp_path / "older")])
    settings.sync()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NERGUI_STARTUP_PROBE="1", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(config), XDG_DATA_HOME=str(tmp_path / "data"))
    r = subprocess.run([sys.executable, "-m", "nergui.cli"], cwd=ROOT, capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"nergui project {tmp_path / 'last'}" in r.stdout


# ---- dropping files onto the window --------------------------------------------------------------
def drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) if not str(p).startswith("http") else QUrl(str(p)) for p in paths])
    pos = QPoint(widget.width() // 2, widget.height() // 2)
    enter = QDragEnterEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    ev = QDropEvent(pos.toPointF(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, ev)


def test_dropping_a_file_onto_the_window_imports_it(make_project, make_window, qtbot, tmp_path):
    w = make_window(make_project(["Already here."]))
    data = tmp_path / "more.jsonl"
    data.write_text(json.dumps({"text": "Visit Acme Widgets today.", "spans": [{"start": 7, "end": 12, "label": "ORG"}]})
                    + "\n" + json.dumps({"text": "Plain one."}) + "\n", encoding="utf-8")
    left = on_modals((ImportDialog, lambda d: d.accept()))
    drop(w, [data])  # the import dialog shows how it will be read; Import
    assert left == []
    p = w.session.project
    assert p.count() == 3
    assert [(s.start, s.end, s.label) for s in p.get_document(2).spans] == [(7, 12, "ORG")]  # kept, misaligned
    assert len(w.docs.model.ids) == 3
    assert w.misaligned_dock.isVisible() and w.misaligned.list.count() == 1
    assert "Document 1 of 3" in w.doc_pos.text()
    on_modals((ImportDialog, lambda d: d.accept()))
    drop(w, [data])  # the same file again: duplicates are skipped
    assert p.count() == 3


def test_dropping_a_web_link_says_what_can_be_dropped(make_project, make_window, qtbot):
    w = make_window(make_project(["Already here."]))
    drop(w, ["https://example.com/texts.jsonl"])
    assert "Only files can be dropped" in w.statusBar().currentMessage()
    assert w.session.project.count() == 1
