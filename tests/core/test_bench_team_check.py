"""``nergui bench team``'s counting (bench/team.py ``check``) can fail: an acknowledged edit
missing from the store counts as lost, a document with a third annotator as over-assigned,
an attempt on another's rows that went through as a violation. A real PostgreSQL project."""

import json

from nergui.bench.team import check
from nergui.core.decisions import Decide
from nergui.core.records import Record, Span
from nergui.core.store import Project
from nergui.core.versions import PER_TASK, acting_as


def test_check_counts_what_is_missing_and_what_went_too_far(pg_store, tmp_path):
    url = pg_store.location()
    with Project.create(url) as p:
        p.add_label("THING")
        p.import_records([Record(f"Acme Widgets {i}", line=i + 1) for i in range(3)], path="t")
        p.set_setting(PER_TASK, "2")
        for who in ("a", "b", "c"):  # three annotators on document 1: one too many
            with acting_as(p, who):
                p.add_span(1, Span(0, 4, "THING"))
                p.set_state(1, "accepted")
        with acting_as(p, "a"):
            p.add_span(2, Span(0, 4, "THING"))
            Decide(1, "", 0, 1, "THING", "ignore").apply(p)
        with acting_as(p, "b"):
            Decide(2, "", 0, 1, "THING", "ignore").apply(p)  # b's, not the a's the log says
    rows = {"a": [{"k": "span", "doc": 1, "start": 0, "end": 4, "label": "THING", "ms": 3.0, "t": 1.0},
                  {"k": "accept", "doc": 1, "ms": 2.0, "t": 1.0},
                  {"k": "span", "doc": 2, "start": 0, "end": 4, "label": "THING", "ms": 4.0, "t": 9.0},
                  {"k": "accept", "doc": 2, "ms": 2.0, "t": 9.0},  # acknowledged, not stored: lost
                  {"k": "span", "doc": 3, "start": 0, "end": 4, "label": "THING", "ms": 5.0, "t": 9.0},  # lost
                  {"k": "decide", "doc": 1, "start": 0, "end": 1, "label": "THING", "ms": 2.0, "t": 9.0},
                  {"k": "decide", "doc": 2, "start": 0, "end": 1, "label": "THING", "ms": 2.0, "t": 9.0},  # lost
                  {"k": "rls", "attempt": "x", "refused": True, "t": 9.0}],
            "b": [{"k": "next", "doc": 1, "ms": 7.0, "t": 1.0}, {"k": "next", "doc": 3, "ms": 9.0, "t": 1.0},
                  {"k": "rls", "attempt": "y", "refused": False, "t": 9.0}]}
    logs = []
    for who, lines in rows.items():
        log = tmp_path / f"{who}.jsonl"
        log.write_text("".join(json.dumps(r) + "\n" for r in lines) + '{"k": "span", "doc"')  # a half line: ignored
        logs.append(log)
    out = check(url, list(rows), logs, restarted_at=5.0)
    assert out["lost"] == 3 and out["over_assigned"] == 1 and out["decisions_acknowledged"] == 2
    assert out["rls_attempts"] == 2 and out["rls_violations"] == 1
    assert out["edits_acknowledged"] == 5 and out["spans_acknowledged"] == 3 and out["assignments_finished"] == 2
    assert out["edits_after_restart"] == 3 and out["workers_through_restart"] == 1
    assert out["docs_in_store"] == 3 and out["next_doc_p50_ms"] == 8.0 and out["save_p50_ms"] == 4.0
