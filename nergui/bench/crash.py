"""``nergui bench crash``: kill -9 a process mid-edit and mid-save; count what was lost.

Annotations: a worker (``nergui.bench.crash_worker``) edits a project through the app's
core API (add and remove spans, set document states), printing ``ack`` after every
committed edit. It is killed with SIGKILL at a random moment; then every acknowledged edit
must be in the store, and ``PRAGMA integrity_check`` must say ok. The same project is used
for every trial, so each trial also starts from the state the previous crash left.

The annotations may also live in PostgreSQL (issue 14): ``--db URL`` (a server,
``postgresql://USER@HOST:PORT/DB``) makes a throwaway project there (its own schema,
dropped after), ``--own-cluster`` starts a throwaway server with ``.ci/pg-cluster`` as
``bench team`` does. The worker is the same; a kill -9 there drops its connection, so the
server rolls back the transaction in flight. The integrity check is then: no span, decision
or rejection of a document that is not there, no transaction of the killed worker left
open, and the app's own open. The model part always saves to a folder (``ModelStore``, the
database project's local copy too). ``backend`` in the row says which store was used.

Models: a worker saves model versions with ``ModelStore.save`` in a loop and is killed at a
random moment. Afterwards the current model (``models/CURRENT``) must load with both
``spacy.load`` and ``load_pipeline``, and be exactly the last acknowledged version or the
one being saved (a marker written into the weights, the meta and ``nergui.json``).

One JSON object per run (``--json``): ``trials``, ``acknowledged``, ``lost``,
``integrity_failures``, ``model_trials``, ``model_load_failures`` and more.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Msg
from . import emit

WORKER = "nergui.bench.crash_worker"


# ---------------------------------------------------------------------------- the worker process
@dataclass
class Killed:
    """What a killed worker said: acknowledged steps, the step in flight, and any error."""

    acks: list[dict] = field(default_factory=list)
    pending: dict | None = None
    ready: bool = False
    exit_code: int | None = None
    stderr: str = ""


def kill_at_random(args: list[str], delay: float, *, ready_timeout: float = 120.0) -> Killed:
    """Start the worker, wait for ``ready``, let it run ``delay`` seconds, SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-m", WORKER, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1, env=dict(os.environ))
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("ready"):
                ready.set()
        ready.set()  # end of output: the worker died before (or after) saying ready

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ready.wait(ready_timeout)
    if proc.poll() is None:
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join()
    out = Killed(exit_code=proc.returncode, stderr=proc.stderr.read())
    proc.stderr.close()
    proc.stdout.close()
    for line in lines:
        kind, _, payload = line.partition(" ")
        if kind == "ready":
            out.ready = True
        elif kind == "try":
            out.pending = json.loads(payload)
        elif kind == "ack":
            step = json.loads(payload)
            out.acks.append(step)
            out.pending = None
    return out


# ---------------------------------------------------------------------------- annotations
def make_project(path, *, docs: int = 40, seed: int = 0) -> None:
    """A project of ``docs`` documents of plain words, a few of them already marked."""
    from ..core.records import Record, Span
    from ..core.store import Project
    from .data import sentence

    rng = random.Random(seed)
    records = []
    for i in range(docs):
        text = " ".join(sentence(rng, 10) for _ in range(4))
        first = text.index(" ")
        records.append(Record(text, spans=[Span(0, first, "ORG")] if i % 3 == 0 else [], line=i + 1))
    with Project.create(path) as project:
        project.import_records(records, path="crash-bench")


def _fresh(db) -> Any:
    """A connection of the checker's own, not the app's: sqlite3 on the file, or psycopg on the
    project's schema (a URL)."""
    if isinstance(db, str):
        import psycopg
        from psycopg import sql

        from ..core.backends import postgres

        loc = postgres.parse_url(db)
        conn = psycopg.connect(loc.conninfo, autocommit=True)
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(loc.schema)))
        return conn
    return sqlite3.connect(db)


def snapshot(db) -> dict[tuple, Any]:
    """Every fact an edit can change: ``("state", doc) -> state``, ``("span", doc, start, end) -> label``.
    ``db``: the SQLite file, or a database project's URL."""
    conn = _fresh(db)
    try:
        facts: dict[tuple, Any] = {("state", d): s for d, s in conn.execute("SELECT id, state FROM documents")}
        for d, a, b, label in conn.execute('SELECT doc_id, start, "end", label FROM spans'):
            facts[("span", d, a, b)] = label
    finally:
        conn.close()
    return facts


def _key(step: dict) -> tuple:
    if step["op"] == "state":
        return ("state", step["doc"])
    return ("span", step["doc"], step["start"], step["end"])


def _apply(facts: dict[tuple, Any], step: dict) -> None:
    key = _key(step)
    if step["op"] == "state":
        facts[key] = step["state"]
    elif step["op"] == "add":
        facts[key] = step["label"]
    else:
        facts.pop(key, None)


PG_ORPHANS = ("spans", "decisions", "rejections")  # tables whose rows belong to a document


def pg_integrity(url: str, *, wait_s: float = 5.0) -> str:
    """A database project after a kill: no row of a document that is not there, no
    transaction of a dead worker still open on the server, and the app's own open."""
    from ..core.store import Project

    conn = _fresh(url)
    try:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        for table in PG_ORPHANS:
            if table not in tables:
                continue
            n = conn.execute(f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
                             "(SELECT 1 FROM documents d WHERE d.id = t.doc_id)").fetchone()[0]
            if n:
                return f"{n} rows of {table} belong to no document"
        for _ in range(max(1, int(wait_s * 10))):  # the server notices the dead client's socket at once; a moment
            open_ = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'nergui' "
                                 "AND state LIKE 'idle in transaction%' AND datname = current_database()"
                                 ).fetchone()[0]
            if not open_:
                break
            time.sleep(0.1)
        else:
            return f"{open_} transactions of a killed worker still open on the server"
    finally:
        conn.close()
    Project.open(url).close()
    return "ok"


def integrity(db) -> str:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` through a fresh connection, then
    the app's own open (which must succeed on what a crash left); for a URL, ``pg_integrity``."""
    from ..core.store import Project

    if isinstance(db, str):
        return pg_integrity(db)
    conn = sqlite3.connect(db)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    if result != "ok":
        return result
    if orphans:
        return f"foreign keys: {orphans[:3]}"
    Project.open(db.parent).close()
    return "ok"


def compare(before: dict, killed: Killed, after: dict) -> tuple[int, int]:
    """``(lost, unexpected)``: facts an acknowledged edit set that are not in the store, and
    facts that changed without any acknowledged or in-flight edit explaining them."""
    expected = dict(before)
    touched = set()
    for step in killed.acks:
        _apply(expected, step)
        touched.add(_key(step))
    with_pending = dict(expected)
    if killed.pending is not None:
        _apply(with_pending, killed.pending)
    lost = unexpected = 0
    for key in set(expected) | set(with_pending) | set(after):
        if after.get(key) in (expected.get(key), with_pending.get(key)):
            continue
        if key in touched:
            lost += 1
        else:
            unexpected += 1
    return lost, unexpected


def edit_trials(workdir: Path, trials: int, *, seed: int = 0, max_delay: float = 0.3,
                url: str | None = None) -> dict[str, Any]:
    """Kill an editing worker ``trials`` times; return the counts (see the module docstring).
    ``url``: a database project to make and edit (``postgresql://...?project=NAME``) instead
    of a folder under ``workdir``."""
    rng = random.Random(seed)
    project = url if url is not None else str(Path(workdir) / "crash-project")
    make_project(project, seed=seed)
    db = url if url is not None else Path(project) / "nergui.sqlite"
    row = {"backend": "postgres" if url is not None else "sqlite", "trials": trials, "acknowledged": 0, "lost": 0,
           "unexpected": 0, "integrity_failures": 0,
           "killed_mid_edit": 0, "worker_errors": 0, "errors": []}
    for trial in range(trials):
        before = snapshot(db)
        killed = kill_at_random(["edits", project, "--seed", str(rng.randrange(2**31))],
                                rng.uniform(0.0, max_delay))
        if not killed.ready or killed.exit_code != -signal.SIGKILL:
            row["worker_errors"] += 1
            row["errors"].append(f"trial {trial}: exit {killed.exit_code}: {killed.stderr.strip()[-300:]}")
        try:
            check = integrity(db)
        except Exception as err:  # noqa: BLE001 - any failure to open is an integrity failure
            check = f"{type(err).__name__}: {err}"
        if check != "ok":
            row["integrity_failures"] += 1
            row["errors"].append(f"trial {trial}: {check}")
            continue
        lost, unexpected = compare(before, killed, snapshot(db))
        row["acknowledged"] += len(killed.acks)
        row["lost"] += lost
        row["unexpected"] += unexpected
        row["killed_mid_edit"] += killed.pending is not None
    return row


# ---------------------------------------------------------------------------- model versions
def _temporaries(models: Path) -> list[Path]:
    return [p for p in models.iterdir() if p.name.startswith(".")]


def check_current(models: Path) -> tuple[Any, str | None]:
    """``(marker, problem)`` of the current model: it must load with ``spacy.load`` and with
    ``load_pipeline``, and its weights, meta and nergui.json must carry the same marker."""
    import spacy

    from ..core.pipeline import NERGUI_META, ModelStore, load_pipeline
    from .crash_worker import read_stamp

    path = ModelStore(models).current_path()
    if path is None:
        return None, "no current model"
    try:
        loaded = spacy.load(path)
        ours = load_pipeline(path)
        info = json.loads((path / NERGUI_META).read_text(encoding="utf-8"))
    except Exception as err:  # noqa: BLE001 - the figure counts load failures of any kind
        return None, f"load: {type(err).__name__}: {str(err)[:200]}"
    weight, meta = read_stamp(loaded)
    if read_stamp(ours) != (weight, meta) or not (weight == meta == info.get("marker")):
        return info.get("marker"), f"mixed version: weights {weight}, meta {meta}, nergui.json {info.get('marker')}"
    return meta, None


def model_trials(workdir: Path, trials: int, *, seed: int = 0, max_delay: float = 0.4) -> dict[str, Any]:
    """Kill a worker saving model versions ``trials`` times; return the counts."""
    from ..core.pipeline import ModelStore
    from .crash_worker import stamp, tiny_pipeline

    rng = random.Random(seed + 1)
    models = Path(workdir) / "crash-models"
    store = ModelStore(models)
    nlp = tiny_pipeline()
    stamp(nlp, 0)
    store.save(nlp, {"marker": 0})
    current = 0
    row = {"model_trials": trials, "model_saves_acknowledged": 0, "model_load_failures": 0,
           "model_mismatches": 0, "model_killed_mid_save": 0, "temporaries_after_kill": 0,
           "model_worker_errors": 0, "model_errors": []}
    for trial in range(trials):
        base = 1000 * (trial + 1)
        killed = kill_at_random(["model", str(models), "--marker", str(base)], rng.uniform(0.0, max_delay))
        if not killed.ready or killed.exit_code != -signal.SIGKILL:
            row["model_worker_errors"] += 1
            row["model_errors"].append(f"trial {trial}: exit {killed.exit_code}: {killed.stderr.strip()[-300:]}")
        row["model_saves_acknowledged"] += len(killed.acks)
        row["model_killed_mid_save"] += killed.pending is not None
        allowed = {killed.acks[-1]["marker"] if killed.acks else current}
        if killed.pending is not None:
            allowed.add(killed.pending["marker"])
        marker, problem = check_current(models)
        if problem is not None and marker is None:
            row["model_load_failures"] += 1
            row["model_errors"].append(f"trial {trial}: {problem}")
        elif problem is not None or marker not in allowed:
            row["model_mismatches"] += 1
            row["model_errors"].append(f"trial {trial}: {problem or f'marker {marker}, expected one of {allowed}'}")
        if marker is not None:
            current = marker
        row["temporaries_after_kill"] += len(_temporaries(models))
        keep = store.current_name()  # free the disk: drop the versions nobody points at
        for version in store.versions():
            if version.name != keep:
                shutil.rmtree(version.path)
    store.save(nlp, {"marker": -1})  # a later save clears what dead processes left behind
    row["temporaries_remaining"] = len(_temporaries(models))
    return row


@contextlib.contextmanager
def _server(db: str | None, own_cluster: bool, tmp: Path):
    """The URL of a throwaway database project (None: a folder), dropped after; with
    ``own_cluster`` on a server started for the run (``bench team``'s ``.ci/pg-cluster``)."""
    if db is None and not own_cluster:
        yield None
        return
    from ..core.backends import postgres
    from .team import CLUSTER

    os.environ.setdefault("NERGUI_CACHE_DIR", str(tmp / "cache"))  # the project's local folder: not the user's
    cluster = None
    if own_cluster:
        os.chmod(tmp, 0o755)  # the server's user reads its folder
        cluster = tmp / "cluster"
        db = subprocess.run([str(CLUSTER), "start", str(cluster)], check=True, capture_output=True,
                            text=True).stdout.strip()
    url = f"{db}{'&' if '?' in db else '?'}project=crashbench_{uuid.uuid4().hex[:10]}"
    try:
        yield url
    finally:
        try:
            if postgres.project_exists(url):
                postgres.drop_project(url)
        finally:
            if cluster is not None:
                subprocess.run([str(CLUSTER), "stop", str(cluster)], check=False, capture_output=True)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench crash", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", type=int, default=100, help="kills of the editing worker")
    p.add_argument("--model-trials", type=int, default=30, help="kills of the model-saving worker")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--db", metavar="URL", help="edit a throwaway project in this PostgreSQL server "
                                               "(postgresql://USER@HOST:PORT/DB), dropped after")
    p.add_argument("--own-cluster", action="store_true",
                   help="edit a project in a throwaway PostgreSQL server of the bench's own (.ci/pg-cluster)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not hasattr(signal, "SIGKILL"):
        print("nergui bench crash: needs SIGKILL (Linux or macOS)", file=sys.stderr)
        return 1
    if args.db and args.own_cluster:
        print(Msg.BENCH_CRASH_DB_OR_CLUSTER, file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nergui-crash-") as tmp:
        with _server(args.db, args.own_cluster, Path(tmp)) as url:
            row = edit_trials(Path(tmp), args.trials, seed=args.seed, url=url)
        if args.model_trials:
            row.update(model_trials(Path(tmp), args.model_trials, seed=args.seed))
    row["seconds"] = round(time.perf_counter() - started, 1)
    errors = row.pop("errors") + row.pop("model_errors", [])
    for line in errors[:20]:
        print(f"  {line}", file=sys.stderr)
    emit(row, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
