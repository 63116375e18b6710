"""Menus and keyboard actions of the main window (built here, wired to the window's slots).

Keys that act on the shown document work only where the user is labelling: in the text
view (and, for most, the document list), never in the search box, a spin box or a button
(``scope``). The shortcut sheet (F1) is made from these actions (``shortcut_rows``) and
the text view's own table (``annotator.view.VIEW_KEYS``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from . import label_manager
from .annotator.view import MOUSE, VIEW_KEYS


def add(window, menu: QMenu | None, text: str, slot, keys=(), *, checkable=False, name: str | None = None,
        scope=None, sheet: str | None = None) -> QAction:
    """An action of the window, in ``menu``, on ``keys``. With ``scope`` (widgets), its keys
    work only while one of them has the focus. ``sheet``: what the shortcut sheet says it
    does (default: its text)."""
    act = QAction(text, window)
    if keys:
        act.setShortcuts([QKeySequence(k) for k in keys])
    act.setCheckable(checkable)
    act.triggered.connect(slot)
    act.setProperty("sheet", sheet or _plain(text))
    window.addAction(act)
    if scope:
        act.setShortcutContext(Qt.WidgetShortcut)
        for widget in scope:
            widget.addAction(act)
    if menu is not None:
        menu.addAction(act)
    if name:
        act.setObjectName(name)
        window.acts[name] = act
    return act


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("\u2026", "")


def build_menus(w) -> None:
    """File, Edit, Document, Training, View, Help. ``w`` is the MainWindow."""
    bar = w.menuBar()
    here = (w.view, w.docs.list)  # where the document's keys work
    text = (w.view,)  # keys that work in the text view only
    keys = w.keys
    f = bar.addMenu("&File")
    add(w, f, "&New project\u2026", w.new_project, ["Ctrl+N"], name="new")
    add(w, f, "&Open project\u2026", w.open_project_dialog, ["Ctrl+O"], name="open")
    add(w, f, "Open a project in a &database\u2026", w.open_url_dialog, name="open_url")
    add(w, f, "Annotator &name\u2026", w.annotator_dialog, name="annotator")
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
    add(w, e, "&Remove the focused span, reject the focused suggestion", keys.delete, ["Delete", "Backspace"],
        name="delete", scope=here)
    add(w, e, "&Find\u2026", w.focus_search, ["Ctrl+F"], name="find")
    w.label_menu = e.addMenu("&Label")
    add(w, e, "La&bels\u2026", lambda: label_manager.open_manager(w), ["Ctrl+L"], name="labels",
        sheet="The project's labels: add, rename, recolour, change a key, merge, delete (each one undo step)")

    d = bar.addMenu("&Document")
    add(w, d, "&Accept and next", lambda: w.set_state("accepted"), ["A"], name="accept", scope=here,
        sheet="Accept the document, then go to the next")
    add(w, d, "Re&ject and next", lambda: w.set_state("rejected"), ["X"], name="reject", scope=here,
        sheet="Reject the document, then go to the next")
    add(w, d, "&Skip", lambda: w.set_state("skipped"), ["Space"], name="skip", scope=here,
        sheet="Skip the document, then go to the next")
    add(w, d, "Back to &todo", lambda: w.session.set_state("todo"), ["T"], name="todo", scope=here,
        sheet="Set the document back to todo")
    d.addSeparator()
    add(w, d, "&Previous", lambda: w.ordering.previous(), ["PgUp"], name="prev", sheet="Previous document")
    add(w, d, "&Next", lambda: w.ordering.next(), ["PgDown"], name="next",
        sheet="Next document (in the order chosen above the document list: file, random or the model's)")
    d.addSeparator()
    add(w, d, "Accept the focused &suggestion", keys.enter, ["Return", "Enter"], name="accept_one", scope=text,
        sheet="Accept the focused suggestion (or label the selection with the current label)")
    add(w, d, "Accept all &predictions", lambda: keys.accept_all(), ["Shift+Return", "Shift+Enter"],
        name="accept_all", scope=text, sheet="Accept every suggestion on the document (asks first if it is accepted)")

    t = bar.addMenu("&Training")
    add(w, t, "&Train now", w.train_now, ["Ctrl+T"], name="train",
        sheet="Train on the accepted documents (the training panel's Train)")
    t.addAction(w.training_dock.toggleViewAction())

    v = bar.addMenu("&View")
    show = add(w, v, "Show &predictions", lambda *_: w.label_bar.show_predictions.setChecked(w.acts["predictions"].isChecked()), ["P"], checkable=True,
               name="predictions", scope=here)
    show.setChecked(True)
    w.label_bar.show_predictions.toggled.connect(show.setChecked)
    add(w, v, "Select &characters (like Alt-drag)", lambda *_: w.set_char_mode(w.acts["char_mode"].isChecked()), ["C"], checkable=True, name="char_mode",
        scope=here)
    theme = v.addMenu("&Theme")
    for t in ("system", "light", "dark"):
        a = add(w, theme, t.capitalize(), lambda _=False, t=t: w.set_theme(t), checkable=True, name=f"theme_{t}")
        a.setChecked(w.theme == t)
    add(w, v, "&Larger text", lambda: w.set_font_size(w.font_size + 1), ["Ctrl++", "Ctrl+="], name="bigger")
    add(w, v, "&Smaller text", lambda: w.set_font_size(w.font_size - 1), ["Ctrl+-"], name="smaller")
    v.addSeparator()
    add(w, v, "&Review suggestions one at a time\u2026", w.open_teach, ["Ctrl+R"], name="teach",
        sheet="Review mode: one suggestion at a time; A accept, X reject, Space skip, Backspace undo")
    v.addAction(w.docs_dock.toggleViewAction())
    v.addAction(w.misaligned_dock.toggleViewAction())
    v.addAction(w.decisions_dock.toggleViewAction())
    messages = w.messages_dock.toggleViewAction()
    messages.setText("&Messages")
    messages.setShortcut(QKeySequence("Ctrl+Shift+M"))
    messages.setProperty("sheet", "Show this session's messages (each error and notice, with its time)")
    v.addAction(messages)

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
    """Keys 1-9 (each label's shortcut): label the focused suggestion or span, or the caret's
    selection, else pick the label for new spans (``KeyboardLabelling.label_key``).

    Built again whenever the session announces new labels (``Session.sig_labels``)."""
    for a in getattr(w, "_label_actions", []):
        w.removeAction(a)
        for widget in (w.view, w.docs.list):
            widget.removeAction(a)
        a.deleteLater()
    w.label_menu.clear()
    w._label_actions = []
    for lab in w.session.project.labels():
        keys = [lab["shortcut"]] if lab["shortcut"] else []
        a = add(w, w.label_menu, lab["name"], lambda _=False, n=lab["name"]: w.keys.label_key(n), keys,
                scope=(w.view, w.docs.list),
                sheet=f"{lab['name']}: label the focused suggestion or span, or the selection; else label new spans so")
        w._label_actions.append(a)


def shortcut_rows(w) -> list[tuple[str, str, str]]:
    """Every key of the window, as (keys, what it does, where): the text view's own keys and
    mouse gestures (its table), then every action with a key, menu by menu (its shortcuts and
    its text, as the action has them)."""
    rows = [(QKeySequence(k).toString(QKeySequence.NativeText), what, "Text view") for k, _h, what in VIEW_KEYS]
    rows += [(gesture, what, "Text view (mouse)") for gesture, what in MOUSE]

    def walk(menu: QMenu, path: str) -> None:
        for act in menu.actions():
            if act.menu() is not None:
                walk(act.menu(), f"{path} \u203a {_plain(act.text())}")
            elif act.shortcuts():
                keys = " / ".join(k.toString(QKeySequence.NativeText) for k in act.shortcuts())
                rows.append((keys, act.property("sheet") or _plain(act.text()), path))

    for top in w.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    return rows
