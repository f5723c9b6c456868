"""Design sweeps (`reproduce sweeps`): definitions, a tiny end-to-end sweep, tables, errors,
live re-runs that match the log exactly, figures, and the shipped results in data/sweeps."""

import argparse
import json
import shutil

import numpy as np
import pytest
from matplotlib.figure import Figure

from vae_tutorial.core.config import ExperimentConfig
from vae_tutorial.core.pretrained import experiment
from vae_tutorial.datasets import load
from vae_tutorial.errors import DataError, VAETutorialError
from vae_tutorial.studies import sweep_design as sd
from vae_tutorial.studies import sweeps as sw
from vae_tutorial.viz import sweeps as sf

TINY = ["latent-k2-s0", "width-100x500-s1"]
SCALE = 1000 / 300_000  # 1,000 samples per latent/width run


def test_definitions_cover_every_point_and_seed_with_valid_configs():
    runs = sw.sweep_runs()
    assert len(runs) == 30 and len({r.experiment.name for r in runs.values()}) == 30
    by_point = {}
    for name, r in runs.items():
        assert name == f"{r.point}-s{r.seed}" and r.experiment.train.seed == r.seed
        by_point.setdefault(r.point, []).append(r.seed)
        exp = r.experiment
        assert ExperimentConfig.from_dict(json.loads(json.dumps(exp.to_dict()))) == exp
        assert exp.train.threads == 1 and exp.train.max_samples == sw.BUDGETS[r.sweep]
        assert r.eval_at[0] == 0 and r.eval_at[-1] == exp.train.max_samples
        assert set(r.eval_at) <= set(sd.GRID) and list(r.eval_at) == sorted(set(r.eval_at))
        ref = experiment("mnist-z20")  # same recipe as the shipped 784-500-20 model
        assert (exp.data, exp.model.activation, exp.model.likelihood) == (
            "mnist-binarized",
            "tanh",
            "bernoulli",
        )
        for key in ("optimizer", "lr", "lr_halflife", "batch_size", "n_samples", "kl"):
            assert getattr(exp.train, key) == getattr(ref.train, key), key
    assert all(seeds == [0, 1, 2] for seeds in by_point.values()) and len(by_point) == 10
    ks = [runs[f"latent-k{k}-s0"].experiment.model for k in (2, 5, 10, 20, 50)]
    assert [m.z_dim for m in ks] == [2, 5, 10, 20, 50] and {m.hidden for m in ks} == {(500,)}
    w = runs["width-100x500-s0"].experiment.model
    assert w.hidden == (100, 500) and w.decoder_widths == (500, 100) and w.z_dim == 20
    assert runs["length-k20-s2"].experiment.train.max_samples == 1_000_000
    assert 20_000 in runs["latent-k2-s0"].eval_at  # the notebook's live re-run point
    quick = sw.sweep_runs(SCALE)
    assert {r.experiment.train.max_samples for r in quick.values()} == {1000, 3300}


def test_select_runs_by_sweep_point_or_run():
    runs = sw.sweep_runs()
    assert sw.select_runs(["width"], runs) == [n for n in runs if n.startswith("width-")]
    assert sw.select_runs(["latent-k2", "length-k20-s1"], runs) == [
        "latent-k2-s0",
        "latent-k2-s1",
        "latent-k2-s2",
        "length-k20-s1",
    ]
    with pytest.raises(VAETutorialError, match="unknown sweep run 'latent-k3'.*--list"):
        sw.select_runs(["latent-k3"], runs)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Two runs of 1,000 samples (evaluation subsets of 1,000 digits) in a temporary dir."""
    out = tmp_path_factory.mktemp("sweeps")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sd, "EVAL_SIZE", 1000)
        results = sw.run_sweeps(TINY, out, budget_scale=SCALE, progress=False)
    return out, results


def test_tiny_sweep_writes_results_that_load_back(tiny):
    out, results = tiny
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.{e}" for n in TINY for e in ("json", "npz")] + ["tables.json"]
    )
    loaded = sw.load_results(out, complete=False)
    assert list(loaded) == TINY
    ds = load("mnist-binarized")
    for name, rec in loaded.items():
        assert {k: v for k, v in rec.items() if k != "images"} == json.loads(
            (out / f"{name}.json").read_text()
        )
        assert rec["budget_samples"] == 1000 and rec["final"]["n_test"] == 10_000
        assert rec["history"]["samples"] == [0, 1000]
        assert rec["history"]["test_elbo"][-1] > rec["history"]["test_elbo"][0] + 50  # learnt
        img = rec["images"]
        assert ds.test_labels[img["test_index"]].tolist() == list(range(10))  # one per class
        for key in ("originals", "reconstructions", "samples"):
            assert img[key].shape == (10, 28, 28) and img[key].dtype == np.uint8
        assert np.array_equal(
            img["originals"] // 255,
            ds.test[img["test_index"]].reshape(10, 28, 28).numpy().astype(np.uint8),
        )
        np.testing.assert_array_equal(img["originals"], results[name]["images"]["originals"])
    shipped = json.loads((out / "tables.json").read_text())["tables"]
    assert shipped == json.loads(json.dumps(sw.tables(loaded)))


def test_finished_runs_are_skipped_and_other_budgets_refused(tiny, monkeypatch):
    out, results = tiny
    monkeypatch.setattr(sd, "EVAL_SIZE", 1000)  # the settings the fixture trained with
    monkeypatch.setattr(sw, "train_run", lambda **k: pytest.fail("retrained"))
    again = sw.run_sweeps(TINY[:1], out, budget_scale=SCALE, progress=False)
    assert again["latent-k2-s0"]["final"] == results["latent-k2-s0"]["final"]
    with pytest.raises(VAETutorialError, match="latent-k2-s0.json holds a result made with other"):
        sw.run_sweeps(TINY[:1], out, budget_scale=2 * SCALE, progress=False)


def test_rerun_point_reproduces_the_logged_value_exactly(tiny):
    out, results = tiny
    history, logged = sw.rerun_point("latent-k2", 0, 1000, out_dir=out)
    rec = results["latent-k2-s0"]["history"]
    assert history.samples == rec["samples"] and history.test_elbo[-1] == logged
    assert history.test_elbo == rec["test_elbo"] and history.train_elbo == rec["train_elbo"]
    with pytest.raises(VAETutorialError, match="evaluated at 1,000 training samples"):
        sw.rerun_point("latent-k2", 0, 500, out_dir=out)


def test_missing_and_corrupt_files_raise_data_error(tiny, tmp_path):
    src, _ = tiny
    with pytest.raises(DataError, match="no sweep results"):
        sw.load_results(tmp_path, complete=False)
    d = tmp_path / "copy"
    shutil.copytree(src, d)
    with pytest.raises(DataError, match="latent-k2-s1.json is missing.*--only latent-k2-s1"):
        sw.load_results(d)  # complete=True: every run must be there
    (d / "width-100x500-s1.npz").write_bytes(b"not a zip file")
    with pytest.raises(DataError, match="images of sweep run width-100x500-s1"):
        sw.load_results(d, complete=False)
    (d / "width-100x500-s1.npz").unlink()
    with pytest.raises(DataError, match="missing or unreadable"):
        sw.load_results(d, complete=False)
    text = (d / "latent-k2-s0.json").read_text()
    (d / "latent-k2-s0.json").write_text(text[: len(text) // 2])
    with pytest.raises(DataError, match="latent-k2-s0.json is unreadable.*--only latent-k2-s0"):
        sw.load_results(d, complete=False)


def fake(point: str, seed: int, test: float, train: float, curve=None) -> dict:
    """A hand-made record with what :func:`tables` reads."""
    sweep, k, hidden = sw.points()[point]
    samples = [0, 1000, 2000] if curve else [0, 1000]
    return {
        "name": f"{point}-s{seed}",
        "point": point,
        "sweep": sweep,
        "seed": seed,
        "experiment": {"model": {"z_dim": k, "hidden": list(hidden)}},
        "budget_samples": 1000,
        "cpu_seconds": 10.0,
        "final": {"test_elbo": test, "train_elbo": train, "n_test": 10_000},
        "history": {
            "samples": samples,
            "test_elbo": curve or [0.0, test],
            "train_elbo": [v + 1 for v in (curve or [0.0, test])],
        },
    }


def hand_made() -> dict:
    seeds, tests = (2, 0, 1), (-104.0, -100.0, -102.0)  # deliberately not in seed order
    recs = [fake("latent-k2", s, t, t + 1) for s, t in zip(seeds, tests, strict=True)]
    recs += [fake("latent-k20", 0, -90.0, -89.0), fake("width-100x500", 0, -95.0, -94.0)]
    recs += [
        fake("length-k20", s, -91.0 - s, -90.0, [-500.0, -200.0 - s, -150.0 + s]) for s in (0, 1, 2)
    ]
    return {r["name"]: r for r in recs}


def test_tables_compute_mean_std_min_max_over_seeds():
    t = sw.tables(hand_made())
    assert list(t) == ["latent", "width", "length"]
    k2, k20 = t["latent"]
    assert k2["point"] == "latent-k2" and k2["seeds"] == [0, 1, 2]
    assert k2["test_elbo_by_seed"] == [-100.0, -102.0, -104.0]  # sorted by seed
    assert k2["test_elbo_mean"] == -102.0 and k2["test_elbo_std"] == pytest.approx(2.0)
    assert (k2["test_elbo_min"], k2["test_elbo_max"]) == (-104.0, -100.0)
    assert k2["train_elbo_mean"] == -101.0 and k2["cpu_seconds"] == 30.0
    assert k20["test_elbo_std"] is None and k20["test_elbo_mean"] == -90.0  # one seed
    curve, final = t["length"][:-1], t["length"][-1]
    assert [r["samples"] for r in curve] == [0, 1000, 2000]
    assert curve[1]["test_elbo_mean"] == -201.0 and curve[1]["test_elbo_std"] == 1.0
    assert curve[2]["train_elbo_by_seed"] == [-149.0, -148.0, -147.0]
    assert final["eval"].startswith("full test set") and final["test_elbo_mean"] == -92.0


def test_figures_build_from_tables_and_name_data_and_budget(tiny):
    t = sw.tables(hand_made())
    for make in (sf.latent_size_figure, sf.width_figure, sf.length_figure):
        fig = make(t)
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert (
            "static binarized MNIST, " in ax.get_title() and "10,000 test digits" in ax.get_title()
        )
        assert "1,000 training samples per run" in ax.get_title()
        assert "nats" in ax.get_ylabel() and ax.get_xlabel()
        if make is sf.length_figure:  # the curve's subset is named beside the full test set
            assert "5,000-digit subset" in ax.get_title()
    assert sf.length_figure(t).axes[0].get_xscale() == "log"
    images = sf.gallery_images(tiny[1], "latent", seed=0)
    assert list(images) == ["k = 2"]
    fig = sf.gallery_figure(images, budget=1000)
    assert "1,000 training samples" in fig.texts[0].get_text() and len(fig.axes) == 2


def test_cli_hook_lists_and_validates(tiny, capsys):
    p = argparse.ArgumentParser()
    sw.add_arguments(p)
    listing = sw.run_cli(p.parse_args(["--list", "--out", str(tiny[0])]))
    assert len(listing) == 30 and listing["latent-k2-s0"]["done"]
    assert not listing["latent-k2-s1"]["done"]
    assert listing["length-k20-s0"]["budget_samples"] == 10**6
    quick = sw.run_cli(p.parse_args(["--list", "--only", "width", "--samples", "1000"]))
    assert list(quick) == [n for n in sw.sweep_runs() if n.startswith("width")]
    assert {v["budget_samples"] for v in quick.values()} == {1000}
    with pytest.raises(VAETutorialError, match="--samples must be >= 100"):
        sw.run_cli(p.parse_args(["--samples", "50"]))
    with pytest.raises(SystemExit):  # argparse: "--jobs must be >= 1 and <= 256, got 0"
        p.parse_args(["--jobs", "0", "--out", str(tiny[0])])


# -- the shipped results ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return sw.load_results()


def test_shipped_results_are_complete_and_make_sense(shipped):
    t = sw.tables(shipped)
    latent = {r["z_dim"]: r["test_elbo_mean"] for r in t["latent"]}
    assert latent[2] < latent[5] < latent[10] < latent[20]  # more latents help up to ~20
    assert -110 < latent[20] < -90 and latent[2] < -130
    assert abs(latent[50] - latent[20]) < 2  # ... and then saturate
    assert all(r["test_elbo_std"] < 2.5 for r in t["latent"] + t["width"])  # seeds agree
    width = {tuple(r["hidden"]): r["test_elbo_mean"] for r in t["width"]}
    assert max(width, key=width.get) == (500, 500) and min(width, key=width.get) == (100, 100)
    assert width[(500, 100)] > width[(100, 500)] + 5  # a wide layer next to the pixels matters
    final = t["length"][-1]
    assert final["test_elbo_mean"] > latent[20]  # longer training helps
    on_disk = json.loads((sw.default_dir() / "tables.json").read_text())["tables"]
    assert on_disk == json.loads(json.dumps(t))


def test_shipped_k20_runs_are_the_prefix_of_the_length_runs(shipped):
    """Same config, seed and evaluation points: the 300k-sample latent run is bit-for-bit the
    first 300k samples of the 1M-sample length run (trained in another process)."""
    for seed in (0, 1, 2):
        short = shipped[f"latent-k20-s{seed}"]["history"]
        long = shipped[f"length-k20-s{seed}"]["history"]
        n = len(short["samples"])
        assert long["samples"][:n] == short["samples"]
        assert long["test_elbo"][:n] == short["test_elbo"]


@pytest.mark.slow
def test_shipped_prefix_rerun_matches(shipped):
    history, logged = sw.rerun_point("latent-k2", 0, 2000)
    assert history.samples == [0, 1000, 1500, 2000]
    assert history.test_elbo[-1] == pytest.approx(logged, abs=1e-3)  # exact on the same CPU
