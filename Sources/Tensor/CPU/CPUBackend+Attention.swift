import CVectorMath
import Foundation

// Scaled dot-product attention in query/key blocks with an online softmax (running max and sum,
// as in FlashAttention), so the largest score block is bounded whatever the sequence length.
// Where the CPU has AVX2 + FMA every shape takes the fused kernel of Sources/CVectorMath
// (register-tiled Q·Kᵀ, exp and P·V per 16-query panel, no GEMM calls). Otherwise short
// sequences (temporal attention: one sequence of F frames per pixel) take a direct path
// parallelised over sequences and heads, longer ones blocks of OpenBLAS GEMMs (score blocks
// bounded by `attentionBudgetBytes`) with the softmax in Swift.
extension CPUBackend {
    public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor {
        precondition(q.rank == 3 && k.rank == 3 && v.rank == 3, "attention expects [B, L, H·D] tensors")
        let (b, lq, qd) = (q.shape[0], q.shape[1], q.shape[2])
        let lk = k.shape[1], vd = v.shape[2]
        precondition(k.shape[0] == b && v.shape[0] == b && v.shape[1] == lk && k.shape[2] == qd
                     && qd % heads == 0 && vd % heads == 0, "attention shapes q\(q.shape) k\(k.shape) v\(v.shape), \(heads) heads")
        let d = qd / heads, dv = vd / heads
        let out = empty([b, lq, vd])
        let op = mutablePointer(out)
        withFloats(q) { qp in withFloats(k) { kp in withFloats(v) { vp in
            if attentionFusedKernel && VectorMath.avx2 {  // the flag cannot enable it on other CPUs
                fusedAttention(qp, kp, vp, op, b: b, lq: lq, lk: lk, heads: heads, d: d, dv: dv, scale: scale, causal: causal)
            } else if lk <= 64 && lq <= 64 {
                smallAttention(qp, kp, vp, op, b: b, lq: lq, lk: lk, heads: heads, d: d, dv: dv, scale: scale, causal: causal)
            } else {
                blockedAttention(qp, kp, vp, op, b: b, lq: lq, lk: lk, heads: heads, d: d, dv: dv, scale: scale, causal: causal)
            }
        } } }
        return out
    }

    private func smallAttention(_ qp: UnsafePointer<Float>, _ kp: UnsafePointer<Float>, _ vp: UnsafePointer<Float>,
                                _ op: UnsafeMutablePointer<Float>, b: Int, lq: Int, lk: Int, heads: Int,
                                d: Int, dv: Int, scale: Float, causal: Bool) {
        let qd = heads * d, vd = heads * dv
        parallelRanges(b * heads, threads: threads, grain: 16) { r in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: lk)
            defer { scores.deallocate() }
            for bh in r {
                let bi = bh / heads, h = bh % heads
                let qb = qp + bi * lq * qd + h * d
                let kb = kp + bi * lk * qd + h * d
                let vb = vp + bi * lk * vd + h * dv
                let ob = op + bi * lq * vd + h * dv
                for i in 0..<lq {
                    let qi = qb + i * qd
                    let n = causal ? min(lk, i + 1) : lk
                    for j in 0..<n {
                        let kj = kb + j * qd
                        var s: Float = 0
                        for t in 0..<d { s += qi[t] * kj[t] }
                        scores[j] = s * scale
                    }
                    softmaxRow(scores, scores, n)
                    let oi = ob + i * vd
                    for t in 0..<dv { oi[t] = 0 }
                    for j in 0..<n {
                        let p = scores[j], vj = vb + j * vd
                        for t in 0..<dv { oi[t] += p * vj[t] }
                    }
                }
            }
        }
    }

    /// Units of (sequence, head, block of `attentionQueryBlock` query rows), taken one at a time by
    /// each worker from a shared counter (so a loaded core or causal units of unequal cost do not
    /// leave the other waiting), each computed by `i2v_attention_rows_avx2` over key blocks of
    /// `attentionFusedKeyBlock`. With several heads and several query blocks to share them, K and V
    /// are first copied per (sequence, head) into contiguous rows, so the kernel's broadcasts walk
    /// 256-byte rows instead of rows strided by all heads (fewer cache sets and TLB pages per key
    /// block); with one query block per head the copy would cost more than it saves.
    private func fusedAttention(_ qp: UnsafePointer<Float>, _ kp: UnsafePointer<Float>, _ vp: UnsafePointer<Float>,
                                _ op: UnsafeMutablePointer<Float>, b: Int, lq: Int, lk: Int, heads: Int,
                                d: Int, dv: Int, scale: Float, causal: Bool) {
        let qc = max(1, min(lq, attentionQueryBlock))
        let kc = max(1, attentionFusedKeyBlock)
        let qBlocks = (lq + qc - 1) / qc
        let units = b * heads * qBlocks
        let pack = heads > 1 && qBlocks > 1
        let kPacked: UnsafeMutablePointer<Float>? = pack ? .allocate(capacity: b * heads * lk * d) : nil
        let vPacked: UnsafeMutablePointer<Float>? = pack ? .allocate(capacity: b * heads * lk * dv) : nil
        defer { kPacked?.deallocate(); vPacked?.deallocate() }
        if let kPacked, let vPacked {
            parallelRanges(b * heads, threads: threads) { r in
                for bh in r {
                    let bi = bh / heads, h = bh % heads
                    for j in 0..<lk {
                        (kPacked + (bh * lk + j) * d).update(from: kp + (bi * lk + j) * heads * d + h * d, count: d)
                        (vPacked + (bh * lk + j) * dv).update(from: vp + (bi * lk + j) * heads * dv + h * dv, count: dv)
                    }
                }
            }
        }
        let counter = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        counter.initialize(to: 0)
        defer { counter.deallocate() }
        let workers = min(threads, units)
        parallelRanges(workers, threads: workers) { _ in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: i2v_attention_scratch_floats(qc, kc, d, dv))
            defer { scratch.deallocate() }
            while true {
                let u = i2v_fetch_increment(counter)
                if u >= units { break }
                let qi = u % qBlocks, bh = u / qBlocks
                let bi = bh / heads, h = bh % heads
                let q0 = qi * qc
                let kh: UnsafePointer<Float>, vh: UnsafePointer<Float>, ks: Int, vs: Int
                if let kPacked, let vPacked {
                    (kh, vh, ks, vs) = (UnsafePointer(kPacked + bh * lk * d), UnsafePointer(vPacked + bh * lk * dv), d, dv)
                } else {
                    (kh, vh, ks, vs) = (kp + bi * lk * heads * d + h * d, vp + bi * lk * heads * dv + h * dv, heads * d, heads * dv)
                }
                i2v_attention_rows_avx2(qp + (bi * lq + q0) * heads * d + h * d, kh, vh, op + (bi * lq + q0) * heads * dv + h * dv,
                                        min(qc, lq - q0), lk, d, dv, heads * d, ks, vs, heads * dv,
                                        scale, causal ? 1 : 0, q0, kc, scratch)
            }
        }
    }

    /// Work is split into units of (sequence, head, block of query rows); each thread takes a
    /// contiguous range of units and runs them with single-threaded GEMMs and its own score block
    /// (OpenBLAS is held at one thread meanwhile, so the two levels of threading never compete).
    /// Every thread's score block is at most `attentionBudgetBytes / threads`.
    private func blockedAttention(_ qp: UnsafePointer<Float>, _ kp: UnsafePointer<Float>, _ vp: UnsafePointer<Float>,
                                  _ op: UnsafeMutablePointer<Float>, b: Int, lq: Int, lk: Int, heads: Int,
                                  d: Int, dv: Int, scale: Float, causal: Bool) {
        let budget = max(attentionBudgetBytes / 4 / max(threads, 1), 64 * 64)  // floats per thread
        // Blocks of up to `attentionQueryBlock` rows × `attentionKeyBlock` keys, within the budget.
        let qMax = max(1, attentionQueryBlock)
        let kc = min(lk, max(64, min(max(1, attentionKeyBlock), budget / min(lq, qMax))))
        let qc = max(1, min(lq, qMax, budget / kc))
        let qBlocks = (lq + qc - 1) / qc
        let units = b * heads * qBlocks
        let workers = min(threads, units)
        let run = { (range: Range<Int>) in
            var block = AttentionBlock(qc: qc, kc: kc, dv: dv)
            defer { block.deallocate() }
            for u in range {
                let qi = u % qBlocks, bh = u / qBlocks
                let bi = bh / heads, h = bh % heads
                let q0 = qi * qc
                block.run(q: qp + bi * lq * heads * d + h * d, k: kp + bi * lk * heads * d + h * d,
                          v: vp + bi * lk * heads * dv + h * dv, out: op + bi * lq * heads * dv + h * dv,
                          q0: q0, nq: min(qc, lq - q0), lk: lk, qStride: heads * d, vStride: heads * dv,
                          d: d, scale: scale, causal: causal, backend: self)
            }
        }
        if workers <= 1 {
            run(0..<units)
            return
        }
        withSingleThreadedBLAS {
            parallelRanges(units, threads: workers) { run($0) }
        }
    }
}

/// Scratch of one attention worker: a score block [qc, kc], the output accumulator [qc, dv] and
/// the running row maxima and sums of the online softmax.
struct AttentionBlock {
    let qc: Int, kc: Int, dv: Int
    let scores: UnsafeMutablePointer<Float>
    let acc: UnsafeMutablePointer<Float>
    let rowMax: UnsafeMutablePointer<Float>
    let rowSum: UnsafeMutablePointer<Float>

    init(qc: Int, kc: Int, dv: Int) {
        self.qc = qc; self.kc = kc; self.dv = dv
        scores = .allocate(capacity: qc * kc)
        acc = .allocate(capacity: qc * dv)
        rowMax = .allocate(capacity: qc)
        rowSum = .allocate(capacity: qc)
    }

    func deallocate() { scores.deallocate(); acc.deallocate(); rowMax.deallocate(); rowSum.deallocate() }

    /// out rows q0..<q0+nq of one (sequence, head) = softmax(scale · Q Kᵀ) V over all keys, in key
    /// blocks of `kc`. Pointers are at the head's first channel; rows are `qStride`/`vStride` apart.
    func run(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
             q0: Int, nq: Int, lk: Int, qStride: Int, vStride: Int, d: Int, scale: Float, causal: Bool, backend: CPUBackend) {
        rowMax.initialize(repeating: -.infinity, count: nq)
        rowSum.initialize(repeating: 0, count: nq)
        acc.initialize(repeating: 0, count: nq * dv)
        let kEnd = causal ? min(lk, q0 + nq) : lk
        var k0 = 0
        while k0 < kEnd {
            let nk = min(kc, kEnd - k0)
            // scores[nq, nk] = scale · Q Kᵀ
            backend.sgemm(transB: true, m: nq, n: nk, k: d, alpha: scale, a: q + q0 * qStride, lda: qStride,
                          b: k + k0 * qStride, ldb: qStride, beta: 0, c: scores, ldc: nk)
            update(nq: nq, nk: nk, q0: q0, k0: k0, causal: causal)
            // acc[nq, dv] = correction · acc (applied in `update`) + P · V_block
            backend.sgemm(transB: false, m: nq, n: dv, k: nk, a: scores, lda: nk, b: v + k0 * vStride, ldb: vStride,
                          beta: 1, c: acc, ldc: dv)
            k0 += nk
        }
        for i in 0..<nq {
            let inv = rowSum[i] > 0 ? 1 / rowSum[i] : 0
            let o = out + (q0 + i) * vStride, a = acc + i * dv
            for t in 0..<dv { o[t] = a[t] * inv }
        }
    }

    /// Turns score rows into unnormalised probabilities against the running row maxima, rescaling
    /// the accumulator rows and sums whenever a row maximum grows.
    private func update(nq: Int, nk: Int, q0: Int, k0: Int, causal: Bool) {
        for i in 0..<nq {
            let s = scores + i * nk
            let limit = causal ? max(0, min(nk, q0 + i - k0 + 1)) : nk
            let m = VectorMath.max(s, limit, initial: rowMax[i])
            if m == -.infinity { s.initialize(repeating: 0, count: nk); continue }
            let correction = rowMax[i] == -.infinity ? 0 : expf(rowMax[i] - m)
            if correction != 1 {
                let a = acc + i * dv
                for t in 0..<dv { a[t] *= correction }
            }
            let sum = VectorMath.expShiftSum(s, limit, minus: m)
            if limit < nk { (s + limit).initialize(repeating: 0, count: nk - limit) }
            rowSum[i] = rowSum[i] * correction + sum
            rowMax[i] = m
        }
    }
}
