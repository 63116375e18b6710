"""Binary decisions and the review mode's candidates (issue 13, part 3), without Qt.

Real parts: a project's SQLite file, pipelines trained here on generated text (a blank
English NER, and en_core_web_sm's new component), spaCy's own incorrect-spans training.
"""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
import spacy

from nergui.bench.data import generated_raw, generated_training
from nergui.core import active, decisions, store_schema, workflow
from nergui.core.decisions import Decide, Undecide
from nergui.core.incorrect import INCORRECT_KEY, binary_example, give_incorrect_key, has_incorrect_key
from nergui.core.learner import Learner, LearnSettings
from nergui.core.patterns import Pattern, PatternMatcher
from nergui.core.pipeline import ModelStore, clone, load_pipeline
from nergui.core.records import Record, Span
from nergui.core.store import DB_NAME, Filter, Project
from nergui.core.teach import CandidateStream, TeachDoc
from nergui.core.teach_setup import project_docs
from nergui.core.train_data import split_data
from nergui.core.training import NEW_NAME, Trainer, TrainSettings
from nergui.errors import EditConflict

LABEL = "FASHION_BRAND"
TEXT = "The shirt fits well. I bought this from Zara in London with John Smith. Wool cotton."
ZARA = (TEXT.index("Zara"), TEXT.index("Zara") + 4)


def _project(tmp_path, *, accepted=8, todo=6, base="blank:en"):
    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", base)
    project.import_records(generated_training(accepted, seed=2), path="gen")
    project.import_records([Record(r.text) for r in generated_training(todo, seed=11)], path="todo")
    return project


# ---- the store ----------------------------------------------------------------------------
def test_decisions_are_spans_and_rejections_undoable_and_never_count_as_accepted(tmp_path):
    project = _project(tmp_path)
    todo = project.doc_ids(Filter(state="todo"))
    doc = project.get_document(todo[0])
    start = doc.text.index("from ") + 5
    end = doc.text.index(" in ", start)
    accepted_before = project.counts_by_label(state="accepted")
    undo = Decide(todo[0], "accept", start, end, LABEL, "accept", 0.42, "model", 5, 5).apply(project)
    assert isinstance(undo, Undecide) and undo.effect
    assert [(s.start, s.end, s.label, s.source, s.token_start) for s in project.get_document(todo[0]).spans] == [
        (start, end, LABEL, "model", 5)]
    Decide(todo[0], "reject", 0, 3, LABEL, "reject", 0.51).apply(project)
    Decide(todo[1], "skip", 0, 3, LABEL, "ignore", 0.5).apply(project)
    with pytest.raises(EditConflict):  # decided twice (two windows): refused, nothing changes
        Decide(todo[0], "again", 0, 3, LABEL, "accept").apply(project)
    assert project.rejections(todo[0]) == {(0, 3, LABEL)}
    assert [d.answer for d in decisions.decisions(project)] == ["accept", "reject", "ignore"]
    assert decisions.decisions(project, todo[0])[0].score == pytest.approx(0.42)
    assert decisions.decided_keys(project) == {(todo[0], start, end, LABEL), (todo[0], 0, 3, LABEL),
                                               (todo[1], 0, 3, LABEL)}
    # the document holds binary decisions only: to do, not counted as accepted, trained as binary
    assert project.get_document(todo[0]).state == "todo"
    assert project.counts_by_label(state="accepted") == accepted_before
    assert decisions.counts(project) == {"accept": 1, "reject": 1, "ignore": 1, "documents": 1}
    (record,) = decisions.binary_records(project)
    assert record.binary and record.line == todo[0] and record.state == "todo"
    assert [(s.start, s.end) for s in record.spans] == [(start, end)]
    assert [(s.start, s.end, s.label) for s in record.rejections] == [(0, 3, LABEL)]
    # undo takes the span away with the decision; redo puts both back
    redo = undo.apply(project)
    assert project.get_document(todo[0]).spans == [] and len(decisions.decisions(project)) == 2
    redo.apply(project)
    assert len(project.get_document(todo[0]).spans) == 1
    # a document accepted whole is an annotated document again, not a binary one
    project.set_state(todo[0], "accepted")
    assert decisions.binary_records(project) == [] and decisions.counts(project)["documents"] == 0
    project.close()


def test_a_rejection_made_before_stays_when_the_decision_is_taken_back(tmp_path):
    project = _project(tmp_path, accepted=1, todo=1)
    (doc_id,) = project.doc_ids(Filter(state="todo"))
    project.set_rejected(doc_id, 0, 3, LABEL)  # rejected in the annotator first
    undo = Decide(doc_id, "", 0, 3, LABEL, "reject").apply(project)
    assert not undo.effect
    undo.apply(project)
    assert project.rejections(doc_id) == {(0, 3, LABEL)} and decisions.decisions(project) == []
    project.close()


def test_a_version_5_project_migrates_to_6(tmp_path):
    folder = tmp_path / "v5"
    folder.mkdir()
    (folder / "models").mkdir()
    conn = sqlite3.connect(folder / DB_NAME)
    for version in range(1, 6):
        step = store_schema.MIGRATIONS[version]  # v5 is said per backend (store_schema.Dialects)
        conn.executescript(step if isinstance(step, str) else "".join(step.sqlite))
    conn.execute("PRAGMA user_version = 5")
    conn.execute("INSERT INTO documents (text, input_hash) VALUES ('Zara in London.', 'h1')")
    conn.execute("INSERT INTO documents_fts (rowid, text) VALUES (1, 'Zara in London.')")  # as v5 imports do
    conn.commit()
    conn.close()
    with Project.open(folder) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == store_schema.SCHEMA_VERSION
        assert decisions.decisions(p) == [] and decisions.binary_doc_ids(p) == []
        Decide(1, "", 0, 4, LABEL, "accept").apply(p)
        assert decisions.binary_doc_ids(p) == [1]
        p.conn.execute("DELETE FROM documents WHERE id = 1")  # decisions go with their document
        assert decisions.decisions(p) == []


# ---- export and import ----------------------------------------------------------------------
def test_prodigy_export_writes_each_decision_with_its_answer_and_imports_back(tmp_path):
    project = _project(tmp_path, accepted=2, todo=2)
    doc_id = project.doc_ids(Filter(state="todo"))[0]
    text = project.get_document(doc_id).text
    start = text.index("from ") + 5
    end = text.index(" in ", start)
    Decide(doc_id, "", start, end, LABEL, "accept", 0.6).apply(project)
    Decide(doc_id, "", 0, 3, LABEL, "reject", 0.4).apply(project)
    out = tmp_path / "out.jsonl"
    assert workflow.export_project(project, out, fmt="prodigy") == 3  # 2 accepted documents and the binary one
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    binary = [line for line in lines if line.get("_view_id") == "ner"]
    assert [(b["answer"], b["spans"][0]["start"], b["spans"][0]["label"]) for b in binary] == [
        ("reject", 0, LABEL), ("accept", start, LABEL)]
    assert all(b["text"] == text and len(b["spans"]) == 1 for b in binary)
    assert all(line["answer"] == "accept" for line in lines if line.get("_view_id") != "ner")
    # other formats cannot say which tokens are unknown: left out, and said so
    notes: list[str] = []
    conll = workflow.export_project(project, tmp_path / "all.conll", fmt="conll", state=None, notes=notes)
    assert conll == 3 and notes and "1 documents holding only review-mode decisions" in notes[0]
    # read back: the same decisions, the document binary (to do) again
    other = Project.create(tmp_path / "other")
    report = workflow.import_file(other, out)
    assert report.committed and report.imported == 3
    (record,) = decisions.binary_records(other)
    assert [(s.start, s.end) for s in record.spans] == [(start, end)] and record.state == "todo"
    assert {(d.start, d.answer, d.origin) for d in decisions.decisions(other)} == {
        (start, "accept", "import"), (0, "reject", "import")}
    assert other.counts_by_state()["accepted"] == 2
    project.close()
    other.close()


# ---- training ---------------------------------------------------------------------------------
def test_binary_documents_are_trained_missing_with_incorrect_spans_and_never_held_out(tmp_path):
    base = load_pipeline("blank:en")
    record = Record(TEXT, [Span(*ZARA, LABEL)], "todo", rejections=[Span(0, 9, LABEL), Span(*ZARA, LABEL)],
                    binary=True)
    example = binary_example(base, record, [LABEL])
    ref = example.reference
    assert [(e.text, e.label_) for e in ref.ents] == [("Zara", LABEL)]
    assert {t.ent_iob_ for t in ref if t.text != "Zara"} == {""}  # every other token missing, not "O"
    assert [(s.text, s.label_) for s in ref.spans[INCORRECT_KEY]] == [("The shirt", LABEL)]  # the contradiction left out
    many = generated_training(60, seed=4) + [Record(f"{TEXT} {i}", [], "todo", rejections=[Span(0, 9, LABEL)],
                                                    binary=True) for i in range(30)]
    data = split_data(base, many, settings=TrainSettings(), hold_out=True)
    assert data.dev and not any(r.binary for r in data.dev)
    assert sum(r.binary for r in data.train) == 30
    from nergui.core import crossval

    folds = crossval.folds(many)
    assert all(not any(r.binary for r in held) for _, held in folds)
    assert all(sum(r.binary for r in train) == 30 for train, _ in folds)


def _p(nlp, text, span) -> float:
    (found,) = active.entity_probabilities(nlp, [text], labels=[LABEL])
    return next((c.p for c in found if (c.start, c.end) == span), 0.0)


@pytest.fixture(scope="module")
def trained():
    """A blank English NER trained here on generated brands (Zara, Uniqlo ...): unsure of Zara
    in TEXT (p about 0.6)."""
    trainer = Trainer.on(load_pipeline("blank:en"), generated_training(80, seed=3), generated_raw(40),
                         settings=TrainSettings(epochs=3))
    for _ in trainer.run():
        pass
    return trainer.nlp


def test_a_rejected_span_lowers_the_models_score_for_it(trained):
    """The learner's new component (a copy of the trained recognizer, as with any pretrained
    base) learns TEXT as binary decisions, three times from the same weights and a fresh
    optimizer: rejecting "Zara" takes its probability to about 0, accepting it raises it,
    a document with no decision leaves it as it was (every token missing: nothing to learn)."""
    learner = Learner(trained, [], [], labels=[LABEL], learn=LearnSettings(steps=2, replay=0))
    assert learner.trainable == [NEW_NAME] and has_incorrect_key(learner.nlp, NEW_NAME)
    new = learner.nlp.get_pipe(NEW_NAME)
    start = new.to_bytes(exclude=["vocab"])
    before = _p(learner.nlp, TEXT, ZARA)
    assert 0.2 < before < 0.95, before

    def learnt(record: Record) -> float:
        new.from_bytes(start, exclude=["vocab"])
        learner.optimizer = learner.nlp.create_optimizer()  # no momentum from the branch before
        for _ in range(3):
            learner.learn(record, snapshot=False)
        return _p(learner.nlp, TEXT, ZARA)

    rejected = learnt(Record(TEXT, [], "todo", rejections=[Span(*ZARA, LABEL)], binary=True))
    accepted = learnt(Record(TEXT, [Span(*ZARA, LABEL)], "todo", binary=True))
    nothing = learnt(Record(TEXT, [], "todo", binary=True))
    print(f"p(Zara): before {before:.3f}, rejected {rejected:.3f}, accepted {accepted:.3f}, nothing {nothing:.3f}")
    assert rejected < 0.05 and rejected < before - 0.2
    assert accepted > before
    assert nothing == pytest.approx(before, abs=0.01)


def test_the_full_run_trains_on_binary_decisions_and_saves_the_key(tmp_path):
    project = _project(tmp_path, accepted=12, todo=8)
    todo = project.doc_ids(Filter(state="todo"))
    for doc_id in todo[:3]:
        text = project.get_document(doc_id).text
        a = text.index("from ") + 5
        Decide(doc_id, "", a, text.index(" in ", a), LABEL, "accept").apply(project)
        Decide(doc_id, "", 0, 3, LABEL, "reject").apply(project)
    job = workflow.prepare_training(project, settings=TrainSettings(epochs=1))
    train = job.trainer.data
    assert sum(r.binary for r in train.train) == 3 and len(train.train) == 15
    binary_texts = {project.get_document(i).text for i in todo[:3]}
    assert not binary_texts & set(train.rehearsal + train.retention)  # never rehearsal text
    for _ in job.run():
        pass
    nlp = job.trainer.nlp
    assert has_incorrect_key(nlp, "ner")  # a blank base: the recognizer was made with the key
    version = job.finish(keep=True)
    loaded = spacy.load(version.path)
    assert has_incorrect_key(loaded, "ner") and loaded.config["components"]["ner"]["incorrect_spans_key"] == INCORRECT_KEY
    project.close()


def test_a_version_saved_without_the_key_still_loads_and_the_learner_sets_it(trained, tmp_path):
    trained.to_disk(tmp_path / "base")
    project = _project(tmp_path, accepted=6, todo=4, base=str(tmp_path / "base"))
    old, source = clone(trained), clone(trained)  # a version as nergui saved it before: ner_new without the key
    give_incorrect_key(source, "ner", None)
    old.add_pipe("ner", name=NEW_NAME, source=source, before="ner")
    assert not has_incorrect_key(old, NEW_NAME)
    version = ModelStore(project.models_dir).save(old, {"base": str(tmp_path / "base")})
    project.close()
    assert not has_incorrect_key(spacy.load(version.path), NEW_NAME)  # it loads as it was
    learner = Learner.from_project(tmp_path / "proj", learn=LearnSettings(steps=1, replay=1))
    assert learner.started_from_version and has_incorrect_key(learner.nlp, NEW_NAME)


# ---- the candidates ------------------------------------------------------------------------------
def test_the_stream_asks_the_uncertain_and_the_patterns_and_skips_what_was_decided(trained):
    nlp = trained
    texts = {1: "Wool cotton fits. I bought this from Milano in Berlin. Price was fine.",
             2: "I like the shoes from Zara in Tokyo. They fit.",
             3: "Maria Lopez moved to Chicago last year.",
             4: "Denim from Acme Denim is good. I bought this from Uniqlo in Texas."}
    matcher = PatternMatcher(nlp.vocab, [Pattern(LABEL, [{"lower": "acme"}, {"lower": "denim"}]),
                                         Pattern(LABEL, "Zara")])
    docs = [TeachDoc(i, t, spans=((0, 5, "ORG"),) if i == 3 else ()) for i, t in texts.items()]
    stream = CandidateStream(docs, labels=[LABEL], decided={(2, 20, 24, LABEL)}, batch_docs=2, min_priority=0.0)
    assert stream.fill(nlp, patterns=matcher) > 0 and stream.scored_docs == 2
    while stream.fill(nlp, patterns=matcher) or not stream.exhausted:
        pass
    queued = stream.peek_all()
    assert [c.priority for c in queued] == sorted((c.priority for c in queued), reverse=True)
    assert (2, 20, 24, LABEL) not in {c.key for c in queued}  # decided before: never asked
    assert not any(c.doc_id == 3 and c.start < 5 for c in queued)  # overlaps a span the document holds
    acme = next(c for c in queued if c.text == "Acme Denim")
    assert acme.origin == "pattern" and acme.priority >= 0.5 and acme.before == "Denim from " and acme.after == " is good."
    assert (acme.token_start, acme.token_end) == (2, 3)
    first = stream.next()
    assert first.priority == queued[0].priority
    same_doc = [c for c in stream.peek_all() if c.doc_id == first.doc_id and c.overlaps(first.start, first.end)]
    stream.mark_decided(first.key, "accept")
    rest = []
    while (c := stream.next()) is not None:
        rest.append(c)
    assert first.key not in {c.key for c in rest} and not {c.key for c in same_doc} & {c.key for c in rest}
    # after the model learnt, what was not asked is scored again
    stream.requeue(rest[0])
    assert stream.refresh() == 1 and len(stream) == 0 and not stream.exhausted
    assert stream.fill(nlp, patterns=matcher) >= 1


def test_the_originals_entities_are_asked_once_the_new_type_was_found_as_their_type(trained):
    """The trained recognizer stands for the original model here (its FASHION_BRAND is an old
    type) and SHOP is the new one: once two documents hold a SHOP span that is exactly one of
    the original's FASHION_BRAND entities, its other FASHION_BRAND entities are asked as SHOP,
    less eagerly as such candidates are rejected."""
    texts = [r.text for r in generated_training(8, seed=31)]
    ents = [[(e.start_char, e.end_char) for e in trained(t).ents if e.label_ == LABEL] for t in texts]
    assert all(ents)
    docs = [TeachDoc(i, t, spans=((*ents[i][0], "SHOP"),) if i in (0, 2) else ()) for i, t in enumerate(texts)]

    def stream(**options):
        out = CandidateStream(docs, labels=["SHOP"], batch_docs=1, **options)
        queued = [out.fill(trained, model=False) for _ in range(4)]  # one document per fill
        return out, queued

    s, queued = stream()
    assert queued == [0, 0, 0, len(ents[3])]  # document 1 came before the second SHOP span
    (cand,) = s.peek_all()[:1]
    assert (cand.doc_id, (cand.start, cand.end), cand.label, cand.origin) == (3, ents[3][0], "SHOP", "original")
    assert cand.original == LABEL and LABEL in cand.why and "SHOP" in cand.why
    assert cand.priority == pytest.approx(0.5 * 3 / 4)  # ORIGINAL_WEIGHT x (2 + 1) / (2 + 2)
    s.mark_decided(cand.key, "reject")
    assert s.original_share(LABEL, "SHOP") == pytest.approx(3 / 5)
    s.unmark(cand.key)
    assert s.original_share(LABEL, "SHOP") == pytest.approx(3 / 4)
    assert stream(ask_original=False)[1] == [0, 0, 0, 0]


def test_a_text_accepted_as_a_new_type_is_asked_where_it_comes_again(trained):
    """A document's own span and a candidate accepted in the stream make their texts terms:
    every other whole-word, same-case occurrence is asked (origin "answer"), less eagerly as
    that text is rejected; taking a decision back takes its count back."""
    texts = ["I wore my Zara coat today.", "Zara has a sale on, and zara.com too.", "Zarathustra and ZARA said so.",
             "Mango jeans fit well.", "The Mango shop near me closed."]
    docs = [TeachDoc(0, texts[0], spans=((10, 14, "SHOP"),))] + [TeachDoc(i, t) for i, t in enumerate(texts) if i]
    s = CandidateStream(docs, labels=["SHOP"], batch_docs=1, ask_original=False, min_priority=0.0)
    matcher = PatternMatcher(trained.vocab, [Pattern("SHOP", "Mango")])
    assert [s.fill(trained, model=False) for _ in range(3)] == [0, 1, 0]  # "zara.com", "ZARA", "Zarathustra": no
    cand = s.next()
    assert (cand.doc_id, cand.text, cand.origin) == (1, "Zara", "answer") and "Zara" in cand.why
    assert cand.priority == pytest.approx(0.6 * 2 / 3)  # ANSWER_WEIGHT x (1 + 1) / (1 + 2), the model silent
    s.mark_decided(cand.key, "reject")
    assert s.answer_share("Zara", "SHOP") == pytest.approx(2 / 4)
    s.unmark(cand.key)
    assert s.answer_share("Zara", "SHOP") == pytest.approx(2 / 3)
    s.fill(trained, patterns=matcher, model=False)
    mango = s.next()
    assert (mango.doc_id, mango.origin) == (3, "pattern") and s.answer_share("Mango", "SHOP") is None
    s.mark_decided(mango.key, "accept")
    assert s.fill(trained, patterns=None, model=False) == 1
    again = s.next()
    assert (again.doc_id, again.text, again.origin) == (4, "Mango", "answer")
    off = CandidateStream(docs, labels=["SHOP"], batch_docs=1, ask_original=False, ask_answers=False, min_priority=0.0)
    assert [off.fill(trained, model=False) for _ in range(3)] == [0, 0, 0]


def test_the_texts_of_a_projects_accepted_documents_are_asked_where_they_come_again(tmp_path, trained):
    project = Project.create(tmp_path / "proj")
    text = "My favourite jeans are from Mango."
    project.import_records([Record(text, [Span(28, 33, "SHOP")], "accepted"),
                            Record("Has anyone tried the new Mango coats?"), Record("Mangos are ripe now.")],
                           path="a.jsonl")
    terms = project.span_texts(labels=["SHOP"])
    stream = CandidateStream(project_docs(project), labels=["SHOP"], ask_original=False, terms=terms)
    assert stream.answer_share("Mango", "SHOP") == pytest.approx(2 / 3)
    stream.fill(trained, model=False)
    assert [(c.text, c.origin, c.before) for c in stream.peek_all()] == [("Mango", "answer", "Has anyone tried the new ")]
    project.close()


def test_the_sentence_around_a_candidate_is_its_own(trained):
    text = "First sentence here. " * 3 + "I bought this from Zara in London. " + "Another one follows. " * 3
    stream = CandidateStream([TeachDoc(7, text)], labels=[LABEL], min_priority=0.0)
    matcher = PatternMatcher(trained.vocab, [Pattern(LABEL, "Zara")])
    stream.fill(trained, patterns=matcher)
    zara = next(c for c in stream.peek_all() if c.text == "Zara")
    assert zara.before == "I bought this from " and zara.after == " in London."


def test_project_docs_reads_todo_documents_in_a_seeded_order(tmp_path):
    project = _project(tmp_path, accepted=3, todo=6)
    first = [d.doc_id for d in project_docs(project, seed=1)]
    assert sorted(first) == project.doc_ids(Filter(state="todo"))
    assert first == [d.doc_id for d in project_docs(project, seed=1)] != [d.doc_id for d in project_docs(project, seed=2)]
    project.close()


def test_teach_replay_makes_the_decisions_it_names(trained):
    """The replay (``nergui bench teach --replay``, ``teach_f_at_1000``) run small: a new type
    (SHOP, which the tiny base does not know) taught from scratch by an oracle's decisions,
    the first candidates coming from the patterns."""
    from nergui.bench.data import _BRANDS
    from nergui.bench.teach import teach_replay

    train = [Record(r.text, list(r.spans), "todo") for r in generated_training(40, seed=21, label="SHOP")]
    evals = generated_training(20, seed=22, label="SHOP")
    patterns = [Pattern("SHOP", b) for b in _BRANDS[:4]] + [Pattern("SHOP", [{"lower": "maria"}])]
    result = teach_replay(trained, train, evals, patterns, decisions=20, update_every=10, steps=1,
                          checkpoints=(10,), batch_docs=8, rehearsal_texts=[], consolidate_every=20,
                          consolidate_epochs=3)
    assert result["decisions"] == 20 == result["accepted"] + result["rejected"]
    assert result["accepted"] > 0 and result["rejected"] > 0  # the oracle said both
    assert set(result["f_at"]) == {10} and 0.0 <= result["teach_f"] <= 1.0
    assert set(result["pr_at"]) == {10} and all(0.0 <= x <= 1.0 for x in result["pr_at"][10])
    # every decision is counted once by where its candidate came from and what the oracle said
    assert sum(result["asked"].values()) == 20
    assert sum(n for k, n in result["asked"].items() if k.endswith(" accept")) == result["accepted"]
    assert {k.split()[0] for k in result["asked"]} <= {"model", "pattern", "original"}
    (run,) = result["consolidations"]  # a full run on the 20 decisions; the learner goes on from it
    assert run["decisions"] == 20 and run["documents"] == result["docs_decided"]
    assert run["f_after"] > 0.3 and result["teach_f"] == run["f_after"]  # the learner predicts what the run does
    assert result["labels"] == ["SHOP"] and result["eval_docs"] == 20
    assert result["docs_decided"] <= result["docs_scored"]
    assert result["stopped"] is None
    # a deadline already past (``bench active --budget`` spent): no decision, and it says why
    late = teach_replay(trained, train, evals, patterns, decisions=20, update_every=10, steps=1, checkpoints=(),
                        batch_docs=8, rehearsal_texts=[], deadline=time.perf_counter())
    assert late["decisions"] == 0 and late["stopped"] == "budget"
