import json
import subprocess
import sys
from pathlib import Path

import pytest

from vae_tutorial.cli import main
from vae_tutorial.core.config import ExperimentConfig, ModelConfig, TrainConfig


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def tiny_experiment(tmp_path: Path) -> Path:
    exp = ExperimentConfig(
        name="tiny-frey",
        data="frey-faces",
        model=ModelConfig(x_dim=560, z_dim=2, hidden=(16,), likelihood="gaussian", logvar_min=-6.0),
        train=TrainConfig(max_samples=1000, eval_every=500, batch_size=100, seed=0),
    )
    path = tmp_path / "tiny.json"
    path.write_text(exp.to_json())
    return path


def test_train_then_evaluate_a_checkpoint(capsys, tmp_path):
    cfg = tiny_experiment(tmp_path)
    out_pt = tmp_path / "out" / "tiny.pt"
    code, out, err = run_cli(capsys, "train", str(cfg), "--out", str(out_pt), "--quiet")
    assert code == 0, err
    result = json.loads(out)
    assert result["samples"] == 1000 and out_pt.exists()
    code, out, err = run_cli(capsys, "evaluate", str(out_pt), "--k", "20", "--n", "50")
    assert code == 0, err
    r = json.loads(out)
    assert r["data"] == "frey-faces" and r["n_test"] == 50 and r["k"] == 20
    assert r["test_log_px"] > r["test_elbo"]


def test_evaluate_pretrained_prints_one_json_object(capsys):
    code, out, err = run_cli(capsys, "evaluate", "mnist-z2", "--k", "10", "--n", "100")
    assert code == 0, err
    r = json.loads(out)
    assert {"test_elbo", "test_log_px", "k", "n_test"} <= set(r)
    assert r["test_log_px"] >= r["test_elbo"] - 1.0


@pytest.mark.parametrize(
    "argv,match",
    [
        (["train", "absent.json"], "cannot read config file"),
        (["evaluate", "no-such-model.pt"], "no-such-model.pt not found"),
        (["pretrain", "mnist-z999"], "unknown pretrained model 'mnist-z999'"),
        (["pretrain"], "name a model to pretrain"),
        (["evaluate", "mnist-z2", "--k", "-1"], "--k must be >= 0"),
    ],
)
def test_errors_exit_2_with_a_message(capsys, argv, match):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and match in err and err.startswith("error: ")
    assert "Traceback" not in err


def test_bad_config_value_is_named(capsys, tmp_path):
    cfg = tiny_experiment(tmp_path)
    d = json.loads(cfg.read_text())
    d["train"]["lr"] = 0
    cfg.write_text(json.dumps(d))
    code, _, err = run_cli(capsys, "train", str(cfg))
    assert code == 2 and "train.lr = 0 is invalid" in err


def test_module_entry_point_runs():
    r = subprocess.run(
        [sys.executable, "-m", "vae_tutorial", "--help"], capture_output=True, text=True, check=True
    )
    assert "evaluate" in r.stdout and "pretrain" in r.stdout
