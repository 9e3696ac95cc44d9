import Tensor

// Backend ops on the GPU. Same algorithms as the CPU backend (im2col + GEMM convolution, k
// shifted GEMMs for the temporal conv, blocked attention), so the two can be compared op by op.
extension CUDABackend {
    /// Largest im2col column buffer (bytes) a convolution materialises.
    static let convColumnBudget = 1 << 30

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let inF = weight.shape[1], outF = weight.shape[0]
        precondition(weight.rank == 2 && x.dim(-1) == inF, "linear: input \(x.shape), weight \(weight.shape)")
        let rows = x.count / inF
        let out = empty(Array(x.shape.dropLast()) + [outF])
        if fusedLinear(x, weight: weight, bias: bias, residual: nil, out: out, rows: rows) { return out }
        gemm(transB: true, m: rows, n: outF, k: inF, a: addr(x), lda: inF, b: addr(weight), ldb: inF, beta: 0, c: addr(out), ldc: outF)
        if let bias { addBias(out, bias, channels: outF, inner: 1) }
        return out
    }

    /// x·Wᵀ + b + residual: one cuBLASLt call (bias epilogue, residual as C with β = 1) when it
    /// applies; otherwise a GEMM accumulating onto a copy of the residual, then the bias.
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, adding residual: Tensor) -> Tensor {
        let inF = weight.shape[1], outF = weight.shape[0]
        precondition(weight.rank == 2 && x.dim(-1) == inF, "linear: input \(x.shape), weight \(weight.shape)")
        let rows = x.count / inF
        precondition(residual.count == rows * outF, "linear: residual \(residual.shape) for \(rows)×\(outF) outputs")
        let out = empty(Array(x.shape.dropLast()) + [outF])
        if fusedLinear(x, weight: weight, bias: bias, residual: residual, out: out, rows: rows) { return out }
        copyRows(residual, out, rows: 1, cols: out.count, xStride: 0, yStride: 0, xOff: 0, yOff: 0)
        gemm(transB: true, m: rows, n: outF, k: inF, a: addr(x), lda: inF, b: addr(weight), ldb: inF, beta: 1, c: addr(out), ldc: outF)
        if let bias { addBias(out, bias, channels: outF, inner: 1) }
        return out
    }

    /// The cuBLASLt path of `linear`; false when it does not apply (tuning off, misaligned, no algorithm).
    func fusedLinear(_ x: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor?, out: Tensor, rows: Int) -> Bool {
        guard tuning.fusedLinear, let lt = ltMatmul else { return false }
        ctx.ensureCurrent()
        let outF = weight.shape[0], inF = weight.shape[1]
        let (px, pw, pb, pr, po) = (addr(x), addr(weight), bias.map { addr($0) }, residual.map { addr($0) }, addr(out))
        let key = CUDALtMatmul.Key(rows: rows, outF: outF, inF: inF, bias: bias != nil, residual: residual != nil)
        guard CUDALtMatmul.aligned(px, pw, pb ?? 0, pr ?? 0, po) else { return false }
        let count = lt.candidates(key)
        guard count > 0 else { return false }
        let run = { (candidate: Int) in
            lt.linear(rows: rows, outF: outF, inF: inF, x: px, weight: pw, bias: pb, residual: pr, out: po, candidate: candidate)
        }
        return ctx.profiled("cublasLt linear" + (bias == nil ? "" : "+bias") + (residual == nil ? "" : "+residual"),
                            flops: 2 * Double(rows) * Double(outF) * Double(inF)) {
            guard count > 1, tuning.timeLinearAlgorithms else { return run(0) }
            // The heuristic's algorithms, timed once per shape on these operands; the fastest runs.
            fastestOf(key, (0..<count).map { i in { run(i) } })
            return true
        }
    }

    func cudnnConvolution(_ dnn: CUDAConvolution, _ x: Tensor, weight: Tensor, out: Tensor, stride: Int, padding: Padding2D) -> Bool {
        let key = CUDAConvolution.Key(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], o: weight.shape[0],
                                      kh: weight.shape[2], kw: weight.shape[3], stride: stride, padH: padding.top, padW: padding.left)
        return cudnnForward(dnn, key, x, weight: weight, out: out, label: "cudnn conv2d \(key.kh)×\(key.kw)")
    }

    /// `key` describes x and weight as a 4-D NCHW convolution (a temporal conv is one over [B, C, F, H·W]).
    func cudnnForward(_ dnn: CUDAConvolution, _ key: CUDAConvolution.Key, _ x: Tensor, weight: Tensor, out: Tensor, label: String) -> Bool {
        ctx.ensureCurrent()
        return ctx.profiled(label, flops: 2 * Double(out.count) * Double(key.c * key.kh * key.kw)) {
            dnn.forward(key, x: addr(x), weight: addr(weight), y: addr(out)) { bytes in
                (try? self.deviceBuffer(bytes: bytes)).map { ($0.address, $0) }
            }
        }
    }

    func addBias(_ y: Tensor, _ bias: Tensor, channels: Int, inner: Int) {
        if inner % 8 == 0 && vectorizable(y.count, y) {
            run("bias_add_vec", count: y.count / 8, [.ptr(addr(y)), .ptr(addr(bias)), .i64(y.count), .i64(channels), .i64(inner)])
        } else if inner == 1 && channels % 8 == 0 && vectorizable(y.count, y, bias) {
            run("bias_rows_vec", count: y.count / 8, [.ptr(addr(y)), .ptr(addr(bias)), .i64(y.count), .i64(channels)])
        } else {
            run("bias_add", count: y.count, [.ptr(addr(y)), .ptr(addr(bias)), .i64(y.count), .i64(channels), .i64(inner)])
        }
    }

    public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> Tensor {
        let batch = a.shape[0], m = a.shape[1], k = a.shape[2]
        let n = transposeB ? b.shape[1] : b.shape[2]
        let out = empty([batch, m, n])
        gemm(transB: transposeB, m: m, n: n, k: k, a: addr(a), lda: k, b: addr(b), ldb: transposeB ? k : n, beta: 0,
             c: addr(out), ldc: n, batch: batch, strideA: m * k, strideB: k * n, strideC: m * n)
        return out
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Padding2D) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        precondition(weight.shape[1] == c, "conv2d: input \(x.shape), weight \(weight.shape)")
        let ho = (h + padding.top + padding.bottom - kh) / stride + 1
        let wo = (w + padding.left + padding.right - kw) / stride + 1
        let out = empty([n, o, ho, wo]), hw = ho * wo
        if kh > 1 || kw > 1, tuning.cudnnConvolution, padding.top == padding.bottom, padding.left == padding.right,
           let dnn = convolution {
            let key = CUDAConvolution.Key(n: n, c: c, h: h, w: w, o: o, kh: kh, kw: kw, stride: stride, padH: padding.top, padW: padding.left)
            // In ConvolutionPath's order.
            let paths: [() -> Bool] = [
                { self.cudnnForward(dnn, key, x, weight: weight, out: out, label: "cudnn conv2d \(kh)×\(kw)") },
                { self.tuning.channelsLastConvolution && self.cudnnChannelsLast(dnn, key, x, weight: weight, out: out) },
                { hw <= 1024 && self.wideIm2colConv(x, weight: weight, out: out, stride: stride, padding: padding) },
                { self.im2colConv(x, weight: weight, out: out, stride: stride, padding: padding); return true },
            ]
            if let forced = tuning.convolutionPath {
                if !paths[forced.rawValue]() { _ = paths[paths.count - 1]() }
            } else {
                fastestOf(ConvolutionChoice(op: .conv2d, shape: key), paths)
            }
        } else {
            im2colConv(x, weight: weight, out: out, stride: stride, padding: padding)
        }
        if let bias { addBias(out, bias, channels: o, inner: ho * wo) }
        return out
    }

    /// Runs the fastest of `paths` for `key`. Every path writes the same output; one returns false
    /// when it cannot take the case, and the last always runs. When a shape is first seen each path
    /// is timed on the real operands (2 warm-ups, median of 5 runs) and the choice is kept; a chosen path
    /// that later refuses hands the shape to the last path for good.
    func fastestOf(_ key: AnyHashable, _ paths: [() -> Bool]) {
        precondition(!paths.isEmpty, "fastestOf: no path")
        if let chosen = pathChoice[key] {
            if paths[chosen]() { return }
            pathChoice[key] = paths.count - 1
            _ = paths[paths.count - 1]()
            return
        }
        do {
            var best: (index: Int, ms: Double)?
            for (i, path) in paths.enumerated() {
                var ran = true
                let ms = try CUDAOpTiming.time(self, warmup: 2, repeats: 5) { if !path() { ran = false } }
                if ran, ms < (best?.ms ?? .infinity) { best = (i, ms) }
            }
            let chosen = best?.index ?? paths.count - 1
            pathChoice[key] = chosen
            // Leave the chosen path's result in the output (the paths round differently).
            if !paths[chosen]() { pathChoice[key] = paths.count - 1; _ = paths[paths.count - 1]() }
        } catch {
            fatalError("\(error)")
        }
    }

    /// The convolution on channels-last copies, the layout cuDNN's tensor-core kernels read
    /// natively: x → [N, H, W, C] and the weight → [O, kh, kw, C] (permutes), cuDNN's NHWC plan,
    /// and the result permuted back into `out` (NCHW). False when cuDNN has no plan for the shape.
    func cudnnChannelsLast(_ dnn: CUDAConvolution, _ key: CUDAConvolution.Key, _ x: Tensor, weight: Tensor, out: Tensor) -> Bool {
        let yT = empty([out.shape[0], out.shape[2], out.shape[3], out.shape[1]])
        guard cudnnNHWC(dnn, key, permute(x, [0, 2, 3, 1]), weight: weight, out: yT,
                        label: "cudnn conv2d \(key.kh)×\(key.kw) channels-last") else { return false }
        permute(yT, [0, 3, 1, 2], into: out)
        return true
    }

    /// cuDNN's NHWC plan for `key` on channels-last x and y; the weight, stored [O, C, kh, kw] as
    /// the NCHW paths read it, is permuted to [O, kh, kw, C] per call.
    func cudnnNHWC(_ dnn: CUDAConvolution, _ key: CUDAConvolution.Key, _ x: Tensor, weight: Tensor, out: Tensor, label: String) -> Bool {
        cudnnForward(dnn, key.channelsLast, x, weight: permute(weight, [0, 2, 3, 1]), out: out, label: label)
    }

    /// Convolution as im2col + GEMM into `out` (no bias).
    func im2colConv(_ x: Tensor, weight: Tensor, out: Tensor, stride: Int, padding: Padding2D) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let (ho, wo) = (out.shape[2], out.shape[3])
        let hw = ho * wo, kdim = c * kh * kw
        let es = elementSize
        if kh == 1 && kw == 1 && stride == 1 && padding == .same(0) {
            gemm(transB: false, m: o, n: hw, k: c, a: addr(weight), lda: c, b: addr(x), ldb: h * w, beta: 0, c: addr(out), ldc: hw,
                 batch: n, strideA: 0, strideB: c * h * w, strideC: o * hw)
        } else if wo % 8 == 0 && kdim * hw * es <= Self.convColumnBudget && tuning.vectorized {
            // As many samples per im2col + strided-batched GEMM as the column budget holds; the
            // column buffer is written 16 bytes at a time (im2col_vec).
            let per = min(n, Self.convColumnBudget / (kdim * hw * es))
            var s0 = 0
            while s0 < n {
                let ns = min(per, n - s0)
                let col = im2colVec(x, kh: kh, kw: kw, stride: stride, padding: padding, samples: s0..<(s0 + ns))
                gemm(transB: false, m: o, n: hw, k: kdim, a: addr(weight), lda: kdim, b: addr(col), ldb: hw, beta: 0,
                     c: addr(out) + UInt64(s0 * o * hw * es), ldc: hw, batch: ns, strideA: 0, strideB: kdim * hw, strideC: o * hw)
                s0 += ns
            }
        } else if n * kdim * hw * es <= Self.convColumnBudget {
            // Whole batch at once: one im2col launch and one strided-batched GEMM.
            let col = empty([n * kdim * hw])
            run("im2col_batched", count: n * kdim * hw, [.ptr(addr(x)), .ptr(addr(col)), .i64(n), .i64(c), .i64(h), .i64(w),
                                                         .i32(kh), .i32(kw), .i32(stride), .i32(padding.top), .i32(padding.left),
                                                         .i64(ho), .i64(wo)])
            gemm(transB: false, m: o, n: hw, k: kdim, a: addr(weight), lda: kdim, b: addr(col), ldb: hw, beta: 0, c: addr(out), ldc: hw,
                 batch: n, strideA: 0, strideB: kdim * hw, strideC: o * hw)
        } else {
            let rowsPerBlock = max(1, min(ho, Self.convColumnBudget / max(1, kdim * wo * es)))
            let col = empty([kdim * rowsPerBlock * wo])
            for s in 0..<n {
                var r0 = 0
                while r0 < ho {
                    let rows = min(rowsPerBlock, ho - r0)
                    run("im2col", count: kdim * rows * wo, [.ptr(addr(x) + UInt64(s * c * h * w * es)), .ptr(addr(col)), .i64(c), .i64(h), .i64(w),
                                                            .i32(kh), .i32(kw), .i32(stride), .i32(padding.top), .i32(padding.left),
                                                            .i64(wo), .i64(r0), .i64(rows)])
                    gemm(transB: false, m: o, n: rows * wo, k: kdim, a: addr(weight), lda: kdim, b: addr(col), ldb: rows * wo,
                         beta: 0, c: addr(out) + UInt64((s * o * hw + r0 * wo) * es), ldc: hw)
                    r0 += rows
                }
            }
        }
    }

    /// Column matrix of x [N, C, H, W] for the given samples (Wo % 8 == 0): [ns, C·kh·kw, Ho·Wo]
    /// (one GEMM per sample), or with `wide` [C·kh·kw, ns·Ho·Wo] (one GEMM over all of them).
    func im2colVec(_ x: Tensor, kh: Int, kw: Int, stride: Int, padding: Padding2D, samples: Range<Int>, wide: Bool = false) -> Tensor {
        let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let ho = (h + padding.top + padding.bottom - kh) / stride + 1
        let wo = (w + padding.left + padding.right - kw) / stride + 1
        let ns = samples.count, kdim = c * kh * kw
        let col = empty(wide ? [kdim, ns * ho * wo] : [ns, kdim, ho * wo])
        let base = addr(x) + UInt64(samples.lowerBound * c * h * w * elementSize)
        let rowsAligned = stride == 1 && w % 8 == 0 && base % 16 == 0
        run("im2col_vec", count: ns * kdim * ho * wo / 8,
            [.ptr(base), .ptr(addr(col)), .i32(ns), .i32(c), .i32(h), .i32(w),
             .i32(kh), .i32(kw), .i32(stride), .i32(padding.top), .i32(padding.left), .i32(wo), .i32(0), .i32(ho), .i32(wide ? 1 : 0),
             .i32(rowsAligned ? 1 : 0)])
        return col
    }

    /// Convolution of a small map as one GEMM over every sample: wide columns [kdim, ns·hw], then
    /// W [O, kdim] · columns → [O, ns·hw], permuted into `out` [ns, O, hw]. A per-sample GEMM
    /// over 8×8 or 16×16 maps has only 64–256 columns, too few for full tensor-core tiles. False
    /// where the 16-byte im2col does not apply (hw % 8 ≠ 0) or the columns exceed the budget.
    func wideIm2colConv(_ x: Tensor, weight: Tensor, out: Tensor, stride: Int, padding: Padding2D) -> Bool {
        let (n, c, kh, kw) = (x.shape[0], x.shape[1], weight.shape[2], weight.shape[3])
        let (ho, wo) = (out.shape[2], out.shape[3])
        let hw = ho * wo, kdim = c * kh * kw, es = elementSize
        guard tuning.vectorized, wo % 8 == 0, n * kdim * hw * es <= Self.convColumnBudget else { return false }
        let col = im2colVec(x, kh: kh, kw: kw, stride: stride, padding: padding, samples: 0..<n, wide: true)
        gemmOverSamples(weight: weight, columns: col, into: out)
        return true
    }

    /// out [N, O, …] (N·hw pixels per channel in all) = weight [O, K] · columns [K, N·hw]: one GEMM
    /// into [O, N·hw], then a permute to sample-major. The "wide" convolution forms end here.
    func gemmOverSamples(weight: Tensor, columns: Tensor, into out: Tensor, caller: String = #function) {
        let (n, o, k) = (out.shape[0], out.shape[1], weight.count / out.shape[1])
        let hw = out.count / (n * o)
        precondition(columns.count == k * n * hw, "gemmOverSamples: columns \(columns.shape) for weight \(weight.shape), output \(out.shape)")
        let wide = empty([o, n, hw])
        gemm(transB: false, m: o, n: n * hw, k: k, a: addr(weight), lda: k, b: addr(columns), ldb: n * hw, beta: 0,
             c: addr(wide), ldc: n * hw, caller: caller)
        permute(wide, [1, 0, 2], into: out.reshaped([n, o, hw]))
    }

    public func conv3dTemporal(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let (b, c, f, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let o = weight.shape[0], k = weight.shape[2], pad = (k - 1) / 2, hw = h * w
        let out = empty([b, o, f, h, w])
        if tuning.cudnnConvolution, k % 2 == 1, let dnn = convolution {
            // The (k,1,1) kernel over [B, C, F, H, W] is a (k,1) 2-D convolution over [B, C, F, H·W]:
            // cuDNN does it as one implicit GEMM; k shifted GEMMs may still be faster (measured).
            let key = CUDAConvolution.Key(n: b, c: c, h: f, w: hw, o: o, kh: k, kw: 1, stride: 1, padH: pad, padW: 0)
            let paths: [() -> Bool] = [
                { self.cudnnForward(dnn, key, x, weight: weight, out: out, label: "cudnn conv3d temporal") },
                { self.tuning.wideTemporal != false && self.windowGEMMs(x, weight: weight, out: out) },
                { self.shiftedGEMMs(x, weight: weight, out: out); return true },
            ]
            // CUDATuning.wideTemporal == true forces the window GEMMs (checks).
            if tuning.wideTemporal != true || !paths[1]() { fastestOf(ConvolutionChoice(op: .conv3dTemporal, shape: key), paths) }
        } else {
            shiftedGEMMs(x, weight: weight, out: out)
        }
        if let bias { addBias(out, bias, channels: o, inner: f * hw) }
        return out
    }

    /// The temporal convolution as one GEMM per video over gathered tap windows, into `out` (no
    /// bias): columns [k·C, F·h·w] with row t·C + c = x[c] shifted by (t − pad) frames, zeros past
    /// the video's ends (`tconv_columns_5d`), then Wcat [O, k·C] · columns. Where a frame's h·w is
    /// not a multiple of 8 (20×11 at 1280×704's deepest level) the shifted GEMMs below start at
    /// misaligned addresses, while F·h·w may still be aligned; false when it is not.
    func windowGEMMs(_ x: Tensor, weight: Tensor, out: Tensor) -> Bool {
        let (b, c, f, hw) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3] * x.shape[4])
        let o = weight.shape[0], k = weight.shape[2], fhw = f * hw
        guard tuning.vectorized, fhw % 8 == 0, b * k * c * fhw < Int(UInt32.max) else { return false }
        let wcat = empty([o, k * c])
        relayoutTemporalWeight(weight, into: wcat, tapMajor: false)
        let cols = empty([b, k * c, fhw])
        run("tconv_columns_5d", count: cols.count / 8, [.ptr(addr(x)), .ptr(addr(cols)), .i64(cols.count), .i64(c), .i64(fhw), .i64(hw), .i32(k)])
        gemm(transB: false, m: o, n: fhw, k: k * c, a: addr(wcat), lda: k * c, b: addr(cols), ldb: fhw, beta: 0,
             c: addr(out), ldc: fhw, batch: b, strideA: 0, strideB: k * c * fhw, strideC: o * fhw)
        return true
    }

    /// The temporal convolution as k strided-batched GEMMs, one per tap, into `out` (no bias).
    func shiftedGEMMs(_ x: Tensor, weight: Tensor, out: Tensor) {
        let (b, c, f, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let o = weight.shape[0], k = weight.shape[2], pad = (k - 1) / 2, hw = h * w
        let es = elementSize
        let taps = empty([k, o, c])
        relayoutTemporalWeight(weight, into: taps, tapMajor: true)
        // The centre tap covers every frame, so it initialises the output (beta 0, no zero fill);
        // the shifted taps accumulate over the frames they reach.
        let centre = k % 2 == 1 ? pad : -1
        if centre < 0 { run("fill", count: out.count, [.ptr(addr(out)), .f32(0), .i64(out.count)]) }
        for t in ([centre] + (0..<k).filter { $0 != centre }) where t >= 0 {
            let f0 = max(0, pad - t), f1 = min(f, f + pad - t)
            if f1 <= f0 { continue }
            gemm(transB: false, m: o, n: (f1 - f0) * hw, k: c, a: addr(taps) + UInt64(t * o * c * es), lda: c,
                 b: addr(x) + UInt64((f0 + t - pad) * hw * es), ldb: f * hw, beta: t == centre ? 0 : 1,
                 c: addr(out) + UInt64(f0 * hw * es), ldc: f * hw,
                 batch: b, strideA: 0, strideB: c * f * hw, strideC: o * f * hw)
        }
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let d = x.dim(-1), rows = x.count / max(d, 1)
        let out = empty(x.shape)
        let affine = weight != nil && bias != nil
        if d % 8 == 0 && d <= 2048 && vectorizable(x.count, x, out) && (!affine || vectorizable(d, weight!, bias!)) {
            // One warp per row, the row in registers.
            runBlocks(d <= 512 ? "layer_norm_warp2" : d <= 1024 ? "layer_norm_warp4" : "layer_norm_warp8", grid: (rows + 7) / 8, block: 256,
                      [.ptr(addr(x)), .ptr(addr(out)), .ptr(affine ? addr(weight!) : 0), .ptr(affine ? addr(bias!) : 0),
                       .i64(rows), .i32(d), .f32(eps), .i32(affine ? 1 : 0)])
            return out
        }
        runBlocks("layer_norm", grid: rows, block: d >= 1024 ? 256 : 128,
                  [.ptr(addr(x)), .ptr(addr(out)), .ptr(affine ? addr(weight!) : 0), .ptr(affine ? addr(bias!) : 0),
                   .i64(d), .f32(eps), .i32(affine ? 1 : 0)])
        return out
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let d = x.dim(-1), rows = x.count / max(d, 1)
        let out = empty(x.shape)
        runBlocks("softmax_t", grid: rows, block: 128, [.ptr(addr(x)), .ptr(addr(out)), .i64(d)])
        return out
    }
}
