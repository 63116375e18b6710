"""Files written by other NER tools (tests/core/other_tools/, see its README) read as those tools mean them.

Every file is imported without naming its format, into a real project (SQLite file, spaCy's
blank English tokenizer), and must give exactly the documents, states, spans, rejections and
suggestions listed in ``expected.json``; the spans must survive an export to Prodigy JSONL
and back, text and label exactly.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from nergui.core import formats, workflow
from nergui.core.records import Record
from nergui.core.store import Project

CORPUS = Path(__file__).parent / "other_tools"
EXPECTED: dict = json.loads((CORPUS / "expected.json").read_text("utf-8"))


def test_the_corpus_is_broad():
    """At least 30 files in at least 6 tools' formats, each case of issue 15 among them."""
    assert len(EXPECTED) >= 30
    tools = {entry["tool"].split()[0] for entry in EXPECTED.values()}
    assert len(tools) >= 6, tools
    assert Counter(e["format"] for e in EXPECTED.values()).keys() >= {
        "prodigy", "doccano", "label_studio", "train_json", "spacy_json", "spacy_iob", "conll", "text"}
    for name in EXPECTED:
        assert (CORPUS / name).is_file(), name


def _pairs(text: str, spans) -> list[list[str]]:
    return [[text[s.start:s.end], s.label] for s in sorted(spans, key=lambda s: (s.start, s.end, s.label))]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_read_as_its_tool_means_it(tmp_path, name):
    expected = EXPECTED[name]
    path = CORPUS / name
    found = formats.detect(path)
    assert found.fmt == expected["format"], found.detected
    with Project.create(tmp_path / "project") as project:
        project.set_setting("base_pipeline", "blank:en")
        report = workflow.import_file(project, path)
        assert report.problems == [] and report.committed, report.summary()
        assert report.detected == found.detected and report.detected in report.summary()
        docs = [project.get_document(i) for i in project.doc_ids()]
        want = expected["documents"]
        assert report.imported == len(want) == len(docs)
        for doc, w in zip(docs, want):
            where = f"{name}: {doc.text[:40]!r}"
            assert doc.state == w["state"], where
            assert _pairs(doc.text, doc.spans) == w["spans"], where
            rejected = [type("S", (), {"start": a, "end": b, "label": lab}) for a, b, lab in project.rejections(doc.id)]
            assert _pairs(doc.text, rejected) == sorted(w.get("rejections", []), key=lambda p: doc.text.index(p[0])), where
            assert _pairs(doc.text, doc.suggestions) == w.get("suggestions", []), where
        assert report.rejections == sum(len(w.get("rejections", [])) for w in want)
        assert report.suggestions == sum(len(w.get("suggestions", [])) for w in want)
        out = tmp_path / "out.jsonl"
        assert workflow.export_project(project, out, fmt="prodigy", state=None) == len(want)
    back = [r for r in formats.read(out) if isinstance(r, Record)]
    assert [_pairs(r.text, r.spans) for r in back] == [w["spans"] for w in want]


def test_column_files_say_which_columns_and_scheme(tmp_path):
    """GermEval: comment lines skipped, the index column passed over, the outer tag column used."""
    with Project.create(tmp_path / "p") as project:
        project.set_setting("base_pipeline", "blank:en")
        report = workflow.import_file(project, CORPUS / "germeval/germeval2014.tsv")
    assert report.detected == "CoNLL-style token and tag columns"
    assert ("columns: token in column 2, tag in column 3 of 4; column 4 also holds tags (nested entities?), "
            "not used: choose the columns to use it") in report.notes
    assert any("comment line(s) starting with # skipped" in n for n in report.notes)
    assert "tags read as BIO (IOB2)" in report.notes
    with Project.create(tmp_path / "q") as project:
        project.set_setting("base_pipeline", "blank:en")
        report = workflow.import_file(project, CORPUS / "flair/mixed.tsv")
        assert any(n.startswith("tags read as a mix of BIO and BIOES") for n in report.notes)


def test_chosen_columns_read_the_nested_tags(tmp_path):
    """--columns 2,4 (0-based (1, 3)) reads GermEval's nested column instead of the outer one."""
    with Project.create(tmp_path / "p") as project:
        project.set_setting("base_pipeline", "blank:en")
        report = workflow.import_file(project, CORPUS / "germeval/germeval2014.tsv", columns=(1, 3))
        assert report.committed and "columns: token in column 2, tag in column 4 of 4" in report.notes
        labels = {s.label for i in project.doc_ids() for s in project.get_document(i).spans}
    assert "LOCderiv" in labels and "ORG" not in labels


def test_overlapping_accepts_are_a_contradiction(tmp_path):
    """Two accepted, overlapping spans on different lines of one text: refused, naming both lines."""
    text = "Apple Music is big."
    lines = [{"text": text, "_input_hash": 7, "_view_id": "ner", "answer": "accept",
              "spans": [{"start": 0, "end": end, "label": "ORG"}]} for end in (11, 5)]
    path = tmp_path / "teach.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    problems = [p for p in formats.read(path) if not isinstance(p, Record)]
    assert [str(p) for p in problems] == [
        f"{path}:2: span [0, 5) ORG is accepted here, but line 1 accepted the overlapping [0, 11) ORG in the same "
        "text. Two entities cannot overlap: reject one of them in the file."]


def test_a_later_answer_replaces_an_earlier_one(tmp_path):
    text = "Apple Music is big."
    answers = ["reject", "accept"]
    lines = [{"text": text, "_input_hash": 7, "_view_id": "ner", "answer": a,
              "spans": [{"start": 0, "end": 5, "label": "ORG"}]} for a in answers]
    path = tmp_path / "teach.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    (record,) = list(formats.read(path))
    assert [(s.start, s.end, s.label) for s in record.spans] == [(0, 5, "ORG")] and record.rejections == []
