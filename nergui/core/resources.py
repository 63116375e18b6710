"""Where the files shipped with nergui are, from a source checkout or a frozen bundle.

A PyInstaller bundle unpacks its data under ``sys._MEIPASS`` (``_internal/`` beside the
executable): the demo project in ``resources/demo`` and pipeline folders chosen at build
time in ``pipelines/NAME``. From a checkout the demo is in ``resources/demo`` at the top.
"""

from __future__ import annotations

import sys
from pathlib import Path

BUNDLED_PIPELINES = "pipelines"


def roots() -> list[Path]:
    """Folders that may hold ``resources/``, the bundle's first when frozen."""
    out = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        out.append(Path(bundle))
    package = Path(__file__).resolve().parents[1]  # nergui/
    out += [package, package.parent]
    return out


def find(*parts: str) -> Path | None:
    """The first existing ``ROOT/parts...`` over :func:`roots`, or None."""
    for root in roots():
        path = root.joinpath(*parts)
        if path.exists():
            return path
    return None


def demo_dir() -> Path | None:
    """The demo project's files (``demo.jsonl``, ``labels.json``), or None if not shipped."""
    path = find("resources", "demo", "demo.jsonl")
    return path.parent if path else None


def bundled_pipelines() -> dict[str, Path]:
    """Pipeline folders shipped inside a bundle, by name (empty from a checkout)."""
    out: dict[str, Path] = {}
    for root in roots():
        folder = root / BUNDLED_PIPELINES
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if (path / "config.cfg").exists():
                    out.setdefault(path.name, path)
    return out
