import Foundation
import Tensor

// Attention on the GPU. Five paths, chosen per call:
// - half storage, at least `CUDATuning.cudnnAttentionMinKeys` keys, not causal: cuDNN's fused
//   attention through its graph API (CUDAFusedAttention.swift) where cuDNN 9 has an engine for the
//   shape and it measured faster than the project's kernel for it (timed once per shape; on an
//   H200: 525–536 TFLOP/s from 4096 tokens, against 375–391 for the kernel below);
// - Hopper (sm_90), half storage, head dim 64, more than 64 keys: the warpgroup-MMA kernel
//   (HopperAttentionKernels.swift);
// - half storage, equal head dims in {64, 80}, aligned rows: the fused tensor-core kernel
//   (FlashAttentionKernels.swift), scores never in global memory, for every sequence length (it
//   beats the small-sequence kernel even at Lk = 16);
// - Lk ≤ 64 otherwise: one block per (sequence, head) with K and V in shared memory;
// - anything else (float32 storage, other head dims): blocked GEMM → softmax → GEMM with float32
//   scores bounded by `attentionBudgetBytes`.
extension CUDABackend {
    public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor {
        let (lq, qd) = (q.shape[1], q.shape[2])
        let lk = k.shape[1], vd = v.shape[2], d = qd / heads, dv = vd / heads
        if let variant = flashVariant(q, k, v, heads: heads) {
            return attentionFusedPaths(PackedOperands(q, k, v, addr: addr), heads: heads, headDim: d, scale: scale, causal: causal, variant: variant)
        }
        if lk <= 64 && d <= 128 && dv <= 128 && lq > 0 {
            return smallAttention(q, k, v, heads: heads, scale: scale, causal: causal)
        }
        return blockedAttention(q, k, v, heads: heads, scale: scale, causal: causal)
    }

    /// Self-attention over q | k | v packed along the last axis, as one projection with stacked
    /// weights writes them: the fused paths read the three from their place in each row (input
    /// row stride 3·H·D), so no slice is copied. Shapes the fused paths do not take are sliced and
    /// go through `attention`.
    public func attention(packed qkv: Tensor, heads: Int, scale: Float) -> Tensor {
        precondition(qkv.rank == 3 && qkv.shape[2] % 3 == 0 && heads > 0, "packed attention: \(qkv.shape) with \(heads) heads")
        let (b, l, inner) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        let d = inner / heads
        guard tuning.flashAttention, precision != .float32, l > 0, inner % heads == 0, inner % 8 == 0,
              l < Int(Int32.max), addr(qkv) % 16 == 0,
              let variant = FlashVariant.choose(headDim: d, lq: l, lk: l, forced: tuning.flashForce) else {
            return composedPackedAttention(qkv, heads: heads, scale: scale)
        }
        let operands = PackedOperands(packed: qkv, batch: b, length: l, inner: inner, elementSize: elementSize, addr: addr)
        return attentionFusedPaths(operands, heads: heads, headDim: d, scale: scale, causal: false, variant: variant)
    }

    /// The fused paths: cuDNN's (from `cudnnAttentionMinKeys` keys, not causal) and the project's
    /// kernel for the shape (the Hopper warpgroup-MMA kernel for head dim 64, else the mma.sync
    /// kernel `variant`). Where both take a shape, the faster is measured once per shape
    /// (`fastestOf`); a forced path or forced cuDNN keeps the fixed order cuDNN, Hopper, mma.sync.
    func attentionFusedPaths(_ operands: PackedOperands, heads: Int, headDim d: Int, scale: Float, causal: Bool, variant: FlashVariant) -> Tensor {
        let out = empty([operands.batch, operands.lq, heads * d])
        let cudnnTakes = useCuDNNAttention && !causal && operands.lk >= tuning.cudnnAttentionMinKeys
        let cudnn = { self.cudnnAttention(operands, heads: heads, headDim: d, scale: scale, into: out) }
        let kernel: () -> Bool
        if let hopper = hopperVariant(headDim: d, lk: operands.lk) {
            kernel = { self.hopperAttention(operands, heads: heads, scale: scale, causal: causal, variant: hopper, into: out); return true }
        } else {
            kernel = { self.flashAttention(operands, heads: heads, scale: scale, causal: causal, variant: variant, into: out); return true }
        }
        let forcedKernel = tuning.hopperForce != nil || tuning.flashForce != nil
        if !cudnnTakes || forcedKernel || tuning.cudnnAttention == true {
            if cudnnTakes && !forcedKernel && cudnn() { return out }
            _ = kernel()
            return out
        }
        let key = AttentionChoice(batch: operands.batch, heads: heads, lq: operands.lq, lk: operands.lk, headDim: d, ldIn: operands.ldIn)
        fastestOf(key, [cudnn, kernel])
        return withExtendedLifetime(operands) { out }
    }

    /// cuDNN's fused attention is tried where switched on, by default on Hopper and newer GPUs
    /// (where it was measured faster; on older ones the project's kernels stay unless forced).
    public var useCuDNNAttention: Bool { tuning.cudnnAttention ?? (ctx.arch >= 90) }

    /// The fused kernel variant for these operands, or nil when the fused path does not apply.
    func flashVariant(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int) -> FlashVariant? {
        guard tuning.flashAttention, precision != .float32, heads > 0 else { return nil }
        let (b, lq, qd) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1], d = qd / heads
        guard k.shape[2] == qd, v.shape[2] == qd, v.shape[1] == lk, k.shape[0] == b, v.shape[0] == b else { return nil }
        guard lk > 0, lq > 0, qd % heads == 0, qd % 8 == 0, lq < Int(Int32.max), lk < Int(Int32.max) else { return nil }
        guard [addr(q), addr(k), addr(v)].allSatisfy({ $0 % 16 == 0 }) else { return nil }
        return FlashVariant.choose(headDim: d, lq: lq, lk: lk, forced: tuning.flashForce)
    }

    /// The mma.sync kernel. `operands` are q, k, v device addresses with input row stride `ldIn`
    /// (elements); out [b, lq, heads·D].
    func flashAttention(_ operands: PackedOperands, heads: Int, scale: Float, causal: Bool, variant: FlashVariant, into out: Tensor) {
        let (b, lq) = (operands.batch, operands.lq)
        let rowsPerBlock = 16 * variant.warps * variant.rowGroups
        let qBlocks = (lq + rowsPerBlock - 1) / rowsPerBlock
        runBlocks(variant.kernelName, grid: b * heads * qBlocks, block: 32 * variant.warps,
                  [.ptr(operands.q), .ptr(operands.k), .ptr(operands.v), .ptr(addr(out)), .i32(heads), .i32(lq), .i32(operands.lk),
                   .i64(operands.ldIn), .f32(scale * 1.4426950408889634), .i32(causal ? 1 : 0)])
        withExtendedLifetime(operands) {}
    }

    /// The warpgroup-MMA variant for operands the fused path accepts, or nil (not a Hopper GPU,
    /// head dim ≠ 64, short key sequences, or switched off).
    func hopperVariant(headDim d: Int, lk: Int) -> HopperVariant? {
        guard tuning.hopperAttention, ctx.arch == 90, d == 64 else { return nil }
        if let forced = tuning.hopperForce, HopperVariant.compiled.contains(forced) { return forced }
        return lk > 64 ? tuning.hopperDefault : nil
    }

    func hopperAttention(_ operands: PackedOperands, heads: Int, scale: Float, causal: Bool, variant: HopperVariant, into out: Tensor) {
        let (b, lq) = (operands.batch, operands.lq)
        let qBlocks = (lq + variant.rows - 1) / variant.rows
        runBlocks(variant.kernelName, grid: b * heads * qBlocks, block: 128 * variant.warpgroups, sharedBytes: variant.sharedBytes,
                  module: .hopper,
                  [.ptr(operands.q), .ptr(operands.k), .ptr(operands.v), .ptr(addr(out)), .i32(heads), .i32(lq), .i32(operands.lk),
                   .i64(operands.ldIn), .f32(scale * 1.4426950408889634), .i32(causal ? 1 : 0)])
        withExtendedLifetime(operands) {}
    }

    /// cuDNN's fused attention: plans built, forms, and the last failure (benchmarks print it).
    public var fusedAttentionReport: String {
        fusedAttention?.report ?? "unavailable (cuDNN 9 not loaded, or float32 storage)"
    }

    /// cuDNN's fused attention (`CUDAFusedAttention`) into `out`; false when it has no plan for the shape.
    func cudnnAttention(_ operands: PackedOperands, heads: Int, headDim d: Int, scale: Float, into out: Tensor) -> Bool {
        ctx.ensureCurrent()  // the cuDNN handle binds to the current context when first created
        guard let fused = fusedAttention else { return false }
        let (b, lq, lk) = (operands.batch, operands.lq, operands.lk)
        let key = CUDAFusedAttention.Key(b: b, heads: heads, lq: lq, lk: lk, d: d, ldIn: operands.ldIn)
        var workspace: CUDABuffer?
        let scratch = { (bytes: Int) -> UInt64 in
            workspace = self.scratchF32(max(1, (bytes + 3) / 4))
            return workspace!.address
        }
        if fused.needsTiming(key, scale: scale) {
            // Several engine configurations: time each once on these operands, keep the fastest first.
            fused.order(key, scale: scale) { plan in
                var failed = false
                let ms = try? CUDAOpTiming.time(self, warmup: 2, repeats: 5) {
                    do { try fused.run(plan, q: operands.q, k: operands.k, v: operands.v, o: self.addr(out), workspace: scratch) } catch { failed = true }
                }
                return failed ? nil : ms
            }
        }
        let ran = ctx.profiled("cudnn fused attention", flops: 4 * Double(b * heads * lq * lk * d)) {
            fused.run(key, scale: scale, q: operands.q, k: operands.k, v: operands.v, o: addr(out), workspace: scratch)
        }
        withExtendedLifetime((workspace, operands)) {}
        return ran
    }

    /// Lk ≤ 64 (temporal attention): one block per (sequence, head), K and V in shared memory.
    func smallAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor {
        let (b, lq, qd) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1], vd = v.shape[2], d = qd / heads, dv = vd / heads
        let out = empty([b, lq, vd])
        let warps = 4
        let shared = (lk * d + lk * dv + warps * lk) * 4
        runBlocks("attention_small", grid: b * heads, block: warps * 32, sharedBytes: shared,
                  [.ptr(addr(q)), .ptr(addr(k)), .ptr(addr(v)), .ptr(addr(out)), .i64(heads), .i64(lq), .i64(lk),
                   .i64(d), .i64(dv), .f32(scale), .i32(causal ? 1 : 0)])
        return out
    }

    /// Blocked path: scores for all heads of a query block, [heads, nq, lk] float32.
    func blockedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor {
        let (b, lq, qd) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1], vd = v.shape[2], d = qd / heads, dv = vd / heads
        let out = empty([b, lq, vd])
        let es = elementSize
        let nqMax = max(1, min(lq, attentionBudgetBytes / max(1, heads * lk * 4)))
        let scores = scratchF32(heads * nqMax * lk)
        let probs = precision == .float32 ? nil : empty([heads * nqMax * lk])
        for bi in 0..<b {
            var q0 = 0
            while q0 < lq {
                let nq = min(nqMax, lq - q0)
                gemm(transB: true, m: nq, n: lk, k: d, alpha: scale, a: addr(q) + UInt64((bi * lq + q0) * qd * es), lda: qd,
                     b: addr(k) + UInt64(bi * lk * qd * es), ldb: qd, beta: 0, c: scores.address, ldc: lk,
                     batch: heads, strideA: d, strideB: d, strideC: nq * lk, cType: CuBLAS.r32F)
                runBlocks("softmax_rows", grid: heads * nq, block: 128, [.ptr(scores.address), .i64(lk), .i64(nq), .i64(q0), .i32(causal ? 1 : 0)])
                var p = scores.address
                if let probs {
                    run("cast_from_f32", count: heads * nq * lk, [.ptr(scores.address), .ptr(addr(probs)), .i64(heads * nq * lk)])
                    p = addr(probs)
                }
                gemm(transB: false, m: nq, n: dv, k: lk, a: p, lda: lk, b: addr(v) + UInt64(bi * lk * vd * es), ldb: vd, beta: 0,
                     c: addr(out) + UInt64((bi * lq + q0) * vd * es), ldc: vd, batch: heads, strideA: nq * lk, strideB: dv, strideC: dv)
                q0 += nq
            }
        }
        return out
    }
}

/// One compiled shape of the fused attention kernel: head dim `headDim`, `warps` warps per block,
/// each owning 16·`rowGroups` query rows, key tiles of `keyTile` keys.
public struct FlashVariant: Sendable, Equatable, CustomStringConvertible {
    public var headDim: Int
    public var warps: Int
    public var rowGroups: Int
    public var keyTile: Int
    public init(headDim: Int, warps: Int, rowGroups: Int = 1, keyTile: Int = 64) {
        self.headDim = headDim; self.warps = warps; self.rowGroups = rowGroups; self.keyTile = keyTile
    }
    var kernelName: String { "flash_attn_d\(headDim)_w\(warps)_r\(rowGroups)_k\(keyTile)" }
    public var description: String { "\(warps)w×\(16 * rowGroups)r×\(keyTile)k" }

    /// The variants compiled into the half-precision modules (FLASH_ENTRY lines).
    static let compiled: [FlashVariant] = [
        FlashVariant(headDim: 64, warps: 4), FlashVariant(headDim: 64, warps: 8), FlashVariant(headDim: 64, warps: 1, keyTile: 16),
        FlashVariant(headDim: 64, warps: 4, rowGroups: 2), FlashVariant(headDim: 64, warps: 8, rowGroups: 2),
        FlashVariant(headDim: 80, warps: 4), FlashVariant(headDim: 80, warps: 1, keyTile: 16),
    ]

    /// Measured on an H100 and an H200 (docs/cuda-perf-notes.md): 16-key tiles and one warp per
    /// block for the temporal attention (Lk ≤ 32: 16 frames 0.11 ms, 24 frames 0.40 ms against 0.73
    /// with 64-key tiles), 8 warps for long sequences, 4 otherwise. nil for other head dims.
    static func choose(headDim d: Int, lq: Int, lk: Int, forced: FlashVariant?) -> FlashVariant? {
        if let forced, forced.headDim == d, compiled.contains(forced) { return forced }
        guard d == 64 || d == 80 else { return nil }
        if lk <= 32 { return FlashVariant(headDim: d, warps: 1, keyTile: 16) }
        if d == 64 && lq >= 2048 { return FlashVariant(headDim: d, warps: 8) }
        return FlashVariant(headDim: d, warps: 4)
    }
}

/// One compiled shape of the Hopper attention kernel: `warpgroups` × 64 query rows per block,
/// key tiles of `keyTile` keys (head dim 64).
public struct HopperVariant: Sendable, Equatable, CustomStringConvertible {
    public var warpgroups: Int
    public var keyTile: Int
    public init(warpgroups: Int, keyTile: Int) { self.warpgroups = warpgroups; self.keyTile = keyTile }
    var rows: Int { 64 * warpgroups }
    var kernelName: String { "hopper_attn_w\(warpgroups)_k\(keyTile)" }
    /// Two stages of a K and a V tile (128 bytes per key each) plus 1 KiB to align them to 1 KiB.
    var sharedBytes: Int { 4 * keyTile * 128 + 1024 }
    public var description: String { "wgmma \(warpgroups)wg×\(keyTile)k" }

    /// The variants compiled into the Hopper module (HOPPER_ENTRY lines): the default and the
    /// runner-up of the H200 measurements (128-key tiles and three warpgroups measured slower,
    /// docs/cuda-perf-notes.md run 4, and are not compiled).
    public static let compiled: [HopperVariant] = [HopperVariant(warpgroups: 1, keyTile: 64), HopperVariant(warpgroups: 2, keyTile: 64)]
    /// The default for spatial and cross attention: one warpgroup and 64-key tiles, so several
    /// independent blocks share an SM and one block's softmax overlaps another's MMAs. Measured on
    /// an H200 (docs/cuda-perf-notes.md, run 3): 4096 tokens 1.82 ms (377 TFLOP/s) against 1.89
    /// for 2 warpgroups, 1.97–2.40 for 128-key tiles and 2.40 for the best mma.sync kernel.
    static let standard = HopperVariant(warpgroups: 1, keyTile: 64)
}

/// Kernel-path switches, for benchmarks and for falling back when a fused path misbehaves.
/// The defaults are the fastest measured paths.
public struct CUDATuning: Sendable {
    /// Fused tensor-core attention (half storage, head dim 64 or 80), any sequence lengths.
    public var flashAttention = true
    /// A fused-kernel variant to use instead of the measured choice (benchmarks).
    public var flashForce: FlashVariant?
    /// The warpgroup-MMA attention on Hopper GPUs (head dim 64, more than 64 keys).
    public var hopperAttention = true
    /// A Hopper variant to use for every head-dim-64 fused attention (benchmarks, checks).
    public var hopperForce: HopperVariant?
    /// cuDNN's fused attention (graph API) ahead of the project's kernels where cuDNN has an
    /// engine for the shape: nil = on Hopper and newer GPUs (measured there), true/false forced
    /// (I2V_CUDA_CUDNN_ATTENTION=1 or =all forces it on, =0 off).
    public var cudnnAttention: Bool?
    /// The fewest keys for which cuDNN's fused attention is a candidate, timed per shape against
    /// the project's kernel: on an H200 it lost by 10× on the 16–24-frame temporal attentions and
    /// won from 1024 keys on (4096 tokens 1.31 vs 1.79 ms); in between (the 145-key cross
    /// attention, 256–880-token levels) the faster is measured. I2V_CUDA_CUDNN_ATTENTION=all forces
    /// it for every shape.
    public var cudnnAttentionMinKeys = 128
    /// The Hopper variant for more than 64 keys (I2V_CUDA_WGMMA=<kernel name>, e.g.
    /// hopper_attn_w2_k64, picks another compiled one for a benchmark run).
    public var hopperDefault = HopperVariant.standard
    /// Multi-block GroupNorm (partial sums over many blocks, then one normalising pass).
    public var splitGroupNorm = true
    /// Transformer input/output layouts fused into GroupNorm and the residual add (no permutes).
    public var fusedTokens = true
    /// The temporal layers' GroupNorm+SiLU and (k,1,1) conv on frame-major maps directly (no
    /// permutes to [B, C, F, H, W] and back).
    public var frameMajorTemporal = true
    /// Frames with fewer pixels than this take the permute path even when aligned
    /// (I2V_CUDA_FRAMEMAJOR_MIN_PIXELS).
    public var frameMajorMinPixels = 0
    /// Temporal convs as GEMMs over gathered tap windows — frame-major small frames (≤ 1024
    /// pixels) as one GEMM over every frame, the [B, C, F, H, W] form as one GEMM per video: nil =
    /// whichever measured faster per shape, true/false forced.
    public var wideTemporal: Bool?
    /// 16-byte vectorised pointwise and im2col kernels where sizes and alignment allow.
    public var vectorized = true
    /// Linear layers through cuBLASLt, with the bias (and residual) fused into the GEMM.
    public var fusedLinear = true
    /// 2-D convolutions through cuDNN (when installed) instead of im2col + GEMM.
    public var cudnnConvolution = true
    /// cuDNN's channels-last (NHWC) convolution on permuted copies as a third candidate per shape
    /// (I2V_CUDA_NHWC=0 leaves it out).
    public var channelsLastConvolution = true
    /// ResNet blocks on channels-last maps where `prefersChannelsLastConvolution` allows
    /// (I2V_CUDA_CHANNELS_LAST_RESNETS=0 keeps them NCHW).
    public var channelsLastResnets = true
    /// The fewest pixels per map for channels-last ResNet blocks (I2V_CUDA_CHANNELS_LAST_MIN_PIXELS).
    public var channelsLastMinPixels = 1024
    /// One 2-D convolution path for every shape instead of the fastest measured (benchmarks;
    /// a path that cannot take a shape falls back to im2col + GEMM).
    public var convolutionPath: ConvolutionPath?
    /// Time the cuBLASLt heuristic's algorithms for each linear shape once and run the fastest
    /// (I2V_CUDA_LT_TIMING=0 runs the heuristic's first).
    public var timeLinearAlgorithms = true
    /// The feed-forward's GEGLU projection as one Hopper kernel where it applies
    /// (`fusesLinearGEGLU`; I2V_CUDA_FUSED_GEGLU=0 runs cuBLAS and a GEGLU pass).
    public var fusedGEGLU = true
    /// One fused GEGLU variant for every shape instead of the fastest measured
    /// (I2V_CUDA_FUSED_GEGLU=<kernel name>, e.g. ff_geglu_ws_n128_s4; benchmarks, checks; a variant that
    /// cannot take a shape leaves it to cuBLAS and a GEGLU pass).
    public var gegluForce: GEGLUVariant?

    public init() {
        let env = ProcessInfo.processInfo.environment
        if env["I2V_CUDA_FLASH"] == "0" { flashAttention = false }
        if env["I2V_CUDA_WGMMA"] == "0" { hopperAttention = false }
        if env["I2V_CUDA_TOKENS"] == "0" { fusedTokens = false }
        if env["I2V_CUDA_CUDNN_ATTENTION"] == "0" { cudnnAttention = false }
        if env["I2V_CUDA_CUDNN_ATTENTION"] == "1" { cudnnAttention = true }
        if env["I2V_CUDA_CUDNN_ATTENTION"] == "all" { cudnnAttention = true; cudnnAttentionMinKeys = 1 }
        if env["I2V_CUDA_FRAMEMAJOR"] == "0" { frameMajorTemporal = false }
        if let v = env["I2V_CUDA_FRAMEMAJOR_MIN_PIXELS"].flatMap(Int.init) { frameMajorMinPixels = v }
        if let name = env["I2V_CUDA_WGMMA"], let v = HopperVariant.compiled.first(where: { $0.kernelName == name }) { hopperDefault = v }
        if env["I2V_CUDA_LT"] == "0" { fusedLinear = false }
        if env["I2V_CUDA_CUDNN"] == "0" { cudnnConvolution = false }
        if env["I2V_CUDA_NHWC"] == "0" { channelsLastConvolution = false }
        if env["I2V_CUDA_CHANNELS_LAST_RESNETS"] == "0" { channelsLastResnets = false }
        if let v = env["I2V_CUDA_CHANNELS_LAST_MIN_PIXELS"].flatMap(Int.init) { channelsLastMinPixels = v }
        if env["I2V_CUDA_FUSED_GEGLU"] == "0" { fusedGEGLU = false }
        if env["I2V_CUDA_LT_TIMING"] == "0" { timeLinearAlgorithms = false }
        if let name = env["I2V_CUDA_FUSED_GEGLU"], let v = GEGLUVariant.compiled.first(where: { $0.kernelName == name }) { gegluForce = v }
    }
}

/// The ways a 2-D convolution runs on the GPU (`CUDATuning.convolutionPath`).
public enum ConvolutionPath: Int, Sendable, CaseIterable {
    /// cuDNN on the NCHW operands.
    case cudnn
    /// cuDNN's NHWC plan on channels-last copies (permutes in and out).
    case channelsLast
    /// Small maps (≤ 1024 output pixels): im2col of every sample into one [kdim, N·hw] matrix,
    /// one GEMM, a permute into NCHW.
    case wideGEMM
    /// im2col + GEMM per sample.
    case gemm
}

/// An attention shape whose paths (cuDNN's, the project's kernel) `CUDABackend.fastestOf` timed.
struct AttentionChoice: Hashable {
    let batch: Int, heads: Int, lq: Int, lk: Int, headDim: Int, ldIn: Int
}

/// Device addresses of the q, k and v rows the fused attention paths read: three [B, L, H·D]
/// tensors (input row stride H·D), or one packed [B, L, 3·H·D] projection whose rows hold q, k
/// and v side by side (row stride 3·H·D; k and v start H·D and 2·H·D elements in). Keeps the
/// tensors alive until the kernel is queued.
struct PackedOperands {
    let q: UInt64, k: UInt64, v: UInt64
    let batch: Int, lq: Int, lk: Int
    /// Elements from one q (or k, v) row to the next.
    let ldIn: Int
    private let owners: [Tensor]

    init(_ q: Tensor, _ k: Tensor, _ v: Tensor, addr: (Tensor) -> UInt64) {
        self.q = addr(q); self.k = addr(k); self.v = addr(v)
        batch = q.shape[0]; lq = q.shape[1]; lk = k.shape[1]; ldIn = q.shape[2]
        owners = [q, k, v]
    }

    init(packed qkv: Tensor, batch: Int, length: Int, inner: Int, elementSize: Int, addr: (Tensor) -> UInt64) {
        let base = addr(qkv)
        q = base; k = base + UInt64(inner * elementSize); v = base + UInt64(2 * inner * elementSize)
        self.batch = batch; lq = length; lk = length; ldIn = 3 * inner
        owners = [qkv]
    }
}
