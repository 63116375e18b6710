"""The demo project, the smoke test, the settings, the shortcut sheet."""

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from nergui.gui.demo import create_demo_project, demo_dir

ROOT = Path(__file__).resolve().parents[2]


def test_demo_project_is_a_copy_and_ready_to_train(tmp_path):
    src = demo_dir()
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    project = create_demo_project(tmp_path)
    try:
        lines = [json.loads(x) for x in (src / "demo.jsonl").read_text(encoding="utf-8").splitlines()]
        assert project.count() == len(lines) >= 45
        assert set(project.label_names()) == {"ROASTER", "BREWER"}
        assert project.counts_by_state()["accepted"] >= 20
        assert project.counts_by_label(state="accepted")["ROASTER"] >= 15
        assert project.path.parent == tmp_path
    finally:
        project.close()
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before


def test_smoke_test_subprocess():
    r = subprocess.run([sys.executable, "-m", "nergui.cli", "--smoke-test"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr
    assert "smoke test: ok" in r.stdout


def test_smoke_test_fails_with_a_message_on_a_bad_project(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nergui.cli", "--smoke-test", str(tmp_path / "nope")], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "smoke test failed" in r.stderr


def test_theme_font_and_geometry_are_kept(make_project, make_window, qtbot):
    w = make_window(make_project(["Acme sells widgets."]))
    w.acts["theme_dark"].trigger()
    qtbot.keyClick(w.view, Qt.Key_Plus, Qt.ControlModifier)
    w.close()
    s = w.settings
    assert s.value("theme") == "dark"
    assert int(s.value("font_size")) == 13
    assert s.value("geometry") is not None
    assert str(w.session.project.path) in s.value("recent")
    w.set_theme("light")


def test_demo_flag_opens_a_fresh_demo_project(tmp_path):
    """`nergui --demo` (the README's first command) opens the window on a copy of the demo."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NERGUI_STARTUP_PROBE="1", HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    r = subprocess.run([sys.executable, "-m", "nergui.cli", "--demo"], capture_output=True, text=True,
                       env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "nergui window shown at" in r.stdout
    dbs = list((tmp_path / "data").rglob("nergui.sqlite"))
    assert len(dbs) == 1
    from nergui.core.store import Project

    with Project.open(dbs[0].parent) as project:
        assert project.count() == 50 and project.counts_by_state()["accepted"] > 0
