"""The ``nergui`` command: no subcommand opens the app; subcommands run the engine headless.

Thin on purpose: it parses arguments, calls ``nergui.core.workflow`` and prints. A user
error prints one line and exits 1; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .core.format_names import READ_FORMATS, WRITE_FORMATS
from .core.settings import STRATEGIES
from .errors import Msg, NerguiError, detail as error_detail

COMMANDS = ("import", "export", "train", "evaluate", "models", "migrate", "roles", "agreement", "review", "bench")


def _columns(value: str) -> tuple[int, int]:
    """``"2,3"`` (1-based, as a user counts) to ``(1, 2)``."""
    parts = value.replace(" ", "").split(",")
    if len(parts) != 2 or not all(p.isdigit() and int(p) >= 1 for p in parts) or parts[0] == parts[1]:
        raise argparse.ArgumentTypeError(
            f"{value!r}: give two different column numbers counted from 1, token first, e.g. --columns 2,3")
    return int(parts[0]) - 1, int(parts[1]) - 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nergui", description="Label named entities and train a spaCy model.")
    sub = p.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import a file into a project (created if missing)")
    imp.add_argument("project")
    imp.add_argument("file")
    imp.add_argument("--format", dest="fmt", choices=list(READ_FORMATS), metavar="FORMAT",
                     help="the file's format, if telling it from the content goes wrong: " + ", ".join(READ_FORMATS))
    imp.add_argument("--columns", type=_columns, metavar="TOKEN,TAG",
                     help="column files: which column holds the token and which the tag, counted from 1 (e.g. 2,3)")
    imp.add_argument("--text-key", metavar="FIELD",
                     help="Label Studio: the field of \"data\" that holds the text; CSV/TSV: the text column")
    imp.add_argument("--encoding", metavar="ENCODING",
                     help="how the file is encoded, if not UTF-8 (e.g. latin-1, cp1252, utf-16)")
    imp.add_argument("--base", help="the project's pipeline: a package name, a folder or blank:LANG")
    imp.add_argument("--partial", action="store_true", help="import the good documents even if some are bad")

    exp = sub.add_parser("export", help="export annotations or the current model")
    exp.add_argument("project")
    exp.add_argument("path")
    exp.add_argument("--format", dest="fmt", required=True, choices=[*WRITE_FORMATS, "pipeline"])
    exp.add_argument("--all", action="store_true", help="export every document, not only accepted ones")

    tr = sub.add_parser("train", help="train on the accepted annotations and save a new model version")
    tr.add_argument("project")
    tr.add_argument("--base", help="package name, folder or blank:LANG (default: the project's)")
    tr.add_argument("--label", action="append", dest="labels", help="train only these labels (repeatable)")
    tr.add_argument("--rehearsal", type=float, default=None, help="rehearsal mix, 0 to 1 (default 0.25)")
    tr.add_argument("--raw", help="a file of raw text for rehearsal (any importable format)")
    tr.add_argument("--raw-only", action="store_true",
                    help="rehearse only on --raw's texts, not on the project's unannotated documents")
    tr.add_argument("--epochs", type=int, default=None)
    tr.add_argument("--batch-size", type=int, default=None)
    tr.add_argument("--dropout", type=float, default=None)
    tr.add_argument("--strategy", choices=list(STRATEGIES), default=None)
    tr.add_argument("--eval", dest="eval_file", help="an annotated file to score the result on")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--no-cv", dest="cross_validate", action="store_false",
                    help="below 50 accepted documents, do not cross-validate the new types after training")

    ev = sub.add_parser("evaluate", help="score the current model on an annotated file")
    ev.add_argument("project")
    ev.add_argument("--eval", dest="eval_file", required=True)
    ev.add_argument("--raw", help="raw text to measure retention of the old types on")

    mo = sub.add_parser("models", help="list model versions, or roll back to one")
    mo.add_argument("project")
    mo.add_argument("--use", metavar="VERSION", help="make VERSION (e.g. v0002) the current model")

    mig = sub.add_parser("migrate", help="move a project folder into a PostgreSQL database (a team's)",
                         description="Move a project folder, with every document, span, rejection, suggestion, "
                                     "label, setting, run and model version, into a database, in one transaction; "
                                     "the counts are checked on both sides. The folder stays, a project of its own.")
    mig.add_argument("folder", help="the project folder")
    mig.add_argument("url", help="postgresql://HOST[:PORT]/DATABASE?project=NAME (no password: use ~/.pgpass)")

    ro = sub.add_parser("roles", help="give a database user a role in a team's project (its owner runs this)",
                        description="annotator: only their own spans and rejections; reviewer: anyone's; admin: "
                                    "labels, settings, imports, training and models too. Enforced by the database "
                                    "(row-level security), whatever program connects.")
    ro.add_argument("url", help="the project, postgresql://HOST/DATABASE?project=NAME")
    ro.add_argument("user", help="a database user (CREATE ROLE NAME LOGIN)")
    ro.add_argument("role", choices=("annotator", "reviewer", "admin"))

    ag = sub.add_parser("agreement", help="how far a team's annotators agree: per label and pair, span F1 and kappa",
                        description="For each pair of annotators, over the documents both accepted: span F1 (exact "
                                    "and overlapping) and token-level Cohen's kappa, per label and for all labels.")
    ag.add_argument("project", help="a project folder or postgresql://HOST/DATABASE?project=NAME")
    ag.add_argument("--json", action="store_true", help="print one JSON object")

    rv = sub.add_parser("review", help="a team's documents whose annotators differ (review them in the window)",
                        description="Lists the documents whose annotators' finished versions differ, and how many "
                                    "every annotator finished alike; --accept-agreed accepts those without review.")
    rv.add_argument("project", help="a project folder or postgresql://HOST/DATABASE?project=NAME")
    rv.add_argument("--accept-agreed", action="store_true", help="accept the documents everyone finished alike")

    sub.add_parser("bench", help="benchmarks (nergui bench --help)", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--train-child"]:  # the app's training process (nergui.core.child); no Qt
        from .core.child import child_main

        code = child_main()
        sys.stderr.flush()
        os._exit(code)  # everything is saved and closed; skip tearing down the pipelines
    if argv[:1] == ["--learn-child"]:  # learning while annotating (nergui.core.learn_child); no Qt
        from .core.learn_child import child_main as learn_child_main

        code = learn_child_main()
        sys.stderr.flush()
        os._exit(code)
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        from .gui.app import run_app

        return run_app(argv)
    if argv[0] == "bench":
        from .bench import main as bench_main

        return _guard(lambda: bench_main(argv[1:]))
    args = _parser().parse_args(argv)
    return _guard(lambda: _COMMANDS[args.command](args))


def _guard(fn) -> int:
    """Run a command: a user error (a damaged, busy or read-only database among them: the
    store raises those as NerguiError) or an unexpected exception is one line on stderr and
    exit 1, never a traceback (NERGUI_DEBUG=1 re-raises unexpected ones)."""
    try:
        return fn() or 0
    except NerguiError as err:
        print(f"nergui: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nergui: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("NERGUI_DEBUG"):
            raise
        detail = error_detail(err, limit=300)
        print(f"nergui: {Msg.INTERNAL.format(detail=detail)}", file=sys.stderr)
        return 1


def _import(args) -> int:
    from .core import workflow
    from .core.backends import is_url

    folder = Path(args.project)
    if is_url(args.project):
        from .core.backends.postgres import project_exists

        existed = had_db = project_exists(args.project)
    else:
        existed, had_db = folder.exists(), (folder / "nergui.sqlite").exists()
    report = None
    try:
        with workflow.open_or_create(args.project) as project:
            report = workflow.import_file(project, args.file, fmt=args.fmt, partial=args.partial, base=args.base,
                                          columns=args.columns, text_key=args.text_key, encoding=args.encoding)
    finally:
        if not had_db and not (report and report.committed):
            if is_url(args.project):
                from .core.backends.postgres import drop_project

                drop_project(args.project)  # nothing imported: no project either
            else:
                _forget_new_project(folder, remove_folder=not existed)  # nothing imported: no project either
    for problem in report.problems[:20]:
        print(f"  problem: {problem}", file=sys.stderr)
    if len(report.problems) > 20:
        print(f"  ... and {len(report.problems) - 20} more problems", file=sys.stderr)
    for warning in report.warnings[:20]:
        print(f"  warning: {warning}", file=sys.stderr)
    print(report.summary())
    if report.problems and not report.committed:
        first = report.problems[0]
        print(f"nergui: {len(report.problems)} problem(s), nothing was imported (first: {first}). "
              f"The file was read as {report.detected or 'chosen'}. Fix the file, pass --partial to import the "
              "good documents, or --format (and --columns) if it was read as the wrong format.", file=sys.stderr)
        return 1
    return 0


def _forget_new_project(folder: Path, *, remove_folder: bool) -> None:
    """Remove the files an import just created in ``folder`` (and the folder, if it made it)."""
    removals = [(folder / name).unlink for name in ("nergui.sqlite", "nergui.sqlite-wal", "nergui.sqlite-shm")]
    removals.append((folder / "models").rmdir)  # only if empty, as is every rmdir here
    if remove_folder:
        removals.append(folder.rmdir)
    for remove in removals:
        try:
            remove()
        except OSError:  # absent, not empty, or not ours to remove
            pass


def _export(args) -> int:
    from .core import workflow

    with workflow.Project.open(args.project) as project:
        notes: list[str] = []
        n = workflow.export_project(project, args.path, fmt=args.fmt, state=None if args.all else "accepted",
                                    notes=notes)
    print(f"exported {'the current model' if args.fmt == 'pipeline' else f'{n} documents'} to {args.path}")
    for note in notes:
        print(note)
    return 0


def _train(args) -> int:
    from .core import workflow
    from .core.training import TrainSettings

    settings = TrainSettings(seed=args.seed, cross_validate=args.cross_validate)
    for name in ("rehearsal", "epochs", "batch_size", "dropout", "strategy"):
        value = getattr(args, name)
        if value is not None:
            setattr(settings, name, value)
    with workflow.Project.open(args.project) as project:
        job = workflow.prepare_training(project, base=args.base, labels=args.labels, settings=settings,
                                        raw_file=args.raw, eval_file=args.eval_file,
                                        project_raw=not args.raw_only)
    data = job.data
    for record in data.skipped:
        print(f"  warning: {Msg.TRAIN_SKIPPED_LONG.format(doc=record.line, length=len(record.text))}", file=sys.stderr)
    print(f"training {', '.join(data.labels)} on {len(data.train)} documents "
          f"({settings.strategy}, rehearsal {settings.rehearsal:.2f}, {len(data.rehearsal)} rehearsal texts)")
    last = 0.0
    try:
        for p in job.run():
            now = time.monotonic()
            if p.epoch_end:
                sc = p.scores or {}
                parts = [f"epoch {p.epoch + 1}/{settings.epochs}"]
                if "new_f" in sc:
                    parts.append(f"dev F {sc['new_f']:.3f}")
                if "retention" in sc:
                    parts.append(f"retention {sc['retention']:.3f}")
                print("  " + ", ".join(parts) + (" (best)" if p.is_best else ""))
            elif now - last > 2:
                last = now
                print(f"  step {p.step}, {p.fraction_done:.0%}, loss {p.loss:.2f}, {p.words_per_second:,.0f} words/s, "
                      f"ETA {p.eta_seconds:.0f}s", flush=True)
        result = job.evaluate()
        for i, ev in enumerate(job.cross_validate()):
            now = time.monotonic()
            if i == 0 or now - last > 2:  # say when it starts, then every 2 s at most
                last = now
                print("  " + Msg.CV_PROGRESS.format(fold=ev.fold, folds=ev.folds, epochs=ev.epochs,
                                                    eta=f"{ev.eta_seconds:.0f}s"), flush=True)
    except NerguiError as err:
        job.fail(str(err))
        raise
    except KeyboardInterrupt:
        job.fail("interrupted")
        raise
    version = job.finish(keep=True)
    _print_scores(result)
    print(f"saved model {version.name} ({result['seconds']:.0f}s)")
    return 0


def _print_scores(result: dict) -> None:
    """Per-label F (held out, or cross-validated on a small project) and retention with its
    95 % interval, relabelling into the new types apart."""
    cv = result.get("cv_per_type") or {}
    for label in result.get("labels", []):
        f = result.get("per_type", {}).get(label, {}).get("f")
        before = result.get("before", {}).get(label)
        if f is not None:
            print(f"  {label}: F {before or 0:.3f} -> {f:.3f}")
        elif label in cv:
            print(Msg.CV_CLI.format(label=label, **cv[label], spread=result["cv_spread"].get(label, 0.0),
                                    folds=result["cv_folds"], n=result["cv_documents"], epochs=result["cv_epochs"]))
    _print_evaluation(result)
    if "retention" in result:
        print(Msg.CLI_RETENTION.format(value=result["retention"], low=result.get("retention_low", 0.0),
                                       high=result.get("retention_high", 1.0), n=result.get("retention_texts", 0)))
        moved = (result.get("retention_detail") or {}).get("relabelled")
        if moved:
            print(Msg.CLI_RETENTION_RELABELLED.format(
                moved=moved, value=result["retention_excluding_relabelled"],
                low=result["retention_excluding_relabelled_low"], high=result["retention_excluding_relabelled_high"]))


def _print_evaluation(result: dict) -> None:
    """Per-label P/R/F on the project's evaluation sample (documents never trained on)."""
    from .core.evaluation_sample import MIN_SCORED, SOURCE

    n = result.get("evaluation_documents")
    if not n:
        return
    print(Msg.EVAL_SAMPLE_CLI.format(n=n))
    for label, s in (result.get("evaluation_per_type") or {}).items():
        print(Msg.EVAL_SAMPLE_CLI_ROW.format(label=label, p=s["p"], r=s["r"], f=s["f"]))
    if n < MIN_SCORED and result.get("dev_source") != SOURCE:
        source = result.get("dev_source") or ("cross-validation" if result.get("cv_per_type") else "nothing")
        print(Msg.EVAL_SAMPLE_CLI_FEW.format(min_docs=MIN_SCORED, source=source))


def _evaluate(args) -> int:
    from .core import workflow

    with workflow.Project.open(args.project) as project:
        scores = workflow.evaluate_project(project, args.eval_file, raw_file=args.raw)
    print(f"{'label':<24} {'P':>6} {'R':>6} {'F':>6}")
    for label, s in scores["per_type"].items():
        print(f"{label:<24} {s['p']:6.3f} {s['r']:6.3f} {s['f']:6.3f}")
    print(f"{'all':<24} {scores['ents_p']:6.3f} {scores['ents_r']:6.3f} {scores['ents_f']:6.3f}")
    if "retention" in scores:
        print(f"retention of the old types: {scores['retention']:.3f} (on the {scores['retention_texts']:,} texts "
              f"of {args.raw} that training holds out of rehearsal)")
        if "retention_low" in scores:
            print(Msg.CLI_INTERVAL.format(low=scores["retention_low"], high=scores["retention_high"]))
    elif args.raw:
        print(f"retention: not measured ({args.raw} has too few texts to hold any out; 50 or more are needed)")
    return 0


def _models(args) -> int:
    from .core import workflow
    from .core.pipeline import ModelStore

    with workflow.Project.open(args.project) as project:
        store = ModelStore(project.models_dir)
        if args.use:
            store.set_current(args.use)
            print(f"current model is now {args.use}")
            return 0
        current = store.current_name()
        versions = store.versions()
        if not versions:
            print("no model versions yet")
        for v in versions:
            m = v.info.get("metrics", {})
            f = m.get("ents_f")
            r = m.get("retention")
            print(f"{'*' if v.name == current else ' '} {v.name}  {time.strftime('%Y-%m-%d %H:%M', time.localtime(v.created))}"
                  f"  F {f if f is None else round(f, 3)}  retention {r if r is None else round(r, 3)}")
    return 0


def _migrate(args) -> int:
    from .core.store_migrate import migrate

    print(f"moving {args.folder} to {args.url}")
    migrate(args.folder, args.url)
    print(f"done: open it with 'nergui {args.url}' (the folder {args.folder} stays, a project of its own)")
    return 0


def _roles(args) -> int:
    from .core.backends import pg_roles
    from .core.store import Project
    from .core.store_errors import translated

    with Project.open(args.url) as project, translated(project.path):
        pg_roles.grant(project.conn.raw, project.backend.loc, args.user, args.role)
    print(f"{args.user} is now {args.role} of {args.url}")
    return 0


def _agreement(args) -> int:
    from .core.agreement import agreement
    from .core.store import Project
    from .core.versions import is_team

    with Project.open(args.project) as project:
        if not is_team(project):  # one version of each document: nothing to compare
            print(json.dumps({"pairs": [], "note": Msg.ONE_VERSION_PROJECT}) if args.json else Msg.ONE_VERSION_PROJECT)
            return 0
        result = agreement(project)
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.table())
    return 0


def _review(args) -> int:
    from .core import review
    from .core.store import Project
    from .core.versions import is_team

    with Project.open(args.project) as project:
        if not is_team(project):
            print(Msg.ONE_VERSION_PROJECT)
            return 0
        if args.accept_agreed:
            agreed = review.accept_agreed(project)
            print(Msg.REVIEW_AGREED.format(n=len(agreed), s="" if len(agreed) == 1 else "s"))
        differ = review.differing(project)
        alike = len(review.agreed(project))
        print(f"{len(differ)} document{'' if len(differ) == 1 else 's'} to review (their annotators differ)"
              + (": " + ", ".join(map(str, differ[:50])) + (" ..." if len(differ) > 50 else "") if differ else ""))
        print(f"{alike} document{'' if alike == 1 else 's'} every annotator finished alike, not yet accepted")
    return 0


_COMMANDS = {"import": _import, "export": _export, "train": _train, "evaluate": _evaluate, "models": _models,
             "migrate": _migrate, "roles": _roles, "agreement": _agreement,
             "review": _review}

if __name__ == "__main__":
    sys.exit(main())
