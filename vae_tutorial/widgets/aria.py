"""Accessible names for the sliders and images of a view.

ipywidgets 8.1.9 draws a slider as a noUiSlider handle (``role="slider"``) that its
description label does not name, so a screen reader announces only "slider", and it has no
trait for ARIA attributes: ``description`` fills a ``<label>`` that is not tied to the handle
(text boxes get ``<label for>``, sliders do not) and ``tooltip`` sets that label's title. Its
``Image`` has no alt text, and a ``tooltip`` on an ``Image`` breaks the view (its
``updateTooltip`` reads a ``description`` that images do not have). Notebook 7 binds the arrow
keys as shortcuts and stops them at the window before they reach a focused slider handle; a
handle marked ``data-lm-suppress-shortcuts`` (Lumino's opt-out, checked on the event target)
gets them.

:class:`AriaNames` is an invisible anywidget that every :class:`~.base.View` carries. Its
JavaScript gives each slider handle in the view an ``aria-label`` (the slider's tooltip if
set, else its description) and each ``<img>`` with a CSS class named in ``alts`` that alt text,
and does so again when the view's DOM changes (a slider re-created, an image redrawn).
"""

from __future__ import annotations

import anywidget
import traitlets

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
    for (const [cls, alt] of Object.entries(model.get("alts"))) {
      for (const img of host.querySelectorAll(`img.${cls}`)) {
        if (img.alt !== alt) img.alt = alt;
      }
    }
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
  model.on("change:alts", name);
  return () => {
    cancelAnimationFrame(frame);
    observer.disconnect();
  };
}
export default { render };
"""


class AriaNames(anywidget.AnyWidget):
    """Names the slider handles and images of the view it sits in (no visible output).
    ``alts``: CSS class of an image -> its alt text."""

    _esm = ESM
    alts = traitlets.Dict(traitlets.Unicode()).tag(sync=True)

    def __repr__(self) -> str:
        return "AriaNames: accessible names for the sliders of this view"
