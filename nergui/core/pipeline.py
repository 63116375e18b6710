"""Load, list, copy, extend and save spaCy pipelines; versioned, atomic model storage.

A pipeline is named by an installed package (``en_core_web_sm``), a folder holding
``config.cfg``, or ``blank:LANG``. Model versions live in ``PROJECT/models/vNNNN``;
the file ``models/CURRENT`` names the current one. A version is written to a hidden
sibling folder first and renamed into place only when complete, and ``CURRENT`` is
replaced atomically, so a crash at any moment leaves a current model that loads.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.language import Language

from ..errors import Msg, PipelineError
from .backends import LINK_NAME
from .events import ModelVersion  # noqa: F401 - what a saved version is (a "saved" event carries one)

CURRENT = "CURRENT"
NERGUI_META = "nergui.json"


def installed_pipelines() -> list[str]:
    """Names of the spaCy pipeline packages installed in this environment."""
    try:
        return sorted(spacy.util.get_installed_models())
    except Exception:  # a broken package must not break the list
        return []


#: Held while a pipeline is being loaded, so two threads never load at once (the window loads
#: a tokenizer in one thread while the previewer loads its model in another). spaCy's loading
#: is not thread-safe (explosion/spaCy#4349: errors loading pipelines from parallel threads;
#: ``warnings.catch_warnings`` is process-wide too), and a crash there takes the app down.
LOADING = threading.RLock()

def describe(spec: str) -> str:
    """A short human name for a pipeline spec."""
    return spec if spec.startswith("blank:") else Path(spec).name or spec


def load_pipeline(spec: str | os.PathLike, *, exclude: tuple[str, ...] = ()) -> Language:
    """Load a pipeline by package name, folder or ``blank:LANG`` with clear errors.

    Args:
        spec: an installed package name, a pipeline folder or ``blank:LANG``.
        exclude: component names not to load.
    Returns:
        The loaded ``Language`` object.
    Raises:
        PipelineError: unknown name, not a pipeline folder, corrupt pipeline,
            incompatible spaCy version, or unknown language.
    """
    spec = str(spec)
    if spec.startswith("blank:"):
        lang = spec.split(":", 1)[1].strip()
        try:
            with LOADING:
                return spacy.blank(lang)
        except Exception:
            raise PipelineError(Msg.BAD_LANG.format(name=spec, lang=lang)) from None
    path = Path(spec)
    if path.exists():
        if not path.is_dir() or not (path / "config.cfg").exists():
            raise PipelineError(Msg.NOT_A_PIPELINE.format(path=path))
        _check_version(path / "meta.json", spec)
        return _load(path, spec, exclude)
    if spec in installed_pipelines() or spacy.util.is_package(spec):
        try:
            meta = spacy.util.get_package_path(spec) / "meta.json"
        except Exception:
            meta = None
        if meta is not None:
            _check_version(meta, spec)
        return _load(spec, spec, exclude)
    installed = ", ".join(installed_pipelines()) or "none"
    raise PipelineError(Msg.NO_PIPELINE.format(name=spec, installed=installed))


def pipeline_config(spec: str | os.PathLike):
    """The config of a pipeline folder or installed package, read without loading it (or None)."""
    spec = str(spec)
    if spec.startswith("blank:"):
        return None
    path = Path(spec)
    if not path.is_dir():
        try:
            root = spacy.util.get_package_path(spec)
        except Exception:
            return None
        path = next((p.parent for p in sorted(root.glob("*/config.cfg"))), root)
    try:
        return spacy.util.load_config(path / "config.cfg")
    except Exception:
        return None


def load_tokenizer(spec: str | os.PathLike):
    """Only the tokenizer of a pipeline (every component left out), for snapping selections."""
    config = pipeline_config(spec)
    names = tuple(config["nlp"].get("pipeline", [])) if config is not None else ()
    return load_pipeline(spec, exclude=names).tokenizer


def preview_exclusions(spec: str | os.PathLike) -> tuple[str, ...]:
    """Components a NER-only prediction does not need, from the config alone, so the preview
    loads faster: everything but entity recognizers and rulers, and the tok2vec or
    transformer a recognizer listens to (all of them if it listens to "*")."""
    config = pipeline_config(spec)
    if config is None:
        return ()
    components = config.get("components", {})
    keep: set[str] = set()
    upstreams: set[str] = set()
    for name in config["nlp"].get("pipeline", []):
        factory = components.get(name, {}).get("factory", "")
        if factory in ("ner", "beam_ner", "entity_ruler", "span_ruler", "future_entity_ruler"):
            keep.add(name)
            if factory in ("ner", "beam_ner"):
                tok2vec = components[name].get("model", {}).get("tok2vec", {})
                if "Listener" in str(tok2vec.get("@architectures", "")):
                    upstreams.add(str(tok2vec.get("upstream", "*")))
    for name in config["nlp"].get("pipeline", []):
        factory = components.get(name, {}).get("factory", "")
        if factory in ("tok2vec", "transformer", "curated_transformer") and (name in upstreams or "*" in upstreams):
            keep.add(name)
    return tuple(n for n in config["nlp"].get("pipeline", []) if n not in keep)


def _check_version(meta_path: Path, name: str) -> None:
    if not meta_path.exists():
        return
    try:
        meta = srsly.read_json(meta_path)
    except Exception as err:
        raise PipelineError(Msg.CORRUPT_PIPELINE.format(path=name, detail=f"meta.json: {err}")) from None
    wanted = meta.get("spacy_version") if isinstance(meta, dict) else None
    if wanted and not spacy.util.is_compatible_version(spacy.about.__version__, wanted):
        raise PipelineError(Msg.PIPELINE_VERSION.format(name=name, wanted=wanted, have=spacy.about.__version__))


@contextmanager
def gc_kept_on() -> Iterator[None]:
    """Re-enable the garbage collector after a failed msgpack read: ``srsly.msgpack_loads``
    disables it while unpacking and, when the data is corrupt, raises before enabling it
    again, which would leave the whole app without cycle collection."""
    was_on = gc.isenabled()
    try:
        yield
    finally:
        if was_on and not gc.isenabled():
            gc.enable()


def _load(target: str | Path, name: str, exclude: tuple[str, ...]) -> Language:
    try:
        with LOADING, warnings.catch_warnings(), gc_kept_on():
            warnings.simplefilter("ignore")
            return spacy.load(target, exclude=list(exclude))
    except PipelineError:
        raise
    except Exception as err:  # config errors, missing files, bad weights
        detail = " ".join(str(err).split()) or type(err).__name__  # a config error's useful part is on later lines
        raise PipelineError(Msg.CORRUPT_PIPELINE.format(path=name, detail=detail[:300])) from None


def clone(nlp: Language) -> Language:
    """An independent copy of a pipeline (weights and vocab), through bytes.

    Used for the frozen teacher and for prediction snapshots, so that training never
    touches the copy and two threads never share one ``nlp`` object.
    """
    data = nlp.to_bytes()
    lang_cls = spacy.util.get_lang_class(nlp.config["nlp"]["lang"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copy = lang_cls.from_config(nlp.config, validate=False)
        copy.from_bytes(data)
    copy.meta.update(nlp.meta)
    return copy


def ner_components(nlp: Language) -> list[str]:
    """Names of the entity recognizers in pipeline order."""
    return [name for name, pipe in nlp.pipeline if getattr(pipe, "name", None) is not None
            and pipe.__class__.__name__ in ("EntityRecognizer", "BeamEntityRecognizer")]


def ner_labels(nlp: Language) -> list[str]:
    """Every entity label any NER component of the pipeline predicts."""
    labels: list[str] = []
    for name in ner_components(nlp):
        for label in nlp.get_pipe(name).labels:
            if label not in labels:
                labels.append(label)
    return labels


def predict(nlp: Language, texts: list[str], *, batch_size: int = 64):
    """Entities for each text as ``[(start, end, label), ...]``, with ``nlp.pipe``."""
    out = []
    for doc in nlp.pipe(texts, batch_size=batch_size):
        out.append([(e.start_char, e.end_char, e.label_) for e in doc.ents])
    return out


# ---- versioned model storage -----------------------------------------------------------
class ModelStore:
    """Every trained version of a project's model, and which one is current.

    For a project in a database, ``ModelStore(project.models_dir)`` is a
    ``model_db.DbModelStore``: the versions are in the database, the folder a cache.
    """

    def __new__(cls, models_dir: str | os.PathLike | None = None):
        if cls is ModelStore and models_dir is not None and (Path(models_dir).parent / LINK_NAME).exists():
            from .model_db import DbModelStore

            return super().__new__(DbModelStore)
        return super().__new__(cls)

    def __init__(self, models_dir: str | os.PathLike):
        self.dir = Path(models_dir)

    def versions(self) -> list[ModelVersion]:
        out = []
        if not self.dir.exists():
            return out
        for path in sorted(self.dir.glob("v[0-9][0-9][0-9][0-9]")):
            if not (path / "config.cfg").exists():
                continue
            info = {}
            if (path / NERGUI_META).exists():
                try:
                    # stdlib json: srsly's parser rounds floats
                    info = json.loads((path / NERGUI_META).read_text(encoding="utf-8"))
                except Exception:
                    info = {}
            out.append(ModelVersion(path.name, path, info.get("created", path.stat().st_mtime), info))
        return out

    def current_name(self) -> str | None:
        pointer = self.dir / CURRENT
        if not pointer.exists():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
        return name if (self.dir / name / "config.cfg").exists() else None

    def current_path(self) -> Path | None:
        name = self.current_name()
        return self.fetch(name) if name else None

    def fetch(self, name: str) -> Path:
        """The folder of version ``name`` (a database project's store extracts it first)."""
        return self.dir / name

    def load_current(self) -> Language | None:
        path = self.current_path()
        return load_pipeline(path) if path else None

    def save(self, nlp: Language, info: dict[str, Any] | None = None, *, make_current: bool = True) -> ModelVersion:
        """Write ``nlp`` as the next version, atomically, and make it current.

        The pipeline is written to a hidden temporary sibling folder, which is renamed
        to ``vNNNN`` once complete; then ``CURRENT`` is replaced with ``os.replace``.
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        try:  # what a killed save left behind (measured: `nergui bench crash`)
            self.clean_temporaries(dead_only=True)
        except OSError:
            pass
        existing = [int(p.name[1:]) for p in self.dir.glob("v[0-9][0-9][0-9][0-9]")]
        name = f"v{(max(existing) + 1) if existing else 1:04d}"
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-{os.getpid()}-", dir=self.dir))
        try:
            nlp.to_disk(tmp)
            info = dict(info or {})
            info.setdefault("created", time.time())
            info["version"] = name
            srsly.write_json(tmp / NERGUI_META, info)
            _fsync_tree(tmp)
            os.rename(tmp, self.dir / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(self.dir)
        if make_current:
            self.set_current(name)
        return ModelVersion(name, self.dir / name, info["created"], info)

    def set_current(self, name: str) -> None:
        """Point ``CURRENT`` at an existing version (rollback), atomically."""
        if not (self.dir / name / "config.cfg").exists():
            versions = ", ".join(v.name for v in self.versions()) or "none"
            raise PipelineError(Msg.NO_MODEL_VERSION.format(path=self.dir, version=name, versions=versions))
        fd, tmp = tempfile.mkstemp(prefix=f".CURRENT-{os.getpid()}-", dir=self.dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.dir / CURRENT)
        _fsync_dir(self.dir)

    def use_original(self) -> None:
        """Use no saved version: the app predicts with the base pipeline again (nothing is
        deleted; any version can be made current later)."""
        (self.dir / CURRENT).unlink(missing_ok=True)
        if self.dir.exists():
            _fsync_dir(self.dir)

    def clean_temporaries(self, *, dead_only: bool = False) -> int:
        """Remove half-written versions left by a crash; returns how many.

        With ``dead_only``, keep those of a process that is still running (its save is in
        progress); ``save`` calls this first, so a killed save never leaks disk for long.
        """
        n = 0
        for path in [*self.dir.glob(".v*-*"), *self.dir.glob(".CURRENT-*")]:
            if dead_only and _writer_alive(path):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            n += 1
        return n


_TMP_PID = re.compile(r"\.(?:v[0-9]{4}|CURRENT)-([0-9]+)-")


def _writer_alive(path: Path) -> bool:
    """Whether the process that made a temporary (its pid is in the name) may still be writing it."""
    match = _TMP_PID.match(path.name)
    if match is None:  # made before names carried the pid
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would terminate it on Windows: go by age instead
        try:
            return time.time() - path.stat().st_mtime < 24 * 3600
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
