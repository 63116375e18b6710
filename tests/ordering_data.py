"""Generated data for the ordering tests (issue 13), and a model trained on it once per test process.

The model is a blank English NER trained on generated brands and on documents in which one
name, "Milano", is marked as a brand in half of those that hold it and left unmarked in
the other half, in the same sentence: it cannot be sure of Milano, while the other brands
are always marked. A project then holds to-do documents of three kinds: ambiguous (Milano),
clear (a known brand) and empty (people and places only).
"""

from __future__ import annotations

import atexit
import random
import shutil
import tempfile
from pathlib import Path

from nergui.bench.data import generated_raw, generated_training, sentence
from nergui.core.records import Record, Span

LABEL = "FASHION_BRAND"
_MODEL: dict[str, Path] = {}


def ambiguous_text(rng: random.Random) -> str:
    return f"{sentence(rng, rng.randint(4, 10))} I bought this from Milano in Berlin. {sentence(rng, rng.randint(4, 10))}"


def ambiguous_records(n: int = 40, *, seed: int = 4) -> list[Record]:
    """``n`` documents with "I bought this from Milano in Berlin.": Milano marked in every other one."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = ambiguous_text(rng)
        start = text.index("Milano")
        out.append(Record(text, [Span(start, start + 6, LABEL)] if i % 2 == 0 else [], state="accepted"))
    return out


def trained_model() -> Path:
    """The folder of the model described above (trained on first use, ~6-18 s on 2 cores)."""
    if "path" not in _MODEL:
        from nergui.core.pipeline import load_pipeline
        from nergui.core.training import Trainer, TrainSettings

        train = generated_training(120, seed=3) + ambiguous_records()
        trainer = Trainer.on(load_pipeline("blank:en"), train, generated_raw(40),
                             settings=TrainSettings(epochs=4, cross_validate=False))
        for _ in trainer.run():
            pass
        folder = Path(tempfile.mkdtemp(prefix="nergui-ordering-model-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        trainer.nlp.to_disk(folder / "model")
        _MODEL["path"] = folder / "model"
    return _MODEL["path"]


def todo_texts(*, ambiguous: int = 15, clear: int = 30, empty: int = 30, seed: int = 7) -> dict[str, list[str]]:
    """To-do texts of each kind, none of them a training text."""
    rng = random.Random(seed)
    return {"ambiguous": [ambiguous_text(rng) for _ in range(ambiguous)],
            "clear": [r.text for r in generated_training(clear, seed=seed + 100)],
            "empty": generated_raw(empty, seed=seed + 200)}


def make_project(path: Path, texts: dict[str, list[str]], *, accepted: list[Record] = (), model: bool = True):
    """A project of ``texts`` (to do, in the order of the kinds, shuffled) and ``accepted``
    records, with the trained model as its current version."""
    from nergui.core.pipeline import ModelStore, load_pipeline
    from nergui.core.store import Project

    todo = [t for kind in texts.values() for t in kind]
    random.Random(1).shuffle(todo)
    project = Project.create(path)
    project.set_setting("base_pipeline", "blank:en")
    project.add_label(LABEL)
    report = project.import_records([Record(t) for t in todo] + list(accepted), path="generated")
    assert report.imported == len(todo) + len(accepted), report.summary()
    if model:
        ModelStore(project.models_dir).save(load_pipeline(str(trained_model())), {"base": "blank:en"})
    return project
