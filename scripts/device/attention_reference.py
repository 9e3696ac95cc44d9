#!/usr/bin/env python3
"""PyTorch's fused attention kernels on the UNet's attention shapes, the yardstick for i2v's own
(`i2v-device time-ops`, attention rows). Run on the device machine in the same call, so both
come from the same card:

    python3 scripts/device/attention_reference.py

Shapes as `CUDAOpTiming` times them: [B·F, tokens, heads·64] fp16, laid out as diffusers passes
them to `scaled_dot_product_attention` (a [B, L, H, D] view transposed to [B, H, L, D]). Each of
PyTorch's SDPA backends is forced in turn — FlashAttention-2, memory-efficient, cuDNN's fused
attention (cuDNN 9's SDPA graph, the "cuDNN's fused attention" candidate of issue 7) — median of
20 calls after 3 warm-ups, CUDA events. Inputs are random normal (never zeros).
"""
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from cuda_timing import timed

SHAPES = [  # name, batch, query tokens, key tokens, heads (head dim 64)
    ("spatial 64² (4096 tok)", 32, 4096, 4096, 5),
    ("spatial 96² (9216 tok, 768²)", 16, 9216, 9216, 5),
    ("spatial 160×88 (14080 tok, 1280×704)", 8, 14080, 14080, 5),
    ("cross 64² (77 keys)", 32, 4096, 77, 5),
    ("spatial 32² (1024 tok)", 32, 1024, 1024, 10),
]
BACKENDS = [("flash-attention-2", SDPBackend.FLASH_ATTENTION), ("memory-efficient", SDPBackend.EFFICIENT_ATTENTION),
            ("cuDNN", SDPBackend.CUDNN_ATTENTION)]


def main():
    torch.manual_seed(0)
    print(f"# {torch.cuda.get_device_name(0)}, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}")
    print("shape\tbackend\tms\tTFLOP/s")
    with torch.inference_mode():
        for name, b, lq, lk, h in SHAPES:
            def view(tokens):
                return torch.randn(b, tokens, h * 64, device="cuda", dtype=torch.float16).view(b, tokens, h, 64).transpose(1, 2)
            q, k, v = view(lq), view(lk), view(lk)
            flops = 4.0 * b * h * lq * lk * 64
            reference = None
            for label, backend in BACKENDS:
                try:
                    with sdpa_kernel(backend):
                        out = F.scaled_dot_product_attention(q, k, v)
                        ms = timed(lambda: F.scaled_dot_product_attention(q, k, v), 20, warmups=3)
                except RuntimeError as error:
                    print(f"{name}\t{label}\tunsupported ({str(error).splitlines()[0][:80]})")
                    continue
                if reference is None:
                    reference = out.float()
                deviation = ((out.float() - reference).abs().max() / reference.abs().max()).item()
                print(f"{name}\t{label}\t{ms:.3f}\t{flops / ms / 1e9:.1f}\tdev {deviation:.1e}")


if __name__ == "__main__":
    main()
