"""Exceptions with messages that say what is wrong and how to fix it."""

from __future__ import annotations


class VAETutorialError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(VAETutorialError, ValueError):
    """A configuration key is unknown or its value is invalid."""


class DataError(VAETutorialError, OSError):
    """A shipped data file is missing, truncated, corrupted or unreadable."""


class CheckpointError(VAETutorialError, OSError):
    """A checkpoint is missing, corrupted, or does not match its configuration."""


class TrainingDivergedError(VAETutorialError, FloatingPointError):
    """The ELBO became NaN or infinite during training.

    ``checkpoint`` is the path of the last good checkpoint written (or None) and
    ``samples`` the number of training samples evaluated at that checkpoint.
    """

    def __init__(self, message: str, checkpoint: str | None = None, samples: int = 0):
        super().__init__(message)
        self.checkpoint = checkpoint
        self.samples = samples
