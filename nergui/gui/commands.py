"""QUndoCommand wrappers over core edits (``nergui.core.edits``): each holds the edit and
its inverse; redo/undo apply one and keep what it returns."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ..core.edits import Edit
from ..errors import NerguiError


class EditCommand(QUndoCommand):
    def __init__(self, session, forward: Edit, backward: Edit):
        """``forward`` has already been applied (it was checked by the store before the push)."""
        super().__init__(forward.text)
        self.session = session
        self.forward = forward
        self.backward = backward
        self._first = True

    def redo(self) -> None:
        if self._first:  # applied when it was made
            self._first = False
            return
        self._run(self.forward, back=False)

    def undo(self) -> None:
        self._run(self.backward, back=True)

    def _run(self, edit: Edit, *, back: bool) -> None:
        try:
            inverse = edit.apply(self.session.project)
        except NerguiError as err:  # the data changed under us: show why, drop this step
            self.session.sig_message.emit(str(err))
            self.setObsolete(True)
            return
        if back:
            self.forward = inverse
        else:
            self.backward = inverse
        self.session.after_edit(edit)
