"""The shipped pretrained models: load them, or regenerate them exactly.

Each model NAME has a JSON experiment config in ``vae_tutorial/configs/NAME.json`` and
ships as ``data/pretrained/NAME.pt`` + ``NAME.meta.json``. ``python -m vae_tutorial pretrain
NAME`` retrains it from that config and seed; on this machine kind it reproduces the
shipped weights bit for bit (compare ``SHIPPED_SHA256``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .checkpoints import load_checkpoint, sidecar
from .config import ExperimentConfig
from .data import data_dir
from .errors import CheckpointError
from .models import VAE

#: sha256 of the shipped weight files (checked by the test suite and by ``verify``)
SHIPPED_SHA256: dict[str, str] = {
    "mnist-z2": "4caed24371e59083f92060b50d6f1637b47ba938c3ef8063f3e01c2809b465d1",
    "mnist-z20": "a339feb5aa50ec060fe714a8a7f9d3dc7b04ce5b48ba7342d0617c4fb83f2cc8",
    "frey-z2": "160cbd4382ae0e69dee05a392a72f5275a0f138bed9d09762ac257f13fb3bfec",
    "mnist-grey-bernoulli": "3b69c8c70c3f5e1220c50e667117d50e816d2ddc07c463f85a0f930b3a015441",
    "mnist-grey-shared": "7e8ebddbdc47525354f88a4d28fdbfec05c6dd378bad3e8a0532adb42bac5ae3",
    "mnist-grey-hetero": "df0d5cd62b912aa24bb9e99e49cc214a0ccf5778339cf011df65c3f27778c95e",
    "mnist-grey-floor": "42ba7f4e6d5adffd5a971a14fde4f8d99df943b2e284f4483d48b153ae470c37",
    "mnist-grey-poisson": "f797d4f57c21d1f62978c0c084ccf4a5ec64b164c04df7f70cba7f20a72feb7c",
    "mnist-grey-exponential": "c359d8fb8c06e22ca7af56ebadddab10863289f7f89268d7bcb5cc397339af43",
    "cifar-conv": "ebdc8cd2af7aa5bee48f25260af4c2575950d580992cf7b10196e39ae8912da7",
    "cifar-mlp": "9f2409dce996758d908d33e6ea79fcbfab8a41f7f5ef9ad21f78886951ee530c",
    "cifar-red": "35b9db33203a4632043a09c679dd15132bc1ba789cbd8b5b42ab2aeac8ec1bee",
    "cifar-green": "2867db02202d815892edc1cf432f9bcfab0c1818a998d45ee293a8dcfd54d54b",
    "cifar-blue": "5dec417439540c1aa3ffd1f5e790e08c0f0fb870e9de1957de1131229fb3283f",
}


def names() -> list[str]:
    """Every model with a config in ``vae_tutorial/configs`` (shipped ones first)."""
    configs = resources.files("vae_tutorial").joinpath("configs")
    found = sorted(p.name[:-5] for p in configs.iterdir() if p.name.endswith(".json"))
    return [*SHIPPED_SHA256, *(n for n in found if n not in SHIPPED_SHA256)]


def experiment(name: str) -> ExperimentConfig:
    """The experiment config (``vae_tutorial/configs/NAME.json``) of pretrained model ``name``."""
    config = resources.files("vae_tutorial").joinpath("configs", f"{name}.json")
    if "/" in name or not config.is_file():
        raise CheckpointError(f"unknown pretrained model {name!r}; available: {', '.join(names())}")
    return ExperimentConfig.from_json(config.read_text())


def path(name: str) -> Path:
    return data_dir() / "pretrained" / f"{name}.pt"


def restore_hint(name: str) -> str:
    p = f"data/pretrained/{name}"
    return (
        f"Restore the shipped files with `git checkout -- {p}.pt {p}.meta.json`, or "
        f"regenerate them with `python -m vae_tutorial pretrain {name}`."
    )


def load_pretrained(name: str) -> VAE:
    """The shipped model ``name`` (one of ``names()``), on the CPU, in eval mode."""
    experiment(name)  # validates the name
    model, _ = load_checkpoint(path(name), hint=restore_hint(name))
    return model


def info(name: str) -> dict:
    """The JSON stored beside shipped model ``name``: config, history, metrics."""
    from .checkpoints import read_meta

    return read_meta(path(name), restore_hint(name))


def load_or_train(name: str, *, progress: bool = True) -> VAE:
    """Load shipped model ``name``; if its files are absent, train it from its config
    (writing them to ``data/pretrained/``) and return it. A file that is present but
    corrupted raises :class:`CheckpointError` rather than being silently overwritten."""
    exp = experiment(name)
    p = path(name)
    if p.exists() or sidecar(p).exists():
        return load_pretrained(name)
    from .train import train_experiment

    model, _ = train_experiment(exp, checkpoint=p, progress=progress)
    return model
