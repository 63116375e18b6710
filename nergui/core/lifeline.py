"""A training process tied to the app on every operating system, and paused while the user waits.

Pausing: ``suspend(pid)`` / ``resume(pid)`` through psutil (SIGSTOP/SIGCONT on Linux and
macOS, suspending every thread on Windows).

Dying with the app, so that a child, running or paused, never outlives it:

* **Linux**: the child asks the kernel for SIGKILL when its parent thread ends
  (``PR_SET_PDEATHSIG``, in ``child_side``).
* **macOS** (and Linux too): the child runs in a process group of its own (``popen_options``),
  so when the app dies the group is orphaned and the kernel sends a stopped member SIGHUP
  then SIGCONT (POSIX); a running child polls its parent twice a second (``child_side``) and
  leaves when it is gone.
* **Windows**: the parent puts the child in a job object that kills its processes when the
  last handle to it closes, which the app's exit does (``parent_side``).

On every system the child also stops when its input closes, as it always has.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

WINDOWS = sys.platform == "win32"
LINUX = sys.platform.startswith("linux")
POLL_SECONDS = 0.5

_JOBS: list[Any] = []  # Windows job handles, kept open for the life of the app


def suspend(pid: int) -> bool:
    """Pause a process; False if it is gone or cannot be paused."""
    import psutil

    try:
        psutil.Process(pid).suspend()
        return True
    except (psutil.Error, OSError):
        return False


def resume(pid: int) -> bool:
    import psutil

    try:
        psutil.Process(pid).resume()
        return True
    except (psutil.Error, OSError):
        return False


def lower_priority(pid: int, nice: int) -> bool:
    """Make a child yield the CPU to the app when both want it: ``nice`` on Linux and macOS
    (0 normal, 19 lowest), below normal priority on Windows. It takes nothing from a child
    when the CPU is free. False if it is gone or cannot be changed."""
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS if WINDOWS else max(proc.nice(), nice))
        return True
    except (psutil.Error, OSError, AttributeError):
        return False


def popen_options() -> dict[str, Any]:
    """Extra ``subprocess.Popen`` arguments for a training child."""
    if WINDOWS:
        import subprocess

        return {"creationflags": subprocess.CREATE_NO_WINDOW}
    return {"process_group": 0}  # a group of its own: orphaned (SIGHUP, SIGCONT) when the app dies


def parent_side(proc) -> None:
    """Right after starting ``proc``: on Windows, bind it to the app's lifetime with a job object."""
    if WINDOWS:
        _assign_to_job(proc)


def child_side() -> None:
    """First thing in a training child: die with the parent, on this system's terms."""
    if LINUX:
        _pdeathsig()
    if not WINDOWS:
        parent = os.getppid()
        if parent == 1:  # the parent is already gone
            os._exit(1)
        threading.Thread(target=_watch_parent, args=(parent,), name="lifeline", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        if os.getppid() != parent:  # reparented: the app has died
            os._exit(1)


def _pdeathsig() -> None:
    """Linux: SIGKILL this process when the thread that started it ends (the app's worker
    thread, which always outlives a run it started unless the app itself died)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _assign_to_job(proc) -> None:  # pragma: no cover - Windows only (the GitHub workflow runs it there)
    import ctypes
    from ctypes import wintypes

    class IoCounters(ctypes.Structure):
        _fields_ = [(name, ctypes.c_ulonglong) for name in (
            "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
            "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

    class BasicLimits(ctypes.Structure):
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                    ("SchedulingClass", wintypes.DWORD)]

    class ExtendedLimits(ctypes.Structure):
        _fields_ = [("BasicLimitInformation", BasicLimits), ("IoInfo", IoCounters),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return
    info = ExtendedLimits()
    info.BasicLimitInformation.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    extended_limit_information = 9
    if kernel32.SetInformationJobObject(wintypes.HANDLE(job), extended_limit_information, ctypes.byref(info),
                                        ctypes.sizeof(info)) and \
            kernel32.AssignProcessToJobObject(wintypes.HANDLE(job), wintypes.HANDLE(int(proc._handle))):
        _JOBS.append(job)  # closed only when the app's process ends, which kills the child
