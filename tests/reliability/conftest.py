"""Helpers for the reliability tests: run the real CLI, and take a project's exact content."""

from __future__ import annotations

import contextlib
import hashlib
import io
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from nergui.core.records import Record, Span
from nergui.core.store import Project

BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli(*args) -> Result:
    """``nergui ARGS`` in this process (fast); stdout and stderr captured."""
    from nergui.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = exc.code
    return Result(code, out.getvalue(), err.getvalue())


def cli_subprocess(*args, env=None) -> Result:
    """``python -m nergui.cli ARGS`` in a new process, as a user runs it."""
    r = subprocess.run([sys.executable, "-m", "nergui.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=300, env=env)
    return Result(r.returncode, r.stdout, r.stderr)


def dump(project: Path) -> dict:
    """Every row of every table of a project's database (texts as hashes), and its schema
    version; or, if the database cannot be read, the hash of its bytes."""
    db = Path(project) / "nergui.sqlite"
    if not db.exists():
        return {"absent": True, "exists": Path(project).exists()}
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            out = {"user_version": conn.execute("PRAGMA user_version").fetchone()[0]}
            for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
                rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                out[table] = [tuple(hashlib.sha1(v.encode("utf-8", "surrogatepass")).hexdigest()
                                    if isinstance(v, str) and len(v) > 200 else v for v in row) for row in rows]
            return out
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {"sha256": hashlib.sha256(db.read_bytes()).hexdigest()}


def documents(project: Path) -> list[tuple[str, list[tuple[int, int, str]], str]]:
    """``(text, [(start, end, label)], state)`` of every document, in order."""
    with Project.open(project) as p:
        return [(d.text, [(s.start, s.end, s.label) for s in d.spans], d.state) for d in p.iter_documents()]


def make_project(path: Path) -> Path:
    """A project with a base pipeline, labels, three documents, spans and states: the "before"."""
    with Project.create(path) as p:
        p.set_setting("base_pipeline", "blank:en")
        p.import_records([
            Record("Apple hired Tim Cook in Cupertino.", [Span(0, 5, "ORG"), Span(12, 20, "PERSON")], "accepted", line=1),
            Record("Nothing to see here.", line=2),
            Record("Google bought a shop in Zurich.", [Span(0, 6, "ORG")], "rejected", line=3),
        ], path="setup")
        p.start_run({"note": "an earlier run"})
    return path


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project")
