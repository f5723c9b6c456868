"""environment.yml (conda, Binder) and pyproject.toml must name the same pinned packages."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pyproject_pins() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs += extra
    return dict(r.split("==") for r in reqs)


def environment_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def test_every_dependency_is_pinned_exactly():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for r in meta["dependencies"] + sum(meta["optional-dependencies"].values(), []):
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][\w.]*", r), r


def test_environment_yml_matches_pyproject():
    assert environment_pins() == pyproject_pins()


def test_torch_is_the_cpu_pin():
    assert pyproject_pins()["torch"] == "2.13.0"


def test_environment_installs_the_package():
    assert re.search(r"^\s*-\s+-e \.\s*$", (ROOT / "environment.yml").read_text(), re.M)
