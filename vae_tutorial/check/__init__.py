"""Auto-checked exercises: test YOUR implementation against ground truth the package
computes (closed forms, grid posteriors, quadrature, the VAE's own estimators).

Every checker takes your function, calls it on several cases and returns a :class:`Verdict`
(shown nicely in a notebook cell; ``bool(verdict)`` is ``verdict.ok``). A wrong answer never
raises: the verdict names the failing case (inputs, expected, got) and gives a hint about the
typical mistake it recognises, never the solution.

>>> from vae_tutorial import check                              # doctest: +SKIP
>>> check.gaussian_kl(my_kl)
Correct: your gaussian_kl matches the closed form on 6 cases.

| notebook | checkers |
|---|---|
| 01 | :func:`posterior_linear_gaussian`, :func:`log_evidence` |
| 02 | :func:`grid_evidence` |
| 03 | :func:`cavi_update` |
| 04 | :func:`gaussian_kl`, :func:`reparameterize` |
| 05 | :func:`elbo_estimator` |
| 06 | :func:`interpolation` |
| 07 | :func:`bits_per_dim`, :func:`exponential_kl` |
| 08 | :func:`importance_log_px` |

Importing this module does not load torch; checkers that need a model load it on first use.
"""

from __future__ import annotations

from ._harness import Verdict
from .gaussians import gaussian_kl, reparameterize
from .posteriors import cavi_update, grid_evidence, log_evidence, posterior_linear_gaussian
from .vae import bits_per_dim, elbo_estimator, exponential_kl, importance_log_px, interpolation

__all__ = [
    "Verdict",
    "bits_per_dim",
    "cavi_update",
    "elbo_estimator",
    "exponential_kl",
    "gaussian_kl",
    "grid_evidence",
    "importance_log_px",
    "interpolation",
    "log_evidence",
    "posterior_linear_gaussian",
    "reparameterize",
]
