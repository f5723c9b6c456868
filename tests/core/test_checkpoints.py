"""One-file checkpoints: round trip, every way a file can be bad, and no loss under SIGKILL."""

import io
import json
import os
import pickle
import signal
import time

import pytest
import torch

from vae_tutorial.core.checkpoints import FORMAT, load_checkpoint, read_meta, save_checkpoint
from vae_tutorial.core.model import build_model
from vae_tutorial.errors import CheckpointError


@pytest.fixture
def saved(tiny_model, tmp_path):
    path = tmp_path / "m.pt"
    save_checkpoint(path, tiny_model, history={"samples": [0, 100]}, metrics={"test_elbo": -5.0})
    return path


def _rewrite(path, **changes):
    """Load a checkpoint's raw dict, change entries (``meta`` as a dict), save it back."""
    blob = torch.load(path, weights_only=True)
    if "meta" in changes:
        blob["meta"] = json.dumps(changes.pop("meta"))
    blob.update(changes)
    torch.save(blob, path)


def test_one_file_round_trip_and_deterministic_bytes(tiny_model, tiny_config, saved, tmp_path):
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]  # one file, nothing beside it
    loaded, meta = load_checkpoint(saved, hint="HINT")
    for a, b in zip(loaded.state_dict().values(), tiny_model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert meta["history"] == {"samples": [0, 100]} and meta["metrics"] == {"test_elbo": -5.0}
    assert read_meta(saved)["model"] == tiny_config.to_dict()
    mask = os.umask(0)
    os.umask(mask)
    assert saved.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's private 0600
    again = tmp_path / "again.pt"
    save_checkpoint(
        again, build_model(tiny_config, seed=0), history={"samples": [0, 100]},
        metrics={"test_elbo": -5.0},
    )  # fmt: skip
    assert again.read_bytes() == saved.read_bytes()  # same weights and meta, same bytes


def test_missing_checkpoint_and_a_directory(tmp_path):
    with pytest.raises(CheckpointError, match="absent.pt not found. HINT"):
        load_checkpoint(tmp_path / "absent.pt", hint="HINT")
    (tmp_path / "d.pt").mkdir()
    with pytest.raises(CheckpointError, match="d.pt is a directory, not a checkpoint file"):
        load_checkpoint(tmp_path / "d.pt")


@pytest.mark.parametrize("keep", [0, 10, 500, -100])
def test_truncated_checkpoint(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[:keep] if keep >= 0 else data[:keep])
    with pytest.raises(CheckpointError, match="truncated or corrupted.*HINT"):
        load_checkpoint(saved, hint="HINT")


def test_garbage_bytes(saved):
    saved.write_bytes(b"garbage" * 100)
    with pytest.raises(CheckpointError, match="truncated or corrupted and cannot be read"):
        load_checkpoint(saved)


def test_a_tensor_that_does_not_fit_is_named_with_both_shapes(saved):
    meta = read_meta(saved)
    meta["model"]["z_dim"] = 3
    _rewrite(saved, meta=meta)
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(saved)
    msg = str(e.value)
    assert "tensor 'encoder.2.weight' is (4, 16) in the file but (6, 16) in the model" in msg


def test_missing_and_unexpected_tensors_are_named(saved, tiny_model):
    state = dict(tiny_model.state_dict())
    state["extra.weight"] = torch.zeros(2)
    _rewrite(saved, state_dict=state)
    with pytest.raises(CheckpointError, match="unexpected tensor 'extra.weight' \\(2,\\)"):
        load_checkpoint(saved)
    del state["extra.weight"], state["decoder.0.bias"]
    _rewrite(saved, state_dict=state)
    with pytest.raises(CheckpointError, match="tensor 'decoder.0.bias' \\(16,\\) is missing"):
        load_checkpoint(saved)


def test_invalid_config_inside(saved):
    meta = read_meta(saved)
    meta["model"]["activation"] = "magic"
    _rewrite(saved, meta=meta)
    with pytest.raises(CheckpointError, match="invalid model config: model.activation"):
        load_checkpoint(saved)


def test_oversized_config_is_refused_before_allocating(saved):
    meta = read_meta(saved)
    meta["model"]["hidden"] = [3_000_000]
    _rewrite(saved, meta=meta)
    with pytest.raises(CheckpointError, match="model.hidden .* each from 1 to 100,000"):
        load_checkpoint(saved)


def test_nan_weights_are_refused(tiny_model, tmp_path):
    with torch.no_grad():
        tiny_model.decoder[0].weight[0, 0] = float("nan")
    path = save_checkpoint(tmp_path / "nan.pt", tiny_model)
    with pytest.raises(CheckpointError, match="NaN or infinite weights"):
        load_checkpoint(path)


def test_pickled_code_is_refused_as_unsafe(saved, tiny_model):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    buf = io.BytesIO()
    blob = {"format": FORMAT, "state_dict": tiny_model.state_dict(), "meta": "{}", "x": Evil()}
    torch.save(blob, buf, pickle_module=pickle)
    saved.write_bytes(buf.getvalue())
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(saved, hint="HINT")
    msg = str(e.value)
    assert "unsafe to load" in msg and "Regenerate it" in msg and "weights_only=False" not in msg


def test_old_two_file_format_is_named(saved, tiny_model):
    torch.save({"format": 1, "state_dict": tiny_model.state_dict()}, saved)
    saved.with_name("m.meta.json").write_text("{}")
    with pytest.raises(CheckpointError, match="old two-file checkpoint"):
        load_checkpoint(saved)


def test_stale_temporary_files_are_removed_by_the_next_save(saved, tiny_model):
    stale = saved.parent / ".m.pt.abc123.tmp"
    stale.write_bytes(b"half a checkpoint")
    save_checkpoint(saved, tiny_model)
    assert not stale.exists() and load_checkpoint(saved)[0] is not None


def _save_forever(path: str, ready) -> None:
    """Child process: save a 1.6 MB checkpoint again and again, each with a new bias value."""
    from vae_tutorial.core.config import ModelConfig

    torch.set_num_threads(1)
    model = build_model(ModelConfig(x_dim=784, z_dim=20, hidden=(500,)), seed=0)
    ready.set()
    i = 0
    while True:
        with torch.no_grad():
            model.decoder[0].bias.fill_(float(i))
        save_checkpoint(path, model, history={"i": i})
        i += 1


def test_sigkill_during_saving_never_leaves_an_unloadable_checkpoint(tmp_path):
    """SIGKILL a process that saves a checkpoint in a loop, at 40 random moments; the file
    must load every time (the previous good checkpoint or the new one, never a mixture)."""
    import multiprocessing
    import random

    ctx = multiprocessing.get_context("fork")  # torch is already imported: starts in ms
    path = tmp_path / "k.pt"
    rng = random.Random(0)
    loads = cut = 0
    for _ in range(40):
        ready = ctx.Event()
        p = ctx.Process(target=_save_forever, args=(str(path), ready))
        p.start()
        assert ready.wait(30)
        time.sleep(rng.uniform(0.0, 0.12))
        os.kill(p.pid, signal.SIGKILL)
        p.join()
        cut += bool(list(tmp_path.glob(".k.pt.*.tmp")))  # killed in the middle of a write
        if path.exists():  # the first kill may come before the first save completes
            model, meta = load_checkpoint(path)
            assert model.decoder[0].bias[0].item() == meta["history"]["i"]
            loads += 1
    assert loads >= 36
    assert cut >= 5, f"only {cut} of 40 kills landed mid-write: the test did not test much"
    assert len(list(tmp_path.glob(".k.pt.*.tmp"))) <= 1  # at most the one the last kill cut
    save_checkpoint(path, load_checkpoint(path)[0])
    assert not list(tmp_path.glob(".k.pt.*.tmp"))  # and the next save removes it
