"""Start the desktop app: ``nergui [PROJECT] [--demo [--fresh]] [--smoke-test]``."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import NerguiError, in_window


def run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui", description="Open the nergui app on a project.")
    parser.add_argument("project", nargs="?", help="a project folder or a database URL, postgresql://HOST/DB?project=NAME "
                        "(default: the last one, or a start screen)")
    parser.add_argument("--demo", action="store_true",
                        help="open the demo project (made on first use, then reopened as it was left)")
    parser.add_argument("--fresh", action="store_true", help="with --demo: make the demo project afresh")
    parser.add_argument("--smoke-test", action="store_true",
                        help="offscreen, on a copy of the demo (or PROJECT): mark a span, load the pipeline, "
                             "train one epoch, save a model version, exit")
    args = parser.parse_args(argv)
    if args.fresh and not args.demo:
        parser.error("--fresh goes with --demo")
    if args.smoke_test:
        from .smoke import smoke_test

        return smoke_test(args.project)

    from . import xcb

    if xcb.uses_xcb():  # Qt would abort naming only one of them
        absent = xcb.missing()
        if absent:
            print(xcb.message(absent), file=sys.stderr)
            return 1

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ..core.store import Project
    from . import projects
    from .dialogs import StartDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("nergui")
    app.setApplicationName("nergui")
    set_app_icon(app)
    settings = QSettings("nergui", "nergui")
    message = None
    try:
        last = next(iter(projects.recent(settings)), None)  # a project folder or a database URL
        if args.demo:
            from .demo import demo_project

            project = demo_project(projects.demo_parent(), fresh=args.fresh)
        elif args.project:
            project = Project.open(args.project)
        elif last:
            try:
                project = Project.open(last)
            except NerguiError as err:  # moved, damaged, read-only: say so and offer the rest
                project, message = _first_run(settings, StartDialog, error=in_window(err))
        else:
            project, message = _first_run(settings, StartDialog)
        if project is None:
            return 0
    except NerguiError as err:
        print(f"nergui: {err}", file=sys.stderr)
        return 1
    from .main_window import MainWindow

    window = MainWindow(project, settings=settings)
    window.show()
    if message:
        window.message(message)
    projects._windows.append(window)
    # a backstop for quitting without closing the windows: never leave a training or learner thread running
    app.aboutToQuit.connect(lambda: [(w.learning.shutdown(), w.training.shutdown()) for w in list(projects._windows)
                                     if getattr(w, "training", None) is not None])
    if os.environ.get(STARTUP_PROBE):
        _exit_when_shown(app, window)
    return app.exec()


STARTUP_PROBE = "NERGUI_STARTUP_PROBE"


def set_app_icon(app) -> None:
    """The nergui icon (resources/icon/nergui.svg) on every window."""
    from PySide6.QtGui import QIcon

    from ..core.resources import find

    path = find("resources", "icon", "nergui.svg")
    if path is not None:
        app.setWindowIcon(QIcon(str(path)))


def _exit_when_shown(app, window) -> None:
    """For ``nergui bench bundle``: once the event loop has shown the window, print the time and quit."""
    import time

    from PySide6.QtCore import QTimer

    def done():
        print(f"nergui window shown at {time.time():.6f}", flush=True)
        print(f"nergui project {window.session.project.path}", flush=True)
        app.closeAllWindows()  # stops the prediction thread before the event loop ends
        app.quit()

    QTimer.singleShot(0, done)


def _first_run(settings, StartDialog, *, error: str = ""):
    """The start dialog, until it gives a project (or is closed: None). A choice that fails
    (not a project folder, a file that cannot be imported) is said in the dialog, shown again.
    Returns ``(project, message)``: a message for the status bar, or None."""
    from PySide6.QtWidgets import QFileDialog

    from ..core.store import Project
    from .demo import demo_project
    from .dialogs import NewProjectDialog
    from .projects import create_project, demo_parent

    while True:
        dlg = StartDialog(error=error)
        if not dlg.exec():
            return None, None
        try:
            if dlg.choice == "demo":
                return demo_project(demo_parent()), None
            if dlg.choice == "open":
                path = QFileDialog.getExistingDirectory(None, "Open a project folder")
                if path:
                    return Project.open(path), None
                error = ""
                continue
            new = NewProjectDialog()  # "new": create one from a file
            while new.exec():
                try:
                    return create_project(new.values())
                except NerguiError as err:
                    new.show_error(in_window(err))
            error = ""
        except NerguiError as err:
            error = in_window(err)
