// A view whose frames were drawn by the package at build time (vae_tutorial/widgets/page.py,
// frames_state): one PNG per setting of its controls. Every frame is decoded once when the
// page opens, so a move draws a ready bitmap at once. A classic script (see page.js).
(function () {
  "use strict";
  const VAEPage = window.VAEPage;

  VAEPage.views.frames = function mount(el, state) {
    const names = state.controls.map((c) => c.name);
    const bitmaps = {};
    let canvas = null, ctx = null;
    const keyOf = (values) => JSON.stringify(names.map((n) => values[n]));
    const draw = () => {
      const key = keyOf(controls.values);
      const bitmap = bitmaps[key];
      if (!bitmap) {  // not decoded yet: drawn when it is
        if (!(key in state.frames)) missing.textContent = "No frame was computed for this setting.";
        return;
      }
      missing.textContent = "";
      if (canvas.width !== bitmap.width) canvas.width = bitmap.width;
      if (canvas.height !== bitmap.height) canvas.height = bitmap.height;
      ctx.drawImage(bitmap, 0, 0);
      canvas.dataset.frame = String(Number(canvas.dataset.frame) + 1);
      canvas.dataset.key = key;
    };
    const controls = VAEPage.controls(el, state.controls, () => draw());
    canvas = VAEPage.canvas(el, 0, 0, state.alt);
    ctx = canvas.getContext("2d");
    const missing = VAEPage.el("p", { class: "vae-live-caption" }, el);
    const options = { colorSpaceConversion: "none", premultiplyAlpha: "none" };
    const ready = Promise.all(
      Object.entries(state.frames).map(async ([key, buffer]) => {
        const blob = new Blob([buffer], { type: "image/png" });
        bitmaps[key] = await createImageBitmap(blob, options);
        if (key === keyOf(controls.values)) draw();
      })
    );
    el.dataset.ready = "0";
    ready.then(
      () => { el.dataset.ready = "1"; },
      (e) => {  // a frame that cannot be decoded: say so in place of the picture
        el.dataset.ready = "error";
        missing.textContent = `A frame of this view could not be decoded: ${e.message || e}`;
      }
    );
    draw();  // says so at once if the starting setting has no frame
    return {
      set: (name, value) => controls.set(name, value),
      values: () => ({ frame: canvas.dataset.key ?? null }),  // the frame shown, not asked for
      ready,
    };
  };
})();
