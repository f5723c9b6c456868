import re
import subprocess
import sys

import pytest


def test_import_is_light():
    """`import vae_tutorial` must not pull in torch, ipywidgets or matplotlib."""
    code = (
        "import sys, vae_tutorial; "
        "print(sorted(m for m in ('torch', 'ipywidgets', 'matplotlib') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_lazy_attributes_resolve():
    import vae_tutorial as vt

    assert callable(vt.load) and callable(vt.load_pretrained) and callable(vt.fit)
    assert "load_or_train" in dir(vt)
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = vt.no_such_thing


def test_quick_switch(monkeypatch):
    from vae_tutorial import settings

    monkeypatch.setenv("VAE_TUTORIAL_QUICK", "1")
    assert settings.quick() and settings.pick("q", "f") == "q"
    monkeypatch.setenv("VAE_TUTORIAL_QUICK", "0")
    assert not settings.quick() and settings.pick("q", "f") == "f"


PACKAGE = __import__("pathlib").Path(__file__).resolve().parents[1] / "vae_tutorial"
ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"


def layer_table() -> tuple[dict[str, str], dict[str, list[str]], dict[str, set[str]]]:
    """ARCHITECTURE.md's layer table: each top-level module or package -> its layer, each
    layer -> what it may import (layers or dotted modules, in backticks), and the layers that
    may be imported for types and constants only, by each layer."""
    rows = [r for r in ARCHITECTURE.read_text().splitlines() if r.startswith("| ")]
    header = rows.index(next(r for r in rows if r.startswith("| layer |")))
    layer_of, allowed, types_only = {}, {}, {}
    for r in rows[header + 1 :]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", r.strip("|"))]
        if len(cells) != 3 or cells[0].startswith("---"):
            break
        names = [
            n.removesuffix(".py").removesuffix("/") for n in re.findall(r"`([^`]+)`", cells[0])
        ]
        layer = cells[0].split(":")[0] if cells[0].startswith("base") else names[0]
        for n in names:
            layer_of[n] = layer
        allowed[layer] = re.findall(r"`([^`]+)`", cells[2])
        types_only[layer] = set(re.findall(r"`([^`]+)` \*\(types and constants\)\*", cells[2]))
    return layer_of, allowed, types_only


def _imports(path, package=None):
    """The vae_tutorial modules a file imports (absolute dotted names), at any depth."""
    import ast

    package = package or PACKAGE
    rel = path.relative_to(package.parent).with_suffix("")
    here = list(rel.parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("vae_tutorial"):
                names = [f"{mod}.{a.name}" for a in node.names]
                out |= {mod} | {n for n in names if _is_module(n, package)}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("vae_tutorial")}
    return out


def _is_module(name: str, package=None) -> bool:
    p = (package or PACKAGE).parent / name.replace(".", "/")
    return p.is_dir() or p.with_suffix(".py").exists()


def _layer(module: str, layer_of: dict[str, str]) -> str:
    """The layer of a dotted module name (``vae_tutorial.core.model`` -> ``core``)."""
    parts = module.split(".")
    return layer_of.get(parts[1], "?") if len(parts) > 1 else ""


def _imported_names(path):
    """(module, name) for every ``from X import name`` of ours in a file, at any depth."""
    import ast

    here = list(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            for a in node.names:
                yield mod, a.name


def test_the_layer_table_is_read_and_points_upwards():
    layer_of, allowed, _ = layer_table()
    order = list(allowed)
    assert order[:4] == ["base", "theory", "datasets", "core"] and "cli" in order
    for layer, targets in allowed.items():
        for t in targets:
            top = layer_of.get(t.split(".")[0], t.split(".")[0])
            assert top in order[: order.index(layer) + 1], f"{layer} may import {t}, not above it"
    every = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in PACKAGE.glob("*")}
    missing = every - set(layer_of) - {"__init__", "__main__", "__pycache__", "configs"}
    assert not missing, f"in no row of ARCHITECTURE.md's layer table: {missing}"


def test_every_import_is_one_the_layer_table_allows():
    """Every import of ours, at any depth (deferred ones too), against ARCHITECTURE.md."""
    layer_of, allowed, types_only = layer_table()
    bad = []
    for path in PACKAGE.rglob("*.py"):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if top in ("__init__", "__main__"):
            continue
        layer = layer_of[top]
        ok = {layer, *allowed[layer]}
        for mod in _imports(path):
            target = _layer(mod, layer_of)
            dotted = mod.removeprefix("vae_tutorial.")
            if (
                target
                and target not in ok
                and not any(dotted.startswith(a + ".") or dotted == a for a in ok)
            ):
                bad.append(f"{path.relative_to(PACKAGE)} imports {mod} ({layer} -> {target})")
        for mod, name in _imported_names(path):
            if _layer(mod, layer_of) in types_only[layer]:
                if not name[:1].isupper():
                    bad.append(
                        f"{path.relative_to(PACKAGE)} imports {mod}.{name}: not a type or constant"
                    )
    assert not bad, "\n".join(bad)


def test_the_layer_test_fails_on_an_arrow_against_the_table(tmp_path):
    """A core module importing viz, as core/latent_space.py once did, is reported."""
    fake = tmp_path / "vae_tutorial"
    (fake / "core").mkdir(parents=True)
    (fake / "viz").mkdir()
    (fake / "core" / "x.py").write_text("def f():\n    from ..viz.images import tile\n")
    (fake / "viz" / "images.py").write_text("")
    layer_of, allowed, _ = layer_table()
    ok = {"core", *allowed["core"]}
    found = [m for m in _imports(fake / "core" / "x.py", fake) if _layer(m, layer_of) not in ok]
    assert "vae_tutorial.viz.images" in found


def test_theory_does_not_import_the_vae_core():
    for path in (PACKAGE / "theory").glob("*.py"):
        layer_of = layer_table()[0]
        assert not {m for m in _imports(path) if _layer(m, layer_of) in ("core", "studies")}, (
            path.name
        )


def test_no_module_is_over_350_lines():
    long = {
        p.name: n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 350
    }
    assert not long


def test_no_import_cycle_between_modules():
    """Between modules, counting imports inside functions too: a deferred import only hides
    a cycle from Python, not from a reader."""
    import ast

    graph = {}
    for path in PACKAGE.rglob("*.py"):
        mod = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        mod = mod.removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        deps = set()
        for node in ast.walk(tree):  # at any depth
            if isinstance(node, ast.ImportFrom) and node.level:
                here = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for a in node.names:
                    sub = f"{target}.{a.name}"
                    p = PACKAGE.parent / sub.replace(".", "/")
                    deps.add(sub if p.with_suffix(".py").exists() or p.is_dir() else target)
        graph[mod] = deps
    seen, stack = set(), []

    def visit(m):
        if m in stack:
            raise AssertionError("import cycle: " + " -> ".join([*stack[stack.index(m) :], m]))
        if m in seen or m not in graph:
            return
        stack.append(m)
        for d in graph[m]:
            visit(d)
        stack.pop()
        seen.add(m)

    for m in graph:
        visit(m)


def test_import_does_not_load_the_studies_or_widgets():
    code = (
        "import sys, vae_tutorial; vae_tutorial.quick(); "
        "print(sorted(m for m in sys.modules if m.startswith(('vae_tutorial.studies', "
        "'vae_tutorial.widgets', 'ipywidgets'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_a_skip_without_an_outside_reason_fails_the_run(tmp_path):
    """conftest.py turns a skip for a reason inside the project (a missing shipped file) into a
    failed run, and lets a missing browser skip."""
    import shutil

    shutil.copy(PACKAGE.parent / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_x.py").write_text(
        "import pytest\n"
        "def test_browser():\n    pytest.skip('needs chromium')\n"
        "def test_file():\n    pytest.skip('data/x.json not generated yet')\n"
    )
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    r = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1, r.stdout
    assert "SKIP WITHOUT AN OUTSIDE REASON" in r.stdout and "data/x.json" in r.stdout
    assert "needs chromium" not in r.stdout.split("SKIP WITHOUT")[1]
    (tmp_path / "test_x.py").write_text(
        "import pytest\ndef test_b():\n    pytest.skip('chromium')\n"
    )
    assert subprocess.run(run, capture_output=True, text=True, cwd=tmp_path).returncode == 0
