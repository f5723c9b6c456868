// The static site's views (vae_tutorial/widgets/page.py): the shared controls and the registry.
// A classic script (pages open from file://, where module imports are refused): it defines
// window.VAEPage; each page_NAME.js adds VAEPage.views[NAME] = mount(el, state).
(function () {
  "use strict";
  const VAEPage = (window.VAEPage = window.VAEPage || { views: {} });

  function el(tag, attrs = {}, parent = null) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    if (parent) parent.appendChild(node);
    return node;
  }
  VAEPage.el = el;

  const decimals = (step) => Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  // the value a slider of this range and step holds (as ipywidgets snaps it)
  const snap = (s, v) => {
    const x = Math.min(s.max, Math.max(s.min, Number(v)));
    const n = Math.round((x - s.min) / s.step);
    return Number((s.min + n * s.step).toFixed(decimals(s.step) + 2));
  };

  /** Build the controls ``specs`` (page.py control_spec) in ``parent``; ``onChange(name,
   * value)`` is called on every input. Returns {values: {name: value}, set(name, value)}:
   * ``set`` moves a control as a reader would (the input shows it, onChange runs). */
  VAEPage.controls = function controls(parent, specs, onChange) {
    const box = el("div", { class: "vae-page-controls" }, parent);
    const values = {}, setters = {};
    specs.forEach((s, i) => {
      const id = `${parent.id || "vae-view"}-c${i}`;
      const row = el("div", { class: "vae-page-control" }, box);
      el("label", { for: id, text: s.label }, row);
      let input, read, show, out = null;
      const at = (v) => {  // the position of option value v
        const k = (s.options || []).findIndex((o) => o[1] === v);
        if (k < 0) throw new Error(`${s.label}: ${JSON.stringify(v)} is not one of its options`);
        return k;
      };
      if (s.kind === "checkbox") {
        input = el("input", { id, type: "checkbox" }, row);
        input.checked = !!s.value;
        read = () => input.checked;
        show = (v) => { input.checked = !!v; };
      } else if (s.kind === "select") {
        if (s.slider) {  // a SelectionSlider: a range over the options' positions
          input = el("input", { id, type: "range", min: 0, max: s.options.length - 1, step: 1 }, row);
          out = el("output", { for: id }, row);
          read = () => s.options[Number(input.value)][1];
          show = (v) => { input.value = String(at(v)); out.textContent = s.options[at(v)][0]; };
        } else {
          input = el("select", { id }, row);
          s.options.forEach(([label], k) => el("option", { value: k, text: label }, input));
          read = () => s.options[Number(input.value)][1];
          show = (v) => { input.value = String(at(v)); };
        }
      } else {  // float / int: a range (or a number box, as BoundedIntText)
        const type = s.box ? "number" : "range";
        input = el("input", { id, type, min: s.min, max: s.max, step: s.step }, row);
        if (!s.box) out = el("output", { for: id }, row);
        read = () => snap(s, input.value);
        show = (v) => {
          input.value = String(v);
          // as ipywidgets' readout: readout_format's decimals (".2f" by default)
          if (out) out.textContent = s.kind === "int" ? String(v) : VAEPage.fixed(Number(v), s.decimals ?? decimals(s.step));
        };
      }
      input.dataset.control = s.name;
      show(s.value);
      values[s.name] = s.value;
      const changed = () => {
        const v = read();
        show(v);
        values[s.name] = v;
        onChange(s.name, v);
      };
      // a number box (BoundedIntText, continuous_update off in Jupyter) acts when committed
      input.addEventListener(s.kind === "checkbox" || input.tagName === "SELECT" || s.box ? "change" : "input", changed);
      setters[s.name] = (v) => { show(s.kind === "float" || s.kind === "int" ? snap(s, v) : v); changed(); };
    });
    return {
      values,
      set(name, v) {
        if (!(name in setters)) throw new Error(`no control ${name}; controls: ${Object.keys(setters)}`);
        setters[name](v);
      },
    };
  };

  /** A canvas of w x h pixels (shown at its natural size, at most the column's width). */
  VAEPage.canvas = function canvas(parent, w, h, label) {
    const c = el("canvas", { class: "vae-page-canvas", role: "img", "aria-label": label }, parent);
    c.width = w;
    c.height = h;
    c.dataset.frame = "0";
    return c;
  };

  // --- drawing helpers for the views that compute in the page (page_conjugate.js, ...) -----

  /** Python's format(x, f".{d}f"): toFixed rounds an exact tie away from zero, Python to even
   * (0.0625 -> "0.062"), and Python keeps the sign of -0. */
  VAEPage.fixed = function fixed(x, d) {
    let s = x.toFixed(d);
    const a = Math.abs(x);
    if (a > 0 && a < 1e15) {
      const exact = a.toFixed(100);  // the binary value's decimal digits (exact from 2^-47 up)
      const cut = exact.indexOf(".") + 1 + d;
      if (/^50*$/.test(exact.slice(cut)) && Number(exact[cut - 1 - (d === 0)]) % 2 === 0) {
        s = (x < 0 ? "-" : "") + exact.slice(0, d === 0 ? cut - 1 : cut);
      }
    }
    return Object.is(x, -0) ? `-${s}` : s;
  };

  /** Python's format(x, f".{p}g") (default p = 6): p significant digits, no trailing zeros. */
  VAEPage.g = function g(x, p = 6) {
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    const exp = Number(x.toExponential(p - 1).split("e")[1]);
    if (exp < -4 || exp >= p) {
      const [m, e] = x.toExponential(p - 1).split("e");
      const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
      return `${mant}e${e[0]}${e.slice(1).padStart(2, "0")}`;
    }
    const s = VAEPage.fixed(x, Math.max(0, p - 1 - exp));
    return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  };

  /** viz.live.axis_top: the first of ``tops`` (powers of 2) above 1.05 ``peak``, so the
   * axis stays put while a slider moves. */
  VAEPage.axisTop = (peak, tops) => tops.find((t) => t >= 1.05 * peak) ?? Math.ceil(1.05 * peak);

  /** numpy.linspace(lo, hi, n), value for value (i * step + lo, the last one hi). */
  VAEPage.linspace = function linspace(lo, hi, n) {
    const a = new Float64Array(n), step = (hi - lo) / (n - 1);
    for (let i = 0; i < n; i++) a[i] = i * step + lo;
    a[n - 1] = hi;
    return a;
  };

  /** A figure: a canvas of w x h CSS pixels at the screen's pixel density, its context scaled
   * so that drawing is in CSS pixels. */
  VAEPage.figure = function figure(parent, w, h, label) {
    const dpr = Math.min(2, Math.max(1, Math.round(window.devicePixelRatio || 1)));
    const canvas = VAEPage.canvas(parent, w * dpr, h * dpr, label);
    canvas.style.width = `${w}px`;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { canvas, ctx, dpr, w, h };
  };

  /** Round tick values covering [lo, hi], about n of them. */
  VAEPage.ticks = function ticks(lo, hi, n = 6) {
    const raw = (hi - lo) / n, p = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw * 0.999);
    const out = [];
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) out.push(k * step);
    return out;
  };
  const tickText = (v) => String(Number(v.toFixed(6)));

  /** Axes in ``box`` {x, y, w, h} (CSS px) over data limits ``xlim``, ``ylim``: px(x), py(y)
   * map data to pixels; frame({title, xlabel, ylabel}) draws the box, ticks and labels;
   * clip() / unclip() bracket drawing inside the box. */
  VAEPage.axes = function axes(ctx, box, xlim, ylim) {
    const px = (v) => box.x + ((v - xlim[0]) / (xlim[1] - xlim[0])) * box.w;
    const py = (v) => box.y + box.h - ((v - ylim[0]) / (ylim[1] - ylim[0])) * box.h;
    return {
      box, xlim, ylim, px, py,
      clip() { ctx.save(); ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip(); },
      unclip() { ctx.restore(); },
      frame({ title = "", xlabel = "", ylabel = "", nx = 8, ny = 5 } = {}) {
        ctx.save();
        ctx.strokeStyle = "#000"; ctx.fillStyle = "#000"; ctx.lineWidth = 1; ctx.setLineDash([]);
        ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
        ctx.font = "11px sans-serif";
        ctx.textAlign = "center"; ctx.textBaseline = "top";
        for (const t of VAEPage.ticks(xlim[0], xlim[1], nx)) {
          const x = Math.round(px(t)) + 0.5;
          ctx.beginPath(); ctx.moveTo(x, box.y + box.h); ctx.lineTo(x, box.y + box.h + 4); ctx.stroke();
          ctx.fillText(tickText(t), x, box.y + box.h + 6);
        }
        ctx.textAlign = "right"; ctx.textBaseline = "middle";
        for (const t of VAEPage.ticks(ylim[0], ylim[1], ny)) {
          const y = Math.round(py(t)) + 0.5;
          ctx.beginPath(); ctx.moveTo(box.x - 4, y); ctx.lineTo(box.x, y); ctx.stroke();
          ctx.fillText(tickText(t), box.x - 6, y);
        }
        ctx.font = "12px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top";
        ctx.fillText(xlabel, box.x + box.w / 2, box.y + box.h + 21);
        ctx.save();
        ctx.translate(box.x - 40, box.y + box.h / 2); ctx.rotate(-Math.PI / 2);
        ctx.textBaseline = "bottom"; ctx.fillText(ylabel, 0, 0);
        ctx.restore();
        ctx.font = "13px sans-serif"; ctx.textBaseline = "bottom";
        ctx.fillText(title, box.x + box.w / 2, box.y - 5);
        ctx.restore();
      },
    };
  };

  /** Stroke the polyline (xs[i], ys[i]) in data units on axes ``ax`` (NaN: a gap). */
  VAEPage.polyline = function polyline(ctx, ax, xs, ys, { color = "#000", width = 1.5, dash = [], alpha = 1 } = {}) {
    ctx.save();
    ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash); ctx.globalAlpha = alpha;
    ctx.lineJoin = "round";
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) { pen = false; continue; }
      const x = ax.px(xs[i]), y = ax.py(ys[i]);
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
    ctx.restore();
  };

  /** A marker centred at (x, y) (CSS px): ``kind`` "dot" (a disc of radius ``size``, filled
   * with ``color``, outlined in ``edge`` if given), "plus" or "x" (arms of half-length
   * ``size``, ``width`` wide, in ``color``). */
  VAEPage.marker = function marker(ctx, x, y, { kind = "dot", size = 3, color = "#000", edge = null, width = 1.5 } = {}) {
    ctx.save();
    ctx.strokeStyle = ctx.fillStyle = color; ctx.lineWidth = width; ctx.setLineDash([]);
    ctx.beginPath();
    if (kind === "dot") {
      ctx.arc(x, y, size, 0, 2 * Math.PI); ctx.fill();
      if (edge) { ctx.strokeStyle = edge; ctx.lineWidth = 1.2; ctx.stroke(); }
    } else {
      const [a, b] = kind === "plus" ? [size, 0] : [size, size];  // the two arms' half-extents
      ctx.moveTo(x - a, y - b); ctx.lineTo(x + a, y + b);
      ctx.moveTo(x - b, y + a); ctx.lineTo(x + b, y - a);
      ctx.stroke();
    }
    ctx.restore();
  };

  /** A legend box with its top-left corner at (x, y) (``bottom``: its bottom-left corner):
   * items {label, color, kind: "line" | "patch" | "dot" | "plus" | "x", dash, width, alpha,
   * edge}. Opaque, as matplotlib's framealpha=1. */
  VAEPage.legend = function legend(ctx, x, y, items, { bottom = false } = {}) {
    ctx.save();
    ctx.font = "11px sans-serif";
    const rowH = 15, w = 34 + Math.max(...items.map((it) => ctx.measureText(it.label).width));
    const h = 6 + rowH * items.length;
    if (bottom) y -= h;
    ctx.fillStyle = "#fff"; ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
    ctx.fillRect(x, y, w, h); ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    items.forEach((it, i) => {
      const cy = y + 3 + rowH * i + rowH / 2;
      ctx.strokeStyle = ctx.fillStyle = it.color;
      ctx.globalAlpha = it.alpha ?? 1;
      ctx.lineWidth = it.width ?? 1.5; ctx.setLineDash(it.dash ?? []);
      ctx.beginPath();
      if (it.kind === "patch") ctx.fillRect(x + 6, cy - 5, 20, 10);
      else if (it.kind === "dot" || it.kind === "plus" || it.kind === "x") {
        const size = it.kind === "dot" ? (it.edge ? 4 : 3) : it.kind === "plus" ? 5 : 4;
        VAEPage.marker(ctx, x + 16, cy, { kind: it.kind, size, color: it.color, edge: it.edge, width: it.width });
      } else { ctx.moveTo(x + 6, cy); ctx.lineTo(x + 26, cy); ctx.stroke(); }
      ctx.globalAlpha = 1; ctx.setLineDash([]);
      ctx.fillStyle = "#000"; ctx.textBaseline = "middle"; ctx.textAlign = "left";
      ctx.fillText(it.label, x + 32, cy);
    });
    ctx.restore();
    return { x, y, w, h };
  };

  // --- densities on a grid (page_conjugate.js, page_hard_posterior.js) ----------------------

  VAEPage.LOG_2PI = Math.log(2 * Math.PI);  // theory.gaussian.LOG_2PI

  /** theory.gaussian.normal_pdf: N(z; mean, v) of a scalar Gaussian. */
  VAEPage.normalPdf = (z, mean, v) => Math.exp((-0.5 * (z - mean) ** 2) / v) / Math.sqrt(2 * Math.PI * v);

  /** scipy's logsumexp of the numbers ``a``. */
  VAEPage.logsumexp = function logsumexp(a) {
    let m = -Infinity;
    for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
    let s = 0;
    for (let i = 0; i < a.length; i++) s += Math.exp(a[i] - m);
    return Math.log(s) + m;
  };

  /** viz.live.ellipses (theory.gaussian.ellipse at each of ``radii``): mean + r (cos t, sin t)
   * chol(cov)^T at 200 points t from 0 to 2 pi, as one polyline [xs, ys], NaN between the
   * ellipses. mean [m1, m2], cov [[c11, c12], [c12, c22]]. */
  VAEPage.ellipses = function ellipses(mean, cov, radii) {
    const l11 = Math.sqrt(cov[0][0]), l21 = cov[1][0] / l11, l22 = Math.sqrt(cov[1][1] - l21 * l21);
    const xs = [], ys = [];
    for (const r of radii) {
      for (let k = 0; k < 200; k++) {
        const t = (2 * Math.PI * k) / 199, c = r * Math.cos(t), s = r * Math.sin(t);
        xs.push(mean[0] + c * l11);
        ys.push(mean[1] + c * l21 + s * l22);
      }
      xs.push(NaN); ys.push(NaN);
    }
    return [xs, ys];
  };

  /** theory.grid.hpd_levels: the densities t whose super-level sets {D >= t} hold ``masses``
   * of the grid density ``D`` (cell volume ``cell``, maximum ``dmax``): each the density of
   * the first point, in decreasing order of density, at which the cumulative mass reaches it.
   * Rather than sort the whole grid, a histogram of mass by density finds the bin where each
   * mass is reached, and only that bin's points are sorted. Returns them increasing. */
  const BINS = 4096, hist = new Float64Array(BINS);
  let pts = new Float64Array(0);  // (both reused from call to call)
  VAEPage.hpdLevels = function hpdLevels(D, cell, masses, dmax) {
    const N = D.length, scale = BINS / dmax;
    if (pts.length < N) pts = new Float64Array(N);
    const bin = (v) => { const b = (v * scale) | 0; return b < BINS ? b : BINS - 1; };
    hist.fill(0);
    for (let k = 0; k < N; k++) hist[bin(D[k])] += D[k] * cell;
    const levels = [];
    let cum = 0;
    for (let b = BINS - 1; b >= 0 && levels.length < masses.length; b--) {
      if (cum + hist[b] < masses[levels.length] && b > 0) { cum += hist[b]; continue; }
      let count = 0;  // the bin's points, sorted (increasing: read from the end)
      for (let k = 0; k < N; k++) if (bin(D[k]) === b) pts[count++] = D[k];
      const sorted = pts.subarray(0, count).sort();
      for (let q = count - 1; q >= 0; q--) {
        cum += sorted[q] * cell;
        while (levels.length < masses.length && cum >= masses[levels.length]) levels.push(sorted[q]);
      }
      while (b === 0 && levels.length < masses.length) levels.push(count ? sorted[0] : 0);
    }
    return levels.sort((u, v) => u - v);
  };

  /** Marching squares, as contourpy: the lines where a field on the grid X (n1) x Y (n2)
   * crosses each of ``levels``, added as segments to ctx's current path (a corner is above a
   * level when its value is > it; a saddle is split by the cell's mean). X, Y: the grid
   * lines' pixel positions; the value at (X[i], Y[j]) is field[i * s1 + j * s2] (rows of z2:
   * s1 = 1, s2 = n1; z1 slow, as Grid.points: s1 = n2, s2 = 1). */
  VAEPage.contours = function contours(ctx, X, Y, field, levels, s1, s2) {
    const pt = [0, 0, 0, 0, 0, 0, 0, 0];  // the crossing on edges 0 bottom, 1 right, 2 top, 3 left
    const seg = (p, q) => { ctx.moveTo(pt[2 * p], pt[2 * p + 1]); ctx.lineTo(pt[2 * q], pt[2 * q + 1]); };
    for (const level of levels) {
      for (let j = 0; j < Y.length - 1; j++) {
        for (let i = 0; i < X.length - 1; i++) {
          const k = i * s1 + j * s2, v0 = field[k], v1 = field[k + s1], v2 = field[k + s1 + s2], v3 = field[k + s2];
          const c = (v0 > level) | ((v1 > level) << 1) | ((v2 > level) << 2) | ((v3 > level) << 3);
          if (c === 0 || c === 15) continue;
          const x0 = X[i], x1 = X[i + 1], y0 = Y[j], y1 = Y[j + 1];
          pt[0] = x0 + ((x1 - x0) * (level - v0)) / (v1 - v0); pt[1] = y0;
          pt[2] = x1; pt[3] = y0 + ((y1 - y0) * (level - v1)) / (v2 - v1);
          pt[4] = x0 + ((x1 - x0) * (level - v3)) / (v2 - v3); pt[5] = y1;
          pt[6] = x0; pt[7] = y0 + ((y1 - y0) * (level - v0)) / (v3 - v0);
          const centre = (v0 + v1 + v2 + v3) / 4 > level;
          switch (c) {
            case 1: case 14: seg(3, 0); break;
            case 2: case 13: seg(0, 1); break;
            case 3: case 12: seg(3, 1); break;
            case 4: case 11: seg(1, 2); break;
            case 6: case 9: seg(0, 2); break;
            case 7: case 8: seg(3, 2); break;
            case 5: if (centre) { seg(3, 2); seg(0, 1); } else { seg(3, 0); seg(1, 2); } break;
            case 10: if (centre) { seg(3, 0); seg(1, 2); } else { seg(3, 2); seg(0, 1); } break;
            default: break;
          }
        }
      }
    }
  };

  /** A painter of grid densities in ``box`` of figure ``fig`` (VAEPage.figure) whose data
   * limits are ``xlim``, ``ylim`` (the first and last grid lines, n1 x n2 points): ``paint(D,
   * dmax)`` puts D as 10 shades (``palette``: 10 "#rrggbb", relative to ``dmax``), as
   * DensityPanel's imshow: the data interpolated bilinearly between grid points at each
   * device pixel, then banded. The value at grid point (i, j) is D[i * s1 + j * s2]. Each
   * pixel's grid cell and weights are fixed, so they are found once. */
  VAEPage.densityPainter = function densityPainter(fig, box, xlim, ylim, n1, n2, s1, s2, palette) {
    const { ctx, dpr } = fig, bw = Math.round(box.w * dpr), bh = Math.round(box.h * dpr);
    const image = ctx.createImageData(bw, bh), pix = new Uint32Array(image.data.buffer);
    const colours = Uint32Array.from(palette, (hex) => {
      const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
      return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
    });
    const cells = ([lo, hi], n, m, flip) => {  // per pixel: the grid cell and the fraction in it
      const idx = new Int32Array(m), t = new Float64Array(m), h = (hi - lo) / (n - 1);
      for (let p = 0; p < m; p++) {
        const f = (p + 0.5) / m, v = flip ? hi - f * (hi - lo) : lo + f * (hi - lo);
        const g = Math.min(n - 1.000001, Math.max(0, (v - lo) / h));
        idx[p] = Math.floor(g); t[p] = g - idx[p];
      }
      return [idx, t];
    };
    const [colI, colT] = cells(xlim, n1, bw, false), [rowJ, rowT] = cells(ylim, n2, bh, true);
    const along = new Float64Array(n1);  // one pixel row's density at each z1 of the grid
    return function paint(D, dmax) {  // (D >= 0: a band is the integer part)
      const scale = 10 / dmax;
      for (let py = 0, o = 0; py < bh; py++) {
        const tj = rowT[py], r0 = rowJ[py] * s2;
        for (let i = 0, k = r0; i < n1; i++, k += s1) along[i] = (D[k] + tj * (D[k + s2] - D[k])) * scale;
        for (let px = 0; px < bw; px++, o++) {
          const i = colI[px], lower = along[i], band = (lower + colT[px] * (along[i + 1] - lower)) | 0;
          pix[o] = colours[band > 9 ? 9 : band];
        }
      }
      ctx.putImageData(image, Math.round(box.x * dpr), Math.round(box.y * dpr));
    };
  };

  /** A line of text under a view's figure (the numbers a Jupyter view puts in its caption). */
  VAEPage.caption = (parent) => el("p", { class: "vae-live-caption" }, parent);

  /** The line under a view where Jupyter prints an error (base.View.render, which keeps the
   * last drawing above it): ``show(text)``, ``show(null)`` clears it; ``text()``. */
  VAEPage.errorLine = function errorLine(parent) {
    const p = el("p", { class: "vae-live-caption vae-live-error", role: "status" }, parent);
    p.hidden = true;
    return { show(text) { p.textContent = text || ""; p.hidden = !text; }, text: () => p.textContent || null };
  };

  /** Base64 -> ArrayBuffer (the page's embedded binary arrays). */
  VAEPage.bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;

  /** Mount every view of the page: <div class="vae-live" data-state="ID"> with its state in
   * <script type="application/json" id="ID">, binary arrays in the page's "vae-blobs". */
  VAEPage.mountAll = function mountAll() {
    const blobNode = document.getElementById("vae-blobs");
    const raw = blobNode ? JSON.parse(blobNode.textContent) : {};
    const blobs = {};
    const blob = (key) => {
      if (!(key in blobs)) blobs[key] = VAEPage.bytes(raw[key]);
      return blobs[key];
    };
    // {"$blob": key} anywhere in a state -> that ArrayBuffer
    const resolve = (v) => {
      if (Array.isArray(v)) return v.map(resolve);
      if (v && typeof v === "object") {
        if (typeof v.$blob === "string") return blob(v.$blob);
        const o = {};
        for (const [k, x] of Object.entries(v)) o[k] = resolve(x);
        return o;
      }
      return v;
    };
    for (const node of document.querySelectorAll(".vae-live")) {
      const state = resolve(JSON.parse(document.getElementById(node.dataset.state).textContent));
      const mount = VAEPage.views[state.module];
      if (!mount) {
        node.textContent = `This view's script (${state.module}) did not load.`;
        continue;
      }
      try {  // one view that fails says so in its place; the page's other views still mount
        node.vae = mount(node, state);
      } catch (e) {
        console.error(`view ${node.dataset.view}:`, e);
        VAEPage.el("p", { class: "vae-live-caption", text: `This view could not start: ${e.message}` }, node);
      }
    }
  };
  // the views' scripts are deferred after this one: they have all run by DOMContentLoaded (a
  // page that loads these scripts later, after that event, calls VAEPage.mountAll itself)
  if (document.readyState === "complete") VAEPage.mountAll();
  else document.addEventListener("DOMContentLoaded", () => VAEPage.mountAll());
})();
