// The latent explorer, decoded in the reader's browser (anywidget ESM; no build step, no CDN).
//
// Python sends the decoder's weights once (float32 bytes) with the latent grid, the encoded
// test set and a few test images, all computed by vae_tutorial.core.latent_space; every
// slider move then runs the MLP decoder here, in JavaScript, and draws the decoder mean
// E[x|z] on a canvas. Nothing goes to the kernel while a slider moves; the latent is sent
// back once, when the pointer is released ("z"), for readers who hook Python code to it.
// The manifold (400 decodes at once) runs in WebAssembly SIMD where the browser has it
// (decoder_simd.wat, embedded below as bytes: about 15 ms against 150 ms in JavaScript),
// else in JavaScript; both match torch to about 1e-6 per pixel.
//
// The same module renders a static page (docs/explorer pages of `make site`): there `model`
// is a small object with the same get/on/set/save_changes methods, backed by files.

const TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];

const ACTIVATIONS = {
  tanh: Math.tanh,
  relu: (v) => (v > 0 ? v : 0),
  softplus: (v) => (v > 20 ? v : Math.log1p(Math.exp(v))),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
};

const MEANS = {  // decoder outputs -> mean pixel in [0, 1] (core/likelihoods.py: mean())
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  exp255: (v) => Math.min(1, Math.max(0, Math.exp(v) / 255)),
};

function bytesOf(x) {  // a DataView (ipywidgets), an ArrayBuffer or a typed array -> bytes
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

function asFloat32(x) {  // copied: the view's offset need not be 4-byte aligned
  return new Float32Array(bytesOf(x).slice().buffer);
}

function asUint8(x) {
  return bytesOf(x).slice();
}

/** The MLP decoder: layers [{in, out, act}] and one float32 array of W (out x in) then b. */
export function makeDecoder(spec, weights) {
  const layers = [];
  let offset = 0;
  for (const l of spec.layers) {
    const W = weights.subarray(offset, offset + l.in * l.out);
    offset += l.in * l.out;
    const b = weights.subarray(offset, offset + l.out);
    offset += l.out;
    layers.push({ ...l, W, b, act: l.act ? ACTIVATIONS[l.act] : null });
  }
  const widest = Math.max(...spec.layers.map((l) => l.out));
  let hA = new Float32Array(widest), hB = new Float32Array(widest);
  const D = spec.image_shape[0] * spec.image_shape[1];
  const mean = MEANS[spec.mean];
  /** E[x|z] for n latents at once, zs (n * z_dim) -> out (n * D): each weight row is read
   *  once for four latents, so the weights stream through the cache n / 4 times, not n. */
  function decodeMany(zs, n, out) {
    let h = Float32Array.from(zs), width = spec.layers[0].in;
    for (const l of layers) {
      const { W, b, act } = l, m = l.in, next = new Float32Array(n * l.out);
      for (let j = 0; j < l.out; j++) {
        const row = j * m, bj = b[j];
        let i = 0;
        for (; i + 3 < n; i += 4) {
          let s0 = bj, s1 = bj, s2 = bj, s3 = bj;
          const h0 = i * m, h1 = h0 + m, h2 = h1 + m, h3 = h2 + m;
          for (let k = 0; k < m; k++) {
            const w = W[row + k];
            s0 += w * h[h0 + k]; s1 += w * h[h1 + k]; s2 += w * h[h2 + k]; s3 += w * h[h3 + k];
          }
          next[i * l.out + j] = act ? act(s0) : s0;
          next[(i + 1) * l.out + j] = act ? act(s1) : s1;
          next[(i + 2) * l.out + j] = act ? act(s2) : s2;
          next[(i + 3) * l.out + j] = act ? act(s3) : s3;
        }
        for (; i < n; i++) {
          let s = bj;
          for (let k = 0; k < m; k++) s += W[row + k] * h[i * m + k];
          next[i * l.out + j] = act ? act(s) : s;
        }
      }
      h = next; width = l.out;
    }
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < D; d++) out[i * D + d] = mean(h[i * width + d]);
    }
    return out;
  }
  /** E[x|z] for one latent z (array of z_dim numbers) into out (Float32Array of D). */
  function decode(z, out) {
    let h = Float32Array.from(z), next = hA;
    for (const l of layers) {
      const { W, b, act } = l, n = l.in;
      for (let j = 0; j < l.out; j++) {
        let s = b[j];
        const row = j * n;
        let k = 0;
        for (; k + 3 < n; k += 4) {
          s += W[row + k] * h[k] + W[row + k + 1] * h[k + 1]
            + W[row + k + 2] * h[k + 2] + W[row + k + 3] * h[k + 3];
        }
        for (; k < n; k++) s += W[row + k] * h[k];
        next[j] = act ? act(s) : s;
      }
      h = next.subarray(0, l.out);
      next = next === hA ? hB : hA;
    }
    for (let d = 0; d < D; d++) out[d] = mean(h[d]);  // first D outputs: the mean's logits
    return out;
  }
  const simd = simdDecoder(spec, layers, D, mean);
  decode.many = simd || decodeMany;
  decode.manyJs = decodeMany;
  decode.backend = simd ? "wasm-simd" : "js";
  return decode;
}

// decoder_simd.wat, compiled by `python tools/wasm.py` (which rewrites these two lines)
const WASM_SHA256 = "e0ad961c047536c3310fe9cd14f5a1d3be7f9385f7319dcc6fef477711c93d0b";
const WASM_B64 = "AGFzbQEAAAABGANgAXsBe2ACe38Be2AJf39/f39/f39/AAIPAQNlbnYGbWVtb3J5AgABAwQDAAECBwkBBWRlbnNlAAIK1QsDgwMBA3sgAP0MmpmwQpqZsEKambBCmpmwQv3oAf0MmpmuwpqZrsKama7Cmpmuwv3pASEAIAD9DDuquD87qrg/O6q4PzuquD/95gH9aiEBIAAgAf0MAIAxPwCAMT8AgDE/AIAxP/3mAf3lASECIAIgAf0Mg4BeuYOAXrmDgF65g4Beuf3mAf3lASEC/QxnaVA5Z2lQOWdpUDlnaVA5IQMgAyAC/eYB/QzOQ7c6zkO3Os5DtzrOQ7c6/eQBIQMgAyAC/eYB/QwIiQg8CIkIPAiJCDwIiQg8/eQBIQMgAyAC/eYB/QzBqSo9wakqPcGpKj3BqSo9/eQBIQMgAyAC/eYB/Qyqqio+qqoqPqqqKj6qqio+/eQBIQMgAyAC/eYB/QwAAAA/AAAAPwAAAD8AAAA//eQBIQMgAyAC/eYBIAL95gEhAyADIAL95AH9DAAAgD8AAIA/AACAPwAAgD/95AEhAyADIAH9+AH9DH8AAAB/AAAAfwAAAH8AAAD9rgFBF/2rAf3mAQuvAQAgAUEBRgRA/QwAAIA/AACAPwAAgD8AAIA//QwAAABAAAAAQAAAAEAAAABAIAAgAP3kARAA/QwAAIA/AACAPwAAgD8AAIA//eQB/ecB/eUBDwsgAUECRgRA/QwAAIA/AACAPwAAgD8AAIA//QwAAIA/AACAPwAAgD8AAIA/IAD94QEQAP3kAf3nAQ8LIAFBA0YEQCAA/QwAAAAAAAAAAAAAAAAAAAAA/ekBDwsgAAucBwIHfw97IAZBAnQhD0EAIQkDQEEAIQogACELA0AgBCAJQQJ0av0ABAAhFyAEIAlBAnRq/QAEECEYIBchGSAYIRogFyEbIBghHCAXIR0gGCEeIAMgCSACbEECdGohDSALIAJBBHRqIQwDQCAN/QAEACEQIA39AAQQIREgC/0JAgAhEiAXIBIgEP3mAf3kASEXIBggEiAR/eYB/eQBIRggC/0JAgQhEiAZIBIgEP3mAf3kASEZIBogEiAR/eYB/eQBIRogC/0JAgghEiAbIBIgEP3mAf3kASEbIBwgEiAR/eYB/eQBIRwgC/0JAgwhEiAdIBIgEP3mAf3kASEdIB4gEiAR/eYB/eQBIR4gDUEgaiENIAtBEGohCyALIAxJDQALIBcgBxABIRcgGCAHEAEhGCAZIAcQASEZIBogBxABIRogGyAHEAEhGyAcIAcQASEcIB0gBxABIR0gHiAHEAEhHiAIBEAgBSAKIAZsQQJ0IAlBBHRqaiEOIBcgGf0NAAECAxAREhMEBQYHFBUWFyETIBcgGf0NCAkKCxgZGhsMDQ4PHB0eHyEUIBsgHf0NAAECAxAREhMEBQYHFBUWFyEVIBsgHf0NCAkKCxgZGhsMDQ4PHB0eHyEWIA4gEyAV/Q0AAQIDBAUGBxAREhMUFRYX/QsEACAOIBMgFf0NCAkKCwwNDg8YGRobHB0eH/0LBBAgDiAUIBb9DQABAgMEBQYHEBESExQVFhf9CwQgIA4gFCAW/Q0ICQoLDA0ODxgZGhscHR4f/QsEMCAYIBr9DQABAgMQERITBAUGBxQVFhchEyAYIBr9DQgJCgsYGRobDA0ODxwdHh8hFCAcIB79DQABAgMQERITBAUGBxQVFhchFSAcIB79DQgJCgsYGRobDA0ODxwdHh8hFiAOIBMgFf0NAAECAwQFBgcQERITFBUWF/0LBEAgDiATIBX9DQgJCgsMDQ4PGBkaGxwdHh/9CwRQIA4gFCAW/Q0AAQIDBAUGBxAREhMUFRYX/QsEYCAOIBQgFv0NCAkKCwwNDg8YGRobHB0eH/0LBHAFIAUgCiAGbCAJakECdGohDiAOIBf9CwQAIA4gGP0LBBAgDiAPaiEOIA4gGf0LBAAgDiAa/QsEECAOIA9qIQ4gDiAb/QsEACAOIBz9CwQQIA4gD2ohDiAOIB39CwQAIA4gHv0LBBALIApBBGohCiAKIAFJDQALIAlBCGohCSAJIAZJDQALCw==";
let simdModule;  // undefined: not tried yet; null: no WebAssembly SIMD in this browser
function simdModuleOnce() {
  if (simdModule === undefined) {
    try {
      const bytes = Uint8Array.from(atob(WASM_B64), (c) => c.charCodeAt(0));
      simdModule = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch (e) {
      simdModule = null;
    }
  }
  return simdModule;
}

/** decodeMany in WebAssembly SIMD (decoder_simd.wat), or null where the browser has none.
 *  Memory: each layer's weights packed in panels of 8 outputs (zero-padded) and its bias,
 *  then two buffers that take turns as a layer's input (blocks of 4 samples) and output.
 *  tanh, sigmoid and relu run in the kernel; other activations and means run here. */
export function simdDecoder(spec, layers, D, mean) {
  const mod = simdModuleOnce();
  if (!mod) return null;
  const up = (v, q) => Math.ceil(v / q) * q, CODES = { tanh: 1, sigmoid: 2, relu: 3 };
  const plan = [];
  let top = 0, m = layers[0].in;
  layers.forEach((l, i) => {
    const o = up(l.out, 8), name = i === layers.length - 1 ? spec.mean : spec.layers[i].act;
    const code = name == null ? 0 : CODES[name] ?? -1;  // -1: activated here, not in the kernel
    plan.push({ ...l, m, o, pw: top, pb: top + 4 * m * o, code });
    top += 4 * (m * o + o);
    m = o;
  });
  const widest = Math.max(layers[0].in, ...plan.map((l) => l.o));
  const memory = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) + 1 });
  const { dense } = new WebAssembly.Instance(mod, { env: { memory } }).exports;
  let f = new Float32Array(memory.buffer);
  for (const l of plan) {
    const P = l.pw / 4, B = l.pb / 4;
    for (let j = 0; j < l.out; j++) {
      const panel = P + (j >> 3) * l.m * 8 + (j & 7);
      for (let k = 0; k < l.in; k++) f[panel + k * 8] = l.W[j * l.in + k];
      f[B + j] = l.b[j];
    }
  }
  return function decodeMany(zs, n, out) {
    const np = up(n, 4), need = top + 8 * np * widest;
    if (memory.buffer.byteLength < need) {
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
      f = new Float32Array(memory.buffer);
    }
    let src = top / 4, dst = src + np * widest;
    const Z = layers[0].in;
    f.fill(0, src, src + np * Z);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < Z; k++) f[src + ((i >> 2) * Z + k) * 4 + (i & 3)] = zs[i * Z + k];
    }
    for (const l of plan) {
      const last = l === plan[plan.length - 1], code = Math.max(l.code, 0);
      dense(4 * src, np, l.m, l.pw, l.pb, 4 * dst, l.o, code, !last && l.code >= 0 ? 1 : 0);
      if (last) {
        const g = l.code >= 0 ? (v) => v : mean;
        for (let i = 0; i < n; i++) {
          for (let d = 0; d < D; d++) out[i * D + d] = g(f[dst + i * l.o + d]);
        }
      } else if (l.code >= 0) {
        [src, dst] = [dst, src];
      } else {  // the activation here, the output back into the input's buffer, in blocks
        for (let i = 0; i < np; i++) {
          const a = dst + i * l.o, b = src + (i >> 2) * l.o * 4 + (i & 3);
          for (let j = 0; j < l.o; j++) f[b + 4 * j] = l.act(f[a + j]);
        }
      }
    }
    return out;
  };
}

function greyImage(ctx, pixels, w, h, x0 = 0, y0 = 0) {
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, x0, y0);
}

// Arrow, Page and Home/End keys move a focused slider here: Notebook 7 takes arrow keys for
// its own shortcuts before a range input sees them, so the slider steps itself
const KEY_STEPS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10,
  PageDown: -10 };
function stepByKey(e, s) {
  const lo = parseFloat(s.min), hi = parseFloat(s.max), step = parseFloat(s.step);
  let v = parseFloat(s.value);
  if (e.key in KEY_STEPS) v += KEY_STEPS[e.key] * step;
  else if (e.key === "Home") v = lo;
  else if (e.key === "End") v = hi;
  else return;
  e.preventDefault();
  e.stopImmediatePropagation();
  s.value = Math.min(hi, Math.max(lo, v));
  s.dispatchEvent(new Event("input", { bubbles: true }));
  s.dispatchEvent(new Event("change", { bubbles: true }));
}

function el_(tag, attrs = {}, parent = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}

function render({ model, el }) {
  const spec = model.get("spec");
  const decode = makeDecoder(spec, asFloat32(model.get("weights")));
  const [H, W] = spec.image_shape, D = H * W, Z = spec.z_dim, scale = spec.scale;
  const points = asFloat32(model.get("points"));
  const labels = asUint8(model.get("labels"));
  const images = asUint8(model.get("images"));
  const grid = asFloat32(model.get("grid"));
  const N = points.length / Z;
  const pixels = new Float32Array(D);
  const timings = [];  // ms from a slider's input event to the next painted frame
  let z = Float32Array.from(model.get("z"));

  const root = el_("div", { class: "vae-browser-explorer", role: "group",
    "aria-label": `Latent explorer of ${spec.name}: decoded in the browser` }, el);
  // JupyterLab and Notebook 7 take arrow keys for their own shortcuts, Notebook 7 before the
  // event reaches the page: catch keys for our sliders first, in the window's capture phase
  root.addEventListener("keydown", (e) => e.stopPropagation());
  const onKey = (e) => {
    if (!root.isConnected) { window.removeEventListener("keydown", onKey, true); return; }
    if (e.target instanceof HTMLInputElement && e.target.type === "range"
      && root.contains(e.target)) stepByKey(e, e.target);
  };
  window.addEventListener("keydown", onKey, true);
  const tabs = el_("div", { class: "vae-tabs", role: "tablist" }, root);
  const panes = {};
  for (const [key, title] of [["explore", "Sliders"], ["grid", "Manifold"],
    ["interp", "Interpolation"]]) {
    if (key === "grid" && !grid.length) continue;
    if (key === "interp" && !images.length) continue;
    const b = el_("button", { role: "tab", class: "vae-tab", text: title }, tabs);
    panes[key] = el_("div", { class: "vae-pane", role: "tabpanel", "aria-label": title }, root);
    b.addEventListener("click", () => {
      for (const [k, p] of Object.entries(panes)) p.hidden = k !== key;
      if (key === "grid") drawGrid();
      if (key === "interp") drawInterp();
    });
  }
  for (const [k, p] of Object.entries(panes)) p.hidden = k !== "explore";

  // --- sliders over z, the decoded image and (2-D) the encoded test set ---------------------
  const ex = panes.explore;
  const row = el_("div", { class: "vae-row" }, ex);
  const canvas = el_("canvas", { width: W * scale, height: H * scale, class: "vae-image",
    role: "img", "aria-label": "decoder mean E[x|z] at the current latent" }, row);
  const ctx = canvas.getContext("2d");
  const small = el_("canvas", { width: W, height: H });
  const sctx = small.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  let scatter = null, sc = null, toPx = null;
  if (Z === 2 && N > 0) {
    const S = 320, lim = spec.limit;
    scatter = el_("canvas", { width: S, height: S, class: "vae-scatter", role: "img",
      "aria-label": `encoder means of ${N} test images; click to move the latent there` }, row);
    sc = scatter.getContext("2d");
    toPx = (a, b) => [(a + lim) / (2 * lim) * S, (lim - b) / (2 * lim) * S];
    const base = el_("canvas", { width: S, height: S });
    const bctx = base.getContext("2d");
    bctx.fillStyle = "#fff"; bctx.fillRect(0, 0, S, S);
    for (let i = 0; i < N; i++) {
      const [px, py] = toPx(points[2 * i], points[2 * i + 1]);
      bctx.fillStyle = labels.length ? TAB10[labels[i] % 10] : "#555";
      bctx.fillRect(px - 1, py - 1, 2, 2);
    }
    bctx.strokeStyle = "#999"; bctx.strokeRect(0.5, 0.5, S - 1, S - 1);
    scatter._base = base;
    if (labels.length) {  // the colours' key: one swatch per class present
      const legend = el_("div", { class: "vae-legend", role: "list",
        "aria-label": "scatter colours: the digit class of each test image" }, row);
      el_("div", { class: "vae-legend-title" }, legend).textContent = "class";
      for (const c of [...new Set(labels)].sort((a, b) => a - b)) {
        const item = el_("div", { class: "vae-legend-item", role: "listitem" }, legend);
        el_("span", { class: "vae-swatch", style: `background:${TAB10[c % 10]}` }, item);
        item.append(String(c));
      }
    }
    scatter.addEventListener("click", (e) => {
      const r = scatter.getBoundingClientRect();
      const a = ((e.clientX - r.left) / r.width) * 2 * lim - lim;
      const b = lim - ((e.clientY - r.top) / r.height) * 2 * lim;
      setLatent([a, b], true);
    });
  }
  const sliders = [];
  const grid_ = el_("div", { class: "vae-sliders" }, ex);
  for (let i = 0; i < Z; i++) {
    const lab = el_("label", { class: "vae-slider" }, grid_);
    el_("span", { text: `z${i + 1}` }, lab);
    const s = el_("input", { type: "range", min: -spec.limit, max: spec.limit, step: spec.step,
      value: z[i], "aria-label": `latent coordinate z${i + 1} (prior standard deviations)`,
      class: "vae-latent-slider" }, lab);
    const out = el_("output", { text: z[i].toFixed(2) }, lab);
    s.addEventListener("input", () => {
      const t0 = performance.now();
      z[i] = parseFloat(s.value);
      out.textContent = z[i].toFixed(2);
      draw();
      requestAnimationFrame(() => timings.push(performance.now() - t0));
    });
    s.addEventListener("change", commit);
    sliders.push([s, out]);
  }
  const info = el_("div", { class: "vae-info", "aria-live": "polite" }, ex);

  function nearest(zz) {
    let best = -1, bd = Infinity;
    for (let i = 0; i < N; i++) {
      let d = 0;
      for (let k = 0; k < Z; k++) d += (points[i * Z + k] - zz[k]) ** 2;
      if (d < bd) { bd = d; best = i; }
    }
    return best;
  }

  function draw() {
    decode(z, pixels);
    greyImage(sctx, pixels, W, H);
    ctx.drawImage(small, 0, 0, W * scale, H * scale);
    if (sc) {
      sc.drawImage(scatter._base, 0, 0);
      const [px, py] = toPx(z[0], z[1]);
      sc.strokeStyle = "#dc0000"; sc.lineWidth = 3;
      sc.beginPath(); sc.moveTo(px - 8, py); sc.lineTo(px + 8, py);
      sc.moveTo(px, py - 8); sc.lineTo(px, py + 8); sc.stroke();
    }
    const i = N ? nearest(z) : -1;
    const zs = Array.from(z.slice(0, 4), (v) => v.toFixed(2)).join(", ") + (Z > 4 ? ", ..." : "");
    info.textContent = `z = (${zs})` + (i >= 0 ? `; nearest encoded test image #${i}`
      + (labels.length ? `, digit ${labels[i]}` : "") : "");
  }

  function commit() {  // one message to the kernel, when a move ends
    model.set("z", Array.from(z));
    model.save_changes();
  }

  function setLatent(zz, send) {
    for (let i = 0; i < Z; i++) {
      const [s, out] = sliders[i];
      const v = Math.min(spec.limit, Math.max(-spec.limit, zz[i]));
      s.value = v; z[i] = parseFloat(s.value); out.textContent = z[i].toFixed(2);
    }
    draw();
    if (send) commit();
  }

  // --- the manifold: decoder means on the prior's inverse-CDF grid --------------------------
  let gridMs = null;
  function drawGrid() {
    const pane = panes.grid;
    const n = Math.round(Math.sqrt(grid.length / Z));
    let c = pane.querySelector("canvas");
    if (!c) {
      c = el_("canvas", { width: n * W, height: n * H, class: "vae-manifold", role: "img",
        "aria-label": `${n} x ${n} decoder means over latent space, spaced by the prior's `
          + "inverse CDF" }, pane);
      el_("div", { class: "vae-info", text: `the learned manifold: an ${n} x ${n} grid of z `
        + "through the inverse CDF of the prior (paper, Figures 4 and 5)" }, pane);
    }
    const t0 = performance.now();
    const g = c.getContext("2d");
    const all = decode.many(grid, n * n, new Float32Array(n * n * D));
    const img = g.createImageData(n * W, n * H);
    for (let r = 0; r < n; r++) {
      for (let q = 0; q < n; q++) {
        const base = (r * n + q) * D;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const v = Math.round(Math.min(1, Math.max(0, all[base + y * W + x])) * 255);
            const o = 4 * ((r * H + y) * n * W + q * W + x);
            img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
            img.data[o + 3] = 255;
          }
        }
      }
    }
    g.putImageData(img, 0, 0);
    gridMs = performance.now() - t0;
  }

  // --- interpolation between two test images ------------------------------------------------
  let interp = null;
  function drawInterp() {
    const pane = panes.interp, M = images.length / D;
    if (!interp) {
      const c = el_("canvas", { width: 3 * W * 4 + 8, height: H * 4, class: "vae-interp",
        role: "img", "aria-label": "test image a | decoded point on the line | test image b" },
        pane);
      const ctl = el_("div", { class: "vae-sliders" }, pane);
      const mk = (name, v, max, step) => {
        const lab = el_("label", { class: "vae-slider" }, ctl);
        el_("span", { text: name }, lab);
        const s = el_("input", { type: "range", min: 0, max, step, value: v,
          "aria-label": name }, lab);
        const o = el_("output", { text: String(v) }, lab);
        s.addEventListener("input", () => { o.textContent = s.value; drawInterp(); });
        return s;
      };
      interp = { c, a: mk("image a", 0, M - 1, 1), b: mk("image b", 1, M - 1, 1),
        t: mk("t", 0.5, 1, 0.02) };
    }
    const a = +interp.a.value, b = +interp.b.value, t = +interp.t.value;
    const zz = new Float32Array(Z);
    for (let d = 0; d < Z; d++) zz[d] = (1 - t) * points[a * Z + d] + t * points[b * Z + d];
    const mid = decode(zz, new Float32Array(D));
    const g = interp.c.getContext("2d");
    g.fillStyle = "#808080"; g.fillRect(0, 0, interp.c.width, interp.c.height);
    const tmp = el_("canvas", { width: W, height: H }), tc = tmp.getContext("2d");
    g.imageSmoothingEnabled = false;
    [Float32Array.from(images.subarray(a * D, (a + 1) * D), (v) => v / 255), mid,
      Float32Array.from(images.subarray(b * D, (b + 1) * D), (v) => v / 255)]
      .forEach((img, k) => {
        greyImage(tc, img, W, H);
        g.drawImage(tmp, k * (W * 4 + 4), 0, W * 4, H * 4);
      });
  }

  model.on("change:z", () => setLatent(model.get("z"), false));
  // for tests and curious readers: the decoder and the timings, on the element
  root.vae = {
    decode: (zz) => Array.from(decode(zz, new Float32Array(D))),
    timings, gridMs: () => { drawGrid(); return gridMs; }, setLatent, backend: decode.backend,
    decodeMany: (zs, js = false) => {  // the manifold's decoder (js: the fallback), n latents
      const all = (js ? decode.manyJs : decode.many)(zs.flat(), zs.length,
        new Float32Array(zs.length * D));
      return zs.map((_, i) => Array.from(all.subarray(i * D, (i + 1) * D)));
    },
  };
  draw();
}

export default { render };
