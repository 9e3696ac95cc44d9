import Foundation

/// A `Backend` that forwards every op to another backend and adds the op's wall time to a table
/// keyed by op and shape (`conv2d 3x3 1280→1280 [16,·,8,8]`). Meant for a synchronous backend
/// (the CPU one): each call's result is complete when it returns. `i2v bench unet --profile`
/// wraps the CPU backend in it to show where a UNet step's time goes.
public final class ProfilingBackend: Backend, @unchecked Sendable {
    public let inner: any Backend
    public struct Entry: Sendable {
        public var key: String
        public var op: String
        public var calls: Int
        public var seconds: Double
        public var flops: Double
    }
    private var entries: [String: Entry] = [:]

    public init(_ inner: any Backend) { self.inner = inner }

    public var name: String { "profiling(\(inner.name))" }
    public var attentionBudgetBytes: Int {
        get { inner.attentionBudgetBytes }
        set { inner.attentionBudgetBytes = newValue }
    }

    /// Entries sorted by total time, largest first.
    public var table: [Entry] { entries.values.sorted { $0.seconds > $1.seconds } }
    public func reset() { entries = [:] }

    /// Total time per op name (conv2d, linear, …), largest first.
    public var byOp: [(op: String, seconds: Double, flops: Double)] {
        var sums: [String: (Double, Double)] = [:]
        for e in entries.values {
            let s = sums[e.op] ?? (0, 0)
            sums[e.op] = (s.0 + e.seconds, s.1 + e.flops)
        }
        return sums.map { (op: $0.key, seconds: $0.value.0, flops: $0.value.1) }.sorted { $0.seconds > $1.seconds }
    }

    @inline(__always)
    private func timed<R>(_ op: String, _ detail: @autoclosure () -> String, flops: Double = 0, _ body: () -> R) -> R {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let key = op + " " + detail()
        var e = entries[key] ?? Entry(key: key, op: op, calls: 0, seconds: 0, flops: 0)
        e.calls += 1
        e.seconds += dt
        e.flops += flops
        entries[key] = e
        return r
    }

    private static func s(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ",") + "]" }

    public func releaseCachedMemory() { inner.releaseCachedMemory() }

    public func tensor(_ values: [Float], shape: [Int]) -> Tensor { inner.tensor(values, shape: shape) }
    public func zeros(_ shape: [Int]) -> Tensor { timed("zeros", Self.s(shape)) { inner.zeros(shape) } }
    public func full(_ shape: [Int], value: Float) -> Tensor { timed("full", Self.s(shape)) { inner.full(shape, value: value) } }
    public func wrap(bytes: UnsafeRawPointer, dtype: DType, shape: [Int], owner: AnyObject) -> Tensor {
        inner.wrap(bytes: bytes, dtype: dtype, shape: shape, owner: owner)
    }
    public func toHost(_ x: Tensor) -> [Float] { timed("toHost", Self.s(x.shape)) { inner.toHost(x) } }
    public func toFloat32(_ x: Tensor) -> Tensor { timed("toFloat32", Self.s(x.shape)) { inner.toFloat32(x) } }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let rows = x.count / max(weight.shape[1], 1)
        return timed("linear", "\(weight.shape[1])→\(weight.shape[0]) rows \(rows) w:\(weight.dtype.rawValue)",
                     flops: 2 * Double(rows * weight.shape[0] * weight.shape[1])) {
            inner.linear(x, weight: weight, bias: bias)
        }
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, adding residual: Tensor) -> Tensor {
        let rows = x.count / max(weight.shape[1], 1)
        return timed("linear", "\(weight.shape[1])→\(weight.shape[0]) rows \(rows) +residual w:\(weight.dtype.rawValue)",
                     flops: 2 * Double(rows * weight.shape[0] * weight.shape[1])) {
            inner.linear(x, weight: weight, bias: bias, adding: residual)
        }
    }

    public func linearGEGLU(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let rows = x.count / max(weight.shape[1], 1)
        return timed("linearGEGLU", "\(weight.shape[1])→\(weight.shape[0]) rows \(rows) w:\(weight.dtype.rawValue)",
                     flops: 2 * Double(rows * weight.shape[0] * weight.shape[1])) {
            inner.linearGEGLU(x, weight: weight, bias: bias)
        }
    }
    public func fusesLinearGEGLU(inFeatures: Int, inner: Int) -> Bool { self.inner.fusesLinearGEGLU(inFeatures: inFeatures, inner: inner) }

    public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> Tensor {
        let n = transposeB ? b.shape[1] : b.shape[2]
        return timed("matmul", "\(Self.s(a.shape))·\(Self.s(b.shape))\(transposeB ? "ᵀ" : "")",
                     flops: 2 * Double(a.shape[0] * a.shape[1] * a.shape[2] * n)) {
            inner.matmul(a, b, transposeB: transposeB)
        }
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Padding2D) -> Tensor {
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        let ho = (x.shape[2] + padding.top + padding.bottom - kh) / stride + 1
        let wo = (x.shape[3] + padding.left + padding.right - kw) / stride + 1
        let fl = 2 * Double(x.shape[0] * ho * wo) * Double(weight.shape[0] * weight.shape[1] * kh * kw)
        return timed("conv2d", "\(kh)x\(kw)/\(stride) \(weight.shape[1])→\(weight.shape[0]) n\(x.shape[0]) \(x.shape[2])x\(x.shape[3])",
                     flops: fl) {
            inner.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
        }
    }

    public func conv3dTemporal(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let positions = x.shape[0] * x.shape[2] * x.shape[3] * x.shape[4]
        return timed("conv3dTemporal", "\(weight.shape[1])→\(weight.shape[0]) \(Self.s(x.shape))",
                     flops: 2 * Double(positions) * Double(weight.shape[0] * weight.shape[1] * weight.shape[2])) {
            inner.conv3dTemporal(x, weight: weight, bias: bias)
        }
    }

    public func prefersFrameMajorTemporal(pixels: Int) -> Bool { inner.prefersFrameMajorTemporal(pixels: pixels) }
    public func prefersChannelsLastConvolution(pixels: Int) -> Bool { inner.prefersChannelsLastConvolution(pixels: pixels) }

    public func conv2dTokens(_ t: Tensor, height: Int, width: Int, weight: Tensor) -> Tensor {
        timed("conv2dTokens", "\(weight.shape[1])→\(weight.shape[0]) \(Self.s(t.shape)) \(height)×\(width)",
              flops: 2 * Double(t.shape[0] * t.shape[1]) * Double(weight.shape[0] * weight.shape[1] * weight.shape[2] * weight.shape[3])) {
            inner.conv2dTokens(t, height: height, width: width, weight: weight)
        }
    }

    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int) -> Tensor {
        let positions = x.shape[0] * x.shape[2] * x.shape[3]
        return timed("conv3dTemporalFrames", "\(weight.shape[1])→\(weight.shape[0]) \(Self.s(x.shape)) F=\(frames)",
                     flops: 2 * Double(positions) * Double(weight.shape[0] * weight.shape[1] * weight.shape[2])) {
            inner.conv3dTemporalFrames(x, weight: weight, bias: bias, frames: frames)
        }
    }
    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int, adding residual: Tensor) -> Tensor {
        let positions = x.shape[0] * x.shape[2] * x.shape[3]
        return timed("conv3dTemporalFrames+residual", "\(weight.shape[1])→\(weight.shape[0]) \(Self.s(x.shape)) F=\(frames)",
                     flops: 2 * Double(positions) * Double(weight.shape[0] * weight.shape[1] * weight.shape[2])) {
            inner.conv3dTemporalFrames(x, weight: weight, bias: bias, frames: frames, adding: residual)
        }
    }

    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        timed("groupNorm", Self.s(x.shape)) { inner.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps) }
    }

    public func groupNormTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        timed("groupNormTokens", Self.s(x.shape)) { inner.groupNormTokens(x, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames) }
    }
    public func tokensToFeatureMaps(_ t: Tensor, adding residual: Tensor, frames: Int) -> Tensor {
        timed("tokensToFeatureMaps", Self.s(residual.shape)) { inner.tokensToFeatureMaps(t, adding: residual, frames: frames) }
    }
    public func groupNormSiLUTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        timed("groupNormSiLUTokens", Self.s(x.shape)) { inner.groupNormSiLUTokens(x, groups: groups, weight: weight, bias: bias, eps: eps) }
    }
    public func tokensToFeatureMaps(_ t: Tensor, height: Int, width: Int, adding residual: Tensor?, channelBias: Tensor?) -> Tensor {
        timed("tokensToFeatureMaps channels-last", Self.s(t.shape)) {
            inner.tokensToFeatureMaps(t, height: height, width: width, adding: residual, channelBias: channelBias)
        }
    }
    public func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        timed("groupNormSiLU", Self.s(x.shape)) { inner.groupNormSiLU(x, groups: groups, weight: weight, bias: bias, eps: eps) }
    }
    public func groupNormSiLU(_ x: Tensor, inputBias: Tensor?, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        timed("groupNormSiLU frames", "\(Self.s(x.shape)) F=\(frames)") {
            inner.groupNormSiLU(x, inputBias: inputBias, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
        }
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        timed("layerNorm", Self.s(x.shape)) { inner.layerNorm(x, weight: weight, bias: bias, eps: eps) }
    }

    public func softmax(_ x: Tensor) -> Tensor { timed("softmax", Self.s(x.shape)) { inner.softmax(x) } }

    public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor {
        let fl = 2 * Double(q.shape[0] * q.shape[1] * k.shape[1]) * Double(q.shape[2] + v.shape[2])
        return timed("attention", "b\(q.shape[0]) lq\(q.shape[1]) lk\(k.shape[1]) \(heads)×\(q.shape[2] / heads)", flops: fl) {
            inner.attention(q, k, v, heads: heads, scale: scale, causal: causal)
        }
    }

    public func attention(packed qkv: Tensor, heads: Int, scale: Float) -> Tensor {
        let (b, l, c) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        return timed("attention (packed)", "b\(b) l\(l) \(heads)×\(c / heads)", flops: 4 * Double(b * l * l * c)) {
            inner.attention(packed: qkv, heads: heads, scale: scale)
        }
    }

    public func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor {
        timed("unary", "\(op) \(Self.s(x.shape))") { inner.unary(op, x) }
    }

    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        timed("binary", "\(op) \(Self.s(a.shape)) \(Self.s(b.shape))") { inner.binary(op, a, b) }
    }

    public func axpby(_ a: Float, _ x: Tensor, _ b: Float, _ y: Tensor, constant c: Float) -> Tensor {
        timed("axpby", Self.s(x.shape)) { inner.axpby(a, x, b, y, constant: c) }
    }

    public func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor {
        timed("affine", Self.s(x.shape)) { inner.affine(x, scale: scale, shift: shift) }
    }

    public func clamp(_ x: Tensor, min: Float, max: Float) -> Tensor {
        timed("clamp", Self.s(x.shape)) { inner.clamp(x, min: min, max: max) }
    }

    public func geglu(_ x: Tensor) -> Tensor { timed("geglu", Self.s(x.shape)) { inner.geglu(x) } }

    public func permute(_ x: Tensor, _ perm: [Int]) -> Tensor {
        timed("permute", "\(Self.s(x.shape)) \(perm)") { inner.permute(x, perm) }
    }

    public func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        timed("concat", "\(xs.map { Self.s($0.shape) }.joined(separator: "+")) axis \(axis)") { inner.concat(xs, axis: axis) }
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        timed("slice", "\(Self.s(x.shape)) axis \(axis)") { inner.slice(x, axis: axis, range: range) }
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor { timed("upsample", Self.s(x.shape)) { inner.upsampleNearest2x(x) } }

    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        timed("adaptiveAvgPool2d", Self.s(x.shape)) { inner.adaptiveAvgPool2d(x, outH: outH, outW: outW) }
    }

    public func embedding(_ ids: [Int], table: Tensor) -> Tensor { timed("embedding", Self.s(table.shape)) { inner.embedding(ids, table: table) } }
}
