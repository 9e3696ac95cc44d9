#!/usr/bin/env python3
"""PyTorch reference timings beside `i2v bench` (run by hand; needs torch, never used by CI).

    python scripts/bench_reference.py ops --case conv320 [--threads 2]

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


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("ops")
    o.add_argument("--case", required=True)
    o.add_argument("--threads", type=int, default=2)
    o.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    if args.cmd == "ops":
        name, ms, flops = ops_case(torch, args.case, args.repeats)
        print(f"{name}\t{ms:.2f}\t{flops / (ms * 1e6):.1f}\t{peak_rss_mib():.0f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
