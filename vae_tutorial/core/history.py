"""What a training run records: :class:`History`, the ELBO against training samples evaluated
(the x-axis of the paper's Figure 2). Plain data: saved in checkpoints, study logs and
training states as a dict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class History:
    """Train/test ELBO (nats per datapoint) against training samples evaluated."""

    samples: list[int] = field(default_factory=list)
    train_elbo: list[float | None] = field(default_factory=list)
    test_elbo: list[float | None] = field(default_factory=list)
    #: the mean of the algorithm's own minibatch objective since the previous evaluation
    #: (AEVB: the SGVB estimate; MCEM: log p(x, z) at its posterior samples), nats
    objective: list[float | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    interrupted: bool = False
    #: training samples evaluated when Ctrl-C stopped the run (None: not interrupted)
    interrupted_at: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls(**d)

    def __repr__(self) -> str:
        if not self.samples:
            return "History(empty" + (", interrupted" if self.interrupted else "") + ")"
        test, train = self.test_elbo[-1], self.train_elbo[-1]
        return (
            f"History({len(self.samples)} evaluations, {self.samples[-1]:,} samples evaluated"
            + (f", train ELBO {train:.2f} nats" if train is not None else "")
            + (f", test ELBO {test:.2f} nats" if test is not None else "")
            + (", interrupted" if self.interrupted else "")
            + ")"
        )
