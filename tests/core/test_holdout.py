"""The fixed held-out share of accepted documents (per-label F after each epoch in the app)."""

from nergui.bench.data import generated_training
from nergui.core import holdout
from nergui.core.training import Trainer, TrainSettings


def test_small_projects_hold_out_nothing():
    records = generated_training(49)
    assert holdout.split(records) == (records, [])


def test_split_is_stable_and_about_the_fraction():
    records = generated_training(400)
    train, held = holdout.split(records)
    assert len(train) + len(held) == 400 and 0.08 < len(held) / 400 < 0.22
    held_texts = {r.text for r in held}
    # the same documents stay held out when more are added
    train2, held2 = holdout.split(records + generated_training(100, seed=7))
    assert held_texts <= {r.text for r in held2}
    assert not held_texts & {r.text for r in train2}


def test_hold_out_moves_documents_to_the_trainers_dev_records():
    import spacy

    trainer = Trainer(spacy.blank("en"), generated_training(60), settings=TrainSettings(epochs=1))
    n = holdout.hold_out(trainer)
    assert n == len(trainer.dev_records) > 0
    assert len(trainer.train_records) == 60 - n
    assert holdout.hold_out(trainer) == 0  # already has dev records

