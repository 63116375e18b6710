"""PySide6.QtGui (replaces PyInstaller's hook): the same files but a few Linux plugins.

* the GTK 3 platform theme drags in part of the build machine's GTK stack (cairo, pango,
  atk, gdk-pixbuf, about 8 MB) but not GTK itself, so on a user's machine it loads a mix of
  bundled and system libraries, or nothing. Without it Qt draws its own style (the app sets
  its theme anyway);
* the platforms for embedded devices and remote displays (eglfs, linuxfb, vnc, Vulkan
  display) and the TUIO network touch input: they need QtNetwork and the EGLFS libraries.
Kept: xcb, wayland, offscreen (the smoke test), minimal.
"""

from pathlib import Path

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

UNUSED_PLUGINS = {"libqgtk3.so", "libqeglfs.so", "libqlinuxfb.so", "libqvnc.so", "libqminimalegl.so",
                  "libqvkkhrdisplay.so", "libqtuiotouchplugin.so"}

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries
            if Path(src).name not in UNUSED_PLUGINS and not Path(dest).name == "egldeviceintegrations"]
