"""Crash safety: kill -9 while editing and while saving a model version (a short version of
``nergui bench crash``), each save phase killed on purpose, and checks that the checker
itself catches a lost edit or a mixed model."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest
import thinc.model

from nergui.bench import crash
from nergui.bench.crash_worker import read_stamp, stamp, tiny_pipeline
from nergui.core.pipeline import NERGUI_META, ModelStore, load_pipeline

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")


@posix_only
def test_acknowledged_edits_survive_kill_9(tmp_path):
    row = crash.edit_trials(tmp_path, 10, seed=7)
    assert row["errors"] == []
    assert row["worker_errors"] == 0
    assert row["acknowledged"] > 0
    assert row["lost"] == 0 and row["unexpected"] == 0
    assert row["integrity_failures"] == 0


@posix_only
def test_model_save_survives_kill_9(tmp_path):
    row = crash.model_trials(tmp_path, 5, seed=7)
    assert row["model_errors"] == []
    assert row["model_worker_errors"] == 0
    assert row["model_load_failures"] == 0 and row["model_mismatches"] == 0
    assert row["temporaries_remaining"] == 0  # the next save removed what the killed ones left


def test_the_edit_checker_counts_a_lost_edit_and_allows_the_one_in_flight():
    before = {("state", 1): "todo"}
    killed = crash.Killed(acks=[{"op": "add", "doc": 1, "start": 0, "end": 4, "label": "ORG"},
                                {"op": "state", "doc": 1, "state": "accepted"}],
                          pending={"op": "remove", "doc": 1, "start": 0, "end": 4})
    full = {("state", 1): "accepted", ("span", 1, 0, 4): "ORG"}
    assert crash.compare(before, killed, full) == (0, 0)
    assert crash.compare(before, killed, {("state", 1): "accepted"}) == (0, 0)  # the pending removal landed
    assert crash.compare(before, killed, {("state", 1): "todo", ("span", 1, 0, 4): "ORG"}) == (1, 0)
    assert crash.compare(before, killed, {**full, ("span", 1, 5, 9): "X"}) == (0, 1)


def test_the_model_checker_sees_a_mixed_version(tmp_path):
    nlp = tiny_pipeline()
    stamp(nlp, 5)
    store = ModelStore(tmp_path / "models")
    version = store.save(nlp, {"marker": 5})
    assert crash.check_current(tmp_path / "models") == (5, None)
    (version.path / NERGUI_META).write_text(json.dumps({"marker": 6}), encoding="utf-8")
    marker, problem = crash.check_current(tmp_path / "models")
    assert problem is not None and "mixed version" in problem
    (version.path / "ner" / "model").write_bytes(b"\x00garbage")
    marker, problem = crash.check_current(tmp_path / "models")
    assert marker is None and problem.startswith("load:")


# ---------------------------------------------------------------------------- each phase of a save
def _exit_now(*_a, **_k):
    os._exit(0)


def _after(real):
    def call(*a, **k):
        real(*a, **k)
        os._exit(0)
    return call


PHASES = {  # phase: (hook, which model is current afterwards, whether v0002 was renamed into place)
    # the NER's weights are not written yet, but config.cfg and meta.json are
    "mid to_disk": (lambda nlp, mp: mp.setattr(thinc.model.Model, "to_disk", _exit_now), "old", False),
    "before nergui.json": (lambda nlp, mp: mp.setattr("nergui.core.pipeline.srsly.write_json", _exit_now), "old", False),
    "before the rename": (lambda nlp, mp: mp.setattr(os, "rename", _exit_now), "old", False),
    "after the rename": (lambda nlp, mp: mp.setattr(os, "rename", _after(os.rename)), "old", True),
    "before CURRENT is replaced": (lambda nlp, mp: mp.setattr(os, "replace", _exit_now), "old", True),
    "after CURRENT is replaced": (lambda nlp, mp: mp.setattr(os, "replace", _after(os.replace)), "new", True),
}


@posix_only
@pytest.mark.parametrize("phase", PHASES)
def test_a_save_killed_at_each_phase_leaves_the_old_or_the_new_model(tmp_path, phase):
    """The process dies (os._exit, no cleanup runs) at one exact point of ModelStore.save."""
    models = tmp_path / "models"
    store = ModelStore(models)
    nlp = tiny_pipeline()
    stamp(nlp, 1)
    store.save(nlp, {"marker": 1})
    stamp(nlp, 2)
    pid = os.fork()
    if pid == 0:  # the child: die in the middle of the save
        try:
            mp = pytest.MonkeyPatch()
            PHASES[phase][0](nlp, mp)
            store.save(nlp, {"marker": 2})
        finally:
            os._exit(3)  # the save finished: the hook was never reached
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the hook did not fire"
    expected = {"old": 1, "new": 2}[PHASES[phase][1]]
    leftovers = [p.name for p in models.iterdir() if p.name.startswith(".")]
    assert bool(leftovers) == (phase in ("mid to_disk", "before nergui.json", "before the rename",
                                         "before CURRENT is replaced")), leftovers
    assert crash.check_current(models) == (expected, None)
    loaded = load_pipeline(store.current_path())
    assert read_stamp(loaded) == (float(expected), expected)
    _, which, renamed = PHASES[phase]
    assert [v.name for v in store.versions()] == (["v0001", "v0002"] if renamed else ["v0001"])
    # the next save cleans what the dead process left and goes on numbering after it
    stamp(nlp, 3)
    version = store.save(nlp, {"marker": 3})
    assert crash.check_current(models) == (3, None)
    assert version.name == ("v0003" if renamed else "v0002")
    assert [p.name for p in models.iterdir() if p.name.startswith(".")] == []
    shutil.rmtree(models)


# ---------------------------------------------------------------------------- the same against PostgreSQL
@posix_only
def test_bench_crash_against_postgres(tmp_path):
    """``nergui bench crash --db URL``: the editing worker killed on a database project; every
    acknowledged edit is there, nothing else changed, and the throwaway project is dropped."""
    import subprocess

    import psycopg

    from ..conftest import pg_server

    server = pg_server()
    env = {**os.environ, "NERGUI_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-m", "nergui.cli", "bench", "crash", "--db", server, "--trials", "6",
                          "--model-trials", "0", "--seed", "3", "--json"], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    (row,) = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert row["backend"] == "postgres" and row["trials"] == 6
    assert row["worker_errors"] == 0, out.stderr[-3000:]
    assert row["acknowledged"] > 0
    assert row["lost"] == 0 and row["unexpected"] == 0
    assert row["integrity_failures"] == 0
    with psycopg.connect(server) as conn:
        left = conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'nergui_crashbench_%'").fetchone()[0]
    assert left == 0  # dropped after the run


@posix_only
def test_the_postgres_checker_sees_a_transaction_left_open(pg_store):
    """A transaction of the app's (application_name nergui) still open on the server is an
    integrity failure: a dead worker's lock would stop every other writer."""
    import psycopg

    url = pg_store.location("crashcheck")
    crash.make_project(url, docs=3)
    assert crash.pg_integrity(url, wait_s=0.2) == "ok"
    assert crash.snapshot(url)[("state", 1)] == "todo"
    with psycopg.connect(pg_store.server, application_name="nergui") as conn:
        conn.execute("SELECT 1")  # psycopg opens a transaction: "idle in transaction" from here
        assert "still open" in crash.pg_integrity(url, wait_s=0.2)
