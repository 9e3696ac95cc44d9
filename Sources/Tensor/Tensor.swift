/// A memory block owned by one backend. Model code never reads it directly: it asks the
/// backend that made it (`Backend.toHost`) so that a GPU backend can sit behind the same API.
public protocol DeviceBuffer: AnyObject, Sendable {
    var byteCount: Int { get }
}

/// Row-major (C-contiguous) n-dimensional array. Shapes follow PyTorch's order, so model code
/// reads like diffusers: `[N, C, H, W]`, `[B, C, F, H, W]`, `[B, L, D]`.
///
/// A `Tensor` is a value: ops return new tensors; `reshaped` shares the buffer.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    public let shape: [Int]
    public let dtype: DType
    public let buffer: any DeviceBuffer
    /// Element offset into `buffer` (non-zero for zero-copy views of a parent buffer).
    public let offset: Int

    public init(shape: [Int], dtype: DType, buffer: any DeviceBuffer, offset: Int = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dtype = dtype
        self.buffer = buffer
        self.offset = offset
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    public var byteCount: Int { count * dtype.byteSize }

    /// Size of dimension `i`; negative `i` counts from the end.
    public func dim(_ i: Int) -> Int { shape[i < 0 ? shape.count + i : i] }

    /// Same buffer, new shape (element count must match). `-1` infers one dimension.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let inferIndex = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != inferIndex }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            s[inferIndex] = count / known
        }
        precondition(s.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor(shape: s, dtype: dtype, buffer: buffer, offset: offset)
    }

    public var description: String { "Tensor(\(dtype.rawValue) \(shape))" }
}

/// Explicit zero padding of a 2-D convolution, in PyTorch's terms.
public struct Padding2D: Sendable, Equatable {
    public var top: Int, bottom: Int, left: Int, right: Int
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }
    /// Symmetric padding on all sides (`padding=p` in `nn.Conv2d`).
    public static func same(_ p: Int) -> Padding2D { Padding2D(top: p, bottom: p, left: p, right: p) }
}

/// Pointwise functions a backend provides.
public enum UnaryOp: Sendable {
    /// x·sigmoid(x)
    case silu
    /// Exact GELU: 0.5·x·(1+erf(x/√2))
    case gelu
    /// GELU tanh approximation (not used by I2VGen-XL; provided for completeness).
    case geluTanh
    /// x·sigmoid(1.702·x), the OpenAI CLIP activation.
    case quickGelu
    case exp
    case sigmoid
    case negate
    case square
    case sqrt
}

/// Elementwise binary functions with NumPy broadcasting.
public enum BinaryOp: Sendable {
    case add, sub, mul, div
}
