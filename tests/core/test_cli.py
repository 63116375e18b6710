"""The ``nergui`` command end to end: real files, a real project folder, real training."""

import subprocess
import sys

import spacy
import srsly
import pytest

from nergui.bench.data import generated_raw, generated_training
from nergui.core.store import Project

from ..conftest import shared_file


def nergui(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nergui.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def _write_prodigy(path, records):
    srsly.write_jsonl(path, [{"text": r.text, "answer": "accept",
                              "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in r.spans]}
                             for r in records])


def test_import_train_evaluate_export_models(tmp_path):
    data = tmp_path / "train.jsonl"
    _write_prodigy(data, generated_training(100, seed=11))
    evalf = tmp_path / "eval.jsonl"
    _write_prodigy(evalf, generated_training(30, seed=12))
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(generated_raw(80)), encoding="utf-8")
    project = tmp_path / "proj"

    r = nergui("import", project, data, "--base", "blank:en")
    assert r.returncode == 0, r.stderr
    assert "imported 100 documents, 0 duplicates skipped" in r.stdout
    r = nergui("import", project, data)
    assert "imported 0 documents, 100 duplicates skipped" in r.stdout

    r = nergui("train", project, "--epochs", "8", "--raw", raw, "--eval", evalf)
    assert r.returncode == 0, r.stderr
    assert "epoch 8/8" in r.stdout and "saved model v0001" in r.stdout
    assert "FASHION_BRAND: F 0.000 ->" in r.stdout

    r = nergui("evaluate", project, "--eval", evalf)
    assert r.returncode == 0, r.stderr
    f = float(r.stdout.splitlines()[1].split()[-1])
    assert f > 0.8

    out = tmp_path / "model"
    r = nergui("export", project, out, "--format", "pipeline")
    assert r.returncode == 0, r.stderr
    nlp = spacy.load(out)
    doc = nlp("I got these boots from Patagonia in Texas with Maria Lopez.")
    assert "FASHION_BRAND" in {e.label_ for e in doc.ents}

    r = nergui("export", project, tmp_path / "out.jsonl", "--format", "prodigy")
    assert r.returncode == 0 and len(list(srsly.read_jsonl(tmp_path / "out.jsonl"))) == 100

    r = nergui("train", project, "--epochs", "1")
    assert "saved model v0002" in r.stdout
    r = nergui("models", project)
    assert "* v0002" in r.stdout and "  v0001" in r.stdout
    r = nergui("models", project, "--use", "v0001")
    assert r.returncode == 0
    with Project.open(project) as p:
        runs = p.runs()
    assert [run["status"] for run in runs] == ["kept", "kept"]
    assert "* v0001" in nergui("models", project).stdout


@pytest.mark.parametrize("args, message", [
    (["import", "{tmp}/p", "{tmp}/missing.jsonl"], "no such file"),
    (["train", "{tmp}/nope"], "not a nergui project"),
    (["import", "{tmp}/p", "{tmp}/bad.jsonl"], "bad.jsonl:2"),
    (["import", "{tmp}/p", "{tmp}/bad.jsonl", "--base", "no_such_pipeline"], "not an installed spaCy pipeline"),
    (["train", "{tmp}/empty", "--base", "blank:en"], "no accepted documents"),
    (["evaluate", "{tmp}/empty", "--eval", "{tmp}/bad.jsonl"], "no model has been trained"),
    (["export", "{tmp}/empty", "{tmp}/m", "--format", "pipeline"], "no model has been trained"),
    (["models", "{tmp}/empty", "--use", "v0042"], "no model version v0042"),
])
def test_user_errors_are_one_line_without_traceback(tmp_path, args, message):
    (tmp_path / "bad.jsonl").write_text('{"text": "fine"}\n{"text": broken\n', encoding="utf-8")
    empty = tmp_path / "empty"
    Project.create(empty).close()
    r = nergui(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert message in r.stderr


def test_bad_import_leaves_the_project_unchanged(tmp_path):
    good = tmp_path / "good.jsonl"
    _write_prodigy(good, generated_training(5))
    assert nergui("import", tmp_path / "p", good).returncode == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "new one"}\n{"text": 5}\n', encoding="utf-8")
    r = nergui("import", tmp_path / "p", bad)
    assert r.returncode == 1 and "bad.jsonl:2" in r.stderr and "--partial" in r.stderr
    with Project.open(tmp_path / "p") as p:
        assert p.count() == 5
    r = nergui("import", tmp_path / "p", bad, "--partial")
    assert r.returncode == 0
    with Project.open(tmp_path / "p") as p:
        assert p.count() == 6


def test_round_trip_of_the_real_training_file(tmp_path):
    src = shared_file("fashion_brands_training.jsonl")
    assert nergui("import", tmp_path / "p", src, "--base", "blank:en").returncode == 0
    out = tmp_path / "out.jsonl"
    r = nergui("export", tmp_path / "p", out, "--format", "prodigy", "--all")
    assert r.returncode == 0, r.stderr
    original = list(srsly.read_jsonl(src))
    exported = list(srsly.read_jsonl(out))
    assert len(exported) == len(original)
    for a, b in zip(original, exported):
        assert a["text"] == b["text"]
        assert [(s["start"], s["end"], s["label"]) for s in a.get("spans", [])] == \
               [(s["start"], s["end"], s["label"]) for s in b.get("spans", [])]
