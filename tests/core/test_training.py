import re

import spacy
import pytest

from nergui.bench.data import generated_raw, generated_training
from nergui.core import evaluate
from nergui.core.pipeline import ModelStore, clone, load_pipeline, predict
from nergui.core.training import NEW_NAME, Trainer, TrainSettings
from nergui.errors import TrainingError

FAST = dict(epochs=2, batch_size=8, dropout=0.2)


def _run(trainer):
    return list(trainer.run())


def test_blank_pipeline_learns_and_reports_progress():
    train = generated_training(120, seed=3)
    trainer = Trainer.on(load_pipeline("blank:en"), train, settings=TrainSettings(epochs=6, early_stopping=False))
    progress = _run(trainer)
    batches = [p for p in progress if not p.epoch_end]
    assert len(batches) == 6 * 15
    assert [p.step for p in batches] == list(range(1, len(batches) + 1))
    assert all(p.words_per_second > 0 and p.loss >= 0 for p in batches)
    assert batches[-1].fraction_done == pytest.approx(1.0) and batches[-1].eta_seconds == pytest.approx(0.0, abs=1e-6)
    assert sum(p.epoch_end for p in progress) == 6
    assert trainer.nlp.pipe_names == ["ner"]
    scores = evaluate.score_records(trainer.nlp, generated_training(40, seed=99), labels=["FASHION_BRAND"])
    assert scores["per_type"]["FASHION_BRAND"]["f"] > 0.8


def test_deterministic_given_a_seed():
    train = generated_training(60, seed=5)
    texts = [r.text for r in generated_training(10, seed=6)]
    outs = []
    for _ in range(2):
        trainer = Trainer.on(load_pipeline("blank:en"), train, settings=TrainSettings(**FAST, early_stopping=False, seed=7))
        _run(trainer)
        outs.append((predict(trainer.nlp, texts), trainer.nlp.get_pipe("ner").to_bytes()))
    assert outs[0] == outs[1]


def test_kept_weights_at_the_last_epoch_are_the_weights_the_run_keeps():
    train = generated_training(60, seed=5)
    trainer = Trainer.on(load_pipeline("blank:en"), train, settings=TrainSettings(**FAST, early_stopping=False))
    ner_bytes = {}
    for p in trainer.run():
        if p.epoch_end:
            raw = trainer.nlp.get_pipe("ner").to_bytes()
            with trainer.kept_weights() as nlp:
                ner_bytes[p.epoch] = nlp.get_pipe("ner").to_bytes()
            assert trainer.nlp.get_pipe("ner").to_bytes() == raw  # the raw weights are back afterwards
            assert ner_bytes[p.epoch] != raw  # a moving average, not the raw weights
    assert trainer.nlp.get_pipe("ner").to_bytes() == ner_bytes[FAST["epochs"] - 1]


def test_cancel_between_batches():
    trainer = Trainer.on(load_pipeline("blank:en"), generated_training(80), settings=TrainSettings(**FAST))
    seen = []
    for p in trainer.run():
        seen.append(p)
        if p.step == 3:
            trainer.control.cancel()
    assert max(p.step for p in seen) == 3


def test_rehearsal_change_reaches_the_next_batch(pretrained):
    train = generated_training(64, seed=1)
    raw = generated_raw(100)
    trainer = Trainer.on(pretrained, train, raw, settings=TrainSettings(epochs=1, batch_size=8, rehearsal=0.0,
                                                                     early_stopping=False))
    sizes = []
    last = 0
    for p in trainer.run():
        if p.epoch_end:
            continue
        sizes.append(p.examples_seen - last)
        last = p.examples_seen
        if p.step == 2:
            trainer.control.set_rehearsal(1.0)
    assert sizes[:2] == [8, 8] and all(s == 16 for s in sizes[2:])
    with pytest.raises(TrainingError, match="between 0 and 1"):
        trainer.control.set_rehearsal(1.5)


def test_new_component_keeps_the_original_and_saves_one_pipeline(tmp_path, pretrained):
    train = generated_training(120, seed=2)
    raw = generated_raw(200)
    before_labels = list(pretrained.get_pipe("ner").labels)
    trainer = Trainer.on(pretrained, train, raw, settings=TrainSettings(epochs=3, rehearsal=0.5))
    _run(trainer)
    nlp = trainer.nlp
    assert nlp.pipe_names.index(NEW_NAME) == nlp.pipe_names.index("ner") - 1
    # the base pipeline object was not touched (the trainer copies it)
    assert list(pretrained.get_pipe("ner").labels) == before_labels
    # the original NER inside the trained pipeline is frozen: same weights as the base for
    # every old action; the new label's actions were added muted (bias -1e4), never predicted
    frozen, orig = nlp.get_pipe("ner").model, pretrained.get_pipe("ner").model
    n_old = orig.get_ref("upper").get_param("W").shape[0]
    assert (frozen.get_ref("upper").get_param("W")[:n_old] == orig.get_ref("upper").get_param("W")).all()
    assert (frozen.get_ref("upper").get_param("b")[:n_old] == orig.get_ref("upper").get_param("b")).all()
    assert (frozen.get_ref("upper").get_param("b")[n_old:] <= -1e3).all()
    assert (frozen.get_ref("lower").get_param("W") == orig.get_ref("lower").get_param("W")).all()
    # and the new component predicts only the new label
    assert {e.label_ for r in generated_training(20, seed=8) for e in nlp.get_pipe(NEW_NAME)(nlp.make_doc(r.text)).ents} \
        <= {"FASHION_BRAND"}
    test = generated_training(30, seed=77)
    f = evaluate.score_records(nlp, test, labels=["FASHION_BRAND"])["per_type"]["FASHION_BRAND"]["f"]
    assert f > 0.7
    held = generated_raw(60, seed=9)
    ref = evaluate.teacher_entities(pretrained, held)
    assert evaluate.retention(nlp, held, ref, old_labels=before_labels) > 0.9
    version = ModelStore(tmp_path / "models").save(nlp, {"metrics": {"ents_f": f}})
    again = spacy.load(version.path)
    assert again.pipe_names == nlp.pipe_names
    assert predict(again, [r.text for r in test]) == predict(nlp, [r.text for r in test])


def test_in_place_adds_the_label_to_the_existing_ner(pretrained):
    trainer = Trainer.on(pretrained, generated_training(80, seed=4), generated_raw(100),
                      settings=TrainSettings(strategy="in-place", epochs=2, rehearsal=0.5))
    _run(trainer)
    assert NEW_NAME not in trainer.nlp.pipe_names
    labels = trainer.nlp.get_pipe("ner").labels
    assert "FASHION_BRAND" in labels and "PERSON" in labels


def test_rehearsal_examples_come_from_the_frozen_teacher(pretrained):
    raw = ["Angela Merkel visited Paris with Barack Obama on Monday."]
    trainer = Trainer.on(pretrained, generated_training(30), raw, settings=TrainSettings(strategy="in-place",
                                                                                        early_stopping=False))
    nlp = clone(pretrained)
    ex = trainer._rehearsal_example(nlp, raw[0], for_new=False)
    assert [e.label_ for e in ex.reference.ents] == [e.label_ for e in pretrained(raw[0]).ents]
    ex_new = trainer._rehearsal_example(nlp, raw[0], for_new=True)
    assert len(ex_new.reference.ents) == 0 and all(t.ent_iob_ == "O" for t in ex_new.reference)


def test_failure_inside_update_is_a_training_error(monkeypatch):
    trainer = Trainer.on(load_pipeline("blank:en"), generated_training(40), settings=TrainSettings(**FAST))
    calls = {"n": 0}
    real = spacy.language.Language.update

    def failing(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValueError("injected")
        return real(self, *a, **kw)

    monkeypatch.setattr(spacy.language.Language, "update", failing)
    with pytest.raises(TrainingError, match="ValueError: injected"):
        _run(trainer)

    def oom(self, *a, **kw):
        raise MemoryError("cannot allocate 8 GiB")

    monkeypatch.setattr(spacy.language.Language, "update", oom)
    trainer = Trainer.on(load_pipeline("blank:en"), generated_training(40), settings=TrainSettings(**FAST))
    with pytest.raises(TrainingError, match="ran out of memory"):
        _run(trainer)


def test_bad_settings_are_refused():
    with pytest.raises(TrainingError, match="Unknown strategy"):
        Trainer.on(load_pipeline("blank:en"), generated_training(5), settings=TrainSettings(strategy="magic"))
    with pytest.raises(TrainingError, match="between 0 and 1"):
        Trainer.on(load_pipeline("blank:en"), generated_training(5), settings=TrainSettings(rehearsal=2))


def test_documents_longer_than_the_pipeline_accepts_are_named_and_left_out():
    base = load_pipeline("blank:en")
    base.max_length = 300
    train = generated_training(30)
    from nergui.core.records import Record

    long = Record(text="word " * 100, spans=[], state="accepted", line=999)
    trainer = Trainer.on(base, train + [long], ["x " * 400, "short text"], settings=TrainSettings(**FAST))
    assert trainer.data.skipped == [long]
    assert long not in trainer.data.train and all(len(t) <= 300 for t in trainer.data.rehearsal)
    assert "x " * 400 not in trainer.data.retention
    _run(trainer)  # trains on the rest without spaCy's E088
    assert trainer.nlp is not None


@pytest.mark.parametrize("field, value, words", [
    ("unmarked", "fil", "unmarked cannot be 'fil'. Use one of: 'fill', 'o', 'missing'"),
    ("average", "emaa", "average cannot be 'emaa'. Use one of: 'ema', 'optimizer', 'none'"),
    ("rehearsal_marking", "O", "rehearsal_marking cannot be 'O'"),
    ("epochs", 0, "epochs must be between 1 and 10000 (got 0)"),
    ("dropout", 1.5, "dropout must be between 0.0 and 0.99"),
])
def test_a_misspelt_or_impossible_setting_is_refused_not_guessed(field, value, words):
    """Issue 11: a typo in ``unmarked`` used to mean "fill", one in ``average`` raw weights."""
    from dataclasses import replace

    from nergui.core.settings import CHOICES, STRATEGIES

    with pytest.raises(TrainingError, match=re.escape(words)):
        replace(TrainSettings(), **{field: value}).validate()
    assert CHOICES["strategy"] == STRATEGIES == ("new-component", "in-place")
