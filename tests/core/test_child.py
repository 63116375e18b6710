"""The training child process and the parent's handle on it, without Qt: a real child
(`python -m nergui.cli --train-child`) training a real blank pipeline on a real project."""

import json
import sys
import time
from pathlib import Path

import pytest

from nergui.bench.data import generated_training
from nergui.core import child
from nergui.core.child import ChildRun, foreground
from nergui.core.events import (EVENTS, Cancelled, CrossValProgress, EpochEnd, Failed, LearnerReady, Learnt,
                                ModelVersion, Progress, RunInfo, RunResult, Saved, Snapshot, Tick, decode, encode)
from nergui.core.pipeline import ModelStore
from nergui.core.run import ThreadRun, TrainRequest
from nergui.core.store import Project
from nergui.core.training import TrainSettings

ENDS = (RunResult, Cancelled, Failed)


def _until(run, ends=ENDS):
    """The run's events up to the first of class ``ends`` (the stream goes on after a result)."""
    for ev in run.events():
        yield ev
        if isinstance(ev, ends):
            return


def _started(request):
    run = ChildRun(request)
    run.start()
    return run


def _project(tmp_path, n=24) -> Path:
    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", "blank:en")
    project.import_records(generated_training(n), path="gen")
    project.close()
    return tmp_path / "proj"


def _long_run(tmp_path):
    """A child started on a run far too long to finish, once it reports ``started``."""
    path = _project(tmp_path, n=40)
    run = _started(TrainRequest(path, TrainSettings(epochs=500, batch_size=4), holdout=False))
    events = _until(run)
    assert isinstance(next(events), RunInfo)
    return path, run, events


def _state(pid: int) -> str:
    """The process state letter from /proc (R running, S sleeping, T stopped)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2]


def test_events_round_trip_with_their_types():
    p = Progress(step=3, epoch=1, examples_seen=24, words_per_second=1234.5, loss=0.5, eta_seconds=2.0,
                 fraction_done=0.5, rehearsal=0.25, losses={"ner": 0.5})
    end = EpochEnd(step=3, epoch=1, examples_seen=24, words_per_second=1234.5, loss=0.5, eta_seconds=2.0,
                   fraction_done=0.5, rehearsal=0.25, scores={"retention": 0.99}, is_best=True)
    info = RunInfo(["X"], ["ORG"], 10, 2, 5, 1, "new-component", 2, 4, run_id=7, dev_source="held-out share")
    version = ModelVersion("v0001", Path("/tmp/models/v0001"), 12.5, {"metrics": {"ents_f": 0.5}})
    events = [Tick(p, [(1, 0.5), (2, 0.25)], 1.5, 8), end, info,
              RunResult({"per_type": {"X": {"f": 0.5}}}, 3.0, info, 100.0, [{"epoch": 0}]),
              Snapshot("/tmp/s000", "training"), Cancelled(), Failed("a message"), Saved(None), Saved(version),
              CrossValProgress(fold=2, folds=5, epochs=10, documents=30, fraction_done=0.3, elapsed=4.0,
                               eta_seconds=9.5),
              LearnerReady(documents=12, rehearsal_texts=40, labels=["X"], seconds=2.5, started_from_version=True),
              Learnt("k1", "/tmp/l00001", 0.4, 3, examples=18, loss=2.5)]
    assert {type(ev) for ev in events} == set(EVENTS.values())  # every kind declared is covered here
    for ev in events:
        line = encode(ev)
        assert line.endswith(b"\n") and b"\n" not in line[:-1]  # one message, one line
        assert decode(line) == ev and type(decode(line)) is type(ev)
    assert isinstance(decode(encode(version and Saved(version))).version.path, Path)
    assert decode(encode(Tick(p, [(1, 0.5)], 1.0, 2))).points == [(1, 0.5)]  # tuples come back as tuples


@pytest.mark.parametrize("handle", [ChildRun, ThreadRun], ids=["child process", "thread"])
def test_a_run_trains_saves_and_records_through_either_handle(tmp_path, handle):
    path = _project(tmp_path)
    run = handle(TrainRequest(path, TrainSettings(epochs=2, batch_size=4), holdout=False))
    run.set_rehearsal(0.5)  # before start: the run begins with it
    run.start()
    kinds, result = [], None
    events = run.events()
    for ev in events:
        kinds.append(type(ev))
        if isinstance(ev, RunResult):
            result = ev
            break
    assert kinds[0] is RunInfo and kinds[-1] is RunResult and EpochEnd in kinds and Tick in kinds
    assert result.info.n_train == 24 and result.words_per_second > 0
    run.decide(True)
    rest = list(events)
    assert isinstance(rest[-1], Saved) and rest[-1].version.name == "v0001"
    assert run.close(30) == 0
    assert ModelStore(path / "models").current_name() == "v0001"
    with Project.open(path) as project:
        last = project.runs()[-1]
    assert last["status"] == "kept" and last["settings"]["rehearsal"] == 0.5


def test_cancel_and_closed_input_stop_the_child_and_save_nothing(tmp_path):
    path, run, events = _long_run(tmp_path)
    run.cancel()
    assert isinstance(list(events)[-1], Cancelled)
    assert run.close(30) == 0
    with Project.open(path) as project:
        assert project.runs()[-1]["status"] == "cancelled"
    # a finished run whose parent goes away without deciding: discarded, the child ends
    run = _started(TrainRequest(path, TrainSettings(epochs=1, batch_size=4), holdout=False))
    assert isinstance(list(_until(run))[-1], RunResult)
    assert run.close(30) == 0
    assert ModelStore(path / "models").current_name() is None
    with Project.open(path) as project:
        assert project.runs()[-1]["status"] == "discarded"


def test_a_child_that_dies_is_reported_and_recorded(tmp_path):
    path, run, events = _long_run(tmp_path)
    run.proc.kill()
    last = list(events)[-1]
    message = last.message
    assert isinstance(last, Failed) and "exit code -9" in message and "unchanged" in message
    with Project.open(path) as project:
        run_row = project.runs()[-1]
    assert run_row["status"] == "failed" and run_row["metrics"]["error"] == message


def test_stray_output_in_the_child_does_not_break_the_protocol(tmp_path, monkeypatch):
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text("print('hello from a library'); import sys; sys.stdout.flush()\n")
    monkeypatch.setenv("PYTHONPATH", str(inject))
    path = _project(tmp_path)
    run = _started(TrainRequest(path, TrainSettings(epochs=1, batch_size=4), holdout=False))
    kinds = [type(ev) for ev in _until(run)]
    run.close(30)
    assert kinds[0] is RunInfo and kinds[-1] is RunResult


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
    assert isinstance(list(events)[-1], Cancelled)
    run.close(30)
    assert run not in child._ACTIVE  # a finished child is never signalled again


def test_a_child_given_no_request_exits_at_once():
    import subprocess

    cmd = child.command()
    assert cmd == [sys.executable, "-m", "nergui.cli", child.FLAG]  # from source: this interpreter
    r = subprocess.run(cmd, input=b"", capture_output=True, timeout=120, env=child._child_env())
    assert r.returncode == 0 and r.stdout == b""
