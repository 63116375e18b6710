"""Ordering the to-do documents by what the model is unsure of (nergui.core.active).

The model is trained here on generated text in which one name, "Milano", is marked as a
brand in half of the documents that hold it and left unmarked in the other half, in the
same sentence: the model cannot be sure of it, while the brands of the other documents
are always marked.
"""

from __future__ import annotations

import random
import time

import pytest

from nergui.bench.data import generated_raw, generated_training, sentence
from nergui.core import active
from nergui.core.active import Candidate, CandidatePool
from nergui.core.pipeline import clone, load_pipeline
from nergui.core.records import Record, Span
from nergui.core.store import Project
from nergui.core.training import NEW_NAME, Trainer, TrainSettings
from nergui.errors import Msg, TrainingError

from ..ordering_data import trained_model

LABEL = "FASHION_BRAND"
CLEAR = "The shirt fits well. I bought this from Zara in London with John Smith. Wool cotton."
AMBIGUOUS = "The shirt fits well. I bought this from Milano in Berlin. Wool cotton."
EMPTY = "Maria Lopez moved to Chicago last year."


def ambiguous_records(n: int = 40, *, seed: int = 4) -> list[Record]:
    """``n`` documents with "I bought this from Milano in Berlin.": Milano marked in every other one."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        head, tail = sentence(rng, rng.randint(4, 10)), sentence(rng, rng.randint(4, 10))
        text = f"{head} I bought this from Milano in Berlin. {tail}"
        start = text.index("Milano")
        out.append(Record(text, [Span(start, start + 6, LABEL)] if i % 2 == 0 else [], state="accepted"))
    return out


@pytest.fixture(scope="module")
def trained():
    """A blank English NER trained on generated brands and the ambiguous Milano documents (the
    ordering tests' model, trained once per test process: ``tests/ordering_data.py``)."""
    train = generated_training(120, seed=3) + ambiguous_records()
    return load_pipeline(str(trained_model())), train


def test_probabilities_are_the_models_and_trained_entities_are_near_one(trained):
    nlp, train = trained
    assert active.new_types_component(nlp, [LABEL]) == "ner"
    texts = [r.text for r in train[:20]] + [CLEAR, AMBIGUOUS, EMPTY]
    probs = active.entity_probabilities(nlp, texts, labels=[LABEL])
    assert len(probs) == len(texts)
    for candidates in probs:
        assert all(0.0 <= c.p <= 1.0 and c.label == LABEL for c in candidates)
        for start in {c.start for c in candidates}:  # one analysis holds one entity starting there
            assert sum(c.p for c in candidates if c.start == start) <= 1.0 + 1e-6
    for record, candidates in zip(train[:20], probs):
        (gold,) = record.spans
        best = candidates[0]
        assert (best.start, best.end, best.text) == (gold.start, gold.end, record.text[gold.start:gold.end])
        assert best.p > 0.9, (record.text, candidates)
    # the most likely analysis is what the model predicts (the beam adds up log-probabilities:
    # spaCy's raw beam gave "Zara in" here, p=0.97, where the model predicts "Zara")
    for text, candidates in zip(texts, probs):
        predicted = [(e.start_char, e.end_char) for e in nlp(text).ents]
        likely = [(c.start, c.end) for c in candidates if c.p > 0.5]
        assert likely == predicted, (text, candidates, predicted)


def test_uncertainty_puts_the_ambiguous_text_first_and_the_empty_one_last(trained):
    nlp, _ = trained
    clear, ambiguous, empty = active.entity_probabilities(nlp, [CLEAR, AMBIGUOUS, EMPTY], labels=[LABEL])
    (milano,) = [c for c in ambiguous if c.text == "Milano"]
    zara = clear[0]
    print(f"Zara p={zara.p:.3f}, Milano p={milano.p:.3f}")
    assert zara.text == "Zara" and zara.p > 0.95
    assert 0.1 < milano.p < 0.95
    scores = {text: active.uncertainty(c) for text, c in zip([CLEAR, AMBIGUOUS, EMPTY], [clear, ambiguous, empty])}
    assert scores[AMBIGUOUS] > scores[CLEAR] + 0.1 > scores[EMPTY] + 0.1  # likely entities before none
    assert sorted(scores, key=scores.get, reverse=True) == [AMBIGUOUS, CLEAR, EMPTY]
    assert active.score_document(ambiguous)[1] == Msg.ACTIVE_WHY_UNSURE.format(label=LABEL, text="Milano", p=milano.p)
    assert active.score_document(clear)[1] == Msg.ACTIVE_WHY_LIKELY.format(label=LABEL, text="Zara", p=zara.p)
    assert active.score_document(empty) == (0.0, Msg.ACTIVE_WHY_NOTHING)


def test_a_pattern_match_the_model_misses_raises_the_score():
    sure = [Candidate(10, 14, LABEL, 0.99, "Zara")]
    plain, _ = active.score_document(sure)
    with_match, why = active.score_document(sure, [(30, 35, LABEL, "Vans!")])
    assert with_match == pytest.approx(plain + active.PATTERN_WEIGHT)
    assert why == Msg.ACTIVE_WHY_PATTERN.format(label=LABEL, text="Vans!", p=0.0)
    agreed, _ = active.score_document(sure, [(10, 14, LABEL, "Zara")])
    assert agreed == pytest.approx(plain + active.PATTERN_WEIGHT * 0.01)


def test_the_new_component_is_asked_in_a_pretrained_pipeline(pretrained):
    trainer = Trainer.on(clone(pretrained), generated_training(40, seed=8), generated_raw(40),
                         settings=TrainSettings(epochs=2))
    for _ in trainer.run():
        pass
    nlp = trainer.nlp
    assert nlp.pipe_names.index(NEW_NAME) < nlp.pipe_names.index("ner")
    assert active.new_types_component(nlp, [LABEL]) == NEW_NAME
    texts = [CLEAR, EMPTY, ""]
    probs = active.entity_probabilities(nlp, texts, labels=[LABEL])
    assert len(probs) == 3 and probs[2] == []
    assert all(c.label == LABEL and 0.0 <= c.p <= 1.0 for cs in probs for c in cs)
    old = active.entity_probabilities(nlp, [EMPTY], labels=["PERSON", "GPE"], component="ner")[0]
    assert {c.text for c in old if c.p > 0.5} >= {"Maria Lopez", "Chicago"}  # the original NER, asked by name
    with pytest.raises(TrainingError, match="No entity recognizer of this model predicts ROASTER"):
        active.new_types_component(nlp, ["ROASTER"])


def test_diverse_order_never_shows_a_copy_next_while_other_documents_are_left():
    copy = "I bought this jacket from Zara in London and it fits well."
    others = [f"{sentence(random.Random(i), 12)} Shoes from Uniqlo number {i}." for i in range(5)]
    texts = [copy] * 5 + others
    scores = [1.0] * 5 + [0.3] * 5  # the copies are the most uncertain
    order = active.diverse_order(range(10), scores, texts)
    shown = [texts[i] for i in order]
    assert sorted(order) == list(range(10))
    assert shown[0] == copy
    for i in range(1, len(shown)):
        if shown[i] == shown[i - 1]:
            assert all(t == copy for t in shown[i:]), shown  # only once nothing else is left
    assert shown[:6] == [copy, *[texts[i] for i in order[1:6]]] and set(shown[1:6]) == set(others)
    # without the spread, the copies come first, one after another
    plain = active.diverse_order(range(10), scores, texts, weight=0.0, near_copy=1.01)
    assert [texts[i] for i in plain[:5]] == [copy] * 5
    # a document much like one shown before is pushed back
    near = active.diverse_order(["a", "b"], [0.6, 0.5], {"a": copy + " Really.", "b": others[0]}, history=[copy])
    assert near == ["b", "a"]


@pytest.fixture()
def project(tmp_path):
    """A real project of 2,000 to-do documents and 20 accepted ones."""
    todo = [Record(t) for t in generated_raw(1000, seed=11)]
    todo += [Record(r.text) for r in generated_training(1000, seed=12)]
    done = generated_training(20, seed=13)
    project = Project.create(tmp_path / "project")
    report = project.import_records(todo + done, path="generated")
    assert report.imported == 2020, report.summary()
    yield project
    project.close()


def test_candidate_pool_from_a_project_gives_the_next_document_at_once(project, trained):
    nlp, _ = trained
    ids = project.doc_ids()
    held = set(active.evaluation_sample(ids))
    started = time.perf_counter()
    pool = CandidatePool.from_project(project, size=200, seed=1, exclude=held)
    sampled_s = time.perf_counter() - started
    assert len(pool) == 200
    assert not held & set(pool.texts) and all(project.get_document(i).state == "todo" for i in pool.texts)

    first = pool.next()  # nothing scored yet: the random order
    assert first.score is None and first.why == Msg.ACTIVE_WHY_NOT_SCORED
    batches = pool.score(nlp, labels=[LABEL], batch_size=50)
    assert next(batches) == 50 and pool.scored == 50  # scored batch by batch
    started = time.perf_counter()
    scored = pool.score_all(nlp, labels=[LABEL], batch_size=50)
    score_s = time.perf_counter() - started
    assert scored == pool.scored == 200

    scores = pool.scores()
    started = time.perf_counter()
    pick = pool.next()
    next_ms = (time.perf_counter() - started) * 1000
    print(f"pool of 200 from 2,020 documents: sampled in {sampled_s * 1000:.0f} ms, 150 scored in {score_s:.2f} s "
          f"({score_s * 1000 / 150:.1f} ms/doc), next in {next_ms:.2f} ms: {pick.why}")
    assert next_ms < 200
    assert pick.doc_id != first.doc_id and pick.score == scores[pick.doc_id][0]
    rest = [key for key in pool.texts if key != first.doc_id]  # the same rule as diverse_order
    assert active.diverse_order(rest, {k: scores[k][0] for k in rest}, pool.texts, 1,
                                history=[pool.texts[first.doc_id]]) == [pick.doc_id]
    assert pick.score > sorted(score for score, _ in scores.values())[100]
    assert pick.why == scores[pick.doc_id][1] or pick.why.startswith(scores[pick.doc_id][1])
    picks = [pool.next() for _ in range(198)]
    assert pool.next() is None
    assert len({p.doc_id for p in picks} | {first.doc_id, pick.doc_id}) == 200
    pool.invalidate()
    assert pool.scored == 0 and len(pool.shown()) == 200


def test_a_scoring_for_a_model_replaced_meanwhile_keeps_nothing(trained):
    nlp, _ = trained
    pool = CandidatePool({i: text for i, text in enumerate(generated_raw(60, seed=21))})
    running = pool.score(nlp, labels=[LABEL], batch_size=20)
    assert next(running) == 20
    pool.invalidate()  # a new model was kept while the old one was scoring
    assert list(running) == [] and pool.scored == 0
    assert pool.score_all(nlp, labels=[LABEL], batch_size=20) == 60


def test_the_evaluation_sample_is_stable_and_about_the_fraction():
    ids = list(range(1, 10_001))
    sample = active.evaluation_sample(ids)
    assert sample == active.evaluation_sample(list(reversed(ids)))[::-1]  # the same whatever the order
    assert sample == [i for i in ids if active.is_evaluation(i)]
    assert 0.085 * len(ids) < len(sample) < 0.115 * len(ids)
    assert 4000 < sum(sample) / len(sample) < 6000  # spread over the whole project, not its first documents
    fifth = active.evaluation_sample(ids, 0.2)
    assert set(sample) <= set(fifth) and 0.185 * len(ids) < len(fifth) < 0.215 * len(ids)
    other = active.evaluation_sample(ids, seed=1)
    assert len(set(sample) & set(other)) < 0.2 * len(sample)  # another seed, another sample
