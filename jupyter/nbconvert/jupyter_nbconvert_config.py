# nbconvert settings for storing the tutorial's notebooks: with this folder on
# JUPYTER_CONFIG_PATH, `jupyter nbconvert --to notebook --execute` stores every widget output
# detached from the kernel that made it.
#
# A stored widget output names a widget model in the kernel that ran the notebook. When that
# kernel is gone (the notebook opened without running it, or after a restart), JupyterLab 4's
# widget renderer prints "Error displaying widget: model not found" in its place; it never
# falls back to the output's text/plain. An empty model id is the renderer's "this view was
# removed" case: it hides the output. So each stored widget output keeps its one-line
# text/plain description (GitHub, nbviewer, the website's note) and an empty model id; the
# cells show a static snapshot in an output of its own, and running the cell brings the live
# widget back.
from nbconvert.preprocessors import Preprocessor

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class DetachWidgetOutputs(Preprocessor):
    """Empty the model id of every widget-view output (after execution)."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = ""
        return cell, resources


c = get_config()  # noqa: F821 (traitlets config files get `get_config` from their loader)
c.NotebookExporter.preprocessors = [DetachWidgetOutputs]
# the kernel that runs the notebook gets CurveZMQ keys (no "running over TCP without
# encryption" warning; the python3 kernelspec declares support)
c.KernelManager.transport_encryption = "auto"
