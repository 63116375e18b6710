"""Before Qt starts on a Linux desktop, every missing X11 library is named with the command
that installs them (Qt itself aborts naming only libxcb-cursor0)."""

import ctypes
import subprocess
import sys

from nergui.gui import xcb


def test_missing_libraries_are_all_named_with_their_packages():
    gone = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}

    def loader(name):
        if name in gone:
            raise OSError(f"{name}: cannot open shared object file")
        return object()

    absent = xcb.missing(loader)
    assert {lib for lib, _ in absent} == gone
    text = xcb.message(absent)
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in text
    assert "libxcb-icccm.so.4" in text and "QT_QPA_PLATFORM=offscreen" in text


def test_which_platform_qt_will_use():
    linux = sys.platform.startswith("linux")
    assert xcb.uses_xcb({}) is linux
    assert xcb.uses_xcb({"QT_QPA_PLATFORM": "xcb"}) is linux
    assert xcb.uses_xcb({"QT_QPA_PLATFORM": "offscreen"}) is False
    assert xcb.uses_xcb({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}) is False


def test_the_app_says_so_instead_of_aborting(tmp_path):
    """A real start of the app with one library made unloadable (a stand-in loader)."""
    code = ("import sys, ctypes\n"
            "real = ctypes.CDLL\n"
            "def fake(name, *a, **k):\n"
            "    if name == 'libxcb-keysyms.so.1': raise OSError(name)\n"
            "    return real(name, *a, **k)\n"
            "ctypes.CDLL = fake\n"
            "from nergui.cli import main\n"
            "sys.exit(main([]))\n")
    env = {"QT_QPA_PLATFORM": "xcb", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    if not sys.platform.startswith("linux"):
        return
    assert r.returncode == 1, r.stderr

    def fake(name, *a, **k):  # the same stand-in here: what else this machine lacks is named too
        if name == "libxcb-keysyms.so.1":
            raise OSError(name)
        return ctypes.CDLL(name, *a, **k)

    absent = xcb.missing(loader=fake)
    assert ("libxcb-keysyms.so.1", "libxcb-keysyms1") in absent
    assert xcb.message(absent) in r.stderr  # every missing library, and one command installing them all
    assert "Traceback" not in r.stderr
