"""The app icon in each platform's format, rendered from ``resources/icon/nergui.svg`` at build time.

    python packaging/icons.py OUT_DIR     # nergui.png (Linux), nergui.ico (Windows), nergui.icns (macOS)

Rendered with Qt (QtSvg, and Qt's own ICO and ICNS image writers), so the build needs
nothing beyond what the app already uses; ``nergui.spec`` calls ``make_icons``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icon" / "nergui.svg"
SIZES = {"png": 512, "ico": 256, "icns": 1024}


def make_icons(out: Path) -> dict[str, Path]:
    """Write the icon in every format into ``out``; returns ``{format: path}``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - image writers need one
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"icons: {SVG} is not a valid SVG")
    out.mkdir(parents=True, exist_ok=True)
    made = {}
    for fmt, size in SIZES.items():
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = out / f"nergui.{fmt}"
        if not image.save(str(path), fmt.upper()):
            raise SystemExit(f"icons: Qt could not write {path}")
        made[fmt] = path
    return made


if __name__ == "__main__":
    for fmt, path in make_icons(Path(sys.argv[1] if len(sys.argv) > 1 else "build/icons")).items():
        print(f"{fmt}: {path} ({path.stat().st_size:,} bytes)")
