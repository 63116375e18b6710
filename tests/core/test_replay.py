"""The replay annotator (``nergui bench active``'s engine, nergui/bench/replay.py) on GENERATED
data, so that the learner's and the ordering's defaults, chosen on the fashion data, are
checked on another set: a small real pipeline trained here on two old types (PERSON, GPE),
then a new type (FASHION_BRAND) learnt continuously, one replayed document at a time."""

from __future__ import annotations

import pytest

from nergui.bench import replay_figures as figs
from nergui.bench.active import Plan, _summary, consolidated_end, full_run, learner_settings
from nergui.bench.replay import FileOrder, Meter, ModelOrder, Ordering, RandomOrder, Setup, checkpoints, replay
from nergui.core.formats import write
from nergui.core.records import Record

from . import replay_data as rd


@pytest.fixture(scope="module")
def world():
    """The base pipeline, 40 documents of which about one in four names a brand (as in the
    fashion data), an eval set (half of it with brands, most never in the patterns),
    rehearsal texts and held-out texts retention is measured on."""
    base = rd.small_base()
    train = rd.documents(40, rare=1 / 4, seed=0)
    evals = rd.documents(30, rare=0.5, seed=9)
    meter = Meter(base, evals, rd.raw_texts(20, seed=7), [rd.LABEL])
    settings, learn = learner_settings()  # the learner the bench replays into, tuned on the fashion data
    setup = Setup(base, train, evals, [rd.LABEL], rd.raw_texts(80, seed=3), rd.patterns(), settings, learn)
    return base, setup, meter


@pytest.fixture(scope="module")
def curves(world):
    _, setup, meter = world
    return {"file": replay(setup, FileOrder(), meter, every=8),
            "model": replay(setup, ModelOrder(Ordering(pool=40, refresh=4)), meter, every=8)}


def test_each_order_replays_every_document_once_and_scores_at_its_checkpoints(world, curves):
    _, setup, _ = world
    for curve in curves.values():
        assert curve.replayed == 40 and curve.stopped is None
        assert [p["docs"] for p in curve.points] == checkpoints(40, every=8) == [8, 16, 24, 25, 32, 40]
        assert [p["docs"] for p in curve.points if p["retention"] is not None] == [25, 40]
        assert curve.with_new == sum(bool(r.spans) for r in setup.train) == curve.points[-1]["with_new"]
    order = RandomOrder(1)
    order.start(setup)
    picked = [order.next(None) for _ in range(41)]
    assert picked[-1] is None and sorted(picked[:-1]) == list(range(40)) and picked[:-1] != list(range(40))


def test_model_order_finds_a_rare_type_with_fewer_documents_than_file_order(curves):
    file, model = curves["file"].points, curves["model"].points
    assert model[1]["with_new"] >= 2 * file[1]["with_new"]  # after 16 documents: the brands were asked first
    assert figs.docs_to(model, 0.8) is not None
    assert figs.docs_to(model, 0.8) < (figs.docs_to(file, 0.8) or 10**6)
    ratio, xs = figs.auc_ratio(model, file)
    assert ratio > 1.1 and xs[0] == 8 and xs[-1] == 40
    why = curves["model"].order["picked_because"]
    assert why.get("pattern", 0) >= 1  # the cold start: the patterns' brands before the model knows any


def test_continuous_learning_comes_close_to_a_full_run_and_keeps_the_old_types(world, curves, tmp_path):
    base, setup, meter = world
    base_dir = tmp_path / "base"
    base.to_disk(base_dir)
    raw = tmp_path / "raw.jsonl"
    write(raw, [Record(t) for t in setup.rehearsal], "prodigy", labels=[])
    full = full_run(str(base_dir), setup.train, str(raw), meter)  # the app's defaults, as `nergui train` runs
    assert full["full_train_docs"] == 40 and full["epochs"] == 10
    assert full["full_f"] >= 0.8
    for curve in curves.values():
        assert full["full_f"] - curve.end["f"] <= 0.05  # continuous mode: as good as a full run at the end
        assert figs.retention_min(curve.points) >= 0.97  # the old types held all along


def test_the_app_s_continuous_mode_ends_on_its_last_consolidation_and_the_learner_after_it(world, curves, tmp_path):
    """continuous_gap replays the app's cadence: a full run on the first 32 documents file
    order picked (every 16: the last consolidation at 32), the learner restarted from it
    learns the other 8; the summary reads the gap off it and keeps the learner's own."""
    base, setup, meter = world
    base.to_disk(tmp_path / "base")
    write(tmp_path / "raw.jsonl", [Record(t) for t in setup.rehearsal], "prodigy", labels=[])
    curve = curves["file"]
    assert curve.picked == list(range(40))
    end = consolidated_end(setup, curve, meter, str(tmp_path / "base"), str(tmp_path / "raw.jsonl"), every=16)
    assert end["consolidated_at"] == 32 and end["learnt_after"] == 8 and end["started_from_version"] is True
    assert end["consolidated_f"] >= 0.8 and end["consolidated_retention"] >= 0.97
    curve.consolidated = end
    try:
        summary = _summary({"file": [curve], "model": [], "random": []}, 40, 0.9, {}, every=16)
    finally:
        curve.consolidated = None
    assert summary["continuous_gap"] == pytest.approx(0.9 - end["consolidated_f"])
    assert summary["learner_gap"] == pytest.approx(0.9 - curve.end["f"])
    assert "every 16 documents (the last at 32, then 8 learnt)" in summary["continuous_gap_mode"]
    assert summary["continuous_gap_strategy"] == summary["learner_gap_strategy"] == "file"
    # without file order, the gap is the learner's of the strategy that replayed every document, named
    alone = _summary({"file": [], "model": [curves["model"]], "random": []}, 40, 0.9, {}, every=16)
    assert alone["continuous_gap_strategy"] == alone["learner_gap_strategy"] == "model"
    assert alone["continuous_gap"] == pytest.approx(0.9 - curves["model"].end["f"])
    assert alone["continuous_gap_mode"] == "the learner alone"
    assert consolidated_end(setup, curve, meter, "unused", "unused", every=41) is None  # none before the end


def test_the_new_type_f_without_the_frozen_recognizer_is_the_whole_pipeline_s(world, curves):
    _, setup, meter = world
    learner = curves["file"].learner
    assert learner.learnt == 40 and learner.trainable == ["ner_new"]
    fast = meter.f(learner.nlp, frozen=["ner"])
    assert fast == meter.f(learner.nlp) and fast["f"] > 0.5


def test_figures_are_read_off_the_measured_points():
    a = [{"docs": 10, "f": 0.2}, {"docs": 20, "f": 0.6}, {"docs": 30, "f": 0.5}, {"docs": 40, "f": 0.7}]
    b = [{"docs": 10, "f": 0.1}, {"docs": 20, "f": 0.3}, {"docs": 30, "f": 0.5}]
    assert figs.docs_to(a, 0.6) == 20 and figs.docs_to(a, 0.65) == 40 and figs.docs_to(b, 0.6) is None
    mean = figs.mean_curve([a, b])
    assert [p["docs"] for p in mean] == [10, 20, 30] and mean[1]["f"] == pytest.approx(0.45)
    ratio, xs = figs.auc_ratio(a, b)  # on 10..30 only: (4 + 5.5) / (2 + 4)
    assert xs == [10, 20, 30] and ratio == pytest.approx(9.5 / 6.0)
    assert figs.missed({"docs_to_95_fraction": 0.3, "auc_ratio": 1.1, "continuous_gap": 0.01,
                        "retention_min": 0.99, "teach_f_at_1000": None}) == \
        ["auc_ratio (1.100)", "teach_f_at_1000 (not measured)"]


def test_the_budget_caps_documents_to_what_fits():
    import time

    plan = Plan(10, time.perf_counter())  # 600 s
    assert plan.cap(1000, 0.5, 4, every=50) in (250, 300)  # 600 s / (4 * 0.5 s), in steps of 50
    assert plan.cap(200, 0.5, 4, every=50) == 200  # fits: all of them
    assert plan.cap(1000, 100.0, 4, every=50) == 50  # never below one step
    assert Plan(0, time.perf_counter()).cap(1000, 10.0, 4, every=50) == 1000  # no budget
