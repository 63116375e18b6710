"""The review mode's window (issue 13, part 3): real windows offscreen, real key events, a real
project file; candidates found by the worker thread from the project's patterns."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from nergui.bench.data import _BRANDS, generated_training
from nergui.core import decisions
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.errors import Msg

LABEL = "FASHION_BRAND"


def _project(tmp_path, *, labels=(LABEL,), docs=12):
    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", "blank:en")
    for name in labels:
        project.add_label(name)
    project.import_records([Record(r.text) for r in generated_training(docs, seed=9)], path="todo.jsonl")
    patterns = tmp_path / "patterns.jsonl"
    # the brands, and the people's first names: candidates to accept and to reject
    lines = [f'{{"label": "{LABEL}", "pattern": "{b}"}}' for b in _BRANDS]
    lines += [f'{{"label": "{LABEL}", "pattern": [{{"lower": "{n}"}}]}}' for n in ("maria", "john", "aiko", "peter")]
    patterns.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return project, patterns


def _window(qtbot, tmp_path, project, patterns):
    from nergui.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue("patterns", str(patterns))
    settings.setValue("teach/learn", False)  # the learner process is measured by bench teach
    w = MainWindow(project, settings=settings, predictions=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _key(qtbot, teach, key, modifier=Qt.NoModifier):
    before = teach.card.paints
    QTest.keyClick(teach, key, modifier)
    qtbot.waitUntil(lambda: teach.card.paints > before, timeout=5000)


def test_keys_decide_undo_and_the_annotator_lists_the_decisions(qtbot, tmp_path):
    project, patterns = _project(tmp_path)
    w = _window(qtbot, tmp_path, project, patterns)
    QTest.keyClick(w.view, Qt.Key_R, Qt.ControlModifier)  # View > Review suggestions
    teach = w.teach_window
    assert teach is not None and teach.labels == [LABEL]
    assert not teach.learn_box.isChecked() and teach.learning is None  # as remembered
    teach.activateWindow()
    qtbot.waitActive(teach)
    qtbot.waitUntil(lambda: teach.current is not None, timeout=20000)
    assert len(teach.ready) >= 3  # the next candidates are already in the window
    first = teach.current
    assert first.origin == "pattern" and first.text in first.before + first.text + first.after
    assert first.label in teach.question.text() and first.text in teach.card.text()
    doc = project.get_document(first.doc_id)
    assert doc.text[first.start:first.end] == first.text

    _key(qtbot, teach, Qt.Key_A)  # accept: a span of its document
    assert (first.start, first.end, LABEL) in {(s.start, s.end, s.label) for s in project.get_document(first.doc_id).spans}
    assert teach.current is not None and teach.current.key != first.key
    second = teach.current
    _key(qtbot, teach, Qt.Key_X)  # reject: a rejection
    assert (second.start, second.end, LABEL) in project.rejections(second.doc_id)
    third = teach.current
    _key(qtbot, teach, Qt.Key_Space)  # skip: remembered only
    assert [d.answer for d in decisions.decisions(project)] == ["accept", "reject", "ignore"]
    assert "3</b> decided here: 1 accepted, 1 rejected, 1 skipped" in teach.counter.text()
    assert teach.recent.item(0).text().startswith("Skipped")
    assert project.get_document(first.doc_id).state == "todo"  # binary decisions only: never accepted
    assert project.counts_by_state()["accepted"] == 0
    binary = decisions.counts(project)["documents"]
    assert binary == len({first.doc_id, second.doc_id})
    assert "0 accepted" in w.docs.counts.text() and f"{binary} with review decisions only" in w.docs.counts.text()

    _key(qtbot, teach, Qt.Key_Backspace)  # undo: the skipped one is asked again
    assert teach.current.key == third.key and len(decisions.decisions(project)) == 2
    _key(qtbot, teach, Qt.Key_Backspace)  # and the rejection: taken out of the store
    assert teach.current.key == second.key and (second.start, second.end, LABEL) not in project.rejections(second.doc_id)
    _key(qtbot, teach, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # redo: rejected again, the next shown
    assert (second.start, second.end, LABEL) in project.rejections(second.doc_id) and teach.current.key == third.key
    _key(qtbot, teach, Qt.Key_A)
    assert {d.answer for d in decisions.decisions(project)} == {"accept", "reject"}
    # nothing overlapping an accepted candidate is asked
    accepted = [(d.doc_id, d.start, d.end) for d in decisions.decisions(project) if d.answer == "accept"]
    for _ in range(4):
        cand = teach.current
        if cand is None:
            break
        assert not any(cand.doc_id == i and cand.overlaps(a, b) for i, a, b in accepted)
        _key(qtbot, teach, Qt.Key_X)

    # the annotator lists the document's decisions, and one can be taken back (Ctrl+Z puts it back)
    w.activateWindow()
    w.session.open_document(first.doc_id)
    panel = w.decisions_panel
    assert w.decisions_dock.isVisible()
    rows = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert rows[0].startswith(f"accepted: {LABEL} {first.text!r}")
    assert "until you accept the document whole, it trains on" in panel.summary.text()
    panel.list.setCurrentRow(0)
    assert panel.take_back_selected()
    assert (first.start, first.end) not in {(s.start, s.end) for s in w.session.doc.spans}
    assert first.key not in decisions.decided_keys(project)
    w.session.undo_stack.undo()
    assert (first.start, first.end) in {(s.start, s.end) for s in project.get_document(first.doc_id).spans}
    assert panel.list.count() == len(decisions.decisions(project, first.doc_id))
    teach.close()
    assert not teach.thread.isRunning()


def test_the_review_mode_says_why_it_cannot_open(qtbot, tmp_path):
    project, patterns = _project(tmp_path, labels=())
    w = _window(qtbot, tmp_path, project, patterns)
    w.open_teach()
    assert w.teach_window is None
    assert w.messages.texts()[-1] == Msg.TEACH_NO_LABELS
