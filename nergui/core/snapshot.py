"""Preview snapshots: a pipeline folder with only what entity recognition needs.

During training the app shows the model's predictions from a snapshot written after an
epoch. The previewer runs only the entity recognizers (and what they listen to), so the
snapshot leaves out the tagger, parser, lemmatizer and the rest: it is written and loaded
about a third faster (en_core_web_sm: 0.07 s instead of 0.10 s to write, 0.22 s instead of
0.32 s to load), and loading competes less with training for the GIL. It is a preview, not
a model version: versions are written whole by ``ModelStore.save``.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import spacy
from spacy.language import Language

from .evaluate import non_ner_pipes


def write_ner_snapshot(nlp: Language, path: str | os.PathLike) -> list[str]:
    """Write ``nlp`` to ``path`` without the components entity recognition does not need.

    ``nlp`` is not changed. Returns the names of the components left out. The folder loads
    with ``spacy.load`` and predicts the same entities as ``nlp``.
    """
    path = Path(path)
    drop = non_ner_pipes(nlp) + [n for n in nlp.disabled if n not in nlp.pipe_names]  # disabled ones never run
    nlp.to_disk(path, exclude=drop)
    if not drop:
        return drop
    cfg = nlp.config.copy()
    cfg["nlp"]["pipeline"] = [n for n in cfg["nlp"]["pipeline"] if n not in drop]
    cfg["nlp"]["disabled"] = [n for n in cfg["nlp"].get("disabled", []) if n not in drop]
    for name in drop:
        cfg["components"].pop(name, None)
    training = cfg.get("training", {})
    for key in ("frozen_components", "annotating_components"):
        if key in training:
            training[key] = [n for n in training[key] if n not in drop]
    cfg.to_disk(path / "config.cfg")
    meta_path = path / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        for key in ("pipeline", "components", "disabled"):
            if isinstance(meta.get(key), list):
                meta[key] = [n for n in meta[key] if n not in drop]
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return drop


# ---- loading for the preview -----------------------------------------------------------------
# Loading a pipeline reads its vocab's strings in one Cython call that holds the GIL for
# ~35 ms (en_core_web_sm), which stalls the GUI thread while the previewer reloads a snapshot
# after each epoch (measured: event-loop spikes of 38-44 ms per load; 7-10 ms with the
# vocab reused). A snapshot or version trained from the same base has the same vocab but for
# a few strings the recognizers add back themselves (their labels), so the previewer keeps
# its vocab when the vocab files match.

def vocab_key(path: str | os.PathLike | None) -> str | None:
    """A fingerprint of a pipeline folder's language and vocab (lookups, vectors; not its strings), or None."""
    if path is None:
        return None
    vocab = Path(path) / "vocab"
    if not vocab.is_dir():
        return None
    digest = hashlib.sha1()
    meta = Path(path) / "meta.json"
    if meta.exists():
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            digest.update(str(info.get("lang")).encode())  # the vectors are in the files below
        except (ValueError, OSError):
            return None
    for f in sorted(vocab.iterdir()):
        if f.name == "strings.json" or not f.is_file():
            continue
        size = f.stat().st_size
        digest.update(f"{f.name}:{size}".encode())
        if size <= 64_000_000:  # lookups and small vectors: by content; large vectors: by size
            digest.update(f.read_bytes())
    return digest.hexdigest()


def structure_key(path: str | os.PathLike) -> str | None:
    """A fingerprint of a pipeline folder's shape: its config, tokenizer and every component
    file but the weights (``model``). Two snapshots of one run share it."""
    path = Path(path)
    try:
        digest = hashlib.sha1((path / "config.cfg").read_bytes())
        for item in sorted(path.iterdir()):
            if item.is_file() and item.name == "tokenizer":
                digest.update(item.read_bytes())
            elif item.is_dir() and item.name != "vocab":
                for f in sorted(item.iterdir()):
                    if f.is_file() and f.name != "model":
                        digest.update(f"{item.name}/{f.name}".encode())
                        digest.update(f.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def load_for_preview(spec: str | os.PathLike, previous: Language | None = None) -> Language:
    """Load a pipeline for the previewer, reusing what it can of ``previous``:

    * a folder of the same shape as ``previous`` (the next snapshot of a run): its weights
      are read into ``previous``, which is returned (~30 ms instead of ~200 ms, during
      which the previewer cannot predict);
    * a folder whose vocab files match (see above): loaded with ``previous``'s vocab;
    * otherwise, and on any problem, ``load_pipeline(spec)``.

    Components a NER-only prediction does not need are not loaded (``preview_exclusions``:
    the parser, tagger, lemmatizer ... of a pretrained pipeline), which halves the load.
    ``previous`` must belong to the calling thread (it is changed or shared from now on).
    """
    from .pipeline import LOADING, gc_kept_on, load_pipeline, preview_exclusions

    path = Path(str(spec))
    folder = path.is_dir() and (path / "config.cfg").exists()
    key = vocab_key(path) if folder else None
    shape = structure_key(path) if folder else None
    same_vocab = key is not None and previous is not None and getattr(previous, "_nergui_vocab_key", None) == key
    nlp = None
    if same_vocab and shape is not None and getattr(previous, "_nergui_shape", None) == shape:
        try:
            with LOADING, gc_kept_on():
                previous.from_disk(path, exclude=["vocab", "tokenizer"])
            nlp = previous
        except Exception:
            nlp = None  # half read: load it whole below (``previous`` is dropped)
    if nlp is None and same_vocab:
        try:
            with LOADING, warnings.catch_warnings(), gc_kept_on():
                warnings.simplefilter("ignore")
                nlp = spacy.load(path, vocab=previous.vocab, exclude=["vocab", *preview_exclusions(path)])
        except Exception:
            nlp = None  # load it whole below, with load_pipeline's clear errors
    if nlp is None:
        nlp = load_pipeline(spec, exclude=preview_exclusions(spec))
        if not folder and getattr(nlp, "_path", None):  # a package: fingerprint its data folder
            key, shape = vocab_key(nlp._path), structure_key(nlp._path)
    nlp._nergui_vocab_key = key
    nlp._nergui_shape = shape
    return nlp
