"""The one render loop every widget shares.

A :class:`View` is a ``VBox`` with an ``image`` (a :class:`~.pixels.PixelImage`: raw pixels
painted into a canvas) and an ``Output`` for errors. Subclasses put their controls in
``children``, wire them with ``control.observe(self.render, names="value")`` and implement
:meth:`View.draw`, which returns the image of the current state: a grey (H, W) or color
(H, W, 3) array (the fast path: no PNG to compress in the kernel or decode in the browser),
or PNG bytes. :meth:`View.render` calls it: on success the image is
replaced and any old error cleared; on failure the last good image stays and the error is
shown below it: one line for a bad input (``ValueError`` or a package error), the traceback
for anything unexpected (a bug to report).

Without a kernel: a stored notebook keeps each widget's last state (``make notebooks``), so a
reader who opens it without running it sees the last image; the sliders there cannot redraw
it. Every view therefore ends with ``kernel_note``, an HTML line that is empty while the kernel
runs and that the storing step fills in (``KERNEL_NOTE``, written into the saved state by
``jupyter/nbconvert/jupyter_nbconvert_config.py``).

Accessibility: every view carries an invisible :class:`~.aria.AriaNames` as its last child,
which names the view's slider handles for screen readers (ipywidgets 8.1.9 leaves them
nameless); give a slider a ``tooltip`` for a name longer than its description. The image's
accessible name is the view's one-line :meth:`View.describe`.
"""

from __future__ import annotations

import traceback

import ipywidgets as widgets
import numpy as np

from ..errors import VAETutorialError
from .aria import AriaNames
from .pixels import PixelImage

#: the line a stored kernel-side view shows under its last image (see the module docstring)
KERNEL_NOTE = (
    "This is the image as the notebook was saved: moving the controls needs a running kernel "
    "(run this cell, or Run All)."
)
NOTE_CLASS = "vae-kernel-note"


def error_line(e: BaseException) -> str:
    """The one line :meth:`View.render` shows for an error, "ValueError: ..." (a static
    page that computes a view shows the same line where the view would fail)."""
    return f"{type(e).__name__}: {e}"


class View(widgets.VBox):
    """Base class of the widgets: ``image``, ``errors`` and the render loop."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # shown at its natural size (no stretching to the cell width: soft pixels), at most
        # the cell's width on a narrow screen
        self.image = PixelImage()
        self.errors = widgets.Output()
        self.error: str | None = None  # the message on display, if any
        self.renders = 0
        self.image.add_class("vae-view-image")
        self.aria = AriaNames()
        self.kernel_note = widgets.HTML("")  # filled in only in a stored notebook
        self.kernel_note.add_class(NOTE_CLASS)
        self.add_class("vae-view")
        self.observe(self._keep_aria_last, names="children")

    def _keep_aria_last(self, change: dict) -> None:
        tail = (self.kernel_note, self.aria)
        if tuple(change["new"][-2:]) != tail:
            self.children = (*(c for c in change["new"] if c not in tail), *tail)

    def draw(self) -> np.ndarray | bytes:
        """The image of the current state: an (H, W) or (H, W, 3) array, or PNG bytes
        (subclasses)."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line saying what the widget shows (its repr: what a reader of the stored
        notebook sees on GitHub or nbviewer instead of the widget tree)."""
        return "an interactive view"

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {self.describe()} (interactive in Jupyter)"

    def render(self, change: dict | None = None) -> None:
        """Redraw now; keep the last good image and show the problem if drawing fails."""
        try:
            self.image.show(self.draw(), alt=self.describe())
        except (ValueError, VAETutorialError) as e:
            self._show(error_line(e), None)
        except Exception as e:
            self._show(error_line(e), traceback.format_exc())
        else:
            self.renders += 1
            if self.error is not None:
                self.errors.clear_output()
                self.error = None

    def _show(self, line: str, trace: str | None) -> None:
        self.error = line
        self.errors.clear_output()
        with self.errors:
            print(trace if trace else line)
