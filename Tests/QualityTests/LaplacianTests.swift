import Foundation
import Media
@testable import Quality
import XCTest

final class LaplacianTests: XCTestCase {
    private func plane(_ w: Int, _ h: Int, _ f: (Int, Int) -> Float) -> LumaPlane {
        LumaPlane(width: w, height: h, values: (0..<(w * h)).map { f($0 % w, $0 / w) })!
    }

    func testFlatLinearAndQuadraticImagesHaveZeroVariance() {
        XCTAssertEqual(Laplacian.variance(of: plane(20, 10) { _, _ in 77 }), 0, accuracy: 1e-9)
        XCTAssertEqual(Laplacian.variance(of: plane(20, 10) { x, y in Float(3 * x + 2 * y) }), 0, accuracy: 1e-6)
        // ∇²(x²) = 2 everywhere: a constant Laplacian has no variance.
        XCTAssertEqual(Laplacian.variance(of: plane(20, 10) { x, _ in Float(x * x) / 4 }), 0, accuracy: 1e-6)
    }

    func testACheckerboardHasTheVarianceOfItsKnownLaplacian() {
        // 0/255 checkerboard: the Laplacian is ±4·255 at every interior pixel, half each sign.
        let v = Laplacian.variance(of: plane(18, 12) { x, y in (x + y) % 2 == 0 ? 255 : 0 })
        XCTAssertEqual(v, 1020.0 * 1020.0, accuracy: 1)
    }

    func testBlurLowersTheVarianceOfATexturedImage() {
        let img = SyntheticScene(width: 96, height: 96, seed: 3).render(Camera())
        let sharp = Laplacian.variance(of: LumaPlane(img))
        let soft = Laplacian.variance(of: LumaPlane(Synthetic.blurred(img, sigma: 1.5)))
        XCTAssertGreaterThan(sharp, 10 * soft)
    }

    func testTooSmallPlanesHaveZeroVariance() {
        XCTAssertEqual(Laplacian.variance(of: plane(2, 9) { x, _ in Float(x * 100) }), 0)
    }
}
