"""Notebook hygiene: stored with outputs and execution counts, structured for learners.

nbval (run by `make test`) executes every notebook; these checks look at what is stored.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.ipynb"))


def cells(path):
    return json.loads(path.read_text())["cells"]


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_index.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_with_outputs_and_counts(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    assert all(c["execution_count"] is not None for c in code), "run every cell before saving"
    assert sum(bool(c["outputs"]) for c in code) >= len(code) // 2, "stored without outputs"
    for c in code:
        for o in c["outputs"]:
            assert o["output_type"] != "error", "a stored error output"
    counts = [c["execution_count"] for c in code]
    assert counts == sorted(counts), "cells were run out of order"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_structure_for_learners(path):
    cs = cells(path)
    first = "".join(cs[0]["source"])
    assert cs[0]["cell_type"] == "markdown" and first.startswith("# ")
    assert "Learning goals" in first and "Prerequisites" in first
    text = "\n".join("".join(c["source"]) for c in cs if c["cell_type"] == "markdown")
    assert "## Summary" in text and "## Exercises" in text and "<details>" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_the_package_not_paths(path):
    src = "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "code")
    assert "sys.path" not in src
    assert "import vae_tutorial" in src or "from vae_tutorial" in src
    blob = json.dumps(cells(path))
    assert not re.search(r"/(work|root|tmp|home)/", blob), "a machine path leaked into outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checked_outputs_do_not_depend_on_the_last_bits(path):
    """Cells whose printed numbers nbval compares print them at a precision that is the same
    on every CPU kernel path: at most three decimals, and no negative zero left unsanitized
    (notebooks/sanitize.cfg maps -0.0 to 0.0). Exact checks are asserts with tolerances."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(path.parent / "sanitize.cfg")
    patterns = [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]
    for i, c in enumerate(cells(path)):
        if c["cell_type"] != "code" or "NBVAL_CHECK_OUTPUT" not in "".join(c["source"]):
            continue
        text = "".join("".join(o.get("text", "")) for o in c["outputs"])
        for rx, rep in patterns:
            text = rx.sub(rep.replace("\\1", r"\1"), text)
        long = re.findall(r"\d\.\d{4,}", text)
        assert not long, f"cell {i} prints {long[:3]}: round to 3 decimals, assert the rest"
        assert not re.search(r"(?<![\w.])-0(\.0+)?(?![\d.])", text), f"cell {i}: negative zero"


#: reading speed of the time a notebook states: prose at 150 words a minute (technical text with
#: formulas), code at 20 lines a minute; exercises and references come on top ("plus the exercises")
WORDS_PER_MINUTE, LINES_PER_MINUTE, MAX_MINUTES = 150, 20, 33


def reading_minutes(path) -> float:
    """Minutes to read a notebook up to its Exercises / References, at the rates above."""
    words = lines = 0
    for c in cells(path):
        text = "".join(c["source"])
        end = re.search(r"^## (Exercises|References)", text, re.M)
        if c["cell_type"] == "markdown":
            words += len(text[: end.start() if end else None].split())
        else:
            lines += len(text.splitlines())
        if end:
            break
    return words / WORDS_PER_MINUTE + lines / LINES_PER_MINUTE


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_stated_reading_time_is_the_measured_one_and_at_most_about_30_minutes(path):
    first = "".join(cells(path)[0]["source"])
    stated = re.search(r"[Rr]eading(?: time)?:? about (\d+) minutes", first)
    assert stated, "state the reading time in the first cell: 'reading about N minutes'"
    minutes = reading_minutes(path)
    assert abs(int(stated.group(1)) - minutes) <= 5, (
        f"the first cell says {stated.group(1)}, the text takes {minutes:.0f}"
    )
    assert minutes <= MAX_MINUTES, f"{minutes:.0f} minutes of reading: split or cut the notebook"
