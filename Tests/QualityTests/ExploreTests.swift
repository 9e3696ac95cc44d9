import Foundation
import Media
@testable import Quality
import XCTest

final class ExploreTests: XCTestCase {
    func testExplore() throws {
        guard ProcessInfo.processInfo.environment["I2V_EXPLORE"] == "1" else { throw XCTSkip("explore") }
        let s = SyntheticScene(width: 512, height: 512, seed: 7)
        let frames = (0..<16).map { s.render(SyntheticClips.cleanCamera($0, scale: 2)) }
        func time(_ name: String, _ body: () -> Void) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            print(name, String(format: "%.2f ms", Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6))
        }
        var luma: [LumaPlane] = []
        time("luma x16") { luma = frames.map(LumaPlane.init) }
        time("stats x16") { for l in luma { _ = l.meanAndStd() } }
        time("laplacian x16") { for l in luma { _ = Laplacian.variance(of: l) } }
        var planes: [LumaPlane] = []
        time("downscale x16") { planes = luma.map { $0.downscaled(by: 3) } }
        let c = PhaseCorrelator(planeWidth: planes[0].width, planeHeight: planes[0].height)!
        var spectra: [PhaseCorrelator.Spectrum] = []
        time("spectrum x16") { spectra = planes.map { c.spectrum(of: $0) } }
        time("shift x15") { for k in 0..<15 { _ = c.shift(from: spectra[k], to: spectra[k+1]) } }
        time("ssim") { _ = SSIM.ssim(luma[0], luma[1]) }
        time("resample input") { _ = luma[0].resampled(width: 500, height: 500) }
        time("full") { _ = try? VideoQC.check(frames: frames, input: frames[0]) }
        time("full") { _ = try? VideoQC.check(frames: frames, input: frames[0]) }
    }
}
