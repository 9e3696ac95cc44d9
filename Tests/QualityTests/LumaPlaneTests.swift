import Foundation
import Media
@testable import Quality
import XCTest

final class LumaPlaneTests: XCTestCase {
    func testLumaUsesTheBT601Weights() {
        let img = RGBImage(width: 3, height: 1, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255])
        let y = LumaPlane(img).values
        XCTAssertEqual(y[0], 0.299 * 255, accuracy: 1e-3)
        XCTAssertEqual(y[1], 0.587 * 255, accuracy: 1e-3)
        XCTAssertEqual(y[2], 0.114 * 255, accuracy: 1e-3)
    }

    func testMeanAndStdOfATwoLevelImage() {
        let p = LumaPlane(width: 4, height: 1, values: [10, 30, 10, 30])!
        let s = p.meanAndStd()
        XCTAssertEqual(s.mean, 20, accuracy: 1e-9)
        XCTAssertEqual(s.std, 10, accuracy: 1e-9)
    }

    func testDownscaleAveragesWholeBlocksAndDropsTheRemainder() {
        // 5×4 with value = x + 10·y; factor 2 → 2×2 averages of the top-left 4×4.
        let p = LumaPlane(width: 5, height: 4, values: (0..<20).map { Float($0 % 5 + 10 * ($0 / 5)) })!
        let d = p.downscaled(by: 2)
        XCTAssertEqual(d.width, 2)
        XCTAssertEqual(d.height, 2)
        XCTAssertEqual(d.values, [5.5, 7.5, 25.5, 27.5])
    }

    func testResamplingKeepsFlatImagesFlatAndLinearRampsLinear() {
        let flat = LumaPlane(width: 40, height: 30, values: Array(repeating: 80, count: 1200))!
        for v in flat.resampled(width: 17, height: 11).values { XCTAssertEqual(v, 80, accuracy: 1e-3) }
        let ramp = LumaPlane(width: 64, height: 4, values: (0..<256).map { Float($0 % 64) })!
        let half = ramp.resampled(width: 32, height: 2)
        // Output pixel o covers input [2o, 2o + 2): its centre value is 2o + 0.5 (away from the edges).
        for o in 2..<30 { XCTAssertEqual(half.values[o], Float(2 * o) + 0.5, accuracy: 1e-3) }
    }

    func testAMismatchedValueCountIsRejected() {
        XCTAssertNil(LumaPlane(width: 3, height: 3, values: [1, 2, 3]))
    }
}
