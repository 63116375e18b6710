"""The widgets follow the session's signals: a new label (from an import, an accepted
prediction of a type only the model knows, a patterns file) reaches the label bar, the label
keys, the colours and the list's label filter, and new documents reach the list, without
anyone refreshing a widget by hand."""

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox

from nergui.core.records import Span

from ..modals import on_modals
from .conftest import click, drag, spans_of

TEXT = "Acme Widgets hired Jane Doe in Berlin."


def _everywhere(w, label):
    """Where a label shows in the window: a button, a key in the Label menu, the list's
    filter, and its colour (the project's) for painting."""
    colour = next(lab["colour"] for lab in w.session.project.labels() if lab["name"] == label)
    return {
        "button": label in w.label_bar.buttons,
        "action": label in [a.text() for a in w.label_menu.actions()],
        "filter": w.docs.label.findData(label) >= 0,
        "colour": w.view.colours.get(label) == QColor(colour),
    }


def _count(signal):
    seen = []
    signal.connect(lambda *a: seen.append(a))
    return seen


def test_an_import_with_a_new_label_reaches_every_widget(make_project, make_window, qtbot, tmp_path):
    from nergui.gui import projects

    w = make_window(make_project([TEXT]))
    labels, documents = _count(w.session.sig_labels), _count(w.session.sig_documents)
    data = tmp_path / "more.jsonl"
    data.write_text(json.dumps({"text": "Globex sells gadgets.", "spans": [{"start": 0, "end": 6, "label": "BRAND"}]})
                    + "\n", encoding="utf-8")
    projects.import_path(w, str(data))
    assert (len(labels), len(documents)) == (1, 1)
    assert len(w.docs.model.ids) == 2 and "2 of 2 shown" in w.docs.counts.text()
    assert "Document 1 of 2" in w.doc_pos.text()
    w.docs.go_to_row(1)
    assert spans_of(w.session.project, 2) == [(0, 6, "BRAND")]
    assert _everywhere(w, "BRAND") == {"button": True, "action": True, "filter": True, "colour": True}
    qtbot.keyClick(w.view, Qt.Key_3)  # the new label's key
    assert w.session.label == "BRAND" and w.label_bar.buttons["BRAND"].isChecked()


def test_accepting_a_type_only_the_model_knows_adds_its_label_everywhere(make_project, make_window, qtbot):
    """Asked first (issue 12): answered Yes, the label and the span come as one undo step."""
    w = make_window(make_project([TEXT]))
    s, p = w.session, w.session.project
    labels = _count(s.sig_labels)
    reads = []
    real = p.labels
    p.labels = lambda: reads.append(1) or real()
    drag(w.view, 31, 37)  # an edit with a known label reads no labels and announces none
    assert spans_of(p) == [(31, 37, "ORG")] and reads == [] and labels == []
    s.set_suggestions([Span(0, 12, "BRAND", "model")])
    asked = []
    on_modals((QMessageBox, lambda box: (asked.append(box.text()), qtbot.keyClick(box, Qt.Key_Y))))
    click(w.view, 3)  # accepts the suggestion
    assert asked == ["Add BRAND to this project's labels?"]
    assert spans_of(p) == [(0, 12, "BRAND"), (31, 37, "ORG")]
    assert len(labels) == 1
    assert _everywhere(w, "BRAND") == {"button": True, "action": True, "filter": True, "colour": True}
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)  # the span and the label go together
    assert spans_of(p) == [(31, 37, "ORG")] and p.label_names() == ["ORG", "PRODUCT"]
    assert len(labels) == 2 and "BRAND" not in w.label_bar.buttons
    assert "BRAND" not in [a.text() for a in w.label_menu.actions()] and w.docs.label.findData("BRAND") < 0
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert spans_of(p) == [(0, 12, "BRAND"), (31, 37, "ORG")]
    assert len(labels) == 3
    assert _everywhere(w, "BRAND") == {"button": True, "action": True, "filter": True, "colour": True}
    assert asked == ["Add BRAND to this project's labels?"]  # undo and redo ask nothing


def test_a_patterns_file_adds_its_labels_to_the_bar(make_project, make_window, tmp_path):
    from nergui.gui.projects import load_patterns

    w = make_window(make_project([TEXT]))
    patterns = tmp_path / "p.jsonl"
    patterns.write_text('{"label":"BRAND","pattern":"Acme"}\n{"label":"CITY","pattern":"Berlin"}\n', encoding="utf-8")
    load_patterns(w, str(patterns))
    assert w.session.project.label_names() == ["ORG", "PRODUCT", "BRAND", "CITY"]
    assert list(w.label_bar.buttons) == ["ORG", "PRODUCT", "BRAND", "CITY"]
    assert [a.text() for a in w.label_menu.actions()] == ["ORG", "PRODUCT", "BRAND", "CITY"]
    assert "2 patterns loaded" in w.statusBar().currentMessage()


def test_the_first_label_of_a_project_without_labels_becomes_the_current_one(make_project, make_window, tmp_path):
    from nergui.gui import projects

    w = make_window(make_project([TEXT], labels=()))
    assert w.session.label is None and w.label_bar.buttons == {}
    data = tmp_path / "more.jsonl"
    data.write_text(json.dumps({"text": "Globex sells gadgets.", "spans": [{"start": 0, "end": 6, "label": "BRAND"}]})
                    + "\n", encoding="utf-8")
    projects.import_path(w, str(data))
    assert w.session.label == "BRAND" and w.label_bar.buttons["BRAND"].isChecked()
    drag(w.view, 0, 4)  # a span can be marked at once
    assert spans_of(w.session.project) == [(0, 4, "BRAND")]
