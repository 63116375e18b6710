"""Project-level actions of the window: new, open, demo, recent, import, export, patterns.

Each calls ``nergui.core.workflow``; a failure that stops the action is a NerguiError shown
in an error dialog (``error_dialog.show_error``: the whole message, Copy details, and the
action to take in the window, such as choosing the format or the encoding in the import
dialog). Opening another project replaces the window (one project per window). What changes the
open project (an import, new labels) is announced by the session (``documents_imported``,
``add_labels``); the widgets follow its signals, so nothing here refreshes a widget.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog

from ..core.workflow import export_project, import_file, open_or_create
from ..core.backends import is_project
from ..core.store import Project
from ..errors import InputError, Msg, NerguiError, ProjectError, in_window
from .error_dialog import show_error

MAX_RECENT = 8
_windows: list = []  # keeps replaced-by windows alive


def remember(settings: QSettings, path) -> None:
    items = [p for p in recent(settings) if p != str(path)]
    settings.setValue("recent", [str(path)] + items[: MAX_RECENT - 1])


def project_key(path, name: str) -> str:
    """A settings key for something remembered per project (the project folder's resolved path)."""
    import hashlib

    digest = hashlib.sha1(str(Path(path).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"project-{digest}/{name}"


def recent(settings: QSettings) -> list[str]:
    value = settings.value("recent") or []
    items = [value] if isinstance(value, str) else list(value)
    return [p for p in items if is_project(p)]  # a folder that still holds a project, or a database URL


def demo_parent() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or ".") / "demo"


def replace_window(window, project: Project):
    from .main_window import MainWindow

    new = MainWindow(project, settings=window.settings)
    new.show()
    _windows.append(new)
    window.close()
    if window in _windows:
        _windows.remove(window)
    return new


def open_path(window, path: str):
    try:
        return replace_window(window, Project.open(path))
    except NerguiError as err:
        show_error(window, "The project could not be opened", err,
                   action=("Choose another folder\u2026", lambda: open_dialog(window)))


def open_dialog(window) -> None:
    path = QFileDialog.getExistingDirectory(window, "Open a project folder")
    if path:
        open_path(window, path)


def open_url_dialog(window) -> None:
    """A team's project in a PostgreSQL database, by its URL (no password: libpq's ~/.pgpass)."""
    from PySide6.QtWidgets import QInputDialog

    url, ok = QInputDialog.getText(
        window, "Open a project in a database",
        "The project's address, postgresql://HOST[:PORT]/DATABASE?project=NAME\n"
        "(no password: put it in ~/.pgpass or a service file)",
        text="postgresql://localhost/nergui?project=")
    if ok and url.strip():
        open_path(window, url.strip())


def open_demo(window) -> None:
    """The demo project, as it was left (made on first use)."""
    from .demo import demo_project

    try:
        replace_window(window, demo_project(demo_parent()))
    except NerguiError as err:
        show_error(window, "The demo could not be opened", err)


def new_project(window, file: str = "") -> None:
    from .dialogs import NewProjectDialog

    dlg = NewProjectDialog(window, file=file)
    while dlg.exec():  # a refusal is shown in the dialog, which opens again as it was
        try:
            project, message = create_project(dlg.values())
        except NerguiError as err:
            dlg.show_error(in_window(err))
            continue
        new = replace_window(window, project)
        if message:
            new.message(message)  # on the new window: the old one is closed
        return


def create_project(v: dict) -> tuple[Project, str | None]:
    """Create the project the new-project dialog describes (``NewProjectDialog.values()``)
    and import its texts. Returns the project and a message on the import, if any.

    Raises NerguiError if the folder already holds a project, the pipeline cannot be loaded
    or the file cannot be read; then nothing is left behind (a folder made here is removed).
    """
    import shutil

    from ..core.pipeline import load_pipeline

    folder = Path(v["folder"]) if v["folder"] else None
    if folder is None:
        raise ProjectError(Msg.GUI_NEW_PROJECT_NO_NAME)
    if (folder / "nergui.sqlite").exists():
        raise ProjectError(Msg.GUI_NEW_PROJECT_EXISTS.format(path=folder))
    if not v["file"]:
        load_pipeline(v["pipeline"])  # a bad name fails here, before the folder is made (import_file checks it too)
    fresh = not folder.exists() or not any(folder.iterdir())
    project = open_or_create(folder)
    try:
        project.set_setting("base_pipeline", v["pipeline"])
        for lab in v["labels"]:
            project.add_label(lab["name"], lab["colour"], lab["shortcut"])
        message = None
        if v["file"]:
            report = import_file(project, v["file"], base=v["pipeline"])
            message = _report_text(report)
            if not report.committed:
                raise InputError(message, report.problems)
            message = _chosen_labels(project, v, message)
    except BaseException:
        project.close()
        if fresh:  # everything in it was made just now
            for child in folder.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return project, message


def _chosen_labels(project: Project, v: dict, message: str) -> str:
    """After the import: the file's labels renamed in the dialog take their spans along (into
    the label of the new name); those unticked go with their spans. Returns the message."""
    from ..core.labels import MergeLabels, leave_out

    have = set(project.label_names())
    for old, new in v.get("renamed", {}).items():
        if old in have and new in have and old != new:
            MergeLabels(text="", name=old, move_to=new).apply(project)
    left = [n for n in v.get("left_out", []) if n in have]
    gone = leave_out(project, left)
    if left:
        message += " " + Msg.GUI_LEFT_OUT.format(n=gone, labels=", ".join(left))
    return message


def _report_text(report) -> str:
    if report.problems and not report.committed:
        first = report.problems[0]
        return Msg.PROBLEMS_FOUND.format(path=report.path, count=len(report.problems), first=first)
    return Msg.GUI_IMPORTED.format(summary=report.summary())


def import_path(window, path: str, *, fmt: str | None = None, columns: tuple[int, int] | None = None,
                text_key: str | None = None, partial: bool = False, encoding: str | None = None) -> None:
    """Import ``path`` into the open project as read by the format detected (or ``fmt``)."""
    session = window.session
    try:
        report = import_file(session.project, path, fmt=fmt, columns=columns, text_key=text_key, partial=partial,
                             encoding=encoding)
    except NerguiError as err:  # nothing was written (a database failure rolled the import back)
        import_refused(window, path, err, encoding=encoding)
        return
    if report.problems and not report.committed:
        import_refused(window, path, InputError(_report_text(report), report.problems), encoding=encoding)
        return
    session.documents_imported(report, _report_text(report))


#: the import dialog's control an import error points to, and the button that opens it there
IMPORT_ACTIONS = {"format": "Choose the format\u2026", "encoding": "Choose an encoding\u2026",
                  "text_column": "Choose the text column\u2026", "columns": "Choose the columns\u2026",
                  "partial": "Review in the import dialog\u2026"}


def import_refused(window, path: str, err: NerguiError, *, encoding: str | None = None):
    """The error dialog for an import that wrote nothing, with the import dialog's control that
    can fix it one click away (none for a folder or a database failure)."""
    from .import_dialog import focus_for

    focus = focus_for(err) or ("partial" if getattr(err, "problems", None) else None)
    action = None
    if focus and Path(path).is_file():
        action = (IMPORT_ACTIONS[focus], lambda: import_with_dialog(window, path, focus=focus, encoding=encoding))
    return show_error(window, "Nothing was imported", err, action=action)


def import_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Import texts")
    if path:
        import_with_dialog(window, path)


def import_with_dialog(window, path: str, *, focus: str | None = None, encoding: str | None = None) -> None:
    """Show how ``path`` will be read (format, encoding, columns, first documents); import it if
    confirmed. ``focus``: the control to start on (``ImportDialog.controls``).

    A folder (of .txt files) has nothing to choose and is imported at once.
    """
    from .import_dialog import ImportDialog

    if Path(path).is_dir():
        import_path(window, path)
        return
    dlg = ImportDialog(window, path, encoding=encoding, focus=focus)
    if dlg.exec() == QDialog.Accepted:
        import_path(window, path, **dlg.values())


def export_dialog(window) -> None:
    """The export dialog (format, scope, where); export as chosen."""
    from .export_dialog import ExportDialog

    dlg = ExportDialog(window, window.session.project, window.docs.model.filter,
                       shown_count=len(window.docs.model.ids), settings=window.settings)
    if dlg.exec() == QDialog.Accepted:
        export_as(window, **dlg.values())


def export_as(window, *, fmt: str, scope: str, path: str, filter=None) -> None:
    """Export the documents of ``scope`` ("accepted", "all", "filter": ``filter``) to ``path``."""
    state = "accepted" if scope == "accepted" else None
    notes: list[str] = []
    try:
        n = export_project(window.session.project, path, fmt=fmt, state=state,
                           flt=filter if scope == "filter" else None, notes=notes)
    except NerguiError as err:
        show_error(window, "Nothing was exported", err, action=("Export again\u2026", lambda: export_dialog(window)))
        return
    window.message(" ".join([Msg.GUI_EXPORTED.format(path=path, count=n), *notes]))


def patterns_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "EntityRuler patterns (JSONL)", filter="JSONL (*.jsonl);;All (*)")
    if path:
        load_patterns(window, path)


def load_patterns(window, path: str) -> None:
    from ..core.patterns import read_patterns

    try:
        patterns = read_patterns(path)  # check here so a bad file is reported at once
    except NerguiError as err:
        show_error(window, "The patterns were not loaded", err,
                   action=("Choose another file\u2026", lambda: patterns_dialog(window)))
        return
    if not window.session.add_labels(sorted({p.label for p in patterns})):
        return  # the store refused (busy, read-only...): the status bar says why; try again
    window.settings.setValue("patterns", path)
    if window.previewer:
        window.previewer.load_patterns(path)
        window.request_predictions()
    window.message(Msg.GUI_PATTERNS_LOADED.format(path=path, count=len(patterns)))
