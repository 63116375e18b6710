"""``nergui bench next`` measures the amounts it names (run small, as a real process)."""

from __future__ import annotations

import pytest

from .test_benches import bench

pytestmark = pytest.mark.slow


def test_bench_next_presses_next_on_the_project_and_pool_it_names():
    (row,) = bench("next", "--docs", "1500", "--pool", "60", "--nexts", "20", "--early", "2", "--files", "5",
                   "--pause-ms", "20", "--train-docs", "60", "--epochs", "1")
    assert row["docs_in_store"] == row["docs"] == 1500
    assert row["pool_size"] == row["pool_scored"] == 60  # the whole pool scored by the worker
    assert row["score_pool_s"] > 0 and 0 < row["score_busy_s"] <= row["score_pool_s"]
    assert row["nexts"] == 20 and row["every"] == 10
    assert row["evaluation"] == 2 and row["from_model"] == 18 and row["other"] == 0  # every tenth, the rest scored
    assert 100 < row["evaluation_docs"] < 200  # about a tenth of the project
    assert row["file_nexts"] == 5 and row["file_next_ms"] > 0
    assert row["unscored_nexts"] <= 2 and row["fallback_said"] <= row["unscored_nexts"]
    for key in ("next_doc_ms", "next_doc_max_ms", "pick_ms", "next_ratio"):
        assert row[key] > 0, key
    assert row["pick_ms"] <= row["next_doc_ms"] and "target_missed" in row
