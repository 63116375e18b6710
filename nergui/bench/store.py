"""``nergui bench store``: import and query times for a generated 100k-document project.

Documents of 1-2 kB are written as Prodigy JSONL and imported through the real reader
and store (one transaction), then the queries the document list makes are timed.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import srsly

from ..core import workflow
from ..core.store import Filter, Project
from . import emit
from .data import sentence


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


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nergui bench store", description=__doc__)
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "docs.jsonl"
        t = time.perf_counter()
        size = make_file(src, args.docs)
        gen_s = time.perf_counter() - t
        project = Project.create(Path(tmp) / "project")
        project.set_setting("base_pipeline", "blank:en")
        t = time.perf_counter()
        report = workflow.import_file(project, src)
        import_s = time.perf_counter() - t
        row = {"docs": args.docs, "file_mb": round(size / 1e6, 1), "generate_s": round(gen_s, 2),
               "import_s": round(import_s, 2), "imported": report.imported}
        timings = {
            "count_ms": lambda: project.count(),
            "counts_by_state_ms": lambda: project.counts_by_state(),
            "ids_all_ms": lambda: project.doc_ids(),
            "ids_accepted_ms": lambda: project.doc_ids(Filter(state="accepted")),
            "ids_label_ms": lambda: project.doc_ids(Filter(label="THING")),
            "page_middle_ms": lambda: project.page(offset=args.docs // 2, limit=100),
            "open_document_ms": lambda: project.get_document(args.docs // 2),
            "search_ms": lambda: project.doc_ids(Filter(search="garlic butter")),
        }
        for key, fn in timings.items():
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t)
            row[key] = round(best * 1000, 2)
        t = time.perf_counter()
        project.close()
        Project.open(Path(tmp) / "project").close()
        row["reopen_ms"] = round((time.perf_counter() - t) * 1000, 2)
        emit(row, as_json=args.json)
    return 0
