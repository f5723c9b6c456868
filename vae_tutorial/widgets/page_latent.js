// The latent-space views of notebooks 06 and 07 on the static site (vae_tutorial/widgets/
// latent_page.py): LatentExplorer, InterpolationExplorer and ReconstructionBrowser. Every move
// decodes here, with the notebook widget's own decoder (VAEPage.makeDecoder: browser_explorer.js,
// loaded before this script as a classic script by page.py's page_scripts); the encoder means
// and the test images were computed by the package and come with the state. Pixels are laid
// out as the Python views draw them (side_by_side, to_uint8, upscale), so the two can be
// compared pixel for pixel. A classic script (see page.js).
(function () {
  "use strict";
  const VAEPage = window.VAEPage;
  const TYPES = { uint8: Uint8Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };
  const array = (a) => (a ? new TYPES[a.dtype](a.bytes) : null);

  /** Row i of the test images (latent_page.images_state) into out, values in [0, 1]. */
  function imageRows(s) {
    const D = s.shape[1];
    const bits = s.kind === "bits" ? new Uint8Array(s.bytes) : null;
    const levels = s.kind === "levels" ? new Uint8Array(s.bytes) : null;
    const floats = s.kind === "float" ? array(s) : null;
    return (i, out = new Float32Array(D)) => {
      for (let d = 0, k = i * D; d < D; d++, k++) {
        out[d] = bits ? (bits[k >> 3] >> (7 - (k & 7))) & 1 : levels ? levels[k] / 255 : floats[k];
      }
      return out;
    };
  }

  // Python's round() (half to even) and to_uint8 (clip, * 255 + 0.5, truncate; float32
  // arithmetic for float32 images, as numpy does)
  const roundEven = (v) => {
    const f = Math.floor(v), d = v - f;
    return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  };
  const f32 = Math.fround;
  const toUint8 = (v, single) => {
    const c = Math.min(1, Math.max(0, v));
    return Math.trunc(single ? f32(f32(c * 255) + 0.5) : c * 255 + 0.5);
  };

  /** A panel: {h, w, c (1 grey or 3 colour), data, single (float32)}; side_by_side's row. */
  const panel = (h, w, data, c = 1) => ({ h, w, c, data, single: data instanceof Float32Array });
  function sideBySide(panels, pad, fill) {
    const h = panels[0].h, c = Math.max(...panels.map((p) => p.c));
    const w = panels.reduce((s, p) => s + p.w + pad, -pad);
    const single = panels.every((p) => p.single);
    const data = new (single ? Float32Array : Float64Array)(h * w * c).fill(fill);
    let x0 = 0;
    for (const p of panels) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < p.w; x++) {
          for (let k = 0; k < c; k++) data[(y * w + x0 + x) * c + k] = p.data[(y * p.w + x) * p.c + (p.c === 1 ? 0 : k)];
        }
      }
      x0 += p.w + pad;
    }
    return { h, w, c, data, single };
  }

  /** Draw a canvas (sideBySide) into the <canvas>, each pixel a scale x scale block. */
  function paint(target, cv, scale) {
    const W = cv.w * scale, img = new ImageData(W, cv.h * scale), px = img.data;
    for (let y = 0; y < cv.h; y++) {
      for (let x = 0; x < cv.w; x++) {
        const i = (y * cv.w + x) * cv.c;
        const r = toUint8(cv.data[i], cv.single);
        const g = cv.c === 3 ? toUint8(cv.data[i + 1], cv.single) : r;
        const b = cv.c === 3 ? toUint8(cv.data[i + 2], cv.single) : r;
        for (let dy = 0; dy < scale; dy++) {
          let o = 4 * ((y * scale + dy) * W + x * scale);
          for (let dx = 0; dx < scale; dx++, o += 4) { px[o] = r; px[o + 1] = g; px[o + 2] = b; px[o + 3] = 255; }
        }
      }
    }
    target.getContext("2d").putImageData(img, 0, 0);
    target.dataset.frame = String(Number(target.dataset.frame) + 1);
  }

  /** What a canvas shows, as RGB bytes in base64 (latent_page._pixels: "drawn"). */
  function drawn(target) {
    const d = target.getContext("2d").getImageData(0, 0, target.width, target.height).data;
    const out = new Uint8Array((d.length / 4) * 3);
    for (let i = 0, j = 0; i < d.length; i += 4, j += 3) { out[j] = d[i]; out[j + 1] = d[i + 1]; out[j + 2] = d[i + 2]; }
    let text = "";
    for (let i = 0; i < out.length; i += 8192) text += String.fromCharCode(...out.subarray(i, i + 8192));
    return { drawn: btoa(text), drawn_shape: [target.height, target.width, 3] };
  }

  const blobUrl = (bytes) => URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
  const fmt = (v) => VAEPage.fixed(v, 2);  // Python's f"{v:.2f}"

  function decoderOf(state) {
    const spec = state.decoder, decode = VAEPage.makeDecoder(spec, new Float32Array(spec.weights));
    const [H, W] = spec.image_shape;
    return { decode, H, W, D: H * W };
  }

  // --- LatentExplorer: sliders over z, the picker, the scatter's cross, the difference --------
  function explorer(el, state) {
    const { decode, H, W, D } = decoderOf(state), scale = state.scale;
    const Z = state.decoder.layers[0].in, names = Array.from({ length: Z }, (_, k) => `z${k + 1}`);
    const points = array(state.points), labels = array(state.labels), N = points ? points.length / Z : 0;
    const ref = state.reference, refImage = ref ? array(ref.image) : null, lut = ref ? array(ref.lut) : null;
    const pixels = new Float32Array(D), z = new Float64Array(Z);
    const row = VAEPage.el("div", { style: "display:flex;flex-wrap:wrap;align-items:center;gap:12px" }, el);
    const col = VAEPage.el("div", {}, row);
    const label = "decoder mean E[x|z] at the current latent" + (ref ? ", and its difference" : "");
    const canvas = VAEPage.canvas(col, (ref ? 2 * W + 1 : W) * scale, H * scale, label);
    if (ref) VAEPage.el("img", { src: blobUrl(ref.colorbar), alt: ref.alt, class: "vae-page-canvas" }, col);
    let scatter = null, base = null;
    if (state.scatter) {
      const s = state.scatter;
      scatter = VAEPage.canvas(row, s.width, s.height, "encoder means of test images; a cross marks z");
      createImageBitmap(new Blob([s.png], { type: "image/png" }),
        { colorSpaceConversion: "none", premultiplyAlpha: "none" }).then((bitmap) => {
        const ctx = scatter.getContext("2d");
        ctx.drawImage(bitmap, 0, 0);
        base = ctx.getImageData(0, 0, s.width, s.height);
        drawScatter();
        scatter.dataset.ready = "1";
      });
    }
    let hold = false, picked = null, lastPick = null;
    const onChange = (name, v) => {
      if (name !== "picker") { if (!hold) draw(); return; }
      if (v === lastPick) return;  // as an IntSlider: no change, no event
      lastPick = v;
      hold = true;
      try { names.forEach((n, k) => controls.set(n, points[v * Z + k])); } finally { hold = false; }
      draw();
      picked = { i: v, z: Array.from(z) };
      info.textContent = infoText();
    };
    const controls = VAEPage.controls(el, state.controls, onChange);
    const info = VAEPage.el("p", { class: "vae-live-caption", "aria-live": "polite" }, el);

    function nearest() {
      if (picked && picked.z.every((v, k) => v === z[k])) return picked.i;
      let best = -1, bd = Infinity;
      for (let i = 0; i < N; i++) {
        let d = 0;
        for (let k = 0; k < Z; k++) { const e = points[i * Z + k] - z[k]; d += e * e; }
        if (d < bd) { bd = d; best = i; }
      }
      return best;
    }
    function cross() {  // LatentExplorer._scatter_with_cross: row, column of the cross's centre
      const m = state.scatter.affine, x = m[0] * z[0] + m[1] * z[1] + m[2];
      const y = m[3] * z[0] + m[4] * z[1] + m[5];
      return [roundEven(state.scatter.height - y), roundEven(x)];
    }
    function drawScatter() {  // viz.images.crosshair, pixel for pixel
      if (!base) return;
      const { width: w, height: h } = state.scatter, img = new ImageData(w, h), px = img.data;
      px.set(base.data);
      const [r, c] = cross(), arm = 7;
      if (r >= 0 && r < h && c >= 0 && c < w) {
        const box = (r0, r1, c0, c1) => {
          for (let y = Math.max(r0, 0); y < Math.min(r1, h); y++) {
            for (let x = Math.max(c0, 0); x < Math.min(c1, w); x++) {
              const o = 4 * (y * w + x);
              px[o] = 220; px[o + 1] = 0; px[o + 2] = 0; px[o + 3] = 255;
            }
          }
        };
        box(r - 1, r + 2, c - arm, c + arm + 1);
        box(r - arm, r + arm + 1, c - 1, c + 2);
      }
      scatter.getContext("2d").putImageData(img, 0, 0);
      scatter.dataset.frame = String(Number(scatter.dataset.frame) + 1);
    }
    function infoText() {
      let text = `z = (${Array.from(z.slice(0, 4), fmt).join(", ")}${Z > 4 ? ", ..." : ""})`;
      if (N) {
        const i = nearest();
        text += `; nearest encoded test image: #${i}` + (labels ? `, digit ${labels[i]}` : "");
      }
      return text;
    }
    let current = null;
    function draw() {
      names.forEach((n, k) => { z[k] = controls.values[n]; });
      decode(z, pixels);
      const panels = [panel(H, W, pixels)];
      if (ref) {  // viz.latent.difference_rgb: the colour map's 256 entries, as matplotlib picks them
        const diff = new Float64Array(3 * D);
        for (let d = 0; d < D; d++) {
          let e = ref.float32 ? f32(pixels[d] - refImage[d]) : pixels[d] - refImage[d];
          // zero where the decoders' float error (1e-7) is all there is: at the reference
          // itself Python's difference is exactly 0, which sits on a boundary of the map
          if (Math.abs(e) < 1e-6) e = 0;
          let k = ((Math.min(1, Math.max(-1, e / ref.vmax)) + 1) / 2) * 256;
          k = Math.trunc(k === 256 ? 255 : k);
          diff[3 * d] = lut[3 * k]; diff[3 * d + 1] = lut[3 * k + 1]; diff[3 * d + 2] = lut[3 * k + 2];
        }
        panels.push(panel(H, W, diff, 3));
      }
      current = panels.length > 1 ? sideBySide(panels, 1, 1.0) : sideBySide(panels, 0, 0);
      paint(canvas, current, scale);
      if (scatter) drawScatter();
      info.textContent = infoText();
    }
    lastPick = "picker" in controls.values ? controls.values.picker : null;
    draw();
    if (state.picked !== null && state.picked !== undefined) {
      picked = { i: state.picked, z: Array.from(z) };
      info.textContent = infoText();
    }
    return {
      set: (name, value) => controls.set(name, value),
      values: () => {
        const i = N ? nearest() : null;
        return { z: Array.from(z), image: Array.from(pixels), nearest: i,
          label: labels && i !== null ? labels[i] : null, cross: scatter ? cross() : null,
          info: info.textContent, canvas: Array.from(current.data),
          canvas_shape: current.c === 3 ? [current.h, current.w, 3] : [current.h, current.w],
          ...drawn(canvas) };
      },
    };
  }

  // --- InterpolationExplorer and ReconstructionBrowser: test images through the encoder means -
  function throughMeans(el, state) {
    const { decode, H, W, D } = decoderOf(state), scale = state.scale, interp = state.view === "interpolation";
    const means = array(state.means), Z = state.means.shape[1], row = imageRows(state.images);
    const labels = array(state.labels);
    let canvas = null, info = null, current = null, mae = null;
    const controls = VAEPage.controls(el, state.controls, () => draw());
    const label = interp ? "test image a | decoded point on the line between their encoder means | test image b"
      : "test image | its reconstruction E[x|z = mu(x)] | absolute error";
    canvas = VAEPage.canvas(el, (3 * W + 4) * scale, H * scale, label);
    if (!interp) info = VAEPage.el("p", { class: "vae-live-caption", "aria-live": "polite" }, el);
    const mid = new Float32Array(D), z = new Float64Array(Z);
    function draw() {
      const v = controls.values;
      if (interp) {  // latent_space.interpolation_canvas
        for (let k = 0; k < Z; k++) z[k] = (1 - v.t) * means[v.a * Z + k] + v.t * means[v.b * Z + k];
        decode(z, mid);
        current = sideBySide([row(v.a), mid, row(v.b)].map((p) => panel(H, W, p)), 2, 0.5);
      } else {  // latent_space.reconstruction_canvas
        const x = row(v.index), err = new Float32Array(D);
        decode(means.subarray(v.index * Z, (v.index + 1) * Z), mid);
        let sum = 0;
        for (let d = 0; d < D; d++) { err[d] = Math.abs(x[d] - mid[d]); sum += err[d]; }
        mae = sum / D;
        current = sideBySide([x, mid, err].map((p) => panel(H, W, p)), 2, 0.5);
        const digit = labels ? ` (digit ${labels[v.index]})` : "";
        info.textContent = `test image #${v.index}${digit}: original | reconstruction | |error|; `
          + `mean |error| = ${VAEPage.fixed(mae, 3)}`;
      }
      paint(canvas, current, scale);
    }
    draw();
    return {
      set: (name, value) => controls.set(name, value),
      values: () => {
        const out = { ...controls.values, canvas: Array.from(current.data), canvas_shape: [current.h, current.w],
          ...drawn(canvas) };
        return interp ? out : { ...out, mae, info: info.textContent };
      },
    };
  }

  VAEPage.views.latent = (el, state) => (state.view === "explorer" ? explorer : throughMeans)(el, state);
})();
