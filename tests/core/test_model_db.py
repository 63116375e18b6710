"""Model versions of a PostgreSQL project live in the database (real server, real spaCy
pipelines): every app, whatever its machine's cache, uses the same current model; a save is
one transaction (nothing half-saved); the local folder is only a cache."""

from __future__ import annotations

import functools
import json
import shutil

import pytest
import spacy

from nergui import cli
from nergui.core import model_db
from nergui.core.model_db import DbModelStore
from nergui.core.pipeline import ModelStore, load_pipeline
from nergui.core.store import Project
from nergui.errors import PipelineError


@functools.lru_cache(maxsize=None)
def _pipeline(label: str):
    """A small real pipeline (made once per label: saving it does not change it)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label(label)
    nlp.initialize()
    return nlp


def _saved_as(folder) -> str:
    """The version a folder was saved as (its nergui.json, written in the save's transaction)."""
    return json.loads((folder / "nergui.json").read_text(encoding="utf-8"))["version"]


@pytest.fixture
def project(pg_store):
    with Project.create(pg_store.location()) as p:
        yield p


def test_versions_are_in_the_database_and_every_app_uses_the_current_one(project, tmp_path, monkeypatch, capsys):
    store = ModelStore(project.models_dir)
    assert isinstance(store, DbModelStore) and store.current_name() is None and store.versions() == []
    first = store.save(_pipeline("BRAND"), {"metrics": {"ents_f": 0.5}})
    second = store.save(_pipeline("SHOE"), {"metrics": {"ents_f": 0.7}})
    assert (first.name, second.name) == ("v0001", "v0002") and store.current_name() == "v0002"
    assert (project.models_dir / "CURRENT").read_text() == "v0002"  # the cache mirrors the pointer

    monkeypatch.setenv("NERGUI_CACHE_DIR", str(tmp_path / "another-machine"))  # no shared file system
    with Project.open(project.location) as elsewhere:
        assert elsewhere.path != project.path and not (elsewhere.models_dir / "v0002").exists()
        theirs = ModelStore(elsewhere.models_dir)
        assert [v.name for v in theirs.versions()] == ["v0001", "v0002"]
        assert theirs.versions()[1].info["metrics"] == {"ents_f": 0.7}
        assert "SHOE" in load_pipeline(theirs.current_path()).get_pipe("ner").labels  # fetched from the database
        assert cli.main(["models", project.location, "--use", "v0001"]) == 0
        assert "current model is now v0001" in capsys.readouterr().out
        assert _saved_as(theirs.current_path()) == "v0001"
    assert store.current_name() == "v0001"  # the first app sees the rollback too
    shutil.rmtree(project.models_dir / "v0001")  # a cache: removed, fetched again
    assert _saved_as(store.current_path()) == "v0001" and (store.current_path() / "ner" / "model").exists()
    with pytest.raises(PipelineError, match="no model version v0009. Versions: v0001, v0002"):
        store.set_current("v0009")
    store.use_original()
    assert store.current_name() is None and not (project.models_dir / "CURRENT").exists()


def test_a_save_that_fails_inside_its_transaction_leaves_nothing(project, monkeypatch):
    """The version's row and the pointer to it are committed together: a failure after the
    row was written (here, in setting the pointer) keeps neither."""
    store = ModelStore(project.models_dir)
    store.save(_pipeline("BRAND"))

    def broken(self, conn, name):
        conn.execute("INSERT INTO model_current (one, name) VALUES (TRUE, %s)"
                     " ON CONFLICT (one) DO UPDATE SET name = EXCLUDED.name", (name,))
        raise OSError("the machine lost power")

    monkeypatch.setattr(model_db.DbModelStore, "_point", broken)
    with pytest.raises(OSError):
        store.save(_pipeline("SHOE"))
    monkeypatch.undo()
    assert [v.name for v in store.versions()] == ["v0001"] and store.current_name() == "v0001"
    assert not any(p.name.startswith(".") for p in project.models_dir.iterdir())  # no temporary left
    assert store.save(_pipeline("SHOE")).name == "v0002"


def test_a_new_version_reaches_an_open_app_within_seconds(project, tmp_path, monkeypatch):
    """Two apps on two machines (two caches), each with its own connections: the second
    saves a version; the first hears of it (LISTEN/NOTIFY), has it in its cache and its
    models/CURRENT names it, which is what its window's file watcher reloads on."""
    import threading
    import time

    from nergui.core.model_watch import ModelWatch

    heard: list[tuple[str | None, float]] = []
    arrived = threading.Event()
    watch = ModelWatch.start_for(project, lambda name: (heard.append((name, time.monotonic())), arrived.set()))
    assert watch is not None
    try:
        monkeypatch.setenv("NERGUI_CACHE_DIR", str(tmp_path / "another-machine"))
        with Project.open(project.location) as other:
            saved_at = time.monotonic()
            version = ModelStore(other.models_dir).save(_pipeline("SHOE"))
        assert arrived.wait(10), "no notice within 10 s"
        name, when = heard[0]
        assert name == version.name == "v0001" and when - saved_at < 5
        assert (project.models_dir / "CURRENT").read_text() == "v0001"
        assert (project.models_dir / "v0001" / "config.cfg").exists()  # fetched before CURRENT moved
        arrived.clear()
        ModelStore(project.models_dir).use_original()  # this app's own change is heard too
        assert arrived.wait(10) and heard[-1][0] is None
    finally:
        watch.stop()
    with Project.create(tmp_path / "folder") as folder:
        assert ModelWatch.start_for(folder) is None  # a folder project: its file watcher is enough
