import Foundation
@testable import Quality
import XCTest

final class SSIMTests: XCTestCase {
    private func noise(_ n: Int, mean: Double, sigma: Double, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in Float(mean + sigma * rng.gaussian()) }
    }

    func testIdenticalImagesHaveSSIMOne() throws {
        let p = try XCTUnwrap(LumaPlane(width: 64, height: 48, values: noise(64 * 48, mean: 120, sigma: 30, seed: 1)))
        XCTAssertEqual(try XCTUnwrap(SSIM.ssim(p, p)), 1, accuracy: 1e-12)
    }

    func testSSIMIsSymmetric() throws {
        let a = try XCTUnwrap(LumaPlane(width: 64, height: 64, values: noise(4096, mean: 120, sigma: 30, seed: 2)))
        let b = try XCTUnwrap(LumaPlane(width: 64, height: 64, values: noise(4096, mean: 110, sigma: 20, seed: 3)))
        XCTAssertEqual(try XCTUnwrap(SSIM.ssim(a, b)), try XCTUnwrap(SSIM.ssim(b, a)), accuracy: 1e-12)
    }

    /// x white noise (σx), y = x + independent noise (σn), same mean: the luminance term is ≈ 1
    /// and the contrast-structure term ≈ (2σx² + C2) / (2σx² + σn² + C2).
    func testAddedNoiseLowersSSIMAsTheContrastStructureTermPredicts() throws {
        let n = 256 * 256, sx = 40.0
        let c2: Double = (0.03 * 255) * (0.03 * 255)
        let x = noise(n, mean: 128, sigma: sx, seed: 4)
        for sn in [10.0, 20.0, 40.0] {
            let e = noise(n, mean: 0, sigma: sn, seed: 5)
            let y = zip(x, e).map { $0 + $1 }
            let a = try XCTUnwrap(LumaPlane(width: 256, height: 256, values: x))
            let b = try XCTUnwrap(LumaPlane(width: 256, height: 256, values: y))
            let expected = (2 * sx * sx + c2) / (2 * sx * sx + sn * sn + c2)
            XCTAssertEqual(try XCTUnwrap(SSIM.ssim(a, b, downsample: 1)), expected, accuracy: 0.03, "σn = \(sn)")
        }
    }

    func testTheAutomaticDownsamplingFollowsTheReferenceRule() {
        XCTAssertEqual(SSIM.downsampleFactor(width: 256, height: 256), 1)
        XCTAssertEqual(SSIM.downsampleFactor(width: 1024, height: 512), 2)
        XCTAssertEqual(SSIM.downsampleFactor(width: 768, height: 768), 3)
    }

    func testDifferentSizesOrTooSmallPlanesGiveNoValue() throws {
        let a = try XCTUnwrap(LumaPlane(width: 32, height: 32, values: noise(1024, mean: 100, sigma: 10, seed: 6)))
        let b = try XCTUnwrap(LumaPlane(width: 32, height: 16, values: noise(512, mean: 100, sigma: 10, seed: 7)))
        XCTAssertNil(SSIM.ssim(a, b))
        let tiny = try XCTUnwrap(LumaPlane(width: 10, height: 10, values: noise(100, mean: 100, sigma: 10, seed: 8)))
        XCTAssertNil(SSIM.ssim(tiny, tiny))
    }
}
