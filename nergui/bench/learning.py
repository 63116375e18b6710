"""``nergui bench learning``: how well each strategy learns the new type, and what it forgets.

For each strategy at rehearsal 0, 0.25, 0.5 and 1.0, for the default settings, and for a
bare spaCy loop (new spans only, every other token "O") as the baseline: the new type's
P/R/F on the eval file, and the retention of the old types on held-out raw texts (F1 of
the updated model's old-type entities against the original model's).
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace

from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from ..core import evaluate
from ..core.pipeline import clone, load_pipeline, ner_labels
from ..core.training import Trainer, TrainSettings
from ..core.workflow import read_records, read_texts
from . import emit


def bare_loop(base, train, labels, *, epochs=10, batch_size=8, dropout=0.35, seed=0):
    """spaCy's documented recipe: add the label, resume training, update the NER on new spans only."""
    fix_random_seed(seed)
    nlp = clone(base)
    ner = nlp.get_pipe("ner")
    for label in labels:
        ner.add_label(label)
    optimizer = nlp.resume_training()
    others = [n for n in nlp.pipe_names if n != "ner"]
    examples = []
    for r in train:
        doc = nlp.make_doc(r.text)
        ents = [(s.start, s.end, s.label) for s in r.spans if s.label in labels]
        ex = Example.from_dict(doc, {"entities": [(a, b, l) for a, b, l in ents
                                                  if doc.char_span(a, b, alignment_mode="strict") is not None]})
        examples.append(ex)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=batch_size):
            nlp.update(list(batch), sgd=optimizer, drop=dropout, exclude=others)
    return nlp


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench learning", description=__doc__)
    p.add_argument("--train", required=True, help="annotated training file (e.g. fashion_brands_training.jsonl)")
    p.add_argument("--eval", dest="eval_file", required=True, help="annotated eval file")
    p.add_argument("--raw", required=True, help="raw texts: rehearsal pool and, held out, the retention texts")
    p.add_argument("--base", required=True, help="the original pipeline")
    p.add_argument("--held-out", type=int, default=300, help="raw texts held out for retention (default 300)")
    p.add_argument("--pool", type=int, default=3000, help="raw texts available for rehearsal (default 3000)")
    p.add_argument("--epochs", type=int, default=None, help="override the epochs of every setting")
    p.add_argument("--only", choices=["default", "baseline", "sweep", "unmarked"], action="append",
                   help="run only some of the settings (repeatable)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    train = read_records(args.train)
    evals = read_records(args.eval_file)
    raw = read_texts(args.raw)
    held = raw[-args.held_out:]
    pool = raw[: max(0, min(args.pool, len(raw) - args.held_out))]
    base = load_pipeline(args.base)
    teacher = clone(base)
    old = ner_labels(base)
    labels = sorted({s.label for r in train for s in r.spans})
    new_labels = [l for l in labels if l not in old] or labels
    reference = evaluate.teacher_entities(teacher, held)
    only = set(args.only or ["default", "baseline", "sweep", "unmarked"])

    def measure(nlp, started, **row):
        scores = evaluate.score_records(nlp, evals, labels=new_labels)
        per = [scores["per_type"][l] for l in new_labels]
        row.update(
            new_p=sum(s["p"] for s in per) / len(per), new_r=sum(s["r"] for s in per) / len(per),
            new_f=sum(s["f"] for s in per) / len(per),
            retention=evaluate.retention(nlp, held, reference, old_labels=old) if old else None,
            seconds=round(time.perf_counter() - started, 1),
        )
        emit(row, as_json=args.json)

    defaults = TrainSettings(seed=args.seed)
    if args.epochs:
        defaults = replace(defaults, epochs=args.epochs)
    if "baseline" in only:
        started = time.perf_counter()
        nlp = bare_loop(base, train, new_labels, epochs=defaults.epochs, seed=args.seed)  # as many epochs as the trainer
        measure(nlp, started, setting="baseline", strategy="bare-spacy-loop", rehearsal=0.0, epochs=defaults.epochs)
    runs = []
    if "sweep" in only:
        runs += [("sweep", replace(defaults, strategy=s, rehearsal=r))
                 for s in ("new-component", "in-place") for r in (0.0, 0.25, 0.5, 1.0)]
    if "unmarked" in only:
        # in place, how tokens the user did not mark count for the old types ("fill" is in the sweep)
        runs += [(f"unmarked-{u}", replace(defaults, strategy="in-place", rehearsal=0.5, unmarked=u))
                 for u in ("o", "missing")]
    if "default" in only:
        runs.append(("default", defaults))
    for setting, settings in runs:
        started = time.perf_counter()
        trainer = Trainer.on(base, train, pool, settings=replace(settings), labels=labels, teacher=teacher)
        for _ in trainer.run():
            pass
        measure(trainer.nlp, started, setting=setting, strategy=settings.strategy, rehearsal=settings.rehearsal,
                epochs=settings.epochs, unmarked=settings.unmarked if settings.strategy == "in-place" else None)
    return 0
