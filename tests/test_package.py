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
#: what each layer may import (ARCHITECTURE.md); LEAVES import nothing of ours and may be
#: imported from anywhere
LEAVES = {"vae_tutorial.core.errors", "vae_tutorial.viz.images"}
ALLOWED = {
    "settings": set(),
    "theory": {"settings", "theory"},
    "core": {"settings", "theory", "core", "datasets"},
    "datasets": {"settings", "core", "datasets"},
    "studies": {"settings", "theory", "core", "datasets", "studies", "cli_models"},
    "viz": {"settings", "theory", "core", "studies", "viz"},
    "widgets": {"settings", "theory", "core", "datasets", "studies", "viz", "widgets"},
    "cli": {"settings", "core", "datasets", "studies", "cli", "cli_models"},
    "cli_models": {"settings", "core", "datasets", "cli_models"},
    "check": {"settings", "theory", "core", "datasets", "check"},
}


def _imports(path):
    """The vae_tutorial modules a file imports (absolute dotted names), at any depth."""
    import ast

    rel = path.relative_to(PACKAGE.parent).with_suffix("")
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
                out |= {mod} | {n for n in names if _is_module(n)}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("vae_tutorial")}
    return out


def _is_module(name: str) -> bool:
    p = PACKAGE.parent / name.replace(".", "/")
    return p.is_dir() or p.with_suffix(".py").exists()


def test_leaves_import_nothing_of_ours():
    for leaf in LEAVES:
        path = PACKAGE.parent / (leaf.replace(".", "/") + ".py")
        assert not _imports(path), leaf


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1].removesuffix(".py") if len(parts) > 1 else ""


def test_every_layer_imports_only_the_layers_it_may():
    bad = []
    for path in PACKAGE.rglob("*.py"):
        layer = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if layer in ("__init__", "__main__"):
            continue
        for mod in _imports(path):
            target = _layer(mod)
            if target and target not in ALLOWED[layer] and mod not in LEAVES:
                bad.append(f"{path.relative_to(PACKAGE)} imports {mod}")
    assert not bad, "\n".join(bad)


def test_theory_does_not_import_the_vae_core():
    for path in (PACKAGE / "theory").glob("*.py"):
        assert not {m for m in _imports(path) if _layer(m) in ("core", "studies")}, path.name


def test_no_module_is_over_350_lines():
    long = {
        p.name: n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 350
    }
    assert not long


def test_no_import_cycle_between_modules():
    """Module-level imports only (imports inside functions are deferred by design)."""
    import ast

    graph = {}
    for path in PACKAGE.rglob("*.py"):
        mod = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        mod = mod.removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        deps = set()
        for node in tree.body:  # top level only
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
