"""Tabs that build their pages when first opened (the classroom dashboard,
``notebooks/dashboards/latent_explorer.ipynb``, served by ``make classroom``).

Voila sends the browser every live widget before it shows the page: three browser explorers
are 4.5 MB of decoder weights. :class:`LazyTabs` builds only the first page at once; every
other page is built in the kernel the first time a student opens its tab (a fraction of a
second: the data and checkpoints are already loaded).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import ipywidgets as widgets


class LazyTabs(widgets.Tab):
    """A Tab from {title: function returning the page widget}: page ``i`` is built by its
    function once, when its tab is first selected (page 0 at once). Until then the page holds
    a one-line placeholder; a build that fails shows its error there, in one line, and is
    retried on the next selection."""

    def __init__(self, builders: Mapping[str, Callable[[], widgets.Widget]]):
        if not builders:
            raise ValueError("LazyTabs needs at least one (title, builder) pair")
        self._builders = list(builders.values())
        self.built: list[widgets.Widget | None] = [None] * len(self._builders)
        boxes = [widgets.VBox([widgets.HTML("<i>opening this tab...</i>")]) for _ in builders]
        super().__init__(children=boxes, titles=list(builders))
        self.observe(self._on_select, names="selected_index")
        self.build(0)

    def build(self, i: int) -> widgets.Widget | None:
        """Page ``i``, built now if it was not yet (None if its builder failed)."""
        if self.built[i] is None:
            try:
                page = self._builders[i]()
            except Exception as e:  # shown on the page: a callback has nowhere else to report
                self.children[i].children = (
                    widgets.HTML(f"<b>{type(e).__name__}</b>: {html.escape(str(e))}"),
                )
                return None
            self.built[i] = page
            self.children[i].children = (page,)
        return self.built[i]

    def _on_select(self, change: dict) -> None:
        if change["new"] is not None:
            self.build(change["new"])

    def __repr__(self) -> str:
        return f"LazyTabs: {', '.join(self.titles)} (interactive in Jupyter)"
