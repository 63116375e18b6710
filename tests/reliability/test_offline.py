"""Offline: the whole workflow with every socket refused, and no code path that unpickles a
user's file (DocBins and pipelines are msgpack, which cannot run code)."""

from __future__ import annotations

import inspect
import pickle
import re
import socket
from pathlib import Path

import numpy as np
import pytest
import spacy
import srsly

from nergui.bench.data import generated_raw, generated_training
from nergui.core import edits, workflow
from nergui.core.pipeline import ModelStore, load_pipeline, predict
from nergui.core.records import Span
from nergui.core.store import Filter, Project

from .conftest import cli

PACKAGE = Path(__file__).resolve().parents[2] / "nergui"


@pytest.fixture
def no_network(monkeypatch):
    """Every way to open a connection raises, and is recorded."""
    attempts: list[str] = []

    def refuse(name):
        def call(*args, **kwargs):
            attempts.append(f"{name}{args!r}")
            raise OSError(f"network disabled by the offline test ({name})")
        return call

    monkeypatch.setattr(socket, "socket", refuse("socket.socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    return attempts


def test_the_whole_workflow_runs_offline(tmp_path, no_network):
    with pytest.raises(OSError, match="network disabled"):  # the patch is in force
        socket.create_connection(("example.com", 80))
    no_network.clear()
    data = tmp_path / "data.jsonl"
    srsly.write_jsonl(data, [{"text": r.text, "answer": "accept",
                              "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in r.spans]}
                             for r in generated_training(30, seed=5)] + [{"text": t} for t in generated_raw(10)])
    project_path = tmp_path / "project"
    # import
    r = cli("import", project_path, data, "--base", "blank:en")
    assert r.returncode == 0, r.stderr
    # annotate through the same API the app uses
    with Project.open(project_path) as project:
        doc_id = project.doc_ids(Filter(state="todo"))[0]
        text = project.get_document(doc_id).text
        who = next(name for name in ("Maria Lopez", "John Smith", "Aiko Tanaka", "Peter Brown") if name in text)
        start = text.index(who)
        edits.AddSpans(doc_id, "mark", (Span(start, start + len(who), "PERSON"),)).apply(project)
        edits.SetState(doc_id, "accept", "accepted").apply(project)
        assert project.get_document(doc_id).spans[0].label == "PERSON"
    # train (and save a version)
    r = cli("train", project_path, "--epochs", "2", "--rehearsal", "0.5")
    assert r.returncode == 0, r.stderr
    assert "saved model v0001" in r.stdout
    # predict with the saved model
    current = ModelStore(project_path / "models").current_path()
    nlp = load_pipeline(current)
    sentence = "I bought these boots from Patagonia in Texas."
    (ents,) = predict(nlp, [sentence])
    assert all(0 <= a < b <= len(sentence) and label in ("FASHION_BRAND", "PERSON") for a, b, label in ents)
    # export annotations and the pipeline, and use the exported pipeline
    assert cli("export", project_path, tmp_path / "out.jsonl", "--format", "prodigy").returncode == 0
    assert len(list(srsly.read_jsonl(tmp_path / "out.jsonl"))) == 31
    assert cli("export", project_path, tmp_path / "bundle", "--format", "docbin").returncode == 0
    assert cli("export", project_path, tmp_path / "model", "--format", "pipeline").returncode == 0
    assert "ner" in spacy.load(tmp_path / "model").pipe_names
    with Project.open(project_path) as project:
        assert workflow.read_records(tmp_path / "out.jsonl")  # the export reads back
        assert project.runs()[-1]["status"] == "kept"
    assert no_network == []  # nothing even tried


def test_an_installed_pipeline_loads_offline(no_network):
    from ..conftest import PRETRAINED

    if not spacy.util.is_package(PRETRAINED):
        pytest.skip(f"{PRETRAINED} is not installed: pip install -e '.[test]'")
    nlp = load_pipeline(PRETRAINED)
    assert predict(nlp, ["Tim Cook runs Apple in Cupertino."])[0]
    assert no_network == []


# ---------------------------------------------------------------------------- no unpickling
UNSAFE = re.compile(r"\bpickle\b|\bcPickle\b|\bmarshal\b|\bjoblib\b|\bdill\b|\bshelve\b|torch\.load|"
                    r"allow_pickle|pickle_loads|read_pickle|yaml\.load\b|(?<![.\w])eval\(|(?<![.\w])exec\(")


def test_no_nergui_code_can_unpickle_or_eval():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if UNSAFE.search(code) and not code.strip().startswith(('"', "'")):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    # docstrings may say "never unpickles"; code lines may not mention it at all
    assert [f for f in found if "unpickle" not in f.lower()] == []


def test_docbin_reading_is_msgpack_and_cannot_make_objects():
    from spacy.tokens import DocBin

    source = inspect.getsource(DocBin.from_bytes)
    assert "srsly.msgpack_loads(zlib.decompress(" in source and "pickle" not in source
    assert "pickle" not in inspect.getsource(srsly.msgpack_loads)
    # srsly's numpy hook turns {"nd": True, ...} into np.frombuffer: an object dtype (the only way a
    # numpy array could carry Python objects) is refused, not unpickled
    evil = {b"nd": True, b"type": "|O", b"kind": b"", b"shape": [1], b"data": pickle.dumps(print)}
    with pytest.raises(ValueError):
        srsly.msgpack_loads(srsly.msgpack_dumps(evil))
    assert np.frombuffer(b"\x00" * 8, dtype="<f8").shape == (1,)


def test_reading_a_docbin_and_loading_a_pipeline_never_call_pickle(tmp_path, monkeypatch):
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("ORG")
    nlp.initialize()
    nlp.to_disk(tmp_path / "pipeline")
    doc = nlp.make_doc("Acme hired Ann.")
    DocBin(docs=[doc], store_user_data=True).to_disk(tmp_path / "docs.spacy")

    def refuse(*args, **kwargs):
        raise AssertionError("unpickling was attempted")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    assert load_pipeline(tmp_path / "pipeline").pipe_names == ["ner"]
    with Project.create(tmp_path / "project") as project:
        project.set_setting("base_pipeline", "blank:en")
        report = workflow.import_file(project, tmp_path / "docs.spacy")
        assert report.imported == 1
