import json
import subprocess
import sys
from pathlib import Path

import pytest

from vae_tutorial.cli import main
from vae_tutorial.core.config import ExperimentConfig, ModelConfig, TrainConfig

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "pretrained"


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
    assert r["data"] == "frey-faces" and r["n_test"] == 50
    assert r["log_px_estimator"] == "importance sampling, K = 20, proposal q(z|x)"
    assert 1 <= r["is_median_ess"] <= 20 and r["roofline_fraction"] > 0
    assert r["test_log_px"] > r["test_elbo"]


def test_evaluate_pretrained_prints_one_json_object(capsys):
    code, out, err = run_cli(capsys, "evaluate", "mnist-z2", "--k", "10", "--n", "100")
    assert code == 0, err
    r = json.loads(out)
    assert {"test_elbo", "test_log_px", "log_px_estimator", "n_test"} <= set(r)
    assert r["test_log_px"] >= r["test_elbo"] - 1.0


@pytest.mark.parametrize(
    "argv,match",
    [
        (["train", "absent.json"], "cannot read config file"),
        (["evaluate", "no-such-model.pt"], "no-such-model.pt not found"),
        (["pretrain", "mnist-z999"], "unknown pretrained model 'mnist-z999'"),
        (["pretrain"], "name a model to pretrain"),
        (["evaluate", "mnist-z2", "--k", "-1"], "--k must be >= 1"),
        (["evaluate", "mnist-z20", "--estimator", "grid"], "needs a 2-D latent; mnist-z20 has 20"),
        (["evaluate", "mnist-z2", "--estimator", "exact"], "invalid choice: 'exact'"),
        (["evaluate", "mnist-z2", "--n", "0"], "--n must be >= 1"),
        (["evaluate", "mnist-z2", "--n", "-5"], "--n must be >= 1"),
        (["evaluate", "mnist-z2", "--n", "20000"], "--n 20000 is more than the 10000 test"),
        (["evaluate", "mnist-z2", "--k", "lots"], "--k must be a whole number, got 'lots'"),
        (["evaluate", "mnist-z2", "--seed", str(2**70)], "--seed must be >= 0"),
        (["reproduce", "fig2", "--jobs", "0"], "--jobs must be >= 1"),
        (["reproduce", "fig2", "--only", "frey-z3"], "unknown fig2 experiment 'frey-z3'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (
            [
                "pretrain",
                "frey-z2",
                "--out",
                str(SHIPPED),
            ],
            "folder of the shipped models",
        ),
    ],
)
def test_errors_exit_2_with_a_message(capsys, argv, match):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and match in err and err.startswith("error: ")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1  # one line


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


def test_a_full_disk_is_one_line_and_leaves_no_partial_file(capsys, tmp_path, monkeypatch):
    import errno

    from vae_tutorial import atomic

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    cfg = tiny_experiment(tmp_path)
    out_dir = tmp_path / "out"
    code, _, err = run_cli(capsys, "train", str(cfg), "--out", str(out_dir / "m.pt"), "--quiet")
    assert (
        code == 2
        and err == f"error: cannot use {out_dir / 'm.pt'}: No space left on device\n"
        or (code == 2 and "No space left on device" in err and len(err.splitlines()) == 1)
    )
    assert list(out_dir.iterdir()) == []  # no partial checkpoint, no temporary, no lock


def test_train_where_a_folder_stands_in_for_the_checkpoint(capsys, tmp_path):
    cfg = tiny_experiment(tmp_path)
    (tmp_path / "m.pt").mkdir()
    code, _, err = run_cli(capsys, "train", str(cfg), "--out", str(tmp_path / "m.pt"), "--quiet")
    assert code == 2 and "is a directory" in err and "Traceback" not in err


def test_a_second_train_into_the_same_checkpoint_is_refused(capsys, tmp_path):
    from vae_tutorial.atomic import output_lock

    cfg, out_pt = tiny_experiment(tmp_path), tmp_path / "m.pt"
    with output_lock(out_pt):  # a first `train` holds it
        code, _, err = run_cli(capsys, "train", str(cfg), "--out", str(out_pt), "--quiet")
    assert code == 2 and "another process is already writing the checkpoint" in err
    assert not out_pt.exists()


def test_ctrl_c_saves_reports_the_samples_and_exits_130(tmp_path):
    """A real SIGINT to a real `train` process."""
    import signal
    import time

    cfg = tiny_experiment(tmp_path)
    d = json.loads(cfg.read_text())
    d["train"].update(max_samples=50_000_000, eval_every=10_000_000)
    cfg.write_text(json.dumps(d))
    out_pt = tmp_path / "m.pt"
    p = subprocess.Popen(
        [sys.executable, "-m", "vae_tutorial", "train", str(cfg), "--out", str(out_pt)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while not out_pt.exists() and time.time() < deadline:  # saved at the first evaluation
        time.sleep(0.1)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    result = json.loads(out)
    assert result["interrupted"] and result["samples"] > 0 and result["samples"] % 100 == 0
    assert "interrupted: training interrupted after" in err and "Traceback" not in err
    from vae_tutorial.core.checkpoints import load_checkpoint

    load_checkpoint(out_pt)  # usable


def test_verify_checks_every_shipped_file(capsys):
    from vae_tutorial.studies import log_px

    code, out, err = run_cli(capsys, "verify")
    assert code == 0, err
    r = json.loads(out)
    assert r["ok"] and r["files"] >= 120 and r["fig2_logs"] == 9 and r["sweep_runs"] == 30
    assert r["fig3_logs"] == 13 and r["log_px_results"] == len(log_px.RUNS) == 10
    assert 0 <= r["fig2_paper_logs"] <= 18  # the paper-setup runs shipped so far


def test_verify_refuses_an_empty_fig2_log(capsys, tmp_path, monkeypatch):
    import shutil

    from vae_tutorial.settings import data_dir

    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    (copy / "fig2" / "mnist-z3.json").write_text("{}")
    monkeypatch.setenv("VAE_TUTORIAL_DATA", str(copy))
    code, _, err = run_cli(capsys, "verify")
    assert code == 2 and "fig2/mnist-z3.json" in err and "Traceback" not in err


def test_evaluate_orders_the_estimators_on_mnist_z2(capsys):
    """ELBO <= IS <= exact grid, and AIS (the 2-D default: 16 chains of 300 steps from the
    prior) lands below the grid value by less than 0.6 nats on 20 digits of every class (on the
    zeros and ones of ``test[:20]`` it was within 0.3 with 50 steps; hard digits need more)."""
    r = {}
    for est in ("elbo", "is", "grid", "ais"):
        code, out, err = run_cli(capsys, "evaluate", "mnist-z2", "--n", "20", "--estimator", est,
                                 "--k", "500")  # fmt: skip
        assert code == 0, err
        r[est] = json.loads(out)
    elbo = r["elbo"]["test_elbo"]
    assert r["elbo"]["test_log_px"] is None
    assert elbo < r["is"]["test_log_px"] < r["grid"]["test_log_px"] + 0.05
    assert r["grid"]["log_px_estimator"].startswith("exact") and r["grid"]["grid_max_error"] < 0.01
    assert (
        r["grid"]["test_log_px"] - 0.6 < r["ais"]["test_log_px"] < r["grid"]["test_log_px"] + 0.05
    )
    assert r["grid"]["test_subset"].startswith("Dataset.subset")
    assert r["ais"]["ais_decoder_gflops"] > 0 and 0 < r["ais"]["roofline_fraction"] < 2
    assert r["ais"]["ais_jobs"] == 1  # 20 digits: one worker (at most one per 100 examples)


def test_pretrain_never_touches_the_shipped_model_and_says_how_it_matches(
    capsys, tmp_path, monkeypatch
):
    """pretrain writes to --out and compares with the shipped file: bit for bit on the same
    kernel path, within the stated tolerance when only the last bits differ, else "no"."""
    import shutil

    import torch

    from vae_tutorial.core import pretrained
    from vae_tutorial.core.checkpoints import load_checkpoint, save_checkpoint
    from vae_tutorial.datasets import files
    from vae_tutorial.settings import data_dir

    data = tmp_path / "data"
    (data / "pretrained").mkdir(parents=True)
    shutil.copy(data_dir() / "frey_faces.npz", data / "frey_faces.npz")
    monkeypatch.setenv("VAE_TUTORIAL_DATA", str(data))
    exp = pretrained.experiment("frey-z2")
    short = exp.__class__.from_dict(
        {**exp.to_dict(), "train": {**exp.to_dict()["train"], "max_samples": 1000,
                                    "eval_every": 500}}
    )  # fmt: skip
    monkeypatch.setattr(pretrained, "experiment", lambda name: short)

    def ship(path):  # make a file the "shipped" frey-z2 of the private data folder
        shutil.copy(path, data / "pretrained" / "frey-z2.pt")
        f = data / "pretrained" / "frey-z2.pt"
        entry = files.DataFile("pretrained/frey-z2.pt", f.stat().st_size, files.file_digest(f))
        monkeypatch.setitem(files.FILES, "pretrained/frey-z2.pt", entry)
        monkeypatch.setattr(files, "_verified", set())

    def pretrain(out, *extra):
        code, o, err = run_cli(capsys, "pretrain", "frey-z2", "--out", str(out), "--quiet", *extra)
        assert code == 0, err
        return json.loads(o)["frey-z2"]

    first = pretrain(tmp_path / "a")
    ship(tmp_path / "a" / "frey-z2.pt")
    shipped_bytes = (data / "pretrained" / "frey-z2.pt").read_bytes()
    assert pretrain(tmp_path / "b")["matches_shipped"] == "bit for bit"
    assert (data / "pretrained" / "frey-z2.pt").read_bytes() == shipped_bytes  # untouched
    # the shipped weights off in the last bits, as another CPU kernel path would leave them
    model, meta = load_checkpoint(tmp_path / "a" / "frey-z2.pt")
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1e-6)
    save_checkpoint(tmp_path / "c.pt", model, history=meta["history"], metrics=meta["metrics"])
    ship(tmp_path / "c.pt")
    near = pretrain(tmp_path / "d")
    assert near["matches_shipped"].startswith("to 1.0e-06 in the weights")
    assert pretrain(tmp_path / "e", "--tolerance", "1e-9")["matches_shipped"] == "no"
    assert first["samples"] == 1000


def test_evaluate_ais_defaults_depend_on_the_latent_size(capsys):
    """No schedule flags: from the prior with 16 chains of 300 steps for a 2-D latent (the
    schedule validated against the grid), from the encoder with 4 of 100 beyond; a flag
    overrides one setting and keeps the others."""
    from vae_tutorial.core.ais import SCHEDULES, default_schedule

    assert (
        default_schedule(2) == dict(SCHEDULES["prior"])
        and default_schedule(20)["start"] == "encoder"
    )
    assert (default_schedule(2)["chains"], default_schedule(20)["steps"]) == (16, 100)
    labels = {}
    for args in (("mnist-z2",), ("mnist-z20",), ("mnist-z20", "--steps", "20")):
        code, out, err = run_cli(capsys, "evaluate", *args, "--n", "3", "--estimator", "ais")
        assert code == 0, err
        labels[" ".join(args)] = json.loads(out)["log_px_estimator"]
    assert labels == {
        "mnist-z2": "AIS, 16 chains, 300 steps, 5 leapfrog, from the prior",
        "mnist-z20": "AIS, 4 chains, 100 steps, 5 leapfrog, from the encoder",
        "mnist-z20 --steps 20": "AIS, 4 chains, 20 steps, 5 leapfrog, from the encoder",
    }
