"""Progress bars: tqdm's (a widget in Jupyter, a text line in a terminal), finished in place.

In Jupyter a plain tqdm bar is a widget whose stored text (what a notebook saved with its
outputs shows without a kernel: nbviewer, GitHub, the website; JupyterLab hides a widget
whose kernel is gone) is the bar as it was displayed, at 0%. Here the bar is displayed with
a display id and, when it closes, replaced in place by its text: a stored notebook shows the
finished bar (100%, the samples evaluated, the time taken, the last figures in its postfix)
in every front end.
"""

from __future__ import annotations

from tqdm.auto import tqdm as _auto_tqdm

try:
    from tqdm.notebook import tqdm_notebook as _notebook_tqdm
except ImportError:  # no ipywidgets: tqdm.auto is the terminal bar
    _notebook_tqdm = None

__all__ = ["tqdm"]

if _notebook_tqdm is not None and issubclass(_auto_tqdm, _notebook_tqdm):

    class tqdm(_auto_tqdm):  # noqa: N801 (a drop-in for tqdm.auto.tqdm)
        """tqdm.auto's notebook bar, displayed with a display id and replaced in place by its
        text when it closes (a bar with ``leave=False`` is blanked instead). With ``delay`` or
        ``display=False`` tqdm displays it as usual."""

        def __init__(self, *args, **kwargs):
            show = kwargs.pop("display", True)
            delay = kwargs.get("delay", 0) or 0
            super().__init__(*args, display=show and delay > 0, **kwargs)
            self._handle = None
            if show and delay <= 0 and not self.disable:
                from IPython.display import display

                self._handle = display(self.container, display_id=True)
                self.displayed = True

        def close(self) -> None:
            stopped = bool(self.total) and self.n < self.total  # a true record of where
            super().close()
            if self._handle is not None:
                # the finished bar as plain text: every front end shows it, with or without a
                # kernel (a stored widget output is hidden once its kernel is gone)
                text = self.container.__repr__(True) if self.leave or stopped else ""
                self._handle.update({"text/plain": text}, raw=True)
                self._handle = None

else:
    tqdm = _auto_tqdm
