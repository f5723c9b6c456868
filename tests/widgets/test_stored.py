"""tidy_widget_state: what a stored notebook keeps of its widgets (pure, on a made-up state)."""

from __future__ import annotations

import base64
import copy

import numpy as np

from vae_tutorial.widgets.base import KERNEL_NOTE, NOTE_CLASS
from vae_tutorial.widgets.pixels import ESM
from vae_tutorial.widgets.stored import STATE, VIEW, image_of, tidy_widget_state


def _notebook(frame: np.ndarray) -> dict:
    raw = base64.b64encode(frame.tobytes()).decode()
    image = {"_esm": ESM, "format": "grey", "encoding": "raw", "width": frame.shape[1],
             "height": frame.shape[0]}  # fmt: skip
    state = {
        "box": {"model_name": "VBoxModel",
                "state": {"children": ["IPY_MODEL_img", "IPY_MODEL_note"],
                          "layout": "IPY_MODEL_lay"}},
        "img": {"model_name": "AnyModel", "state": image,
                "buffers": [{"path": ["data"], "encoding": "base64", "data": raw}]},
        "note": {"model_name": "HTMLModel", "state": {"_dom_classes": [NOTE_CLASS], "value": ""}},
        "lay": {"model_name": "LayoutModel", "state": {}},
        "probe": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_lay2"]}},
        "lay2": {"model_name": "LayoutModel", "state": {}},
    }  # fmt: skip
    out = {"output_type": "display_data", "data": {VIEW: {"model_id": "box"}}}
    return {"cells": [{"cell_type": "code", "outputs": [out]}],
            "metadata": {"widgets": {STATE: {"state": state}}}}  # fmt: skip


def test_keeps_what_is_displayed_as_png_with_its_note():
    frame = (np.arange(12 * 7) % 256).astype(np.uint8).reshape(12, 7)
    nb = _notebook(frame)
    counts = tidy_widget_state(nb)
    state = nb["metadata"]["widgets"][STATE]["state"]
    assert set(state) == {"box", "img", "note", "lay"}  # the undisplayed probe is dropped
    assert counts["dropped"] == 2 and counts["png"] == 1 and counts["notes"] == 1
    assert state["img"]["state"]["format"] == "png"
    assert np.array_equal(image_of(state["img"]), frame)  # the same pixels, losslessly
    assert state["note"]["state"]["value"] == KERNEL_NOTE
    again = copy.deepcopy(nb)
    assert tidy_widget_state(again)["png"] == 0 and again == nb  # idempotent


def test_a_notebook_without_widgets_is_left_alone():
    nb = {"cells": [], "metadata": {}}
    assert tidy_widget_state(nb)["kept"] == 0 and nb == {"cells": [], "metadata": {}}


def test_widgets_shown_inside_an_output_widget_are_kept():
    from vae_tutorial.widgets.stored import reachable

    state = {
        "out": {"state": {"outputs": [{"output_type": "display_data",
                                        "data": {VIEW: {"model_id": "inner"}}}]}},
        "inner": {"state": {"layout": "IPY_MODEL_lay"}},
        "lay": {"state": {}},
        "other": {"state": {}},
    }  # fmt: skip
    assert reachable(state, ["out"]) == {"out", "inner", "lay"}
