"""What one training run keeps track of besides the weights (used by :mod:`.train`): when to
evaluate (:class:`Schedule`), the objective of every step since the last evaluation
(:class:`Trace`), and the divergence guard that keeps the last good weights (:class:`Guard`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch

from ..errors import TrainingDivergedError

__all__ = ["Guard", "Schedule", "Trace"]


class Trace:
    """The objective of every step since the last evaluation, in one growing buffer. (A list
    of 0-d tensors, one per step, scatters small blocks through the heap that keep freed
    memory from going back to the system: 70 MiB more at the peak over one epoch.)"""

    def __init__(self, values: Sequence[float] = ()):
        self.buf: torch.Tensor | None = None
        self.n = 0
        for v in values:
            self.append(torch.tensor(v))

    def append(self, value: torch.Tensor) -> None:
        if self.buf is None:
            self.buf = torch.empty(512, dtype=value.dtype, device=value.device)
        elif self.n == len(self.buf):
            self.buf = torch.cat([self.buf, torch.empty_like(self.buf)])
        self.buf[self.n] = value
        self.n += 1

    def mean(self) -> float | None:
        """The mean over the steps (as ``torch.stack(values).mean()``), None if none."""
        return float(self.buf[: self.n].mean()) if self.n else None

    def values(self) -> list[float]:
        return self.buf[: self.n].tolist() if self.n else []

    def clear(self) -> None:
        self.n = 0


class Schedule:
    """The sample counts to evaluate at, increasing: due at the first minibatch boundary at or
    after each."""

    def __init__(self, points: Sequence[int], done: int = -1):
        self._todo = iter([p for p in points if p > done])
        self.next = next(self._todo, None)

    def due(self, samples: int) -> bool:
        return self.next is not None and samples >= self.next

    def passed(self, samples: int) -> None:
        while self.next is not None and self.next <= samples:
            self.next = next(self._todo, None)


class Guard:
    """The divergence guard: remembers the last good weights, watches the objective for NaN or
    inf (one flag on the device, read every 100 steps and at evaluations, so no step waits for
    it), and on divergence restores the good weights, saves them and raises."""

    def __init__(self, run, samples: int):
        self.run, self.bad = run, torch.zeros((), dtype=torch.bool, device=run.model.device())
        self.good(samples)

    def watch(self, value: torch.Tensor) -> None:
        self.bad |= ~torch.isfinite(value)

    def ok(self) -> bool:
        return not bool(self.bad)

    def good(self, samples: int) -> None:
        self.state, self.samples = copy.deepcopy(self.run.model.state_dict()), samples

    def restore_if_broken(self) -> None:
        if not all(torch.isfinite(p).all() for p in self.run.model.parameters()):
            self.run.model.load_state_dict(self.state)

    def diverged(self, samples: int) -> None:
        run, config = self.run, self.run.config
        run.model.load_state_dict(self.state)
        where = f" and saved to {run.checkpoint}" if run.checkpoint is not None else ""
        run.save_checkpoint()
        run.bar.close()
        raise TrainingDivergedError(
            f"training diverged: the ELBO became NaN or infinite between {self.samples:,} and "
            f"{samples:,} training samples evaluated (optimizer {config.optimizer}, "
            f"lr {config.lr}). The model was restored to its last good state at "
            f"{self.samples:,} samples{where}. Try a smaller train.lr (say {config.lr / 10:g}), "
            f"a log-variance floor (model.logvar_min) for Gaussian decoders, or check the data.",
            checkpoint=str(run.checkpoint) if run.checkpoint else None,
            samples=self.samples,
        )
