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
  const LOG_2PI = Math.log(2 * Math.PI);

  // theory.gaussian.normal_pdf
  const normalPdf = (z, mean, v) => Math.exp((-0.5 * (z - mean) ** 2) / v) / Math.sqrt(2 * Math.PI * v);

  // scipy's logsumexp
  function logsumexp(a) {
    let m = -Infinity;
    for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
    let s = 0;
    for (let i = 0; i < a.length; i++) s += Math.exp(a[i] - m);
    return Math.log(s) + m;
  }

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
      P.legend(ctx, ax.box.x + 6, ax.box.y + 6, [
        { label: "prior p(z)", color: GREY },
        { label: "likelihood p(x|z) (as a function of z)", color: C0 },
        { label: "posterior, closed form", color: C3, width: 2.5 },
        { label: "posterior, grid (every 20th point)", color: "#000", kind: "dot" },
        { label: "z = x / w (likelihood's peak)", color: C0, width: 1, dash: [2, 3] },
      ]);
    }

    return {
      redraw(v) { compute(v); draw(); caption.textContent = out.caption; },
      values: () => ({ ...out, prior: Array.from(prior), likelihood: Array.from(lik),
                       posterior: Array.from(post), grid_posterior: Array.from(dots) }),
      canvas: fig.canvas,
    };
  }

  // ---- 2-D: f(z) = W z ---------------------------------------------------------------------

  // Marching squares: the lines where the (n x n, row = z2) field crosses ``level``, added as
  // segments to the current path of ctx (a saddle split by the cell's mean). X, Y: the grid
  // lines' pixel positions.
  function contour(ctx, X, Y, field, n, level) {
    const pt = [0, 0, 0, 0, 0, 0, 0, 0];  // the crossing on edges 0 bottom, 1 right, 2 top, 3 left
    const seg = (p, q) => { ctx.moveTo(pt[2 * p], pt[2 * p + 1]); ctx.lineTo(pt[2 * q], pt[2 * q + 1]); };
    for (let j = 0; j < n - 1; j++) {
      for (let i = 0; i < n - 1; i++) {
        const k = j * n + i, v0 = field[k], v1 = field[k + 1], v2 = field[k + n + 1], v3 = field[k + n];
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

  // theory.gaussian.ellipse: mean + r (cos t, sin t) chol(cov)^T, 200 points, for each radius
  function ellipses(mean, cov, radii) {
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
  }

  const rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));

  function mount2d(el, state) {
    const [lo, hi] = state.limits, n = state.resolution, N = n * n;
    const a = P.linspace(lo, hi, n), h = a[1] - a[0], cell = h * h;
    const lj = new Float64Array(N), dens = new Float64Array(N), rel = new Float64Array(N);
    const shades = state.shades.map(rgb);
    const fig = P.figure(el, 520, 500, state.describe);
    const caption = P.caption(el);
    const box = { x: 62, y: 28, w: 420, h: 420 };  // square: equal units on z1 and z2
    const image = document.createElement("canvas");  // the density shades, one pixel a device pixel
    image.width = Math.round(box.w * fig.dpr); image.height = Math.round(box.h * fig.dpr);
    const ictx = image.getContext("2d"), pixels = ictx.createImageData(image.width, image.height);
    let out = {};

    // theory.grid.hpd_levels: the densities whose super-level sets {p >= t} hold the masses:
    // the points in decreasing order of density, summed until each mass is reached. Rather
    // than sort the whole grid, the points are binned by log density (NB bins over the top
    // SPAN nats, one more below) and only the bin where a mass is reached is sorted.
    const NB = 400, SPAN = 40, binSum = new Float64Array(NB + 1), binOf = new Int32Array(N);
    function hpdLevels(lse, logEvidence, top) {
      binSum.fill(0);
      let least = Infinity;
      for (let k = 0; k < N; k++) {
        const b = Math.min(NB, Math.floor(((top - lj[k]) / SPAN) * NB));
        binOf[k] = b;
        binSum[b] += Math.exp(lj[k] - lse);
        least = Math.min(least, lj[k]);
      }
      const masses = state.masses, levels = [];
      let cum = 0, m = 0;
      for (let b = 0; b <= NB && m < masses.length; b++) {
        if (cum + binSum[b] < masses[m]) { cum += binSum[b]; continue; }
        const members = [];
        for (let k = 0; k < N; k++) if (binOf[k] === b) members.push(lj[k]);
        members.sort((u, v) => v - u);
        for (const v of members) {
          cum += Math.exp(v - lse);
          for (; m < masses.length && cum >= masses[m]; m++) levels.push(Math.exp(v - logEvidence));
        }
      }
      for (; m < masses.length; m++) levels.push(Math.exp(least - logEvidence));  // never reached
      return levels.sort((u, v) => u - v);
    }

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
      let llMax = -Infinity, ljMax = -Infinity;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const f1 = W11 * a[i] + W12 * a[j], f2 = W21 * a[i] + W22 * a[j];
          const ll = cLik - 0.5 * beta * (xx - 2 * (f1 * x1 + f2 * x2) + (f1 * f1 + f2 * f2));
          rel[j * n + i] = ll;
          if (ll > llMax) llMax = ll;
          const v = ll + (cPrior - 0.5 * alpha * (a[i] * a[i] + a[j] * a[j]));
          lj[j * n + i] = v;
          if (v > ljMax) ljMax = v;
        }
      }
      const lse = logsumexp(lj), logEvidence = lse + Math.log(cell);
      let dMax = 0;
      for (let k = 0; k < N; k++) {
        rel[k] -= llMax;
        dens[k] = Math.exp(lj[k] - logEvidence);
        if (dens[k] > dMax) dMax = dens[k];
      }
      const hpd = hpdLevels(lse, logEvidence, ljMax);
      const text = `x = (${P.g(x1, 2)}, ${P.g(x2, 2)}): posterior mean (${P.fixed(mean[0], 2)}, ${P.fixed(mean[1], 2)})`;
      out = { alpha, mean, cov, hpd, dmax: dMax, caption: `${state.title}, ${text}` };
    }

    // the density as 10 shades of its maximum, interpolated between grid points as imshow's
    // bilinear interpolation of the data, then banded; each device pixel's grid cell and
    // weights are fixed, so they are found once
    const ax = P.axes(fig.ctx, box, [lo, hi], [lo, hi]);
    const X = Float64Array.from(a, (v) => ax.px(v)), Y = Float64Array.from(a, (v) => ax.py(v));
    const cellOf = (m, flip) => {
      const idx = new Int32Array(m), t = new Float64Array(m);
      for (let p = 0; p < m; p++) {
        const f = (p + 0.5) / m, v = flip ? hi - f * (hi - lo) : lo + f * (hi - lo);
        const g = Math.min(n - 1.000001, Math.max(0, (v - lo) / h));
        idx[p] = Math.floor(g); t[p] = g - idx[p];
      }
      return [idx, t];
    };
    const [colI, colT] = cellOf(image.width, false), [rowJ, rowT] = cellOf(image.height, true);
    const packed = new Uint32Array(pixels.data.buffer);
    const colours = Uint32Array.from(shades, ([r, g, b]) => (((255 << 24) | (b << 16) | (g << 8) | r) >>> 0));
    const along = new Float64Array(n);  // one pixel row's density at each z1 of the grid
    function paint() {
      const W = image.width, H = image.height, scale = 10 / out.dmax;
      for (let py = 0; py < H; py++) {
        const tj = rowT[py], r0 = rowJ[py] * n, r1 = r0 + n;
        for (let i = 0; i < n; i++) along[i] = dens[r0 + i] + tj * (dens[r1 + i] - dens[r0 + i]);
        for (let px = 0, o = py * W; px < W; px++, o++) {
          const i = colI[px], lower = along[i];
          const band = Math.floor((lower + colT[px] * (along[i + 1] - lower)) * scale);
          packed[o] = colours[band > 9 ? 9 : band < 0 ? 0 : band];
        }
      }
      ictx.putImageData(pixels, 0, 0);
    }

    function draw() {
      const { ctx } = fig;
      ctx.clearRect(0, 0, fig.w, fig.h);
      paint();
      ctx.drawImage(image, box.x, box.y, box.w, box.h);
      ax.clip();
      const lines = (field, levels, style) => {
        ctx.save();
        ctx.strokeStyle = style.color; ctx.lineWidth = style.width; ctx.beginPath();
        for (const level of levels) contour(ctx, X, Y, field, n, level);
        ctx.stroke();
        ctx.restore();
      };
      lines(rel, state.radii.map((r) => -0.5 * r * r), { color: C0, width: 1.2 });
      lines(dens, out.hpd, { color: "#000", width: 1.2 });
      P.polyline(ctx, ax, ...ellipses([0, 0], [[1 / out.alpha, 0], [0, 1 / out.alpha]], state.radii), { color: GREY, width: 1.2 });
      P.polyline(ctx, ax, ...ellipses(out.mean, out.cov, state.radii), { color: C3, width: 1.8, dash: [6, 4] });
      const [mx, my] = [ax.px(out.mean[0]), ax.py(out.mean[1])];
      ctx.strokeStyle = C3; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(mx - 7, my); ctx.lineTo(mx + 7, my); ctx.moveTo(mx, my - 7); ctx.lineTo(mx, my + 7); ctx.stroke();
      ax.unclip();
      ax.frame({ title: state.title, xlabel: "latent z1 (latent units)", ylabel: "latent z2 (latent units)" });
      P.legend(ctx, box.x + 6, box.y + 6, [
        { label: "prior p(z)", color: GREY },
        { label: "likelihood p(x|z)", color: C0 },
        { label: "posterior, grid (shades; 39/86/99% regions)", color: "#000", width: 1.2 },
        { label: "posterior, closed form (1, 2, 3 sd)", color: C3, dash: [6, 4] },
        { label: "posterior mean", color: C3, kind: "plus" },
      ]);
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
