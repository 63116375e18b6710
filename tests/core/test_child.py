"""The training child process and the parent's handle on it, without Qt: a real child
(`python -m nergui.cli --train-child`) training a real blank pipeline on a real project."""

import json
import sys
import time
from pathlib import Path

import pytest

from nergui.bench.data import generated_training
from nergui.core import child
from nergui.core.child import ChildRun, decode, encode, foreground
from nergui.core.pipeline import ModelStore
from nergui.core.run import RunInfo, RunResult, Tick, TrainRequest
from nergui.core.store import Project
from nergui.core.training import Progress, TrainSettings

ENDS = ("finished", "cancelled", "failed")


def _project(tmp_path, n=24) -> Path:
    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", "blank:en")
    project.import_records(generated_training(n), path="gen")
    project.close()
    return tmp_path / "proj"


def _long_run(tmp_path):
    """A child started on a run far too long to finish, once it reports ``started``."""
    path = _project(tmp_path, n=40)
    run = ChildRun(TrainRequest(path, TrainSettings(epochs=500, batch_size=4), holdout=False))
    events = run.events(ENDS)
    assert next(events)[0] == "started"
    return path, run, events


def _state(pid: int) -> str:
    """The process state letter from /proc (R running, S sleeping, T stopped)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2]


def test_events_round_trip_with_their_types():
    p = Progress(step=3, epoch=1, examples_seen=24, words_per_second=1234.5, loss=0.5, eta_seconds=2.0,
                 fraction_done=0.5, rehearsal=0.25, epoch_end=True, scores={"retention": 0.99}, losses={"ner": 0.5})
    info = RunInfo(["X"], ["ORG"], 10, 2, 5, 1, "new-component", 2, 4, run_id=7)
    for kind, payload in [("progress", Tick(p, [(1, 0.5), (2, 0.25)], 1.5, 8)), ("epoch", p), ("started", info),
                          ("finished", RunResult({"per_type": {"X": {"f": 0.5}}}, 3.0, info, 100.0, [{"epoch": 0}])),
                          ("snapshot", ("/tmp/s000", "training")), ("failed", "a message"), ("saved", None)]:
        line = encode(kind, payload)
        assert line.endswith(b"\n") and b"\n" not in line[:-1]  # one message, one line
        assert decode(line) == (kind, payload)


def test_a_run_in_the_child_trains_saves_and_records(tmp_path):
    path = _project(tmp_path)
    run = ChildRun(TrainRequest(path, TrainSettings(epochs=2, batch_size=4), holdout=False))
    assert run.pid != __import__("os").getpid()
    kinds, result = [], None
    for kind, payload in run.events(ENDS):
        kinds.append(kind)
        if kind == "finished":
            result = payload
    assert kinds[0] == "started" and kinds[-1] == "finished" and "epoch" in kinds and "progress" in kinds
    assert isinstance(result, RunResult) and result.info.n_train == 24 and result.words_per_second > 0
    run.decide(True)
    saved = list(run.events(("saved", "failed")))
    assert saved[-1][0] == "saved" and saved[-1][1].name == "v0001"
    assert run.close(30) == 0
    assert ModelStore(path / "models").current_name() == "v0001"
    with Project.open(path) as project:
        assert project.runs()[-1]["status"] == "kept"


def test_cancel_and_closed_input_stop_the_child_and_save_nothing(tmp_path):
    path, run, events = _long_run(tmp_path)
    run.cancel()
    assert [k for k, _ in events][-1] == "cancelled"
    assert run.close(30) == 0
    with Project.open(path) as project:
        assert project.runs()[-1]["status"] == "cancelled"
    # a finished run whose parent goes away without deciding: discarded, the child ends
    run = ChildRun(TrainRequest(path, TrainSettings(epochs=1, batch_size=4), holdout=False))
    assert [k for k, _ in run.events(ENDS)][-1] == "finished"
    assert run.close(30) == 0
    assert ModelStore(path / "models").current_name() is None
    with Project.open(path) as project:
        assert project.runs()[-1]["status"] == "discarded"


def test_a_child_that_dies_is_reported_and_recorded(tmp_path):
    path, run, events = _long_run(tmp_path)
    run.proc.kill()
    kind, message = list(events)[-1]
    assert kind == "failed" and "exit code -9" in message and "unchanged" in message
    with Project.open(path) as project:
        run_row = project.runs()[-1]
    assert run_row["status"] == "failed" and run_row["metrics"]["error"] == message


def test_stray_output_in_the_child_does_not_break_the_protocol(tmp_path, monkeypatch):
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text("print('hello from a library'); import sys; sys.stdout.flush()\n")
    monkeypatch.setenv("PYTHONPATH", str(inject))
    path = _project(tmp_path)
    run = ChildRun(TrainRequest(path, TrainSettings(epochs=1, batch_size=4), holdout=False))
    kinds = [k for k, _ in run.events(ENDS)]
    run.close(30)
    assert kinds[0] == "started" and kinds[-1] == "finished"


def test_foreground_work_pauses_the_training_process(tmp_path):
    path, run, events = _long_run(tmp_path)
    with foreground():
        with foreground():  # nested: still paused until the outer one ends
            time.sleep(0.05)
            assert _state(run.pid) == "T"
        assert _state(run.pid) == "T"
    time.sleep(0.05)
    assert _state(run.pid) != "T"
    run.cancel()
    assert [k for k, _ in events][-1] == "cancelled"
    run.close(30)
    assert run not in child._ACTIVE  # a finished child is never signalled again


def test_a_child_given_no_request_exits_at_once():
    import subprocess

    cmd = child.command()
    assert cmd == [sys.executable, "-m", "nergui.cli", child.FLAG]  # from source: this interpreter
    r = subprocess.run(cmd, input=b"", capture_output=True, timeout=120, env=child._child_env())
    assert r.returncode == 0 and r.stdout == b""
