// HardPosteriorExplorer on the static site (vae_tutorial/widgets/hard_page.py): the exact grid
// posterior of a hard 2-D latent model, its MAP and Laplace approximation, recomputed in the page
// as viz.posteriors.hard_panel does. A classic script: it adds VAEPage.views.hard_posterior.
//
// Per model, once: the mean function f(z) on the grid. Per move of x or beta: the log joint on
// the grid, its normalisation, the MAP (Newton from the grid's best point with the exact
// gradient and Hessian; if that fails, a Newton search with line search from L-BFGS's starting
// points, keeping the best), the Laplace covariance and KL(Laplace || exact) on the grid.
// Known difference: where Newton fails and the modes lie far outside the grid (the MLP at high
// beta with an x it cannot reach near the prior), the package's L-BFGS and this search may end
// at different far-away modes (4 settings in 3000 of the MLP with log10 beta >= 1.5).
(function () {
  "use strict";
  const VAEPage = (window.VAEPage = window.VAEPage || { views: {}, mounted: [] });
  const LOG_2PI = Math.log(2 * Math.PI);

  // --- the model: f(z) = layers(z), value / gradient / Hessian of the log joint at one point ---

  const ACT = {
    // [value, first, second derivative] of the activation at v
    tanh: (v, o) => { const t = Math.tanh(v), d = 1 - t * t; o[0] = t; o[1] = d; o[2] = -2 * t * d; },
    sigmoid: (v, o) => { const s = 1 / (1 + Math.exp(-v)), d = s * (1 - s); o[0] = s; o[1] = d; o[2] = d * (1 - 2 * s); },
  };

  /** A model of the state (hard_page.model_state) with the mean function on the grid. */
  function prepare(spec, n) {
    const layers = spec.layers.map((l) => ({
      W: Float64Array.from(l.W.flat()), b: Float64Array.from(l.b),
      nout: l.W.length, nin: l.W[0].length, act: l.act === "linear" ? null : ACT[l.act],
    }));
    const width = Math.max(2, ...layers.map((l) => l.nout));
    // per unit: value, gradient (2) and Hessian (3: h11, h12, h22) in z, two layers' worth
    const bufs = [0, 1].map(() => Array.from({ length: 6 }, () => new Float64Array(width)));
    const act = new Float64Array(3);
    const axes = spec.limits.map(([lo, hi]) => VAEPage.linspace(lo, hi, n));

    /** f(z) with its derivatives in z (2nd: with ``second``): into bufs[k][0..5][0..X-1]. */
    function forward(z1, z2, second) {
      let inp = bufs[0], out = bufs[1];
      inp[0][0] = z1; inp[0][1] = z2;
      inp[1][0] = 1; inp[2][0] = 0; inp[1][1] = 0; inp[2][1] = 1;
      for (let c = 3; c < 6; c++) { inp[c][0] = 0; inp[c][1] = 0; }
      for (const l of layers) {
        for (let o = 0; o < l.nout; o++) {
          let v = l.b[o], g1 = 0, g2 = 0, h11 = 0, h12 = 0, h22 = 0;
          const row = o * l.nin;
          for (let i = 0; i < l.nin; i++) {
            const w = l.W[row + i];
            v += w * inp[0][i];
            if (second !== undefined) {
              g1 += w * inp[1][i]; g2 += w * inp[2][i];
              if (second) { h11 += w * inp[3][i]; h12 += w * inp[4][i]; h22 += w * inp[5][i]; }
            }
          }
          if (l.act) {
            l.act(v, act);
            const d1 = act[1], d2 = act[2];
            v = act[0];
            if (second) {
              h11 = d1 * h11 + d2 * g1 * g1; h12 = d1 * h12 + d2 * g1 * g2; h22 = d1 * h22 + d2 * g2 * g2;
            }
            g1 *= d1; g2 *= d1;
          }
          out[0][o] = v; out[1][o] = g1; out[2][o] = g2; out[3][o] = h11; out[4][o] = h12; out[5][o] = h22;
        }
        [inp, out] = [out, inp];
      }
      return inp;
    }

    // the grid, once: f(z) (as f1, f2), |f|^2 and |z|^2 at each point (z1 slow, z2 fast)
    const N = n * n, F1 = new Float64Array(N), F2 = new Float64Array(N);
    const FF = new Float64Array(N), ZZ = new Float64Array(N);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const k = i * n + j, z1 = axes[0][i], z2 = axes[1][j], f = forward(z1, z2)[0];
        F1[k] = f[0]; F2[k] = f[1];
        FF[k] = f[0] * f[0] + f[1] * f[1];
        ZZ[k] = z1 * z1 + z2 * z2;
      }
    }
    const alpha = spec.alpha, cPrior = Math.log(alpha) - LOG_2PI;  // 0.5 D (log alpha - log 2 pi)
    const d = new Float64Array(6);  // log joint at a point: value, gradient, Hessian (h11, h12, h22)

    /** log p(x, z) at (z1, z2) (with ``order`` 1: + gradient, 2: + Hessian) into ``d``. */
    function logJoint(z1, z2, x1, x2, beta, order = 0) {
      const u = forward(z1, z2, order === 0 ? undefined : order === 2);
      const [f, g1, g2, h11, h12, h22] = u;
      const r1 = x1 - f[0], r2 = x2 - f[1];
      // as _GaussianLikelihood.log_likelihood and log_prior: |x|^2 - 2 f.x + |f|^2
      const sq = x1 * x1 + x2 * x2 - 2 * (f[0] * x1 + f[1] * x2) + (f[0] * f[0] + f[1] * f[1]);
      d[0] = (Math.log(beta) - LOG_2PI - 0.5 * beta * sq) + (cPrior - 0.5 * alpha * (z1 * z1 + z2 * z2));
      if (order === 0) return d;
      // log lik = -beta/2 sum_i r_i^2: gradient beta sum r_i grad f_i, Hessian
      // beta sum (r_i hess f_i - grad f_i grad f_i^T); the prior adds -alpha z and -alpha I
      d[1] = beta * (r1 * g1[0] + r2 * g1[1]) - alpha * z1;
      d[2] = beta * (r1 * g2[0] + r2 * g2[1]) - alpha * z2;
      if (order === 2) {
        d[3] = beta * (r1 * h11[0] + r2 * h11[1] - g1[0] * g1[0] - g1[1] * g1[1]) - alpha;
        d[4] = beta * (r1 * h12[0] + r2 * h12[1] - g1[0] * g2[0] - g1[1] * g2[1]);
        d[5] = beta * (r1 * h22[0] + r2 * h22[1] - g2[0] * g2[0] - g2[1] * g2[1]) - alpha;
      }
      return d;
    }
    return { alpha, cPrior, axes, n, N, F1, F2, FF, ZZ, logJoint, starts: spec.starts, limits: spec.limits };
  }

  // --- one setting: everything hard_panel computes ---------------------------------------

  /** The negative Hessian A = -H (a, b, c: [[a, b], [b, c]]) is positive definite. */
  const pd = (a, b, c) => a > 0 && a * c - b * b > 0;

  const EPS = 1e-4;  // theory.laplace.finite_differences' step
  const fd = new Float64Array(5);  // gradient (2) and Hessian (h11, h12, h22) by differences

  /** theory.laplace.finite_differences of the log joint at (z1, z2), into ``fd``: the same
   * 9-point stencil (built in the same order, so the same rounding) and formulas. */
  function differences(M, z1, z2, x1, x2, beta) {
    const f = (a, b) => M.logJoint(a, b, x1, x2, beta)[0];
    const f0 = f(z1, z2), p1 = f(z1 + EPS, z2 + 0), p2 = f(z1 + 0, z2 + EPS);
    const m1 = f(z1 - EPS, z2 - 0), m2 = f(z1 - 0, z2 - EPS);
    const pp = f(z1 + EPS + 0, z2 + 0 + EPS), pm = f(z1 + EPS - 0, z2 + 0 - EPS);
    const mp = f(z1 - EPS + 0, z2 - 0 + EPS), mm = f(z1 - EPS - 0, z2 - 0 - EPS);
    fd[0] = (p1 - m1) / (2 * EPS); fd[1] = (p2 - m2) / (2 * EPS);
    fd[2] = (p1 - 2 * f0 + m1) / EPS ** 2; fd[4] = (p2 - 2 * f0 + m2) / EPS ** 2;
    fd[3] = (pp - pm - mp + mm) / (4 * EPS ** 2);
    return fd;
  }

  /** viz.posteriors._map_near: Newton from the grid's best point ``z`` (value ``best``) with
   * central differences, as there (the page then follows the package's path and stopping
   * point, not only its mode); null if a Hessian is not negative definite or it does not
   * converge in 20 steps. */
  function newton(M, z, x1, x2, beta, best) {
    let z1 = z[0], z2 = z[1];
    for (let it = 0; it < 20; it++) {
      const d = differences(M, z1, z2, x1, x2, beta), a = -d[2], b = -d[3], c = -d[4];
      if (!pd(a, b, c)) return null;
      const det = a * c - b * b, s1 = (c * d[0] - b * d[1]) / det, s2 = (a * d[1] - b * d[0]) / det;
      z1 += s1; z2 += s2;
      if (Math.max(Math.abs(s1), Math.abs(s2)) < 1e-7) {
        return M.logJoint(z1, z2, x1, x2, beta)[0] >= best - 1e-9 ? [z1, z2] : null;
      }
    }
    return null;
  }

  /** A local maximum from (z1, z2): Newton steps where the Hessian is negative definite,
   * gradient steps (scaled by the largest curvature) where not, each halved until the log
   * joint does not fall. */
  function ascend(M, z1, z2, x1, x2, beta) {
    for (let it = 0; it < 500; it++) {
      const d = M.logJoint(z1, z2, x1, x2, beta, 2), f0 = d[0], g1 = d[1], g2 = d[2];
      const a = -d[3], b = -d[4], c = -d[5];
      let s1, s2;
      if (pd(a, b, c)) {
        const det = a * c - b * b;
        s1 = (c * g1 - b * g2) / det; s2 = (a * g2 - b * g1) / det;
      } else {
        const mid = 0.5 * (a + c), rad = Math.hypot(0.5 * (a - c), b);
        const scale = Math.max(Math.abs(mid + rad), Math.abs(mid - rad), 1);
        s1 = g1 / scale; s2 = g2 / scale;
      }
      let t = 1;
      while (M.logJoint(z1 + t * s1, z2 + t * s2, x1, x2, beta)[0] < f0 && t > 1e-10) t /= 2;
      z1 += t * s1; z2 += t * s2;
      if (Math.max(Math.abs(t * s1), Math.abs(t * s2)) < 1e-10) break;
    }
    return [z1, z2];
  }

  /** The posterior of model M at x = (x1, x2), beta into ``out`` (typed arrays reused). */
  function compute(M, x1, x2, beta, out) {
    const { N, n, F1, F2, FF, ZZ, alpha, cPrior, axes } = M, L = out.logJoint;
    const cLik = Math.log(beta) - LOG_2PI, xx = x1 * x1 + x2 * x2;
    let max = -Infinity, arg = 0;
    for (let k = 0; k < N; k++) {
      // as _GaussianLikelihood.log_likelihood: |x|^2 - 2 f.x + |f|^2
      const v = (cLik - 0.5 * beta * (xx - 2 * (F1[k] * x1 + F2[k] * x2) + FF[k])) + (cPrior - 0.5 * alpha * ZZ[k]);
      L[k] = v;
      if (v > max) { max = v; arg = k; }
    }
    // p(x, z) / max on the grid, summed (logsumexp), then the density and the weights' moments
    const D = out.density, cell = (axes[0][1] - axes[0][0]) * (axes[1][1] - axes[1][0]);
    let s = 0, m1 = 0, m2 = 0;
    for (let i = 0, k = 0; i < n; i++) {
      const z1 = axes[0][i];
      for (let j = 0; j < n; j++, k++) {
        const e = Math.exp(L[k] - max);
        D[k] = e; s += e; m1 += e * z1; m2 += e * axes[1][j];
      }
    }
    const lse = max + Math.log(s), logEvidence = lse + Math.log(cell), toDensity = 1 / (s * cell);
    for (let k = 0; k < N; k++) D[k] *= toDensity;
    out.logEvidence = logEvidence; out.mean[0] = m1 / s; out.mean[1] = m2 / s; out.dmax = toDensity;
    // the MAP: Newton from the grid's best point, else the best local maximum from the starts
    const mode = [axes[0][Math.floor(arg / n)], axes[1][arg % n]];
    let z = newton(M, mode, x1, x2, beta, max);
    out.fallback = z === null;
    if (z === null) {
      let top = -Infinity;
      for (const [s1, s2] of M.starts) {
        const c = ascend(M, s1, s2, x1, x2, beta), v = M.logJoint(c[0], c[1], x1, x2, beta)[0];
        if (v > top) { top = v; z = c; }
      }
    }
    out.map = z;
    // Laplace: N(z*, A^-1), A = -Hessian at z*; KL(q || p) on the grid, both renormalised there
    const d = M.logJoint(z[0], z[1], x1, x2, beta, 2), a = -d[3], b = -d[4], c = -d[5];
    if (!pd(a, b, c)) {
      out.cov = null; out.kl = NaN;
      return out;
    }
    const det = a * c - b * b, c11 = c / det, c12 = -b / det, c22 = a / det;
    out.cov = [c11, c12, c22];
    const l11 = Math.sqrt(c11), l21 = c12 / l11, l22 = Math.sqrt(c22 - l21 * l21);
    const cq = -0.5 * (2 * Math.log(l11 * l22) + 2 * LOG_2PI), Q = out.logQ;
    let qmax = -Infinity;
    for (let i = 0, k = 0; i < n; i++) {
      const y1 = (axes[0][i] - z[0]) / l11;
      for (let j = 0; j < n; j++, k++) {
        const y2 = (axes[1][j] - z[1] - l21 * y1) / l22, v = cq - 0.5 * (y1 * y1 + y2 * y2);
        Q[k] = v;
        if (v > qmax) qmax = v;
      }
    }
    const E = out.scratch;
    let sq = 0;
    for (let k = 0; k < N; k++) { const e = Math.exp(Q[k] - qmax); E[k] = e; sq += e; }
    const lseq = qmax + Math.log(sq);
    let kl = 0;
    for (let k = 0; k < N; k++) if (E[k] > 0) kl += E[k] * (Q[k] - lseq - (L[k] - lse));
    kl /= sq;
    out.kl = Math.max(kl, 0);
    return out;
  }

  // --- drawing ---------------------------------------------------------------------------

  const BINS = 4096;

  /** Density thresholds whose super-level sets hold ``masses`` (increasing; as
   * theory.grid.hpd_levels: the density of the first point, in decreasing order, at which the
   * cumulative mass reaches each): a histogram of mass by density finds the bin of each
   * threshold, then only that bin's points are sorted. ``hist``: BINS, ``scratch``: N. */
  function hpdLevels(D, dmax, cell, masses, levels, hist, scratch) {
    const N = D.length, scale = BINS / dmax;
    hist.fill(0);
    for (let k = 0; k < N; k++) {
      const b = (D[k] * scale) | 0;
      hist[b < BINS ? b : BINS - 1] += D[k] * cell;
    }
    let m = 0, cum = 0;
    for (let b = BINS - 1; b >= 0 && m < masses.length; b--) {
      if (cum + hist[b] < masses[m] && b > 0) { cum += hist[b]; continue; }
      let count = 0;  // the bin's points, sorted in decreasing order
      for (let k = 0; k < N; k++) {
        const c = (D[k] * scale) | 0;
        if ((c < BINS ? c : BINS - 1) === b) scratch[count++] = D[k];
      }
      const pts = scratch.subarray(0, count).sort().reverse();
      for (let q = 0; q < count && m < masses.length; q++) {
        cum += pts[q] * cell;
        while (m < masses.length && cum >= masses[m]) levels[m++] = pts[q];
      }
      while (b === 0 && m < masses.length) levels[m++] = count ? pts[count - 1] : 0;
    }
    return levels;
  }

  /** Marching squares: the contour of density ``D`` (z1 slow) at ``t`` as segments on ``ctx``. */
  function contour(ctx, ax, axes, D, n, t) {
    const X = axes[0], Y = axes[1];
    const seg = (xa, ya, xb, yb) => { ctx.moveTo(ax.px(xa), ax.py(ya)); ctx.lineTo(ax.px(xb), ax.py(yb)); };
    for (let i = 0; i < n - 1; i++) {
      for (let j = 0; j < n - 1; j++) {
        const v00 = D[i * n + j], v10 = D[(i + 1) * n + j], v11 = D[(i + 1) * n + j + 1], v01 = D[i * n + j + 1];
        const code = (v00 >= t) | ((v10 >= t) << 1) | ((v11 >= t) << 2) | ((v01 >= t) << 3);
        if (code === 0 || code === 15) continue;
        // crossings on the four edges: bottom (00-10), right (10-11), top (01-11), left (00-01)
        const xb = X[i] + ((t - v00) / (v10 - v00)) * (X[i + 1] - X[i]), yb = Y[j];
        const xr = X[i + 1], yr = Y[j] + ((t - v10) / (v11 - v10)) * (Y[j + 1] - Y[j]);
        const xt = X[i] + ((t - v01) / (v11 - v01)) * (X[i + 1] - X[i]), yt = Y[j + 1];
        const xl = X[i], yl = Y[j] + ((t - v00) / (v01 - v00)) * (Y[j + 1] - Y[j]);
        switch (code) {
          case 1: case 14: seg(xb, yb, xl, yl); break;
          case 2: case 13: seg(xb, yb, xr, yr); break;
          case 3: case 12: seg(xl, yl, xr, yr); break;
          case 4: case 11: seg(xr, yr, xt, yt); break;
          case 6: case 9: seg(xb, yb, xt, yt); break;
          case 7: case 8: seg(xl, yl, xt, yt); break;
          case 5: case 10: {  // a saddle: the centre decides which corners join
            const high = (v00 + v10 + v11 + v01) / 4 >= t;
            if ((code === 5) === high) { seg(xb, yb, xr, yr); seg(xl, yl, xt, yt); }
            else { seg(xb, yb, xl, yl); seg(xr, yr, xt, yt); }
            break;
          }
        }
      }
    }
  }

  const RED = "#d62728";  // matplotlib's C3

  const ROW = 16;  // the legend's line height

  /** The legend's width and height for ``items`` {label, draw(x, y)}. */
  function legendSize(ctx, items) {
    ctx.save();
    ctx.font = "11px sans-serif";
    const w = 40 + Math.max(...items.map((it) => ctx.measureText(it.label).width));
    ctx.restore();
    return [Math.ceil(w), 6 + ROW * items.length];
  }

  /** An opaque legend box with its top-left corner at (x, y), of size [w, h]. */
  function legend(ctx, items, [w, h], x, y) {
    const rowH = ROW;
    ctx.save();
    ctx.font = "11px sans-serif";
    ctx.fillStyle = "#fff"; ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
    ctx.fillRect(x, y, w, h); ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    items.forEach((it, i) => {
      const cy = y + 3 + rowH * i + rowH / 2, cx = x + 18;
      it.draw(cx, cy);
      ctx.fillStyle = "#000"; ctx.textBaseline = "middle"; ctx.textAlign = "left";
      ctx.fillText(it.label, x + 36, cy);
    });
    ctx.restore();
  }

  function cross(ctx, x, y, r) {
    ctx.save();
    ctx.strokeStyle = RED; ctx.lineWidth = 2.5; ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r);
    ctx.stroke();
    ctx.restore();
  }

  function dot(ctx, x, y) {
    ctx.save();
    ctx.fillStyle = "#fff"; ctx.strokeStyle = "#000"; ctx.lineWidth = 1.2;
    ctx.beginPath(); ctx.arc(x, y, 4, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.restore();
  }

  // --- the view --------------------------------------------------------------------------

  VAEPage.views.hard_posterior = function mount(el, state) {
    const n = state.resolution, N = n * n;
    const models = {};
    for (const [name, spec] of Object.entries(state.models)) models[name] = prepare(spec, n);
    const out = {
      logJoint: new Float64Array(N), density: new Float64Array(N), logQ: new Float64Array(N),
      scratch: new Float64Array(N), mean: [0, 0],
    };
    const hist = new Float64Array(BINS);
    const levels = new Float64Array(state.masses.length);
    const W = 500, H = 462;
    const controls = VAEPage.controls(el, state.controls, () => redraw());
    const fig = VAEPage.figure(el, W, H, "the exact posterior p(z|x) of a hard 2-D latent model on a grid, its MAP and the Laplace approximation's 1, 2, 3 standard-deviation ellipses");
    const caption = VAEPage.caption(el);
    const { canvas, ctx, dpr } = fig;
    const box = { x: 62, y: 28, w: 424, h: 392 };
    // the density image at device pixels: per column and row, the grid cell and its fraction
    const bw = Math.round(box.w * dpr), bh = Math.round(box.h * dpr);
    const image = ctx.createImageData(bw, bh), pix = new Uint32Array(image.data.buffer);
    const palette = Uint32Array.from(state.palette, ([r, g, b]) => (255 << 24) | (b << 16) | (g << 8) | r);
    const cells = (lo, hi, count, flip) => {
      const idx = new Int32Array(count), frac = new Float64Array(count), h = (hi - lo) / (n - 1);
      for (let p = 0; p < count; p++) {
        const t = (p + 0.5) / count, v = flip ? hi - t * (hi - lo) : lo + t * (hi - lo);
        const u = Math.min(n - 1, Math.max(0, (v - lo) / h)), i = Math.min(n - 2, Math.floor(u));
        idx[p] = i; frac[p] = u - i;
      }
      return { idx, frac };
    };
    const grids = {};  // per set of limits: the axes' pixels -> grid cells
    const cellsFor = (M) => {
      const key = M.limits.flat().join(",");
      if (!grids[key]) {
        grids[key] = { c: cells(M.limits[0][0], M.limits[0][1], bw, false), r: cells(M.limits[1][0], M.limits[1][1], bh, true) };
      }
      return grids[key];
    };

    const row = new Float64Array(n);  // one image row: the density at z2 along the grid's z1
    function paint(M) {
      const D = out.density, scale = 10 / out.dmax, { c, r } = cellsFor(M), ci = c.idx, cf = c.frac;
      for (let py = 0, p = 0; py < bh; py++) {
        const j = r.idx[py], fy = r.frac[py];
        for (let i = 0, k = j; i < n; i++, k += n) row[i] = (D[k] + fy * (D[k + 1] - D[k])) * scale;
        for (let px = 0; px < bw; px++, p++) {  // bilinear, then one of 10 bands of the maximum
          const i = ci[px], v = row[i] + cf[px] * (row[i + 1] - row[i]), band = v | 0;
          pix[p] = palette[band > 9 ? 9 : band];
        }
      }
      ctx.putImageData(image, Math.round(box.x * dpr), Math.round(box.y * dpr));
    }

    const items = [
      { label: "exact p(z|x): 39, 86, 99% regions", draw: (x, y) => { ctx.strokeStyle = "#000"; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(x - 11, y); ctx.lineTo(x + 11, y); ctx.stroke(); } },
      { label: "MAP + Laplace (1, 2, 3 sd)", draw: (x, y) => { ctx.strokeStyle = RED; ctx.lineWidth = 1.5; ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(x - 12, y); ctx.lineTo(x + 12, y); ctx.stroke(); ctx.setLineDash([]); cross(ctx, x, y, 4); } },
      { label: "posterior mean", draw: (x, y) => dot(ctx, x, y) },
    ];
    const size = legendSize(ctx, items), [lw, lh] = size;
    const corners = [  // top-left corners: lower left (matplotlib's), upper left, the right ones
      [box.x + 6, box.y + box.h - 6 - lh], [box.x + 6, box.y + 6],
      [box.x + box.w - 6 - lw, box.y + box.h - 6 - lh], [box.x + box.w - 6 - lw, box.y + 6],
    ];
    /** The corner whose legend would hide the least: posterior mass, then the markers. */
    function quietCorner(M, ax) {
      const [X, Y] = M.axes, D = out.density, h1 = X[1] - X[0], h2 = Y[1] - Y[0];
      const z1 = (px) => ax.xlim[0] + ((px - box.x) / box.w) * (ax.xlim[1] - ax.xlim[0]);
      const z2 = (py) => ax.ylim[0] + ((box.y + box.h - py) / box.h) * (ax.ylim[1] - ax.ylim[0]);
      let best = corners[0], least = Infinity;
      for (const c of corners) {
        const a1 = z1(c[0]), b1 = z1(c[0] + lw), a2 = z2(c[1] + lh), b2 = z2(c[1]);
        const i0 = Math.max(0, Math.ceil((a1 - X[0]) / h1)), i1 = Math.min(n - 1, Math.floor((b1 - X[0]) / h1));
        const j0 = Math.max(0, Math.ceil((a2 - Y[0]) / h2)), j1 = Math.min(n - 1, Math.floor((b2 - Y[0]) / h2));
        let mass = 0;
        for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) mass += D[i * n + j];
        mass *= h1 * h2;
        for (const [p, q] of [out.map, out.mean]) if (p >= a1 && p <= b1 && q >= a2 && q <= b2) mass += 1;
        if (mass < least - 1e-3) { least = mass; best = c; }  // (a thousandth hidden is nothing)
      }
      return best;
    }

    function redraw() {
      const v = controls.values, name = v.model, M = models[name], beta = 10 ** v.log10_beta;
      compute(M, v.x1, v.x2, beta, out);
      const ax = M.ax || (M.ax = VAEPage.axes(ctx, box, M.limits[0], M.limits[1]));
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
      paint(M);
      ax.clip();
      const cell = (M.axes[0][1] - M.axes[0][0]) * (M.axes[1][1] - M.axes[1][0]);
      hpdLevels(out.density, out.dmax, cell, state.masses, levels, hist, out.scratch);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1; ctx.setLineDash([]);
      ctx.beginPath();
      for (const t of levels) contour(ctx, ax, M.axes, out.density, n, t);
      ctx.stroke();
      if (out.cov) {  // the Laplace ellipses at 1, 2, 3 Mahalanobis units, as theory.gaussian.ellipse
        const [c11, c12, c22] = out.cov, l11 = Math.sqrt(c11), l21 = c12 / l11, l22 = Math.sqrt(c22 - l21 * l21);
        ctx.strokeStyle = RED; ctx.lineWidth = 1.5; ctx.setLineDash([6, 4]);
        ctx.beginPath();
        for (const rad of [1, 2, 3]) {
          for (let s = 0; s <= 100; s++) {
            const t = (2 * Math.PI * s) / 100, u = rad * Math.cos(t), w = rad * Math.sin(t);
            const x = ax.px(out.map[0] + l11 * u), y = ax.py(out.map[1] + l21 * u + l22 * w);
            if (s === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
          }
        }
        ctx.stroke();
        ctx.setLineDash([]);
        cross(ctx, ax.px(out.map[0]), ax.py(out.map[1]), 5);
      }
      dot(ctx, ax.px(out.mean[0]), ax.py(out.mean[1]));
      ax.unclip();
      ax.frame({ title: state.title, xlabel: "latent z1 (latent units)", ylabel: "latent z2 (latent units)" });
      const [lx, ly] = quietCorner(M, ax);
      legend(ctx, items, size, lx, ly);
      // the caption: hard_panel's title, as HardPosteriorPlot.caption
      const F = VAEPage.fixed, setting = `${name}, x = (${F(v.x1, 2)}, ${F(v.x2, 2)}), β = ${VAEPage.g(beta, 3)}`;
      caption.textContent = out.cov
        ? `${setting}; KL(Laplace || exact) = ${F(out.kl, 3)} nats`
        : `${setting}: the negative Hessian at the mode is not positive definite (no Laplace approximation)`;
      canvas.dataset.frame = String(Number(canvas.dataset.frame) + 1);
    }
    redraw();

    return {
      set: (name, value) => controls.set(name, value),
      values: () => ({
        density: Array.from(out.density),
        log_evidence: out.logEvidence,
        mean: out.mean.slice(),
        map: out.map.slice(),
        cov: out.cov ? out.cov.slice() : null,
        kl: out.kl,
        fallback: out.fallback,
        caption: caption.textContent,
      }),
    };
  };
  VAEPage.hardPosterior = { prepare, compute };  // the computation alone (tests)
})();
