"""Before Qt starts on a Linux desktop: are the X11 libraries its window needs installed?

When one is missing Qt aborts with "Could not load the Qt platform plugin xcb", naming at
most ``libxcb-cursor0``; a fresh Debian also lacked ``libxcb-icccm4`` and ``libxcb-keysyms1``.
``missing()`` tries to load each library the xcb plugin links to (the list is the plugin's
``ldd``), and ``run_app`` prints every missing one with the command that installs them all.
Nothing of Qt is imported here.
"""

from __future__ import annotations

import ctypes
import os
import sys

# the shared libraries of Qt's xcb platform plugin (libQt6XcbQpa), and their Debian/Ubuntu packages
LIBRARIES = {
    "libxcb.so.1": "libxcb1", "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb-util.so.1": "libxcb-util1", "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1", "libdbus-1.so.3": "libdbus-1-3",
}
MESSAGE = (
    "nergui: the window cannot open: these libraries for Qt's X11 window are missing: {libs}.\n"
    "Install them (Debian or Ubuntu) with:\n    sudo apt-get install {packages}\n"
    "and start nergui again. (Or run it offscreen, without a window: QT_QPA_PLATFORM=offscreen.)"
)


def uses_xcb(env=os.environ) -> bool:
    """Whether Qt will open its window through X11 (xcb) here."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    if chosen:
        return chosen == "xcb"
    return not (env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY"))


def missing(loader=ctypes.CDLL) -> list[tuple[str, str]]:
    """``(library, package)`` for each library the xcb plugin needs that cannot be loaded."""
    out = []
    for library, package in LIBRARIES.items():
        try:
            loader(library)
        except OSError:
            out.append((library, package))
    return out


def message(libs: list[tuple[str, str]]) -> str:
    return MESSAGE.format(libs=", ".join(lib for lib, _ in libs), packages=" ".join(pkg for _, pkg in libs))
