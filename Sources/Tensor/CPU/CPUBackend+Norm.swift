import Foundation

// Normalisation and softmax. Statistics accumulate in Double so that the long reductions of a
// 5-D GroupNorm (C/G × F × H × W elements) stay within the parity bounds.
extension CPUBackend {
    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: false)
    }

    /// silu(groupNorm(x)) in one pass over the output (the ResNet block's norm + activation).
    public func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: true)
    }

    /// GroupNorm (+ SiLU) where a sample is `frames` consecutive [C, ...] planes of x whose
    /// statistics pool together (frames == 1: plain GroupNorm of x [N, C, ...]; frames == F:
    /// frame-major maps [B·F, C, h, w] normalised per video).
    func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, silu: Bool, frames: Int = 1) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] % groups == 0, "groupNorm: \(x.shape[1]) channels not divisible by \(groups) groups")
        precondition(frames > 0 && x.shape[0] % frames == 0, "groupNorm: \(x.shape[0]) samples are not whole videos of \(frames) frames")
        let n = x.shape[0] / frames, c = x.shape[1]
        let spatial = x.count / max(x.shape[0] * c, 1)
        let perGroup = c / groups
        let groupSize = perGroup * spatial
        let frameStride = c * spatial
        let count = Double(groupSize * frames)
        let out = empty(x.shape)
        let op = mutablePointer(out)
        withFloats(x) { xp in withFloats(weight) { wp in withFloats(bias) { bp in
            parallelRanges(n * groups, threads: threads) { r in
                for ng in r {
                    let g = ng % groups
                    // Group g of the sample's first frame; frame f's slice lies f·C·spatial further.
                    let first = (ng / groups) * frames * frameStride + g * groupSize
                    var sum = 0.0
                    for f in 0..<frames {
                        let src = xp + first + f * frameStride
                        for i in 0..<groupSize { sum += Double(src[i]) }
                    }
                    let mean = sum / count
                    var sq = 0.0
                    for f in 0..<frames {
                        let src = xp + first + f * frameStride
                        for i in 0..<groupSize { let d = Double(src[i]) - mean; sq += d * d }
                    }
                    let rstd = 1.0 / (sq / count + Double(eps)).squareRoot()
                    for cc in 0..<perGroup {
                        let ch = g * perGroup + cc
                        let a = Float(rstd) * wp[ch]
                        let b = bp[ch] - Float(mean) * a
                        for f in 0..<frames {
                            let base = first + f * frameStride + cc * spatial
                            let s = xp + base, d = op + base
                            if silu {
                                VectorMath.affineSiLU(s, d, spatial, a: a, b: b)
                            } else {
                                for i in 0..<spatial { d[i] = s[i] * a + b }
                            }
                        }
                    }
                }
            }
        } } }
        return out
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let d = x.dim(-1)
        let rows = x.count / max(d, 1)
        let out = empty(x.shape)
        let op = mutablePointer(out)
        let ones = weight == nil ? full([d], value: 1) : nil
        let zeroB = bias == nil ? zeros([d]) : nil
        withFloats(x) { xp in withFloats(weight ?? ones!) { wp in withFloats(bias ?? zeroB!) { bp in
            parallelRanges(rows, threads: threads, grain: 16) { r in
                for row in r {
                    let s = xp + row * d, o = op + row * d
                    var sum = 0.0
                    for i in 0..<d { sum += Double(s[i]) }
                    let mean = sum / Double(d)
                    var sq = 0.0
                    for i in 0..<d { let v = Double(s[i]) - mean; sq += v * v }
                    let rstd = Float(1.0 / (sq / Double(d) + Double(eps)).squareRoot())
                    let m = Float(mean)
                    for i in 0..<d { o[i] = (s[i] - m) * rstd * wp[i] + bp[i] }
                }
            }
        } } }
        return out
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let d = x.dim(-1)
        let rows = x.count / max(d, 1)
        let out = empty(x.shape)
        let op = mutablePointer(out)
        withFloats(x) { xp in
            parallelRanges(rows, threads: threads, grain: 8) { r in
                for row in r { softmaxRow(xp + row * d, op + row * d, d) }
            }
        }
        return out
    }
}

/// dst = softmax(src) over `n` values (src and dst may alias).
@inline(__always)
func softmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    var m = -Float.infinity
    for i in 0..<n { m = max(m, src[i]) }
    if m == -.infinity { dst.initialize(repeating: 0, count: n); return }
    var sum: Float = 0
    for i in 0..<n { let e = expf(src[i] - m); dst[i] = e; sum += e }
    let inv = 1 / sum
    for i in 0..<n { dst[i] *= inv }
}
