import pytest
import torch

from vae_tutorial.core.checkpoints import load_checkpoint
from vae_tutorial.core.config import TrainConfig
from vae_tutorial.core.estimators import elbo
from vae_tutorial.core.model import build_model
from vae_tutorial.core.train import History, fit
from vae_tutorial.errors import ConfigError, TrainingDivergedError


def cfg(**kw) -> TrainConfig:
    base = dict(
        optimizer="adam",
        lr=1e-2,
        batch_size=50,
        max_samples=5000,
        eval_every=1000,
        eval_train_size=200,
        seed=0,
    )
    base.update(kw)
    return TrainConfig(**base)


def test_training_raises_the_elbo(tiny_config, tiny_data):
    model = build_model(tiny_config, seed=0)
    h = fit(model, tiny_data, cfg(), progress=False)
    assert h.samples == [0, 1000, 2000, 3000, 4000, 5000]
    assert h.test_elbo[-1] > h.test_elbo[0] + 2.0  # nats per datapoint
    assert h.train_elbo[-1] > h.train_elbo[0] + 2.0
    # 12 bits with 10% flip noise: the data entropy is 12 * H(0.1) = 3.9 nats
    assert h.test_elbo[-1] > -7.0


def test_training_lowers_the_loss_on_one_small_batch(tiny_config, tiny_data):
    x = tiny_data[0][:50]
    model = build_model(tiny_config, seed=0)
    torch.manual_seed(0)
    with torch.no_grad():
        before = -float(elbo(model, x, 100).mean())
    fit(model, x, cfg(batch_size=50, max_samples=2500), progress=False)
    torch.manual_seed(0)
    with torch.no_grad():
        after = -float(elbo(model, x, 100).mean())
    assert after < before - 1.0


def test_paper_setup_adagrad_and_estimator_a_train(tiny_config, tiny_data):
    model = build_model(tiny_config, seed=0)
    h = fit(
        model,
        tiny_data,
        cfg(optimizer="adagrad", lr=0.1, kl="monte_carlo", n_samples=1),
        progress=False,
    )
    assert h.test_elbo[-1] > h.test_elbo[0] + 1.0


def test_same_seed_same_history_different_seed_different(tiny_config, tiny_data):
    def run(seed):
        model = build_model(tiny_config, seed=0)
        h = fit(model, tiny_data, cfg(seed=seed, max_samples=2000), progress=False)
        return h, model

    (h1, m1), (h2, m2), (h3, _) = run(0), run(0), run(1)
    assert h1.train_elbo == h2.train_elbo and h1.test_elbo == h2.test_elbo
    assert all(
        torch.equal(a, b)
        for a, b in zip(m1.state_dict().values(), m2.state_dict().values(), strict=True)
    )
    assert h1.test_elbo != h3.test_elbo


def test_thread_count_is_set_for_training_and_restored(tiny_config, tiny_data):
    seen = []
    before = torch.get_num_threads()
    model = build_model(tiny_config, seed=0)
    fit(
        model,
        tiny_data,
        cfg(threads=1, max_samples=1000),
        progress=False,
        callback=lambda h: seen.append(torch.get_num_threads()),
    )
    assert set(seen) == {1} and torch.get_num_threads() == before


def test_checkpoint_round_trip(tiny_config, tiny_data, tmp_path):
    model = build_model(tiny_config, seed=0)
    path = tmp_path / "tiny.pt"
    h = fit(model, tiny_data, cfg(max_samples=2000), checkpoint=path, progress=False)
    loaded, meta = load_checkpoint(path)
    z = torch.randn(4, 2)
    assert torch.equal(loaded.decode_mean(z), model.eval().decode_mean(z))
    assert History.from_dict(meta["history"]).test_elbo == h.test_elbo
    assert meta["model"]["z_dim"] == 2 and meta["format"] == 2
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no temporaries


def nan_after(module: torch.nn.Module, calls: int):
    """Make ``module`` output NaN from its ``calls``-th forward call on (a forward hook)."""
    count = [0]

    def hook(mod, inputs, out):
        count[0] += 1
        return out * float("nan") if count[0] > calls else None

    return module.register_forward_hook(hook)


def test_nan_stops_with_clear_error_and_keeps_last_good(tiny_config, tiny_data, tmp_path):
    model = build_model(tiny_config, seed=0)
    path = tmp_path / "run.pt"
    handle = nan_after(model.decoder, 30)  # 2 evaluation calls, then 20 steps per 1000
    with pytest.raises(TrainingDivergedError) as e:
        fit(model, tiny_data, cfg(), checkpoint=path, progress=False)
    handle.remove()
    msg = str(e.value)
    assert "NaN or infinite between 1,000 and 2,000" in msg and "Try a smaller train.lr" in msg
    assert e.value.samples == 1000 and e.value.checkpoint == str(path)
    assert all(torch.isfinite(p).all() for p in model.parameters())  # restored in place
    loaded, meta = load_checkpoint(path)  # the last good checkpoint is usable
    assert meta["history"]["samples"][-1] == 1000
    z = torch.randn(3, 2)
    assert torch.equal(loaded.decode_mean(z), model.eval().decode_mean(z))


def test_ctrl_c_leaves_a_usable_checkpoint(tiny_config, tiny_data, tmp_path):
    model = build_model(tiny_config, seed=0)
    path = tmp_path / "run.pt"

    def interrupt(history):
        if history.samples[-1] >= 2000:
            raise KeyboardInterrupt

    h = fit(model, tiny_data, cfg(), checkpoint=path, progress=False, callback=interrupt)
    assert h.interrupted and h.samples[-1] == 2000
    loaded, _ = load_checkpoint(path)
    z = torch.randn(3, 2)
    assert torch.equal(loaded.decode_mean(z), model.decode_mean(z))


@pytest.mark.parametrize(
    "data,match",
    [
        (torch.zeros(100, 7), r"shape \(100, 7\) but the model expects \(N, 12\)"),
        (torch.full((100, 12), float("nan")), "NaN or infinite"),
        (torch.zeros(10, 12), "batch_size = 50 is larger than the 10"),
    ],
)
def test_bad_training_data(tiny_model, data, match):
    with pytest.raises(ConfigError, match=match):
        fit(tiny_model, data, cfg(), progress=False)


def test_ctrl_c_during_the_first_evaluation(tiny_config, tiny_data, tmp_path, monkeypatch):
    """An interrupt before any evaluation finished still saves, and reports 0 samples."""
    from vae_tutorial.core import train

    def interrupted_evaluate(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "evaluate", interrupted_evaluate)
    model = build_model(tiny_config, seed=0)
    h = fit(model, tiny_data, cfg(), checkpoint=tmp_path / "r.pt", progress=False)
    assert h.interrupted and h.interrupted_at == 0 and h.samples == []
    assert "interrupted" in repr(h)
    load_checkpoint(tmp_path / "r.pt")  # usable


def test_ctrl_c_reports_the_true_sample_count(tiny_config, tiny_data, tmp_path, monkeypatch):
    """Interrupted between evaluations: the count where it stopped, not the last evaluation."""
    model = build_model(tiny_config, seed=0)
    steps = []
    original = model.decoder.forward

    def counting(z):
        steps.append(1)
        if len(steps) == 30:  # mid-way between evaluations at 1000 and 2000 samples
            raise KeyboardInterrupt
        return original(z)

    monkeypatch.setattr(model.decoder, "forward", counting)
    h = fit(model, tiny_data, cfg(), checkpoint=tmp_path / "r.pt", progress=False)
    assert h.interrupted and h.interrupted_at > h.samples[-1]
    assert h.interrupted_at % 50 == 0  # whole minibatches of M = 50


def test_a_second_writer_of_the_same_checkpoint_is_refused(tiny_config, tiny_data, tmp_path):
    from vae_tutorial.atomic import OutputLockedError, output_lock

    path = tmp_path / "run.pt"
    with output_lock(path):  # what another training process holds while it runs
        with pytest.raises(OutputLockedError, match="another process is already writing"):
            fit(build_model(tiny_config, seed=0), tiny_data, cfg(), checkpoint=path)
    assert not path.exists()
    fit(build_model(tiny_config, seed=0), tiny_data, cfg(max_samples=100), checkpoint=path,
        progress=False)  # fmt: skip
    assert path.exists()  # the lock is released with its holder


def test_the_lock_is_held_across_processes(tmp_path):
    """flock is per open file: a second process is refused while the first holds it."""
    import subprocess
    import sys

    from vae_tutorial.atomic import output_lock

    path = tmp_path / "out.pt"
    code = (
        "import sys; from vae_tutorial.atomic import output_lock, OutputLockedError\n"
        "try:\n    with output_lock(sys.argv[1]): print('got it')\n"
        "except OutputLockedError as e: print('refused:', e)"
    )
    with output_lock(path):
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                             text=True).stdout  # fmt: skip
    assert out.startswith("refused: another process is already writing")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert out.stdout.startswith("got it")


def test_nan_in_the_test_data_is_bad_data_not_divergence(tiny_model, tiny_data):
    train, test = tiny_data
    test = test.clone()
    test[0, 0] = float("nan")
    with pytest.raises(ConfigError, match="the test data contain NaN"):
        fit(tiny_model, (train, test), cfg(), progress=False)


class _Killed(Exception):
    """Stands in for a kill: raised right after the k-th training state was written."""


@pytest.mark.parametrize("algorithm", ["aevb", "wake_sleep", "mcem"])
def test_a_killed_run_resumes_and_ends_as_an_uninterrupted_one(
    algorithm, tiny_config, tiny_data, tmp_path, monkeypatch
):
    import vae_tutorial.core.resume as resume

    config = cfg(optimizer="adagrad", lr=0.05, algorithm=algorithm, max_samples=3000)
    whole = build_model(tiny_config, seed=0)
    h_whole = fit(whole, tiny_data, config, progress=False)

    state = tmp_path / "run.state.pt"
    writes = []
    real_write = resume.atomic_write_bytes

    def write_then_die(path, data):  # state after step 47: 2,350 samples, mid-epoch (10 steps)
        real_write(path, data)
        writes.append(path)
        if len(writes) == 47:
            raise _Killed

    monkeypatch.setattr(resume, "atomic_write_bytes", write_then_die)
    with pytest.raises(_Killed):
        fit(build_model(tiny_config, seed=0), tiny_data, config, progress=False,
            resume=state, resume_every=0.0)  # fmt: skip
    assert state.exists()
    monkeypatch.setattr(resume, "atomic_write_bytes", real_write)
    resumed = build_model(tiny_config, seed=1)  # its own weights are replaced by the state's
    h = fit(resumed, tiny_data, config, progress=False, resume=state)
    assert not state.exists()  # finished: the state is removed
    assert h.samples == h_whole.samples and h.train_elbo == h_whole.train_elbo
    assert h.test_elbo == h_whole.test_elbo and h.objective == h_whole.objective
    for a, b in zip(resumed.state_dict().values(), whole.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_a_training_state_from_other_settings_or_broken_is_refused(
    tiny_config, tiny_data, tmp_path, monkeypatch
):
    import vae_tutorial.core.train as train
    from vae_tutorial.errors import CheckpointError

    state = tmp_path / "run.state.pt"
    monkeypatch.setattr(train.time, "perf_counter", iter(range(10**6)).__next__)  # 1 s a call
    config = cfg(max_samples=2000)
    with pytest.raises(_Killed):

        def die(h):
            if h.samples[-1] >= 1000:
                raise _Killed

        fit(build_model(tiny_config, seed=0), tiny_data, config, progress=False,
            resume=state, resume_every=0.5, callback=die)  # fmt: skip
    assert state.exists()
    with pytest.raises(CheckpointError, match="other settings.*Delete"):
        fit(build_model(tiny_config, seed=0), tiny_data, cfg(max_samples=3000), progress=False,
            resume=state)  # fmt: skip
    state.write_bytes(state.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="unreadable.*Delete"):
        fit(build_model(tiny_config, seed=0), tiny_data, config, progress=False, resume=state)
