"""catalogue: its package metadata (spaCy's stack reads versions and entry points through importlib.metadata)."""

from PyInstaller.utils.hooks import copy_metadata

datas = copy_metadata("catalogue")
