"""The open project and document, bound to the widgets: the glue between views and core.

Every user action becomes a core edit (``nergui.core.edits``), applied to the store at
once (one transaction) and pushed on the undo stack (``commands.EditStack``). Refusals
come back as NerguiError (the store translates database errors) and go to
``sig_message`` (the status bar).

The session announces every change with a signal and the widgets follow: ``sig_labels``
(label bar, label keys, colours, the list's label filter), ``sig_documents`` (the
document list, the counts). Nothing outside calls a widget to refresh it. What is shown
of a document (the span at a position, the visible suggestions...) is worked out in
``nergui.core.document_view``; the methods here are thin wrappers over it.

The project's labels are the types the user works on. An edit that gives spans a label the
project lacks (accepting a suggestion of a type only the model knows) adds it in the same
undo step; before accepting one, the session asks (``ask_labels``, set by the window) once
per label per session. The answer is remembered: after Yes the label is added again without
a question (say, once Ctrl+Z took it away); after No, suggestions of that type are not
accepted under it (accept-as with one of the project's labels still works: a label key on
the focused suggestion, or the context menu), until the label is added in Edit > Labels.
A change in the label manager forgets the answers.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from ..core import document_view, edits
from ..core.labels import AddLabel
from ..core.pipeline import load_tokenizer
from ..core.records import ImportReport, Span
from ..core.store import Document, Project
from ..core.text import TokenIndex, snap
from ..errors import Msg, NerguiError
from .commands import EditCommand, EditStack

_UNSET = object()


class _Tokenizers:
    """Each pipeline's tokenizer (for snapping selections), loaded once, in a thread of its
    own: loading one takes about half a second, which the window's first paint must not wait
    for. Only the GUI thread uses a loaded tokenizer."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: dict[str, object] = {}  # spec -> tokenizer, or the NerguiError that stopped it
        self._loading: dict[str, threading.Thread] = {}

    def start(self, spec: str) -> None:
        with self._lock:
            if spec in self._loaded or spec in self._loading:
                return
            thread = threading.Thread(target=self._load, args=(spec,), name=f"tokenizer {spec}", daemon=True)
            self._loading[spec] = thread
        thread.start()

    def _load(self, spec: str) -> None:
        try:
            result: object = load_tokenizer(spec)
        except NerguiError as err:
            result = err
        except Exception as err:  # noqa: BLE001 - reported where the tokenizer is used
            result = NerguiError(str(err))
        with self._lock:
            self._loaded[spec] = result
            self._loading.pop(spec, None)

    def ready(self, spec: str) -> bool:
        with self._lock:
            return spec in self._loaded

    def get(self, spec: str):
        """The tokenizer, waiting for its load if it is under way; raises its NerguiError."""
        self.start(spec)
        with self._lock:
            thread = self._loading.get(spec)
        if thread is not None:
            thread.join()
        result = self._loaded[spec]
        if isinstance(result, NerguiError):
            raise result
        return result


TOKENIZERS = _Tokenizers()


def tokenizer_for(spec: str):
    """The tokenizer of a pipeline (loaded once per spec; waits for a load under way)."""
    return TOKENIZERS.get(spec)


class Session(QObject):
    sig_document = Signal()          # another document is shown
    sig_spans = Signal()             # spans or selection changed
    sig_suggestions = Signal()       # the suggestions shown changed (not the spans)
    sig_state = Signal(int)          # a document's state changed (doc id)
    sig_message = Signal(str)        # for the status bar
    sig_labels = Signal()            # the project's labels (names, colours, keys) changed
    sig_documents = Signal()         # documents were added, removed or changed in bulk (an import)
    sig_misaligned = Signal()        # spans that do not match token boundaries came in (an import)

    def __init__(self, project: Project, parent=None):
        super().__init__(parent)
        self.project = project
        self.undo_stack = EditStack(self)
        self.doc: Document | None = None
        self._tokens: TokenIndex | None | object = _UNSET  # built on first use (see ``tokens``)
        names = project.label_names()
        self._labels = frozenset(names)  # the labels the widgets were last told about
        self.label: str | None = (names or [None])[0]
        self.selected: Span | None = None
        self.suggestions: list[Span] = []  # model and pattern predictions for self.doc
        self.rejected: set[tuple[int, int, str]] = set()  # (start, end, label) rejected on self.doc (from the store)
        # asks whether to add labels the project lacks: fn(names, total=, ours=) -> True (add them), False (no),
        # None (cancel); ``total`` suggestions would be accepted, ``ours`` of them under the project's labels.
        # None here: they are added without a question (scripts, benches).
        self.ask_labels = None
        self._label_answers: dict[str, bool] = {}  # this session's answers, per label
        self.keep = None  # fn(edit) -> inverse: applies it, or keeps it offline (gui/offline.py)

    @property
    def spec(self) -> str:
        return self.project.base_pipeline or "blank:en"

    # ---- documents -----------------------------------------------------------------------
    def open_document(self, doc_id: int | None) -> None:
        doc, rejected = None, set()
        if doc_id is not None:
            try:
                doc, rejected = self.project.get_document(doc_id), self.project.rejections(doc_id)
            except NerguiError as err:  # the database failed (damaged): say so, keep what is shown
                self.sig_message.emit(str(err))
                return
        self.selected = None
        self.suggestions = []
        self._tokens = _UNSET
        self.doc, self.rejected = doc, rejected
        self.sig_document.emit()

    def documents_imported(self, report: ImportReport, message: str) -> None:
        """An import finished (``message`` says how): if it wrote anything, the widgets
        learn of the new documents and labels, and of spans off the token boundaries."""
        self.sig_message.emit(message)
        if not report.committed:
            return
        self.labels_changed()
        self.sig_documents.emit()
        if report.warnings:
            self.sig_misaligned.emit()

    # ---- labels ----------------------------------------------------------------------------
    def labels_changed(self, edit: edits.Edit | None = None) -> None:
        """The project's labels changed: re-read them once, then tell the widgets. The label
        for new spans follows a rename (``edit``); a new project's first label becomes it."""
        try:
            names = self.project.label_names()
        except NerguiError as err:
            self.sig_message.emit(str(err))
            return
        self._labels = frozenset(names)
        if edit is not None:
            self.label = edit.successor(self.label)
        if self.label not in self._labels:
            self.label = names[0] if names else None
        self.sig_labels.emit()

    def add_labels(self, names) -> bool:
        """Add the labels the project lacks (in the order given); False if the store refused."""
        new = [n for n in dict.fromkeys(names) if n not in self._labels]
        if not new:
            return True
        try:
            for name in new:
                self.project.add_label(name)
        except NerguiError as err:
            self.sig_message.emit(str(err))
            return False
        finally:
            self.labels_changed()  # those added before a refusal are there too
        return True

    def lacking(self, names) -> list[str]:
        """Those of ``names`` that are not labels of the project, in the order given."""
        new = [n for n in dict.fromkeys(names) if n not in self._labels]
        if new:  # the cache is only a shortcut: the store says for sure
            try:
                have = set(self.project.label_names())
            except NerguiError:
                have = set()
            new = [n for n in new if n not in have]
        return new

    def allowed_labels(self, names: list[str], *, total: int = 1, ours: int = 0) -> set[str] | None:
        """Which of ``names`` (labels the project lacks) may be added, asking about those not
        yet answered this session (see the module's docstring); None if the user cancelled."""
        ask = [n for n in names if n not in self._label_answers]
        if ask and self.ask_labels is not None:
            answer = self.ask_labels(ask, total=total, ours=ours)
            if answer is None:
                return None
            self._label_answers.update(dict.fromkeys(ask, bool(answer)))
        return {n for n in names if self._label_answers.get(n, True)}

    def allow_labels(self, names) -> None:
        """Answer Yes in advance for these labels, this session (a bench keying suggestions)."""
        self._label_answers.update(dict.fromkeys(names, True))

    @property
    def tokens(self) -> TokenIndex | None:
        """The shown document's tokens (for snapping), or None (no document, or the tokenizer
        failed: character selection still works).

        Built on first use, or by ``prepare_tokens`` once the window is idle: tokenizing in
        the GUI thread while the previewer runs ``nlp`` on the same text would make the two
        threads take turns on the GIL and delay the predictions.
        """
        if self._tokens is _UNSET:
            self._tokens = None
            if self.doc is not None:
                try:
                    self._tokens = TokenIndex.from_text(self.doc.text, tokenizer_for(self.spec))
                except (NerguiError, ValueError) as err:
                    self.sig_message.emit(str(err))
        return self._tokens

    def tokens_ready(self) -> bool:
        """Whether the shown document's token index is built (snapping needs no wait)."""
        return self._tokens is not _UNSET

    def start_tokenizer(self, *_args) -> None:
        """Begin loading the project pipeline's tokenizer in its own thread."""
        TOKENIZERS.start(self.spec)

    def prepare_tokens(self, doc_id: int | None = None) -> bool:
        """Build the token index now if document ``doc_id`` (default: any) is still shown and
        the tokenizer is loaded; returns False if the tokenizer is still loading."""
        if not TOKENIZERS.ready(self.spec):
            return False
        if self.doc is not None and (doc_id is None or self.doc.id == doc_id):
            self.tokens  # noqa: B018 - builds it
        return True

    def _resolve_selection(self) -> None:
        """The selected span as the document now has it (by offsets), or none."""
        sel = self.selected
        if sel is not None and sel not in self.doc.spans:
            self.selected = next((s for s in self.doc.spans if (s.start, s.end) == (sel.start, sel.end)), None)

    # ---- edits ---------------------------------------------------------------------------
    def apply(self, edit: edits.Edit) -> bool:
        new = sorted(self.lacking(edit.labels())) if not edit.labels() <= self._labels else []
        if new:  # a type the project lacks: the label comes in the same step, and goes with its undo
            edit = edits.Batch(edit.doc_id, edit.text, (*(AddLabel(text=edit.text, name=n) for n in new), edit))
        try:
            inverse = self.run(edit)
        except NerguiError as err:  # refused, or the database failed (busy, read-only, full, damaged)
            self.sig_message.emit(str(err))
            return False
        self.undo_stack.push(EditCommand(self, edit, inverse))
        self.after_edit(edit)
        return True

    def run(self, edit: edits.Edit) -> edits.Edit:
        """Apply ``edit`` to the store and return its inverse; a database project's window
        may instead keep it in its offline journal (``self.keep``, set by gui/offline.py)."""
        return self.keep(edit) if self.keep is not None else edit.apply(self.project)

    def after_edit(self, edit: edits.Edit) -> None:
        """Called after any edit, undo or redo: show its document, refresh what depends on it."""
        if isinstance(edit, edits.SetState):
            self.sig_state.emit(edit.doc_id)
        if edit.doc_id == edits.PROJECT:
            self._label_answers.clear()  # the label manager changed the labels: ask afresh
        if edit.changes_labels() or not edit.labels() <= self._labels:  # e.g. a type only the model knew
            self.labels_changed(edit)  # before the repaint: the new label has its colour in it
        if edit.doc_id != edits.PROJECT and (self.doc is None or edit.doc_id != self.doc.id):
            self.open_document(edit.doc_id)
        elif edit.everywhere():  # a label renamed, merged or deleted: spans changed in any document
            self.reload_document()
        elif self.doc is not None:  # the shown document changed as the store did: no need to read it back
            edit.patch(self.doc, self.rejected)
            self._resolve_selection()
            self.sig_spans.emit()
        if edit.everywhere():
            self.sig_documents.emit()  # the list's label filter and the counts

    def reload_document(self) -> None:
        """Read the shown document's spans and rejections back from the store (its
        suggestions and the selection, by offsets, stay)."""
        if self.doc is None:
            return
        try:
            doc, rejected = self.project.get_document(self.doc.id), self.project.rejections(self.doc.id)
        except NerguiError as err:
            self.sig_message.emit(str(err))
            return
        self.doc, self.rejected = doc, rejected
        self._resolve_selection()
        self.sig_spans.emit()

    def mark(self, start: int, end: int, *, char_mode: bool = False, label: str | None = None,
             select: bool = True) -> Span | None:
        """Turn a selection into a span with the current label (token-snapped unless char_mode);
        ``label`` becomes the current label first. The new span is selected unless ``select``
        is False (the keyboard moves on past it). Returns the span made, or None."""
        if self.doc is None:
            return None
        if label is not None:
            self.label = label
        if self.label is None:
            self.sig_message.emit(Msg.GUI_NO_LABEL)
            return None
        rng = snap(self.doc.text, start, end, tokens=self.tokens, mode="char" if char_mode else "token")
        if rng is None:
            self.sig_message.emit(Msg.GUI_ONLY_SPACE)
            return None
        span = document_view.with_tokens(*rng, self.label, "user", self.tokens)
        text = f"Mark {self.doc.text[rng[0]:rng[1]]!r} as {self.label}"
        # the new span is selected in the one repaint that follows
        before, self.selected = self.selected, (span if select else None)
        if self.apply(edits.AddSpans(self.doc.id, text, (span,))):
            return span
        self.selected = before
        return None

    def label_range(self, start: int, end: int, label: str, *, char_mode: bool = False) -> Span | None:
        """Give exactly [start, end) the label ``label`` (a label key on the keyboard's
        selection): relabel the span there, else accept the suggestion there as ``label``,
        else mark a new span. ``label`` becomes the current label. Returns the span the
        range now holds, or None if the store refused."""
        if self.doc is None:
            return None
        span, suggestion = document_view.at_range(self.doc, self.suggestions, self.rejected, start, end, label)
        if span is not None:
            self.label = label
            if span.label != label and not self.relabel(span, label):
                return None
            if span.label == label:
                self.sig_spans.emit()  # the label bar follows the current label
            return next((s for s in self.doc.spans if (s.start, s.end) == (start, end)), None)
        if suggestion is not None:
            self.label = label
            return self.accept_suggestion(suggestion, label)
        return self.mark(start, end, char_mode=char_mode, label=label, select=False)

    def span_at(self, pos: int) -> Span | None:
        return document_view.span_at(self.doc.spans, pos) if self.doc is not None else None

    def suggestion_at(self, pos: int) -> Span | None:
        return document_view.suggestion_at(self.doc, self.suggestions, self.rejected, pos)

    def select(self, span: Span | None) -> None:
        self.selected = span
        self.sig_spans.emit()

    def remove_selected(self) -> None:
        if self.doc is None or self.selected is None:
            return
        self.remove_span(self.selected)

    def remove_span(self, s: Span) -> bool:
        if self.doc is None:
            return False
        if self.selected is not None and (self.selected.start, self.selected.end) == (s.start, s.end):
            self.selected = None
        return self.apply(edits.RemoveSpans(self.doc.id, f"Remove {s.label} {self.doc.text[s.start:s.end]!r}", (s,)))

    def choose_label(self, label: str) -> None:
        """Pick the label for new spans; with a span selected, relabel it."""
        self.label = label
        if self.doc is not None and self.selected is not None and self.selected.label != label:
            self.relabel(self.selected, label)
        else:
            self.sig_spans.emit()

    def relabel(self, span: Span, label: str) -> bool:
        """Give ``span`` another label (the context menu); the label for new spans stays."""
        if self.doc is None or span.label == label:
            return False
        return self.apply(edits.Relabel(self.doc.id, f"Relabel {span.label} as {label}", span.start, span.end, label))

    def set_state(self, state: str) -> bool:
        if self.doc is None:
            return False
        return self.apply(edits.SetState(self.doc.id, f"Mark document {self.doc.id} {state}", state))

    def fix_span(self, span: Span, start: int | None, end: int | None) -> None:
        """Replace a misaligned span by [start, end) (expand/contract), or drop it (None)."""
        if start is None:
            self.apply(edits.RemoveSpans(self.doc.id, f"Drop misaligned {span.label}", (span,)))
            return
        new = document_view.with_tokens(start, end, span.label, span.source, self.tokens)
        if self.apply(edits.ReplaceSpan(self.doc.id, f"Fix {span.label} span", span, new)):
            self.sig_message.emit(Msg.GUI_FIXED.format(start=start, end=end, label=span.label))

    # ---- suggestions (predictions and pattern matches) ------------------------------------------
    def set_suggestions(self, spans: list[Span]) -> None:
        self.suggestions = spans
        self.sig_suggestions.emit()

    def visible_suggestions(self) -> list[Span]:
        """Suggestions (the model's and patterns', then those imported with the file) not
        rejected and not already marked at the same place."""
        return document_view.visible_suggestions(self.doc, self.suggestions, self.rejected)

    def accept_suggestion(self, s: Span, label: str | None = None) -> Span | None:
        """Add a suggestion as a span, under its own label or as ``label``; returns the span.
        A label the project lacks is added with it if the user agrees (``allowed_labels``)."""
        span = document_view.accepted(s, self.tokens, label)
        new = self.lacking([span.label])
        allowed = self.allowed_labels(new) if new else set()
        if allowed is None or (new and not allowed):
            if allowed is not None:
                self.sig_message.emit(Msg.GUI_LABEL_DECLINED.format(label=span.label))
            return None
        what = f"Accept {s.label} {self.doc.text[s.start:s.end]!r}" + (f" as {span.label}" if span.label != s.label else "")
        return span if self.apply(edits.AddSpans(self.doc.id, what, (span,))) else None

    def reject_suggestion(self, s: Span) -> bool:
        """Hide a prediction on this document for good (kept in the store; undoable)."""
        if self.doc is None:
            return False
        return self.apply(edits.Reject(self.doc.id, f"Reject {s.label} {self.doc.text[s.start:s.end]!r}",
                                       s.start, s.end, s.label))

    def accept_all(self) -> int:
        """Add every visible suggestion that does not overlap a span, as one undoable edit."""
        if self.doc is None:
            return 0
        chosen, skipped = document_view.accept_all(self.doc, self.suggestions, self.rejected, self.tokens)
        if not chosen:
            self.sig_message.emit(Msg.GUI_NO_PREDICTIONS)
            return 0
        new = self.lacking(s.label for s in chosen)
        left = []
        if new:  # asked once for them all
            allowed = self.allowed_labels(new, total=len(chosen), ours=sum(s.label not in new for s in chosen))
            if allowed is None:
                return 0
            left = [s for s in chosen if s.label in new and s.label not in allowed]
            chosen = [s for s in chosen if not (s.label in new and s.label not in allowed)]
            if not chosen:
                self.sig_message.emit(Msg.GUI_LABEL_DECLINED.format(label=", ".join(sorted({s.label for s in left}))))
                return 0
        if self.apply(edits.AddSpans(self.doc.id, f"Accept {len(chosen)} predictions", tuple(chosen))):
            if left:
                self.sig_message.emit(Msg.GUI_ACCEPTED_OURS.format(
                    n=len(chosen), left=len(left), labels=", ".join(sorted({s.label for s in left}))))
            elif skipped:
                self.sig_message.emit(Msg.GUI_ACCEPTED_SOME.format(n=len(chosen), skipped=skipped))
            return len(chosen)
        return 0
