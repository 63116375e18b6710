"""Start the desktop app: ``nergui [PROJECT] [--smoke-test]``."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import Msg, NerguiError


def run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nergui", description="Open the nergui app on a project.")
    parser.add_argument("project", nargs="?", help="a project folder (default: the last one, or a start screen)")
    parser.add_argument("--smoke-test", action="store_true",
                        help="open offscreen on a copy of the demo (or PROJECT), mark a span, check it, exit")
    args = parser.parse_args(argv)
    if args.smoke_test:
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
        if args.project:
            project = Project.open(args.project)
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
    return app.exec()


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


def smoke_test(project_path: str | None) -> int:
    """Open the window offscreen on a temporary copy, mark a span with the mouse, check the store."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="nergui-smoke-"))
    try:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from ..core.store import Project
        from .demo import create_demo_project

        app = QApplication.instance() or QApplication(sys.argv[:1])
        if project_path:
            shutil.copytree(project_path, tmp / "project")
            project = Project.open(tmp / "project")
        else:
            project = create_demo_project(tmp)
        from .main_window import MainWindow

        window = MainWindow(project, settings=QSettings(str(tmp / "settings.ini"), QSettings.IniFormat),
                            predictions=False)
        window.show()
        app.processEvents()
        ok, detail = _mark_first_word(window, app)
        window.close()
        if not ok:
            print("nergui: " + Msg.GUI_SMOKE_FAILED.format(detail=detail), file=sys.stderr)
            return 1
        print(f"nergui smoke test: ok ({detail})")
        return 0
    except (NerguiError, OSError) as err:
        print("nergui: " + Msg.GUI_SMOKE_FAILED.format(detail=err), file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _mark_first_word(window, app) -> tuple[bool, str]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    s = window.session
    if s.doc is None:
        return False, "the project has no documents"
    if s.label is None:
        s.project.add_label("SMOKE")
        s.label = "SMOKE"
    text = s.doc.text
    taken = [(x.start, x.end) for x in s.doc.spans]
    i = 0
    while i < len(text):  # the first word not inside a span
        while i < len(text) and text[i].isspace():
            i += 1
        j = i
        while j < len(text) and not text[j].isspace():
            j += 1
        if j > i and not any(a < j and i < b for a, b in taken):
            break
        i = j
    else:
        return False, "no free word to mark in the first document"
    vp = window.view.viewport()
    before = len(s.project.get_document(s.doc.id).spans)
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, window.view.point_at(i + 1))
    QTest.mouseMove(vp, window.view.point_at(j - 1) if j - i > 2 else window.view.point_at(j))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, window.view.point_at(j - 1) if j - i > 2 else window.view.point_at(j))
    app.processEvents()
    after = s.project.get_document(s.doc.id).spans
    if len(after) != before + 1:
        return False, f"dragging over {text[i:j]!r} added {len(after) - before} spans, expected 1"
    new = [x for x in after if (x.start, x.end) not in taken]
    return True, f"marked {text[new[0].start:new[0].end]!r} as {new[0].label} in document {s.doc.id}"
