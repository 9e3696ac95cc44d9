import CBLAS

// Dense linear algebra: Linear, batched matmul and the temporal (k,1,1) conv3d (k shifted GEMMs).
// conv2d lives in CPUBackend+Conv.swift.
extension CPUBackend {
    /// C[M,N] = alpha·op(A)·op(B) + beta·C, row-major.
    @inline(__always)
    func sgemm(transA: Bool = false, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// Adds `bias[c]` to every element of channel `c`, where channels are `channels` consecutive
    /// groups of `inner` elements repeated `outer` times: x[outer, channels, inner].
    func addChannelBias(_ out: UnsafeMutablePointer<Float>, bias: Tensor, outer: Int, channels: Int, inner: Int) {
        if inner == 1 { addRowBias(out, bias: bias, rows: outer, columns: channels); return }
        withFloats(bias) { b in
            parallelRanges(outer * channels, threads: threads, grain: max(1, 4096 / max(inner, 1))) { r in
                for oc in r {
                    let v = b[oc % channels]
                    let p = out + oc * inner
                    for i in 0..<inner { p[i] += v }
                }
            }
        }
    }

    /// Adds `bias[j]` to column j of every row of out[rows, columns] (a Linear's bias), row by row.
    func addRowBias(_ out: UnsafeMutablePointer<Float>, bias: Tensor, rows: Int, columns: Int) {
        withFloats(bias) { b in
            parallelRanges(rows, threads: threads, grain: max(1, 16384 / max(columns, 1))) { r in
                for row in r {
                    let p = out + row * columns
                    for j in 0..<columns { p[j] += b[j] }
                }
            }
        }
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
        let inF = weight.shape[1], outF = weight.shape[0]
        precondition(x.dim(-1) == inF, "linear: input \(x.shape) does not end in \(inF)")
        let rows = x.count / inF
        let out = empty(Array(x.shape.dropLast()) + [outF])
        let c = mutablePointer(out)
        withFloats(x) { xp in
            withFloats(weight) { wp in
                sgemm(transB: true, m: rows, n: outF, k: inF, a: xp, lda: inF, b: wp, ldb: inF, beta: 0, c: c, ldc: outF)
            }
        }
        if let bias { addRowBias(c, bias: bias, rows: rows, columns: outF) }
        return out
    }

    /// y = x·Wᵀ + b + residual with the residual as the GEMM's initial C (beta 1): no separate add pass.
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, adding residual: Tensor) -> Tensor {
        precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
        let inF = weight.shape[1], outF = weight.shape[0]
        precondition(x.dim(-1) == inF, "linear: input \(x.shape) does not end in \(inF)")
        let rows = x.count / inF
        let outShape = Array(x.shape.dropLast()) + [outF]
        precondition(residual.count == rows * outF, "linear: residual \(residual.shape) does not match output \(outShape)")
        let out = toFloat32(residual).reshaped(outShape)
        let c = mutablePointer(out)
        withFloats(x) { xp in
            withFloats(weight) { wp in
                sgemm(transB: true, m: rows, n: outF, k: inF, a: xp, lda: inF, b: wp, ldb: inF, beta: 1, c: c, ldc: outF)
            }
        }
        if let bias { addRowBias(c, bias: bias, rows: rows, columns: outF) }
        return out
    }

    public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> Tensor {
        precondition(a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0], "matmul expects [B,M,K]·[B,K,N], got \(a.shape) \(b.shape)")
        let batch = a.shape[0], m = a.shape[1], k = a.shape[2]
        let n = transposeB ? b.shape[1] : b.shape[2]
        precondition((transposeB ? b.shape[2] : b.shape[1]) == k, "matmul inner dimensions differ: \(a.shape) \(b.shape)")
        let out = empty([batch, m, n])
        let c = mutablePointer(out)
        withFloats(a) { ap in
            withFloats(b) { bp in
                for i in 0..<batch {
                    sgemm(transB: transposeB, m: m, n: n, k: k, a: ap + i * m * k, lda: k,
                          b: bp + i * k * n, ldb: transposeB ? k : n, beta: 0, c: c + i * m * n, ldc: n)
                }
            }
        }
        return out
    }

    public func conv3dTemporal(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(x.rank == 5 && weight.rank == 5 && weight.shape[3] == 1 && weight.shape[4] == 1
                     && weight.shape[1] == x.shape[1], "conv3dTemporal: input \(x.shape), weight \(weight.shape)")
        let (b, c, f, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let o = weight.shape[0], k = weight.shape[2]
        let pad = (k - 1) / 2
        let hw = h * w
        let out = empty([b, o, f, h, w])
        let outP = mutablePointer(out)
        // Re-lay the weight as k matrices [O, C] so each tap is one GEMM.
        let taps = scratch(k * o * c)
        defer { releaseScratch(taps, k * o * c) }
        withFloats(weight) { wp in
            parallelRanges(o, threads: threads, grain: 16) { r in
                for oi in r { for ci in 0..<c { for t in 0..<k { taps[(t * o + oi) * c + ci] = wp[(oi * c + ci) * k + t] } } }
            }
        }
        withFloats(x) { xp in
            for s in 0..<b {
                let src = xp + s * c * f * hw
                let dst = outP + s * o * f * hw
                // The centre tap covers every frame: it initialises the output (beta 0), the others add.
                for t in [pad] + (0..<k).filter({ $0 != pad }) {
                    // out[:, fo] += W_t · x[:, fo + t - pad] for frames where the input exists.
                    let f0 = max(0, pad - t), f1 = min(f, f + pad - t)
                    if f1 <= f0 { continue }
                    sgemm(transB: false, m: o, n: (f1 - f0) * hw, k: c, a: taps + t * o * c, lda: c,
                          b: src + (f0 + t - pad) * hw, ldb: f * hw, beta: t == pad ? 0 : 1, c: dst + f0 * hw, ldc: f * hw)
                }
            }
        }
        if let bias { addChannelBias(outP, bias: bias, outer: b, channels: o, inner: f * hw) }
        return out
    }
}
