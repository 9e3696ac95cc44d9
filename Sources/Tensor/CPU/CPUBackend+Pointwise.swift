import Foundation

// Pointwise ops: activations, broadcasting arithmetic, affine maps, clamps, GEGLU.
extension CPUBackend {
    @inline(__always)
    static func apply(_ op: UnaryOp, _ x: Float) -> Float {
        switch op {
        case .silu: return x / (1 + expf(-x))
        case .gelu: return 0.5 * x * (1 + erff(x * 0.70710678118654752))
        case .geluTanh:
            let c: Float = 0.79788456080286536  // sqrt(2/pi)
            return 0.5 * x * (1 + tanhf(c * (x + 0.044715 * x * x * x)))
        case .quickGelu: return x / (1 + expf(-1.702 * x))
        case .exp: return expf(x)
        case .sigmoid: return 1 / (1 + expf(-x))
        case .negate: return -x
        case .square: return x * x
        case .sqrt: return x.squareRoot()
        }
    }

    /// Elementwise map from `x` into a new float32 tensor.
    @inline(__always)
    func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = empty(x.shape)
        let op = mutablePointer(out)
        withFloats(x) { xp in
            parallelRanges(x.count, threads: threads, grain: 1 << 14) { r in
                for i in r { op[i] = f(xp[i]) }
            }
        }
        return out
    }

    public func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor {
        if op == .silu {
            let out = empty(x.shape)
            let o = mutablePointer(out)
            withFloats(x) { xp in
                parallelRanges(x.count, threads: threads, grain: 1 << 14) { r in
                    VectorMath.affineSiLU(xp + r.lowerBound, o + r.lowerBound, r.count, a: 1, b: 0)
                }
            }
            return out
        }
        return map(x) { CPUBackend.apply(op, $0) }
    }

    public func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor {
        map(x) { $0 * scale + shift }
    }

    public func clamp(_ x: Tensor, min lo: Float, max hi: Float) -> Tensor {
        map(x) { Swift.min(Swift.max($0, lo), hi) }
    }

    public func axpby(_ a: Float, _ x: Tensor, _ b: Float, _ y: Tensor, constant c: Float) -> Tensor {
        precondition(x.shape == y.shape, "axpby: shapes \(x.shape) and \(y.shape) differ")
        let out = empty(x.shape)
        let op = mutablePointer(out)
        withFloats(x) { xp in withFloats(y) { yp in
            parallelRanges(x.count, threads: threads, grain: 1 << 14) { r in
                for i in r { op[i] = a * xp[i] + b * yp[i] + c }
            }
        } }
        return out
    }

    public func geglu(_ x: Tensor) -> Tensor {
        let d2 = x.dim(-1)
        precondition(d2 % 2 == 0, "geglu: last dimension \(d2) is odd")
        let d = d2 / 2
        let rows = x.count / d2
        let out = empty(Array(x.shape.dropLast()) + [d])
        let op = mutablePointer(out)
        withFloats(x) { xp in
            parallelRanges(rows, threads: threads, grain: 4) { r in
                for row in r {
                    let value = xp + row * d2, gate = value + d, o = op + row * d
                    for i in 0..<d { o[i] = value[i] * CPUBackend.apply(.gelu, gate[i]) }
                }
            }
        }
        return out
    }

    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Broadcast.shape(a.shape, b.shape)
        let out = empty(shape)
        let o = mutablePointer(out)
        @inline(__always) func f(_ x: Float, _ y: Float) -> Float {
            switch op {
            case .add: return x + y
            case .sub: return x - y
            case .mul: return x * y
            case .div: return x / y
            }
        }
        withFloats(a) { ap in withFloats(b) { bp in
            if a.shape == shape && b.shape == shape {
                parallelRanges(out.count, threads: threads, grain: 1 << 14) { r in
                    for i in r { o[i] = f(ap[i], bp[i]) }
                }
                return
            }
            let rank = shape.count
            let sa = Broadcast.strides(a.shape, to: shape), sb = Broadcast.strides(b.shape, to: shape)
            let inner = shape.last ?? 1
            let outerCount = out.count / max(inner, 1)
            let ia = sa.last ?? 0, ib = sb.last ?? 0
            parallelRanges(outerCount, threads: threads, grain: 64) { r in
                for outer in r {
                    // Decompose the outer index over dims 0..<rank-1.
                    var rem = outer, offA = 0, offB = 0
                    var dimIdx = rank - 2
                    while dimIdx >= 0 {
                        let i = rem % shape[dimIdx]
                        rem /= shape[dimIdx]
                        offA += i * sa[dimIdx]; offB += i * sb[dimIdx]
                        dimIdx -= 1
                    }
                    let dst = o + outer * inner
                    for j in 0..<inner { dst[j] = f(ap[offA + j * ia], bp[offB + j * ib]) }
                }
            }
        } }
        return out
    }
}
