"""The shipped pretrained models: load them, or regenerate them exactly.

Each model NAME has a JSON experiment config in ``vae_tutorial/configs/NAME.json`` and
ships as the one-file checkpoint ``data/pretrained/NAME.pt``. ``python -m vae_tutorial
pretrain NAME --out DIR`` retrains it from that config and seed into DIR (never over the
shipped file) and says whether the result matches the shipped weights bit for bit or only
to a tolerance (another CPU kernel path rounds differently).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import torch

from ..errors import CheckpointError, DataError
from ..settings import data_dir
from .checkpoints import load_checkpoint, read_meta
from .config import ExperimentConfig
from .model import VAE


def shipped() -> list[str]:
    """The models shipped in ``data/pretrained`` (recorded, with their sha256, in the manifest
    of shipped files, :mod:`vae_tutorial.datasets.files`)."""
    from ..datasets.files import FILES

    return [rel[len("pretrained/") : -3] for rel in FILES if rel.startswith("pretrained/")]


def names() -> list[str]:
    """Every model with a config in ``vae_tutorial/configs`` (shipped ones first)."""
    configs = resources.files("vae_tutorial").joinpath("configs")
    found = sorted(p.name[:-5] for p in configs.iterdir() if p.name.endswith(".json"))
    ship = shipped()
    return [*ship, *(n for n in found if n not in ship)]


def experiment(name: str) -> ExperimentConfig:
    """The experiment config (``vae_tutorial/configs/NAME.json``) of pretrained model ``name``."""
    config = resources.files("vae_tutorial").joinpath("configs", f"{name}.json")
    if "/" in name or not config.is_file():
        raise CheckpointError(f"unknown pretrained model {name!r}; available: {', '.join(names())}")
    return ExperimentConfig.from_json(config.read_text())


def path(name: str) -> Path:
    return data_dir() / "pretrained" / f"{name}.pt"


def restore_hint(name: str) -> str:
    return (
        f"Restore the shipped file with `git checkout -- data/pretrained/{name}.pt`, or "
        f"regenerate it with `python -m vae_tutorial pretrain {name}` (it trains into "
        f"runs/pretrained/ and says whether the result matches the shipped model)."
    )


def load_pretrained(name: str) -> VAE:
    """The shipped model ``name`` (one of ``shipped()``), checked against its recorded sha256,
    on the CPU, in eval mode."""
    from ..datasets.files import verified_path

    experiment(name)  # validates the name
    if name in shipped():
        try:
            verified_path(f"pretrained/{name}.pt")
        except DataError as e:
            first = str(e).split(". Restore it")[0]
            raise CheckpointError(f"{first}. {restore_hint(name)}") from None
    model, _ = load_checkpoint(path(name), hint=restore_hint(name))
    return model


def info(name: str) -> dict:
    """The JSON stored in shipped model ``name``: config, history, metrics."""
    return read_meta(path(name), restore_hint(name))


def trained_path(name: str) -> Path:
    """Where :func:`load_or_train` keeps a model it trained itself (never ``data/``):
    ``$VAE_TUTORIAL_CACHE/pretrained/NAME.pt`` or ``~/.cache/vae_tutorial/pretrained/``."""
    from ..datasets.files import cache_dir

    return cache_dir("pretrained") / f"{name}.pt"


def load_or_train(name: str, *, progress: bool = True) -> VAE:
    """Load shipped model ``name``; if its file is absent (e.g. an installed package without
    the data folder), load the copy trained earlier in the cache, or train it from its config
    into the cache. A shipped file that is present but corrupted raises
    :class:`CheckpointError` rather than being silently replaced."""
    exp = experiment(name)
    if path(name).exists():
        return load_pretrained(name)
    cached = trained_path(name)
    if cached.exists():
        return load_checkpoint(cached, hint=f"Delete {cached} to train it again.")[0]
    from .train import train_experiment

    model, _ = train_experiment(exp, checkpoint=cached, progress=progress)
    return model


def compare_weights(a: VAE, b: VAE) -> dict[str, object]:
    """How closely two models' weights agree: {"bitwise": bool, "max_abs_diff": float}.
    Retraining on another CPU kernel path (AVX-512 vs AVX2 vs SSE) rounds differently, so a
    regenerated model can match the shipped one to a tolerance rather than bit for bit."""
    sa, sb = a.state_dict(), b.state_dict()
    if sa.keys() != sb.keys() or any(sa[k].shape != sb[k].shape for k in sa):
        return {"bitwise": False, "max_abs_diff": float("inf")}
    diff = max((float((sa[k] - sb[k]).abs().max()) for k in sa if sa[k].numel()), default=0.0)
    bitwise = all(torch.equal(sa[k], sb[k]) for k in sa)
    return {"bitwise": bitwise, "max_abs_diff": diff}
