"""Every bad input through the real command line: exit code, a message that names the file and
line (or span) and says what to do, no traceback, and the project exactly as it was."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from nergui.core.formats import READ_FORMATS

from .conftest import Result, cli, cli_subprocess, documents, dump, make_project
from .corpus import CASES, GOOD, Case, fill, put


def run_case(case: Case, tmp_path: Path, monkeypatch, runner) -> None:
    project = make_project(tmp_path / "project")
    if case.patch is not None:
        case.patch(monkeypatch, tmp_path, project)
    argv = [fill(a, [], project) for a in case.build(tmp_path)]
    target = Path(argv[1])
    before = dump(target)
    docs_before = documents(target) if case.rc == 0 else None
    r: Result = runner(*argv)
    output = r.stdout + r.stderr
    assert "Traceback" not in output, output
    assert r.returncode == case.rc, output
    for piece in case.expect:
        assert fill(piece, argv, project) in output, (piece, output)
    if case.rc:
        final = [line for line in r.stderr.splitlines() if line.startswith("nergui:")]
        assert len(final) == 1, r.stderr  # one line says what went wrong; problems are listed above it
        monkeypatch.undo()  # the read-only cases: look at the project with the real os.access
        assert dump(target) == before, "a failed command changed the project"
    else:
        after = documents(target)
        assert after[: len(docs_before)] == docs_before, "an import changed existing documents"
        assert [(text, spans) for text, spans, _ in after[len(docs_before):]] == case.docs
    assert gc.isenabled(), "a failed read left Python's garbage collector off"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_in_process(case, tmp_path, monkeypatch):
    run_case(case, tmp_path, monkeypatch, cli)


@pytest.mark.parametrize("case", [c for c in CASES if c.subprocess], ids=[c.id for c in CASES if c.subprocess])
def test_bad_input_as_a_real_process(case, tmp_path, monkeypatch):
    run_case(case, tmp_path, monkeypatch, cli_subprocess)


def test_the_corpus_covers_every_importer_and_the_loader():
    importers = {c.importer for c in CASES}
    assert set(READ_FORMATS) | {"pipeline", "project"} <= importers
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert sum(c.rc == 0 for c in CASES) >= 8 and sum(c.subprocess for c in CASES) >= 4


@pytest.mark.parametrize("bad", ["missing.jsonl", "empty.jsonl", "folder.jsonl"])
def test_a_whole_file_error_creates_no_project(tmp_path, bad):
    put(tmp_path / "empty.jsonl", b"")
    (tmp_path / "folder.jsonl").mkdir()
    r = cli("import", tmp_path / "new-project", tmp_path / bad)
    assert r.returncode == 1 and str(tmp_path / bad) in r.stderr
    assert not (tmp_path / "new-project").exists()


def _unshare_available() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_available(), reason="needs a private mount namespace (unshare -m, root)")
@pytest.mark.parametrize("target, message", [
    ("", "the project folder is read-only. Copy it somewhere writable"),
    ("nergui.sqlite", "nergui.sqlite: the project database is read-only"),
])
def test_read_only_mount_in_a_real_process(tmp_path, target, message):
    """Root ignores chmod, but not a read-only mount: bind the project folder (or only its
    database file) read-only in a private mount namespace and import into it."""
    project = make_project(tmp_path / "project")
    good = put(tmp_path / "good.jsonl", GOOD)
    before = dump(project)
    path = project / target if target else project
    script = (f"mount --bind '{path}' '{path}' && mount -o remount,ro,bind '{path}' '{path}' && "
              f"exec '{sys.executable}' -m nergui.cli import '{project}' '{good}'")
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr
    assert dump(project) == before


# ---------------------------------------------------------------------------- what happens to unusual data later
@pytest.fixture(scope="module")
def trained_project(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("export")
    project = make_project(tmp / "project")
    assert cli("train", project, "--epochs", "1", "--rehearsal", "0").returncode == 0
    return project


def test_a_pipeline_export_never_replaces_a_folder_the_user_keeps(trained_project, tmp_path):
    keep = tmp_path / "Documents"
    put(keep / "thesis.txt", "years of work")
    r = cli("export", trained_project, keep, "--format", "pipeline")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (f"nergui: {keep}: already exists and is not an exported pipeline; nothing was "
                                "changed. Pick a new folder name (an earlier pipeline export or an empty folder "
                                "is replaced).")
    assert (keep / "thesis.txt").read_text() == "years of work"
    a_file = put(tmp_path / "model.bin", b"keep me")
    assert cli("export", trained_project, a_file, "--format", "pipeline").returncode == 1
    assert a_file.read_bytes() == b"keep me"
    # an earlier export, or an empty folder, is replaced; a missing parent folder is one clear line
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "model", tmp_path / "model", tmp_path / "empty"):
        r = cli("export", trained_project, target, "--format", "pipeline")
        assert r.returncode == 0, r.stderr
        assert "ner" in spacy.load(target).pipe_names
    r = cli("export", trained_project, tmp_path / "no" / "such" / "folder", "--format", "pipeline")
    assert r.returncode == 1 and "could not be written (No such file or directory)" in r.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_2mb_document_exports_in_every_format(tmp_path):
    from .corpus import BIG, jsonl

    project = make_project(tmp_path / "project")
    big = put(tmp_path / "big.jsonl", jsonl({"text": BIG, "answer": "accept",
                                             "spans": [{"start": len(BIG) - 4, "end": len(BIG), "label": "ORG"}]}))
    assert cli("import", project, big).returncode == 0
    for fmt, name in (("prodigy", "out.jsonl"), ("doccano", "out.doccano.jsonl"), ("conll", "out.conll"),
                      ("docbin", "bundle")):
        r = cli("export", project, tmp_path / name, "--format", fmt)
        assert r.returncode == 0, r.stderr
    back = make_project(tmp_path / "back")
    assert cli("import", back, tmp_path / "bundle" / "train.spacy").returncode == 0
    assert any(text == BIG and spans == [(len(BIG) - 4, len(BIG), "ORG")] for text, spans, _ in documents(back))


def test_an_unexpected_error_is_one_line_unless_debugging(project, tmp_path, monkeypatch):
    from nergui.core import workflow

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody planned for")

    monkeypatch.setattr(workflow, "export_project", broken)
    r = cli("export", project, tmp_path / "out.jsonl", "--format", "prodigy")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        "nergui: unexpected error (RuntimeError: something nobody planned for). This is a bug in nergui; please "
        "report it with the command you ran (set NERGUI_DEBUG=1 to see the traceback). Saved annotations and "
        "models are not affected."]
    monkeypatch.setenv("NERGUI_DEBUG", "1")
    with pytest.raises(RuntimeError, match="nobody planned"):
        cli("export", project, tmp_path / "out.jsonl", "--format", "prodigy")
