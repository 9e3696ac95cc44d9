// The temporal layers on frame-major feature maps [B·F, C, h, w] (sample b·F + f), without the
// permutes to [B, C, F, h, w] and back.
extension CPUBackend {
    /// Frame-major above 64 pixels per frame: at 8×8 (the UNet's deepest 512² level) each frame's
    /// GEMM is only 64 columns wide and OpenBLAS repacks the [O, 3·C] weight for every frame,
    /// measured 13–20 % slower than one permute and the 5-D ops; from 16×16 on they are level.
    public func prefersFrameMajorTemporal(pixels: Int) -> Bool { pixels > 64 }

    /// One GEMM per output frame: frames f − pad … f + pad of a video are adjacent [C, h·w] blocks,
    /// i.e. one (k·C × h·w) matrix with leading dimension h·w, so
    ///   out[b·F + f] (O × h·w) = Wcat[:, t0·C ..< t1·C] · x[b·F + f − pad + t0 ..< b·F + f − pad + t1]
    /// with Wcat[o, t·C + c] = w[o, c, t] and [t0, t1) the taps whose input frame exists (all k
    /// inside a video, fewer at its first and last frames). The frames' GEMMs run in parallel,
    /// each on one thread (whole frames per thread; rows of O split too when there are fewer
    /// frames than threads). The bias is added afterwards.
    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 5 && weight.shape[3] == 1 && weight.shape[4] == 1 && weight.shape[1] == x.shape[1]
                     && frames > 0 && x.shape[0] % frames == 0,
                     "conv3dTemporalFrames: input \(x.shape), weight \(weight.shape), \(frames) frames")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = weight.shape[0], k = weight.shape[2], hw = h * w, kc = k * c
        let window = TemporalTaps(kernel: k, frames: frames)
        let out = empty([n, o, h, w])
        if out.count == 0 { return out }
        let outP = mutablePointer(out)
        let wcat = scratch(o * kc)
        defer { releaseScratch(wcat, o * kc) }
        withFloats(weight) { wp in
            parallelRanges(o, threads: threads, grain: 16) { r in
                for oi in r { for t in 0..<k { for ci in 0..<c { wcat[oi * kc + t * c + ci] = wp[(oi * c + ci) * k + t] } } }
            }
        }
        // Work unit u = (row block u / n, sample u % n): consecutive units of a thread share rows of Wcat.
        let split = (threads + n - 1) / n  // row blocks per frame: 1 unless there are fewer frames than threads
        let rows = (o + split - 1) / split, blocks = (o + rows - 1) / rows
        withFloats(x) { xp in
            withSingleThreadedBLAS {
                parallelRanges(blocks * n, threads: threads) { r in
                    for u in r {
                        let s = u % n, o0 = (u / n) * rows, m = min(rows, o - o0)
                        let taps = window.taps(frame: s % frames)
                        let firstInput = s - window.pad + taps.lowerBound
                        sgemm(transB: false, m: m, n: hw, k: taps.count * c, a: wcat + o0 * kc + taps.lowerBound * c, lda: kc,
                              b: xp + firstInput * c * hw, ldb: hw, beta: 0, c: outP + (s * o + o0) * hw, ldc: hw)
                    }
                }
            }
        }
        if let bias { addChannelBias(outP, bias: bias, outer: n, channels: o, inner: hw) }
        return out
    }

    /// silu(groupNorm) with statistics per video over all its frames, in one pass over the output
    /// (an input bias is one add before it).
    public func groupNormSiLU(_ x: Tensor, inputBias: Tensor?, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        precondition(x.rank == 4 && frames > 0 && x.shape[0] % frames == 0, "groupNormSiLU: \(x.shape) with \(frames) frames")
        return groupNorm(withChannelBias(x, inputBias), groups: groups, weight: weight, bias: bias, eps: eps, silu: true, frames: frames)
    }
}
