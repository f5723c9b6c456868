"""SVHN loader: .mat parsing, atomic md5-checked downloads, offline errors. No network:
every URL is a file:// URL of a small .mat written here in the SVHN layout."""

import argparse
import hashlib
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import torch

from vae_tutorial import svhn
from vae_tutorial.errors import DataError

LABELS = {"train": [1, 10, 3, 10, 5, 9, 2], "test": [10, 4, 7, 1, 8]}


def write_mat(path: Path, labels: list[int], seed: int) -> np.ndarray:
    """An SVHN-format file: X uint8 (32, 32, 3, N), y uint8 (N, 1); returns X."""
    x = np.random.default_rng(seed).integers(0, 256, size=(32, 32, 3, len(labels)), dtype=np.uint8)
    x[5, 9, 2, 4] = 201  # one marked pixel: row 5, column 9, blue channel, image 4
    x[5, 9, 0, 4] = 17
    y = np.array(labels, dtype=np.uint8).reshape(-1, 1)
    scipy.io.savemat(path, {"X": x, "y": y})
    return x


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """Only file:// URLs may be opened; the default cache is private; no cached hashes."""
    real = svhn._urlopen
    calls: list[str] = []

    def guarded(url, timeout):
        assert url.startswith("file://"), f"test tried to reach the network: {url}"
        calls.append(url)
        return real(url, timeout)

    monkeypatch.setattr(svhn, "_urlopen", guarded)
    monkeypatch.setattr(svhn, "_verified", set())
    monkeypatch.setenv(svhn.CACHE_ENV, str(tmp_path / "default-cache"))
    return calls


@pytest.fixture
def source(tmp_path, monkeypatch) -> dict[str, np.ndarray]:
    """Generated train/test files in `tmp_path/src`, registered in svhn.FILES as the official
    files (file:// URLs, their md5 and sizes)."""
    src = tmp_path / "src"
    src.mkdir()
    xs = {}
    for seed, (split, labels) in enumerate(LABELS.items()):
        name = svhn.FILES[split].name
        xs[split] = write_mat(src / name, labels, seed)
        p = src / name
        spec = svhn.SvhnFile(name, p.as_uri(), md5(p), p.stat().st_size, len(labels))
        monkeypatch.setitem(svhn.FILES, split, spec)
    return xs


def test_official_constants():
    train, test = svhn.FILES["train"], svhn.FILES["test"]
    assert train.url == "http://ufldl.stanford.edu/housenumbers/train_32x32.mat"
    assert test.url == "http://ufldl.stanford.edu/housenumbers/test_32x32.mat"
    assert (train.md5, test.md5) == (
        "e26dedcc434d2e4c54c9b2d4a06d8373",
        "eb5a983be6a315427106f1b164d9cef3",
    )
    assert (train.n, test.n) == (73257, 26032)


def test_cache_dir_env_and_default(monkeypatch, tmp_path):
    assert svhn.cache_dir() == tmp_path / "default-cache"
    monkeypatch.delenv(svhn.CACHE_ENV)
    assert svhn.cache_dir() == Path.home() / ".cache" / "vae_tutorial" / "svhn"


def test_load_split_layout_and_labels(tmp_path):
    p = tmp_path / "train_32x32.mat"
    raw = write_mat(p, LABELS["train"], seed=0)
    x, y = svhn.load_split(p)
    assert x.shape == (7, 3, 32, 32) and x.dtype == np.uint8
    assert y.dtype == np.int64 and y.tolist() == [1, 0, 3, 0, 5, 9, 2]
    assert x[4, 2, 5, 9] == 201 and x[4, 0, 5, 9] == 17  # (N, C, H, W) from (H, W, C, N)
    assert np.array_equal(x, raw.transpose(3, 2, 0, 1))


def test_download_verifies_and_places_atomically(source, tmp_path, no_network):
    cache = tmp_path / "cache"
    p = svhn.download("train", cache=cache, progress=False)
    assert p == cache / "train_32x32.mat"
    assert p.read_bytes() == (tmp_path / "src" / "train_32x32.mat").read_bytes()
    assert sorted(f.name for f in cache.iterdir()) == ["train_32x32.mat"]  # no temp files
    assert svhn.download("train", cache=cache, progress=False) == p  # present: no re-fetch
    assert len(no_network) == 1


def test_download_with_explicit_url_and_md5(tmp_path):
    src = tmp_path / "elsewhere.mat"
    write_mat(src, LABELS["test"], seed=3)
    cache = tmp_path / "cache"
    p = svhn.download("test", url=src.as_uri(), md5=md5(src), cache=cache, progress=False)
    assert p == cache / "test_32x32.mat" and md5(p) == md5(src)
    assert svhn.load_split(p)[1].tolist() == [0, 4, 7, 1, 8]


def test_corrupt_present_file_is_fetched_again(source, tmp_path, no_network):
    cache = tmp_path / "cache"
    p = svhn.download("test", cache=cache, progress=False)
    good = p.read_bytes()
    p.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # same size, one bit flipped
    assert svhn.download("test", cache=cache, progress=False).read_bytes() == good
    assert len(no_network) == 2


def test_wrong_md5_leaves_nothing(source, tmp_path):
    cache = tmp_path / "cache"
    url = svhn.FILES["train"].url
    with pytest.raises(DataError, match=r"md5 [0-9a-f]{32}, expected 0{32}.*retry"):
        svhn.download("train", url=url, md5="0" * 32, cache=cache, progress=False)
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize(
    "error",
    [
        urllib.error.URLError("[Errno -3] Temporary failure in name resolution"),
        TimeoutError("timed out"),
        ConnectionResetError("connection reset by peer"),
    ],
)
def test_offline_says_where_to_put_the_file(monkeypatch, tmp_path, error):
    def offline(url, timeout):
        raise error

    monkeypatch.setattr(svhn, "_urlopen", offline)
    cache = tmp_path / "cache"
    with pytest.raises(DataError) as info:
        svhn.download("train", cache=cache, progress=False)
    msg = str(info.value)
    assert msg.startswith("no internet")
    assert "http://ufldl.stanford.edu/housenumbers/train_32x32.mat" in msg
    assert str(cache) in msg and "cifar10-subset" in msg
    assert list(cache.iterdir()) == []


def test_http_error_is_reported(monkeypatch, tmp_path):
    def not_found(url, timeout):
        raise urllib.error.HTTPError(url, 404, "Not Found", None, None)

    monkeypatch.setattr(svhn, "_urlopen", not_found)
    with pytest.raises(DataError, match="HTTP 404.*train_32x32.mat"):
        svhn.download("train", cache=tmp_path / "cache", progress=False)


def test_unknown_split():
    with pytest.raises(ValueError, match="'extra'"):
        svhn.download("extra")


@pytest.mark.parametrize("damage", ["truncated", "not_mat", "wrong_shape", "bad_labels"])
def test_bad_files_raise_data_error(tmp_path, damage):
    p = tmp_path / "train_32x32.mat"
    write_mat(p, LABELS["train"], seed=0)
    if damage == "truncated":
        p.write_bytes(p.read_bytes()[:5000])
    elif damage == "not_mat":
        p.write_text("<html>404 Not Found</html>")
    elif damage == "wrong_shape":
        scipy.io.savemat(p, {"X": np.zeros((28, 28, 7), np.uint8), "y": np.ones((7, 1))})
    else:
        x = np.zeros((32, 32, 3, 3), np.uint8)
        scipy.io.savemat(p, {"X": x, "y": np.array([[1], [11], [2]], np.uint8)})
    with pytest.raises(DataError, match="train_32x32.mat"):
        svhn.load_split(p)


def test_load_svhn_from_cache(source, tmp_path):
    cache = tmp_path / "cache"
    assert not svhn.available(cache)
    with pytest.raises(DataError, match="missing.*download svhn.*cifar10-subset"):
        svhn.load_svhn(cache=cache)
    ds = svhn.load_svhn(cache=cache, download_missing=True)
    assert svhn.available(cache)
    assert ds.name == "svhn" and ds.image_shape == (3, 32, 32) and ds.valid is None
    assert ds.train.shape == (7, 3072) and ds.test.shape == (5, 3072)
    assert ds.train.dtype == torch.float32 and ds.x_dim == 3072
    for x in (ds.train, ds.test):
        assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0 and float(x.max()) > 0.99
    assert ds.train_labels.dtype == torch.int64
    assert ds.train_labels.tolist() == [1, 0, 3, 0, 5, 9, 2]
    assert ds.test_labels.tolist() == [0, 4, 7, 1, 8]
    img = ds.train[4].reshape(3, 32, 32)  # channel-first, like cifar10-subset
    assert img[2, 5, 9] * 255 == pytest.approx(201) and img[0, 5, 9] * 255 == pytest.approx(17)
    expected = torch.from_numpy(source["train"].transpose(3, 2, 0, 1).reshape(7, -1)) / 255.0
    assert torch.equal(ds.train, expected.float())

    small = svhn.load_svhn(train_limit=3, test_limit=2, cache=cache)
    assert small.train.shape == (3, 3072) and small.test.shape == (2, 3072)
    assert torch.equal(small.train, ds.train[:3]) and small.test_labels.tolist() == [0, 4]
    with pytest.raises(ValueError, match="train_limit"):
        svhn.load_svhn(train_limit=0, cache=cache)


def test_load_svhn_rejects_a_file_with_the_wrong_checksum(source, tmp_path):
    cache = tmp_path / "cache"
    svhn.load_svhn(cache=cache, download_missing=True)
    p = cache / "test_32x32.mat"
    b = p.read_bytes()
    p.write_bytes(b[:-1] + bytes([b[-1] ^ 1]))
    assert svhn.available(cache)  # cheap: sizes only
    with pytest.raises(DataError, match="not the official test_32x32.mat"):
        svhn.load_svhn(cache=cache)


def test_available(source, tmp_path):
    cache = tmp_path / "cache"
    svhn.download("train", cache=cache, progress=False)
    assert not svhn.available(cache)
    p = svhn.download("test", cache=cache, progress=False)
    assert svhn.available(cache)
    p.write_bytes(p.read_bytes()[:-10])  # truncated copy
    assert not svhn.available(cache)


def test_cli_hook(source, tmp_path):
    parser = argparse.ArgumentParser()
    svhn.add_arguments(parser)
    cache = tmp_path / "cli-cache"
    out = svhn.run(parser.parse_args(["svhn", "--split", "both", "--cache", str(cache), "--quiet"]))
    assert out["cache"] == str(cache) and set(out["files"]) == {"train", "test"}
    for split, f in out["files"].items():
        assert f["md5"] == svhn.FILES[split].md5 == md5(Path(f["path"]))
    with pytest.raises(SystemExit):
        parser.parse_args(["svhn", "--split", "extra"])
