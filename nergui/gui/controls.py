"""Two things every control of the window needs, whoever built it.

* **An accessible name** (what a screen reader says). The widgets set theirs where they are
  made (``setAccessibleName``); ``Controls.cover`` gives one to any focusable control still
  without, from what a sighted user reads for it (``derived_name``): its text, its form
  label, its tool tip, its placeholder, a chart's title, else the box or panel it is in.
  ``Controls.derived`` lists those it named: widgets whose module should name them.
* **The mouse wheel scrolls the panel.** Over a spin box, slider or combo box that does not
  have the focus, the wheel would change its value while the user meant to scroll the
  panel: ``Controls`` passes the wheel on to the panel unless the control has the focus,
  and makes those controls take the focus on a click or Tab only (``Qt.StrongFocus``,
  not the wheel). Installed on those controls only: an application-wide event filter
  would call Python for every event of the application. (Where no scroll area holds the
  control, the wheel does nothing there.)
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QAbstractScrollArea, QAbstractSlider, QAbstractSpinBox, QComboBox,
                               QDockWidget, QFormLayout, QGroupBox, QLabel, QLineEdit, QScrollBar, QWidget)

WHEEL_CONTROLS = (QAbstractSpinBox, QAbstractSlider, QComboBox)
# what a control without a name of its own is called after its box or panel: "Training panel"
_KINDS = ((QAbstractItemView, "list"), (QAbstractScrollArea, "panel"), (QLabel, "text"))
_TAGS = re.compile(r"<[^>]+>")
_KEY_HINT = re.compile(r"\s*\([^)]*\)\s*$")


def part_of_a_control(widget: QWidget) -> bool:
    """Whether ``widget`` is a piece of another control, named by that control: a spin
    box's line edit, a combo box's popup list, a scroll area's viewport or scroll bars."""
    parent = widget.parentWidget()
    if isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget:
        return True
    while parent is not None:
        if isinstance(parent, (QAbstractSpinBox, QComboBox)):
            return True
        if isinstance(widget, QScrollBar) and isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def controls(root: QWidget) -> list[QWidget]:
    """Every control under ``root`` a user can reach with the keyboard or the mouse (its focus
    policy is not NoFocus; visible or not), pieces of other controls left out."""
    return [w for w in root.findChildren(QWidget) if w.focusPolicy() != Qt.NoFocus and not part_of_a_control(w)]


def _clean(text: str) -> str:
    text = _TAGS.sub("", text or "").replace("&&", "\0").replace("&", "").replace("\0", "&")
    return " ".join(text.replace("\u2026", "").split())


def _form_label(widget: QWidget) -> str:
    parent = widget.parentWidget()
    lay = parent.layout() if parent is not None else None
    for form in ([lay] if isinstance(lay, QFormLayout) else []) + (parent.findChildren(QFormLayout) if parent else []):
        label = form.labelForField(widget)
        if isinstance(label, QLabel):
            return _clean(label.text())
    return ""


def _container_title(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None:
        if parent.accessibleName():
            return parent.accessibleName()
        if isinstance(parent, QGroupBox) and parent.title():
            return _clean(parent.title())
        if isinstance(parent, QDockWidget) and parent.windowTitle():
            return _clean(parent.windowTitle())
        parent = parent.parentWidget()
    return ""


def derived_name(widget: QWidget) -> str:
    """The name a control without one is given (see the module's docstring); "" if none."""
    if isinstance(widget, (QAbstractButton, QLabel)) and _clean(widget.text()):
        return _KEY_HINT.sub("", _clean(widget.text())) or _clean(widget.text())
    for name in (_form_label(widget),
                 _clean(widget.toolTip()).split(". ")[0],
                 _clean(widget.placeholderText()) if isinstance(widget, QLineEdit) else ""):
        if name:
            return name
    plot = getattr(widget, "getPlotItem", None)  # a pyqtgraph chart: its title
    if plot is not None:
        title = _clean(getattr(plot().titleLabel, "text", ""))
        if title:
            return f"{title} chart"
    title = _container_title(widget)
    kind = next((noun for cls, noun in _KINDS if isinstance(widget, cls)), "control")
    return f"{title} {kind}" if title else ""


class Controls(QObject):
    """Names the window's controls and keeps the wheel for scrolling (see the module)."""

    def __init__(self, window):
        super().__init__(window)
        self.derived: list[str] = []  # "Class: name" of the controls named here, not by their module

    def cover(self, root: QWidget) -> None:
        """Apply both to the widgets under ``root`` (again after new ones were built): one walk,
        about 5 ms for the window's 180 widgets (the first, making their Python wrappers, ~20 ms:
        the window calls it after its first paint)."""
        for w in root.findChildren(QWidget):
            if isinstance(w, WHEEL_CONTROLS) and not isinstance(w, QScrollBar) and not w.property("wheel_guard"):
                w.setProperty("wheel_guard", True)
                w.setFocusPolicy(Qt.StrongFocus)
                w.installEventFilter(self)
            if w.focusPolicy() != Qt.NoFocus and not w.accessibleName() and not part_of_a_control(w):
                name = derived_name(w)
                if name:
                    w.setAccessibleName(name)
                    self.derived.append(f"{type(w).__name__}: {name}")

    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.Wheel or obj.hasFocus():
            return False
        # Handed to the scroll area the control is in, explicitly: Qt passes an ignored wheel
        # on to the parent only for events from the window system.
        area = obj.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            port = area.viewport()
            pos = QPointF(port.mapFromGlobal(event.globalPosition().toPoint()))
            QApplication.sendEvent(port, QWheelEvent(pos, event.globalPosition(), event.pixelDelta(),
                                                     event.angleDelta(), event.buttons(), event.modifiers(),
                                                     event.phase(), event.inverted()))
        event.accept()
        return True
