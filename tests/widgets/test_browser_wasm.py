"""The browser explorer's WebAssembly kernel: the bytes in browser_explorer.js are
decoder_simd.wat compiled (a fresh compile when wabt is cached, else the source's checksum),
and, under Node, the SIMD decoder agrees with the JavaScript one and with numpy for every
activation and mean the explorer knows (the ones the kernel runs and the ones it leaves to
JavaScript), including a batch that is not a multiple of 4."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("wasm_tool", ROOT / "tools" / "wasm.py")
wasm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wasm)


def test_the_embedded_bytes_are_the_source_compiled():
    sha, data = wasm.embedded(wasm.JS.read_text())
    assert data[:4] == b"\0asm" and b"dense" in data
    assert sha == wasm.source_sha256(), (
        "decoder_simd.wat changed since its bytes were embedded: run `python tools/wasm.py`"
    )
    tool = wasm.wat2wasm_path()
    if tool.exists() and shutil.which("node"):
        assert wasm.compile_wat(tool) == data, "run `python tools/wasm.py`"


ACTS = {
    "tanh": np.tanh,
    "relu": lambda v: np.maximum(v, 0),
    "softplus": lambda v: np.logaddexp(0, v),
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "elu": lambda v: np.where(v > 0, v, np.expm1(np.minimum(v, 0))),
}
MEANS = {"sigmoid": ACTS["sigmoid"], "exp255": lambda v: np.clip(np.exp(v) / 255, 0, 1)}
RUN = """
import fs from "fs";
const { makeDecoder } = await import(process.argv[2]);
const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const out = cases.map(({ spec, weights, zs, n }) => {
  const decode = makeDecoder(spec, Float32Array.from(weights));
  const D = spec.image_shape[0] * spec.image_shape[1];
  return { backend: decode.backend, simd: Array.from(decode.many(zs, n, new Float32Array(n * D))),
           js: Array.from(decode.manyJs(zs, n, new Float32Array(n * D))) };
});
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_simd_decoder_matches_javascript_and_numpy(tmp_path):
    rng = np.random.default_rng(0)
    cases, refs = [], []
    for act, mean, sizes in [("tanh", "sigmoid", [2, 500, 784]), ("relu", "exp255", [3, 13, 20]),
                             ("softplus", "sigmoid", [2, 9, 10, 12]), ("elu", "sigmoid", [5, 7, 6]),
                             ("sigmoid", "exp255", [2, 8, 35])]:  # fmt: skip
        n, d = 7, sizes[-1]
        layers, parts = [], []
        h = rng.normal(size=(n, sizes[0])).astype(np.float32)
        zs = h.copy()
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            last = i == len(sizes) - 2
            w = (rng.normal(size=(b, a)) / np.sqrt(a)).astype(np.float32)
            bias = rng.normal(size=b).astype(np.float32) * 0.1
            layers.append({"in": a, "out": b, "act": None if last else act})
            parts += [w.ravel(), bias]
            h = h.astype(np.float64) @ w.T + bias
            h = MEANS[mean](h) if last else ACTS[act](h)
        shape = [d // 5, 5] if d % 5 == 0 else [d // 2, 2]
        spec = {"layers": layers, "mean": mean, "image_shape": shape}
        weights = np.concatenate(parts).tolist()
        cases.append({"spec": spec, "weights": weights, "zs": zs.ravel().tolist(), "n": n})
        refs.append(h)
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    (tmp_path / "run.mjs").write_text(RUN)
    module = tmp_path / "browser_explorer.mjs"
    shutil.copy(ROOT / "vae_tutorial" / "widgets" / "browser_explorer.js", module)
    cmd = ["node", str(tmp_path / "run.mjs"), str(module), str(tmp_path / "cases.json")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    for case, ref, got in zip(cases, refs, json.loads(r.stdout), strict=True):
        name = f"{case['spec']['layers'][0]['act']} / {case['spec']['mean']}"
        assert got["backend"] == "wasm-simd", f"Node {name}: no WebAssembly SIMD"
        for path in ("simd", "js"):
            diff = np.abs(np.array(got[path]).reshape(ref.shape) - ref).max()
            assert diff <= 1e-5, f"{name}: the {path} decoder differs from numpy by {diff:.1e}"
