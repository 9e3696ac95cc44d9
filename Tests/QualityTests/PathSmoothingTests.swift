import Foundation
@testable import Quality
import XCTest

final class PathSmoothingTests: XCTestCase {
    func testLocalLinearSmoothingReproducesStraightLinesAlsoAtTheEnds() {
        let line = (0..<16).map { 0.3 * Double($0) - 2 }
        for (a, b) in zip(PathSmoothing.localLinear(line, sigma: 2), line) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(PathSmoothing.rms(PathSmoothing.highFrequency(line, sigma: 2)), 0, accuracy: 1e-9)
    }

    func testLocalCubicSmoothingReproducesCubicsAlsoAtTheEnds() {
        let cubic = (0..<10).map { t -> Double in let x = Double(t); return 0.02 * x * x * x - 0.3 * x * x + x - 1 }
        for (a, b) in zip(PathSmoothing.localPolynomial(cubic, sigma: 2, degree: 3), cubic) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(PathSmoothing.rms(PathSmoothing.highFrequency(cubic, sigma: 2)), 0, accuracy: 1e-9)
    }

    /// One smooth oscillation over an 8-sample loop is intended motion: the local cubic follows
    /// it (a local line leaves a third of its amplitude as "shake"), while random per-frame
    /// shake of the same size stays high-frequency.
    func testOneOscillationOverEightSamplesIsSmoothButRandomShakeIsNot() {
        let loop = (0..<8).map { sin(2 * Double.pi * Double($0) / 8) }
        XCTAssertLessThan(PathSmoothing.rms(PathSmoothing.highFrequency(loop, sigma: 2)), 0.06)
        XCTAssertGreaterThan(PathSmoothing.rms(zip(loop, PathSmoothing.localLinear(loop, sigma: 2)).map { $0 - $1 }), 0.3)
        let shake: [Double] = [0, 0.9, -0.7, 0.4, -1, 0.8, -0.2, 0.6]
        XCTAssertGreaterThan(PathSmoothing.rms(PathSmoothing.highFrequency(shake, sigma: 2)), 0.4)
    }

    func testTheSmoothingDegreeLeavesShortPathsSamplesToMeasure() {
        XCTAssertEqual([3, 4, 5, 6, 7, 8, 24].map(PathSmoothing.smoothingDegree(count:)), [1, 1, 2, 2, 3, 3, 3])
        // Three samples off a line still show their deviation.
        XCTAssertGreaterThan(PathSmoothing.rms(PathSmoothing.highFrequency([0, 1, 0], sigma: 2)), 0.2)
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
