"""LiveELBOPlot: a rate-limited live ELBO plot usable as fit's callback, tested headless."""

from vae_tutorial.core.config import TrainConfig
from vae_tutorial.core.model import build_model
from vae_tutorial.core.train import History, fit
from vae_tutorial.viz.figures import elbo_figure
from vae_tutorial.viz.images import figure_pixels, to_png
from vae_tutorial.widgets.training_plot import LiveELBOPlot


def history(n: int) -> History:
    s = [0, 100, 200, 400, 800][:n]
    return History(
        samples=s,
        train_elbo=[-500.0 + 0.3 * x for x in s],
        test_elbo=[-510.0 + 0.3 * x for x in s],
        seconds=[0.1 * i for i in range(n)],
    )


def test_calls_redraw_and_match_the_pure_function():
    plot = LiveELBOPlot(title="t", max_fps=None)  # no rate limit
    first = plot.image.png()
    assert (plot.image.format, plot.image.encoding) == ("rgb", "raw")  # pixels, not a PNG
    plot(history(3))
    assert plot.image.png() != first and plot.redraws == 2
    h = history(3).to_dict()
    fig = elbo_figure(h["samples"], h["train_elbo"], h["test_elbo"], "t")
    expected = to_png(figure_pixels(fig, dpi=72))
    assert plot.image.png() == expected
    before = plot.image.png()
    plot.log_x.value = True  # the one control re-renders
    assert plot.image.png() != before and plot.redraws == 3


def test_redraws_are_rate_limited_and_flush_draws_the_last_state():
    plot = LiveELBOPlot(max_fps=1e-3)  # at most one redraw per 1000 s
    start = plot.image.png()
    for n in range(1, 6):
        plot(history(n))
    assert plot.redraws == 1 and plot.image.png() == start  # skipped: too soon
    assert plot.history["samples"] == [0, 100, 200, 400, 800]
    plot.flush()  # draws the last state, and the other x scale for the box
    assert plot.redraws == 3 and plot.image.png() != start
    assert plot.figure().axes[0].lines[0].get_xdata()[-1] == 800
    linear = plot.image.png()
    plot.log_x.value = True  # after training: the kept image, no drawing
    assert plot.redraws == 3 and plot.image.png() != linear
    assert plot.image.png() == to_png(figure_pixels(plot.figure(log_x=True), dpi=72))
    plot.log_x.value = False
    assert plot.redraws == 3 and plot.image.png() == linear


def test_works_as_fits_callback(tiny_config, tiny_data):
    plot = LiveELBOPlot(max_fps=None)  # draw at every evaluation
    model = build_model(tiny_config, seed=0)
    cfg = TrainConfig(
        lr=1e-2, batch_size=50, max_samples=1000, eval_every=500, eval_train_size=200, threads=1
    )
    h = fit(model, tiny_data, cfg, progress=False, callback=plot)
    assert plot.history["samples"] == h.samples == [0, 500, 1000]
    assert plot.redraws == 1 + len(h.samples)
    assert not plot.errors.outputs
