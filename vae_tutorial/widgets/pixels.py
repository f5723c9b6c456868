"""The image every kernel-side view shows: pixels painted into a ``<canvas>`` (anywidget).

ipywidgets' ``Image`` takes PNG bytes: the kernel compresses each frame (4-7 ms for a
400 x 400 figure) and the browser turns the bytes into a blob URL, fetches it and decodes it
before the next frame can show it (10-20 ms on 2 cores, measured in chromium). A
:class:`PixelImage` sends the raw pixels instead (grey or RGB, one byte per channel, as a
binary buffer) and its JavaScript copies them into the canvas with ``putImageData``, which
costs under a millisecond; the next animation frame shows them. A 400 x 400 RGB frame is
480 kB on the local connection, which is cheaper than compressing and decoding it.

PNG bytes are still accepted (figures drawn rarely, e.g. the training plot): those are
decoded with ``createImageBitmap``. The canvas keeps the image's natural size (at most the
cell's width), names it for screen readers (``role="img"``, ``aria-label`` = ``alt``) and
counts its frames in ``data-frame`` (the browser tests watch it).
"""

from __future__ import annotations

import io

import anywidget
import numpy as np
import traitlets

from ..viz.images import to_png, to_uint8

ESM = """
function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.className = "vae-pixel-image";
  canvas.setAttribute("role", "img");
  canvas.style.maxWidth = "100%";
  canvas.style.height = "auto";
  canvas.style.display = "block";
  canvas.width = canvas.height = 0;
  canvas.dataset.frame = "0";
  const ctx = canvas.getContext("2d");
  let sequence = 0;  // a PNG decoded after a newer frame arrived is dropped
  const shown = () => { canvas.dataset.frame = String(Number(canvas.dataset.frame) + 1); };
  const size = (w, h) => {
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
  };
  const draw = () => {
    const mine = ++sequence;
    const w = model.get("width"), h = model.get("height"), format = model.get("format");
    const view = model.get("data");
    if (!view || !w || !h) return;
    const src = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    if (format === "png") {
      createImageBitmap(new Blob([src], { type: "image/png" })).then((bitmap) => {
        if (mine === sequence) {
          size(w, h);
          ctx.drawImage(bitmap, 0, 0);
          shown();
        }
        bitmap.close();
      });
      return;
    }
    const channels = format === "grey" ? 1 : 3;
    if (src.length !== w * h * channels) return;  // a partial state: wait for the rest
    size(w, h);
    const image = ctx.createImageData(w, h);
    const out = image.data;
    if (channels === 1) {
      for (let i = 0, j = 0; j < src.length; i += 4, j += 1) {
        out[i] = out[i + 1] = out[i + 2] = src[j];
        out[i + 3] = 255;
      }
    } else {
      for (let i = 0, j = 0; j < src.length; i += 4, j += 3) {
        out[i] = src[j];
        out[i + 1] = src[j + 1];
        out[i + 2] = src[j + 2];
        out[i + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
    shown();
  };
  const name = () => canvas.setAttribute("aria-label", model.get("alt"));
  model.on("change:data", draw);
  model.on("change:alt", name);
  name();
  draw();
  el.appendChild(canvas);
  return () => {
    model.off("change:data", draw);
    model.off("change:alt", name);
  };
}
export default { render };
"""

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PixelImage(anywidget.AnyWidget):
    """An image in a canvas. :meth:`show` takes a grey (H, W) or color (H, W, 3) array
    (values in [0, 1], or uint8) or PNG bytes; ``alt`` is its accessible name."""

    _esm = ESM
    data = traitlets.Bytes(b"").tag(sync=True)
    format = traitlets.Enum(["grey", "rgb", "png"], "rgb").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)

    def show(self, image: np.ndarray | bytes, alt: str | None = None) -> None:
        """Show ``image`` (one message to the browser, whatever changed)."""
        if isinstance(image, bytes | bytearray):
            if image[:8] != PNG_MAGIC:
                raise ValueError("PixelImage.show takes an array or PNG bytes")
            data, fmt = bytes(image), "png"
            width, height = (int.from_bytes(image[i : i + 4], "big") for i in (16, 20))
        else:
            pixels = to_uint8(image)
            if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
                raise ValueError(f"need an (H, W) or (H, W, 3) image, got shape {pixels.shape}")
            data, fmt = (
                np.ascontiguousarray(pixels).tobytes(),
                "grey" if pixels.ndim == 2 else "rgb",
            )
            height, width = pixels.shape[:2]
        with self.hold_sync():
            self.format, self.width, self.height = fmt, width, height
            if alt is not None:
                self.alt = alt
            self.data = data

    def array(self) -> np.ndarray:
        """What is shown, uint8 (H, W) or (H, W, 3)."""
        if self.format == "png":
            from PIL import Image

            return np.asarray(Image.open(io.BytesIO(self.data)))
        shape = (self.height, self.width) + (() if self.format == "grey" else (3,))
        return np.frombuffer(self.data, dtype=np.uint8).reshape(shape)

    def png(self) -> bytes:
        """What is shown, as PNG bytes (Pillow, zlib level 1: as ``to_png``)."""
        return self.data if self.format == "png" else to_png(self.array())

    def __repr__(self) -> str:
        return f"PixelImage: {self.alt or 'an image'} ({self.width} x {self.height} pixels)"
