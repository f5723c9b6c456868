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

  /** A legend box with its top-left corner at (x, y): items {label, color, kind: "line" |
   * "patch" | "dot" | "plus", dash, width, alpha}. Opaque, as matplotlib's framealpha=1. */
  VAEPage.legend = function legend(ctx, x, y, items) {
    ctx.save();
    ctx.font = "11px sans-serif";
    const rowH = 15, w = 34 + Math.max(...items.map((it) => ctx.measureText(it.label).width));
    const h = 6 + rowH * items.length;
    ctx.fillStyle = "#fff"; ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
    ctx.fillRect(x, y, w, h); ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    items.forEach((it, i) => {
      const cy = y + 3 + rowH * i + rowH / 2;
      ctx.strokeStyle = ctx.fillStyle = it.color;
      ctx.globalAlpha = it.alpha ?? 1;
      ctx.lineWidth = it.width ?? 1.5; ctx.setLineDash(it.dash ?? []);
      ctx.beginPath();
      if (it.kind === "patch") ctx.fillRect(x + 6, cy - 5, 20, 10);
      else if (it.kind === "dot") { ctx.arc(x + 16, cy, 3, 0, 2 * Math.PI); ctx.fill(); }
      else if (it.kind === "plus") { ctx.moveTo(x + 11, cy); ctx.lineTo(x + 21, cy); ctx.moveTo(x + 16, cy - 5); ctx.lineTo(x + 16, cy + 5); ctx.stroke(); }
      else { ctx.moveTo(x + 6, cy); ctx.lineTo(x + 26, cy); ctx.stroke(); }
      ctx.globalAlpha = 1; ctx.setLineDash([]);
      ctx.fillStyle = "#000"; ctx.textBaseline = "middle"; ctx.textAlign = "left";
      ctx.fillText(it.label, x + 32, cy);
    });
    ctx.restore();
    return { x, y, w, h };
  };

  /** A line of text under a view's figure (the numbers a Jupyter view puts in its caption). */
  VAEPage.caption = (parent) => el("p", { class: "vae-live-caption" }, parent);

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
