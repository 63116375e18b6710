"""``nergui bench store``: import and query times for a generated 100k-document project.

Documents of 1-2 kB are written as Prodigy JSONL and imported through the real reader
and store (one transaction), then the queries the document list makes are timed, and a
save (one span added in its own transaction, as a click in the app does) 200 times (``--saves``).

With ``--db URL`` (``postgresql://HOST[:PORT]/DB``, no ``?project=``) the same file is
imported into a throwaway project in that database as well, the same figures measured
there (``pg_...``) and their ratio to SQLite's (``pg_ratio_...``); the project is dropped
afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import srsly

from ..core import workflow
from ..core.records import Span
from ..core.store import Filter, Project
from . import emit
from .data import sentence

SAVES = 200


def make_file(path: Path, n: int, *, seed: int = 0) -> int:
    rng = random.Random(seed)

    def lines():
        for i in range(n):
            text = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(16, 30)))
            row = {"text": text, "meta": {"i": i}}
            if i % 10 == 0:
                row["spans"] = [{"start": 0, "end": text.index(" "), "label": "THING"}]
                row["answer"] = "accept"
            yield row

    srsly.write_jsonl(path, lines())
    return path.stat().st_size


def measure(location, src: Path, docs: int, saves_n: int = SAVES) -> dict:
    """Import ``src`` into a new project at ``location`` and time what the app does with it."""
    project = Project.create(location)
    project.set_setting("base_pipeline", "blank:en")
    t = time.perf_counter()
    report = workflow.import_file(project, src)
    row = {"import_s": round(time.perf_counter() - t, 2), "imported": report.imported}
    timings = {
        "count_ms": lambda: project.count(),
        "counts_by_state_ms": lambda: project.counts_by_state(),
        "ids_all_ms": lambda: project.doc_ids(),
        "ids_accepted_ms": lambda: project.doc_ids(Filter(state="accepted")),
        "ids_label_ms": lambda: project.doc_ids(Filter(label="THING")),
        "page_middle_ms": lambda: project.page(offset=docs // 2, limit=100),
        "open_document_ms": lambda: project.get_document(docs // 2),
        "search_ms": lambda: project.doc_ids(Filter(search="garlic butter")),
    }
    for key, fn in timings.items():
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        row[key] = round(best * 1000, 2)
    saves = []
    ids = project.doc_ids()
    for i in range(min(saves_n, len(ids))):
        doc_id = ids[(i * 7919) % len(ids)]
        t = time.perf_counter()
        span_id = project.add_span(doc_id, Span(len(project.get_document(doc_id).text) - 1,
                                                len(project.get_document(doc_id).text), "END"))
        saves.append(time.perf_counter() - t)
        project.remove_span(span_id)
    row["saves"] = len(saves)
    row["save_p50_ms"] = round(statistics.median(saves) * 1000, 2) if saves else 0.0
    row["save_p95_ms"] = round(statistics.quantiles(saves, n=20)[-1] * 1000, 2) if len(saves) > 1 else 0.0
    t = time.perf_counter()
    project.close()
    Project.open(location).close()
    row["reopen_ms"] = round((time.perf_counter() - t) * 1000, 2)
    return row


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench store", description=__doc__)
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--saves", type=int, default=SAVES, help="saves timed on each backend (a span added, its own transaction)")
    p.add_argument("--db", metavar="URL", help="also measure a project in this PostgreSQL database "
                                               "(postgresql://HOST[:PORT]/DB; a throwaway project, dropped after)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "docs.jsonl"
        t = time.perf_counter()
        size = make_file(src, args.docs)
        gen_s = time.perf_counter() - t
        row = {"docs": args.docs, "file_mb": round(size / 1e6, 1), "generate_s": round(gen_s, 2)}
        sqlite = measure(Path(tmp) / "project", src, args.docs, args.saves)
        row.update(sqlite)
        if args.db:
            row.update(_postgres(args.db, src, args.docs, sqlite, Path(tmp), args.saves))
        emit(row, as_json=args.json)
    return 0


def _postgres(server: str, src: Path, docs: int, sqlite: dict, tmp: Path, saves_n: int) -> dict:
    """The same measures on a throwaway project in ``server``'s database, and the ratios."""
    from ..core.backends.postgres import drop_project

    os.environ["NERGUI_CACHE_DIR"] = str(tmp / "cache")  # the project's local folder: thrown away too
    url = f"{server}{'&' if '?' in server else '?'}project=bench_{os.getpid()}_{int(time.time())}"
    try:
        pg = measure(url, src, docs, saves_n)
    finally:
        drop_project(url)
    out = {f"pg_{k}": v for k, v in pg.items()}
    for key, value in sqlite.items():
        if key.endswith(("_ms", "_s")) and value:
            out[f"pg_ratio_{key}"] = round(pg[key] / value, 2)
    return out
