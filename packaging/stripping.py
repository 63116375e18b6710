"""Debug information out of the bundle's extension modules (used by nergui.spec, Linux only).

spaCy, thinc, blis, cymem, preshed and srsly ship their compiled modules with DWARF debug
information: spaCy's take 111 MB with it, 16 MB without. PyInstaller's own ``strip=True``
cannot be used: it runs a full ``strip`` on every library, which breaks libraries that
auditwheel patched (numpy's bundled OpenBLAS then fails with "ELF load command
address/offset not page-aligned"). Here only files that carry a ``.debug_info`` section
are stripped, with ``strip --strip-debug``, and never the vendored ``*.libs`` folders.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path


def available() -> bool:
    return sys.platform.startswith("linux") and bool(shutil.which("strip")) and bool(shutil.which("readelf"))


def has_debug_info(path: str | Path) -> bool:
    out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True).stdout
    return " .debug_info " in out


def strip_debug_info(binaries, workdir: str | Path):
    """The binaries TOC with stripped copies (made once in ``workdir``) for files with debug info.

    Returns ``(toc, bytes_saved)``.
    """
    if not available():
        return list(binaries), 0
    out, saved = [], 0
    for dest, src, kind in binaries:
        if _wanted(dest, kind) and has_debug_info(src):
            stripped = _stripped_copy(Path(src), Path(workdir))
            saved += Path(src).stat().st_size - stripped.stat().st_size
            src = str(stripped)
        out.append((dest, src, kind))
    return out, saved


def _wanted(dest: str, kind: str) -> bool:
    shared = kind == "EXTENSION" or dest.endswith(".so") or ".so." in dest
    return shared and not any(part.endswith(".libs") for part in Path(dest).parts)


def _stripped_copy(src: Path, workdir: Path) -> Path:
    """``strip --strip-debug`` of a copy, one per version of the file (path, size, mtime)."""
    st = src.stat()
    key = hashlib.sha256(f"{src}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    target = workdir / key / src.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
        subprocess.run(["strip", "--strip-debug", str(target)], check=True)
    return target
