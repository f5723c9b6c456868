"""The whole state of a training run in one file, so that a killed run continues where it
stopped and ends exactly as an uninterrupted one (``fit(..., resume=PATH)``).

The file holds the weights, the optimizer's state, the random generators (the minibatch order,
the baselines' own draws and torch's global generator), the position in the current epoch, the
history and the objective trace since the last evaluation, and the baseline's per-datapoint
state (MCEM). It is written atomically at a minibatch boundary and read with
``weights_only=True`` (plain tensors and containers only). A file written for other settings
is refused.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from ..atomic import atomic_write_bytes
from ..errors import CheckpointError
from .config import TrainConfig

FORMAT = 1


def write_state(path: Path, config: TrainConfig, model, optimizer, generators, **rest) -> None:
    """Write the run's state to ``path`` atomically; ``generators``: (order, own draws)."""
    order, gen = generators
    blob = {
        "format": FORMAT,
        "config": config.to_dict(),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "order": order.get_state(),
        "gen": gen.get_state(),
        "torch_rng": torch.get_rng_state(),
        **rest,
    }
    buf = io.BytesIO()
    torch.save(blob, buf)
    atomic_write_bytes(path, buf.getvalue())


def read_state(path: Path, config: TrainConfig, model, optimizer, generators) -> dict[str, Any]:
    """Load the state in ``path`` into ``model``, ``optimizer`` and the generators (and torch's
    global one); return the rest. CheckpointError, naming the file and what to do, for a file
    that is unreadable, of another version, or of a run with other settings."""
    how = f"Delete {path} to start the run afresh."
    try:
        s = torch.load(io.BytesIO(Path(path).read_bytes()), map_location="cpu", weights_only=True)
    except Exception as e:  # truncated, not a torch file, unsafe content
        msg = f"training state {path} is unreadable ({type(e).__name__}). {how}"
        raise CheckpointError(msg) from e
    if not isinstance(s, dict) or s.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a training state of this version. {how}")
    if s.get("config") != config.to_dict():
        raise CheckpointError(f"{path} holds the state of a run with other settings. {how}")
    model.load_state_dict(s["model"])
    optimizer.load_state_dict(s["optimizer"])
    order, gen = generators
    order.set_state(s["order"])
    gen.set_state(s["gen"])
    torch.set_rng_state(s["torch_rng"])
    return s
