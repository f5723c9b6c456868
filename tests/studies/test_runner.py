"""The study runner: identical results serially, on 2 local worker processes and on a Dask
cluster; finished tasks never rerun; a failure names its task and loses nothing else."""

import json

import pytest

from vae_tutorial.studies import fig2
from vae_tutorial.studies.runner import KEY, StudyError, Task, execute, is_done, run_study

TINY = ["frey-z2", "frey-z5"]


def numbers(out_dir) -> dict:
    """What a run computed (no timings): history ELBOs and final ELBOs per task."""
    logs = fig2.load_logs(out_dir)
    return {
        n: (
            g["history"]["samples"],
            g["history"]["train_elbo"],
            g["history"]["test_elbo"],
            g["final"],
        )  # fmt: skip
        for n, g in logs.items()
    }


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run_study(fig2.tasks(TINY, samples=300), out, jobs=1, progress=False)
    return numbers(out)


def test_two_local_workers_give_identical_numbers(serial, tmp_path):
    run_study(fig2.tasks(TINY, samples=300), tmp_path, jobs=2, progress=False)
    assert numbers(tmp_path) == serial


def test_a_dask_cluster_gives_identical_numbers(serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=50,
    ) as cluster:  # fmt: skip
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        run_study(fig2.tasks(TINY, samples=300), tmp_path, cluster=cluster.scheduler_address,
                  progress=False)  # fmt: skip
    assert numbers(tmp_path) == serial


def test_finished_tasks_are_identified_by_the_hash_of_their_settings(tmp_path):
    task = fig2.tasks(["frey-z2"], samples=200)[0]
    assert not is_done(task, tmp_path)
    outcome = run_study([task], tmp_path, progress=False)
    assert outcome["frey-z2"]["ok"] and is_done(task, tmp_path)
    assert json.loads((tmp_path / "frey-z2.json").read_text())[KEY] == task.key
    assert run_study([task], tmp_path, progress=False) == {}  # nothing to do: never repeated
    other = fig2.tasks(["frey-z2"], samples=300)[0]
    assert other.key != task.key
    with pytest.raises(StudyError, match="made with other settings"):
        is_done(other, tmp_path)


def test_a_failed_task_is_named_with_its_arguments_and_the_others_are_kept(tmp_path):
    good = fig2.tasks(["frey-z2"], samples=200)[0]
    bad = Task("broken", "vae_tutorial.studies.fig2:train_run",
               {"name": "broken", "experiment": {"name": "x"}, "eval_at": [0]})  # fmt: skip
    with pytest.raises(StudyError) as e:
        run_study([bad, good], tmp_path, progress=False)
    msg = str(e.value)
    assert "1 of 2 study runs failed" in msg and "broken: ConfigError" in msg
    assert '"experiment": {"name": "x"}' in msg  # the arguments, to reproduce it
    assert is_done(good, tmp_path) and not (tmp_path / "broken.json").exists()


def test_a_result_is_written_atomically_under_a_lock(tmp_path):
    from vae_tutorial.atomic import output_lock

    task = fig2.tasks(["frey-z2"], samples=200)[0]
    with output_lock(tmp_path / "frey-z2.json"):  # another runner is writing this result
        outcome = execute(task, str(tmp_path))
    assert not outcome["ok"] and "another process is already writing" in outcome["error"]
    assert not list(tmp_path.iterdir())  # nothing half-written, no temporaries, no lock


def test_bad_jobs_value():
    with pytest.raises(StudyError.__mro__[1], match="jobs must be a positive int"):
        run_study([], "unused", jobs=0)


def test_every_shipped_json_file_is_standard_json():
    """Python writes NaN and Infinity, which JavaScript, jq and most JSON readers refuse: the
    shipped logs and manifests must hold none (a diverged step-size trial is null)."""
    from vae_tutorial.settings import data_dir

    def refuse(name):
        raise ValueError(f"{name} is not standard JSON")

    files = sorted(data_dir().rglob("*.json"))
    assert len(files) > 50
    for f in files:
        try:
            json.loads(f.read_text(), parse_constant=refuse)
        except ValueError as e:
            raise AssertionError(f"{f}: {e}") from None
