// Notebook 04's ReparamExplorer on the static page (vae_tutorial/widgets/reparameterization.py):
// the fixed noise eps (shipped as float64) pushed through z = mu + sigma * eps, binned as
// numpy.histogram bins it, against q = N(mu, sigma^2) and the target; drawn as
// viz.reparameterization.ReparamPlot draws it (three panels: the noise, the map, the samples).
// A classic script: registers VAEPage.views.reparam = mount(el, state).
(function () {
  "use strict";
  const P = window.VAEPage;
  const C0 = "#1f77b4", C3 = "#d62728";

  const { normalPdf } = P;

  // numpy.histogram(values, bins=edges): bin k holds edges[k] <= v < edges[k + 1], the last
  // bin its right edge too, values outside dropped; the first guess from the arithmetic is
  // corrected against the edges themselves, so the counts are numpy's exactly.
  function histogram(values, edges, counts) {
    const nb = edges.length - 1, lo = edges[0], hi = edges[nb];
    counts.fill(0);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v >= lo && v <= hi)) continue;
      let k = Math.min(nb - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * nb)));
      while (k > 0 && v < edges[k]) k--;
      while (k < nb - 1 && v >= edges[k + 1]) k++;
      counts[k]++;
    }
    return counts;
  }

  // numpy's density=True: counts / bin width / the number binned
  function density(counts, edges) {
    let total = 0;
    for (const c of counts) total += c;
    return Array.from(counts, (c, k) => c / (edges[k + 1] - edges[k]) / total);
  }

  // a filled histogram (matplotlib's stairs(fill=True)) on axes ax
  function stairs(ctx, ax, heights, edges, color, alpha) {
    ctx.save();
    ctx.fillStyle = color; ctx.globalAlpha = alpha;
    ctx.beginPath();
    ctx.moveTo(ax.px(edges[0]), ax.py(0));
    heights.forEach((h, k) => { ctx.lineTo(ax.px(edges[k]), ax.py(h)); ctx.lineTo(ax.px(edges[k + 1]), ax.py(h)); });
    ctx.lineTo(ax.px(edges[edges.length - 1]), ax.py(0));
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }

  P.views.reparam = function mount(el, state) {
    const eps = new Float64Array(state.eps), n = eps.length, edges = state.bins;
    const [lo, hi] = [edges[0], edges[edges.length - 1]];
    const [tm, ts] = state.target, T = state.traces;
    const grid = P.linspace(lo, hi, state.points);
    const target = Array.from(grid, (g) => normalPdf(g, tm, ts ** 2));
    const std = Array.from(grid, (g) => normalPdf(g, 0.0, 1.0));
    const epsHeights = density(histogram(eps, edges, new Float64Array(edges.length - 1)), edges);
    const epsTop = P.axisTop(Math.max(...epsHeights, ...std), state.tops);
    const z = new Float64Array(n), counts = new Float64Array(edges.length - 1), q = new Float64Array(grid.length);
    let out = {};

    const controls = P.controls(el, state.controls, () => redraw());
    const fig = P.figure(el, 660, 560, state.describe);
    const caption = P.caption(el);

    function compute({ mu, sigma }) {
      for (let i = 0; i < n; i++) z[i] = mu + sigma * eps[i];  // theory location_scale
      const heights = density(histogram(z, edges, counts), edges);
      let qMax = 0, pMax = 0;
      for (let i = 0; i < grid.length; i++) {
        q[i] = normalPdf(grid[i], mu, sigma ** 2);
        qMax = Math.max(qMax, q[i]);
        pMax = Math.max(pMax, target[i]);
      }
      // theory.gaussian.kl in one dimension, term for term
      const s0 = sigma ** 2, s1 = ts ** 2, d = tm - mu;
      const kl = 0.5 * (s0 / s1 + d * (d / s1) - 1 + Math.log(s1) - Math.log(s0));
      const titles = [`z = ${P.fixed(mu, 2)} + ${P.fixed(sigma, 2)} * eps`, `KL(q || target) = ${P.fixed(kl, 3)} nats`];
      const ytop = P.axisTop(Math.max(1.2 * Math.max(qMax, pMax), Math.max(...heights)), state.tops);
      out = { mu, sigma, heights, kl, ytop, titles, caption: titles.join("; ") };
    }

    function draw() {
      const { ctx } = fig;
      ctx.clearRect(0, 0, fig.w, fig.h);
      // the noise, fixed
      const a1 = P.axes(ctx, { x: 58, y: 26, w: 250, h: 180 }, [lo, hi], [0, epsTop]);
      a1.clip();
      stairs(ctx, a1, epsHeights, edges, "#b3b3b3", 1);
      P.polyline(ctx, a1, grid, std, { color: "#000" });
      a1.unclip();
      const [l1, l2, l3] = state.labels;  // the figure's axis labels
      a1.frame({ title: state.noise_title, ...l1, nx: 6, ny: 4 });
      P.legend(ctx, a1.box.x + 4, a1.box.y + 4, [
        { label: `${n} draws of eps`, color: "#b3b3b3", kind: "patch" },
        { label: "N(0, 1)", color: "#000" },
      ]);
      // the map z = mu + sigma * eps, with the first samples traced through it
      const a2 = P.axes(ctx, { x: 398, y: 26, w: 242, h: 180 }, [lo, hi], [lo, hi]);
      a2.clip();
      const tx = [], ty = [];
      for (let i = 0; i < T; i++) tx.push(eps[i], eps[i], lo, NaN), ty.push(lo, z[i], z[i], NaN);
      P.polyline(ctx, a2, tx, ty, { color: C0, width: 0.7, alpha: 0.6 });
      P.polyline(ctx, a2, [lo, hi], [out.mu + out.sigma * lo, out.mu + out.sigma * hi], { color: C0, width: 2 });
      a2.unclip();
      a2.frame({ title: out.titles[0], ...l2, nx: 6, ny: 4 });
      // the samples z against q and the target
      const a3 = P.axes(ctx, { x: 58, y: 272, w: 582, h: 236 }, [lo, hi], [0, out.ytop]);
      a3.clip();
      stairs(ctx, a3, out.heights, edges, C0, 0.5);
      P.polyline(ctx, a3, grid, q, { color: C0 });
      P.polyline(ctx, a3, grid, target, { color: C3, dash: [6, 4] });
      a3.unclip();
      a3.frame({ title: out.titles[1], ...l3 });
      P.legend(ctx, a3.box.x + 6, a3.box.y + 6, [
        { label: "pushed samples z (histogram)", color: C0, kind: "patch", alpha: 0.5 },
        { label: "q(z) = N(mu, sigma^2)", color: C0 },
        { label: `target p(z) = N(${P.g(tm)}, ${P.g(ts)}^2)`, color: C3, dash: [6, 4] },
      ]);
    }

    function redraw() {
      compute(controls.values);
      draw();
      caption.textContent = out.caption;
      fig.canvas.dataset.frame = String(Number(fig.canvas.dataset.frame) + 1);
    }
    redraw();
    return {
      set: (name, value) => controls.set(name, value),
      values: () => ({ counts: Array.from(counts), heights: out.heights, q: Array.from(q), target,
                       traces: Array.from(z.subarray(0, T)), kl: out.kl, ytop: out.ytop,
                       caption: out.caption }),
    };
  };
})();
