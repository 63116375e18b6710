import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def load_packaging(name: str):
    """A module of packaging/ by path, under a name no installed package uses (PyPA has ``build``)."""
    module_name = f"nergui_packaging_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, PACKAGING / f"{name}.py")
        sys.modules[module_name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def make_legacy_pipeline(path: Path) -> Path:
    """A small NER pipeline whose config names spaCy v1 architectures, which only spacy-legacy
    provides (through entry points): loading it in a frozen app without them fails with E893."""
    import spacy

    nlp = spacy.blank("en")
    tok2vec = {"@architectures": "spacy.HashEmbedCNN.v1", "pretrained_vectors": None, "width": 64, "depth": 2,
               "embed_size": 1000, "window_size": 1, "maxout_pieces": 3, "subword_features": True}
    model = {"@architectures": "spacy.TransitionBasedParser.v1", "state_type": "ner", "extra_state_tokens": False,
             "hidden_width": 32, "maxout_pieces": 2, "use_upper": True, "nO": None, "tok2vec": tok2vec}
    nlp.add_pipe("ner", config={"model": model}).add_label("ORG")
    nlp.initialize()
    nlp.to_disk(path)
    return path
