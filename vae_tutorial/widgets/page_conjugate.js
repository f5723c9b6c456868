// Notebook 01's conjugate views on the static page (vae_tutorial/widgets/page_conjugate.py):
// ConjugateExplorer1D (variant "1d") and ConjugateExplorer2D ("2d"). The model
// z ~ N(0, 1/alpha I), x | z ~ N(W z, 1/beta I) is computed here as the package computes it
// (theory.conjugate: the closed-form posterior; theory.grid: the posterior normalised on the
// plotted grid), and drawn as viz.posteriors' Conjugate1DPlot / Conjugate2DPlot draw it.
// A classic script: registers VAEPage.views.conjugate = mount(el, state).
(function () {
  "use strict";
  const P = window.VAEPage;
  const C0 = "#1f77b4", C3 = "#d62728", GREY = "#808080";
  const { LOG_2PI, normalPdf, logsumexp } = P;

  // ---- 1-D: f(z) = w z ---------------------------------------------------------------------

  function mount1d(el, state) {
    const [lo, hi] = state.limits;
    const z = P.linspace(lo, hi, state.points), n = z.length, every = state.dot_every;
    const cell = z[1] - z[0];
    const prior = new Float64Array(n), lik = new Float64Array(n), post = new Float64Array(n);
    const lj = new Float64Array(n), dotZ = z.filter((_, i) => i % every === 0);
    const dots = new Float64Array(dotZ.length);
    const fig = P.figure(el, 620, 350, state.describe);
    const caption = P.caption(el);
    let out = {};

    function compute({ alpha, beta, w, x }) {
      // theory.conjugate.linear_gaussian_posterior with 1 x 1 matrices, operation for operation
      const v = 1 / (alpha + beta * w * w), mean = v * (beta * w * x);
      const cLik = 0.5 * (Math.log(beta) - LOG_2PI), cPrior = 0.5 * (Math.log(alpha) - LOG_2PI);
      let peak = 0;
      for (let i = 0; i < n; i++) {
        const f = z[i] * w, sq = x * x - 2 * f * x + f * f;  // LatentModel.log_likelihood
        const ll = cLik - 0.5 * beta * sq;
        lj[i] = ll + (cPrior - 0.5 * alpha * z[i] * z[i]);
        prior[i] = normalPdf(z[i], 0, 1 / alpha);
        lik[i] = Math.exp(ll);
        post[i] = normalPdf(z[i], mean, v);
        peak = Math.max(peak, prior[i], lik[i], post[i]);
      }
      const logEvidence = logsumexp(lj) + Math.log(cell);  // theory.grid.posterior_on_grid
      for (let k = 0; k < dots.length; k++) dots[k] = Math.exp(lj[k * every] - logEvidence);
      const at = w ? x / w : null;
      const text = `w = ${P.g(w)}, x = ${P.g(x)}: posterior mean ${P.fixed(mean, 3)}, var ${P.fixed(v, 3)}`;
      out = { mean, var: v, at, ytop: P.axisTop(peak, state.tops), caption: `${state.title}, ${text}` };
    }

    function draw() {
      const { ctx } = fig;
      ctx.clearRect(0, 0, fig.w, fig.h);
      const ax = P.axes(ctx, { x: 62, y: 28, w: 540, h: 262 }, [lo, hi], [0, out.ytop]);
      ax.clip();
      if (out.at !== null) P.polyline(ctx, ax, [out.at, out.at], [0, out.ytop], { color: C0, width: 1, dash: [2, 3] });
      P.polyline(ctx, ax, z, prior, { color: GREY });
      P.polyline(ctx, ax, z, lik, { color: C0 });
      P.polyline(ctx, ax, z, post, { color: C3, width: 2.5 });
      ctx.fillStyle = "#000";
      for (let k = 0; k < dots.length; k++) {
        ctx.beginPath();
        ctx.arc(ax.px(dotZ[k]), ax.py(dots[k]), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
      ax.unclip();
      ax.frame({ title: state.title, xlabel: "latent z (latent units)", ylabel: "density (per latent unit)" });
      const styles = [{ color: GREY }, { color: C0 }, { color: C3, width: 2.5 },
                      { color: "#000", kind: "dot" }, { color: C0, width: 1, dash: [2, 3] }];
      P.legend(ctx, ax.box.x + 6, ax.box.y + 6, styles.map((s, i) => ({ ...s, label: state.legend[i] })));
    }

    return {
      redraw(v) { compute(v); draw(); caption.textContent = out.caption; },
      values: () => ({ ...out, prior: Array.from(prior), likelihood: Array.from(lik),
                       posterior: Array.from(post), grid_posterior: Array.from(dots) }),
      canvas: fig.canvas,
    };
  }

  // ---- 2-D: f(z) = W z ---------------------------------------------------------------------

  function mount2d(el, state) {
    const [lo, hi] = state.limits, n = state.resolution, N = n * n;
    const a = P.linspace(lo, hi, n), h = a[1] - a[0], cell = h * h;
    const lj = new Float64Array(N), dens = new Float64Array(N), rel = new Float64Array(N);
    const fig = P.figure(el, 520, 500, state.describe);
    const caption = P.caption(el);
    const box = { x: 62, y: 28, w: 420, h: 420 };  // square: equal units on z1 and z2
    const ax = P.axes(fig.ctx, box, [lo, hi], [lo, hi]);
    const X = Float64Array.from(a, (v) => ax.px(v)), Y = Float64Array.from(a, (v) => ax.py(v));
    // the fields are laid out in rows of z2 (as imshow's): (i, j) at i + j n
    const paint = P.densityPainter(fig, box, [lo, hi], [lo, hi], n, n, 1, n, state.shades);
    let out = {};

    function compute({ alpha, beta, W11, W12, W21, W22, x1, x2 }) {
      // theory.conjugate.linear_gaussian_posterior: precision alpha I + beta W^T W
      const bW = [[beta * W11, beta * W12], [beta * W21, beta * W22]];
      const p11 = alpha + (bW[0][0] * W11 + bW[1][0] * W21), p12 = bW[0][0] * W12 + bW[1][0] * W22;
      const p22 = alpha + (bW[0][1] * W12 + bW[1][1] * W22), det = p11 * p22 - p12 * p12;
      const cov = [[p22 / det, -p12 / det], [-p12 / det, p11 / det]];
      const b1 = bW[0][0] * x1 + bW[1][0] * x2, b2 = bW[0][1] * x1 + bW[1][1] * x2;
      const mean = [cov[0][0] * b1 + cov[0][1] * b2, cov[1][0] * b1 + cov[1][1] * b2];
      // log p(x, z) on the grid (LatentModel.log_joint), row j = z2, column i = z1
      const cLik = Math.log(beta) - LOG_2PI, cPrior = Math.log(alpha) - LOG_2PI, xx = x1 * x1 + x2 * x2;
      let llMax = -Infinity;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const f1 = W11 * a[i] + W12 * a[j], f2 = W21 * a[i] + W22 * a[j];
          const ll = cLik - 0.5 * beta * (xx - 2 * (f1 * x1 + f2 * x2) + (f1 * f1 + f2 * f2));
          rel[j * n + i] = ll;
          if (ll > llMax) llMax = ll;
          lj[j * n + i] = ll + (cPrior - 0.5 * alpha * (a[i] * a[i] + a[j] * a[j]));
        }
      }
      const logEvidence = logsumexp(lj) + Math.log(cell);  // theory.grid.posterior_on_grid
      let dMax = 0;
      for (let k = 0; k < N; k++) {
        rel[k] -= llMax;
        dens[k] = Math.exp(lj[k] - logEvidence);
        if (dens[k] > dMax) dMax = dens[k];
      }
      const hpd = P.hpdLevels(dens, cell, state.masses, dMax);
      const text = `x = (${P.g(x1, 2)}, ${P.g(x2, 2)}): posterior mean (${P.fixed(mean[0], 2)}, ${P.fixed(mean[1], 2)})`;
      out = { alpha, mean, cov, hpd, dmax: dMax, caption: `${state.title}, ${text}` };
    }

    function draw() {
      const { ctx } = fig;
      ctx.clearRect(0, 0, fig.w, fig.h);
      paint(dens, out.dmax);
      ax.clip();
      const lines = (field, levels, style) => {
        ctx.save();
        ctx.strokeStyle = style.color; ctx.lineWidth = style.width; ctx.beginPath();
        P.contours(ctx, X, Y, field, levels, 1, n);
        ctx.stroke();
        ctx.restore();
      };
      lines(rel, state.radii.map((r) => -0.5 * r * r), { color: C0, width: 1.2 });
      lines(dens, out.hpd, { color: "#000", width: 1.2 });
      const prior = [[1 / out.alpha, 0], [0, 1 / out.alpha]];
      P.polyline(ctx, ax, ...P.ellipses([0, 0], prior, state.radii), { color: GREY, width: 1.2 });
      P.polyline(ctx, ax, ...P.ellipses(out.mean, out.cov, state.radii), { color: C3, width: 1.8, dash: [6, 4] });
      P.marker(ctx, ax.px(out.mean[0]), ax.py(out.mean[1]), { kind: "plus", size: 7, color: C3 });
      ax.unclip();
      ax.frame({ title: state.title, xlabel: "latent z1 (latent units)", ylabel: "latent z2 (latent units)" });
      const styles = [{ color: GREY }, { color: C0 }, { color: "#000", width: 1.2 },
                      { color: C3, dash: [6, 4] }, { color: C3, kind: "plus" }];
      P.legend(ctx, box.x + 6, box.y + 6, styles.map((s, i) => ({ ...s, label: state.legend[i] })));
    }

    return {
      redraw(v) { compute(v); draw(); caption.textContent = out.caption; },
      values: () => ({ mean: out.mean, cov: out.cov, hpd: out.hpd, caption: out.caption,
                       density: Array.from(dens), loglik: Array.from(rel) }),
      canvas: fig.canvas,
    };
  }

  P.views.conjugate = function mount(el, state) {
    let view = null;  // the controls go above the figure; they call back only on input
    const redraw = () => {
      view.redraw(controls.values);
      view.canvas.dataset.frame = String(Number(view.canvas.dataset.frame) + 1);
    };
    const controls = P.controls(el, state.controls, redraw);
    view = (state.variant === "2d" ? mount2d : mount1d)(el, state);
    redraw();
    return {
      set: (name, value) => controls.set(name, value),
      values: () => view.values(),
    };
  };
})();
