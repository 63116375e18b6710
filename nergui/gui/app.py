"""Start the desktop app. (The full annotator window lands with the GUI issue.)"""

from __future__ import annotations

import argparse
import sys


def run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui", description="Open the nergui app on a project.")
    parser.add_argument("project", nargs="?", help="a project folder (default: the demo project)")
    parser.add_argument("--smoke-test", action="store_true", help="open offscreen, check, and exit")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("nergui")
    text = f"Project: {args.project}" if args.project else "nergui: the annotator window is coming (issue 3)."
    label = QLabel(text + "\n\nUse 'nergui import', 'nergui train' and 'nergui export' meanwhile.")
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(640, 360)
    window.show()
    if args.smoke_test:
        app.processEvents()
        return 0
    return app.exec()
