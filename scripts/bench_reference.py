#!/usr/bin/env python3
"""PyTorch reference timings beside `i2v bench` (run by hand; needs torch, never used by CI).

    python scripts/bench_reference.py ops --case conv320 [--threads 2]
    python scripts/bench_reference.py unet [--height 256 --width 256 --frames 8 --threads 2 --repeats 1]
    python scripts/bench_reference.py vae [--height 512 --width 512 --threads 2 --repeats 1]

Each invocation runs one case and prints one tab-separated line:
    name  ms  GFLOP/s  peak_rss_MiB
so that `scripts/bench_ops.sh` can put both implementations in one table, one process per case
(peak RSS is per process). Inputs are uniform random in [-1, 1), never zeros; the time is the
median of the timed repetitions after one warm-up.
"""
import argparse
import resource
import sys
import time


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def ops_case(torch, name, repeats):
    F = torch.nn.functional
    rnd = lambda *s: torch.rand(*s) * 2 - 1
    with torch.inference_mode():
        if name in ("gemm2048", "gemm4096"):
            n = 2048 if name == "gemm2048" else 4096
            a, b = rnd(n, n), rnd(n, n)
            ms = median_ms(lambda: a @ b, repeats if n == 2048 else max(2, repeats // 2))
            return f"sgemm {n}³", ms, 2 * n ** 3
        if name in ("conv320", "conv640"):
            c, s = (320, 64) if name == "conv320" else (640, 32)
            x, w, b = rnd(1, c, s, s), rnd(c, c, 3, 3), rnd(c)
            ms = median_ms(lambda: F.conv2d(x, w, b, padding=1), repeats)
            return f"conv2d 3×3, {c} ch, {s}×{s}", ms, 2 * c * c * 9 * s * s
        if name == "attention4096":
            h, l, d = 5, 4096, 64
            q, k, v = rnd(1, h, l, d), rnd(1, h, l, d), rnd(1, h, l, d)
            ms = median_ms(lambda: F.scaled_dot_product_attention(q, k, v), repeats)
            return "attention 5 heads × 4096 × 64", ms, 4 * h * l * l * d
    raise SystemExit(f"unknown case {name}")


def unet_step(torch, args):
    """One CFG step (UNet on batch 2 + guidance) of the real-config I2VGenXLUNet, fp32 weights
    (PyTorch's CPU path; its fp16 CPU kernels are far slower), default init, diffusers' default
    attention processor (scaled_dot_product_attention). Prints key<TAB>value lines like
    `i2v bench unet`."""
    import json
    import os
    from diffusers import I2VGenXLUNet
    cfg_path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "real-config", "model", "unet")
    t0 = time.perf_counter()
    unet = I2VGenXLUNet.from_config(I2VGenXLUNet.load_config(cfg_path)).eval()
    weights_s = time.perf_counter() - t0
    h, w, f = args.height // 8, args.width // 8, args.frames
    g = torch.Generator().manual_seed(0)
    text = torch.randn(2, 77, 1024, generator=g)
    emb = torch.cat([torch.zeros(1, 1, 1024), torch.randn(1, 1, 1024, generator=g)])
    z = torch.randn(1, 4, 1, h, w, generator=g) * 0.18125
    image_latents = torch.cat([z] + [torch.full((1, 4, 1, h, w), (k + 1) / (f - 1)) for k in range(f - 1)], dim=2)
    image_latents = torch.cat([image_latents] * 2)
    latents = torch.randn(1, 4, f, h, w, generator=g)
    t = torch.tensor(981)
    fps = torch.tensor([16, 16])
    def step():
        out = unet(torch.cat([latents] * 2), t, fps=fps, image_latents=image_latents, image_embeddings=emb,
                   encoder_hidden_states=text).sample
        u, c = out.chunk(2)
        return u + 9.0 * (c - u)
    report(torch, "step", step, args.repeats, f"{args.height}x{args.width}x{f} (latent {h}x{w}), CFG batch 2, weights fp32",
           weights_s)


def vae_decode(torch, args):
    """One decode of a random latent by the real-config AutoencoderKL (the I2VGen-XL VAE), fp32
    weights with diffusers' default init, like `i2v bench vae`. Prints key<TAB>value lines."""
    import os
    from diffusers import AutoencoderKL
    cfg_path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "real-config", "model", "vae")
    t0 = time.perf_counter()
    vae = AutoencoderKL.from_config(AutoencoderKL.load_config(cfg_path)).eval()
    weights_s = time.perf_counter() - t0
    g = torch.Generator().manual_seed(0)
    z = torch.randn(1, 4, args.height // 8, args.width // 8, generator=g)
    report(torch, "decode", lambda: vae.decode(z).sample, args.repeats,
           f"1x3x{args.height}x{args.width} from latent 1x4x{args.height // 8}x{args.width // 8}, weights fp32", weights_s)


def report(torch, name, fn, repeats, shape, weights_s):
    """Times `fn` `repeats` times (at least once) under inference mode and prints the key<TAB>value
    lines `i2v bench unet|vae` prints: backend, shape, weights_s, <name>_s, <name>_median_s,
    peak_rss_gib."""
    times = []
    with torch.inference_mode():
        for _ in range(max(1, repeats)):
            t1 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t1)
            print(f"  {name} {times[-1]:.2f} s", file=sys.stderr, flush=True)
    times.sort()
    print(f"backend\ttorch {torch.__version__} ({torch.get_num_threads()} threads, {torch.backends.cpu.get_cpu_capability()})")
    print(f"shape\t{shape}")
    print(f"weights_s\t{weights_s:.1f}")
    print(f"{name}_s\t" + ",".join(f"{x:.2f}" for x in times))
    print(f"{name}_median_s\t{times[len(times) // 2]:.2f}")
    print(f"peak_rss_gib\t{peak_rss_mib() / 1024:.2f}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("ops")
    o.add_argument("--case", required=True)
    o.add_argument("--threads", type=int, default=2)
    o.add_argument("--repeats", type=int, default=5)
    u = sub.add_parser("unet")
    u.add_argument("--height", type=int, default=256)
    u.add_argument("--width", type=int, default=256)
    u.add_argument("--frames", type=int, default=8)
    u.add_argument("--threads", type=int, default=2)
    u.add_argument("--repeats", type=int, default=1)
    v = sub.add_parser("vae")
    v.add_argument("--height", type=int, default=512)
    v.add_argument("--width", type=int, default=512)
    v.add_argument("--threads", type=int, default=2)
    v.add_argument("--repeats", type=int, default=1)
    args = p.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    if args.cmd == "ops":
        name, ms, flops = ops_case(torch, args.case, args.repeats)
        print(f"{name}\t{ms:.2f}\t{flops / (ms * 1e6):.1f}\t{peak_rss_mib():.0f}")
        sys.stdout.flush()
    elif args.cmd == "unet":
        unet_step(torch, args)
    elif args.cmd == "vae":
        vae_decode(torch, args)


if __name__ == "__main__":
    main()
