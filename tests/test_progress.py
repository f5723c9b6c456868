"""The training progress bar as a stored notebook keeps it: executed in a real kernel (as
``make notebooks`` does), the bar's stored text is the finished bar, not the 0% it started at."""

import nbformat
from nbclient import NotebookClient

CELL = """
import torch
from vae_tutorial.core.config import ModelConfig, TrainConfig
from vae_tutorial.core.model import build_model
from vae_tutorial.core.train import fit
x = (torch.rand(400, 12, generator=torch.Generator().manual_seed(0)) < 0.3).float()
model = build_model(ModelConfig(x_dim=12, z_dim=2, hidden=(8,)), seed=0)
h = fit(model, (x, x[:50]), TrainConfig(batch_size=40, max_samples=2000, eval_every=1000,
        eval_train_size=50))
"""


OTHERS = """
from vae_tutorial.progress import tqdm
for i in tqdm(range(3), desc="inner", leave=False):  # a bar not kept: blanked, not re-shown
    pass
quiet = tqdm(range(2), display=False)  # tqdm's own option still works
print(list(quiet))
"""


def _bars(cell) -> list[str]:
    return [
        "".join(o["data"].get("text/plain", ""))
        for o in cell.outputs
        if "text/plain" in o.get("data", {})
    ]


def test_a_stored_notebook_keeps_the_finished_bar():
    cells = [nbformat.v4.new_code_cell(CELL), nbformat.v4.new_code_cell(OTHERS)]
    nb = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    texts = _bars(nb.cells[0])
    assert len(texts) == 1, nb.cells[0].outputs  # one bar, updated in place
    assert "100%" in texts[0] and "2.00k/2.00k" in texts[0], texts[0]
    assert "train ELBO" in texts[0]  # the postfix of the last evaluation
    assert _bars(nb.cells[1]) == [""], nb.cells[1].outputs
    assert "[0, 1]" in "".join(o.get("text", "") for o in nb.cells[1].outputs)


def test_outside_jupyter_the_bar_is_tqdms_own():
    from tqdm.auto import tqdm as auto

    from vae_tutorial.progress import tqdm

    assert tqdm is auto  # no kernel here: the terminal bar, unchanged
