"""Compile the browser explorer's WebAssembly kernel and embed it: ``python tools/wasm.py``.

``vae_tutorial/widgets/decoder_simd.wat`` is the source; readers never compile anything:
``browser_explorer.js`` carries the compiled bytes (base64, ``WASM_B64``) and the sha256 of
the source they came from (``WASM_SHA256``). This script compiles the source with wabt's
``wat2wasm`` (the npm package ``wabt``, installed once into the cache folder) and rewrites
those two lines. ``--check`` compiles and compares instead of writing (exit 1 on a
difference); tests/widgets/test_browser_wasm.py does the same when the compiler is cached.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAT = ROOT / "vae_tutorial" / "widgets" / "decoder_simd.wat"
JS = ROOT / "vae_tutorial" / "widgets" / "browser_explorer.js"
WABT = "wabt@1.0.39"
CACHE = ROOT / "build" / "cache"


def wat2wasm_path(cache: Path = CACHE) -> Path:
    """wabt's wat2wasm (a Node script) in ``cache``; it may not exist (see :func:`install`)."""
    return cache / "wabt" / "node_modules" / ".bin" / "wat2wasm"


def install(cache: Path = CACHE) -> Path:
    """wat2wasm from the npm registry into ``cache`` (once)."""
    tool = wat2wasm_path(cache)
    if not tool.exists():
        (cache / "wabt").mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(cache / "wabt"), WABT],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return tool


def compile_wat(tool: Path, wat: Path = WAT) -> bytes:
    """The module's bytes, compiled by ``tool`` (wat2wasm) from ``wat``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.wasm"
        subprocess.run([str(tool), str(wat), "-o", str(out)], check=True)
        return out.read_bytes()


def embedded(js: str) -> tuple[str, bytes]:
    """(sha256 of the source, compiled bytes) as ``browser_explorer.js`` carries them."""
    sha = re.search(r'^const WASM_SHA256 = "([0-9a-f]*)";$', js, re.M)
    b64 = re.search(r'^const WASM_B64 = "([A-Za-z0-9+/=]*)";$', js, re.M)
    if not (sha and b64):
        raise ValueError("browser_explorer.js has no WASM_SHA256 / WASM_B64 line")
    return sha.group(1), base64.b64decode(b64.group(1))


def source_sha256(wat: Path = WAT) -> str:
    return hashlib.sha256(wat.read_bytes()).hexdigest()


def embed(wasm: bytes, js: str, sha: str) -> str:
    """``js`` with the two lines rewritten to carry ``wasm`` and the source's ``sha``."""
    js = re.sub(r'^const WASM_SHA256 = ".*";$', f'const WASM_SHA256 = "{sha}";', js, flags=re.M)
    b64 = base64.b64encode(wasm).decode()
    return re.sub(r'^const WASM_B64 = ".*";$', f'const WASM_B64 = "{b64}";', js, flags=re.M)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python tools/wasm.py", description=__doc__.split("\n")[0])
    p.add_argument("--cache", default=str(CACHE), help="where wabt is installed (once)")
    p.add_argument("--check", action="store_true", help="compare, do not write")
    args = p.parse_args(argv)
    wasm = compile_wat(install(Path(args.cache)))
    js = JS.read_text()
    new = embed(wasm, js, source_sha256())
    same = new == js
    if not args.check and not same:
        JS.write_text(new)
    print(json.dumps({"bytes": len(wasm), "sha256_source": source_sha256(), "up_to_date": same}))
    return 1 if args.check and not same else 0


if __name__ == "__main__":
    sys.exit(main())
