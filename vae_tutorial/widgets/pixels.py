"""The image every kernel-side view shows: pixels painted into a ``<canvas>`` (anywidget).

ipywidgets' ``Image`` takes PNG bytes: the kernel compresses each frame (4-7 ms for a
400 x 400 figure) and the browser turns the bytes into a blob URL, fetches it and decodes it
before the next frame can show it (10-20 ms on 2 cores, measured in chromium). A
:class:`PixelImage` sends the raw pixels instead (grey or RGB, one byte per channel, as a
binary buffer: 480 kB for a 400 x 400 figure, nothing for a local kernel) and its JavaScript
copies them into the canvas with ``putImageData`` (under a millisecond); the next animation
frame shows them. For a remote kernel, ``VAE_TUTORIAL_IMAGES=deflate`` sends them deflated by
zlib at level 1 instead (1-2 ms in the kernel, 21-41 kB for the figures of notebooks 01-02,
smaller than their PNGs), inflated by the browser's native ``DecompressionStream``: measured
in JupyterLab on 2 cores, its asynchronous steps add 15-30 ms a frame, which is why raw is the
default.

PNG bytes are accepted too (a figure drawn once and kept): those are decoded with
``createImageBitmap``. The canvas keeps the image's natural size (at most the cell's width),
names it for screen readers (``role="img"``, ``aria-label`` = ``alt``) and counts its frames
in ``data-frame`` (the browser tests watch it). The traits of a frame go in one message; the
JavaScript draws once per message whichever of them changed, and a frame that finishes
decoding after a newer one arrived is dropped.
"""

from __future__ import annotations

import io
import zlib

import anywidget
import numpy as np
import traitlets

from ..settings import image_encoding
from ..viz.images import to_png, to_uint8

ESM = """
const bytes = (v) =>
  ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
async function inflate(src) {  // zlib data (Python's zlib.compress), natively decompressed
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  writer.write(src);
  writer.close();
  const reader = stream.readable.getReader(), parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  for (let i = 0, o = 0; i < parts.length; o += parts[i].length, i += 1) out.set(parts[i], o);
  return out;
}

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
  let image = null;  // the ImageData, kept while the size stays
  let latest = 0;  // the newest frame asked for: an older one finishing later is dropped
  let queued = false, alive = true;
  const paint = (id, w, h, format, src) => {
    if (!alive || id !== latest) return;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    if (format === "png") {
      ctx.drawImage(src, 0, 0);
      src.close();
    } else {
      if (!image || image.width !== w || image.height !== h) image = ctx.createImageData(w, h);
      const out = image.data;
      if (format === "grey") {
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
    }
    canvas.dataset.frame = String(Number(canvas.dataset.frame) + 1);
  };
  const draw = async () => {
    queued = false;
    const w = model.get("width"), h = model.get("height"), format = model.get("format");
    const data = model.get("data");
    if (!data || !w || !h) return;
    const id = ++latest;
    try {
      let src = bytes(data);
      if (format === "png") {
        src = await createImageBitmap(new Blob([src], { type: "image/png" }));
      } else {
        if (model.get("encoding") === "deflate") src = await inflate(src);
        if (src.length !== w * h * (format === "grey" ? 1 : 3)) {
          throw new Error(`${src.length} bytes for a ${w} x ${h} ${format} image`);
        }
      }
      paint(id, w, h, format, src);
    } catch (e) {
      console.error("PixelImage: cannot show the image:", e);
    }
  };
  // the traits of one frame arrive in one message, as one change event each: draw once
  const changed = () => {
    if (!queued) {
      queued = true;
      queueMicrotask(draw);
    }
  };
  const events = ["change:data", "change:width", "change:height", "change:format"];
  const name = () => canvas.setAttribute("aria-label", model.get("alt"));
  for (const e of events) model.on(e, changed);
  model.on("change:alt", name);
  name();
  draw();
  el.appendChild(canvas);
  return () => {
    alive = false;
    for (const e of events) model.off(e, changed);
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
    encoding = traitlets.Enum(["raw", "deflate"], "raw").tag(sync=True)  # of grey / rgb
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)

    def show(self, image: np.ndarray | bytes, alt: str | None = None) -> None:
        """Show ``image`` (one message to the browser, whatever changed)."""
        if isinstance(image, bytes | bytearray):
            if image[:8] != PNG_MAGIC:
                raise ValueError("PixelImage.show takes an array or PNG bytes")
            data, fmt, encoding = bytes(image), "png", "raw"
            width, height = (int.from_bytes(image[i : i + 4], "big") for i in (16, 20))
        else:
            pixels = to_uint8(image)
            if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
                raise ValueError(f"need an (H, W) or (H, W, 3) image, got shape {pixels.shape}")
            encoding = image_encoding()
            data = np.ascontiguousarray(pixels).tobytes()
            data = zlib.compress(data, 1) if encoding == "deflate" else data
            fmt, (height, width) = "grey" if pixels.ndim == 2 else "rgb", pixels.shape[:2]
        with self.hold_sync():
            self.format, self.width, self.height = fmt, width, height
            self.encoding = encoding
            if alt is not None:
                self.alt = alt
            self.data = data

    def array(self) -> np.ndarray:
        """What is shown, uint8 (H, W) or (H, W, 3)."""
        if self.format == "png":
            from PIL import Image

            return np.asarray(Image.open(io.BytesIO(self.data)))
        shape = (self.height, self.width) + (() if self.format == "grey" else (3,))
        raw = zlib.decompress(self.data) if self.encoding == "deflate" else self.data
        return np.frombuffer(raw, dtype=np.uint8).reshape(shape)

    def png(self) -> bytes:
        """What is shown, as PNG bytes (Pillow, zlib level 1: as ``to_png``)."""
        return self.data if self.format == "png" else to_png(self.array())

    def __repr__(self) -> str:
        return f"PixelImage: {self.alt or 'an image'} ({self.width} x {self.height} pixels)"
