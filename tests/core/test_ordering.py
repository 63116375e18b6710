"""Next's order on generated data (issue 13): the model's uncertainty first, near-copies pushed
back, the evaluation sample interleaved and never trained on (nergui.core.ordering,
nergui.core.evaluation_sample)."""

from __future__ import annotations

import random

import pytest

from nergui.bench.data import generated_raw, generated_training
from nergui.core import crossval, evaluation_sample, ordering
from nergui.core.active import CandidatePool
from nergui.core.evaluation_sample import EvaluationSample
from nergui.core.learner import Learner
from nergui.core.pipeline import load_pipeline
from nergui.core.records import Record
from nergui.core.store import Filter
from nergui.core.training import TrainSettings
from nergui.core.workflow import prepare_training
from nergui.errors import Msg, ProjectError, TrainingError

from ..ordering_data import LABEL, make_project, todo_texts, trained_model


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(str(trained_model()))


def _queue(project, nlp, *, spread=True, seed=0):
    pool = CandidatePool.from_project(project, size=10_000, seed=seed)
    if not spread:
        pool.weight, pool.near_copy = 0.0, 1.01
    assert pool.score_all(nlp, labels=[LABEL], batch_size=32) == len(pool) == project.count(Filter(state="todo"))
    queue = ordering.NextQueue("model")
    queue.set_pool(pool)
    return queue, pool


def test_model_order_asks_about_the_ambiguous_documents_first(tmp_path, nlp):
    texts = todo_texts(ambiguous=8, clear=20, empty=20)
    kind = {t: k for k, ts in texts.items() for t in ts}
    project = make_project(tmp_path / "p", texts, model=False)
    queue, pool = _queue(project, nlp)
    picks, current = [], None
    while (pick := queue.next(project, current)) is not None:
        picks.append(pick)
        current = pick.doc_id
    assert len(picks) == 48 and len({p.doc_id for p in picks}) == 48 and {p.kind for p in picks} == {"model"}
    kinds = [kind[project.get_document(p.doc_id).text] for p in picks]
    print(" ".join(k[0] for k in kinds), [f"{p.score:.2f}" for p in picks[:10]])
    assert kinds[:8] == ["ambiguous"] * 8, kinds  # Milano (p near 0.5 for the model) before all else
    assert all(p.why.startswith(Msg.ACTIVE_WHY_UNSURE.format(label=LABEL, text="Milano", p=0.0)[:22]) for p in picks[:8])
    first_empty = kinds.index("empty")
    assert kinds[first_empty:].count("clear") <= 2  # clear brands (likely entities) before documents with none
    scores = [p.score for p in picks]
    assert min(scores[:8]) > max(scores[8:]) + 0.2


def test_near_copies_wait_until_the_other_documents_are_shown(tmp_path, nlp):
    texts = todo_texts(ambiguous=6, clear=6, empty=6, seed=11)
    copy = texts["ambiguous"][0]
    texts["copies"] = [f"{copy} Really {word}." for word in ("so", "much", "yes", "indeed", "truly")]
    project = make_project(tmp_path / "p", texts, model=False)
    copies = set(texts["copies"]) | {copy}

    def order(**kwargs):
        queue, _ = _queue(project, nlp, **kwargs)
        out, current = [], None
        while (pick := queue.next(project, current)) is not None:
            out.append(project.get_document(pick.doc_id).text)
            current = pick.doc_id
        return [t in copies for t in out]

    spread = order()
    assert len(spread) == 23 and sum(spread) == 6
    first = spread.index(True)
    assert first < 6 and spread[-5:] == [True] * 5  # one copy among the first; the others last of all
    plain = order(spread=False)  # without the spread, copies (scored alike) come one after another early on
    assert any(plain[i] and plain[i + 1] for i in range(10)), plain


def test_the_evaluation_sample_comes_about_every_tenth_document_in_any_ordering(tmp_path):
    rng = random.Random(3)
    texts = {"raw": generated_raw(400, seed=5) + [f"Note {i}: {rng.random()}" for i in range(100)]}
    project = make_project(tmp_path / "p", texts, model=False)
    sample = EvaluationSample(0.1)
    ids = sample.ids(project)
    assert 30 < len(ids) < 70 and set(ids.values()) == {"todo"}
    for name in ("random", "model"):
        queue = ordering.NextQueue(name, sample)
        queue.set_sample(sample, ids)
        pool = CandidatePool.from_project(project, size=200, seed=2, exclude=ids)
        if name == "model":  # scores without a model: the document's length, enough to order by
            pool._scores = {k: (len(t) / 1000, "long") for k, t in pool.texts.items()}
        queue.set_pool(pool)
        picks, current = [], None
        for _ in range(60):
            pick = queue.next(project, current)
            picks.append(pick)
            current = pick.doc_id
        kinds = [p.kind for p in picks]
        assert [i for i, k in enumerate(kinds) if k == "evaluation"] == [9, 19, 29, 39, 49, 59], (name, kinds)
        assert all((p.doc_id in ids) == (p.kind == "evaluation") for p in picks)
        assert all(p.why == Msg.ORDER_WHY_EVALUATION for p in picks if p.kind == "evaluation")
        assert set(kinds) - {"evaluation"} == {name}
        assert len({p.doc_id for p in picks}) == 60
        assert [queue.previous(), queue.previous()] == [picks[-2].doc_id, picks[-3].doc_id]


def test_before_anything_is_scored_next_takes_file_order(tmp_path):
    project = make_project(tmp_path / "p", {"raw": generated_raw(20, seed=2)}, model=False)
    project.set_state(3, "accepted")
    queue = ordering.NextQueue("model")
    queue.set_pool(CandidatePool.from_project(project, size=10))  # not scored
    picks = [queue.next(project, 1), queue.next(project, 2)]
    assert [(p.doc_id, p.kind, p.why) for p in picks] == [(2, "file", Msg.ORDER_WHY_FILE_FALLBACK),
                                                         (4, "file", Msg.ORDER_WHY_FILE_FALLBACK)]
    assert ordering.stored(project) == "file"
    ordering.store(project, "model")
    assert ordering.stored(project) == "model"


# ---- the evaluation sample is never trained on -----------------------------------------------------------
@pytest.fixture()
def sampled(tmp_path):
    """A project of 80 accepted generated documents and 60 to do, its sample 20 % of them."""
    accepted = generated_training(80, seed=21)
    project = make_project(tmp_path / "p", {"raw": generated_raw(60, seed=22)}, accepted=accepted, model=False)
    yield project
    project.close()


def test_evaluation_documents_never_reach_training_the_learner_or_cross_validation(sampled):
    project = sampled
    before = prepare_training(project, settings=TrainSettings(epochs=1))
    assert len(before.data.train) == 80 and before.data.evaluation == []  # no sample chosen: as before

    sample = evaluation_sample.configure(project, on=True, fraction=0.2)
    held = {project.get_document(i).text for i in sample.ids(project)}
    held_accepted = {r.text for r in project.records(Filter(state="accepted")) if r.text in held}
    assert len(held_accepted) >= 10 and len(held) > len(held_accepted)  # some accepted, some to do
    job = prepare_training(project, settings=TrainSettings(epochs=1))
    data = job.data
    assert not held & {r.text for r in data.train} and len(data.train) == 80 - len(held_accepted)
    assert {r.text for r in data.evaluation} == held_accepted
    assert data.dev_source == evaluation_sample.SOURCE and data.dev == data.evaluation  # scored on it
    assert not held & set(data.rehearsal) and not held & set(data.retention)  # nor rehearsed
    cv = crossval.CrossValidation(job.trainer.base, data, settings=job.settings, teacher=job.trainer.teacher)
    assert cv.folds and all(not held & {r.text for part in fold for r in part} for fold in cv.folds)

    learner = Learner.from_project(project.path)
    assert not held & set(learner.accepted) and len(learner.accepted) == len(data.train)
    assert not held & set(learner.trainer.data.rehearsal)
    record = next(r for r in project.records(Filter(state="accepted")) if r.text in held)
    weights = learner.nlp.get_pipe(learner.trainable[0]).to_bytes(exclude=["vocab"])
    result = learner.learn(Record(record.text, record.spans, "accepted"))  # no input hash: known by its text
    assert result.steps == 0 and learner.skipped_evaluation == 1 and record.text not in learner.accepted
    assert learner.nlp.get_pipe(learner.trainable[0]).to_bytes(exclude=["vocab"]) == weights
    other = next(r for r in project.records(Filter(state="accepted")) if r.text not in held)
    assert learner.learn(other, snapshot=False).steps == learner.learn_settings.steps


def test_a_small_project_keeps_its_few_evaluation_documents_out_and_says_the_figure_is_rough(tmp_path):
    from nergui.core.train_data import split_data

    records = generated_training(30, seed=31)
    sample = EvaluationSample(0.2)
    held = [r for r in records if sample.holds(r)]
    assert 0 < len(held) < evaluation_sample.MIN_SCORED
    data = split_data(load_pipeline("blank:en"), records, generated_raw(10), settings=TrainSettings(), evaluation=sample)
    assert data.evaluation == held and len(data.train) == 30 - len(held)
    assert data.dev == [] and crossval.wanted(data)  # too few to score on: cross-validated as before
    with pytest.raises(TrainingError, match="every accepted document with spans is in the evaluation sample"):
        split_data(load_pipeline("blank:en"), held, settings=TrainSettings(), evaluation=sample)


def test_a_damaged_sample_setting_is_refused_by_name(sampled):
    sampled.set_setting(evaluation_sample.SETTING, "on")
    sampled.set_setting(evaluation_sample.FRACTION_SETTING, "lots")
    with pytest.raises(ProjectError, match="evaluation_fraction is 'lots'.*between 0 and 0.5"):
        EvaluationSample.from_project(sampled)
    assert evaluation_sample.configure(sampled, on=True, fraction=0.1) == EvaluationSample(0.1)
    assert evaluation_sample.configure(sampled, on=False) is None and evaluation_sample.chosen(sampled)
