"""A label set the user controls (issue 12): accepting a suggestion of a type the project lacks
asks first; the label manager (Edit > Labels) adds, renames, recolours, re-keys, merges and
deletes labels, each one undo step (Ctrl+Z restores the store exactly); a new project from a
file proposes the file's labels with their counts. Real project, real widgets, real dialogs."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QColorDialog, QInputDialog, QMessageBox

from nergui.core.records import Span
from nergui.gui.controls import controls
from nergui.gui.dialogs import NewProjectDialog
from nergui.gui.label_manager import DeleteDialog, LabelManager, LabelNameDialog

from ..core.test_label_edits import snapshot
from ..modals import on_modals
from .conftest import click, drag, spans_of

TEXT = "Visit Acme Widgets in Berlin, then Globex."
CTRL, SHIFT = Qt.ControlModifier, Qt.ShiftModifier


def _suggest(w, *spans):
    w.session.set_suggestions([Span(a, b, label, "model") for a, b, label in spans])


def _answer(qtbot, key, seen):
    """Answer the next question box with ``key``, noting its text."""
    return on_modals((QMessageBox, lambda box: (seen.append((box.text(), box.informativeText())),
                                                qtbot.keyClick(box, key))))


# ---- accepting a suggestion of a type the project lacks ------------------------------------------------
def test_yes_adds_the_label_with_the_span_as_one_undo_step_and_is_not_asked_again(make_project, make_window,
                                                                                  qtbot):
    w = make_window(make_project([TEXT]))
    s, p = w.session, w.session.project
    _suggest(w, (22, 28, "GPE"), (35, 41, "GPE"))
    seen = []
    left = _answer(qtbot, Qt.Key_Y, seen)
    click(w.view, 23)
    assert not left and seen[0][0] == "Add GPE to this project's labels?"
    assert "Ctrl+Z" in seen[0][1]
    assert spans_of(p) == [(22, 28, "GPE")] and p.label_names() == ["ORG", "PRODUCT", "GPE"]
    assert p.labels()[-1] == {"name": "GPE", "colour": "#feca74", "shortcut": "3"}
    assert "GPE" in w.label_bar.buttons
    assert s.undo_stack.count() == 1
    qtbot.keyClick(w.view, Qt.Key_Z, CTRL)  # removes both
    assert spans_of(p) == [] and p.label_names() == ["ORG", "PRODUCT"] and "GPE" not in w.label_bar.buttons
    click(w.view, 36)  # the answer is remembered this session: no second question
    assert len(seen) == 1 and spans_of(p) == [(35, 41, "GPE")] and p.label_names() == ["ORG", "PRODUCT", "GPE"]


def test_no_changes_nothing_and_accept_as_still_works_without_a_question(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT]))
    s, p = w.session, w.session.project
    _suggest(w, (6, 18, "ORG"), (22, 28, "GPE"), (35, 41, "GPE"))
    before = snapshot(p)
    seen = []
    left = _answer(qtbot, Qt.Key_N, seen)
    click(w.view, 23)
    assert not left and len(seen) == 1
    assert snapshot(p) == before and s.undo_stack.count() == 0 and "GPE" not in w.label_bar.buttons
    assert "not one of this project's labels" in w.statusBar().currentMessage()
    s.ask_labels = lambda *a, **k: seen.append(a) or True  # any further question would be noted here
    click(w.view, 36)  # No is remembered: refused again, without asking
    assert snapshot(p) == before and len(seen) == 1
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key_Tab)  # the ORG suggestion (a project label): accepted as is
    qtbot.keyClick(w.view, Qt.Key_Return)
    assert w.view.keys.focused()[:3] == (22, 28, "GPE")
    qtbot.keyClick(w.view, Qt.Key_2)  # accept-as with a project label's key: no question
    assert spans_of(p) == [(6, 18, "ORG"), (22, 28, "PRODUCT")] and len(seen) == 1
    assert p.label_names() == ["ORG", "PRODUCT"]


def test_accept_as_from_the_context_menu(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT]))
    p = w.session.project
    w.session.ask_labels = lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked"))
    _suggest(w, (22, 28, "GPE"))
    click(w.view, 23, Qt.RightButton)
    menu = QApplication.activePopupWidget()
    as_menu = next(a.menu() for a in menu.actions() if a.text() == "Accept as")
    assert [a.text() for a in as_menu.actions()] == ["ORG", "PRODUCT"]
    next(a for a in as_menu.actions() if a.text() == "PRODUCT").trigger()
    menu.close()
    assert spans_of(p) == [(22, 28, "PRODUCT")] and p.label_names() == ["ORG", "PRODUCT"]


def test_accept_all_asks_once_listing_the_labels(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT, "Another text."]))
    s, p = w.session, w.session.project
    _suggest(w, (6, 18, "ORG"), (22, 28, "GPE"), (35, 41, "NORP"))
    before = snapshot(p)
    seen = []
    left = _answer(qtbot, Qt.Key_Escape, seen)  # Cancel: nothing
    qtbot.keyClick(w.view, Qt.Key_Return, SHIFT)
    assert not left and snapshot(p) == before
    assert seen[0][0] == "Add GPE, NORP to this project's labels?" and "all 3 suggestions" in seen[0][1]
    assert "only those of your own labels are accepted (1 of 3)" in seen[0][1]
    left = _answer(qtbot, Qt.Key_Y, seen)  # asked again (Cancel is no answer); Yes: all, one undo step
    qtbot.keyClick(w.view, Qt.Key_Return, SHIFT)
    assert not left and len(seen) == 2
    assert spans_of(p) == [(6, 18, "ORG"), (22, 28, "GPE"), (35, 41, "NORP")]
    assert p.label_names() == ["ORG", "PRODUCT", "GPE", "NORP"] and s.undo_stack.count() == 1
    qtbot.keyClick(w.view, Qt.Key_Z, CTRL)
    assert snapshot(p) == before and list(w.label_bar.buttons) == ["ORG", "PRODUCT"]


def test_accept_all_answered_no_takes_only_the_projects_labels(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT]))
    p = w.session.project
    _suggest(w, (6, 18, "ORG"), (22, 28, "GPE"), (35, 41, "NORP"))
    seen = []
    left = _answer(qtbot, Qt.Key_N, seen)
    qtbot.keyClick(w.view, Qt.Key_Return, SHIFT)
    assert not left and len(seen) == 1
    assert spans_of(p) == [(6, 18, "ORG")] and p.label_names() == ["ORG", "PRODUCT"]
    assert "GPE, NORP" in w.statusBar().currentMessage()


# ---- the label manager ------------------------------------------------------------------------------------
def _manager(w, qtbot):
    dlg = LabelManager(w.session, w)
    qtbot.addWidget(dlg)
    dlg.show()
    QTest.qWaitForWindowExposed(dlg)
    return dlg


def _table(dlg):
    return [tuple(dlg.table.item(r, c).text() for c in (1, 2, 3)) for r in range(dlg.table.rowCount())]


def _name(text):
    """Type ``text`` into the label name dialog and press OK."""
    def fill(d: LabelNameDialog):
        d.field.clear()
        QTest.keyClicks(d.field, text)
        QTest.mouseClick(d.ok, Qt.LeftButton)
    return (LabelNameDialog, fill)


def _undo_redo(w, qtbot, before, after):
    """Ctrl+Z in the window restores ``before`` exactly; Ctrl+Shift+Z ``after``."""
    qtbot.keyClick(w.view, Qt.Key_Z, CTRL)
    assert snapshot(w.session.project) == before
    qtbot.keyClick(w.view, Qt.Key_Z, CTRL | SHIFT)
    assert snapshot(w.session.project) == after


def test_the_label_manager_each_change_one_undo_step(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT, "Globex in Paris."], spans={
        0: [Span(6, 18, "ORG"), Span(22, 28, "PRODUCT")], 1: [Span(0, 6, "ORG")]}))
    p = w.session.project
    dlg = _manager(w, qtbot)
    assert _table(dlg) == [("ORG", "1", "2"), ("PRODUCT", "2", "1")]

    # add: a name field, checked as typed
    before = snapshot(p)
    seen = {}

    def add(d):
        QTest.keyClicks(d.field, "ORG")
        seen["taken"] = (d.problem.text(), d.ok.isEnabled())
        d.field.setText("fashion brand")
        seen["spaces"] = d.problem.text()
        d.field.setText("Brand")
        seen["hint"] = d.hint.text()
        QTest.mouseClick(d.upper, Qt.LeftButton)
        QTest.mouseClick(d.ok, Qt.LeftButton)

    left = on_modals((LabelNameDialog, add))
    QTest.mouseClick(dlg.buttons["add"], Qt.LeftButton)
    assert not left
    assert seen["taken"] == ("There is already a label ORG. Pick another name, or merge the two (Merge into\u2026).",
                             False)
    assert "fashion_brand" in seen["spaces"] and "upper case" in seen["hint"]
    assert _table(dlg)[-1] == ("BRAND", "3", "0") and "BRAND" in w.label_bar.buttons
    _undo_redo(w, qtbot, before, snapshot(p))
    assert _table(dlg)[-1] == ("BRAND", "3", "0")

    # rename: the spans follow, and so does the label for new spans
    w.session.choose_label("ORG")
    dlg.select("ORG")
    before = snapshot(p)
    left = on_modals(_name("COMPANY"))
    QTest.mouseClick(dlg.buttons["rename"], Qt.LeftButton)
    assert not left
    assert _table(dlg)[0] == ("COMPANY", "1", "2") and spans_of(p, 2) == [(0, 6, "COMPANY")]
    assert w.session.label == "COMPANY" and w.label_bar.buttons["COMPANY"].isChecked()
    assert [(s.start, s.end, s.label) for s in w.session.doc.spans] == [(6, 18, "COMPANY"), (22, 28, "PRODUCT")]
    after = snapshot(p)
    qtbot.keyClick(w.view, Qt.Key_Z, CTRL)
    assert snapshot(p) == before and _table(dlg)[0] == ("ORG", "1", "2") and w.session.label == "ORG"
    assert [s.label for s in w.session.doc.spans] == ["ORG", "PRODUCT"]  # the shown document read back
    qtbot.keyClick(w.view, Qt.Key_Z, CTRL | SHIFT)
    assert snapshot(p) == after

    # colour: the real colour dialog
    before = snapshot(p)
    left = on_modals((QColorDialog, lambda d: (d.setCurrentColor(QColor("#123456")), d.accept())))
    QTest.mouseClick(dlg.buttons["colour"], Qt.LeftButton)
    assert not left
    swatch = dlg.table.item(0, 0)
    assert p.labels()[0]["colour"] == "#123456" and swatch.text() == "#123456"
    assert swatch.icon().pixmap(28, 16).toImage().pixelColor(10, 8) == QColor("#123456")
    assert w.view.colours["COMPANY"] == QColor("#123456")
    _undo_redo(w, qtbot, before, snapshot(p))

    # key: BRAND takes 1, COMPANY gets BRAND's 3; the label keys follow
    dlg.select("BRAND")
    before = snapshot(p)
    left = on_modals((QInputDialog, lambda d: (d.setTextValue(next(
        i for i in d.comboBoxItems() if i.startswith("1"))), d.accept())))
    QTest.mouseClick(dlg.buttons["key"], Qt.LeftButton)
    assert not left
    assert [(n, k) for n, k, _ in _table(dlg)] == [("COMPANY", "3"), ("PRODUCT", "2"), ("BRAND", "1")]
    assert {a.text(): a.shortcut().toString() for a in w.label_menu.actions()} == {
        "COMPANY": "3", "PRODUCT": "2", "BRAND": "1"}
    _undo_redo(w, qtbot, before, snapshot(p))

    # merge PRODUCT into COMPANY, the count shown first
    dlg.select("PRODUCT")
    before = snapshot(p)
    asked = []
    left = on_modals((QInputDialog, lambda d: (d.setTextValue("COMPANY"), d.accept())),
                     (QMessageBox, lambda box: (asked.append(box.text()), qtbot.keyClick(box, Qt.Key_Y))))
    QTest.mouseClick(dlg.buttons["merge"], Qt.LeftButton)
    assert not left
    assert asked[0].startswith("Merge PRODUCT into COMPANY? Its 1 span(s) become COMPANY")
    assert [n for n, _, _ in _table(dlg)] == ["COMPANY", "BRAND"] and spans_of(p) == [
        (6, 18, "COMPANY"), (22, 28, "COMPANY")]
    assert "merged into COMPANY" in dlg.status.text()
    _undo_redo(w, qtbot, before, snapshot(p))

    # delete, its spans removed, with the count shown first
    dlg.select("COMPANY")
    before = snapshot(p)
    shown = []

    def delete(d: DeleteDialog):
        shown.append(d.findChildren(type(dlg.status))[0].text())
        QTest.mouseClick(d.ok, Qt.LeftButton)

    left = on_modals((DeleteDialog, delete))
    QTest.mouseClick(dlg.buttons["delete"], Qt.LeftButton)
    assert not left
    assert shown == ["COMPANY has 3 span(s) in 2 document(s)."]
    assert p.label_names() == ["BRAND"] and spans_of(p) == [] and spans_of(p, 2) == []
    assert w.session.label == "BRAND" and list(w.label_bar.buttons) == ["BRAND"]
    _undo_redo(w, qtbot, before, snapshot(p))

    # the dialog's own Undo takes the same steps
    QTest.mouseClick(dlg.undo, Qt.LeftButton)
    assert snapshot(p) == before and [n for n, _, _ in _table(dlg)] == ["COMPANY", "BRAND"]
    dlg.close()


def test_delete_can_move_the_spans_to_another_label(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT], spans={0: [Span(6, 18, "ORG"), Span(22, 28, "PRODUCT")]}))
    p = w.session.project
    dlg = _manager(w, qtbot)
    dlg.select("PRODUCT")
    before = snapshot(p)

    def move(d: DeleteDialog):
        QTest.mouseClick(d.move, Qt.LeftButton)
        d.target.setCurrentText("ORG")
        QTest.mouseClick(d.ok, Qt.LeftButton)

    left = on_modals((DeleteDialog, move))
    QTest.mouseClick(dlg.buttons["delete"], Qt.LeftButton)
    assert not left
    assert spans_of(p) == [(6, 18, "ORG"), (22, 28, "ORG")] and p.label_names() == ["ORG"]
    assert dlg.status.text() == "Label PRODUCT deleted; 1 span(s) moved to ORG."
    _undo_redo(w, qtbot, before, snapshot(p))


def test_edit_labels_opens_the_manager(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT]))
    seen = []
    left = on_modals((LabelManager, lambda d: (seen.append(_table(d)), d.reject())))
    w.acts["labels"].trigger()
    assert not left and seen == [[("ORG", "1", "0"), ("PRODUCT", "2", "0")]]
    assert w.acts["labels"].shortcut().toString() == "Ctrl+L"
    qtbot.wait(20)  # the closed manager is deleted: the undo stack's next step reaches no button of it
    drag(w.view, 6, 10)
    assert spans_of(w.session.project) == [(6, 10, "ORG")] and w.acts["undo"].text() == "&Undo Mark 'Acme' as ORG"


def _unnamed(root):
    return [f"{type(c).__name__}: {getattr(c, 'text', lambda: '')()}" for c in controls(root)
            if not c.accessibleName().strip()]


def test_every_control_of_the_label_dialogs_has_an_accessible_name(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT], spans={0: [Span(6, 18, "ORG")]}))
    dlg = _manager(w, qtbot)
    assert len(controls(dlg)) >= 10 and _unnamed(dlg) == []
    for d in (LabelNameDialog(w, title="t", prompt="p", taken=["ORG"], initial="x"),
              DeleteDialog(w, "ORG", 1, 1, ["PRODUCT"]), NewProjectDialog(w)):
        qtbot.addWidget(d)
        assert _unnamed(d) == [], type(d).__name__


# ---- a new project from a file ------------------------------------------------------------------------------
def test_a_new_project_proposes_the_files_labels_with_their_counts(make_project, make_window, qtbot, tmp_path):
    from nergui.gui import projects

    data = tmp_path / "fashion.jsonl"
    rows = [{"text": "Zara opened in Paris.", "spans": [{"start": 0, "end": 4, "label": "FASHION_BRAND"},
                                                         {"start": 15, "end": 20, "label": "GPE"}]},
            {"text": "Jane Doe wears Gucci.", "spans": [{"start": 0, "end": 8, "label": "PERSON"},
                                                        {"start": 15, "end": 20, "label": "FASHION_BRAND"}]},
            {"text": "Prada and Zara.", "spans": [{"start": 0, "end": 5, "label": "FASHION_BRAND"},
                                                  {"start": 10, "end": 14, "label": "FASHION_BRAND"}]}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    w = make_window(make_project(["Old project."]))
    seen = {}

    def fill(d: NewProjectDialog):
        QTest.qWaitForWindowExposed(d)
        d.folder.setText(str(tmp_path / "fashion"))
        d.file.setText(str(data))
        seen["rows"] = [(d.labels.item(r, 0).text(), d.labels.item(r, 0).checkState() == Qt.Checked,
                         d.labels.item(r, 2).text(), d.labels.item(r, 3).text()) for r in range(d.labels.rowCount())]
        seen["found"] = d.found.text()
        d.labels.item(1, 0).setCheckState(Qt.Unchecked)  # GPE and PERSON are not this project's types
        d.labels.item(2, 0).setCheckState(Qt.Unchecked)
        on_modals(_name("MATERIAL"))
        QTest.mouseClick(d.add_button, Qt.LeftButton)  # a name field, not "LABEL1"
        seen["added"] = [d.labels.item(r, 0).text() for r in range(d.labels.rowCount())]
        QTest.mouseClick(d.ok, Qt.LeftButton)

    left = on_modals((NewProjectDialog, fill))
    w.acts["new"].trigger()
    assert not left
    assert seen["rows"] == [("FASHION_BRAND", True, "1", "4"), ("GPE", True, "2", "1"), ("PERSON", True, "3", "1")]
    assert seen["found"].startswith("3 label(s) in the file: 6 spans in 3 documents.")
    assert seen["added"] == ["FASHION_BRAND", "GPE", "PERSON", "MATERIAL"]
    new = projects._windows[-1]
    qtbot.addWidget(new)
    p = new.session.project
    assert p.labels() == [{"name": "FASHION_BRAND", "colour": "#f4a3c0", "shortcut": "1"},
                          {"name": "MATERIAL", "colour": "#b3e6a1", "shortcut": "4"}]  # the palette's, by row
    assert p.counts_by_label(state=None) == {"FASHION_BRAND": 4}
    assert "2 span(s) of the labels you unticked (GPE, PERSON) were left out." in new.statusBar().currentMessage()
    new.close()


def test_a_label_renamed_in_the_new_project_dialog_takes_the_files_spans(qtbot, tmp_path):
    from nergui.gui import projects

    data = tmp_path / "b.jsonl"
    data.write_text(json.dumps({"text": "Zara opened.", "spans": [{"start": 0, "end": 4, "label": "BRAND"}]}) + "\n",
                    encoding="utf-8")
    dlg = NewProjectDialog(file=str(data))
    qtbot.addWidget(dlg)
    dlg.folder.setText(str(tmp_path / "new"))
    assert dlg.labels.item(0, 0).text() == "BRAND" and dlg.labels.item(0, 3).text() == "1"
    dlg.labels.item(0, 0).setText("FASHION_BRAND")
    project, message = projects.create_project(dlg.values())
    try:
        assert project.label_names() == ["FASHION_BRAND"]
        assert [(s.start, s.end, s.label) for s in project.get_document(1).spans] == [(0, 4, "FASHION_BRAND")]
    finally:
        project.close()
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"text": "Acme.", "spans": [{"start": 0, "end": 4, "label": "ORG"}]}) + "\n",
                     encoding="utf-8")
    dlg.file.setText(str(other))  # another file: its labels replace the first one's, the renamed row stays
    assert [dlg.labels.item(r, 0).text() for r in range(dlg.labels.rowCount())] == ["FASHION_BRAND", "ORG"]
