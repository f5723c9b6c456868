"""Every number a student reads in a notebook's prose agrees with what the code computes.

Each notebook has a table of claims, ``notebooks/claims/<notebook>.toml``. A claim quotes a
sentence of a markdown cell with its numbers in braces and names where the numbers come from:

    [[claim]]
    text = "the approximation gap is {1.2} nats"      # verbatim (whitespace-normalised)
    output = 'approximation gap\\s+([-\\d.]+)'         # regex over the stored text outputs,
                                                       # one group per brace, in order
    # or: python = "expression"   evaluated now, with `vt` (vae_tutorial), `np`, `json`,
    #                             `DATA` (the shipped data folder), `nb` (stored outputs) and
    #                             `mod` (importlib.import_module, for a package module), `re`;
    #                             a number or a tuple, one per brace
    # or: source = "Kingma & Welling (2014), Figure 2"   a value quoted from the literature:
    #                             the cell must name it (`cite`, default the source itself)
    # or: read_off = "Figure 3, +-2 nats"   a number read off a plot: the cell must say
    #                             "read off" and give the reading error
    tol = 0.5                                          # optional; default: the text's rounding
    numbers = ["-98.5"]    # instead of braces, for numbers inside $math$ (LaTeX has braces):
                           # the numbers, as written in the quote, in source order

A number in the text must equal its source rounded to the text's decimals (or within `tol`).
Every decimal number and every number with a unit (nats, bits/dim, ms, %, ...) in a markdown
cell's prose, and every decimal and a\\times10^{b} inside its $math$, must sit inside some
claim's braces (or ``numbers``) or in an ``[[exempt]]`` entry that says why it is not computed
(a setting, a definition): a new number in the prose with no source fails here, so the text
cannot drift from the outputs unnoticed.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
CLAIMS = ROOT / "notebooks" / "claims"

NUMBER = r"[-−]?\d[\d,]*(?:\.\d+)?(?:e[-−]?\d+)?"
UNITS = r"(?:(?:nats?|bits?(?:/dim)?|ms|s|minutes?|hours?|CPU-hours?|kB|MB|MiB|GB|x)\b|%)"
# numbers a census looks at: decimals, and integers with a unit
# in $math$: decimals and a \times 10^{b}; integers there are mostly constants of formulas
MATH_CENSUS = re.compile(
    r"(?<![\w.\\^_{])[-−]?\d+(?:\.\d+)?\s*\\times\s*10\^\{?[-−]?\d+\}?"
    r"|(?<![\w.\\^_{])[-−]?\d+\.\d+"
)
CENSUS = re.compile(
    rf"(?<![\w.$\\^_{{]){NUMBER}(?=\s*{UNITS})|(?<![\w.$\\^_{{])[-−]?\d+\.\d+(?:e[-−]?\d+)?"
)


def normalise(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def markdown_cells(nb: dict) -> dict[int, str]:
    """The markdown cells by their index in the notebook, whitespace-normalised."""
    return {i: normalise("".join(c["source"])) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "markdown"}  # fmt: skip


def stored_text(nb: dict) -> str:
    """The notebook's stored text outputs (stream and text/plain), in cell order."""
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        for o in c.get("outputs", []):
            if o["output_type"] == "stream":
                out.append("".join(o["text"]))
            elif "text/plain" in o.get("data", {}) and "text/html" not in o.get("data", {}):
                out.append("".join(o["data"]["text/plain"]))
    return "\n".join(out)


def to_float(s: str) -> float:
    """A number as written in prose or math: 1,234.5, −3, 4.4e12, 2\\times10^{14}."""
    s = s.replace(",", "").replace("−", "-").replace(" ", "")
    m = re.fullmatch(r"(-?[\d.]+)\\times10\^\{?(-?\d+)\}?", s)
    return float(m.group(1)) * 10.0 ** int(m.group(2)) if m else float(s)


def decimals(s: str) -> int:
    """Decimal places of a number as written (of its value: 3.4e-04 has 5)."""
    s = s.replace(",", "").replace("−", "-").replace(" ", "")
    m = re.fullmatch(r"(-?[\d.]+)\\times10\^\{?(-?\d+)\}?", s)
    if m:
        s = f"{m.group(1)}e{m.group(2)}"
    mant, _, exp = s.partition("e")
    places = len(mant.split(".")[1]) if "." in mant else 0
    return places - int(exp or 0)


def braces(text: str) -> tuple[str, list[str]]:
    """The plain quote (braces removed) and the numbers inside the braces."""
    nums = re.findall(r"\{([^{}]*)\}", text)
    return normalise(re.sub(r"\{([^{}]*)\}", r"\1", text)), nums


def source_values(claim: dict, outputs: str, n: int) -> list[float]:
    """The numbers a claim's source gives; ``outputs``: the notebook's :func:`stored_text`."""
    if "output" in claim:
        m = re.search(claim["output"], outputs, flags=re.S)
        if not m:
            raise AssertionError(f"no stored output matches {claim['output']!r}")
        vals = [to_float(g) for g in m.groups()]
    elif "python" in claim:
        import importlib

        import vae_tutorial as vt
        from vae_tutorial.settings import data_dir

        scope = {"vt": vt, "np": np, "json": json, "DATA": data_dir(), "nb": outputs,
                 "mod": importlib.import_module, "re": re}  # fmt: skip
        v = eval(claim["python"], scope)  # noqa: S307 - expressions written in this repo
        vals = [float(x) for x in (v if isinstance(v, (tuple, list)) else (v,))]
    else:
        raise AssertionError("a claim needs output or python, or is a source / read_off quote")
    if len(vals) != n:
        raise AssertionError(f"{n} numbers in braces but the source gives {len(vals)}")
    return vals


def check_notebook(nb: dict, table: dict) -> list[str]:
    """All the ways the prose of one notebook disagrees with its claims table (empty: none)."""
    cells, outputs = markdown_cells(nb), stored_text(nb)
    problems: list[str] = []
    covered: list[tuple[int, str, str]] = []  # (cell index, quote, a number it accounts for)
    for claim in table.get("claim", []):
        quote, nums = braces(claim["text"])
        if "numbers" in claim:  # numbers written in $math$, whose braces are LaTeX's
            quote, nums = normalise(claim["text"]), list(claim["numbers"])
            nums_missing = [n for n in nums if n not in quote]
            if nums_missing:
                problems.append(f"numbers {nums_missing} are not in the quote {quote!r}")
                continue
        where = [i for i, c in cells.items() if quote in c]
        if not where:
            problems.append(f"not in any markdown cell: {quote!r}")
            continue
        covered += [(i, quote, n) for i in where for n in nums]
        if not nums:
            problems.append(f"a claim with no number in braces: {quote!r}")
            continue
        if "source" in claim:
            cite = claim.get("cite", claim["source"])
            if not any(cite in cells[i] for i in where):
                problems.append(
                    f"{quote!r} quotes {claim['source']} but its cell does not say {cite!r}"
                )
            continue
        if "read_off" in claim:
            if not any("read off" in cells[i] and "±" in cells[i] for i in where):
                problems.append(
                    f"{quote!r} is read off a plot: say 'read off' and give ± its error"
                )
            continue
        try:
            vals = source_values(claim, outputs, len(nums))
        except Exception as e:  # noqa: BLE001 - reported as a failing claim
            problems.append(f"{quote!r}: {e}")
            continue
        for s, v in zip(nums, vals, strict=True):
            t = to_float(s)
            tol = claim.get("tol", 0.5 * 10.0 ** -decimals(s) * (1 + 1e-9))
            if not math.isfinite(v) or abs(t - v) > tol + 1e-12:
                problems.append(f"{quote!r}: the text says {s}, the source gives {v:.6g}")
    exempt = [normalise(e["text"]) for e in table.get("exempt", [])]
    for e in exempt:
        if not any(e in c for c in cells.values()):
            problems.append(f"exempt text not in any markdown cell: {e!r}")
    for i, cell in cells.items():
        prose = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\]\([^)]*\)", " ", cell)
        # the stated reading time is measured by tests/test_notebooks.py; a reading error
        # (±1 nat) belongs to its read_off claim
        prose = re.sub(r"[Rr]eading(?: time)?:? about \d+ minutes|±\s*[\d.]+", " ", prose)
        maths = " ".join(re.findall(r"\$\$.*?\$\$|\$[^$]*\$", cell))
        found = [*CENSUS.finditer(prose), *MATH_CENSUS.finditer(maths)]
        for m in found:
            prose_or_math = prose if m.re is CENSUS else maths
            ctx = prose_or_math[max(0, m.start() - 40) : m.end() + 40]
            num = m.group(0)
            if any(q in cell and _same(num, n) for j, q, n in covered if j == i):
                continue
            if any(e in cell and num in e for e in exempt):
                continue
            problems.append(f"cell {i}: {num!r} has no claim or exemption: ...{ctx}...")
    return problems


def _same(census: str, claimed: str) -> bool:
    """A number the census found is the one a claim lists (as written, or as a value)."""
    if census.replace(" ", "") == claimed.replace(" ", ""):
        return True
    try:
        return to_float(census) == to_float(claimed)
    except ValueError:
        return False


def load_table(path: Path) -> dict:
    f = CLAIMS / (path.stem + ".toml")
    if not f.exists():
        return {}
    return tomllib.loads(f.read_text())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_number_in_the_prose_agrees_with_its_source(path):
    nb = json.loads(path.read_text())
    problems = check_notebook(nb, load_table(path))
    assert not problems, f"{path.name}: " + "\n".join(problems)


def test_every_claims_table_belongs_to_a_notebook():
    stems = {p.stem for p in NOTEBOOKS}
    assert {f.stem for f in CLAIMS.glob("*.toml")} <= stems


# --- the mechanism itself -----------------------------------------------------------------

NB = {
    "cells": [
        {"cell_type": "markdown", "source": ["The gap is 1.2 nats; the\n", "step size is 0.02."]},
        {
            "cell_type": "code",
            "source": [],
            "outputs": [{"output_type": "stream", "text": ["gap 1.23\n"]}],
        },
    ]
}
TABLE = {
    "claim": [{"text": "The gap is {1.2} nats", "output": r"gap ([-\d.]+)"}],
    "exempt": [{"text": "step size is 0.02", "why": "a setting"}],
}


def test_the_checker_accepts_agreeing_prose():
    assert check_notebook(NB, TABLE) == []


def test_a_drifted_prose_number_fails():
    nb = json.loads(json.dumps(NB).replace("1.2 nats", "1.4 nats"))
    table = json.loads(json.dumps(TABLE).replace("{1.2}", "{1.4}"))
    assert any("the text says 1.4" in p for p in check_notebook(nb, table))
    # the prose changed but not the table: the quote is gone
    assert any("not in any markdown cell" in p for p in check_notebook(nb, TABLE))


def test_a_changed_output_fails():
    nb = json.loads(json.dumps(NB).replace("gap 1.23", "gap 1.31"))
    assert any("the source gives 1.31" in p for p in check_notebook(nb, TABLE))


def test_a_new_number_without_a_source_fails():
    nb = json.loads(
        json.dumps(NB).replace("step size is 0.02.", "step size is 0.02; ELBO -87.5 nats.")
    )
    assert any("'-87.5' has no claim" in p for p in check_notebook(nb, TABLE))


def test_a_number_in_math_is_counted_and_can_be_claimed():
    nb = json.loads(
        json.dumps(NB).replace("step size is 0.02.", "step size is 0.02; $p_{x} = -98.5$.")
    )
    assert any("'-98.5' has no claim" in p for p in check_notebook(nb, TABLE))
    claim = {"text": "$p_{x} = -98.5$", "numbers": ["-98.5"], "output": r"gap ([-\d.]+)"}
    problems = check_notebook(nb, {**TABLE, "claim": [*TABLE["claim"], claim]})
    assert problems == ["'$p_{x} = -98.5$': the text says -98.5, the source gives 1.23"]


def test_a_changed_shipped_result_fails(tmp_path):
    """A python claim reads the shipped file at test time: change the file, the claim fails."""
    f = tmp_path / "result.json"
    f.write_text(json.dumps({"gap": 1.2}))
    table = {
        "claim": [
            {"text": "The gap is {1.2} nats", "python": f"json.load(open({str(f)!r}))['gap']"}
        ]
    }
    assert check_notebook(NB, {**table, "exempt": TABLE["exempt"]}) == []
    f.write_text(json.dumps({"gap": 2.5}))
    assert any("the source gives 2.5" in p for p in check_notebook(NB, table))


def test_a_quoted_value_names_its_source_and_a_read_value_its_error():
    nb = json.loads(json.dumps(NB).replace("The gap is 1.2 nats", "The paper reports 1.2 nats"))
    cited = {"claim": [{"text": "reports {1.2} nats", "source": "Kingma & Welling (2014)"}]}
    assert any("does not say" in p for p in check_notebook(nb, cited))
    read = {"claim": [{"text": "reports {1.2} nats", "read_off": "Figure 3"}]}
    assert any("read off" in p for p in check_notebook(nb, read))


def test_a_quote_accounts_only_for_the_numbers_it_lists():
    """A second number inside a claim's quote, not in braces, is not checked by that claim."""
    nb = json.loads(
        json.dumps(NB).replace("The gap is 1.2 nats;", "The gap is 1.2 nats, 3.5 nats;")
    )
    table = {
        **TABLE,
        "claim": [{"text": "The gap is {1.2} nats, 3.5 nats", "output": r"gap ([-\d.]+)"}],
    }
    assert any("'3.5' has no claim" in p for p in check_notebook(nb, table))
