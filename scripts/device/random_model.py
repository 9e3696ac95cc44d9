#!/usr/bin/env python3
"""Writes a full I2VGen-XL diffusers folder with the REAL architecture and random fp16 weights, for
running the product (`i2v serve`, `i2v generate`) on a GPU host that has no checkpoint.

Every tensor of the real ali-vilab/i2vgen-xl checkpoint is written, named and shaped as
Tests/Fixtures/real-config/i2vgen-xl-keys.tsv lists it, into the file the real fp16 variant uses
(`unet/diffusion_pytorch_model.fp16.safetensors`, `text_encoder/model.fp16.safetensors`, …); the
configs are Tests/Fixtures/real-config/model's and the tokenizer Tests/Fixtures/clip-tokenizer's.
Values follow scripts/real_arch_check.py's rule: norm scales 1 + 0.1·N, biases 0.1·N, every other
tensor N/sqrt(fan_in). Needs numpy and safetensors only (no torch):

    python3 scripts/device/random_model.py --out /tmp/models/i2vgen-xl [--seed 1]

The video such a model makes is noise: it exercises the whole product on the real shapes and
timings, not its output quality (the QC rejects it, as it should).
"""
import argparse
import csv
import os
import shutil
import sys
import time

import numpy as np
from safetensors.numpy import save_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REAL = os.path.join(ROOT, "Tests", "Fixtures", "real-config")
TOKENIZER = os.path.join(ROOT, "Tests", "Fixtures", "clip-tokenizer", "model", "tokenizer")
FILES = {
    "unet": "diffusion_pytorch_model.fp16.safetensors",
    "vae": "diffusion_pytorch_model.fp16.safetensors",
    "text_encoder": "model.fp16.safetensors",
    "image_encoder": "model.fp16.safetensors",
}


def value(rng: np.random.Generator, key: str, shape: list) -> np.ndarray:
    """The redraw rule of scripts/real_arch_check.py, in float16."""
    name = key.rsplit(".", 1)[-1]
    if len(shape) == 1 and name == "weight":  # GroupNorm / LayerNorm scale
        x = 1 + 0.1 * rng.standard_normal(shape, dtype=np.float32)
    elif len(shape) == 1:  # biases and the vision class embedding
        x = 0.1 * rng.standard_normal(shape, dtype=np.float32)
    else:
        fan_in = int(np.prod(shape[1:]))
        x = rng.standard_normal(shape, dtype=np.float32) / np.sqrt(fan_in)
    return x.astype(np.float16)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="the diffusers folder to write (replaced if present)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    keys: dict = {}
    with open(os.path.join(REAL, "i2vgen-xl-keys.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["component"] in FILES and row["key"] != "TOTAL":
                keys.setdefault(row["component"], []).append((row["key"], [int(d) for d in row["shape"].split(",")]))
    missing = [c for c in FILES if c not in keys]
    if missing:
        print(f"random_model: no keys for {missing} in i2vgen-xl-keys.tsv", file=sys.stderr)
        return 1

    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    shutil.copytree(os.path.join(REAL, "model"), args.out)
    for name in os.listdir(TOKENIZER):
        shutil.copy(os.path.join(TOKENIZER, name), os.path.join(args.out, "tokenizer", name))

    rng = np.random.default_rng(args.seed)
    for component, entries in keys.items():
        start = time.time()
        tensors = {key: value(rng, key, shape) for key, shape in entries}
        path = os.path.join(args.out, component, FILES[component])
        save_file(tensors, path)
        params = sum(t.size for t in tensors.values())
        print(f"{component}: {len(tensors)} tensors, {params / 1e6:.1f} M parameters, "
              f"{os.path.getsize(path) / 2**30:.2f} GiB, {time.time() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
