"""The shipped models: present, verified, and as good as data/README.md says."""

import math
import shutil
from pathlib import Path

import pytest
import torch

from vae_tutorial import datasets
from vae_tutorial.core import pretrained
from vae_tutorial.core.estimators import evaluate
from vae_tutorial.datasets.files import FILES, file_digest
from vae_tutorial.errors import CheckpointError
from vae_tutorial.settings import DATA_VAR, data_dir

README = (Path(__file__).resolve().parents[2] / "data" / "README.md").read_text()

# Test-set ELBO floors (nats per datapoint, full test split). mnist-z20's is the issue's
# requirement; the paper's Fig. 2 reaches about -99.4 for Nz = 20 after 2.5e8 samples.
# Notebook 07's models are floored a little under what they reached (data/README.md);
# mnist-grey-hetero has none: its collapsed variances are the point of it. The color
# models' floors are in nats per image over 3072 (joint) or 1024 (one channel) dimensions.
# frey-z2's is on the 200 frames held out in blocks of consecutive frames (datasets.splits);
# on frames held out at random, which have near-copies among the training frames, it was 900.
THRESHOLDS = {
    "mnist-z20": -100.0,
    "mnist-z2": -152.0,
    "frey-z2": 650.0,
    "mnist-grey-bernoulli": -159.0,
    "mnist-grey-shared": 100.0,
    "mnist-grey-hetero": -math.inf,
    "mnist-grey-floor": 860.0,
    "mnist-grey-poisson": -16300.0,
    "mnist-grey-exponential": -184.0,
    "cifar-conv": -13800.0,
    "cifar-mlp": -14700.0,
    "cifar-red": -4920.0,
    "cifar-green": -4900.0,
    "cifar-blue": -4860.0,
}


def test_every_config_is_shipped_and_every_shipped_model_has_a_config():
    assert sorted(pretrained.shipped()) == sorted(pretrained.names()) == sorted(THRESHOLDS)


@pytest.mark.parametrize("name", pretrained.shipped())
def test_shipped_checkpoints_match_the_manifest_and_readme(name):
    digest = file_digest(pretrained.path(name))
    assert digest == FILES[f"pretrained/{name}.pt"].sha256
    assert digest in README, "data/README.md must list the shipped checksum"
    assert sorted(pretrained.path(name).parent.glob(f"{name}.*")) == [pretrained.path(name)]


@pytest.mark.slow
@pytest.mark.parametrize("name", pretrained.shipped())
def test_shipped_model_meets_its_threshold_and_its_recorded_figure(name):
    """Also checks that converting the checkpoints to one file changed no figure."""
    model = pretrained.load_pretrained(name)
    ds = datasets.load(pretrained.experiment(name).data)
    torch.manual_seed(0)
    test_elbo = evaluate(model, ds.test)["elbo"]
    assert test_elbo >= THRESHOLDS[name]
    recorded = pretrained.info(name)["metrics"]["test_elbo"]
    assert abs(test_elbo - recorded) < 0.5 + 1e-6 * abs(recorded)  # reproducible figure


@pytest.mark.slow
def test_importance_sampled_log_px_beats_the_elbo():
    model = pretrained.load_pretrained("mnist-z20")
    x = datasets.load("mnist-binarized").test[torch.linspace(0, 9999, 200).long()]
    torch.manual_seed(0)
    r = evaluate(model, x, k=500)
    assert r["log_px"] > r["elbo"] + 1.0  # a strictly tighter bound on these digits


def test_latent_sizes_and_likelihoods():
    assert pretrained.load_pretrained("mnist-z2").z_dim == 2
    assert pretrained.load_pretrained("mnist-z20").z_dim == 20
    frey = pretrained.load_pretrained("frey-z2")
    assert frey.config.likelihood == "gaussian" and frey.x_dim == 560


def test_unknown_name():
    with pytest.raises(CheckpointError, match="unknown pretrained model 'mnist-z3'"):
        pretrained.load_pretrained("mnist-z3")


@pytest.fixture
def private_copy(tmp_path, monkeypatch):
    (tmp_path / "pretrained").mkdir()
    shutil.copy(data_dir() / "frey_faces.npz", tmp_path / "frey_faces.npz")
    for name in pretrained.shipped():
        shutil.copy(pretrained.path(name), tmp_path / "pretrained")
    monkeypatch.setenv(DATA_VAR, str(tmp_path))
    monkeypatch.setenv("VAE_TUTORIAL_CACHE", str(tmp_path / "cache"))
    return tmp_path / "pretrained"


def test_corrupted_shipped_checkpoint_says_how_to_restore(private_copy):
    p = private_copy / "mnist-z2.pt"
    p.write_bytes(p.read_bytes()[:-100])
    with pytest.raises(CheckpointError) as e:
        pretrained.load_pretrained("mnist-z2")
    msg = str(e.value)
    assert "mnist-z2.pt has 3161833 bytes" in msg and "truncated or corrupted" in msg
    assert "git checkout -- data/pretrained/mnist-z2.pt" in msg
    assert "python -m vae_tutorial pretrain mnist-z2" in msg
    with pytest.raises(CheckpointError):  # load_or_train never overwrites a broken file
        pretrained.load_or_train("mnist-z2")
    assert p.stat().st_size > 0


def test_a_directory_in_place_of_a_shipped_model(private_copy):
    p = private_copy / "mnist-z2.pt"
    p.unlink()
    p.mkdir()
    with pytest.raises(CheckpointError, match="is a directory where the data file"):
        pretrained.load_pretrained("mnist-z2")


def test_load_or_train_trains_when_absent(private_copy, monkeypatch):
    (private_copy / "frey-z2.pt").unlink()
    exp = pretrained.experiment("frey-z2")
    short = exp.__class__.from_dict(
        {
            **exp.to_dict(),
            "train": {**exp.to_dict()["train"], "max_samples": 2000, "eval_every": 1000},
        }
    )
    monkeypatch.setattr(pretrained, "experiment", lambda name: short)
    model = pretrained.load_or_train("frey-z2", progress=False)
    assert not (private_copy / "frey-z2.pt").exists()  # never written into the data folder
    assert pretrained.trained_path("frey-z2").exists() and model.z_dim == 2
    again = pretrained.load_or_train("frey-z2")  # and loads it next time, without training
    z = torch.zeros(1, 2)
    assert torch.equal(again.decode_mean(z), model.decode_mean(z))
