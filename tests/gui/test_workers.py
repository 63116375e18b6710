"""The training worker and its runner without the panel: throttling, one run at a time, shutdown."""

from nergui.bench.data import generated_training
from nergui.core.store import Project
from nergui.core.training import TrainSettings
from nergui.gui.workers import EpochEnd, Failed, RunResult, Tick, TrainRequest, TrainRunner


def of(cls):
    return lambda ev: isinstance(ev, cls)

LONG = 60_000


def _project(tmp_path, n=24):
    project = Project.create(tmp_path / "proj")
    project.set_setting("base_pipeline", "blank:en")
    project.import_records(generated_training(n), path="gen")
    return project


def test_progress_is_throttled_but_every_step_arrives(tmp_path, qtbot):
    project = _project(tmp_path)
    runner = TrainRunner()
    ticks, epochs = [], []
    runner.sig_event.connect(lambda ev: ticks.append(ev) if isinstance(ev, Tick) else None)
    runner.sig_event.connect(lambda ev: epochs.append(ev) if isinstance(ev, EpochEnd) else None)
    request = TrainRequest(project.path, TrainSettings(epochs=3, batch_size=4), throttle=3600.0)
    with qtbot.waitSignal(runner.sig_event, timeout=LONG, check_params_cb=of(RunResult)):
        assert runner.start(request, snapshots=False)
        assert not runner.start(request, snapshots=False)  # one run at a time
    # with a throttle longer than the run: the first batch, then only the epoch ends
    assert len(ticks) == 1 + 3 and [p.epoch for p in epochs] == [0, 1, 2]
    assert [s for t in ticks for s, _ in t.points] == list(range(1, 3 * 6 + 1))
    assert runner.state == "waiting"
    assert runner.shutdown()
    assert runner.thread is None and runner.state == "idle"
    assert project.runs()[-1]["status"] == "discarded"  # never kept


def test_failure_in_preparation_is_one_message(tmp_path, qtbot):
    project = Project.create(tmp_path / "empty")
    project.set_setting("base_pipeline", "blank:en")
    runner = TrainRunner()
    with qtbot.waitSignal(runner.sig_event, timeout=LONG, check_params_cb=of(Failed)) as failed:
        runner.start(TrainRequest(project.path, TrainSettings(epochs=1)), snapshots=False)
    assert "no accepted documents" in failed.args[0].message
    assert runner.thread is None and runner.state == "idle"
