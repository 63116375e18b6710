"""The review mode: one suggestion at a time, answered with one key (like Prodigy's ``ner.teach``).

The window shows one candidate entity of the new types in its sentence, with its label,
the model's probability and why it is asked. A accepts it (a span of its document), X
rejects it (a rejection: the model is taught it is not one), Space skips it (never asked
again), Backspace or Ctrl+Z undoes the last decision (Ctrl+Shift+Z redoes it). Each decision
is one store transaction (``core.decisions.Decide``) on the window's own undo stack
(``commands.EditStack``), and the next candidate is already in the window: a background
worker with its own ``nlp`` (``teach_worker.TeachWorker``) finds candidates ahead, and the
window asks it for more before it runs out. With learning on, every decided document goes
to the warm learner (``teach_worker.TeachLearning``, a process of its own) and its
snapshots come back to the worker, so the candidates follow what was decided.
"""

from __future__ import annotations

import html
import sys
import time
from collections import deque

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QDialog, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSizePolicy, QVBoxLayout)

from ..core import decisions as store_decisions
from ..core.decisions import Decide, Undecide
from ..core.records import Record, Span
from ..core.store import DISPLACY_COLOURS, Project
from ..core.teach import TeachCandidate
from ..errors import EditConflict, Msg, NerguiError, SpanError, in_window
from .commands import EditCommand, EditStack
from .teach_worker import TeachLearning, TeachWorker
from .workers import RUN_SWITCH_INTERVAL

LEARN_KEY = "teach/learn"  # the window's "Learn as I decide", remembered
PREFETCH = 8  # candidates the window holds ready beyond the one shown
RECENT = 6  # decisions listed under the card
ANSWER_WORDS = {"accept": "Accepted", "reject": "Rejected", "ignore": "Skipped"}
ANSWER_COLOURS = {"accept": "#1e8e3e", "reject": "#c5221f", "ignore": "#6b6b6b"}


class Card(QLabel):
    """The sentence with the candidate marked; counts its paints (the bench waits for one)."""

    def __init__(self):
        super().__init__()
        self.paints = 0
        self.painted_at = 0.0
        self.setWordWrap(True)
        self.setTextFormat(Qt.RichText)
        self.setAlignment(Qt.AlignCenter)
        self.setTextInteractionFlags(Qt.NoTextInteraction)
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setAccessibleName("The suggestion in its sentence")

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.paints += 1
        self.painted_at = time.perf_counter()


class TeachWindow(QDialog):
    sig_fetch = Signal(int)
    sig_load = Signal(str, str, str)      # model spec, its name, patterns path
    sig_reload = Signal(str, str)
    sig_decided = Signal(object, str)     # key, answer (to the worker)
    sig_undone = Signal(object)
    sig_changed = Signal(int)             # a document's spans or rejections changed (doc id)
    sig_message = Signal(str)             # for the window's status bar and the message log
    sig_shown = Signal()                  # a candidate (or the end) is on screen
    sig_open = Signal(int)                # show this document in the main window

    def __init__(self, project: Project, *, labels: list[str], model_spec: str, model_name: str,
                 patterns: str = "", learn: bool = True, colours: dict[str, str] | None = None, seed: int = 0,
                 parent=None):
        super().__init__(parent)
        self.setWindowTitle("Review suggestions \u2014 nergui")
        self.setObjectName("teach")
        self.project = project
        self.labels = list(labels)
        self.colours = colours or {}
        self.undo_stack = EditStack(self)
        self.current: TeachCandidate | None = None
        self.ready: deque[TeachCandidate] = deque()
        self.waiting = False  # a fetch is out
        self.exhausted = False  # the worker has nothing left
        self.asked: dict[tuple, TeachCandidate] = {}  # candidates decided this session, by key
        self.session_counts = dict.fromkeys(store_decisions.ANSWERS, 0)
        self.accepted_here: dict[int, list[tuple[int, int]]] = {}
        self.decided_keys: set[tuple] = set()
        self._build(learn)
        # the worker scores in Python threads' turns: the window's thread gets the GIL back
        # within 1 ms instead of 5 (as while training, gui/workers.py)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(RUN_SWITCH_INTERVAL)
        self.thread = QThread()
        self.thread.setObjectName("nergui-teach")
        self.worker = TeachWorker(project.path, self.labels, seed=seed, annotator=project.annotator)
        self.worker.moveToThread(self.thread)
        self.sig_load.connect(self.worker.load)
        self.sig_reload.connect(self.worker.reload)
        self.sig_fetch.connect(self.worker.fetch)
        self.sig_decided.connect(self.worker.decided)
        self.sig_undone.connect(self.worker.undone)
        self.worker.sig_candidates.connect(self._candidates)
        self.worker.sig_status.connect(self._worker_status)
        self.worker.sig_failed.connect(self._failed)
        self.thread.finished.connect(self.worker.close, Qt.DirectConnection)  # its connection, in its thread
        self.thread.start()
        self.learning: TeachLearning | None = None
        if learn:
            self._start_learning()
        self.model_name = model_name
        self.sig_load.emit(model_spec, model_name, patterns or "")
        self._fetch()
        self._show(None)
        self._update_counts()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self, learn: bool) -> None:
        self.question = QLabel()
        self.question.setAlignment(Qt.AlignCenter)
        self.question.setAccessibleName("The label asked about")
        self.card = Card()
        frame = QFrame()
        frame.setObjectName("card")
        frame.setFrameShape(QFrame.StyledPanel)
        frame.setStyleSheet("QFrame#card { background: palette(base); border: 1px solid palette(mid);"
                            " border-radius: 6px; }")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(24, 18, 24, 18)
        inner.addWidget(self.question)
        inner.addWidget(self.card, 1)
        self.score = QLabel()
        self.score.setAlignment(Qt.AlignCenter)
        self.score.setAccessibleName("The model's score and why it is asked")
        inner.addWidget(self.score)
        self.where = QLabel()
        self.where.setAlignment(Qt.AlignCenter)
        self.where.setStyleSheet("color: palette(placeholder-text);")
        self.where.setTextFormat(Qt.RichText)
        self.where.setTextInteractionFlags(Qt.LinksAccessibleByMouse)
        self.where.linkActivated.connect(lambda href: self.sig_open.emit(int(href)))
        inner.addWidget(self.where)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, text, colour, slot in (
                ("accept", "\u2713  Accept   A", "#1e8e3e", lambda: self.decide("accept")),
                ("reject", "\u2717  Reject   X", "#c5221f", lambda: self.decide("reject")),
                ("ignore", "Skip   Space", None, lambda: self.decide("ignore")),
                ("undo", "\u21b6  Undo   Backspace", None, self.undo)):
            b = QPushButton(text)
            b.setFocusPolicy(Qt.NoFocus)  # Space and the letters are the window's keys, never a button's
            b.setAutoDefault(False)  # Enter accepts nothing by surprise
            b.setMinimumHeight(38)
            b.setAccessibleName({"ignore": "Skip the suggestion", "undo": "Undo the last decision"}.get(
                name, f"{name.capitalize()} the suggestion"))
            if colour:
                b.setStyleSheet(f"QPushButton {{ background: {colour}; color: white; font-weight: bold;"
                                f" border-radius: 4px; padding: 6px 18px; }}"
                                f" QPushButton:disabled {{ background: palette(mid); }}")
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[name] = b
        self.counter = QLabel()
        self.counter.setAccessibleName("Decisions made")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.learn_box = QCheckBox("Learn as I decide")
        self.learn_box.setChecked(learn)
        self.learn_box.setFocusPolicy(Qt.NoFocus)
        self.learn_box.setToolTip("Send each decided document to a learner that updates the model in the "
                                  "background; the next suggestions come from the updated model.")
        self.learn_box.toggled.connect(self._toggle_learning)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counter, 1)
        bottom.addWidget(self.learn_box)
        self.recent = QListWidget()
        self.recent.setFocusPolicy(Qt.NoFocus)
        self.recent.setAccessibleName("The last decisions")
        self.recent.setFixedHeight(8 + RECENT * self.recent.fontMetrics().lineSpacing())
        recent_title = QLabel("Last decisions (Backspace takes back the newest)")
        recent_title.setStyleSheet("color: palette(placeholder-text);")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 12)
        lay.addWidget(frame, 1)
        lay.addLayout(row)
        lay.addLayout(bottom)
        lay.addWidget(self.status)
        lay.addWidget(recent_title)
        lay.addWidget(self.recent)
        for keys, slot in ((("A",), lambda: self.decide("accept")), (("X",), lambda: self.decide("reject")),
                           (("Space",), lambda: self.decide("ignore")), (("Backspace", "Ctrl+Z"), self.undo),
                           (("Ctrl+Shift+Z", "Ctrl+Y"), self.redo)):
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setContext(Qt.WindowShortcut)
                sc.activated.connect(slot)
        self.resize(760, 560)

    # ---- candidates ----------------------------------------------------------------------------
    def _fetch(self) -> None:
        if not self.waiting and not self.exhausted and len(self.ready) < PREFETCH:
            self.waiting = True
            self.sig_fetch.emit(PREFETCH + 1 - len(self.ready))

    def _candidates(self, found: list[TeachCandidate], exhausted: bool) -> None:
        """The worker's next candidates; none and ``exhausted``: every document was scored
        (none and not exhausted: the documents scored so far held none; it goes on)."""
        self.waiting = False
        self.exhausted = exhausted
        self.ready.extend(found)
        if self.current is None:
            self._advance()
        elif not found and not exhausted:
            self._fetch()

    def _usable(self, cand: TeachCandidate) -> bool:
        """Not decided (in this window) and not overlapping a span accepted in its document."""
        return cand.key not in self.decided_keys and not any(
            cand.overlaps(a, b) for a, b in self.accepted_here.get(cand.doc_id, ()))

    def _advance(self) -> None:
        """Show the next ready candidate (or say why there is none)."""
        while self.ready and not self._usable(self.ready[0]):
            self.ready.popleft()
        self._show(self.ready.popleft() if self.ready else None)
        self._fetch()

    def _show(self, cand: TeachCandidate | None) -> None:
        self.current = cand
        for name in ("accept", "reject", "ignore"):
            self.buttons[name].setEnabled(cand is not None)
        if cand is None:
            self.question.setText("")
            self.score.setText("")
            self.where.setText("")
            labels = ", ".join(self.labels)
            self.card.setText(f"<p style='font-size:13pt; color:#6b6b6b'>"
                              f"{html.escape(Msg.TEACH_NOTHING_LEFT.format(labels=labels) if self.exhausted else Msg.TEACH_LOADING)}</p>")
            self.sig_shown.emit()
            return
        colour = self.colours.get(cand.label) or DISPLACY_COLOURS.get(cand.label, "#f4a3c0")
        self.question.setText(f"<span style='font-size:12pt'>Is this a</span> "
                              f"<span style='font-size:14pt; font-weight:bold; background:{colour};"
                              f" color:#1a1a1a'>&nbsp;{html.escape(cand.label)}&nbsp;</span>"
                              f"<span style='font-size:12pt'>?</span>")
        before, after = cand.before.lstrip(), cand.after.rstrip()
        self.card.setText(
            f"<p style='font-size:17pt; line-height:150%'>{html.escape(before)}"
            f"<span style='background:{colour}; color:#1a1a1a'>&nbsp;<b>{html.escape(cand.text)}</b>"
            f" <span style='font-size:9pt; font-weight:bold'>{html.escape(cand.label)}</span>&nbsp;</span>"
            f"{html.escape(after)}</p>")
        self.score.setText(f"<span style='font-size:11pt'>the model's probability <b>{cand.p:.2f}</b>"
                           f" \u2014 {html.escape(cand.why)}</span>")
        self.where.setText(f"<a href='{cand.doc_id}'>document {cand.doc_id}</a> (opens it in the main window)")
        self.card.repaint()  # now: the counts, the list and the learner are updated after this paint
        self.sig_shown.emit()

    # ---- decisions -------------------------------------------------------------------------------
    def decide(self, answer: str) -> bool:
        """Answer the shown candidate ("accept", "reject", "ignore"); the next is shown at once."""
        cand = self.current
        if cand is None:
            return False
        words = {"accept": "Accept", "reject": "Reject", "ignore": "Skip"}[answer]
        edit = Decide(cand.doc_id, f"{words} {cand.label} {cand.text!r}", cand.start, cand.end, cand.label, answer,
                      round(cand.p, 4), cand.origin, cand.token_start, cand.token_end)
        try:
            inverse = edit.apply(self.project)
        except EditConflict as err:  # decided elsewhere meanwhile: go on
            self.sig_message.emit(str(err))
            self.decided_keys.add(cand.key)
            self._advance()
            return False
        except SpanError:  # a span marked in the annotator since overlaps it: nothing was stored
            self.sig_message.emit(Msg.TEACH_OVERLAP.format(label=cand.label, text=cand.text, doc_id=cand.doc_id))
            self.decided_keys.add(cand.key)
            self._advance()
            return False
        except NerguiError as err:  # the database could not: nothing changed, the candidate stays
            self.sig_message.emit(str(err))
            return False
        self.asked[cand.key] = cand
        self.undo_stack.push(EditCommand(self, edit, inverse))
        self.after_edit(edit)
        return True

    def undo(self) -> None:
        self.undo_stack.undo()

    def redo(self) -> None:
        self.undo_stack.redo()

    def run(self, edit):
        """Apply an undo or redo step to the store (``EditCommand`` calls this; the review
        window has no offline journal: its decisions need the server)."""
        return edit.apply(self.project)

    def after_edit(self, edit) -> None:
        """After a decision, its undo (``Undecide``) or redo (``EditCommand`` calls this)."""
        key = (edit.doc_id, edit.start, edit.end, edit.label)
        if isinstance(edit, Undecide):  # taken back: ask it again, now
            self.session_counts[edit.answer] -= 1
            self.decided_keys.discard(key)
            if edit.answer == "accept" and (edit.start, edit.end) in self.accepted_here.get(edit.doc_id, []):
                self.accepted_here[edit.doc_id].remove((edit.start, edit.end))
            self.sig_undone.emit(key)
            if self.current is not None:
                self.ready.appendleft(self.current)
            self._show(self.asked.get(key) or self._candidate_of(edit))
        else:
            self.session_counts[edit.answer] += 1
            self.decided_keys.add(key)
            if edit.answer == "accept":
                self.accepted_here.setdefault(edit.doc_id, []).append((edit.start, edit.end))
            self.sig_decided.emit(key, edit.answer)
            if self.current is not None and self.current.key == key:
                self._advance()
        self._recent(edit)
        self._update_counts()
        if edit.answer != "ignore":
            self.sig_changed.emit(edit.doc_id)
            self._learn(edit.doc_id)

    def _candidate_of(self, edit) -> TeachCandidate:
        text = self.project.get_document(edit.doc_id).text
        return TeachCandidate(edit.doc_id, edit.start, edit.end, edit.label, edit.score or 0.0, edit.origin, 0.0,
                              text[edit.start:edit.end], text[max(0, edit.start - 120):edit.start],
                              text[edit.end:edit.end + 120], edit.token_start, edit.token_end)

    def _recent(self, edit) -> None:
        taken_back = isinstance(edit, Undecide)
        word = "Taken back" if taken_back else ANSWER_WORDS[edit.answer]
        cand = self.asked.get((edit.doc_id, edit.start, edit.end, edit.label))
        text = cand.text if cand is not None else ""
        item = QListWidgetItem(f"{word}: {edit.label} {text!r} (document {edit.doc_id})")
        item.setForeground(QColor("#6b6b6b" if taken_back else ANSWER_COLOURS[edit.answer]))
        self.recent.insertItem(0, item)
        while self.recent.count() > RECENT:
            self.recent.takeItem(self.recent.count() - 1)

    def _update_counts(self) -> None:
        c = self.session_counts
        total = sum(c.values())
        try:
            stored = store_decisions.counts(self.project)
            n = stored["accept"] + stored["reject"] + stored["ignore"]
            project = (f"  \u00b7  project: {n} decision{'s' * (n != 1)}, {stored['documents']} "
                       f"document{'s' * (stored['documents'] != 1)}")
        except NerguiError:
            project = ""
        self.counter.setText(f"<b>{total}</b> decided here: {c['accept']} accepted, {c['reject']} rejected, "
                             f"{c['ignore']} skipped{project}")

    # ---- learning --------------------------------------------------------------------------------
    def _start_learning(self) -> None:
        if self.learning is not None:
            return
        try:
            self.learning = TeachLearning(self.project.path, self.labels, self)
        except NerguiError as err:
            self.sig_message.emit(str(err))
            return
        self.learning.sig_snapshot.connect(self._snapshot)
        self.learning.sig_failed.connect(self._failed)
        self.learning.sig_ready.connect(lambda ev: self._status_text())
        self._status_text()

    def _toggle_learning(self, on: bool) -> None:
        if on:
            self._start_learning()
        elif self.learning is not None:
            self.learning.stop()
            self.learning = None
        self._status_text()

    def _learn(self, doc_id: int) -> None:
        """Send the document, with every decision it now holds, to the learner."""
        if self.learning is None:
            return
        try:
            doc = self.project.get_document(doc_id)
            rejected = self.project.rejections(doc_id)
        except NerguiError as err:
            self.sig_message.emit(str(err))
            return
        self.learning.learn(Record(doc.text, list(doc.spans), doc.state, line=doc_id, binary=doc.state != "accepted",
                                   rejections=[Span(a, b, label) for a, b, label in sorted(rejected)]))
        self._status_text()

    def _snapshot(self, path: str, name: str) -> None:
        self.model_name = name
        self.sig_reload.emit(path, name)
        if self.exhausted:  # the new weights may find what the old ones did not
            self.exhausted = False
            self._fetch()
        self._status_text()

    def _worker_status(self, status: dict) -> None:
        self._worker = status
        self._status_text()

    def _status_text(self) -> None:
        status = getattr(self, "_worker", {})
        parts = [f"{status.get('scored', 0)} documents scored"]
        if status.get("model"):
            parts.append(f"model: {status['model']}" + ("" if status.get("asks_model", True) else
                                                         " (does not know the types yet: pattern matches and your answers only)"))
        if self.learning is not None:
            sent, learnt = self.learning.sent, self.learning.learnt
            parts.append("learner: waiting for decisions" if not sent else
                         f"learner: starting ({sent} documents waiting)" if not learnt else
                         f"learner: {learnt} of {sent} documents learnt")
        self.status.setText("  \u00b7  ".join(parts))

    def _failed(self, message: str) -> None:
        self.sig_message.emit(message)
        self.status.setText(in_window(message))

    # ---- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the worker and the learner (once)."""
        if getattr(self, "_down", False):
            return
        self._down = True
        if self.learning is not None:
            self.learning.stop()
            self.learning = None
        try:
            self.worker.sig_candidates.disconnect(self._candidates)
        except (RuntimeError, TypeError):
            pass
        self.thread.quit()
        self.thread.wait(10000)
        sys.setswitchinterval(self._switch_interval)


def open_teach(window) -> TeachWindow | None:
    """View > Review suggestions (from the main window): the review window on its project,
    with the current model (or the base), the loaded patterns and the project's new types."""
    from ..core.pipeline import ModelStore, describe
    from ..core.teach_setup import review_labels

    project = window.session.project
    existing = getattr(window, "teach_window", None)
    if existing is not None and existing.isVisible():
        existing.raise_()
        existing.activateWindow()
        return existing
    labels = review_labels(project.label_names(), project.base_pipeline)
    if not labels:
        window.message(Msg.TEACH_NO_LABELS)
        return None
    if not project.base_pipeline:
        window.message(Msg.TEACH_NO_BASE.format(path=project.path))
        return None
    current = ModelStore(project.models_dir).current_path()
    spec = str(current) if current else project.base_pipeline
    name = f"version {current.name}" if current else f"base {describe(project.base_pipeline)}"
    colours = {lab["name"]: lab["colour"] for lab in project.labels()}
    learn = str(window.settings.value(LEARN_KEY, "true")).lower() != "false"
    teach = TeachWindow(project, labels=labels, model_spec=spec, model_name=name, learn=learn,
                        patterns=str(window.settings.value("patterns") or ""), colours=colours, parent=window)
    teach.learn_box.toggled.connect(lambda on: window.settings.setValue(LEARN_KEY, bool(on)))
    teach.sig_message.connect(window.message)
    teach.sig_changed.connect(lambda doc_id: _reload_if_shown(window, doc_id))
    teach.sig_open.connect(lambda doc_id: (window.session.open_document(doc_id), window.raise_()))
    teach.finished.connect(lambda _result: teach.shutdown())
    window.teach_window = teach
    teach.show()
    return teach


def _reload_if_shown(window, doc_id: int) -> None:
    session = window.session
    if session.doc is not None and session.doc.id == doc_id:
        session.reload_document()
    panel = getattr(window, "decisions_panel", None)
    if panel is not None:
        panel.refresh()
    window.docs.update_counts()
