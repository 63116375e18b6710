"""A database project's window while its server is down (gui/offline.py): the status bar
says "Offline", an edit made meanwhile is refused with the store's message (kept in View >
Messages) and nothing is written; when the server is back the window says so and the same
edit is saved. A real server of the test's own (stopped and started again here)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from nergui.bench.team import CLUSTER, _as_owner, _pg_bin
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.errors import Msg, in_window


@pytest.fixture
def own_server(tmp_path, monkeypatch):
    from ..conftest import pg_server

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


def _pg_ctl(folder: Path, *args: str) -> None:
    data = folder / "data"
    subprocess.run([*_as_owner(data), _pg_bin("pg_ctl"), "-D", str(data), "-w", *args], check=True,
                   capture_output=True)


def test_offline_is_said_and_edits_are_refused_until_the_server_is_back(own_server, make_window, qtbot, tmp_path):
    url, folder = own_server
    project = Project.create(f"{url}?project=offline")
    project.set_setting("base_pipeline", "blank:en")
    project.add_label("ORG")
    project.import_records([Record("Acme Widgets hired Jane Doe in Berlin", line=1)], path="t")
    w = make_window(project)
    assert w.offline is not None and not w.offline.label.isVisible()
    assert w.session.doc.id == 1 and w.session.doc.state == "todo"

    _pg_ctl(folder, "-m", "fast", "stop")
    w.set_state("accepted")  # refused: said, and kept in the messages
    assert w.offline.offline and w.offline.label.isVisible()
    assert w.offline.label.text().startswith("Offline since ")
    assert w.grab().save(str(tmp_path / "offline.png"))  # a full repaint while offline: the list does not raise
    said = [w.messages.list.item(i).text() for i in range(w.messages.list.count())]
    assert any("the database server cannot be reached" in t and "was not saved" in t for t in said), said
    assert any(in_window(Msg.OFFLINE_NOW) in t for t in said), said

    port = (folder / "port").read_text().strip()
    _pg_ctl(folder, "-l", str(folder / "server.log"), "-o",
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off", "start")
    qtbot.waitUntil(lambda: not w.offline.offline, timeout=10000)  # the probe, every 2 s while offline
    assert not w.offline.label.isVisible()
    assert w.statusBar().currentMessage() == in_window(Msg.OFFLINE_BACK)
    with Project.open(f"{url}?project=offline") as other:
        assert other.get_document(1).state == "todo"  # the refused accept wrote nothing
    w.set_state("accepted")  # done again: saved on a new connection
    with Project.open(f"{url}?project=offline") as other:
        assert other.get_document(1).state == "accepted"
    w.close()
