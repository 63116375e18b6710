"""Start the desktop app: ``nergui [PROJECT] [--demo] [--smoke-test]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import NerguiError


def run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui", description="Open the nergui app on a project.")
    parser.add_argument("project", nargs="?", help="a project folder (default: the last one, or a start screen)")
    parser.add_argument("--demo", action="store_true", help="open a fresh copy of the demo project")
    parser.add_argument("--smoke-test", action="store_true",
                        help="offscreen, on a copy of the demo (or PROJECT): mark a span, load the pipeline, "
                             "train one epoch, save a model version, exit")
    args = parser.parse_args(argv)
    if args.smoke_test:
        from .smoke import smoke_test

        return smoke_test(args.project)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ..core.store import Project
    from . import projects
    from .dialogs import StartDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("nergui")
    app.setApplicationName("nergui")
    settings = QSettings("nergui", "nergui")
    try:
        last = next((p for p in projects.recent(settings) if (Path(p) / "nergui.sqlite").exists()), None)
        if args.demo:
            from .demo import create_demo_project

            project = create_demo_project(projects.demo_parent())
        elif args.project:
            project = Project.open(args.project)
        elif last:
            project = Project.open(last)
        else:
            project = _first_run(settings, StartDialog)
            if project is None:
                return 0
    except NerguiError as err:
        print(f"nergui: {err}", file=sys.stderr)
        return 1
    from .main_window import MainWindow

    window = MainWindow(project, settings=settings)
    window.show()
    projects._windows.append(window)
    # a backstop for quitting without closing the windows: never leave a training thread running
    app.aboutToQuit.connect(lambda: [w.training.shutdown() for w in list(projects._windows)
                                     if getattr(w, "training", None) is not None])
    if os.environ.get(STARTUP_PROBE):
        _exit_when_shown(app)
    return app.exec()


STARTUP_PROBE = "NERGUI_STARTUP_PROBE"


def _exit_when_shown(app) -> None:
    """For ``nergui bench bundle``: once the event loop has shown the window, print the time and quit."""
    import time

    from PySide6.QtCore import QTimer

    def done():
        print(f"nergui window shown at {time.time():.6f}", flush=True)
        app.closeAllWindows()  # stops the prediction thread before the event loop ends
        app.quit()

    QTimer.singleShot(0, done)


def _first_run(settings, StartDialog):
    from PySide6.QtWidgets import QFileDialog

    from ..core.store import Project
    from .demo import create_demo_project
    from .projects import demo_parent

    dlg = StartDialog()
    if not dlg.exec():
        return None
    if dlg.choice == "demo":
        return create_demo_project(demo_parent())
    if dlg.choice == "open":
        path = QFileDialog.getExistingDirectory(None, "Open a project folder")
        return Project.open(path) if path else None
    # "new": create from a file through the new-project dialog, on an empty scratch window
    from .dialogs import NewProjectDialog
    from ..core.workflow import import_file, open_or_create

    new = NewProjectDialog()
    if not new.exec() or not new.values()["folder"]:
        return None
    v = new.values()
    project = open_or_create(v["folder"])
    project.set_setting("base_pipeline", v["pipeline"])
    for lab in v["labels"]:
        project.add_label(lab["name"], lab["colour"], lab["shortcut"])
    if v["file"]:
        import_file(project, v["file"], base=v["pipeline"])
    return project
