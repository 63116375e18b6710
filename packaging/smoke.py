"""Run the frozen app's smoke test: ``python packaging/smoke.py [dist/nergui] [PROJECT]``.

Runs ``nergui --smoke-test`` from the bundle offscreen with a timeout, prints its output
and checks that every step reported (a span marked, the pipeline loaded, a training step,
a model version saved). Exit status 0 when all did.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load_build():
    """packaging/build.py by path (a module named ``build`` may be installed: PyPA's)."""
    name = "nergui_packaging_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "build.py")
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


build = _load_build()

# what each step of nergui/gui/smoke.py prints
STEPS = {
    "span": "smoke test: marked '",
    "pipeline": "smoke test: pipeline ",
    "training": "smoke test: training ran ",
    "version": "smoke test: saved model version ",
    "ok": "smoke test: ok",
}


def run(bundle: Path, project: str | None = None, *, timeout: float = 300) -> subprocess.CompletedProcess:
    """The frozen ``--smoke-test``, offscreen, in a clean environment (no source tree on the path)."""
    # On Windows the windowed app has no console to print to: use the console variant there.
    bundle = Path(bundle).resolve()
    exe = build.executable(bundle, debug=sys.platform == "win32")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    cmd = [str(exe), "--smoke-test"] + ([str(project)] if project else [])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=bundle.parent)


def missing_steps(output: str) -> list[str]:
    return [name for name, marker in STEPS.items() if marker not in output]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    bundle = Path(argv[0]) if argv else build.ROOT / "dist" / "nergui"
    result = run(bundle, argv[1] if len(argv) > 1 else None)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    missing = missing_steps(result.stdout)
    if result.returncode or missing:
        print(f"smoke: FAILED (exit {result.returncode}; steps not reported: {', '.join(missing) or 'none'})",
              file=sys.stderr)
        return 1
    print("smoke: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
