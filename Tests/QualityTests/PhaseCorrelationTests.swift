import Foundation
import Media
@testable import Quality
import XCTest

final class PhaseCorrelationTests: XCTestCase {
    private let scene = SyntheticScene(width: 160, height: 160, seed: 5)

    private func plane(panX: Double, panY: Double) -> LumaPlane {
        LumaPlane(scene.render(Camera(zoom: 1, panX: panX, panY: panY)))
    }

    func testIntegerShiftsOfATexturedImageAreRecoveredExactlyWithTheirSign() throws {
        let c = try XCTUnwrap(PhaseCorrelator(planeWidth: 160, planeHeight: 160))
        XCTAssertEqual(c.windowWidth, 128)
        let a = plane(panX: 0, panY: 0)
        for (dx, dy) in [(3.0, -5.0), (-7.0, 2.0), (0.0, 11.0), (12.0, 0.0)] {
            let s = c.shift(from: a, to: plane(panX: dx, panY: dy))
            XCTAssertEqual(s.dx, dx, accuracy: 0.1, "dx for (\(dx), \(dy))")
            XCTAssertEqual(s.dy, dy, accuracy: 0.1, "dy for (\(dx), \(dy))")
            XCTAssertGreaterThan(s.peak, 0.2)
        }
    }

    func testSubPixelShiftsAreRecoveredToWithinATenthOfAPixel() throws {
        let c = try XCTUnwrap(PhaseCorrelator(planeWidth: 160, planeHeight: 160))
        let a = plane(panX: 0, panY: 0)
        for (dx, dy) in [(0.5, 0.0), (2.3, -1.7), (-4.25, 0.6), (0.1, 3.9), (-0.8, -6.45)] {
            let s = c.shift(from: a, to: plane(panX: dx, panY: dy))
            XCTAssertEqual(s.dx, dx, accuracy: 0.1, "dx for (\(dx), \(dy))")
            XCTAssertEqual(s.dy, dy, accuracy: 0.1, "dy for (\(dx), \(dy))")
        }
    }

    func testIdenticalFramesGiveZeroShiftAndAFullPeak() throws {
        let c = try XCTUnwrap(PhaseCorrelator(planeWidth: 160, planeHeight: 160))
        let a = plane(panX: 0, panY: 0)
        let s = c.shift(from: a, to: a)
        XCTAssertEqual(s.dx, 0, accuracy: 1e-9)
        XCTAssertEqual(s.dy, 0, accuracy: 1e-9)
        XCTAssertEqual(s.peak, 1, accuracy: 1e-6)
    }

    func testNonSquarePlanesUseAPowerOfTwoWindowPerAxis() throws {
        let c = try XCTUnwrap(PhaseCorrelator(planeWidth: 300, planeHeight: 100))
        XCTAssertEqual(c.windowWidth, 256)
        XCTAssertEqual(c.windowHeight, 64)
        XCTAssertNil(PhaseCorrelator(planeWidth: 7, planeHeight: 100))
    }
}
