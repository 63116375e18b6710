"""A team's agreement and review dialogs in the window (gui/team_review.py): File > Agreement
between annotators shows each pair's figures; File > Review disagreements shows the
versions side by side and makes the chosen one final."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from nergui.core import review
from nergui.core.records import Span
from nergui.core.store import Filter, Project
from nergui.core.versions import FINAL, PER_TASK
from nergui.errors import Msg, in_window

from .conftest import drag, spans_of

TEXTS = ["Acme Widgets hired Jane Doe in Berlin", "Jane met Bob in Paris"]
VERSIONS = {
    "ana": {1: [(0, 12, "ORG"), (19, 27, "PERSON"), (31, 37, "GPE")], 2: [(0, 4, "PERSON"), (16, 21, "GPE")]},
    "ben": {1: [(0, 4, "ORG"), (19, 27, "PERSON"), (31, 37, "LOC")], 2: [(0, 4, "PERSON"), (16, 21, "GPE")]},
}


def _team(make_project):
    project = make_project(TEXTS, labels=("ORG", "PERSON", "GPE", "LOC"))
    project.set_setting(PER_TASK, "2")
    for name, docs in VERSIONS.items():
        project.annotator = name
        for doc_id, spans in docs.items():
            project.add_spans(doc_id, [Span(a, b, lab) for a, b, lab in spans])
            project.set_state(doc_id, "accepted")
    project.annotator = "rev"
    return project


def test_agreement_and_review_dialogs(make_project, make_window, qtbot, tmp_path):
    w = make_window(_team(make_project))
    w.acts["agreement"].trigger()
    dialog = w.agreement_dialog
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=20000)  # worked out in a thread
    table = dialog.table
    cells = {(table.item(i, 0).text(), table.item(i, 1).text()): [table.item(i, j).text() for j in range(2, 8)]
             for i in range(table.rowCount())}
    # ORG: ana "Acme Widgets", ben "Acme" on doc 1; 12 tokens; kappa 20/32 (worked out in tests/core/test_agreement.py)
    assert cells[("ana / ben", "ORG")] == ["2", "1 / 1", "12", "0.000", "1.000", "0.625"]
    assert "Tokens: the tokenizer of the project's base pipeline (blank:en)" in dialog.note.text()
    assert dialog.grab().save(str(tmp_path / "agreement.png"))
    dialog.close()

    w.acts["review"].trigger()
    rd = w.review_dialog
    qtbot.waitExposed(rd)
    assert rd.docs.count() == 1 and rd.docs.item(0).text().startswith("1: Acme Widgets")
    assert sorted(rd.pick_buttons) == ["ana", "ben"] and rd.accept_agreed_button.isEnabled()
    assert rd.version_views["ana"].toPlainText() == "Acme WidgetsORG hired Jane DoePERSON in BerlinGPE"
    assert rd.version_views["ben"].toPlainText() == "AcmeORG Widgets hired Jane DoePERSON in BerlinLOC"
    listed = {rd.final_spans.item(i).data(Qt.UserRole): rd.final_spans.item(i)
              for i in range(rd.final_spans.count())}
    assert {k: v.checkState() == Qt.Checked for k, v in listed.items()} == {
        (0, 4, "ORG"): False, (0, 12, "ORG"): False, (19, 27, "PERSON"): True,  # checked: every version has it
        (31, 37, "GPE"): False, (31, 37, "LOC"): False}
    assert listed[(0, 12, "ORG")].text() == "\u201cAcme Widgets\u201d  ORG  \u2014 ana"
    assert rd.grab().save(str(tmp_path / "review.png"))
    for key in ((0, 4, "ORG"), (0, 12, "ORG")):  # overlapping: refused, nothing final
        listed[key].setCheckState(Qt.Checked)
    rd.make_final.click()
    assert review.reviews(w.session.project) == {} and len(w.error_dialogs) == 1
    assert "overlaps" in w.error_dialogs[0].message.text()
    w.error_dialogs[0].close()
    listed[(0, 4, "ORG")].setCheckState(Qt.Unchecked)
    listed[(31, 37, "LOC")].setCheckState(Qt.Checked)
    rd.make_final.click()  # Acme Widgets ORG, Jane Doe PERSON, Berlin LOC
    assert review.reviews(w.session.project) == {1: (FINAL, "edited", "rev")}
    assert w.statusBar().currentMessage() == Msg.REVIEW_EDITED.format(doc_id=1, n=3, s="s")
    final = {r.line: r.spans for r in w.session.project.records(Filter(state="accepted"))}
    assert [(s.start, s.end, s.label) for s in final[1]] == [(0, 12, "ORG"), (19, 27, "PERSON"), (31, 37, "LOC")]
    assert rd.docs.count() == 0
    review.unpick(w.session.project, 1)  # taken back, to pick ben's instead
    rd.refresh()
    rd.pick_buttons["ben"].click()  # ben's version is final
    assert review.reviews(w.session.project) == {1: ("ben", "picked", "rev")}
    assert "ben's version is now the final one" in w.statusBar().currentMessage()
    assert rd.docs.count() == 0 and rd.accept_agreed_button.text().startswith("Accept the 1 document")
    rd.accept_agreed_button.click()  # doc 2: both finished alike
    records = {r.line: [(s.start, s.end, s.label) for s in r.spans]
               for r in w.session.project.records(Filter(state="accepted"))}
    assert records == {1: VERSIONS["ben"][1], 2: VERSIONS["ana"][2]}
    assert not rd.accept_agreed_button.isEnabled()
    rd.close()
    QApplication.processEvents()


def test_the_window_shows_and_edits_its_annotators_version(make_project, make_window, qtbot):
    """In a team's project the window's annotator sees and changes their own version only:
    ben's spans are not shown to ana, her accept is hers (the list and its counts say so),
    and the document's own state waits for review."""
    project = make_project(TEXTS, labels=("ORG", "PERSON"))
    project.set_setting(PER_TASK, "2")
    project.annotator = "ben"
    project.add_span(1, Span(0, 4, "PERSON"))
    project.annotator = "ana"
    w = make_window(project)
    assert w.session.doc.id == 1 and spans_of(w.session.project) == []  # ben's span is not hers
    drag(w.view, 0, 4)  # marks with the first label, ORG: no overlap with ben's PERSON
    w.set_state("accepted")
    with Project.open(project.location) as other:
        other.annotator = "ben"
        assert spans_of(other) == [(0, 4, "PERSON")] and other.get_document(1).state == "todo"
        other.annotator = "ana"
        assert spans_of(other) == [(0, 4, "ORG")] and other.get_document(1).state == "accepted"
        assert other.counts_by_state()["accepted"] == 0  # the document's own: not reviewed yet
    assert w.docs.model.data(w.docs.model.index(0, 0), Qt.ToolTipRole).startswith("#1 (accepted)")  # the list: hers
    assert "1 accepted" in w.docs.counts.text()


def test_a_project_with_one_annotator_per_document_says_there_is_nothing_to_compare(make_project, make_window,
                                                                                    qtbot):
    w = make_window(make_project(TEXTS))
    w.acts["agreement"].trigger()
    expected = in_window(Msg.ONE_VERSION_PROJECT)
    qtbot.waitUntil(lambda: w.agreement_dialog.note.text() == expected, timeout=20000)
    assert w.agreement_dialog.table.rowCount() == 0
    w.agreement_dialog.close()
    w.acts["review"].trigger()
    assert w.review_dialog.note.text() == expected and w.review_dialog.docs.count() == 0
    assert not w.review_dialog.accept_agreed_button.isEnabled() and not w.review_dialog.make_final.isEnabled()
    w.review_dialog.close()
