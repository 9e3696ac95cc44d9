#!/usr/bin/env python3
"""Real-architecture parity check (issue 3 item 6): the REAL ali-vilab/i2vgen-xl configs with
random weights, Swift (`i2v parity <component>`) against diffusers/transformers.

For each component, one at a time (the machine has 24 GiB):
  1. build it from Tests/Fixtures/real-config/model/<component>/config.json with diffusers or
     transformers and re-draw every parameter from a seeded generator (norm scales 1 + 0.1·N,
     biases 0.1·N, other tensors N/sqrt(fan_in)), then round to fp16;
  2. save it into a temporary diffusers folder as the fp16 variant (`*.fp16.safetensors`, half the
     disk of fp32; both sides widen it to float32, as PARITY.md prescribes);
  3. write PARITY.md inputs, compute the reference in float32 (the in-memory model equals the saved
     weights), run `i2v parity <component>` on the folder, and compare with PARITY.md's error.

    /work/pyref/bin/python scripts/real_arch_check.py --i2v .build/release/i2v [--components unet,vae,...]

Needs torch, diffusers==0.33.1, transformers<5 (never used by CI). Prints one line per component
and, with --json, writes the numbers.
"""
import argparse
import gc
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time

import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
REAL = os.path.join(ROOT, "Tests", "Fixtures", "real-config", "model")
BOUND = 1e-4  # PARITY.md bound for unet, text-encoder, image-encoder, vae-encode, vae-decode


def redraw(model: torch.nn.Module, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, mod in model.named_modules():
            is_norm = isinstance(mod, (torch.nn.LayerNorm, torch.nn.GroupNorm))
            for name, p in mod.named_parameters(recurse=False):
                z = torch.randn(p.shape, generator=g, dtype=torch.float32)
                if is_norm and name == "weight":
                    v = 1.0 + 0.1 * z
                elif name == "bias" or is_norm:
                    v = 0.1 * z
                elif p.dim() >= 2:
                    v = z / math.sqrt(p[0].numel())
                else:
                    v = 0.5 * z
                p.copy_(v.half().float())  # the values the fp16 file will hold
    model.eval()


def rel_error(got: torch.Tensor, ref: torch.Tensor) -> float:
    got, ref = got.double(), ref.double()
    return float((got - ref).abs().max() / max(float(ref.abs().max()), 1e-6))


def folder(work: str, component: str) -> str:
    d = os.path.join(work, component)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.copy(os.path.join(REAL, "model_index.json"), d)
    return d


def run_swift(i2v: str, component: str, model: str, inputs: str, output: str) -> tuple[float, float]:
    t0 = time.perf_counter()
    # /usr/bin/time -v reports the child's peak RSS ("Maximum resident set size (kbytes)").
    cmd = [i2v, "parity", component, "--model", model, "--inputs", inputs, "--output", output]
    timer = shutil.which("time") or "/usr/bin/time"
    if os.path.exists(timer):
        cmd = [timer, "-v"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"i2v parity {component} failed ({p.returncode}): {p.stderr.strip()[-2000:]}")
    rss = float("nan")
    for line in p.stderr.splitlines():
        if "Maximum resident set size" in line:
            rss = int(line.split(":")[1]) / 1048576.0
    return seconds, rss


def check_unet(args, work):
    from diffusers import I2VGenXLUNet
    d = folder(work, "unet")
    cfg = I2VGenXLUNet.load_config(os.path.join(REAL, "unet"))
    unet = I2VGenXLUNet.from_config(cfg)
    redraw(unet, 1)
    unet.half().save_pretrained(os.path.join(d, "unet"), variant="fp16", safe_serialization=True)
    unet.float()
    g = torch.Generator().manual_seed(2)
    b, f, h, w, dim = 2, 2, 8, 8, cfg["cross_attention_dim"]
    image_embeddings = torch.randn(b, 1, dim, generator=g)
    image_embeddings[0] = 0  # the CFG uncond half
    latents = torch.randn(1, 4, 1, h, w, generator=g)
    mask = [torch.full((1, 4, 1, h, w), (k + 1) / (f - 1)) for k in range(f - 1)]
    image_latents = torch.cat([latents] + mask, dim=2).repeat(2, 1, 1, 1, 1)
    inputs = {
        "sample": torch.randn(b, 4, f, h, w, generator=g),
        "timestep": torch.tensor([981, 981], dtype=torch.int64),
        "fps": torch.tensor([16, 16], dtype=torch.int64),
        "encoder_hidden_states": torch.randn(b, 77, dim, generator=g),
        "image_latents": image_latents.contiguous(),
        "image_embeddings": image_embeddings,
    }
    t0 = time.perf_counter()
    with torch.no_grad():
        ref = unet(inputs["sample"], inputs["timestep"], fps=inputs["fps"], image_latents=inputs["image_latents"],
                   image_embeddings=inputs["image_embeddings"], encoder_hidden_states=inputs["encoder_hidden_states"]).sample
    ref_s = time.perf_counter() - t0
    del unet
    gc.collect()
    return d, inputs, {"sample": ref}, ref_s


def check_text(args, work):
    from transformers import CLIPTextConfig, CLIPTextModel
    d = folder(work, "text-encoder")
    model = CLIPTextModel(CLIPTextConfig.from_pretrained(os.path.join(REAL, "text_encoder")))
    redraw(model, 3)
    model.half().save_pretrained(os.path.join(d, "text_encoder"), variant="fp16", safe_serialization=True)
    model.float()
    g = torch.Generator().manual_seed(4)
    ids = torch.full((2, 77), 49407, dtype=torch.int64)
    ids[:, 0] = 49406
    ids[0, 1:9] = torch.randint(0, 49406, (8,), generator=g)
    ids[1, 1:30] = torch.randint(0, 49406, (29,), generator=g)
    t0 = time.perf_counter()
    with torch.no_grad():
        hs = model(ids, output_hidden_states=True).hidden_states[-2]
        ref = model.text_model.final_layer_norm(hs)
    ref_s = time.perf_counter() - t0
    del model
    gc.collect()
    return d, {"input_ids": ids}, {"prompt_embeds": ref}, ref_s


def check_vision(args, work):
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection
    d = folder(work, "image-encoder")
    model = CLIPVisionModelWithProjection(CLIPVisionConfig.from_pretrained(os.path.join(REAL, "image_encoder")))
    redraw(model, 5)
    model.half().save_pretrained(os.path.join(d, "image_encoder"), variant="fp16", safe_serialization=True)
    model.float()
    g = torch.Generator().manual_seed(6)
    pixels = torch.randn(1, 3, 224, 224, generator=g)
    t0 = time.perf_counter()
    with torch.no_grad():
        ref = model(pixel_values=pixels).image_embeds
    ref_s = time.perf_counter() - t0
    del model
    gc.collect()
    return d, {"pixel_values": pixels}, {"image_embeds": ref}, ref_s


def make_vae(work, name):
    from diffusers import AutoencoderKL
    d = folder(work, name)
    vae = AutoencoderKL.from_config(AutoencoderKL.load_config(os.path.join(REAL, "vae")))
    redraw(vae, 7)
    vae.half().save_pretrained(os.path.join(d, "vae"), variant="fp16", safe_serialization=True)
    return d, vae.float()


def check_vae_encode(args, work):
    d, vae = make_vae(work, "vae-encode")
    g = torch.Generator().manual_seed(8)
    sample = torch.rand(1, 3, 128, 128, generator=g) * 2 - 1
    t0 = time.perf_counter()
    with torch.no_grad():
        dist = vae.encode(sample).latent_dist
    ref_s = time.perf_counter() - t0
    del vae
    gc.collect()
    return d, {"sample": sample}, {"mean": dist.mean, "logvar": dist.logvar}, ref_s


def check_vae_decode(args, work):
    d, vae = make_vae(work, "vae-decode")
    g = torch.Generator().manual_seed(9)
    latents = torch.randn(2, 4, 16, 16, generator=g)
    t0 = time.perf_counter()
    with torch.no_grad():
        ref = torch.cat([vae.decode(latents[i:i + 1]).sample for i in range(2)])
    ref_s = time.perf_counter() - t0
    del vae
    gc.collect()
    return d, {"latents": latents}, {"sample": ref}, ref_s


CHECKS = {
    "unet": check_unet,
    "text-encoder": check_text,
    "image-encoder": check_vision,
    "vae-encode": check_vae_encode,
    "vae-decode": check_vae_decode,
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--i2v", default=os.path.join(ROOT, ".build", "release", "i2v"))
    p.add_argument("--components", default=",".join(CHECKS))
    p.add_argument("--workdir", default="/tmp/i2v-real-arch")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--keep", action="store_true", help="keep the temporary model folders")
    p.add_argument("--json", help="write the results here")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.workdir, exist_ok=True)
    results = []
    print("component\tshape\trelative_error\tbound\tswift_s\tswift_peak_rss_gib\ttorch_s")
    for name in args.components.split(","):
        d, inputs, ref, ref_s = CHECKS[name](args, args.workdir)
        ins = os.path.join(d, f"{name}.in.safetensors")
        out = os.path.join(d, f"{name}.out.safetensors")
        save_file({k: v.contiguous() for k, v in inputs.items()}, ins)
        swift_s, rss = run_swift(args.i2v, name, d, ins, out)
        got = load_file(out)
        errs = {k: rel_error(got[k], v) for k, v in ref.items()}
        err = max(errs.values())
        shape = " ".join(f"{k}{list(v.shape)}" for k, v in ref.items())
        print(f"{name}\t{shape}\t{err:.3e}\t{BOUND:g}\t{swift_s:.1f}\t{rss:.2f}\t{ref_s:.1f}", flush=True)
        results.append({"component": name, "errors": errs, "swift_seconds": swift_s, "swift_peak_rss_gib": rss,
                        "torch_seconds": ref_s, "shapes": {k: list(v.shape) for k, v in ref.items()}})
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
        gc.collect()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "results": results}, f, indent=1)
    failed = [r["component"] for r in results if max(r["errors"].values()) > BOUND]
    if failed:
        sys.exit(f"over the {BOUND:g} bound: {', '.join(failed)}")


if __name__ == "__main__":
    main()
