# nbconvert settings for storing the tutorial's notebooks: with this folder on
# JUPYTER_CONFIG_PATH, `jupyter nbconvert --to notebook --execute` stores every widget with its
# last state, so a reader who opens the notebook without running it sees it as it was left.
#
# nbclient records the state of every widget model (`metadata.widgets`; `make notebooks` keeps
# it through nbstripout with `--keep-metadata-keys metadata.widgets`). The preprocessor below
# keeps only the models a displayed widget reaches, stores each PixelImage's last frame as PNG,
# and fills in the one-line note of each kernel-side view: its image is the last one, and
# moving its controls needs a running kernel (vae_tutorial/widgets/stored.py). The browser
# explorer is live from its state alone. The cells also show a static picture for readers
# whose front end draws no widgets (GitHub).
from nbconvert.preprocessors import Preprocessor


class StoreWidgetState(Preprocessor):
    """After execution: tidy the notebook's widget state (vae_tutorial.widgets.stored)."""

    def preprocess(self, nb, resources):
        from vae_tutorial.widgets.stored import tidy_widget_state

        counts = tidy_widget_state(nb)
        self.log.info("widget state: %s", counts)
        return nb, resources


c = get_config()  # noqa: F821 (traitlets config files get `get_config` from their loader)
c.NotebookExporter.preprocessors = [StoreWidgetState]
c.ExecutePreprocessor.store_widget_state = True
# the kernel that runs the notebook gets CurveZMQ keys (no "running over TCP without
# encryption" warning; the python3 kernelspec declares support)
c.KernelManager.transport_encryption = "auto"
