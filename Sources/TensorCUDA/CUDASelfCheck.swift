import Foundation
import Tensor

/// Runs every `Backend` op on the GPU and on the CPU backend with the same random inputs (never
/// zeros) and reports PARITY.md's error metric, max|gpu − cpu| / max(max|cpu|, 1e-6), per op.
/// Used by `i2v-device check-ops` on a GPU host.
public enum CUDASelfCheck {
    public struct Row: Sendable {
        public let op: String
        public let error: Double
        public let bound: Double
        public var passed: Bool { error <= bound && !error.isNaN }
    }

    /// Bounds per storage precision: float32 differs from the CPU only by summation order; half
    /// storage rounds every stored value (relative 2^-11 for fp16, 2^-8 for bf16) and the errors
    /// of a few chained roundings add up.
    public static func bound(_ p: CUDAPrecision) -> Double {
        switch p { case .float32: return 2e-5; case .float16: return 4e-3; case .bfloat16: return 3e-2 }
    }

    public static func run(cuda: CUDABackend, cpu: CPUBackend) -> [Row] {
        var rows = [Row]()
        let bound = bound(cuda.precision)
        var seed: UInt64 = 1
        func rnd(_ shape: [Int], scale: Float = 1) -> [Float] {
            seed += 1
            var s = seed &* 0x9E3779B97F4A7C15 | 1
            return (0..<shape.reduce(1, *)).map { _ in
                s ^= s << 13; s ^= s >> 7; s ^= s << 17
                return (Float(s >> 40) / Float(1 << 24) * 2 - 1) * scale
            }
        }
        /// Evaluates `f` on both backends with the same host inputs and records the error.
        func check(_ name: String, _ shapes: [[Int]], scale: Float = 1, _ f: (any Backend, [Tensor]) -> Tensor) {
            let inputs = shapes.map { rnd($0, scale: scale) }
            let g = cuda.toHost(f(cuda, zip(inputs, shapes).map { cuda.tensor($0, shape: $1) }))
            let c = cpu.toHost(f(cpu, zip(inputs, shapes).map { cpu.tensor($0, shape: $1) }))
            rows.append(Row(op: name, error: relativeError(g, c), bound: bound))
        }
        /// `check` with the GPU side run under `force`d tuning (one path of several); the CPU side
        /// ignores it.
        func check(_ name: String, _ shapes: [[Int]], forcing force: (inout CUDATuning) -> Void, _ f: (any Backend, [Tensor]) -> Tensor) {
            check(name, shapes) { b, t in
                let saved = cuda.tuning
                defer { cuda.tuning = saved }
                force(&cuda.tuning)
                return f(b, t)
            }
        }

        check("linear", [[3, 77, 320], [640, 320], [640]]) { b, t in b.linear(t[0], weight: t[1], bias: t[2]) }
        check("matmul", [[4, 33, 65], [4, 65, 17]]) { b, t in b.matmul(t[0], t[1], transposeB: false) }
        check("matmul ᵀ", [[4, 33, 65], [4, 17, 65]]) { b, t in b.matmul(t[0], t[1], transposeB: true) }
        check("conv2d 3×3", [[2, 32, 24, 20], [48, 32, 3, 3], [48]]) { b, t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: .same(1)) }
        check("conv2d s2", [[1, 16, 17, 18], [16, 16, 3, 3], [16]]) { b, t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 2, padding: .same(1)) }
        check("conv2d vae-down", [[1, 8, 16, 16], [8, 8, 3, 3], [8]]) { b, t in
            b.conv2d(t[0], weight: t[1], bias: t[2], stride: 2, padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1)) }
        check("conv2d 1×1", [[2, 40, 9, 7], [24, 40, 1, 1], [24]]) { b, t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: .same(0)) }
        check("conv2d patch14", [[1, 3, 56, 56], [64, 3, 14, 14]]) { b, t in b.conv2d(t[0], weight: t[1], bias: nil, stride: 14, padding: .same(0)) }
        check("conv2d 3×3 vec", [[3, 32, 16, 24], [40, 32, 3, 3], [40]]) { b, t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: .same(1)) }
        check("conv2d s2 vec", [[2, 16, 32, 32], [24, 16, 3, 3], [24]]) { b, t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 2, padding: .same(1)) }
        check("conv2d vae-down vec", [[1, 8, 32, 32], [8, 8, 3, 3], [8]]) { b, t in
            b.conv2d(t[0], weight: t[1], bias: t[2], stride: 2, padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1)) }
        // The channels-last ResNet ops: GroupNorm+SiLU to rows, the NHWC conv (C ≠ O, 960 input
        // channels as in the up blocks), rows back to maps with a per-sample or shared channel bias
        // and with or without a residual.
        check("groupNormSiLUTokens", [[3, 64, 8, 16], [64], [64]], scale: 2) { b, t in
            b.groupNormSiLUTokens(b.affine(t[0], scale: 1, shift: 3), groups: 32, weight: t[1], bias: t[2], eps: 1e-5) }
        check("conv2dTokens 3×3", [[2, 8 * 16, 32], [48, 32, 3, 3]]) { b, t in b.conv2dTokens(t[0], height: 8, width: 16, weight: t[1]) }
        check("conv2dTokens 960→320", [[2, 64, 960], [320, 960, 3, 3]], scale: 0.5) { b, t in
            b.conv2dTokens(t[0], height: 8, width: 8, weight: t[1]) }
        check("tokensToFeatureMaps per-sample bias", [[3, 8 * 16, 64], [3, 64]]) { b, t in
            b.tokensToFeatureMaps(t[0], height: 8, width: 16, adding: nil, channelBias: t[1]) }
        check("tokensToFeatureMaps residual + bias", [[3, 8 * 16, 64], [3, 64, 8, 16], [64]]) { b, t in
            b.tokensToFeatureMaps(t[0], height: 8, width: 16, adding: t[1], channelBias: t[2]) }
        check("tokensToFeatureMaps residual", [[2, 4 * 6, 16], [2, 16, 4, 6]]) { b, t in
            b.tokensToFeatureMaps(t[0], height: 4, width: 6, adding: t[1], channelBias: nil) }
        // Small maps as one GEMM over every sample (wide columns), forced: stride 1 and 2, two
        // samples per column block would show as a swapped pair.
        for (name, shapes, stride) in [("8×8", [[4, 32, 8, 8], [48, 32, 3, 3]], 1), ("s2", [[3, 16, 16, 16], [24, 16, 3, 3]], 2)] {
            check("conv2d wide GEMM \(name)", shapes, forcing: { $0.convolutionPath = .wideGEMM }) { b, t in
                b.conv2d(t[0], weight: t[1], bias: nil, stride: stride, padding: .same(1))
            }
        }
        // The per-sample im2col + GEMM path forced: aligned rows (one 16-byte load per tap plus a
        // neighbour, interior and edge columns), a 5×5 kernel (offsets ±2 take the element loop).
        for (name, shapes, pad) in [("3×3", [[3, 32, 16, 24], [40, 32, 3, 3]], 1), ("5×5", [[2, 16, 8, 16], [24, 16, 5, 5]], 2)] {
            check("conv2d im2col GEMM \(name)", shapes, forcing: { $0.convolutionPath = .gemm }) { b, t in
                b.conv2d(t[0], weight: t[1], bias: nil, stride: 1, padding: .same(pad))
            }
        }
        // cuDNN's channels-last plan (permuted copies in and out) forced, where cuDNN is installed:
        // a refusal yields NaN, so the row fails.
        for (name, shapes, stride) in [("3×3", [[2, 32, 24, 20], [48, 32, 3, 3]], 1), ("s2", [[2, 16, 32, 32], [24, 16, 3, 3]], 2),
                                       ("odd", [[3, 24, 9, 7], [40, 24, 3, 3]], 1)] where cuda.convolution != nil {
            check("conv2d channels-last \(name)", shapes) { b, t in
                guard let g = b as? CUDABackend, let dnn = g.convolution else {
                    return b.conv2d(t[0], weight: t[1], bias: nil, stride: stride, padding: .same(1))
                }
                let (x, w) = (t[0], t[1])
                let ho = (x.shape[2] + 2 - 3) / stride + 1, wo = (x.shape[3] + 2 - 3) / stride + 1
                let out = g.empty([x.shape[0], w.shape[0], ho, wo])
                let key = CUDAConvolution.Key(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], o: w.shape[0],
                                              kh: 3, kw: 3, stride: stride, padH: 1, padW: 1)
                return g.cudnnChannelsLast(dnn, key, x, weight: w, out: out) ? out : g.full(out.shape, value: .nan)
            }
        }
        check("conv3d temporal", [[2, 32, 5, 6, 7], [32, 32, 3, 1, 1], [32]]) { b, t in b.conv3dTemporal(t[0], weight: t[1], bias: t[2]) }
        // The shifted-GEMM path (cuDNN off), with the 16-byte weight re-layout (C % 8 == 0) and without.
        for (name, shapes) in [("C=32", [[2, 32, 5, 6, 7], [32, 32, 3, 1, 1], [32]]), ("C=12", [[2, 12, 5, 3, 3], [16, 12, 3, 1, 1], [16]])] {
            check("conv3d temporal shifted GEMMs \(name)", shapes, forcing: { $0.cudnnConvolution = false }) { b, t in
                b.conv3dTemporal(t[0], weight: t[1], bias: t[2])
            }
        }
        // Frame-major temporal layers: the UNet's 64²-level shape at 16 frames (here 16×16 pixels),
        // one and two frames (no interior frames), O ≠ C, k = 1 — on the GEMM path (8-aligned
        // pixel rows) and on the permute path (pixel counts that are not multiples of 8); an
        // offset mean for the statistics.
        for (name, shape, frames, outC, k) in [("F=16", [32, 320, 16, 16], 16, 320, 3), ("F=1", [3, 32, 5, 7], 1, 32, 3),
                                               ("F=2", [4, 32, 6, 6], 2, 48, 3), ("odd pixels", [15, 40, 5, 7], 5, 24, 3),
                                               ("k=1", [6, 16, 3, 5], 3, 8, 1), ("F=1 aligned", [3, 32, 4, 2], 1, 32, 3),
                                               ("F=2 aligned", [4, 32, 4, 4], 2, 48, 3), ("F=5 aligned", [15, 40, 4, 6], 5, 24, 3),
                                               ("k=1 aligned", [6, 16, 2, 4], 3, 8, 1), ("C=12 aligned", [4, 12, 4, 4], 2, 8, 3)] {
            check("conv3dTemporalFrames \(name)", [shape, [outC, shape[1], k, 1, 1], [outC]]) { b, t in
                b.conv3dTemporalFrames(t[0], weight: t[1], bias: t[2], frames: frames) }
        }
        // Every frame in one GEMM (gathered tap windows), forced: interior and edge frames, frames
        // shorter than the kernel, k = 1.
        for (name, shape, frames, outC, k) in [("F=16", [32, 320, 16, 16], 16, 320, 3), ("F=2", [4, 32, 4, 4], 2, 48, 3),
                                               ("F=5", [15, 40, 4, 6], 5, 24, 3), ("k=1", [6, 16, 2, 4], 3, 8, 1)] {
            check("conv3dTemporalFrames wide \(name)", [shape, [outC, shape[1], k, 1, 1], [outC]], forcing: { $0.wideTemporal = true }) { b, t in
                b.conv3dTemporalFrames(t[0], weight: t[1], bias: t[2], frames: frames)
            }
        }
        // The [B, C, F, H, W] form as one GEMM per video over gathered windows, forced: frames of
        // 9 pixels (not 8-aligned, F·h·w aligned), k = 1, frames shorter than the kernel.
        for (name, shapes) in [("9 pixels", [[2, 16, 8, 3, 3], [24, 16, 3, 1, 1], [24]]), ("k=1", [[2, 16, 4, 2, 1], [8, 16, 1, 1, 1], [8]]),
                               ("F=1", [[3, 16, 1, 2, 4], [16, 16, 3, 1, 1], [16]])] {
            check("conv3d temporal window GEMMs \(name)", shapes, forcing: { $0.wideTemporal = true }) { b, t in
                b.conv3dTemporal(t[0], weight: t[1], bias: t[2])
            }
        }
        // The last conv of a temporal layer with its residual (bias and residual in one pass; the
        // permute path for unaligned pixel rows).
        for (name, shape, frames) in [("F=16", [32, 320, 16, 16], 16), ("odd pixels", [15, 40, 5, 7], 5)] {
            check("conv3dTemporalFrames adding residual \(name)", [shape, [shape[1], shape[1], 3, 1, 1], [shape[1]], shape]) { b, t in
                b.conv3dTemporalFrames(t[0], weight: t[1], bias: t[2], frames: frames, adding: t[3]) }
        }
        for (name, shape, groups, frames) in [("F=16", [32, 320, 16, 16], 32, 16), ("F=1", [3, 64, 6, 6], 32, 1),
                                              ("F=2", [4, 64, 8, 8], 32, 2), ("odd pixels", [15, 40, 5, 7], 8, 5)] {
            check("groupNormSiLU frames \(name)", [shape, [shape[1]], [shape[1]]], scale: 2) { b, t in
                b.groupNormSiLU(b.affine(t[0], scale: 1, shift: 3), groups: groups, weight: t[1], bias: t[2], eps: 1e-5, frames: frames) }
        }
        // With the preceding convolution's bias folded in (x + b[channel] first): 16-byte statistics
        // within a channel, 16-byte loads that straddle two channels (20-pixel planes), scalar.
        for (name, shape, groups, frames) in [("F=16", [32, 320, 16, 16], 32, 16), ("straddling", [4, 64, 4, 5], 32, 2),
                                              ("odd pixels", [15, 40, 5, 7], 8, 5), ("F=1", [3, 64, 6, 6], 32, 1)] {
            check("groupNormSiLU input bias \(name)", [shape, [shape[1]], [shape[1]], [shape[1]]], scale: 2) { b, t in
                b.groupNormSiLU(b.affine(t[0], scale: 1, shift: 3), inputBias: t[3], groups: groups, weight: t[1], bias: t[2],
                                eps: 1e-5, frames: frames) }
        }
        check("groupNorm 5-D", [[2, 64, 4, 8, 8], [64], [64]], scale: 2) { b, t in b.groupNorm(t[0], groups: 32, weight: t[1], bias: t[2], eps: 1e-6) }
        check("layerNorm", [[300, 320], [320], [320]]) { b, t in b.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5) }
        check("softmax", [[50, 145]], scale: 4) { b, t in b.softmax(t[0]) }
        check("attention short", [[64, 16, 320], [64, 16, 320], [64, 16, 320]]) { b, t in
            b.attention(t[0], t[1], t[2], heads: 5, scale: 0.125, causal: false) }
        check("attention spatial", [[2, 1024, 320], [2, 1024, 320], [2, 1024, 320]]) { b, t in
            b.attention(t[0], t[1], t[2], heads: 5, scale: 0.125, causal: false) }
        check("attention cross", [[2, 512, 320], [2, 145, 320], [2, 145, 320]]) { b, t in
            b.attention(t[0], t[1], t[2], heads: 5, scale: 0.125, causal: false) }
        check("attention causal", [[2, 77, 256], [2, 77, 256], [2, 77, 256]]) { b, t in
            b.attention(t[0], t[1], t[2], heads: 4, scale: 0.125, causal: true) }
        // The project's kernels below, cuDNN's fused attention in its own rows after them.
        let tuningBefore = cuda.tuning
        cuda.tuning.cudnnAttention = false
        // Fused attention (half storage): long sequences, a key count that is not a multiple of the
        // 64-key tile, cross attention with 77 keys, head dim 80, causal over several tiles. Inputs
        // scaled by 2 so the softmax is peaked and a wrong key/value pairing shows.
        check("attention flash 4096", [[1, 4096, 320], [1, 4096, 320], [1, 4096, 320]], scale: 2) { b, t in
            b.attention(t[0], t[1], t[2], heads: 5, scale: 0.125, causal: false) }
        check("attention flash 1000", [[2, 1000, 320], [2, 1000, 320], [2, 1000, 320]], scale: 2) { b, t in
            b.attention(t[0], t[1], t[2], heads: 5, scale: 0.125, causal: false) }
        check("attention flash x77", [[2, 300, 640], [2, 77, 640], [2, 77, 640]], scale: 2) { b, t in
            b.attention(t[0], t[1], t[2], heads: 10, scale: 0.125, causal: false) }
        check("attention flash d80", [[2, 257, 1280], [2, 257, 1280], [2, 257, 1280]], scale: 2) { b, t in
            b.attention(t[0], t[1], t[2], heads: 16, scale: 0.1118034, causal: false) }
        check("attention flash temporal", [[64, 16, 320], [64, 16, 320], [64, 16, 320]], scale: 2) { b, t in
            b.attention(t[0], t[1], t[2], heads: 5, scale: 0.125, causal: false) }
        check("attention flash 8x8", [[4, 64, 1280], [4, 64, 1280], [4, 64, 1280]], scale: 2) { b, t in
            b.attention(t[0], t[1], t[2], heads: 20, scale: 0.125, causal: false) }
        check("attention flash causal", [[2, 200, 256], [2, 200, 256], [2, 200, 256]], scale: 2) { b, t in
            b.attention(t[0], t[1], t[2], heads: 4, scale: 0.125, causal: true) }
        // Every compiled Hopper variant, forced, on the shapes above with head dim 64 (partial
        // query blocks, partial key tiles, 77 keys, causal, short sequences).
        if cuda.ctx.arch == 90 && cuda.precision != .float32 {
            let saved = cuda.tuning
            defer { cuda.tuning = saved }
            for variant in HopperVariant.compiled {
                cuda.tuning.hopperForce = variant
                for (name, shapes, heads, causal) in [("4096", [[1, 4096, 320], [1, 4096, 320], [1, 4096, 320]], 5, false),
                                                      ("1000", [[2, 1000, 320], [2, 1000, 320], [2, 1000, 320]], 5, false),
                                                      ("x77", [[2, 300, 640], [2, 77, 640], [2, 77, 640]], 10, false),
                                                      ("causal", [[2, 200, 256], [2, 200, 256], [2, 200, 256]], 4, true),
                                                      ("temporal", [[64, 16, 320], [64, 16, 320], [64, 16, 320]], 5, false)] {
                    check("attention \(variant) \(name)", shapes, scale: 2) { b, t in
                        b.attention(t[0], t[1], t[2], heads: heads, scale: 0.125, causal: causal) }
                }
            }
        }
        // cuDNN's fused attention (graph API), forced for every key count: long, partial-tile,
        // 77-key, head-dim-80, temporal and 64-token shapes. A shape cuDNN has no engine for falls
        // back to the kernels above (the check-ops report says how many shapes had a plan).
        if cuda.precision != .float32 {
            cuda.tuning = tuningBefore
            cuda.tuning.cudnnAttention = true
            cuda.tuning.cudnnAttentionMinKeys = 1
            for (name, shapes, heads, scale) in [("4096", [[1, 4096, 320], [1, 4096, 320], [1, 4096, 320]], 5, Float(0.125)),
                                                 ("1000", [[2, 1000, 320], [2, 1000, 320], [2, 1000, 320]], 5, 0.125),
                                                 ("x77", [[2, 300, 640], [2, 77, 640], [2, 77, 640]], 10, 0.125),
                                                 ("d80", [[2, 257, 1280], [2, 257, 1280], [2, 257, 1280]], 16, 0.1118034),
                                                 ("temporal", [[64, 16, 320], [64, 16, 320], [64, 16, 320]], 5, 0.125),
                                                 ("8x8", [[4, 64, 1280], [4, 64, 1280], [4, 64, 1280]], 20, 0.125)] {
                check("attention cuDNN fused \(name)", shapes, scale: 2) { b, t in
                    b.attention(t[0], t[1], t[2], heads: heads, scale: scale, causal: false) }
            }
        }
        // Packed self-attention (q | k | v in each row of one projection), on every fused path:
        // the product's choice (cuDNN from 1024 keys), the Hopper and mma.sync kernels forced,
        // the 16-frame temporal shape, and a row width the fused paths refuse (sliced instead).
        if cuda.precision != .float32 {
            var paths: [(String, (inout CUDATuning) -> Void)] = [("auto", { _ in }), ("mma.sync", { $0.cudnnAttention = false; $0.hopperAttention = false })]
            if cuda.ctx.arch == 90 { paths.append(("wgmma", { $0.cudnnAttention = false })) }
            for (pathName, configure) in paths {
                cuda.tuning = tuningBefore
                configure(&cuda.tuning)
                for (name, shape, heads) in [("4096", [1, 4096, 960], 5), ("1000", [2, 1000, 960], 5),
                                             ("temporal", [64, 16, 960], 5), ("8x8", [4, 64, 3840], 20)] {
                    check("attention packed \(name) \(pathName)", [shape], scale: 2) { b, t in
                        b.attention(packed: t[0], heads: heads, scale: 0.125) }
                }
            }
            cuda.tuning = tuningBefore
        }
        check("attention packed unaligned", [[2, 33, 36]], scale: 2) { b, t in b.attention(packed: t[0], heads: 3, scale: 0.5) }
        cuda.tuning = tuningBefore
        check("groupNorm 5-D large", [[2, 320, 4, 32, 32], [320], [320]], scale: 2) { b, t in
            b.groupNorm(t[0], groups: 32, weight: t[1], bias: t[2], eps: 1e-6) }
        check("groupNorm offset mean", [[2, 64, 3, 5, 7], [64], [64]]) { b, t in
            b.groupNorm(b.affine(t[0], scale: 1, shift: 6), groups: 32, weight: t[1], bias: t[2], eps: 1e-6) }
        check("groupNorm+SiLU", [[2, 320, 2, 16, 16], [320], [320]], scale: 2) { b, t in
            b.groupNormSiLU(t[0], groups: 32, weight: t[1], bias: t[2], eps: 1e-6) }
        // Transformer layouts: per-frame and per-video statistics, channel and pixel counts that
        // are not multiples of the 32×32 tiles.
        for (name, shape, groups, frames) in [("spatial", [6, 64, 9, 11], 32, 1), ("temporal", [6, 64, 9, 11], 32, 3),
                                              ("odd", [4, 40, 5, 7], 8, 2), ("large", [4, 320, 32, 32], 32, 2),
                                              ("vec partial tiles", [6, 96, 10, 12], 32, 3), ("vec spatial", [2, 320, 12, 12], 32, 1)] {
            check("groupNormTokens \(name)", [shape, [shape[1]], [shape[1]]], scale: 2) { b, t in
                b.groupNormTokens(b.affine(t[0], scale: 1, shift: 3), groups: groups, weight: t[1], bias: t[2], eps: 1e-6, frames: frames) }
            let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
            let tokens = frames == 1 ? [n, hw, c] : [n / frames * hw, frames, c]
            check("tokensToFeatureMaps \(name)", [tokens, shape]) { b, t in b.tokensToFeatureMaps(t[0], adding: t[1], frames: frames) }
        }
        check("add chan broadcast", [[2, 16, 3, 8, 8], [2, 16, 1, 1, 1]]) { b, t in b.add(t[0], t[1]) }
        check("mul chan broadcast ᵀ", [[16, 1, 1], [2, 16, 4, 8]]) { b, t in b.mul(t[0], t[1]) }
        check("sub same shape", [[4, 1000], [4, 1000]]) { b, t in b.sub(t[0], t[1]) }
        check("linear bias rows", [[5, 64], [48, 64], [48]]) { b, t in b.linear(t[0], weight: t[1], bias: t[2]) }
        check("linear+residual", [[2, 4096, 320], [320, 320], [320], [2, 4096, 320]]) { b, t in
            b.linear(t[0], weight: t[1], bias: t[2], adding: t[3]) }
        check("linear+residual odd", [[3, 77, 40], [24, 40], [24], [3, 77, 24]]) { b, t in
            b.linear(t[0], weight: t[1], bias: t[2], adding: t[3]) }
        check("linear large", [[32768, 320], [2560, 320], [2560]]) { b, t in b.linear(t[0], weight: t[1], bias: t[2]) }
        // The fused GEGLU projection (Hopper, half storage; elsewhere the composed default): every
        // compiled variant forced, rows not a multiple of the 128-row tile, K of 5 and 2 k-tiles
        // (fewer than the stages), without bias; a value/gate swap or a wrong gate column shows.
        // 5000 rows give the resident-weight kernel more work units than blocks, so blocks change
        // column block (reload their weights) mid-range; at K = 640 no variant holds the weights and
        // the forced run falls back to cuBLAS + GEGLU, as does the unforced K = 640 row.
        for v in GEGLUVariant.compiled {
            check("linearGEGLU \(v)", [[2, 300, 320], [2560, 320], [2560]], forcing: { $0.gegluForce = v }) { b, t in
                b.linearGEGLU(t[0], weight: t[1], bias: t[2]) }
            check("linearGEGLU \(v) K=128 no bias", [[130, 128], [1024, 128]], forcing: { $0.gegluForce = v }) { b, t in
                b.linearGEGLU(t[0], weight: t[1], bias: nil) }
            check("linearGEGLU \(v) 5000 rows", [[5000, 320], [2560, 320], [2560]], forcing: { $0.gegluForce = v }) { b, t in
                b.linearGEGLU(t[0], weight: t[1], bias: t[2]) }
            check("linearGEGLU \(v) K=640", [[700, 640], [2560, 640], [2560]], forcing: { $0.gegluForce = v }) { b, t in
                b.linearGEGLU(t[0], weight: t[1], bias: t[2]) }
        }
        check("linearGEGLU measured", [[4096, 640], [5120, 640], [5120]]) { b, t in b.linearGEGLU(t[0], weight: t[1], bias: t[2]) }
        check("slice view + linear", [[6, 64, 64], [32, 64], [32]]) { b, t in
            b.linear(b.slice(t[0], axis: 0, range: 2..<5), weight: t[1], bias: t[2]) }
        for op in [UnaryOp.silu, .gelu, .quickGelu, .exp, .sigmoid] {
            check("unary \(op)", [[4, 1000]], scale: 3) { b, t in b.unary(op, t[0]) }
        }
        check("geglu", [[7, 640]], scale: 3) { b, t in b.geglu(t[0]) }
        check("add broadcast", [[2, 3, 4, 5], [3, 1, 5]]) { b, t in b.add(t[0], t[1]) }
        check("mul broadcast", [[2, 3, 4, 5], [2, 3, 1, 1]]) { b, t in b.mul(t[0], t[1]) }
        check("axpby", [[1000], [1000]]) { b, t in b.axpby(0.7, t[0], -1.3, t[1], constant: 0.25) }
        check("affine+clamp", [[1000]], scale: 3) { b, t in b.clamp(b.affine(t[0], scale: 0.5, shift: 0.5), min: 0, max: 1) }
        check("permute", [[2, 3, 4, 5, 6]]) { b, t in b.permute(t[0], [0, 3, 4, 2, 1]) }
        check("permute rows vec", [[2, 3, 4, 8, 8]]) { b, t in b.permute(t[0], [0, 2, 1, 3, 4]) }
        check("permute transpose", [[2, 40, 3, 50]]) { b, t in b.permute(t[0], [0, 2, 3, 1]) }
        check("permute temporal", [[2, 3, 20, 5, 7]]) { b, t in b.permute(t[0], [0, 3, 4, 1, 2]) }
        check("permute back", [[2, 5, 7, 3, 20]]) { b, t in b.permute(t[0], [0, 3, 4, 1, 2]) }
        check("layerNorm warp", [[300, 640], [640], [640]], scale: 2) { b, t in b.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5) }
        check("layerNorm warp plain", [[33, 1280]], scale: 2) { b, t in b.layerNorm(b.affine(t[0], scale: 1, shift: 3), weight: nil, bias: nil, eps: 1e-5) }
        check("geglu vec", [[9, 2560]], scale: 3) { b, t in b.geglu(t[0]) }
        check("concat vec", [[2, 8, 16], [2, 24, 16]]) { b, t in b.concat([t[0], t[1]], axis: 1) }
        check("slice vec", [[2, 16, 8]]) { b, t in b.slice(t[0], axis: 1, range: 8..<16) }
        check("upsample2x vec", [[2, 3, 5, 8]]) { b, t in b.upsampleNearest2x(t[0]) }
        check("layerNorm warp 1280", [[40, 1280], [1280], [1280]], scale: 2) { b, t in b.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5) }
        check("concat", [[2, 3, 4], [2, 5, 4]]) { b, t in b.concat([t[0], t[1]], axis: 1) }
        check("slice", [[2, 7, 4]]) { b, t in b.slice(t[0], axis: 1, range: 2..<5) }
        check("upsample2x", [[2, 3, 5, 6]]) { b, t in b.upsampleNearest2x(t[0]) }
        check("adaptiveAvgPool", [[2, 4, 11, 13]]) { b, t in b.adaptiveAvgPool2d(t[0], outH: 4, outW: 5) }
        check("embedding", [[50, 16]]) { b, t in b.embedding([3, 0, 49, 7], table: t[0]) }
        return rows
    }

    static func relativeError(_ a: [Float], _ ref: [Float]) -> Double {
        guard a.count == ref.count, !ref.isEmpty else { return .infinity }
        var worst = 0.0, scale = 1e-6
        for i in 0..<a.count {
            if a[i].isNaN || !a[i].isFinite { return .nan }
            worst = max(worst, abs(Double(a[i]) - Double(ref[i])))
            scale = max(scale, abs(Double(ref[i])))
        }
        return worst / scale
    }
}
