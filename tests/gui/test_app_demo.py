"""`nergui --demo` reopens the same demo project, with the work done in it, unless `--fresh`;
its window is titled "Demo: coffee roasters", not after a folder (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QSettings

from nergui.core.store import Project
from nergui.gui.demo import DEMO_TITLE, demo_project
from nergui.gui.main_window import MainWindow


def start(tmp_path, *args) -> str:
    """Run ``nergui ARGS`` until its window is shown; the project folder it opened."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NERGUI_STARTUP_PROBE="1", HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    r = subprocess.run([sys.executable, "-m", "nergui.cli", *args], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return next(line.split(" ", 2)[2] for line in r.stdout.splitlines() if line.startswith("nergui project "))


def test_demo_reopens_the_same_project_unless_fresh(tmp_path):
    first = start(tmp_path, "--demo")
    with Project.open(first) as project:
        assert project.get_setting("display_name") == DEMO_TITLE
        accepted = project.counts_by_state().get("accepted", 0)
        todo = next(i for i in project.doc_ids() if project.get_document(i).state == "todo")
        project.set_state(todo, "accepted")  # work done in the demo
    assert start(tmp_path, "--demo") == first
    with Project.open(first) as project:
        assert project.get_document(todo).state == "accepted"
    assert start(tmp_path, "--demo", "--fresh") == first  # the same place, made afresh
    with Project.open(first) as project:
        assert project.get_document(todo).state == "todo"
        assert project.counts_by_state().get("accepted", 0) == accepted
    assert len(list((tmp_path / "data").rglob("nergui.sqlite"))) == 1  # no copies left behind


def test_fresh_goes_with_demo(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nergui.cli", "--fresh"], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert r.returncode == 2 and "--fresh goes with --demo" in r.stderr


def test_the_demo_window_is_titled_demo_coffee_roasters(qtbot, tmp_path):
    project = demo_project(tmp_path)
    assert project.path == tmp_path / "coffee-roasters"
    w = MainWindow(project, settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat), predictions=False)
    qtbot.addWidget(w)
    assert w.windowTitle() == "Demo: coffee roasters \u2014 nergui"
    assert "nergui-demo-" not in w.windowTitle()
    w.close()
    project.close()
    again = demo_project(tmp_path)
    assert again.path == tmp_path / "coffee-roasters" and sorted(p.name for p in tmp_path.iterdir()) == [
        "coffee-roasters"]
    again.close()
