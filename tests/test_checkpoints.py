import json
import os

import pytest
import torch

from vae_tutorial.checkpoints import load_checkpoint, save_checkpoint, sidecar
from vae_tutorial.errors import CheckpointError
from vae_tutorial.models import build_model


@pytest.fixture
def saved(tiny_model, tmp_path):
    path = tmp_path / "m.pt"
    save_checkpoint(path, tiny_model)
    return path


def test_round_trip_and_deterministic_bytes(tiny_model, tiny_config, saved, tmp_path):
    loaded, meta = load_checkpoint(saved, hint="HINT")
    for a, b in zip(loaded.state_dict().values(), tiny_model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    mask = os.umask(0)
    os.umask(mask)
    assert saved.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's private 0600
    again = tmp_path / "again.pt"
    save_checkpoint(again, build_model(tiny_config, seed=0))
    assert again.read_bytes() == saved.read_bytes()  # same weights, same bytes


def test_missing_checkpoint(tmp_path):
    with pytest.raises(CheckpointError, match="absent.pt not found. HINT"):
        load_checkpoint(tmp_path / "absent.pt", hint="HINT")


def test_missing_config(saved):
    sidecar(saved).unlink()
    with pytest.raises(CheckpointError, match="m.meta.json beside checkpoint .* is missing.*HINT"):
        load_checkpoint(saved, hint="HINT")


def test_truncated_checkpoint(saved):
    saved.write_bytes(saved.read_bytes()[:500])
    with pytest.raises(CheckpointError, match="failed its checksum.*truncated.*HINT"):
        load_checkpoint(saved, hint="HINT")


def test_corrupted_checkpoint_without_recorded_checksum(saved):
    meta = json.loads(sidecar(saved).read_text())
    del meta["weights_sha256"]
    sidecar(saved).write_text(json.dumps(meta))
    saved.write_bytes(b"garbage" * 100)
    with pytest.raises(CheckpointError, match="corrupted or truncated and cannot be loaded"):
        load_checkpoint(saved, hint="HINT")


def test_config_that_does_not_fit_the_weights(saved):
    meta = json.loads(sidecar(saved).read_text())
    meta["model"]["z_dim"] = 3
    sidecar(saved).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="do not fit the model described in"):
        load_checkpoint(saved)


def test_invalid_config_in_sidecar(saved):
    meta = json.loads(sidecar(saved).read_text())
    meta["model"]["activation"] = "magic"
    sidecar(saved).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="invalid model config: model.activation"):
        load_checkpoint(saved)


def test_nan_weights_are_refused(tiny_model, tmp_path):
    with torch.no_grad():
        tiny_model.decoder[0].weight[0, 0] = float("nan")
    path = save_checkpoint(tmp_path / "nan.pt", tiny_model)
    with pytest.raises(CheckpointError, match="NaN or infinite weights"):
        load_checkpoint(path)


def test_weights_only_load_refuses_pickled_code(saved, tiny_model):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    meta = json.loads(sidecar(saved).read_text())
    del meta["weights_sha256"]
    sidecar(saved).write_text(json.dumps(meta))
    torch.save(
        {"format": 1, "state_dict": tiny_model.state_dict(), "x": Evil()},
        saved,
        pickle_module=pickle,
    )
    with pytest.raises(CheckpointError, match="cannot be loaded"):
        load_checkpoint(saved)
