"""Errors that stay, advice that fits the window (issue 12): an error that stops an action
opens a dialog with the whole message, Copy details and the action to take in the window;
every message stays in View > Messages; the import dialog has an encoding picker and reads
CSV and TSV with a text column; no command-line flag is ever shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from nergui.errors import InputError, Msg
from nergui.gui import projects
from nergui.gui.error_dialog import ErrorDialog
from nergui.gui.import_dialog import ImportDialog

from ..modals import on_modals

BAD_INPUTS = Path(__file__).resolve().parents[1] / "reliability" / "bad_inputs"
CLI_WORDS = ("--format", "--encoding", "--partial", "--text-key", "--columns", "iconv", "command line")


@pytest.fixture
def window(make_project, make_window):
    return make_window(make_project(["Already here."], labels=("ORG",)))


def everything_said(w) -> str:
    """Every text the window shows of its messages: the status bar, View > Messages, the error dialogs."""
    shown = [w.statusBar().currentMessage(), *w.messages.texts()]
    for dlg in w.error_dialogs:
        shown += [dlg.message.text(), dlg.problems.toPlainText(), dlg.windowTitle()]
    return "\n".join(shown)


def gets_focus(widget, ms: int = 2000) -> bool:
    """Whether ``widget`` has the keyboard focus within ``ms`` (a dialog hands it on once shown)."""
    for _ in range(ms // 10):
        if QApplication.focusWidget() is widget:
            return True
        QTest.qWait(10)
    return False


def pick_file(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def test_the_error_dialog_shows_the_whole_message_and_copies_the_details(qtbot, tmp_path):
    from nergui import __version__

    problems = [f"{tmp_path / 'big.jsonl'}:{n}: not valid JSON (Expecting value at column 1). Fix or remove this line."
                for n in range(1, 80)]
    message = Msg.PROBLEMS_FOUND.format(path=tmp_path / "big.jsonl", count=79, first=problems[0])
    from nergui.core.records import Problem

    err = InputError(message, [Problem(str(tmp_path / "big.jsonl"), n, "not valid JSON (Expecting value at column "
                                       "1). Fix or remove this line.") for n in range(1, 80)])
    dlg = ErrorDialog(None, "Nothing was imported", message, err=err)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    shown = dlg.message.text()
    assert shown.startswith(f"{tmp_path / 'big.jsonl'}: 79 problem(s) found, nothing was imported. First: ")
    assert shown.endswith('import only the good documents ("Skip bad documents" in the import dialog).')
    assert "--partial" not in shown and dlg.message.wordWrap()
    assert dlg.message.textInteractionFlags() & dlg.message.textInteractionFlags().TextSelectableByMouse
    assert dlg.message.height() >= dlg.message.heightForWidth(dlg.message.width())  # not cut off
    assert dlg.problems.isVisible() and "79 problems:" in [w.text() for w in dlg.findChildren(type(dlg.message))]
    assert "and 29 more (Copy details has them all)" in dlg.problems.toPlainText()
    dlg.copy.click()
    copied = QApplication.clipboard().text()
    assert copied.startswith(shown + "\n")
    assert f"File: {tmp_path / 'big.jsonl'}, line 1: not valid JSON" in copied
    assert f"File: {tmp_path / 'big.jsonl'}, line 79: not valid JSON" in copied
    assert f"nergui {__version__}" in copied and dlg.copy.text() == "Copied"
    assert dlg.action is None


def test_an_unknown_format_offers_the_format_picker_and_no_flag(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "notes.dat"
    path.write_text("first note\nsecond note\n", encoding="utf-8")
    projects.import_path(window, str(path))  # e.g. a file dropped or changed since its preview
    (dlg,) = window.error_dialogs
    assert dlg.isVisible() and dlg.windowTitle() == "Nothing was imported"
    assert dlg.message.text().startswith(f"{path}: could not tell the format")
    assert dlg.message.text().endswith("Choose it under Format in the import dialog.")
    assert dlg.action.text() == "Choose the format\u2026"
    said = everything_said(window)
    assert not [word for word in CLI_WORDS if word in said], said
    assert window.messages.entries[-1][1] == dlg.message.text() and window.messages.entries[-1][2]  # an error

    seen = {}

    def choose(d):
        seen["focused"] = d.focused()
        seen["focus_widget"] = gets_focus(d.fmt)
        seen["summary"] = d.summary.text()
        d.fmt.setCurrentIndex(d.fmt.findData("text"))
        d.accept()

    left = on_modals((ImportDialog, choose))
    dlg.action.click()
    qtbot.waitUntil(lambda: not left and len(window.docs.model.ids) == 3)
    assert seen["focused"] == "format" and seen["focus_widget"]
    assert "--format" not in seen["summary"] and "Choose it under Format above." in seen["summary"]
    assert "notes.dat (read as plain text, one document per line (chosen)): imported 2 documents" in \
        window.statusBar().currentMessage()


def test_a_latin1_file_through_the_import_dialog(window, qtbot, monkeypatch):
    """The summary says to choose the encoding (not iconv); Latin-1 is chosen; the accents arrive."""
    pick_file(monkeypatch, BAD_INPUTS / "latin1.jsonl")
    seen = {}

    def choose(d):
        seen["before"], seen["can_import"], seen["focused"] = d.summary.text(), d.ok.isEnabled(), d.focused()
        seen["focus_widget"] = gets_focus(d.encoding)
        d.encoding.setCurrentIndex(d.encoding.findData("latin-1"))
        seen["after"], seen["detected"] = d.summary.text(), d.detected.text()
        d.accept()

    left = on_modals((ImportDialog, choose))
    window.acts["import"].trigger()
    assert not left
    assert "latin1.jsonl:2: the file is not UTF-8" in seen["before"] and "iconv" not in seen["before"]
    assert "Choose the file's encoding (Encoding above: Latin-1, Windows-1252, UTF-16" in seen["before"]
    assert not seen["can_import"] and seen["focused"] == "encoding" and seen["focus_widget"]
    assert "Read: 2 documents, 0 spans, 0 problems." in seen["after"] and "Prodigy JSONL" in seen["detected"]
    texts = [window.session.project.get_document(i).text for i in window.session.project.doc_ids()]
    assert texts[1:] == ["plain ascii", "Caf\u00e9 au lait in M\u00fcnchen"]
    assert window.statusBar().currentMessage() == (
        f"{BAD_INPUTS / 'latin1.jsonl'} (read as Prodigy JSONL): imported 2 documents, 0 duplicates skipped; "
        "decoded as Latin-1 (ISO-8859-1)")


def test_a_refused_import_offers_the_encoding(window, qtbot):
    projects.import_path(window, str(BAD_INPUTS / "latin1.jsonl"))
    (dlg,) = window.error_dialogs
    assert dlg.action.text() == "Choose an encoding\u2026" and "iconv" not in dlg.message.text()
    seen = {}

    def choose(d):
        seen["focused"] = d.focused()
        d.encoding.setCurrentIndex(d.encoding.findData("cp1252"))
        d.accept()

    left = on_modals((ImportDialog, choose))
    dlg.action.click()
    qtbot.waitUntil(lambda: not left and len(window.docs.model.ids) == 3)
    assert seen["focused"] == "encoding"
    assert window.session.project.get_document(3).text == "Caf\u00e9 au lait in M\u00fcnchen"


@pytest.mark.parametrize("name, content, column, texts, meta", [
    ("reviews.csv", 'id,review,stars\n1,"Acme roasts, slowly.",5\n2,Globex sells beans.,3\n', "review",
     ["Acme roasts, slowly.", "Globex sells beans."], {"id": "1", "stars": "5"}),
    ("sentences.tsv", "sentence\tlabel\nInitech brews tea.\t0\n", "sentence", ["Initech brews tea."], {"label": "0"}),
])
def test_csv_and_tsv_with_a_text_column_import(window, qtbot, monkeypatch, tmp_path, name, content, column, texts,
                                               meta):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    pick_file(monkeypatch, path)
    seen = {}

    def look(d):
        seen["detected"], seen["column"] = d.detected.text(), d.text_column.currentText()
        seen["shown"] = d.text_column.isVisible() and not d.token_col.isVisible()
        d.accept()

    left = on_modals((ImportDialog, look))
    window.acts["import"].trigger()
    assert not left and seen["column"] == column and seen["shown"]
    assert f'with a header row, text in column "{column}"' in seen["detected"]
    project = window.session.project
    docs = [project.get_document(i) for i in project.doc_ids()][1:]
    assert [d.text for d in docs] == texts and docs[0].meta == meta and docs[0].state == "todo"


def test_a_csv_without_a_text_name_asks_for_the_column(window, qtbot, monkeypatch, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,words\n1,Acme roasts coffee.\n2,Globex too.\n", encoding="utf-8")
    pick_file(monkeypatch, path)
    seen = {}

    def choose(d):
        seen["first"] = d.focused()
        d.fmt.setCurrentIndex(d.fmt.findData("csv"))
        d.refresh()
        seen["error"], seen["then"] = d.summary.text(), d.focused()
        seen["columns"] = [d.text_column.itemText(i) for i in range(d.text_column.count())]
        d.text_column.setCurrentIndex(1)
        d.refresh()
        seen["ok"] = d.ok.isEnabled()
        d.accept()

    left = on_modals((ImportDialog, choose))
    window.acts["import"].trigger()
    assert not left and seen["first"] == "format" and seen["then"] == "text_column"
    assert "Choose the text column (Text column above)" in seen["error"] and "--" not in seen["error"]
    assert seen["columns"] == ["id", "words"] and seen["ok"]
    assert window.session.project.get_document(2).text == "Acme roasts coffee."


def test_messages_stay_in_the_messages_list(window, qtbot, tmp_path):
    window.message("First notice.")
    projects.import_path(window, str(tmp_path / "missing.jsonl"))
    window.message("Later notice.")
    entries = window.messages.entries
    assert [text for _, text, _ in entries] == [
        "First notice.", f"{tmp_path / 'missing.jsonl'}: no such file. Check the path and try again.", "Later notice."]
    assert [error for _, _, error in entries] == [False, True, False]
    assert all(len(when) == 8 and when[2] == ":" for when, _, _ in entries)  # HH:MM:SS
    assert window.messages.list.count() == 3 and window.messages.list.item(1).text().endswith("try again.")
    window.messages_dock.toggleViewAction().trigger()
    assert window.messages_dock.isVisible()
    window.messages.copy()
    assert QApplication.clipboard().text().count("\n") == 2


def test_opening_a_folder_that_is_not_a_project_says_what_to_do_in_the_window(window, qtbot, tmp_path):
    (tmp_path / "plain").mkdir()
    assert projects.open_path(window, str(tmp_path / "plain")) is None
    (dlg,) = window.error_dialogs
    assert dlg.windowTitle() == "The project could not be opened"
    assert dlg.message.text() == (f"{tmp_path / 'plain'}: not a nergui project (no nergui.sqlite). Pick the folder "
                                  "that holds nergui.sqlite, or create a project (File > New project).")
    assert dlg.action.text() == "Choose another folder\u2026"


def test_a_bad_patterns_file_opens_the_error_dialog(window, tmp_path):
    bad = tmp_path / "patterns.jsonl"
    bad.write_text('{"pattern": "Acme"}\n', encoding="utf-8")
    projects.load_patterns(window, str(bad))
    (dlg,) = window.error_dialogs
    assert dlg.windowTitle() == "The patterns were not loaded" and "patterns.jsonl:1" in dlg.message.text()
    assert dlg.action.text() == "Choose another file\u2026"


def test_a_refused_import_changes_nothing(window, tmp_path):
    before = [(r.text, r.state) for r in window.session.project.records()]
    projects.import_path(window, str(BAD_INPUTS / "latin1.jsonl"))
    assert [(r.text, r.state) for r in window.session.project.records()] == before == [("Already here.", "todo")]


def test_the_new_project_dialog_gives_the_windows_advice(qtbot):
    from nergui.gui.dialogs import NewProjectDialog

    dlg = NewProjectDialog(file=str(BAD_INPUTS / "utf16.txt"))
    qtbot.addWidget(dlg)
    assert dlg.detected.text() == (
        f"{BAD_INPUTS / 'utf16.txt'}:1: the file is not UTF-8 (byte 0xff at offset 0). It is UTF-16: choose UTF-16 "
        "(Encoding in the import dialog) and import again.")
