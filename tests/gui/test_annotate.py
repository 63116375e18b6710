"""Marking spans through the real widgets: snapping, char mode, relabel, delete, undo/redo."""

from PySide6.QtCore import Qt

from nergui.core.records import Span

from .conftest import click, drag, spans_of

TEXT = "Acme Widgets hired Jane Doe in Berlin."


def test_drag_inside_words_snaps_to_whole_tokens(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT]))
    drag(w.view, 2, 9)  # "me Wid" -> "Acme Widgets"
    assert spans_of(w.session.project) == [(0, 12, "ORG")]
    doc = w.session.project.get_document(1)
    assert (doc.spans[0].token_start, doc.spans[0].token_end) == (0, 1)


def test_alt_drag_keeps_exact_characters(make_project, make_window):
    w = make_window(make_project([TEXT]))
    drag(w.view, 2, 9, Qt.AltModifier)
    assert spans_of(w.session.project) == [(2, 9, "ORG")]


def test_overlap_is_refused_in_the_status_bar(make_project, make_window):
    w = make_window(make_project([TEXT]))
    drag(w.view, 0, 12)
    drag(w.view, 5, 18)
    assert spans_of(w.session.project) == [(0, 12, "ORG")]
    assert "overlaps ORG" in w.statusBar().currentMessage()


def test_label_key_then_drag_uses_that_label(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT]))
    qtbot.keyClick(w.view, Qt.Key_2)
    drag(w.view, 19, 27)
    assert spans_of(w.session.project) == [(19, 27, "PRODUCT")]


def test_relabel_delete_and_undo_redo_each(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT]))
    p = w.session.project
    drag(w.view, 0, 12)
    assert spans_of(p) == [(0, 12, "ORG")]
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert spans_of(p) == []
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert spans_of(p) == [(0, 12, "ORG")]
    click(w.view, 3)  # select the span
    assert w.session.selected is not None
    qtbot.keyClick(w.view, Qt.Key_2)  # relabel
    assert spans_of(p) == [(0, 12, "PRODUCT")]
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert spans_of(p) == [(0, 12, "ORG")]
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert spans_of(p) == [(0, 12, "PRODUCT")]
    click(w.view, 3)
    qtbot.keyClick(w.view, Qt.Key_Delete)
    assert spans_of(p) == []
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert spans_of(p) == [(0, 12, "PRODUCT")]
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert spans_of(p) == []


def test_every_edit_is_in_the_store_for_another_connection(make_project, make_window):
    from nergui.core.store import Project

    w = make_window(make_project([TEXT]))
    drag(w.view, 31, 37)
    other = Project.open(w.session.project.path)
    try:
        assert [(s.start, s.end) for s in other.get_document(1).spans] == [(31, 37)]
    finally:
        other.close()


def test_non_bmp_and_crlf_offsets_are_exact(make_project, make_window):
    text = "Tea \U0001F375 from Acme\r\nand 🚀 Rocket Labs ships."
    w = make_window(make_project([text]))
    start = text.index("Acme")
    drag(w.view, start + 1, start + 3)
    rocket = text.index("Rocket")
    drag(w.view, rocket, rocket + len("Rocket Labs"))
    spans = spans_of(w.session.project)
    assert [text[a:b] for a, b, _ in spans] == ["Acme", "Rocket Labs"]
    assert spans[0][:2] == (start, start + 4)


def test_misaligned_span_fix_expand_and_undo(make_project, make_window):
    text = "Visit Acme Widgets today."
    w = make_window(make_project([text], spans={0: [Span(7, 12, "ORG")]}))  # "cme W"
    w.misaligned.refresh()
    assert w.misaligned.list.count() == 1
    w.misaligned.list.setCurrentRow(0)
    w.misaligned.expand.click()
    assert spans_of(w.session.project) == [(6, 18, "ORG")]
    w.session.undo_stack.undo()
    assert spans_of(w.session.project) == [(7, 12, "ORG")]
    w.misaligned.refresh()
    w.misaligned.list.setCurrentRow(0)
    w.misaligned.drop.click()
    assert spans_of(w.session.project) == []


def test_first_drag_snaps_before_the_tokens_were_prepared(make_project, make_window, qtbot):
    """The token index is built after the document is shown (not while the previewer runs),
    or at once by the first drag."""
    from nergui.gui import session as session_mod

    w = make_window(make_project(["Other text here.", TEXT]))
    w.session.open_document(2)
    assert w.session._tokens is session_mod._UNSET  # not tokenized while it is being shown
    drag(w.view, 2, 9)
    assert spans_of(w.session.project, 2) == [(0, 12, "ORG")]
    w.session.open_document(1)
    qtbot.waitUntil(lambda: w.session._tokens is not session_mod._UNSET, timeout=2000)  # prepared when idle
    assert w.session.tokens.token_span(0, 5) == (0, 0)


def _context_menu(w, cp):
    from PySide6.QtWidgets import QApplication

    click(w.view, cp, Qt.RightButton)
    menu = QApplication.activePopupWidget()
    assert menu is not None, "no context menu"
    return menu


def _choose(menu, text):
    from PySide6.QtTest import QTest

    act = next(a for a in menu.actions() if a.text() == text)
    menu.setActiveAction(act)
    QTest.keyClick(menu, Qt.Key_Return)


def test_span_context_menu_relabels_and_removes(make_project, make_window, qtbot):
    w = make_window(make_project([TEXT], labels=("ORG", "PRODUCT", "PERSON")))
    p = w.session.project
    drag(w.view, 0, 12)
    menu = _context_menu(w, 3)
    assert [a.text() for a in menu.actions()] == ["Relabel as PRODUCT", "Relabel as PERSON", "Remove span"]
    _choose(menu, "Relabel as PERSON")
    assert spans_of(p) == [(0, 12, "PERSON")]
    assert w.session.label == "ORG"  # the menu relabels that span only; new spans keep the current label
    drag(w.view, 19, 27)
    assert spans_of(p) == [(0, 12, "PERSON"), (19, 27, "ORG")]
    _choose(_context_menu(w, 21), "Remove span")
    assert spans_of(p) == [(0, 12, "PERSON")]
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert spans_of(p) == [(0, 12, "PERSON"), (19, 27, "ORG")]
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert spans_of(p) == [(0, 12, "ORG")]  # the relabel undone too


def test_misaligned_panel_contract_on_another_document_and_drop(make_project, make_window):
    text = "Visit Acme Widgets today."
    w = make_window(make_project(["Nothing misaligned here.", text],
                                 spans={1: [Span(6, 15, "ORG"), Span(19, 24, "ORG")]}))  # "Acme Widg", "today"
    p = w.session.project
    assert w.session.doc.id == 1
    w.misaligned.refresh()
    assert w.misaligned.list.count() == 1  # "today" is aligned
    assert "1 span(s)" in w.misaligned.summary.text()
    item = w.misaligned.list.item(0)
    assert item.text().startswith("#2:")
    w.misaligned.list.setCurrentRow(0)
    assert w.misaligned.expand.isEnabled() and w.misaligned.contract.isEnabled()
    w.misaligned.contract.click()  # opens document 2 and fixes the span there
    assert w.session.doc.id == 2
    assert spans_of(p, 2) == [(6, 10, "ORG"), (19, 24, "ORG")]
    assert "Span fixed" in w.statusBar().currentMessage()
    assert w.misaligned.list.count() == 0 and "All spans match" in w.misaligned.summary.text()
    doc = p.get_document(2)
    assert (doc.spans[0].token_start, doc.spans[0].token_end) == (1, 1)
    w.session.undo_stack.undo()
    assert spans_of(p, 2) == [(6, 15, "ORG"), (19, 24, "ORG")]
    w.docs.go_to_row(0)
    w.misaligned.refresh()
    w.misaligned.list.itemDoubleClicked.emit(w.misaligned.list.item(0))  # double-click: show its document
    assert w.session.doc.id == 2
    w.misaligned.list.setCurrentRow(0)
    w.misaligned.drop.click()
    assert spans_of(p, 2) == [(19, 24, "ORG")]


def test_captions_of_neighbouring_marks_do_not_cover_each_other(make_project, make_window):
    """A long label under a short word used to hide the next caption (seen in screenshots)."""
    from PySide6.QtCore import QPointF

    from nergui.gui.annotator import paint

    text = "We tried V60 and X at Harbor Lane Roasters."
    w = make_window(make_project([text], spans={0: [Span(9, 12, "WORK_OF_ART"), Span(17, 18, "PRODUCT")]},
                                 labels=("WORK_OF_ART", "PRODUCT")))
    font = paint.caption_font(w.view.font())
    doc = w.view.document()
    caps = [paint.Caption(paint.caption_box(paint.range_rects(doc, a, b, QPointF())[0], t, font), t, None, filled)
            for a, b, t, filled in ((9, 12, "WORK_OF_ART", True), (17, 18, "PRODUCT", True), (22, 42, "FAC?", False))]
    assert caps[0].box.intersects(caps[1].box)  # as laid out under their words
    paint.place_captions(caps)
    assert not any(caps[i].box.intersects(caps[j].box) for i in range(3) for j in range(i + 1, 3))
    assert caps[0].box.left() == paint.range_rects(doc, 9, 12, QPointF())[0].left()  # the first stays put


def test_a_caption_at_the_end_of_a_line_is_not_cut_off():
    from PySide6.QtCore import QRectF

    from nergui.gui.annotator import paint

    caps = [paint.Caption(QRectF(x, 30, w, 12), t, None, False)
            for x, w, t in ((170, 106, "FASHION_BRAND?"), (370, 106, "FASHION_BRAND?"), (40, 30, "GPE?"))]
    caps[2].box.moveTop(60)  # another line: untouched
    paint.place_captions(caps, right_edge=436)
    assert caps[1].box.right() <= 436 and caps[1].box.left() == 330
    assert caps[0].box.right() + 3 <= caps[1].box.left() and caps[0].box.left() == 170
    assert caps[2].box.left() == 40
    # a line too crowded to fit keeps its order and never goes past the left edge
    crowded = [paint.Caption(QRectF(x, 30, 200, 12), "X", None, False) for x in (10, 300)]
    paint.place_captions(crowded, right_edge=300)
    assert crowded[0].box.left() == 0 and crowded[1].box.right() <= 300
