import XCTest
@testable import Tensor

final class DTypeTests: XCTestCase {
    func testFloat16WideningIsExactForRepresentableValues() {
        let values: [Float] = [0, 1, -2, 0.5, 65504, -0.000061035156, 3.140625, 1024, 7, -8, 0.25]
        let bits = values.map { Float16($0).bitPattern }
        var out = [Float](repeating: .nan, count: values.count)
        bits.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in HalfConversion.widenFloat16(b.baseAddress!, o.baseAddress!, values.count) }
        }
        XCTAssertEqual(out, values)
    }

    func testBFloat16RoundTripKeepsTopBits() {
        let x: Float = 1.0078125  // 1 + 2^-7: exactly representable in bf16
        let b = HalfConversion.toBFloat16Bits(x)
        var out: Float = 0
        [b].withUnsafeBufferPointer { p in HalfConversion.widenBFloat16(p.baseAddress!, &out, 1) }
        XCTAssertEqual(out, x)
        // Ties round to the even mantissa: 1 + 2^-8 → 1, 1 + 3·2^-8 → 1 + 2^-6.
        XCTAssertEqual(HalfConversion.toBFloat16Bits(1.0 + 1.0 / 256), HalfConversion.toBFloat16Bits(1.0))
        XCTAssertEqual(HalfConversion.toBFloat16Bits(1.0 + 3.0 / 256), HalfConversion.toBFloat16Bits(1.015625))
    }
}
