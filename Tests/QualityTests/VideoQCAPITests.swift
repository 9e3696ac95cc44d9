import Foundation
import Media
import Quality
import XCTest

final class VideoQCAPITests: XCTestCase {
    private let grey = RGBImage(width: 64, height: 64, fill: (128, 128, 128))

    func testNoFramesIsAnError() {
        XCTAssertThrowsError(try VideoQC.check(frames: [], input: grey)) { XCTAssertEqual($0 as? QCError, .noFrames) }
        XCTAssertThrowsError(try VideoQC.check(floatFrames: [], input: grey)) { XCTAssertEqual($0 as? QCError, .noFrames) }
    }

    func testFramesOfDifferentSizesAreAnErrorNamingTheFrame() {
        let frames = [grey, grey, RGBImage(width: 64, height: 48)]
        XCTAssertThrowsError(try VideoQC.check(frames: frames, input: grey)) { e in
            XCTAssertEqual(e as? QCError, .frameSizeMismatch(index: 2, width: 64, height: 48, expectedWidth: 64, expectedHeight: 64))
            XCTAssertTrue("\(e)".contains("frame 2"))
        }
    }

    func testTinyFramesAreAnError() {
        let tiny = RGBImage(width: 16, height: 16)
        XCTAssertThrowsError(try VideoQC.check(frames: [tiny], input: tiny)) { e in
            XCTAssertEqual(e as? QCError, .frameTooSmall(width: 16, height: 16, minimumSide: 32))
        }
    }

    func testAFloatFrameWithTheWrongValueCountIsAnError() {
        let f = FloatFrame(width: 64, height: 64, values: [Float](repeating: 0.5, count: 100))
        XCTAssertThrowsError(try VideoQC.check(floatFrames: [f], input: grey)) { e in
            XCTAssertEqual(e as? QCError, .floatFrameValueCount(index: 0, count: 100, expected: 64 * 64 * 3))
        }
    }

    func testAnInputOfAnotherAspectRatioIsAnError() {
        XCTAssertThrowsError(try VideoQC.check(frames: [grey], input: RGBImage(width: 100, height: 50))) { e in
            guard case .inputAspectMismatch? = e as? QCError else { return XCTFail("\(e)") }
        }
    }

    func testInvalidThresholdsAreAnError() {
        var t = QCThresholds()
        t.pathSmoothingSigma = .nan
        XCTAssertThrowsError(try VideoQC.check(frames: [grey], input: grey, thresholds: t))
    }

    func testALargerInputOfTheSameAspectIsResampledToTheFrames() throws {
        let bigInput = SyntheticClips.scene().render(Camera(), density: 2)
        XCTAssertEqual(bigInput.width, 512)
        let clip = SyntheticClips.standard
        let r = try VideoQC.check(frames: clip.frames, input: bigInput)
        XCTAssertEqual(r.width, 256)
        XCTAssertGreaterThan(try XCTUnwrap(r.check(.fidelitySSIM)?.value), 0.9)
        XCTAssertTrue(r.passed, r.summary)
    }

    func testPlanarFloatFramesGiveTheSameReportAsInterleaved() throws {
        let f = SyntheticClips.floatFrames(nanFrame: nil)
        let planar = f.frames.map { fr -> FloatFrame in
            let n = fr.width * fr.height
            var v = [Float](repeating: 0, count: 3 * n)
            for i in 0..<n { for c in 0..<3 { v[c * n + i] = fr.values[3 * i + c] } }
            return FloatFrame(width: fr.width, height: fr.height, layout: .planarRGB, values: v)
        }
        let a = try VideoQC.check(floatFrames: f.frames, input: f.input)
        let b = try VideoQC.check(floatFrames: planar, input: f.input)
        XCTAssertEqual(a, b)
    }

    func testASingleFrameSkipsTheTemporalChecks() throws {
        let clip = SyntheticClips.standard
        let r = try VideoQC.check(frames: [clip.frames[0]], input: clip.input)
        XCTAssertTrue(r.passed, r.summary)
        for id in [QCCheckID.jitterHighFrequency, .flickerHighFrequency, .motionChangeFromFirstFrame, .frozenPairs, .lastFrameDetail] {
            XCTAssertEqual(r.check(id)?.status, .skipped, id.rawValue)
        }
    }

    func testTheReportIsJSONWithVersionChecksAndThresholdsAndRoundTrips() throws {
        let r = try VideoQC.check(frames: SyntheticClips.blankLastFrame().frames, input: SyntheticClips.standard.input)
        let data = try r.jsonData()
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["version"] as? Int, 1)
        XCTAssertEqual(object["passed"] as? Bool, false)
        let checks = try XCTUnwrap(object["checks"] as? [[String: Any]])
        XCTAssertEqual(Set(checks.compactMap { $0["id"] as? String }), Set(QCCheckID.allCases.map(\.rawValue)))
        let blank = try XCTUnwrap(checks.first { $0["id"] as? String == "frames.blank" })
        XCTAssertEqual(blank["status"] as? String, "fail")
        XCTAssertEqual(blank["comparison"] as? String, "<=")
        XCTAssertNotNil(blank["reason"] as? String)
        XCTAssertNotNil((object["thresholds"] as? [String: Double])?["blankMaxStd"])
        XCTAssertEqual(try JSONDecoder().decode(QCReport.self, from: data), r)
    }
}
