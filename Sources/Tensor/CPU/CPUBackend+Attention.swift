import Foundation

// Scaled dot-product attention in query/key blocks with an online softmax (running max and sum,
// as in FlashAttention), so the largest score block is bounded by `attentionBudgetBytes` whatever
// the sequence length. Short sequences (temporal attention: one sequence of F frames per pixel)
// take a direct path parallelised over sequences and heads instead of many tiny GEMMs.
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
            if lk <= 64 && lq <= 64 {
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

    private func blockedAttention(_ qp: UnsafePointer<Float>, _ kp: UnsafePointer<Float>, _ vp: UnsafePointer<Float>,
                                  _ op: UnsafeMutablePointer<Float>, b: Int, lq: Int, lk: Int, heads: Int,
                                  d: Int, dv: Int, scale: Float, causal: Bool) {
        let qd = heads * d, vd = heads * dv
        let budget = max(attentionBudgetBytes / 4, 64 * 64)  // floats
        let kc = min(lk, max(64, budget / min(lq, 256)))
        let qc = max(1, min(lq, budget / kc))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: qc * kc)
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: qc * dv)
        let pv = UnsafeMutablePointer<Float>.allocate(capacity: qc * dv)
        let rowMax = UnsafeMutablePointer<Float>.allocate(capacity: qc)
        let rowSum = UnsafeMutablePointer<Float>.allocate(capacity: qc)
        defer { scores.deallocate(); acc.deallocate(); pv.deallocate(); rowMax.deallocate(); rowSum.deallocate() }
        for bi in 0..<b {
            for h in 0..<heads {
                let qb = qp + bi * lq * qd + h * d
                let kb = kp + bi * lk * qd + h * d
                let vb = vp + bi * lk * vd + h * dv
                let ob = op + bi * lq * vd + h * dv
                var q0 = 0
                while q0 < lq {
                    let nq = min(qc, lq - q0)
                    rowMax.initialize(repeating: -.infinity, count: nq)
                    rowSum.initialize(repeating: 0, count: nq)
                    acc.initialize(repeating: 0, count: nq * dv)
                    var k0 = 0
                    let kEnd = causal ? min(lk, q0 + nq) : lk
                    while k0 < kEnd {
                        let nk = min(kc, kEnd - k0)
                        // scores[nq, nk] = scale · Q K^T
                        sgemm(transB: true, m: nq, n: nk, k: d, alpha: scale, a: qb + q0 * qd, lda: qd,
                              b: kb + k0 * qd, ldb: qd, beta: 0, c: scores, ldc: nk)
                        onlineSoftmaxUpdate(nq: nq, nk: nk, q0: q0, k0: k0, causal: causal, dv: dv)
                        // pv[nq, dv] = P · V_block; acc += pv
                        sgemm(transB: false, m: nq, n: dv, k: nk, a: scores, lda: nk, b: vb + k0 * vd, ldb: vd,
                              beta: 0, c: pv, ldc: dv)
                        for i in 0..<(nq * dv) { acc[i] += pv[i] }
                        k0 += nk
                    }
                    for i in 0..<nq {
                        let inv = rowSum[i] > 0 ? 1 / rowSum[i] : 0
                        let o = ob + (q0 + i) * vd, a = acc + i * dv
                        for t in 0..<dv { o[t] = a[t] * inv }
                    }
                    q0 += nq
                }
            }
        }

        /// Turns `scores` into unnormalised probabilities against the running row maxima, rescaling
        /// the accumulator and sums whenever a row maximum grows.
        func onlineSoftmaxUpdate(nq: Int, nk: Int, q0: Int, k0: Int, causal: Bool, dv: Int) {
            for i in 0..<nq {
                let s = scores + i * nk
                let limit = causal ? max(0, min(nk, q0 + i - k0 + 1)) : nk
                var m = rowMax[i]
                for j in 0..<limit { m = max(m, s[j]) }
                if m == -.infinity { for j in 0..<nk { s[j] = 0 }; continue }
                let correction = rowMax[i] == -.infinity ? 0 : expf(rowMax[i] - m)
                if correction != 1 {
                    let a = acc + i * dv
                    for t in 0..<dv { a[t] *= correction }
                }
                var sum: Float = 0
                for j in 0..<limit { let e = expf(s[j] - m); s[j] = e; sum += e }
                for j in limit..<nk { s[j] = 0 }
                rowSum[i] = rowSum[i] * correction + sum
                rowMax[i] = m
            }
        }
    }
}
