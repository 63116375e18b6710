"""File > Import: the dialog shows the detected format, the columns of a column file and the
first documents before importing, and lets the user change them (issue 15)."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from nergui.gui.import_dialog import ImportDialog

from ..modals import on_modals

CORPUS = Path(__file__).resolve().parents[1] / "core" / "other_tools"


def test_column_file_detected_and_columns_changed(qtbot, tmp_path):
    dlg = ImportDialog(None, str(CORPUS / "germeval/germeval2014.tsv"))
    qtbot.addWidget(dlg)
    dlg.show()
    assert "CoNLL-style token and tag columns" in dlg.detected.text()
    assert dlg.fmt.currentData() == "conll"
    assert (dlg.token_col.value(), dlg.tag_col.value()) == (2, 3)
    assert dlg.token_col.isVisible() and not dlg.text_key.isVisible()
    assert "Read: 3 documents, 7 spans, 0 problems." in dlg.summary.text()
    assert "Tags read as BIO (IOB2)." in dlg.summary.text()
    assert "[Berliner Zeitung ORG]" in dlg.sample.toPlainText()
    dlg.tag_col.setValue(4)  # the nested column
    qtbot.waitUntil(lambda: "[Berliner LOCderiv]" in dlg.sample.toPlainText()
                    and "ORG]" not in dlg.sample.toPlainText())
    assert dlg.values() == {"fmt": None, "columns": (1, 3), "text_key": None, "partial": False, "encoding": None}
    dlg.tag_col.setValue(1)  # the index column: no tags there
    qtbot.waitUntil(lambda: "problems" in dlg.summary.text() and not dlg.ok.isEnabled())
    assert "is not an entity tag" in dlg.summary.text()


def test_format_chosen_by_hand(qtbot, tmp_path):
    """A CSV is not recognised: the dialog says so, and plain text can be chosen."""
    path = tmp_path / "notes.csv"
    path.write_text("first note\nsecond note\n", encoding="utf-8")
    dlg = ImportDialog(None, str(path))
    qtbot.addWidget(dlg)
    assert "could not be told" in dlg.detected.text() and "could not tell the format" in dlg.summary.text()
    assert not dlg.ok.isEnabled()
    dlg.fmt.setCurrentIndex(dlg.fmt.findData("text"))
    dlg.refresh()
    assert dlg.ok.isEnabled() and "Read: 2 documents" in dlg.summary.text()
    assert dlg.values()["fmt"] == "text"


def test_import_through_the_window(make_project, make_window, qtbot, monkeypatch):
    """Label Studio predictions become suggestions in the annotator, never spans; partial import."""
    w = make_window(make_project(["Already here."]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(CORPUS / "label_studio/predictions.json"), "")))
    seen = {}

    def confirm(d):
        seen["detected"] = d.detected.text()
        d.accept()

    left = on_modals((ImportDialog, confirm))
    w.acts["import"].trigger()
    assert left == [] and "Label Studio JSON export (2 tasks)" in seen["detected"]
    assert "imported 2 documents" in w.statusBar().currentMessage()
    assert "5 suggestions" in w.statusBar().currentMessage()
    p = w.session.project
    doc = p.get_document(2)
    assert doc.spans == [] and doc.state == "todo"
    w.docs.go_to_row(1)
    assert w.session.doc.id == 2
    shown = [(w.session.doc.text[s.start:s.end], s.label) for s in w.session.visible_suggestions()]
    assert shown == [("Intel", "ORG"), ("Dublin", "LOC"), ("Cork", "LOC")]
    w.session.accept_suggestion(w.session.visible_suggestions()[0])  # accepted as gold, like a prediction
    assert [(s.label, s.source) for s in p.get_document(2).spans] == [("ORG", "model")]
