"""Training that fails (an exception inside nlp.update, an out-of-memory error, a save that
cannot write) through the real CLI: one clear line, exit 1, the last good model and every
annotation exactly as they were. (The GUI's failure path is tested with the training panel.)"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
import spacy
import srsly

from nergui.bench.data import generated_training
from nergui.core.pipeline import ModelStore, load_pipeline
from nergui.core.store import Project

from .conftest import cli, dump


def models_state(project: Path) -> dict[str, str]:
    """Every file under models/ (CURRENT, every version, any hidden temporary) by content hash."""
    root = project / "models"
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def annotations(project: Path) -> dict:
    rows = dump(project)
    return {k: v for k, v in rows.items() if k != "runs"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A project with 30 accepted documents and one good model version (v0001)."""
    tmp = tmp_path_factory.mktemp("trained")
    data = tmp / "train.jsonl"
    srsly.write_jsonl(data, [{"text": r.text, "answer": "accept",
                              "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in r.spans]}
                             for r in generated_training(30, seed=3)])
    project = tmp / "project"
    assert cli("import", project, data, "--base", "blank:en").returncode == 0
    r = cli("train", project, "--epochs", "1", "--rehearsal", "0")
    assert r.returncode == 0, r.stderr
    assert ModelStore(project / "models").current_name() == "v0001"
    return project


@pytest.fixture
def project(trained, tmp_path) -> Path:
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(trained, copy)
    return copy


def fail_inside_update(monkeypatch, error: BaseException, *, on_call: int = 2) -> dict:
    real = spacy.language.Language.update
    calls = {"n": 0}

    def update(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == on_call:
            raise error
        return real(self, *args, **kwargs)

    monkeypatch.setattr(spacy.language.Language, "update", update)
    return calls


def assert_failed_cleanly(project: Path, before_models, before_annotations, r, message: str) -> None:
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert r.stderr.strip().splitlines() == [f"nergui: {message}"]
    assert models_state(project) == before_models  # CURRENT, v0001, and nothing new, not even a temporary
    assert annotations(project) == before_annotations
    current = ModelStore(project / "models").current_path()
    assert current.name == "v0001" and "ner" in load_pipeline(current).pipe_names
    with Project.open(project) as p:
        run = p.runs()[-1]
    assert run["status"] == "failed" and run["metrics"]["error"] == message


@pytest.mark.parametrize("error, message", [
    (RuntimeError("injected failure in nlp.update"),
     "Training stopped: RuntimeError: injected failure in nlp.update. "
     "Your annotations and the last saved model are unchanged."),
    (ValueError("[E999] shapes (8, 64) and (96, 64) not aligned"),
     "Training stopped: ValueError: [E999] shapes (8, 64) and (96, 64) not aligned. "
     "Your annotations and the last saved model are unchanged."),
    (MemoryError("Unable to allocate 8.00 GiB for an array with shape (1048576, 2048)"),
     "Training ran out of memory: Unable to allocate 8.00 GiB for an array with shape (1048576, 2048). "
     "Lower the batch size; nothing was lost."),
], ids=["runtime-error", "value-error", "memory-error"])
def test_a_failure_inside_update_keeps_the_model_and_the_annotations(project, monkeypatch, error, message):
    before_models, before_annotations = models_state(project), annotations(project)
    calls = fail_inside_update(monkeypatch, error)
    r = cli("train", project, "--epochs", "2", "--rehearsal", "0")
    assert calls["n"] == 2  # it failed in the middle of the run, not before it
    assert_failed_cleanly(project, before_models, before_annotations, r, message)


def test_an_empty_memory_error_still_says_what_happened(project, monkeypatch):
    """numpy and thinc can raise a bare MemoryError(); the message must not end up empty."""
    before_models, before_annotations = models_state(project), annotations(project)
    fail_inside_update(monkeypatch, MemoryError())
    r = cli("train", project, "--epochs", "2", "--rehearsal", "0")
    assert_failed_cleanly(project, before_models, before_annotations, r,
                          "Training ran out of memory: MemoryError. Lower the batch size; nothing was lost.")


def test_a_save_that_cannot_write_keeps_the_last_model(project, monkeypatch):
    before_models, before_annotations = models_state(project), annotations(project)
    real = spacy.language.Language.to_disk

    def disk_full(self, path, **kwargs):
        real(self, path, **kwargs)  # most of the files are written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spacy.language.Language, "to_disk", disk_full)
    r = cli("train", project, "--epochs", "1", "--rehearsal", "0")
    message = ("The trained model could not be saved (OSError: [Errno 28] No space left on device). "
               "The last saved model is unchanged; train again to retry.")
    assert_failed_cleanly(project, before_models, before_annotations, r, message)


def test_a_read_only_models_folder_is_refused_before_training(project, monkeypatch):
    """os.access is patched (root ignores chmod); the check runs before any training time is spent."""
    before_models, before_annotations = models_state(project), annotations(project)
    real_access = os.access
    models = project / "models"
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if Path(p) == models and mode & os.W_OK
                        else real_access(p, mode, *a, **k))
    calls = fail_inside_update(monkeypatch, AssertionError("training must not start"), on_call=1)
    r = cli("train", project, "--epochs", "1")
    assert r.returncode == 1 and calls["n"] == 0
    assert r.stderr.strip() == (f"nergui: {models}: the models folder is read-only, so a trained model could not be "
                                "saved. Fix its permissions, or copy the project folder somewhere writable, then train.")
    monkeypatch.undo()
    assert models_state(project) == before_models and annotations(project) == before_annotations
