"""The learner in a process of its own (learning while annotating), and the parent's handle. No Qt.

A process for the same reasons as training (``nergui.core.child``): updates hold the GIL,
and a crash must not take the app down. The learner stays warm between documents: it is
built once (``LearnerReady``), then learns each accepted document it is sent and answers
with ``Learnt`` once a preview snapshot with weights that learnt from it is on disk.

The protocol is JSON lines (no pickling), over the child's stdin and a private copy of its
stdout, as the training child's:

* parent -> child: first ``{"request": {...}}`` (a ``LearnRequest``), then any of
  ``{"cmd": "learn", "record": {...}, "key": "..."}`` (a ``Record`` as
  ``events.to_plain`` writes it; ``key`` optional) and ``{"cmd": "rehearsal", "value": r}``.
  End of input (the parent closed the pipe or died) ends the child, with exit code 0.
* child -> parent: one ``events.encode`` line per event: ``LearnerReady``, then a
  ``Learnt`` per document (or a ``Failed`` for a document that could not be learnt; the
  learner goes on). A ``Failed`` before ``LearnerReady`` means it could not be built and
  the child ends.

Documents sent while the learner is busy are learnt in turn, and one snapshot is written
after the last of them (each of their ``Learnt`` names it): the preview is never more than
one snapshot behind the latest document.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import Msg, NerguiError, TrainingError, detail as error_detail
from . import lifeline
from .child import ChildProcess
from .events import Failed, LearnerReady, Learnt, decode, encode, from_plain, to_plain
from .learner import LearnSettings, default_train_settings, doc_key
from .records import Record
from .settings import TrainSettings
from .training import Control

FLAG = "--learn-child"


@dataclass
class LearnRequest:
    """What the learner is built on: the project (its base pipeline, accepted documents and,
    with ``project_raw``, its unannotated documents as rehearsal text, plus ``raw_file``'s),
    the trainer's settings (the rehearsal ratio and marking), how much each document is
    learnt, where the preview snapshots go, and whether the new component starts from the
    project's current saved version (``Learner.from_project``)."""

    project_path: Path
    snapshot_dir: str
    settings: TrainSettings = field(default_factory=default_train_settings)
    learn: LearnSettings = field(default_factory=LearnSettings)
    raw_file: str | None = None
    project_raw: bool = True
    labels: list[str] | None = None
    from_current: bool = True  # start from the current saved version's new component, if it has one


def command() -> list[str]:
    """The command line that starts a learner child."""
    if getattr(sys, "frozen", False):
        return [sys.executable, FLAG]
    return [sys.executable, "-m", "nergui.cli", FLAG]


# ---- the child ------------------------------------------------------------------------------

def child_main() -> int:
    """The child's whole life: build the learner, learn what it is sent, end with its input."""
    lifeline.child_side()
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # stray prints go to stderr, not into the protocol
    inp = os.fdopen(0, "rb")
    gone = threading.Event()

    def emit(ev: Any) -> None:
        try:
            out.write(encode(ev))
        except (BrokenPipeError, OSError):
            gone.set()

    first = inp.readline()
    if not first:
        return 0
    request = from_plain(LearnRequest, json.loads(first)["request"])
    control = Control(request.settings.rehearsal)
    todo: queue.Queue[tuple[float, dict] | None] = queue.Queue()

    def listen() -> None:
        for raw in inp:
            try:
                cmd = json.loads(raw)
            except ValueError:
                continue
            if cmd.get("cmd") == "rehearsal":
                try:
                    control.set_rehearsal(float(cmd["value"]))
                except (TrainingError, TypeError, ValueError, KeyError):
                    pass
            elif cmd.get("cmd") == "learn":
                todo.put((time.perf_counter(), cmd))
        todo.put(None)  # end of input: the parent closed the pipe or died

    threading.Thread(target=listen, name="nergui-learn-commands", daemon=True).start()
    started = time.perf_counter()
    try:
        from .learner import Learner

        learner = Learner.from_project(request.project_path, raw_file=request.raw_file,
                                       project_raw=request.project_raw, from_current=request.from_current,
                                       settings=request.settings,
                                       learn=request.learn, labels=request.labels, control=control,
                                       snapshot_dir=request.snapshot_dir)
    except Exception as err:
        emit(Failed(_message(err)))
        out.close()
        return 0
    emit(LearnerReady(len(learner.accepted), learner.n_rehearsal, list(learner.labels),
                      time.perf_counter() - started, learner.started_from_version))
    while not gone.is_set():
        item = todo.get()
        if item is None:
            break
        batch = [item]
        while True:  # what arrived meanwhile is learnt now, with one snapshot after the last
            try:
                more = todo.get_nowait()
            except queue.Empty:
                break
            if more is None:
                todo.put(None)
                break
            batch.append(more)
        _learn_batch(learner, batch, emit)
    out.close()
    return 0


def _learn_batch(learner, batch: list[tuple[float, dict]], emit) -> None:
    done = []
    for arrived, cmd in batch:
        try:
            record = from_plain(Record, cmd["record"])
            done.append((arrived, cmd.get("key") or doc_key(record), learner.learn(record, snapshot=False)))
        except Exception as err:  # one document that cannot be learnt does not end the learner
            emit(Failed(_message(err)))
    if not done:
        return
    try:
        path = learner.write_snapshot()
    except Exception as err:
        emit(Failed(_message(err)))
        return
    now = time.perf_counter()
    for arrived, key, result in done:
        emit(Learnt(key, str(path) if path else "", now - arrived, result.steps, result.examples, result.loss))


def _message(err: BaseException) -> str:
    return str(err) if isinstance(err, NerguiError) else Msg.LEARN_FAILED.format(detail=error_detail(err))


# ---- the parent's handle --------------------------------------------------------------------

class LearnerRun(ChildProcess):
    """The learner in a child process. ``start`` starts it; ``events()`` blocks (call it from
    a worker thread) and yields until the child ends; ``learn``, ``set_rehearsal`` and
    ``close`` may be called from any thread. A running learner is paused, like a training
    child, while the user waits for a prediction (``child.foreground``)."""

    START_FAILED = Msg.LEARN_CHILD_START

    def start(self) -> None:
        self._start(command())

    def learn(self, record: Record, key: str | None = None) -> str:
        """Send an accepted document to learn; returns the key its ``Learnt`` will carry."""
        key = key or doc_key(record)
        self._send({"cmd": "learn", "record": to_plain(record), "key": key})
        return key

    def events(self) -> Iterator[Any]:
        """The child's events until it ends; if it ends without being closed, a last
        ``Failed`` says how."""
        assert self.proc is not None and self.proc.stdout is not None, "start() first"
        for line in self.proc.stdout:
            try:
                ev = decode(line)
            except (ValueError, KeyError, TypeError):
                continue
            yield ev
        self.proc.stdout.close()
        if not self._closing:
            code = self._wait()
            yield Failed(Msg.LEARN_CHILD_DIED.format(code=code, detail=self._stderr_tail()))

    def _wait(self, timeout: float = 30.0) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.returncode
