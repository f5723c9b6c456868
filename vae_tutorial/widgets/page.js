// The static site's views (vae_tutorial/widgets/page.py): the shared controls and the registry.
// A classic script (pages open from file://, where module imports are refused): it defines
// window.VAEPage; each page_NAME.js adds VAEPage.views[NAME] = mount(el, state).
(function () {
  "use strict";
  const VAEPage = (window.VAEPage = window.VAEPage || { views: {}, mounted: [] });

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
      if (s.kind === "checkbox") {
        input = el("input", { id, type: "checkbox" }, row);
        input.checked = !!s.value;
        read = () => input.checked;
        show = (v) => { input.checked = !!v; };
      } else if (s.kind === "select") {
        if (s.slider) {  // a SelectionSlider: a range over the options' positions
          input = el("input", { id, type: "range", min: 0, max: s.options.length - 1, step: 1 }, row);
          out = el("output", { for: id }, row);
          const at = (v) => s.options.findIndex((o) => o[1] === v);
          read = () => s.options[Number(input.value)][1];
          show = (v) => { input.value = String(at(v)); out.textContent = s.options[at(v)][0]; };
        } else {
          input = el("select", { id }, row);
          s.options.forEach(([label], k) => el("option", { value: k, text: label }, input));
          read = () => s.options[Number(input.value)][1];
          show = (v) => { input.value = String(s.options.findIndex((o) => o[1] === v)); };
        }
      } else {  // float / int: a range (or a number box, as BoundedIntText)
        const type = s.box ? "number" : "range";
        input = el("input", { id, type, min: s.min, max: s.max, step: s.step }, row);
        if (!s.box) out = el("output", { for: id }, row);
        read = () => snap(s, input.value);
        show = (v) => {
          input.value = String(v);
          if (out) out.textContent = s.kind === "int" ? String(v) : Number(v).toFixed(decimals(s.step));
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
      input.addEventListener(s.kind === "checkbox" || input.tagName === "SELECT" || s.box ? "change" : "input", changed);
      if (s.box) input.addEventListener("input", changed);
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
      const api = mount(node, state);
      node.vae = api;
      VAEPage.mounted.push({ node, api, module: state.module });
    }
  };
  // the views' scripts are deferred after this one: they have all run by DOMContentLoaded
  if (document.readyState === "complete") VAEPage.mountAll();
  else document.addEventListener("DOMContentLoaded", () => VAEPage.mountAll());
})();
