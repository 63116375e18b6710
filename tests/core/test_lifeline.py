"""The training process is tied to the app (core/lifeline.py), checked with real processes here.

A stand-in for the app starts a child the way ``ChildRun`` does (its own process group,
``child_side`` first thing in the child), pauses it, and is then killed with SIGKILL: the
child, paused or running, must be gone soon after. On Linux the child's ``PR_SET_PDEATHSIG``
would kill it anyway, so the child here skips that and leaves it to what macOS relies on:
the orphaned process group (a paused child) and the parent poll (a running child).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from nergui.core import lifeline

pytestmark = pytest.mark.skipif(lifeline.WINDOWS, reason="POSIX process groups (Windows: a job object)")

APP = textwrap.dedent("""
    import subprocess, sys, time
    from nergui.core import lifeline
    child = subprocess.Popen([sys.executable, "-c", CHILD], **lifeline.popen_options())
    lifeline.parent_side(child)
    time.sleep(1.0)  # the child is up and watching
    if PAUSE:
        lifeline.suspend(child.pid)
    print(child.pid, flush=True)
    time.sleep(600)
""")
CHILD = textwrap.dedent("""
    import time
    from nergui.core import lifeline
    lifeline.LINUX = LINUX  # False: no PR_SET_PDEATHSIG, what macOS has
    lifeline.child_side()
    while True:
        time.sleep(0.1)
""")


def _gone(pid: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _becomes(pid: int, ok, seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ok(psutil.Process(pid).status()):
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("pause, pdeathsig", [(False, False), (True, False), (True, True)],
                         ids=["running (parent poll)", "paused (orphaned group)", "paused (Linux: pdeathsig)"])
def test_the_child_dies_with_the_app(pause, pdeathsig):
    if pdeathsig and not lifeline.LINUX:
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    child_code = CHILD.replace("LINUX = LINUX", f"LINUX = {pdeathsig}")
    code = f"CHILD = {child_code!r}\nPAUSE = {pause}\n" + APP
    app = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = int(app.stdout.readline())
    try:
        child = psutil.Process(pid)
        # SIGSTOP is delivered asynchronously: the status follows within moments
        expected = psutil.STATUS_STOPPED if pause else psutil.STATUS_SLEEPING
        assert _becomes(pid, lambda s: s == expected), child.status()
        assert os.getpgid(pid) == pid != os.getpgid(app.pid)  # a process group of its own
        os.kill(app.pid, signal.SIGKILL)
        app.wait(10)
        gone = _gone(pid, 10)
        if not gone and pause and not pdeathsig:
            adopter = child.ppid()
            if adopter and os.getsid(adopter) == os.getsid(pid):
                pytest.skip(f"here the orphan is adopted by process {adopter} of its own session (a subreaper), "
                            "so its group is not orphaned; on macOS launchd adopts it from outside the session")
        assert gone, f"training child {pid} outlived the app ({child.status()})"
    finally:
        if not _gone(pid, 0):
            os.kill(pid, signal.SIGKILL)


def test_suspend_and_resume_a_real_process():
    proc = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(0.05)"])
    try:
        assert lifeline.suspend(proc.pid) and _becomes(proc.pid, lambda s: s == psutil.STATUS_STOPPED)
        assert lifeline.resume(proc.pid) and _becomes(proc.pid, lambda s: s != psutil.STATUS_STOPPED)
    finally:
        proc.kill()
        proc.wait(10)
    assert not lifeline.suspend(proc.pid)  # gone: says so, does not raise
