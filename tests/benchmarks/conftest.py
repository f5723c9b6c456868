"""The benchmarks are scripts beside the package (benchmarks/), not part of it: make them
importable for their tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
