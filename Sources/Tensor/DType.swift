/// Storage element types. Compute is always float32; float16 and bfloat16 exist only as
/// storage (weights memory-mapped from safetensors) and are widened on use.
public enum DType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"

    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .float16, .bfloat16: return 2
        }
    }
}

/// Widening conversions used by every backend when it reads half-precision storage.
public enum HalfConversion {
    /// Widens `count` float16 values into `dst`.
    @inlinable
    public static func widenFloat16(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        src.withMemoryRebound(to: Float16.self, capacity: count) { h in
            var i = 0
            while i + 8 <= count {
                let v = SIMD8<Float16>(h[i], h[i + 1], h[i + 2], h[i + 3], h[i + 4], h[i + 5], h[i + 6], h[i + 7])
                let f = SIMD8<Float>(v)
                (dst + i).withMemoryRebound(to: SIMD8<Float>.self, capacity: 1) { $0.pointee = f }
                i += 8
            }
            while i < count { dst[i] = Float(h[i]); i += 1 }
        }
    }

    /// Widens `count` bfloat16 values (the upper 16 bits of a float32) into `dst`.
    @inlinable
    public static func widenBFloat16(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        dst.withMemoryRebound(to: UInt32.self, capacity: count) { out in
            for i in 0..<count { out[i] = UInt32(src[i]) << 16 }
        }
    }

    /// Rounds float32 to bfloat16 (round to nearest even), as torch does.
    @inlinable
    public static func toBFloat16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x40) }
        let rounding = ((bits >> 16) & 1) &+ 0x7FFF
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}
