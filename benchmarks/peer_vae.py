"""The peer of the A/B training benchmark: the training loop of pytorch/examples ``vae/main.py``
(the VAE example most tutorials start from), rewritten here so that it needs no torchvision
and reads the project's shipped data.

What it keeps from that example, so that the comparison is like for like: the 784-400-20
ReLU encoder and decoder (``fc1``, ``fc21``/``fc22``, ``fc3``, ``fc4``), Adam at 1e-3,
minibatches of 128 from a shuffling ``DataLoader`` over a dataset that stores uint8 images
and turns each one into a float tensor in ``__getitem__`` through a Pillow image (what
torchvision's ``MNIST`` with ``ToTensor()`` does), the loss ``BCE(sum) + KL`` (the negative
ELBO with a Bernoulli decoder and the analytic Gaussian KL, the paper's estimator B),
``loss.item()`` every step, a log line every 10 batches, and after every epoch a pass over the
test set, a reconstruction image of the first test batch, and 64 samples from the prior saved
as PNG files.

What it changes: the data are the shipped binarized MNIST (50,000 training and 10,000 test
images in {0, 1}, stored as 0/255 so that the per-image conversion divides by 255 as
``ToTensor`` does); images are saved with Pillow instead of ``torchvision.utils.save_image``;
the newer example's continuous-Bernoulli normalizer (for grey-level data) is left out, since
the data here are binary and the Bernoulli likelihood is then the right one. That correction
adds elementwise work per step, so leaving it out makes the peer faster, not slower.

``python benchmarks/peer_vae.py --epochs 3 --out DIR``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.utils.data
from PIL import Image
from torch import nn, optim
from torch.nn import functional as F

DATA = Path(__file__).resolve().parents[1] / "data" / "binarized_mnist.npz"


class PilMNIST(torch.utils.data.Dataset):
    """Images held as uint8 (N, 28, 28); each item goes through a Pillow image to a float
    tensor (1, 28, 28) in [0, 1], as torchvision's MNIST dataset with ``ToTensor`` does."""

    def __init__(self, split: str):
        with np.load(DATA) as z:
            self.images = (z[split] * 255).astype(np.uint8).reshape(-1, 28, 28)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        img = Image.fromarray(self.images[i], mode="L")
        x = torch.from_numpy(np.array(img, dtype=np.uint8, copy=True))
        return x.view(1, 28, 28).float().div(255), 0


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def reparameterize(self, mu, logvar):
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def save_grid(images: torch.Tensor, path: Path, nrow: int) -> None:
    """A grid of (N, 1, 28, 28) images in [0, 1] with 2-pixel gaps, as save_image draws."""
    a = images.clamp(0, 1).mul(255).round().to(torch.uint8).numpy()[:, 0]
    rows = -(-len(a) // nrow)
    canvas = np.zeros((rows * 30 + 2, nrow * 30 + 2), np.uint8)
    for k, im in enumerate(a):
        r, c = divmod(k, nrow)
        canvas[2 + 30 * r : 30 * r + 30, 2 + 30 * c : 30 * c + 30] = im
    Image.fromarray(canvas).save(path)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-interval", type=int, default=10)
    p.add_argument("--out", default="results")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    train_loader = torch.utils.data.DataLoader(
        PilMNIST("train"), batch_size=args.batch_size, shuffle=True
    )
    test_loader = torch.utils.data.DataLoader(
        PilMNIST("test"), batch_size=args.batch_size, shuffle=True
    )
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        train_loss = 0.0
        for batch_idx, (data, _) in enumerate(train_loader):
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print(
                    f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}"
                    f" ({100.0 * batch_idx / len(train_loader):.0f}%)]\t"
                    f"Loss: {loss.item() / len(data):.6f}"
                )
        print(f"====> Epoch: {epoch} Average loss: {train_loss / len(train_loader.dataset):.4f}")
        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    both = torch.cat([data[:n], recon_batch.view(-1, 1, 28, 28)[:n]])
                    save_grid(both, out / f"reconstruction_{epoch}.png", nrow=n)
        print(f"====> Test set loss: {test_loss / len(test_loader.dataset):.4f}")
        with torch.no_grad():
            sample = model.decode(torch.randn(64, 20)).cpu()
            save_grid(sample.view(64, 1, 28, 28), out / f"sample_{epoch}.png", nrow=8)
    print(f"trained in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
