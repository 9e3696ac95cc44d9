import Tensor

/// A `Backend` that computes nothing: every op returns a tensor of the right shape without
/// storage, and the dense ops add their floating-point operations (2 per multiply-add) to
/// `flops`. Running a model on it gives the exact work of a forward pass at any size in
/// milliseconds — `i2v bench unet` uses it to project a measured step to other resolutions.
public final class ShapeOnlyBackend: Backend, @unchecked Sendable {
    public var attentionBudgetBytes: Int = 64 << 20
    /// Floating-point operations of linear, matmul, conv and attention calls so far.
    public private(set) var flops: Double = 0

    public init() {}
    public var name: String { "shape-only (FLOP counter)" }
    public func reset() { flops = 0 }

    final class NoStorage: DeviceBuffer, @unchecked Sendable {
        let byteCount: Int
        init(_ n: Int) { byteCount = n }
    }

    private func make(_ shape: [Int], _ dtype: DType = .float32) -> Tensor {
        Tensor(shape: shape, dtype: dtype, buffer: NoStorage(shape.reduce(1, *) * dtype.byteSize))
    }

    public func tensor(_ values: [Float], shape: [Int]) -> Tensor { make(shape) }
    public func zeros(_ shape: [Int]) -> Tensor { make(shape) }
    public func full(_ shape: [Int], value: Float) -> Tensor { make(shape) }
    public func wrap(bytes: UnsafeRawPointer, dtype: DType, shape: [Int], owner: AnyObject) -> Tensor { make(shape, dtype) }
    public func toHost(_ x: Tensor) -> [Float] { [Float](repeating: 0, count: x.count) }
    public func toFloat32(_ x: Tensor) -> Tensor { make(x.shape) }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let rows = x.count / max(weight.shape[1], 1)
        flops += 2 * Double(rows) * Double(weight.shape[0]) * Double(weight.shape[1])
        return make(Array(x.shape.dropLast()) + [weight.shape[0]])
    }

    public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> Tensor {
        let n = transposeB ? b.shape[1] : b.shape[2]
        flops += 2 * Double(a.shape[0]) * Double(a.shape[1]) * Double(a.shape[2]) * Double(n)
        return make([a.shape[0], a.shape[1], n])
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Padding2D) -> Tensor {
        let kh = weight.shape[2], kw = weight.shape[3]
        let ho = (x.shape[2] + padding.top + padding.bottom - kh) / stride + 1
        let wo = (x.shape[3] + padding.left + padding.right - kw) / stride + 1
        flops += 2 * Double(x.shape[0] * ho * wo) * Double(weight.shape[0]) * Double(weight.shape[1] * kh * kw)
        return make([x.shape[0], weight.shape[0], ho, wo])
    }

    public func conv3dTemporal(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let positions = x.shape[0] * x.shape[2] * x.shape[3] * x.shape[4]
        flops += 2 * Double(positions) * Double(weight.shape[0]) * Double(weight.shape[1] * weight.shape[2])
        var s = x.shape
        s[1] = weight.shape[0]
        return make(s)
    }

    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int) -> Tensor {
        let positions = x.shape[0] * x.shape[2] * x.shape[3]
        flops += 2 * Double(positions) * Double(weight.shape[0]) * Double(weight.shape[1] * weight.shape[2])
        return make([x.shape[0], weight.shape[0], x.shape[2], x.shape[3]])
    }

    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor { make(x.shape) }
    public func groupNormSiLU(_ x: Tensor, inputBias: Tensor?, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        make(x.shape)
    }
    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor { make(x.shape) }
    public func softmax(_ x: Tensor) -> Tensor { make(x.shape) }

    public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor {
        // QKᵀ and AV: 2·B·Lq·Lk·(Dq + Dv) over all heads.
        flops += 2 * Double(q.shape[0]) * Double(q.shape[1]) * Double(k.shape[1]) * Double(q.shape[2] + v.shape[2])
        return make([q.shape[0], q.shape[1], v.shape[2]])
    }

    public func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor { make(x.shape) }

    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let r = max(a.rank, b.rank)
        let pa = [Int](repeating: 1, count: r - a.rank) + a.shape, pb = [Int](repeating: 1, count: r - b.rank) + b.shape
        return make(zip(pa, pb).map { max($0, $1) })
    }

    public func axpby(_ a: Float, _ x: Tensor, _ b: Float, _ y: Tensor, constant c: Float) -> Tensor { make(x.shape) }
    public func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor { make(x.shape) }
    public func clamp(_ x: Tensor, min: Float, max: Float) -> Tensor { make(x.shape) }
    public func geglu(_ x: Tensor) -> Tensor { make(Array(x.shape.dropLast()) + [x.dim(-1) / 2]) }
    public func permute(_ x: Tensor, _ perm: [Int]) -> Tensor { make(perm.map { x.shape[$0] }) }

    public func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        var s = xs[0].shape
        s[axis] = xs.reduce(0) { $0 + $1.shape[axis] }
        return make(s)
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        var s = x.shape
        s[axis] = range.count
        return make(s)
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        var s = x.shape
        s[s.count - 1] *= 2
        s[s.count - 2] *= 2
        return make(s)
    }

    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        make(Array(x.shape.dropLast(2)) + [outH, outW])
    }

    public func embedding(_ ids: [Int], table: Tensor) -> Tensor { make([ids.count, table.shape[1]]) }
}
