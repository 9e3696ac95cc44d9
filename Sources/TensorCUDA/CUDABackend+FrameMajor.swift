import Tensor

// The temporal layers on frame-major feature maps [B·F, C, h, w] (sample b·F + f): no permutes to
// [B, C, F, h, w] and back, no zero fill, no accumulating (β = 1) GEMM passes.
extension CUDABackend {
    /// Frame-major unless a frame's pixel rows are not 16-byte multiples (h·w % 8 ≠ 0, e.g. 20×11
    /// at 1280×704's deepest level): there the frame-major GEMMs lose cuBLAS's vectorised kernels
    /// and GroupNorm its 16-byte pass, while [B, C, F, H, W] rows of F·h·w keep both.
    public func prefersFrameMajorTemporal(pixels: Int) -> Bool {
        tuning.frameMajorTemporal && pixels % 8 == 0 && pixels >= tuning.frameMajorMinPixels
    }

    /// Frames f − pad … f + pad of a video are adjacent [C, h·w] blocks, one (k·C × h·w) matrix
    /// with leading dimension h·w, so output frame f is one GEMM
    ///   out[b·F + f] (O × h·w) = Wcat[:, t0·C ..< t1·C] · x[b·F + f − pad + t0 ..< b·F + f − pad + t1]
    /// with Wcat[o, t·C + c] = w[o, c, t] (`tconv_wcat`) and [t0, t1) the taps that reach a frame.
    /// Each video's interior frames (all k taps) are one strided-batched GEMM over f; each edge
    /// frame is one strided-batched GEMM over the videos with its subset of taps. Every GEMM
    /// writes its own output frames with β = 0; the bias follows in one pass.
    /// Frames the layout rule above does not take frame-major (H200: the step's temporal GEMMs ran
    /// at 406 TFLOP/s at 1280×704 with 20×11 frames against 509 at 512²) take the permute path,
    /// whose shifted GEMMs see rows of F·h·w.
    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int) -> Tensor {
        guard let out = frameGEMMs(x, weight: weight, frames: frames) else {
            return composedConv3dTemporalFrames(x, weight: weight, bias: bias, frames: frames)
        }
        if let bias { addBias(out, bias, channels: out.shape[1], inner: out.shape[2] * out.shape[3]) }
        return out
    }

    /// The convolution's bias and the residual in one pass after the GEMMs (`bias_residual_vec`).
    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int, adding residual: Tensor) -> Tensor {
        guard let out = frameGEMMs(x, weight: weight, frames: frames) else {
            return add(residual, composedConv3dTemporalFrames(x, weight: weight, bias: bias, frames: frames))
        }
        precondition(residual.shape == out.shape, "conv3dTemporalFrames: residual \(residual.shape) for output \(out.shape)")
        let (o, hw) = (out.shape[1], out.shape[2] * out.shape[3])
        if let bias, tuning.vectorized, hw % 8 == 0, vectorizable(out.count, out, residual) {
            run("bias_residual_vec", count: out.count / 8, [.ptr(addr(out)), .ptr(addr(residual)), .ptr(addr(bias)), .i64(out.count),
                                                             .i64(o), .i64(hw)])
            return out
        }
        if let bias { addBias(out, bias, channels: o, inner: hw) }
        return add(residual, out)
    }

    /// The frame-major GEMMs without bias, or nil where the layout rule sends the shape to the
    /// permute path.
    private func frameGEMMs(_ x: Tensor, weight: Tensor, frames: Int) -> Tensor? {
        precondition(x.rank == 4 && weight.rank == 5 && weight.shape[3] == 1 && weight.shape[4] == 1 && weight.shape[1] == x.shape[1]
                      && frames > 0 && x.shape[0] % frames == 0,
                      "conv3dTemporalFrames: input \(x.shape), weight \(weight.shape), \(frames) frames")
        guard prefersFrameMajorTemporal(pixels: x.shape[2] * x.shape[3]) else { return nil }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = weight.shape[0], k = weight.shape[2], hw = h * w, kc = k * c, videos = n / frames
        let out = empty([n, o, h, w])
        if out.count == 0 { return out }
        let es = UInt64(elementSize)
        let wcat = empty([o, kc])
        relayoutTemporalWeight(weight, into: wcat, tapMajor: false)
        let window = TemporalTaps(kernel: k, frames: frames)
        /// Output samples first, first + step, … (`batch` of them), all with the same taps.
        func gemms(first: Int, step: Int, batch: Int, taps: Range<Int>) {
            let firstInput = first - window.pad + taps.lowerBound
            gemm(transB: false, m: o, n: hw, k: taps.count * c, a: addr(wcat) + UInt64(taps.lowerBound * c) * es, lda: kc,
                 b: addr(x) + UInt64(firstInput * c * hw) * es, ldb: hw, beta: 0,
                 c: addr(out) + UInt64(first * o * hw) * es, ldc: hw,
                 batch: batch, strideA: 0, strideB: step * c * hw, strideC: step * o * hw, caller: "conv3dTemporalFrames")
        }
        let perFrame = { () -> Bool in
            let interior = window.interior
            if !interior.isEmpty {
                for b in 0..<videos { gemms(first: b * frames + interior.lowerBound, step: 1, batch: interior.count, taps: 0..<k) }
            }
            for f in window.edges { gemms(first: f, step: frames, batch: videos, taps: window.taps(frame: f)) }
            return true
        }
        // Small frames: per-frame GEMMs have only h·w columns; one GEMM over every frame may be
        // faster (measured per shape).
        if hw <= 1024 && hw % 8 == 0 && tuning.vectorized && tuning.wideTemporal != false {
            let wide = { self.wideTemporalGEMM(x, wcat: wcat, out: out, frames: frames, kernel: k) }
            if tuning.wideTemporal == true { return wide() ? out : nil }
            let key = CUDAConvolution.Key(n: n, c: c, h: frames, w: hw, o: o, kh: k, kw: 1, stride: 1, padH: window.pad, padW: 0)
            fastestOf(ConvolutionChoice(op: .conv3dTemporalFrames, shape: key), [wide, perFrame])
        } else {
            _ = perFrame()
        }
        return out
    }

    /// All frames as one GEMM: the k-tap windows of every frame gathered into columns
    /// [k·C, N·h·w] (`tconv_columns`, zeros for taps beyond a video's ends), Wcat · columns →
    /// [O, N·h·w], permuted into `out` [N, O, h·w].
    private func wideTemporalGEMM(_ x: Tensor, wcat: Tensor, out: Tensor, frames: Int, kernel k: Int) -> Bool {
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let cols = empty([k * c, n * hw])
        run("tconv_columns", count: k * c * n * hw / 8, [.ptr(addr(x)), .ptr(addr(cols)), .i64(n), .i64(c), .i64(hw), .i32(frames), .i32(k)])
        gemmOverSamples(weight: wcat, columns: cols, into: out, caller: "conv3dTemporalFrames wide")
        return true
    }

    /// A (k,1,1) temporal conv weight [O, C, k, 1, 1] re-laid for GEMMs that read one tap at a time:
    /// Wcat [O, k·C] (`tapMajor` false, Wcat[o, t·C + c] = w[o, c, t]) or taps [k, O, C] (true).
    func relayoutTemporalWeight(_ weight: Tensor, into dst: Tensor, tapMajor: Bool) {
        let (o, c, k) = (weight.shape[0], weight.shape[1], weight.shape[2])
        precondition(o * c * k < Int(UInt32.max), "temporal conv weight \(weight.shape) beyond 32-bit indexing")
        if tuning.vectorized && c % 8 == 0 && addr(dst) % 16 == 0 {
            let (strideO, strideT) = tapMajor ? (c, o * c) : (k * c, c)
            run("tconv_relayout_vec", count: o * c / 8, [.ptr(addr(weight)), .ptr(addr(dst)), .i64(o), .i64(c), .i32(k),
                                                         .i64(strideO), .i64(strideT)])
        } else {
            run(tapMajor ? "tconv_taps" : "tconv_wcat", count: o * c * k, [.ptr(addr(weight)), .ptr(addr(dst)), .i64(o), .i64(c), .i64(k)])
        }
    }

    /// GroupNorm+SiLU with statistics per video over its F frames, read in place (`coefficients`
    /// with `frames`), then one normalising pass that maps each plane to its video's row. An input
    /// bias costs no pass of its own: the statistics pass adds it, the coefficients absorb it.
    public func groupNormSiLU(_ x: Tensor, inputBias: Tensor?, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        precondition(x.rank == 4 && frames > 0 && x.shape[0] % frames == 0 && groups > 0 && x.shape[1] % groups == 0
                      && (inputBias?.count ?? x.shape[1]) == x.shape[1],
                     "groupNormSiLU: \(x.shape) with \(frames) frames, \(groups) groups, input bias \(inputBias?.shape ?? [])")
        guard tuning.frameMajorTemporal, tuning.splitGroupNorm else {
            return composedGroupNormSiLU(withChannelBias(x, inputBias), groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
        }
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let out = empty(x.shape)
        if x.count == 0 { return out }
        let coef = coefficients(x, samples: n / frames, frames: frames, channels: c, spatial: hw, groups: groups,
                                weight: weight, bias: bias, eps: eps, inputBias: inputBias)
        applyCoefficients(x, out, coef, channels: c, spatial: hw, frames: frames, silu: true)
        return out
    }
}
