"""The main window: composition of the document list, label bar, text view, panels and menus."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QEvent, QFileSystemWatcher, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QFrame, QLabel, QMainWindow, QMenu, QVBoxLayout, QWidget

from .. import __version__
from ..core.model_watch import ModelWatch
from ..core.pipeline import ModelStore, describe
from ..core.records import STATES
from ..core.store import DISPLACY_COLOURS, Project
from ..errors import Msg, in_window
from . import actions, controls, dialogs, label_manager, learning, offline, projects, routed, team, team_review
from .annotator import AnnotatorView, Mark
from .decisions_panel import DecisionsPanel
from .documents import DocumentPanel
from .keyboard import KeyboardLabelling
from .messages import MessageLog
from .ordering import Ordering
from .panels import LabelBar, MisalignedPanel
from .predictions import Previewer
from .session import Session
from .theme import apply_theme, flat_scrollbars, use_fusion
from .training_panel import TrainingPanel
from .window_state import WindowState, window_title

# After the predictions land, the shown document is tokenized (for snapping) this much later:
# a zero timer would still run before the event loop returns to paint them.
TOKENS_DELAY_MS = 30
TOKENS_POLL_MS = 200  # while the tokenizer loads in its thread
LOAD_FALLBACK_MS = 500  # models load this long after the window opens if it has not been painted
TOKENIZER_FALLBACK_MS = 5000  # the tokenizer loads by then even if no prediction came
SETTLE_MS = 300  # after the tokenizer is ready


_SETTLED = False


def settle_memory() -> None:
    """Collect garbage once, then freeze every object alive (the models, the vocab, Qt's
    wrappers) out of the cyclic garbage collector's way, once per process.

    Measured with ``nergui bench gui``: a full collection walked all of them and took
    50-100 ms, landing in the middle of span edits (p95 of an edit on a 1,000-span document
    ~100 ms, median 16 ms). Frozen objects are still freed when nothing refers to them (a
    replaced pipeline is: spaCy's Language holds no reference cycle); only a cycle among
    them would outlive its use.
    """
    global _SETTLED
    if not _SETTLED:
        gc.collect()
        gc.freeze()
        _SETTLED = True


class MainWindow(QMainWindow):
    def __init__(self, project: Project, *, settings: QSettings | None = None, predictions: bool = True):
        super().__init__()
        use_fusion(QApplication.instance())  # before the widgets are made, so they are polished once
        self.settings = settings or QSettings("nergui", "nergui")
        self.acts: dict = {}
        self._colours: dict[str, QColor] | None = None  # label colours, re-read when the labels change
        self.theme = str(self.settings.value("theme", "system"))
        self.font_size = int(self.settings.value("font_size", 12))
        self.session = Session(project, self)
        self.messages = MessageLog()  # every message of the session (View > Messages)
        self.error_dialogs: list = []  # the error dialogs open now (error_dialog.show_error)
        self.session.ask_labels = lambda names, **kw: label_manager.ask_to_add(self, names, **kw)
        self._closed = False  # set once the window has agreed to close (timers then do nothing)
        self.settled = False  # models loaded and memory settled (see _settle)
        self._doc_key = projects.project_key(project.path, "document")
        self.view = AnnotatorView()
        self.label_bar = LabelBar(self.session)
        self.docs = DocumentPanel(project)
        self.misaligned = MisalignedPanel(self.session)
        self.previewer = Previewer(self) if predictions else None
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.label_bar)
        lay.addWidget(self.view, 1)
        self.setCentralWidget(central)
        self.docs_dock = self._dock("Documents", self.docs, Qt.LeftDockWidgetArea)
        self.misaligned_dock = self._dock("Misaligned spans", self.misaligned, Qt.RightDockWidgetArea)
        self.misaligned_dock.hide()
        self.decisions_panel = DecisionsPanel(self.session)  # the review mode's decisions on the shown document
        self.decisions_dock = self._dock("Decisions", self.decisions_panel, Qt.RightDockWidgetArea)
        self.decisions_dock.hide()
        self.teach_window = None  # View > Review suggestions (gui/teach_view.py)
        self.training = TrainingPanel(self.session, self, snapshots=predictions)
        self.training_dock = self._dock("Training", self.training, Qt.RightDockWidgetArea)
        self.messages_dock = self._dock("Messages", self.messages, Qt.BottomDockWidgetArea)
        self.messages_dock.hide()
        self.doc_pos = QLabel()
        self._pos_digits = 0
        self.label_counts = QLabel()
        self.model_label = QLabel()
        for i, w in enumerate((self.doc_pos, self.label_counts, self.model_label)):
            if i:
                sep = QFrame()
                sep.setFrameShape(QFrame.VLine)
                sep.setFrameShadow(QFrame.Sunken)
                self.statusBar().addPermanentWidget(sep)
            w.setContentsMargins(6, 0, 6, 0)
            self.statusBar().addPermanentWidget(w)
        team.setup(self)  # this app's annotator name (and, for a database project, the server)
        self.keys = KeyboardLabelling(self)
        self.ordering = Ordering(self)  # what Next opens (issue 13): file, random or the model's order
        actions.build_menus(self)
        actions.build_label_actions(self)
        next(a.menu() for a in self.menuBar().actions() if a.text() == "&View").addAction(
            self.training_dock.toggleViewAction())
        self._wire()
        self.learning = learning.attach(self)  # Learn as I annotate: the training panel's box, Training menu
        team_review.attach(self)  # File > Agreement between annotators, Review disagreements (a team's)
        self.view.installEventFilter(self)
        self.docs.list.installEventFilter(self)
        self.docs.search.installEventFilter(self)
        self.controls = controls.Controls(self)  # accessible names, the wheel over spin boxes and sliders (once painted)
        self.watcher = QFileSystemWatcher([str(project.models_dir)], self)
        self.watcher.directoryChanged.connect(lambda _p: self.load_model())
        self.watcher.fileChanged.connect(lambda _p: self.load_model())
        self.watcher.directoryChanged.connect(lambda _p: self.training.versions.refresh())
        self.model_watch = ModelWatch.start_for(project, wait=0)  # a database project: new versions from the server
        self.set_theme(self.theme, save=False)
        self.set_font_size(self.font_size, save=False)
        self.setWindowTitle(f"{window_title(project)} \u2014 nergui")
        self.setAcceptDrops(True)
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 760)
        projects.remember(self.settings, project.location)
        self.refresh_recent()
        self.model_label.setText("model loading\u2026")
        self._loading_started = False
        self.view.sig_painted.connect(self._painted_once)  # once the window is on screen
        QTimer.singleShot(LOAD_FALLBACK_MS, self._start_loading)  # or soon, if it is never painted
        self.remembered = WindowState(self)  # the filter, document, scroll, docks, training of last time
        self.remembered.restore()
        self.routed = routed.attach(self)  # a team's project: Next hands out the router's documents (issue 14)
        self.offline = offline.attach(self)  # a database project: "Offline" in the status bar while unreachable
        self.update_status()
        self.view.setFocus()  # keys label from the start

    def _painted_once(self) -> None:
        self.view.sig_painted.disconnect(self._painted_once)
        QTimer.singleShot(0, self._start_loading)  # after the rest of this paint (the list is in it too)

    def _start_loading(self) -> None:
        """Load the previewed model, then the tokenizer (for snapping), each in a thread of its
        own, once the window has painted: each takes the GIL for most of a second, which would
        delay that paint, and loaded together they would delay the first predictions."""
        if self._loading_started or self._closed:
            return
        self._loading_started = True
        self.controls.cover(self)
        if self.previewer is None:
            self.session.start_tokenizer()
        else:  # after the first predictions (a load beside the first nlp() call slowed it 10x)
            self.previewer.sig_ready.connect(self.session.start_tokenizer)
            self.previewer.sig_failed.connect(self.session.start_tokenizer)
            # not once the window has closed (its project may be closed by then)
            QTimer.singleShot(TOKENIZER_FALLBACK_MS, self, lambda: None if self._closed else self.session.start_tokenizer())
        self.load_model()

    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _wire(self) -> None:
        s = self.session
        self.docs.sig_open.connect(self._open_document)
        s.sig_document.connect(self._document_shown)
        s.sig_spans.connect(self._spans_changed)
        s.sig_suggestions.connect(self.repaint_marks)
        s.sig_state.connect(self._state_changed)
        s.sig_message.connect(self.message)
        s.sig_labels.connect(self._labels_changed)  # the label bar follows it by itself
        s.sig_labels.connect(self.docs.reload_labels)
        s.sig_documents.connect(self.docs.apply_filter)
        s.sig_documents.connect(self.update_status)
        s.sig_misaligned.connect(self._show_misaligned)
        self.view.sig_selected.connect(lambda a, b, ch: s.mark(a, b, char_mode=ch))
        self.view.sig_clicked.connect(self._clicked)
        self.view.sig_context.connect(self._context_menu)
        self.label_bar.sig_toggle_predictions.connect(self._toggle_predictions)
        self.training.sig_preview.connect(self.load_model)
        self.training.sig_model_changed.connect(self.load_model)
        self.training.sig_message.connect(self.message)
        if self.previewer:
            self.previewer.sig_ready.connect(self._predictions_ready)
            self.previewer.sig_model.connect(self._model_loaded)
            self.previewer.sig_failed.connect(self.message)
            self.previewer.sig_failed.connect(self._prepare_tokens_when_idle)

    def eventFilter(self, obj, event) -> bool:
        """Keys that reach the text view or the list unhandled go to the window's actions (the
        shortcut map does not see every synthesised key event, e.g. from QTest); the view's
        own keys stay the view's. Escape in the search box goes back to the text."""
        if event.type() != QEvent.KeyPress:
            return super().eventFilter(obj, event)
        if obj is self.docs.search:
            if event.key() == Qt.Key_Escape:
                self.view.setFocus(Qt.ShortcutFocusReason)
                return True
            return False
        if obj is self.view and self.view.key_handler(event) is not None:
            return False
        seq = QKeySequence(event.keyCombination())
        for act in self.actions():
            if act.isEnabled() and any(k.matches(seq) == QKeySequence.ExactMatch for k in act.shortcuts()):
                if obj is self.docs.list and event.key() in (Qt.Key_Up, Qt.Key_Down):
                    return False
                if act.shortcutContext() == Qt.WidgetShortcut and obj not in act.associatedObjects():
                    continue  # not a key of this widget (accept all works in the text only)
                act.trigger()
                return True
        return False

    # ---- documents -------------------------------------------------------------------------
    def _open_document(self, doc_id) -> None:
        if self.session.doc is None or self.session.doc.id != doc_id:
            self.session.open_document(doc_id)

    def _document_shown(self) -> None:
        """Show the document, then ask for its predictions.

        The request goes out once the text is set and everything else is done, so that the
        previewer's ``nlp`` does not run while this thread still works: both need the GIL
        (Qt calls hold it), and each handover costs both threads. The paint that follows
        runs in the event loop, in parallel. Measured with ``nergui bench gui``: requesting
        first delayed the start of ``nlp`` by the same 1-2 ms and then slowed it; painting
        synchronously before the request cost more than it saved.
        """
        doc = self.session.doc
        self.view.set_text(doc.text if doc else "")
        if doc is None:
            self.message(dialogs_msg_no_docs())
        else:
            self.docs.go_to(doc.id)
            self.settings.setValue(self._doc_key, doc.id)
        self.repaint_marks()
        self.update_status(counts=False)
        self.request_predictions()
        if doc is not None and not self._preview_pending():
            self._prepare_tokens_when_idle()  # after the paint: 50,000 characters take 0.1 s

    def _preview_pending(self) -> bool:
        return bool(self.previewer and self.previewer.worker.nlp is not None
                    and self.label_bar.show_predictions.isChecked())

    def _predictions_ready(self, doc_id: int, spans) -> None:
        self.session.set_suggestions(spans)
        self._prepare_tokens_when_idle()

    def _prepare_tokens_when_idle(self, *_args, delay: int = TOKENS_DELAY_MS) -> None:
        """Tokenize the shown document for snapping a little later (after the paint, and not
        while the previewer runs ``nlp``); a drag before then builds it at once."""
        doc = self.session.doc
        if doc is not None:
            QTimer.singleShot(delay, self.session, lambda d=doc.id: self._prepare_tokens(d))

    def _prepare_tokens(self, doc_id: int) -> None:
        if self._closed:
            return
        if not self.session.prepare_tokens(doc_id):  # the tokenizer is still loading: look again soon
            self._prepare_tokens_when_idle(delay=TOKENS_POLL_MS)
        elif not self.settled:
            QTimer.singleShot(SETTLE_MS, self._settle)

    def _settle(self) -> None:
        """Once the models and the tokenizer are loaded: move everything alive to Python's
        permanent generation (``settle_memory``), so later full collections skip it."""
        if not self._closed and not self.settled:
            self.training.ensure_charts()  # not while the model loaded: it held the GIL for 0.1-0.25 s
            self.controls.cover(self.training)  # the charts are new controls
            settle_memory()
            self.settled = True

    def request_predictions(self) -> None:
        doc = self.session.doc
        if self.previewer:
            want = self.label_bar.show_predictions.isChecked()
            self.previewer.request(doc.id if doc and want else None, doc.text if doc else "")

    def _spans_changed(self) -> None:
        self.repaint_marks()
        self.update_status()

    def _labels_changed(self) -> None:
        actions.build_label_actions(self)
        self._colours = None
        self.repaint_marks()

    def _show_misaligned(self) -> None:
        self.misaligned_dock.show()
        self.misaligned.refresh()

    def _state_changed(self, doc_id: int) -> None:
        self.docs.model.refresh(doc_id)
        self.docs.update_counts()
        self.update_status()

    def set_state(self, state: str) -> None:
        if self.session.set_state(state):
            self.ordering.next()

    def repaint_marks(self) -> None:
        s = self.session
        if s.doc is None:
            self.view.set_marks([])
            return
        sel = s.selected
        marks = [Mark(x.start, x.end, x.label, "span", sel is not None and (x.start, x.end) == (sel.start, sel.end))
                 for x in s.doc.spans]
        if self.label_bar.show_predictions.isChecked():
            marks += [Mark(x.start, x.end, x.label, x.source) for x in s.visible_suggestions()]
        if self._colours is None:
            self._colours = {lab["name"]: QColor(lab["colour"]) for lab in s.project.labels()}
        colours = dict(self._colours)
        for label in {m.label for m in marks} - colours.keys():  # labels only the model knows
            colours[label] = QColor(DISPLACY_COLOURS.get(label, "#c9ced6"))
        self.view.colours = colours
        self.view.set_marks(marks)

    def _clicked(self, pos: int, modifiers) -> None:
        s = self.session
        span = s.span_at(pos)
        if span is not None:
            s.select(span)
            return
        sug = s.suggestion_at(pos) if self.label_bar.show_predictions.isChecked() else None
        if sug is not None:
            s.accept_suggestion(sug)
        elif s.selected is not None:
            s.select(None)

    def _context_menu(self, pos: int, point) -> None:
        s = self.session
        menu = QMenu(self)
        span = s.span_at(pos)
        sug = s.suggestion_at(pos)
        if span is not None:
            s.select(span)
            for name in s.project.label_names():
                if name != span.label:
                    menu.addAction(f"Relabel as {name}", lambda n=name, sp=span: s.relabel(sp, n))
            menu.addAction("Remove span", s.remove_selected)
        elif sug is not None:
            menu.addAction(f"Accept {sug.label}", lambda: s.accept_suggestion(sug))
            as_menu = menu.addMenu("Accept as")  # one of the project's labels: never asks to add one
            for name in s.project.label_names():
                if name != sug.label:
                    as_menu.addAction(name, lambda n=name: s.accept_suggestion(sug, n))
            as_menu.setEnabled(not as_menu.isEmpty())
            menu.addAction(f"Reject {sug.label}", lambda: s.reject_suggestion(sug))
        if not menu.isEmpty():
            menu.popup(point)

    def _toggle_predictions(self, on: bool) -> None:
        self.request_predictions()
        self.repaint_marks()

    # ---- model -------------------------------------------------------------------------------
    def load_model(self, spec: str | None = None, name: str | None = None) -> None:
        """Preview the current model (or ``spec``: a training snapshot named ``name``)."""
        project = self.session.project
        if spec is None:
            current = ModelStore(project.models_dir).current_path()
            spec = str(current) if current else self.session.spec
            name = f"model {current.name}" if current else f"base {describe(self.session.spec)}"
        self.model_label.setText(f"{name} (loading\u2026)")
        if self.previewer:
            self.previewer.load(spec, name)
            if self.settings.value("patterns"):
                self.previewer.load_patterns(str(self.settings.value("patterns")))
            self.request_predictions()

    def _model_loaded(self, name: str) -> None:
        self.model_label.setText(name)
        self.request_predictions()

    # ---- status, view options ---------------------------------------------------------------
    def message(self, text: str, *, error: bool = False) -> None:
        """In the status bar for a while, and in View > Messages for the session; in the
        window's wording (no command-line advice)."""
        text = in_window(text)
        self.statusBar().showMessage(text, 8000)
        self.messages.add(text, error=error)

    def update_status(self, *, counts: bool = True) -> None:
        """Document n of N; with ``counts``, also the accepted spans per label (a query: only
        after edits, state changes and imports, not on every document switch)."""
        s = self.session
        n = self.docs.model.row_of(s.doc.id) + 1 if s.doc else 0
        total = len(self.docs.model.ids)
        state = f" ({s.doc.state})" if s.doc else ""
        if len(str(total)) != self._pos_digits:
            self._fit_doc_pos(len(str(total)))
        self.doc_pos.setText(f"Document {n} of {total}{state}")
        if not counts:
            return
        counts = s.project.counts_by_label(state="accepted")
        self.label_counts.setText("Accepted: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))

    def _fit_doc_pos(self, digits: int) -> None:
        """A fixed size for "Document n of N (state)": a label whose size hint changes makes
        the window lay out and repaint its whole centre on every document switch."""
        self._pos_digits = digits
        fm = self.doc_pos.fontMetrics()
        m = self.doc_pos.contentsMargins()
        d = "8" * digits
        width = max(fm.horizontalAdvance(f"Document {d} of {d} ({st})") for st in STATES)
        self.doc_pos.setFixedSize(width + m.left() + m.right() + 4, self.doc_pos.sizeHint().height())

    def set_char_mode(self, on: bool) -> None:
        self.view.char_mode = bool(on)

    def set_theme(self, theme: str, *, save: bool = True) -> None:
        self.theme = theme
        self.view.dark = apply_theme(QApplication.instance(), theme)
        for t in ("system", "light", "dark"):
            if f"theme_{t}" in self.acts:
                self.acts[f"theme_{t}"].setChecked(t == theme)
        if save:
            self.settings.setValue("theme", theme)
        self.label_bar.rebuild()  # its style sheet takes palette colours only when it is set
        flat_scrollbars(self.view, self.docs.list)
        self.repaint_marks()

    def set_font_size(self, size: int, *, save: bool = True) -> None:
        self.font_size = max(8, min(32, size))
        font = self.view.font()
        font.setPointSize(self.font_size)
        self.view.setFont(font)
        if save:
            self.settings.setValue("font_size", self.font_size)

    def focus_search(self) -> None:
        self.docs_dock.show()
        self.docs.search.setFocus()
        self.docs.search.selectAll()

    def show_shortcuts(self) -> None:
        dialogs.shortcut_sheet(self, actions.shortcut_rows(self)).exec()

    def train_now(self) -> None:
        """Training > Train now (Ctrl+T): the training panel's Train, with the panel shown."""
        self.training_dock.show()
        self.training.train()

    def open_teach(self) -> None:
        """View > Review suggestions one at a time (the review mode, gui/teach_view.py)."""
        from .teach_view import open_teach

        if open_teach(self) is not None:
            self.decisions_dock.show()

    def show_about(self) -> None:
        dialogs.show_about(self, __version__)

    # ---- projects (the work is in projects.py) --------------------------------------------------
    def new_project(self) -> None:
        projects.new_project(self)

    def open_project_dialog(self) -> None:
        projects.open_dialog(self)

    def open_url_dialog(self) -> None:
        projects.open_url_dialog(self)

    def annotator_dialog(self) -> None:
        team.ask_name(self)

    def open_demo(self) -> None:
        projects.open_demo(self)

    def import_dialog(self) -> None:
        projects.import_dialog(self)

    def export_dialog(self) -> None:
        projects.export_dialog(self)

    def patterns_dialog(self) -> None:
        projects.patterns_dialog(self)

    def refresh_recent(self) -> None:
        self.recent_menu.clear()
        for path in projects.recent(self.settings):
            self.recent_menu.addAction(path, lambda p=path: projects.open_path(self, p))

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """Files dropped on the window are imported into this project; a project folder is opened."""
        paths = [u.toLocalFile() for u in event.mimeData().urls()]
        if not paths or not all(paths):
            what = next((u.toString() for u in event.mimeData().urls() if not u.isLocalFile()), "that")
            self.message(Msg.GUI_DROP_NOT_A_FILE.format(what=what))
            return
        event.acceptProposedAction()
        if len(paths) == 1 and projects.is_project(paths[0]) and Path(paths[0]).is_dir():
            projects.open_path(self, paths[0])
            return
        for path in paths:
            projects.import_with_dialog(self, path)

    def closeEvent(self, event) -> None:
        if not self.training.confirm_close():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.remembered.save()
        self._closed = True
        self.learning.shutdown()
        if self.teach_window is not None:
            self.teach_window.close()
        self.training.shutdown()
        self.ordering.stop()
        if self.previewer:
            self.previewer.stop()
        if self.model_watch is not None:
            self.model_watch.stop()
        super().closeEvent(event)


def dialogs_msg_no_docs() -> str:
    return Msg.GUI_NO_DOCUMENTS
