"""Next in a real window (issue 13): the model's order, the list's score column and sort, the
evaluation sample marked and interleaved; file order while nothing is scored."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nergui.core import evaluation_sample, ordering
from nergui.errors import Msg

from ..ordering_data import make_project, todo_texts


def _choose(w, name):
    combo = w.ordering.bar.combo
    combo.setCurrentIndex(combo.findData(name))


def test_next_opens_the_top_scored_document_and_the_list_sorts_by_score(make_window, qtbot, tmp_path):
    texts = todo_texts(ambiguous=6, clear=24, empty=24)
    project = make_project(tmp_path / "proj", texts)
    w = make_window(project)
    o = w.ordering
    assert o.ordering == "file" and o.scorer is None  # nothing runs in file order without a sample
    _choose(w, "model")
    assert ordering.stored(project) == "model"
    assert o.sample == evaluation_sample.EvaluationSample(0.1)  # on by default when ordering by the model
    assert evaluation_sample.chosen(project)
    qtbot.waitUntil(lambda: o.pool_size and o.scored == o.pool_size and o.queue.pool.scored == o.pool_size,
                    timeout=60_000)
    held = set(o.notes.evaluation)
    assert held and not held & set(o.queue.pool.texts)  # the sample is never in the pool
    assert Msg.EVAL_SAMPLE_ON.split(":")[0] in w.statusBar().currentMessage()
    scores = o.queue.pool.scores()
    left = {k: v for k, v in scores.items() if k != w.session.doc.id}
    best = max(score for score, _ in left.values())

    qtbot.keyClick(w.view, Qt.Key_PageDown)
    doc = w.session.doc
    assert doc.text in texts["ambiguous"] and scores[doc.id][0] == best  # the top-scored document
    assert o.banner.isVisible() and o.banner.text() == Msg.ORDER_WHY_TITLE.format(why=scores[doc.id][1])
    assert "unsure about 'Milano'" in o.banner.text()
    model, row = w.docs.model, w.docs.model.row_of(doc.id)
    assert w.docs.list.currentIndex().row() == row  # the list follows
    assert model.data(model.index(row, 1)) == f"{best:.2f}"
    assert "Next because: unsure about 'Milano'" in model.data(model.index(row, 0), Qt.ToolTipRole)
    some_held = min(held)
    assert model.data(model.index(model.row_of(some_held), 1)) == "eval"

    o.bar.sort.setChecked(True)  # sort by score: the scored documents first, best first
    top = [i for i in model.ids if i in scores]
    assert top == model.ids[:len(scores)] and len(top) == len(scores)
    assert [scores[i][0] for i in top] == sorted((s for s, _ in scores.values()), reverse=True)
    assert w.session.doc.id == doc.id  # sorting kept the document shown

    seen = [doc.id]
    for _ in range(9):  # the tenth document Next opens is an evaluation document
        qtbot.keyClick(w.view, Qt.Key_PageDown)
        seen.append(w.session.doc.id)
    assert [i in held for i in seen] == [False] * 9 + [True]
    assert o.banner.text() == Msg.ORDER_EVAL_BANNER
    assert len(set(seen)) == 10
    qtbot.keyClick(w.view, Qt.Key_A)  # accept and next: the next pick, not the next row
    assert project.get_document(seen[-1]).state == "accepted"
    assert w.session.doc.id not in seen and w.session.doc.id in scores
    qtbot.keyClick(w.view, Qt.Key_PageUp)
    assert w.session.doc.id == seen[-1]


def test_without_a_model_for_the_labels_next_goes_in_file_order_and_says_why(make_window, qtbot, tmp_path):
    project = make_project(tmp_path / "proj", todo_texts(ambiguous=2, clear=4, empty=4), model=False)
    evaluation_sample.configure(project, on=False)  # chosen: off
    w = make_window(project)
    o = w.ordering
    _choose(w, "model")
    assert o.sample is None and o.w.docs.list.isColumnHidden(1) is False
    qtbot.waitUntil(lambda: bool(o.failed), timeout=30_000)  # blank:en knows no FASHION_BRAND
    assert "No entity recognizer of this model predicts FASHION_BRAND" in o.failed
    first = w.session.doc.id
    qtbot.keyClick(w.view, Qt.Key_PageDown)
    assert w.session.doc.id == first + 1
    assert w.statusBar().currentMessage() == o.failed  # said once, not wrapped in itself
    assert o.failed.startswith(Msg.ORDER_NO_MODEL.split("{")[0])
    _choose(w, "file")
    assert w.docs.list.isColumnHidden(1)


def test_the_result_card_and_the_command_line_say_the_f_is_on_evaluation_documents_never_trained_on(
        qtbot, tmp_path, capsys):
    from nergui.bench.data import generated_raw, generated_training
    from nergui.cli import main
    from nergui.gui.training.result_card import ResultCard, evaluation_note
    from nergui.gui.window_state import result_from_run, run_summary

    project = make_project(tmp_path / "proj", {"raw": generated_raw(20, seed=41)},
                           accepted=generated_training(40, seed=42), model=False)
    evaluation_sample.configure(project, on=True, fraction=0.3)
    n = sum(1 for r in project.records() if r.state == "accepted" and evaluation_sample.EvaluationSample(0.3).holds(r))
    assert n >= evaluation_sample.MIN_SCORED
    assert main(["train", str(project.path), "--epochs", "1", "--no-cv"]) == 0
    out = capsys.readouterr().out
    assert f"training FASHION_BRAND on {40 - n} documents" in out
    assert Msg.EVAL_SAMPLE_CLI.format(n=n) in out and "    FASHION_BRAND: P " in out
    run = project.runs()[-1]
    m = run["metrics"]
    assert m["evaluation_documents"] == m["documents_scored"] == m["evaluation_spans"] == n
    assert m["dev_source"] == evaluation_sample.SOURCE and set(m["evaluation_per_type"]) == {"FASHION_BRAND"}

    card = ResultCard()  # as the window shows the project's last run
    qtbot.addWidget(card)
    result = result_from_run(run)
    card.show_result(result, waiting=False)
    assert f"{n:,} evaluation documents never trained on" in card.summary.text()
    assert f"{n:,} evaluation documents never trained on" in run_summary(result)
    assert Msg.EVAL_SAMPLE_CAPTION.format(n=n) in card.note.text()
    f = m["per_type"]["FASHION_BRAND"]["f"]
    assert card.rows["F FASHION_BRAND"][2] == f == m["evaluation_per_type"]["FASHION_BRAND"]["f"]
    few = evaluation_note({**m, "dev_source": "", "evaluation_documents": 3})  # too few to be the card's F
    assert few.startswith(Msg.EVAL_SAMPLE_CAPTION.format(n=3) + f": FASHION_BRAND {f:.2f}.")
    assert "Too few for a firm figure" in few
