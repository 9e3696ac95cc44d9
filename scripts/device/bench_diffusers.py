#!/usr/bin/env python3
"""diffusers' I2VGen-XL UNet and VAE on the GPU, the reference for `i2v-device bench`.

Run on the device machine in the same call as i2v-device (scripts/device/bench.sh), so both
numbers come from the same card. Real configs (ali-vilab/i2vgen-xl), random weights, fp16,
PyTorch SDPA, eager; UNet with CFG batch 2 as the pipeline calls it; median of N timed calls
after 2 warm-ups, timed with CUDA events. Inputs are random normal (never zeros).

    python3 bench_diffusers.py --shapes 512x512x16 1280x704x16 --vae-sizes 512x512 1280x704
"""
import argparse

import torch
from diffusers import AutoencoderKL
from diffusers.models.unets.unet_i2vgen_xl import I2VGenXLUNet

from cuda_timing import timed

UNET = dict(block_out_channels=[320, 640, 1280, 1280], cross_attention_dim=1024,
            down_block_types=["CrossAttnDownBlock3D"] * 3 + ["DownBlock3D"],
            up_block_types=["UpBlock3D"] + ["CrossAttnUpBlock3D"] * 3,
            in_channels=4, out_channels=4, layers_per_block=2, norm_num_groups=32,
            attention_head_dim=64, num_attention_heads=64, sample_size=32)
VAE = dict(block_out_channels=[128, 256, 512, 512], down_block_types=["DownEncoderBlock2D"] * 4,
           up_block_types=["UpDecoderBlock2D"] * 4, layers_per_block=2, latent_channels=4,
           norm_num_groups=32, sample_size=768, scaling_factor=0.18125, force_upcast=True)


def profile(fn, title):
    """One step under torch.profiler: GPU time per kernel name, slowest first (as i2v-device's --profile)."""
    from torch.profiler import ProfilerActivity
    with torch.profiler.profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    rows = {}
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            ms, n = rows.get(e.name, (0.0, 0))
            rows[e.name] = (ms + e.time_range.elapsed_us() / 1000, n + 1)
    total = sum(ms for ms, _ in rows.values())
    print(f"# diffusers profile of one UNet CFG step {title}: {total:.1f} ms of GPU time in {sum(n for _, n in rows.values())} launches")
    for name, (ms, n) in sorted(rows.items(), key=lambda kv: -kv[1][0])[:30]:
        print(f"#  {ms:8.2f} ms {100 * ms / max(total, 1e-9):5.1f}% {n:6d}x {name[:110]}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shapes", nargs="*", default=["512x512x16", "1280x704x16"])
    p.add_argument("--vae-sizes", nargs="*", default=["512x512", "1280x704"])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--profile", action="store_true",
                   help="after timing, profile one more UNet step per shape: GPU time per kernel, top 30")
    args = p.parse_args()
    dev, dt = "cuda", torch.float16
    name = torch.cuda.get_device_name(0)
    with torch.inference_mode():
        unet = I2VGenXLUNet(**UNET).to(dev, dt).eval()
        for s in args.shapes:
            w, h, f = map(int, s.split("x"))
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
            x = torch.randn(2, 4, f, h // 8, w // 8, device=dev, dtype=dt)
            lat = torch.randn(2, 4, f, h // 8, w // 8, device=dev, dtype=dt)
            ctx = torch.randn(2, 77, 1024, device=dev, dtype=dt)
            emb = torch.randn(2, 1, 1024, device=dev, dtype=dt)
            t = torch.tensor([981, 981], device=dev)
            fps = torch.tensor([16, 16], device=dev)
            ms = timed(lambda: unet(x, t, encoder_hidden_states=ctx, fps=fps, image_latents=lat, image_embeddings=emb), args.repeats)
            print(f"diffusers UNet CFG step {s} (float16)\t{ms:.1f}\t{torch.cuda.max_memory_allocated() / 2**30:.2f}\t{name}"
                  f"\t(reserved {torch.cuda.max_memory_reserved() / 2**30:.2f} GiB)", flush=True)
            if args.profile:
                profile(lambda: unet(x, t, encoder_hidden_states=ctx, fps=fps, image_latents=lat, image_embeddings=emb), s)
        del unet
        torch.cuda.empty_cache()
        vae = AutoencoderKL(**VAE).to(dev, dt).eval()
        for s in args.vae_sizes:
            w, h = map(int, s.split("x"))
            z = torch.randn(1, 4, h // 8, w // 8, device=dev, dtype=dt)
            ms = timed(lambda: vae.decode(z).sample, args.repeats)
            print(f"diffusers VAE decode 1 frame {s} (float16)\t{ms:.1f}\t-\t{name}", flush=True)


if __name__ == "__main__":
    main()
