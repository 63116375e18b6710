"""``nergui bench ...``: benchmarks that print their figures (``--json``: one object per line).

Like ``spacy benchmark``: they measure, they do not pass or fail. Every speed figure is
compared with a baseline measured in the same run, as a ratio, because machines are noisy.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHES = {
    "learning": "nergui.bench.learning",
    "active": "nergui.bench.active",
    "next": "nergui.bench.next",
    "learn": "nergui.bench.learn",
    "teach": "nergui.bench.teach",
    "training": "nergui.bench.throughput",
    "store": "nergui.bench.store",
    "gui": "nergui.bench.gui",
    "ui": "nergui.bench.ui",
    "keys": "nergui.bench.keys",
    "bundle": "nergui.bench.bundle",
    "crash": "nergui.bench.crash",
    "soak": "nergui.bench.soak",
    "team": "nergui.bench.team",
}


def emit(row: dict, *, as_json: bool) -> None:
    """Print one result row: a JSON object per line, or aligned ``key: value`` text."""
    if as_json:
        print(json.dumps(row), flush=True)
    else:
        print("  ".join(f"{k}={_fmt(v)}" for k, v in row.items()), flush=True)


def wait_for_charts(window, timeout_s: float = 60.0) -> bool:
    """Let a main window finish its own start-up work before a bench measures it: its training
    charts are built (pyqtgraph imported on the GUI thread, about 0.4 s once, soon after the
    window shows). Waits in a Qt event loop; False if they were not built within the time."""
    import time

    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.perf_counter() + timeout_s
    while window.training.loss_chart is None and time.perf_counter() < deadline:
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    return window.training.loss_chart is not None


def _fmt(v) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui bench", description=__doc__)
    parser.add_argument("name", choices=sorted(BENCHES))
    args, rest = parser.parse_known_args(argv[:1])
    module = importlib.import_module(BENCHES[args.name])
    return module.main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
