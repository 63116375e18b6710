"""A training run in a child process, and the parent's handle on it. No Qt.

Why a process: training holds the GIL for most of each batch, and for 50 to 250 ms at a
time while spaCy copies whole pipelines. In the GUI's process that stalls the window and
halves the preview's speed (measured: event-loop lateness max 107 ms, a document switch
3.7x slower while training). In a child process the GUI's process keeps its GIL, training
gets a core of its own, and a crash of the training (a segfault, an out-of-memory kill)
cannot take the app down: the parent reports it and the last saved model stays current.

The protocol is JSON lines (no pickling), over the child's stdin and a private copy of its
stdout (the child points its own stdout at stderr, so nothing a library prints can corrupt
a message):

* parent -> child: first ``{"request": {...}}``, then any of ``{"cmd": "rehearsal",
  "value": r}``, ``{"cmd": "cancel"}``, ``{"cmd": "decide", "keep": bool}``. End of input
  (the parent closed the pipe or died) cancels the run, or discards a finished one.
* child -> parent: one ``nergui.core.events.encode`` line per event.

Start it with ``command()``: ``python -m nergui.cli --train-child`` from source, the app's
own executable with ``--train-child`` when frozen.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any, Iterator

from ..errors import Msg, TrainingError, detail as error_detail
from . import lifeline
from .events import LAST, Failed, RunInfo, decode, encode, from_plain, to_plain
from .run import TrainRequest, serve
from .training import Control
from .workflow import record_run_end

FLAG = "--train-child"
# Pausing the training process while the user waits for a prediction (psutil, every OS), with a
# guarantee that a paused child cannot outlive the app (core/lifeline.py, on each OS its way).
CAN_PAUSE = True


def command() -> list[str]:
    """The command line that starts a training child."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the app itself, with the flag
        return [sys.executable, FLAG]
    return [sys.executable, "-m", "nergui.cli", FLAG]


def request_from_json(data: dict[str, Any]) -> TrainRequest:
    return from_plain(TrainRequest, data)


# ---- the child ------------------------------------------------------------------------------

def child_main() -> int:
    """The child's whole life: read the request, run, wait for the decision, exit."""
    lifeline.child_side()
    # fds, not sys.stdout/sys.stdin: a windowed frozen app has None there, yet real pipes
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # stray prints go to stderr, not into the protocol
    inp = os.fdopen(0, "rb")
    lock = threading.Lock()

    def emit(ev: Any) -> None:
        line = encode(ev)
        with lock:
            try:
                out.write(line)
            except (BrokenPipeError, OSError):
                control.cancel()  # the parent is gone: stop at the next batch

    first = inp.readline()
    if not first:
        return 0
    request = request_from_json(json.loads(first)["request"])
    control = Control(request.settings.rehearsal)
    decisions: queue.Queue[bool] = queue.Queue()

    def listen() -> None:
        for raw in inp:
            try:
                cmd = json.loads(raw)
            except ValueError:
                continue
            if cmd.get("cmd") == "rehearsal":
                control.set_rehearsal(cmd["value"])
            elif cmd.get("cmd") == "cancel":
                control.cancel()
                decisions.put(False)
            elif cmd.get("cmd") == "decide":
                decisions.put(bool(cmd["keep"]))
        control.cancel()  # end of input: the parent closed the pipe or died
        decisions.put(False)

    threading.Thread(target=listen, name="nergui-train-commands", daemon=True).start()
    serve(request, control, emit, decisions.get)
    out.close()
    return 0


# ---- foreground work pauses training ----------------------------------------------------------
# Measured here: the machine's two cores share one physical core's resources, so a training
# process on the other core still slows a 200-word prediction 1.6-2x. A prediction the user
# waits for (a document switch) is ~15 ms; pausing training for it costs training nothing
# measurable and keeps the switch as fast as when idle.

_ACTIVE: set["ChildRun"] = set()
_PAUSE_LOCK = threading.Lock()
_PAUSED = [0]


@contextlib.contextmanager
def foreground() -> Iterator[None]:
    """Pause every running training child (where the platform allows) for the duration."""
    if not CAN_PAUSE or not _ACTIVE:
        yield
        return
    with _PAUSE_LOCK:
        _PAUSED[0] += 1
        if _PAUSED[0] == 1:
            for child in list(_ACTIVE):
                child._pause(True)
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSED[0] -= 1
            if _PAUSED[0] == 0:
                for child in list(_ACTIVE):
                    child._pause(False)


# ---- the parent's handle --------------------------------------------------------------------

class ChildProcess:
    """What a handle on one of nergui's child processes shares (``ChildRun``, the learner's
    ``LearnerRun``): start it with a first request line, send JSON lines to it, read its
    stderr's tail when it dies, pause it while the user waits for a prediction
    (``foreground``), close or kill it. ``rehearsal`` is the ratio last set (sent with the
    request when set before ``start``)."""

    START_FAILED = Msg.TRAIN_CHILD_START

    def __init__(self, request):
        self.request = request
        self.rehearsal = float(request.settings.rehearsal)
        self._lock = threading.Lock()
        self._stderr = tempfile.TemporaryFile()
        self._closing = False
        self.proc: subprocess.Popen | None = None

    def _start(self, cmd: list[str]) -> None:
        """Start ``cmd`` with the request (and the ratio set so far) as its first line."""
        with self._lock:
            self.request.settings.rehearsal = self.rehearsal
            try:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=self._stderr, env=_child_env(), **lifeline.popen_options())
            except OSError as err:
                raise TrainingError(self.START_FAILED.format(detail=error_detail(err))) from err
            lifeline.parent_side(self.proc)
        self._send({"request": to_plain(self.request)})
        with _PAUSE_LOCK:
            _ACTIVE.add(self)
            if _PAUSED[0]:
                self._pause(True)

    def set_rehearsal(self, value: float) -> None:
        Control().set_rehearsal(value)  # refused here, as the trainer would, not in the child
        self.rehearsal = float(value)
        self._send({"cmd": "rehearsal", "value": self.rehearsal})

    def _pause(self, on: bool) -> None:
        if self.proc is not None and self.proc.returncode is None:
            (lifeline.suspend if on else lifeline.resume)(self.proc.pid)

    def _forget(self) -> None:
        with _PAUSE_LOCK:
            if self in _ACTIVE:
                _ACTIVE.discard(self)
                self._pause(False)

    def _send(self, msg: dict[str, Any]) -> None:
        with self._lock:
            if self.proc is None:
                return
            stdin: IO[bytes] | None = self.proc.stdin
            if stdin is None or stdin.closed:
                return
            try:
                stdin.write(json.dumps(msg).encode("utf8") + b"\n")
                stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the child has ended; events() reports how

    def _stderr_tail(self, lines: int = 3) -> str:
        try:
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        tail = " / ".join(line.strip() for line in text[-lines:] if line.strip())
        return f" ({tail})" if tail else ""

    def end_input(self) -> None:
        """Close the child's input without waiting for it to end (it stops, or discards a
        result no one decided on); a reader in ``events()`` then ends quietly. Safe to call
        from any thread (the GUI thread's way to stop a child without waiting for it)."""
        self._closing = True
        self._forget()
        if self.proc is None:
            return
        with self._lock:
            try:
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
            except OSError:
                pass

    def close(self, timeout: float = 60.0) -> int | None:
        """Close the child's input (``end_input``) and wait for it to end; kill it if it does
        not. Returns its exit code. Safe to call from any thread, and more than once."""
        self.end_input()
        if self.proc is None:
            return None
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        return self.proc.returncode

    def kill(self) -> None:
        self._forget()
        if self.proc is None:
            return
        try:
            self.proc.kill()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass

    @property
    def pid(self) -> int:
        return self.proc.pid


class ChildRun(ChildProcess):
    """A run in a training child process (``nergui.core.run.RunHandle``). ``start`` starts
    the child; ``events()`` blocks (call it from a worker thread); ``set_rehearsal``,
    ``cancel`` and ``decide`` may be called from any thread, also before ``start``."""

    def __init__(self, request: TrainRequest):
        super().__init__(request)
        self.run_id: int | None = None
        self._cancelled = False

    def start(self) -> None:
        """Start the child with the request (and the ratio and cancel set so far)."""
        self._start(command())
        if self._cancelled:
            self._send({"cmd": "cancel"})

    def cancel(self) -> None:
        self._cancelled = True
        self._send({"cmd": "cancel"})

    def decide(self, keep: bool) -> None:
        self._send({"cmd": "decide", "keep": bool(keep)})

    def events(self) -> Iterator[Any]:
        """The child's events up to and including the last (``events.LAST``). If the child
        ends without one, a ``Failed`` event says how it ended (and the run is recorded as
        failed in the project)."""
        assert self.proc is not None and self.proc.stdout is not None, "start() first"
        for line in self.proc.stdout:
            try:
                ev = decode(line)
            except (ValueError, KeyError, TypeError):
                continue  # not a message of ours
            if isinstance(ev, RunInfo):
                self.run_id = ev.run_id
            yield ev
            if isinstance(ev, LAST):
                return
        self.proc.stdout.close()
        if not self._closing:  # it ended on its own, without a last word
            yield Failed(self._crash_message())

    def _crash_message(self) -> str:
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        self._forget()
        message = Msg.TRAIN_CHILD_DIED.format(code=code, detail=self._stderr_tail())
        if self.run_id is not None:
            record_run_end(self.request.project_path, self.run_id, "failed", message)
            self.run_id = None
        return message


def _child_env() -> dict[str, str]:
    """The parent's environment, with this copy of nergui first on the path (from source)."""
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env
