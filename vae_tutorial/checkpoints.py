"""Checkpoints: weights in ``NAME.pt`` (loaded with ``weights_only=True``) and, beside them,
``NAME.meta.json`` with the configuration, the training history and any recorded metrics.

Both files are written atomically (temporary file, then rename), so an interrupted write
never leaves a half-written checkpoint behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from .config import ExperimentConfig, ModelConfig
from .errors import CheckpointError, ConfigError
from .models import VAE, build_model

FORMAT = 1


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; use the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sidecar(path: str | Path) -> Path:
    """The JSON file stored beside a checkpoint: ``x/NAME.pt`` -> ``x/NAME.meta.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.meta.json")


def weights_bytes(model: VAE) -> bytes:
    """The serialised weights. Deterministic: identical weights give identical bytes."""
    buf = io.BytesIO()
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    torch.save({"format": FORMAT, "state_dict": state}, buf)
    return buf.getvalue()


def save_checkpoint(
    path: str | Path,
    model: VAE,
    *,
    experiment: ExperimentConfig | None = None,
    history: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """Save weights to ``path`` and config/history/metrics to the JSON beside it."""
    path = Path(path)
    blob = weights_bytes(model)
    meta = {
        "format": FORMAT,
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        "model": model.config.to_dict(),
        "experiment": experiment.to_dict() if experiment else None,
        "history": history,
        "metrics": metrics or {},
    }
    atomic_write_bytes(path, blob)
    atomic_write_bytes(sidecar(path), (json.dumps(meta, indent=1) + "\n").encode())
    return path


def read_meta(path: str | Path, hint: str = "") -> dict[str, Any]:
    """The JSON stored beside checkpoint ``path``. Raises CheckpointError if unreadable."""
    meta_path = sidecar(path)
    try:
        meta = json.loads(meta_path.read_text())
    except FileNotFoundError:
        raise CheckpointError(
            f"the configuration file {meta_path} beside checkpoint {path} is missing; "
            f"without it the model cannot be rebuilt. {hint}"
        ) from None
    except (OSError, ValueError) as e:
        raise CheckpointError(f"cannot read {meta_path}: {e}. {hint}") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "model" not in meta:
        raise CheckpointError(
            f"{meta_path} is not a vae_tutorial checkpoint config (format {FORMAT}). {hint}"
        )
    return meta


def load_checkpoint(
    path: str | Path, hint: str = "", map_location: str | torch.device = "cpu"
) -> tuple[VAE, dict[str, Any]]:
    """Rebuild the model saved at ``path``; returns (model in eval mode, metadata dict).

    Every failure (missing file, truncated or corrupted weights, a config that does not
    match the weights, NaN weights) raises :class:`CheckpointError` that names the file and
    ends with ``hint``, which says how to restore or regenerate it.
    """
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint {path} not found. {hint}")
    meta = read_meta(path, hint)
    try:
        model_config = ModelConfig.from_dict(meta["model"])
    except ConfigError as e:
        raise CheckpointError(f"{sidecar(path)} holds an invalid model config: {e}") from e
    expected = meta.get("weights_sha256")
    if expected is not None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != expected:
            raise CheckpointError(
                f"checkpoint {path} failed its checksum (sha256 {digest}, expected {expected} "
                f"as recorded in {sidecar(path).name}): it is truncated, corrupted, or was "
                f"not written together with its config. {hint}"
            )
    try:
        blob = torch.load(path, map_location=map_location, weights_only=True)
        state = blob["state_dict"]
    except Exception as e:
        raise CheckpointError(
            f"checkpoint {path} is corrupted or truncated and cannot be loaded "
            f"({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}). {hint}"
        ) from e
    model = build_model(model_config)
    try:
        model.load_state_dict(state)
    except RuntimeError as e:
        raise CheckpointError(
            f"the weights in {path} do not fit the model described in {sidecar(path)}: "
            f"{str(e).splitlines()[0]}. {hint}"
        ) from e
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise CheckpointError(f"checkpoint {path} contains NaN or infinite weights. {hint}")
    return model.eval(), meta
