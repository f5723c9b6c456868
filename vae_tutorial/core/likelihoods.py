"""Decoder likelihoods p(x|z): decoder outputs -> torch Distribution over a data row.

Each likelihood says how many decoder outputs it needs per data dimension and turns those
outputs into a distribution whose event is one whole data row (``Independent`` sums the
per-pixel log-densities).

| name | data | decoder outputs per pixel | p(x|z) |
|---|---|---|---|
| ``bernoulli`` | {0, 1} | 1 (logits) | Bernoulli |
| ``gaussian`` | [0, 1] | 2 | N(sigmoid(a), exp(g(z))): heteroscedastic ("Model 3") |
| ``gaussian_shared`` | [0, 1] | 1 | N(sigmoid(a), s^2), one s for all pixels (Model 2) |
| ``poisson`` | k/255 | 1 (log-rate) | Poisson counts of the 255 grey levels |
| ``discretized_logistic`` | k/255 | 2 | logistic mass of each of the 256 grey-level bins |

Discrete likelihoods (Bernoulli, Poisson, discretized logistic) give probabilities, so their
log p(x) is <= 0 and comparable across models in nats or bits per dimension; Gaussians give
densities on a continuous space, comparable only with other densities on the same scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Distribution, Independent, Normal, Poisson, constraints

if TYPE_CHECKING:
    from .config import ModelConfig


class Likelihood(nn.Module):
    """Base class: ``params_per_dim`` outputs per data dimension -> a Distribution."""

    params_per_dim: int = 1
    #: the range data must lie in (None: any real value); checked before training
    support: tuple[float, float] | None = None

    def forward(self, out: torch.Tensor) -> Distribution:  # out: (..., params_per_dim * D)
        raise NotImplementedError

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        """The mean of p(x|z), computed without building a distribution (for images)."""
        return self.forward(out).mean

    def log_prob(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """log p(x|z) summed over the row: out (..., P * D), x broadcastable to (..., D) ->
        (...). Subclasses may compute it without building a distribution (faster)."""
        return self.forward(out).log_prob(x)

    def pairwise_log_prob(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor | None:
        """log p(x_b | z_g) for all pairs, out (G, P * D), x (B, D) -> (B, G) float64, as
        matrix products where the likelihood allows it; None: no shortcut (broadcast)."""
        return None


class BernoulliLikelihood(Likelihood):
    """Pixels in {0, 1}; the decoder outputs logits (fused, numerically stable)."""

    support = (0.0, 1.0)

    def forward(self, out: torch.Tensor) -> Distribution:
        return Independent(Bernoulli(logits=out, validate_args=False), 1, validate_args=False)

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out)

    def log_prob(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        # x a - softplus(a) in two passes over the logits (torch's Bernoulli takes ~five)
        return torch.linalg.vecdot(out, x.to(out.dtype)) - F.softplus(out).sum(-1)

    def pairwise_log_prob(self, out, x):
        # log Bern(x | sigmoid(a)) = x a - softplus(a): one matrix product for every pair
        a = out.double()
        return x.double() @ a.T - F.softplus(a).sum(-1)[None]


class GaussianLikelihood(Likelihood):
    """Real-valued pixels in [0, 1]: mean = sigmoid(a) (the paper's choice for Frey Face,
    Appendix C.2) and a per-pixel log-variance that is a function of z, optionally bounded
    below by ``logvar_min`` through a softplus (smooth) floor."""

    params_per_dim = 2

    def __init__(self, logvar_min: float | None = None):
        super().__init__()
        self.logvar_min = logvar_min

    def split(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, logvar = out.chunk(2, dim=-1)
        if self.logvar_min is not None:
            logvar = self.logvar_min + F.softplus(logvar - self.logvar_min)
        return torch.sigmoid(a), logvar

    def forward(self, out: torch.Tensor) -> Distribution:
        mean, logvar = self.split(out)
        return Independent(
            Normal(mean, torch.exp(0.5 * logvar), validate_args=False), 1, validate_args=False
        )

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out.chunk(2, dim=-1)[0])


def _independent(d: Distribution) -> Distribution:
    return Independent(d, 1, validate_args=False)


class SharedGaussianLikelihood(Likelihood):
    """Homoscedastic Gaussian ("Model 2" of notebook 07): mean sigmoid(a), one variance s^2 for
    every pixel and every z, either learned (``logvar=None``: a parameter, initialised at
    log 0.1) or fixed at ``exp(logvar)``."""

    def __init__(self, logvar: float | None = None):
        super().__init__()
        if logvar is None:
            self.logvar = nn.Parameter(torch.tensor(math.log(0.1)))
        else:
            self.register_buffer("logvar", torch.tensor(float(logvar)))

    def forward(self, out: torch.Tensor) -> Distribution:
        scale = torch.exp(0.5 * self.logvar).expand_as(out)
        return _independent(Normal(torch.sigmoid(out), scale, validate_args=False))

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out)


#: grey levels of an 8-bit image: data are k / LEVELS for integer k in [0, LEVELS]
LEVELS = 255


class LatticePoisson(Distribution):
    """x = k / 255 with k ~ Poisson(rate): a pmf on the grey-level lattice, per pixel."""

    arg_constraints = {"log_rate": constraints.real}
    support = constraints.nonnegative

    def __init__(self, log_rate: torch.Tensor):
        self.log_rate = log_rate
        super().__init__(log_rate.shape, validate_args=False)

    @property
    def mean(self) -> torch.Tensor:
        return torch.exp(self.log_rate) / LEVELS

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        k = torch.round(x * LEVELS)
        return k * self.log_rate - torch.exp(self.log_rate) - torch.lgamma(k + 1.0)

    def sample(self, sample_shape: torch.Size | tuple = ()) -> torch.Tensor:
        rate = torch.exp(self.log_rate).expand(self._extended_shape(torch.Size(sample_shape)))
        return Poisson(rate).sample() / LEVELS


class PoissonLikelihood(Likelihood):
    """Grey levels as counts: k = 255 x ~ Poisson(exp(a)) (the canonical log link). The
    mean image is exp(a) / 255, clipped to [0, 1] for display."""

    support = (0.0, math.inf)

    def forward(self, out: torch.Tensor) -> Distribution:
        return _independent(LatticePoisson(out))

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return (torch.exp(out) / LEVELS).clamp(0.0, 1.0)


def log_sigmoid_difference(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """log(sigmoid(a) - sigmoid(b)) for a > b, stable in both tails:
    sigmoid(a) - sigmoid(b) = sigmoid(a) sigmoid(-b) (1 - exp(b - a))."""
    return F.logsigmoid(a) + F.logsigmoid(-b) + torch.log(-torch.expm1(b - a))


class DiscretizedLogistic(Distribution):
    """The mass of a logistic(mu, s) on the bin of each grey level k/255 (width 1/255; the
    end bins extend to -inf and +inf), as in PixelCNN++ (Salimans et al. 2017). A proper
    pmf on the 256 levels, so -log p / (D log 2) is bits per dimension."""

    arg_constraints = {"loc": constraints.real, "log_scale": constraints.real}
    support = constraints.unit_interval

    def __init__(self, loc: torch.Tensor, log_scale: torch.Tensor):
        self.loc, self.log_scale = loc, log_scale
        super().__init__(loc.shape, validate_args=False)

    @property
    def mean(self) -> torch.Tensor:
        return self.loc.clamp(0.0, 1.0)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        inv_s = torch.exp(-self.log_scale)
        half = 0.5 / LEVELS
        upper = (x + half - self.loc) * inv_s
        lower = (x - half - self.loc) * inv_s
        mid = log_sigmoid_difference(upper, lower)
        out = torch.where(x < half, F.logsigmoid(upper), mid)
        return torch.where(x > 1.0 - half, F.logsigmoid(-lower), out)

    def sample(self, sample_shape: torch.Size | tuple = ()) -> torch.Tensor:
        shape = self._extended_shape(torch.Size(sample_shape))
        u = torch.rand(shape, dtype=self.loc.dtype, device=self.loc.device).clamp(1e-6, 1 - 1e-6)
        x = self.loc + torch.exp(self.log_scale) * (torch.log(u) - torch.log1p(-u))
        return (torch.round(x.clamp(0.0, 1.0) * LEVELS) / LEVELS).detach()


class DiscretizedLogisticLikelihood(Likelihood):
    """Color or grey 8-bit images: per pixel a discretized logistic with mean sigmoid(a)
    and log-scale bounded below by ``logvar_min / 2`` if set (else by log(1/(16*255)))."""

    params_per_dim = 2
    support = (0.0, 1.0)

    def __init__(self, logvar_min: float | None = None):
        super().__init__()
        self.log_scale_min = 0.5 * logvar_min if logvar_min is not None else -math.log(16 * LEVELS)

    def forward(self, out: torch.Tensor) -> Distribution:
        a, log_scale = out.chunk(2, dim=-1)
        log_scale = self.log_scale_min + F.softplus(log_scale - self.log_scale_min)
        return _independent(DiscretizedLogistic(torch.sigmoid(a), log_scale))

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out.chunk(2, dim=-1)[0])


#: every decoder likelihood by its config name (``model.likelihood``): a factory from the
#: model config. Add a likelihood here and the config validation learns it.
LIKELIHOODS: dict[str, Callable[[ModelConfig], Likelihood]] = {
    "bernoulli": lambda c: BernoulliLikelihood(),
    "gaussian": lambda c: GaussianLikelihood(c.logvar_min),
    "gaussian_shared": lambda c: SharedGaussianLikelihood(c.shared_logvar),
    "poisson": lambda c: PoissonLikelihood(),
    "discretized_logistic": lambda c: DiscretizedLogisticLikelihood(c.logvar_min),
}


def make_likelihood(config: ModelConfig) -> Likelihood:
    """The decoder likelihood named by ``config.likelihood`` (validated by the config)."""
    return LIKELIHOODS[config.likelihood](config)
