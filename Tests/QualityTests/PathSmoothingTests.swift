import Foundation
@testable import Quality
import XCTest

final class PathSmoothingTests: XCTestCase {
    func testLocalLinearSmoothingReproducesStraightLinesAlsoAtTheEnds() {
        let line = (0..<16).map { 0.3 * Double($0) - 2 }
        for (a, b) in zip(PathSmoothing.localLinear(line, sigma: 2), line) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(PathSmoothing.rms(PathSmoothing.highFrequency(line, sigma: 2)), 0, accuracy: 1e-9)
    }

    func testAnAlternatingPathIsAlmostAllHighFrequency() {
        let zigzag = (0..<16).map { $0 % 2 == 0 ? 0.0 : 1.0 }
        let hf = PathSmoothing.highFrequency(zigzag, sigma: 2)
        XCTAssertEqual(PathSmoothing.rms(hf), 0.5, accuracy: 0.05)
    }

    func testCumulativeStartsAtZero() {
        XCTAssertEqual(PathSmoothing.cumulative([1, 2, -0.5]), [0, 1, 3, 2.5])
        XCTAssertEqual(PathSmoothing.cumulative([]), [0])
    }

    func testSignFlipsIgnoreStepsInsideTheDeadZone() {
        XCTAssertEqual(PathSmoothing.signFlips([1, -1, 1, -1], deadZone: 0.5), 3)
        XCTAssertEqual(PathSmoothing.signFlips([1, -0.1, 1, -0.1], deadZone: 0.5), 0)
        XCTAssertEqual(PathSmoothing.signFlips([1, 2, 3], deadZone: 0), 0)
    }
}
