"""Menus and keyboard actions of the main window (built here, wired to the window's slots)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu


def add(window, menu: QMenu | None, text: str, slot, keys=(), *, checkable=False, name: str | None = None) -> QAction:
    act = QAction(text, window)
    if keys:
        act.setShortcuts([QKeySequence(k) for k in keys])
    act.setCheckable(checkable)
    act.triggered.connect(slot)
    window.addAction(act)
    if menu is not None:
        menu.addAction(act)
    if name:
        act.setObjectName(name)
        window.acts[name] = act
    return act


def build_menus(w) -> None:
    """File, Edit, Document, View, Help. ``w`` is the MainWindow."""
    bar = w.menuBar()
    f = bar.addMenu("&File")
    add(w, f, "&New project\u2026", w.new_project, ["Ctrl+N"], name="new")
    add(w, f, "&Open project\u2026", w.open_project_dialog, ["Ctrl+O"], name="open")
    add(w, f, "Open the &demo project", w.open_demo, name="demo")
    w.recent_menu = f.addMenu("Open &recent")
    f.addSeparator()
    add(w, f, "&Import texts\u2026", w.import_dialog, ["Ctrl+I"], name="import")
    add(w, f, "&Export\u2026", w.export_dialog, ["Ctrl+E"], name="export")
    add(w, f, "Load &patterns\u2026", w.patterns_dialog, name="patterns")
    f.addSeparator()
    add(w, f, "&Quit", w.close, ["Ctrl+Q"], name="quit")

    e = bar.addMenu("&Edit")
    stack = w.session.undo_stack
    # Not stack.createUndoAction: its action calls the C++ QUndoStack::undo, which would skip
    # EditStack's override (a step the database could not take would be passed over).
    undo = add(w, e, "&Undo", lambda *_: stack.undo(), ["Ctrl+Z"], name="undo")
    redo = add(w, e, "&Redo", lambda *_: stack.redo(), ["Ctrl+Shift+Z", "Ctrl+Y"], name="redo")
    _follow(undo, "&Undo", stack.canUndo, stack.canUndoChanged, stack.undoText, stack.undoTextChanged)
    _follow(redo, "&Redo", stack.canRedo, stack.canRedoChanged, stack.redoText, stack.redoTextChanged)
    e.addSeparator()
    add(w, e, "&Remove selected span", w.session.remove_selected, ["Delete", "Backspace"], name="delete")
    add(w, e, "&Find\u2026", w.focus_search, ["Ctrl+F"], name="find")
    w.label_menu = e.addMenu("&Label")

    d = bar.addMenu("&Document")
    add(w, d, "&Accept and next", lambda: w.set_state("accepted"), ["A"], name="accept")
    add(w, d, "Re&ject and next", lambda: w.set_state("rejected"), ["X"], name="reject")
    add(w, d, "&Skip", lambda: w.set_state("skipped"), ["Space"], name="skip")
    add(w, d, "Back to &todo", lambda: w.session.set_state("todo"), ["T"], name="todo")
    d.addSeparator()
    add(w, d, "&Previous", lambda: w.docs.step(-1), ["Left", "PgUp"], name="prev")
    add(w, d, "&Next", lambda: w.docs.step(1), ["Right", "PgDown"], name="next")
    d.addSeparator()
    add(w, d, "Accept all &predictions", w.session.accept_all, ["Return", "Enter"], name="accept_all")

    v = bar.addMenu("&View")
    show = add(w, v, "Show &predictions", lambda *_: w.label_bar.show_predictions.setChecked(w.acts["predictions"].isChecked()), ["P"], checkable=True,
               name="predictions")
    show.setChecked(True)
    w.label_bar.show_predictions.toggled.connect(show.setChecked)
    add(w, v, "Select &characters (like Alt-drag)", lambda *_: w.set_char_mode(w.acts["char_mode"].isChecked()), ["C"], checkable=True, name="char_mode")
    theme = v.addMenu("&Theme")
    for t in ("system", "light", "dark"):
        a = add(w, theme, t.capitalize(), lambda _=False, t=t: w.set_theme(t), checkable=True, name=f"theme_{t}")
        a.setChecked(w.theme == t)
    add(w, v, "&Larger text", lambda: w.set_font_size(w.font_size + 1), ["Ctrl++", "Ctrl+="], name="bigger")
    add(w, v, "&Smaller text", lambda: w.set_font_size(w.font_size - 1), ["Ctrl+-"], name="smaller")
    v.addSeparator()
    v.addAction(w.docs_dock.toggleViewAction())
    v.addAction(w.misaligned_dock.toggleViewAction())

    h = bar.addMenu("&Help")
    add(w, h, "&Keyboard shortcuts", w.show_shortcuts, ["F1"], name="shortcuts")
    add(w, h, "&About nergui", w.show_about, name="about")


def _follow(act: QAction, prefix: str, can, can_changed, text, text_changed) -> None:
    """Keep an undo or redo action enabled and named as the stack's next step (as the
    actions QUndoStack makes do: "&Undo Mark 'Acme' as ORG")."""
    def name(step: str) -> None:
        act.setText(f"{prefix} {step}" if step else prefix)

    act.setEnabled(can())
    name(text())
    can_changed.connect(act.setEnabled)
    text_changed.connect(name)


def build_label_actions(w) -> None:
    """Keys 1-9 (each label's shortcut) pick the label, or relabel the selected span.

    Built again whenever the session announces new labels (``Session.sig_labels``)."""
    for a in getattr(w, "_label_actions", []):
        w.removeAction(a)
    w.label_menu.clear()
    w._label_actions = []
    for lab in w.session.project.labels():
        keys = [lab["shortcut"]] if lab["shortcut"] else []
        a = add(w, w.label_menu, lab["name"], lambda _=False, n=lab["name"]: w.session.choose_label(n), keys)
        w._label_actions.append(a)
