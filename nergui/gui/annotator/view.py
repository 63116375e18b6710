"""The read-only document view.

Holds the canonical text's :class:`OffsetMap` and speaks code points to the outside:
``sig_selected(start, end, char_mode)`` after a drag, ``sig_clicked(pos, modifiers)``
after a click, ``sig_context(pos, global_point)`` for the context menu, ``sig_focus(mark)``
when Tab focuses a span or a suggestion (None: no longer). User spans are filled (a text
format behind the glyphs); predictions are dashed outlines with a '?' caption. Only marks
in the visible range are outlined and captioned on each paint.

The view's own keys (the keyboard caret, Tab through the marks) are the table
``VIEW_KEYS``: the view dispatches on it and the shortcut sheet lists it, so the two
cannot differ. Keys that act on the document (label keys, Enter, Delete) are the
window's actions.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QRegion, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from ...core.text import OffsetMap
from . import paint
from .keyboard import Keyboard


class Mark(NamedTuple):
    """Something painted on the text, in code points. A tuple: a long document has thousands,
    made, sorted and compared on every edit."""

    start: int
    end: int
    label: str
    kind: str = "span"  # "span" (the user's) or "model" / "pattern" (suggestions)
    selected: bool = False


FILL_MARGIN = 6000  # UTF-16 units either side of the visible text whose spans are filled

# The view's own keys: (key, handler of view.keys (a Keyboard), what it does). The shortcut
# sheet (F1) lists these rows as they are; keys that act are the window's actions.
VIEW_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Right", "right", "Caret to the next word (the first word, if there is no caret yet)"),
    ("Left", "left", "Caret to the previous word"),
    ("Ctrl+Right", "next_capital", "Caret to the next word with a capital letter"),
    ("Ctrl+Left", "previous_capital", "Caret to the previous word with a capital letter"),
    ("Home", "home", "Caret to the first word of the line"),
    ("End", "end", "Caret to the last word of the line"),
    ("Up", "up", "Caret to the line above"),
    ("Down", "down", "Caret to the line below"),
    ("Shift+Right", "extend_right", "Select one more word (one less, if the selection grew leftwards)"),
    ("Shift+Left", "extend_left", "Select one word less (one more to the left, once only one is left)"),
    ("Alt+Shift+Right", "extend_char_right", "Move the selection's moving edge one character right"),
    ("Alt+Shift+Left", "extend_char_left", "Move the selection's moving edge one character left"),
    ("Tab", "focus_next", "Focus the next span or suggestion (in text order)"),
    ("Shift+Tab", "focus_previous", "Focus the previous span or suggestion"),
    ("Escape", "clear", "Hide the caret and the focus"),
    ("Ctrl+Tab", "leave_next", "Leave the text for the next control"),
    ("Ctrl+Shift+Tab", "leave_previous", "Leave the text for the previous control"),
)

# What the mouse does in the view (listed on the shortcut sheet beside the keys).
MOUSE: tuple[tuple[str, str], ...] = (
    ("Drag over text", "Mark a span with the current label (snaps to whole tokens)"),
    ("Alt + drag", "Mark exact characters (or View > Select characters)"),
    ("Click a span", "Select it (a label key relabels it, Delete removes it)"),
    ("Click a suggestion", "Accept it"),
    ("Right-click", "Relabel or remove a span; accept or reject a suggestion"),
)


def _combo(modifiers, key) -> tuple[int, int]:
    """A key press as (modifiers, key), keypad or not; Backtab is Shift+Tab."""
    mods = modifiers & ~Qt.KeypadModifier
    if key == Qt.Key_Backtab:
        key, mods = Qt.Key_Tab, mods | Qt.ShiftModifier
    return int(mods.value if hasattr(mods, "value") else mods), int(key.value if hasattr(key, "value") else key)


def _table() -> dict[tuple[int, int], str]:
    out = {}
    for keys, handler, _what in VIEW_KEYS:
        combo = QKeySequence(keys)[0]
        out[_combo(combo.keyboardModifiers(), combo.key())] = handler
    return out


_HANDLERS = _table()


class AnnotatorView(QTextEdit):
    sig_selected = Signal(int, int, bool)
    sig_clicked = Signal(int, object)
    sig_context = Signal(int, QPoint)
    sig_painted = Signal()  # after every paint of the viewport
    sig_focus = Signal(object)  # the mark Tab focused (a Mark), or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("annotator")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.setContextMenuPolicy(Qt.NoContextMenu)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName("Document text")
        self.setAccessibleDescription("Arrow keys move a word caret, Shift+arrows select, a label's key labels; "
                                      "Tab goes through spans and suggestions")
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(14)
        self.offsets = OffsetMap("")
        self.colours: dict[str, QColor] = {}
        self.dark = False
        self.char_mode = False  # a toggle for systems where Alt-drag is taken by the window manager
        self._marks: list[tuple[int, int, Mark]] = []  # (qt start, qt end, mark), sorted
        self._span_keys: list[tuple[int, int, str]] = []  # the user spans, (qt start, qt end, label), sorted
        self._filled: tuple = ()  # the spans the extra selections fill now (those near the visible part)
        self._fills: dict[tuple[int, int, str], QTextEdit.ExtraSelection] = {}  # made once per span and style
        self._style: tuple = ({}, False)  # colours and theme the marks were last painted in
        self._alt = False
        self.keys = Keyboard(self)
        self.verticalScrollBar().valueChanged.connect(self._refresh_fills)

    # ---- content -----------------------------------------------------------------------
    def set_text(self, text: str) -> None:
        self.offsets = OffsetMap(text)
        self.keys.reset()
        self._marks = []
        self._span_keys = []
        self._filled = ()
        self._fills.clear()
        self.setExtraSelections([])
        # What setPlainText does, with the line height set before the text goes in: setting
        # it afterwards laid the whole document out a second time.
        doc = self.document()
        doc.clear()
        cursor = QTextCursor(doc)
        fmt = QTextBlockFormat()
        fmt.setLineHeight(paint.LINE_HEIGHT, 1)  # ProportionalHeight; every new block inherits it
        cursor.beginEditBlock()
        cursor.setBlockFormat(fmt)
        cursor.insertText(self.offsets.display_text)
        cursor.endEditBlock()
        self.moveCursor(QTextCursor.Start)

    def set_marks(self, marks: list[Mark]) -> None:
        """Paint these spans and suggestions (replacing the previous ones).

        Only what changed is repainted: the user spans' formats are reset only if the spans
        changed, and the viewport is updated only where a mark appeared or went away (its
        outline and caption), unless the colours or the theme changed.
        """
        if self.offsets.identity:  # no astral characters, no CRLF: Qt positions are code points
            new = sorted((m.start, m.end, m) for m in marks)
        else:
            to_qt = self.offsets.to_qt
            new = sorted((to_qt(m.start), to_qt(m.end), m) for m in marks)
        old, self._marks = self._marks, new
        style = ({k: c.rgba() for k, c in self.colours.items()}, self.dark)
        restyled, self._style = style != self._style, style
        self._span_keys = [(qs, qe, m[2]) for qs, qe, m in new if m[3] == "span"]  # (indices: 2000 marks)
        if restyled:
            self._fills.clear()
        self._refresh_fills()
        self.keys.marks_changed()
        if restyled:
            self.viewport().update()
            return
        changed = set(old).symmetric_difference(new)
        if changed:
            first, last = self.visible_range()  # a mark out of sight needs no paint (accept-all changes 2,000)
            font = paint.caption_font(self.font())
            key = font.key()
            offset = self._offset()
            region = QRegion()
            width = self.viewport().width()
            for qs, qe, m in changed:  # the whole rows it is on: the captions beside it may move
                if qe < first or qs > last + 1:
                    continue
                rects = paint.range_rects(self.document(), qs, qe, offset)
                r = paint.bounds(rects, paint.caption_text(m.label, m.kind), font, key).toAlignedRect()
                region += QRect(0, r.top(), width, r.height())
            if not region.isEmpty():
                self.viewport().update(region)

    def _refresh_fills(self, *_args) -> None:
        """Fill the user spans near the visible part (the text format behind their glyphs).

        Only those: Qt lays out and repaints every extra selection it is given, so a document
        with 1,000 spans made each edit and each scroll cost 100 ms. Called on every scroll and
        resize, before the paint; the margin covers a fast scroll of a few pages.
        """
        if not self._span_keys:
            if self._filled:
                self._filled = ()
                self.setExtraSelections([])
            return
        first, last = self.visible_range()
        margin = FILL_MARGIN
        lo = max(0, bisect_left(self._span_keys, (first - margin,)) - 1)
        hi = bisect_left(self._span_keys, (last + margin,))
        near = tuple(self._span_keys[lo:hi])
        if near == self._filled:
            return
        self._filled = near
        fills = []
        for key in near:
            fill = self._fills.get(key)
            if fill is None:
                fill = self._fills[key] = self._fill(*key)
            fills.append(fill)
        self.setExtraSelections(fills)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refresh_fills()

    def _fill(self, qs: int, qe: int, label: str) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cur = QTextCursor(self.document())
        cur.setPosition(qs)
        cur.setPosition(qe, QTextCursor.KeepAnchor)
        sel.cursor = cur
        fmt = QTextCharFormat()
        fmt.setBackground(self.colour(label))
        fmt.setForeground(QColor("#1a1a1a"))
        sel.format = fmt
        return sel

    def _offset(self) -> QPointF:
        return QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())

    def colour(self, label: str) -> QColor:
        return self.colours.get(label) or QColor("#dddddd")

    # ---- geometry (also used by tests to aim the mouse) ---------------------------------
    def point_at(self, cp: int) -> QPoint:
        """The viewport point of the caret before code point ``cp`` (vertically centred)."""
        cur = QTextCursor(self.document())
        cur.setPosition(self.offsets.to_qt(cp))
        rect = self.cursorRect(cur)
        return QPoint(rect.left() + 1, rect.center().y())

    def position_at(self, point: QPoint) -> int:
        return self.offsets.from_qt(self.cursorForPosition(point).position())

    def visible_range(self) -> tuple[int, int]:
        """UTF-16 positions of the first and last visible characters."""
        vp = self.viewport().rect()
        return (self.cursorForPosition(vp.topLeft()).position(),
                self.cursorForPosition(vp.bottomRight()).position())

    # ---- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.sig_painted.emit()
        if not self._marks:
            if self.keys.caret is not None:
                p = QPainter(self.viewport())
                self.keys.paint(p)
                p.end()
            return
        first, last = self.visible_range()
        offset = self._offset()
        font = paint.caption_font(self.font())
        key = font.key()
        area = QRectF(event.rect()).adjusted(-4, -4, 4, 4)  # a partial update paints only what is in it
        whole = event.rect().contains(self.viewport().rect())
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.Antialiasing)
        captions = []
        # marks never overlap each other within a kind, so starting a little before `first` is enough
        i = max(0, bisect_left(self._marks, (first,)) - 50)
        for qs, qe, m in self._marks[i:]:
            if qs > last + 1:
                break
            if qe < first:
                continue
            rects = paint.range_rects(self.document(), qs, qe, offset)
            if not rects:
                continue
            if not whole:  # a partial update: only the marks whose rows are in it (captions move sideways)
                b = paint.bounds(rects, paint.caption_text(m.label, m.kind), font, key)
                if b.bottom() < area.top() or b.top() > area.bottom():
                    continue
            if m.kind == "span":
                cap = paint.draw_span(p, rects, m.label, self.colour(m.label), selected=m.selected, dark=self.dark,
                                      font=font, font_key=key)
            else:
                cap = paint.draw_prediction(p, rects, m.label, self.colour(m.label), dark=self.dark, font=font,
                                            source=m.kind, font_key=key)
            captions.append(cap)
        paint.place_captions([c for c in captions if c is not None], right_edge=self.viewport().width() - 2.0)
        self.keys.paint(p)
        for c in captions:
            if c is not None:
                paint.draw_caption(p, c, font, dark=self.dark)
        p.end()

    # ---- keys ------------------------------------------------------------------------------
    def key_handler(self, event):
        """The Keyboard method ``VIEW_KEYS`` gives this key event, or None (not the view's key)."""
        name = _HANDLERS.get(_combo(event.modifiers(), Qt.Key(event.key())))
        return getattr(self.keys, name) if name else None

    def event(self, event) -> bool:
        kind = event.type()
        if kind == QEvent.ShortcutOverride and self.key_handler(event) is not None:
            event.accept()  # the view's key: no window shortcut takes it
            return True
        if kind == QEvent.KeyPress and event.key() in (Qt.Key_Tab, Qt.Key_Backtab):
            handler = self.key_handler(event)  # before QWidget moves the focus on Tab
            if handler is not None:
                handler()
                return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        handler = self.key_handler(event)
        if handler is None:
            super().keyPressEvent(event)
            return
        handler()
        event.accept()

    # ---- mouse -----------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        self._alt = bool(event.modifiers() & Qt.AltModifier)
        self.keys.clear()  # the mouse takes over: no keyboard caret, no focus
        if event.button() == Qt.RightButton:
            pos = self.position_at(event.position().toPoint())
            self.sig_context.emit(pos, event.globalPosition().toPoint())
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.LeftButton:
            return
        cursor = self.textCursor()
        if cursor.hasSelection():
            start, end = self.offsets.span_from_qt(cursor.selectionStart(), cursor.selectionEnd())
            cursor.clearSelection()
            self.setTextCursor(cursor)
            self.sig_selected.emit(start, end, self._alt or self.char_mode)
        else:
            self.sig_clicked.emit(self.position_at(event.position().toPoint()), event.modifiers())
