"""``nergui migrate FOLDER URL`` on a real folder project and a real server: everything
arrives under its own ids, the counts are checked and printed, and a refusal leaves
nothing in the database."""

from __future__ import annotations

import sqlite3

import pytest
import spacy

from nergui import cli
from nergui.core.backends.postgres import project_exists
from nergui.core.pipeline import ModelStore, load_pipeline
from nergui.core.records import Record, Span
from nergui.core.store import DB_NAME, Project
from nergui.core.store_migrate import migrate
from nergui.errors import ProjectError, StoreError


def _folder_project(path):
    """A folder project with something in every table, and two model versions (the first current)."""
    with Project.create(path) as p:
        p.set_setting("base_pipeline", "blank:en")
        p.add_label("BRAND", "#123456", "7")
        p.import_records([
            Record("Zara opened a shop in Paris.", [Span(0, 4, "BRAND", "user", 0, 0)], state="accepted",
                   meta={"source": "web", "score": 0.7}, rejections=[Span(22, 27, "GPE")],
                   suggestions=[Span(22, 27, "GPE")], line=1),
            Record("Nothing here.", line=2),
            Record("Mango and Zara.", [Span(0, 5, "BRAND"), Span(10, 14, "BRAND", "model")], state="skipped", line=3),
        ], path="shop.jsonl")
        run = p.start_run({"rehearsal": 0.25})
        p.finish_run(run, status="kept", metrics={"ents_f": 0.5}, model_version="v0001")
        store = ModelStore(p.models_dir)
        for label in ("BRAND", "SHOP"):
            nlp = spacy.blank("en")
            nlp.add_pipe("ner").add_label(label)
            nlp.initialize()
            store.save(nlp, {"metrics": {"ents_f": 0.5}})
        store.set_current("v0001")


def _everything(p: Project) -> dict:
    c = p.conn
    return {
        "documents": c.execute("SELECT id, text, meta, input_hash, state, updated, origin FROM documents"
                               " ORDER BY id").fetchall(),
        "spans": c.execute("SELECT id, doc_id, start, end, token_start, token_end, label, source FROM spans"
                           " ORDER BY id").fetchall(),
        "rejections": sorted(c.execute("SELECT doc_id, start, end, label FROM rejections").fetchall()),
        "suggestions": sorted(c.execute("SELECT doc_id, start, end, label FROM suggestions").fetchall()),
        "labels": p.labels(), "settings": sorted(c.execute("SELECT key, value FROM settings").fetchall()),
        "runs": p.runs(),
    }


def test_a_folder_moves_with_everything_and_the_counts_checked(pg_store, tmp_path, capsys):
    folder = tmp_path / "shop"
    _folder_project(folder)
    url = pg_store.location()
    assert cli.main(["migrate", str(folder), url]) == 0
    out = capsys.readouterr().out
    for line in ("documents: 3 (counted", "spans: 3 (counted", "rejections: 1 (counted", "suggestions: 1 (counted",
                 "labels: 1 (counted", "settings: 1 (counted", "runs: 1 (counted", "model versions: 2 (counted"):
        assert line in out, out
    with Project.open(folder) as before, Project.open(url) as after:
        assert _everything(after) == _everything(before)
        assert [r.text for r in after.records()] == [r.text for r in before.records()]
        moved = ModelStore(after.models_dir)
        assert [v.name for v in moved.versions()] == ["v0001", "v0002"] and moved.current_name() == "v0001"
        assert moved.versions()[0].info == ModelStore(before.models_dir).versions()[0].info
        assert load_pipeline(moved.current_path()).get_pipe("ner").labels == ("BRAND",)
        new = after.add_span(2, Span(0, 7, "BRAND"))  # a new row gets a new id after the copied ones
        assert new == 4
    with pytest.raises(ProjectError, match="already exists in that database; nothing was moved"):
        migrate(folder, url, say=lambda _line: None)


def test_a_refused_row_leaves_nothing_in_the_database(pg_store, tmp_path):
    """A damaged folder (a span of a document that is not there, which SQLite took with its
    foreign keys off): the server refuses it, the whole move is rolled back."""
    folder = tmp_path / "damaged"
    _folder_project(folder)
    conn = sqlite3.connect(folder / DB_NAME)
    conn.execute("INSERT INTO spans (doc_id, start, end, label) VALUES (99, 0, 1, 'BRAND')")
    conn.commit()
    conn.close()
    url = pg_store.location()
    with pytest.raises(StoreError, match="the database refused the action .*foreign key"):
        migrate(folder, url, say=lambda _line: None)
    assert not project_exists(url)
    with pytest.raises(ProjectError, match="moves a project folder"):
        migrate(url, url)
