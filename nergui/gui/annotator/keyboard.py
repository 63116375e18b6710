"""The annotator's keyboard caret and focused item: state, moves, painting.

``Keyboard`` belongs to one ``AnnotatorView``. The caret is a range of words (the
selection a label key labels); the focused item is one of the marks shown (a span or a
suggestion) that Tab reached: the caret then covers it. The moves themselves are plain
functions of ``nergui.core.caret``; here they meet Qt's layout (lines, scrolling, paint).
Which key does what is the view's table (``view.VIEW_KEYS``); what a label key, Enter or
Delete does with the caret or the focus is the window's (``nergui.gui.keyboard``).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Callable, Sequence

from PySide6.QtCore import QRect
from PySide6.QtGui import QPalette, QRegion, QTextCursor

from ...core import caret as moves
from ...core.caret import Caret
from . import paint

FocusKey = tuple[int, int, str, str]  # (start, end, label, kind) of the focused mark


def _key(mark) -> FocusKey:
    return mark.start, mark.end, mark.label, mark.kind


class Keyboard:
    def __init__(self, view):
        self.view = view
        self.caret: Caret | None = None
        self.focus: FocusKey | None = None
        self.word_source: Callable[[], Sequence[tuple[int, int]]] | None = None  # set by the window
        self._words: Sequence[tuple[int, int]] | None = None

    # ---- state -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Another text: no caret, no focus, words read again on the next caret key."""
        self.caret, self.focus, self._words = None, None, None

    def words(self) -> Sequence[tuple[int, int]]:
        if self._words is None:
            ws = self.word_source() if self.word_source is not None else None
            self._words = ws if ws is not None else moves.words(self.view.offsets.text, None)
        return self._words

    def items(self) -> list:
        """The marks shown (spans and suggestions), in text order: what Tab goes through."""
        return sorted((m for _qs, _qe, m in self.view._marks), key=lambda m: (m.start, m.end, m.kind, m.label))

    def focused(self):
        """The focused mark as shown now, or None."""
        if self.focus is None:
            return None
        return next((m for m in self.items() if _key(m) == self.focus), None)

    def set(self, c: Caret | None, focus=None, *, reveal: bool = True) -> None:
        """Put the caret (and the focus, a mark or None) here; repaint where they were and are."""
        old = [r for r in (self.caret and self.caret.range, self.focus and self.focus[:2]) if r]
        new_focus = _key(focus) if focus is not None else None
        changed = new_focus != self.focus
        self.caret, self.focus = c, new_focus
        self._update(old + [r for r in (c and c.range,) if r])
        if c is not None and reveal:
            self._reveal(c.start, c.end)
        if changed:
            self.view.sig_focus.emit(focus)

    def clear(self) -> None:
        """Escape: no caret, no focus."""
        if self.caret is not None or self.focus is not None:
            self.set(None)

    def marks_changed(self) -> None:
        """The marks were replaced: a focused mark that is gone loses the focus, unless a mark
        of its kind is at the same place (a relabelled span keeps it); the caret stays."""
        if self.focus is None:
            return
        items = self.items()
        if any(_key(m) == self.focus for m in items):
            return
        start, end, _label, kind = self.focus
        same = next((m for m in items if (m.start, m.end, m.kind) == (start, end, kind)), None)
        self.set(self.caret, same, reveal=False)

    # ---- moves (the handlers named in view.VIEW_KEYS) -------------------------------------------
    def _origin(self) -> Caret:
        """Where a view without a caret starts: before its first visible character."""
        if self.caret is not None:
            return self.caret
        first, _last = self.view.visible_range()
        p = self.view.offsets.from_qt(min(first, self.view.offsets.qt_length))
        return Caret(p, p)

    def _move(self, c: Caret | None) -> None:
        if c is not None and not c.empty:
            self.set(c)

    def right(self) -> None:
        self._move(moves.right(self.words(), self._origin()))

    def left(self) -> None:
        self._move(moves.left(self.words(), self._origin()))

    def next_capital(self) -> None:
        c = self._origin()
        self._move(moves.next_capital(self.view.offsets.text, self.words(), c))

    def previous_capital(self) -> None:
        self._move(moves.previous_capital(self.view.offsets.text, self.words(), self._origin()))

    def extend_right(self) -> None:
        self._move(moves.extend(self.words(), self._origin(), 1))

    def extend_left(self) -> None:
        self._move(moves.extend(self.words(), self._origin(), -1))

    def extend_char_right(self) -> None:
        c = self._origin()
        self._move(moves.extend_char(self.view.offsets.text, c if not c.empty else moves.right(self.words(), c), 1))

    def extend_char_left(self) -> None:
        c = self._origin()
        self._move(moves.extend_char(self.view.offsets.text, c if not c.empty else moves.right(self.words(), c), -1))

    def home(self) -> None:
        self._line_end(last=False)

    def end(self) -> None:
        self._line_end(last=True)

    def _line_end(self, *, last: bool) -> None:
        c = self._origin()
        off = self.view.offsets
        cur = QTextCursor(self.view.document())
        cur.setPosition(off.to_qt(c.start if not c.empty else moves.right(self.words(), c).start))
        cur.movePosition(QTextCursor.StartOfLine)
        ls = off.from_qt(cur.position())
        cur.movePosition(QTextCursor.EndOfLine)
        self._move(moves.in_line(self.words(), ls, off.from_qt(cur.position(), side="right"), last=last))

    def up(self) -> None:
        self._line(QTextCursor.Up)

    def down(self) -> None:
        self._line(QTextCursor.Down)

    def _line(self, direction) -> None:
        c = self._origin()
        ws = self.words()
        if c.empty:  # no caret yet: start on the first visible word
            c = moves.right(ws, c)
            if c.empty:
                return
            if direction == QTextCursor.Up:
                self._move(c)
                return
        off = self.view.offsets
        cur = QTextCursor(self.view.document())
        cur.setPosition(off.to_qt(c.start))
        block, line = cur.block().blockNumber(), cur.block().layout().lineForTextPosition(cur.positionInBlock())
        if not cur.movePosition(direction):
            return
        there = cur.block().layout().lineForTextPosition(cur.positionInBlock())
        if (cur.block().blockNumber(), there.lineNumber()) == (block, line.lineNumber()):
            return
        self._move(moves.word_at(ws, off.from_qt(cur.position())))

    def focus_next(self) -> None:
        self._tab(1)

    def focus_previous(self) -> None:
        self._tab(-1)

    def _tab(self, step: int) -> None:
        """Tab / Shift+Tab: the next (previous) span or suggestion in text order, from the
        focused one, else from the caret; round to the other end of the text."""
        items = self.items()
        if not items:
            return
        keys = [_key(m) for m in items]
        if self.focus in keys:
            i = (keys.index(self.focus) + step) % len(items)
        else:
            ref = self._origin().start
            starts = [m.start for m in items]
            i = bisect_left(starts, ref) if step > 0 else bisect_left(starts, ref) - 1
            i %= len(items)
        m = items[i]
        self.set(Caret(m.start, m.end), m)

    def focus_range(self, start: int, end: int, kind: str | None = None) -> bool:
        """Focus the mark at exactly [start, end) (of ``kind`` if given); False if none."""
        m = next((m for m in self.items() if (m.start, m.end) == (start, end) and kind in (None, m.kind)), None)
        if m is not None:
            self.set(Caret(m.start, m.end), m)
        return m is not None

    def focus_after(self, start: int, end: int) -> bool:
        """Focus the first mark after [start, end) in Tab's order (not round to the top); False if none."""
        m = next((m for m in self.items() if (m.start, m.end) > (start, end)), None)
        if m is not None:
            self.set(Caret(m.start, m.end), m)
        return m is not None

    def place_after(self, end: int) -> None:
        """The caret on the word after ``end`` (a span was just made there), no focus."""
        c = moves.after(self.words(), end)
        self.set(c if c is not None else self.caret)

    def leave_next(self) -> None:
        self.view.focusNextPrevChild(True)

    def leave_previous(self) -> None:
        self.view.focusNextPrevChild(False)

    # ---- screen ----------------------------------------------------------------------------------
    def _rects(self, start: int, end: int):
        off = self.view.offsets
        return paint.range_rects(self.view.document(), off.to_qt(start), off.to_qt(end), self.view._offset())

    def _update(self, ranges) -> None:
        region = QRegion()
        width = self.view.viewport().width()
        for start, end in ranges:
            for r in self._rects(start, end):
                r = r.adjusted(-8, -8, 8, 8).toAlignedRect()
                region += QRect(0, r.top(), width, r.height())
        if not region.isEmpty():
            self.view.viewport().update(region)

    def _reveal(self, start: int, end: int) -> None:
        """Scroll so that the caret's first line (and its caption below) can be seen."""
        rects = self._rects(start, end)
        if not rects:
            return
        r = rects[0]
        height = self.view.viewport().height()
        bar = self.view.verticalScrollBar()
        if r.top() < 0:
            bar.setValue(bar.value() + int(r.top()) - 8)
        elif r.bottom() + r.height() > height:
            bar.setValue(bar.value() + int(r.bottom() + r.height() - height) + 8)

    def paint(self, p) -> None:
        """Draw the caret (a tinted range with a bar at its moving edge) and the focus ring."""
        if self.caret is None and self.focus is None:
            return
        pal = self.view.palette()
        if self.caret is not None and not self.caret.empty:
            paint.draw_caret(p, self._rects(*self.caret.range), pal.color(QPalette.Highlight),
                             forward=self.caret.forward, dark=self.view.dark)
        if self.focus is not None:
            paint.draw_focus(p, self._rects(*self.focus[:2]), pal.color(QPalette.Text))
