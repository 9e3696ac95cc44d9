// Matches pytorch aten/src/ATen/CPUGeneratorImpl.cpp + core/MT19937RNGEngine.h (mt19937 engine,
// 32/64-bit draws) and aten/src/ATen/native/cpu/DistributionTemplates.h: normal_kernel
// (`torch.randn` on CPU for float32 tensors).
import Foundation

/// The 32-bit Mersenne Twister (MT19937) with the standard seeding torch uses
/// (`state[0] = seed mod 2^32`, Knuth's multiplier 1812433253 for the rest).
public struct MersenneTwister19937: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    public init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<624 {
            let prev = state[i - 1]
            state[i] = 1_812_433_253 &* (prev ^ (prev >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            var v = state[(i + 397) % 624] ^ (y >> 1)
            if y & 1 != 0 { v ^= 0x9908_B0DF }
            state[i] = v
        }
        index = 0
    }

    public mutating func next() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }
}

/// Reproduces `torch.Generator("cpu").manual_seed(seed)` followed by `torch.randn(shape,
/// generator=g, dtype=torch.float32)` calls, so that a seed gives the same initial noise as a
/// diffusers run on CPU.
///
/// Layout of torch's float path (tensors of ≥ 16 elements): first one uniform per element,
/// u = (next() & 0xFFFFFF)·2⁻²⁴; then every block of 16 becomes 8 Box–Muller pairs
/// (element j and j+8: r = √(−2·ln(1−u_j)), θ = 2π·u_{j+8}, r·cos θ and r·sin θ); when the count
/// is not a multiple of 16 the last 16 elements are re-drawn with 16 fresh uniforms and transformed
/// again. Tensors under 16 elements use torch's double path: two 53-bit uniforms per pair
/// (u1 → θ, u2 → r with log1p(−u2)), the sine cached for the next element.
///
/// torch evaluates log/sin/cos with vectorised polynomial approximations (avx_mathfun) on AVX2
/// builds; the values here use the platform's float32 libm, so individual samples may differ from
/// torch's in the last bits (measured against a torch fixture in the tests).
public struct TorchCPUGenerator: Sendable {
    private var engine: MersenneTwister19937
    private var nextDoubleNormal: Double?

    public init(seed: UInt64) {
        engine = MersenneTwister19937(seed: seed)
        nextDoubleNormal = nil
    }

    /// One 32-bit draw (`CPUGeneratorImpl::random`).
    public mutating func random() -> UInt32 { engine.next() }

    /// One 64-bit draw (`CPUGeneratorImpl::random64`): two 32-bit draws, the first the high half.
    public mutating func random64() -> UInt64 {
        let hi = UInt64(engine.next())
        let lo = UInt64(engine.next())
        return (hi << 32) | lo
    }

    /// `uniform_real_distribution<float>(0, 1)`: 24 random bits scaled by 2⁻²⁴.
    private mutating func uniformFloat() -> Float {
        Float(Double(random() & 0xFF_FFFF) * 0x1p-24)
    }

    /// `uniform_real_distribution<double>(0, 1)`: 53 random bits scaled by 2⁻⁵³.
    private mutating func uniformDouble() -> Double {
        Double(random64() & ((1 << 53) - 1)) * 0x1p-53
    }

    /// Standard normal samples for a float32 tensor of `count` elements (row-major order).
    public mutating func randn(count: Int) -> [Float] {
        guard count > 0 else { return [] }
        if count < 16 { return (0..<count).map { _ in Float(normalDouble()) } }
        var data = [Float](repeating: 0, count: count)
        for i in 0..<count { data[i] = uniformFloat() }
        data.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i + 16 <= count {
                Self.boxMuller16(p.baseAddress! + i)
                i += 16
            }
            if count % 16 != 0 {
                let tail = p.baseAddress! + (count - 16)
                for j in 0..<16 { tail[j] = uniformFloat() }
                Self.boxMuller16(tail)
            }
        }
        return data
    }

    /// Standard normal samples for `shape`.
    public mutating func randn(shape: [Int]) -> [Float] {
        randn(count: shape.reduce(1, *))
    }

    private static let twoPi = Float(2.0 * Double.pi)

    /// Elements j and j+8 of a block of 16 uniforms become one Box–Muller pair.
    private static func boxMuller16(_ d: UnsafeMutablePointer<Float>) {
        for j in 0..<8 {
            let u1 = 1 - d[j]  // [0, 1) → (0, 1] for the log
            let u2 = d[j + 8]
            let radius = (-2 * logf(u1)).squareRoot()
            let theta = twoPi * u2
            d[j] = radius * cosf(theta)
            d[j + 8] = radius * sinf(theta)
        }
    }

    /// `normal_distribution<double>(0, 1)` with the generator's cached second sample.
    private mutating func normalDouble() -> Double {
        if let cached = nextDoubleNormal {
            nextDoubleNormal = nil
            return cached
        }
        let u1 = uniformDouble()
        let u2 = uniformDouble()
        let r = (-2.0 * Foundation.log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        nextDoubleNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }
}
