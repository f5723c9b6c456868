"""Accessible names for the sliders of a view.

ipywidgets 8.1.9 draws a slider as a noUiSlider handle (``role="slider"``) that its
description label does not name, so a screen reader announces only "slider", and it has no
trait for ARIA attributes: ``description`` fills a ``<label>`` that is not tied to the handle
(text boxes get ``<label for>``, sliders do not) and ``tooltip`` sets that label's title.
(The views' images are :class:`~.pixels.PixelImage` canvases, which name themselves.)
Notebook 7 binds the arrow keys as shortcuts and stops them at the window before they reach
a focused slider handle; a handle marked ``data-lm-suppress-shortcuts`` (Lumino's opt-out,
checked on the event target) gets them.

:class:`AriaNames` is an invisible anywidget that every :class:`~.base.View` carries. Its
JavaScript gives each slider handle in the view an ``aria-label`` (the slider's tooltip if
set, else its description), and does so again when the view's DOM changes (a slider
re-created).
"""

from __future__ import annotations

import anywidget

ESM = """
function nameSliders(host) {
  for (const h of host.querySelectorAll(".noUi-handle[role=slider]:not([aria-label])")) {
    const label = h.closest(".widget-slider")?.querySelector("label");
    const tip = label?.title && label.title !== "null" ? label.title : "";
    const text = (tip || label?.textContent || "").trim();
    if (text) h.setAttribute("aria-label", text);
  }
  // arrow keys on a focused handle go to the slider, not to the front end's shortcuts
  // (Notebook 7 binds them at the window and stops the event before it reaches the handle)
  for (const h of host.querySelectorAll(".noUi-handle:not([data-lm-suppress-shortcuts])")) {
    h.setAttribute("data-lm-suppress-shortcuts", "");
  }
}
function render({ model, el }) {
  el.style.display = "none";
  let host = null;
  const name = () => {
    if (!host) return;
    nameSliders(host);
  };
  const observer = new MutationObserver(name);
  let frame = 0;
  const start = () => {  // the view is attached to the page after render returns
    if (!el.isConnected) {
      frame = requestAnimationFrame(start);
      return;
    }
    host = el.closest(".vae-view") || el.parentElement;
    observer.observe(host, { childList: true, subtree: true });
    name();
  };
  start();
  return () => {
    cancelAnimationFrame(frame);
    observer.disconnect();
  };
}
export default { render };
"""


class AriaNames(anywidget.AnyWidget):
    """Names the slider handles of the view it sits in (no visible output)."""

    _esm = ESM

    def __repr__(self) -> str:
        return "AriaNames: accessible names for the sliders of this view"
