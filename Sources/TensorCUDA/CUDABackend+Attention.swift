import Foundation
import Tensor

// Attention on the GPU. Three paths, chosen per call:
// - half storage, equal head dims in {64, 80}, aligned rows: the fused tensor-core kernel
//   (FlashAttentionKernels.swift), scores never in global memory;
// - Lk ≤ 64 otherwise: one block per (sequence, head) with K and V in shared memory;
// - anything else (float32 storage, other head dims): blocked GEMM → softmax → GEMM with float32
//   scores bounded by `attentionBudgetBytes`.
extension CUDABackend {
    public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor {
        let (lq, qd) = (q.shape[1], q.shape[2])
        let lk = k.shape[1], vd = v.shape[2], d = qd / heads, dv = vd / heads
        if let variant = flashVariant(q, k, v, heads: heads) {
            return flashAttention(q, k, v, heads: heads, scale: scale, causal: causal, variant: variant)
        }
        if lk <= 64 && d <= 128 && dv <= 128 && lq > 0 {
            return smallAttention(q, k, v, heads: heads, scale: scale, causal: causal)
        }
        return blockedAttention(q, k, v, heads: heads, scale: scale, causal: causal)
    }

    /// The fused kernel variant for these operands, or nil when the fused path does not apply.
    func flashVariant(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int) -> FlashVariant? {
        guard tuning.flashAttention, precision != .float32, heads > 0 else { return nil }
        let (b, lq, qd) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1], d = qd / heads
        guard k.shape[2] == qd, v.shape[2] == qd, v.shape[1] == lk, k.shape[0] == b, v.shape[0] == b else { return nil }
        guard lk > 0, lq > 0, lk >= tuning.flashMinKeys || lq >= tuning.flashMinQueries else { return nil }
        guard qd % heads == 0, qd % 8 == 0, lq < Int(Int32.max), lk < Int(Int32.max) else { return nil }
        guard [addr(q), addr(k), addr(v)].allSatisfy({ $0 % 16 == 0 }) else { return nil }
        switch d {
        case 64: return tuning.flash64
        case 80: return tuning.flash80
        default: return nil
        }
    }

    func flashAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool, variant: FlashVariant) -> Tensor {
        let (b, lq, qd) = (q.shape[0], q.shape[1], q.shape[2])
        let out = empty([b, lq, qd])
        let rowsPerBlock = 16 * variant.warps * variant.rowGroups
        let qBlocks = (lq + rowsPerBlock - 1) / rowsPerBlock
        runBlocks(variant.kernelName(headDim: qd / heads), grid: b * heads * qBlocks, block: 32 * variant.warps,
                  [.ptr(addr(q)), .ptr(addr(k)), .ptr(addr(v)), .ptr(addr(out)), .i32(heads), .i32(lq), .i32(k.shape[1]),
                   .f32(scale * 1.4426950408889634), .i32(causal ? 1 : 0)])
        return out
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

/// One compiled shape of the fused attention kernel: `warps` warps per block, each owning
/// 16·`rowGroups` query rows.
public struct FlashVariant: Sendable, Equatable, CustomStringConvertible {
    public var warps: Int
    public var rowGroups: Int
    public init(warps: Int, rowGroups: Int) { self.warps = warps; self.rowGroups = rowGroups }
    func kernelName(headDim: Int) -> String { "flash_attn_d\(headDim)_w\(warps)_r\(rowGroups)" }
    public var description: String { "\(warps)w×\(16 * rowGroups)r" }
}

/// Kernel-path switches, for benchmarks and for falling back when a fused path misbehaves.
/// The defaults are the fastest measured paths.
public struct CUDATuning: Sendable {
    /// Fused tensor-core attention (half storage, head dim 64 or 80).
    public var flashAttention = true
    /// The fused kernel is used when Lk ≥ flashMinKeys or Lq ≥ flashMinQueries.
    public var flashMinKeys = 65
    public var flashMinQueries = Int.max
    public var flash64 = FlashVariant(warps: 4, rowGroups: 1)
    public var flash80 = FlashVariant(warps: 4, rowGroups: 1)
    /// Multi-block GroupNorm (partial sums over many blocks, then one normalising pass).
    public var splitGroupNorm = true
    /// 16-byte vectorised pointwise kernels where sizes and alignment allow.
    public var vectorized = true

    public init() {
        if ProcessInfo.processInfo.environment["I2V_CUDA_FLASH"] == "0" { flashAttention = false }
    }
}
