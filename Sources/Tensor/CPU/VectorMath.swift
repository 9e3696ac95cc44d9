// Vectorised float32 exp for the softmax and SiLU inner loops (Cephes expf range reduction and
// polynomial: relative error within a few ulp over the whole float range; results below
// e^-87.3 flush to zero, above e^88.7 saturate to +inf).
import CVectorMath

enum VectorMath {
    typealias V = SIMD8<Float>

    /// The CPU has AVX2 + FMA: the softmax loops use the C versions (Sources/CVectorMath), the
    /// same algorithm on 256-bit registers with fused multiply-adds (the Swift targets are built
    /// for baseline x86-64, where SIMD8 becomes two 4-wide SSE halves).
    static let avx2 = i2v_vector_avx2_available() != 0

    @inline(__always)
    static func exp(_ x: V) -> V {
        let hi: Float = 88.72283, lo: Float = -87.33654
        var xc = x  // clamp with masks: pointwiseMin/Max are not inlined
        xc.replace(with: lo, where: x .< lo)
        xc.replace(with: hi, where: x .> hi)
        // n = round(x / ln 2) by the 1.5·2^23 trick; its integer is in the low mantissa bits.
        let magic: Float = 12_582_912
        let t = xc * 1.442695040888963 + magic
        let n = t - magic
        let r = xc - n * 0.693359375 + n * 2.12194440e-4        // x − n·ln 2 in two parts
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        // 2^n from the exponent field: (n + 127) << 23
        let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(V(repeating: magic), to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((ni &+ 127) &<< 23, to: V.self)
        var y = p * scale
        y.replace(with: 0, where: x .< lo)
        y.replace(with: .infinity, where: x .> hi)
        return y
    }

    /// s[j] = exp(s[j] − m) for j in 0..<n; returns the sum of the new values.
    @inline(__always)
    static func expShiftSum(_ s: UnsafeMutablePointer<Float>, _ n: Int, minus m: Float) -> Float {
        avx2 ? i2v_exp_shift_sum_avx2(s, n, m) : portableExpShiftSum(s, n, minus: m)
    }

    static func portableExpShiftSum(_ s: UnsafeMutablePointer<Float>, _ n: Int, minus m: Float) -> Float {
        var acc = V(repeating: 0)
        var j = 0
        let mv = V(repeating: m)
        while j + 8 <= n {
            let raw = UnsafeMutableRawPointer(s + j)
            let e = exp(raw.loadUnaligned(as: V.self) - mv)
            raw.storeBytes(of: e, as: V.self)
            acc += e
            j += 8
        }
        var sum = acc.sum()
        while j < n {
            let e = exp(V(repeating: s[j] - m))[0]
            s[j] = e
            sum += e
            j += 1
        }
        return sum
    }

    /// dst[i] = v / (1 + exp(−v)) with v = src[i]·a + b (SiLU of an affine map) for i in 0..<n.
    @inline(__always)
    static func affineSiLU(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, a: Float, b: Float) {
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: V.self) * a + b
            UnsafeMutableRawPointer(dst + i).storeBytes(of: v / (1 + exp(-v)), as: V.self)
            i += 8
        }
        while i < n {
            let v = src[i] * a + b
            dst[i] = v / (1 + exp(V(repeating: -v))[0])
            i += 1
        }
    }

    /// Max of `initial` and n values.
    @inline(__always)
    static func max(_ s: UnsafePointer<Float>, _ n: Int, initial: Float) -> Float {
        avx2 ? i2v_max_avx2(s, n, initial) : portableMax(s, n, initial: initial)
    }

    static func portableMax(_ s: UnsafePointer<Float>, _ n: Int, initial: Float) -> Float {
        var mv = V(repeating: initial)
        var j = 0
        while j + 8 <= n {
            let v = UnsafeRawPointer(s + j).loadUnaligned(as: V.self)
            mv.replace(with: v, where: v .> mv)
            j += 8
        }
        var m = mv.max()
        while j < n { m = Swift.max(m, s[j]); j += 1 }
        return m
    }
}
