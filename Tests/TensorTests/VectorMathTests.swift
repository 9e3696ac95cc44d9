@testable import Tensor
import XCTest

/// The softmax loops' AVX2 + FMA versions (C, chosen at run time) compute what the portable SIMD8
/// versions compute: the same exp to within rounding, the same maxima.
final class VectorMathTests: XCTestCase {
    func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed | 1
        return (0..<n).map { i in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            let u = Float(s >> 40) / Float(1 << 24)
            // Mostly softmax-like scores, plus the clamp edges and beyond.
            switch i % 97 {
            case 0: return -200
            case 1: return 120
            case 2: return -87.5
            case 3: return 88.5
            default: return (u * 2 - 1) * 40
            }
        }
    }

    func testAVX2ExpShiftSumMatchesThePortableLoop() throws {
        try XCTSkipUnless(VectorMath.avx2, "this CPU has no AVX2/FMA; the portable loop is the only path")
        for n in [0, 1, 7, 8, 9, 64, 1000, 4099] {
            let src = values(n, seed: UInt64(n) + 5)
            var fast = src, slow = src
            let m: Float = 3.25
            let fs = fast.withUnsafeMutableBufferPointer { VectorMath.expShiftSum($0.baseAddress!, n, minus: m) }
            let ss = slow.withUnsafeMutableBufferPointer { VectorMath.portableExpShiftSum($0.baseAddress!, n, minus: m) }
            for j in 0..<n {
                let a = fast[j], b = slow[j]
                if b == 0 || b.isInfinite { XCTAssertEqual(a, b, "n \(n) j \(j) x \(src[j])"); continue }
                XCTAssertLessThanOrEqual(abs(a - b) / b, 4e-7, "n \(n) j \(j) x \(src[j]): \(a) vs \(b)")
            }
            if ss.isFinite { XCTAssertLessThanOrEqual(abs(fs - ss), 1e-6 * max(ss, 1), "sum for n \(n)") } else { XCTAssertEqual(fs, ss) }
        }
    }

    func testAVX2MaxMatchesThePortableLoopAndIgnoresNaN() throws {
        try XCTSkipUnless(VectorMath.avx2, "this CPU has no AVX2/FMA; the portable loop is the only path")
        for n in [0, 3, 8, 17, 1000] {
            var v = values(n, seed: 99 + UInt64(n))
            if n > 5 { v[n / 2] = .nan }
            for initial: Float in [-.infinity, 0, 500] {
                let a = v.withUnsafeBufferPointer { VectorMath.max($0.baseAddress!, n, initial: initial) }
                let b = v.withUnsafeBufferPointer { VectorMath.portableMax($0.baseAddress!, n, initial: initial) }
                XCTAssertEqual(a, b, "n \(n) initial \(initial)")
                XCTAssertFalse(a.isNaN)
            }
        }
    }
}
