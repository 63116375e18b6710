"""``nergui bench gui``'s long document: about 50,000 characters, 1,000 gold spans and about
1,000 predictions, in a real window (offscreen).

The predictions are injected the way the previewer delivers them (``Session.set_suggestions``),
on words the gold spans leave free, so the figures are the window's, not a model's.
Printed with the amounts really measured: ``long_doc_chars``, ``long_doc_spans`` (gold spans
in the store), ``long_doc_predictions`` (suggestions shown), ``long_doc_edits``.
"""

from __future__ import annotations

import random
import time

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from .gui_window import PaintProbe, p95

EDITS = 100


def long_document(n_chars: int = 50_000, n_spans: int = 1_000, *, seed: int = 0):
    """``(text, gold, predictions)``: a long text, gold spans and predictions on other words,
    as ``(start, end, label)`` in code points."""
    from .corpus import document

    rng = random.Random(seed)
    paragraphs, size = [], 0
    while size < n_chars:
        paragraphs.append(document(rng, rng.randint(60, 160)))
        size += len(paragraphs[-1]) + 1
    text = "\n".join(paragraphs)[:n_chars]
    words, at = [], 0
    for word in text.split(" "):
        start = text.index(word, at)
        at = start + len(word)
        clean = word.strip(".\n")
        if len(clean) > 2 and "\n" not in clean:
            words.append((start, start + len(clean)))
    step = max(2, len(words) // (2 * n_spans))
    picked = words[::step][: 2 * n_spans]
    gold = [(a, b, "ORG") for a, b in picked[0::2]]
    predicted = [(a, b, rng.choice(("PERSON", "GPE", "ORG"))) for a, b in picked[1::2]]
    return text, gold, predicted


def measure_long(project_path: str, settings_path: str) -> dict:
    from ..core.records import Span
    from ..core.store import Project
    from ..gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    project = Project.open(project_path)
    w = MainWindow(project, settings=QSettings(settings_path, QSettings.IniFormat), predictions=False)
    w.session.allow_labels(("PERSON", "GPE", "ORG"))  # the predictions' types: accept all asks nothing
    w.label_bar.show_predictions.setChecked(True)  # predictions are shown; they are injected below
    w.resize(1280, 860)
    w.show()
    w.session.open_document(2)
    view = w.view.viewport()
    probe = PaintProbe(view)
    probe.wait(lambda: w.settled, timeout_ms=30_000)  # the tokenizer loaded, memory settled, as in use
    _, _, predicted = long_document()
    suggestions = [Span(a, b, label, "model") for a, b, label in predicted]
    t = time.perf_counter()
    w.session.open_document(1)
    w.session.set_suggestions(suggestions)
    probe.wait(lambda: probe.since(view, t))
    probe.wait(w.session.tokens_ready, timeout_ms=30_000)  # snapping ready, as once idle
    row_settled = w.settled
    row = {"long_doc_open_ms": round((probe.painted[id(view)] - t) * 1000, 1),
           "long_doc_chars": len(w.session.doc.text), "long_doc_spans": len(w.session.doc.spans),
           "long_doc_predictions": len(w.session.visible_suggestions()), "long_doc_settled": row_settled}
    row.update(_edits(w))
    row.update(_accept_all(w, app))
    row.update(_scroll(w))
    w.close()
    project.close()
    return row


def _show(w, cp: int) -> None:
    """Scroll the view so that code point ``cp`` is visible (not timed)."""
    from PySide6.QtGui import QTextCursor

    cur = QTextCursor(w.view.document())
    cur.setPosition(w.view.offsets.to_qt(cp))
    w.view.setTextCursor(cur)
    w.view.ensureCursorVisible()
    w.view.viewport().repaint()


def _edits(w) -> dict:
    """Add a span, relabel one, remove one, in turn, spread through the document; each
    repainted (the edit, the store's transaction, and the paint of what it changed, which
    the event loop does as it would in use)."""
    s = w.session
    doc = s.doc
    free = [x for x in s.visible_suggestions()]
    stride = max(1, len(free) // EDITS)
    times, kinds = [], []
    for k in range(EDITS):
        kind = ("add", "relabel", "remove")[k % 3]
        target = free[(k * stride) % len(free)]
        spans = s.doc.spans
        near = min(spans, key=lambda x: abs(x.start - target.start)) if spans else None
        _show(w, target.start)
        if kind == "remove" and near is not None:
            s.select(near)  # a click of its own, before the Delete that is timed
            w.view.viewport().repaint()
        t = time.perf_counter()
        if kind == "add":
            s.label = "ORG"
            s.mark(target.start, target.end)
        elif kind == "relabel" and near is not None:
            s.relabel(near, "PRODUCT" if near.label != "PRODUCT" else "ORG")
        elif near is not None:
            s.remove_selected()
        QApplication.processEvents()  # the paint the edit asked for: the rows around the span, as in use
        times.append(time.perf_counter() - t)
        kinds.append(kind)
    assert s.doc.id == doc.id
    return {"long_doc_edits": len(times), "long_doc_span_p95_ms": p95(times),
            "long_doc_edit_kinds": ",".join(sorted(set(kinds)))}


def _accept_all(w, app) -> dict:
    s = w.session
    before = s.undo_stack.count()
    spans_before = len(s.doc.spans)
    t = time.perf_counter()
    accepted = s.accept_all()
    w.view.viewport().repaint()
    took = time.perf_counter() - t
    return {"long_doc_accept_all_ms": round(took * 1000, 1), "long_doc_accepted": accepted,
            "long_doc_accept_undo_steps": s.undo_stack.count() - before,
            "long_doc_spans_after_accept": len(s.doc.spans), "long_doc_spans_before_accept": spans_before}


def _scroll(w) -> dict:
    sb = w.view.verticalScrollBar()
    sb.setValue(0)
    times, value = [], 0
    while True:
        sb.setValue(value)
        t = time.perf_counter()
        w.view.viewport().repaint()
        times.append(time.perf_counter() - t)
        if value >= sb.maximum():
            break
        value = min(sb.maximum(), value + max(1, sb.pageStep()))
    return {"long_doc_pages": len(times), "long_doc_scroll_p95_ms": p95(times)}
