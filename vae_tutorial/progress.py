"""Progress bars: tqdm's (a widget in Jupyter, a text line in a terminal), finished in place.

In Jupyter a plain tqdm bar is a widget whose stored text (what a notebook saved with its
outputs shows without a kernel: JupyterLab before Run All, nbviewer, GitHub, the website) is
the bar as it was displayed, at 0%. Here the bar is displayed with a display id and shown
again in place when it closes, so the stored text is the finished bar: 100%, the samples
evaluated, the time taken and the last figures in its postfix.
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
        """tqdm.auto's notebook bar, displayed with a display id and shown again in place
        when it closes (a bar with ``leave=False`` is blanked instead). With ``delay`` or
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
                if self.leave or stopped:
                    self._handle.update(self.container)  # its text is now the finished bar
                else:
                    self._handle.update({"text/plain": ""}, raw=True)
                self._handle = None

else:
    tqdm = _auto_tqdm
