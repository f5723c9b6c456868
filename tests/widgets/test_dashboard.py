"""The classroom dashboard's lazy tabs, headless: only the first page is built at once, the
others when their tab is first selected, each once; a failing build shows its error."""

import pytest

widgets = pytest.importorskip("ipywidgets")

from vae_tutorial.widgets.dashboard import LazyTabs  # noqa: E402


def test_pages_are_built_when_first_selected():
    calls = []

    def page(name):
        def build():
            calls.append(name)
            return widgets.Label(name)

        return build

    tabs = LazyTabs({"one": page("one"), "two": page("two"), "three": page("three")})
    assert calls == ["one"] and list(tabs.titles) == ["one", "two", "three"]
    assert tabs.children[0].children[0].value == "one"
    assert "opening" in tabs.children[2].children[0].value
    tabs.selected_index = 2
    tabs.selected_index = 0
    tabs.selected_index = 2
    assert calls == ["one", "three"] and tabs.children[2].children[0].value == "three"
    assert tabs.built[1] is None and "LazyTabs: one, two, three" in repr(tabs)


def test_a_failing_page_shows_its_error_and_is_retried():
    attempts = []

    def broken():
        attempts.append(1)
        raise FileNotFoundError("no checkpoint <frey-z2>")

    tabs = LazyTabs({"ok": lambda: widgets.Label("ok"), "broken": broken})
    tabs.selected_index = 1
    message = tabs.children[1].children[0].value
    assert "FileNotFoundError" in message and "&lt;frey-z2&gt;" in message
    tabs.selected_index = 0
    tabs.selected_index = 1
    assert len(attempts) == 2
    with pytest.raises(ValueError, match="at least one"):
        LazyTabs({})
