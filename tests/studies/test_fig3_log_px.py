"""The Figure 3 study and the log p(x) study: their designs, a tiny run of each end to end
(resumable, checked against the exact grid), and a clear error for a broken result file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vae_tutorial.errors import DataError
from vae_tutorial.studies import fig2_paper, fig3, log_px


def test_fig3_design_follows_the_paper():
    runs = fig3.runs()
    assert len(runs) == 13  # 5 sizes x (AEVB, wake-sleep) + MCEM on the 3 smallest
    for name, exp in runs.items():
        t, m = exp.train, exp.model
        setup = (m.z_dim, m.hidden, t.optimizer, t.batch_size, t.init_std)
        assert setup == (3, (100,), "adagrad", 100, 0.01)
        n = int(name.split("-n")[1])
        assert t.weight_decay == pytest.approx(1 / n)  # the N(0, I) prior on the weights
        assert t.algorithm != "mcem" or n <= fig3.MCEM_MAX_N
    keys = {t.key for t in fig3.tasks()}
    assert len(keys) == 13  # each run its own identity


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(fig3, "N_TEST", 8)
    monkeypatch.setattr(fig3, "N_TRAIN_EVAL", 8)
    monkeypatch.setattr(fig3, "N_GRID_CHECK", 2)
    monkeypatch.setattr(fig3, "TRIAL_SAMPLES", 1000)
    monkeypatch.setattr(fig2_paper, "LRS", (0.02, 0.1))
    monkeypatch.setattr(fig3, "AIS", {**fig3.AIS, "chains": 2, "steps": 10})


def test_a_tiny_fig3_run_end_to_end_resumes_and_reads_back(tiny, tmp_path):
    logs = fig3.run_all(["mcem-n1000", "aevb-n1000"], tmp_path, samples=2000, progress=False)
    for g in logs.values():
        assert set(g["lr_trials"]) == {"0.02", "0.1"}
        assert g["experiment"]["train"]["lr"] in (0.02, 0.1)
        assert g["log_px"]["test"]["n"] == 8 and np.isfinite(g["log_px"]["test"]["mean"])
        assert g["grid_check"]["grid_converged"] == 2
        assert "every class" in g["grid_check"]["digits"]  # not the first digits: all zeros
        assert g["grid_check"]["mean_ais_minus_exact"] < 1  # 10 AIS steps: a loose lower bound
    assert logs["mcem-n1000"]["history"]["train_elbo"] == []  # no encoder, no ELBO
    assert logs["aevb-n1000"]["history"]["train_elbo"][-1] > -550
    stamp = (tmp_path / "aevb-n1000.json").stat().st_mtime_ns
    fig3.run_all(["aevb-n1000"], tmp_path, samples=2000, progress=False)  # done: not rerun
    assert (tmp_path / "aevb-n1000.json").stat().st_mtime_ns == stamp
    rows = fig3.fig3_table(fig3.load_logs(tmp_path))
    assert {r["method"] for r in rows} == {"aevb", "mcem"}
    (tmp_path / "aevb-n1000.json").write_text("{truncated")
    with pytest.raises(DataError, match=r"aevb-n1000.json is unreadable.*reproduce fig3"):
        fig3.load_logs(tmp_path)


def test_a_tiny_log_px_run_orders_the_estimators(monkeypatch, tmp_path):
    monkeypatch.setattr(log_px, "K_IS", 200)
    ais = {**log_px.AIS_DEFAULT, "chains": 4, "steps": 60}
    rec, files = log_px.evaluate_run("t", "mnist-z2", 1000, True, ais)
    (tmp_path / "t.json").write_text(json.dumps(rec))
    (tmp_path / "t.npz").write_bytes(files[".npz"])
    rec, arrays = log_px.load_result("t", tmp_path)
    assert rec["n"] == 10 and arrays["exact"].shape == (10,)
    assert rec["elbo"]["mean"] < rec["exact"]["mean"]  # the bound is below the truth
    assert rec["is"]["mean"] < rec["exact"]["mean"] + 0.5  # IS: a stochastic lower bound
    assert abs(rec["ais_minus_exact"]["mean"]) < 3
    assert 1 <= rec["is"]["median_ess"] <= 200
    assert 0 < rec["speed"]["is_roofline_fraction"] < 2
    (tmp_path / "t.npz").write_bytes(b"not an npz")
    with pytest.raises(DataError, match="t.npz is missing or unreadable"):
        log_px.load_result("t", tmp_path)


def test_shipped_log_px_and_fig3_results():
    """The shipped results meet their checks; a missing shipped file is a failure (load_result
    raises a one-line DataError), never a skip."""
    from vae_tutorial.settings import data_dir

    d = data_dir() / "log_px"
    rec, arrays = log_px.load_result("mnist-z2", d)
    assert rec["n"] == 1000
    print(f"AIS - exact over 1,000 mnist-z2 digits: {rec['ais_minus_exact']['mean']:+.3f} nats")
    assert abs(rec["ais_minus_exact"]["mean"]) <= 0.3
    assert (arrays["elbo"] <= arrays["exact"] + 1e-3).mean() > 0.99
