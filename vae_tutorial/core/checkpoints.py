"""Checkpoints: one file holding the weights, the configuration, the training history and
any recorded metrics, written atomically.

A checkpoint ``NAME.pt`` is a single ``torch.save`` dict of plain data and tensors::

    {"format": 2, "state_dict": {name: tensor}, "meta": "<JSON text>"}

loaded with ``torch.load(..., weights_only=True)`` (no code runs on load). It is written to a
temporary file in the same folder, flushed, fsynced and renamed (:mod:`.atomic`): one rename
commits it, so a kill at any moment leaves the previous good checkpoint or the new one.
The JSON holds ``model`` (the model config), ``experiment``, ``history`` and ``metrics``.
"""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch

from ..atomic import atomic_write
from ..errors import CheckpointError, ConfigError
from .config import ExperimentConfig, ModelConfig
from .model import VAE, build_model

FORMAT = 2


def _state(model: VAE) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}


def checkpoint_bytes(model: VAE, meta: dict[str, Any]) -> bytes:
    """The serialised checkpoint. Deterministic: the same weights and meta give the same bytes."""
    buf = io.BytesIO()
    torch.save({"format": FORMAT, "state_dict": _state(model), "meta": json.dumps(meta)}, buf)
    return buf.getvalue()


def save_checkpoint(
    path: str | Path,
    model: VAE,
    *,
    experiment: ExperimentConfig | None = None,
    history: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """Save the weights with config, history and metrics to the one file ``path``, atomically."""
    meta = {
        "format": FORMAT,
        "model": model.config.to_dict(),
        "experiment": experiment.to_dict() if experiment else None,
        "history": history,
        "metrics": metrics or {},
    }
    blob = checkpoint_bytes(model, meta)
    return atomic_write(path, lambda f: f.write(blob))


def _read(path: Path, hint: str) -> dict[str, Any]:
    """The raw checkpoint dict, or a CheckpointError that says what is wrong with the file."""
    if path.is_dir():
        raise CheckpointError(f"{path} is a directory, not a checkpoint file. {hint}")
    if not path.exists():
        raise CheckpointError(f"checkpoint {path} not found. {hint}")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        if "Unsupported global" in str(e):
            raise CheckpointError(
                f"{path} is unsafe to load: it holds Python objects that would run code when "
                f"loaded, so it was not written by vae_tutorial. Regenerate it by training "
                f"again. {hint}"
            ) from None
        raise CheckpointError(
            f"checkpoint {path} is truncated or corrupted and cannot be read. {hint}"
        ) from e
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise CheckpointError(
            f"checkpoint {path} is truncated or corrupted and cannot be read ({first}). {hint}"
        ) from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT or "meta" not in blob:
        old = path.with_name(f"{path.stem}.meta.json").exists()
        what = "an old two-file checkpoint (before format 2)" if old else "not a checkpoint"
        raise CheckpointError(
            f"{path} is {what} of vae_tutorial format {FORMAT}. Regenerate it. {hint}"
        )
    return blob


def _meta(blob: dict[str, Any], path: Path, hint: str) -> dict[str, Any]:
    try:
        meta = json.loads(blob["meta"])
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"the configuration inside {path} is not valid JSON. {hint}") from e
    if not isinstance(meta, dict) or "model" not in meta:
        raise CheckpointError(f"the configuration inside {path} has no model config. {hint}")
    return meta


def read_meta(path: str | Path, hint: str = "") -> dict[str, Any]:
    """The JSON stored in checkpoint ``path``: model, experiment, history, metrics."""
    path = Path(path)
    return _meta(_read(path, hint), path, hint)


def _mismatch(model: VAE, state: dict[str, Any]) -> str | None:
    """Which tensor of ``state`` does not fit ``model``, with both shapes; None if all fit."""
    own = model.state_dict()
    for name, t in own.items():
        if name not in state:
            return f"tensor {name!r} {tuple(t.shape)} is missing from the file"
    for name, t in state.items():
        if name not in own:
            return f"the file has an unexpected tensor {name!r} {tuple(t.shape)}"
        if not isinstance(t, torch.Tensor) or tuple(t.shape) != tuple(own[name].shape):
            shape = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
            return (
                f"tensor {name!r} is {shape} in the file but {tuple(own[name].shape)} in the model"
            )
    return None


def load_checkpoint(
    path: str | Path, hint: str = "", map_location: str | torch.device = "cpu"
) -> tuple[VAE, dict[str, Any]]:
    """Rebuild the model saved at ``path``; returns (model in eval mode, metadata dict).

    Every failure (missing file, a folder, truncated or corrupted bytes, an unsafe pickle, a
    config that does not match the weights, NaN weights) raises :class:`CheckpointError` that
    names the file and ends with ``hint``, which says how to restore or regenerate it.
    """
    path = Path(path)
    blob = _read(path, hint)
    meta = _meta(blob, path, hint)
    try:
        model_config = ModelConfig.from_dict(meta["model"])
    except ConfigError as e:
        raise CheckpointError(f"{path} holds an invalid model config: {e} {hint}") from e
    state = blob.get("state_dict")
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint {path} holds no weights. {hint}")
    model = build_model(model_config)
    problem = _mismatch(model, state)
    if problem:
        raise CheckpointError(
            f"the weights in {path} do not fit the model its config describes: {problem}. {hint}"
        )
    model.load_state_dict(state)
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise CheckpointError(f"checkpoint {path} contains NaN or infinite weights. {hint}")
    return model.to(map_location).eval(), meta
