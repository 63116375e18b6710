"""``nergui bench team``: a team annotating one PostgreSQL project at once, with a crash
and a server restart in the middle (issue 14).

A project of ``--docs`` generated documents (imported into a SQLite folder, then moved to
the database with ``nergui migrate``'s COPY: the fastest path there is) gets
``annotations_per_task`` 2, a label, and one login user per annotator with the
``annotator`` role (``core/backends/pg_roles.py``, as ``nergui roles`` gives it).
``--workers`` annotator processes (``nergui.bench.team_worker``) then annotate for
``--seconds`` through the window's engine calls (``Router.next``, ``add_span``,
``set_state`` accepted, ``Router.finish``), each logging every acknowledged edit to a file
before it moves on. At 30 % of the time one worker is killed with SIGKILL; at 55 % the
server is restarted (``pg_ctl restart -m fast``); the other workers reconnect and go on.

The server: ``--db URL --pgdata DIR`` uses a running cluster whose data folder is DIR (the
bench restarts it with ``pg_ctl``, as the folder's owner; it makes a throwaway project and
login users there and drops them after); without ``--db`` the bench starts a throwaway
cluster of its own with ``.ci/pg-cluster`` (a free localhost port, a temporary folder) and
removes it after.

Figures (one JSON row with ``--json``): ``over_assigned`` (documents more than 2
annotators hold, finished or wrote spans on: must be 0), ``lost`` (acknowledged spans,
verdicts and review-mode decisions not in the store afterwards: must be 0),
``rls_violations`` (attempts to change another annotator's rows, spans, rejections,
assignments and decisions, the database did not refuse: must be 0), ``save_p95_ms``
(adding a span), ``next_doc_p95_ms`` (``Router.next``), and the amounts measured: ``docs_in_store``,
``processes``, ``edits_acknowledged`` (spans and verdicts), ``assignments_finished``,
``decisions_acknowledged`` (one before each round of attempts), ``rls_attempts``, ``kills``,
``restarts``, ``restart_s``, ``retries`` (steps the restart made workers do again),
``edits_after_restart`` and ``workers_through_restart`` (workers that acknowledged edits
after the server came back: all but the killed one, unless the documents ran out first).
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from ..errors import Msg
from . import emit
from .data import sentence

WORKER = "nergui.bench.team_worker"
PER_TASK = 2
KILL_AT, RESTART_AT = 0.3, 0.55  # shares of --seconds
CLUSTER = Path(__file__).resolve().parents[2] / ".ci" / "pg-cluster"


# ---- the server ------------------------------------------------------------------------------
def _pg_bin(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    newest = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parts[-3]))
    if not newest:
        raise SystemExit(Msg.BENCH_TEAM_NO_PG.format(tool=tool))
    return str(newest[-1])


def _as_owner(pgdata: Path) -> list[str]:
    """Run pg_ctl as the data folder's owner (PostgreSQL refuses root)."""
    owner = os.stat(pgdata).st_uid
    if os.getuid() == 0 and owner != 0:
        return ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--"]
    return []


def restart(pgdata: Path) -> float:
    """``pg_ctl restart -m fast`` (the options it was started with kept); seconds it took."""
    t = time.perf_counter()
    subprocess.run([*_as_owner(pgdata), _pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "-t", "60",
                    "restart"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t


# ---- the project -----------------------------------------------------------------------------
def make_project(server: str, docs: int, tmp: Path) -> str:
    """A ``docs``-document team project in the database (SQLite import, then migrate's COPY)."""
    from ..core.records import Record
    from ..core.routing import LEASE
    from ..core.store import Project
    from ..core.store_migrate import migrate
    from ..core.versions import PER_TASK as PER_TASK_SETTING

    rng = random.Random(0)
    folder = tmp / "source"
    with Project.create(folder) as project:
        project.set_setting("base_pipeline", "blank:en")
        project.add_label("THING")
        project.set_setting(PER_TASK_SETTING, str(PER_TASK))
        project.set_setting(LEASE, "3600")  # no lease runs out during the run: every holder counts
        project.import_records((Record(" ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 8))),
                                       line=i + 1) for i in range(docs)), path="bench-team")
    url = f"{server}{'&' if '?' in server else '?'}project=benchteam_{uuid.uuid4().hex[:10]}"
    migrate(folder, url, say=lambda _line: None)
    shutil.rmtree(folder)
    return url


def _as_user(url: str, user: str) -> str:
    scheme, rest = url.split("://", 1)
    host = rest.split("@", 1)[-1]
    return f"{scheme}://{user}@{host}"


def make_users(url: str, n: int) -> list[str]:
    """``n`` login users with the project's annotator role (``nergui roles``)."""
    from ..core.backends import pg_roles
    from ..core.store import Project

    tag = uuid.uuid4().hex[:6]
    users = [f"bt{tag}_a{i}" for i in range(n)]
    with Project.open(url) as project:
        raw = project.conn.raw
        for user in users:
            raw.execute(f'CREATE ROLE "{user}" LOGIN')
            pg_roles.grant(raw, project.backend.loc, user, "annotator")
    return users


def drop(url: str, users: list[str]) -> None:
    import psycopg

    from ..core.backends import pg_roles, postgres

    loc = postgres.parse_url(url)
    postgres.drop_project(url)
    with psycopg.connect(loc.conninfo, autocommit=True) as raw:
        for role in [*users, *(pg_roles.group(loc, r) for r in pg_roles.ROLES)]:
            if _role_exists(raw, role):
                raw.execute(f'DROP OWNED BY "{role}"')
                raw.execute(f'DROP ROLE "{role}"')


def _role_exists(raw, role: str) -> bool:
    return raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


# ---- the run ---------------------------------------------------------------------------------
def run(url: str, pgdata: Path, users: list[str], seconds: float, tmp: Path) -> dict:
    """Start the workers, kill one, restart the server, wait; returns what happened."""
    env = dict(os.environ, NERGUI_CACHE_DIR=str(tmp / "cache"))
    procs, logs, ready = [], [], []
    for i, user in enumerate(users):
        log = tmp / f"worker{i}.jsonl"
        other = users[(i + 1) % len(users)]
        proc = subprocess.Popen([sys.executable, "-m", WORKER, "--url", _as_user(url, user), "--log", str(log),
                                 "--other", other, "--seconds", str(seconds)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        event = threading.Event()
        threading.Thread(target=_wait_ready, args=(proc, event), daemon=True).start()
        procs.append(proc)
        logs.append(log)
        ready.append(event)
    for event in ready:
        event.wait(120)
    start = time.monotonic()
    kills = restarts = 0
    restart_s = 0.0
    time.sleep(seconds * KILL_AT)
    victim = procs[0]
    if victim.poll() is None:
        victim.send_signal(signal.SIGKILL)
        kills += 1
    time.sleep(max(0.0, start + seconds * RESTART_AT - time.monotonic()))
    restart_s = restart(pgdata)
    restarted_at = time.time()  # the server is back: what workers acknowledge from now on came through it
    restarts += 1
    errors = []
    for proc in procs:
        try:
            proc.wait(timeout=seconds + 180)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc is not victim and proc.returncode != 0:
            errors.append(proc.stderr.read()[-2000:])
    return {"logs": logs, "kills": kills, "restarts": restarts, "restart_s": restart_s, "errors": errors,
            "restarted_at": restarted_at,
            "wall_s": time.monotonic() - start}


def _wait_ready(proc, event) -> None:
    for line in proc.stdout:
        if line.startswith("ready"):
            event.set()
    event.set()


def _rows(log: Path) -> list[dict]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:  # the half-written last line of a killed worker: not acknowledged
            pass
    return out


def check(url: str, users: list[str], logs: list[Path], restarted_at: float) -> dict:
    """Count what the store holds against what each worker acknowledged."""
    import psycopg
    from psycopg import sql

    from ..core.backends import postgres

    loc = postgres.parse_url(url)
    with psycopg.connect(loc.conninfo, autocommit=True) as raw:
        raw.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(loc.schema)))
        spans = set(raw.execute('SELECT doc_id, start, "end", label, annotator FROM spans').fetchall())
        decided = set(raw.execute('SELECT doc_id, start, "end", label, annotator FROM decisions').fetchall())
        done = {tuple(r) for r in raw.execute("SELECT doc_id, annotator FROM assignments WHERE done = 1")}
        docs = raw.execute("SELECT count(*) FROM documents").fetchone()[0]
        # everyone on a document: an assignment (held, expired or done) or a span of theirs
        over = raw.execute(
            "SELECT count(*) FROM (SELECT doc_id FROM (SELECT doc_id, annotator FROM assignments"
            " UNION SELECT doc_id, annotator FROM spans WHERE annotator IS NOT NULL) who"
            " GROUP BY doc_id HAVING count(*) > %s) o", (PER_TASK,)).fetchone()[0]
    acked = lost = rls_attempts = rls_violations = retries = finished = after_restart = spans_acked = 0
    decisions_acked = 0
    saves, nexts, through = [], [], set()
    for user, log in zip(users, logs):
        for row in _rows(log):
            kind = row.get("k")
            if kind in ("span", "accept") and row["t"] > restarted_at:
                after_restart += 1
                through.add(user)
            if kind == "span":
                acked += 1
                spans_acked += 1
                saves.append(row["ms"])
                lost += (row["doc"], row["start"], row["end"], row["label"], user) not in spans
            elif kind == "accept":
                acked += 1
                finished += 1
                lost += (row["doc"], user) not in done
            elif kind == "decide":  # a review-mode decision (team_worker.decide)
                decisions_acked += 1
                lost += (row["doc"], row["start"], row["end"], row["label"], user) not in decided
            elif kind == "next" and row.get("doc") is not None:
                nexts.append(row["ms"])
            elif kind == "rls":
                rls_attempts += 1
                rls_violations += not row["refused"]
            elif kind == "retry":
                retries += 1
    return {"over_assigned": over, "lost": lost, "rls_violations": rls_violations,
            "save_p95_ms": _p95(saves), "save_p50_ms": _p50(saves),
            "next_doc_p95_ms": _p95(nexts), "next_doc_p50_ms": _p50(nexts),
            "docs_in_store": docs, "edits_acknowledged": acked, "spans_acknowledged": spans_acked,
            "assignments_finished": finished, "decisions_acknowledged": decisions_acked,
            "rls_attempts": rls_attempts, "retries": retries, "edits_after_restart": after_restart,
            "workers_through_restart": len(through)}


def _p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[-1], 2) if len(values) > 1 else 0.0


def _p50(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench team", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", metavar="URL", help="a PostgreSQL server, postgresql://USER@HOST:PORT/DB (its owner or a "
                                               "superuser: the bench makes login users); needs --pgdata")
    p.add_argument("--pgdata", metavar="DIR", help="that server's data folder (the bench restarts it with pg_ctl)")
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--workers", type=int, default=5)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.db and not args.pgdata:
        print(Msg.BENCH_TEAM_NEEDS_PGDATA, file=sys.stderr)
        return 2
    if args.workers < 2:
        print(Msg.BENCH_TEAM_WORKERS, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="nergui-bench-team-") as tmp_name:
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o755)
        cluster = None
        server, pgdata = args.db, Path(args.pgdata) if args.pgdata else None
        if server is None:
            cluster = tmp / "cluster"
            server = subprocess.run([str(CLUSTER), "start", str(cluster)], check=True, capture_output=True,
                                    text=True).stdout.strip()
            pgdata = cluster / "data"
        url, users = None, []
        try:
            t = time.perf_counter()
            url = make_project(server, args.docs, tmp)
            import_s = time.perf_counter() - t
            users = make_users(url, args.workers)
            happened = run(url, pgdata, users, args.seconds, tmp)
            if happened["errors"]:
                print(Msg.BENCH_TEAM_WORKER_FAILED.format(detail=happened["errors"][0]), file=sys.stderr)
                return 1
            row = {"docs": args.docs, "workers": args.workers, "seconds": args.seconds}
            row.update(check(url, users, happened["logs"], happened["restarted_at"]))
            row.update({"processes": args.workers, "kills": happened["kills"], "restarts": happened["restarts"],
                        "restart_s": round(happened["restart_s"], 2), "import_s": round(import_s, 2),
                        "own_cluster": cluster is not None})
            emit(row, as_json=args.json)
        finally:
            if url is not None:
                drop(url, users)
            if cluster is not None:
                subprocess.run([str(CLUSTER), "stop", str(cluster)], check=False, capture_output=True)
    return 0
