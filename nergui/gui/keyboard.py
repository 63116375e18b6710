"""Keyboard-only labelling: what a label key, Enter, Delete and Shift+Enter do with the
text view's caret and focused mark (``annotator.keyboard``), through the session.

* A label key (1-9, the label bar's keys) gives its label to the focused suggestion
  (accepted as that label) or span (relabelled); else to the caret's selection (the span
  exactly there is relabelled, the suggestion exactly there accepted as that label, or a
  new span is made); else it picks the label for new spans.
* Enter accepts the focused suggestion under its own label (or labels the selection with
  the current label); Delete/Backspace rejects the focused suggestion or removes the focused
  (or clicked) span; Shift+Enter accepts every suggestion, asking first on a document that
  is already accepted.
* Afterwards the keyboard moves on: past a span made from the caret, the caret goes to the
  word after it; past an accepted, rejected or removed mark, the focus goes to the next one
  (as Tab would), or the caret to the word after it. So the next label key never relabels
  what was just made.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from ..core import caret as moves
from ..core import document_view
from ..errors import Msg


class KeyboardLabelling(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.view = window.view
        self.view.keys.word_source = self.words
        self.view.sig_focus.connect(self._focused)

    def words(self):
        """The shown document's words (its tokens without white space) for the caret."""
        doc = self.session.doc
        return moves.words(doc.text, self.session.tokens) if doc is not None else []

    @property
    def keys(self):
        return self.view.keys

    def _focused(self, mark) -> None:
        """Tab focused a mark: a span is also the session's selected span; anything else
        unselects it."""
        s = self.session
        if mark is not None and mark.kind == "span":
            span = s.span_at(mark.start)
            if span is not None and (span.start, span.end) == (mark.start, mark.end) and span != s.selected:
                s.select(span)
        elif s.selected is not None:
            s.select(None)

    def _suggestion(self, mark):
        """The visible suggestion a focused suggestion mark stands for."""
        return next((x for x in self.session.visible_suggestions()
                     if (x.start, x.end, x.label, x.source) == (mark.start, mark.end, mark.label, mark.kind)), None)

    def _advance(self, start: int, end: int) -> None:
        """Past a mark that was accepted, rejected or removed: the next mark, else the word after it."""
        if not self.keys.focus_after(start, end):
            self.keys.place_after(end)

    # ---- the actions' slots --------------------------------------------------------------------
    def label_key(self, label: str) -> None:
        """A label's key (see the module's docstring)."""
        s, keys = self.session, self.keys
        mark = keys.focused()
        if mark is not None and mark.kind != "span":
            sug = self._suggestion(mark)
            if sug is not None:
                s.label = label
                if s.accept_suggestion(sug, label) is not None:
                    self._advance(mark.start, mark.end)
                return
        if mark is not None and mark.kind == "span":
            if s.label_range(mark.start, mark.end, label) is not None:
                keys.focus_range(mark.start, mark.end, "span")
            return
        c = keys.caret
        if c is not None and not c.empty:
            self._label_caret(label)
            return
        s.choose_label(label)

    def _label_caret(self, label: str) -> None:
        c = self.keys.caret
        char_mode = not moves.aligned(self.keys.words(), c.start, c.end)
        span = self.session.label_range(c.start, c.end, label, char_mode=char_mode)
        if span is not None:
            self.keys.place_after(span.end)

    def enter(self) -> None:
        """Enter: accept the focused suggestion, or label the selection with the current label."""
        mark = self.keys.focused()
        if mark is not None and mark.kind != "span":
            sug = self._suggestion(mark)
            if sug is not None and self.session.accept_suggestion(sug) is not None:
                self._advance(mark.start, mark.end)
            return
        c = self.keys.caret
        if mark is None and c is not None and not c.empty and self.session.label is not None:
            self._label_caret(self.session.label)
            return
        if mark is None:
            self.session.sig_message.emit(Msg.GUI_NOTHING_FOCUSED)

    def delete(self) -> None:
        """Delete/Backspace: reject the focused suggestion, remove the focused or selected span."""
        s = self.session
        mark = self.keys.focused()
        if mark is not None and mark.kind != "span":
            sug = self._suggestion(mark)
            if sug is not None and s.reject_suggestion(sug):
                self._advance(mark.start, mark.end)
            return
        span = s.span_at(mark.start) if mark is not None else s.selected
        if span is None or (mark is not None and (span.start, span.end) != (mark.start, mark.end)):
            return
        if s.remove_span(span) and mark is not None:
            self._advance(mark.start, mark.end)

    def accept_all(self) -> int:
        """Shift+Enter: accept every suggestion; on an accepted document, only if the user agrees."""
        s = self.session
        if s.doc is None:
            return 0
        if s.doc.state == "accepted":
            n = len(document_view.accept_all(s.doc, s.suggestions, s.rejected, None)[0])
            if n and QMessageBox.question(
                    self.window, "Accept all predictions", Msg.GUI_ACCEPT_ALL_ACCEPTED.format(n=n),
                    QMessageBox.Yes | QMessageBox.No, QMessageBox.No) != QMessageBox.Yes:
                return 0
        return s.accept_all()
