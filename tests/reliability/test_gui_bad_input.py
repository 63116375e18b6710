"""Bad input through the desktop app: the message reaches the window (status bar; no dialog
with a traceback), the project is unchanged, and the window keeps working."""

from __future__ import annotations

import sqlite3

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from ..modals import on_modals  # noqa: E402
from .conftest import BAD_INPUTS, documents, dump, make_project  # noqa: E402
from .corpus import GOOD, put  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from nergui.gui.main_window import MainWindow
    from nergui.core.store import Project

    dialogs = []
    for name in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda *a, _n=name, **k: dialogs.append((_n, a))))
    project = Project.open(make_project(tmp_path / "project"))
    w = MainWindow(project, settings=QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat), predictions=False)
    qtbot.addWidget(w)
    w.show()
    w.dialogs = dialogs
    yield w
    w.close()
    project.close()


def pick_file(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def still_usable(w, tmp_path, monkeypatch) -> None:
    """The window goes on: mark a span, accept the document, import a good file."""
    w.docs.go_to_row(1)
    doc = w.session.doc
    assert doc.text == "Nothing to see here."
    w.session.label = "ORG"
    assert w.session.mark(0, 7)
    w.acts["accept"].trigger()
    got = {text: (spans, state) for text, spans, state in documents(w.session.project.path)}
    assert got["Nothing to see here."] == ([(0, 7, "ORG")], "accepted")
    pick_file(monkeypatch, put(tmp_path / "good.jsonl", GOOD))
    from nergui.gui.import_dialog import ImportDialog

    left = on_modals((ImportDialog, lambda d: d.accept()))
    w.acts["import"].trigger()
    assert left == []
    assert "good.jsonl (read as Prodigy JSONL): imported 1 documents" in w.statusBar().currentMessage()
    assert len(w.docs.model.ids) == 4


@pytest.mark.parametrize("name, content, expected", [
    ("broken.jsonl", GOOD + '{"text": "no end\n', ["broken.jsonl:2: not valid JSON", "1 problems",
                                                     "tick \u201cSkip bad documents\u201d"]),
    ("corrupt.spacy", (BAD_INPUTS / "corrupt.spacy").read_bytes(), ["corrupt.spacy: not a readable spaCy DocBin",
                                                                     "Re-export it with 'DocBin.to_disk'"]),
    ("latin1.jsonl", (BAD_INPUTS / "latin1.jsonl").read_bytes(), ["latin1.jsonl:2: the file is not UTF-8",
                                                                   "Choose the file's encoding (Encoding above: "
                                                                   "Latin-1, Windows-1252, UTF-16"]),
])
def test_a_bad_file_imported_in_the_app(window, tmp_path, monkeypatch, name, content, expected):
    """The import dialog shows the problem before anything is written; Import stays off."""
    from nergui.gui.import_dialog import ImportDialog

    before = dump(window.session.project.path)
    pick_file(monkeypatch, put(tmp_path / name, content))
    seen = {}

    def look(dialog):
        seen["message"], seen["can_import"] = dialog.summary.text(), dialog.ok.isEnabled()
        dialog.accept()  # refused while Import is off
        seen["still_open"] = dialog.isVisible()
        dialog.reject()

    left = on_modals((ImportDialog, look))
    window.acts["import"].trigger()
    assert left == []
    message = seen["message"]
    for piece in expected:
        assert piece in message
    assert not seen["can_import"] and seen["still_open"]
    assert "Traceback" not in message and window.dialogs == []
    assert "iconv" not in message and "--" not in message  # the window's advice, not the command line's
    assert dump(window.session.project.path) == before and len(window.docs.model.ids) == 3
    still_usable(window, tmp_path, monkeypatch)


def test_a_folder_dropped_on_the_window(window, tmp_path, monkeypatch):
    (tmp_path / "notes").mkdir()
    put(tmp_path / "notes" / "readme.md", "no texts here")
    before = dump(window.session.project.path)
    from nergui.gui import projects

    projects.import_path(window, str(tmp_path / "notes"))
    assert "notes: the folder holds no .txt files" in window.statusBar().currentMessage()
    assert dump(window.session.project.path) == before
    still_usable(window, tmp_path, monkeypatch)


def test_an_edit_while_another_process_writes_says_busy_and_keeps_nothing_half_done(window, tmp_path, monkeypatch):
    """A long import from the command line holds the write lock; an edit in the app waits
    (here 50 ms instead of 30 s), then says so, and works once the other writer is done."""
    project = window.session.project
    project.conn.execute("PRAGMA busy_timeout = 50")
    window.docs.go_to_row(1)
    other = sqlite3.connect(project.path / "nergui.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        window.session.label = "ORG"
        assert not window.session.mark(0, 7)
        assert window.statusBar().currentMessage().startswith(
            f"{project.path}: the project is busy: another nergui window or command is writing to it.")
        assert window.session.doc.spans == [] and window.session.undo_stack.count() == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    still_usable(window, tmp_path, monkeypatch)


def test_a_document_too_long_for_the_pipeline_gets_its_own_message():
    import spacy

    from nergui.gui.predictions import PredictionWorker

    from .corpus import BIG

    worker = PredictionWorker()
    worker.nlp = spacy.blank("en")
    failed, results = [], []
    worker.sig_failed.connect(failed.append)
    worker.sig_result.connect(lambda *a: results.append(a))
    worker.predict(1, 0, BIG, True)
    assert failed == ["No predictions for this document: it has 2,000,004 characters, more than the pipeline takes "
                      "(1,000,000). You can still mark it by hand; split it to see predictions."]
    worker.predict(2, 1, "A short one.", True)
    assert results == [(2, 1)]
