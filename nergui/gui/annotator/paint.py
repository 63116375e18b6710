"""Geometry and painting helpers for the annotator view (no state of their own)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QTextDocument

LINE_HEIGHT = 180  # percent: the gap under each line holds the label captions


def range_rects(document: QTextDocument, qs: int, qe: int, offset: QPointF) -> list[QRectF]:
    """Viewport rectangles covering the UTF-16 range [qs, qe), one per laid-out line.

    Starts at the line holding ``qs`` (not the block's first line) and stops at the first
    line past ``qe``: a long paragraph has many lines and a paint asks for every mark.
    """
    rects: list[QRectF] = []
    block = document.findBlock(qs)
    while block.isValid() and block.position() <= qe:
        bpos = block.position()
        layout = block.layout()
        origin = layout.position() + offset
        n = layout.lineCount()
        i = 0
        if qs > bpos:
            first = layout.lineForTextPosition(qs - bpos)
            i = first.lineNumber() if first.isValid() else 0
        while i < n:
            line = layout.lineAt(i)
            i += 1
            ls = bpos + line.textStart()
            if ls >= qe:
                break
            a, b = max(qs, ls), min(qe, ls + line.textLength())
            if a >= b:
                continue
            x1 = line.cursorToX(a - bpos)[0]
            x2 = line.cursorToX(b - bpos)[0]
            rects.append(QRectF(origin.x() + x1, origin.y() + line.y(), max(x2 - x1, 2.0), line.height()))
        block = block.next()
    return rects


_METRICS: dict[str, QFontMetricsF] = {}
_WIDTHS: dict[tuple[str, str], tuple[float, float]] = {}  # (font key, caption) -> (width, height)
_INKS: dict[tuple[int, bool], QColor] = {}


def _metrics(font: QFont) -> QFontMetricsF:
    """Font metrics, made once per font (a paint draws a caption for every visible mark)."""
    key = font.key()
    if key not in _METRICS:
        _METRICS[key] = QFontMetricsF(font)
    return _METRICS[key]


def caption_size(text: str, font: QFont, key: str | None = None) -> tuple[float, float]:
    """Width and height of a caption's box, measured once per font and text: a page of a long
    document has a hundred captions, and measuring each twice per paint was a third of it."""
    key = key if key is not None else font.key()
    size = _WIDTHS.get((key, text))
    if size is None:
        fm = _metrics(font)
        size = _WIDTHS[(key, text)] = (fm.horizontalAdvance(text) + 6, fm.height())
    return size


def caption_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(max(6.5, base.pointSizeF() * 0.62))
    font.setBold(True)
    return font


def ink(colour: QColor, dark: bool) -> QColor:
    """A readable stroke colour for a (pastel) label colour on the current background."""
    key = (colour.rgba(), dark)
    out = _INKS.get(key)
    if out is None:
        out = _INKS[key] = QColor(colour).lighter(115) if dark else QColor(colour).darker(190)
    return out


@dataclass
class Caption:
    """A label caption to draw under a mark (after ``place_captions`` has moved it clear)."""

    box: QRectF
    text: str
    colour: QColor
    filled: bool  # a user span's (filled with the label colour) or a suggestion's (text only)


def draw_span(p: QPainter, rects: list[QRectF], label: str, colour: QColor, *, selected: bool, dark: bool,
              font: QFont, font_key: str | None = None) -> Caption | None:
    """A user span: the fill comes from the text format; here the selection frame. Returns
    its caption, to be drawn once every caption is placed."""
    if not rects:
        return None
    if selected:
        p.setPen(QPen(ink(colour, dark), 2.0))
        p.setBrush(Qt.NoBrush)
        for r in rects:
            p.drawRoundedRect(r.adjusted(-1.5, -1.5, 1.5, 1.5), 3, 3)
    return Caption(caption_box(rects[0], label, font, font_key), label, colour, True)


def draw_prediction(p: QPainter, rects: list[QRectF], label: str, colour: QColor, *, dark: bool,
                    font: QFont, source: str, font_key: str | None = None) -> Caption | None:
    """A suggestion (model or pattern): a dashed (model) or dotted (pattern) outline, no
    fill. Returns its caption, ending in '?'."""
    if not rects:
        return None
    pen = QPen(ink(colour, dark), 1.6, Qt.DashLine if source == "model" else Qt.DotLine)
    p.setPen(pen)
    p.setBrush(Qt.NoBrush)
    for r in rects:
        p.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 3, 3)
    text = caption_text(label, source)
    return Caption(caption_box(rects[0], text, font, font_key), text, colour, False)


def place_captions(captions: list[Caption], *, gap: float = 3.0, right_edge: float | None = None) -> None:
    """Move captions right, in place, so that none covers another on the same line: a
    long label under a short word would otherwise hide its neighbour's. Then, given the
    view's ``right_edge``, pull the last ones of a line back left so none is cut off."""
    rows: dict[int, list[Caption]] = {}
    for c in captions:
        rows.setdefault(round(c.box.top()), []).append(c)
    for row in rows.values():
        row.sort(key=lambda c: (c.box.left(), not c.filled))
        right = None
        for c in row:
            if right is not None and c.box.left() < right + gap:
                c.box.moveLeft(right + gap)
            right = c.box.right()
        if right_edge is not None:
            limit = right_edge
            for c in reversed(row):
                if c.box.right() > limit:
                    c.box.moveLeft(max(0.0, limit - c.box.width()))
                limit = c.box.left() - gap


def draw_caption(p: QPainter, c: Caption, font: QFont, *, dark: bool) -> None:
    p.setFont(font)
    if c.filled:
        p.setPen(Qt.NoPen)
        p.setBrush(c.colour)
        p.drawRoundedRect(c.box, 2, 2)
        p.setPen(QColor("#1a1a1a"))
    else:
        p.setPen(ink(c.colour, dark))
    p.drawText(c.box, Qt.AlignCenter, c.text)


def caption_text(label: str, kind: str) -> str:
    return label if kind == "span" else label + "?"


def caption_box(rect: QRectF, text: str, font: QFont, font_key: str | None = None) -> QRectF:
    """Where a mark's caption goes: under its first line, in the gap the line height leaves."""
    width, height = caption_size(text, font, font_key)
    return QRectF(rect.left(), rect.bottom() + 1, width, height)


def bounds(rects: list[QRectF], text: str, font: QFont, font_key: str | None = None) -> QRectF:
    """Everything a mark paints (outline, selection frame, caption), for partial updates."""
    if not rects:
        return QRectF()
    out = caption_box(rects[0], text, font, font_key)
    for r in rects:
        out = out.united(r)
    return out.adjusted(-3, -3, 3, 3)


def draw_caret(p: QPainter, rects: list[QRectF], colour: QColor, *, forward: bool, dark: bool) -> None:
    """The keyboard caret (the range a label key labels): the range tinted with the theme's
    highlight colour, a solid line along its foot and a bar at the edge Shift+arrow moves."""
    if not rects:
        return
    tint = QColor(colour)
    tint.setAlpha(95 if dark else 70)
    p.setPen(Qt.NoPen)
    p.setBrush(tint)
    for r in rects:
        p.drawRoundedRect(r, 2, 2)
    p.setBrush(colour)
    for r in rects:
        p.drawRect(QRectF(r.left(), r.bottom() - 2.5, r.width(), 2.5))
    edge = rects[-1] if forward else rects[0]
    x = edge.right() if forward else edge.left()
    p.drawRect(QRectF(x - 1.25, edge.top() - 3, 2.5, edge.height() + 3))


FOCUS_RING = (-3.0, -3.0, 3.0, 1.0)  # the focus ring round a mark's rectangle: clear of the caption below


def focus_rect(r: QRectF) -> QRectF:
    return r.adjusted(*FOCUS_RING)


def draw_focus(p: QPainter, rects: list[QRectF], colour: QColor) -> None:
    """The ring round the span or suggestion Tab focused, in the text colour (dark on the
    light theme, light on the dark one), outside the span's own frame."""
    if not rects:
        return
    p.setPen(QPen(colour, 2.0))
    p.setBrush(Qt.NoBrush)
    for r in rects:
        p.drawRoundedRect(focus_rect(r), 3, 3)
