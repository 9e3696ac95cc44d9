"""The CUDA-event timer the device reference scripts share (bench_diffusers.py,
attention_reference.py): median milliseconds of `repeats` calls of `fn` after `warmups` untimed
ones, each call bracketed by CUDA events on the current stream."""
import torch


def timed(fn, repeats, warmups=2):
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(repeats):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b))
    times.sort()
    return times[len(times) // 2]
