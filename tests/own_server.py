"""A PostgreSQL server of a test's own, to stop and start again (the shared test server
must stay up for the other tests): ``own_server`` yields its URL and folder."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from nergui.bench.team import CLUSTER, _as_owner, _pg_bin


@pytest.fixture
def own_server(tmp_path, monkeypatch):
    from .conftest import pg_server

    pg_server()  # PostgreSQL tests are on (else skipped, as the store's)
    monkeypatch.setenv("NERGUI_CACHE_DIR", str(tmp_path / "cache"))
    top = Path(tempfile.mkdtemp(prefix="nergui-offline-"))  # not under pytest's folder: the server's user reads it
    os.chmod(top, 0o755)
    folder = top / "cluster"
    url = subprocess.run([str(CLUSTER), "start", str(folder)], check=True, capture_output=True,
                         text=True).stdout.strip()
    yield url, folder
    subprocess.run([str(CLUSTER), "stop", str(folder)], check=False, capture_output=True)
    shutil.rmtree(top, ignore_errors=True)


def pg_ctl(folder: Path, *args: str) -> None:
    data = folder / "data"
    subprocess.run([*_as_owner(data), _pg_bin("pg_ctl"), "-D", str(data), "-w", *args], check=True,
                   capture_output=True)


def stop(folder: Path) -> None:
    pg_ctl(folder, "-m", "fast", "stop")


def start(folder: Path) -> None:
    """Start it again with the options ``.ci/pg-cluster`` gave it."""
    port = (folder / "port").read_text().strip()
    pg_ctl(folder, "-l", str(folder / "server.log"), "-o",
           f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off", "start")
