import ModelIO
import Tensor

/// A `WeightProvider` that invents every tensor it is asked for: uniform values in
/// ±1/√fan_in for matrices and kernels (PyTorch's default Linear/Conv init bound), 1 ± 0.1 for
/// 1-D `weight`s (norm scales) and ±0.1 for biases. Used by `i2v bench unet` to run the real
/// architecture without a checkpoint, and by tests that check which keys a model binds.
/// It records every key and shape taken.
public final class SyntheticWeights: WeightProvider {
    public let backend: any Backend
    public let dtype: DType
    private var state: UInt64
    public private(set) var taken: [(key: String, shape: [Int])] = []
    private var seen = Set<String>()

    /// - Parameter dtype: storage of the invented tensors (`.float16` keeps a 1.4 B-parameter
    ///   UNet at 2.8 GB, as a real fp16 checkpoint would).
    /// - Parameter shapesOnly: hand out zero tensors that share one buffer (no per-tensor
    ///   memory): enough to build a model and inspect its keys, not to run it meaningfully.
    public init(backend: any Backend, dtype: DType = .float16, seed: UInt64 = 0x9E37_79B9_7F4A_7C15, shapesOnly: Bool = false) {
        self.backend = backend
        self.dtype = dtype
        self.state = seed | 1
        self.shapesOnly = shapesOnly
    }

    private let shapesOnly: Bool
    private var shared: [SyntheticStorage] = []

    /// Total number of parameters handed out.
    public var parameterCount: Int { taken.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    public func contains(_ key: String) -> Bool { true }

    public func take(_ key: String, shape: [Int]) throws -> Tensor {
        try takeStacked([key], shape: shape)
    }

    /// The keys' tensors one after another in one buffer: the same values, in the same order,
    /// as taking them one by one.
    public func takeStacked(_ keys: [String], shape: [Int]) throws -> Tensor {
        for key in keys {
            guard seen.insert(key).inserted else {
                throw UNetError.invalidInput(name: key, reason: "taken twice from the synthetic weights")
            }
            taken.append((key, shape))
        }
        let count = shape.reduce(1, *), total = keys.count * count
        let outShape = keys.count == 1 ? shape : [keys.count * (shape.first ?? 1)] + shape.dropFirst()
        if shapesOnly {
            if shared.last.map({ $0.count < total * 2 }) ?? true {
                let s = SyntheticStorage(count: total * 2)
                s.pointer.initialize(repeating: 0, count: total * 2)
                shared.append(s)
            }
            let s = shared[shared.count - 1]
            return backend.wrap(bytes: UnsafeRawPointer(s.pointer), dtype: dtype, shape: outShape, owner: s)
        }
        var values = [Float](repeating: 0, count: total)
        for (i, key) in keys.enumerated() {
            let (scale, offset): (Float, Float)
            if shape.count >= 2 {
                let fanIn = shape.dropFirst().reduce(1, *)
                scale = 1 / Float(fanIn).squareRoot(); offset = 0
            } else if key.hasSuffix("weight") {
                scale = 0.1; offset = 1
            } else {
                scale = 0.1; offset = 0
            }
            for j in (i * count)..<((i + 1) * count) { values[j] = offset + scale * nextUniform() }
        }
        switch dtype {
        case .float32:
            return backend.tensor(values, shape: outShape)
        case .float16, .bfloat16:
            let storage = SyntheticStorage(count: total)
            let p = storage.pointer
            if dtype == .float16 {
                for i in 0..<total { p[i] = Float16(values[i]).bitPattern }
            } else {
                for i in 0..<total { p[i] = HalfConversion.toBFloat16Bits(values[i]) }
            }
            return backend.wrap(bytes: UnsafeRawPointer(p), dtype: dtype, shape: outShape, owner: storage)
        }
    }

    /// Uniform in [-1, 1) from xorshift64*.
    @inline(__always)
    private func nextUniform() -> Float {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        let r = state &* 0x2545_F491_4F6C_DD1D
        return Float(r >> 40) * 0x1p-23 - 1
    }
}

/// Owns the half-precision bytes of one synthetic tensor.
final class SyntheticStorage {
    let pointer: UnsafeMutablePointer<UInt16>
    /// Capacity in UInt16 units.
    let count: Int
    init(count: Int) { self.count = count; pointer = .allocate(capacity: max(count, 1)) }
    deinit { pointer.deallocate() }
}
