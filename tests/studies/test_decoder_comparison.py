"""Notebook 07's held-out table, read from the shipped log-px study: every decoder family's
ELBO and importance-sampled log p(x) against the exact value by grid integration."""

from __future__ import annotations

import pytest

from vae_tutorial.studies import decoder_comparison as fam
from vae_tutorial.studies import log_px


@pytest.mark.parametrize("name", list(fam.FAMILIES))
def test_each_family_is_measured_against_its_exact_log_px(name):
    row = log_px.held_out_row(fam.FAMILIES[name])
    assert row["images"] == 200 and row["grid converged"] == "200/200"
    exact, is_, elbo = (
        row[k] for k in ("test log p(x) (exact)", "test log p(x) (IS)", "test ELBO")
    )
    assert elbo < is_ < exact + 0.5  # the bound, IS (a stochastic lower bound), the truth
    if row["log p(x) is a log of"].startswith("pmf"):
        assert exact < 0  # a log-probability
    mass = row["exact as bin mass"]
    assert (mass is None) == (row["log p(x) is a log of"] == "pmf {0,1}")
