"""``nergui bench keys``: how many keys each labelling action takes, with the keyboard only.

A real ``MainWindow``, offscreen, on a fresh copy of the demo project, driven by key
events sent to the widget that has the focus (``QTest.keyClick``), as a user types them.
Keys are counted per action from the moment its document is open (after the previous
action on the same document, if any):

* **new spans** (``keys_per_new_span``): the demo's documents with spans (the first
  ``--docs``) have their spans taken out of the store and are set back to todo before the
  window opens; the bench makes each span again. It presses the fewest caret keys that put
  the caret on the span's first word (Right, Left, Ctrl+Right, Ctrl+Left: a breadth-first
  search over the moves of ``nergui.core.caret``, the functions the view itself uses),
  Shift+Right up to its last word, then the label's key (1 ROASTER, 2 BREWER). After each
  key the view's caret must be where the plan put it. Predictions are hidden here (the
  number is the caret's alone; with them shown, the keys are the same).
* **suggestions** (``keys_per_accepted_suggestion``, ``keys_per_rejected_suggestion``):
  ``--suggest-docs`` documents still to do, with the model's predictions shown. Tab
  focuses the first; each in turn is accepted as ROASTER with its key when the model calls
  it an organisation, person, group or product, accepted under its own label with Enter
  when it is a place, rejected with Backspace otherwise. The focus moves on by itself.
* every document is then accepted with A (``keys_per_document``), which opens the next.

The amounts done are printed beside the figures (``new_spans``, ``accepted_suggestions``,
``rejected_suggestions``, ``documents``), and they are checked against the store through a
second connection: every span made with its label, every rejection, every document
accepted. If the store does not hold what was counted (or the caret went astray), the bench
prints why on stderr and no figures, and exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from . import emit, wait_for_charts  # noqa: E402

TARGETS = {"keys_per_new_span": 4, "keys_per_accepted_suggestion": 2, "keys_per_rejected_suggestion": 2}
AS_ROASTER = {"ORG", "PERSON", "NORP", "PRODUCT", "FAC"}  # what the demo's roasters and brewers get called
ACCEPT_AS_IS = {"GPE"}
CARET_KEYS = ("Right", "Left", "Ctrl+Right", "Ctrl+Left")


class Refused(Exception):
    """The store or the view is not as the keys should have left it: no figures."""


def plan(text: str, words, start, target: int) -> list[str]:
    """The fewest caret keys (``CARET_KEYS``) from caret ``start`` (a ``Caret``) to the word
    that begins at ``target``; [] if the caret is on it already."""
    from ..core import caret as moves

    step = {"Right": lambda c: moves.right(words, c), "Left": lambda c: moves.left(words, c),
            "Ctrl+Right": lambda c: moves.next_capital(text, words, c),
            "Ctrl+Left": lambda c: moves.previous_capital(text, words, c)}
    done = lambda c: not c.empty and c.start == target and c.end == next(e for s, e in words if s == target)  # noqa: E731
    if done(start):
        return []
    seen, queue = {start}, deque([(start, [])])
    while queue:
        c, path = queue.popleft()
        for key in CARET_KEYS:
            n = step[key](c)
            if n in seen:
                continue
            if done(n):
                return path + [key]
            seen.add(n)
            queue.append((n, path + [key]))
    from ..errors import Msg

    raise Refused(Msg.BENCH_KEYS_UNREACHABLE.format(pos=target))


class Keyboard:
    """Sends keys to the focused widget of window ``w`` and counts them."""

    def __init__(self, w, app):
        self.w, self.app = w, app
        self.count = 0

    def press(self, name: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence
        from PySide6.QtTest import QTest

        from ..errors import Msg

        combo = QKeySequence(name)[0]
        target = self.app.focusWidget()
        if target is not self.w.view:
            raise Refused(Msg.BENCH_KEYS_LOST_FOCUS.format(widget=type(target).__name__, key=name))
        QTest.keyClick(target, Qt.Key(combo.key()), combo.keyboardModifiers())
        self.count += 1

    def take(self) -> int:
        n, self.count = self.count, 0
        return n


def _wait(app, until, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            return False
        app.processEvents()
        time.sleep(0.005)
    return True


def prepare(project, docs: int) -> dict[int, list[tuple[int, int, str]]]:
    """Take the spans out of the first ``docs`` documents that have some, set them to todo;
    returns their spans (the ones to make again)."""
    gold = {}
    for doc_id in project.doc_ids():
        doc = project.get_document(doc_id)
        if doc.spans and len(gold) < docs:
            gold[doc_id] = [(s.start, s.end, s.label) for s in doc.spans]
            project.remove_spans([project.find_span_id(doc_id, s.start, s.end) for s in doc.spans])
            project.set_state(doc_id, "todo")
    return gold


def new_spans(w, app, keys: Keyboard, gold, shortcut: dict[str, str]) -> list[int]:
    """Make every span of ``gold`` with the caret; the keys each took."""
    from ..core import caret as moves
    from ..core.caret import Caret
    from ..errors import Msg

    counts = []
    view, s = w.view, w.session
    for doc_id, spans in gold.items():
        if s.doc is None or s.doc.id != doc_id:
            w.docs.go_to(doc_id)
        if not _wait(app, lambda: s.doc is not None and s.doc.id == doc_id):
            raise Refused(Msg.BENCH_KEYS_TIMEOUT.format(what=f"opening document {doc_id}", seconds=60))
        keys.take()
        text, words = s.doc.text, view.keys.words()
        for start, end, label in spans:
            here = view.keys.caret or Caret(0, 0)
            for key in plan(text, words, here, start):
                keys.press(key)
            for _ in range(len(words)):
                c = view.keys.caret
                if c is not None and c.start == start and c.end >= end:
                    break
                keys.press("Shift+Right")
            c = view.keys.caret
            if c is None or c.range != (start, end):
                got = c.range if c is not None else None
                raise Refused(Msg.BENCH_KEYS_CARET.format(keys="the caret keys", got=got, want=(start, end)))
            keys.press(shortcut[label])
            if (start, end, label) not in {(x.start, x.end, x.label) for x in s.project.get_document(doc_id).spans}:
                raise Refused(Msg.BENCH_KEYS_NOT_STORED.format(doc_id=doc_id, start=start, end=end, label=label))
            counts.append(keys.take())
            after = moves.after(words, end)
            if view.keys.caret != after:
                raise Refused(Msg.BENCH_KEYS_CARET.format(keys=f"the span [{start}, {end})", got=view.keys.caret,
                                                          want=after))
        keys.press("A")
        keys.take()
    return counts


def suggestions(w, app, keys: Keyboard, doc_ids: list[int], shortcut: dict[str, str], ready: dict) -> dict:
    """Accept or reject every suggestion of these documents from the keyboard; the keys each
    took, and what the store should hold afterwards."""
    from ..errors import Msg

    s, view = w.session, w.view
    out = {"accepted": [], "rejected": [], "as_other": 0, "spans": {}, "rejections": {}}
    for doc_id in doc_ids:
        if s.doc is None or s.doc.id != doc_id:
            w.docs.go_to(doc_id)
        if not _wait(app, lambda: s.doc is not None and s.doc.id == doc_id and ready.get("doc") == doc_id):
            raise Refused(Msg.BENCH_KEYS_TIMEOUT.format(what=f"predictions for document {doc_id}", seconds=60))
        keys.take()
        todo = [m for m in view.keys.items() if m.kind != "span"]
        spans, rejections = [], set()
        if todo:
            keys.press("Tab")
        for m in todo:
            focused = view.keys.focused()
            if focused is None or (focused.start, focused.end, focused.label) != (m.start, m.end, m.label):
                raise Refused(Msg.BENCH_KEYS_FOCUS.format(got=focused, want=m))
            if m.label in AS_ROASTER:
                keys.press(shortcut["ROASTER"])
                spans.append((m.start, m.end, "ROASTER"))
                out["accepted"].append(keys.take())
                out["as_other"] += 1
            elif m.label in ACCEPT_AS_IS:
                keys.press("Return")
                spans.append((m.start, m.end, m.label))
                out["accepted"].append(keys.take())
            else:
                keys.press("Backspace")
                rejections.add((m.start, m.end, m.label))
                out["rejected"].append(keys.take())
        out["spans"][doc_id], out["rejections"][doc_id] = sorted(spans), rejections
        keys.press("A")
        keys.take()
    return out


def check(path: Path, gold, done: dict) -> None:
    """Refuse unless the store (read through a second connection) holds exactly what was keyed."""
    from ..core.store import Project
    from ..errors import Msg

    with Project.open(path) as p:
        for doc_id, want in [*gold.items(), *done["spans"].items()]:
            doc = p.get_document(doc_id)
            have = sorted((x.start, x.end, x.label) for x in doc.spans)
            if have != sorted(want):
                raise Refused(Msg.BENCH_KEYS_SPANS.format(doc_id=doc_id, have=have, want=sorted(want)))
            if doc.state != "accepted":
                raise Refused(Msg.BENCH_KEYS_STATE.format(doc_id=doc_id, state=doc.state))
        for doc_id, want in done["rejections"].items():
            if p.rejections(doc_id) != want:
                raise Refused(Msg.BENCH_KEYS_REJECTED.format(doc_id=doc_id, have=sorted(p.rejections(doc_id)),
                                                             want=sorted(want)))


def measure(docs: int, suggest_docs: int, folder: Path) -> dict:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ..core.store import Filter
    from ..errors import Msg
    from ..gui.demo import create_demo_project
    from ..gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    project = create_demo_project(folder)
    gold = prepare(project, docs)
    # the documents still to do that hold nothing yet: where the model's suggestions are reviewed
    todo = [d for d in project.doc_ids(Filter(state="todo")) if d not in gold and not project.get_document(d).spans]
    todo = todo[:suggest_docs]
    shortcut = {lab["name"]: lab["shortcut"] for lab in project.labels()}
    settings = QSettings(str(folder / "settings.ini"), QSettings.IniFormat)
    settings.setValue("learn/default", "off")  # no learner: bench learn --gui measures it
    w = MainWindow(project, settings=settings, predictions=True)
    w.session.allow_labels(ACCEPT_AS_IS)  # the types accepted as they are: answered Yes once, before the keys count
    ready: dict = {}
    w.previewer.sig_ready.connect(lambda doc_id, _spans: ready.update(doc=doc_id))
    w.show()
    w.activateWindow()
    if not _wait(app, lambda: app.focusWidget() is w.view and w.previewer.worker.nlp is not None, 120):
        raise Refused(Msg.BENCH_KEYS_TIMEOUT.format(what="the window opening with the focus in its text and "
                                                         "its model loaded", seconds=120))
    wait_for_charts(w)  # the window's own start-up work done before the keys are timed
    keys = Keyboard(w, app)
    try:
        w.label_bar.show_predictions.setChecked(False)  # part 1: the caret alone
        made = new_spans(w, app, keys, gold, shortcut)
        w.label_bar.show_predictions.setChecked(True)
        done = suggestions(w, app, keys, todo, shortcut, ready)
        check(project.path, gold, done)
    finally:
        w.close()
        app.processEvents()
    row = {"bench": "keys", "documents": len(gold) + len(todo),
           "new_spans": len(made), "keys_new_spans": sum(made),
           "keys_per_new_span": round(sum(made) / len(made), 2) if made else None,
           "accepted_suggestions": len(done["accepted"]), "accepted_as_other_label": done["as_other"],
           "keys_per_accepted_suggestion": round(sum(done["accepted"]) / len(done["accepted"]), 2)
           if done["accepted"] else None,
           "rejected_suggestions": len(done["rejected"]),
           "keys_per_rejected_suggestion": round(sum(done["rejected"]) / len(done["rejected"]), 2)
           if done["rejected"] else None,
           "keys_per_document": 1, "store_holds": True, "targets": TARGETS}
    missed = [f"{k}={row[k]}/{v}" for k, v in TARGETS.items() if row[k] is None or row[k] > v]
    row["targets_missed"] = ",".join(missed) or "none"
    return row


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui bench keys", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100, help="documents whose spans are made again (at most the demo's)")
    parser.add_argument("--suggest-docs", type=int, default=100,
                        help="documents whose suggestions are accepted or rejected (at most the demo's todo ones)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nergui-bench-keys-") as tmp:
        try:
            row = measure(args.docs, args.suggest_docs, Path(tmp))
        except Refused as err:
            print(str(err), file=sys.stderr)
            return 1
    emit(row, as_json=args.json)
    return 0
