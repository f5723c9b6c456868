"""The machinery behind :mod:`vae_tutorial.check`: the :class:`Verdict`, a test :class:`Case`,
and :func:`run`, which calls a reader's function on every case and turns the first failure
into a verdict with a hint (chosen by recognising the value a typical mistake gives)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok``, a readable ``message`` and, on failure, the failing
    ``case`` ({"case": number, "label", "inputs", "expected", "got", "problem"})."""

    ok: bool
    message: str
    case: dict | None = None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        head, *rest = self.message.splitlines()
        out = [f"{'✅' if self.ok else '❌'} **{head}**"]
        block = [line for line in rest if line.startswith("  ")]
        if block:
            out += ["", "```text", *(line[2:] for line in block), "```"]
        out += [f"\n**Hint:** {line[5:].strip()}" for line in rest if line.startswith("Hint:")]
        return "\n".join(out)


@dataclass(frozen=True)
class Case:
    """One test case: ``args`` passed to the reader's function, the ``expected`` result (an
    array, or a tuple of arrays for several outputs) and the inputs as ``shown`` to the reader."""

    label: str
    args: tuple
    expected: Any
    shown: dict[str, Any]


#: a typical mistake: the value it produces on a case (None: not applicable) and its hint
Mistake = tuple[Callable[[Case], Any], str]


def numpy(a: Any) -> np.ndarray:
    """A float64 numpy copy of an array, tensor or number (raises on anything else)."""
    if type(a).__module__.startswith("torch"):
        a = a.detach().cpu().double().numpy()
    return np.array(a, dtype=np.float64)


def _copy(a: Any) -> Any:
    if isinstance(a, np.ndarray):
        return a.copy()
    return a.clone() if type(a).__module__.startswith("torch") else a


def _kind(x: Any) -> str:
    name = type(x).__name__
    return "None" if x is None else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _to_array(x: Any, expected: Any, what: str = "it returned") -> tuple[Any, str | None]:
    if x is None:
        return None, f"{what} None (is a `return` statement missing?)"
    try:
        a = numpy(x)
    except (TypeError, ValueError, AttributeError, RuntimeError):
        return None, f"{what} {_kind(x)}, which is not a number or an array of numbers"
    if np.shape(expected) == () and a.size == 1:
        a = a.reshape(())
    return a, None


def _coerce(raw: Any, expected: Any, names: Sequence[str]) -> tuple[Any, str | None]:
    if not isinstance(expected, tuple):
        return _to_array(raw, expected)
    if not isinstance(raw, tuple | list) or len(raw) != len(expected):
        what = f"{_kind(raw)} of {len(raw)}" if isinstance(raw, tuple | list) else _kind(raw)
        return None, f"it returned {what}, expected a tuple of {len(expected)}"
    names = list(names) or [f"output {i + 1}" for i in range(len(expected))]
    triples = zip(raw, expected, names, strict=True)
    parts = [_to_array(r, e, f"its {n} is") for r, e, n in triples]
    problems = [p for _, p in parts if p]
    return tuple(a for a, _ in parts), (problems[0] if problems else None)


def close(got: Any, want: Any, rtol: float, atol: float) -> bool:
    """True when ``got`` matches ``want`` (arrays or tuples of them; a None part of ``want``
    matches anything) in shape and value."""
    if isinstance(want, tuple):
        return isinstance(got, tuple) and all(
            w is None or close(g, w, rtol, atol) for g, w in zip(got, want, strict=True)
        )
    if want is None or got is None:
        return False
    want = numpy(want)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def fmt(v: Any, indent: int = 0) -> str:
    """A value as the reader sees it: numbers to 6 digits, small arrays in full, large ones
    summarised by shape and range."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool | int | np.integer):
        return str(v)
    try:
        a = numpy(v) + 0.0  # + 0.0 shows -0.0 as 0
    except (TypeError, ValueError, AttributeError, RuntimeError):
        return repr(v)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    if a.size > 24:
        return f"array of shape {a.shape}, values from {a.min():.6g} to {a.max():.6g}"
    text = np.array2string(a, precision=5, separator=", ", max_line_width=90 - indent)
    return text.replace("\n", "\n" + " " * indent)


def _shape(a: Any) -> str:
    return str(tuple(a.shape)) if hasattr(a, "shape") else "?"


def _diagnose(case: Case, got: Any, mistakes: Sequence[Mistake], rtol: float, atol: float):
    for make, hint in mistakes:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                value = make(case)
        except Exception:  # a mistake that does not apply to this case
            continue
        if value is not None and close(got, value, rtol, atol):
            return hint
    return None


def _nonfinite(got: Any) -> bool:
    parts = got if isinstance(got, tuple) else (got,)
    return any(p is not None and not np.all(np.isfinite(p)) for p in parts)


def _wanted(expected: Any, parts: Sequence[str]) -> str:
    if parts:
        return f"a tuple ({', '.join(parts)}) of arrays"
    shape = np.shape(expected)
    return "one number (a float)" if shape == () else f"an array of shape {shape}"


def _misshapen(got: Any, want: Any) -> bool:
    if isinstance(want, tuple):
        return any(_misshapen(g, w) for g, w in zip(got, want, strict=True))
    return _shape(got) != _shape(numpy(want))


def _lines(name: str, value: Any) -> list[str]:
    pad = len(f"  {name}: ")
    return [f"  {name}: {fmt(value, pad)}"]


def run(
    exercise: str,
    fn: Any,
    cases: Sequence[Case],
    mistakes: Sequence[Mistake] = (),
    *,
    against: str,
    fallback: str,
    nonfinite: str = "nan or inf appeared: look for an exp that overflows, a log of 0 or a 0/0.",
    shape: str = "",
    raised: str = "run your function on the inputs above by hand and read the traceback.",
    parts: Sequence[str] = (),
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> Verdict:
    """Call ``fn`` on every case; the first failure becomes a verdict naming the case, what was
    expected and what came back, with the hint of the first mistake whose value ``fn`` gave
    (else the ``raised``, ``nonfinite``, ``shape`` or ``fallback`` hint). Never raises on a
    wrong ``fn``."""
    if not callable(fn):
        return Verdict(False, f"check.{exercise} takes your function itself, not {_kind(fn)}.")
    for k, case in enumerate(cases, 1):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                raw = fn(*(_copy(a) for a in case.args))
        except Exception as e:  # the reader's code failed: report it, do not raise
            got, problem = None, f"it raised {type(e).__name__}: {e}"
        else:
            got, problem = _coerce(raw, case.expected, parts)
        if problem is None and close(got, case.expected, rtol, atol):
            continue
        hint = None if got is None else _diagnose(case, got, mistakes, rtol, atol)
        if hint is None and problem and "raised" in problem:
            hint = raised
        elif hint is None and problem:
            hint = f"return {_wanted(case.expected, parts)}."
        elif hint is None and _nonfinite(got) and not _nonfinite(case.expected):
            problem, hint = "it returned nan or inf where the answer is finite", nonfinite
        elif hint is None:
            hint = shape if shape and _misshapen(got, case.expected) else fallback
        exp, names = case.expected, parts or ("",)
        lines = [f"Not yet: your {exercise} is wrong on case {k} of {len(cases)}: {case.label}."]
        if problem:
            lines.append(f"  problem: {problem}")
        for key, value in case.shown.items():
            lines += _lines(f"input {key}", value)
        for i, name in enumerate(names):
            want = exp[i] if parts else exp
            have = got[i] if parts and isinstance(got, tuple) else (None if parts else got)
            label = f" {name}" if name else ""
            lines += _lines(f"expected{label}", want)
            if have is not None:
                lines += _lines(f"got{label}", have)
                if _shape(have) != _shape(numpy(want)):
                    lines.append(f"  shape: got {_shape(have)}, expected {_shape(numpy(want))}")
        lines.append(f"Hint: {hint}")
        info = {"case": k, "label": case.label, "inputs": dict(case.shown)}
        info |= {"expected": exp, "got": got, "problem": problem}
        return Verdict(False, "\n".join(lines), info)
    return Verdict(True, f"Correct: your {exercise} matches {against} on {len(cases)} cases.")
