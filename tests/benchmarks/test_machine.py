"""The benchmark's pieces on tiny problems: counts, loops, sections, table, CLI.
Absolute times are never asserted (the machine is shared); only types, signs and ratios."""

import argparse
import json

import latency as bench_ui  # benchmarks/latency.py (on the path: conftest.py)
import machine as bench  # benchmarks/machine.py
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from vae_tutorial.core.config import ModelConfig, TrainConfig
from vae_tutorial.core.estimators import elbo, evaluate
from vae_tutorial.core.model import build_model
from vae_tutorial.core.train import fit
from vae_tutorial.settings import torch_threads


def test_best_of_keeps_each_jobs_minimum_and_gemm_job_times_something():
    seq = iter([3.0, 5.0, 1.0, 7.0, 2.0, 6.0])
    best = bench._best_of({"a": lambda: next(seq), "b": lambda: next(seq)}, rounds=3)
    assert best == {"a": 1.0, "b": 5.0}
    seconds_per_flop = bench.gemm_job(64, 32, 16, threads=1, reps=3)()
    assert 0 < seconds_per_flop < 1e-6  # more than a MFLOP/s


def test_flops_per_sample_hand_count_and_torch_flop_counter(tiny_config):
    # 12-16-4 encoder (2 * z_dim outputs), 2-16-12 decoder; no input gradient for the data
    enc, dec = 12 * 16 + 16 * 4, 2 * 16 + 16 * 12
    model = build_model(tiny_config, seed=0)
    assert bench.flops_per_sample(model) == 2 * (3 * enc - 12 * 16 + 3 * dec) == 2496
    assert bench.flops_per_sample(model, n_samples=3) == 2 * (3 * enc - 12 * 16 + 9 * dec)
    paper = build_model(ModelConfig(z_dim=20, hidden=(500,)))
    assert bench.flops_per_sample(paper) == 4_100_000  # 2 * (3 * 814,000 - 392,000)
    x = torch.rand(10, 12).round()
    with FlopCounterMode(display=False) as counter:  # what torch itself counts in a step
        (-elbo(model, x).mean()).backward()
    assert counter.get_total_flops() == 10 * bench.flops_per_sample(model)


def test_baseline_loop_and_fit_train_the_same_model_alike(tiny_config, tiny_data):
    train, test = tiny_data
    torch.manual_seed(0)
    plain, ours = build_model(tiny_config, seed=0), build_model(tiny_config, seed=0)
    torch.manual_seed(0)
    start = evaluate(plain, test)["elbo"]
    with torch_threads(1):  # tiny operations: more threads only add hand-offs
        loss = bench.plain_fit(plain, train, batch=50, samples=5000, lr=1e-2)
    cfg = TrainConfig(lr=1e-2, batch_size=50, max_samples=5000, threads=1)
    fit(ours, train, cfg, progress=False)
    torch.manual_seed(0)
    a, b = evaluate(plain, test, n_samples=20)["elbo"], evaluate(ours, test, n_samples=20)["elbo"]
    assert a > start + 2 and b > start + 2 and abs(a - b) < 1.0  # nats per datapoint
    assert 3 < loss < -start  # the mean training loss: between the data entropy and the start


def test_bench_train_reports_every_number(monkeypatch, tiny_config, tiny_data):
    monkeypatch.setitem(bench.SHAPES, "paper", (tiny_config, 50))
    monkeypatch.setitem(bench.SHAPES, "pytorch_examples", (tiny_config, 64))
    out = bench.bench_train(tiny_data[0], burst=500, rounds=1, threads=("1",))
    for key in ("train_samples_per_s", "train_gflops", "roofline_fraction"):
        for shape in ("paper", "pytorch_examples"):
            assert set(out[key][shape]) == {"1"} and out[key][shape]["1"] > 0
    assert out["gemm_gflops"]["1"]["square_1024"] > 0 and out["gemm_gflops"]["1"]["trainer"] > 0
    assert out["baseline_samples_per_s"] > 0
    assert out["speedup"] == pytest.approx(
        out["train_samples_per_s"]["paper"]["1"] / out["baseline_samples_per_s"]
    )


def test_progress_overhead_is_timed_inside_the_bar_and_the_plot(monkeypatch, tiny_config):
    monkeypatch.setitem(bench.SHAPES, "paper", (tiny_config, 100))
    x = torch.rand(600, 12, generator=torch.Generator().manual_seed(0)).round()
    out = bench.bench_progress((x[:500], x[500:]), samples=1500, rounds=1)
    assert 0 < out["bar"] < 1 and 0 < out["live_plot"]
    assert out["bar_and_live_plot"] == pytest.approx(out["bar"] + out["live_plot"])


def test_time_to_elbo_reports_a_hit_or_the_elbo_reached_when_capped(monkeypatch, tiny_config):
    g = torch.Generator().manual_seed(0)
    noise = torch.rand(300, 784, generator=g).round()  # random bits: ELBO near -543 nats
    recipe = TrainConfig(
        batch_size=50, max_samples=500, eval_every=250, eval_train_size=10, threads=1
    )
    capped = bench.time_to_elbo((noise[:200], noise[200:]), cap_s=0.0, recipe=recipe)
    assert capped["seconds_to_elbo_minus_100"] is None and capped["elbo_reached"] < -300
    assert capped["elbo_run"]["samples"] == 0  # stopped by the cap at the first evaluation
    monkeypatch.setitem(bench.SHAPES, "paper", (tiny_config, 50))
    x = torch.rand(300, 12, generator=g).round()  # 12 bits: any model is above -100 nats
    hit = bench.time_to_elbo((x[:200], x[200:]), cap_s=60.0, recipe=recipe)
    assert hit["samples_to_elbo_minus_100"] == 0 and hit["seconds_to_elbo_minus_100"] >= 0
    assert hit["elbo_recipe"]["max_samples"] == 500


def test_slider_and_grid_timings_on_a_tiny_model(tiny_config):
    from vae_tutorial.widgets.latent_explorer import LatentExplorer

    model = build_model(tiny_config, seed=0)
    times = bench_ui.slider_ms(LatentExplorer(model, (3, 4)), n=5)
    assert times.shape == (5,) and (times > 0).all()
    assert bench_ui.grid_ms(model, (3, 4), repeats=2, resolution=4) > 0


def test_notebook_times_from_the_newer_of_cache_and_junit(monkeypatch, tmp_path):
    cache, junit = tmp_path / "bench_notebooks.json", tmp_path / "junit.xml"
    monkeypatch.setattr(bench_ui, "NOTEBOOK_CACHE", cache)
    monkeypatch.setattr(bench_ui, "JUNIT_XML", junit)
    assert bench_ui.notebook_seconds(allow_measure=False)["notebook_seconds"] is None
    junit.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="notebooks.01_conj.ipynb" name="Cell 0" time="1.5" />'
        '<testcase classname="notebooks.01_conj.ipynb" name="Cell 1" time="2.0" />'
        '<testcase classname="notebooks.02_hard.ipynb" name="Cell 0" time="4.0" />'
        '<testcase classname="tests.test_x" name="test_y" time="9.0" />'
        "</testsuite></testsuites>"
    )
    got = bench_ui.notebook_seconds(allow_measure=False)
    assert got["notebook_seconds"] == {"01_conj": 3.5, "02_hard": 4.0}
    assert got["notebook_source"].startswith("junit.xml")
    cache.write_text(json.dumps({"01_conj": 10.0}))
    assert bench_ui.notebook_seconds()["notebook_seconds"] == {"01_conj": 10.0}


FAKE = {
    "gemm_gflops": {"1": {"square_1024": 80.0}},
    "roofline_fraction": {"paper": {"1": 0.5}},
    "speedup": 3.0,
    "slider_ms_p95": {"mnist-z2": 12.0, "max": 12.0},
    "notebook_seconds": None,
    "load_average_start": (1.0, 0.5, 0.25),
}


def test_targets_and_table_show_every_key():
    result = {**FAKE, "targets": bench.targets(FAKE)}
    t = result["targets"]
    assert t["roofline_fraction"]["met"] and not t["speedup"]["met"] and t["slider_ms_p95"]["met"]
    assert "grid_ms" not in t  # not measured, not judged
    table = bench.format_table(result)
    for row in ("gemm_gflops/1/square_1024", "roofline_fraction/paper/1", "speedup",
                "slider_ms_p95/mnist-z2", "notebook_seconds", "load_average_start"):  # fmt: skip
        assert row in table
    assert "target speedup >= 5: 3 MISSED" in table and "0.5 met" in table


def test_cli_prints_table_and_one_json_object(monkeypatch, capsys, tmp_path):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    out = tmp_path / "bench.json"
    args = parser.parse_args(["--quick", "--only", "grid", "slider", "--json", str(out)])
    assert args.only == ["grid", "slider"] and args.quick
    seen = {}
    monkeypatch.setattr(bench, "run", lambda *a, **kw: seen.update(a=a, kw=kw) or dict(FAKE))
    assert bench.run_cli(args) == 0
    assert seen["a"] == (["grid", "slider"],) and seen["kw"]["quick"]
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1])["speedup"] == 3.0 and "speedup" in lines[0] + "".join(lines)
    assert json.loads(out.read_text()) == json.loads(lines[-1])
    with pytest.raises(SystemExit):
        parser.parse_args(["--only", "nonsense"])
