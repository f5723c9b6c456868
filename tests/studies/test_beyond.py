"""Notebook 09's study: definitions, and the active-unit count on known collapsed units."""

import numpy as np

from vae_tutorial.studies import beyond


def test_active_units_counts_the_dimensions_whose_mean_varies():
    rng = np.random.default_rng(0)
    means = np.zeros((1000, 6))
    means[:, :3] = rng.normal(0, 1, (1000, 3))  # three used dimensions
    means[:, 3] = rng.normal(0, 0.05, 1000)  # variance 0.0025 < 0.01: collapsed
    count, var = beyond.active_units(means)
    assert count == 3 and var.shape == (6,) and var[4] == 0


def test_the_runs_follow_the_shipped_recipe_with_one_change_each():
    from vae_tutorial.core.pretrained import experiment

    base = experiment("mnist-z20")
    runs = beyond.experiments()
    assert {"beta-1", "beta-4", "beta-4-warmup", "beta-4-freebits", "iwae-k50"} <= set(runs)
    for name, e in runs.items():
        assert e.model == base.model and e.train.threads == 1
        assert e.train.seed == (int(name.rsplit("seed", 1)[1]) if "seed" in name else 0)
    seeds = {e.train.seed for n, e in runs.items() if n.startswith("iwae-k5")}
    assert seeds == {0, 1, 2}  # IWAE differences are seed-noise sized: three seeds per K
    assert runs["beta-4-warmup"].train.kl_warmup == 100_000
    assert runs["iwae-k50"].train.objective == "iwae" and runs["iwae-k50"].train.iwae_k == 50
    keys = {t.name: t.key for t in beyond.tasks()}
    assert len(set(keys.values())) == len(keys)  # every run has its own identity


def test_active_units_of_a_model_whose_encoder_ignores_some_dimensions():
    """A VAE whose encoder mean for latent dimensions 3..19 does not depend on x: exactly the
    first three units are active."""
    import torch

    import vae_tutorial as vt
    from vae_tutorial.core.latent_space import encode_means

    model = vt.load_pretrained("mnist-z20")
    with torch.no_grad():
        last = model.encoder[-1]  # outputs: 20 means, then 20 log-variances
        last.weight[3:20] = 0.0
        last.bias[3:20] = 0.5  # a constant mean: no information about x
    means = encode_means(model, vt.load("mnist-binarized").test[:500])
    count, var = beyond.active_units(means)
    assert count == 3 and (var[3:] == 0).all()


def test_the_posterior_inspector_takes_any_test_digit():
    import vae_tutorial as vt
    from vae_tutorial.widgets.beyond import PosteriorInspector

    x = vt.load("mnist-binarized").test
    w = PosteriorInspector(vt.load_pretrained("mnist-z2"), x[:50], [3, 7])
    first = w.image.png()
    w.pick.value = 7
    assert w.index.value == 7 and w.image.png() != first
    w.index.value = 11  # any digit, not only the suggested ones
    assert 11 in w._cache and w.error is None
