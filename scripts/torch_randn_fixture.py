"""Writes Tests/Fixtures/torch-randn/randn.json: torch.randn samples for a few seeds and shapes
(CPU generator, float32), the reference for TorchCPUGenerator. Also records the pipeline-order
draw (VAE posterior epsilon [1,4,h,w] first, then the initial latents [1,4,F,h,w]) from one generator.

Run: /work/pyref/bin/python scripts/torch_randn_fixture.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "torch-randn", "randn.json")


def draw(seed, shapes):
    g = torch.Generator("cpu").manual_seed(seed)
    return [torch.randn(s, generator=g, dtype=torch.float32).flatten().tolist() for s in shapes]


cases = []
for seed, shapes in [
    (0, [[1, 4, 2, 2, 4]]),                 # 64: multiple of 16
    (42, [[1, 4, 3, 5, 7]]),                # 420: tail of 4 re-drawn
    (2**32 + 7, [[3, 7]]),                  # 21: one block + re-drawn tail
    (1234, [[5], [2, 5]]),                  # under 16: double path, cached second sample
    (8888, [[1, 4, 4, 6], [1, 4, 3, 4, 6]]),  # pipeline order: epsilon then latents
]:
    cases.append({"seed": seed, "shapes": shapes, "values": draw(seed, shapes)})

doc = {
    "torch": torch.__version__,
    "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    "cases": cases,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(doc, f, indent=0)
print("wrote", OUT)
