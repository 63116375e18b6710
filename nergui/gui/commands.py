"""The undo stack over core edits (``nergui.core.edits``).

Each ``EditCommand`` holds an edit and its inverse; taking a step applies one to the store
and keeps what it returns. A step can fail in two ways, and they end differently:

* the database could not do it (``StoreError``: another program holds the write lock, the
  disk is full, the file is read-only): nothing changed, so the step stays where it is and
  Ctrl+Z (or redo) can be pressed again once the cause is gone;
* the data changed under us (an ``EditConflict``: the span is gone; a ``SpanError``: another
  span now overlaps): the step can never be taken, so it leaves the stack.

``QUndoStack.undo()`` moves its index even when the command failed (it calls
``QUndoCommand.undo()``, which cannot refuse, then sets the index). So ``EditStack`` takes
the step first and asks Qt to move the index only once the step is in the store, or is
obsolete (Qt then deletes it). Pushing the index back afterwards (a queued ``setIndex``)
would leave a moment in which a second Ctrl+Z undoes the step before, and would run the
command's ``redo()`` again. ``undo``/``redo`` here are Python overrides: the window's
actions and every caller in nergui go through them (``QUndoStack.createUndoAction`` would
call the C++ slot, so the window builds its own actions, see ``actions.build_menus``).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.edits import Edit
from ..errors import NerguiError, StoreError


class EditCommand(QUndoCommand):
    def __init__(self, session, forward: Edit, backward: Edit):
        """``forward`` has already been applied (it was checked by the store before the push)."""
        super().__init__(forward.text)
        self.session = session
        self.forward = forward
        self.backward = backward
        self.done = True  # whether ``forward`` is what the store holds now

    def take(self, *, back: bool) -> bool:
        """Apply the step to the store (the backward edit if ``back``). Returns whether the
        stack may move past it: True once applied, or when it conflicts with the data (then
        it is obsolete: the reason is shown, Qt drops it); False when the database could not
        do it (the reason is shown; nothing changed; the step stays for a retry)."""
        if self.done is not back:  # already taken
            return True
        edit = self.backward if back else self.forward
        try:
            inverse = self.session.run(edit)
        except StoreError as err:  # busy, read-only, disk full, damaged: may work later
            self.session.sig_message.emit(str(err))
            return False
        except NerguiError as err:  # the data changed under us: show why, drop this step
            self.session.sig_message.emit(str(err))
            self.setObsolete(True)
            return True
        if back:
            self.forward = inverse
        else:
            self.backward = inverse
        self.done = not back
        self.session.after_edit(edit)
        return True

    # Qt calls these when it moves the index: after ``EditStack`` took the step (then they
    # find it done), on ``push`` (``forward`` was applied before), or from ``setIndex``,
    # which nergui does not use; there a step that fails is dropped, as the index has moved.
    def redo(self) -> None:
        if not self.take(back=False):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.take(back=True):
            self.setObsolete(True)


class EditStack(QUndoStack):
    """A QUndoStack of EditCommands whose index moves only past a step taken (see the
    module's docstring)."""

    def undo(self) -> None:
        i = self.index()
        if i > 0 and self.command(i - 1).take(back=True):
            super().undo()

    def redo(self) -> None:
        i = self.index()
        if i < self.count() and self.command(i).take(back=False):
            super().redo()
