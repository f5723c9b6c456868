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
