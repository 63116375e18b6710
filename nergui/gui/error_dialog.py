"""Errors that stop an action: a dialog with the whole message, "Copy details" and, when the
window can do something about it, a button for that ("Choose the format…").

    show_error(window, "Import refused", err, action=("Choose the format\u2026", reopen))

The message is the window's wording (``errors.in_window``): no command-line flags. The
dialog opens window-modal without blocking the caller (``open``), and the message goes to
the window's message list too (``window.message``), so it is never lost.
"""

from __future__ import annotations

import platform
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QStyle,
                               QVBoxLayout)

from .. import __version__
from ..errors import InputError, in_window

SHOWN_PROBLEMS = 50  # problems listed under the message (all of them go into Copy details)

Action = tuple[str, Callable[[], None]]


def details(message: str, err: BaseException | None = None) -> str:
    """What "Copy details" copies: the message, the file and line of each problem, the versions."""
    lines = [message, ""]
    problems = getattr(err, "problems", None) or []
    for p in problems:
        lines.append(f"File: {p.path}" + (f", line {p.line}" if p.line is not None else "") + f": {in_window(p.message)}")
    if problems:
        lines.append("")
    lines.append(f"nergui {__version__} \u00b7 Python {platform.python_version()} \u00b7 {platform.platform()}")
    return "\n".join(lines)


class ErrorDialog(QDialog):
    """``title``, the whole ``message`` (selectable, wrapped), the problems of an InputError,
    "Copy details", an optional ``action`` button, and Close."""

    def __init__(self, parent, title: str, message: str, *, err: BaseException | None = None,
                 action: Action | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModal)
        self.message_text = in_window(message)
        self.details_text = details(self.message_text, err)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxCritical).pixmap(40, 40))
        icon.setAlignment(Qt.AlignTop)
        heading = QLabel(f"<b>{title}</b>")
        self.message = QLabel(self.message_text)
        self.message.setTextFormat(Qt.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.message.setAccessibleName("Message")
        self.message.setMinimumWidth(440)
        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(self.message)
        problems = [p for p in (getattr(err, "problems", None) or []) if isinstance(err, InputError)]
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setAccessibleName("Problems")
        if len(problems) > 1:
            more = len(problems) - SHOWN_PROBLEMS
            self.problems.setPlainText("\n\n".join(in_window(str(p)) for p in problems[:SHOWN_PROBLEMS])
                                       + (f"\n\u2026 and {more} more (Copy details has them all)" if more > 0 else ""))
            self.problems.setMaximumHeight(160)
            text.addWidget(QLabel(f"{len(problems)} problems:"))
            text.addWidget(self.problems)
        else:
            self.problems.hide()
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        self.copy = buttons.addButton("Copy details", QDialogButtonBox.ActionRole)
        self.copy.setToolTip("The whole message, the file and line, and the nergui version, for a bug report")
        self.copy.clicked.connect(self.copy_details)
        self.action: QPushButton | None = None
        if action is not None:
            label, fn = action
            self.action = buttons.addButton(label, QDialogButtonBox.AcceptRole)
            self.action.setDefault(True)
            self.action.clicked.connect(lambda: (self.accept(), QTimer.singleShot(0, fn)))
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(buttons)
        self.copied = False

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text)
        self.copied = True
        self.copy.setText("Copied")


def show_error(window, title: str, err: BaseException | str, *, action: Action | None = None) -> ErrorDialog:
    """Say ``err`` in a dialog over ``window`` (and in its message list); returns the dialog."""
    message = in_window(err)
    if hasattr(window, "message"):
        window.message(message, error=True)
    dlg = ErrorDialog(window, title, message, err=err if isinstance(err, BaseException) else None, action=action)
    dlg.setAttribute(Qt.WA_DeleteOnClose)
    if window is not None and hasattr(window, "error_dialogs"):
        window.error_dialogs.append(dlg)
        dlg.finished.connect(lambda *_: window.error_dialogs.remove(dlg) if dlg in window.error_dialogs else None)
    dlg.open()
    return dlg


