"""Moving through documents: state keys, undo of states, filters, search."""

from PySide6.QtCore import Qt

from nergui.core.records import Span

TEXTS = ["Acme sells widgets.", "Globex makes gadgets.", "Initech writes reports.", "Nothing to see here."]


def test_state_keys_move_on_and_undo(make_project, make_window, qtbot):
    w = make_window(make_project(TEXTS))
    p = w.session.project
    assert w.session.doc.id == 1
    qtbot.keyClick(w.view, Qt.Key_A)
    assert p.get_document(1).state == "accepted" and w.session.doc.id == 2
    qtbot.keyClick(w.view, Qt.Key_X)
    assert p.get_document(2).state == "rejected" and w.session.doc.id == 3
    qtbot.keyClick(w.view, Qt.Key_Space)
    assert p.get_document(3).state == "skipped" and w.session.doc.id == 4
    qtbot.keyClick(w.view, Qt.Key_PageUp)  # (Left moves the text's caret since issue 12)
    assert w.session.doc.id == 3
    qtbot.keyClick(w.view, Qt.Key_PageDown)
    assert w.session.doc.id == 4
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert p.get_document(3).state == "todo" and w.session.doc.id == 3
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert p.get_document(3).state == "skipped"
    assert "Document" in w.doc_pos.text()


def test_filter_by_state_label_and_search(make_project, make_window, qtbot):
    w = make_window(make_project(TEXTS, spans={1: [Span(0, 6, "ORG")]}))
    p = w.session.project
    p.set_state(3, "accepted")
    docs = w.docs
    docs.state.setCurrentIndex(docs.state.findData("accepted"))
    assert docs.model.ids == [3]
    docs.state.setCurrentIndex(0)
    docs.label.setCurrentIndex(docs.label.findData("ORG"))
    assert docs.model.ids == [2]
    assert w.session.doc.id == 2
    docs.label.setCurrentIndex(0)
    qtbot.keyClick(w.view, Qt.Key_F, Qt.ControlModifier)
    assert w.focusWidget() is docs.search
    qtbot.keyClicks(docs.search, "GADGET")
    qtbot.keyClick(docs.search, Qt.Key_Return)
    assert docs.model.ids == [2]
    assert p.get_document(2).state == "todo"  # typing in the search box did not trigger A/X/Space
    assert "1 of 4 shown" in docs.counts.text()


def test_list_model_is_lazy_and_uniform(make_project, make_window):
    w = make_window(make_project([f"Document number {i}." for i in range(300)]))
    assert w.docs.list.uniform_rows()
    assert len(w.docs.model._cache) < 300
    idx = w.docs.model.index(250)
    assert "Document number 250" in w.docs.model.data(idx)
