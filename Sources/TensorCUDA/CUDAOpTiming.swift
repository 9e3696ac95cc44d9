import Foundation
import Tensor

/// Times the UNet's hot ops at 512×512×16 frames with CFG (latent 64×64, batch 2), old path
/// against new path on the same random inputs (never zeros), with CUDA events around each call:
/// median of `repeats` after `warmup` calls. Each row also reports how far the new path's output
/// is from the old path's, max|new − old| / max|old|, so a fast wrong kernel cannot pass unseen.
/// Used by `i2v-device time-ops`.
public enum CUDAOpTiming {
    public struct Row: Sendable {
        public let op: String
        public let path: String
        public let milliseconds: Double
        /// Work rate: TFLOP/s for attention, GB/s (bytes read + written) for bandwidth-bound ops.
        public let rate: Double
        public let rateUnit: String
        /// max|out − baseline| / max|baseline| against the row's baseline path (0 for the baseline).
        public let deviation: Double
    }

    /// Median milliseconds of `body` over `repeats` timed calls after `warmup` untimed ones.
    static func time(_ cuda: CUDABackend, warmup: Int, repeats: Int, _ body: () -> Void) throws -> Double {
        let d = cuda.ctx.driver
        var start: OpaquePointer?, stop: OpaquePointer?
        try d.check(d.cuEventCreate(&start, 0), "cuEventCreate")
        try d.check(d.cuEventCreate(&stop, 0), "cuEventCreate")
        defer { _ = d.cuEventDestroy(start); _ = d.cuEventDestroy(stop) }
        for _ in 0..<warmup { body() }
        try cuda.synchronize()
        var samples = [Double]()
        for _ in 0..<repeats {
            try d.check(d.cuEventRecord(start, nil), "cuEventRecord")
            body()
            try d.check(d.cuEventRecord(stop, nil), "cuEventRecord")
            try d.check(d.cuEventSynchronize(stop), "cuEventSynchronize")
            var ms: Float = 0
            try d.check(d.cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime")
            samples.append(Double(ms))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    static func random(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var s = seed &* 0x9E3779B97F4A7C15 | 1
        return (0..<count).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return (Float(s >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    static func deviation(_ a: [Float], _ ref: [Float]) -> Double {
        CUDASelfCheck.relativeError(a, ref)
    }

    /// One op timed under several tunings; the first is the baseline.
    static func compare(_ cuda: CUDABackend, op: String, paths: [(String, (inout CUDATuning) -> Void)],
                        warmup: Int, repeats: Int, rate: (Double) -> (Double, String), _ body: @escaping () -> Tensor) throws -> [Row] {
        let saved = cuda.tuning
        defer { cuda.tuning = saved }
        return try compare(cuda, op: op, bodies: paths.map { name, configure in
            var t = saved
            configure(&t)
            return (name, { cuda.tuning = t; return body() })
        }, warmup: warmup, repeats: repeats, rate: rate)
    }

    /// Several implementations of one computation timed on the same inputs; the first is the baseline.
    static func compare(_ cuda: CUDABackend, op: String, bodies: [(String, () -> Tensor)],
                        warmup: Int, repeats: Int, rate: (Double) -> (Double, String)) throws -> [Row] {
        var rows = [Row]()
        if let only = onlyOps, !op.contains(only) { return rows }
        var baseline: [Float]?
        for (name, body) in bodies {
            let out = cuda.toHost(body())
            let dev = baseline.map { deviation(out, $0) } ?? 0
            if baseline == nil { baseline = out }
            let ms = try time(cuda, warmup: warmup, repeats: repeats) { _ = body() }
            let (r, unit) = rate(ms)
            rows.append(Row(op: op, path: name, milliseconds: ms, rate: r, rateUnit: unit, deviation: dev))
        }
        return rows
    }

    /// Times only the ops whose name contains this (`time-ops --only`); nil times every op.
    nonisolated(unsafe) public static var onlyOps: String?

    public static func run(cuda: CUDABackend, warmup: Int = 3, repeats: Int = 20, log: (String) -> Void = { _ in }) throws -> [Row] {
        var rows = [Row]()
        var seed: UInt64 = 100
        func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
            seed += 1
            return cuda.tensor(random(shape.reduce(1, *), seed: seed, scale: scale), shape: shape)
        }
        let es = Double(cuda.precision.dtype.byteSize)
        // Every path but "auto" (the product's choice) and "cuDNN fused" keeps cuDNN's attention off.
        func forced(_ name: String, _ v: FlashVariant) -> (String, (inout CUDATuning) -> Void) {
            (name, { $0.flashForce = v; $0.hopperAttention = false; $0.cudnnAttention = false })
        }
        let hopper: [(String, (inout CUDATuning) -> Void)] = cuda.ctx.arch == 90
            ? HopperVariant.compiled.map { v in ("\(v)", { $0.hopperForce = v; $0.cudnnAttention = false }) } : []
        let cudnn: [(String, (inout CUDATuning) -> Void)] = [("cuDNN fused", { $0.cudnnAttention = true; $0.cudnnAttentionMinKeys = 1 }),
                                                             ("auto", { _ in })]
        let flash = [("flash auto", { (t: inout CUDATuning) in t.flashForce = nil; t.hopperAttention = false; t.cudnnAttention = false }),
                     forced("flash 4w×64k", FlashVariant(headDim: 64, warps: 4)), forced("flash 8w×64k", FlashVariant(headDim: 64, warps: 8)),
                     forced("flash 4w×32r×64k", FlashVariant(headDim: 64, warps: 4, rowGroups: 2)),
                     forced("flash 8w×32r×64k", FlashVariant(headDim: 64, warps: 8, rowGroups: 2))]
        let shortFlash = [forced("flash 1w×16k", FlashVariant(headDim: 64, warps: 1, keyTile: 16))]
        // Attention shapes of one UNet step at 512²×16, CFG: [B·F, tokens, channels] / heads.
        let attentionCases: [(String, [Int], Int, Int, String)] = [
            ("spatial 64² (4096 tok)", [32, 4096, 320], 4096, 5, "blocked GEMM"),
            ("spatial 96² (9216 tok, 768²)", [16, 9216, 320], 9216, 5, "blocked GEMM"),
            ("spatial 160×88 (14080 tok, 1280×704)", [8, 14080, 320], 14080, 5, "blocked GEMM"),
            ("cross 64² (77 keys)", [32, 4096, 320], 77, 5, "blocked GEMM"),
            ("spatial 32² (1024 tok)", [32, 1024, 640], 1024, 10, "blocked GEMM"),
            ("spatial 16² (256 tok)", [32, 256, 1280], 256, 20, "blocked GEMM"),
            ("spatial 8² (64 tok)", [32, 64, 1280], 64, 20, "small kernel"),
            ("temporal 64² (16 fr)", [8192, 16, 320], 16, 5, "small kernel"),
            ("temporal 96² (24 fr, 768²)", [18432, 24, 320], 24, 5, "small kernel"),
        ]
        for (name, qShape, lk, heads, oldName) in attentionCases {
            let q = tensor(qShape), k = tensor([qShape[0], lk, qShape[2]]), v = tensor([qShape[0], lk, qShape[2]])
            let d = qShape[2] / heads
            let flops = 4.0 * Double(qShape[0] * heads * qShape[1] * lk * d)
            var paths: [(String, (inout CUDATuning) -> Void)] = [(oldName, { $0.flashAttention = false; $0.cudnnAttention = false })]
            if cuda.precision != .float32 { paths += flash + (lk <= 64 ? shortFlash : []) + hopper + cudnn }
            rows += try compare(cuda, op: "attention \(name)", paths: paths, warmup: warmup, repeats: repeats,
                                rate: { (flops / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
                cuda.attention(q, k, v, heads: heads, scale: 1 / Float(d).squareRoot(), causal: false)
            }
            log("timed attention \(name)" + (cuda.fusedAttention?.lastFailure.map { " (cuDNN fused attention: \($0))" } ?? ""))
        }
        // GroupNorm (+SiLU) of the largest 5-D activation.
        let xShape = [2, 320, 16, 64, 64]
        let x = tensor(xShape, scale: 2), w = tensor([320]), bias = tensor([320])
        let count = Double(xShape.reduce(1, *))
        let gnPaths: [(String, (inout CUDATuning) -> Void)] = [("one block/group", { $0.splitGroupNorm = false; $0.vectorized = false }),
                                                                 ("split", { $0.splitGroupNorm = true })]
        rows += try compare(cuda, op: "groupNorm [2,320,16,64,64]", paths: gnPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) {
            cuda.groupNorm(x, groups: 32, weight: w, bias: bias, eps: 1e-6)
        }
        rows += try compare(cuda, op: "groupNorm+SiLU", paths: gnPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) {
            cuda.groupNormSiLU(x, groups: 32, weight: w, bias: bias, eps: 1e-6)
        }
        let fusedPaths: [(String, (inout CUDATuning) -> Void)] = [("GN + permute", { $0.fusedTokens = false }), ("fused", { $0.fusedTokens = true })]
        let maps = x.reshaped([32, 320, 64, 64])
        for frames in [1, 16] {
            rows += try compare(cuda, op: "groupNormTokens [32,320,64,64] F=\(frames)", paths: fusedPaths, warmup: warmup, repeats: repeats,
                                rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) {
                cuda.groupNormTokens(maps, groups: 32, weight: w, bias: bias, eps: 1e-6, frames: frames)
            }
            let tokens = tensor(frames == 1 ? [32, 4096, 320] : [2 * 4096, 16, 320])
            rows += try compare(cuda, op: "tokensToFeatureMaps F=\(frames)", paths: fusedPaths, warmup: warmup, repeats: repeats,
                                rate: { (3 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) {
                cuda.tokensToFeatureMaps(tokens, adding: maps, frames: frames)
            }
        }
        log("timed groupNorm")
        // Pointwise: residual add, per-channel broadcast add (time embedding), SiLU.
        let y = tensor(xShape), chan = tensor([2, 320, 1, 1, 1])
        let vecPaths: [(String, (inout CUDATuning) -> Void)] = [("generic", { $0.vectorized = false }), ("16-byte", { $0.vectorized = true })]
        rows += try compare(cuda, op: "add same shape", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (3 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.add(x, y) }
        rows += try compare(cuda, op: "add channel bcast", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.add(x, chan) }
        rows += try compare(cuda, op: "silu", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.silu(x) }
        rows += try compare(cuda, op: "permute C↔F [2,320,16,64,64]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.permute(x, [0, 2, 1, 3, 4]) }
        rows += try compare(cuda, op: "permute to tokens [32,320,4096]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.permute(x.reshaped([32, 320, 64, 64]), [0, 2, 3, 1]) }
        rows += try compare(cuda, op: "permute temporal [2,16,320,64,64]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.permute(x, [0, 3, 4, 2, 1]) }
        let tok = x.reshaped([131072, 320]), lw = tensor([320]), lb = tensor([320])
        rows += try compare(cuda, op: "layerNorm [131072,320]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.layerNorm(tok, weight: lw, bias: lb, eps: 1e-5) }
        let ff = tensor([32768, 2560])
        rows += try compare(cuda, op: "geglu [32768,2560]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (1.5 * 32768 * 2560 * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.geglu(ff) }
        // The feed-forward's GEGLU projection: cuBLAS (bias epilogue) + the GEGLU pass against the
        // fused Hopper kernel's variants, at the UNet's shapes (512²×16 levels 0 and 1, 1280×704
        // level 0 in a 112,640-row quarter), FLOPs of the projection.
        var gegluPaths: [(String, (inout CUDATuning) -> Void)] = [("cuBLAS + geglu", { $0.fusedGEGLU = false }), ("auto", { _ in })]
        gegluPaths += GEGLUVariant.compiled.map { v in ("\(v)", { $0.gegluForce = v }) }
        for (tokens, dim) in [(131072, 320), (32768, 640), (112640, 320)] {
            let xi = tensor([tokens, dim]), wi = tensor([8 * dim, dim], scale: 0.05), bi = tensor([8 * dim])
            rows += try compare(cuda, op: "linearGEGLU [\(tokens),\(dim)]→\(4 * dim)", paths: gegluPaths, warmup: warmup, repeats: repeats,
                                rate: { (2.0 * Double(tokens) * Double(8 * dim * dim) / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
                cuda.linearGEGLU(xi, weight: wi, bias: bi)
            }
        }
        let skip = tensor([2, 640, 16, 64, 64])
        rows += try compare(cuda, op: "concat channels →[2,960,16,64,64]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * 3 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.concat([x, skip], axis: 1) }
        let low = tensor([32, 640, 32, 32])
        rows += try compare(cuda, op: "upsample2x [32,640,32,32]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2.5 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) { cuda.upsampleNearest2x(low) }
        log("timed pointwise")
        // Where the rest of a step goes (one path each, for planning): the 3×3 conv as im2col + GEMM,
        // the temporal conv as shifted GEMMs, a linear projection.
        let current: [(String, (inout CUDATuning) -> Void)] = [("current", { _ in })]
        let img = tensor([32, 320, 64, 64]), w3 = tensor([320, 320, 3, 3], scale: 0.05), b3 = tensor([320])
        rows += try compare(cuda, op: "conv2d 3×3 [32,320,64,64]", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2.0 * 32 * 320 * 2880 * 4096 / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
            cuda.conv2d(img, weight: w3, bias: b3, stride: 1, padding: .same(1))
        }
        // The UNet's 3×3 convolutions at 512²×16 with CFG, by each path (the product times the
        // three per shape on first use and keeps the fastest).
        let convPaths: [(String, (inout CUDATuning) -> Void)] = ConvolutionPath.allCases.map { path in
            ("\(path)", { $0.convolutionPath = path })
        }
        for (c, o, side) in [(320, 320, 64), (960, 320, 64), (640, 640, 32), (1280, 1280, 16), (2560, 1280, 8)] {
            let xi = tensor([32, c, side, side]), wi = tensor([o, c, 3, 3], scale: 0.02)
            rows += try compare(cuda, op: "conv2d 3×3 [32,\(c),\(side),\(side)]→\(o)", paths: convPaths, warmup: warmup, repeats: repeats,
                                rate: { (2.0 * 32 * Double(o * c * 9 * side * side) / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
                cuda.conv2d(xi, weight: wi, bias: nil, stride: 1, padding: .same(1))
            }
        }
        rows += try compare(cuda, op: "  of which im2col_vec (755 MB out)", paths: current, warmup: warmup, repeats: repeats,
                            rate: { (2.0 * 32 * 2880 * 4096 * es / ($0 * 1e-3) / 1e9, "GB/s") }) {
            cuda.im2colVec(img, kh: 3, kw: 3, stride: 1, padding: .same(1), samples: 0..<32)
        }
        let w3s = tensor([640, 320, 3, 3], scale: 0.05), b640 = tensor([640])
        rows += try compare(cuda, op: "conv2d 3×3 s2 [32,320,64,64]→640", paths: vecPaths, warmup: warmup, repeats: repeats,
                            rate: { (2.0 * 32 * 640 * 2880 * 1024 / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
            cuda.conv2d(img, weight: w3s, bias: b640, stride: 2, padding: .same(1))
        }
        let wt = tensor([320, 320, 3, 1, 1], scale: 0.05)
        rows += try compare(cuda, op: "conv3dTemporal [2,320,16,64,64]", paths: current, warmup: warmup, repeats: repeats,
                            rate: { (2.0 * 3 * 320 * 320 * 2 * 16 * 4096 / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
            cuda.conv3dTemporal(x, weight: wt, bias: b3)
        }
        // The temporal convolution layer at 512²×16 with CFG: the frame-major ops against the
        // permute + 5-D op + permute path (as the composed defaults, and as the whole layer of four
        // GroupNorm+SiLU → conv stages plus the residual, old code against new).
        let framePaths: [(String, (inout CUDATuning) -> Void)] = [("permute + 5-D op", { $0.frameMajorTemporal = false }),
                                                                  ("frame-major", { $0.frameMajorTemporal = true })]
        let tconvFlops = 2.0 * 3 * 320 * 320 * 32 * 4096
        rows += try compare(cuda, op: "tconv frames [32,320,64,64] F=16", paths: framePaths, warmup: warmup, repeats: repeats,
                            rate: { (tconvFlops / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
            cuda.conv3dTemporalFrames(maps, weight: wt, bias: b3, frames: 16)
        }
        rows += try compare(cuda, op: "GN+SiLU frames [32,320,64,64] F=16", paths: framePaths, warmup: warmup, repeats: repeats,
                            rate: { (2 * count * es / ($0 * 1e-3) / 1e9, "GB/s") }) {
            cuda.groupNormSiLU(maps, groups: 32, weight: w, bias: bias, eps: 1e-5, frames: 16)
        }
        // The whole layer at each UNet level (512²×16 with CFG), old path against new.
        for (ch, side) in [(320, 64), (640, 32), (1280, 16), (1280, 8)] {
            let lmaps = tensor([32, ch, side, side], scale: 2), lw = tensor([ch]), lb = tensor([ch])
            let lwt = tensor([ch, ch, 3, 1, 1], scale: 0.02)
            let oldLayer = { () -> Tensor in
                let identity = cuda.permute(lmaps.reshaped([2, 16, ch, side, side]), [0, 2, 1, 3, 4])
                var t = identity
                for _ in 0..<4 { t = cuda.conv3dTemporal(cuda.groupNormSiLU(t, groups: 32, weight: lw, bias: lb, eps: 1e-5), weight: lwt, bias: lb) }
                return cuda.permute(cuda.add(identity, t), [0, 2, 1, 3, 4]).reshaped([32, ch, side, side])
            }
            let newLayer = { () -> Tensor in
                var t = lmaps, pending: Tensor? = nil
                for stage in 0..<4 {
                    t = cuda.conv3dTemporalFrames(cuda.groupNormSiLU(t, inputBias: pending, groups: 32, weight: lw, bias: lb, eps: 1e-5, frames: 16),
                                                  weight: lwt, bias: stage == 3 ? lb : nil, frames: 16)
                    pending = lb
                }
                return cuda.add(lmaps, t)
            }
            let flops = 4 * 2.0 * 3 * Double(ch * ch) * 32 * Double(side * side)
            rows += try compare(cuda, op: "TemporalConvLayer [32,\(ch),\(side),\(side)]",
                                bodies: [("permute + 5-D ops", oldLayer), ("frame-major", newLayer)],
                                warmup: warmup, repeats: repeats, rate: { (flops / ($0 * 1e-3) / 1e12, "TFLOP/s") })
        }
        log("timed temporal conv layer")
        let tokens = tensor([32, 4096, 320]), wl = tensor([320, 320], scale: 0.05)
        rows += try compare(cuda, op: "linear [131072,320]x320", paths: current, warmup: warmup, repeats: repeats,
                            rate: { (2.0 * 131072 * 320 * 320 / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
            cuda.linear(tokens, weight: wl, bias: b3)
        }
        // Self-attention's q/k/v: three projections + attention against one stacked projection
        // whose output the packed attention reads in place (4096 tokens: cuDNN in both).
        let wq = tensor([320, 320], scale: 0.05), wk = tensor([320, 320], scale: 0.05), wv = tensor([320, 320], scale: 0.05)
        let wqkv = cuda.concat([wq, wk, wv], axis: 0)
        var packed = false
        let packedPaths: [(String, (inout CUDATuning) -> Void)] = [("separate q/k/v", { _ in packed = false }), ("packed q|k|v", { _ in packed = true })]
        rows += try compare(cuda, op: "self-attention q/k/v + attention 4096 tok", paths: packedPaths, warmup: warmup, repeats: repeats,
                            rate: { (4.0 * 32 * 4096 * 4096 * 320 / ($0 * 1e-3) / 1e12, "TFLOP/s") }) {
            if packed {
                return cuda.attention(packed: cuda.linear(tokens, weight: wqkv, bias: nil), heads: 5, scale: 0.125)
            }
            return cuda.attention(cuda.linear(tokens, weight: wq, bias: nil), cuda.linear(tokens, weight: wk, bias: nil),
                                  cuda.linear(tokens, weight: wv, bias: nil), heads: 5, scale: 0.125, causal: false)
        }
        log("timed conv/linear")
        return rows
    }
}
