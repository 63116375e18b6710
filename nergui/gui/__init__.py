"""The Qt desktop app: thin widgets over ``nergui.core``."""

import sys

import PySide6.QtCore  # noqa: F401 - installs PySide6's import hook, changed below


def _stop_feature_scan() -> None:
    """PySide6 hooks ``__import__``: for every module imported after it, in whatever thread
    imports it, the hook reads the module's source (``inspect.getsource``) to find a
    ``from __feature__ import ...`` line. nergui never uses that line, and its worker threads
    import (spaCy imports its language data and registered functions while a pipeline loads)
    while the main thread draws: a bench process died in the main thread (SIGSEGV) with a
    worker thread inside ``importlib.import_module``, as others report of this hook. So the
    scan says no module uses features (which is true here) and reads no source."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and hasattr(feature, "_mod_uses_pyside"):
        feature._mod_uses_pyside = _uses_no_feature


def _uses_no_feature(module) -> bool:
    return False


_stop_feature_scan()
