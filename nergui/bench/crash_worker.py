"""The process ``nergui bench crash`` kills: it edits a project, or saves model versions, forever.

    python -m nergui.bench.crash_worker edits PROJECT --seed S
    python -m nergui.bench.crash_worker model MODELS_DIR --seed S --marker K

It goes through the same core API the app uses (``nergui.core.edits`` applied to a
``Project``, as ``gui/session.py`` does; ``ModelStore.save``, as training does) and speaks
one line per step on stdout, flushed at once:

* ``ready``: set up, about to start;
* ``try {json}``: about to make this edit (or save this model version);
* ``ack {json}``: the edit is committed (``save`` has returned).

The parent reads these lines, kills this process with SIGKILL at a random moment and then
checks that every acknowledged step is in the store. At most one ``try`` is open at the
kill, so the store must show either all acknowledged steps, or those plus that one.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

LABELS = ("ORG", "PERSON", "PLACE")
STATES = ("todo", "accepted", "rejected", "skipped")


def say(kind: str, payload: dict | None = None) -> None:
    sys.stdout.write(kind if payload is None else f"{kind} {json.dumps(payload, sort_keys=True)}")
    sys.stdout.write("\n")
    sys.stdout.flush()


def word_ranges(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every space-separated word (the parent makes texts of plain words)."""
    out, pos = [], 0
    for word in text.split(" "):
        if word:
            out.append((pos, pos + len(word)))
        pos += len(word) + 1
    return out


def run_edits(project_path: str, seed: int, limit: int) -> None:
    from ..core import edits
    from ..core.records import Span
    from ..core.store import Project

    rng = random.Random(seed)
    project = Project.open(project_path)
    docs = {doc.id: (word_ranges(doc.text), {(s.start, s.end) for s in doc.spans})
            for doc in project.iter_documents()}
    ids = sorted(docs)
    say("ready")
    for _ in range(limit):
        doc_id = rng.choice(ids)
        words, marked = docs[doc_id]
        roll = rng.random()
        if roll < 0.2:
            state = rng.choice(STATES)
            edit, step = edits.SetState(doc_id, "state", state), {"op": "state", "doc": doc_id, "state": state}
        elif roll < 0.45 and marked:
            start, end = rng.choice(sorted(marked))
            edit = edits.RemoveSpans(doc_id, "remove", (Span(start, end, "X"),))
            step = {"op": "remove", "doc": doc_id, "start": start, "end": end}
        else:
            free = [w for w in words if w not in marked]
            if not free:
                continue
            start, end = rng.choice(free)
            label = rng.choice(LABELS)
            edit = edits.AddSpans(doc_id, "add", (Span(start, end, label),))
            step = {"op": "add", "doc": doc_id, "start": start, "end": end, "label": label}
        say("try", step)
        edit.apply(project)  # one transaction, committed when this returns
        if step["op"] == "add":
            marked.add((step["start"], step["end"]))
        elif step["op"] == "remove":
            marked.discard((step["start"], step["end"]))
        say("ack", step)
    project.close()


def tiny_pipeline():
    """blank:en with an initialised NER: small (about 4 MB on disk) and quick to save."""
    import spacy

    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("ORG")
    nlp.initialize()
    return nlp


def stamp(nlp, marker: int) -> None:
    """Write ``marker`` into the weights (the NER's first output bias) and the meta, so a
    loaded version can be matched to the save that wrote it."""
    upper = nlp.get_pipe("ner").model.get_ref("upper")
    bias = upper.get_param("b").copy()
    bias[0] = float(marker)
    upper.set_param("b", bias)
    nlp.meta["nergui_marker"] = marker


def read_stamp(nlp) -> tuple[float, object]:
    """``(weight marker, meta marker)`` of a loaded pipeline."""
    upper = nlp.get_pipe("ner").model.get_ref("upper")
    return float(upper.get_param("b")[0]), nlp.meta.get("nergui_marker")


def run_model(models_dir: str, seed: int, marker: int, limit: int) -> None:
    from ..core.pipeline import ModelStore

    nlp = tiny_pipeline()
    store = ModelStore(Path(models_dir))
    say("ready")
    for k in range(marker, marker + limit):
        stamp(nlp, k)
        say("try", {"marker": k})
        version = store.save(nlp, {"marker": k})
        say("ack", {"marker": k, "version": version.name})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m nergui.bench.crash_worker", description=__doc__)
    p.add_argument("mode", choices=["edits", "model"])
    p.add_argument("path", help="the project folder (edits) or its models folder (model)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--marker", type=int, default=1, help="model: the first marker to write")
    p.add_argument("--limit", type=int, default=1_000_000, help="stop after this many steps")
    args = p.parse_args(argv)
    if args.mode == "edits":
        run_edits(args.path, args.seed, args.limit)
    else:
        run_model(args.path, args.seed, args.marker, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
