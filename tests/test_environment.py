"""One source of truth for the environment: pyproject.toml declares ranges, requirements.lock the
exact versions `make lab`, `make test` and environment.yml install, constraints-min.txt the lower
end of every range (`make test-min`). These tests keep the three in agreement."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def declared() -> dict[str, Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + sum(meta["optional-dependencies"].values(), [])
    return {(r := Requirement(line)).name: r for line in reqs}


def pins(name: str) -> dict[str, str]:
    out = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            pkg, version = line.split("==")
            out[pkg] = version
    return out


def test_every_dependency_is_a_range_with_a_lower_bound():
    for name, r in declared().items():
        assert any(s.operator == ">=" for s in r.specifier), f"{name}: no lower bound"
        assert not any(s.operator == "==" for s in r.specifier), (
            f"{name}: exact pins go in the lock"
        )


def test_the_lock_pins_every_dependency_inside_its_range():
    lock = pins("requirements.lock")
    assert set(lock) == set(declared())
    for name, r in declared().items():
        assert Version(lock[name]) in r.specifier, f"{name}=={lock[name]} outside {r.specifier}"


def test_the_minimum_constraints_are_the_lower_bounds():
    low = pins("constraints-min.txt")
    for name, r in declared().items():
        if name == "ruff":  # a dev tool: make test-min does not install it
            continue
        bound = next(s.version for s in r.specifier if s.operator == ">=")
        assert Version(low[name]) == Version(bound), f"{name}: {low[name]} is not the bound {bound}"


def test_torch_is_the_cpu_build_of_this_machine():
    assert pins("requirements.lock")["torch"] == "2.13.0"
    assert Version(pins("constraints-min.txt")["torch"]) == Version("2.13.0")


def test_environment_yml_installs_the_lock_and_the_package():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s+-r requirements\.lock\s*$", text, re.M)
    assert re.search(r"^\s*-\s+-e \.\s*$", text, re.M)
    assert re.search(r"^\s*-\s+python=3\.11\s*$", text, re.M)


def test_make_installs_from_the_lock():
    make = (ROOT / "Makefile").read_text()
    assert "-c requirements.lock" in make and "-c constraints-min.txt" in make


def test_requires_python_admits_the_tested_version():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    from packaging.specifiers import SpecifierSet

    assert Version("3.11.7") in SpecifierSet(meta["requires-python"])
