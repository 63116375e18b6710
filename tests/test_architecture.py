"""Layering rules: nergui.core never imports Qt; no source file grows past ~600 lines."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contract_holds():
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extra: pip install -e '.[test]'"
    r = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "nergui.core never imports Qt KEPT" in r.stdout


def test_core_runs_without_loading_qt():
    code = ("import sys, nergui.core.workflow, nergui.core.training, nergui.core.evaluate, nergui.cli; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]; "
            "assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_no_source_file_is_too_long():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "nergui").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, f"split these by responsibility: {long}"
