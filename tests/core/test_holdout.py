"""The fixed held-out share of accepted documents (per-label F after each epoch in the app)."""

from nergui.bench.data import generated_training
from nergui.core import holdout
from nergui.core.train_data import split_data
from nergui.core.training import TrainSettings


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


def test_the_run_scores_on_the_held_out_share_and_never_trains_on_it():
    import spacy

    records = generated_training(60)
    data = split_data(spacy.blank("en"), records, settings=TrainSettings(epochs=1), hold_out=True)
    _, held = holdout.split(records)
    assert data.dev == held and data.dev_source == "held-out share" and len(data.train) == 60 - len(held) > 0
    assert not {r.text for r in data.dev} & {r.text for r in data.train}
    without = split_data(spacy.blank("en"), records, settings=TrainSettings(epochs=1))
    assert without.dev == [] and len(without.train) == 60
    evals = generated_training(5, seed=9)  # an eval file wins over the held-out share
    with_file = split_data(spacy.blank("en"), records, settings=TrainSettings(epochs=1), hold_out=True,
                           eval_records=evals)
    assert with_file.dev == evals and with_file.dev_source == "eval file" and len(with_file.train) == 60
