"""The datasets, by name: ``load(name)`` returns a verified :class:`Dataset`.

- :mod:`.files`: every shipped file with its sha256, and optional downloads (pooch);
- :mod:`.registry`: ``DATASETS``, the one list of dataset names, and their loaders;
- :mod:`.subsets`: subsets that stand for a whole split (``Dataset.subset``), never ``test[:n]``;
- :mod:`.svhn`: the optional SVHN download.
"""

from .registry import DATASETS, Dataset, channel_view, load
from .subsets import representative

__all__ = ["DATASETS", "Dataset", "channel_view", "load", "representative"]
