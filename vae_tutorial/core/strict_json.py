"""JSON for configs, parsed strictly: NaN, Infinity and numbers that overflow to infinity are
refused when the text is parsed (Python's json accepts them; a config must not)."""

from __future__ import annotations

import json
import math
from typing import Any

from ..errors import ConfigError


def _refuse_constant(name: str) -> Any:
    raise ConfigError(f"{name} is not a number a config may hold; write a finite number")


def _finite_float(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ConfigError(f"{text} is out of range for a number; write a finite number")
    return v


def parse_json(text: str) -> Any:
    """Parse config JSON, refusing NaN, Infinity and numbers that overflow to infinity
    (Python's json accepts them; a config must not)."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise ConfigError(f"config is not valid JSON: {e}") from e
